//! Offline stand-ins for the external identity providers an identity pool
//! (and later the hosted UI) trusts directly: Facebook, Login with Amazon,
//! Google, Sign in with Apple and generic OIDC providers.
//!
//! Tokens are issued by this module and only these are accepted: Facebook
//! and Amazon access tokens are opaque strings the mock remembers with their
//! app id, user and expiry; Google, Apple and OIDC ID tokens are RS256 JWTs
//! signed with a key per issuer. Nothing else passes validation, so a test
//! that sends an arbitrary string gets the error AWS would give.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::{Value, json};

use crate::ahead::VerifiedSignatures;
use crate::error::{ApiError, ApiResult};
use crate::expiring::ExpiringMap;
use crate::jwt::SigningKey;

mod apps;

pub(crate) use apps::login_key;
#[cfg(feature = "browser")]
pub(crate) use apps::slug_of;

pub use apps::{ProviderCode, ProviderUser};

/// The public providers' login keys: Facebook and Login with Amazon sign
/// in with opaque access tokens, Google and Sign in with Apple with ID
/// tokens.
pub use cognito_wire::issuer::{AMAZON, APPLE, FACEBOOK, GOOGLE};

/// A login an external provider vouched for.
#[derive(Debug, Clone)]
pub struct ExternalLogin {
    /// The provider's user id (`sub` for ID tokens).
    pub subject: String,
    /// The app id / audience the token was issued to.
    pub audience: String,
    /// Claims for role-mapping rules (`sub`, `aud`, `email`, …).
    pub claims: Value,
}

#[derive(Debug, Clone)]
struct OpaqueToken {
    provider: String,
    app_id: String,
    subject: String,
    expires: i64,
    profile: Value,
}

/// What the fake providers know and have issued.
#[derive(Debug, Default)]
pub struct ExternalProviders {
    /// Opaque access tokens, kept an hour past their expiry so that a late
    /// use is answered "expired" rather than "not valid".
    opaque: ExpiringMap<String, OpaqueToken>,
    /// Issuer host → its signing key.
    keys: HashMap<String, Arc<SigningKey>>,
    /// (provider slug, subject) → a test user who can sign in on the
    /// provider's page.
    users: BTreeMap<(String, String), ProviderUser>,
    /// (provider slug, client id) → the app's secret, if it has one.
    apps: HashMap<(String, String), Option<String>>,
    /// Authorization codes from the providers' sign-in pages (kept an hour
    /// past their expiry, as tokens are).
    codes: ExpiringMap<String, ProviderCode>,
    /// The mock's randomness, for tokens and codes.
    rng: crate::ids::Randomness,
    /// Where the ID-token providers' keys come from.
    key_factory: crate::jwt::KeyFactory,
}

/// How long past its expiry a token or code is remembered.
const REMEMBERED_PAST_EXPIRY_SECS: i64 = 3600;

fn not_authorized(why: impl std::fmt::Display) -> ApiError {
    ApiError::not_authorized(format!("Invalid login token. {why}"))
}

impl ExternalProviders {
    /// No users or apps yet; tokens and keys from the mock's sources.
    pub fn new(rng: crate::ids::Randomness, key_factory: crate::jwt::KeyFactory) -> Self {
        ExternalProviders {
            rng,
            key_factory,
            ..Default::default()
        }
    }

    /// Issues a Facebook or Login-with-Amazon access token for `subject`, as
    /// if the user had signed in to app `app_id`. `provider` is the login key
    /// (`graph.facebook.com` or `www.amazon.com`).
    pub fn mint_access_token(
        &mut self,
        provider: &str,
        app_id: &str,
        subject: &str,
        profile: Value,
        ttl_secs: i64,
        now: i64,
    ) -> ApiResult<String> {
        if !matches!(provider, FACEBOOK | AMAZON) {
            return Err(ApiError::invalid_parameter(format!(
                "{provider} issues ID tokens, not opaque access tokens"
            )));
        }
        Ok(self.mint_opaque(provider, app_id, subject, profile, ttl_secs, now))
    }

