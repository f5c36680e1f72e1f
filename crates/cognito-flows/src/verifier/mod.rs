//! Verifying user-pool ID and access tokens, for a service that Cognito
//! users call (the Rust counterpart of aws-jwt-verify's
//! `CognitoJwtVerifier`).
//!
//! What a token must pass, in order: the compact-JWS shape; `alg` exactly
//! `RS256`; a `kid` the pool's JWKS has (refetched once on an unknown `kid`,
//! rate-limited); an RSA key fit for signing; the signature; then the
//! claims: `iss` the pool's, `token_use` the expected one, the app client
//! (`aud` for ID tokens, `client_id` for access tokens), `exp`, `nbf` and
//! `iat` with a leeway, and any group or scope required. Each failure is a
//! [`VerifyError`] of its own.
//!
//! ```no_run
//! # #[cfg(feature = "jwks-http")]
//! # async fn demo(token: &str) -> Result<(), Box<dyn std::error::Error>> {
//! use cognito_flows::verifier::CognitoJwtVerifier;
//! use cognito_flows::{UserPoolId, wire::TokenUse};
//!
//! let verifier = CognitoJwtVerifier::builder(UserPoolId::parse("eu-west-1_AbC123")?)
//!     .token_use(TokenUse::Access)
//!     .client_id("1example23456789abcdefghij")
//!     .scopes(["https://api.example.com/read"])
//!     .jwks_source(cognito_flows::verifier::HttpJwks::default())
//!     .build()?;
//! let claims = verifier.verify_access(token).await?;
//! println!("{} may read", claims.sub);
//! # Ok(()) }
//! ```

mod jwks;

#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "jwks-http")]
mod http;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use cognito_wire::jwt::{self, JwtFormatError};
use cognito_wire::{AccessTokenClaims, IdTokenClaims, Jwks, TokenUse};
use serde_json::{Map, Value};

use crate::clock::Clock;
use crate::error::FlowError;
use crate::ids::UserPoolId;

#[cfg(feature = "jwks-http")]
pub use http::HttpJwks;
pub use jwks::{DEFAULT_MIN_REFETCH_INTERVAL, JwksCache, JwksSource};

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// Not a compact JWS.
    Malformed(JwtFormatError),
    /// The header's `alg` is not `RS256` (`none`, `HS256`, …).
    Algorithm {
        /// What the token said.
        found: String,
    },
    /// The header has no `kid`.
    MissingKid,
    /// No key of the pool's JWKS has this `kid` (after a refetch, or while
    /// refetching is rate-limited).
    UnknownKid {
        /// The token's `kid`.
        kid: String,
    },
    /// The key with that `kid` is not an RSA signing key for RS256.
    KeyUnusable {
        /// The key's `kid`.
        kid: String,
    },
    /// The JWKS could not be fetched or read.
    JwksUnavailable(String),
    /// The signature does not verify: the token was altered or forged.
    InvalidSignature,
    /// A claim the checks need is missing or has the wrong type.
    MissingClaim(&'static str),
    /// Another issuer.
    WrongIssuer {
        /// The pool's issuer.
        expected: String,
        /// The token's `iss`.
        found: String,
    },
    /// An ID token where an access token was expected, or the reverse.
    WrongTokenUse {
        /// What the verifier takes.
        expected: TokenUse,
        /// The token's `token_use`.
        found: String,
    },
    /// Issued to another app client.
    WrongClient {
        /// The token's `aud` / `client_id`.
        found: String,
    },
    /// `exp` has passed (beyond the leeway).
    Expired {
        /// The token's `exp`.
        exp: i64,
        /// The verifier's clock.
        now: i64,
    },
    /// `nbf` or `iat` is still in the future (beyond the leeway).
    NotYetValid {
        /// The claim (`nbf` or `iat`).
        claim: &'static str,
        /// Its value.
        at: i64,
        /// The verifier's clock.
        now: i64,
    },
    /// The user is in none of the groups required.
    MissingGroup {
        /// The groups of which one is required.
        required: Vec<String>,
    },
    /// The token has none of the scopes required.
    MissingScope {
        /// The scopes of which one is required.
        required: Vec<String>,
    },
}

