//! ID, access and refresh tokens: issuing them, and checking the access
//! tokens that self-service calls present.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::{AppClient, Context, IssuerMode, Pool, User, UserPools};
use crate::ahead::VerifiedSignatures;
use crate::error::{ApiError, ApiResult};
use crate::jwt::SigningKey;
use crate::shapes::cognito_idp::AuthenticationResultType;

use std::sync::Arc;

/// A sign-in session: everything issued from one authentication shares its
/// `origin_jti`; ending the session revokes its tokens.
#[derive(Debug, Clone)]
pub(super) struct SignInSession {
    pub(super) username: String,
    pub(super) client_id: String,
    pub(super) auth_time: i64,
    pub(super) revoked: bool,
    /// OAuth scopes (hosted UI), or None for API sign-ins.
    pub(super) scopes: Option<Vec<String>>,
    pub(super) nonce: Option<String>,
    /// The device the sign-in was made on (issued or proven), if any.
    pub(super) device_key: Option<String>,
    /// The hosted-UI (SSO) session it came from, by session id.
    pub(super) sso: Option<String>,
    /// The last sign-in or refresh.
    pub(super) last_active: i64,
    /// The pool's count of sign-ins when this one started (0 when loaded).
    pub(super) seq: u64,
}

/// Tokens whose claims are decided and whose signatures are still to be
/// made: two RSA signatures are most of a sign-in's cost, and they need no
/// state, so the server makes them after releasing the state lock.
/// `Debug` prints no claim values and no refresh token.
pub struct UnsignedTokens {
    id: Value,
    access: Value,
    id_key: Arc<SigningKey>,
    access_key: Arc<SigningKey>,
    expires_in: i64,
    bind_access_token: bool,
    refresh_token: Option<String>,
    /// NewDeviceMetadata, when the sign-in issued a device.
    pub(super) new_device: Option<crate::shapes::cognito_idp::NewDeviceMetadataType>,
    /// The pool's PreTokenGeneration trigger, run before signing.
    pre_token: Option<Box<super::trigger_events::PreToken>>,
    /// The pool's PostAuthentication trigger (sign-ins only), run first.
    post_auth: Option<Box<super::trigger_events::PostAuthentication>>,
}

impl std::fmt::Debug for UnsignedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnsignedTokens")
            .field("id_kid", &self.id_key.kid())
            .field("access_kid", &self.access_key.kid())
            .field("expires_in", &self.expires_in)
            .field("with_refresh_token", &self.refresh_token.is_some())
            .finish_non_exhaustive()
    }
}

impl UnsignedTokens {
    /// The refresh token that comes with them, if any (it is not signed).
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh_token.as_deref()
    }

    /// Drops the refresh token from the answer (the implicit grant).
    pub(super) fn without_refresh_token(mut self) -> Self {
        self.refresh_token = None;
        self
    }

    /// Records the device the sign-in was just issued (NewDeviceMetadata).
    pub(super) fn set_new_device(
        &mut self,
        device: Option<crate::shapes::cognito_idp::NewDeviceMetadataType>,
    ) {
        if let (Some(_), Some(post_auth)) = (&device, self.post_auth.as_mut()) {
            post_auth.new_device_used();
        }
        self.new_device = device;
    }

    /// Runs the pool's PostAuthentication (for a sign-in) and
    /// PreTokenGeneration triggers, if any (no lock held), then signs both
    /// tokens: the `AuthenticationResult`. A failed trigger is its error,
    /// and nothing is issued.
    pub fn sign(mut self) -> ApiResult<AuthenticationResultType> {
        if let Some(post_auth) = self.post_auth.take() {
            post_auth.run()?;
        }
        if let Some(pre_token) = self.pre_token.take() {
            pre_token.apply(&mut self.id, &mut self.access)?;
        }
        Ok(self.sign_as_decided())
    }

    fn sign_as_decided(mut self) -> AuthenticationResultType {
        let access_token = self.access_key.sign(&self.access);
        if self.bind_access_token {
            let digest =
                aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, access_token.as_bytes());
            self.id["at_hash"] = json!(URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16]));
        }
        AuthenticationResultType {
            access_token: Some(access_token),
            expires_in: Some(i32::try_from(self.expires_in).unwrap_or(i32::MAX)),
            token_type: Some("Bearer".to_owned()),
            id_token: Some(self.id_key.sign(&self.id)),
            refresh_token: self.refresh_token,
            new_device_metadata: self.new_device,
        }
    }
}

