//! Faults found by probing the mock as an adversary would, each pinned by a
//! test that failed before its fix; and the connection limits that keep
//! idle or slow clients from starving others.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{call, ok, raw};
use mock_cognito::{ConnectionLimits, MockCognito, SeedConfig};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn example_seed() -> &'static str {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/mock-config.toml"
    )
}

#[tokio::test]
async fn advancing_the_clock_past_what_it_can_show_is_refused_and_harmless() {
    let mock = MockCognito::start().await.unwrap();
    let addr = mock.addr();
    let before = mock.clock().unix();
    for huge in [
        "9223372036854774807",
        "18446744073709551615",
        "9223372036854775808",
    ] {
        let reply = raw(
            addr,
            "POST",
            "/_mock/clock",
            &[("content-type", "application/json")],
            format!("{{\"advance_seconds\": {huge}}}").as_bytes(),
        )
        .await;
        assert_eq!(
            reply.status,
            400,
            "{huge}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        assert!(
            reply.json()["message"]
                .as_str()
                .unwrap()
                .contains("cannot pass")
        );
    }
    // Time neither wrapped nor moved, and every clock reader still works.
    let now = raw(addr, "GET", "/_mock/clock", &[], b"").await;
    assert_eq!(now.status, 200);
    let shown = now.json()["now"].as_i64().unwrap();
    assert!((before..before + 30).contains(&shown), "{before} → {shown}");
    ok(
        addr,
        "CreateUserPool",
        json!({"PoolName": "after-the-probe"}),
    )
    .await;
    // A large but representable step is still fine.
    let year = raw(
        addr,
        "POST",
        "/_mock/clock",
        &[],
        br#"{"advance_seconds": 31536000}"#,
    )
    .await;
    assert_eq!(year.status, 200);
}