impl VerifyError {
    /// Whether the token is fine but not allowed here (a group or scope is
    /// missing): HTTP 403 rather than 401.
    pub fn is_forbidden(&self) -> bool {
        matches!(
            self,
            VerifyError::MissingGroup { .. } | VerifyError::MissingScope { .. }
        )
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Malformed(e) => write!(f, "{e}"),
            VerifyError::Algorithm { found } => write!(
                f,
                "algorithm: the token says {found:?}; user-pool tokens are RS256"
            ),
            VerifyError::MissingKid => f.write_str("kid: the token's header has none"),
            VerifyError::UnknownKid { kid } => write!(
                f,
                "kid: {kid} is not in the pool's JWKS; the token is from another pool, or forged"
            ),
            VerifyError::KeyUnusable { kid } => {
                write!(f, "kid: the JWKS key {kid} is not an RS256 signing key")
            }
            VerifyError::JwksUnavailable(why) => write!(f, "JWKS: {why}"),
            VerifyError::InvalidSignature => f.write_str(
                "signature: it does not verify with the pool's key; the token was altered",
            ),
            VerifyError::MissingClaim(c) => write!(f, "claims: {c} is missing or malformed"),
            VerifyError::WrongIssuer { expected, found } => {
                write!(f, "issuer: the token is from {found:?}, not {expected:?}")
            }
            VerifyError::WrongTokenUse { expected, found } => write!(
                f,
                "token_use: the token is an {found:?} token, not an {expected:?} token"
            ),
            VerifyError::WrongClient { found } => write!(
                f,
                "audience: the token was issued to app client {found:?}, not one this verifier takes"
            ),
            VerifyError::Expired { exp, now } => write!(
                f,
                "expiry: the token expired {} seconds ago (exp {exp})",
                now - exp
            ),
            VerifyError::NotYetValid { claim, at, now } => write!(
                f,
                "{claim}: the token is not valid for another {} seconds",
                at - now
            ),
            VerifyError::MissingGroup { required } => {
                write!(f, "groups: the user is in none of {required:?}")
            }
            VerifyError::MissingScope { required } => {
                write!(f, "scope: the token has none of {required:?}")
            }
        }
    }
}

impl std::error::Error for VerifyError {}

/// A verified token's claims.
#[derive(Debug, Clone, PartialEq)]
pub enum VerifiedToken {
    /// An ID token.
    Id(IdTokenClaims),
    /// An access token.
    Access(AccessTokenClaims),
}

impl VerifiedToken {
    /// `sub`.
    pub fn subject(&self) -> &str {
        match self {
            VerifiedToken::Id(c) => &c.sub,
            VerifiedToken::Access(c) => &c.sub,
        }
    }

    /// The internal username, when the token has one.
    pub fn username(&self) -> Option<&str> {
        match self {
            VerifiedToken::Id(c) => Some(&c.username),
            VerifiedToken::Access(c) => c.username.as_deref(),
        }
    }

    /// `exp`.
    pub fn expires_at(&self) -> i64 {
        match self {
            VerifiedToken::Id(c) => c.exp,
            VerifiedToken::Access(c) => c.exp,
        }
    }

    /// `token_use`.
    pub fn token_use(&self) -> TokenUse {
        match self {
            VerifiedToken::Id(_) => TokenUse::Id,
            VerifiedToken::Access(_) => TokenUse::Access,
        }
    }
}

/// Verifies a user pool's tokens. Cheap to clone (one shared JWKS cache).
#[derive(Clone)]
pub struct CognitoJwtVerifier {
    inner: Arc<Policy>,
}

impl fmt::Debug for CognitoJwtVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CognitoJwtVerifier")
            .field("issuer", &self.inner.issuer)
            .field("token_use", &self.inner.token_use)
            .finish_non_exhaustive()
    }
}

struct Policy {
    issuer: String,
    token_use: Option<TokenUse>,
    client_ids: Option<Vec<String>>,
    groups: Option<Vec<String>>,
    scopes: Option<Vec<String>>,
    leeway: Duration,
    clock: Clock,
    jwks: JwksCache,
}

/// Builds a [`CognitoJwtVerifier`]. Like aws-jwt-verify, it makes the
/// caller say which token use and which app clients it takes: a verifier
/// that takes any is asked for explicitly.
pub struct CognitoJwtVerifierBuilder {
    pool: UserPoolId,
    issuer: Option<String>,
    token_use: Option<Option<TokenUse>>,
    client_ids: Option<Option<Vec<String>>>,
    groups: Option<Vec<String>>,
    scopes: Option<Vec<String>>,
    leeway: Duration,
    clock: Clock,
    jwks_url: Option<String>,
    jwks: Option<Jwks>,
    source: Option<Arc<dyn JwksSource>>,
    min_refetch_interval: Duration,
}

impl fmt::Debug for CognitoJwtVerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CognitoJwtVerifierBuilder")
            .field("pool", &self.pool)
            .finish_non_exhaustive()
    }
}

