//! The verifier against mock-cognito's real tokens and JWKS, and the
//! example axum service (`examples/axum_service.rs`) driven with them.

use cognito_flows::UserPoolId;
use cognito_flows::verifier::{CognitoJwtVerifier, HttpJwks, VerifyError};
use cognito_flows::wire::TokenUse;
use mock_cognito::MockCognito;
use serde_json::{Value, json};

#[allow(dead_code)]
#[path = "../examples/axum_service.rs"]
mod axum_service;

const POOL: &str = "ap-northeast-1_Example01";
const CLIENT: &str = "1example23456789abcdefghij";

async fn mock() -> MockCognito {
    MockCognito::builder()
        .seed_file(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/mock-config.toml"
        ))
        .start()
        .await
        .unwrap()
}

/// (IdToken, AccessToken) of a USER_PASSWORD_AUTH sign-in at the mock.
async fn sign_in(mock: &MockCognito, username: &str, password: &str) -> (String, String) {
    let answer: Value = reqwest::Client::new()
        .post(mock.endpoint())
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.InitiateAuth",
        )
        .body(
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": CLIENT,
                   "AuthParameters": {"USERNAME": username, "PASSWORD": password}})
            .to_string(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let result = &answer["AuthenticationResult"];
    (
        result["IdToken"].as_str().unwrap().to_owned(),
        result["AccessToken"].as_str().unwrap().to_owned(),
    )
}

fn jwks_url(mock: &MockCognito) -> String {
    format!("{}/{POOL}/.well-known/jwks.json", mock.endpoint())
}

#[tokio::test]
async fn the_mocks_id_and_access_tokens_verify_against_its_jwks() {
    let mock = mock().await;
    let (id, access) = sign_in(&mock, "alice", "Passw0rd!").await;
    let ids = CognitoJwtVerifier::builder(UserPoolId::parse(POOL).unwrap())
        .token_use(TokenUse::Id)
        .client_id(CLIENT)
        .jwks_url(jwks_url(&mock))
        .jwks_source(HttpJwks::default())
        .build()
        .unwrap();
    let claims = ids.verify_id(&id).await.unwrap();
    assert_eq!(claims.username, "alice");
    assert_eq!(claims.groups, ["admins"]);
    // The pool signs ID and access tokens with keys of their own; both are
    // in the JWKS the verifier fetched.
    let kid = |t: &str| {
        cognito_flows::wire::jwt::decode(t)
            .unwrap()
            .header
            .kid
            .unwrap()
    };
    let mut both = vec![kid(&id), kid(&access)];
    both.sort();
    assert_eq!(ids.jwks().kids(), both);
    assert!(matches!(
        ids.verify(&access).await.unwrap_err(),
        VerifyError::WrongTokenUse { .. }
    ));

    let apis = CognitoJwtVerifier::builder(UserPoolId::parse(POOL).unwrap())
        .token_use(TokenUse::Access)
        .client_id(CLIENT)
        .jwks_url(jwks_url(&mock))
        .jwks_source(HttpJwks::default())
        .scopes(["aws.cognito.signin.user.admin"])
        .build()
        .unwrap();
    let claims = apis.verify_access(&access).await.unwrap();
    assert_eq!(claims.username.as_deref(), Some("alice"));

    // A JWKS URL that is not one: a typed error, not a panic.
    let broken = CognitoJwtVerifier::builder(UserPoolId::parse(POOL).unwrap())
        .any_token_use()
        .any_client()
        .jwks_url(format!("{}/nowhere", mock.endpoint()))
        .jwks_source(HttpJwks::default())
        .build()
        .unwrap();
    assert!(matches!(
        broken.verify(&id).await.unwrap_err(),
        VerifyError::JwksUnavailable(_)
    ));
}

/// The example service on a free port, with the mock's keys.
async fn serve_example(mock: &MockCognito) -> String {
    let (users, admins) = axum_service::verifiers(POOL, CLIENT, Some(jwks_url(mock))).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, axum_service::app(users, admins))
            .await
            .unwrap();
    });
    base
}

async fn get(url: &str, token: Option<&str>) -> (u16, String, String) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, challenge, response.text().await.unwrap())
}

#[tokio::test]
async fn the_example_service_hands_handlers_verified_claims() {
    let mock = mock().await;
    let base = serve_example(&mock).await;
    let (alice_id, alice_access) = sign_in(&mock, "alice", "Passw0rd!").await;

    let (status, _, body) = get(&format!("{base}/me"), Some(&alice_id)).await;
    assert_eq!(status, 200, "{body}");
    let me: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(me["username"], "alice");
    assert_eq!(me["email"], "alice@example.com");
    let (status, _, body) = get(&format!("{base}/admin"), Some(&alice_id)).await;
    assert_eq!(
        (status, body.as_str()),
        (200, "welcome, administrator alice")
    );

    // No token, an access token, a tampered token: refused before the handler.
    let (status, challenge, _) = get(&format!("{base}/me"), None).await;
    assert_eq!((status, challenge.as_str()), (401, "Bearer"));
    let (status, challenge, body) = get(&format!("{base}/me"), Some(&alice_access)).await;
    assert_eq!(status, 401);
    assert!(
        challenge.starts_with("Bearer error=\"invalid_token\""),
        "{challenge}"
    );
    assert!(body.contains("token_use"), "{body}");
    let mut tampered = alice_id.clone();
    let at = tampered.rfind('.').unwrap() + 5;
    let c = if &tampered[at..at + 1] == "A" {
        "B"
    } else {
        "A"
    };
    tampered.replace_range(at..at + 1, c);
    let (status, _, body) = get(&format!("{base}/me"), Some(&tampered)).await;
    assert_eq!(status, 401);
    assert!(body.contains("signature"), "{body}");

    // A user outside the admins group: signed in, but forbidden there.
    mock.add_users(POOL, &[("carl".into(), "C4rl-passw0rd!".into())])
        .unwrap();
    let (carl_id, _) = sign_in(&mock, "carl", "C4rl-passw0rd!").await;
    assert_eq!(get(&format!("{base}/me"), Some(&carl_id)).await.0, 200);
    let (status, challenge, _) = get(&format!("{base}/admin"), Some(&carl_id)).await;
    assert_eq!(status, 403);
    assert!(challenge.contains("insufficient_scope"), "{challenge}");
}
