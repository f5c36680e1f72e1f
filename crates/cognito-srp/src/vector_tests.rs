//! Every vector in `tests/vectors/cognito-srp.json` (a copy of the shared
//! vectors, checked against the original by `tests/vectors.rs`) and the two
//! public vectors of the protocol notes, checked value by value on both sides.

use std::time::{Duration, UNIX_EPOCH};

use serde_json::Value;

use crate::bignum::Uint;
use crate::client::parse_salt;
use crate::group::pad;
use crate::hex::{decode_hex, encode_hex, encode_hex_unpadded};
use crate::proof::{parse_number, private_key, scrambler, session_key};
use crate::*;

const VECTORS: &str = include_str!("../tests/vectors/cognito-srp.json");

fn minimal_hex(bytes: &[u8]) -> String {
    encode_hex_unpadded(bytes)
}

fn number_hex(x: &Uint) -> String {
    minimal_hex(&x.to_be_bytes())
}

struct Case {
    name: String,
    pool_id: String,
    user_id: String,
    password: String,
    a_hex: String,
    b_hex: String,
    salt_hex: String,
    secret_block: String,
    timestamp: String,
    unix: i64,
}

fn utc_to_unix(s: &str) -> i64 {
    // "2026-11-26T18:05:09Z"
    let n = |r: std::ops::Range<usize>| s[r].parse::<i64>().unwrap();
    let (y, mo, d, h, mi, se) = (n(0..4), n(5..7), n(8..10), n(11..13), n(14..16), n(17..19));
    let ym = if mo <= 2 { y - 1 } else { y };
    let era = ym.div_euclid(400);
    let yoe = ym - era * 400;
    let doy = (153 * ((mo + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    days * 86_400 + h * 3600 + mi * 60 + se
}

/// Runs one case through client and server and returns the signature.
fn run_both_sides(c: &Case, expect: &Value) -> String {
    let pool = PoolName::from_user_pool_id(&c.pool_id).unwrap();
    let password = Password::new(c.password.as_str());
    let client = SrpClient::from_secret(&decode_hex(&c.a_hex).unwrap()).unwrap();
    let salt = parse_salt(&c.salt_hex).unwrap();
    let verifier = Verifier::with_salt(&salt.to_be_bytes(), &pool, &c.user_id, &password).unwrap();
    let session = ServerSession::from_secret(&decode_hex(&c.b_hex).unwrap(), &verifier).unwrap();
    let big_b = parse_number(&session.srp_b()).unwrap();

    let check = |field: &str, got: String| {
        if let Some(want) = expect.get(field).and_then(Value::as_str) {
            // The protocol notes give long values by their first 32 digits.
            let ok = if want.len() <= 32 {
                got.starts_with(want)
            } else {
                got == want
            };
            assert!(ok, "{}: {field} = {got}, want {want}", c.name);
        }
    };
    check("A_hex", client.srp_a());
    check("B_hex", session.srp_b());
    check("verifier_hex", verifier.verifier_hex());
    let u = scrambler(&client.big_a, &big_b).unwrap();
    check("u_hex", number_hex(&u));
    let x = private_key(&salt, pool.as_str(), &c.user_id, &password);
    check("x_hex", number_hex(&x));
    let s_client = client.premaster_secret(&big_b, &u, &x);
    let s_server = session.premaster_secret(&client.big_a, &u);
    assert!(
        s_client == s_server,
        "{}: S differs between client and server",
        c.name
    );
    check("S_hex", number_hex(&s_client));
    check("hkdf_key_hex", encode_hex(&session_key(&u, &s_client).0));
    assert_eq!(pad(&u)[0] & 0x80, 0, "padHex never leaves the top bit set");

    let challenge = PasswordVerifierChallenge {
        username: c.user_id.clone(),
        user_id_for_srp: c.user_id.clone(),
        salt: c.salt_hex.clone(),
        srp_b: session.srp_b(),
        secret_block: c.secret_block.clone(),
    };
    let ts = CognitoTimestamp::from_unix(c.unix).unwrap();
    assert_eq!(
        ts.to_string(),
        c.timestamp,
        "{}: timestamp formatting",
        c.name
    );
    let claim = client
        .answer_password_verifier(&pool, &challenge, &password, ts)
        .unwrap();
    check("password_claim_signature", claim.signature.clone());

    // The server accepts exactly this claim, at the claim's own time.
    let now = UNIX_EPOCH + Duration::from_secs(c.unix as u64);
    let srp_a = client.srp_a();
    let received = ReceivedClaim {
        srp_a: &srp_a,
        secret_block: &claim.secret_block,
        timestamp: &claim.timestamp,
        signature: &claim.signature,
    };
    session
        .verify_password_claim(&pool, &c.user_id, received, now, DEFAULT_TIMESTAMP_SKEW)
        .unwrap_or_else(|e| panic!("{}: server refused a valid claim: {e}", c.name));
    assert_flips_fail(c, &session, &pool, received, now);
    claim.signature
}

/// One flipped bit in the signature, timestamp, secret block or password
/// makes verification fail.
fn assert_flips_fail(
    c: &Case,
    session: &ServerSession,
    pool: &PoolName,
    good: ReceivedClaim<'_>,
    now: std::time::SystemTime,
) {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    let verify = |claim: ReceivedClaim<'_>| {
        session.verify_password_claim(pool, &c.user_id, claim, now, DEFAULT_TIMESTAMP_SKEW)
    };

    let mut sig = STANDARD.decode(good.signature).unwrap();
    for bit in [0usize, 7, 100, 255] {
        sig[bit / 8] ^= 1 << (bit % 8);
        let flipped = STANDARD.encode(&sig);
        sig[bit / 8] ^= 1 << (bit % 8);
        assert_eq!(
            verify(ReceivedClaim {
                signature: &flipped,
                ..good
            }),
            Err(SrpError::SignatureMismatch),
            "{}: signature bit {bit}",
            c.name
        );
    }

    let mut block = STANDARD.decode(good.secret_block).unwrap();
    block[0] ^= 1;
    let flipped = STANDARD.encode(&block);
    assert_eq!(
        verify(ReceivedClaim {
            secret_block: &flipped,
            ..good
        }),
        Err(SrpError::SignatureMismatch),
        "{}: secret block",
        c.name
    );

    // A timestamp one second later is still well-formed, so only the
    // signature can catch it; flipping the seconds' low bit does exactly that.
    let mut ts = good.timestamp.as_bytes().to_vec();
    let sec = ts.iter().rposition(|&b| b == b':').unwrap() + 2;
    ts[sec] ^= 1;
    let flipped = String::from_utf8(ts).unwrap();
    if CognitoTimestamp::parse(&flipped).is_ok() {
        assert_eq!(
            verify(ReceivedClaim {
                timestamp: &flipped,
                ..good
            }),
            Err(SrpError::SignatureMismatch),
            "{}: timestamp",
            c.name
        );
    }

    let mut pw = c.password.clone().into_bytes();
    pw[0] ^= 1;
    let pw = Password::new(String::from_utf8(pw).unwrap());
    let client = SrpClient::from_secret(&decode_hex(&c.a_hex).unwrap()).unwrap();
    let challenge = PasswordVerifierChallenge {
        username: c.user_id.clone(),
        user_id_for_srp: c.user_id.clone(),
        salt: c.salt_hex.clone(),
        srp_b: session.srp_b(),
        secret_block: good.secret_block.to_owned(),
    };
    let ts = CognitoTimestamp::parse(good.timestamp).unwrap();
    let wrong = client
        .answer_password_verifier(pool, &challenge, &pw, ts)
        .unwrap();
    assert_eq!(
        verify(ReceivedClaim {
            signature: &wrong.signature,
            ..good
        }),
        Err(SrpError::SignatureMismatch),
        "{}: password",
        c.name
    );
}

#[test]
fn every_shared_vector_passes_both_ways() {
    let doc: Value = serde_json::from_str(VECTORS).unwrap();
    assert_eq!(doc["k_hex"].as_str().unwrap(), K_HEX);
    assert_eq!(doc["N_hex"].as_str().unwrap(), N_HEX.to_lowercase());
    assert_eq!(doc["g"].as_u64().unwrap(), G);
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 11);
    for v in cases {
        let s = |k: &str| v[k].as_str().unwrap().to_owned();
        let case = Case {
            name: s("name"),
            pool_id: s("pool_id"),
            user_id: s("user_id_for_srp"),
            password: s("password"),
            a_hex: s("a_hex"),
            b_hex: s("b_hex"),
            salt_hex: s("salt_hex"),
            secret_block: s("secret_block_b64"),
            timestamp: s("timestamp"),
            unix: utc_to_unix(&s("timestamp_utc")),
        };
        let sig = run_both_sides(&case, v);
        assert_eq!(sig, s("password_claim_signature"), "{}", case.name);
        if let Some(hash) = v.get("secret_hash").and_then(Value::as_str) {
            assert_eq!(
                secret_hash(&s("username"), &s("client_id"), &s("client_secret")),
                hash
            );
        }
    }
}

#[test]
fn public_vector_v1() {
    use base64::Engine;
    let case = Case {
        name: "V1".into(),
        pool_id: "eu-west-1_myPool".into(),
        user_id: "test".into(),
        password: "test".into(),
        a_hex: "499602d2".into(),
        // V1 gives SRP_B directly rather than b; the server half is covered by
        // V2 and the shared vectors, so check the client half here.
        b_hex: String::new(),
        salt_hex: "499602d2".into(),
        secret_block: base64::engine::general_purpose::STANDARD.encode("secretssecrestssecrets"),
        timestamp: "Tue Jul 10 11:01:00 UTC 2018".into(),
        unix: utc_to_unix("2018-07-10T11:01:00Z"),
    };
    let pool = PoolName::from_user_pool_id(&case.pool_id).unwrap();
    let password = Password::new("test");
    let client = SrpClient::from_secret(&decode_hex(&case.a_hex).unwrap()).unwrap();
    assert!(
        client
            .srp_a()
            .starts_with("58b1e37b7ea681503acceae288bc1b7c")
    );
    assert_eq!(client.srp_a().len(), 768);
    let big_b = parse_number("499602d2").unwrap();
    let u = scrambler(&client.big_a, &big_b).unwrap();
    assert_eq!(
        number_hex(&u),
        "c98b195a479d1a7c70c99dd680f34f5805fe686d0bc716549ff2ed895aa9111"
    );
    let salt = parse_salt(&case.salt_hex).unwrap();
    let x = private_key(&salt, pool.as_str(), &case.user_id, &password);
    let s = client.premaster_secret(&big_b, &u, &x);
    assert_eq!(
        encode_hex(&session_key(&u, &s).0),
        "d96cde6c95dda17175c1293140c5a81f"
    );
    let challenge = PasswordVerifierChallenge {
        username: "test".into(),
        user_id_for_srp: "test".into(),
        salt: case.salt_hex.clone(),
        srp_b: "499602d2".into(),
        secret_block: case.secret_block.clone(),
    };
    let ts = CognitoTimestamp::parse(&case.timestamp).unwrap();
    assert_eq!(ts.unix_secs(), case.unix);
    let claim = client
        .answer_password_verifier(&pool, &challenge, &password, ts)
        .unwrap();
    assert_eq!(
        claim.signature,
        "tdvQu/Li/qWl8Nni0aFPs+MwY4rvKZm0kSMrGIMSUHk="
    );
    assert_eq!(case.b_hex, "");

    // The Go library's u for two short values.
    let u = scrambler(
        &parse_number("6D797365637265746861736841").unwrap(),
        &parse_number("6D797365637265746861736842").unwrap(),
    )
    .unwrap();
    let expect = num_bigint::BigUint::parse_bytes(
        b"39743664823761398449876968619416475559594078623923024211668626611155104513539",
        10,
    )
    .unwrap();
    assert_eq!(num_bigint::BigUint::from_bytes_be(&u.to_be_bytes()), expect);
}

#[test]
fn public_vector_v2() {
    let a = format!("7f{}", "11".repeat(31));
    let b = format!("5a{}", "22".repeat(31));
    let case = Case {
        name: "V2".into(),
        pool_id: "us-east-1_AbCdEf123".into(),
        user_id: "alice".into(),
        password: "P@ssw0rd!".into(),
        a_hex: a,
        b_hex: b,
        salt_hex: "a1b2c3d4e5f60718293a4b5c6d7e8f90".into(),
        secret_block: "bW9jay1zZWNyZXQtYmxvY2stMDAwMQ==".into(),
        timestamp: "Tue Mar 5 09:07:03 UTC 2024".into(),
        unix: utc_to_unix("2024-03-05T09:07:03Z"),
    };
    let expect = serde_json::json!({
        "x_hex": "316e8f2d42dc7336753b485780025b1e2d64780a279bb6942bd2fcdb83226148",
        "verifier_hex": "e8dd975dee4f631710fde97a8cceaf93",
        "A_hex": "ad357d5b66ad1263d90b2784e78dc3d2",
        "B_hex": "b5a7527da80c0b0dab109cdaf6f087acef0f1bdc77dafb2220717fa2d84c94b121541ae9ca91b831cc9a7a17452a5327d07739880e1cbb72ee2814fd84228d4513526b54309f37feb729fa728415b96dce4d54fff11203e5c44529fa76147d38642318c7eb7fe8caada235e5c7fd6ff24b5cd40cf7e70e57fc0c75c60c8300c22b0c532ccad610b0003a674a9aac0a34caa297197a22d2c8962a527acd9de83152b79a9666e44632aca413025a4bcf24952952e8a022255d280b3bb88a08a67a6fa680f8f57bdd043ab4bd3780f86c1b8dbe04a0c2154720c56b2b6bf1eee31a9b66c65f1e90c5cb5ced119ce647caeb414d7f6193a88282f79c3974791c4f12ba97b85273f694cfbda0b3cd96edc96cd3fb994bcf8135f2b59a605cac23575ed157e2c442d46fc3314bfb9d1237354b78cd3cdec6361d620f9ef4924394a7f6d1a984dc677d6c8cc262d6dbfe7edfc99f09b3582e16d60910f3fbeca95825d532edca368107ecc88884d4d70809a9d5a07607c25def52ee439f1f432afe24f3",
        "u_hex": "caef4ab247a84f58eea91ed2d903bec6387bb1df1b87fbe6316ea805840e125f",
        "S_hex": "de61d7f3455576ee8da31975889a2a15",
        "hkdf_key_hex": "2bae15b01a610c3e1d26ec7e42e29cb0",
        "password_claim_signature": "nQRtwVNYmRBREMPKCeFEW67bbTKbwyabLOoaAXWmrIs=",
    });
    let sig = run_both_sides(&case, &expect);
    assert_eq!(sig, "nQRtwVNYmRBREMPKCeFEW67bbTKbwyabLOoaAXWmrIs=");
}
