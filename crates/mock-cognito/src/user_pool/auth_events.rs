//! Threat protection's event history: AdminListUserAuthEvents and
//! AdminUpdateAuthEventFeedback. With `UserPoolAddOns.AdvancedSecurityMode`
//! AUDIT or ENFORCED, each sign-in (passed, or failed at the password or
//! the second factor), sign-up, password reset request and password change
//! is recorded for the user, newest first, the last
//! [`MAX_EVENTS_PER_USER`] kept (durable with the user). The mock scores no
//! risk: every event is `NoRisk` / `Low`, and no context data (IP address,
//! device) is recorded.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::pools::page_size;
use super::{Context, Pool, UserPools};
use crate::error::{ApiError, ApiResult};
use crate::paging::paginate;
use crate::shapes::Empty;
use crate::shapes::Timestamp;
use crate::shapes::cognito_idp::{
    AdminListUserAuthEventsRequest, AdminUpdateAuthEventFeedbackRequest, AdvancedSecurityModeType,
};

/// Events kept per user.
pub(super) const MAX_EVENTS_PER_USER: usize = 100;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EventKind {
    SignIn,
    SignUp,
    ForgotPassword,
    PasswordChange,
}

impl EventKind {
    fn name(self) -> &'static str {
        match self {
            EventKind::SignIn => "SignIn",
            EventKind::SignUp => "SignUp",
            EventKind::ForgotPassword => "ForgotPassword",
            EventKind::PasswordChange => "PasswordChange",
        }
    }
}

/// How a sign-in's challenges went: (Password, Mfa) outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Challenges {
    pub(super) password: Option<bool>,
    pub(super) mfa: Option<bool>,
}

/// One recorded event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct AuthEvent {
    id: String,
    kind: String,
    created: i64,
    /// Pass, Fail or InProgress.
    response: String,
    /// (ChallengeName, ChallengeResponse).
    challenges: Vec<(String, String)>,
    /// (FeedbackValue, Provider, date).
    #[serde(default)]
    feedback: Option<(String, String, i64)>,
}

impl AuthEvent {
    fn json(&self) -> Value {
        let mut out = json!({
            "EventId": self.id,
            "EventType": self.kind,
            "CreationDate": Timestamp::from_secs(self.created),
            "EventResponse": self.response,
            "EventRisk": {"RiskDecision": "NoRisk", "RiskLevel": "Low",
                          "CompromisedCredentialsDetected": false},
            "ChallengeResponses": self.challenges.iter().map(|(name, response)| {
                json!({"ChallengeName": name, "ChallengeResponse": response})
            }).collect::<Vec<_>>(),
        });
        if let Some((value, provider, date)) = &self.feedback {
            out["EventFeedback"] = json!({"FeedbackValue": value, "Provider": provider,
                                          "FeedbackDate": Timestamp::from_secs(*date)});
        }
        out
    }
}

impl Pool {
    fn records_auth_events(&self) -> bool {
        self.settings
            .user_pool_add_ons
            .as_ref()
            .is_some_and(|a| a.advanced_security_mode != AdvancedSecurityModeType::Off)
    }
}

fn outcome(ok: bool) -> String {
    (if ok { "Success" } else { "Failure" }).to_owned()
}

impl UserPools {
    /// Records an event for a user, where the pool keeps them.
    pub(super) fn record_auth_event(
        &mut self,
        pool_id: &str,
        username: &str,
        kind: EventKind,
        passed: Option<bool>,
        challenges: Challenges,
        ctx: &Context<'_>,
    ) {
        let Ok(pool) = self.pool_mut(pool_id) else {
            return;
        };
        if !pool.records_auth_events() {
            return;
        }
        let Some(user) = pool.users.get_mut(username) else {
            return;
        };
        let mut listed = Vec::new();
        if let Some(ok) = challenges.password {
            listed.push(("Password".to_owned(), outcome(ok)));
        }
        if let Some(ok) = challenges.mfa {
            listed.push(("Mfa".to_owned(), outcome(ok)));
        }
        let event = AuthEvent {
            id: ctx.rng.uuid(),
            kind: kind.name().to_owned(),
            created: ctx.clock.unix(),
            response: match passed {
                Some(true) => "Pass",
                Some(false) => "Fail",
                None => "InProgress",
            }
            .to_owned(),
            challenges: listed,
            feedback: None,
        };
        user.auth_events.insert(0, event);
        user.auth_events.truncate(MAX_EVENTS_PER_USER);
    }

    /// Records a passed event with no challenges (sign-up, a reset
    /// requested, a password changed).
    pub(super) fn record_event(
        &mut self,
        pool_id: &str,
        username: &str,
        kind: EventKind,
        ctx: &Context<'_>,
    ) {
        let none = Challenges {
            password: None,
            mfa: None,
        };
        self.record_auth_event(pool_id, username, kind, Some(true), none, ctx);
    }

    fn check_add_on(pool: &Pool) -> ApiResult<()> {
        if pool.records_auth_events() {
            return Ok(());
        }
        Err(ApiError::new(
            "UserPoolAddOnNotEnabledException",
            "Advanced security features (threat protection) are not enabled for this user pool: set UserPoolAddOns.AdvancedSecurityMode to AUDIT or ENFORCED",
        ))
    }

    pub(super) fn admin_list_user_auth_events(
        &self,
        input: AdminListUserAuthEventsRequest,
    ) -> ApiResult<Value> {
        let pool = self.pool(&input.user_pool_id)?;
        Self::check_add_on(pool)?;
        let user = pool.user(&input.username)?;
        let all: Vec<Value> = user.auth_events.iter().map(AuthEvent::json).collect();
        let (page, next) = paginate(
            all,
            page_size(input.max_results),
            input.next_token.as_deref(),
        )?;
        let mut out = json!({ "AuthEvents": page });
        if let Some(next) = next {
            out["NextToken"] = Value::String(next);
        }
        Ok(out)
    }

    pub(super) fn admin_update_auth_event_feedback(
        &mut self,
        input: AdminUpdateAuthEventFeedbackRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let pool = self.pool(&input.user_pool_id)?;
        Self::check_add_on(pool)?;
        let username = pool.user(&input.username)?.username.clone();
        let user = self.user_entry_mut(&input.user_pool_id, &username)?;
        let event = user
            .auth_events
            .iter_mut()
            .find(|e| e.id == input.event_id)
            .ok_or_else(|| {
                ApiError::new(
                    "ResourceNotFoundException",
                    format!("Auth event {} does not exist for the user.", input.event_id),
                )
            })?;
        event.feedback = Some((
            input.feedback_value.as_str().to_owned(),
            "Admin".to_owned(),
            ctx.clock.unix(),
        ));
        Ok(Empty {})
    }
}
