//! What an operation's expensive work will be, decided under a read lock so
//! it can be done with no lock held ([`crate::ahead`]): the signature of
//! the access token it carries, the verifier of the password it sets, the
//! check of the password it proves.
//!
//! This only predicts; the operation itself decides later, under the write
//! lock, and does on the spot whatever was not predicted (a new user whose
//! internal username is a UUID drawn at creation, say).

use std::sync::Arc;

use super::{Context, Pool, UserPools};
use crate::ahead::{Ahead, WorkAhead};
use crate::jwt::SigningKey;
use crate::shapes::cognito_idp::{ChallengeNameType, UserPoolRequest};
use cognito_srp::Password;

/// The access token a self-service call carries.
fn access_token_of(request: &UserPoolRequest) -> Option<&str> {
    use UserPoolRequest as R;
    Some(match request {
        R::ChangePassword(i) => &i.access_token,
        R::GetUser(i) => &i.access_token,
        R::UpdateUserAttributes(i) => &i.access_token,
        R::DeleteUser(i) => &i.access_token,
        R::GlobalSignOut(i) => &i.access_token,
        _ => return None,
    })
}

impl UserPools {
    /// Whether [`UserPools::plan_ahead`] can find anything for this call:
    /// it carries an access token or sets or proves a password.
    pub fn may_plan_ahead(request: &UserPoolRequest) -> bool {
        use UserPoolRequest as R;
        access_token_of(request).is_some()
            || matches!(
                request,
                R::AdminSetUserPassword(_)
                    | R::AdminCreateUser(_)
                    | R::SignUp(_)
                    | R::ConfirmForgotPassword(_)
                    | R::RespondToAuthChallenge(_)
                    | R::AdminRespondToAuthChallenge(_)
            )
    }

    /// The expensive work `request` will need, given the values already
    /// drawn for it (`drawn`: a new user's sub, a made-up temporary
    /// password).
    pub fn plan_ahead(
        &self,
        request: &UserPoolRequest,
        drawn: &WorkAhead,
        ctx: &Context<'_>,
    ) -> Vec<Ahead> {
        use UserPoolRequest as R;
        let mut work = Vec::new();
        let access_token = access_token_of(request).unwrap_or_default();
        if !access_token.is_empty()
            && let Some(key) = self.access_key_of(access_token)
        {
            work.push(Ahead::Signature(key, access_token.to_owned()));
        }
        let new_password = |pool: &Pool, username: String, password: &str| {
            (!password.is_empty()).then(|| Ahead::Verifier {
                pool: pool.pool_name(),
                username,
                password: Password::new(password),
            })
        };
        match request {
            R::AdminSetUserPassword(i) => {
                if let Ok(pool) = self.pool(&i.user_pool_id)
                    && let Some(username) = pool.resolve(&i.username)
                {
                    work.extend(new_password(pool, username.to_owned(), &i.password));
                }
            }
            R::AdminCreateUser(i) => {
                if let Ok(pool) = self.pool(&i.user_pool_id) {
                    let password = match (&i.temporary_password, &drawn.generated_password) {
                        (Some(given), _) => given.as_str(),
                        (None, Some(made_up)) => made_up.expose_secret(),
                        (None, None) => "",
                    };
                    work.extend(
                        new_user_name(pool, &i.username, drawn)
                            .and_then(|username| new_password(pool, username, password)),
                    );
                }
            }
            R::SignUp(i) => {
                if let Ok((pool, _)) = self.client(&i.client_id) {
                    let password = i.password.as_deref().unwrap_or_default();
                    work.extend(
                        new_user_name(pool, &i.username, drawn)
                            .and_then(|username| new_password(pool, username, password)),
                    );
                }
            }
            R::ConfirmForgotPassword(i) => {
                if let Ok((pool, _)) = self.client(&i.client_id)
                    && let Some(username) = pool.resolve(&i.username)
                {
                    work.extend(new_password(pool, username.to_owned(), &i.password));
                }
            }
            R::ChangePassword(i) => {
                if let Some((pool, username)) = self.user_of_access_token(access_token) {
                    let user = &pool.users[&username];
                    work.push(Ahead::Password {
                        pool: pool.pool_name(),
                        username: username.clone(),
                        verifier: Box::new(user.verifier.clone()),
                        password: Password::new(i.previous_password.as_deref().unwrap_or_default()),
                    });
                    work.extend(new_password(pool, username, &i.proposed_password));
                }
            }
            R::RespondToAuthChallenge(i)
                if i.challenge_name == ChallengeNameType::NewPasswordRequired =>
            {
                work.extend(self.plan_answer(
                    i.session.as_deref(),
                    i.challenge_responses.as_ref(),
                    ctx,
                ));
            }
            R::AdminRespondToAuthChallenge(i)
                if i.challenge_name == ChallengeNameType::NewPasswordRequired =>
            {
                work.extend(self.plan_answer(
                    i.session.as_deref(),
                    i.challenge_responses.as_ref(),
                    ctx,
                ));
            }
            _ => {}
        }
        work
    }

    /// The verifier a NEW_PASSWORD_REQUIRED answer by API will need.
    fn plan_answer(
        &self,
        session: Option<&str>,
        responses: Option<&std::collections::BTreeMap<String, String>>,
        ctx: &Context<'_>,
    ) -> Option<Ahead> {
        let password = responses.and_then(|r| r.get("NEW_PASSWORD"))?;
        self.plan_new_password(session.unwrap_or_default(), password, ctx)
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
    pub fn draw_ahead(request: &UserPoolRequest, ctx: &Context<'_>) -> WorkAhead {
        use UserPoolRequest as R;
        let mut drawn = WorkAhead::default();
        if matches!(request, R::AdminCreateUser(_) | R::SignUp(_)) {
            drawn.new_user_sub = Some(ctx.rng.uuid());
        }
        if let R::AdminCreateUser(i) = request
            && i.temporary_password.is_none()
        {
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
