//! User-pool sign-in against the mock over its wire protocol, with
//! `cognito-srp`'s client doing the SRP maths.

mod common;

use std::collections::HashMap;

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_srp::{
    CognitoTimestamp, Password, PasswordVerifierChallenge, PoolName, SrpClient, secret_hash,
};
use common::{call, ok};
use mock_cognito::MockCognito;
use serde_json::{Value, json};

const PASSWORD: &str = "Corr3ct-Horse!";

struct Setup {
    mock: MockCognito,
    pool_id: String,
    client_id: String,
}

async fn setup(client_extra: Value) -> Setup {
    let mock = MockCognito::start().await.unwrap();
    let addr = mock.addr();
    let pool = ok(addr, "CreateUserPool", json!({"PoolName": "test"})).await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let mut client_req = json!({"UserPoolId": pool_id, "ClientName": "app"});
    for (k, v) in client_extra.as_object().unwrap() {
        client_req[k] = v.clone();
    }
    let client = ok(addr, "CreateUserPoolClient", client_req).await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(addr, "AdminCreateUser", json!({
        "UserPoolId": pool_id, "Username": "alice", "TemporaryPassword": "Temp0rary!pw",
        "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}, {"Name": "email_verified", "Value": "true"}],
    }))
    .await;
    ok(addr, "AdminSetUserPassword", json!({"UserPoolId": pool_id, "Username": "alice", "Password": PASSWORD, "Permanent": true})).await;
    Setup {
        mock,
        pool_id,
        client_id,
    }
}

/// InitiateAuth(USER_SRP_AUTH) and the client's PASSWORD_VERIFIER answer.
async fn srp_answer(
    s: &Setup,
    password: &str,
    secret: Option<&str>,
) -> (Value, HashMap<String, String>) {
    let client = SrpClient::new(&mut rand_core::UnwrapErr(getrandom::SysRng));
    let mut params = json!({"USERNAME": "alice", "SRP_A": client.srp_a()});
    if let Some(secret) = secret {
        params["SECRET_HASH"] = json!(secret_hash("alice", &s.client_id, secret));
    }
    let init = ok(
        s.mock.addr(),
        "InitiateAuth",
        json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": s.client_id, "AuthParameters": params}),
    )
    .await;
    assert_eq!(init["ChallengeName"], "PASSWORD_VERIFIER");
    let challenge = PasswordVerifierChallenge::from_parameters(&common::string_map(
        &init["ChallengeParameters"],
    ))
    .unwrap();
    let pool = PoolName::from_user_pool_id(&s.pool_id).unwrap();
    let now = CognitoTimestamp::from_system_time(s.mock.clock().now()).unwrap();
    let claim = client
        .answer_password_verifier(&pool, &challenge, &Password::new(password), now)
        .unwrap();
    let responses = claim.challenge_responses(secret.map(|sec| (s.client_id.as_str(), sec)));
    (init, responses)
}

async fn respond(s: &Setup, client_id: &str, responses: &HashMap<String, String>) -> common::Reply {
    call(s.mock.addr(), "RespondToAuthChallenge", &json!({
        "ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": responses,
    }), false)
    .await
}

/// Verifies an RS256 JWT against the pool's JWKS and returns (header, claims).
async fn verify_jwt(s: &Setup, token: &str) -> Result<(Value, Value), String> {
    let reply = common::raw(
        s.mock.addr(),
        "GET",
        &format!("/{}/.well-known/jwks.json", s.pool_id),
        &[],
        b"",
    )
    .await;
    assert_eq!(reply.status, 200);
    let jwks = reply.json();
    let parts: Vec<&str> = token.split('.').collect();
    let [h, c, sig] = parts[..] else {
        return Err("not three parts".into());
    };
    let decode = |p: &str| URL_SAFE_NO_PAD.decode(p).map_err(|e| e.to_string());
    let header: Value = serde_json::from_slice(&decode(h)?).map_err(|e| e.to_string())?;
    let claims: Value = serde_json::from_slice(&decode(c)?).map_err(|e| e.to_string())?;
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .ok_or("unknown kid")?;
    let n = decode(key["n"].as_str().unwrap())?;
    let e = decode(key["e"].as_str().unwrap())?;
    RsaPublicKeyComponents { n: &n, e: &e }
        .verify(
            &RSA_PKCS1_2048_8192_SHA256,
            format!("{h}.{c}").as_bytes(),
            &decode(sig)?,
        )
        .map_err(|_| "bad signature".to_owned())?;
    Ok((header, claims))
}

