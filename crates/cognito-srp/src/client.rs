//! The client side: start with A, answer PASSWORD_VERIFIER.

use std::collections::HashMap;
use std::fmt;

use rand_core::CryptoRng;

use crate::bignum::{Exponent, Monty, Uint};
use crate::error::SrpError;
use crate::group::k_monty;
use crate::hex::encode_hex_unpadded;
use crate::pool::PoolName;
use crate::proof::{
    check_len, claim_signature, decode_secret_block, encode_b64, g_pow, g_pow_monty, parse_number,
    private_key, scrambler, session_key,
};
use crate::secret::Password;
use crate::timestamp::CognitoTimestamp;

/// Bytes of randomness in a fresh client secret `a`: 256 bits, the minimum
/// RFC 5054 §2.5.4 asks for and twice the 128-bit security of this group. (The
/// official clients draw 1024 bits; that costs time and buys nothing.)
pub const CLIENT_SECRET_BYTES: usize = 32;

/// The PASSWORD_VERIFIER challenge parameters a client needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordVerifierChallenge {
    /// `USERNAME`: echoed back in the response.
    pub username: String,
    /// `USER_ID_FOR_SRP`: the canonical username, hashed into x and the signature.
    pub user_id_for_srp: String,
    /// `SALT`, hex.
    pub salt: String,
    /// `SRP_B`, hex.
    pub srp_b: String,
    /// `SECRET_BLOCK`, base64, opaque.
    pub secret_block: String,
}

impl PasswordVerifierChallenge {
    /// Reads the challenge from Cognito's `ChallengeParameters`. `USERNAME`
    /// falls back to `USER_ID_FOR_SRP` when absent.
    pub fn from_parameters(params: &HashMap<String, String>) -> Result<Self, SrpError> {
        let get = |name: &'static str| -> Result<String, SrpError> {
            let v = params.get(name).ok_or(SrpError::MissingParameter(name))?;
            check_len(v)?;
            Ok(v.clone())
        };
        let user_id_for_srp = get("USER_ID_FOR_SRP")?;
        Ok(PasswordVerifierChallenge {
            username: get("USERNAME").unwrap_or_else(|_| user_id_for_srp.clone()),
            user_id_for_srp,
            salt: get("SALT")?,
            srp_b: get("SRP_B")?,
            secret_block: get("SECRET_BLOCK")?,
        })
    }
}

/// What the client sends back for PASSWORD_VERIFIER.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordClaim {
    /// `USERNAME`.
    pub username: String,
    /// `PASSWORD_CLAIM_SECRET_BLOCK`: the server's SECRET_BLOCK, unchanged.
    pub secret_block: String,
    /// `PASSWORD_CLAIM_SIGNATURE`, base64.
    pub signature: String,
    /// `TIMESTAMP`, exactly as signed.
    pub timestamp: String,
}

impl fmt::Debug for PasswordClaim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The signature is a one-time proof, but it is still proof of the
        // password: keep it out of logs.
        f.debug_struct("PasswordClaim")
            .field("username", &self.username)
            .field("timestamp", &self.timestamp)
            .finish_non_exhaustive()
    }
}

impl PasswordClaim {
    /// The `ChallengeResponses` map for RespondToAuthChallenge. With a client
    /// secret, SECRET_HASH is computed over `USERNAME` as sent.
    pub fn challenge_responses(&self, client: Option<(&str, &str)>) -> HashMap<String, String> {
        let mut m = HashMap::from([
            ("USERNAME".to_owned(), self.username.clone()),
            (
                "PASSWORD_CLAIM_SECRET_BLOCK".to_owned(),
                self.secret_block.clone(),
            ),
            (
                "PASSWORD_CLAIM_SIGNATURE".to_owned(),
                self.signature.clone(),
            ),
            ("TIMESTAMP".to_owned(), self.timestamp.clone()),
        ]);
        if let Some((client_id, client_secret)) = client {
            m.insert(
                "SECRET_HASH".to_owned(),
                crate::secret_hash::secret_hash(&self.username, client_id, client_secret),
            );
        }
        m
    }
}

/// One client sign-in attempt: the secret `a` and the public `A = g^a mod N`.
///
/// Use it once: start, send [`SrpClient::srp_a`], answer the challenge.
pub struct SrpClient {
    a: Exponent,
    a_bits: usize,
    pub(crate) big_a: Uint,
}

