//! Validating the `Logins` map of GetId, GetCredentialsForIdentity,
//! GetOpenIdToken and UnlinkIdentity.
//!
//! A login is accepted only if the pool trusts its provider and the token
//! really comes from that provider: a user-pool ID token is verified against
//! that pool's keys, issuer, audience (one of the pool's configured app
//! clients), expiry and, with ServerSideTokenCheck, its session; external
//! tokens are checked by the fake providers; the pool's own OpenID token
//! (developer flow) by the OpenID key. The identity is keyed on the provider's
//! subject, never on the token string, so a refreshed token maps to the same
//! identity.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Deps, IdentityPool, IdentityPools, OPENID_LOGIN_KEY};
use crate::error::{ApiError, ApiResult};
use crate::external_idp::{AMAZON, APPLE, FACEBOOK, GOOGLE};
use crate::shapes::cognito_identity::CognitoIdentityProvider;

/// A validated login.
#[derive(Debug, Clone)]
pub(super) struct Login {
    /// The login key: `cognito-idp.<region>.amazonaws.com/<poolId>`,
    /// `graph.facebook.com`, an OIDC host, …
    pub(super) provider: String,
    /// The provider's subject for this user.
    pub(super) subject: String,
    /// Claims, for role mapping (`cognito:roles`, groups, email, …).
    pub(super) claims: Value,
    /// The app client (user pools) or app id the token was issued to.
    pub(super) audience: String,
}

/// The result of validating a `Logins` map.
#[derive(Debug, Default)]
pub(super) struct ValidatedLogins {
    /// Provider logins, in key order.
    pub(super) logins: Vec<Login>,
    /// The identity an OpenID token from this pool vouches for (developer flow).
    pub(super) openid_identity: Option<String>,
}

fn unsupported() -> ApiError {
    ApiError::not_authorized("Token is not from a supported provider of this identity pool.")
}

impl IdentityPools {
    /// Validates a request's `Logins` (none: an unauthenticated call).
    pub(super) fn validate_logins(
        &self,
        pool: &IdentityPool,
        logins: Option<&BTreeMap<String, String>>,
        deps: &Deps<'_>,
    ) -> ApiResult<ValidatedLogins> {
        let mut out = ValidatedLogins::default();
        let Some(logins) = logins else {
            return Ok(out);
        };
        let now = deps.ctx.clock.unix();
        // A BTreeMap: in key order.
        for (key, token) in logins {
            if key == OPENID_LOGIN_KEY {
                let claims = self
                    .verify_openid_token(token, now, deps.signatures)
                    .map_err(|why| {
                        ApiError::not_authorized(format!("Invalid login token. {why}"))
                    })?;
                if claims["aud"] != pool.id.as_str() {
                    return Err(ApiError::not_authorized(
                        "Invalid login token. Incorrect token audience.",
                    ));
                }
                out.openid_identity = claims["sub"].as_str().map(str::to_owned);
                continue;
            }
            if pool.developer_provider() == Some(key.as_str()) {
                return Err(ApiError::not_authorized(
                    "Developer-provider logins are only accepted by GetOpenIdTokenForDeveloperIdentity.",
                ));
            }
            let login = if key.starts_with("cognito-idp.") {
                validate_user_pool_login(pool, key, token, deps)?
            } else {
                validate_external_login(pool, key, token, deps, now)?
            };
            out.logins.push(login);
        }
        Ok(out)
    }
}

fn validate_user_pool_login(
    pool: &IdentityPool,
    key: &str,
    token: &str,
    deps: &Deps<'_>,
) -> ApiResult<Login> {
    let configured: Vec<&CognitoIdentityProvider> = pool
        .settings
        .cognito_identity_providers
        .iter()
        .flatten()
        .filter(|p| p.provider_name.as_deref() == Some(key))
        .collect();
    if configured.is_empty() {
        return Err(unsupported());
    }
    let user_pool_id = key.rsplit('/').next().unwrap_or_default();
    let check = deps.user_pools.id_token_check(user_pool_id, deps.ctx);
    let claims = crate::user_pool::verify_id_token(
        check.as_ref(),
        token,
        deps.ctx.clock.unix(),
        deps.signatures,
    )?;
    let aud = claims["aud"].as_str().unwrap_or_default().to_owned();
    let Some(provider) = configured
        .iter()
        .find(|p| p.client_id.as_deref() == Some(aud.as_str()))
    else {
        return Err(ApiError::not_authorized(
            "Invalid login token. Incorrect token audience.",
        ));
    };
    if provider.server_side_token_check.unwrap_or(false)
        && !deps
            .user_pools
            .id_token_session_active(user_pool_id, &claims, deps.ctx.clock.unix())
    {
        return Err(ApiError::not_authorized(
            "Invalid login token. The user has signed out or no longer exists.",
        ));
    }
    let subject = claims["sub"].as_str().unwrap_or_default().to_owned();
    Ok(Login {
        provider: key.to_owned(),
        subject,
        claims,
        audience: aud,
    })
}

fn validate_external_login(
    pool: &IdentityPool,
    key: &str,
    token: &str,
    deps: &Deps<'_>,
    now: i64,
) -> ApiResult<Login> {
    let supported = pool.supported_login_providers();
    let allowed: Vec<&str> = match key {
        FACEBOOK | AMAZON | GOOGLE | APPLE => {
            let app_ids = supported.get(key).ok_or_else(unsupported)?;
            // Google lets a pool list several client ids, comma-separated.
            app_ids.split(',').map(str::trim).collect::<Vec<_>>()
        }
        host => {
            let registered = pool
                .settings
                .open_id_connect_provider_arns
                .iter()
                .flatten()
                .any(|arn| {
                    arn.rsplit_once(":oidc-provider/")
                        .is_some_and(|(_, h)| h == host)
                });
            if !registered {
                return Err(unsupported());
            }
            // An IAM OIDC provider's client-id list lives in IAM, which this
            // mock does not emulate: the audience is the one the fake
            // provider issued the token to, and the pool trusts the host.
            Vec::new()
        }
    };
    let validated = if allowed.is_empty() {
        let claims = crate::jwt::decode_unverified(token).unwrap_or(Value::Null);
        let aud = claims["aud"].as_str().unwrap_or_default().to_owned();
        deps.providers
            .validate(key, token, &[aud.as_str()], now, deps.signatures)?
    } else {
        deps.providers
            .validate(key, token, &allowed, now, deps.signatures)?
    };
    Ok(Login {
        provider: key.to_owned(),
        subject: validated.subject,
        claims: validated.claims,
        audience: validated.audience,
    })
}
