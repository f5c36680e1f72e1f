//! Hostile input: every malformed value gives a typed error, never a panic.

use std::collections::HashMap;
use std::time::{Duration, UNIX_EPOCH};

use cognito_srp::*;
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

const NOW_UNIX: u64 = 1_709_629_623; // Tue Mar 5 09:07:03 UTC 2024

struct Fixture {
    pool: PoolName,
    password: Password,
    client: SrpClient,
    session: ServerSession,
    challenge: PasswordVerifierChallenge,
}

fn fixture() -> Fixture {
    let mut rng = ChaCha20Rng::seed_from_u64(99);
    let pool = PoolName::from_user_pool_id("us-east-1_AbCdEf123").unwrap();
    let password = Password::new("P@ssw0rd!");
    let verifier = Verifier::generate(&mut rng, &pool, "alice", &password).unwrap();
    let session = ServerSession::start(&mut rng, &verifier);
    let client = SrpClient::new(&mut rng);
    let challenge = PasswordVerifierChallenge {
        username: "alice".into(),
        user_id_for_srp: "alice".into(),
        salt: session.salt(),
        srp_b: session.srp_b(),
        secret_block: "c2VjcmV0LWJsb2Nr".into(),
    };
    Fixture {
        pool,
        password,
        client,
        session,
        challenge,
    }
}

fn n_times(k: u8) -> String {
    // k·N for k = 0 or 1 (2·N does not fit in 3072 bits).
    match k {
        0 => "0".into(),
        _ => N_HEX.to_owned(),
    }
}

fn ts() -> CognitoTimestamp {
    CognitoTimestamp::from_unix(NOW_UNIX as i64).unwrap()
}

#[test]
fn bad_server_values_are_refused_by_the_client() {
    let f = fixture();
    let answer = |srp_b: &str, salt: &str, block: &str| {
        let challenge = PasswordVerifierChallenge {
            srp_b: srp_b.into(),
            salt: salt.into(),
            secret_block: block.into(),
            ..f.challenge.clone()
        };
        f.client
            .answer_password_verifier(&f.pool, &challenge, &f.password, ts())
    };
    let (b, salt, block) = (
        f.challenge.srp_b.clone(),
        f.challenge.salt.clone(),
        f.challenge.secret_block.clone(),
    );
    let oversized = "f".repeat(MAX_HEX_LEN + 1);
    let too_big = "1".repeat(769); // 3073+ bits
    for (bad, want) in [
        ("", SrpError::Empty),
        ("xyz", SrpError::NotHex { at: 0 }),
        (
            oversized.as_str(),
            SrpError::TooLong {
                len: MAX_HEX_LEN + 1,
                max: MAX_HEX_LEN,
            },
        ),
        (too_big.as_str(), SrpError::NumberTooLarge),
        (n_times(0).as_str(), SrpError::IllegalServerValue),
        (n_times(1).as_str(), SrpError::IllegalServerValue),
    ] {
        assert_eq!(
            answer(bad, &salt, &block).unwrap_err(),
            want,
            "SRP_B = {:.20}",
            bad
        );
    }
    for (bad, want) in [
        ("", SrpError::Empty),
        ("12g4", SrpError::NotHex { at: 2 }),
        (
            oversized.as_str(),
            SrpError::TooLong {
                len: MAX_HEX_LEN + 1,
                max: MAX_HEX_LEN,
            },
        ),
        ("0000", SrpError::IllegalSalt),
        (N_HEX, SrpError::IllegalSalt),
    ] {
        assert_eq!(
            answer(&b, bad, &block).unwrap_err(),
            want,
            "SALT = {:.20}",
            bad
        );
    }
    for bad in ["", "not base64!", "abc", "====", "c2VjcmV0LWJsb2Nr\n"] {
        assert_eq!(
            answer(&b, &salt, bad).unwrap_err(),
            SrpError::SecretBlockNotBase64,
            "SECRET_BLOCK = {bad:?}"
        );
    }
    let huge = "A".repeat(100_000);
    assert!(matches!(
        answer(&b, &salt, &huge),
        Err(SrpError::TooLong { .. })
    ));
    let long_pw = Password::new("p".repeat(100_000));
    assert!(matches!(
        f.client
            .answer_password_verifier(&f.pool, &f.challenge, &long_pw, ts()),
        Err(SrpError::TooLong { .. })
    ));
}