/// Where a sign-in's session comes from, besides its user and client.
#[derive(Debug, Default)]
pub(super) struct SessionOrigin {
    /// The hosted UI's OAuth scopes and nonce; None for an API sign-in.
    pub(super) oauth: Option<(Vec<String>, Option<String>)>,
    /// The device it was made on: its tokens carry `device_key`, and
    /// forgetting the device ends them.
    pub(super) device_key: Option<String>,
    /// The browser's SSO session, by session id (hosted UI).
    pub(super) sso: Option<String>,
}

/// What a refresh token continues.
#[derive(Debug, Clone)]
pub(super) struct RefreshGrant {
    pub(super) pool_id: String,
    pub(super) client_id: String,
    pub(super) origin_jti: String,
    /// Set when rotation replaced this token: it still works until the
    /// client's RetryGracePeriodSeconds have passed, then its use is a
    /// RefreshTokenReuseException.
    pub(super) rotated_out_at: Option<i64>,
}

/// The `iss` of a pool's tokens.
pub(super) fn issuer(pool: &Pool, ctx: &Context<'_>) -> String {
    match ctx.issuer_mode {
        IssuerMode::Aws => cognito_wire::issuer::issuer_in(&pool.region, &pool.id),
        IssuerMode::Local => format!("{}/{}", ctx.endpoint, pool.id),
    }
}

/// Groups by precedence (lowest first, as `cognito:groups` lists them), and
/// the roles they carry.
fn group_claims(pool: &Pool, user: &User) -> (Vec<String>, Vec<String>, Option<String>) {
    let mut groups: Vec<&super::Group> = user
        .groups
        .iter()
        .filter_map(|g| pool.groups.get(g))
        .collect();
    groups.sort_by_key(|g| (g.precedence.unwrap_or(i32::MAX), g.name.clone()));
    let names = groups.iter().map(|g| g.name.clone()).collect();
    let roles: Vec<String> = groups.iter().filter_map(|g| g.role_arn.clone()).collect();
    // The preferred role is the role of the group with the lowest precedence
    // that has one; without precedence values there is no preference.
    let preferred = groups
        .iter()
        .find(|g| g.role_arn.is_some() && g.precedence.is_some())
        .and_then(|g| g.role_arn.clone());
    (names, roles, preferred)
}

/// A user's attributes as ID-token claims, bounded by the client's
/// ReadAttributes when it has them.
pub(super) fn attribute_claims(client: &AppClient, user: &User) -> serde_json::Map<String, Value> {
    let mut claims = serde_json::Map::new();
    let readable = client
        .settings
        .read_attributes
        .as_deref()
        .filter(|r| !r.is_empty());
    for (name, value) in &user.attributes {
        // The client's ReadAttributes, when it has them, bound what its
        // ID tokens carry (a federated user's `identities` always).
        if readable.is_some_and(|r| !r.contains(name)) && name != "identities" {
            continue;
        }
        // As Cognito emits them: verification flags are booleans,
        // `updated_at` a number, `address` an object; everything else,
        // custom attributes included, is a string.
        let value = match (name.as_str(), value.as_str()) {
            ("email_verified" | "phone_number_verified", "true") => json!(true),
            ("email_verified" | "phone_number_verified", "false") => json!(false),
            ("updated_at", v) if v.parse::<i64>().is_ok() => json!(v.parse::<i64>().ok()),
            ("address", v) => json!({ "formatted": v }),
            // Federated users: the linked identities, as a JSON array.
            ("identities", v) => serde_json::from_str(v).unwrap_or_else(|_| json!(v)),
            _ => json!(value),
        };
        claims.insert(name.clone(), value);
    }
    claims
}

