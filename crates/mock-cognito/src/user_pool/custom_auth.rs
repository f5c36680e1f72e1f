//! CUSTOM_AUTH: a sign-in the pool's own Lambda triggers decide.
//!
//! Each round, DefineAuthChallenge reads the session's history (which
//! challenges were asked and whether they were answered right) and
//! answers: issue tokens, fail, or ask a challenge. For CUSTOM_CHALLENGE,
//! CreateAuthChallenge makes it: public parameters the client is shown,
//! private ones the mock keeps with the session, and metadata for the
//! history. The client's ANSWER goes to VerifyAuthChallengeResponse with
//! the private parameters; its `answerCorrect` joins the history and
//! DefineAuthChallenge decides again.
//!
//! When the first request carries SRP_A, the history starts with SRP_A
//! and DefineAuthChallenge may ask PASSWORD_VERIFIER: the password is
//! proven by SRP as in USER_SRP_AUTH, then the custom challenges follow.
//! A wrong password ends the sign-in there (and counts towards lockout).
//!
//! A round runs its triggers with no lock held: what the events need is
//! read under the lock into a [`CustomRound`], [`CustomRound::run`] calls
//! the handlers, then [`UserPools::custom_round_done`] records the outcome.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::auth::{
    AuthReply, AuthStep, Awaiting, CHALLENGE_LIFETIME_SECS, Parameters, PendingChallenge, SrpStart,
    require,
};
use super::mfa::{MfaGate, SignedIn};
use super::trigger_events::event_attributes;
use super::{Context, Pool, UserPools};
use crate::error::{ApiError, ApiResult};
use crate::shapes::cognito_idp::{ChallengeNameType, InitiateAuthResponse};
use crate::triggers::{Invocation, Trigger, flag, malformed, object};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// One challenge of a custom sign-in's history, as DefineAuthChallenge
/// sees it.
#[derive(Debug, Clone)]
pub(super) struct ChallengeResult {
    name: &'static str,
    result: bool,
    metadata: Option<String>,
}

impl ChallengeResult {
    /// SRP_A, sent with the first request.
    pub(super) fn srp_a() -> Self {
        ChallengeResult {
            name: "SRP_A",
            result: true,
            metadata: None,
        }
    }

    /// PASSWORD_VERIFIER, answered with the right password.
    pub(super) fn password_verified() -> Self {
        ChallengeResult {
            name: "PASSWORD_VERIFIER",
            result: true,
            metadata: None,
        }
    }

    fn to_event(&self) -> Value {
        let mut entry = json!({
            "challengeName": self.name,
            "challengeResult": self.result,
        });
        if let Some(m) = &self.metadata {
            entry["challengeMetadata"] = json!(m);
        }
        entry
    }
}

/// The history of a custom sign-in as the triggers' `session`.
fn session_event(history: &[ChallengeResult]) -> Value {
    Value::Array(history.iter().map(ChallengeResult::to_event).collect())
}

/// An open CUSTOM_CHALLENGE, kept with its Session. `Debug` leaves out the
/// private parameters: they usually hold the expected answer.
#[derive(Clone)]
pub(super) struct OpenChallenge {
    history: Vec<ChallengeResult>,
    private: Value,
    metadata: Option<String>,
    pub(super) user_not_found: bool,
}

impl std::fmt::Debug for OpenChallenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenChallenge")
            .field("history", &self.history)
            .field("user_not_found", &self.user_not_found)
            .finish_non_exhaustive()
    }
}

/// One request's round of a custom sign-in, read under the lock and run
/// with none held.
#[derive(Debug)]
pub struct CustomRound {
    pool_id: String,
    client_id: String,
    /// The user's username, or the typed name of an unknown user.
    username: String,
    user_not_found: bool,
    history: Vec<ChallengeResult>,
    /// The answer to judge first (VerifyAuthChallengeResponse), and the
    /// metadata of the challenge it answers.
    verify: Option<(Invocation, Option<String>)>,
    define: Invocation,
    create: Option<Invocation>,
    /// SRP_A came with CUSTOM_AUTH: the SRP DefineAuthChallenge may ask
    /// for with PASSWORD_VERIFIER.
    srp: Option<Box<SrpStart>>,
    /// The request's ClientMetadata, handed to every trigger.
    client_metadata: Value,
}

