//! Identifiers in the formats real Cognito uses, and the one source of
//! randomness they (and every secret the mock makes) come from.
//!
//! A mock normally draws from the operating system. A test can give it a
//! seed instead ([`Randomness::seeded`]): with a fixed clock too, the same
//! requests then get byte-identical answers, run after run.

use std::convert::Infallible;
use std::fmt;
use std::sync::{Arc, Mutex};

use rand_core::{Rng, SeedableRng, TryCryptoRng, TryRng};

/// Where the mock's random bytes come from. Cloning shares the source.
#[derive(Clone, Default)]
pub struct Randomness {
    seeded: Option<Arc<Mutex<rand_chacha::ChaCha20Rng>>>,
}

impl fmt::Debug for Randomness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.seeded.is_some() {
            "Randomness(seeded)"
        } else {
            "Randomness(os)"
        })
    }
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

impl Randomness {
    /// The operating system's random source (the default).
    pub fn os() -> Self {
        Randomness::default()
    }

    /// A reproducible stream from `seed` (ChaCha20), for tests that compare
    /// runs byte for byte. Never for anything a secret depends on.
    pub fn seeded(seed: u64) -> Self {
        Randomness {
            seeded: Some(Arc::new(Mutex::new(
                rand_chacha::ChaCha20Rng::seed_from_u64(seed),
            ))),
        }
    }

    /// Fills `out` with random bytes.
    pub fn fill(&self, out: &mut [u8]) {
        match &self.seeded {
            Some(rng) => rng
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .fill_bytes(out),
            None => rand_core::UnwrapErr(getrandom::SysRng).fill_bytes(out),
        }
    }

    /// `n` random bytes.
    pub fn bytes(&self, n: usize) -> Vec<u8> {
        let mut out = vec![0u8; n];
        self.fill(&mut out);
        out
    }

    /// `n` random bytes as lower-case hex (ids, URL signatures).
    pub fn hex(&self, n: usize) -> String {
        self.bytes(n).iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A random UUID (v4), as `sub`, `jti` and internal usernames use.
    pub fn uuid(&self) -> String {
        let mut b = [0u8; 16];
        self.fill(&mut b);
        uuid::Builder::from_random_bytes(b).into_uuid().to_string()
    }

    fn random_from(&self, alphabet: &[u8], len: usize) -> String {
        // Rejection sampling keeps the distribution uniform.
        let limit = 256 - (256 % alphabet.len());
        let mut out = String::with_capacity(len);
        while out.len() < len {
            for b in self.bytes(len) {
                if (b as usize) < limit && out.len() < len {
                    out.push(alphabet[b as usize % alphabet.len()] as char);
                }
            }
        }
        out
    }

    /// A user pool id: `<region>_` and 9 mixed-case alphanumerics.
    pub fn user_pool_id(&self, region: &str) -> String {
        format!("{region}_{}", self.random_from(ALNUM, 9))
    }

    /// An app client id: 26 lower-case alphanumerics.
    pub fn client_id(&self) -> String {
        self.random_from(LOWER_ALNUM, 26)
    }

    /// An app client secret: 51 lower-case alphanumerics.
    pub fn client_secret(&self) -> String {
        self.random_from(LOWER_ALNUM, 51)
    }

    /// Six decimal digits, as Cognito's verification codes.
    pub fn code(&self) -> String {
        let b = self.bytes(4);
        format!(
            "{:06}",
            u32::from_be_bytes([b[0], b[1], b[2], b[3]]) % 1_000_000
        )
    }

    /// This source as a `rand_core` RNG, for `cognito-srp`.
    pub fn crypto_rng(&self) -> RandomnessRng<'_> {
        RandomnessRng(self)
    }
}

/// [`Randomness`] as a `rand_core` cryptographic RNG.
#[derive(Debug)]
pub struct RandomnessRng<'a>(&'a Randomness);

impl TryRng for RandomnessRng<'_> {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.0.fill(&mut b);
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.0.fill(&mut b);
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.0.fill(dst);
        Ok(())
    }
}

// The OS source is a CSPRNG; the seeded one is ChaCha20, which is one too
// (its seed is what makes it unfit for secrets, and only tests set it).
impl TryCryptoRng for RandomnessRng<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let r = Randomness::os();
        let p = r.user_pool_id("eu-west-1");
        assert!(p.starts_with("eu-west-1_") && p.len() == "eu-west-1_".len() + 9);
        let c = r.client_id();
        assert!(c.len() == 26 && c.bytes().all(|b| LOWER_ALNUM.contains(&b)));
        assert_ne!(r.client_id(), r.client_id());
        assert_eq!(r.uuid().len(), 36);
        assert_eq!(r.code().len(), 6);
    }

    #[test]
    fn a_seed_gives_the_same_stream() {
        let (a, b) = (Randomness::seeded(7), Randomness::seeded(7));
        assert_eq!(a.uuid(), b.uuid());
        assert_eq!(a.client_secret(), b.client_secret());
        assert_ne!(Randomness::seeded(8).uuid(), Randomness::seeded(7).uuid());
    }
}
