//! The sessions API: Get/SetUserPoolSessionConfiguration,
//! Get/SetUserPoolClientSessionConfiguration, (Admin)ListUserSessions and
//! (Admin)RevokeUserSession.
//!
//! A token session is a sign-in's session (everything issued from one
//! authentication, refreshes included); an SSO session is a browser's
//! hosted-UI session. A token session the hosted UI started names its SSO
//! session as `OriginSessionId`. With tracking ENABLED, a user keeps at
//! most `MaxPerUser` token sessions (a new sign-in evicts the oldest), the
//! sessions can be listed, and revoking one ends its tokens (and, with
//! `RevokeAssociatedSessions: LINKED`, the sessions linked to it). An app
//! client's `MaxValidityMinutes` bounds how long after the user's last
//! fresh authentication the hosted UI signs them in again silently.

use serde::{Deserialize, Serialize};

use super::{Context, Pool, UserPools};
use crate::error::{ApiError, ApiResult};
use crate::paging::paginate;
use crate::shapes::Timestamp;
use crate::shapes::cognito_idp::{
    AdminListUserSessionsRequest, AdminListUserSessionsResponse, AdminRevokeUserSessionRequest,
    AdminRevokeUserSessionResponse, ClientSSOSessionConfigType,
    GetUserPoolClientSessionConfigurationRequest, GetUserPoolClientSessionConfigurationResponse,
    GetUserPoolSessionConfigurationRequest, GetUserPoolSessionConfigurationResponse,
    ListUserSessionsRequest, ListUserSessionsResponse, RevokeAssociatedSessionsType,
    RevokeUserSessionRequest, RevokeUserSessionResponse, SessionDescriptionType, SessionTypeType,
    SetUserPoolClientSessionConfigurationRequest, SetUserPoolClientSessionConfigurationResponse,
    SetUserPoolSessionConfigurationRequest, SetUserPoolSessionConfigurationResponse,
    UserPoolTierType, UserPoolTokenSessionConfigType, UserSessionTrackingType,
};

/// MaxPerUser when never set.
const DEFAULT_MAX_PER_USER: i32 = 20;
/// An app client's SSO MaxValidityMinutes when never set.
const DEFAULT_SSO_MINUTES: i32 = 60;
/// Sessions a listing answers at most (one page, as AWS does).
const MAX_LISTED: usize = 125;

/// The pool's session configuration, as kept (and stored with the pool).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct SessionSettings {
    tracking: bool,
    max_per_user: i32,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings {
            tracking: false,
            max_per_user: DEFAULT_MAX_PER_USER,
        }
    }
}

impl SessionSettings {
    pub(super) fn is_default(&self) -> bool {
        *self == SessionSettings::default()
    }
}

/// A 28-character session id: `prefix` and 25 of `[a-z0-9]` from a digest
/// of what identifies the session (never the secret itself).
fn session_id(prefix: &str, of: &str) -> String {
    const DIGITS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, of.as_bytes());
    let tail: String = digest.as_ref()[..25]
        .iter()
        .map(|b| DIGITS[usize::from(*b) % DIGITS.len()] as char)
        .collect();
    format!("{prefix}{tail}")
}

/// The id of the token session a sign-in's `origin_jti` names.
pub(super) fn token_session_id(origin_jti: &str) -> String {
    session_id("tkn", origin_jti)
}

/// The id of the SSO session a browser's session cookie names.
pub(super) fn sso_session_id(cookie: &str) -> String {
    session_id("sso", cookie)
}

fn not_enabled() -> ApiError {
    ApiError::new(
        "OperationNotEnabledException",
        "Session tracking is not enabled for this user pool: SetUserPoolSessionConfiguration turns it on",
    )
}

fn session_not_found(id: &str) -> ApiError {
    ApiError::resource_not_found(format!("Session {id} does not exist."))
}

fn check_tier(pool: &Pool) -> ApiResult<()> {
    if pool.settings.user_pool_tier == Some(UserPoolTierType::Lite) {
        return Err(ApiError::new(
            "FeatureUnavailableInTierException",
            "Session tracking requires the ESSENTIALS or PLUS feature plan",
        ));
    }
    Ok(())
}

impl Pool {
    /// How long after a fresh authentication the hosted UI signs a user in
    /// to `client_id` again without asking.
    pub(super) fn sso_validity_secs(&self, client_id: &str) -> i64 {
        let minutes = self
            .sso_minutes
            .get(client_id)
            .copied()
            .unwrap_or(DEFAULT_SSO_MINUTES);
        i64::from(minutes) * 60
    }

    /// With tracking on, ends `username`'s oldest token sessions beyond
    /// MaxPerUser.
    pub(super) fn evict_sessions_over_limit(&mut self, username: &str, now: i64) {
        if !self.session_settings.tracking {
            return;
        }
        let mut live: Vec<(i64, u64, String)> = self
            .sessions
            .iter(now)
            .filter(|(_, s)| s.username == username && !s.revoked)
            .map(|(jti, s)| (s.auth_time, s.seq, jti.clone()))
            .collect();
        let max = usize::try_from(self.session_settings.max_per_user).unwrap_or(1);
        if live.len() <= max {
            return;
        }
        live.sort();
        for (_, _, jti) in &live[..live.len() - max] {
            if let Some(s) = self.sessions.get_mut(jti, now) {
                s.revoked = true;
            }
        }
    }
}

