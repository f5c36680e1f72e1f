//! Device SRP: ConfirmDevice's verifier config, and the DEVICE_PASSWORD_VERIFIER
//! answer checked by the server side built from that config.

use std::collections::HashMap;
use std::time::{Duration, UNIX_EPOCH};

use cognito_srp::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

#[test]
fn device_round_trip() {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let device = DeviceSecret::generate(
        &mut rng,
        "-abcdEFGH",
        "us-east-1_0c3f2a1e-1234-4b5c-8d9e-0123456789ab",
    )
    .unwrap();
    assert_eq!(
        device.password().expose_secret().len(),
        56,
        "base64 of 40 bytes"
    );
    let config = device.verifier_config();
    let verifier = Verifier::from_device_config(&config.salt, &config.password_verifier).unwrap();

    let client = SrpClient::new(&mut rng);
    let session = ServerSession::start(&mut rng, &verifier);
    let params = HashMap::from([
        ("SRP_B".to_owned(), session.srp_b()),
        ("SALT".to_owned(), session.salt()),
        ("SECRET_BLOCK".to_owned(), "ZGV2aWNlLWJsb2Nr".to_owned()),
    ]);
    let now = UNIX_EPOCH + Duration::from_secs(1_709_629_623);
    let ts = CognitoTimestamp::from_system_time(now).unwrap();
    let responses = device
        .answer_device_password_verifier(&client, &params, "alice", ts)
        .unwrap();
    assert_eq!(responses["DEVICE_KEY"], device.device_key());
    assert_eq!(responses["USERNAME"], "alice");

    let group = PoolName::from_device_group_key("-abcdEFGH").unwrap();
    let srp_a = client.srp_a();
    let claim = ReceivedClaim {
        srp_a: &srp_a,
        secret_block: &responses["PASSWORD_CLAIM_SECRET_BLOCK"],
        timestamp: &responses["TIMESTAMP"],
        signature: &responses["PASSWORD_CLAIM_SIGNATURE"],
    };
    session
        .verify_password_claim(
            &group,
            device.device_key(),
            claim,
            now,
            DEFAULT_TIMESTAMP_SKEW,
        )
        .unwrap();

    // The same secret restored from storage answers identically.
    let restored = DeviceSecret::from_parts(
        "-abcdEFGH",
        device.device_key(),
        device.password().clone(),
        &hex_salt(&config.salt),
    )
    .unwrap();
    assert_eq!(restored.verifier_config(), config);
    // Another device password does not verify.
    let other = DeviceSecret::generate(&mut rng, "-abcdEFGH", device.device_key()).unwrap();
    let wrong = other
        .answer_device_password_verifier(&client, &params, "alice", ts)
        .unwrap();
    let claim = ReceivedClaim {
        signature: &wrong["PASSWORD_CLAIM_SIGNATURE"],
        ..claim
    };
    assert_eq!(
        session.verify_password_claim(
            &group,
            device.device_key(),
            claim,
            now,
            DEFAULT_TIMESTAMP_SKEW
        ),
        Err(SrpError::SignatureMismatch)
    );
}

fn hex_salt(b64: &str) -> String {
    let map = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            _ => 63,
        }
    };
    let digits: Vec<u32> = b64.bytes().filter(|&c| c != b'=').map(map).collect();
    let mut bytes = Vec::new();
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &d)| acc | d << (18 - 6 * i));
        for i in 0..chunk.len() - 1 {
            bytes.push((n >> (16 - 8 * i)) as u8);
        }
    }
    encode_hex(&bytes)
}
