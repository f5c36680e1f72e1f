//! Seed files, and the local-only /_mock routes.

mod common;

use common::{call, ok, raw};
use mock_cognito::{MockCognito, SeedConfig};
use serde_json::json;

fn example() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/mock-config.toml"
    );
    std::fs::read_to_string(path).unwrap()
}

#[tokio::test]
async fn the_example_seed_file_gives_a_ready_mock() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/mock-config.toml"
    );
    let mock = MockCognito::builder()
        .seed_file(path)
        .start()
        .await
        .unwrap();
    let addr = mock.addr();
    let summary = mock.user_pool_summary();
    assert_eq!(summary.len(), 1);
    assert_eq!(summary[0].id, "ap-northeast-1_Example01");
    assert_eq!(summary[0].domain.as_deref(), Some("example"));
    assert_eq!(summary[0].clients.len(), 3);
    let described = mock.describe();
    assert_eq!(
        described[0],
        format!("mock-cognito listening on {}", mock.endpoint())
    );
    for line in [
        "user pool ap-northeast-1_Example01 (example)",
        "  app client 1example23456789abcdefghij (public-web)",
        "  app client 2example23456789abcdefghij (confidential-backend, with secret)",
        "identity pool ap-northeast-1:00000000-0000-4000-8000-000000000001 (example_identities)",
    ] {
        assert!(
            described.iter().any(|l| l == line),
            "{line} in {described:?}"
        );
    }
    assert!(
        !described
            .iter()
            .any(|l| l.contains("example-") && l.contains("secret"))
    );

    // The seeded user signs in with the seeded password on the seeded client.
    let r = ok(
        addr,
        "InitiateAuth",
        json!({
            "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "1example23456789abcdefghij",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"},
        }),
    )
    .await;
    let id = r["AuthenticationResult"]["IdToken"].as_str().unwrap();
    let claims = mock_claims(id);
    assert_eq!(
        claims["iss"],
        "https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_Example01"
    );
    assert_eq!(claims["cognito:groups"], json!(["admins"]));
    // bob must change his password first.
    let r = ok(
        addr,
        "InitiateAuth",
        json!({
            "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "1example23456789abcdefghij",
            "AuthParameters": {"USERNAME": "bob", "PASSWORD": "Temp0rary!"},
        }),
    )
    .await;
    assert_eq!(r["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    // The fixed secret is the one configured.
    let d = ok(
        addr,
        "DescribeUserPoolClient",
        json!({"UserPoolId": "ap-northeast-1_Example01", "ClientId": "2example23456789abcdefghij"}),
    )
    .await;
    assert_eq!(
        d["UserPoolClient"]["ClientSecret"],
        "exampleclientsecret0123456789abcdefghijklmnopq"
    );
    // Discovery advertises the hosted-UI endpoints once the pool has a domain.
    let doc = raw(
        addr,
        "GET",
        "/ap-northeast-1_Example01/.well-known/openid-configuration",
        &[],
        b"",
    )
    .await
    .json();
    assert_eq!(doc["issuer"], claims["iss"]);
    assert!(
        doc["token_endpoint"]
            .as_str()
            .unwrap()
            .ends_with("/example/oauth2/token")
    );
}

fn mock_claims(token: &str) -> serde_json::Value {
    use base64::Engine;
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn bad_seed_files_say_what_is_wrong() {
    let cases = [
        ("[[user_pools]]\nname = \"x\"\nbogus = 1\n", "bogus"),
        (
            "[[user_pools]]\nname = \"x\"\n[[user_pools.users]]\nusername = \"u\"\npassword = \"short\"\n",
            "InvalidPasswordException",
        ),
        (
            "[[user_pools]]\nname = \"x\"\n[[user_pools.clients]]\nname = \"c\"\ncallback_urls = [\"http://evil.example/cb\"]\n",
            "not a valid URL",
        ),
        (
            "[[user_pools]]\nid = \"nounderscore\"\nname = \"x\"\n",
            "nounderscore",
        ),
        ("issuer_mode = \"sideways\"\n", "issuer_mode"),
        (
            "[[user_pools]]\nname = \"x\"\n[[user_pools.users]]\nusername = \"u\"\npassword = \"Passw0rd!\"\ngroups = [\"missing\"]\n",
            "Group missing not found",
        ),
    ];
    for (text, expect) in cases {
        let seed = SeedConfig::from_toml(text);
        let err = match seed {
            Err(e) => e,
            Ok(seed) => MockCognito::builder()
                .seed(seed)
                .start()
                .await
                .unwrap_err()
                .to_string(),
        };
        assert!(err.contains(expect), "{text:?}: {err}");
    }
    assert!(SeedConfig::from_toml(&example()).is_ok());
}

#[tokio::test]
async fn clock_and_codes_routes() {
    let mock = MockCognito::builder()
        .seed(SeedConfig::from_toml(&example()).unwrap())
        .start()
        .await
        .unwrap();
    let addr = mock.addr();
    let before = raw(addr, "GET", "/_mock/clock", &[], b"").await.json()["now"]
        .as_i64()
        .unwrap();
    let after = raw(
        addr,
        "POST",
        "/_mock/clock",
        &[("content-type", "application/json")],
        br#"{"advance_seconds": 7200}"#,
    )
    .await;
    assert_eq!(after.status, 200);
    assert!(after.json()["now"].as_i64().unwrap() >= before + 7200);
    let bad = raw(
        addr,
        "POST",
        "/_mock/clock",
        &[],
        br#"{"advance_seconds": -5}"#,
    )
    .await;
    assert_eq!(bad.status, 400);

    let r = call(
        addr,
        "ForgotPassword",
        &json!({"ClientId": "1example23456789abcdefghij", "Username": "alice"}),
        false,
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let codes = raw(
        addr,
        "GET",
        "/_mock/codes?user_pool_id=ap-northeast-1_Example01&username=alice",
        &[],
        b"",
    )
    .await
    .json();
    let code = codes["codes"][0]["code"].as_str().unwrap();
    assert_eq!(code.len(), 6);
    assert_eq!(codes["codes"][0]["purpose"], "FORGOT_PASSWORD");
    let r = call(addr, "ConfirmForgotPassword", &json!({
        "ClientId": "1example23456789abcdefghij", "Username": "alice", "ConfirmationCode": code, "Password": "N3w-passw0rd!",
    }), false)
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn generated_temporary_passwords_reach_the_codes_route_only() {
    let mock = MockCognito::builder()
        .seed(SeedConfig::from_toml(&example()).unwrap())
        .start()
        .await
        .unwrap();
    let addr = mock.addr();
    let pool = "ap-northeast-1_Example01";
    ok(addr, "AdminCreateUser", json!({"UserPoolId": pool, "Username": "dave", "UserAttributes": [{"Name": "email", "Value": "dave@example.com"}]})).await;
    let codes = mock.verification_codes(Some(pool), Some("dave"));
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].purpose, "INVITATION");
    assert_eq!(codes[0].destination, "dave@example.com");
    let r = ok(
        addr,
        "InitiateAuth",
        json!({
            "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "1example23456789abcdefghij",
            "AuthParameters": {"USERNAME": "dave", "PASSWORD": codes[0].code},
        }),
    )
    .await;
    assert_eq!(r["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    // MessageAction SUPPRESS sends nothing.
    ok(
        addr,
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "erin", "MessageAction": "SUPPRESS"}),
    )
    .await;
    assert!(mock.verification_codes(Some(pool), Some("erin")).is_empty());
}

#[tokio::test]
async fn seeded_identity_pool_serves_the_mission_flows() {
    let mock = MockCognito::builder()
        .seed(SeedConfig::from_toml(&example()).unwrap())
        .start()
        .await
        .unwrap();
    let addr = mock.addr();
    let pool = "ap-northeast-1:00000000-0000-4000-8000-000000000001";
    let provider = "cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_Example01";
    let id_call = |body: serde_json::Value| async move {
        call(addr, "AWSCognitoIdentityService.GetId", &body, false).await
    };
    // 1. Unauthenticated.
    let guest = id_call(json!({"IdentityPoolId": pool})).await.json()["IdentityId"]
        .as_str()
        .unwrap()
        .to_owned();
    let creds = call(
        addr,
        "AWSCognitoIdentityService.GetCredentialsForIdentity",
        &json!({"IdentityId": guest}),
        false,
    )
    .await;
    assert_eq!(
        creds.status,
        200,
        "{}",
        String::from_utf8_lossy(&creds.body)
    );
    // 2. User-pool federation; alice is an admin, so the Token mapping gives the admins role.
    let r = ok(
        addr,
        "InitiateAuth",
        json!({
            "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "1example23456789abcdefghij",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"},
        }),
    )
    .await;
    let id_token = r["AuthenticationResult"]["IdToken"].as_str().unwrap();
    let id = id_call(json!({"IdentityPoolId": pool, "Logins": {provider: id_token}}))
        .await
        .json()["IdentityId"]
        .as_str()
        .unwrap()
        .to_owned();
    let creds = call(
        addr,
        "AWSCognitoIdentityService.GetCredentialsForIdentity",
        &json!({"IdentityId": id, "Logins": {provider: id_token}}),
        false,
    )
    .await;
    assert_eq!(creds.status, 200);
    // 4. Direct Facebook login with a token from the mock's fake provider.
    let fb = mock
        .mint_provider_token("graph.facebook.com", "1234567890", "10001", json!({}))
        .unwrap();
    let r = id_call(json!({"IdentityPoolId": pool, "Logins": {"graph.facebook.com": fb}})).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    // The same helper over HTTP, for tests in other languages.
    let minted = raw(addr, "POST", "/_mock/idp/token", &[], br#"{"provider":"www.amazon.com","audience":"amzn1.application-oa2-client.example","subject":"amzn1.account.X"}"#).await;
    assert_eq!(minted.status, 200);
    let amazon = minted.json()["token"].as_str().unwrap().to_owned();
    assert!(amazon.starts_with("Atza|"));
    let r = id_call(json!({"IdentityPoolId": pool, "Logins": {"www.amazon.com": amazon}})).await;
    assert_eq!(r.status, 200);
    let bad = raw(
        addr,
        "POST",
        "/_mock/idp/token",
        &[],
        br#"{"provider":"graph.facebook.com"}"#,
    )
    .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn bulk_loaded_users_sign_in_and_bad_batches_add_nothing() {
    let mock = MockCognito::start().await.unwrap();
    let addr = mock.addr();
    let pool = ok(addr, "CreateUserPool", json!({"PoolName": "bulk"})).await["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = ok(
        addr,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "c",
               "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let users: Vec<(String, String)> = (0..200)
        .map(|i| (format!("bulk{i}"), format!("Bulk-Passw0rd-{i}")))
        .collect();
    mock.add_users(&pool, &users).unwrap();
    let r = ok(
        addr,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
               "AuthParameters": {"USERNAME": "bulk137", "PASSWORD": "Bulk-Passw0rd-137"}}),
    )
    .await;
    assert!(r["AuthenticationResult"]["IdToken"].is_string());
    let wrong = call(
        addr,
        "InitiateAuth",
        &json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
                "AuthParameters": {"USERNAME": "bulk137", "PASSWORD": "Bulk-Passw0rd-138"}}),
        false,
    )
    .await;
    assert_eq!(wrong.error_type(), "NotAuthorizedException");

    // A taken name or a weak password refuses the whole batch.
    let taken = vec![
        ("fresh1".to_owned(), "Fresh-Passw0rd!".to_owned()),
        ("bulk5".to_owned(), "Fresh-Passw0rd!".to_owned()),
    ];
    assert_eq!(
        mock.add_users(&pool, &taken).unwrap_err().code,
        "UsernameExistsException"
    );
    let weak = vec![("fresh2".to_owned(), "short".to_owned())];
    assert_eq!(
        mock.add_users(&pool, &weak).unwrap_err().code,
        "InvalidPasswordException"
    );
    let listed = ok(
        addr,
        "ListUsers",
        json!({"UserPoolId": pool, "Filter": "username = \"fresh1\""}),
    )
    .await;
    assert_eq!(
        listed["Users"].as_array().unwrap().len(),
        0,
        "nothing added"
    );
}
