//! The server side, as a faithful Cognito emulator needs it: verifiers, B, and
//! checking a PASSWORD_VERIFIER claim.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use rand_core::CryptoRng;

use crate::bignum::{COMB_BITS, Exponent, Monty, PublicComb, Uint};
use crate::client::parse_salt;
use crate::error::SrpError;
use crate::group::k_monty;
use crate::hex::{encode_hex, encode_hex_unpadded};
use crate::pool::PoolName;
use crate::proof::{
    check_len, claim_signature, ct_eq, decode_b64, decode_secret_block, g_pow, g_pow_monty,
    parse_number, private_key, salt_hex, scrambler, session_key,
};
use crate::secret::Password;
use crate::timestamp::CognitoTimestamp;

/// Bytes of a fresh salt: 16, like the SALT values seen from real Cognito.
pub const SALT_BYTES: usize = 16;
/// Bytes of the server's secret `b`: 256 bits (RFC 5054 §2.5.4).
pub const SERVER_SECRET_BYTES: usize = 32;
/// Default tolerance between TIMESTAMP and the server clock.
pub const DEFAULT_TIMESTAMP_SKEW: Duration = Duration::from_secs(300);

/// What a server stores per user instead of a password: a salt and
/// v = g^x mod N.
///
/// The salt and v are all there is to store ([`Verifier::salt_hex`],
/// [`Verifier::verifier_hex`], [`Verifier::from_hex`]). What every sign-in
/// derives from v — k·v for B, and a comb of v's powers for v^u — is
/// computed on the first [`ServerSession`] and then kept, in memory only,
/// with this verifier and all its clones (about 12.5 KiB; a verifier that
/// never signs anyone in costs nothing more).
#[derive(Clone)]
pub struct Verifier {
    salt: Uint,
    verifier: Uint,
    derived: Arc<OnceLock<Box<Derived>>>,
}

/// The per-verifier values sign-ins need, derived from v alone.
struct Derived {
    /// k·v in Montgomery form: B = k·v + g^b is then one addition.
    k_v: Monty,
    /// v^u for the public scrambler u in about 51 squarings and 52
    /// multiplications instead of 256 squarings.
    v_comb: PublicComb,
}

impl Drop for Derived {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.k_v);
    }
}

// u is a SHA-256 output.
const _: () = assert!(COMB_BITS >= 256);

impl PartialEq for Verifier {
    fn eq(&self, other: &Self) -> bool {
        // The derived values follow from v; only what is stored counts.
        self.salt == other.salt && self.verifier == other.verifier
    }
}

