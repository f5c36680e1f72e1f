//! GetDerivedToken: OAuth 2.0 token exchange (RFC 8693) through the API.
//!
//! A service holding a user's token trades it for a narrower one bound to
//! the downstream service it calls: the scopes are the intersection of
//! those asked for, those of the subject token and those the requesting
//! client is allowed; `aud` names the audience or resource server. With an
//! actor token (delegation) the new token carries an `act` claim naming the
//! intermediary; without one (impersonation) it reads as the user's own.
//! The client must allow the matching flow, `ALLOW_TOKEN_EXCHANGE_DELEGATION`
//! or `ALLOW_TOKEN_EXCHANGE_IMPERSONATION`.
//!
//! The issued token belongs to the subject's sign-in session (same
//! `origin_jti`), so a global sign-out or revocation ends it too, and it
//! never outlives the token it was derived from.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::{AppClient, Context, OAuthError, Pool, TokenGrant, UserPools};
use crate::error::{ApiError, ApiResult};
use crate::jwt::SigningKey;
use crate::shapes::cognito_idp::{
    GetDerivedTokenRequest, GetDerivedTokenResponse, IssuedTokenTypeIdentifierType,
    OAuthTokenTypeType, TokenTypeIdentifierType,
};

/// A token presented for exchange (subject or actor), verified.
#[derive(Debug)]
struct Presented {
    sub: String,
    /// The user it belongs to; None for a client's own access token
    /// (`client_credentials`).
    username: Option<String>,
    client_id: String,
    scopes: Vec<String>,
    origin_jti: Option<String>,
    auth_time: Option<i64>,
    exp: i64,
    groups: Option<Value>,
}

/// A derived token whose claims are decided, to be signed with no lock held.
#[derive(Debug)]
pub(crate) struct DerivedToken {
    claims: Value,
    key: Arc<SigningKey>,
    kind: IssuedTokenTypeIdentifierType,
    expires_in: i64,
    scopes: Vec<String>,
}

impl DerivedToken {
    /// Signs the token: GetDerivedToken's answer.
    pub fn sign(self) -> GetDerivedTokenResponse {
        let token_type = match self.kind {
            IssuedTokenTypeIdentifierType::AccessToken => OAuthTokenTypeType::Bearer,
            // RFC 8693 §2.2.1: N_A when the issued token is not an access token.
            IssuedTokenTypeIdentifierType::IdToken => OAuthTokenTypeType::NA,
        };
        GetDerivedTokenResponse {
            expires_in: i32::try_from(self.expires_in).ok(),
            issued_token: self.key.sign(&self.claims),
            issued_token_type: self.kind,
            scopes: Some(self.scopes),
            token_type,
        }
    }
}

impl DerivedToken {
    /// Signs the token: the token endpoint's RFC 8693 answer.
    pub(crate) fn sign_oauth(self) -> Value {
        let issued_type = match self.kind {
            IssuedTokenTypeIdentifierType::AccessToken => ACCESS_TOKEN_URN,
            IssuedTokenTypeIdentifierType::IdToken => ID_TOKEN_URN,
        };
        let answer = self.sign();
        json!({
            "access_token": answer.issued_token,
            "issued_token_type": issued_type,
            "token_type": answer.token_type.as_str(),
            "expires_in": answer.expires_in,
            "scope": answer.scopes.unwrap_or_default().join(" "),
        })
    }
}

/// The token endpoint's `grant_type` for a token exchange (RFC 8693 §2.1).
pub const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_URN: &str = "urn:ietf:params:oauth:token-type:access_token";
const ID_TOKEN_URN: &str = "urn:ietf:params:oauth:token-type:id_token";
const SAML2_URN: &str = "urn:ietf:params:oauth:token-type:saml2";

/// A token-type URN of RFC 8693 §3 as the API's token type.
fn token_type_of_urn(name: &str, urn: &str) -> Result<TokenTypeIdentifierType, OAuthError> {
    match urn {
        ACCESS_TOKEN_URN => Ok(TokenTypeIdentifierType::AccessToken),
        ID_TOKEN_URN => Ok(TokenTypeIdentifierType::IdToken),
        SAML2_URN => Ok(TokenTypeIdentifierType::Saml2),
        other => Err(OAuthError::new(
            "invalid_request",
            format!("{name} {other} is not a token type this endpoint takes"),
        )),
    }
}

