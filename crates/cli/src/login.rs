//! `cogkit login`: the study's prompt, SRP and the hosted UI, then the
//! identity pool's credentials.

use std::io::IsTerminal;
use std::time::Duration;

use clap::Args;
use cognito_flows::prompt::PromptedAnswers;
use cognito_flows::secret::{ClientSecret, Password};
use cognito_flows::wire::{SocialProvider, issuer};
use cognito_flows::*;
use sdk_transport::{LoopbackLogin, SystemBrowser};

use crate::auth::{Endpoint, Provider, UserPoolArgs};
use crate::error::CliError;
use crate::prompt::{AtTerminal, ask, or_ask, stdin_line};
use crate::trace::traced;

/// How to sign in to the user pool.
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum Flow {
    /// SRP: the password never leaves this machine.
    Srp,
    /// USER_PASSWORD_AUTH (the app client must allow it).
    Password,
    /// Choice-based sign-in (USER_AUTH): --factor, or the pool's choice
    /// asked at the terminal (a code by email or text, or the password).
    UserAuth,
}

/// A first factor of choice-based sign-in (`--flow user-auth`).
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum Factor {
    /// The password, with SRP.
    PasswordSrp,
    /// The password, sent to the service.
    Password,
    /// A code sent by email.
    EmailOtp,
    /// A code sent by text message.
    SmsOtp,
}

impl Factor {
    fn first_factor(self) -> FirstFactor {
        match self {
            Factor::PasswordSrp => FirstFactor::PasswordSrp,
            Factor::Password => FirstFactor::Password,
            Factor::EmailOtp => FirstFactor::EmailOtp,
            Factor::SmsOtp => FirstFactor::SmsOtp,
        }
    }
}

/// `cogkit login --hosted-ui`, and the facebook/amazon answers: the
/// browser sign-in.
#[derive(Debug, Clone, Args)]
pub struct HostedUiArgs {
    /// Sign in through the pool's hosted UI in a browser (authorization code
    /// with PKCE) instead of SRP: social providers and the pool's own page.
    #[arg(long)]
    pub hosted_ui: bool,
    /// The hosted UI's domain prefix: `https://<prefix>.auth.<region>.amazoncognito.com`,
    /// or `<endpoint-url>/<prefix>` with --endpoint-url (asked for at a
    /// terminal when missing).
    #[arg(long, env = "COGKIT_DOMAIN")]
    pub domain: Option<String>,
    /// The hosted UI's base URL (a custom domain); overrides --domain.
    #[arg(long)]
    pub hosted_ui_url: Option<String>,
    /// The app client's registered callback URL. When it is
    /// `http://localhost:<port>/<path>`, cogkit listens there for the
    /// browser; otherwise it asks for the code.
    #[arg(long, default_value = "http://localhost:8080/callback")]
    pub redirect_uri: String,
    /// Skip the chooser and go to this provider (`Facebook`,
    /// `LoginWithAmazon`, `Google`, `SignInWithApple`, an OIDC name, `COGNITO`).
    #[arg(long)]
    pub identity_provider: Option<String>,
    /// The scopes to request.
    #[arg(long, default_value = "openid email profile")]
    pub scope: String,
    /// Do not open a browser: print the sign-in URL, and at a terminal ask
    /// for the code (`Enter Code:`).
    #[arg(long)]
    pub no_browser: bool,
    /// Seconds to wait for the browser to come back.
    #[arg(long, default_value_t = 300)]
    pub timeout: u64,
}

