//! `cogkit demo`: every identity flow of the original study, offline, against
//! an embedded mock, printing each call and its response.

use cognito_flows::observe::shorten;
use cognito_flows::secret::Password;
use cognito_flows::wire::encoding::{form_encode, form_value};
use cognito_flows::wire::{SocialProvider, json::json};
use cognito_flows::*;
use mock_cognito::browser::Browser;
use mock_cognito::{MockCognito, SeedConfig};
use sdk_transport::{SdkIdentityPool, SdkSts, Transports};

use crate::error::CliError;
use crate::show::call;
use crate::trace::{Traced, traced};

/// The seed the demo (and the README) uses.
pub const EXAMPLE_SEED: &str = include_str!("../../../examples/mock-config.toml");
const USER_POOL: &str = "ap-northeast-1_Example01";
const CLIENT: &str = "1example23456789abcdefghij";
const IDENTITY_POOL: &str = "ap-northeast-1:00000000-0000-4000-8000-000000000001";
const ROLE: &str = "arn:aws:iam::000000000000:role/ExampleAuthenticated";
const CALLBACK: &str = "http://localhost:8080/callback";
/// The seed's provider test users: (provider, app id, login, password).
const FACEBOOK: (SocialProvider, &str, &str, &str) = (
    SocialProvider::Facebook,
    "1234567890",
    "carol@example.com",
    "facebook-pass",
);
const AMAZON: (SocialProvider, &str, &str, &str) = (
    SocialProvider::LoginWithAmazon,
    "amzn1.application-oa2-client.example",
    "dave@example.com",
    "amazon-pass",
);

type Identities = IdentityPoolClient<Traced<std::sync::Arc<SdkIdentityPool>>>;

