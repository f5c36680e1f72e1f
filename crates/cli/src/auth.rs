//! Where to reach Cognito and which pool, and `cogkit credentials` /
//! `cogkit credential-process`.

use clap::{Args, ValueEnum};
use cognito_flows::secret::ClientSecret;
use cognito_flows::wire::{SocialProvider, json::json};
use cognito_flows::*;
use sdk_transport::{SdkUserPool, Transports};

use crate::error::CliError;
use crate::prompt::or_ask;
use crate::trace::{Traced, traced};

/// Where to reach Cognito.
#[derive(Debug, Clone, Args)]
pub struct Endpoint {
    /// AWS region (default: from the pool id, AWS_REGION or the config files).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Send every request here instead of AWS (e.g. a `cogkit mock serve`).
    /// The AWS_ENDPOINT_URL* variables work too.
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,
}

impl Endpoint {
    pub async fn transports(&self, region_hint: Option<&str>) -> Transports {
        let mut b = Transports::builder();
        if let Some(r) = self.region.as_deref().or(region_hint) {
            b = b.region(r);
        }
        if let Some(u) = &self.endpoint_url {
            b = b.endpoint_url(u.clone());
        }
        b.build().await
    }
}

/// The user pool and app client to sign in to.
#[derive(Debug, Clone, Args)]
pub struct UserPoolArgs {
    /// The user pool id (`<region>_<name>`).
    #[arg(long, env = "COGKIT_USER_POOL_ID")]
    pub user_pool_id: Option<String>,
    /// The app client id.
    #[arg(long, env = "COGKIT_CLIENT_ID")]
    pub client_id: Option<String>,
    /// The app client secret, for clients that have one.
    #[arg(long, env = "COGKIT_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: Option<String>,
}

/// A user pool's client through the SDK, printing each call when `verbose`.
pub type Users = UserPoolClient<Traced<std::sync::Arc<SdkUserPool>>>;

impl UserPoolArgs {
    /// The pool and app client, asked for when missing.
    pub fn ids(&self) -> Result<(UserPoolId, ClientId), CliError> {
        let pool = UserPoolId::parse(&or_ask(self.user_pool_id.as_deref(), "User pool id: ")?)?;
        let client = ClientId::parse(&or_ask(self.client_id.as_deref(), "App client id: ")?)?;
        Ok((pool, client))
    }

    /// The client of `pool` and `client` over `t` (with this secret).
    pub fn client(
        &self,
        t: &Transports,
        (pool, client): (UserPoolId, ClientId),
        verbose: bool,
    ) -> Users {
        let mut users = UserPoolClient::new(traced(t.user_pool(), verbose), pool, client);
        if let Some(secret) = &self.client_secret {
            users = users.with_client_secret(ClientSecret::new(secret.clone()));
        }
        users
    }
}

/// Who the credentials are for.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Provider {
    /// A user-pool sign-in (cached by `cogkit login`).
    Cognito,
    /// Facebook.
    Facebook,
    /// Login with Amazon.
    Amazon,
    /// Google.
    Google,
    /// Sign in with Apple.
    Apple,
}

impl Provider {
    /// The social provider, for all but `cognito`.
    pub fn social(self) -> Option<SocialProvider> {
        match self {
            Provider::Cognito => None,
            Provider::Facebook => Some(SocialProvider::Facebook),
            Provider::Amazon => Some(SocialProvider::LoginWithAmazon),
            Provider::Google => Some(SocialProvider::Google),
            Provider::Apple => Some(SocialProvider::SignInWithApple),
        }
    }
}

/// The credentials command's choice of login.
#[derive(Debug, Clone, Args)]
pub struct CredentialsArgs {
    /// The identity pool (`<region>:<uuid>`).
    #[arg(long, env = "COGKIT_IDENTITY_POOL_ID")]
    pub identity_pool_id: String,
    /// Guest credentials, without a login.
    #[arg(long, conflicts_with = "login")]
    pub unauthenticated: bool,
    /// The login to use. `cognito` uses (and refreshes) the tokens cached by
    /// `cogkit login`; the others take `--token`.
    #[arg(long, value_enum)]
    pub login: Option<Provider>,
    /// The provider's token (Facebook/Amazon access token, Google/Apple ID token).
    #[arg(long, env = "COGKIT_PROVIDER_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    #[command(flatten)]
    pub user_pool: UserPoolArgs,
}

/// The cached sign-in's ID token as a login, refreshed (and cached again)
/// when it has expired.
async fn cached_login(t: &Transports, args: &UserPoolArgs) -> Result<Logins, CliError> {
    let (Some(pool), Some(client)) = (&args.user_pool_id, &args.client_id) else {
        return Err(CliError::Usage(
            "--login cognito needs --user-pool-id and --client-id".into(),
        ));
    };
    let ids = (UserPoolId::parse(pool)?, ClientId::parse(client)?);
    let store = TokenStore::from_env()?;
    store
        .logins(args.client(t, ids, false))
        .await
        .map_err(|e| match e {
            FlowError::NoLogin(why) => CliError::Input(format!("{why}: run `cogkit login` first")),
            other => CliError::Input(format!("the cached sign-in: {other}")),
        })
}

async fn fetch(
    endpoint: &Endpoint,
    args: &CredentialsArgs,
) -> Result<IdentityCredentials, CliError> {
    let pool = IdentityPoolId::parse(&args.identity_pool_id)?;
    let t = endpoint.transports(Some(pool.region())).await;
    let logins = match args.login.filter(|_| !args.unauthenticated) {
        None => Logins::new(),
        Some(Provider::Cognito) => cached_login(&t, &args.user_pool).await?,
        Some(p) => {
            let token = args.token.clone().ok_or_else(|| {
                CliError::Usage("this login needs --token (or COGKIT_PROVIDER_TOKEN)".into())
            })?;
            let social = p.social().unwrap_or(SocialProvider::Facebook);
            Logins::new().custom(social.login_key(), token)
        }
    };
    Ok(IdentityPoolClient::new(t.identity_pool(), pool)
        .credentials(&logins, None, None)
        .await?)
}

/// `cogkit credentials`: JSON, or `export` lines for a shell.
pub async fn credentials(
    endpoint: &Endpoint,
    args: &CredentialsArgs,
    export: bool,
    output: crate::show::Output,
) -> Result<(), CliError> {
    crate::out::status(&format!(
        "getting credentials from identity pool {} …",
        args.identity_pool_id
    ));
    let c = fetch(endpoint, args).await?;
    if export {
        for line in aws_output::export_lines(&c.credentials) {
            outln!("{line}");
        }
    } else {
        let mut out = aws_output::credentials_json(&c.credentials);
        out["IdentityId"] = json!(c.identity_id.as_str());
        crate::show::print(&out, output);
    }
    Ok(())
}

/// `cogkit credential-process`: the AWS `credential_process` JSON.
pub async fn credential_process(
    endpoint: &Endpoint,
    args: &CredentialsArgs,
) -> Result<(), CliError> {
    let c = fetch(endpoint, args).await?;
    outln!("{}", aws_output::credential_process_json(&c.credentials));
    Ok(())
}