/// What `cogkit login` was asked to do (its command-line options).
#[derive(Debug, Args)]
pub struct LoginRequest {
    #[command(flatten)]
    pub user_pool: UserPoolArgs,
    #[command(flatten)]
    pub hosted: HostedUiArgs,
    /// The username (asked for when missing).
    #[arg(long)]
    pub username: Option<String>,
    /// How to sign in.
    #[arg(long, value_enum, default_value = "srp")]
    pub flow: Flow,
    /// With --flow user-auth: the first factor to ask the pool for
    /// (without it, the pool offers a choice, asked at the terminal).
    #[arg(long, value_enum, requires = "flow")]
    pub factor: Option<Factor>,
    /// Confirm and remember the device this sign-in is given (when the
    /// pool tracks devices): its key and secret are kept with the cached
    /// tokens (owner-only), and later sign-ins as the same user prove it
    /// with device SRP, skipping MFA where the pool allows.
    #[arg(long)]
    pub remember_device: bool,
    /// Read the password from standard input instead of a hidden prompt.
    #[arg(long)]
    pub password_stdin: bool,
    /// Print each Cognito call and its response (secrets shortened).
    #[arg(long, short)]
    pub verbose: bool,
    /// Also get AWS credentials from this identity pool after signing in.
    #[arg(long, env = "COGKIT_IDENTITY_POOL_ID")]
    pub identity_pool_id: Option<String>,
    /// Sign in with this provider. `cognito`: SRP (or --hosted-ui). The
    /// others: through the user pool's hosted UI with that provider, whose
    /// ID token is then the user-pool login (with --direct: the provider's
    /// own token as a direct identity-pool login). Without it, at a
    /// terminal, cogkit asks "sign in with (cognito, facebook, amazon)".
    #[arg(long, value_enum)]
    pub provider: Option<Provider>,
    /// With --provider: skip the user pool and use the provider's own token
    /// (a Facebook or Amazon access token, a Google or Apple ID token,
    /// asked for hidden) as a direct identity-pool login.
    #[arg(long, requires = "provider")]
    pub direct: bool,
}

/// How `cogkit login` signs in: from the options, or from the answer to the
/// study's prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    /// The user pool, with SRP / USER_PASSWORD_AUTH or its hosted UI.
    UserPool,
    /// The hosted UI, straight to this provider; its ID token is the
    /// user-pool login.
    Federated(SocialProvider),
    /// The provider's own token as a direct identity-pool login.
    Direct(SocialProvider),
    /// No sign-in: guest credentials.
    Guest,
}

/// The study's answers: anything but cognito, facebook or amazon goes on
/// unauthenticated, as its `else` branch does.
fn choice_from_answer(answer: &str) -> Choice {
    match answer.trim().to_ascii_lowercase().as_str() {
        "cognito" => Choice::UserPool,
        "facebook" => Choice::Federated(SocialProvider::Facebook),
        "amazon" => Choice::Federated(SocialProvider::LoginWithAmazon),
        _ => Choice::Guest,
    }
}

/// Signs in with SRP, USER_PASSWORD_AUTH or USER_AUTH, answering
/// challenges at the terminal, on the user's remembered device when the
/// cache has one; caches the tokens (and the device, with
/// --remember-device) and returns them as the identity-pool login.
async fn sign_in(
    endpoint: &Endpoint,
    r: &LoginRequest,
    ids: (UserPoolId, ClientId),
) -> Result<Logins, CliError> {
    if r.factor.is_some() && r.flow != Flow::UserAuth {
        return Err(CliError::Usage(
            "--factor goes with --flow user-auth".into(),
        ));
    }
    let t = endpoint.transports(Some(ids.0.region())).await;
    let mut users = r.user_pool.client(&t, ids.clone(), r.verbose);
    let username = or_ask(r.username.as_deref(), "Username: ")?;
    let store = TokenStore::from_env()?;
    if let Some(device) = store.load_device(&ids.0, &ids.1, &username)? {
        crate::out::status(&format!("on remembered device {}", device.device_key()));
        users = users.with_device(device);
    }
    let factor = r.factor.map(Factor::first_factor);
    // USER_AUTH asks for the password only for a password factor.
    let needs_password = match r.flow {
        Flow::UserAuth => factor.is_some_and(FirstFactor::needs_password),
        Flow::Srp | Flow::Password => true,
    };
    let password = match (needs_password, r.password_stdin) {
        (false, _) => None,
        (true, true) => Some(Password::new(stdin_line()?)),
        (true, false) => Some(Password::new(ask("Password: ", true)?)),
    };
    let flow = match r.flow {
        Flow::Srp => "SRP".to_owned(),
        Flow::Password => "USER_PASSWORD_AUTH".to_owned(),
        Flow::UserAuth => match factor {
            Some(f) => format!("USER_AUTH, {}", f.challenge()),
            None => "USER_AUTH".to_owned(),
        },
    };
    crate::out::status(&format!(
        "signing in to {} as {username} ({flow}) …",
        users.pool_id()
    ));
    let first = match (r.flow, &password) {
        (Flow::Srp, Some(p)) => users.sign_in_srp(&username, p).await?,
        (Flow::Password, Some(p)) => users.sign_in_password(&username, p).await?,
        (_, password) => {
            users
                .sign_in_user_auth(&username, factor, password.as_ref())
                .await?
        }
    };
    let tokens = users
        .finish_sign_in(first, &mut PromptedAnswers(AtTerminal))
        .await?;
    let remembered = match (r.remember_device, &tokens.new_device) {
        (true, Some(_)) => users.remember_device(&tokens, Some("cogkit")).await?,
        (true, None) if users.device().is_none() => {
            crate::out::status("(the pool gave this sign-in no device to remember)");
            None
        }
        _ => None,
    };
    let logins = signed_in(ids.clone(), &tokens)?;
    if let Some(device) = &remembered {
        store.save_with_device((&ids.0, &ids.1), &tokens, &username, device)?;
        crate::out::status(&format!("remembered device {}", device.device_key()));
    }
    Ok(logins)
}