impl Eq for Verifier {}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A verifier allows an offline dictionary attack; don't print it.
        f.debug_struct("Verifier")
            .field("salt", &self.salt_hex())
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// Makes a verifier with a fresh random 16-byte salt.
    pub fn generate(
        rng: &mut impl CryptoRng,
        pool: &PoolName,
        user_id: &str,
        password: &Password,
    ) -> Result<Self, SrpError> {
        let mut salt = [0u8; SALT_BYTES];
        loop {
            rng.fill_bytes(&mut salt);
            match Self::with_salt(&salt, pool, user_id, password) {
                Err(SrpError::IllegalSalt) => continue,
                other => return other,
            }
        }
    }

    /// Makes a verifier with the given salt (big-endian bytes).
    pub fn with_salt(
        salt_be: &[u8],
        pool: &PoolName,
        user_id: &str,
        password: &Password,
    ) -> Result<Self, SrpError> {
        check_len(user_id)?;
        check_len(password.expose_secret())?;
        let salt = Uint::from_be_bytes(salt_be).ok_or(SrpError::NumberTooLarge)?;
        if salt.is_zero() || salt.reduce().is_zero() {
            return Err(SrpError::IllegalSalt);
        }
        let x = Exponent::from_uint(&private_key(&salt, pool.as_str(), user_id, password));
        Ok(Self::from_parts(salt, g_pow(&x, 256)))
    }

    fn from_parts(salt: Uint, verifier: Uint) -> Self {
        Verifier {
            salt,
            verifier,
            derived: Arc::default(),
        }
    }

    /// The derived values, computed on first use.
    fn derived(&self) -> &Derived {
        self.derived.get_or_init(|| {
            let v = Monty::new(&self.verifier);
            Box::new(Derived {
                k_v: k_monty().mul(&v),
                v_comb: PublicComb::new(&v),
            })
        })
    }

    /// Rebuilds a stored verifier from its salt and v, as hex.
    pub fn from_hex(salt_hex: &str, verifier_hex: &str) -> Result<Self, SrpError> {
        let salt = parse_salt(salt_hex)?;
        let verifier = parse_number(verifier_hex)?.reduce();
        if verifier.is_zero() {
            return Err(SrpError::IllegalServerValue);
        }
        Ok(Self::from_parts(salt, verifier))
    }

    /// Rebuilds a device verifier from ConfirmDevice's
    /// `DeviceSecretVerifierConfig` (`Salt` and `PasswordVerifier`, base64).
    pub fn from_device_config(salt_b64: &str, verifier_b64: &str) -> Result<Self, SrpError> {
        let salt = decode_b64(salt_b64)?;
        let v = decode_b64(verifier_b64)?;
        Self::from_hex(&encode_hex(&salt), &encode_hex(&v))
    }

    /// SALT as the server sends it: `padHex`-canonical lower-case hex.
    pub fn salt_hex(&self) -> String {
        salt_hex(&self.salt)
    }

    /// v as lower-case hex without padding (for storage).
    pub fn verifier_hex(&self) -> String {
        encode_hex_unpadded(&self.verifier.to_be_bytes())
    }

    /// Whether `password` is the one this verifier was made from (for
    /// USER_PASSWORD_AUTH, which sends the password itself). Constant time in
    /// the comparison.
    pub fn matches_password(&self, pool: &PoolName, user_id: &str, password: &Password) -> bool {
        if check_len(user_id).is_err() || check_len(password.expose_secret()).is_err() {
            return false;
        }
        let x = Exponent::from_uint(&private_key(&self.salt, pool.as_str(), user_id, password));
        let candidate = g_pow(&x, 256);
        ct_eq(&candidate.to_be_bytes(), &self.verifier.to_be_bytes())
    }
}

/// The values a client sent back for PASSWORD_VERIFIER, as received.
#[derive(Clone, Copy)]
pub struct ReceivedClaim<'a> {
    /// The client's `SRP_A` from InitiateAuth, hex.
    pub srp_a: &'a str,
    /// `PASSWORD_CLAIM_SECRET_BLOCK`, base64.
    pub secret_block: &'a str,
    /// `TIMESTAMP`, verbatim.
    pub timestamp: &'a str,
    /// `PASSWORD_CLAIM_SIGNATURE`, base64.
    pub signature: &'a str,
}

impl fmt::Debug for ReceivedClaim<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceivedClaim")
            .field("timestamp", &self.timestamp)
            .finish_non_exhaustive()
    }
}

/// One server sign-in attempt: the secret `b` and B = k·v + g^b mod N.
pub struct ServerSession {
    b: Exponent,
    b_bits: usize,
    big_b: Uint,
    verifier: Verifier,
}

impl fmt::Debug for ServerSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerSession")
            .field("srp_b", &self.srp_b())
            .finish_non_exhaustive()
    }
}

impl ServerSession {
    /// Draws a fresh 256-bit `b`.
    pub fn start(rng: &mut impl CryptoRng, verifier: &Verifier) -> Self {
        let mut bytes = [0u8; SERVER_SECRET_BYTES];
        loop {
            rng.fill_bytes(&mut bytes);
            if let Ok(session) = Self::from_secret(&bytes, verifier) {
                zeroize::Zeroize::zeroize(&mut bytes);
                return session;
            }
        }
    }

