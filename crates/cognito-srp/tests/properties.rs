//! Property tests: round trips through the public API.

use std::time::{Duration, UNIX_EPOCH};

use cognito_srp::*;
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn pool_id() -> impl Strategy<Value = String> {
    ("[a-z]{2}-[a-z]{4,9}-[1-9]", "[0-9A-Za-z]{1,12}").prop_map(|(r, n)| format!("{r}_{n}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// For random pools, Unicode user ids and passwords, salts and RNG seeds,
    /// the right password verifies at the server and any other does not.
    #[test]
    fn client_answer_verifies_only_with_the_right_password(
        pool_id in pool_id(),
        user_id in "\\PC{1,40}",
        password in "\\PC{1,64}",
        other in "\\PC{1,64}",
        salt in prop::collection::vec(any::<u8>(), 1..32),
        seed in any::<u64>(),
        unix in 0i64..253_402_300_799,
    ) {
        prop_assume!(password != other);
        prop_assume!(salt.iter().any(|&b| b != 0));
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let pool = PoolName::from_user_pool_id(&pool_id).unwrap();
        let pw = Password::new(password.as_str());
        let verifier = Verifier::with_salt(&salt, &pool, &user_id, &pw).unwrap();
        prop_assert!(verifier.matches_password(&pool, &user_id, &pw));
        prop_assert!(!verifier.matches_password(&pool, &user_id, &Password::new(other.as_str())));

        let session = ServerSession::start(&mut rng, &verifier);
        let client = SrpClient::new(&mut rng);
        let mut block = [0u8; 48];
        rand_core::Rng::fill_bytes(&mut rng, &mut block);
        let challenge = PasswordVerifierChallenge {
            username: user_id.clone(),
            user_id_for_srp: user_id.clone(),
            salt: session.salt(),
            srp_b: session.srp_b(),
            secret_block: base64_encode(&block),
        };
        let ts = CognitoTimestamp::from_unix(unix).unwrap();
        let now = UNIX_EPOCH + Duration::from_secs(unix as u64);
        let srp_a = client.srp_a();
        for (candidate, should_pass) in [(password.as_str(), true), (other.as_str(), false)] {
            let claim = client.answer_password_verifier(&pool, &challenge, &Password::new(candidate), ts).unwrap();
            let received = ReceivedClaim {
                srp_a: &srp_a,
                secret_block: &claim.secret_block,
                timestamp: &claim.timestamp,
                signature: &claim.signature,
            };
            let result = session.verify_password_claim(&pool, &user_id, received, now, DEFAULT_TIMESTAMP_SKEW);
            prop_assert_eq!(result.is_ok(), should_pass, "{:?}", result);
        }
    }

    /// padHex matches its definition: minimal magnitude, one 0x00 in front
    /// when the top bit is set, and decoding it gives the value back.
    #[test]
    fn pad_hex_round_trips(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let padded = pad_hex(&bytes);
        let minimal: Vec<u8> = bytes.iter().copied().skip_while(|&b| b == 0).collect();
        match minimal.first() {
            Some(&top) if top & 0x80 == 0 => prop_assert_eq!(&padded, &minimal),
            _ => {
                prop_assert_eq!(padded[0], 0);
                prop_assert_eq!(&padded[1..], &minimal[..]);
            }
        }
        prop_assert_eq!(padded[0] & 0x80, 0);
        // Hex of the padded bytes decodes to the same bytes.
        prop_assert_eq!(decode_hex(&encode_hex(&padded)).unwrap(), padded);
    }

    /// Any instant in 1970–9999 formats and parses back to itself.
    #[test]
    fn timestamps_round_trip(unix in 0i64..253_402_300_800) {
        let ts = CognitoTimestamp::from_unix(unix).unwrap();
        let text = ts.to_string();
        prop_assert_eq!(CognitoTimestamp::parse(&text), Ok(ts));
        let day = text.split(' ').nth(2).unwrap();
        prop_assert!(!day.starts_with('0'));
    }
}

fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