/// The hosted UI's base URL for these arguments.
fn hosted_ui_base(
    endpoint: &Endpoint,
    args: &HostedUiArgs,
    pool: &UserPoolId,
) -> Result<String, CliError> {
    if let Some(url) = &args.hosted_ui_url {
        return Ok(url.clone());
    }
    let domain = or_ask(args.domain.as_deref(), "Hosted UI domain prefix: ").map_err(|e| {
        CliError::Usage(format!(
            "the hosted UI needs --domain <prefix> (or --hosted-ui-url): {e}"
        ))
    })?;
    let region = endpoint.region.as_deref().unwrap_or(pool.region());
    Ok(match &endpoint.endpoint_url {
        Some(url) => format!("{}/{domain}", url.trim_end_matches('/')),
        None => issuer::hosted_ui_url(&domain, region),
    })
}

/// Signs in through the hosted UI (with `identity_provider`, straight to
/// that provider's page). With a desktop browser it opens the URL and
/// receives the redirect on loopback; otherwise it prints the URL and asks
/// for the code; without a terminal it prints the URL and listens.
async fn hosted_sign_in(
    endpoint: &Endpoint,
    r: &LoginRequest,
    (pool, client): (UserPoolId, ClientId),
    identity_provider: Option<&str>,
    verbose: bool,
) -> Result<UserPoolTokens, CliError> {
    let hosted = &r.hosted;
    let base = hosted_ui_base(endpoint, hosted, &pool)?;
    let scopes: Vec<&str> = hosted.scope.split_whitespace().collect();
    let mut ui = HostedUi::new(&base, client, &hosted.redirect_uri)?.with_scopes(&scopes);
    if let Some(secret) = &r.user_pool.client_secret {
        ui = ui.with_client_secret(ClientSecret::new(secret.clone()));
    }
    let browser = SystemBrowser::from_env().filter(|_| !hosted.no_browser);
    let at_terminal = std::io::stdin().is_terminal();
    let login = LoopbackLogin::prepare(ui.begin(identity_provider), browser, at_terminal)
        .await
        .map_err(|e| match e {
            FlowError::InvalidInput(_) => CliError::Input(format!(
                "--redirect-uri must be http://localhost:<port>/<path> for cogkit to receive it, not {}",
                hosted.redirect_uri
            )),
            other => other.into(),
        })?;
    let oauth = traced(sdk_transport::HttpOAuth2::default(), verbose);
    let timeout = Duration::from_secs(hosted.timeout);
    Ok(login.run(&oauth, &mut AtTerminal, timeout).await?)
}

