//! `cogkit login`, `cogkit credentials` and `cogkit credential-process`.

use std::io::{BufRead, IsTerminal, Write};

use clap::{Args, ValueEnum};
use cognito_flows::secret::{ClientSecret, Password};
use cognito_flows::*;
use sdk_transport::Transports;
use serde_json::json;

use crate::show::iso8601;
use crate::trace::Traced;

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

/// How to sign in to the user pool.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Flow {
    /// SRP: the password never leaves this machine.
    Srp,
    /// USER_PASSWORD_AUTH (the app client must allow it).
    Password,
}

/// Who the credentials are for.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Provider {
    /// A user-pool sign-in (cached by `cogkit login`).
    Cognito,
    /// A Facebook access token.
    Facebook,
    /// A Login with Amazon access token.
    Amazon,
    /// A Google ID token.
    Google,
    /// A Sign in with Apple ID token.
    Apple,
}

impl Provider {
    /// The provider's name at the hosted UI (`identity_provider=`).
    fn hosted_ui_name(self) -> &'static str {
        match self {
            Provider::Cognito => "COGNITO",
            Provider::Facebook => "Facebook",
            Provider::Amazon => "LoginWithAmazon",
            Provider::Google => "Google",
            Provider::Apple => "SignInWithApple",
        }
    }

    /// The provider as people call it.
    fn display_name(self) -> &'static str {
        match self {
            Provider::Cognito => "the user pool",
            Provider::Facebook => "Facebook",
            Provider::Amazon => "Login with Amazon",
            Provider::Google => "Google",
            Provider::Apple => "Sign in with Apple",
        }
    }

    /// The provider's own token as a direct identity-pool login.
    fn direct_login(self, token: String) -> Result<Logins, String> {
        Ok(match self {
            Provider::Facebook => Logins::new().facebook(token),
            Provider::Amazon => Logins::new().amazon(token),
            Provider::Google => Logins::new().google(token),
            Provider::Apple => Logins::new().apple(token),
            Provider::Cognito => {
                return Err("a user-pool sign-in is not a provider token: drop --direct".into());
            }
        })
    }
}

fn ask(prompt: &str, hidden: bool) -> Result<String, String> {
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "{} is needed and there is no terminal to ask on",
            prompt.trim_end_matches(": ")
        ));
    }
    if hidden {
        return rpassword::prompt_password(prompt).map_err(|e| e.to_string());
    }
    eprint!("{prompt}");
    std::io::stderr().flush().ok();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    Ok(line.trim().to_owned())
}

fn or_ask(value: Option<String>, prompt: &str, hidden: bool) -> Result<String, String> {
    match value {
        Some(v) if !v.is_empty() => Ok(v),
        _ => ask(prompt, hidden),
    }
}

fn user_pool_client(
    t: &Transports,
    args: &UserPoolArgs,
    verbose: bool,
) -> Result<UserPoolClient<Traced<std::sync::Arc<sdk_transport::SdkUserPool>>>, String> {
    let pool = UserPoolId::parse(&or_ask(args.user_pool_id.clone(), "User pool id: ", false)?)
        .map_err(|e| e.to_string())?;
    let client = ClientId::parse(&or_ask(args.client_id.clone(), "App client id: ", false)?)
        .map_err(|e| e.to_string())?;
    let mut c = UserPoolClient::new(Traced::new(t.user_pool(), verbose), pool, client);
    if let Some(secret) = &args.client_secret {
        c = c.with_client_secret(ClientSecret::new(secret.clone()));
    }
    Ok(c)
}