impl UserPools {
    /// Starts a session and issues the tokens of a sign-in, with the
    /// signatures left to make once the state lock is released
    /// ([`UnsignedTokens::sign`]).
    pub(super) fn issue_unsigned(
        &mut self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        origin: SessionOrigin,
        ctx: &Context<'_>,
    ) -> ApiResult<UnsignedTokens> {
        let now = ctx.clock.unix();
        let origin_jti = ctx.rng.uuid();
        let SessionOrigin {
            oauth,
            device_key,
            sso,
        } = origin;
        let (scopes, nonce) = match oauth {
            Some((s, n)) => (Some(s), n),
            None => (None, None),
        };
        let pool = self.pool_mut(pool_id)?;
        pool.sessions_started += 1;
        let seq = pool.sessions_started;
        let client = pool
            .app_client(client_id)
            .ok_or_else(|| super::client_not_found(client_id))?;
        let refresh_life = client.refresh_token_validity_secs();
        // The session lasts as long as anything issued from it.
        let session_life = refresh_life
            .max(client.id_token_validity_secs())
            .max(client.access_token_validity_secs());
        pool.sessions.insert(
            origin_jti.clone(),
            SignInSession {
                username: username.to_owned(),
                client_id: client_id.to_owned(),
                auth_time: now,
                revoked: false,
                scopes,
                nonce,
                device_key,
                sso,
                last_active: now,
                seq,
            },
            now + session_life,
            now,
        );
        pool.evict_sessions_over_limit(username, now);
        let mut result = self.mint_unsigned(pool_id, &origin_jti, false, ctx)?;
        let refresh = refresh_token(ctx.rng);
        self.refresh_tokens.insert(
            refresh.clone(),
            RefreshGrant {
                pool_id: pool_id.to_owned(),
                client_id: client_id.to_owned(),
                origin_jti,
                rotated_out_at: None,
            },
            now + refresh_life,
            now,
        );
        result.refresh_token = Some(refresh);
        Ok(result)
    }

    /// ID and access tokens for an existing session (sign-in or, with
    /// `refresh`, a refresh), their claims decided (but for the pool's
    /// PreTokenGeneration trigger), their signatures not yet made.
    fn mint_unsigned(
        &self,
        pool_id: &str,
        origin_jti: &str,
        refresh: bool,
        ctx: &Context<'_>,
    ) -> ApiResult<UnsignedTokens> {
        let now = ctx.clock.unix();
        let pool = self.pool(pool_id)?;
        let session = pool
            .sessions
            .get(origin_jti, now)
            .ok_or_else(invalid_refresh)?;
        let client = pool
            .app_client(&session.client_id)
            .ok_or_else(|| super::client_not_found(&session.client_id))?;
        let user = pool
            .users
            .get(&session.username)
            .ok_or_else(super::user_not_found)?;
        let id_life = client.id_token_validity_secs();
        let access_life = client.access_token_validity_secs();
        let (groups, roles, preferred_role) = group_claims(pool, user);
        let event_id = ctx.rng.uuid();
        let iss = issuer(pool, ctx);

        let mut id = json!({
            "sub": user.sub,
            "aud": client.id,
            "token_use": "id",
            "auth_time": session.auth_time,
            "iss": iss,
            "cognito:username": user.username,
            "exp": now + id_life,
            "iat": now,
            "jti": ctx.rng.uuid(),
            "origin_jti": origin_jti,
            "event_id": event_id,
        });
        for (name, value) in attribute_claims(client, user) {
            id[name] = value;
        }
        if !groups.is_empty() {
            id["cognito:groups"] = json!(groups);
        }
        if !roles.is_empty() {
            id["cognito:roles"] = json!(roles);
        }
        if let Some(role) = &preferred_role {
            id["cognito:preferred_role"] = json!(role);
        }
        if let Some(nonce) = &session.nonce {
            id["nonce"] = json!(nonce);
        }

        let scope = session
            .scopes
            .as_ref()
            .map(|s| s.join(" "))
            .unwrap_or_else(|| "aws.cognito.signin.user.admin".to_owned());
        let mut access = json!({
            "sub": user.sub,
            "iss": iss,
            "client_id": client.id,
            "origin_jti": origin_jti,
            "event_id": event_id,
            "token_use": "access",
            "scope": scope,
            "auth_time": session.auth_time,
            "exp": now + access_life,
            "iat": now,
            "jti": ctx.rng.uuid(),
            "username": user.username,
        });
        if !groups.is_empty() {
            access["cognito:groups"] = json!(groups);
        }
        if let Some(device) = &session.device_key {
            access["device_key"] = json!(device);
        }
        if session.scopes.is_some() {
            // The hosted UI's access tokens say which token format they are.
            access["version"] = json!(2);
        }
        let source = match (refresh, session.scopes.is_some()) {
            (true, _) => "TokenGeneration_RefreshTokens",
            (false, true) => "TokenGeneration_HostedAuth",
            (false, false) => "TokenGeneration_Authentication",
        };
        let groups = super::trigger_events::GroupClaims {
            groups,
            roles,
            preferred_role,
        };
        let pre_token = pool.pre_token_generation(user, client, (source, &scope), &groups, ctx);
        Ok(UnsignedTokens {
            id,
            access,
            id_key: pool.id_key.clone(),
            access_key: pool.access_key.clone(),
            expires_in: access_life,
            // The hosted UI's ID token binds the access token (OIDC at_hash).
            bind_access_token: session.scopes.is_some(),
            refresh_token: None,
            new_device: None,
            pre_token: pre_token.map(Box::new),
            // A sign-in, not a refresh, is an authentication.
            post_auth: (!refresh)
                .then(|| pool.post_authentication(user, &client.id, ctx))
                .flatten()
                .map(Box::new),
        })
    }

