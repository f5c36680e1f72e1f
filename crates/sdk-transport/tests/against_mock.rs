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

async fn caller_arn<P: aws_credential_types::provider::ProvideCredentials + 'static>(
    mock: &MockCognito,
    provider: P,
) -> Result<String, String> {
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::Config::builder()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new("ap-northeast-1"))
            .endpoint_url(mock.endpoint())
            .credentials_provider(provider)
            .build(),
    );
    sts.get_caller_identity()
        .send()
        .await
        .map(|o| o.arn().unwrap_or_default().to_owned())
        .map_err(|e| format!("{e:?}"))
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
    let arn = caller_arn(
        &mock,
        aws_credential_types::Credentials::new(
            classic.credentials.access_key_id.clone(),
            classic.credentials.secret_access_key.expose_secret(),
            Some(classic.credentials.session_token.expose_secret().to_owned()),
            None,
            "test",
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        arn,
        "arn:aws:sts::000000000000:assumed-role/ExampleAuthenticated/classic"
    );
}

#[tokio::test]
async fn provider_signs_renews_and_single_flights() {
    let (mock, t) = setup().await;
    let tokens = sign_in(&t, &mock).await;
    let session = UserPoolSession::new(users(&t).with_clock(mock_clock(&mock)), tokens)
        .with_clock(mock_clock(&mock));
    let cache = CredentialsCache::new(identities(&t), session).with_clock(mock_clock(&mock));
    let provider = CognitoCredentialsProvider::new(cache);

    // 100 concurrent callers cause a single GetCredentialsForIdentity.
    let before = mock.issued_credentials();
    let mut calls = Vec::new();
    for _ in 0..100 {
        let p = provider.clone();
        calls.push(tokio::spawn(async move {
            use aws_credential_types::provider::ProvideCredentials;
            p.provide_credentials().await.unwrap()
        }));
    }
    for c in calls {
        c.await.unwrap();
    }
    assert_eq!(mock.issued_credentials() - before, 1);

    // Plugged into an aws-sdk-sts client, SigV4-verified by the mock. alice
    // is an admin, so the Token mapping gives her the admins role.
    let arn = caller_arn(&mock, provider.clone()).await.unwrap();
    assert_eq!(
        arn,
        "arn:aws:sts::000000000000:assumed-role/ExampleAdmins/CognitoIdentityCredentials"
    );
    let identity = provider.identity_id().await.unwrap();

    // Past expiry (by the mock's clock) it renews: new credentials, same
    // identity; the ID token had expired too and was refreshed.
    mock.clock().advance(Duration::from_secs(3601));
    assert!(caller_arn(&mock, provider.clone()).await.is_ok());
    assert_eq!(mock.issued_credentials() - before, 2);
    assert_eq!(provider.identity_id().await, Some(identity));
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
    let ui = HostedUi::new(
        &format!("http://127.0.0.1:{port}/example"),
        ClientId::parse("client1").unwrap(),
        "http://localhost:8080/cb",
    )
    .unwrap()
    .with_client_secret(cognito_flows::secret::ClientSecret::new("shh"));
    let oauth = sdk_transport::HttpOAuth2::default();
    let request = ui.authorize_url(Some("Facebook"));
    let code = cognito_flows::secret::AuthorizationCode::new("c0de");
    let tokens = ui
        .exchange_code(&oauth, &code, &request.pkce_verifier)
        .await
        .unwrap();
    assert_eq!(tokens.access_token.expose_secret(), "at");
    assert_eq!(tokens.refresh_token.unwrap().expose_secret(), "rt");
    let e = ui
        .exchange_code(&oauth, &code, &request.pkce_verifier)
        .await
        .unwrap_err();
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
            && requests[0].contains("code_verifier=")
    );
}
