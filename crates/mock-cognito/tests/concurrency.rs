//! Many sign-ins and GetId calls at once against one mock: every one gets
//! the right answer, and no expensive step (a modular exponentiation, a
//! password check, an RSA signature or verification) runs while a state
//! lock is held, so concurrent calls overlap instead of queueing.
//!
//! The engine's counters are per process: this file holds one test so no
//! other test's work is counted with it.

mod common;

use std::collections::{HashMap, HashSet};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_srp::{CognitoTimestamp, Password, PasswordVerifierChallenge, PoolName, SrpClient};
use common::{call, ok};
use mock_cognito::{MockCognito, expensive_work_counters};
use serde_json::{Value, json};

const USERS: usize = 64;
const PASSWORD: &str = "Conc-urrent1!";

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn user(i: usize) -> String {
    format!("user{i:02}")
}

struct Setup {
    mock: MockCognito,
    pool_id: String,
    client_id: String,
    identity_pool_id: String,
    login_key: String,
}

async fn setup() -> Setup {
    let mock = MockCognito::start().await.unwrap();
    let addr = mock.addr();
    let pool = ok(addr, "CreateUserPool", json!({"PoolName": "busy"})).await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let client = ok(
        addr,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "app",
               "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let users: Vec<(String, String)> = (0..USERS).map(|i| (user(i), PASSWORD.into())).collect();
    mock.add_users(&pool_id, &users).unwrap();
    let region = pool_id.split('_').next().unwrap();
    let login_key = format!("cognito-idp.{region}.amazonaws.com/{pool_id}");
    let identity_pool = ok(
        addr,
        "AWSCognitoIdentityService.CreateIdentityPool",
        json!({"IdentityPoolName": "busy", "AllowUnauthenticatedIdentities": true,
               "CognitoIdentityProviders": [{"ProviderName": login_key, "ClientId": client_id}]}),
    )
    .await;
    Setup {
        identity_pool_id: identity_pool["IdentityPoolId"].as_str().unwrap().to_owned(),
        mock,
        pool_id,
        client_id,
        login_key,
    }
}

/// USER_SRP_AUTH then PASSWORD_VERIFIER; the ID token.
async fn srp_sign_in(s: &Setup, username: &str) -> String {
    let addr = s.mock.addr();
    let client = SrpClient::new(&mut rand_core::UnwrapErr(getrandom::SysRng));
    let init = ok(
        addr,
        "InitiateAuth",
        json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": s.client_id,
               "AuthParameters": {"USERNAME": username, "SRP_A": client.srp_a()}}),
    )
    .await;
    let parameters = common::string_map(&init["ChallengeParameters"]);
    let challenge = PasswordVerifierChallenge::from_parameters(&parameters).unwrap();
    let pool = PoolName::from_user_pool_id(&s.pool_id).unwrap();
    let now = CognitoTimestamp::from_system_time(s.mock.clock().now()).unwrap();
    let claim = client
        .answer_password_verifier(&pool, &challenge, &Password::new(PASSWORD), now)
        .unwrap();
    let out = ok(
        addr,
        "RespondToAuthChallenge",
        json!({"ClientId": s.client_id, "ChallengeName": "PASSWORD_VERIFIER",
               "ChallengeResponses": claim.challenge_responses(None)}),
    )
    .await;
    out["AuthenticationResult"]["IdToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// USER_PASSWORD_AUTH with `password`: the ID token, or the error type.
async fn password_sign_in(s: &Setup, username: &str, password: &str) -> Result<String, String> {
    let reply = call(
        s.mock.addr(),
        "InitiateAuth",
        &json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": s.client_id,
                "AuthParameters": {"USERNAME": username, "PASSWORD": password}}),
        false,
    )
    .await;
    if reply.status != 200 {
        return Err(reply.error_type());
    }
    Ok(reply.json()["AuthenticationResult"]["IdToken"]
        .as_str()
        .unwrap()
        .to_owned())
}