    /// REFRESH_TOKEN_AUTH: new ID and access tokens, the same session.
    pub(super) fn refresh(
        &self,
        client: &AppClient,
        (token, device_key): (&str, Option<&str>),
        ctx: &Context<'_>,
    ) -> ApiResult<UnsignedTokens> {
        let now = ctx.clock.unix();
        let grant = self
            .refresh_tokens
            .get(token, now)
            .ok_or_else(invalid_refresh)?;
        if grant.client_id != client.id {
            return Err(invalid_refresh());
        }
        if let Some(rotated) = grant.rotated_out_at
            && now >= rotated + client.rotation_grace_secs()
        {
            return Err(ApiError::new(
                "RefreshTokenReuseException",
                "The refresh token has been rotated out and can no longer be used.",
            ));
        }
        let pool = self.pool(&grant.pool_id)?;
        let session = pool
            .sessions
            .get(&grant.origin_jti, now)
            .ok_or_else(invalid_refresh)?;
        if session.revoked {
            return Err(ApiError::not_authorized("Refresh Token has been revoked"));
        }
        // A refresh token is bound to the device it was issued on: another
        // device's key cannot use it.
        if let (Some(given), Some(bound)) = (device_key, session.device_key.as_deref())
            && given != bound
        {
            return Err(invalid_refresh());
        }
        let user = pool
            .users
            .get(&session.username)
            .ok_or_else(invalid_refresh)?;
        if !user.enabled {
            return Err(ApiError::not_authorized("User is disabled."));
        }
        self.mint_unsigned(&grant.pool_id, &grant.origin_jti, true, ctx)
    }

    /// A refresh through GetTokensFromRefreshToken (or the token endpoint):
    /// with the client's refresh-token rotation on, a new refresh token
    /// replaces the one presented, which works on for the client's grace
    /// period (for retries) and is refused after it.
    pub(super) fn refresh_rotating(
        &mut self,
        client_id: &str,
        token: &str,
        ctx: &Context<'_>,
    ) -> ApiResult<UnsignedTokens> {
        let (_, client) = self.client(client_id)?;
        let mut tokens = self.refresh(client, (token, None), ctx)?;
        let rotates = client.rotates_refresh_tokens();
        let refresh_life = client.refresh_token_validity_secs();
        self.touch_session(token, ctx.clock.unix());
        if !rotates {
            return Ok(tokens);
        }
        let now = ctx.clock.unix();
        let grant = self
            .refresh_tokens
            .get_mut(token, now)
            .ok_or_else(invalid_refresh)?;
        grant.rotated_out_at.get_or_insert(now);
        let mut next = grant.clone();
        next.rotated_out_at = None;
        // The session lives as long as its newest refresh token.
        if let Some(pool) = self.pools.get_mut(&next.pool_id)
            && let Some(session) = pool.sessions.remove(&next.origin_jti, now)
        {
            pool.sessions
                .insert(next.origin_jti.clone(), session, now + refresh_life, now);
        }
        let rotated = refresh_token(ctx.rng);
        self.refresh_tokens
            .insert(rotated.clone(), next, now + refresh_life, now);
        tokens.refresh_token = Some(rotated);
        Ok(tokens)
    }

    /// Records a refresh as the session's latest activity.
    pub(super) fn touch_session(&mut self, refresh_token: &str, now: i64) {
        let Some(grant) = self.refresh_tokens.get(refresh_token, now).cloned() else {
            return;
        };
        if let Some(session) = self
            .pools
            .get_mut(&grant.pool_id)
            .and_then(|p| p.sessions.get_mut(&grant.origin_jti, now))
        {
            session.last_active = now;
        }
    }