impl UserPools {
    /// `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`: the
    /// token endpoint's form of GetDerivedToken, for a client already
    /// authenticated.
    /// `param` reads the request's (non-empty) form parameters.
    pub fn token_exchange_grant<'r>(
        &self,
        client_id: &str,
        client_secret: Option<&str>,
        param: impl Fn(&str) -> Option<&'r str>,
        ctx: &Context<'_>,
    ) -> Result<TokenGrant, OAuthError> {
        let required = |name: &str| {
            param(name)
                .map(str::to_owned)
                .ok_or_else(|| OAuthError::new("invalid_request", format!("{name} is required")))
        };
        let subject_token = required("subject_token")?;
        let subject_token_type =
            token_type_of_urn("subject_token_type", &required("subject_token_type")?)?;
        let actor_token_type = param("actor_token_type")
            .map(|t| token_type_of_urn("actor_token_type", t))
            .transpose()?;
        let requested_token_type = match param("requested_token_type") {
            None => None,
            Some(ACCESS_TOKEN_URN) => Some(IssuedTokenTypeIdentifierType::AccessToken),
            Some(ID_TOKEN_URN) => Some(IssuedTokenTypeIdentifierType::IdToken),
            Some(other) => {
                return Err(OAuthError::new(
                    "invalid_request",
                    format!("requested_token_type {other} cannot be issued"),
                ));
            }
        };
        let list =
            |name: &str| param(name).map(|v| v.split_whitespace().map(str::to_owned).collect());
        let input = GetDerivedTokenRequest {
            actor_token: param("actor_token").map(str::to_owned),
            actor_token_provider_name: None,
            actor_token_type,
            audiences: param("audience").map(|a| vec![a.to_owned()]),
            client_id: client_id.to_owned(),
            client_secret: client_secret.map(str::to_owned),
            requested_token_type,
            resources: param("resource").map(|r| vec![r.to_owned()]),
            scopes: list("scope"),
            subject_token,
            subject_token_provider_name: None,
            subject_token_type,
        };
        self.derived_token(&input, ctx)
            .map(TokenGrant::Derived)
            .map_err(|e| {
                let error = match e.code {
                    "NotAuthorizedException" => "invalid_grant",
                    "ResourceNotFoundException" => "invalid_target",
                    _ if e.message.contains("not enabled for this client") => "unauthorized_client",
                    _ if e.message.contains("scope") || e.message.contains("Scope") => {
                        "invalid_scope"
                    }
                    _ => "invalid_request",
                };
                OAuthError::new(error, e.message)
            })
    }
}

fn invalid_token(which: &str, why: &str) -> ApiError {
    ApiError::not_authorized(format!("Invalid {which}: {why}"))
}