#[tokio::test]
async fn srp_sign_in_issues_verifiable_tokens() {
    let s = setup(json!({})).await;
    let (_, responses) = srp_answer(&s, PASSWORD, None).await;
    let reply = respond(&s, &s.client_id, &responses).await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let result = &reply.json()["AuthenticationResult"];
    assert_eq!(result["TokenType"], "Bearer");
    assert_eq!(result["ExpiresIn"], 3600);

    let (id_header, id) = verify_jwt(&s, result["IdToken"].as_str().unwrap())
        .await
        .unwrap();
    let (access_header, access) = verify_jwt(&s, result["AccessToken"].as_str().unwrap())
        .await
        .unwrap();
    assert_ne!(
        id_header["kid"], access_header["kid"],
        "ID and access tokens use different keys"
    );
    assert_eq!(id_header["alg"], "RS256");
    assert_eq!(
        id["iss"],
        format!("https://cognito-idp.us-east-1.amazonaws.com/{}", s.pool_id)
    );
    assert_eq!(id["aud"], s.client_id);
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["email_verified"], true);
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["client_id"], s.client_id);
    assert!(access.get("aud").is_none(), "access tokens carry no aud");
    assert_eq!(id["sub"], access["sub"]);
    assert_eq!(
        id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(),
        3600
    );

    // A tampered token fails verification.
    let token = result["IdToken"].as_str().unwrap();
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
    claims["cognito:username"] = json!("mallory");
    parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
    assert_eq!(
        verify_jwt(&s, &parts.join(".")).await.unwrap_err(),
        "bad signature"
    );
}

#[tokio::test]
async fn wrong_password_garbage_signature_replay_and_client_swap_all_fail() {
    let s = setup(json!({})).await;
    let addr = s.mock.addr();
    let incorrect = |reply: common::Reply| {
        assert_eq!(reply.status, 400);
        assert_eq!(
            reply.header("x-amzn-ErrorType"),
            Some("NotAuthorizedException:")
        );
        assert_eq!(reply.json()["message"], "Incorrect username or password.");
    };

    let (_, responses) = srp_answer(&s, "Wr0ng-password!", None).await;
    incorrect(respond(&s, &s.client_id, &responses).await);

    let (_, mut responses) = srp_answer(&s, PASSWORD, None).await;
    let good_signature = responses["PASSWORD_CLAIM_SIGNATURE"].clone();
    responses.insert(
        "PASSWORD_CLAIM_SIGNATURE".into(),
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into(),
    );
    incorrect(respond(&s, &s.client_id, &responses).await);
    // The failed attempt spent the secret block: the right signature is now a replay.
    responses.insert("PASSWORD_CLAIM_SIGNATURE".into(), good_signature);
    incorrect(respond(&s, &s.client_id, &responses).await);

    // A good answer succeeds once, and its replay fails.
    let (_, responses) = srp_answer(&s, PASSWORD, None).await;
    assert_eq!(respond(&s, &s.client_id, &responses).await.status, 200);
    incorrect(respond(&s, &s.client_id, &responses).await);

    // A secret block answered through another app client of the same pool fails.
    let other = ok(
        addr,
        "CreateUserPoolClient",
        json!({"UserPoolId": s.pool_id, "ClientName": "other"}),
    )
    .await;
    let other_id = other["UserPoolClient"]["ClientId"].as_str().unwrap();
    let (_, responses) = srp_answer(&s, PASSWORD, None).await;
    incorrect(respond(&s, other_id, &responses).await);

    // A timestamp outside the window fails even with a valid signature.
    let (_, responses) = srp_answer(&s, PASSWORD, None).await;
    s.mock.clock().advance(std::time::Duration::from_secs(400));
    incorrect(respond(&s, &s.client_id, &responses).await);
}

