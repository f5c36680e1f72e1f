//! The fake providers' accounts: test users who sign in on the providers'
//! pages, the apps (client ids and secrets) registered with them, and the
//! authorization codes and tokens their OAuth endpoints issue.
//!
//! Providers are named by a path segment ("slug"): `facebook`, `amazon`,
//! `google`, `apple`, or the host of a generic OIDC issuer
//! (`login.example.com`). Their login keys are the identity-pool keys:
//! `graph.facebook.com`, `www.amazon.com`, `accounts.google.com`,
//! `appleid.apple.com`, or the OIDC host.

use serde_json::{Value, json};

use super::{AMAZON, APPLE, ExternalProviders, FACEBOOK, GOOGLE};
use crate::user_pool::{OAuthError, constant_time_eq};

/// How long provider access and ID tokens live.
const TOKEN_TTL_SECS: i64 = 3600;
/// How long a provider's authorization code may wait to be redeemed.
const CODE_TTL_SECS: i64 = 300;

/// The identity-pool login key of a provider slug.
pub fn login_key(slug: &str) -> &str {
    match slug {
        "facebook" => FACEBOOK,
        "amazon" => AMAZON,
        "google" => GOOGLE,
        "apple" => APPLE,
        host => host,
    }
}

/// The slug of an identity-pool login key.
pub fn slug_of(login_key: &str) -> &str {
    match login_key {
        FACEBOOK => "facebook",
        AMAZON => "amazon",
        GOOGLE => "google",
        APPLE => "apple",
        host => host,
    }
}

/// Whether a provider's sign-in yields an RS256 ID token (else only an
/// opaque access token, as Facebook and Login with Amazon give).
fn issues_id_tokens(slug: &str) -> bool {
    !matches!(slug, "facebook" | "amazon")
}

/// A test user of a fake provider.
#[derive(Debug, Clone)]
pub struct ProviderUser {
    /// The provider's user id (Facebook `id`, Amazon `user_id`, OIDC `sub`).
    pub subject: String,
    password: String,
    /// Profile claims: `email`, `name`, `given_name`, …
    pub profile: Value,
}

/// A code issued by a provider's sign-in page.
#[derive(Debug, Clone)]
pub struct ProviderCode {
    slug: String,
    client_id: String,
    redirect_uri: String,
    subject: String,
    nonce: Option<String>,
    expires: i64,
}

/// What a provider's token endpoint answers.
#[derive(Debug, Clone)]
pub struct ProviderTokens {
    /// The access token (opaque).
    pub access_token: String,
    /// An RS256 ID token, for Google, Apple and OIDC providers.
    pub id_token: Option<String>,
    /// Seconds.
    pub expires_in: i64,
    /// The signed-in user's id at the provider.
    pub subject: String,
    /// Their profile, keyed as the provider's userinfo keys it.
    pub profile: Value,
}

impl ProviderTokens {
    /// The token endpoint's JSON.
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "access_token": self.access_token,
            "token_type": "bearer",
            "expires_in": self.expires_in,
        });
        if let Some(id) = &self.id_token {
            v["id_token"] = json!(id);
        }
        v
    }
}

impl ExternalProviders {
    /// Adds (or replaces) a test user. `profile` may carry `email`, `name`, …
    pub fn add_user(&mut self, slug: &str, subject: &str, password: &str, profile: Value) {
        let mut profile = if profile.is_object() {
            profile
        } else {
            json!({})
        };
        profile["sub"] = json!(subject);
        self.users.insert(
            (slug.to_owned(), subject.to_owned()),
            ProviderUser {
                subject: subject.to_owned(),
                password: password.to_owned(),
                profile,
            },
        );
    }

    /// Registers an app with a provider (as a developer would at Facebook's
    /// console). A later registration replaces the secret.
    pub fn register_app(&mut self, slug: &str, client_id: &str, secret: Option<&str>) {
        self.apps.insert(
            (slug.to_owned(), client_id.to_owned()),
            secret.map(str::to_owned),
        );
    }