    /// The username a refresh token belongs to (SECRET_HASH is computed over it).
    pub(super) fn refresh_token_username(&self, token: &str, now: i64) -> Option<&str> {
        let grant = self.refresh_tokens.get(token, now)?;
        let session = self
            .pools
            .get(&grant.pool_id)?
            .sessions
            .get(&grant.origin_jti, now)?;
        Some(&session.username)
    }

    /// RevokeToken: ends the session of a refresh token issued to this client.
    pub(super) fn revoke_refresh_token(
        &mut self,
        token: &str,
        client_id: &str,
        now: i64,
    ) -> ApiResult<()> {
        let Some(grant) = self.refresh_tokens.get(token, now).cloned() else {
            // Unknown tokens revoke silently, as in Cognito.
            return Ok(());
        };
        if grant.client_id != client_id {
            return Err(ApiError::new(
                "UnauthorizedException",
                "Token was not issued to this client",
            ));
        }
        if let Some(s) = self
            .pools
            .get_mut(&grant.pool_id)
            .and_then(|p| p.sessions.get_mut(&grant.origin_jti, now))
        {
            s.revoked = true;
        }
        Ok(())
    }

    /// Checks an access token presented to a self-service call: our
    /// signature, not expired, `token_use: access`, session not ended, user
    /// still there and enabled. Returns (pool id, internal username).
    pub(super) fn check_access_token(
        &self,
        token: &str,
        ctx: &Context<'_>,
    ) -> ApiResult<(String, String)> {
        self.access_caller(token, ctx)
            .map(|c| (c.pool_id, c.username))
    }

    /// [`UserPools::check_access_token`], with the caller's sign-in session
    /// and app client too.
    pub(super) fn access_caller(&self, token: &str, ctx: &Context<'_>) -> ApiResult<AccessCaller> {
        let caller = self.any_scope_caller(token, ctx)?;
        // The scope InitiateAuth grants, and a hosted-UI sign-in only when
        // the app asks for it: without it, Cognito refuses these calls.
        if !caller.admin_scope {
            return Err(ApiError::not_authorized(
                "Access Token does not have required scopes",
            ));
        }
        Ok(caller)
    }

    /// [`UserPools::check_access_token`] without the scope check, for
    /// `/oauth2/userInfo`, which takes `openid` too.
    pub(super) fn check_access_token_any_scope(
        &self,
        token: &str,
        ctx: &Context<'_>,
    ) -> ApiResult<(String, String)> {
        self.any_scope_caller(token, ctx)
            .map(|c| (c.pool_id, c.username))
    }

    fn any_scope_caller(&self, token: &str, ctx: &Context<'_>) -> ApiResult<AccessCaller> {
        let invalid = || ApiError::not_authorized("Invalid Access Token");
        let claims = crate::jwt::decode_unverified(token).ok_or_else(invalid)?;
        let iss = claims["iss"].as_str().ok_or_else(invalid)?;
        let pool_id = iss.rsplit('/').next().ok_or_else(invalid)?;
        let pool = self.pools.get(pool_id).ok_or_else(invalid)?;
        if !ctx.verify_signature(&pool.access_key, token)
            || claims["token_use"] != "access"
            || iss != issuer(pool, ctx)
        {
            return Err(invalid());
        }
        if claims["exp"]
            .as_i64()
            .is_none_or(|exp| exp <= ctx.clock.unix())
        {
            return Err(ApiError::not_authorized("Access Token has expired"));
        }
        let origin = claims["origin_jti"].as_str().ok_or_else(invalid)?;
        let (_, user) = pool.live_session(origin, ctx.clock.unix(), "Access Token", invalid)?;
        Ok(AccessCaller {
            pool_id: pool.id.clone(),
            username: user.username.clone(),
            client_id: claims["client_id"].as_str().unwrap_or_default().to_owned(),
            origin_jti: origin.to_owned(),
            admin_scope: claims["scope"]
                .as_str()
                .is_some_and(|s| s.split(' ').any(|s| s == "aws.cognito.signin.user.admin")),
        })
    }
}

/// Who presented a valid access token.
#[derive(Debug)]
pub(super) struct AccessCaller {
    pub(super) pool_id: String,
    /// The internal username.
    pub(super) username: String,
    /// The app client the token was issued to.
    pub(super) client_id: String,
    /// The token's sign-in session.
    pub(super) origin_jti: String,
    /// Whether it carries `aws.cognito.signin.user.admin`.
    admin_scope: bool,
}