/// Caches a user-pool sign-in's tokens (keeping the user's remembered
/// device) and makes them the identity-pool login (under
/// `cognito-idp.<region>.amazonaws.com/<poolId>`).
fn signed_in(
    (pool, client): (UserPoolId, ClientId),
    tokens: &UserPoolTokens,
) -> Result<Logins, CliError> {
    let store = TokenStore::from_env()?;
    store.save(&pool, &client, tokens)?;
    outln!(
        "signed in as {}; tokens cached in {}",
        tokens.username.as_deref().unwrap_or("?"),
        store.path().display()
    );
    Ok(Logins::new().user_pool(&pool, &tokens.id_token))
}

/// `cogkit login`: like the original study, asks "sign in with (cognito,
/// facebook, amazon)" when nothing says which, signs in, and with an
/// identity pool prints GetId and GetCredentialsForIdentity, then who STS
/// says the credentials are.
pub async fn login(endpoint: &Endpoint, r: LoginRequest) -> Result<(), CliError> {
    // The study's question, when nothing else says how to sign in.
    let prompted = r.provider.is_none()
        && !r.hosted.hosted_ui
        && r.username.is_none()
        && !r.password_stdin
        && std::io::stdin().is_terminal();
    let choice = match r.provider.map(|p| (p, p.social())) {
        Some((_, None)) => Choice::UserPool,
        Some((_, Some(social))) if r.direct => Choice::Direct(social),
        Some((_, Some(social))) => Choice::Federated(social),
        None if prompted => {
            let answer = ask("sign in with (cognito, facebook, amazon): ", false)?;
            let choice = choice_from_answer(&answer);
            if choice == Choice::Guest {
                let what = match answer.trim() {
                    "" => "no sign-in".to_owned(),
                    other => format!("{other:?} is not cognito, facebook or amazon"),
                };
                crate::out::status(&format!(
                    "{what}: going on unauthenticated (guest credentials)"
                ));
            }
            choice
        }
        None => Choice::UserPool,
    };
    let logins = match choice {
        Choice::UserPool if r.hosted.hosted_ui => {
            let ids = r.user_pool.ids()?;
            let idp = r.hosted.identity_provider.as_deref();
            let tokens = hosted_sign_in(endpoint, &r, ids.clone(), idp, r.verbose).await?;
            signed_in(ids, &tokens)?
        }
        Choice::UserPool => {
            let ids = r.user_pool.ids()?;
            sign_in(endpoint, &r, ids).await?
        }
        Choice::Federated(p) => {
            crate::out::status(&format!(
                "signing in with {} through the user pool's hosted UI",
                p.display_name()
            ));
            let ids = r.user_pool.ids()?;
            // The study shows this call; so does the prompt.
            let verbose = r.verbose || prompted;
            let idp = Some(p.provider_name());
            let tokens = hosted_sign_in(endpoint, &r, ids.clone(), idp, verbose).await?;
            signed_in(ids, &tokens)?
        }
        Choice::Direct(p) => {
            let token = ask(&format!("{} token: ", p.display_name()), true)?;
            Logins::new().custom(p.login_key(), token)
        }
        Choice::Guest => Logins::new(),
    };
    let identity_pool = match r.identity_pool_id {
        Some(id) => id,
        // A user-pool sign-in is complete on its own (its tokens are cached).
        None if !prompted && matches!(choice, Choice::UserPool | Choice::Federated(_)) => {
            return Ok(());
        }
        None => ask("Identity pool id: ", false)?,
    };
    let pool = IdentityPoolId::parse(&identity_pool)?;
    let t = endpoint.transports(Some(pool.region())).await;
    // Like the study: show the identity-pool calls and their answers.
    let identities = IdentityPoolClient::new(traced(t.identity_pool(), true), pool);
    let got = identities.credentials(&logins, None, None).await?;
    if let Err(e) = crate::show::caller(&t.sts(), &got.credentials).await {
        crate::out::status(&format!(
            "(could not confirm the credentials with STS GetCallerIdentity: {e})"
        ));
    }
    Ok(())
}