/// A summary line: (flow, IdentityId, role, ok).
type Row = (&'static str, String, String, bool);

/// Proves credentials with STS GetCallerIdentity signed with them, and makes
/// the summary line.
async fn finish(
    flow: &'static str,
    result: Result<IdentityCredentials, FlowError>,
    sts: &SdkSts,
) -> Row {
    let c = match result {
        Ok(c) => c,
        Err(e) => {
            outln!("failed: {e}");
            return (flow, "-".into(), "-".into(), false);
        }
    };
    let identity = c.identity_id.to_string();
    match crate::show::caller(sts, &c.credentials).await {
        Ok(who) => (flow, identity, who.role_name().unwrap_or("?").into(), true),
        Err(e) => {
            outln!("GetCallerIdentity failed: {e}");
            (flow, identity, "?".into(), false)
        }
    }
}

pub async fn run() -> Result<(), CliError> {
    let seed = SeedConfig::from_toml(EXAMPLE_SEED).map_err(CliError::Input)?;
    let mock = MockCognito::builder()
        .seed(seed)
        .start()
        .await
        .map_err(|e| CliError::Input(e.to_string()))?;
    let endpoint = mock.endpoint();
    outln!("cogkit demo: every Cognito identity flow, offline.");
    outln!("mock-cognito is running at {endpoint}, seeded from examples/mock-config.toml.");
    outln!("Secrets are shortened; every call below really ran against the mock.\n");
    let t = Transports::builder()
        .region("ap-northeast-1")
        .endpoint_url(endpoint.clone())
        .build()
        .await;
    let (sts, pool) = (t.sts(), UserPoolId::parse(USER_POOL)?);
    let identities = IdentityPoolClient::new(
        traced(t.identity_pool(), true),
        IdentityPoolId::parse(IDENTITY_POOL)?,
    );
    let mut rows = Vec::new();

    outln!("## 1. Unauthenticated: GetId, then GetCredentialsForIdentity\n");
    let guest = identities.unauthenticated(None).await;
    rows.push(finish("1. unauthenticated", guest, &sts).await);

    outln!("\n## 2. User-pool federation: SRP sign-in, then the IdToken as a login\n");
    let users = UserPoolClient::new(
        traced(t.user_pool(), true),
        pool.clone(),
        ClientId::parse(CLIENT)?,
    );
    let federated = async {
        match users
            .sign_in_srp("alice", &Password::new("Passw0rd!"))
            .await?
        {
            SignInResult::SignedIn(tokens) => {
                let logins = Logins::new().user_pool(&pool, &tokens.id_token);
                identities.credentials(&logins, None, None).await
            }
            SignInResult::NextStep(step) => {
                Err(FlowError::protocol(format!("unexpected {step:?}")))
            }
        }
    };
    rows.push(finish("2. user-pool federation (SRP)", federated.await, &sts).await);

    outln!(
        "\n## 3. Hosted UI with social sign-in: authorization code + PKCE, then the id_token as a login\n"
    );
    outln!("(a scripted browser signs in on the hosted UI and the mock's fake provider pages)\n");
    for (label, user) in [
        ("3. hosted UI: Facebook", FACEBOOK),
        ("3. hosted UI: Login with Amazon", AMAZON),
    ] {
        let result = hosted_ui(&endpoint, &identities, &pool, user).await;
        rows.push(finish(label, result, &sts).await);
    }

    outln!("\n## 4. Direct external IdP: Facebook and Login with Amazon access tokens\n");
    outln!("(each token comes from signing in on the mock's fake provider page, implicit grant)\n");
    let mut facebook_token = None;
    for (label, user) in [
        ("4. direct IdP: Facebook", FACEBOOK),
        ("4. direct IdP: Login with Amazon", AMAZON),
    ] {
        let result = async {
            let token = provider_token(&endpoint, user).await?;
            let logins = Logins::new().custom(user.0.login_key(), token.clone());
            facebook_token.get_or_insert(token);
            identities.credentials(&logins, None, None).await
        };
        rows.push(finish(label, result.await, &sts).await);
    }

    outln!("\n## Classic flow: GetOpenIdToken, then STS AssumeRoleWithWebIdentity\n");
    let classic = match facebook_token {
        Some(token) => {
            let logins = Logins::new().facebook(token);
            identities
                .classic(
                    &traced(sts.clone(), true),
                    &logins,
                    None,
                    ROLE,
                    "cogkit-demo",
                )
                .await
        }
        None => Err(FlowError::NoLogin("no Facebook token (see above)".into())),
    };
    rows.push(finish("classic flow (STS)", classic, &sts).await);

    outln!("\n## Summary\n");
    outln!("{:<34} {:<52} {:<22} result", "flow", "IdentityId", "role");
    for (flow, identity, role, ok) in &rows {
        let result = crate::out::verdict(if *ok { "ok" } else { "FAILED" }, *ok);
        outln!("{flow:<34} {identity:<52} {role:<22} {result}");
    }
    match rows.iter().all(|r| r.3) {
        true => Ok(()),
        false => Err(CliError::Input("some flows failed (see above)".into())),
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
    identities: &Identities,
    pool: &UserPoolId,
    (provider, _, login, password): (SocialProvider, &str, &str, &str),
) -> Result<IdentityCredentials, FlowError> {
    let ui = HostedUi::new(
        &format!("{endpoint}/example"),
        ClientId::parse(CLIENT)?,
        CALLBACK,
    )?
    .with_scopes(&["openid", "email", "profile"]);
    let pending = ui.begin(None);
    let name = provider.provider_name();
    call(
        "GET /example/oauth2/authorize (in the browser)",
        &json!({"url": pending.url().as_str().split('?').next(), "code_challenge_method": "S256",
                "then": format!("the sign-in page, the {name} button, {name}'s page as {login}")}),
    );
    let callback = Browser::new()
        .sign_in_with_provider(pending.url().as_str(), CALLBACK, name, login, password)
        .await
        .map_err(browser_error)?;
    let code = form_value(callback.split_once('?').map_or("", |(_, q)| q), "code");
    call(
        "the browser comes back to the app",
        &json!({"redirect_uri": CALLBACK, "code": code.as_deref().map(shorten)}),
    );
    let oauth = traced(sdk_transport::HttpOAuth2::default(), true);
    let tokens = pending
        .complete(&oauth, Callback::Redirect(callback))
        .await?;
    let logins = Logins::new().user_pool(pool, &tokens.id_token);
    identities.credentials(&logins, None, None).await
}

/// Flow 4's token: signs in on a fake provider's page with the implicit
/// grant, as a browser app would, and reads the token from the fragment.
async fn provider_token(
    endpoint: &str,
    (provider, app_id, login, password): (SocialProvider, &str, &str, &str),
) -> Result<String, FlowError> {
    let slug = match provider {
        SocialProvider::LoginWithAmazon => "amazon",
        _ => "facebook",
    };
    let query = form_encode(&[
        ("client_id", app_id),
        ("redirect_uri", CALLBACK),
        ("response_type", "token"),
        ("state", "demo"),
    ]);
    let url = format!("{endpoint}/idp/{slug}/authorize?{query}");
    let callback = Browser::new()
        .sign_in_with_provider(&url, CALLBACK, slug, login, password)
        .await
        .map_err(browser_error)?;
    let fragment = callback.split_once('#').map(|(_, f)| f).unwrap_or_default();
    let token = form_value(fragment, "access_token")
        .ok_or_else(|| FlowError::protocol("the provider's redirect has no access_token"))?;
    call(
        &format!("{slug}: sign-in page, then the redirect with the token"),
        &json!({"access_token": shorten(&token), "token_type": "bearer", "app_id": app_id}),
    );
    Ok(token)
}