/// What a round's triggers decided.
#[derive(Debug)]
pub enum RoundOutcome {
    /// DefineAuthChallenge: issueTokens.
    Tokens,
    /// DefineAuthChallenge: failAuthentication.
    Fail,
    /// A CUSTOM_CHALLENGE that CreateAuthChallenge made.
    Challenge {
        public: BTreeMap<String, String>,
        private: Value,
        metadata: Option<String>,
    },
    /// PASSWORD_VERIFIER after SRP_A.
    PasswordVerifier,
}

impl CustomRound {
    /// Hands the request's ClientMetadata to the triggers.
    pub fn with_client_metadata(&mut self, metadata: Option<&BTreeMap<String, String>>) {
        self.client_metadata = json!(metadata.cloned().unwrap_or_default());
    }

    /// Runs the round's triggers (blocking; never under a state lock).
    pub fn run(&mut self) -> ApiResult<RoundOutcome> {
        if let Some((mut verify, metadata)) = self.verify.take() {
            verify.event["request"]["clientMetadata"] = self.client_metadata.clone();
            let verdict = verify.run()?;
            self.history.push(ChallengeResult {
                name: "CUSTOM_CHALLENGE",
                result: flag(&verdict, "answerCorrect")?,
                metadata,
            });
        }
        let session = session_event(&self.history);
        let mut define = self.define.clone();
        define.event["request"]["session"] = session.clone();
        define.event["request"]["clientMetadata"] = self.client_metadata.clone();
        let decision = define.run()?;
        if flag(&decision, "issueTokens")? {
            return Ok(RoundOutcome::Tokens);
        }
        if flag(&decision, "failAuthentication")? {
            return Ok(RoundOutcome::Fail);
        }
        match decision.get("challengeName").and_then(Value::as_str) {
            Some("CUSTOM_CHALLENGE") => {
                let mut create = self.create.clone().ok_or_else(not_configured)?;
                create.event["request"]["challengeName"] = json!("CUSTOM_CHALLENGE");
                create.event["request"]["session"] = session;
                create.event["request"]["clientMetadata"] = self.client_metadata.clone();
                let made = create.run()?;
                let public = object(&made, "publicChallengeParameters")?
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| Ok((k.clone(), v.as_str().ok_or_else(malformed)?.to_owned())))
                    .collect::<ApiResult<BTreeMap<_, _>>>()?;
                let private = object(&made, "privateChallengeParameters")?
                    .cloned()
                    .unwrap_or_default();
                let metadata = match made.get("challengeMetadata") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(m)) => Some(m.clone()),
                    Some(_) => return Err(malformed()),
                };
                Ok(RoundOutcome::Challenge {
                    public,
                    private: Value::Object(private),
                    metadata,
                })
            }
            Some("PASSWORD_VERIFIER")
                if self.srp.is_some()
                    && self.history.len() == 1
                    && self.history[0].name == "SRP_A" =>
            {
                Ok(RoundOutcome::PasswordVerifier)
            }
            _ => Err(malformed()),
        }
    }
}

/// The refusal of CUSTOM_AUTH on a pool without its triggers.
fn not_configured() -> ApiError {
    ApiError::invalid_parameter("Custom auth lambda trigger is not configured for the user pool.")
}

