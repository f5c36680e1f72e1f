//! With a seeded randomness, a fixed clock and a given key source, the same
//! script of requests gets byte-identical answers (status, headers and
//! body) run after run; another seed gets other ids, codes and tokens.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cognito_srp::{CognitoTimestamp, Password, PasswordVerifierChallenge, PoolName, SrpClient};
use common::call;
use mock_cognito::{Clock, KeyFactory, MockCognito, Randomness};
use rand_core::SeedableRng;
use serde_json::{Value, json};

/// 2026-01-02T03:04:05Z.
const FIXED_NOW: i64 = 1_767_323_045;
const PASSWORD: &str = "Determin1stic!";

/// RSA keys by `kid`, made once: generating RSA keys cannot be seeded, so
/// both runs draw the key for a `kid` from here.
fn memoizing_keys() -> KeyFactory {
    let made: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
    KeyFactory::from_fn(move |kid| {
        made.lock()
            .unwrap()
            .entry(kid.to_owned())
            .or_insert_with(KeyFactory::generate_pkcs8)
            .clone()
    })
}

/// One exchange as the client saw it, minus what the mock cannot control
/// (hyper's `date` header) and its own address (a port picked per run).
fn transcript_line(endpoint: &str, step: &str, reply: &common::Reply) -> String {
    let mut headers: Vec<String> = reply
        .headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("date"))
        .map(|(k, v)| format!("{}: {v}", k.to_ascii_lowercase()))
        .collect();
    headers.sort();
    let body = String::from_utf8_lossy(&reply.body).replace(endpoint, "<endpoint>");
    format!("{step} {}\n{}\n{body}\n", reply.status, headers.join("\n"))
}

struct Run {
    mock: MockCognito,
    transcript: String,
}

impl Run {
    async fn call(&mut self, step: &str, target: &str, body: Value) -> Value {
        let reply = call(self.mock.addr(), target, &body, true).await;
        let line = transcript_line(&self.mock.endpoint(), step, &reply);
        self.transcript.push_str(&line);
        assert_eq!(reply.status, 200, "{line}");
        reply.json()
    }
}

/// The script: pools, users, both sign-in flows, identity-pool federation
/// and credentials, and the JWKS. Returns the transcript.
async fn run_script(seed: u64, keys: KeyFactory) -> String {
    let mock = MockCognito::builder()
        .randomness(Randomness::seeded(seed))
        .clock(Clock::fixed(FIXED_NOW))
        .signing_keys(keys)
        .start()
        .await
        .unwrap();
    let mut run = Run {
        mock,
        transcript: String::new(),
    };
    let pool = run
        .call(
            "create pool",
            "CreateUserPool",
            json!({"PoolName": "same", "AutoVerifiedAttributes": ["email"]}),
        )
        .await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let client = run
        .call(
            "create client",
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "app", "GenerateSecret": false,
                   "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    run.call(
        "create user",
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "alice", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}]}),
    )
    .await;
    run.call(
        "set password",
        "AdminSetUserPassword",
        json!({"UserPoolId": pool_id, "Username": "alice", "Password": PASSWORD, "Permanent": true}),
    )
    .await;
    run.call(
        "sign up",
        "SignUp",
        json!({"ClientId": client_id, "Username": "bob", "Password": PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}]}),
    )
    .await;
    run.call("list users", "ListUsers", json!({"UserPoolId": pool_id}))
        .await;

    // SRP, with the client's own randomness seeded too.
    let mut client_rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let srp = SrpClient::new(&mut client_rng);
    let init = run
        .call(
            "srp start",
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": client_id,
                   "AuthParameters": {"USERNAME": "alice", "SRP_A": srp.srp_a()}}),
        )
        .await;
    let parameters = common::string_map(&init["ChallengeParameters"]);
    let challenge = PasswordVerifierChallenge::from_parameters(&parameters).unwrap();
    let now = CognitoTimestamp::from_unix(FIXED_NOW).unwrap();
    let claim = srp
        .answer_password_verifier(
            &PoolName::from_user_pool_id(&pool_id).unwrap(),
            &challenge,
            &Password::new(PASSWORD),
            now,
        )
        .unwrap();
    let signed_in = run
        .call(
            "srp answer",
            "RespondToAuthChallenge",
            json!({"ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER",
                   "ChallengeResponses": claim.challenge_responses(None)}),
        )
        .await;
    let id_token = signed_in["AuthenticationResult"]["IdToken"]
        .as_str()
        .unwrap()
        .to_owned();
    run.call(
        "password sign-in",
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}),
    )
    .await;

    let region = pool_id.split('_').next().unwrap();
    let login_key = format!("cognito-idp.{region}.amazonaws.com/{pool_id}");
    let identity_pool = run
        .call(
            "create identity pool",
            "AWSCognitoIdentityService.CreateIdentityPool",
            json!({"IdentityPoolName": "same", "AllowUnauthenticatedIdentities": true,
                   "CognitoIdentityProviders": [{"ProviderName": login_key, "ClientId": client_id}]}),
        )
        .await;
    let identity_pool_id = identity_pool["IdentityPoolId"].as_str().unwrap().to_owned();
    run.call(
        "roles",
        "AWSCognitoIdentityService.SetIdentityPoolRoles",
        json!({"IdentityPoolId": identity_pool_id, "Roles": {
            "authenticated": "arn:aws:iam::123456789012:role/signed-in",
            "unauthenticated": "arn:aws:iam::123456789012:role/guest"}}),
    )
    .await;
    let logins = json!({ login_key: id_token });
    let identity = run
        .call(
            "get id",
            "AWSCognitoIdentityService.GetId",
            json!({"IdentityPoolId": identity_pool_id, "Logins": logins}),
        )
        .await;
    run.call(
        "credentials",
        "AWSCognitoIdentityService.GetCredentialsForIdentity",
        json!({"IdentityId": identity["IdentityId"], "Logins": logins}),
    )
    .await;
    run.call(
        "guest id",
        "AWSCognitoIdentityService.GetId",
        json!({"IdentityPoolId": identity_pool_id}),
    )
    .await;
    run.call(
        "open id token",
        "AWSCognitoIdentityService.GetOpenIdToken",
        json!({"IdentityId": identity["IdentityId"], "Logins": logins}),
    )
    .await;
    let jwks = common::raw(
        run.mock.addr(),
        "GET",
        &format!("/{pool_id}/.well-known/jwks.json"),
        &[],
        b"",
    )
    .await;
    let line = transcript_line(&run.mock.endpoint(), "jwks", &jwks);
    run.transcript.push_str(&line);
    run.transcript
}

#[tokio::test]
async fn the_same_seed_and_clock_give_byte_identical_answers() {
    let keys = memoizing_keys();
    let first = run_script(42, keys.clone()).await;
    let second = run_script(42, keys.clone()).await;
    assert!(first.contains("\"IdToken\""), "the script signed in");
    assert!(first.contains("\"SecretKey\""), "and got credentials");
    if first != second {
        let (a, b) = first
            .lines()
            .zip(second.lines())
            .find(|(a, b)| a != b)
            .unwrap_or(("(lengths differ)", ""));
        panic!("the runs differ first at\n{a}\n{b}");
    }
    // The seed is what makes them equal: another one changes the answers.
    let other = run_script(43, keys).await;
    assert_ne!(first, other);
}
