//! Every flow end to end: sdk-transport's SDK clients against mock-cognito
//! started in-process (hosted UI once the mock serves it).

use std::sync::Arc;
use std::time::Duration;

use cognito_flows::secret::Password;
use cognito_flows::*;
use mock_cognito::MockCognito;
use sdk_transport::{CognitoCredentialsProvider, Transports};

const USER_POOL: &str = "ap-northeast-1_Example01";
const CLIENT: &str = "1example23456789abcdefghij";
const IDENTITY_POOL: &str = "ap-northeast-1:00000000-0000-4000-8000-000000000001";

async fn setup() -> (MockCognito, Transports) {
    let mock = MockCognito::builder()
        .seed_file(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/mock-config.toml"
        ))
        .start()
        .await
        .unwrap();
    let t = Transports::builder()
        .region("ap-northeast-1")
        .endpoint_url(mock.endpoint())
        .build()
        .await;
    (mock, t)
}

fn users(t: &Transports) -> UserPoolClient<Arc<sdk_transport::SdkUserPool>> {
    UserPoolClient::new(
        t.user_pool(),
        UserPoolId::parse(USER_POOL).unwrap(),
        ClientId::parse(CLIENT).unwrap(),
    )
}

fn identities(t: &Transports) -> IdentityPoolClient<Arc<sdk_transport::SdkIdentityPool>> {
    IdentityPoolClient::new(
        t.identity_pool(),
        IdentityPoolId::parse(IDENTITY_POOL).unwrap(),
    )
}

fn mock_clock(mock: &MockCognito) -> cognito_flows::Clock {
    let clock = mock.clock().clone();
    cognito_flows::Clock(Arc::new(move || clock.now()))
}

async fn sign_in(t: &Transports, mock: &MockCognito) -> UserPoolTokens {
    match users(t)
        .with_clock(mock_clock(mock))
        .sign_in_srp("alice", &Password::new("Passw0rd!"))
        .await
        .unwrap()
    {
        SignInResult::SignedIn(tokens) => tokens,
        other => panic!("{other:?}"),
    }
}

/// The mock's clock as the SDK's time source: the SDK's identity cache and
/// SigV4 then judge expiry as the mock does.
#[derive(Debug)]
struct MockTime(mock_cognito::Clock);

impl aws_smithy_async::time::TimeSource for MockTime {
    fn now(&self) -> std::time::SystemTime {
        self.0.now()
    }
}

/// An STS client signing with `provider`'s credentials, on the mock's clock.
fn sts_with<P: aws_credential_types::provider::ProvideCredentials + 'static>(
    mock: &MockCognito,
    provider: P,
) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::Config::builder()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new("ap-northeast-1"))
            .endpoint_url(mock.endpoint())
            .time_source(MockTime(mock.clock().clone()))
            .credentials_provider(provider)
            .build(),
    )
}

async fn caller_arn(sts: &aws_sdk_sts::Client) -> String {
    sts.get_caller_identity()
        .send()
        .await
        .map(|o| o.arn().unwrap_or_default().to_owned())
        .unwrap()
}