/// Signs a user in to a second pool through the API: its access token.
async fn access_token_of_another_pool(addr: SocketAddr) -> String {
    let pool = ok(addr, "CreateUserPool", json!({"PoolName": "other"})).await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let client = ok(addr, "CreateUserPoolClient", json!({
        "UserPoolId": pool_id, "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    }))
    .await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        addr,
        "AdminCreateUser",
        json!({
            "UserPoolId": pool_id, "Username": "mallory", "MessageAction": "SUPPRESS",
            "UserAttributes": [{"Name": "email", "Value": "mallory@other.example"}],
        }),
    )
    .await;
    ok(addr, "AdminSetUserPassword", json!({"UserPoolId": pool_id, "Username": "mallory", "Password": "Passw0rd!other", "Permanent": true})).await;
    let signed_in = ok(
        addr,
        "AdminInitiateAuth",
        json!({
            "UserPoolId": pool_id, "ClientId": client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "mallory", "PASSWORD": "Passw0rd!other"},
        }),
    )
    .await;
    signed_in["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn user_info_answers_only_for_its_own_pools_tokens() {
    let mock = MockCognito::builder()
        .seed_file(example_seed())
        .start()
        .await
        .unwrap();
    let token = access_token_of_another_pool(mock.addr()).await;
    for path in ["/example/oauth2/userInfo"] {
        let reply = raw(
            mock.addr(),
            "GET",
            path,
            &[("authorization", &format!("Bearer {token}"))],
            b"",
        )
        .await;
        assert_eq!(
            reply.status,
            401,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        assert_eq!(reply.json()["error"], "invalid_token");
        assert!(!String::from_utf8_lossy(&reply.body).contains("mallory"));
    }
}

#[tokio::test]
async fn a_forged_host_never_becomes_a_url_the_browser_follows() {
    let mock = MockCognito::builder()
        .seed_file(example_seed())
        .start()
        .await
        .unwrap();
    let query = "response_type=code&client_id=1example23456789abcdefghij&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fcallback&scope=openid";
    let authorize = raw(
        mock.addr(),
        "GET",
        &format!("/example/oauth2/authorize?{query}"),
        &[("host", "evil.example")],
        b"",
    )
    .await;
    assert_eq!(authorize.status, 302);
    let location = authorize.header("location").unwrap();
    assert!(
        location.starts_with(&format!("{}/example/login?", mock.endpoint())),
        "{location}"
    );
    let page = raw(
        mock.addr(),
        "GET",
        &format!("/example/login?{query}"),
        &[("host", "evil.example")],
        b"",
    )
    .await;
    assert_eq!(page.status, 200);
    let html = String::from_utf8_lossy(&page.body);
    assert!(
        !html.contains("evil.example"),
        "the form posts elsewhere: {html}"
    );

    // Routing by Host takes `<domain>.localhost` only.
    let by_forged_host = raw(
        mock.addr(),
        "GET",
        &format!("/oauth2/authorize?{query}"),
        &[("host", "example.evil.example")],
        b"",
    )
    .await;
    assert_eq!(by_forged_host.status, 404);
    // Found by the oauth2 fuzz target: a port that is not a number made the
    // name count as ours.
    let by_bad_port = raw(
        mock.addr(),
        "GET",
        &format!("/oauth2/authorize?{query}"),
        &[("host", "example.localhost:9(29")],
        b"",
    )
    .await;
    assert_eq!(by_bad_port.status, 404);
    let port = mock.addr().port();
    let by_localhost = raw(
        mock.addr(),
        "GET",
        &format!("/oauth2/authorize?{query}"),
        &[("host", &format!("example.localhost:{port}"))],
        b"",
    )
    .await;
    assert_eq!(by_localhost.status, 302);
    assert!(
        by_localhost
            .header("location")
            .unwrap()
            .starts_with(&format!("http://example.localhost:{port}/login?")),
    );
}

#[tokio::test]
async fn loopback_routes_answer_ipv4_clients_of_a_dual_stack_listener() {
    let mock = match MockCognito::builder()
        .addr("[::]:0".parse().unwrap())
        .start()
        .await
    {
        Ok(mock) => mock,
        Err(e) => panic!("this machine cannot listen on [::]: {e}"),
    };
    let v4 = SocketAddr::from(([127, 0, 0, 1], mock.addr().port()));
    let reply = raw(v4, "GET", "/_mock/clock", &[], b"").await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let codes = raw(v4, "GET", "/_mock/codes", &[], b"").await;
    assert_eq!(codes.status, 200);
}

#[test]
fn a_seed_file_is_read_up_to_a_limit() {
    let e = SeedConfig::from_file(std::path::Path::new("/dev/zero")).unwrap_err();
    assert!(e.contains("at most"), "{e}");
    let big = std::env::temp_dir().join(format!("cogkit-big-seed-{}.toml", std::process::id()));
    let line = "# padding padding padding padding padding padding padding padding\n";
    let text = line.repeat((mock_cognito::MAX_SEED_FILE_BYTES as usize / line.len()) + 2);
    std::fs::write(&big, text).unwrap();
    let e = SeedConfig::from_file(&big).unwrap_err();
    std::fs::remove_file(&big).unwrap();
    assert!(e.contains("at most"), "{e}");
}

#[tokio::test]
async fn sign_up_with_no_address_to_verify_sends_nothing() {
    let mock = MockCognito::start().await.unwrap();
    let addr = mock.addr();
    let pool = ok(
        addr,
        "CreateUserPool",
        json!({"PoolName": "p", "AutoVerifiedAttributes": ["email"]}),
    )
    .await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let client = ok(
        addr,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "c"}),
    )
    .await;
    let client_id = client["UserPoolClient"]["ClientId"].as_str().unwrap();
    let reply = call(
        addr,
        "SignUp",
        &json!({"ClientId": client_id, "Username": "noemail", "Password": "Passw0rd!x"}),
        false,
    )
    .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let body = reply.json();
    assert_eq!(body["UserConfirmed"], false);
    assert!(body.get("CodeDeliveryDetails").is_none(), "{body}");
    assert!(mock.verification_codes(Some(&pool_id), None).is_empty());
    // Nothing to resend to either.
    let resend = call(
        addr,
        "ResendConfirmationCode",
        &json!({"ClientId": client_id, "Username": "noemail"}),
        false,
    )
    .await;
    assert_eq!(resend.error_type(), "InvalidParameterException");
    // A user with an address gets the code there.
    let with_email = call(
        addr,
        "SignUp",
        &json!({"ClientId": client_id, "Username": "hasemail", "Password": "Passw0rd!x",
        "UserAttributes": [{"Name": "email", "Value": "has@example.com"}]}),
        false,
    )
    .await;
    assert_eq!(
        with_email.json()["CodeDeliveryDetails"]["Destination"],
        "h***@e***"
    );
    assert_eq!(mock.verification_codes(Some(&pool_id), None).len(), 1);
}

/// Opens a connection and sends `head` (maybe nothing), never finishing.
async fn hold(addr: SocketAddr, head: &'static [u8]) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    if !head.is_empty() {
        s.write_all(head).await.unwrap();
    }
    s
}

