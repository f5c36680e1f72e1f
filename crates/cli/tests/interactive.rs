//! `cogkit login` at a pseudo-terminal, answered each way the study's
//! script is ("sign in with (cognito, facebook, amazon)", or nothing),
//! against mock-cognito started in this test process. For facebook and
//! amazon the test plays the person: it follows the printed URL through the
//! hosted UI and the fake provider's page, then pastes the code (or the
//! whole address) at `Enter Code:`. Every session must end with credentials
//! whose STS caller is the identity pool's authenticated role (the guest
//! role for a guest).

use std::process::Command;

mod common;

use common::{CLIENT, IDENTITY_POOL, POOL};
use mock_cognito::MockCognito;
use mock_cognito::browser::Browser;
use rexpect::process::WaitStatus;
use rexpect::session::PtySession;

const CALLBACK: &str = "http://localhost:8080/callback";
/// The seed's Facebook test user: login and password on the fake page.
const CAROL: (&str, &str) = ("carol@example.com", "facebook-pass");
const EXAMPLE_SEED: &str = include_str!("../../../examples/mock-config.toml");

/// The mock, served by a runtime of its own while the test blocks on the
/// terminal. (Fields drop in order: the mock stops before its runtime.)
struct Mock {
    mock: MockCognito,
    runtime: tokio::runtime::Runtime,
}

impl Mock {
    /// The example seed, with `callback` registered for the public client
    /// when given (the default callback otherwise).
    fn start(callback: Option<&str>) -> Mock {
        let seed = match callback {
            Some(c) => EXAMPLE_SEED.replace(
                &format!("callback_urls = [\"{CALLBACK}\"]"),
                &format!("callback_urls = [\"{CALLBACK}\", \"{c}\"]"),
            ),
            None => EXAMPLE_SEED.to_owned(),
        };
        Mock::with_seed(&seed)
    }

    /// The mock seeded with this TOML.
    fn with_seed(seed: &str) -> Mock {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mock = runtime
            .block_on(
                MockCognito::builder()
                    .seed(mock_cognito::SeedConfig::from_toml(seed).unwrap())
                    .start(),
            )
            .unwrap();
        Mock { mock, runtime }
    }

    /// Signs in on the hosted UI and the provider's page, as the person at
    /// the browser does; returns the address the browser ends at.
    fn browse(&self, url: &str, redirect: &str, provider: &str, login: &str, pw: &str) -> String {
        self.runtime
            .block_on(Browser::new().sign_in_with_provider(url, redirect, provider, login, pw))
            .unwrap()
    }
}