impl CognitoJwtVerifier {
    /// A builder for the tokens of `pool`.
    pub fn builder(pool: UserPoolId) -> CognitoJwtVerifierBuilder {
        CognitoJwtVerifierBuilder {
            pool,
            issuer: None,
            token_use: None,
            client_ids: None,
            groups: None,
            scopes: None,
            leeway: Duration::ZERO,
            clock: Clock::default(),
            jwks_url: None,
            jwks: None,
            source: None,
            min_refetch_interval: DEFAULT_MIN_REFETCH_INTERVAL,
        }
    }

    /// The issuer tokens must have.
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// The JWKS cache (to prefetch, or to see what it holds).
    pub fn jwks(&self) -> &JwksCache {
        &self.inner.jwks
    }

    /// Verifies a token of the configured use.
    pub async fn verify(&self, token: &str) -> Result<VerifiedToken, VerifyError> {
        let claims = self.verified_claims(token).await?;
        // verified_claims has checked token_use is "id" or "access"; the
        // typed claims then need their own members (sub, cognito:username…).
        let is_id = claims.get("token_use").and_then(Value::as_str) == Some("id");
        let claims = Value::Object(claims);
        if is_id {
            serde_json::from_value(claims)
                .map(VerifiedToken::Id)
                .map_err(|_| VerifyError::MissingClaim("an ID token's sub or cognito:username"))
        } else {
            serde_json::from_value(claims)
                .map(VerifiedToken::Access)
                .map_err(|_| VerifyError::MissingClaim("an access token's sub"))
        }
    }

    /// Verifies an ID token (the verifier must take ID tokens).
    pub async fn verify_id(&self, token: &str) -> Result<IdTokenClaims, VerifyError> {
        match self.verify(token).await? {
            VerifiedToken::Id(c) => Ok(c),
            VerifiedToken::Access(_) => Err(VerifyError::WrongTokenUse {
                expected: TokenUse::Id,
                found: "access".to_owned(),
            }),
        }
    }

    /// Verifies an access token (the verifier must take access tokens).
    pub async fn verify_access(&self, token: &str) -> Result<AccessTokenClaims, VerifyError> {
        match self.verify(token).await? {
            VerifiedToken::Access(c) => Ok(c),
            VerifiedToken::Id(_) => Err(VerifyError::WrongTokenUse {
                expected: TokenUse::Access,
                found: "id".to_owned(),
            }),
        }
    }

    /// Signature first, then every claim check; the claims on success.
    async fn verified_claims(&self, token: &str) -> Result<Map<String, Value>, VerifyError> {
        let p = &*self.inner;
        let decoded = jwt::decode(token).map_err(VerifyError::Malformed)?;
        if decoded.header.alg != "RS256" {
            return Err(VerifyError::Algorithm {
                found: decoded.header.alg,
            });
        }
        let kid = decoded
            .header
            .kid
            .as_deref()
            .ok_or(VerifyError::MissingKid)?;
        let key = p.jwks.key(kid).await?;
        key.verify(decoded.signing_input.as_bytes(), &decoded.signature)?;
        let claims = decoded.claims;
        let text = |name: &'static str| {
            claims
                .get(name)
                .and_then(Value::as_str)
                .ok_or(VerifyError::MissingClaim(name))
        };
        let iss = text("iss")?;
        if iss != p.issuer {
            return Err(VerifyError::WrongIssuer {
                expected: p.issuer.clone(),
                found: iss.to_owned(),
            });
        }
        let token_use = text("token_use")?;
        if let Some(expected) = p.token_use
            && token_use != expected.as_str()
        {
            return Err(VerifyError::WrongTokenUse {
                expected,
                found: token_use.to_owned(),
            });
        }
        let client = match token_use {
            "id" => text("aud")?,
            "access" => text("client_id")?,
            other => {
                return Err(VerifyError::WrongTokenUse {
                    expected: p.token_use.unwrap_or(TokenUse::Id),
                    found: other.to_owned(),
                });
            }
        };
        if let Some(allowed) = &p.client_ids
            && !allowed.iter().any(|c| c == client)
        {
            return Err(VerifyError::WrongClient {
                found: client.to_owned(),
            });
        }
        self.check_times(&claims)?;
        if let Some(required) = &p.groups {
            let groups: Vec<&str> = claims
                .get("cognito:groups")
                .and_then(Value::as_array)
                .map(|g| g.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if !required.iter().any(|r| groups.contains(&r.as_str())) {
                return Err(VerifyError::MissingGroup {
                    required: required.clone(),
                });
            }
        }
        if let Some(required) = &p.scopes {
            let scopes: Vec<&str> = claims
                .get("scope")
                .and_then(Value::as_str)
                .map(|s| s.split_whitespace().collect())
                .unwrap_or_default();
            if !required.iter().any(|r| scopes.contains(&r.as_str())) {
                return Err(VerifyError::MissingScope {
                    required: required.clone(),
                });
            }
        }
        Ok(claims)
    }