#[tokio::test]
async fn unauthenticated_and_user_pool_federation() {
    let (mock, t) = setup().await;
    let guest = identities(&t).unauthenticated(None).await.unwrap();
    assert!(guest.identity_id.as_str().starts_with("ap-northeast-1:"));
    // STS says which role the credentials are for; the mock checks the signature.
    let who = t.sts().caller_identity(&guest.credentials).await.unwrap();
    assert_eq!(who.role_name(), Some("ExampleGuest"), "{who:?}");
    assert_eq!(who.account, "000000000000");
    let mut forged = guest.credentials.clone();
    forged.secret_access_key = cognito_flows::secret::SecretAccessKey::new("not-the-key");
    let refused = t.sts().caller_identity(&forged).await.unwrap_err();
    assert!(refused.code().is_some(), "{refused}");

    let tokens = sign_in(&t, &mock).await;
    assert_eq!(tokens.username.as_deref(), Some("alice"));
    let logins = Logins::new().user_pool(&UserPoolId::parse(USER_POOL).unwrap(), &tokens.id_token);
    let first = identities(&t)
        .credentials(&logins, None, None)
        .await
        .unwrap();
    // A second sign-in is the same identity.
    let again = sign_in(&t, &mock).await;
    let logins2 = Logins::new().user_pool(&UserPoolId::parse(USER_POOL).unwrap(), &again.id_token);
    assert_eq!(
        identities(&t)
            .credentials(&logins2, None, None)
            .await
            .unwrap()
            .identity_id,
        first.identity_id
    );

    // USER_PASSWORD_AUTH and refresh through the SDK.
    let pw = users(&t)
        .sign_in_password("alice", &Password::new("Passw0rd!"))
        .await
        .unwrap();
    assert!(matches!(pw, SignInResult::SignedIn(_)));
    let refreshed = users(&t)
        .refresh(
            tokens.refresh_token.as_ref().unwrap(),
            tokens.username.as_deref(),
        )
        .await
        .unwrap();
    assert_ne!(
        refreshed.id_token.expose_secret(),
        tokens.id_token.expose_secret()
    );

    // NEW_PASSWORD_REQUIRED surfaces as a typed step (bob has a temporary password).
    let step = users(&t)
        .sign_in_srp("bob", &Password::new("Temp0rary!"))
        .await
        .unwrap();
    let SignInResult::NextStep(NextStep::NewPasswordRequired { challenge, .. }) = step else {
        panic!("{step:?}")
    };
    let done = users(&t)
        .respond_new_password(&challenge, &Password::new("N3w-passw0rd!"), &[])
        .await
        .unwrap();
    assert!(matches!(done, SignInResult::SignedIn(_)));
}

#[tokio::test]
async fn direct_provider_and_classic_flows() {
    let (mock, t) = setup().await;
    let fb = mock
        .mint_provider_token(
            "graph.facebook.com",
            "1234567890",
            "10001",
            serde_json::json!({}),
        )
        .unwrap();
    let facebook = identities(&t)
        .credentials(&Logins::new().facebook(fb.clone()), None, None)
        .await
        .unwrap();
    let amazon = mock
        .mint_provider_token(
            "www.amazon.com",
            "amzn1.application-oa2-client.example",
            "amzn1.account.A",
            serde_json::json!({}),
        )
        .unwrap();
    let by_amazon = identities(&t)
        .credentials(&Logins::new().amazon(amazon), None, None)
        .await
        .unwrap();
    assert_ne!(facebook.identity_id, by_amazon.identity_id);

    let role = "arn:aws:iam::000000000000:role/ExampleAuthenticated";
    let classic = identities(&t)
        .classic(&t.sts(), &Logins::new().facebook(fb), None, role, "classic")
        .await
        .unwrap();
    assert_eq!(classic.identity_id, facebook.identity_id);
    let arn = t
        .sts()
        .caller_identity(&classic.credentials)
        .await
        .unwrap()
        .arn;
    assert_eq!(
        arn,
        "arn:aws:sts::000000000000:assumed-role/ExampleAuthenticated/classic"
    );
}

#[tokio::test]
async fn the_provider_leaves_caching_and_renewal_to_the_sdk() {
    use aws_credential_types::provider::ProvideCredentials;
    let (mock, t) = setup().await;
    let tokens = sign_in(&t, &mock).await;
    let session = UserPoolSession::new(users(&t).with_clock(mock_clock(&mock)), tokens)
        .with_clock(mock_clock(&mock));
    let provider = t.credentials_provider(IdentityPoolId::parse(IDENTITY_POOL).unwrap(), session);
    let sts = sts_with(&mock, provider.clone());

    // 100 concurrent calls through one client: the SDK's identity cache
    // asks the provider once. alice is an admin, so the Token mapping gives
    // her the admins role; the mock verifies every SigV4 signature.
    let before = mock.issued_credentials();
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let sts = sts.clone();
            tokio::spawn(async move { caller_arn(&sts).await })
        })
        .collect();
    for c in calls {
        assert_eq!(
            c.await.unwrap(),
            "arn:aws:sts::000000000000:assumed-role/ExampleAdmins/CognitoIdentityCredentials"
        );
    }
    assert_eq!(mock.issued_credentials() - before, 1);
    let identity = provider.identity_id().unwrap();

    // The provider keeps no credentials itself: asked again, it asks the pool.
    provider.provide_credentials().await.unwrap();
    assert_eq!(mock.issued_credentials() - before, 2);

    // Past expiry (by the mock's clock) the SDK asks again: new credentials,
    // the same identity (no second GetId), and the expired ID token refreshed.
    mock.clock().advance(Duration::from_secs(3601));
    caller_arn(&sts).await;
    assert_eq!(mock.issued_credentials() - before, 3);
    assert_eq!(provider.identity_id(), Some(identity));
}