    /// Registers the app a user-pool identity provider names (its
    /// `client_id` and `client_secret`) with the fake provider behind it.
    pub(crate) fn register_provider_app(&mut self, app: &crate::user_pool::ProviderApp) {
        self.register_app(&app.slug, &app.client_id, app.client_secret.as_deref());
    }

    /// Registers the app ids an identity pool trusts
    /// (`SupportedLoginProviders`), so the providers' pages accept them.
    /// Apps already registered keep their secrets.
    pub fn register_login_providers(
        &mut self,
        supported_login_providers: &std::collections::BTreeMap<String, String>,
    ) {
        for (key, app_id) in supported_login_providers {
            self.apps
                .entry((slug_of(key).to_owned(), app_id.to_owned()))
                .or_insert(None);
        }
    }

    /// Whether `client_id` is an app of the provider.
    pub fn has_app(&self, slug: &str, client_id: &str) -> bool {
        self.apps
            .contains_key(&(slug.to_owned(), client_id.to_owned()))
    }

    /// The password check of the provider's sign-in page: by email or user id.
    pub fn sign_in(&self, slug: &str, login: &str, password: &str) -> Option<&ProviderUser> {
        let user = self.users.iter().find_map(|((s, id), u)| {
            let email = u.profile["email"].as_str();
            (s == slug && (id == login || email.is_some_and(|e| e.eq_ignore_ascii_case(login))))
                .then_some(u)
        })?;
        constant_time_eq(&user.password, password).then_some(user)
    }

    /// Issues a code after a successful sign-in on the provider's page.
    pub fn issue_code(
        &mut self,
        slug: &str,
        client_id: &str,
        redirect_uri: &str,
        subject: &str,
        nonce: Option<&str>,
        now: i64,
    ) -> String {
        let code = self.rng.uuid();
        self.codes.insert(
            code.clone(),
            ProviderCode {
                slug: slug.to_owned(),
                client_id: client_id.to_owned(),
                redirect_uri: redirect_uri.to_owned(),
                subject: subject.to_owned(),
                nonce: nonce.map(str::to_owned),
                expires: now + CODE_TTL_SECS,
            },
            now + CODE_TTL_SECS + super::REMEMBERED_PAST_EXPIRY_SECS,
            now,
        );
        code
    }

    /// Tokens straight from the sign-in page (the implicit grant a browser
    /// app uses to get a token for an identity pool).
    pub fn issue_tokens(
        &mut self,
        slug: &str,
        client_id: &str,
        subject: &str,
        nonce: Option<&str>,
        now: i64,
    ) -> Option<ProviderTokens> {
        let user = self
            .users
            .get(&(slug.to_owned(), subject.to_owned()))?
            .clone();
        let key = login_key(slug).to_owned();
        let access_token = self.mint_opaque(
            &key,
            client_id,
            subject,
            user.profile.clone(),
            TOKEN_TTL_SECS,
            now,
        );
        let id_token = issues_id_tokens(slug).then(|| {
            let mut claims = user.profile.clone();
            if let Some(n) = nonce {
                claims["nonce"] = json!(n);
            }
            claims["email_verified"] = json!(claims.get("email").is_some());
            self.mint_id_token(&key, client_id, subject, claims, TOKEN_TTL_SECS, now)
        });
        Some(ProviderTokens {
            access_token,
            id_token,
            expires_in: TOKEN_TTL_SECS,
            subject: subject.to_owned(),
            profile: self.profile_of(slug, &user),
        })
    }

