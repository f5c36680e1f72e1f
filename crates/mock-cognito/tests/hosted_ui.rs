//! The hosted UI and `/oauth2/*` over HTTP, driven as a browser would:
//! fetch the sign-in page, post the form, follow the redirects to the app's
//! loopback redirect URI, exchange the code. Federation goes through the
//! fake Facebook, Amazon and Google pages.

mod common;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{call, ok};
use mock_cognito::MockCognito;
use mock_cognito::browser::{Browser, Followed};
use serde_json::{Value, json};

const POOL: &str = "ap-northeast-1_Example01";
const PUBLIC: &str = "1example23456789abcdefghij";
const CONFIDENTIAL: &str = "2example23456789abcdefghij";
const CONFIDENTIAL_SECRET: &str = "exampleclientsecret0123456789abcdefghijklmnopq";
const MACHINE: &str = "3example23456789abcdefghij";
const MACHINE_SECRET: &str = "examplemachinesecret0123456789abcdefghijklmnop";
const CALLBACK: &str = "http://localhost:8080/callback";
const IDENTITY_POOL: &str = "ap-northeast-1:00000000-0000-4000-8000-000000000001";

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

/// A PKCE verifier and its S256 challenge, computed with the `sha2` crate
/// (the mock checks it with aws-lc-rs).
fn pkce(seed: &str) -> (String, String) {
    use sha2::Digest;
    let verifier = format!("verifier-{seed}-0123456789abcdefghijklmnopqrstuvwxyz");
    let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

#[test]
fn pkce_matches_rfc_7636_appendix_b() {
    use sha2::Digest;
    let d = sha2::Sha256::digest(b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    assert_eq!(
        URL_SAFE_NO_PAD.encode(d),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
}

fn authorize_url(mock: &MockCognito, client: &str, extra: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(&str, &str)> = vec![
        ("response_type", "code"),
        ("client_id", client),
        ("redirect_uri", CALLBACK),
        ("scope", "openid email profile"),
        ("state", "st-123"),
        ("nonce", "n-456"),
    ];
    for (k, v) in extra {
        pairs.retain(|(key, _)| key != k);
        pairs.push((k, v));
    }
    format!(
        "{}/example/oauth2/authorize?{}",
        mock.endpoint(),
        serde_urlencoded::to_string(&pairs).unwrap()
    )
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once(['?', '#'])?.1;
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

async fn get_json(url: impl reqwest::IntoUrl) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

struct TokenReply {
    status: u16,
    json: Value,
    www_authenticate: Option<String>,
}

async fn post_form(url: &str, form: &[(&str, &str)], basic: Option<(&str, &str)>) -> TokenReply {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(form).unwrap());
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let www_authenticate = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    let json = response.json().await.unwrap_or(Value::Null);
    TokenReply {
        status,
        json,
        www_authenticate,
    }
}

async fn exchange(mock: &MockCognito, code: &str, verifier: &str) -> TokenReply {
    post_form(
        &format!("{}/example/oauth2/token", mock.endpoint()),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", PUBLIC),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier),
        ],
        None,
    )
    .await
}

async fn user_info(mock: &MockCognito, access_token: &str) -> TokenReply {
    let response = reqwest::Client::new()
        .get(format!("{}/example/oauth2/userInfo", mock.endpoint()))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let www_authenticate = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    TokenReply {
        status,
        json: response.json().await.unwrap_or(Value::Null),
        www_authenticate,
    }
}

/// Signs alice in through the hosted UI with PKCE; returns (code, verifier, browser).
async fn alice_code(mock: &MockCognito) -> (String, String, Browser) {
    let (verifier, challenge) = pkce("alice");
    let url = authorize_url(
        mock,
        PUBLIC,
        &[
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    let browser = Browser::new();
    let callback = browser
        .sign_in(&url, CALLBACK, "alice", "Passw0rd!")
        .await
        .unwrap();
    assert_eq!(query_param(&callback, "state").as_deref(), Some("st-123"));
    let code = query_param(&callback, "code").expect("a code on the callback");
    (code, verifier, browser)
}

#[tokio::test]
async fn authorization_code_with_pkce_as_a_browser_does() {
    let mock = mock().await;
    let (code, verifier, browser) = alice_code(&mock).await;

    let tokens = exchange(&mock, &code, &verifier).await;
    assert_eq!(tokens.status, 200, "{}", tokens.json);
    let t = &tokens.json;
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 3600);
    let id = claims(t["id_token"].as_str().unwrap());
    assert_eq!(id["aud"], PUBLIC);
    assert_eq!(id["nonce"], "n-456");
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["email"], "alice@example.com");
    assert!(
        id["at_hash"].is_string(),
        "the ID token binds the access token"
    );
    let access = claims(t["access_token"].as_str().unwrap());
    assert_eq!(access["scope"], "openid email profile");
    assert_eq!(access["client_id"], PUBLIC);
    assert_eq!(
        access["version"], 2,
        "hosted-UI access tokens say version 2"
    );
    // Without aws.cognito.signin.user.admin, the self-service API refuses
    // the token, as Cognito does (userInfo takes it: see below).
    let refused = call(
        mock.addr(),
        "GetUser",
        &json!({"AccessToken": t["access_token"]}),
        false,
    )
    .await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.error_type(), "NotAuthorizedException");
    assert!(
        refused.json()["message"]
            .as_str()
            .unwrap()
            .contains("required scopes")
    );

    // The ID token verifies against the pool's JWKS with an independent JWT library.
    let jwks: Value = get_json(format!("{}/{POOL}/.well-known/jwks.json", mock.endpoint())).await;
    let kid = jsonwebtoken::decode_header(t["id_token"].as_str().unwrap())
        .unwrap()
        .kid
        .unwrap();
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kid"] == kid.as_str())
            .unwrap()
            .clone(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[PUBLIC]);
    jsonwebtoken::decode::<Value>(
        t["id_token"].as_str().unwrap(),
        &jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap(),
        &validation,
    )
    .expect("the hosted UI's ID token verifies");

    // userInfo answers for the access token.
    let info = user_info(&mock, t["access_token"].as_str().unwrap()).await;
    assert_eq!(info.status, 200);
    assert_eq!(info.json["username"], "alice");
    assert_eq!(info.json["email"], "alice@example.com");
    assert_eq!(info.json["sub"], id["sub"]);

    // A second authorize in the same browser is silent: the session cookie.
    let again = browser
        .get(&authorize_url(&mock, PUBLIC, &[]))
        .await
        .unwrap();
    assert_eq!(again.status, 302);
    let location = again.location.unwrap();
    assert!(location.starts_with(CALLBACK), "{location}");
    assert!(query_param(&location, "code").is_some());

    // Refresh, then revoke; the refresh token then stops working.
    let token_url = format!("{}/example/oauth2/token", mock.endpoint());
    let refresh = t["refresh_token"].as_str().unwrap();
    let refreshed = post_form(
        &token_url,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", PUBLIC),
            ("refresh_token", refresh),
        ],
        None,
    )
    .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.json);
    assert!(refreshed.json["id_token"].is_string());
    assert!(
        refreshed.json.get("refresh_token").is_none(),
        "refresh does not rotate the refresh token"
    );
    assert_eq!(
        claims(refreshed.json["access_token"].as_str().unwrap())["scope"],
        "openid email profile",
        "a refreshed hosted-UI session keeps its scopes"
    );
    let revoked = post_form(
        &format!("{}/example/oauth2/revoke", mock.endpoint()),
        &[("token", refresh), ("client_id", PUBLIC)],
        None,
    )
    .await;
    assert_eq!(revoked.status, 200, "{}", revoked.json);
    let after = post_form(
        &token_url,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", PUBLIC),
            ("refresh_token", refresh),
        ],
        None,
    )
    .await;
    assert_eq!(
        (after.status, after.json["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let info = user_info(&mock, t["access_token"].as_str().unwrap()).await;
    assert_eq!(
        info.status, 401,
        "revocation ends the session's access tokens"
    );
    assert!(info.www_authenticate.unwrap().contains("invalid_token"));

    // Logout ends the browser session: the next authorize shows the page.
    let logout = browser
        .get(&format!(
            "{}/example/logout?client_id={PUBLIC}&logout_uri={}",
            mock.endpoint(),
            "http%3A%2F%2Flocalhost%3A8080%2F"
        ))
        .await
        .unwrap();
    assert_eq!(logout.status, 302);
    assert_eq!(logout.location.as_deref(), Some("http://localhost:8080/"));
    let page = browser
        .get(&authorize_url(&mock, PUBLIC, &[]))
        .await
        .unwrap();
    match browser.follow(page, CALLBACK).await.unwrap() {
        Followed::Page(p) => assert!(p.form("signin").is_some()),
        Followed::App(url) => panic!("signed in silently after logout: {url}"),
    }
}

#[tokio::test]
async fn codes_are_checked_single_use_and_short_lived() {
    let mock = mock().await;

    // Wrong PKCE verifier.
    let (code, _, _) = alice_code(&mock).await;
    let r = exchange(&mock, &code, "not-the-verifier-0123456789abcdefghijklmnopq").await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // A code is single use, and a replay ends the session it started.
    let (code, verifier, _) = alice_code(&mock).await;
    let first = exchange(&mock, &code, &verifier).await;
    assert_eq!(first.status, 200);
    let replay = exchange(&mock, &code, &verifier).await;
    assert_eq!(
        (replay.status, replay.json["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let info = user_info(&mock, first.json["access_token"].as_str().unwrap()).await;
    assert_eq!(info.status, 401, "tokens from a replayed code are revoked");

    // Codes live five minutes by the mock's clock.
    let (code, verifier, _) = alice_code(&mock).await;
    mock.clock().advance(Duration::from_secs(301));
    let late = exchange(&mock, &code, &verifier).await;
    assert_eq!(late.json["error"], "invalid_grant");
    assert!(
        late.json["error_description"]
            .as_str()
            .unwrap()
            .contains("expired")
    );

    // The redirect_uri must match the one the code was issued for.
    let (code, verifier, _) = alice_code(&mock).await;
    let r = post_form(
        &format!("{}/example/oauth2/token", mock.endpoint()),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", PUBLIC),
            ("code", &code),
            ("redirect_uri", "http://localhost:8080/other"),
            ("code_verifier", &verifier),
        ],
        None,
    )
    .await;
    assert_eq!(r.json["error"], "invalid_grant");
    // …and the parameters may come in the query string, as scripts send them.
    let query = serde_urlencoded::to_string([
        ("grant_type", "authorization_code"),
        ("client_id", PUBLIC),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
        ("code_verifier", verifier.as_str()),
    ])
    .unwrap();
    let r = post_form(
        &format!("{}/example/oauth2/token?{query}", mock.endpoint()),
        &[],
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
}

#[tokio::test]
async fn authorize_refuses_what_the_client_is_not_registered_for() {
    let mock = mock().await;
    let browser = Browser::new();

    // An unregistered redirect URI gets an error page, never a redirect.
    let page = browser
        .get(&authorize_url(
            &mock,
            PUBLIC,
            &[("redirect_uri", "https://evil.example.com/cb")],
        ))
        .await
        .unwrap();
    assert_eq!(page.status, 400);
    assert!(page.location.is_none());
    assert!(page.error_message().unwrap().contains("redirect_mismatch"));

    // Unknown client.
    let page = browser
        .get(&authorize_url(&mock, "nosuchclient0000000000000", &[]))
        .await
        .unwrap();
    assert_eq!(page.status, 400);

    // A flow the client is not allowed: the error goes to the app.
    let page = browser
        .get(&authorize_url(&mock, PUBLIC, &[("response_type", "token")]))
        .await
        .unwrap();
    let location = page.location.expect("an error redirect");
    assert_eq!(
        query_param(&location, "error").as_deref(),
        Some("unauthorized_client")
    );
    assert_eq!(query_param(&location, "state").as_deref(), Some("st-123"));

    // A scope the client may not request.
    let page = browser
        .get(&authorize_url(&mock, PUBLIC, &[("scope", "openid phone")]))
        .await
        .unwrap();
    assert_eq!(
        query_param(&page.location.unwrap(), "error").as_deref(),
        Some("invalid_scope")
    );

    // PKCE with the plain method is refused.
    let page = browser
        .get(&authorize_url(
            &mock,
            PUBLIC,
            &[
                ("code_challenge", "abc"),
                ("code_challenge_method", "plain"),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(
        query_param(&page.location.unwrap(), "error").as_deref(),
        Some("invalid_request")
    );

    // client_credentials is not a public client's grant.
    let r = post_form(
        &format!("{}/example/oauth2/token", mock.endpoint()),
        &[("grant_type", "client_credentials"), ("client_id", PUBLIC)],
        None,
    )
    .await;
    assert_eq!(r.json["error"], "unauthorized_client");

    // A grant type that does not exist.
    let r = post_form(
        &format!("{}/example/oauth2/token", mock.endpoint()),
        &[("grant_type", "password"), ("client_id", PUBLIC)],
        None,
    )
    .await;
    assert_eq!(r.json["error"], "unsupported_grant_type");

    // A body that is not a form.
    let response = reqwest::Client::new()
        .post(format!("{}/example/oauth2/token", mock.endpoint()))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");

    // An unknown domain.
    let page = browser
        .get(&format!("{}/nosuchdomain/login", mock.endpoint()))
        .await
        .unwrap();
    assert_eq!(page.status, 404);
}

#[tokio::test]
async fn the_sign_in_page_checks_csrf_passwords_and_new_passwords() {
    let mock = mock().await;
    let browser = Browser::new();
    let first = browser
        .get(&authorize_url(&mock, PUBLIC, &[]))
        .await
        .unwrap();
    let Followed::Page(page) = browser.follow(first, CALLBACK).await.unwrap() else {
        panic!("expected the sign-in page")
    };
    assert!(page.body.contains("Continue with Facebook"));
    assert!(page.provider_link("LoginWithAmazon").is_some());
    let form = page.form("signin").unwrap();

    // Without the CSRF token the post is refused.
    let mut forged = form.clone();
    forged.hidden.retain(|(k, _)| k != "_csrf");
    let r = browser
        .submit(&forged, &[("username", "alice"), ("password", "Passw0rd!")])
        .await
        .unwrap();
    assert_eq!(r.status, 403);
    // A fresh browser (no cookie) with a copied token is refused too.
    let other = Browser::new();
    let r = other
        .submit(&form, &[("username", "alice"), ("password", "Passw0rd!")])
        .await
        .unwrap();
    assert_eq!(r.status, 403);

    // A wrong password shows the error on the page, and keeps the username.
    let r = browser
        .submit(&form, &[("username", "alice"), ("password", "wrong")])
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        r.error_message().as_deref(),
        Some("Incorrect username or password.")
    );
    assert!(r.body.contains("value=\"alice\""));
    assert!(!r.body.contains("wrong"), "the password is never echoed");
    // An unknown user gets the same message.
    let r = browser
        .submit(&form, &[("username", "nobody"), ("password", "x")])
        .await
        .unwrap();
    assert_eq!(
        r.error_message().as_deref(),
        Some("Incorrect username or password.")
    );

    // bob must choose a password first; a weak one is refused on the page.
    let bob = Browser::new();
    let first = bob.get(&authorize_url(&mock, PUBLIC, &[])).await.unwrap();
    let Followed::Page(page) = bob.follow(first, CALLBACK).await.unwrap() else {
        panic!()
    };
    let r = bob
        .submit(
            &page.form("signin").unwrap(),
            &[("username", "bob"), ("password", "Temp0rary!")],
        )
        .await
        .unwrap();
    let new_password = r.form("newpassword").expect("the new-password form");
    let mismatch = bob
        .submit(
            &new_password,
            &[
                ("new_password", "N3w-Passw0rd!"),
                ("confirm_password", "other"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        mismatch.error_message().as_deref(),
        Some("The passwords do not match.")
    );
    let done = bob
        .submit(
            &new_password,
            &[
                ("new_password", "N3w-Passw0rd!"),
                ("confirm_password", "N3w-Passw0rd!"),
            ],
        )
        .await
        .unwrap();
    let Followed::App(callback) = bob.follow(done, CALLBACK).await.unwrap() else {
        panic!("expected the redirect to the app")
    };
    assert!(query_param(&callback, "code").is_some());
    // The new password now works through the API too.
    ok(
        mock.addr(),
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": PUBLIC,
               "AuthParameters": {"USERNAME": "bob", "PASSWORD": "N3w-Passw0rd!"}}),
    )
    .await;
}

#[tokio::test]
async fn a_confidential_client_authenticates_basic_or_post() {
    let mock = mock().await;
    // Enable the code flow for the confidential client through the API.
    ok(
        mock.addr(),
        "UpdateUserPoolClient",
        json!({"UserPoolId": POOL, "ClientId": CONFIDENTIAL,
               "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
               "CallbackURLs": [CALLBACK], "AllowedOAuthFlows": ["code"],
               "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthScopes": ["openid"],
               "SupportedIdentityProviders": ["COGNITO"]}),
    )
    .await;
    let token_url = format!("{}/example/oauth2/token", mock.endpoint());
    let signed_in = |extra: &'static str| {
        let url = authorize_url(
            &mock,
            CONFIDENTIAL,
            &[("scope", "openid"), ("state", extra)],
        );
        async move {
            let cb = Browser::new()
                .sign_in(&url, CALLBACK, "alice", "Passw0rd!")
                .await
                .unwrap();
            query_param(&cb, "code").unwrap()
        }
    };

    let c = signed_in("a").await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", c.as_str()),
        ("redirect_uri", CALLBACK),
    ];
    let wrong = post_form(&token_url, &form, Some((CONFIDENTIAL, "wrong-secret"))).await;
    assert_eq!(
        (wrong.status, wrong.json["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let missing = post_form(
        &token_url,
        &[
            ("grant_type", "authorization_code"),
            ("code", c.as_str()),
            ("redirect_uri", CALLBACK),
            ("client_id", CONFIDENTIAL),
        ],
        None,
    )
    .await;
    assert_eq!(missing.json["error"], "invalid_client");
    let basic = post_form(&token_url, &form, Some((CONFIDENTIAL, CONFIDENTIAL_SECRET))).await;
    assert_eq!(basic.status, 200, "client_secret_basic: {}", basic.json);

    let c = signed_in("b").await;
    let post = post_form(
        &token_url,
        &[
            ("grant_type", "authorization_code"),
            ("code", c.as_str()),
            ("redirect_uri", CALLBACK),
            ("client_id", CONFIDENTIAL),
            ("client_secret", CONFIDENTIAL_SECRET),
        ],
        None,
    )
    .await;
    assert_eq!(post.status, 200, "client_secret_post: {}", post.json);
    let both = post_form(
        &token_url,
        &[
            ("grant_type", "refresh_token"),
            ("client_secret", CONFIDENTIAL_SECRET),
        ],
        Some((CONFIDENTIAL, CONFIDENTIAL_SECRET)),
    )
    .await;
    assert_eq!(
        both.json["error"], "invalid_request",
        "two auth methods at once"
    );
}

/// GetClientToken, signed for the client's region (the body names no pool).
async fn client_token(mock: &MockCognito, body: Value) -> common::Reply {
    let auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/ap-northeast-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00";
    common::raw(
        mock.addr(),
        "POST",
        "/",
        &[
            ("content-type", "application/x-amz-json-1.1"),
            (
                "x-amz-target",
                "AWSCognitoIdentityProviderService.GetClientToken",
            ),
            ("authorization", auth),
        ],
        body.to_string().as_bytes(),
    )
    .await
}

/// GetClientToken: the client_credentials grant through the API, its
/// token verified against the pool's JWKS with jsonwebtoken.
#[tokio::test]
async fn get_client_token_is_client_credentials_through_the_api() {
    let mock = mock().await;
    let got = client_token(
        &mock,
        json!({"ClientId": MACHINE, "Secret": MACHINE_SECRET}),
    )
    .await;
    assert_eq!(got.status, 200, "{}", got.json());
    let got = got.json();
    let result = &got["ClientAuthenticationResult"];
    assert_eq!(result["TokenType"], "Bearer");
    assert_eq!(result["ExpiresIn"], 3600);
    let token = result["AccessToken"].as_str().unwrap();
    let jwks: jsonwebtoken::jwk::JwkSet = serde_json::from_value(
        get_json(format!("{}/{POOL}/.well-known/jwks.json", mock.endpoint())).await,
    )
    .unwrap();
    let kid = jsonwebtoken::decode_header(token).unwrap().kid.unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(jwks.find(&kid).unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_aud = false;
    let access: Value = jsonwebtoken::decode(token, &key, &validation)
        .unwrap()
        .claims;
    assert_eq!(access["client_id"], MACHINE);
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["scope"], "https://api.example.com/read");

    let wrong = client_token(
        &mock,
        json!({"ClientId": MACHINE, "Secret": MACHINE_SECRET.replace('p', "q")}),
    )
    .await;
    assert_eq!(
        wrong.error_type(),
        "NotAuthorizedException",
        "{}",
        wrong.json()
    );
    let scope = client_token(
        &mock,
        json!({"ClientId": MACHINE, "Secret": MACHINE_SECRET,
               "Scopes": ["https://api.example.com/write"]}),
    )
    .await;
    assert_eq!(
        scope.error_type(),
        "InvalidParameterException",
        "{}",
        scope.json()
    );
}

#[tokio::test]
async fn client_credentials_with_resource_server_scopes() {
    let mock = mock().await;
    let token_url = format!("{}/example/oauth2/token", mock.endpoint());
    let r = post_form(
        &token_url,
        &[("grant_type", "client_credentials")],
        Some((MACHINE, MACHINE_SECRET)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert!(r.json.get("id_token").is_none() && r.json.get("refresh_token").is_none());
    let access = claims(r.json["access_token"].as_str().unwrap());
    assert_eq!(access["scope"], "https://api.example.com/read");
    assert_eq!(access["sub"], MACHINE);
    assert_eq!(access["token_use"], "access");

    let r = post_form(
        &token_url,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "https://api.example.com/write"),
        ],
        Some((MACHINE, MACHINE_SECRET)),
    )
    .await;
    assert_eq!(
        r.json["error"], "invalid_scope",
        "write is not allowed to this client"
    );

    // The same endpoint reached through the Host header.
    let response = reqwest::Client::new()
        .post(format!("http://{}/oauth2/token", mock.addr()))
        .header("host", format!("example.localhost:{}", mock.addr().port()))
        .basic_auth(MACHINE, Some(MACHINE_SECRET))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

/// The user-pool `Logins` key of the example pool.
fn pool_login_key() -> String {
    format!("cognito-idp.ap-northeast-1.amazonaws.com/{POOL}")
}

async fn identity_credentials(mock: &MockCognito, logins: Value) -> Result<Value, String> {
    let get_id = call(
        mock.addr(),
        "AWSCognitoIdentityService.GetId",
        &json!({"IdentityPoolId": IDENTITY_POOL, "Logins": logins}),
        false,
    )
    .await;
    if get_id.status != 200 {
        return Err(get_id.error_type());
    }
    let id = get_id.json()["IdentityId"].as_str().unwrap().to_owned();
    let creds = call(
        mock.addr(),
        "AWSCognitoIdentityService.GetCredentialsForIdentity",
        &json!({"IdentityId": id, "Logins": logins}),
        false,
    )
    .await;
    if creds.status != 200 {
        return Err(creds.error_type());
    }
    Ok(creds.json())
}

#[tokio::test]
async fn federation_through_fake_facebook_and_amazon() {
    let mock = mock().await;
    let mut subs = Vec::new();
    for round in 0..2 {
        let (verifier, challenge) = pkce("fb");
        let url = authorize_url(
            &mock,
            PUBLIC,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        );
        let callback = Browser::new()
            .sign_in_with_provider(
                &url,
                CALLBACK,
                "Facebook",
                "carol@example.com",
                "facebook-pass",
            )
            .await
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        let code = query_param(&callback, "code").unwrap();
        let tokens = exchange(&mock, &code, &verifier).await;
        assert_eq!(tokens.status, 200, "{}", tokens.json);
        let id_token = tokens.json["id_token"].as_str().unwrap().to_owned();
        let id = claims(&id_token);
        assert_eq!(id["cognito:username"], "Facebook_10000000000000001");
        assert_eq!(id["email"], "carol@example.com", "attribute mapping");
        assert_eq!(id["identities"][0]["providerName"], "Facebook");
        assert_eq!(id["identities"][0]["userId"], "10000000000000001");
        assert_eq!(
            id["cognito:groups"],
            json!([format!("{POOL}_Facebook")]),
            "the provider's own group"
        );
        subs.push(id["sub"].clone());

        // Flow 3: the hosted UI's ID token under the user-pool Logins key.
        let creds = identity_credentials(&mock, json!({ pool_login_key(): id_token }))
            .await
            .unwrap();
        assert!(creds["Credentials"]["AccessKeyId"].is_string());
    }
    assert_eq!(
        subs[0], subs[1],
        "the second sign-in reuses the federated user"
    );
    let user = ok(
        mock.addr(),
        "AdminGetUser",
        json!({"UserPoolId": POOL, "Username": "Facebook_10000000000000001"}),
    )
    .await;
    assert_eq!(user["UserStatus"], "EXTERNAL_PROVIDER");
    // A federated user has no password to sign in with.
    let r = call(
        mock.addr(),
        "InitiateAuth",
        &json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": PUBLIC,
                "AuthParameters": {"USERNAME": "Facebook_10000000000000001", "PASSWORD": "facebook-pass"}}),
        false,
    )
    .await;
    assert_eq!(r.status, 400);

    // Login with Amazon, chosen up front with identity_provider.
    let url = authorize_url(&mock, PUBLIC, &[("identity_provider", "LoginWithAmazon")]);
    let browser = Browser::new();
    let first = browser.get(&url).await.unwrap();
    let location = first.location.clone().unwrap();
    assert!(
        location.contains("/idp/amazon/authorize"),
        "straight to the provider: {location}"
    );
    let wrong = match browser.follow(first, CALLBACK).await.unwrap() {
        Followed::Page(p) => p,
        Followed::App(u) => panic!("{u}"),
    };
    let r = browser
        .submit(
            &wrong.form("provider-signin").unwrap(),
            &[("email", "dave@example.com"), ("pass", "nope")],
        )
        .await
        .unwrap();
    assert!(r.error_message().unwrap().contains("incorrect"));
    let callback = browser
        .sign_in_with_provider(
            &url,
            CALLBACK,
            "LoginWithAmazon",
            "dave@example.com",
            "amazon-pass",
        )
        .await
        .unwrap();
    let code = query_param(&callback, "code").unwrap();
    let r = post_form(
        &format!("{}/example/oauth2/token", mock.endpoint()),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", PUBLIC),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ],
        None,
    )
    .await;
    let id = claims(r.json["id_token"].as_str().unwrap());
    assert_eq!(
        id["cognito:username"],
        "LoginWithAmazon_amzn1.account.EXAMPLE0000000000000001"
    );
    assert_eq!(id["name"], "Dave Example");

    // An idpresponse with a made-up state is refused.
    let page = browser
        .get(&format!(
            "{}/example/oauth2/idpresponse?code=x&state=forged",
            mock.endpoint()
        ))
        .await
        .unwrap();
    assert_eq!(page.status, 400);
}

/// A browser app's direct sign-in at a fake provider (implicit grant):
/// the token from the fragment.
async fn provider_token(
    mock: &MockCognito,
    provider: &str,
    client_id: &str,
    response_type: &str,
    login: &str,
    password: &str,
) -> Value {
    let url = format!(
        "{}/idp/{provider}/authorize?{}",
        mock.endpoint(),
        serde_urlencoded::to_string([
            ("client_id", client_id),
            ("redirect_uri", "http://localhost:8080/fb"),
            ("response_type", response_type),
            ("state", "s"),
        ])
        .unwrap()
    );
    let browser = Browser::new();
    let page = browser.get(&url).await.unwrap();
    assert_eq!(page.status, 200, "{}", page.body);
    let r = browser
        .submit(
            &page.form("provider-signin").unwrap(),
            &[("email", login), ("pass", password)],
        )
        .await
        .unwrap();
    let location = r.location.expect("a redirect with the token");
    let fragment = location.split_once('#').unwrap().1;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(fragment).unwrap();
    Value::Object(pairs.into_iter().map(|(k, v)| (k, json!(v))).collect())
}

#[tokio::test]
async fn direct_provider_tokens_work_as_identity_pool_logins() {
    let mock = mock().await;
    let fb = provider_token(
        &mock,
        "facebook",
        "1234567890",
        "token",
        "carol@example.com",
        "facebook-pass",
    )
    .await;
    let token = fb["access_token"].as_str().unwrap().to_owned();
    assert_eq!(fb["state"], "s");
    let creds = identity_credentials(&mock, json!({"graph.facebook.com": token}))
        .await
        .unwrap();
    assert!(creds["Credentials"]["SessionToken"].is_string());

    // The Graph-style profile and token inspection.
    let me: Value = get_json(format!(
        "{}/idp/facebook/me?access_token={}",
        mock.endpoint(),
        token
    ))
    .await;
    assert_eq!(me["id"], "10000000000000001");
    let debug: Value = get_json(format!(
        "{}/idp/facebook/debug_token?input_token={}&access_token=1234567890%7Cexample-facebook-app-secret",
        mock.endpoint(),
        token
    )).await;
    assert_eq!(debug["data"]["is_valid"], true);
    assert_eq!(debug["data"]["app_id"], "1234567890");

    // A token for another Facebook app is refused by the identity pool.
    mock.register_provider_app("facebook", "999999", None);
    let other = provider_token(
        &mock,
        "facebook",
        "999999",
        "token",
        "carol@example.com",
        "facebook-pass",
    )
    .await;
    let refused = identity_credentials(
        &mock,
        json!({"graph.facebook.com": other["access_token"].as_str().unwrap()}),
    )
    .await;
    assert_eq!(refused.unwrap_err(), "NotAuthorizedException");

    // An app the provider does not know gets an error page.
    let page = Browser::new()
        .get(&format!(
            "{}/idp/facebook/authorize?client_id=unknown&redirect_uri=http://localhost:1/&response_type=token",
            mock.endpoint()
        ))
        .await
        .unwrap();
    assert_eq!(page.status, 400);

    // Google: an RS256 ID token from the fake provider.
    let g = provider_token(
        &mock,
        "google",
        "example.apps.googleusercontent.com",
        "id_token",
        "erin@example.com",
        "google-pass",
    )
    .await;
    let id_token = g["id_token"].as_str().unwrap().to_owned();
    assert_eq!(claims(&id_token)["iss"], "https://accounts.google.com");
    identity_credentials(&mock, json!({"accounts.google.com": id_token}))
        .await
        .unwrap();

    // An hour later the Facebook token has expired.
    mock.clock().advance(Duration::from_secs(3601));
    let expired = identity_credentials(&mock, json!({"graph.facebook.com": token})).await;
    assert_eq!(expired.unwrap_err(), "NotAuthorizedException");
}

#[tokio::test]
async fn identity_providers_and_resource_servers_control_plane() {
    let mock = mock().await;
    let addr = mock.addr();
    let created = ok(
        addr,
        "CreateIdentityProvider",
        json!({"UserPoolId": POOL, "ProviderName": "corp", "ProviderType": "OIDC",
               "ProviderDetails": {"client_id": "corp-app", "client_secret": "s3cret",
                                   "attributes_request_method": "GET",
                                   "oidc_issuer": "https://login.corp.example", "authorize_scopes": "openid email"},
               "AttributeMapping": {"email": "email"}, "IdpIdentifiers": ["corp.example"]}),
    )
    .await;
    let details = &created["IdentityProvider"]["ProviderDetails"];
    assert!(
        details["authorize_url"]
            .as_str()
            .unwrap()
            .ends_with("/idp/login.corp.example/authorize")
    );
    assert_eq!(
        created["IdentityProvider"]["AttributeMapping"]["username"],
        "sub"
    );
    let dup = call(
        addr,
        "CreateIdentityProvider",
        &json!({"UserPoolId": POOL, "ProviderName": "corp", "ProviderType": "OIDC",
                "ProviderDetails": {"client_id": "x", "attributes_request_method": "GET",
                                    "oidc_issuer": "https://x", "authorize_scopes": "openid"}}),
        true,
    )
    .await;
    assert_eq!(dup.error_type(), "DuplicateProviderException");
    let missing = call(
        addr,
        "CreateIdentityProvider",
        &json!({"UserPoolId": POOL, "ProviderName": "Google", "ProviderType": "Google",
                "ProviderDetails": {"client_id": "x"}}),
        true,
    )
    .await;
    assert_eq!(missing.error_type(), "InvalidParameterException");
    let by_id = ok(
        addr,
        "GetIdentityProviderByIdentifier",
        json!({"UserPoolId": POOL, "IdpIdentifier": "corp.example"}),
    )
    .await;
    assert_eq!(by_id["IdentityProvider"]["ProviderName"], "corp");
    let list = ok(
        addr,
        "ListIdentityProviders",
        json!({"UserPoolId": POOL, "MaxResults": 60}),
    )
    .await;
    assert_eq!(list["Providers"].as_array().unwrap().len(), 4);
    let updated = ok(
        addr,
        "UpdateIdentityProvider",
        json!({"UserPoolId": POOL, "ProviderName": "corp",
               "ProviderDetails": {"authorize_scopes": "openid"}}),
    )
    .await;
    assert_eq!(
        updated["IdentityProvider"]["ProviderDetails"]["authorize_scopes"],
        "openid"
    );
    assert_eq!(
        updated["IdentityProvider"]["ProviderDetails"]["client_id"], "corp-app",
        "members not named keep their values"
    );

    // Federation through the generic OIDC provider, chosen by idp_identifier.
    mock.add_provider_user(
        "login.corp.example",
        "corp-7",
        "corp-pass",
        json!({"email": "frank@corp.example"}),
    );
    ok(
        addr,
        "UpdateUserPoolClient",
        json!({"UserPoolId": POOL, "ClientId": PUBLIC,
               "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
               "CallbackURLs": [CALLBACK], "AllowedOAuthFlows": ["code", "implicit"],
               "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthScopes": ["openid", "email"],
               "SupportedIdentityProviders": ["COGNITO", "corp"]}),
    )
    .await;
    let url = authorize_url(
        &mock,
        PUBLIC,
        &[
            ("idp_identifier", "corp.example"),
            ("scope", "openid email"),
            ("response_type", "token"),
        ],
    );
    let callback = Browser::new()
        .sign_in_with_provider(&url, CALLBACK, "corp", "frank@corp.example", "corp-pass")
        .await
        .unwrap();
    assert!(
        callback.contains('#'),
        "the implicit grant answers in the fragment"
    );
    let id = claims(&query_param(&callback, "id_token").unwrap());
    assert_eq!(id["cognito:username"], "corp_corp-7");
    assert_eq!(id["email"], "frank@corp.example");
    assert!(query_param(&callback, "refresh_token").is_none());

    ok(
        addr,
        "DeleteIdentityProvider",
        json!({"UserPoolId": POOL, "ProviderName": "Google"}),
    )
    .await;
    let gone = call(
        addr,
        "DescribeIdentityProvider",
        &json!({"UserPoolId": POOL, "ProviderName": "Google"}),
        true,
    )
    .await;
    assert_eq!(gone.error_type(), "ResourceNotFoundException");

    // Resource servers, and a client may only name scopes that exist.
    let rs = ok(
        addr,
        "DescribeResourceServer",
        json!({"UserPoolId": POOL, "Identifier": "https://api.example.com"}),
    )
    .await;
    assert_eq!(rs["ResourceServer"]["Scopes"].as_array().unwrap().len(), 2);
    ok(
        addr,
        "CreateResourceServer",
        json!({"UserPoolId": POOL, "Identifier": "orders", "Name": "orders",
               "Scopes": [{"ScopeName": "place", "ScopeDescription": "Place orders"}]}),
    )
    .await;
    let list = ok(
        addr,
        "ListResourceServers",
        json!({"UserPoolId": POOL, "MaxResults": 50}),
    )
    .await;
    assert_eq!(list["ResourceServers"].as_array().unwrap().len(), 2);
    let bad = call(
        addr,
        "CreateUserPoolClient",
        &json!({"UserPoolId": POOL, "ClientName": "x", "GenerateSecret": true,
                "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthFlowsUserPoolClient": true,
                "AllowedOAuthScopes": ["orders/cancel"]}),
        true,
    )
    .await;
    assert_eq!(bad.error_type(), "ScopeDoesNotExistException");
    let bad = call(
        addr,
        "CreateUserPoolClient",
        &json!({"UserPoolId": POOL, "ClientName": "x", "SupportedIdentityProviders": ["Twitter"]}),
        true,
    )
    .await;
    assert_eq!(bad.error_type(), "InvalidParameterException");
}

#[tokio::test]
async fn discovery_advertises_the_hosted_ui_endpoints() {
    let mock = mock().await;
    let doc: Value = get_json(format!(
        "{}/{POOL}/.well-known/openid-configuration",
        mock.endpoint()
    ))
    .await;
    let base = format!("{}/example", mock.endpoint());
    assert_eq!(
        doc["authorization_endpoint"],
        format!("{base}/oauth2/authorize")
    );
    assert_eq!(doc["token_endpoint"], format!("{base}/oauth2/token"));
    assert_eq!(doc["userinfo_endpoint"], format!("{base}/oauth2/userInfo"));
    assert_eq!(doc["revocation_endpoint"], format!("{base}/oauth2/revoke"));
    let google: Value = get_json(format!(
        "{}/idp/google/.well-known/openid-configuration",
        mock.endpoint()
    ))
    .await;
    assert_eq!(google["issuer"], "https://accounts.google.com");
    let jwks: Value = get_json(google["jwks_uri"].as_str().unwrap()).await;
    assert_eq!(jwks["keys"][0]["alg"], "RS256");
}

#[tokio::test]
async fn a_browser_app_gets_a_provider_token_that_is_a_direct_login() {
    use mock_cognito::example::{AMAZON_USER, FACEBOOK_USER};
    let mock = mock().await;
    for user in [FACEBOOK_USER, AMAZON_USER] {
        let token = Browser::new()
            .provider_access_token(&mock.endpoint(), &user, CALLBACK)
            .await
            .unwrap();
        let logins = json!({ user.provider.login_key(): token });
        let creds = identity_credentials(&mock, logins).await.unwrap();
        assert!(creds["Credentials"]["AccessKeyId"].is_string(), "{creds}");
    }
    let stranger = mock_cognito::example::ProviderLogin {
        password: "wrong-pass",
        ..FACEBOOK_USER
    };
    assert!(
        Browser::new()
            .provider_access_token(&mock.endpoint(), &stranger, CALLBACK)
            .await
            .is_err()
    );
}

/// A TOTP code for `secret` (base32) at the mock's clock, computed by
/// `totp-rs`, not by the mock's own code.
fn totp_code(mock: &MockCognito, secret: &str) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .unwrap();
    let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes).unwrap();
    totp.generate(mock.clock().unix() as u64)
}

/// Signs in on the page with a password; returns the page that follows.
async fn password_page(browser: &Browser, url: &str) -> mock_cognito::browser::Page {
    let Followed::Page(page) = browser
        .follow(browser.get(url).await.unwrap(), CALLBACK)
        .await
        .unwrap()
    else {
        panic!("not signed in yet: a page first")
    };
    let form = page.form("signin").unwrap();
    browser
        .submit(&form, &[("username", "alice"), ("password", "Passw0rd!")])
        .await
        .unwrap()
}

/// The text between `<tag id="id">` and the next `<`.
fn element_text(body: &str, tag: &str, id: &str) -> String {
    let open = format!("<{tag} id=\"{id}\">");
    let start = body
        .find(&open)
        .unwrap_or_else(|| panic!("no {open} in {body}"))
        + open.len();
    body[start..].split('<').next().unwrap().to_owned()
}

async fn app_code(browser: &Browser, page: mock_cognito::browser::Page) -> String {
    match browser.follow(page, CALLBACK).await.unwrap() {
        Followed::App(url) => query_param(&url, "code").unwrap(),
        Followed::Page(p) => panic!("not signed in: {:?} {}", p.error_message(), p.body),
    }
}

/// MFA required with an authenticator app: the page sets one up (the key
/// shown, a wrong code refused, the right one signs in), and the next
/// sign-in asks for its code.
#[tokio::test]
async fn the_hosted_ui_sets_up_and_asks_for_an_authenticator_app() {
    let mock = mock().await;
    ok(
        mock.addr(),
        "SetUserPoolMfaConfig",
        json!({
            "UserPoolId": POOL,
            "MfaConfiguration": "ON",
            "SoftwareTokenMfaConfiguration": {"Enabled": true},
        }),
    )
    .await;
    let (verifier, challenge) = pkce("mfa");
    let url = authorize_url(
        &mock,
        PUBLIC,
        &[
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    let browser = Browser::new();
    let setup = password_page(&browser, &url).await;
    let secret = element_text(&setup.body, "code", "secret");
    assert!(setup.body.contains("otpauth://totp/"), "{}", setup.body);
    assert!(
        setup
            .body
            .contains("<span id=\"qr\" style=\"display:block;margin:.8rem 0\"><svg"),
        "the QR code"
    );
    let form = setup.form("mfa").expect("the set-up form");
    let wrong = browser.submit(&form, &[("code", "000000")]).await.unwrap();
    assert_eq!(wrong.status, 200);
    assert!(
        wrong.error_message().unwrap().contains("Code mismatch"),
        "{}",
        wrong.body
    );
    assert_eq!(element_text(&wrong.body, "code", "secret"), secret);
    let form = wrong.form("mfa").unwrap();
    let signed_in = browser
        .submit(&form, &[("code", &totp_code(&mock, &secret))])
        .await
        .unwrap();
    let code = app_code(&browser, signed_in).await;
    let tokens = exchange(&mock, &code, &verifier).await;
    assert_eq!(tokens.status, 200, "{}", tokens.json);
    assert_eq!(
        claims(tokens.json["id_token"].as_str().unwrap())["cognito:username"],
        "alice"
    );

    // A new browser: the code from the app now, at the next time step (a
    // code is spent once).
    mock.clock().advance(Duration::from_secs(30));
    let browser = Browser::new();
    let ask = password_page(&browser, &authorize_url(&mock, PUBLIC, &[])).await;
    assert!(ask.body.contains("authenticator app"), "{}", ask.body);
    let form = ask.form("mfa").unwrap();
    let page = browser
        .submit(&form, &[("code", &totp_code(&mock, &secret))])
        .await
        .unwrap();
    app_code(&browser, page).await;
}

/// SMS and an authenticator app both on: the page offers the choice, the
/// SMS code goes to the outbox, three wrong codes spend the sign-in.
#[tokio::test]
async fn the_hosted_ui_offers_a_choice_and_sends_an_sms_code() {
    let mock = mock().await;
    ok(
        mock.addr(),
        "SetUserPoolMfaConfig",
        json!({
            "UserPoolId": POOL,
            "MfaConfiguration": "OPTIONAL",
            "SmsMfaConfiguration": {"SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns"}},
            "SoftwareTokenMfaConfiguration": {"Enabled": true},
        }),
    )
    .await;
    ok(
        mock.addr(),
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": POOL, "Username": "alice",
               "UserAttributes": [{"Name": "phone_number", "Value": "+815012345678"}]}),
    )
    .await;
    // An authenticator app set up through the API, then both factors on.
    let signed = ok(
        mock.addr(),
        "InitiateAuth",
        json!({"ClientId": PUBLIC, "AuthFlow": "USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}),
    )
    .await;
    let access = signed["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let secret = ok(
        mock.addr(),
        "AssociateSoftwareToken",
        json!({"AccessToken": access}),
    )
    .await["SecretCode"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        mock.addr(),
        "VerifySoftwareToken",
        json!({"AccessToken": access, "UserCode": totp_code(&mock, &secret)}),
    )
    .await;
    ok(
        mock.addr(),
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": POOL, "Username": "alice",
               "SMSMfaSettings": {"Enabled": true},
               "SoftwareTokenMfaSettings": {"Enabled": true}}),
    )
    .await;

    let browser = Browser::new();
    let choice = password_page(&browser, &authorize_url(&mock, PUBLIC, &[])).await;
    assert!(choice.body.contains("value=\"SMS_MFA\""), "{}", choice.body);
    assert!(
        choice.body.contains("value=\"SOFTWARE_TOKEN_MFA\""),
        "{}",
        choice.body
    );
    let form = choice.form("mfa").unwrap();
    let sms = browser
        .submit(&form, &[("answer", "SMS_MFA")])
        .await
        .unwrap();
    let destination = element_text(&sms.body, "span", "destination");
    assert!(
        destination.ends_with("5678") && !destination.contains("5012"),
        "{destination}"
    );
    let sent = mock.verification_codes(Some(POOL), Some("alice"));
    let code = sent
        .last()
        .expect("the SMS code in the outbox")
        .code
        .clone();
    let form = sms.form("mfa").unwrap();
    let page = browser.submit(&form, &[("code", &code)]).await.unwrap();
    app_code(&browser, page).await;

    // Three wrong codes: the sign-in is spent, back to the sign-in page.
    let browser = Browser::new();
    let choice = password_page(&browser, &authorize_url(&mock, PUBLIC, &[])).await;
    let form = choice.form("mfa").unwrap();
    let mut page = browser
        .submit(&form, &[("answer", "SMS_MFA")])
        .await
        .unwrap();
    for _ in 0..3 {
        let form = page.form("mfa").expect("the code form again");
        page = browser.submit(&form, &[("code", "000000")]).await.unwrap();
        assert!(page.error_message().is_some(), "{}", page.body);
    }
    let form = page.form("mfa").unwrap();
    let spent = browser.submit(&form, &[("code", &code)]).await.unwrap();
    assert!(spent.form("signin").is_some(), "{}", spent.body);
    assert!(
        spent.error_message().unwrap().contains("session"),
        "{}",
        spent.body
    );
}

/// The newest code the outbox holds for a user.
fn last_code(mock: &MockCognito, username: &str) -> String {
    mock.verification_codes(Some(POOL), Some(username))
        .last()
        .expect("a code in the outbox")
        .code
        .clone()
}

/// The sign-in page of a fresh authorize request.
async fn sign_in_page(browser: &Browser, mock: &MockCognito) -> mock_cognito::browser::Page {
    let url = authorize_url(mock, PUBLIC, &[]);
    match browser
        .follow(browser.get(&url).await.unwrap(), CALLBACK)
        .await
        .unwrap()
    {
        Followed::Page(page) => page,
        Followed::App(url) => panic!("already signed in: {url}"),
    }
}

/// Signs up on the hosted UI, confirms with the emailed code, then signs in.
#[tokio::test]
async fn the_hosted_ui_signs_up_confirms_and_signs_in() {
    let mock = mock().await;
    let browser = Browser::new();
    let page = sign_in_page(&browser, &mock).await;
    let sign_up = browser.get(&page.link("sign-up").unwrap()).await.unwrap();
    let form = sign_up.form("signup").expect("the sign-up form");
    assert!(sign_up.body.contains("name=\"email\""), "{}", sign_up.body);
    // The pool's password policy, as SignUp checks it.
    let weak = browser
        .submit(
            &form,
            &[
                ("username", "dave"),
                ("email", "dave@example.com"),
                ("password", "short"),
            ],
        )
        .await
        .unwrap();
    assert!(
        weak.error_message().unwrap().contains("Password"),
        "{}",
        weak.body
    );
    let form = weak.form("signup").unwrap();
    let confirm = browser
        .submit(
            &form,
            &[
                ("username", "dave"),
                ("email", "dave@example.com"),
                ("password", "Dave-Passw0rd!"),
            ],
        )
        .await
        .unwrap();
    let form = confirm.form("confirm").expect("the confirmation form");
    let wrong = browser.submit(&form, &[("code", "000000")]).await.unwrap();
    assert!(wrong.error_message().is_some(), "{}", wrong.body);
    let form = wrong.form("confirm").unwrap();
    let confirmed = browser
        .submit(&form, &[("code", &last_code(&mock, "dave"))])
        .await
        .unwrap();
    assert!(
        confirmed.notice().unwrap().contains("confirmed"),
        "{}",
        confirmed.body
    );
    let form = confirmed.form("signin").unwrap();
    let page = browser
        .submit(
            &form,
            &[("username", "dave"), ("password", "Dave-Passw0rd!")],
        )
        .await
        .unwrap();
    app_code(&browser, page).await;
    let dave = ok(
        mock.addr(),
        "AdminGetUser",
        json!({"UserPoolId": POOL, "Username": "dave"}),
    )
    .await;
    assert_eq!(dave["UserStatus"], "CONFIRMED");
}

/// Forgot password on the hosted UI: a code to the verified email, the new
/// password set with it, then a sign-in with the new password.
#[tokio::test]
async fn the_hosted_ui_resets_a_forgotten_password() {
    let mock = mock().await;
    let browser = Browser::new();
    let page = sign_in_page(&browser, &mock).await;
    let forgot = browser
        .get(&page.link("forgot-password").unwrap())
        .await
        .unwrap();
    let form = forgot.form("forgotpassword").unwrap();
    let reset = browser
        .submit(&form, &[("username", "alice")])
        .await
        .unwrap();
    let destination = element_text(&reset.body, "span", "destination");
    assert!(
        destination.starts_with("a***@") && !destination.contains("alice"),
        "{destination}"
    );
    let form = reset.form("resetpassword").expect("the reset form");
    let wrong = browser
        .submit(
            &form,
            &[("code", "000000"), ("new_password", "N3w-Passw0rd!")],
        )
        .await
        .unwrap();
    assert!(wrong.error_message().is_some(), "{}", wrong.body);
    let form = wrong.form("resetpassword").unwrap();
    let done = browser
        .submit(
            &form,
            &[
                ("code", &last_code(&mock, "alice")),
                ("new_password", "N3w-Passw0rd!"),
            ],
        )
        .await
        .unwrap();
    assert!(done.notice().unwrap().contains("reset"), "{}", done.body);
    let old = Browser::new()
        .sign_in(
            &authorize_url(&mock, PUBLIC, &[]),
            CALLBACK,
            "alice",
            "Passw0rd!",
        )
        .await;
    assert!(old.is_err(), "the old password still works");
    let form = done.form("signin").unwrap();
    let page = browser
        .submit(
            &form,
            &[("username", "alice"), ("password", "N3w-Passw0rd!")],
        )
        .await
        .unwrap();
    app_code(&browser, page).await;
}

/// A pool where only administrators create users: no sign-up link, no
/// sign-up page, and SignUp itself refused.
#[tokio::test]
async fn no_sign_up_where_only_administrators_create_users() {
    let mock = mock().await;
    let described = ok(mock.addr(), "DescribeUserPool", json!({"UserPoolId": POOL})).await;
    ok(
        mock.addr(),
        "UpdateUserPool",
        json!({"UserPoolId": POOL,
               "AutoVerifiedAttributes": described["UserPool"]["AutoVerifiedAttributes"],
               "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": true}}),
    )
    .await;
    let browser = Browser::new();
    let page = sign_in_page(&browser, &mock).await;
    assert!(page.link("sign-up").is_none(), "{}", page.body);
    assert!(page.link("forgot-password").is_some());
    let url = authorize_url(&mock, PUBLIC, &[]).replace("/oauth2/authorize?", "/signup?");
    assert_eq!(browser.get(&url).await.unwrap().status, 400);
    let refused = call(
        mock.addr(),
        "SignUp",
        &json!({"ClientId": PUBLIC, "Username": "eve", "Password": "Eve-Passw0rd!"}),
        false,
    )
    .await;
    assert_eq!(refused.error_type(), "NotAuthorizedException");
}

/// Signs carol in through the fake Facebook; the ID token's claims.
async fn facebook_sign_in(mock: &MockCognito) -> Value {
    let (verifier, challenge) = pkce("link");
    let url = authorize_url(
        mock,
        PUBLIC,
        &[
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    let callback = Browser::new()
        .sign_in_with_provider(
            &url,
            CALLBACK,
            "Facebook",
            "carol@example.com",
            "facebook-pass",
        )
        .await
        .unwrap();
    let code = query_param(&callback, "code").unwrap();
    let tokens = exchange(mock, &code, &verifier).await;
    assert_eq!(tokens.status, 200, "{}", tokens.json);
    claims(tokens.json["id_token"].as_str().unwrap())
}

#[tokio::test]
async fn a_linked_facebook_identity_signs_in_as_the_existing_user_until_disabled() {
    let mock = mock().await;
    let facebook = json!({"ProviderName": "Facebook", "ProviderAttributeName": "Cognito_Subject",
                          "ProviderAttributeValue": "10000000000000001"});
    ok(
        mock.addr(),
        "AdminLinkProviderForUser",
        json!({"UserPoolId": POOL,
               "DestinationUser": {"ProviderName": "Cognito", "ProviderAttributeValue": "alice"},
               "SourceUser": facebook}),
    )
    .await;
    let id = facebook_sign_in(&mock).await;
    assert_eq!(
        id["cognito:username"], "alice",
        "the link signs in the existing user"
    );
    assert_eq!(id["identities"][0]["providerName"], "Facebook");

    ok(
        mock.addr(),
        "AdminDisableProviderForUser",
        json!({"UserPoolId": POOL, "User": facebook}),
    )
    .await;
    let id = facebook_sign_in(&mock).await;
    assert_eq!(
        id["cognito:username"], "Facebook_10000000000000001",
        "a user of its own now"
    );
    // That federated user now exists: linking it is merging, which Cognito refuses.
    let merge = call(
        mock.addr(),
        "AdminLinkProviderForUser",
        &json!({"UserPoolId": POOL,
                "DestinationUser": {"ProviderName": "Cognito", "ProviderAttributeValue": "alice"},
                "SourceUser": facebook}),
        true,
    )
    .await;
    assert_eq!(merge.error_type(), "InvalidParameterException");
}

/// Terms documents: kept per app client, unique by name, and linked from
/// the sign-up page once both kinds exist.
#[tokio::test]
async fn terms_documents_are_kept_and_shown_on_the_sign_up_page() {
    let mock = mock().await;
    let terms = |name: &str, url: &str| {
        json!({"UserPoolId": POOL, "ClientId": PUBLIC, "TermsName": name,
               "TermsSource": "LINK", "Enforcement": "NONE",
               "Links": {"cognito:default": url}})
    };
    let created = ok(
        mock.addr(),
        "CreateTerms",
        terms("terms-of-use", "https://example.com/terms"),
    )
    .await;
    let terms_id = created["Terms"]["TermsId"].as_str().unwrap().to_owned();
    let again = call(
        mock.addr(),
        "CreateTerms",
        &terms("terms-of-use", "https://example.com/other"),
        true,
    )
    .await;
    assert_eq!(again.error_type(), "TermsExistsException");
    let bad_name = call(
        mock.addr(),
        "CreateTerms",
        &terms("cookies", "https://example.com/cookies"),
        true,
    )
    .await;
    assert_eq!(bad_name.error_type(), "InvalidParameterException");

    let sign_up_url = authorize_url(&mock, PUBLIC, &[]).replace("/oauth2/authorize?", "/signup?");
    let browser = Browser::new();
    let page = browser.get(&sign_up_url).await.unwrap();
    assert!(
        page.link("terms-of-use").is_none(),
        "one document is not enough"
    );

    ok(
        mock.addr(),
        "CreateTerms",
        terms("privacy-policy", "https://example.com/privacy"),
    )
    .await;
    ok(
        mock.addr(),
        "UpdateTerms",
        json!({"UserPoolId": POOL, "TermsId": terms_id,
               "Links": {"cognito:default": "https://example.com/terms-v2"}}),
    )
    .await;
    let page = browser.get(&sign_up_url).await.unwrap();
    assert_eq!(
        page.link("terms-of-use").as_deref(),
        Some("https://example.com/terms-v2")
    );
    assert_eq!(
        page.link("privacy-policy").as_deref(),
        Some("https://example.com/privacy")
    );

    let by_client = ok(
        mock.addr(),
        "DescribeTermsByClient",
        json!({"UserPoolId": POOL, "ClientId": PUBLIC, "TermsName": "terms-of-use"}),
    )
    .await;
    assert_eq!(by_client["Terms"]["TermsId"], terms_id.as_str());
    let listed = ok(mock.addr(), "ListTerms", json!({"UserPoolId": POOL})).await;
    assert_eq!(listed["Terms"].as_array().unwrap().len(), 2);
    ok(
        mock.addr(),
        "DeleteTerms",
        json!({"UserPoolId": POOL, "TermsId": terms_id}),
    )
    .await;
    let gone = call(
        mock.addr(),
        "DescribeTerms",
        &json!({"UserPoolId": POOL, "TermsId": terms_id}),
        true,
    )
    .await;
    assert_eq!(gone.error_type(), "ResourceNotFoundException");
    assert!(
        browser
            .get(&sign_up_url)
            .await
            .unwrap()
            .link("terms-of-use")
            .is_none()
    );
}