    fn check_times(&self, claims: &Map<String, Value>) -> Result<(), VerifyError> {
        let p = &*self.inner;
        let now = cognito_wire::time::unix_secs(p.clock.now());
        let leeway = i64::try_from(p.leeway.as_secs()).unwrap_or(i64::MAX);
        let number = |name: &'static str| match claims.get(name) {
            None => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or(VerifyError::MissingClaim(name)),
        };
        let exp = number("exp")?.ok_or(VerifyError::MissingClaim("exp"))?;
        if now >= exp.saturating_add(leeway) {
            return Err(VerifyError::Expired { exp, now });
        }
        for claim in ["nbf", "iat"] {
            if let Some(at) = number(claim)?
                && at > now.saturating_add(leeway)
            {
                return Err(VerifyError::NotYetValid { claim, at, now });
            }
        }
        Ok(())
    }
}

impl CognitoJwtVerifierBuilder {
    /// Takes only tokens of this use.
    pub fn token_use(mut self, token_use: TokenUse) -> Self {
        self.token_use = Some(Some(token_use));
        self
    }

    /// Takes ID and access tokens alike.
    pub fn any_token_use(mut self) -> Self {
        self.token_use = Some(None);
        self
    }

    /// Takes tokens of this app client.
    pub fn client_id(self, client_id: impl Into<String>) -> Self {
        self.client_ids([client_id.into()])
    }

    /// Takes tokens of any of these app clients.
    pub fn client_ids<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.client_ids = Some(Some(ids.into_iter().map(Into::into).collect()));
        self
    }

    /// Takes tokens of any app client of the pool.
    pub fn any_client(mut self) -> Self {
        self.client_ids = Some(None);
        self
    }

    /// The user must be in one of these groups (`cognito:groups`).
    pub fn groups<I: IntoIterator<Item = S>, S: Into<String>>(mut self, groups: I) -> Self {
        self.groups = Some(groups.into_iter().map(Into::into).collect());
        self
    }

    /// The token must have one of these scopes (access tokens).
    pub fn scopes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, scopes: I) -> Self {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// Clock skew allowed on `exp`, `nbf` and `iat` (default none).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The time source (default the system clock).
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Another issuer than AWS's `https://cognito-idp.<region>.amazonaws.com/<poolId>`
    /// (an emulator that names itself).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Where to fetch the JWKS (default `<issuer>/.well-known/jwks.json`).
    pub fn jwks_url(mut self, url: impl Into<String>) -> Self {
        self.jwks_url = Some(url.into());
        self
    }

    /// How to fetch the JWKS (for example [`HttpJwks`] with feature
    /// `jwks-http`).
    pub fn jwks_source(mut self, source: impl JwksSource + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// Offline: these keys (with no source: never fetch).
    pub fn jwks(mut self, jwks: Jwks) -> Self {
        self.jwks = Some(jwks);
        self
    }

    /// At most one refetch per interval on unknown `kid`s (default 10 s).
    pub fn min_refetch_interval(mut self, interval: Duration) -> Self {
        self.min_refetch_interval = interval;
        self
    }

    /// The verifier.
    pub fn build(self) -> Result<CognitoJwtVerifier, FlowError> {
        let token_use = self.token_use.ok_or_else(|| {
            FlowError::invalid_input(
                "say which tokens the verifier takes: token_use(..) or any_token_use()",
            )
        })?;
        let client_ids = self.client_ids.ok_or_else(|| {
            FlowError::invalid_input(
                "say which app clients the verifier takes: client_id(..) or any_client()",
            )
        })?;
        if self.jwks.is_none() && self.source.is_none() {
            return Err(FlowError::invalid_input(
                "the verifier needs keys: jwks(..) (offline) or jwks_source(..)",
            ));
        }
        let issuer = self.issuer.unwrap_or_else(|| self.pool.issuer());
        let url = self
            .jwks_url
            .unwrap_or_else(|| cognito_wire::issuer::jwks_url(&issuer));
        let jwks = JwksCache::new(
            url,
            self.source,
            self.jwks,
            self.min_refetch_interval,
            self.clock.clone(),
        );
        Ok(CognitoJwtVerifier {
            inner: Arc::new(Policy {
                issuer,
                token_use,
                client_ids,
                groups: self.groups,
                scopes: self.scopes,
                leeway: self.leeway,
                clock: self.clock,
                jwks,
            }),
        })
    }
}

#[cfg(test)]
mod tests;