    /// The provider's token endpoint: redeems a code for the app that
    /// authenticates with its secret, on the same redirect URI.
    pub fn redeem_code(
        &mut self,
        slug: &str,
        code: &str,
        client_id: &str,
        client_secret: Option<&str>,
        redirect_uri: &str,
        now: i64,
    ) -> Result<ProviderTokens, OAuthError> {
        let registered = self
            .apps
            .get(&(slug.to_owned(), client_id.to_owned()))
            .ok_or_else(|| OAuthError::new("invalid_client", "unknown app (client_id)"))?;
        match (registered, client_secret) {
            (None, _) => {}
            (Some(expected), Some(given)) if constant_time_eq(expected, given) => {}
            _ => {
                return Err(OAuthError::new(
                    "invalid_client",
                    "client secret is missing or wrong",
                ));
            }
        }
        let record = self
            .codes
            .remove(code, now)
            .ok_or_else(|| OAuthError::new("invalid_grant", "the code is not valid"))?;
        if record.expires <= now {
            return Err(OAuthError::new("invalid_grant", "the code has expired"));
        }
        if record.slug != slug || record.client_id != client_id {
            return Err(OAuthError::new(
                "invalid_grant",
                "the code was issued to another app",
            ));
        }
        if record.redirect_uri != redirect_uri {
            return Err(OAuthError::new(
                "invalid_grant",
                "redirect_uri does not match the authorization request",
            ));
        }
        self.issue_tokens(
            slug,
            client_id,
            &record.subject,
            record.nonce.as_deref(),
            now,
        )
        .ok_or_else(|| OAuthError::new("invalid_grant", "the user no longer exists"))
    }

    /// The profile as the provider's userinfo endpoint shapes it: Facebook
    /// `/me` (`id`), Login with Amazon `/user/profile` (`user_id`), OIDC
    /// userinfo (`sub`).
    fn profile_of(&self, slug: &str, user: &ProviderUser) -> Value {
        let mut p = user.profile.clone();
        let id_key = match slug {
            "facebook" => "id",
            "amazon" => "user_id",
            _ => return p,
        };
        if let Some(map) = p.as_object_mut() {
            map.remove("sub");
            map.insert(id_key.to_owned(), json!(user.subject));
        }
        p
    }

    /// The userinfo endpoint: the profile of an unexpired access token.
    pub fn user_info(&self, slug: &str, access_token: &str, now: i64) -> Option<Value> {
        let t = self.opaque.get(access_token, now)?;
        if t.provider != login_key(slug) || t.expires <= now {
            return None;
        }
        let user = self.users.get(&(slug.to_owned(), t.subject.clone()))?;
        Some(self.profile_of(slug, user))
    }

    /// Facebook's `/debug_token`: inspects a user token for an app that
    /// proves itself with an app access token `<app id>|<app secret>`.
    pub fn debug_token(&self, input_token: &str, app_token: &str, now: i64) -> Option<Value> {
        let (app_id, secret) = app_token.split_once('|')?;
        let registered = self.apps.get(&("facebook".to_owned(), app_id.to_owned()))?;
        if !registered
            .as_deref()
            .is_some_and(|s| constant_time_eq(s, secret))
        {
            return None;
        }
        let data = match self.opaque.get(input_token, now) {
            Some(t) if t.provider == FACEBOOK => json!({
                "app_id": t.app_id,
                "type": "USER",
                "is_valid": t.expires > now && t.app_id == app_id,
                "expires_at": t.expires,
                "user_id": t.subject,
                "scopes": ["public_profile", "email"],
            }),
            _ => json!({
                "is_valid": false,
                "error": {"code": 190, "message": "Invalid OAuth access token."},
            }),
        };
        Some(json!({"data": data}))
    }

    /// The key of an ID-token provider's JWKS (made on first use), to
    /// render with no lock held.
    pub fn jwks_key(&mut self, slug: &str) -> std::sync::Arc<crate::jwt::SigningKey> {
        self.keys
            .entry(login_key(slug).to_owned())
            .or_insert_with(|| {
                std::sync::Arc::new(crate::jwt::SigningKey::generate(
                    &self.rng,
                    &self.key_factory,
                ))
            })
            .clone()
    }
}