/// A machine with `vars` and `files` only, on the mock's clock.
fn fake_machine(
    mock: &MockCognito,
    vars: &[(&str, &str)],
    files: &[(&str, &str)],
) -> sdk_transport::ProviderEnv {
    sdk_transport::ProviderEnv {
        env: aws_types::os_shim_internal::Env::from_slice(vars),
        fs: aws_types::os_shim_internal::Fs::from_slice(files),
        time: aws_smithy_async::time::SharedTimeSource::new(MockTime(mock.clock().clone())),
    }
}

/// The Cognito provider with a cached sign-in as its login, first in a
/// chain whose second link is static credentials.
fn chain(
    t: &Transports,
    machine: &sdk_transport::ProviderEnv,
    pool: Option<&str>,
) -> aws_config::meta::credentials::CredentialsProviderChain {
    let mut builder = CognitoCredentialsProvider::builder().configure(machine);
    if let Some(p) = pool {
        builder = builder.identity_pool_id(IdentityPoolId::parse(p).unwrap());
    }
    let cognito = builder.build(
        t.identity_pool(),
        sdk_transport::CachedSignIn::new(users(t), machine),
    );
    aws_config::meta::credentials::CredentialsProviderChain::first_try("Cognito", cognito).or_else(
        "Static",
        aws_credential_types::Credentials::new("AKIDSTATIC", "static-secret", None, None, "static"),
    )
}

/// Which link of the chain answered, or how the chain failed.
async fn answered_by(
    t: &Transports,
    machine: &sdk_transport::ProviderEnv,
    pool: Option<&str>,
) -> String {
    use aws_credential_types::provider::ProvideCredentials;
    use aws_credential_types::provider::error::CredentialsError;
    match chain(t, machine, pool).provide_credentials().await {
        Ok(c) if c.access_key_id() == "AKIDSTATIC" => "static".into(),
        Ok(c) if c.access_key_id().starts_with("ASIA") => "cognito".into(),
        Ok(c) => format!("unexpected {c:?}"),
        Err(CredentialsError::InvalidConfiguration(_)) => "invalid configuration".into(),
        Err(CredentialsError::ProviderError(_)) => "provider error".into(),
        Err(e) => format!("{e:?}"),
    }
}

/// A token file holding one sign-in for the example pool's public client.
fn token_file(tokens: &UserPoolTokens) -> String {
    let mut file = TokenFile::default();
    file.insert(
        &UserPoolId::parse(USER_POOL).unwrap(),
        &ClientId::parse(CLIENT).unwrap(),
        tokens,
    );
    file.to_json()
}

