//! RS256 signing — twice per sign-in in the mock (ID and access token) —
//! with each RSA implementation in the dependency tree, on the same
//! RSA-2048 key and the same token-sized signing input:
//!
//! - aws-lc-rs `RsaKeyPair::sign`, what `mock-cognito`'s `jwt.rs` uses;
//! - ring `RsaKeyPair::sign` (ring is in the tree through rustls);
//! - `jsonwebtoken::encode` with its aws-lc backend, which parses the DER
//!   key on every call.
//!
//! Each one's signature is verified before it is timed, so all compute the
//! same thing.

use std::time::{Duration, Instant};

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// Time per signature per implementation: the best of ten rounds, taken in
/// turn so that all three see the same load on a shared machine.
pub(crate) struct Rs256 {
    pub(crate) aws_lc_rs: Duration,
    pub(crate) ring: Duration,
    pub(crate) jsonwebtoken: Duration,
}

pub(crate) fn measure() -> Result<Rs256, String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let key = KeyPair::generate(KeySize::Rsa2048).map_err(|e| err(&e))?;
    let pkcs8 = AsDer::<Pkcs8V1Der>::as_der(&key)
        .map_err(|e| err(&e))?
        .as_ref()
        .to_vec();
    let public = aws_lc_rs::signature::KeyPair::public_key(&key)
        .as_ref()
        .to_vec();
    let claims = token_claims();
    let header = json!({"kid": "bench", "alg": "RS256"});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let verify = |signed: &[u8], sig: &[u8]| {
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &public)
            .verify(signed, sig)
            .map_err(|_| "a signature did not verify".to_owned())
    };

    let rng = aws_lc_rs::rand::SystemRandom::new();
    let sign_aws_lc = || {
        let mut sig = vec![0u8; key.public_modulus_len()];
        key.sign(&RSA_PKCS1_SHA256, &rng, input.as_bytes(), &mut sig)
            .map_err(|e| err(&e))?;
        Ok(sig)
    };
    verify(input.as_bytes(), &sign_aws_lc()?)?;

    let ring_key =
        ring::signature::RsaKeyPair::from_pkcs8(&pkcs8).map_err(|e| format!("ring: {e}"))?;
    let ring_rng = ring::rand::SystemRandom::new();
    let sign_ring = || {
        let mut sig = vec![0u8; ring_key.public().modulus_len()];
        ring_key
            .sign(
                &ring::signature::RSA_PKCS1_SHA256,
                &ring_rng,
                input.as_bytes(),
                &mut sig,
            )
            .map_err(|e| err(&e))?;
        Ok(sig)
    };
    verify(input.as_bytes(), &sign_ring()?)?;

    let jwt_key = jsonwebtoken::EncodingKey::from_rsa_der(pkcs1_inside(&pkcs8)?);
    let jwt_header = jsonwebtoken::Header {
        kid: Some("bench".into()),
        ..jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256)
    };
    let sign_jsonwebtoken =
        || jsonwebtoken::encode(&jwt_header, &claims, &jwt_key).map_err(|e| err(&e));
    let token = sign_jsonwebtoken()?;
    let (signed, sig) = token.rsplit_once('.').ok_or("not a compact JWS")?;
    let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|e| err(&e))?;
    verify(signed.as_bytes(), &sig)?;

    let mut best = [Duration::MAX; 3];
    for _ in 0..10 {
        best[0] = best[0].min(time_per_call(&sign_aws_lc)?);
        best[1] = best[1].min(time_per_call(&sign_ring)?);
        best[2] = best[2].min(time_per_call(&sign_jsonwebtoken)?);
    }
    Ok(Rs256 {
        aws_lc_rs: best[0],
        ring: best[1],
        jsonwebtoken: best[2],
    })
}

fn time_per_call<T>(op: &impl Fn() -> Result<T, String>) -> Result<Duration, String> {
    const CALLS: u32 = 20;
    let start = Instant::now();
    for _ in 0..CALLS {
        std::hint::black_box(op()?);
    }
    Ok(start.elapsed() / CALLS)
}

/// Claims the size of the mock's ID token.
fn token_claims() -> Value {
    json!({
        "sub": "7d8ca528-4931-4254-9273-ea5ee853f271", "email_verified": true,
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123",
        "cognito:username": "alice", "aud": "5aqv7ukdp4fsa8kmcgqqfmcbbg",
        "event_id": "0c0b5a2b-1d57-4f2b-8a39-1c4a3c8e7d11", "token_use": "id",
        "auth_time": 1_709_629_623, "exp": 1_709_633_223, "iat": 1_709_629_623,
        "jti": "2f1b0c5e-8d3a-4e57-b0c1-7e2f4a9d6c38", "email": "alice@example.com",
    })
}

/// The PKCS#1 `RSAPrivateKey` inside a PKCS#8 `PrivateKeyInfo`: the content
/// of its third element, an OCTET STRING.
fn pkcs1_inside(pkcs8: &[u8]) -> Result<&[u8], String> {
    // One DER element at `at`: (content start, content end).
    let element = |at: usize| -> Result<(usize, usize), String> {
        let first = *pkcs8.get(at + 1).ok_or("short DER")? as usize;
        let (len, header) = if first < 0x80 {
            (first, 2)
        } else {
            let n = first & 0x7f;
            let len = pkcs8
                .get(at + 2..at + 2 + n)
                .ok_or("short DER")?
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | b as usize);
            (len, 2 + n)
        };
        Ok((at + header, at + header + len))
    };
    let (body, _) = element(0)?;
    let (_, version_end) = element(body)?;
    let (_, algorithm_end) = element(version_end)?;
    if pkcs8.get(algorithm_end) != Some(&0x04) {
        return Err("PKCS#8 without an OCTET STRING key".into());
    }
    let (start, end) = element(algorithm_end)?;
    pkcs8.get(start..end).ok_or_else(|| "short DER".into())
}