#[tokio::test]
async fn unknown_users_flows_and_clients() {
    let s = setup(json!({})).await;
    let addr = s.mock.addr();
    let init = |flow: &str, params: Value, client: &str| json!({"AuthFlow": flow, "ClientId": client, "AuthParameters": params});
    let r = call(
        addr,
        "InitiateAuth",
        &init(
            "USER_SRP_AUTH",
            json!({"USERNAME": "nobody", "SRP_A": "02"}),
            &s.client_id,
        ),
        false,
    )
    .await;
    assert_eq!(
        (r.status, r.error_type()),
        (400, "UserNotFoundException".to_owned())
    );
    let r = call(
        addr,
        "InitiateAuth",
        &init(
            "USER_PASSWORD_AUTH",
            json!({"USERNAME": "alice", "PASSWORD": PASSWORD}),
            &s.client_id,
        ),
        false,
    )
    .await;
    assert_eq!(r.error_type(), "InvalidParameterException");
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("not enabled")
    );
    let r = call(
        addr,
        "InitiateAuth",
        &init(
            "USER_SRP_AUTH",
            json!({"USERNAME": "alice", "SRP_A": "0"}),
            &s.client_id,
        ),
        false,
    )
    .await;
    assert_eq!(r.error_type(), "InvalidParameterException");
    let r = call(
        addr,
        "InitiateAuth",
        &init(
            "USER_SRP_AUTH",
            json!({"USERNAME": "alice", "SRP_A": "02"}),
            "abcdefghijklmnopqrstuvwxyz",
        ),
        false,
    )
    .await;
    assert_eq!(r.error_type(), "ResourceNotFoundException");
}