    /// Uses the given big-endian `b` (for test vectors).
    pub fn from_secret(b_be: &[u8], verifier: &Verifier) -> Result<Self, SrpError> {
        let b = Uint::from_be_bytes(b_be).ok_or(SrpError::NumberTooLarge)?;
        if b.is_zero() {
            return Err(SrpError::Empty);
        }
        let b_bits = b_be.len() * 8;
        let exponent = Exponent::from_uint(&b);
        let g_b = g_pow_monty(&exponent, b_bits);
        let big_b = verifier.derived().k_v.add(&g_b).retrieve();
        if big_b.is_zero() {
            return Err(SrpError::IllegalServerValue);
        }
        Ok(ServerSession {
            b: exponent,
            b_bits,
            big_b,
            verifier: verifier.clone(),
        })
    }

    /// `SRP_B` as lower-case hex without padding.
    pub fn srp_b(&self) -> String {
        encode_hex_unpadded(&self.big_b.to_be_bytes())
    }

    /// `SALT` for the challenge.
    pub fn salt(&self) -> String {
        self.verifier.salt_hex()
    }

    /// Checks a PASSWORD_VERIFIER claim: recomputes S = (A·v^u)^b, the HKDF
    /// key and the HMAC over pool name ‖ user id ‖ secret block ‖ timestamp,
    /// compares in constant time, and checks the TIMESTAMP's form and its
    /// distance from `now`.
    ///
    /// Call it at most once per session: a session answers one claim.
    pub fn verify_password_claim(
        &self,
        pool: &PoolName,
        user_id: &str,
        claim: ReceivedClaim<'_>,
        now: SystemTime,
        skew: Duration,
    ) -> Result<(), SrpError> {
        check_len(user_id)?;
        check_len(claim.timestamp)?;
        let big_a = parse_number(claim.srp_a)?;
        if big_a.reduce().is_zero() {
            return Err(SrpError::IllegalClientValue);
        }
        let secret_block = decode_secret_block(claim.secret_block)?;
        let signature = decode_b64(claim.signature)?;
        CognitoTimestamp::parse(claim.timestamp)?.check_within(now, skew)?;

        let u = scrambler(&big_a, &self.big_b)?;
        let mut s = self.premaster_secret(&big_a, &u);
        let key = session_key(&u, &s);
        zeroize::Zeroize::zeroize(&mut s);
        let expected =
            claim_signature(&key, pool.as_str(), user_id, &secret_block, claim.timestamp);
        if !ct_eq(&expected, &signature) {
            return Err(SrpError::SignatureMismatch);
        }
        Ok(())
    }

    /// S = (A · v^u)^b mod N.
    ///
    /// u is public (both sides hash it from A and B), so v^u may take time
    /// that depends on u: it uses the verifier's comb. b is secret, so the
    /// outer power is the constant-time fixed window. No identity lets the
    /// two share work: A is new every session and b must stay secret, so
    /// A·v^u is one multiplication between them.
    pub(crate) fn premaster_secret(&self, big_a: &Uint, u: &Uint) -> Uint {
        let v_u = self.verifier.derived().v_comb.pow_public(u);
        Monty::new(big_a)
            .mul(&v_u)
            .pow(&self.b, self.b_bits)
            .retrieve()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn derived_values_are_made_once_shared_by_clones_and_never_stored() {
        let pool = PoolName::from_user_pool_id("us-east-1_AbCdEf123").unwrap();
        let verifier = Verifier::with_salt(&[7; 16], &pool, "alice", &Password::new("pw")).unwrap();
        let clone = verifier.clone();
        assert!(verifier.derived.get().is_none(), "nothing before a sign-in");

        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let session = ServerSession::start(&mut rng, &clone);
        assert!(
            verifier.derived.get().is_some(),
            "a session on a clone fills the original's cache"
        );

        // B with the cached k·v equals B computed from scratch.
        let b = session.b.clone();
        let g_b = Monty::pow_of_two(&b, session.b_bits);
        let from_scratch = k_monty()
            .mul(&Monty::new(&verifier.verifier))
            .add(&g_b)
            .retrieve();
        assert_eq!(session.big_b, from_scratch);

        // What is stored is salt and v; the rebuilt verifier is equal and
        // derives its own values again.
        let restored = Verifier::from_hex(&verifier.salt_hex(), &verifier.verifier_hex()).unwrap();
        assert_eq!(restored, verifier);
        assert!(restored.derived.get().is_none());
    }
}
