//! The `Logins` map of identity-pool calls, built by provider so the keys are
//! always right.

use std::collections::BTreeMap;
use std::fmt;

use crate::ids::UserPoolId;
use crate::secret::{IdToken, ProviderToken};

pub use cognito_wire::issuer::{AMAZON, APPLE, COGNITO_IDENTITY, FACEBOOK, GOOGLE};

/// Provider key → token. `Debug` shows the keys, never the tokens.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Logins(BTreeMap<String, ProviderToken>);

impl fmt::Debug for Logins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl Logins {
    /// No logins: unauthenticated access.
    pub fn new() -> Self {
        Logins::default()
    }

    /// A user-pool ID token, under `cognito-idp.<region>.amazonaws.com/<poolId>`.
    pub fn user_pool(mut self, pool: &UserPoolId, id_token: &IdToken) -> Self {
        self.0.insert(
            pool.provider_name(),
            ProviderToken::new(id_token.expose_secret()),
        );
        self
    }

    /// A Facebook access token.
    pub fn facebook(self, access_token: impl Into<String>) -> Self {
        self.custom(FACEBOOK, access_token)
    }

    /// A Login with Amazon access token.
    pub fn amazon(self, access_token: impl Into<String>) -> Self {
        self.custom(AMAZON, access_token)
    }

    /// A Google ID token.
    pub fn google(self, id_token: impl Into<String>) -> Self {
        self.custom(GOOGLE, id_token)
    }

    /// A Sign in with Apple ID token.
    pub fn apple(self, id_token: impl Into<String>) -> Self {
        self.custom(APPLE, id_token)
    }

    /// An OIDC provider's ID token, keyed by its host (the issuer without
    /// `https://`).
    pub fn oidc(self, host: &str, id_token: impl Into<String>) -> Self {
        self.custom(
            host.trim_start_matches("https://").trim_end_matches('/'),
            id_token,
        )
    }

    /// A SAML response (base64), keyed by the SAML provider's ARN.
    pub fn saml(self, provider_arn: &str, saml_response: impl Into<String>) -> Self {
        self.custom(provider_arn, saml_response)
    }

    /// An OpenID token from GetOpenIdTokenForDeveloperIdentity.
    pub fn developer_openid_token(self, token: impl Into<String>) -> Self {
        self.custom(COGNITO_IDENTITY, token)
    }

    /// Any other provider key.
    pub fn custom(mut self, key: &str, token: impl Into<String>) -> Self {
        self.0.insert(key.to_owned(), ProviderToken::new(token));
        self
    }

    /// Whether there are no logins.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// (key, token) pairs, for transports.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.expose_secret()))
    }

    /// The provider keys.
    pub fn providers(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// A key that identifies *who* these logins are, for caching the
    /// IdentityId: the provider and, for JWTs, their `sub`; for opaque tokens,
    /// a hash of the token (the same token is the same login).
    pub fn subject_key(&self) -> String {
        use sha2::{Digest, Sha256};
        self.0
            .iter()
            .map(|(k, v)| {
                let who = cognito_wire::jwt::claims_unverified(v.expose_secret())
                    .and_then(|c| c.get("sub")?.as_str().map(str::to_owned))
                    .unwrap_or_else(|| {
                        let digest = Sha256::digest(v.expose_secret().as_bytes());
                        digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
                    });
                format!("{k}={who}")
            })
            .collect::<Vec<_>>()
            .join(";")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_redaction() {
        let pool = UserPoolId::parse("us-east-1_AbC").unwrap();
        let logins = Logins::new()
            .user_pool(&pool, &IdToken::new("a.b.c"))
            .facebook("EAAG-secret")
            .oidc("https://login.example.com/", "x.y.z");
        let keys: Vec<&str> = logins.providers().collect();
        assert_eq!(
            keys,
            [
                "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC",
                "graph.facebook.com",
                "login.example.com"
            ]
        );
        let printed = format!("{logins:?}");
        assert!(!printed.contains("EAAG-secret") && printed.contains("graph.facebook.com"));
        assert_eq!(
            Logins::new().facebook("t").subject_key(),
            Logins::new().facebook("t").subject_key()
        );
        assert_ne!(
            Logins::new().facebook("t").subject_key(),
            Logins::new().facebook("u").subject_key()
        );
    }
}