    /// An opaque access token of any provider (for its userinfo endpoint;
    /// identity pools accept them from Facebook and Amazon only).
    fn mint_opaque(
        &mut self,
        login_key: &str,
        app_id: &str,
        subject: &str,
        profile: Value,
        ttl_secs: i64,
        now: i64,
    ) -> String {
        use base64::Engine;
        let prefix = match login_key {
            FACEBOOK => "EAAG",
            AMAZON => "Atza|",
            _ => "ya29.",
        };
        let token = format!(
            "{prefix}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.rng.bytes(96))
        );
        let expires = now.saturating_add(ttl_secs);
        self.opaque.insert(
            token.clone(),
            OpaqueToken {
                provider: login_key.to_owned(),
                app_id: app_id.to_owned(),
                subject: subject.to_owned(),
                expires,
                profile,
            },
            expires.saturating_add(REMEMBERED_PAST_EXPIRY_SECS),
            now,
        );
        token
    }

    /// Issues an RS256 ID token from `issuer_host` (`accounts.google.com`,
    /// `appleid.apple.com`, or an OIDC provider's host) for `subject`,
    /// audience `audience`. `extra` claims are merged in.
    pub fn mint_id_token(
        &mut self,
        issuer_host: &str,
        audience: &str,
        subject: &str,
        extra: Value,
        ttl_secs: i64,
        now: i64,
    ) -> String {
        let key = self
            .keys
            .entry(issuer_host.to_owned())
            .or_insert_with(|| Arc::new(SigningKey::generate(&self.rng, &self.key_factory)));
        let mut claims = json!({
            "iss": format!("https://{issuer_host}"),
            "aud": audience,
            "sub": subject,
            "iat": now,
            "exp": now.saturating_add(ttl_secs),
        });
        if let Some(extra) = extra.as_object() {
            for (k, v) in extra {
                claims[k] = v.clone();
            }
        }
        key.sign(&claims)
    }

    /// Issues a token from `provider` (an identity-pool login key): opaque
    /// access tokens for Facebook and Amazon, RS256 ID tokens otherwise.
    pub fn mint(
        &mut self,
        provider: &str,
        audience: &str,
        subject: &str,
        claims: Value,
        ttl_secs: i64,
        now: i64,
    ) -> ApiResult<String> {
        if audience.is_empty() || subject.is_empty() {
            return Err(ApiError::invalid_parameter(
                "audience and subject must not be empty",
            ));
        }
        match provider {
            FACEBOOK | AMAZON => {
                self.mint_access_token(provider, audience, subject, claims, ttl_secs, now)
            }
            host if !host.is_empty() && !host.contains('/') && !host.starts_with("cognito-") => {
                Ok(self.mint_id_token(host, audience, subject, claims, ttl_secs, now))
            }
            other => Err(ApiError::invalid_parameter(format!(
                "{other} is not an external identity provider"
            ))),
        }
    }

    /// The key that signs `provider`'s ID tokens, if it has signed any
    /// (to check a login's signature ahead of the lock).
    pub(crate) fn id_token_key(&self, provider: &str) -> Option<Arc<SigningKey>> {
        self.keys.get(provider).cloned()
    }