/// `cogkit login` with nothing on the command line but the endpoint: the
/// ids come from the environment, as a user's shell would have them. No
/// desktop browser, unless a test gives one. The terminal echoes what is
/// typed, as a person's does (rexpect starts its pseudo-terminal without
/// echo, which would hide an echoed password too), so only cogkit's own
/// hidden prompts can keep the password off the screen.
fn login(endpoint: &str, name: &str) -> Command {
    let cache = std::env::temp_dir().join(format!("cogkit-pty-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let mut cmd = Command::new("sh");
    cmd.args(["-c", r#"stty echo && exec "$0" "$@""#])
        .arg(env!("CARGO_BIN_EXE_cogkit"))
        .args(["--endpoint-url", endpoint, "login"])
        .env("COGKIT_USER_POOL_ID", POOL)
        .env("COGKIT_CLIENT_ID", CLIENT)
        .env("COGKIT_IDENTITY_POOL_ID", IDENTITY_POOL)
        .env("COGKIT_CACHE_DIR", &cache)
        .env("NO_COLOR", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("COGKIT_DOMAIN")
        .env_remove("BROWSER")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("AWS_ENDPOINT_URL");
    cmd
}

fn spawn(cmd: Command) -> PtySession {
    rexpect::session::spawn_command(cmd, Some(60_000)).unwrap()
}

fn answer(p: &mut PtySession, choice: &str) {
    p.exp_string("sign in with (cognito, facebook, amazon): ")
        .unwrap();
    p.send_line(choice).unwrap();
}

/// The value of a `"key": "value"` line after what has been read so far.
fn json_field(p: &mut PtySession, key: &str) -> String {
    let (_, line) = p.exp_regex(&format!(r#""{key}": "[^"]*""#)).unwrap();
    line.rsplit(": ")
        .next()
        .unwrap()
        .trim_matches('"')
        .to_owned()
}

/// The end of every session: GetId, GetCredentialsForIdentity and the STS
/// caller those credentials are; a clean exit. Returns the role.
fn credentials_and_role(p: &mut PtySession) -> String {
    p.exp_string("=== GetId ===").unwrap();
    let identity = json_field(p, "IdentityId");
    assert!(identity.starts_with("ap-northeast-1:"), "{identity}");
    p.exp_string("=== GetCredentialsForIdentity ===").unwrap();
    assert!(json_field(p, "AccessKeyId").starts_with("ASIA"));
    assert_eq!(json_field(p, "IdentityId"), identity);
    p.exp_string("=== GetCallerIdentity (STS, signed with those credentials) ===")
        .unwrap();
    let arn = json_field(p, "Arn");
    p.exp_eof().unwrap();
    assert!(matches!(
        p.process().wait().unwrap(),
        WaitStatus::Exited(_, 0)
    ));
    let role = arn
        .split(":assumed-role/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("not an assumed role: {arn}"));
    role.to_owned()
}

/// The authorize URL cogkit prints, up to the `Enter Code:` question.
fn authorize_url(p: &mut PtySession) -> String {
    let (_, url) = p
        .exp_regex(r"http://127\.0\.0\.1:\d+/example/oauth2/authorize\?\S+")
        .unwrap();
    url
}

fn code_of(callback: &str) -> String {
    let query = callback.split_once('?').map_or("", |(_, q)| q);
    cognito_flows::wire::encoding::form_value(query, "code")
        .unwrap_or_else(|| panic!("no code in {callback}"))
}

#[test]
fn cognito_signs_in_with_srp_and_never_echoes_the_password() {
    let m = Mock::start(None);
    // A user in no group, so the role is the pool's authenticated one (the
    // seed's alice is an admin, whose group role the pool's mapping picks).
    m.mock
        .add_users(POOL, &[("frank".into(), "Fr4nk-passw0rd!".into())])
        .unwrap();
    let mut p = spawn(login(&m.mock.endpoint(), "cognito"));
    answer(&mut p, "cognito");
    p.exp_string("Username: ").unwrap();
    p.send_line("frank").unwrap();
    // The terminal echoes what is typed…
    p.exp_string("frank").unwrap();
    p.exp_string("Password: ").unwrap();
    p.send_line("Fr4nk-passw0rd!").unwrap();
    // …except where cogkit turns echo off.
    let shown = p.exp_string("signed in as frank").unwrap();
    assert!(
        !shown.contains("Fr4nk-passw0rd!"),
        "the password was echoed: {shown:?}"
    );
    assert_eq!(credentials_and_role(&mut p), "ExampleAuthenticated");
}

/// Answers facebook and, at `Enter Code:`, signs in as carol on the
/// printed URL; returns the session and the address the browser ended at.
fn facebook_until_the_code(m: &Mock, name: &str) -> (PtySession, String) {
    let mut cmd = login(&m.mock.endpoint(), name);
    cmd.env("COGKIT_DOMAIN", "example");
    let mut p = spawn(cmd);
    answer(&mut p, "facebook");
    let url = authorize_url(&mut p);
    assert!(
        url.contains("identity_provider=Facebook")
            && url.contains("code_challenge_method=S256")
            && url.contains("state="),
        "{url}"
    );
    p.exp_string("Enter Code: ").unwrap();
    let callback = m.browse(&url, CALLBACK, "Facebook", CAROL.0, CAROL.1);
    (p, callback)
}

#[test]
fn facebook_goes_through_the_hosted_ui_and_takes_the_pasted_code() {
    let m = Mock::start(None);
    let (mut p, callback) = facebook_until_the_code(&m, "facebook");
    p.send_line(&code_of(&callback)).unwrap();
    p.exp_string("=== POST /example/oauth2/token (grant_type=authorization_code) ===")
        .unwrap();
    p.exp_string("signed in as Facebook_10000000000000001")
        .unwrap();
    assert_eq!(credentials_and_role(&mut p), "ExampleAuthenticated");
}

#[test]
fn amazon_asks_for_the_domain_and_takes_the_whole_redirected_address() {
    let m = Mock::start(None);
    let mut p = spawn(login(&m.mock.endpoint(), "amazon"));
    answer(&mut p, "amazon");
    p.exp_string("Hosted UI domain prefix: ").unwrap();
    p.send_line("example").unwrap();
    let url = authorize_url(&mut p);
    assert!(url.contains("identity_provider=LoginWithAmazon"), "{url}");
    p.exp_string("Enter Code: ").unwrap();
    let callback = m.browse(
        &url,
        CALLBACK,
        "LoginWithAmazon",
        "dave@example.com",
        "amazon-pass",
    );
    // The whole address: its state is checked too.
    p.send_line(&callback).unwrap();
    p.exp_string("signed in as LoginWithAmazon_amzn1.account.EXAMPLE0000000000000001")
        .unwrap();
    assert_eq!(credentials_and_role(&mut p), "ExampleAuthenticated");
}

#[test]
fn an_empty_answer_goes_on_as_a_guest() {
    let m = Mock::start(None);
    let mut p = spawn(login(&m.mock.endpoint(), "guest"));
    answer(&mut p, "");
    p.exp_string("no sign-in: going on unauthenticated (guest credentials)")
        .unwrap();
    assert_eq!(credentials_and_role(&mut p), "ExampleGuest");
}

#[test]
fn another_answer_says_so_and_goes_on_as_a_guest() {
    let m = Mock::start(None);
    let mut p = spawn(login(&m.mock.endpoint(), "other"));
    answer(&mut p, "github");
    p.exp_string("\"github\" is not cognito, facebook or amazon: going on unauthenticated")
        .unwrap();
    assert_eq!(credentials_and_role(&mut p), "ExampleGuest");
}

#[test]
fn a_pasted_address_with_another_state_is_refused() {
    let m = Mock::start(None);
    let (mut p, callback) = facebook_until_the_code(&m, "forged");
    let forged = format!("{CALLBACK}?code={}&state=someone-elses", code_of(&callback));
    p.send_line(&forged).unwrap();
    p.exp_string("cogkit: the callback's state does not match")
        .unwrap();
    p.exp_eof().unwrap();
    assert!(matches!(
        p.process().wait().unwrap(),
        WaitStatus::Exited(_, 1)
    ));
}

/// With a desktop browser (here `$BROWSER`, a script that hands the URL to
/// the test, with `%s` where the URL goes), cogkit opens it and receives
/// the redirect on loopback: no code to paste.
#[test]
fn facebook_with_a_browser_comes_back_on_loopback() {
    let callback = common::free_loopback_callback();
    let m = Mock::start(Some(&callback));
    let dir = std::env::temp_dir().join(format!("cogkit-pty-desktop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let opened = dir.join("opened-url");
    let _ = std::fs::remove_file(&opened);
    let script = dir.join("browser.sh");
    std::fs::write(
        &script,
        format!("printf '%s' \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap();
    let mut cmd = login(&m.mock.endpoint(), "browser");
    // Through `sh`, not exec'd: a script just written may still be open for
    // writing in a forking test process ("text file busy").
    cmd.args(["--redirect-uri", &callback])
        .env("COGKIT_DOMAIN", "example")
        .env("BROWSER", format!("sh {} %s", script.display()));
    let mut p = spawn(cmd);
    answer(&mut p, "facebook");
    p.exp_string("(opened in your browser)").unwrap();
    p.exp_string("waiting for the browser to come back")
        .unwrap();
    let url = std::fs::read_to_string(&opened).unwrap();
    let back = m.browse(&url, &callback, "Facebook", CAROL.0, CAROL.1);
    // The browser follows the redirect to cogkit's listener.
    let delivered = m
        .runtime
        .block_on(async { reqwest::get(&back).await.unwrap().status() });
    assert_eq!(delivered.as_u16(), 200);
    p.exp_string("signed in as Facebook_10000000000000001")
        .unwrap();
    assert_eq!(credentials_and_role(&mut p), "ExampleAuthenticated");
}

/// `--provider facebook --direct` keeps the second script's flow: the
/// provider's own access token as a direct identity-pool login.
#[test]
fn facebook_direct_takes_the_provider_token_hidden() {
    let m = Mock::start(None);
    let token = m
        .mock
        .mint_provider_token(
            "graph.facebook.com",
            "1234567890",
            "10001",
            serde_json::json!({}),
        )
        .unwrap();
    let mut cmd = login(&m.mock.endpoint(), "direct");
    cmd.args(["--provider", "facebook", "--direct"]);
    let mut p = spawn(cmd);
    p.exp_string("Facebook token: ").unwrap();
    p.send_line(&token).unwrap();
    let shown = p.exp_string("=== GetId ===").unwrap();
    assert!(!shown.contains(&token), "the token was echoed");
    let identity = json_field(&mut p, "IdentityId");
    assert!(identity.starts_with("ap-northeast-1:"));
    p.exp_string("=== GetCallerIdentity").unwrap();
    let arn = json_field(&mut p, "Arn");
    assert!(arn.contains("assumed-role/ExampleAuthenticated/"), "{arn}");
    p.exp_eof().unwrap();
}

/// `--flow user-auth` with the pool's choice asked at the terminal: an
/// emailed code, then `--remember-device` keeps the device in the cache
/// (owner-only), and the next sign-in, with SRP, proves that device.
#[test]
fn user_auth_asks_for_a_factor_and_a_remembered_device_signs_in_again() {
    let seed = EXAMPLE_SEED
        .replace(
            "auto_verified_attributes = [\"email\"]\n",
            "auto_verified_attributes = [\"email\"]\nallowed_first_auth_factors = [\"PASSWORD\", \"EMAIL_OTP\"]\ndevice_configuration = { challenge_required_on_new_device = true, device_only_remembered_on_user_prompt = true }\n",
        )
        .replace(
            "explicit_auth_flows = [\"ALLOW_USER_SRP_AUTH\", \"ALLOW_USER_PASSWORD_AUTH\", \"ALLOW_REFRESH_TOKEN_AUTH\"]",
            "explicit_auth_flows = [\"ALLOW_USER_AUTH\", \"ALLOW_USER_SRP_AUTH\", \"ALLOW_USER_PASSWORD_AUTH\", \"ALLOW_REFRESH_TOKEN_AUTH\"]",
        );
    assert!(seed.contains("EMAIL_OTP") && seed.contains("ALLOW_USER_AUTH"));
    let Mock { mock, .. } = &Mock::with_seed(&seed);
    let cache = common::temp_dir("user-auth-device");
    let command = |args: &[&str]| {
        let mut cmd = login(&mock.endpoint(), "user-auth");
        cmd.args(args)
            .env("COGKIT_CACHE_DIR", &cache)
            .env_remove("COGKIT_IDENTITY_POOL_ID");
        cmd
    };

    let mut p = spawn(command(&[
        "--flow",
        "user-auth",
        "--username",
        "alice",
        "--remember-device",
    ]));
    p.exp_string("Sign in with (password, password-srp, email-otp): ")
        .unwrap();
    p.send_line("email-otp").unwrap();
    p.exp_string("Code sent to ").unwrap();
    let code = mock
        .verification_codes(Some(POOL), Some("alice"))
        .into_iter()
        .rev()
        .find(|c| c.purpose == "EMAIL_OTP")
        .unwrap()
        .code;
    p.send_line(&code).unwrap();
    p.exp_string("signed in as alice").unwrap();
    let (_, device) = p
        .exp_regex(r"remembered device [a-z0-9-]+_[0-9a-f-]+")
        .unwrap();
    let device = device.rsplit(' ').next().unwrap().to_owned();
    p.exp_eof().unwrap();
    let file = cache.join("tokens.json");
    let cached: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let entry = &cached[format!("{POOL}/{CLIENT}")];
    assert_eq!(entry["Device"]["DeviceKey"], device.as_str());
    assert!(entry["Device"]["DevicePassword"].as_str().is_some());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Next time, with SRP: the device is named and proven.
    let mut p = spawn(command(&["--username", "alice"]));
    p.exp_string(&format!("on remembered device {device}"))
        .unwrap();
    p.exp_string("Password: ").unwrap();
    p.send_line("Passw0rd!").unwrap();
    p.exp_string("signed in as alice").unwrap();
    p.exp_eof().unwrap();
    let cached: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let entry = &cached[format!("{POOL}/{CLIENT}")];
    let access = entry["AccessToken"].as_str().unwrap();
    let claims = cognito_flows::wire::jwt::claims_unverified(access).unwrap();
    assert_eq!(claims["device_key"], device.as_str());
    assert_eq!(
        entry["Device"]["DeviceKey"],
        device.as_str(),
        "the device stays cached"
    );
}
