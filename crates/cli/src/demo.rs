//! `cogkit demo`: every identity flow of the original study, offline, against
//! an embedded mock, printing each call and its response.

use cognito_flows::secret::Password;
use cognito_flows::transport::AwsCredentials;
use cognito_flows::*;
use mock_cognito::browser::Browser;
use mock_cognito::{MockCognito, SeedConfig};
use sdk_transport::Transports;
use serde_json::json;

use crate::show::{call, shorten};
use crate::trace::Traced;

/// The seed the demo (and the README) uses.
pub const EXAMPLE_SEED: &str = include_str!("../../../examples/mock-config.toml");
const USER_POOL: &str = "ap-northeast-1_Example01";
const CLIENT: &str = "1example23456789abcdefghij";
const IDENTITY_POOL: &str = "ap-northeast-1:00000000-0000-4000-8000-000000000001";
const ROLE: &str = "arn:aws:iam::000000000000:role/ExampleAuthenticated";
const CALLBACK: &str = "http://localhost:8080/callback";
const FACEBOOK_APP: &str = "1234567890";
const AMAZON_APP: &str = "amzn1.application-oa2-client.example";

struct Row {
    flow: &'static str,
    identity: String,
    role: String,
    ok: bool,
}

/// GetCallerIdentity signed with the credentials: the proof they work.
async fn caller_role(sts: &sdk_transport::SdkSts, c: &AwsCredentials) -> Result<String, String> {
    let who = sts.caller_identity(c).await.map_err(|e| e.to_string())?;
    call(
        "GetCallerIdentity (STS, signed with those credentials)",
        &json!({"Arn": who.arn, "Account": who.account}),
    );
    Ok(who.role_name().unwrap_or_default().to_owned())
}

pub fn run() -> Result<(), String> {
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(demo())
}

async fn demo() -> Result<(), String> {
    let seed = SeedConfig::from_toml(EXAMPLE_SEED)?;
    let mock = MockCognito::builder()
        .seed(seed)
        .start()
        .await
        .map_err(|e| e.to_string())?;
    let endpoint = mock.endpoint();
    outln!("cogkit demo: every Cognito identity flow, offline.");
    outln!("mock-cognito is running at {endpoint}, seeded from examples/mock-config.toml.");
    outln!("Secrets are shortened; every call below really ran against the mock.\n");
    let t = Transports::builder()
        .region("ap-northeast-1")
        .endpoint_url(endpoint.clone())
        .build()
        .await;
    let pool = IdentityPoolId::parse(IDENTITY_POOL).map_err(|e| e.to_string())?;
    let identities = IdentityPoolClient::new(Traced::new(t.identity_pool(), true), pool);
    let mut rows = Vec::new();

    outln!("## 1. Unauthenticated: GetId, then GetCredentialsForIdentity\n");
    let guest = identities.unauthenticated(None).await;
    rows.push(finish("1. unauthenticated", guest, &t.sts()).await);

    outln!("\n## 2. User-pool federation: SRP sign-in, then the IdToken as a login\n");
    let user_pool = UserPoolId::parse(USER_POOL).map_err(|e| e.to_string())?;
    let users = UserPoolClient::new(
        Traced::new(t.user_pool(), true),
        user_pool.clone(),
        ClientId::parse(CLIENT).map_err(|e| e.to_string())?,
    );
    let federated = match users
        .sign_in_srp("alice", &Password::new("Passw0rd!"))
        .await
    {
        Ok(SignInResult::SignedIn(tokens)) => {
            identities
                .credentials(
                    &Logins::new().user_pool(&user_pool, &tokens.id_token),
                    None,
                    None,
                )
                .await
        }
        Ok(SignInResult::NextStep(step)) => Err(FlowError::protocol(format!(
            "unexpected challenge {step:?}"
        ))),
        Err(e) => Err(e),
    };
    rows.push(finish("2. user-pool federation (SRP)", federated, &t.sts()).await);

    outln!(
        "\n## 3. Hosted UI with social sign-in: authorization code + PKCE, then the id_token as a login\n"
    );
    outln!("(a scripted browser signs in on the hosted UI and the mock's fake provider pages)\n");
    for (label, provider, login, password) in [
        (
            "3. hosted UI: Facebook",
            "Facebook",
            "carol@example.com",
            "facebook-pass",
        ),
        (
            "3. hosted UI: Login with Amazon",
            "LoginWithAmazon",
            "dave@example.com",
            "amazon-pass",
        ),
    ] {
        let result = hosted_ui(
            &endpoint,
            &identities,
            &user_pool,
            provider,
            login,
            password,
        )
        .await;
        rows.push(finish(label, result, &t.sts()).await);
    }

    outln!("\n## 4. Direct external IdP: Facebook and Login with Amazon access tokens\n");
    outln!("(each token comes from signing in on the mock's fake provider page, implicit grant)\n");
    let fb = provider_token(
        &endpoint,
        "facebook",
        FACEBOOK_APP,
        "carol@example.com",
        "facebook-pass",
    )
    .await;
    let facebook = match &fb {
        Ok(token) => {
            identities
                .credentials(&Logins::new().facebook(token.clone()), None, None)
                .await
        }
        Err(e) => Err(e.clone()),
    };
    rows.push(finish("4. direct IdP: Facebook", facebook, &t.sts()).await);
    let by_amazon = match provider_token(
        &endpoint,
        "amazon",
        AMAZON_APP,
        "dave@example.com",
        "amazon-pass",
    )
    .await
    {
        Ok(token) => {
            identities
                .credentials(&Logins::new().amazon(token), None, None)
                .await
        }
        Err(e) => Err(e),
    };
    rows.push(finish("4. direct IdP: Login with Amazon", by_amazon, &t.sts()).await);

    outln!("\n## Classic flow: GetOpenIdToken, then STS AssumeRoleWithWebIdentity\n");
    let classic = match fb {
        Ok(token) => {
            identities
                .classic(
                    &Traced::new(t.sts(), true),
                    &Logins::new().facebook(token),
                    None,
                    ROLE,
                    "cogkit-demo",
                )
                .await
        }
        Err(e) => Err(e),
    };
    rows.push(finish("classic flow (STS)", classic, &t.sts()).await);

    outln!("\n## Summary\n");
    outln!("{:<34} {:<52} {:<22} result", "flow", "IdentityId", "role");
    for r in &rows {
        let result = crate::out::verdict(if r.ok { "ok" } else { "FAILED" }, r.ok);
        outln!("{:<34} {:<52} {:<22} {result}", r.flow, r.identity, r.role);
    }
    if rows.iter().all(|r| r.ok) {
        Ok(())
    } else {
        Err("some flows failed (see above)".to_owned())
    }
}

