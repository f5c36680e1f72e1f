//! Inputs the `cargo fuzz` targets (`fuzz/`, `cargo xtask fuzz`) turned
//! into crashes, replayed over a real socket. Each names the target and the
//! input that found it; when a fix lands, the input also joins that
//! target's seed corpus (`fuzz/corpus/<target>/`) so the fuzzer keeps
//! checking the boundary.

mod common;

use common::raw;
use mock_cognito::MockCognito;

/// oauth2 target, input
/// `POST /_mock/idp/token {"provider":"accounts.google.com","audience":"example.apps.googleusercontent.com","subject":"1","ttl_seconds":9223372036854775807}`:
/// `now + ttl_seconds` overflows (a panic with overflow checks, as in
/// debug builds; a token that expired before it was issued without them).
/// A lifetime the clock cannot represent must be refused with a 400.
#[tokio::test]

async fn a_provider_token_lifetime_past_the_end_of_time_is_refused() {
    let mock = MockCognito::start().await.unwrap();
    let body = br#"{"provider":"accounts.google.com","audience":"example.apps.googleusercontent.com","subject":"1","ttl_seconds":9223372036854775807}"#;
    let reply = raw(
        mock.addr(),
        "POST",
        "/_mock/idp/token",
        &[("content-type", "application/json")],
        body,
    )
    .await;
    assert_eq!(
        reply.status,
        400,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert!(reply.json()["message"].is_string());
    // A lifetime that fits still works.
    let body = br#"{"provider":"accounts.google.com","audience":"example.apps.googleusercontent.com","subject":"1","ttl_seconds":600}"#;
    let reply = raw(
        mock.addr(),
        "POST",
        "/_mock/idp/token",
        &[("content-type", "application/json")],
        body,
    )
    .await;
    assert_eq!(reply.status, 200);
}

// The oauth2 target's other crash, `POST /_mock/clock` with an advance past
// i64::MAX, is issue 13's first probe finding: `hardening.rs` pins it
// (`advancing_the_clock_past_what_it_can_show_is_refused_and_harmless`).