impl UserPools {
    /// Decides GetDerivedToken under a read lock: every check, then the
    /// claims of the token to issue.
    pub(crate) fn derived_token(
        &self,
        input: &GetDerivedTokenRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<DerivedToken> {
        let (pool, client) = self.client(&input.client_id)?;
        // IAM credentials stand in for the client secret; without them a
        // client that has a secret must present it.
        let signed = ctx.request_region.is_some();
        if !(signed && input.client_secret.is_none()) {
            super::self_service::check_client_secret(
                client,
                input.client_secret.as_deref(),
                || {
                    ApiError::not_authorized(format!(
                        "Unable to verify secret for client {}",
                        client.id
                    ))
                },
            )?;
        }
        let actor = match (&input.actor_token, input.actor_token_type) {
            (Some(token), Some(kind)) => Some((token, kind)),
            (None, None) => None,
            _ => {
                return Err(ApiError::invalid_parameter(
                    "ActorToken and ActorTokenType must be given together",
                ));
            }
        };
        let (flow, mode) = if actor.is_some() {
            ("TOKEN_EXCHANGE_DELEGATION", "delegation")
        } else {
            ("TOKEN_EXCHANGE_IMPERSONATION", "impersonation")
        };
        if !client.allows(flow) {
            return Err(ApiError::invalid_parameter(format!(
                "Token exchange by {mode} is not enabled for this client (ALLOW_{flow})"
            )));
        }
        let audiences = input.audiences.as_deref().unwrap_or_default();
        let resources = input.resources.as_deref().unwrap_or_default();
        if !audiences.is_empty() && !resources.is_empty() {
            return Err(ApiError::invalid_parameter(
                "Audiences and Resources cannot both be given",
            ));
        }
        if let Some(resource) = resources.first()
            && !pool.resource_servers.contains_key(resource)
        {
            return Err(ApiError::new(
                "ResourceNotFoundException",
                format!("Resource server {resource} does not exist."),
            ));
        }

        let subject = self.presented(
            pool,
            "SubjectToken",
            &input.subject_token,
            input.subject_token_type,
            input.subject_token_provider_name.as_deref(),
            ctx,
        )?;
        let actor = actor
            .map(|(token, kind)| {
                self.presented(
                    pool,
                    "ActorToken",
                    token,
                    kind,
                    input.actor_token_provider_name.as_deref(),
                    ctx,
                )
            })
            .transpose()?;

        let scopes = granted_scopes(
            pool,
            client,
            &subject.scopes,
            input.scopes.as_deref(),
            resources.first(),
        )?;
        let kind = input
            .requested_token_type
            .unwrap_or(IssuedTokenTypeIdentifierType::AccessToken);
        let now = ctx.clock.unix();
        let life = match kind {
            IssuedTokenTypeIdentifierType::AccessToken => client.access_token_validity_secs(),
            IssuedTokenTypeIdentifierType::IdToken => client.id_token_validity_secs(),
        }
        .min(subject.exp - now);
        let iss = super::tokens::issuer(pool, ctx);
        let audience = audiences.first().or(resources.first());

        let mut claims = Map::new();
        claims.insert("sub".into(), json!(subject.sub));
        claims.insert("iss".into(), json!(iss));
        claims.insert("iat".into(), json!(now));
        claims.insert("exp".into(), json!(now + life));
        claims.insert("jti".into(), json!(ctx.rng.uuid()));
        if let Some(origin) = &subject.origin_jti {
            claims.insert("origin_jti".into(), json!(origin));
        }
        claims.insert("auth_time".into(), json!(subject.auth_time.unwrap_or(now)));
        if let Some(groups) = &subject.groups {
            claims.insert("cognito:groups".into(), groups.clone());
        }
        let key = match kind {
            IssuedTokenTypeIdentifierType::AccessToken => {
                claims.insert("token_use".into(), json!("access"));
                claims.insert("client_id".into(), json!(client.id));
                claims.insert("scope".into(), json!(scopes.join(" ")));
                claims.insert("version".into(), json!(2));
                if let Some(username) = &subject.username {
                    claims.insert("username".into(), json!(username));
                }
                if let Some(aud) = audience {
                    claims.insert("aud".into(), json!(aud));
                }
                pool.access_key.clone()
            }
            IssuedTokenTypeIdentifierType::IdToken => {
                let username = subject.username.as_deref().ok_or_else(|| {
                    ApiError::invalid_parameter(
                        "An ID token can only be derived from a user's token",
                    )
                })?;
                let user = pool.users.get(username).ok_or_else(super::user_not_found)?;
                claims.insert("token_use".into(), json!("id"));
                claims.insert("aud".into(), json!(audience.unwrap_or(&client.id)));
                claims.insert("cognito:username".into(), json!(user.username));
                for (name, value) in super::tokens::attribute_claims(client, user) {
                    claims.entry(name).or_insert(value);
                }
                pool.id_key.clone()
            }
        };
        if let Some(actor) = actor {
            let mut act = json!({ "sub": actor.sub, "client_id": actor.client_id });
            if let Some(username) = actor.username {
                act["username"] = json!(username);
            }
            claims.insert("act".into(), act);
        }
        Ok(DerivedToken {
            claims: Value::Object(claims),
            key,
            kind,
            expires_in: life,
            scopes,
        })
    }

    /// Verifies a token presented for exchange: one this pool issued (its
    /// key, its issuer), of the type declared, not expired, its session not
    /// ended and its user still there and enabled.
    fn presented(
        &self,
        pool: &Pool,
        which: &str,
        token: &str,
        kind: TokenTypeIdentifierType,
        provider: Option<&str>,
        ctx: &Context<'_>,
    ) -> ApiResult<Presented> {
        if kind == TokenTypeIdentifierType::Saml2 || provider.is_some() {
            // The emulator's identity providers sign nothing it could check
            // an exchanged third-party token against.
            return Err(ApiError::invalid_parameter(format!(
                "{which}: only tokens issued by this user pool can be exchanged here; \
                 SAML 2.0 assertions and third-party provider tokens are not supported \
                 by the emulator"
            )));
        }
        let claims = crate::jwt::decode_unverified(token)
            .ok_or_else(|| invalid_token(which, "not a JWT"))?;
        let (use_, key) = match kind {
            TokenTypeIdentifierType::AccessToken => ("access", &pool.access_key),
            _ => ("id", &pool.id_key),
        };
        if claims["iss"].as_str() != Some(super::tokens::issuer(pool, ctx).as_str()) {
            return Err(invalid_token(which, "not issued by this user pool"));
        }
        if claims["token_use"] != use_ || !ctx.verify_signature(key, token) {
            return Err(invalid_token(
                which,
                "signature or token type does not match",
            ));
        }
        let now = ctx.clock.unix();
        let exp = claims["exp"].as_i64().unwrap_or(0);
        if exp <= now {
            return Err(ApiError::not_authorized(format!("{which} has expired")));
        }
        let sub = claims["sub"]
            .as_str()
            .ok_or_else(|| invalid_token(which, "no sub"))?
            .to_owned();
        let client_id = claims["client_id"]
            .as_str()
            .or(claims["aud"].as_str())
            .ok_or_else(|| invalid_token(which, "no client"))?
            .to_owned();
        let Some(origin) = claims["origin_jti"].as_str() else {
            // A client's own token (client_credentials): the client must
            // still exist.
            if kind != TokenTypeIdentifierType::AccessToken || !pool.clients.contains_key(&sub) {
                return Err(invalid_token(which, "no sign-in session"));
            }
            return Ok(Presented {
                scopes: split_scopes(&claims),
                sub,
                username: None,
                client_id,
                origin_jti: None,
                auth_time: claims["auth_time"].as_i64(),
                exp,
                groups: None,
            });
        };
        let (session, user) = pool.live_session(origin, now, which, || {
            invalid_token(which, "unknown sign-in session")
        })?;
        let scopes = match kind {
            TokenTypeIdentifierType::AccessToken => split_scopes(&claims),
            // An ID token carries no scopes: those of its sign-in.
            _ => session
                .scopes
                .clone()
                .unwrap_or_else(|| vec!["aws.cognito.signin.user.admin".to_owned()]),
        };
        Ok(Presented {
            sub,
            username: Some(user.username.clone()),
            client_id,
            scopes,
            origin_jti: Some(origin.to_owned()),
            auth_time: Some(session.auth_time),
            exp,
            groups: claims.get("cognito:groups").cloned(),
        })
    }
}

fn split_scopes(claims: &Value) -> Vec<String> {
    claims["scope"]
        .as_str()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// The scopes of the issued token: with none asked for, the subject's; else
/// those asked for that the subject has and the client is allowed. Bound to
/// a resource server, only standard scopes and that server's stay.
fn granted_scopes(
    pool: &Pool,
    client: &AppClient,
    subject: &[String],
    requested: Option<&[String]>,
    resource: Option<&String>,
) -> ApiResult<Vec<String>> {
    let mut scopes: Vec<String> = match requested {
        None => subject.to_vec(),
        Some(requested) => {
            if let Some(bad) = requested.iter().find(|s| !pool.scope_exists(s)) {
                return Err(ApiError::invalid_parameter(format!(
                    "Scope {bad} does not exist in this user pool"
                )));
            }
            requested
                .iter()
                .filter(|s| subject.contains(s) && client.oauth_scopes().contains(s))
                .cloned()
                .collect()
        }
    };
    if let Some(resource) = resource {
        scopes.retain(|s| match s.rsplit_once('/') {
            Some((server, _)) => server == resource,
            None => true,
        });
    }
    if scopes.is_empty() {
        return Err(ApiError::invalid_parameter(
            "No scope is left to grant: the requested scopes must be held by the subject token \
             and allowed for the client",
        ));
    }
    Ok(scopes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_split_on_any_whitespace() {
        let claims = json!({ "scope": "openid  email\tapi/read" });
        assert_eq!(split_scopes(&claims), ["openid", "email", "api/read"]);
        assert!(split_scopes(&json!({})).is_empty());
    }
}
