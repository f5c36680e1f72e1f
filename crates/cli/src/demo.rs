//! `cogkit demo`: every identity flow of the original study, offline, against
//! an embedded mock, printing each call and its response.

use cognito_flows::secret::Password;
use cognito_flows::transport::AwsCredentials;
use cognito_flows::*;
use mock_cognito::{MockCognito, SeedConfig};
use sdk_transport::Transports;
use serde_json::json;

use crate::show::call;
use crate::trace::Traced;

/// The seed the demo (and the README) uses.
pub const EXAMPLE_SEED: &str = include_str!("../../../examples/mock-config.toml");
const USER_POOL: &str = "ap-northeast-1_Example01";
const CLIENT: &str = "1example23456789abcdefghij";
const IDENTITY_POOL: &str = "ap-northeast-1:00000000-0000-4000-8000-000000000001";
const ROLE: &str = "arn:aws:iam::000000000000:role/ExampleAuthenticated";

struct Row {
    flow: &'static str,
    identity: String,
    role: String,
    ok: bool,
}

/// GetCallerIdentity signed with the credentials: the proof they work.
async fn caller_role(endpoint: &str, c: &AwsCredentials) -> Result<String, String> {
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::Config::builder()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new("ap-northeast-1"))
            .endpoint_url(endpoint)
            .credentials_provider(aws_credential_types::Credentials::new(
                c.access_key_id.clone(),
                c.secret_access_key.expose_secret(),
                Some(c.session_token.expose_secret().to_owned()),
                Some(c.expiration),
                "cogkit-demo",
            ))
            .build(),
    );
    let out = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| sdk_transport::from_sdk(e).to_string())?;
    let arn = out.arn().unwrap_or_default().to_owned();
    call(
        "GetCallerIdentity (STS, signed with those credentials)",
        &json!({"Arn": arn, "Account": out.account()}),
    );
    Ok(arn.split('/').nth(1).unwrap_or_default().to_owned())
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
    println!("cogkit demo: every Cognito identity flow, offline.");
    println!("mock-cognito is running at {endpoint}, seeded from examples/mock-config.toml.");
    println!("Secrets are shortened; every call below really ran against the mock.\n");
    let t = Transports::builder()
        .region("ap-northeast-1")
        .endpoint_url(endpoint.clone())
        .build()
        .await;
    let pool = IdentityPoolId::parse(IDENTITY_POOL).map_err(|e| e.to_string())?;
    let identities = IdentityPoolClient::new(Traced::new(t.identity_pool(), true), pool);
    let mut rows = Vec::new();

    println!("## 1. Unauthenticated: GetId, then GetCredentialsForIdentity\n");
    let guest = identities.unauthenticated(None).await;
    rows.push(finish("1. unauthenticated", guest, &endpoint).await);

    println!("\n## 2. User-pool federation: SRP sign-in, then the IdToken as a login\n");
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
    rows.push(finish("2. user-pool federation (SRP)", federated, &endpoint).await);

    println!("\n## 3. Hosted UI with social sign-in\n");
    println!("(not run: the mock's hosted UI and OAuth2 endpoints are not implemented yet)");
    rows.push(Row {
        flow: "3. hosted UI + social sign-in",
        identity: "-".into(),
        role: "-".into(),
        ok: true,
    });

    println!("\n## 4. Direct external IdP: Facebook and Login with Amazon access tokens\n");
    println!("(tokens from the mock's fake providers, as if the user had signed in there)\n");
    let fb = mock
        .mint_provider_token(
            "graph.facebook.com",
            "1234567890",
            "10150000000000001",
            json!({}),
        )
        .map_err(|e| e.to_string())?;
    let facebook = identities
        .credentials(&Logins::new().facebook(fb.clone()), None, None)
        .await;
    rows.push(finish("4. direct IdP: Facebook", facebook, &endpoint).await);
    let amazon = mock
        .mint_provider_token(
            "www.amazon.com",
            "amzn1.application-oa2-client.example",
            "amzn1.account.EXAMPLE",
            json!({}),
        )
        .map_err(|e| e.to_string())?;
    let by_amazon = identities
        .credentials(&Logins::new().amazon(amazon), None, None)
        .await;
    rows.push(finish("4. direct IdP: Login with Amazon", by_amazon, &endpoint).await);

    println!("\n## Classic flow: GetOpenIdToken, then STS AssumeRoleWithWebIdentity\n");
    let classic = identities
        .classic(
            &Traced::new(t.sts(), true),
            &Logins::new().facebook(fb),
            None,
            ROLE,
            "cogkit-demo",
        )
        .await;
    rows.push(finish("classic flow (STS)", classic, &endpoint).await);

    println!("\n## Summary\n");
    println!("{:<34} {:<52} {:<22} result", "flow", "IdentityId", "role");
    for r in &rows {
        let result = match (r.ok, r.identity.as_str()) {
            (true, "-") => "skipped",
            (true, _) => "ok",
            (false, _) => "FAILED",
        };
        println!("{:<34} {:<52} {:<22} {result}", r.flow, r.identity, r.role);
    }
    if rows.iter().all(|r| r.ok) {
        Ok(())
    } else {
        Err("some flows failed (see above)".to_owned())
    }
}

async fn finish(
    flow: &'static str,
    result: Result<IdentityCredentials, FlowError>,
    endpoint: &str,
) -> Row {
    match result {
        Ok(c) => match caller_role(endpoint, &c.credentials).await {
            Ok(role) => Row {
                flow,
                identity: c.identity_id.to_string(),
                role,
                ok: true,
            },
            Err(e) => {
                println!("GetCallerIdentity failed: {e}");
                Row {
                    flow,
                    identity: c.identity_id.to_string(),
                    role: "?".into(),
                    ok: false,
                }
            }
        },
        Err(e) => {
            println!("failed: {e}");
            Row {
                flow,
                identity: "-".into(),
                role: "-".into(),
                ok: false,
            }
        }
    }
}