#[tokio::test]
async fn user_password_auth_when_enabled() {
    let s = setup(
        json!({"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await;
    let addr = s.mock.addr();
    let body = |pw: &str| json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": s.client_id, "AuthParameters": {"USERNAME": "alice", "PASSWORD": pw}});
    let r = call(addr, "InitiateAuth", &body(PASSWORD), false).await;
    assert_eq!(r.status, 200);
    verify_jwt(
        &s,
        r.json()["AuthenticationResult"]["IdToken"]
            .as_str()
            .unwrap(),
    )
    .await
    .unwrap();
    let r = call(addr, "InitiateAuth", &body("Wr0ng-password!"), false).await;
    assert_eq!(r.json()["message"], "Incorrect username or password.");
    // SRP is not in this client's ExplicitAuthFlows.
    let r = call(addr, "InitiateAuth", &json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": s.client_id, "AuthParameters": {"USERNAME": "alice", "SRP_A": "02"}}), false).await;
    assert_eq!(r.error_type(), "InvalidParameterException");
}

#[tokio::test]
async fn new_password_required_then_tokens() {
    let s = setup(
        json!({"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await;
    let addr = s.mock.addr();
    ok(
        addr,
        "AdminCreateUser",
        json!({"UserPoolId": s.pool_id, "Username": "bob", "TemporaryPassword": "Temp0rary!pw"}),
    )
    .await;
    let r = ok(addr, "InitiateAuth", json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": s.client_id, "AuthParameters": {"USERNAME": "bob", "PASSWORD": "Temp0rary!pw"}})).await;
    assert_eq!(r["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let session = r["Session"].as_str().unwrap();
    let answer = |pw: &str, session: &str| json!({"ClientId": s.client_id, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session, "ChallengeResponses": {"USERNAME": "bob", "NEW_PASSWORD": pw}});
    let weak = call(
        addr,
        "RespondToAuthChallenge",
        &answer("short", session),
        false,
    )
    .await;
    assert_eq!(weak.error_type(), "InvalidPasswordException");
    // The failed answer spent the session.
    let r = call(
        addr,
        "RespondToAuthChallenge",
        &answer("N3w-Passw0rd!", session),
        false,
    )
    .await;
    assert_eq!(r.error_type(), "NotAuthorizedException");

    let r = ok(addr, "InitiateAuth", json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": s.client_id, "AuthParameters": {"USERNAME": "bob", "PASSWORD": "Temp0rary!pw"}})).await;
    let r = ok(
        addr,
        "RespondToAuthChallenge",
        answer("N3w-Passw0rd!", r["Session"].as_str().unwrap()),
    )
    .await;
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
    let user = ok(
        addr,
        "AdminGetUser",
        json!({"UserPoolId": s.pool_id, "Username": "bob"}),
    )
    .await;
    assert_eq!(user["UserStatus"], "CONFIRMED");
    let r = ok(addr, "InitiateAuth", json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": s.client_id, "AuthParameters": {"USERNAME": "bob", "PASSWORD": "N3w-Passw0rd!"}})).await;
    assert!(r["AuthenticationResult"]["IdToken"].is_string());
}

#[tokio::test]
async fn client_with_secret_requires_the_right_secret_hash() {
    let s = setup(json!({"GenerateSecret": true})).await;
    let described = ok(
        s.mock.addr(),
        "DescribeUserPoolClient",
        json!({"UserPoolId": s.pool_id, "ClientId": s.client_id}),
    )
    .await;
    let secret = described["UserPoolClient"]["ClientSecret"]
        .as_str()
        .unwrap()
        .to_owned();

    let (_, responses) = srp_answer(&s, PASSWORD, Some(&secret)).await;
    assert!(responses.contains_key("SECRET_HASH"));
    assert_eq!(respond(&s, &s.client_id, &responses).await.status, 200);

    let (_, mut responses) = srp_answer(&s, PASSWORD, Some(&secret)).await;
    responses.remove("SECRET_HASH");
    let r = respond(&s, &s.client_id, &responses).await;
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("configured for secret")
    );
    let (_, mut responses) = srp_answer(&s, PASSWORD, Some(&secret)).await;
    responses.insert(
        "SECRET_HASH".into(),
        secret_hash("alice", &s.client_id, "wrong-secret"),
    );
    let r = respond(&s, &s.client_id, &responses).await;
    assert_eq!(
        r.json()["message"],
        format!("Unable to verify secret hash for client {}", s.client_id)
    );

    let r = call(s.mock.addr(), "InitiateAuth", &json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": s.client_id, "AuthParameters": {"USERNAME": "alice", "SRP_A": "02"}}), false).await;
    assert_eq!(r.error_type(), "NotAuthorizedException");
}

/// A correct proof for alice answered with `USERNAME=bob` must not sign in
/// anyone: the answer has to be for the user the challenge was given to.
#[tokio::test]
async fn a_proof_answered_for_another_username_is_refused() {
    let s = setup(json!({})).await;
    ok(
        s.mock.addr(),
        "AdminCreateUser",
        json!({
            "UserPoolId": s.pool_id, "Username": "bob", "TemporaryPassword": "Temp0rary!pw",
        }),
    )
    .await;
    ok(s.mock.addr(), "AdminSetUserPassword", json!({"UserPoolId": s.pool_id, "Username": "bob", "Password": PASSWORD, "Permanent": true})).await;

    let (_, mut responses) = srp_answer(&s, PASSWORD, None).await;
    responses.insert("USERNAME".into(), "bob".into());
    let reply = respond(&s, &s.client_id, &responses).await;
    assert_eq!(
        reply.status,
        400,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.error_type(), "NotAuthorizedException");

    // The same proof with alice's own name, or her e-mail-free internal
    // name as USER_ID_FOR_SRP gives it, still works.
    let (init, mut responses) = srp_answer(&s, PASSWORD, None).await;
    responses.insert(
        "USERNAME".into(),
        init["ChallengeParameters"]["USER_ID_FOR_SRP"]
            .as_str()
            .unwrap()
            .into(),
    );
    let reply = respond(&s, &s.client_id, &responses).await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let claims = &reply.json()["AuthenticationResult"]["IdToken"];
    let (_, id) = verify_jwt(&s, claims.as_str().unwrap()).await.unwrap();
    assert_eq!(id["cognito:username"], "alice");
}
