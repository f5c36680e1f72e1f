//! The AWS credentials the mock issues (GetCredentialsForIdentity,
//! AssumeRoleWithWebIdentity), remembered so STS can verify requests signed
//! with them.

use std::fmt;

use crate::expiring::ExpiringMap;

/// Lifetime of issued credentials: one hour, as Cognito's.
pub const CREDENTIALS_LIFETIME_SECS: i64 = 3600;

/// One set of temporary credentials.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct IssuedCredentials {
    /// `ASIA` and 16 upper-case alphanumerics.
    pub access_key_id: String,
    /// 40 characters.
    pub secret_access_key: String,
    /// Opaque; ties the credentials to the identity, role and expiry.
    pub session_token: String,
    /// Epoch seconds.
    pub expiration: i64,
    /// The role assumed.
    pub role_arn: String,
    /// The session name in the assumed-role ARN.
    pub session_name: String,
}

impl fmt::Debug for IssuedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("role_arn", &self.role_arn)
            .field("expiration", &self.expiration)
            .finish_non_exhaustive()
    }
}

impl IssuedCredentials {
    /// The account of the role (the ARN's fifth field).
    pub fn account(&self) -> &str {
        self.role_arn
            .split(':')
            .nth(4)
            .filter(|a| !a.is_empty())
            .unwrap_or("000000000000")
    }

    /// `arn:aws:sts::<account>:assumed-role/<role name>/<session>`.
    pub fn assumed_role_arn(&self) -> String {
        let role_name = self.role_arn.rsplit('/').next().unwrap_or("role");
        format!(
            "arn:aws:sts::{}:assumed-role/{role_name}/{}",
            self.account(),
            self.session_name
        )
    }
}

/// The credentials the mock has issued, by access key id, until an hour
/// past their expiry (so that STS answers ExpiredToken rather than an
/// unknown key for a while).
#[derive(Debug, Default)]
pub struct CredentialStore {
    by_access_key: ExpiringMap<String, IssuedCredentials>,
    /// Every issue ever, expired or not.
    issued: u64,
    rng: crate::ids::Randomness,
}

/// How long past their expiry credentials are remembered.
const REMEMBERED_PAST_EXPIRY_SECS: i64 = 3600;

impl CredentialStore {
    /// No credentials yet; keys drawn from `rng`.
    pub fn new(rng: crate::ids::Randomness) -> Self {
        CredentialStore {
            rng,
            ..Default::default()
        }
    }

    /// Issues and remembers new credentials.
    pub fn issue(
        &mut self,
        role_arn: &str,
        session_name: &str,
        now: i64,
        lifetime_secs: i64,
    ) -> IssuedCredentials {
        const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let key_chars: String = self
            .rng
            .bytes(16)
            .iter()
            .map(|b| UPPER_ALNUM[(*b as usize) % 32] as char)
            .collect();
        let secret = base64_like(&self.rng.bytes(30));
        let token = base64_like(&self.rng.bytes(300));
        let creds = IssuedCredentials {
            access_key_id: format!("ASIA{key_chars}"),
            secret_access_key: secret,
            session_token: format!("IQoJb3JpZ2luX2Vj{token}"),
            expiration: now + lifetime_secs,
            role_arn: role_arn.to_owned(),
            session_name: session_name.to_owned(),
        };
        self.issued += 1;
        self.by_access_key.insert(
            creds.access_key_id.clone(),
            creds.clone(),
            creds.expiration.saturating_add(REMEMBERED_PAST_EXPIRY_SECS),
            now,
        );
        creds
    }

    /// The credentials with this access key id, if the mock issued them
    /// and still remembers them at `now`.
    pub fn get(&self, access_key_id: &str, now: i64) -> Option<&IssuedCredentials> {
        self.by_access_key.get(access_key_id, now)
    }

    /// How many credentials have been issued, expired ones included.
    pub fn issued(&self) -> u64 {
        self.issued
    }
}

/// Issued credentials in the data dir, until they are forgotten: STS
/// still verifies requests signed with credentials issued before a restart.
mod durable {
    use super::{CredentialStore, IssuedCredentials, REMEMBERED_PAST_EXPIRY_SECS};
    use crate::expiring::ExpiringMap;
    use crate::store::{Change, DataDir, StoreError, changes};

    const KIND: &str = "credentials";

    impl CredentialStore {
        /// Whether anything changed since the last take.
        pub(crate) fn has_changes(&self) -> bool {
            self.by_access_key.has_changes()
        }

        /// What changed since the last call, as rows.
        pub(crate) fn take_changes(&mut self) -> Vec<Change> {
            let changed = self.by_access_key.take_changed();
            let issued = &self.by_access_key;
            changes(KIND, changed, str::to_owned, |k| {
                let (creds, _) = issued.entry_of(k)?;
                serde_json::to_string(creds).ok()
            })
            .collect()
        }

        /// Puts back what is stored and still remembered at `now`, and
        /// tracks changes from here on.
        pub(crate) fn load(&mut self, store: &DataDir, now: i64) -> Result<(), StoreError> {
            self.by_access_key = ExpiringMap::new_tracking(true);
            for (key, json) in store.load(KIND)? {
                let creds: IssuedCredentials = serde_json::from_str(&json).map_err(|e| {
                    StoreError::damaged(format!("credentials {key:?} cannot be read: {e}"))
                })?;
                let forget_at = creds.expiration.saturating_add(REMEMBERED_PAST_EXPIRY_SECS);
                if forget_at > now {
                    self.by_access_key.load(key, creds, forget_at);
                }
            }
            Ok(())
        }
    }
}

/// Standard base64 without padding: 30 bytes give the 40 characters of an
/// AWS secret key.
fn base64_like(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let mut store = CredentialStore::default();
        let c = store.issue(
            "arn:aws:iam::123456789012:role/path/Auth",
            "CognitoIdentityCredentials",
            100,
            CREDENTIALS_LIFETIME_SECS,
        );
        assert!(c.access_key_id.starts_with("ASIA") && c.access_key_id.len() == 20);
        assert!(
            c.access_key_id[4..]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
        assert_eq!(c.secret_access_key.len(), 40);
        assert_eq!(c.expiration, 3700);
        assert_eq!(
            c.assumed_role_arn(),
            "arn:aws:sts::123456789012:assumed-role/Auth/CognitoIdentityCredentials"
        );
        assert!(store.get(&c.access_key_id, 3700).is_some());
        assert!(store.get(&c.access_key_id, 3700 + 3600).is_none());
        assert!(!format!("{c:?}").contains(&c.secret_access_key));
    }
}
