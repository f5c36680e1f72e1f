//! Device SRP: the secret a client keeps per remembered device, and the
//! DEVICE_PASSWORD_VERIFIER answer.
//!
//! A device is SRP with the device group key in the pool name's place, the
//! device key as the user id, and a random device password.

use std::collections::HashMap;
use std::fmt;

use rand_core::CryptoRng;

use crate::bignum::{Exponent, Uint};
use crate::client::{PasswordVerifierChallenge, SrpClient};
use crate::error::SrpError;
use crate::group::pad;
use crate::pool::PoolName;
use crate::proof::{encode_b64, g_pow, private_key};
use crate::secret::Password;
use crate::timestamp::CognitoTimestamp;

/// ConfirmDevice's `DeviceSecretVerifierConfig`: base64 of the padHex bytes of
/// the salt and of the verifier (base64 here, hex in the later challenge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSecretVerifierConfig {
    /// `Salt`.
    pub salt: String,
    /// `PasswordVerifier`.
    pub password_verifier: String,
}

/// A remembered device's secret: keep it with the device key and group key.
#[derive(Clone)]
pub struct DeviceSecret {
    device_group_key: String,
    device_key: String,
    password: Password,
    salt: Uint,
}

impl fmt::Debug for DeviceSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceSecret")
            .field("device_key", &self.device_key)
            .field("device_group_key", &self.device_group_key)
            .finish_non_exhaustive()
    }
}

impl DeviceSecret {
    /// Makes a new device secret: a random password (base64 of 40 random
    /// bytes) and a random 16-byte salt, as amazon-cognito-identity-js does.
    pub fn generate(
        rng: &mut impl CryptoRng,
        device_group_key: &str,
        device_key: &str,
    ) -> Result<Self, SrpError> {
        PoolName::from_device_group_key(device_group_key)?;
        crate::proof::check_len(device_key)?;
        let mut raw = [0u8; 40];
        rng.fill_bytes(&mut raw);
        let password = Password::new(encode_b64(&raw));
        zeroize::Zeroize::zeroize(&mut raw);
        let mut salt = [0u8; 16];
        let salt = loop {
            rng.fill_bytes(&mut salt);
            let s = Uint::from_be_bytes(&salt).expect("16 bytes fit");
            if !s.is_zero() {
                break s;
            }
        };
        Ok(DeviceSecret {
            device_group_key: device_group_key.to_owned(),
            device_key: device_key.to_owned(),
            password,
            salt,
        })
    }

    /// Restores a saved secret.
    pub fn from_parts(
        device_group_key: &str,
        device_key: &str,
        password: Password,
        salt_hex: &str,
    ) -> Result<Self, SrpError> {
        PoolName::from_device_group_key(device_group_key)?;
        crate::proof::check_len(device_key)?;
        Ok(DeviceSecret {
            device_group_key: device_group_key.to_owned(),
            device_key: device_key.to_owned(),
            password,
            salt: crate::client::parse_salt(salt_hex)?,
        })
    }

    /// The device key.
    pub fn device_key(&self) -> &str {
        &self.device_key
    }

    /// The device password; store it as a secret.
    pub fn password(&self) -> &Password {
        &self.password
    }

    /// The device group key.
    pub fn device_group_key(&self) -> &str {
        &self.device_group_key
    }

    /// The verifier's salt in hex, to store with the password for
    /// [`DeviceSecret::from_parts`].
    pub fn salt_hex(&self) -> String {
        crate::hex::encode_hex_unpadded(&self.salt.to_be_bytes())
    }

    /// The config to send with ConfirmDevice.
    pub fn verifier_config(&self) -> DeviceSecretVerifierConfig {
        let pool = PoolName::from_device_group_key(&self.device_group_key)
            .expect("checked at construction");
        let x = Exponent::from_uint(&private_key(
            &self.salt,
            pool.as_str(),
            &self.device_key,
            &self.password,
        ));
        let v = g_pow(&x, 256);
        DeviceSecretVerifierConfig {
            salt: encode_b64(&pad(&self.salt)),
            password_verifier: encode_b64(&pad(&v)),
        }
    }

    /// The DEVICE_PASSWORD_VERIFIER `ChallengeResponses`, from the challenge's
    /// parameters (SRP_B, SALT, SECRET_BLOCK) and the client that sent SRP_A
    /// for DEVICE_SRP_AUTH. `username` is the challenge's USERNAME.
    pub fn answer_device_password_verifier(
        &self,
        client: &SrpClient,
        params: &HashMap<String, String>,
        username: &str,
        timestamp: CognitoTimestamp,
    ) -> Result<HashMap<String, String>, SrpError> {
        let get = |name: &'static str| {
            params
                .get(name)
                .cloned()
                .ok_or(SrpError::MissingParameter(name))
        };
        let challenge = PasswordVerifierChallenge {
            username: username.to_owned(),
            user_id_for_srp: self.device_key.clone(),
            salt: get("SALT")?,
            srp_b: get("SRP_B")?,
            secret_block: get("SECRET_BLOCK")?,
        };
        let pool = PoolName::from_device_group_key(&self.device_group_key)?;
        let claim =
            client.answer_password_verifier(&pool, &challenge, &self.password, timestamp)?;
        let mut responses = claim.challenge_responses(None);
        responses.insert("DEVICE_KEY".to_owned(), self.device_key.clone());
        Ok(responses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_secret_restores_to_the_same_verifier() {
        let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
        let secret = DeviceSecret::generate(&mut rng, "-abcDEF12", "us-east-1_device").unwrap();
        let restored = DeviceSecret::from_parts(
            secret.device_group_key(),
            secret.device_key(),
            secret.password().clone(),
            &secret.salt_hex(),
        )
        .unwrap();
        assert_eq!(restored.verifier_config(), secret.verifier_config());
    }
}