/// Whether the server closed the connection (EOF or reset) within `wait`.
async fn closed_by_server(s: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 512];
    loop {
        match tokio::time::timeout(wait, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            // A 408 or error page before the close counts as closing.
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn idle_and_half_sent_connections_do_not_starve_a_request_and_are_closed() {
    let limits = ConnectionLimits {
        header_read_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(2),
        request_body_timeout: Duration::from_secs(2),
        max_connections: 2048,
    };
    let mock = MockCognito::builder()
        .connection_limits(limits)
        .start()
        .await
        .unwrap();
    let addr = mock.addr();
    // Both ends live in this process: keep well inside its descriptor limit.
    let each = 250;
    let mut held = Vec::new();
    for _ in 0..each {
        held.push(hold(addr, b"").await);
        held.push(
            hold(
                addr,
                b"POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-amz-json-1.1\r\n",
            )
            .await,
        );
    }
    let answered = tokio::time::timeout(
        Duration::from_secs(5),
        ok(addr, "ListUserPools", json!({"MaxResults": 10})),
    )
    .await;
    assert!(
        answered.is_ok(),
        "a normal request waited behind {} held connections",
        2 * each
    );

    // Half-sent ones go after the header-read timeout, idle ones after the
    // idle timeout; all within a few seconds.
    let mut still_open = 0;
    for s in &mut held {
        if !closed_by_server(s, Duration::from_secs(4)).await {
            still_open += 1;
        }
    }
    assert_eq!(still_open, 0, "connections left open past their timeouts");
}

#[tokio::test]
async fn at_the_connection_cap_a_new_client_takes_the_place_of_an_idle_one() {
    let limits = ConnectionLimits {
        max_connections: 20,
        idle_timeout: Duration::from_secs(60),
        header_read_timeout: Duration::from_secs(60),
        ..ConnectionLimits::default()
    };
    let mock = MockCognito::builder()
        .connection_limits(limits)
        .start()
        .await
        .unwrap();
    let addr = mock.addr();
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(hold(addr, b"").await);
    }
    // Far sooner than any timeout: the cap makes room by closing the
    // longest-idle connection.
    for _ in 0..3 {
        let answered = tokio::time::timeout(
            Duration::from_secs(5),
            ok(addr, "ListUserPools", json!({"MaxResults": 10})),
        )
        .await;
        assert!(
            answered.is_ok(),
            "a client was locked out by idle connections"
        );
    }
    let mut evicted = 0;
    for s in &mut held {
        if closed_by_server(s, Duration::from_millis(200)).await {
            evicted += 1;
        }
    }
    assert!(
        (1..=3).contains(&evicted),
        "{evicted} idle connections closed"
    );
}
