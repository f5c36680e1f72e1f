//! Cognito-SRP's parsers and proof check, through cognito-srp's public API:
//! SRP_A, SALT, SRP_B and SECRET_BLOCK as a client and a server receive
//! them (`PasswordVerifierChallenge::from_parameters`,
//! `SrpClient::answer_password_verifier`, `Verifier::from_hex`,
//! `Verifier::from_device_config`), TIMESTAMP (`CognitoTimestamp::parse`),
//! and `ServerSession::verify_password_claim` with every claim field fuzzed.
//!
//! Input: up to seven lines, `SRP_A`, `SECRET_BLOCK`, `TIMESTAMP`,
//! `SIGNATURE`, `USER_ID`, `SALT`, `SRP_B`; a missing line or `=` is the
//! honest value of a fixed session for alice (for SIGNATURE: the honest
//! client's signature over the input's secret block and timestamp).
//!
//! Invariants: never a panic; a parsed TIMESTAMP prints back exactly as
//! received; the server accepts a claim only with the honest A, user id and
//! signature (soundness), and always accepts the honest client's claim in
//! the time window (completeness).

#![no_main]

use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::{Duration, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cognito_srp::*;
use libfuzzer_sys::fuzz_target;

const NOW_UNIX: u64 = 1_709_629_623; // Tue Mar 5 09:07:03 UTC 2024
const USER: &str = "alice";
const HONEST_BLOCK: &str = "c2VjcmV0LWJsb2Nr";

struct Honest {
    pool: PoolName,
    password: Password,
    session: ServerSession,
    client: SrpClient,
    srp_a: String,
    timestamp: String,
}

static HONEST: LazyLock<Honest> = LazyLock::new(|| {
    let pool = PoolName::from_user_pool_id("us-east-1_AbCdEf123").expect("a valid pool id");
    let password = Password::new("P@ssw0rd!");
    let verifier =
        Verifier::with_salt(&[0x17; SALT_BYTES], &pool, USER, &password).expect("a valid salt");
    let session =
        ServerSession::from_secret(&[0x42; SERVER_SECRET_BYTES], &verifier).expect("a valid b");
    let client = SrpClient::from_secret(&[0x5a; CLIENT_SECRET_BYTES]).expect("a valid a");
    let srp_a = client.srp_a();
    let timestamp = CognitoTimestamp::from_unix(NOW_UNIX as i64)
        .expect("in range")
        .to_string();
    Honest {
        pool,
        password,
        session,
        client,
        srp_a,
        timestamp,
    }
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let h = &*HONEST;
    let lines: Vec<&str> = text.split('\n').collect();
    let given = |i: usize| lines.get(i).copied().filter(|l| *l != "=");
    let srp_a = given(0).unwrap_or(&h.srp_a);
    let secret_block = given(1).unwrap_or(HONEST_BLOCK);
    let timestamp = given(2).unwrap_or(&h.timestamp);
    let user_id = given(4).unwrap_or(USER);
    let salt = given(5).map_or_else(|| h.session.salt(), str::to_owned);
    let srp_b = given(6).map_or_else(|| h.session.srp_b(), str::to_owned);
    let now = UNIX_EPOCH + Duration::from_secs(NOW_UNIX);

    let parsed = CognitoTimestamp::parse(timestamp).ok();
    if let Some(t) = parsed {
        assert_eq!(
            t.to_string(),
            timestamp,
            "a parsed TIMESTAMP prints back as received"
        );
        let _ = t.iso8601();
    }

    // The client side, on what a hostile server could send.
    let params = HashMap::from([
        ("USERNAME".to_owned(), user_id.to_owned()),
        ("USER_ID_FOR_SRP".to_owned(), user_id.to_owned()),
        ("SALT".to_owned(), salt.clone()),
        ("SRP_B".to_owned(), srp_b.clone()),
        ("SECRET_BLOCK".to_owned(), secret_block.to_owned()),
    ]);
    if let (Ok(challenge), Some(t)) = (PasswordVerifierChallenge::from_parameters(&params), parsed)
        && (given(5).is_some() || given(6).is_some())
    {
        let _ = h
            .client
            .answer_password_verifier(&h.pool, &challenge, &h.password, t);
    }
    let _ = Verifier::from_hex(&salt, &srp_b);
    let _ = Verifier::from_device_config(&salt, &srp_b);

    // The server side: the honest client's claim for this block and time.
    let honest_claim = match (given(3), parsed) {
        (None, Some(t)) => {
            let challenge = PasswordVerifierChallenge {
                username: user_id.to_owned(),
                user_id_for_srp: user_id.to_owned(),
                salt: h.session.salt(),
                srp_b: h.session.srp_b(),
                secret_block: secret_block.to_owned(),
            };
            h.client
                .answer_password_verifier(&h.pool, &challenge, &h.password, t)
                .ok()
        }
        _ => None,
    };
    let signature = given(3)
        .map(str::to_owned)
        .or_else(|| honest_claim.as_ref().map(|c| c.signature.clone()))
        .unwrap_or_default();
    let claim = ReceivedClaim {
        srp_a,
        secret_block,
        timestamp,
        signature: &signature,
    };
    let verdict =
        h.session
            .verify_password_claim(&h.pool, user_id, claim, now, DEFAULT_TIMESTAMP_SKEW);

    if verdict.is_ok() {
        let same_number = |a: &str, b: &str| {
            let strip = |v: Vec<u8>| v.into_iter().skip_while(|&x| x == 0).collect::<Vec<_>>();
            match (decode_hex(a), decode_hex(b)) {
                (Ok(x), Ok(y)) => strip(x) == strip(y),
                _ => false,
            }
        };
        assert!(
            same_number(srp_a, &h.srp_a),
            "a claim for another A was accepted"
        );
        assert_eq!(user_id, USER, "a claim for another user id was accepted");
        let honest_signature = honest_claim
            .as_ref()
            .map(|c| STANDARD.decode(&c.signature).expect("the client's base64"));
        let honest_signature = honest_signature.or_else(|| {
            let t = parsed?;
            let challenge = PasswordVerifierChallenge {
                username: USER.to_owned(),
                user_id_for_srp: USER.to_owned(),
                salt: h.session.salt(),
                srp_b: h.session.srp_b(),
                secret_block: secret_block.to_owned(),
            };
            let c = h
                .client
                .answer_password_verifier(&h.pool, &challenge, &h.password, t)
                .ok()?;
            STANDARD.decode(c.signature).ok()
        });
        assert_eq!(
            STANDARD.decode(&signature).ok(),
            honest_signature,
            "a signature other than the honest one was accepted"
        );
    }
    let honest_inputs = given(0).is_none_or(|a| a == h.srp_a) && user_id == USER;
    let in_window = parsed.is_some_and(|t| t.check_within(now, DEFAULT_TIMESTAMP_SKEW).is_ok());
    if honest_inputs && honest_claim.is_some() && in_window {
        assert_eq!(verdict, Ok(()), "the honest client's claim was refused");
    }
});