impl UserPools {
    pub(super) fn get_user_pool_session_configuration(
        &self,
        input: GetUserPoolSessionConfigurationRequest,
    ) -> ApiResult<GetUserPoolSessionConfigurationResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let s = &pool.session_settings;
        Ok(GetUserPoolSessionConfigurationResponse {
            token_session: Some(UserPoolTokenSessionConfigType {
                max_per_user: s.max_per_user,
            }),
            user_pool_id: Some(pool.id.clone()),
            user_session_tracking: Some(tracking_type(s.tracking)),
        })
    }

    pub(super) fn set_user_pool_session_configuration(
        &mut self,
        input: SetUserPoolSessionConfigurationRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<SetUserPoolSessionConfigurationResponse> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        check_tier(pool)?;
        pool.session_settings = SessionSettings {
            tracking: input.user_session_tracking == UserSessionTrackingType::Enabled,
            max_per_user: input.token_session.max_per_user,
        };
        pool.modified = ctx.clock.unix();
        Ok(SetUserPoolSessionConfigurationResponse {
            token_session: Some(input.token_session),
            user_pool_id: Some(pool.id.clone()),
            user_session_tracking: Some(input.user_session_tracking),
        })
    }

    pub(super) fn get_user_pool_client_session_configuration(
        &self,
        input: GetUserPoolClientSessionConfigurationRequest,
    ) -> ApiResult<GetUserPoolClientSessionConfigurationResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        if !pool.clients.contains_key(&input.client_id) {
            return Err(super::client_not_found(&input.client_id));
        }
        let minutes = pool
            .sso_minutes
            .get(&input.client_id)
            .copied()
            .unwrap_or(DEFAULT_SSO_MINUTES);
        Ok(GetUserPoolClientSessionConfigurationResponse {
            client_id: Some(input.client_id),
            sso_session: Some(ClientSSOSessionConfigType {
                max_validity_minutes: minutes,
            }),
            user_pool_id: Some(pool.id.clone()),
        })
    }

    pub(super) fn set_user_pool_client_session_configuration(
        &mut self,
        input: SetUserPoolClientSessionConfigurationRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<SetUserPoolClientSessionConfigurationResponse> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        check_tier(pool)?;
        if !pool.clients.contains_key(&input.client_id) {
            return Err(super::client_not_found(&input.client_id));
        }
        if !pool.session_settings.tracking {
            return Err(ApiError::invalid_parameter(
                "Session tracking must be enabled for the user pool first",
            ));
        }
        pool.sso_minutes.insert(
            input.client_id.clone(),
            input.sso_session.max_validity_minutes,
        );
        pool.modified = ctx.clock.unix();
        Ok(SetUserPoolClientSessionConfigurationResponse {
            client_id: Some(input.client_id),
            sso_session: Some(input.sso_session),
            user_pool_id: Some(pool.id.clone()),
        })
    }

    /// The live sessions of a user, oldest first; `current` marks the
    /// token session of the calling access token.
    fn sessions_of(
        &self,
        pool: &Pool,
        username: &str,
        current: Option<&str>,
        now: i64,
    ) -> Vec<SessionDescriptionType> {
        let mut out: Vec<(i64, SessionDescriptionType)> = pool
            .sessions
            .iter(now)
            .filter(|(_, s)| s.username == username && !s.revoked)
            .map(|(jti, s)| {
                (
                    s.auth_time,
                    SessionDescriptionType {
                        client_id: Some(s.client_id.clone()),
                        create_date: Some(Timestamp::from_secs(s.auth_time)),
                        is_current_session: Some(current == Some(jti.as_str())),
                        last_active_date: Some(Timestamp::from_secs(s.last_active)),
                        origin_session_id: s.sso.clone(),
                        session_id: Some(token_session_id(jti)),
                        session_type: Some(SessionTypeType::Token),
                        ..SessionDescriptionType::default()
                    },
                )
            })
            .collect();
        out.extend(
            self.browser_sessions
                .iter(now)
                .filter(|(_, b)| b.pool_id == pool.id && b.username == username)
                .map(|(cookie, b)| {
                    (
                        b.created,
                        SessionDescriptionType {
                            client_id: Some(b.client_id.clone()),
                            create_date: Some(Timestamp::from_secs(b.created)),
                            is_current_session: Some(false),
                            last_active_date: Some(Timestamp::from_secs(b.last_active)),
                            session_id: Some(sso_session_id(cookie)),
                            session_type: Some(SessionTypeType::Sso),
                            ..SessionDescriptionType::default()
                        },
                    )
                }),
        );
        out.sort_by(|a, b| (a.0, &a.1.session_id).cmp(&(b.0, &b.1.session_id)));
        out.into_iter().map(|(_, s)| s).collect()
    }

    pub(super) fn list_user_sessions(
        &self,
        input: ListUserSessionsRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<ListUserSessionsResponse> {
        let caller = self.access_caller(&input.access_token, ctx)?;
        let pool = self.pool(&caller.pool_id)?;
        if !pool.session_settings.tracking {
            return Err(not_enabled());
        }
        let current = Some(caller.origin_jti.as_str());
        let all = self.sessions_of(pool, &caller.username, current, ctx.clock.unix());
        let (sessions, next_token) = paginate(all, MAX_LISTED, input.next_token.as_deref())?;
        Ok(ListUserSessionsResponse {
            next_token,
            sessions: Some(sessions),
        })
    }

    pub(super) fn admin_list_user_sessions(
        &self,
        input: AdminListUserSessionsRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<AdminListUserSessionsResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let username = pool.user(&input.username)?.username.clone();
        if !pool.session_settings.tracking {
            return Err(not_enabled());
        }
        let all = self.sessions_of(pool, &username, None, ctx.clock.unix());
        let (sessions, next_token) = paginate(all, MAX_LISTED, input.next_token.as_deref())?;
        Ok(AdminListUserSessionsResponse {
            next_token,
            sessions: Some(sessions),
        })
    }

    pub(super) fn revoke_user_session(
        &mut self,
        input: RevokeUserSessionRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<RevokeUserSessionResponse> {
        let caller = self.access_caller(&input.access_token, ctx)?;
        if token_session_id(&caller.origin_jti) == input.session_id {
            return Err(ApiError::invalid_parameter(
                "The session of the calling access token cannot be revoked: use GlobalSignOut or RevokeToken",
            ));
        }
        self.revoke_session(
            &caller.pool_id,
            &caller.username,
            &input.session_id,
            input.revoke_associated_sessions,
            ctx.clock.unix(),
        )?;
        Ok(RevokeUserSessionResponse {})
    }

    pub(super) fn admin_revoke_user_session(
        &mut self,
        input: AdminRevokeUserSessionRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<AdminRevokeUserSessionResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let username = pool.user(&input.username)?.username.clone();
        self.revoke_session(
            &input.user_pool_id,
            &username,
            &input.session_id,
            input.revoke_associated_sessions,
            ctx.clock.unix(),
        )?;
        Ok(AdminRevokeUserSessionResponse {})
    }

    /// Ends one of `username`'s sessions by id: a token session's tokens
    /// stop working; an SSO session no longer signs the browser in. LINKED
    /// also ends the SSO session a token session came from, or the token
    /// sessions an SSO session started.
    fn revoke_session(
        &mut self,
        pool_id: &str,
        username: &str,
        id: &str,
        associated: Option<RevokeAssociatedSessionsType>,
        now: i64,
    ) -> ApiResult<()> {
        let linked = associated == Some(RevokeAssociatedSessionsType::Linked);
        let pool = self.pool(pool_id)?;
        if !pool.session_settings.tracking {
            return Err(not_enabled());
        }
        let token_session = pool
            .sessions
            .iter(now)
            .find(|(jti, s)| s.username == username && !s.revoked && token_session_id(jti) == id)
            .map(|(jti, s)| (jti.clone(), s.sso.clone()));
        let sso_cookie = |users: &UserPools, sso: &str| {
            users
                .browser_sessions
                .iter(now)
                .find(|(cookie, b)| {
                    b.pool_id == pool_id && b.username == username && sso_session_id(cookie) == sso
                })
                .map(|(cookie, _)| cookie.clone())
        };
        let (token_jtis, sso_to_end) = match token_session {
            Some((jti, sso)) => (vec![jti], sso.filter(|_| linked)),
            None => {
                sso_cookie(self, id).ok_or_else(|| session_not_found(id))?;
                let started: Vec<String> = if linked {
                    pool.sessions
                        .iter(now)
                        .filter(|(_, s)| s.username == username && s.sso.as_deref() == Some(id))
                        .map(|(jti, _)| jti.clone())
                        .collect()
                } else {
                    Vec::new()
                };
                (started, Some(id.to_owned()))
            }
        };
        if let Some(cookie) = sso_to_end.and_then(|sso| sso_cookie(self, &sso)) {
            self.browser_sessions.remove(&cookie, now);
        }
        let pool = self.pool_mut(pool_id)?;
        for jti in token_jtis {
            if let Some(s) = pool.sessions.get_mut(&jti, now) {
                s.revoked = true;
            }
        }
        Ok(())
    }
}

fn tracking_type(on: bool) -> UserSessionTrackingType {
    if on {
        UserSessionTrackingType::Enabled
    } else {
        UserSessionTrackingType::Disabled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_have_the_models_shape() {
        let re = regex::Regex::new("^(tkn|sso)[a-z0-9]{25}$").unwrap();
        for id in [token_session_id("jti-1"), sso_session_id("cookie")] {
            assert!(re.is_match(&id), "{id}");
        }
        assert_eq!(token_session_id("a"), token_session_id("a"));
        assert_ne!(token_session_id("a"), token_session_id("b"));
    }
}