#[test]
fn bad_client_values_are_refused_by_the_server() {
    let f = fixture();
    let claim = f
        .client
        .answer_password_verifier(&f.pool, &f.challenge, &f.password, ts())
        .unwrap();
    let srp_a = f.client.srp_a();
    let good = ReceivedClaim {
        srp_a: &srp_a,
        secret_block: &claim.secret_block,
        timestamp: &claim.timestamp,
        signature: &claim.signature,
    };
    let verify = |c: ReceivedClaim<'_>, now_unix: u64| {
        f.session.verify_password_claim(
            &f.pool,
            "alice",
            c,
            UNIX_EPOCH + Duration::from_secs(now_unix),
            DEFAULT_TIMESTAMP_SKEW,
        )
    };
    assert_eq!(verify(good, NOW_UNIX), Ok(()));

    let oversized = "a".repeat(MAX_HEX_LEN + 1);
    for (bad, want) in [
        ("", SrpError::Empty),
        ("-1", SrpError::NotHex { at: 0 }),
        (
            oversized.as_str(),
            SrpError::TooLong {
                len: MAX_HEX_LEN + 1,
                max: MAX_HEX_LEN,
            },
        ),
        ("0", SrpError::IllegalClientValue),
        ("00000000", SrpError::IllegalClientValue),
        (N_HEX, SrpError::IllegalClientValue),
    ] {
        assert_eq!(
            verify(ReceivedClaim { srp_a: bad, ..good }, NOW_UNIX),
            Err(want),
            "SRP_A = {:.20}",
            bad
        );
    }
    for bad in ["", "%%%", "c2VjcmV0LWJsb2Nr="] {
        assert_eq!(
            verify(
                ReceivedClaim {
                    secret_block: bad,
                    ..good
                },
                NOW_UNIX
            ),
            Err(SrpError::SecretBlockNotBase64)
        );
    }
    assert_eq!(
        verify(
            ReceivedClaim {
                signature: "***",
                ..good
            },
            NOW_UNIX
        ),
        Err(SrpError::NotBase64)
    );
    assert_eq!(
        verify(
            ReceivedClaim {
                signature: "",
                ..good
            },
            NOW_UNIX
        ),
        Err(SrpError::SignatureMismatch)
    );
    assert_eq!(
        verify(
            ReceivedClaim {
                signature: "AAAA",
                ..good
            },
            NOW_UNIX
        ),
        Err(SrpError::SignatureMismatch)
    );

    // Timestamps: padded day, wrong weekday, outside the window either way.
    assert!(matches!(
        verify(
            ReceivedClaim {
                timestamp: "Tue Mar 05 09:07:03 UTC 2024",
                ..good
            },
            NOW_UNIX
        ),
        Err(SrpError::MalformedTimestamp(_))
    ));
    assert_eq!(
        verify(
            ReceivedClaim {
                timestamp: "Mon Mar 5 09:07:03 UTC 2024",
                ..good
            },
            NOW_UNIX
        ),
        Err(SrpError::WrongWeekday)
    );
    assert_eq!(
        verify(good, NOW_UNIX + 301),
        Err(SrpError::TimestampOutOfWindow { offset_secs: -301 })
    );
    assert_eq!(
        verify(good, NOW_UNIX - 301),
        Err(SrpError::TimestampOutOfWindow { offset_secs: 301 })
    );
    assert_eq!(verify(good, NOW_UNIX + 300), Ok(()));
}

#[test]
fn challenge_parameters_are_checked() {
    let mut params = HashMap::from([
        ("USER_ID_FOR_SRP".to_owned(), "alice".to_owned()),
        ("SALT".to_owned(), "ab".to_owned()),
        ("SRP_B".to_owned(), "cd".to_owned()),
    ]);
    assert_eq!(
        PasswordVerifierChallenge::from_parameters(&params),
        Err(SrpError::MissingParameter("SECRET_BLOCK"))
    );
    params.insert("SECRET_BLOCK".into(), "AAAA".into());
    let c = PasswordVerifierChallenge::from_parameters(&params).unwrap();
    assert_eq!(
        c.username, "alice",
        "USERNAME falls back to USER_ID_FOR_SRP"
    );
    params.insert("SECRET_BLOCK".into(), "A".repeat(20_000));
    assert!(matches!(
        PasswordVerifierChallenge::from_parameters(&params),
        Err(SrpError::TooLong { .. })
    ));
}

#[test]
fn secrets_do_not_leak_through_debug() {
    let f = fixture();
    let claim = f
        .client
        .answer_password_verifier(&f.pool, &f.challenge, &f.password, ts())
        .unwrap();
    let printed = format!(
        "{:?} {:?} {:?} {:?}",
        f.password, f.client, f.session, claim
    );
    assert!(!printed.contains("P@ssw0rd!"));
    assert!(!printed.contains(&claim.signature));
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let device = DeviceSecret::generate(&mut rng, "dgk-1", "us-east-1_device").unwrap();
    assert!(!format!("{device:?}").contains(device.password().expose_secret()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Arbitrary strings in every field: typed errors, never a panic.
    #[test]
    fn arbitrary_strings_never_panic(
        a in "\\PC{0,80}|[0-9a-fA-F]{0,1000}",
        b in "\\PC{0,80}|[0-9a-fA-F]{0,1000}",
        salt in "\\PC{0,40}|[0-9a-f]{0,40}",
        block in "\\PC{0,40}|[A-Za-z0-9+/=]{0,64}",
        timestamp in "\\PC{0,40}|(Mon|Tue|Wed) (Jan|Feb|Mar) [0-9]{1,2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC [0-9]{4}",
        signature in "\\PC{0,60}",
        pool_id in "\\PC{0,30}",
    ) {
        let f = fixture();
        let _ = PoolName::from_user_pool_id(&pool_id);
        let _ = decode_hex(&a);
        let _ = CognitoTimestamp::parse(&timestamp);
        let challenge = PasswordVerifierChallenge {
            srp_b: b.clone(),
            salt: salt.clone(),
            secret_block: block.clone(),
            ..f.challenge.clone()
        };
        let _ = f.client.answer_password_verifier(&f.pool, &challenge, &f.password, ts());
        let claim = ReceivedClaim { srp_a: &a, secret_block: &block, timestamp: &timestamp, signature: &signature };
        let result = f.session.verify_password_claim(&f.pool, "alice", claim, UNIX_EPOCH + Duration::from_secs(NOW_UNIX), DEFAULT_TIMESTAMP_SKEW);
        prop_assert!(result.is_err());
        let _ = Verifier::from_hex(&salt, &b);
        let _ = Verifier::from_device_config(&block, &signature);
    }
}