#[tokio::test]
async fn in_a_credentials_chain_no_login_falls_through_and_a_login_answers() {
    let (mock, t) = setup().await;
    let cache = ("COGKIT_CACHE_DIR", "/cache");

    // Nothing cached, or no identity pool given or in the environment: not
    // loaded, so the chain moves on to the next provider.
    let empty = fake_machine(&mock, &[cache], &[]);
    assert_eq!(answered_by(&t, &empty, Some(IDENTITY_POOL)).await, "static");
    assert_eq!(answered_by(&t, &empty, None).await, "static");

    // A sign-in in the token file (the pool from the environment): the
    // chain stops at Cognito, with credentials the mock's STS accepts.
    let json = token_file(&sign_in(&t, &mock).await);
    let signed_in = fake_machine(
        &mock,
        &[cache, ("COGKIT_IDENTITY_POOL_ID", IDENTITY_POOL)],
        &[("/cache/tokens.json", &json)],
    );
    assert_eq!(answered_by(&t, &signed_in, None).await, "cognito");
    let creds = {
        use aws_credential_types::provider::ProvideCredentials;
        chain(&t, &signed_in, None)
            .provide_credentials()
            .await
            .unwrap()
    };
    assert!(
        caller_arn(&sts_with(&mock, creds))
            .await
            .contains("assumed-role/ExampleAdmins/")
    );

    // A broken configuration stops the chain instead of hiding behind it.
    let bad_pool = fake_machine(&mock, &[("COGKIT_IDENTITY_POOL_ID", "not-a-pool")], &[]);
    assert_eq!(
        answered_by(&t, &bad_pool, None).await,
        "invalid configuration"
    );
    let corrupt = fake_machine(&mock, &[cache], &[("/cache/tokens.json", "not json")]);
    assert_eq!(
        answered_by(&t, &corrupt, Some(IDENTITY_POOL)).await,
        "invalid configuration"
    );
    // And a refusal by the service is the provider's error, not "not loaded".
    let json = token_file(&UserPoolTokens {
        id_token: secret::IdToken::new("not-a-jwt"),
        access_token: secret::AccessToken::new("x"),
        refresh_token: Some(secret::RefreshToken::new("not-a-refresh-token")),
        expires_at: std::time::UNIX_EPOCH,
        username: None,
        new_device: None,
    });
    let refused = fake_machine(&mock, &[cache], &[("/cache/tokens.json", &json)]);
    assert_eq!(
        answered_by(&t, &refused, Some(IDENTITY_POOL)).await,
        "provider error"
    );
}

