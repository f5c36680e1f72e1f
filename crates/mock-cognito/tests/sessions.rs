//! The sessions API on the wire (the Rust SDK predates it): session
//! tracking turned on, MaxPerUser evicting the oldest sign-in, the user's
//! and the administrator's listings, revocation of a token session and of
//! a hosted-UI (SSO) session with the token sessions it started, and an app
//! client's SSO MaxValidityMinutes bounding silent sign-in.

mod common;

use common::Reply;
use mock_cognito::MockCognito;
use mock_cognito::browser::Browser;
use serde_json::{Value, json};

const DOMAIN: &str = "sessions-demo";
const CALLBACK: &str = "https://app.example.com/callback";
const PASSWORD: &str = "Sam-Passw0rd!";

struct World {
    mock: MockCognito,
    pool_id: String,
    client_id: String,
}

async fn call(w: &World, target: &str, body: Value) -> Reply {
    common::call(w.mock.addr(), target, &body, true).await
}

async fn ok(w: &World, target: &str, body: Value) -> Value {
    common::ok(w.mock.addr(), target, body).await
}

async fn unsigned(w: &World, target: &str, body: Value) -> Reply {
    common::call(w.mock.addr(), target, &body, false).await
}

async fn world(tier: &str) -> World {
    let mock = MockCognito::start().await.unwrap();
    let addr = mock.addr();
    let pool = common::ok(
        addr,
        "CreateUserPool",
        json!({ "PoolName": "sessions", "UserPoolTier": tier }),
    )
    .await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    common::ok(
        addr,
        "CreateUserPoolDomain",
        json!({ "UserPoolId": pool_id, "Domain": DOMAIN }),
    )
    .await;
    let client = common::ok(
        addr,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": pool_id,
            "ClientName": "app",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "aws.cognito.signin.user.admin"],
            "CallbackURLs": [CALLBACK],
            "SupportedIdentityProviders": ["COGNITO"],
        }),
    )
    .await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    common::ok(
        addr,
        "AdminCreateUser",
        json!({ "UserPoolId": pool_id, "Username": "sam", "MessageAction": "SUPPRESS" }),
    )
    .await;
    common::ok(
        addr,
        "AdminSetUserPassword",
        json!({ "UserPoolId": pool_id, "Username": "sam", "Password": PASSWORD, "Permanent": true }),
    )
    .await;
    World {
        mock,
        pool_id,
        client_id,
    }
}

impl World {
    /// An API sign-in: (access token, refresh token).
    async fn sign_in(&self) -> (String, String) {
        let out = unsigned(
            self,
            "InitiateAuth",
            json!({
                "ClientId": self.client_id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": "sam", "PASSWORD": PASSWORD },
            }),
        )
        .await
        .json();
        let r = &out["AuthenticationResult"];
        (
            r["AccessToken"].as_str().unwrap().to_owned(),
            r["RefreshToken"].as_str().unwrap().to_owned(),
        )
    }

    async fn works(&self, access: &str) -> bool {
        unsigned(self, "GetUser", json!({ "AccessToken": access }))
            .await
            .status
            == 200
    }

    async fn admin_sessions(&self) -> Vec<Value> {
        ok(
            self,
            "AdminListUserSessions",
            json!({ "UserPoolId": self.pool_id, "Username": "sam" }),
        )
        .await["Sessions"]
            .as_array()
            .unwrap()
            .clone()
    }

    fn authorize_url(&self) -> String {
        format!(
            "{}/{DOMAIN}/oauth2/authorize?{}",
            self.mock.endpoint(),
            serde_urlencoded::to_string([
                ("response_type", "code"),
                ("client_id", self.client_id.as_str()),
                ("redirect_uri", CALLBACK),
                ("scope", "openid aws.cognito.signin.user.admin"),
            ])
            .unwrap()
        )
    }

    /// Whether the browser's session signs it in without the login page.
    async fn signs_in_silently(&self, browser: &Browser) -> bool {
        let page = browser.get(&self.authorize_url()).await.unwrap();
        page.location.unwrap_or_default().starts_with(CALLBACK)
    }

    async fn tokens_for(&self, code: &str) -> Value {
        let form = serde_urlencoded::to_string([
            ("grant_type", "authorization_code"),
            ("client_id", self.client_id.as_str()),
            ("code", code),
            ("redirect_uri", CALLBACK),
        ])
        .unwrap();
        common::raw(
            self.mock.addr(),
            "POST",
            &format!("/{DOMAIN}/oauth2/token"),
            &[("content-type", "application/x-www-form-urlencoded")],
            form.as_bytes(),
        )
        .await
        .json()
    }
}