impl Pool {
    /// The sign-in session `origin` names and its user, while the session
    /// is neither expired nor revoked and the user is there and enabled.
    /// `token` names the token in the errors; `unknown` is the error for a
    /// session that does not exist (any more).
    pub(super) fn live_session(
        &self,
        origin: &str,
        now: i64,
        token: &str,
        unknown: impl FnOnce() -> ApiError,
    ) -> ApiResult<(&SignInSession, &User)> {
        let session = self.sessions.get(origin, now).ok_or_else(unknown)?;
        if session.revoked {
            return Err(ApiError::not_authorized(format!(
                "{token} has been revoked"
            )));
        }
        let user = self
            .users
            .get(&session.username)
            .ok_or_else(super::user_not_found)?;
        if !user.enabled {
            return Err(ApiError::not_authorized("User is disabled."));
        }
        Ok((session, user))
    }
}

fn invalid_refresh() -> ApiError {
    ApiError::not_authorized("Invalid Refresh Token")
}

/// An opaque refresh token: 32 random bytes, shaped like Cognito's (five
/// base64url segments), so clients that split on dots are not surprised.
fn refresh_token(rng: &crate::ids::Randomness) -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}"#);
    let parts: Vec<String> = [32usize, 12, 32, 16]
        .iter()
        .map(|&n| URL_SAFE_NO_PAD.encode(rng.bytes(n)))
        .collect();
    format!("{header}.{}", parts.join("."))
}

impl UserPools {
    /// What checking a user-pool ID token needs, taken under the lock so
    /// the signature can be checked after it: the pool's ID-token key and
    /// issuer. `None` for an unknown pool.
    pub fn id_token_check(&self, pool_id: &str, ctx: &Context<'_>) -> Option<IdTokenCheck> {
        let pool = self.pools.get(pool_id)?;
        Some(IdTokenCheck {
            key: pool.id_key.clone(),
            issuer: issuer(pool, ctx),
        })
    }

    /// ServerSideTokenCheck: the token's sign-in session has not been ended
    /// (global sign-out, revocation) and its user still exists, enabled.
    pub fn id_token_session_active(&self, pool_id: &str, claims: &Value, now: i64) -> bool {
        let Some(pool) = self.pools.get(pool_id) else {
            return false;
        };
        let Some(session) = claims["origin_jti"]
            .as_str()
            .and_then(|o| pool.sessions.get(o, now))
        else {
            return false;
        };
        !session.revoked && pool.users.get(&session.username).is_some_and(|u| u.enabled)
    }
}

/// Checks a user-pool ID token presented as an identity-pool login, with no
/// lock held (see [`UserPools::id_token_check`]).
#[derive(Debug, Clone)]
pub struct IdTokenCheck {
    key: Arc<SigningKey>,
    issuer: String,
}

impl IdTokenCheck {
    /// The pool's ID-token key (to check signatures ahead of a lock).
    pub(crate) fn key(&self) -> &SigningKey {
        &self.key
    }
}

/// Verifies a user-pool ID token presented as an identity-pool login, with
/// what [`UserPools::id_token_check`] took (`None`: no such pool): `aud`
/// present (an access token has none), issuer, signature with the pool's
/// ID-token key, `token_use: id`, not expired. Returns its claims. The
/// errors come in the order AWS reports them.
pub fn verify_id_token(
    check: Option<&IdTokenCheck>,
    token: &str,
    now: i64,
    signatures: &VerifiedSignatures,
) -> ApiResult<Value> {
    let invalid = |why: &str| ApiError::not_authorized(format!("Invalid login token. {why}"));
    let claims =
        crate::jwt::decode_unverified(token).ok_or_else(|| invalid("Couldn't parse the token."))?;
    if claims["aud"].as_str().is_none() {
        return Err(invalid("Missing a required claim: aud"));
    }
    let check = check.ok_or_else(|| invalid("Issuer doesn't match providerName"))?;
    if claims["iss"].as_str() != Some(check.issuer.as_str()) {
        return Err(invalid("Issuer doesn't match providerName"));
    }
    if !signatures.verify(&check.key, token) {
        return Err(invalid("Couldn't verify signed token."));
    }
    if claims["token_use"] != "id" {
        return Err(invalid("Token is not an ID token."));
    }
    let exp = claims["exp"].as_i64().unwrap_or(0);
    if exp <= now {
        return Err(invalid(&format!("Token expired: {exp} >= {now}")));
    }
    Ok(claims)
}
