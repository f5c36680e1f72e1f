//! The physical floor of one SRP sign-in on the server, measured in the same
//! run as the mock: two 3072-bit modular exponentiations with 256-bit
//! exponents, done by GMP (the secret power (A·v^u)^b and g^b, with v^u
//! and the fixed bases precomputed away), plus the two RS256 signatures of
//! the ID and access tokens, done by aws-lc.

use std::time::{Duration, Instant};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use serde_json::json;

/// The floor's parts, per operation.
pub(crate) struct Floor {
    pub(crate) gmp_modexp: Duration,
    pub(crate) rs256_sign: Duration,
}

impl Floor {
    /// Two exponentiations and two signatures.
    pub(crate) fn sign_in(&self) -> Duration {
        2 * self.gmp_modexp + 2 * self.rs256_sign
    }
}

pub(crate) fn measure() -> Result<Floor, String> {
    let python = crate::python::venv("bench-venv-gmpy2", &[crate::bench_srp::GMPY2])?;
    let result = crate::bench_srp::run_python_json(
        &python,
        "gmpy2_modexp_bench.py",
        &json!({"iterations": 200}),
    )?;
    let gmp_modexp = Duration::from_secs_f64(
        result["seconds_per_modexp"]
            .as_f64()
            .ok_or("gmpy2_modexp_bench.py gave no timing")?,
    );
    Ok(Floor {
        gmp_modexp,
        rs256_sign: rs256_sign()?,
    })
}

/// One RS256 signature over a token-sized input with a 2048-bit key, best
/// of five rounds.
fn rs256_sign() -> Result<Duration, String> {
    let key = KeyPair::generate(KeySize::Rsa2048).map_err(|e| e.to_string())?;
    let rng = SystemRandom::new();
    let input = [b'x'; 700];
    let mut sig = vec![0u8; key.public_modulus_len()];
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..100 {
            key.sign(&RSA_PKCS1_SHA256, &rng, &input, &mut sig)
                .map_err(|e| e.to_string())?;
        }
        best = best.min(start.elapsed() / 100);
    }
    Ok(best)
}