impl Pool {
    /// One of the pool's three custom-auth triggers, for `username`
    /// (`user`: its attributes, None when the user is unknown).
    fn custom_auth_trigger(
        &self,
        (trigger, arn): (Trigger, Option<&String>),
        (username, user): (&str, Option<&super::User>),
        client_id: &str,
        mut request: Value,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<Invocation>> {
        let Some(arn) = arn else {
            return Ok(None);
        };
        let source = match trigger {
            Trigger::DefineAuthChallenge => "DefineAuthChallenge_Authentication",
            Trigger::CreateAuthChallenge => "CreateAuthChallenge_Authentication",
            _ => "VerifyAuthChallengeResponse_Authentication",
        };
        request["userAttributes"] = user.map(event_attributes).unwrap_or_else(|| json!({}));
        request["userNotFound"] = json!(user.is_none());
        request["clientMetadata"] = json!({});
        let caller = self.caller(username, Some(client_id));
        match ctx
            .triggers
            .invocation((trigger, arn), ("1", source), &caller, request)
        {
            Some(invocation) => Ok(Some(invocation)),
            None => Err(ApiError::new(
                "UnexpectedLambdaException",
                format!(
                    "{} invocation failed: no local handler is mapped to {arn} (map it in the seed's [triggers], with --trigger or --lambda-endpoint)",
                    trigger.name()
                ),
            )),
        }
    }
}

impl UserPools {
    /// A round of a custom sign-in: the triggers it may run, with what
    /// their events need.
    fn custom_round(
        &self,
        (pool_id, client_id): (&str, &str),
        (username, user_not_found): (&str, bool),
        history: Vec<ChallengeResult>,
        answer: Option<(&OpenChallenge, &str)>,
        ctx: &Context<'_>,
    ) -> ApiResult<CustomRound> {
        let pool = self.pool(pool_id)?;
        let lambda = pool.settings.lambda_config.clone().unwrap_or_default();
        let user = if user_not_found {
            None
        } else {
            Some(
                pool.users
                    .get(username)
                    .ok_or_else(ApiError::incorrect_credentials)?,
            )
        };
        let who = (username, user);
        let define = pool
            .custom_auth_trigger(
                (
                    Trigger::DefineAuthChallenge,
                    lambda.define_auth_challenge.as_ref(),
                ),
                who,
                client_id,
                json!({ "session": [] }),
                ctx,
            )?
            .ok_or_else(not_configured)?;
        let create = pool.custom_auth_trigger(
            (
                Trigger::CreateAuthChallenge,
                lambda.create_auth_challenge.as_ref(),
            ),
            who,
            client_id,
            json!({ "challengeName": "CUSTOM_CHALLENGE", "session": [] }),
            ctx,
        )?;
        let verify = match answer {
            Some((open, answer)) => {
                let invocation = pool
                    .custom_auth_trigger(
                        (
                            Trigger::VerifyAuthChallengeResponse,
                            lambda.verify_auth_challenge_response.as_ref(),
                        ),
                        who,
                        client_id,
                        json!({
                            "privateChallengeParameters": open.private,
                            "challengeAnswer": answer,
                        }),
                        ctx,
                    )?
                    .ok_or_else(not_configured)?;
                Some((invocation, open.metadata.clone()))
            }
            None => None,
        };
        Ok(CustomRound {
            pool_id: pool_id.to_owned(),
            client_id: client_id.to_owned(),
            username: username.to_owned(),
            user_not_found,
            history,
            verify,
            define,
            create,
            srp: None,
            client_metadata: json!({}),
        })
    }