#[tokio::test]
async fn errors_keep_aws_codes() {
    let (mock, t) = setup().await;
    let e = users(&t)
        .sign_in_srp("alice", &Password::new("Wr0ng-password!"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("NotAuthorizedException"));
    assert_eq!(e.message(), Some("Incorrect username or password."));

    let tokens = sign_in(&t, &mock).await;
    mock.clock().advance(Duration::from_secs(3601));
    let logins = Logins::new().user_pool(&UserPoolId::parse(USER_POOL).unwrap(), &tokens.id_token);
    let e = identities(&t)
        .credentials(&logins, None, None)
        .await
        .unwrap_err();
    assert!(e.is_not_authorized());
    assert!(e.message().unwrap().contains("Token expired"), "{e}");

    let closed = IdentityPoolClient::new(
        t.identity_pool(),
        IdentityPoolId::parse("ap-northeast-1:00000000-0000-4000-8000-00000000dead").unwrap(),
    );
    assert_eq!(
        closed.unauthenticated(None).await.unwrap_err().code(),
        Some("ResourceNotFoundException")
    );

    // Unauthenticated access disabled: a pool created without it.
    let ci = aws_sdk_cognitoidentity::Client::from_conf(
        aws_sdk_cognitoidentity::Config::builder()
            .behavior_version(aws_sdk_cognitoidentity::config::BehaviorVersion::latest())
            .region(aws_sdk_cognitoidentity::config::Region::new(
                "ap-northeast-1",
            ))
            .endpoint_url(mock.endpoint())
            .credentials_provider(aws_credential_types::Credentials::new(
                "AKID", "secret", None, None, "admin",
            ))
            .build(),
    );
    let pool = ci
        .create_identity_pool()
        .identity_pool_name("closed")
        .allow_unauthenticated_identities(false)
        .send()
        .await
        .unwrap();
    let closed = IdentityPoolClient::new(
        t.identity_pool(),
        IdentityPoolId::parse(pool.identity_pool_id()).unwrap(),
    );
    let e = closed.unauthenticated(None).await.unwrap_err();
    assert_eq!(e.code(), Some("NotAuthorizedException"));
    assert_eq!(
        e.message(),
        Some("Unauthenticated access is not supported for this identity pool.")
    );

    // An unreachable endpoint is a transport error, not a panic.
    let dead = Transports::builder()
        .region("ap-northeast-1")
        .endpoint_url("http://127.0.0.1:9")
        .build()
        .await;
    let e = IdentityPoolClient::new(
        dead.identity_pool(),
        IdentityPoolId::parse(IDENTITY_POOL).unwrap(),
    )
    .unauthenticated(None)
    .await
    .unwrap_err();
    assert!(matches!(e, FlowError::Transport(_)), "{e:?}");
}

#[tokio::test]
async fn loopback_redirect_receives_the_callback() {
    let listener = sdk_transport::LoopbackRedirect::bind(0, "/callback")
        .await
        .unwrap();
    let uri = listener.redirect_uri();
    assert!(uri.starts_with("http://localhost:") && uri.ends_with("/callback"));
    let port: u16 = uri
        .trim_start_matches("http://localhost:")
        .trim_end_matches("/callback")
        .parse()
        .unwrap();
    let waiter = tokio::spawn(listener.wait(Duration::from_secs(5)));
    let get = |path: &'static str| async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        s.write_all(format!("GET {path} HTTP/1.1\r\nhost: localhost\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    };
    assert!(get("/favicon.ico").await.starts_with("HTTP/1.1 404"));
    assert!(
        get("/callback?code=abc&state=xyz")
            .await
            .starts_with("HTTP/1.1 200")
    );
    let url = waiter.await.unwrap().unwrap();
    assert_eq!(
        url,
        format!("http://localhost:{port}/callback?code=abc&state=xyz")
    );
    // Nobody comes: a timeout, not a hang.
    let lonely = sdk_transport::LoopbackRedirect::bind(0, "cb")
        .await
        .unwrap();
    assert!(lonely.wait(Duration::from_millis(50)).await.is_err());
}

/// HttpOAuth2 against a loopback token endpoint that checks what a real one
/// checks (form body, Basic auth) and answers like /oauth2/token.
#[tokio::test]
async fn http_oauth2_posts_a_form_and_maps_errors() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let mut requests = Vec::new();
        for answer in [
            r#"{"id_token":"a.b.c","access_token":"at","refresh_token":"rt","expires_in":3600,"token_type":"Bearer"}"#,
            r#"{"error":"invalid_grant","error_description":"code already used"}"#,
        ] {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 8192];
            let n = s.read(&mut buf).await.unwrap();
            requests.push(String::from_utf8_lossy(&buf[..n]).into_owned());
            let status = if answer.contains("error") {
                "400 Bad Request"
            } else {
                "200 OK"
            };
            let reply = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
            s.write_all(reply.as_bytes()).await.unwrap();
        }
        requests
    });
    use cognito_flows::transport::{OAuth2Api, TokenRequest};
    let oauth = sdk_transport::HttpOAuth2::default();
    let request = TokenRequest {
        endpoint: format!("http://127.0.0.1:{port}/example/oauth2/token")
            .parse()
            .unwrap(),
        form: [
            ("grant_type", "authorization_code"),
            ("code", "c0de"),
            ("code_verifier", "v e+r"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .to_vec(),
        basic_auth: Some((
            "client1".to_owned(),
            cognito_flows::secret::ClientSecret::new("shh"),
        )),
    };
    let tokens = oauth.token(request.clone()).await.unwrap();
    assert_eq!(tokens.access_token.expose_secret(), "at");
    assert_eq!(tokens.refresh_token.unwrap().expose_secret(), "rt");
    let e = oauth.token(request).await.unwrap_err();
    assert_eq!(e.code(), Some("invalid_grant"));
    assert_eq!(e.message(), Some("code already used"));
    let requests = server.await.unwrap();
    let first = requests[0].to_lowercase();
    assert!(first.starts_with("post /example/oauth2/token "), "{first}");
    assert!(first.contains("content-type: application/x-www-form-urlencoded"));
    assert!(
        first.contains("authorization: basic y2xpzw50mtpzagg="),
        "client_secret_basic: {first}"
    );
    assert!(
        requests[0].contains("grant_type=authorization_code")
            && requests[0].contains("code=c0de")
            && requests[0].contains("code_verifier=v+e%2Br")
    );
}

#[tokio::test]
async fn loopback_login_with_a_browser_or_a_pasted_code() {
    use cognito_flows::prompt::Prompt;
    use mock_cognito::browser::Browser;
    use sdk_transport::{HttpOAuth2, LoopbackLogin, SystemBrowser};
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let callback = format!("http://localhost:{port}/callback");
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/mock-config.toml"
    ))
    .unwrap()
    .replace(
        r#"callback_urls = ["http://localhost:8080/callback"]"#,
        &format!(r#"callback_urls = ["http://localhost:8080/callback", "{callback}"]"#),
    );
    let mock = MockCognito::builder()
        .seed(mock_cognito::SeedConfig::from_toml(&seed).unwrap())
        .start()
        .await
        .unwrap();
    let ui = HostedUi::new(
        &format!("{}/example", mock.endpoint()),
        ClientId::parse(CLIENT).unwrap(),
        &callback,
    )
    .unwrap()
    .with_scopes(&["openid", "email", "profile"]);
    let oauth = HttpOAuth2::default();
    let carol = |url: String, back_to: String| async move {
        Browser::new()
            .sign_in_with_provider(
                &url,
                &back_to,
                "Facebook",
                "carol@example.com",
                "facebook-pass",
            )
            .await
            .unwrap()
    };

    // A desktop (`true` stands in for its browser): the redirect comes back
    // to the listener, nothing is pasted.
    let browser = SystemBrowser::detect(|k| (k == "BROWSER").then(|| "true".to_owned()));
    let mut login = LoopbackLogin::prepare(ui.begin(Some("Facebook")), browser, true)
        .await
        .unwrap();
    assert!(login.open_browser());
    assert!(!login.needs_code());
    let person = tokio::spawn(carol(login.url().to_string(), callback.clone()));
    let waiting = tokio::spawn(async move {
        let back = person.await.unwrap();
        reqwest::get(&back).await.unwrap().status().as_u16()
    });
    let tokens = login
        .complete(&oauth, None, Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(
        tokens.username.as_deref(),
        Some("Facebook_10000000000000001")
    );
    assert_eq!(waiting.await.unwrap(), 200);

    // No desktop: the address the browser ended at is pasted.
    let login = LoopbackLogin::prepare(ui.begin(Some("Facebook")), None, true)
        .await
        .unwrap();
    assert!(login.needs_code());
    let back = carol(login.url().to_string(), callback.clone()).await;
    let pasted = Callback::pasted(&back).unwrap();
    let tokens = login
        .complete(&oauth, Some(pasted), Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(
        tokens.username.as_deref(),
        Some("Facebook_10000000000000001")
    );

    // The same with a person to ask: `run` shows the URL, asks for the
    // code, and the address the browser ended at is the answer.
    struct Carol {
        url: Option<String>,
        back_to: String,
        said: Vec<String>,
    }
    impl Prompt for Carol {
        fn say(&mut self, line: &str) {
            if let Some(u) = line.trim().strip_prefix("http") {
                self.url = Some(format!("http{u}"));
            }
            self.said.push(line.to_owned());
        }
        async fn ask(&mut self, prompt: &str, hidden: bool) -> Result<String, FlowError> {
            assert_eq!((prompt, hidden), ("Enter Code: ", false));
            let url = self.url.clone().expect("the URL was shown first");
            Ok(Browser::new()
                .sign_in_with_provider(
                    &url,
                    &self.back_to,
                    "Facebook",
                    "carol@example.com",
                    "facebook-pass",
                )
                .await
                .unwrap())
        }
    }
    let mut person = Carol {
        url: None,
        back_to: callback.clone(),
        said: Vec::new(),
    };
    let login = LoopbackLogin::prepare(ui.begin(Some("Facebook")), None, true)
        .await
        .unwrap();
    let tokens = login
        .run(&oauth, &mut person, Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(
        tokens.username.as_deref(),
        Some("Facebook_10000000000000001")
    );
    assert_eq!(person.said[0], "Open this URL in a browser to sign in:");
    assert!(
        person.said[2].contains("paste the code"),
        "{:?}",
        person.said
    );

    // No terminal and a redirect URI nothing here can receive: refused.
    let elsewhere = HostedUi::new(
        &format!("{}/example", mock.endpoint()),
        ClientId::parse(CLIENT).unwrap(),
        "https://app.example.com/cb",
    )
    .unwrap();
    let refused = LoopbackLogin::prepare(elsewhere.begin(None), None, false).await;
    assert!(
        matches!(refused, Err(FlowError::InvalidInput(_))),
        "{refused:?}"
    );
}