/// Signs in, answering challenges at the terminal; returns the tokens.
pub async fn sign_in(
    endpoint: &Endpoint,
    args: &UserPoolArgs,
    username: Option<String>,
    flow: Flow,
    password_stdin: bool,
    verbose: bool,
) -> Result<(UserPoolTokens, String, String), String> {
    let region = args
        .user_pool_id
        .as_deref()
        .and_then(|p| p.split('_').next())
        .map(str::to_owned);
    let t = endpoint.transports(region.as_deref()).await;
    let users = user_pool_client(&t, args, verbose)?;
    let username = or_ask(username, "Username: ", false)?;
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        Password::new(line.trim_end_matches(['\r', '\n']))
    } else {
        Password::new(ask("Password: ", true)?)
    };
    crate::out::status(&format!(
        "signing in to {} as {username} ({}) …",
        users.pool_id(),
        match flow {
            Flow::Srp => "SRP",
            Flow::Password => "USER_PASSWORD_AUTH",
        }
    ));
    let mut result = match flow {
        Flow::Srp => users.sign_in_srp(&username, &password).await,
        Flow::Password => users.sign_in_password(&username, &password).await,
    }
    .map_err(|e| e.to_string())?;
    loop {
        match result {
            SignInResult::SignedIn(tokens) => {
                return Ok((
                    tokens,
                    users.pool_id().to_string(),
                    users.client_id().to_string(),
                ));
            }
            SignInResult::NextStep(NextStep::NewPasswordRequired {
                challenge,
                required_attributes,
            }) => {
                eprintln!("A new password is required.");
                let new_password = Password::new(ask("New password: ", true)?);
                let mut attrs = Vec::new();
                for name in &required_attributes {
                    attrs.push((name.clone(), ask(&format!("{name}: "), false)?));
                }
                let pairs: Vec<(&str, &str)> = attrs
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                result = users
                    .respond_new_password(&challenge, &new_password, &pairs)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            SignInResult::NextStep(NextStep::SmsMfa {
                challenge,
                destination,
            }) => {
                let code = ask(
                    &format!(
                        "Code sent to {}: ",
                        destination.unwrap_or_else(|| "your phone".into())
                    ),
                    false,
                )?;
                result = users
                    .respond_mfa(&challenge, &code)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            SignInResult::NextStep(NextStep::SoftwareTokenMfa { challenge }) => {
                let code = ask("Authenticator code: ", false)?;
                result = users
                    .respond_mfa(&challenge, &code)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            SignInResult::NextStep(other) => {
                return Err(format!(
                    "the service asked for a challenge cogkit cannot answer yet: {other:?}"
                ));
            }
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

async fn fetch(
    endpoint: &Endpoint,
    args: &CredentialsArgs,
    verbose: bool,
) -> Result<IdentityCredentials, String> {
    let pool = IdentityPoolId::parse(&args.identity_pool_id).map_err(|e| e.to_string())?;
    let t = endpoint.transports(Some(pool.region())).await;
    let identities = IdentityPoolClient::new(Traced::new(t.identity_pool(), verbose), pool);
    let logins = match (args.unauthenticated, args.login) {
        (true, _) | (false, None) => Logins::new(),
        (false, Some(Provider::Cognito)) => {
            let pool_id = args
                .user_pool
                .user_pool_id
                .clone()
                .ok_or("--login cognito needs --user-pool-id")?;
            let client_id = args
                .user_pool
                .client_id
                .clone()
                .ok_or("--login cognito needs --client-id")?;
            let tokens = crate::session::load(&pool_id, &client_id)?.ok_or_else(|| {
                format!("no cached sign-in for {pool_id}/{client_id}: run `cogkit login` first")
            })?;
            let users = user_pool_client(&t, &args.user_pool, verbose)?;
            let session = UserPoolSession::new(users, tokens);
            let logins = session
                .logins()
                .await
                .map_err(|e| format!("refreshing the cached sign-in: {e}"))?;
            crate::session::save(&pool_id, &client_id, &session.tokens().await)?;
            logins
        }
        (false, Some(p)) => p.direct_login(
            args.token
                .clone()
                .ok_or("this login needs --token (or COGKIT_PROVIDER_TOKEN)")?,
        )?,
    };
    identities
        .credentials(&logins, None, None)
        .await
        .map_err(|e| e.to_string())
}

/// `cogkit credentials`: JSON, or `export` lines for a shell.
pub async fn credentials(
    endpoint: &Endpoint,
    args: &CredentialsArgs,
    export: bool,
    output: crate::show::Output,
) -> Result<(), String> {
    crate::out::status(&format!(
        "getting credentials from identity pool {} …",
        args.identity_pool_id
    ));
    let c = fetch(endpoint, args, false).await?;
    let cr = &c.credentials;
    if export {
        outln!("export AWS_ACCESS_KEY_ID={}", cr.access_key_id);
        outln!(
            "export AWS_SECRET_ACCESS_KEY={}",
            cr.secret_access_key.expose_secret()
        );
        outln!(
            "export AWS_SESSION_TOKEN={}",
            cr.session_token.expose_secret()
        );
        outln!(
            "export AWS_CREDENTIAL_EXPIRATION={}",
            iso8601(cr.expiration)
        );
    } else {
        let out = json!({
            "IdentityId": c.identity_id.as_str(),
            "AccessKeyId": cr.access_key_id,
            "SecretAccessKey": cr.secret_access_key.expose_secret(),
            "SessionToken": cr.session_token.expose_secret(),
            "Expiration": iso8601(cr.expiration),
        });
        crate::show::print(&out, output);
    }
    Ok(())
}

/// `cogkit credential-process`: the AWS `credential_process` JSON.
pub async fn credential_process(endpoint: &Endpoint, args: &CredentialsArgs) -> Result<(), String> {
    let c = fetch(endpoint, args, false).await?.credentials;
    let out = json!({
        "Version": 1,
        "AccessKeyId": c.access_key_id,
        "SecretAccessKey": c.secret_access_key.expose_secret(),
        "SessionToken": c.session_token.expose_secret(),
        "Expiration": iso8601(c.expiration),
    });
    outln!("{out}");
    Ok(())
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

/// The hosted UI's base URL for these arguments.
fn hosted_ui_base(
    endpoint: &Endpoint,
    args: &HostedUiArgs,
    pool: &UserPoolId,
) -> Result<String, String> {
    if let Some(url) = &args.hosted_ui_url {
        return Ok(url.clone());
    }
    let domain = or_ask(args.domain.clone(), "Hosted UI domain prefix: ", false)
        .map_err(|e| format!("the hosted UI needs --domain <prefix> (or --hosted-ui-url): {e}"))?;
    Ok(match &endpoint.endpoint_url {
        Some(url) => format!("{}/{domain}", url.trim_end_matches('/')),
        None => format!(
            "https://{domain}.auth.{}.amazoncognito.com",
            endpoint.region.as_deref().unwrap_or(pool.region())
        ),
    })
}

/// The loopback port and path of a redirect URI cogkit can listen on.
fn loopback_target(redirect_uri: &str) -> Result<(u16, String), String> {
    let url = url::Url::parse(redirect_uri)
        .map_err(|e| format!("--redirect-uri {redirect_uri:?}: {e}"))?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match (url.scheme(), loopback, url.port()) {
        ("http", true, Some(port)) => Ok((port, url.path().to_owned())),
        _ => Err(format!(
            "--redirect-uri must be http://localhost:<port>/<path> for cogkit to receive it, not {redirect_uri}"
        )),
    }
}

/// How to open a URL in this desktop's browser, if there is a desktop:
/// `$BROWSER` (with `%s` for the URL, as Python's `webbrowser` reads it),
/// `open` on macOS, `xdg-open` under X11 or Wayland.
fn browser_opener() -> Option<Vec<String>> {
    match std::env::var("BROWSER") {
        Ok(b) if !b.trim().is_empty() => Some(b.split_whitespace().map(str::to_owned).collect()),
        _ if cfg!(target_os = "macos") => Some(vec!["open".to_owned()]),
        _ if std::env::var_os("DISPLAY").is_some()
            || std::env::var_os("WAYLAND_DISPLAY").is_some() =>
        {
            Some(vec!["xdg-open".to_owned()])
        }
        _ => None,
    }
}

/// Opens `url` with `opener`; false if the opener failed at once (an
/// `xdg-open` with no browser to hand the URL to).
fn open_browser(mut opener: Vec<String>, url: &str) -> bool {
    if opener.iter().any(|w| w.contains("%s")) {
        for w in &mut opener {
            *w = w.replace("%s", url);
        }
    } else {
        opener.push(url.to_owned());
    }
    let spawned = std::process::Command::new(&opener[0])
        .args(&opener[1..])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let Ok(mut child) = spawned else {
        return false;
    };
    // Openers hand the URL over and exit; one still running after a moment
    // is a browser started in the foreground, which counts as opened.
    for _ in 0..30 {
        match child.try_wait() {
            Ok(Some(status)) => return status.success(),
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(100)),
            Err(_) => return false,
        }
    }
    true
}

/// What the person pasted at `Enter Code:`: the code alone, or the address
/// the browser ended at (whose `state` is then checked too).
fn pasted_code(
    ui: &HostedUi,
    request: &AuthorizationRequest,
    redirect_uri: &str,
    pasted: &str,
) -> Result<secret::AuthorizationCode, String> {
    let pasted = pasted.trim();
    if pasted.is_empty() {
        return Err("no code was entered".into());
    }
    if !pasted.contains("code=") && !pasted.contains("error=") {
        return Ok(secret::AuthorizationCode::new(pasted));
    }
    let callback = if pasted.contains("://") {
        pasted.to_owned()
    } else {
        format!("{redirect_uri}?{}", pasted.trim_start_matches('?'))
    };
    ui.parse_callback(&callback, &request.state)
        .map_err(|e| e.to_string())
}

/// Signs in through the hosted UI (with `identity_provider`, straight to
/// that provider's page): opens the browser and receives the redirect on
/// loopback when it can, otherwise prints the URL and asks for the code at
/// the terminal. Checks state and nonce; exchanges the code with PKCE.
pub async fn hosted_sign_in(
    endpoint: &Endpoint,
    args: &UserPoolArgs,
    hosted: &HostedUiArgs,
    identity_provider: Option<&str>,
    verbose: bool,
) -> Result<(UserPoolTokens, String, String), String> {
    let pool = UserPoolId::parse(&or_ask(args.user_pool_id.clone(), "User pool id: ", false)?)
        .map_err(|e| e.to_string())?;
    let client = ClientId::parse(&or_ask(args.client_id.clone(), "App client id: ", false)?)
        .map_err(|e| e.to_string())?;
    let base = hosted_ui_base(endpoint, hosted, &pool)?;
    // A browser here comes back to a loopback listener; without one, the
    // person signs in elsewhere and pastes the code, as in the study.
    // Without a terminal to paste at, only the listener is left.
    let at_terminal = std::io::stdin().is_terminal();
    let opener = browser_opener().filter(|_| !hosted.no_browser);
    let listener = match loopback_target(&hosted.redirect_uri) {
        _ if at_terminal && opener.is_none() => None,
        Ok((port, path)) => match sdk_transport::LoopbackRedirect::bind(port, &path).await {
            Ok(listener) => Some(listener),
            Err(e) if at_terminal => {
                crate::out::status(&format!("({e}: the code will be asked for instead)"));
                None
            }
            Err(e) => return Err(e.to_string()),
        },
        Err(_) if at_terminal => None,
        Err(e) => return Err(e),
    };
    let scopes: Vec<&str> = hosted.scope.split_whitespace().collect();
    let mut ui = HostedUi::new(&base, client.clone(), &hosted.redirect_uri)
        .map_err(|e| e.to_string())?
        .with_scopes(&scopes);
    if let Some(secret) = &args.client_secret {
        ui = ui.with_client_secret(ClientSecret::new(secret.clone()));
    }
    let request = ui.authorize_url(identity_provider);
    crate::out::status("Open this URL in a browser to sign in:");
    crate::out::status(&format!("  {}", request.url));
    let opened = opener.is_some_and(|o| open_browser(o, request.url.as_str()));
    let code = match listener {
        Some(listener) if opened || !at_terminal => {
            if opened {
                crate::out::status("(opened in your browser)");
            }
            crate::out::status(&format!(
                "waiting for the browser to come back to {} …",
                hosted.redirect_uri
            ));
            let callback = listener
                .wait(std::time::Duration::from_secs(hosted.timeout))
                .await
                .map_err(|e| e.to_string())?;
            ui.parse_callback(&callback, &request.state)
                .map_err(|e| e.to_string())?
        }
        _ => {
            drop(listener);
            crate::out::status(&format!(
                "After you sign in, the browser goes to {}?code=…: paste the code, or that whole address.",
                hosted.redirect_uri
            ));
            let pasted = ask("Enter Code: ", false)?;
            pasted_code(&ui, &request, &hosted.redirect_uri, &pasted)?
        }
    };
    let oauth = Traced::new(sdk_transport::HttpOAuth2::default(), verbose);
    let tokens = ui
        .exchange_code(&oauth, &code, &request.pkce_verifier)
        .await
        .map_err(|e| e.to_string())?;
    let tokens = ui
        .check_tokens(tokens, &request.nonce)
        .map_err(|e| e.to_string())?;
    Ok((tokens, pool.to_string(), client.to_string()))
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
    Federated(Provider),
    /// The provider's own token as a direct identity-pool login.
    Direct(Provider),
    /// No sign-in: guest credentials.
    Guest,
}

/// The study's answers: anything but cognito, facebook or amazon goes on
/// unauthenticated, as its `else` branch does.
fn choice_from_answer(answer: &str) -> Choice {
    match answer.trim().to_ascii_lowercase().as_str() {
        "cognito" => Choice::UserPool,
        "facebook" => Choice::Federated(Provider::Facebook),
        "amazon" => Choice::Federated(Provider::Amazon),
        _ => Choice::Guest,
    }
}

/// Caches a user-pool sign-in's tokens and makes them the identity-pool
/// login (under `cognito-idp.<region>.amazonaws.com/<poolId>`).
fn signed_in((tokens, pool, client): (UserPoolTokens, String, String)) -> Result<Logins, String> {
    let path = crate::session::save(&pool, &client, &tokens)?;
    outln!(
        "signed in as {}; tokens cached in {}",
        tokens.username.as_deref().unwrap_or("?"),
        path.display()
    );
    Ok(Logins::new().user_pool(
        &UserPoolId::parse(&pool).map_err(|e| e.to_string())?,
        &tokens.id_token,
    ))
}

/// `cogkit login`: like the original study, asks "sign in with (cognito,
/// facebook, amazon)" when nothing says which, signs in, and with an
/// identity pool prints GetId and GetCredentialsForIdentity, then who STS
/// says the credentials are.
pub async fn login(endpoint: &Endpoint, r: LoginRequest) -> Result<(), String> {
    // The study's question, when nothing else says how to sign in.
    let prompted = r.provider.is_none()
        && !r.hosted.hosted_ui
        && r.username.is_none()
        && !r.password_stdin
        && std::io::stdin().is_terminal();
    let choice = match r.provider {
        Some(Provider::Cognito) => Choice::UserPool,
        Some(p) if r.direct => Choice::Direct(p),
        Some(p) => Choice::Federated(p),
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
        Choice::UserPool if r.hosted.hosted_ui => signed_in(
            hosted_sign_in(
                endpoint,
                &r.user_pool,
                &r.hosted,
                r.hosted.identity_provider.as_deref(),
                r.verbose,
            )
            .await?,
        )?,
        Choice::UserPool => signed_in(
            sign_in(
                endpoint,
                &r.user_pool,
                r.username,
                r.flow,
                r.password_stdin,
                r.verbose,
            )
            .await?,
        )?,
        Choice::Federated(p) => {
            crate::out::status(&format!(
                "signing in with {} through the user pool's hosted UI",
                p.display_name()
            ));
            // The study shows this call; so does the prompt.
            let verbose = r.verbose || prompted;
            signed_in(
                hosted_sign_in(
                    endpoint,
                    &r.user_pool,
                    &r.hosted,
                    Some(p.hosted_ui_name()),
                    verbose,
                )
                .await?,
            )?
        }
        Choice::Direct(p) => {
            p.direct_login(ask(&format!("{} token: ", p.display_name()), true)?)?
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
    let pool = IdentityPoolId::parse(&identity_pool).map_err(|e| e.to_string())?;
    let t = endpoint.transports(Some(pool.region())).await;
    // Like the study: show the identity-pool calls and their answers.
    let identities = IdentityPoolClient::new(Traced::new(t.identity_pool(), true), pool);
    let got = identities
        .credentials(&logins, None, None)
        .await
        .map_err(|e| e.to_string())?;
    match t.sts().caller_identity(&got.credentials).await {
        Ok(who) => crate::show::call(
            "GetCallerIdentity (STS, signed with those credentials)",
            &json!({"Arn": who.arn, "Account": who.account}),
        ),
        Err(e) => crate::out::status(&format!(
            "(could not confirm the credentials with STS GetCallerIdentity: {e})"
        )),
    }
    Ok(())
}