/// GetId, with the user-pool ID token as a login or unauthenticated.
async fn get_id(s: &Setup, id_token: Option<&str>) -> String {
    let mut body = json!({"IdentityPoolId": s.identity_pool_id});
    if let Some(token) = id_token {
        body["Logins"] = json!({ s.login_key.clone(): token });
    }
    let reply = call(
        s.mock.addr(),
        "AWSCognitoIdentityService.GetId",
        &body,
        false,
    )
    .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()["IdentityId"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sign_ins_and_get_id_do_no_expensive_work_under_a_lock() {
    let s = std::sync::Arc::new(setup().await);
    // Tokens for the GetId calls, made before the measured part.
    let mut tokens = Vec::new();
    for i in 0..USERS / 4 {
        tokens.push(password_sign_in(&s, &user(i), PASSWORD).await.unwrap());
    }
    let (work_before, under_lock_before) = expensive_work_counters();

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..USERS {
        let s = s.clone();
        let token = tokens[i % tokens.len()].clone();
        tasks.spawn(async move {
            let name = user(i);
            match i % 4 {
                0 => {
                    let id = srp_sign_in(&s, &name).await;
                    assert_eq!(claims(&id)["cognito:username"], name.as_str());
                    ("srp", name, id)
                }
                1 => {
                    let id = password_sign_in(&s, &name, PASSWORD).await.unwrap();
                    assert_eq!(claims(&id)["cognito:username"], name.as_str());
                    ("password", name, id)
                }
                2 => {
                    let wrong = password_sign_in(&s, &name, "Wrong-passw0rd!").await;
                    assert_eq!(wrong, Err("NotAuthorizedException".to_owned()));
                    let identity = get_id(&s, Some(&token)).await;
                    ("get-id-login", claims(&token)["sub"].to_string(), identity)
                }
                _ => ("get-id-guest", name, get_id(&s, None).await),
            }
        });
    }
    let mut outcomes = Vec::new();
    while let Some(done) = tasks.join_next().await {
        outcomes.push(done.expect("no task panicked"));
    }
    assert_eq!(outcomes.len(), USERS);

    // The same user always maps to the same identity; guests each get one.
    let mut identity_of_subject: HashMap<String, String> = HashMap::new();
    let mut guests = HashSet::new();
    for (kind, who, answer) in &outcomes {
        match *kind {
            "get-id-login" => {
                let first = identity_of_subject
                    .entry(who.clone())
                    .or_insert_with(|| answer.clone());
                assert_eq!(first, answer, "one identity per user-pool subject");
            }
            "get-id-guest" => assert!(guests.insert(answer.clone()), "a fresh guest identity"),
            _ => {}
        }
    }
    assert_eq!(guests.len(), USERS / 4);
    assert!(guests.is_disjoint(&identity_of_subject.values().cloned().collect()));

    let (work_after, under_lock_after) = expensive_work_counters();
    // Per SRP sign-in: B, the proof and two token signatures; per password
    // sign-in: the check and two signatures; per wrong password: the
    // check; per GetId with a login: the signature verification.
    let least = (USERS / 4) * (4 + 3 + 1 + 1);
    assert!(
        work_after - work_before >= least as u64,
        "expensive steps are counted ({} < {least})",
        work_after - work_before
    );
    assert_eq!(
        under_lock_after - under_lock_before,
        0,
        "expensive steps ran with a state lock held"
    );

    // The other operations that make verifiers, check passwords or sign
    // and verify tokens follow the same pattern.
    let addr = s.mock.addr();
    let signed_in = ok(
        addr,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": s.client_id,
               "AuthParameters": {"USERNAME": user(1), "PASSWORD": PASSWORD}}),
    )
    .await;
    let result = &signed_in["AuthenticationResult"];
    let access = result["AccessToken"].as_str().unwrap();
    let steps = [
        ("GetUser", json!({"AccessToken": access})),
        (
            "ChangePassword",
            json!({"AccessToken": access, "PreviousPassword": PASSWORD, "ProposedPassword": "Chang3d-Pass!"}),
        ),
        (
            "AdminSetUserPassword",
            json!({"UserPoolId": s.pool_id, "Username": user(2), "Password": "Adm1n-Set-Pass!", "Permanent": true}),
        ),
        (
            "AdminCreateUser",
            json!({"UserPoolId": s.pool_id, "Username": "created", "MessageAction": "SUPPRESS"}),
        ),
        (
            "SignUp",
            json!({"ClientId": s.client_id, "Username": "signed-up", "Password": PASSWORD}),
        ),
        (
            "GetTokensFromRefreshToken",
            json!({"ClientId": s.client_id, "RefreshToken": result["RefreshToken"]}),
        ),
    ];
    let before = expensive_work_counters();
    for (op, body) in steps {
        ok(addr, op, body).await;
    }
    let identity = get_id(&s, Some(&tokens[0])).await;
    ok(
        addr,
        "AWSCognitoIdentityService.GetOpenIdToken",
        json!({"IdentityId": identity, "Logins": {s.login_key.clone(): tokens[0]}}),
    )
    .await;
    let jwks = common::raw(
        addr,
        "GET",
        &format!("/{}/.well-known/jwks.json", s.pool_id),
        &[],
        b"",
    )
    .await;
    assert_eq!(jwks.status, 200);
    let after = expensive_work_counters();
    assert!(after.0 - before.0 >= 9, "the steps did expensive work");
    assert_eq!(after.1 - before.1, 0, "an operation worked under a lock");
}