fn browser_error(e: mock_cognito::browser::BrowserError) -> FlowError {
    FlowError::Transport(format!("browser: {e}"))
}

/// Flow 3: the hosted UI, through an external provider's page, as a browser
/// does it; the code is exchanged with PKCE and the id_token used as the
/// user-pool login.
async fn hosted_ui(
    endpoint: &str,
    identities: &IdentityPoolClient<Traced<std::sync::Arc<sdk_transport::SdkIdentityPool>>>,
    user_pool: &UserPoolId,
    provider: &str,
    login: &str,
    password: &str,
) -> Result<IdentityCredentials, FlowError> {
    let ui = HostedUi::new(
        &format!("{endpoint}/example"),
        ClientId::parse(CLIENT)?,
        CALLBACK,
    )?
    .with_scopes(&["openid", "email", "profile"]);
    let request = ui.authorize_url(None);
    call(
        "GET /example/oauth2/authorize (in the browser)",
        &json!({"url": request.url.as_str().split('?').next(), "code_challenge_method": "S256",
                "then": format!("the sign-in page, the {provider} button, {provider}'s page as {login}")}),
    );
    let callback = Browser::new()
        .sign_in_with_provider(request.url.as_str(), CALLBACK, provider, login, password)
        .await
        .map_err(browser_error)?;
    let code = ui.parse_callback(&callback, &request.state)?;
    call(
        "the browser comes back to the app",
        &json!({"redirect_uri": CALLBACK, "code": shorten(code.expose_secret()), "state": "(matches)"}),
    );
    let oauth = Traced::new(sdk_transport::HttpOAuth2::default(), true);
    let tokens = ui
        .exchange_code(&oauth, &code, &request.pkce_verifier)
        .await?;
    let tokens = ui.check_tokens(tokens, &request.nonce)?;
    identities
        .credentials(
            &Logins::new().user_pool(user_pool, &tokens.id_token),
            None,
            None,
        )
        .await
}

/// Flow 4's token: signs in on a fake provider's page with the implicit
/// grant, as a browser app would, and reads the token from the fragment.
async fn provider_token(
    endpoint: &str,
    provider: &str,
    app_id: &str,
    login: &str,
    password: &str,
) -> Result<String, FlowError> {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", app_id)
        .append_pair("redirect_uri", CALLBACK)
        .append_pair("response_type", "token")
        .append_pair("state", "demo")
        .finish();
    let url = format!("{endpoint}/idp/{provider}/authorize?{query}");
    let callback = Browser::new()
        .sign_in_with_provider(&url, CALLBACK, provider, login, password)
        .await
        .map_err(browser_error)?;
    let fragment = callback.split_once('#').map(|(_, f)| f).unwrap_or_default();
    let token = url::form_urlencoded::parse(fragment.as_bytes())
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| FlowError::protocol("the provider's redirect has no access_token"))?;
    call(
        &format!("{provider}: sign-in page, then the redirect with the token"),
        &json!({"access_token": shorten(&token), "token_type": "bearer", "app_id": app_id}),
    );
    Ok(token)
}

async fn finish(
    flow: &'static str,
    result: Result<IdentityCredentials, FlowError>,
    sts: &sdk_transport::SdkSts,
) -> Row {
    match result {
        Ok(c) => match caller_role(sts, &c.credentials).await {
            Ok(role) => Row {
                flow,
                identity: c.identity_id.to_string(),
                role,
                ok: true,
            },
            Err(e) => {
                outln!("GetCallerIdentity failed: {e}");
                Row {
                    flow,
                    identity: c.identity_id.to_string(),
                    role: "?".into(),
                    ok: false,
                }
            }
        },
        Err(e) => {
            outln!("failed: {e}");
            Row {
                flow,
                identity: "-".into(),
                role: "-".into(),
                ok: false,
            }
        }
    }
}