impl fmt::Debug for SrpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SrpClient")
            .field("srp_a", &self.srp_a())
            .finish_non_exhaustive()
    }
}

impl SrpClient {
    /// Draws a fresh 256-bit `a` from `rng`.
    pub fn new(rng: &mut impl CryptoRng) -> Self {
        let mut bytes = [0u8; CLIENT_SECRET_BYTES];
        loop {
            rng.fill_bytes(&mut bytes);
            if let Ok(client) = Self::from_secret(&bytes) {
                zeroize::Zeroize::zeroize(&mut bytes);
                return client;
            }
        }
    }

    /// Uses the given big-endian `a` (for test vectors). Up to 384 bytes; zero
    /// is refused.
    pub fn from_secret(a_be: &[u8]) -> Result<Self, SrpError> {
        let a = Uint::from_be_bytes(a_be).ok_or(SrpError::NumberTooLarge)?;
        if a.is_zero() {
            return Err(SrpError::Empty);
        }
        // The bound is the input's width, not a's bit length, so timing
        // reveals only how many bytes the caller chose.
        let a_bits = a_be.len() * 8;
        let exponent = Exponent::from_uint(&a);
        let big_a = g_pow(&exponent, a_bits);
        if big_a.reduce().is_zero() {
            return Err(SrpError::IllegalClientValue);
        }
        Ok(SrpClient {
            a: exponent,
            a_bits,
            big_a,
        })
    }

    /// `SRP_A`: A as lower-case hex without padding, as the official clients send it.
    pub fn srp_a(&self) -> String {
        encode_hex_unpadded(&self.big_a.to_be_bytes())
    }

    /// Computes the PASSWORD_VERIFIER answer.
    ///
    /// `pool` is the user pool's name (or, for device SRP, the device group
    /// key); `timestamp` is normally now.
    pub fn answer_password_verifier(
        &self,
        pool: &PoolName,
        challenge: &PasswordVerifierChallenge,
        password: &Password,
        timestamp: CognitoTimestamp,
    ) -> Result<PasswordClaim, SrpError> {
        check_len(password.expose_secret())?;
        check_len(&challenge.username)?;
        check_len(&challenge.user_id_for_srp)?;
        let big_b = parse_number(&challenge.srp_b)?;
        if big_b.reduce().is_zero() {
            return Err(SrpError::IllegalServerValue);
        }
        let salt = parse_salt(&challenge.salt)?;
        let secret_block = decode_secret_block(&challenge.secret_block)?;

        let u = scrambler(&self.big_a, &big_b)?;
        let user_id = challenge.user_id_for_srp.as_str();
        let x = private_key(&salt, pool.as_str(), user_id, password);
        let mut key_s = self.premaster_secret(&big_b, &u, &x);
        let key = session_key(&u, &key_s);
        zeroize::Zeroize::zeroize(&mut key_s);

        let timestamp = timestamp.to_string();
        let signature = claim_signature(&key, pool.as_str(), user_id, &secret_block, &timestamp);
        Ok(PasswordClaim {
            username: challenge.username.clone(),
            secret_block: challenge.secret_block.clone(),
            signature: encode_b64(&signature),
            timestamp,
        })
    }

    /// S = (B − k·g^x)^(a + u·x) mod N.
    pub(crate) fn premaster_secret(&self, big_b: &Uint, u: &Uint, x: &Uint) -> Uint {
        let x_exp = Exponent::from_uint(x);
        let g_x = g_pow_monty(&x_exp, 256);
        let base = Monty::new(big_b).sub(&k_monty().mul(&g_x));
        let exponent = self.a.add_product(u, x);
        // a + u·x < 2^a_bits + 2^512.
        base.pow(&exponent, self.a_bits.max(512) + 1).retrieve()
    }
}

/// Parses SALT: by value, so redundant leading zeros vanish (as in the JS client).
pub(crate) fn parse_salt(hex: &str) -> Result<Uint, SrpError> {
    let salt = parse_number(hex)?;
    if salt.is_zero() || salt.reduce().is_zero() {
        return Err(SrpError::IllegalSalt);
    }
    Ok(salt)
}