    /// InitiateAuth with CUSTOM_AUTH, once the client and user are
    /// checked: the first round (with SRP_A, its SRP ready).
    pub(super) fn start_custom_auth(
        &self,
        (pool_id, client_id): (&str, &str),
        username: Option<String>,
        typed: &str,
        p: &Parameters,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthStep> {
        let pool = self.pool(pool_id)?;
        if pool
            .settings
            .lambda_config
            .as_ref()
            .and_then(|l| l.define_auth_challenge.as_ref())
            .is_none()
        {
            return Err(not_configured());
        }
        let with_srp = p.get("SRP_A").is_some_and(|a| !a.is_empty());
        let history = if with_srp {
            vec![ChallengeResult::srp_a()]
        } else {
            Vec::new()
        };
        let name = username.as_deref().unwrap_or(typed);
        let mut round = self.custom_round(
            (pool_id, client_id),
            (name, username.is_none()),
            history.clone(),
            None,
            ctx,
        )?;
        if with_srp {
            let mut start = SrpStart::new(pool, client_id, username, typed, p)?;
            start.custom = Some(history);
            round.srp = Some(Box::new(start));
        }
        Ok(AuthStep::Custom(Box::new(round)))
    }

    /// A custom sign-in whose password was proven by SRP: the next round.
    pub(super) fn after_custom_password(
        &self,
        (pool_id, client_id): (&str, &str),
        username: &str,
        mut history: Vec<ChallengeResult>,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthStep> {
        history.push(ChallengeResult::password_verified());
        let round =
            self.custom_round((pool_id, client_id), (username, false), history, None, ctx)?;
        Ok(AuthStep::Custom(Box::new(round)))
    }

    /// RespondToAuthChallenge with CUSTOM_CHALLENGE: the ANSWER, judged in
    /// the next round.
    pub(super) fn answer_custom_challenge(
        &mut self,
        client_id: &str,
        session: Option<&str>,
        r: &Parameters,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthStep> {
        let answer = require(r, "ANSWER")?;
        let pending = self.take_challenge(client_id, session, require(r, "USERNAME")?, ctx)?;
        let Awaiting::Custom(open) = &pending.awaiting else {
            return Err(super::auth::invalid_session());
        };
        let round = self.custom_round(
            (&pending.pool_id, client_id),
            (&pending.username, open.user_not_found),
            open.history.clone(),
            Some((open, answer)),
            ctx,
        )?;
        Ok(AuthStep::Custom(Box::new(round)))
    }

    /// Records what a round's triggers decided: tokens, the refusal, the
    /// next challenge (its private parameters kept with a new Session),
    /// or the SRP to start.
    pub fn custom_round_done(
        &mut self,
        round: CustomRound,
        outcome: RoundOutcome,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthStep> {
        let now = ctx.clock.unix();
        match outcome {
            RoundOutcome::Tokens => {
                if round.user_not_found {
                    return Err(ApiError::incorrect_credentials());
                }
                // The user may have been deleted or disabled meanwhile.
                let pool = self.pool(&round.pool_id)?;
                if !pool.users.contains_key(&round.username) {
                    return Err(ApiError::incorrect_credentials());
                }
                super::auth::check_can_sign_in(pool, &round.username, now)?;
                let gate = MfaGate::Passed(SignedIn {
                    pool_id: round.pool_id,
                    client_id: round.client_id,
                    username: round.username,
                    mfa: false,
                    device_key: None,
                });
                self.reply_to(gate, ctx).map(AuthStep::Reply)
            }
            RoundOutcome::Fail => Err(ApiError::incorrect_credentials()),
            RoundOutcome::PasswordVerifier => match round.srp {
                Some(start) => Ok(AuthStep::StartSrp(start)),
                None => Err(malformed()),
            },
            RoundOutcome::Challenge {
                mut public,
                private,
                metadata,
            } => {
                let session = STANDARD.encode(ctx.rng.bytes(48));
                public.insert("USERNAME".to_owned(), round.username.clone());
                self.pending_challenges.insert(
                    session.clone(),
                    PendingChallenge {
                        pool_id: round.pool_id,
                        client_id: round.client_id,
                        username: round.username,
                        awaiting: Awaiting::Custom(Box::new(OpenChallenge {
                            history: round.history,
                            private,
                            metadata,
                            user_not_found: round.user_not_found,
                        })),
                        device_key: None,
                    },
                    now + CHALLENGE_LIFETIME_SECS,
                    now,
                );
                Ok(AuthStep::Reply(AuthReply::Challenge(Box::new(
                    InitiateAuthResponse {
                        challenge_name: Some(ChallengeNameType::CustomChallenge),
                        session: Some(session),
                        challenge_parameters: Some(public),
                        ..InitiateAuthResponse::default()
                    },
                ))))
            }
        }
    }
}