#[tokio::test]
async fn token_sessions_are_tracked_capped_listed_and_revoked() {
    let w = world("ESSENTIALS").await;
    let config = ok(
        &w,
        "GetUserPoolSessionConfiguration",
        json!({ "UserPoolId": w.pool_id }),
    )
    .await;
    assert_eq!(config["UserSessionTracking"], "DISABLED");
    assert_eq!(config["TokenSession"]["MaxPerUser"], 20);
    let (early, _) = w.sign_in().await;
    let listed = unsigned(&w, "ListUserSessions", json!({ "AccessToken": early })).await;
    assert_eq!(listed.error_type(), "OperationNotEnabledException");

    ok(
        &w,
        "SetUserPoolSessionConfiguration",
        json!({
            "UserPoolId": w.pool_id, "UserSessionTracking": "ENABLED",
            "TokenSession": { "MaxPerUser": 2 },
        }),
    )
    .await;
    let (first, first_refresh) = w.sign_in().await;
    let (second, _) = w.sign_in().await;
    // A third sign-in evicts the oldest sessions beyond two.
    let (third, _) = w.sign_in().await;
    assert!(!w.works(&early).await && !w.works(&first).await, "evicted");
    let refreshed = unsigned(
        &w,
        "InitiateAuth",
        json!({
            "ClientId": w.client_id, "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": { "REFRESH_TOKEN": first_refresh },
        }),
    )
    .await;
    assert_eq!(refreshed.error_type(), "NotAuthorizedException");
    assert!(w.works(&second).await && w.works(&third).await);

    let mine = unsigned(&w, "ListUserSessions", json!({ "AccessToken": third })).await;
    assert_eq!(mine.status, 200, "{}", mine.json());
    let sessions = mine.json()["Sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 2);
    let id = regex::Regex::new("^tkn[a-z0-9]{25}$").unwrap();
    assert!(
        sessions
            .iter()
            .all(|s| id.is_match(s["SessionId"].as_str().unwrap())
                && s["SessionType"] == "TOKEN"
                && s["ClientId"] == w.client_id.as_str())
    );
    let current: Vec<&Value> = sessions
        .iter()
        .filter(|s| s["IsCurrentSession"] == true)
        .collect();
    assert_eq!(current.len(), 1);
    let other = sessions
        .iter()
        .find(|s| s["IsCurrentSession"] == false)
        .unwrap();

    // The caller's own session is not revoked this way; another one is.
    let own = unsigned(
        &w,
        "RevokeUserSession",
        json!({ "AccessToken": third, "SessionId": current[0]["SessionId"] }),
    )
    .await;
    assert_eq!(own.error_type(), "InvalidParameterException");
    let revoked = unsigned(
        &w,
        "RevokeUserSession",
        json!({ "AccessToken": third, "SessionId": other["SessionId"] }),
    )
    .await;
    assert_eq!(revoked.status, 200, "{}", revoked.json());
    assert!(!w.works(&second).await && w.works(&third).await);
    assert_eq!(w.admin_sessions().await.len(), 1);
    let gone = call(
        &w,
        "AdminRevokeUserSession",
        json!({ "UserPoolId": w.pool_id, "Username": "sam", "SessionId": other["SessionId"] }),
    )
    .await;
    assert_eq!(gone.error_type(), "ResourceNotFoundException");
}

#[tokio::test]
async fn an_sso_session_links_its_token_sessions_and_bounds_silent_sign_in() {
    let w = world("ESSENTIALS").await;
    ok(
        &w,
        "SetUserPoolSessionConfiguration",
        json!({
            "UserPoolId": w.pool_id, "UserSessionTracking": "ENABLED",
            "TokenSession": { "MaxPerUser": 10 },
        }),
    )
    .await;
    let browser = Browser::new();
    let landed = browser
        .sign_in(&w.authorize_url(), CALLBACK, "sam", PASSWORD)
        .await
        .unwrap();
    let code = landed
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let tokens = w.tokens_for(code).await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    assert!(w.signs_in_silently(&browser).await, "a live SSO session");

    let sessions = w.admin_sessions().await;
    let sso = sessions.iter().find(|s| s["SessionType"] == "SSO").unwrap();
    let token = sessions
        .iter()
        .find(|s| s["SessionType"] == "TOKEN")
        .unwrap();
    assert_eq!(token["OriginSessionId"], sso["SessionId"]);

    // The client reuses SSO sessions only for MaxValidityMinutes after the
    // last fresh sign-in: 0 asks every time.
    let client = json!({ "UserPoolId": w.pool_id, "ClientId": w.client_id });
    let default = ok(&w, "GetUserPoolClientSessionConfiguration", client.clone()).await;
    assert_eq!(default["SSOSession"]["MaxValidityMinutes"], 60);
    let mut zero = client.clone();
    zero["SSOSession"] = json!({ "MaxValidityMinutes": 0 });
    ok(&w, "SetUserPoolClientSessionConfiguration", zero).await;
    assert!(!w.signs_in_silently(&browser).await);
    let mut hour = client;
    hour["SSOSession"] = json!({ "MaxValidityMinutes": 60 });
    ok(&w, "SetUserPoolClientSessionConfiguration", hour).await;
    assert!(w.signs_in_silently(&browser).await);

    // Revoking the SSO session with LINKED ends the tokens it started, and
    // the browser has to sign in again.
    ok(
        &w,
        "AdminRevokeUserSession",
        json!({
            "UserPoolId": w.pool_id, "Username": "sam",
            "SessionId": sso["SessionId"], "RevokeAssociatedSessions": "LINKED",
        }),
    )
    .await;
    assert!(!w.works(&access).await);
    assert!(!w.signs_in_silently(&browser).await);
    assert!(w.admin_sessions().await.is_empty());
}

#[tokio::test]
async fn the_lite_plan_has_no_session_tracking() {
    let w = world("LITE").await;
    let set = call(
        &w,
        "SetUserPoolSessionConfiguration",
        json!({
            "UserPoolId": w.pool_id, "UserSessionTracking": "ENABLED",
            "TokenSession": { "MaxPerUser": 5 },
        }),
    )
    .await;
    assert_eq!(set.error_type(), "FeatureUnavailableInTierException");
    let client = call(
        &w,
        "SetUserPoolClientSessionConfiguration",
        json!({
            "UserPoolId": w.pool_id, "ClientId": w.client_id,
            "SSOSession": { "MaxValidityMinutes": 5 },
        }),
    )
    .await;
    assert_eq!(client.error_type(), "FeatureUnavailableInTierException");
}
