//! What an operation's expensive work will be, decided under a read lock so
//! it can be done with no lock held ([`crate::ahead`]): the signature of
//! the access token it carries, the verifier of the password it sets, the
//! check of the password it proves.
//!
//! This only predicts; the operation itself decides later, under the write
//! lock, and does on the spot whatever was not predicted (a new user whose
//! internal username is a UUID drawn at creation, say).

use std::sync::Arc;

use cognito_srp::Password;
use serde_json::Value;

use super::{Context, Pool, UserPools};
use crate::ahead::{Ahead, WorkAhead};
use crate::jwt::SigningKey;

impl UserPools {
    /// Whether [`UserPools::plan_ahead`] can find anything for this call:
    /// it carries an access token or sets or proves a password.
    pub fn may_plan_ahead(op: &str, input: &Value) -> bool {
        input["AccessToken"].is_string()
            || matches!(
                op,
                "AdminSetUserPassword"
                    | "AdminCreateUser"
                    | "SignUp"
                    | "ConfirmForgotPassword"
                    | "RespondToAuthChallenge"
                    | "AdminRespondToAuthChallenge"
            )
    }

    /// The expensive work operation `op` with `input` will need, given
    /// the values already drawn for it (`drawn`: a new user's sub, a
    /// made-up temporary password).
    pub fn plan_ahead(
        &self,
        op: &str,
        input: &Value,
        drawn: &WorkAhead,
        ctx: &Context<'_>,
    ) -> Vec<Ahead> {
        let text = |member: &str| input[member].as_str().unwrap_or_default();
        let mut work = Vec::new();
        let access_token = text("AccessToken");
        if !access_token.is_empty()
            && let Some(key) = self.access_key_of(access_token)
        {
            work.push(Ahead::Signature(key, access_token.to_owned()));
        }
        // (pool, internal username) of the user the operation is about.
        let by_client = || {
            let (pool, _) = self.client(text("ClientId")).ok()?;
            Some((pool, pool.resolve(text("Username"))?.to_owned()))
        };
        let new_password = |pool: &Pool, username: String, password: &str| {
            (!password.is_empty()).then(|| Ahead::Verifier {
                pool: pool.pool_name(),
                username,
                password: Password::new(password),
            })
        };
        match op {
            "AdminSetUserPassword" => {
                if let Ok(pool) = self.pool(text("UserPoolId"))
                    && let Some(username) = pool.resolve(text("Username"))
                {
                    work.extend(new_password(pool, username.to_owned(), text("Password")));
                }
            }
            "AdminCreateUser" => {
                if let Ok(pool) = self.pool(text("UserPoolId")) {
                    let password = match &drawn.generated_password {
                        Some(made_up) if input["TemporaryPassword"].is_null() => {
                            made_up.expose_secret()
                        }
                        _ => text("TemporaryPassword"),
                    };
                    work.extend(
                        new_user_name(pool, text("Username"), drawn)
                            .and_then(|username| new_password(pool, username, password)),
                    );
                }
            }
            "SignUp" => {
                if let Ok((pool, _)) = self.client(text("ClientId")) {
                    work.extend(
                        new_user_name(pool, text("Username"), drawn)
                            .and_then(|username| new_password(pool, username, text("Password"))),
                    );
                }
            }
            "ConfirmForgotPassword" => {
                if let Some((pool, username)) = by_client() {
                    work.extend(new_password(pool, username, text("Password")));
                }
            }
            "ChangePassword" => {
                if let Some((pool, username)) = self.user_of_access_token(access_token) {
                    let user = &pool.users[&username];
                    work.push(Ahead::Password {
                        pool: pool.pool_name(),
                        username: username.clone(),
                        verifier: Box::new(user.verifier.clone()),
                        password: Password::new(text("PreviousPassword")),
                    });
                    work.extend(new_password(pool, username, text("ProposedPassword")));
                }
            }
            "RespondToAuthChallenge" | "AdminRespondToAuthChallenge"
                if text("ChallengeName") == "NEW_PASSWORD_REQUIRED" =>
            {
                let password = input["ChallengeResponses"]["NEW_PASSWORD"]
                    .as_str()
                    .unwrap_or_default();
                work.extend(self.plan_new_password(text("Session"), password, ctx));
            }
            _ => {}
        }
        work
    }

    /// The verifier a NEW_PASSWORD_REQUIRED answer (by API or on the
    /// hosted UI's form) will need.
    pub fn plan_new_password(
        &self,
        session: &str,
        password: &str,
        ctx: &Context<'_>,
    ) -> Option<Ahead> {
        let (pool_id, username) = self.new_password_challenge(session, ctx.clock.unix())?;
        let pool = self.pool(pool_id).ok()?;
        (!password.is_empty()).then(|| Ahead::Verifier {
            pool: pool.pool_name(),
            username: username.to_owned(),
            password: Password::new(password),
        })
    }

    /// Draws what a request that may create a user needs before its
    /// verifier can be made: the new user's sub and, for AdminCreateUser
    /// without one, a temporary password.
    pub fn draw_ahead(op: &str, input: &Value, ctx: &Context<'_>) -> WorkAhead {
        let mut drawn = WorkAhead::default();
        if matches!(op, "AdminCreateUser" | "SignUp") {
            drawn.new_user_sub = Some(ctx.rng.uuid());
        }
        if op == "AdminCreateUser" && input["TemporaryPassword"].is_null() {
            drawn.generated_password =
                Some(Password::new(super::users::generated_password(ctx.rng)));
        }
        drawn
    }

    /// The key that would have signed `token` as an access token: that of
    /// the pool its `iss` names.
    pub(crate) fn access_key_of(&self, token: &str) -> Option<Arc<SigningKey>> {
        let claims = crate::jwt::decode_unverified(token)?;
        let pool_id = claims["iss"].as_str()?.rsplit('/').next()?;
        Some(self.pools.get(pool_id)?.access_key.clone())
    }

    /// The pool and user an access token names (not yet verified).
    fn user_of_access_token(&self, token: &str) -> Option<(&Pool, String)> {
        let claims = crate::jwt::decode_unverified(token)?;
        let pool_id = claims["iss"].as_str()?.rsplit('/').next()?;
        let pool = self.pools.get(pool_id)?;
        let username = claims["username"].as_str()?;
        pool.users
            .contains_key(username)
            .then(|| (pool, username.to_owned()))
    }
}

/// The internal username a new user typed as `typed` will get: the typed
/// name, or the sub drawn ahead when the pool signs in by email or phone.
fn new_user_name(pool: &Pool, typed: &str, drawn: &WorkAhead) -> Option<String> {
    if pool.username_attributes().is_empty() {
        Some(typed.to_owned())
    } else {
        drawn.new_user_sub.clone()
    }
}