    /// Validates a login for `provider` whose pool trusts the app ids /
    /// audiences in `allowed`; `signatures` holds what was checked ahead.
    pub fn validate(
        &self,
        provider: &str,
        token: &str,
        allowed: &[&str],
        now: i64,
        signatures: &VerifiedSignatures,
    ) -> ApiResult<ExternalLogin> {
        match provider {
            FACEBOOK | AMAZON => {
                let t = self.opaque.get(token, now).ok_or_else(|| {
                    if provider == FACEBOOK {
                        not_authorized("Not a valid Facebook access token.")
                    } else {
                        not_authorized("Not a valid Login with Amazon access token.")
                    }
                })?;
                if t.provider != provider {
                    return Err(not_authorized(format!(
                        "The token was not issued by {provider}."
                    )));
                }
                if t.expires <= now {
                    return Err(not_authorized(format!(
                        "Token expired: {} >= {now}",
                        t.expires
                    )));
                }
                if !allowed.contains(&t.app_id.as_str()) {
                    return Err(not_authorized(format!(
                        "The token was issued to app {}, which this identity pool does not trust.",
                        t.app_id
                    )));
                }
                let mut claims = t.profile.clone();
                if !claims.is_object() {
                    claims = json!({});
                }
                claims["sub"] = json!(t.subject);
                claims["aud"] = json!(t.app_id);
                Ok(ExternalLogin {
                    subject: t.subject.clone(),
                    audience: t.app_id.clone(),
                    claims,
                })
            }
            issuer_host => {
                let claims = crate::jwt::decode_unverified(token)
                    .ok_or_else(|| not_authorized("Couldn't parse the token."))?;
                let key = self
                    .keys
                    .get(issuer_host)
                    .ok_or_else(|| not_authorized("Couldn't verify signed token."))?;
                if !signatures.verify(key, token) {
                    return Err(not_authorized("Couldn't verify signed token."));
                }
                if claims["iss"].as_str() != Some(&format!("https://{issuer_host}")) {
                    return Err(not_authorized("Issuer doesn't match providerName"));
                }
                let exp = claims["exp"].as_i64().unwrap_or(0);
                if exp <= now {
                    return Err(not_authorized(format!("Token expired: {exp} >= {now}")));
                }
                let aud = claims["aud"].as_str().unwrap_or_default().to_owned();
                let azp = claims["azp"].as_str().unwrap_or_default();
                if !allowed.contains(&aud.as_str()) && !allowed.contains(&azp) {
                    return Err(not_authorized("Incorrect token audience."));
                }
                let subject = claims["sub"]
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| not_authorized("Missing a required claim: sub"))?
                    .to_owned();
                Ok(ExternalLogin {
                    subject,
                    audience: aud,
                    claims,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_minted_tokens_pass() {
        let mut p = ExternalProviders::default();
        let fb = p
            .mint_access_token(
                FACEBOOK,
                "1234",
                "10001",
                json!({"name": "Ann"}),
                3600,
                1000,
            )
            .unwrap();
        assert_eq!(
            p.validate(
                FACEBOOK,
                &fb,
                &["1234"],
                1001,
                &VerifiedSignatures::default()
            )
            .unwrap()
            .subject,
            "10001"
        );
        assert!(
            p.validate(
                FACEBOOK,
                &fb,
                &["9999"],
                1001,
                &VerifiedSignatures::default()
            )
            .is_err(),
            "another app id"
        );
        assert!(
            p.validate(
                FACEBOOK,
                &fb,
                &["1234"],
                4600,
                &VerifiedSignatures::default()
            )
            .is_err(),
            "expired"
        );
        assert!(
            p.validate(AMAZON, &fb, &["1234"], 1001, &VerifiedSignatures::default())
                .is_err(),
            "wrong provider"
        );
        assert!(
            p.validate(
                FACEBOOK,
                "EAAGmadeup",
                &["1234"],
                1001,
                &VerifiedSignatures::default()
            )
            .is_err(),
            "arbitrary string"
        );

        let g = p.mint_id_token(
            GOOGLE,
            "client.apps",
            "g-42",
            json!({"email": "a@b.c"}),
            3600,
            1000,
        );
        let login = p
            .validate(
                GOOGLE,
                &g,
                &["client.apps"],
                1001,
                &VerifiedSignatures::default(),
            )
            .unwrap();
        assert_eq!(
            (login.subject.as_str(), login.claims["email"].as_str()),
            ("g-42", Some("a@b.c"))
        );
        assert!(
            p.validate(GOOGLE, &g, &["other"], 1001, &VerifiedSignatures::default())
                .is_err()
        );
        assert!(
            p.validate(
                APPLE,
                &g,
                &["client.apps"],
                1001,
                &VerifiedSignatures::default()
            )
            .is_err(),
            "another issuer's key"
        );
        let mut forged = g.clone();
        forged.push('A');
        assert!(
            p.validate(
                GOOGLE,
                &forged,
                &["client.apps"],
                1001,
                &VerifiedSignatures::default()
            )
            .is_err()
        );
    }
}
