//! Choice-based sign-in: InitiateAuth with `AuthFlow` USER_AUTH.
//!
//! The client names the user and, optionally, a `PREFERRED_CHALLENGE`.
//! The first factors offered are those the pool allows (its SignInPolicy's
//! AllowedFirstAuthFactors; PASSWORD alone when it has none) that the user
//! has: PASSWORD and PASSWORD_SRP for a user with a password, EMAIL_OTP and
//! SMS_OTP for a verified email address or phone number, WEB_AUTHN for a
//! user with a passkey.
//!
//! - A preferred factor the user has starts at once; PASSWORD and
//!   PASSWORD_SRP take their `PASSWORD` or `SRP_A` in the same request (or
//!   answer a PASSWORD / PASSWORD_SRP challenge when it was left out).
//! - A preferred factor the pool does not allow is refused; one it allows
//!   but the user lacks, or no preference, gives SELECT_CHALLENGE with the
//!   `AvailableChallenges`. Its answer names one as `ANSWER`, with that
//!   factor's `PASSWORD` or `SRP_A` when it needs one.
//! - EMAIL_OTP and SMS_OTP send a code to the outbox; WEB_AUTHN hands out
//!   `CREDENTIAL_REQUEST_OPTIONS` and verifies the passkey's assertion.
//!   These passwordless factors sign in without a second factor; PASSWORD
//!   and PASSWORD_SRP go on to MFA and devices as the classic flows do.
//! - ConfirmSignUp's `Session`, given to InitiateAuth with USER_AUTH, signs
//!   the new user in without another factor.
//!
//! For an unknown user behind PreventUserExistenceErrors, the answers look
//! like a real user's (SELECT_CHALLENGE with every factor the pool allows,
//! a decoy SRP challenge) and nothing can succeed.

use super::auth::{
    AuthReply, AuthStep, Awaiting, Parameters, PasswordCheck, SrpStart, challenge, invalid_session,
    require,
};
use super::mfa::{Factor, MfaGate, SignedIn};
use super::{Context, Pool, User, UserPools};
use crate::error::{ApiError, ApiResult};
use crate::shapes::cognito_idp::{AuthFactorType, ChallengeNameType, InitiateAuthResponse};

/// A first factor of choice-based sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FirstFactor {
    Password,
    PasswordSrp,
    EmailOtp,
    SmsOtp,
    WebAuthn,
}

impl FirstFactor {
    const ALL: [FirstFactor; 5] = [
        FirstFactor::Password,
        FirstFactor::PasswordSrp,
        FirstFactor::EmailOtp,
        FirstFactor::SmsOtp,
        FirstFactor::WebAuthn,
    ];

    /// Its challenge (and its name as PREFERRED_CHALLENGE and ANSWER).
    fn challenge(self) -> ChallengeNameType {
        match self {
            FirstFactor::Password => ChallengeNameType::Password,
            FirstFactor::PasswordSrp => ChallengeNameType::PasswordSrp,
            FirstFactor::EmailOtp => ChallengeNameType::EmailOtp,
            FirstFactor::SmsOtp => ChallengeNameType::SmsOtp,
            FirstFactor::WebAuthn => ChallengeNameType::WebAuthn,
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.challenge().as_str() == name)
    }

    /// The AllowedFirstAuthFactors value that allows it.
    fn allowed_by(self) -> AuthFactorType {
        match self {
            FirstFactor::Password | FirstFactor::PasswordSrp => AuthFactorType::Password,
            FirstFactor::EmailOtp => AuthFactorType::EmailOtp,
            FirstFactor::SmsOtp => AuthFactorType::SmsOtp,
            FirstFactor::WebAuthn => AuthFactorType::WebAuthn,
        }
    }
}

fn names(factors: &[FirstFactor]) -> String {
    factors
        .iter()
        .map(|f| f.challenge().as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Pool {
    /// The SignInPolicy's AllowedFirstAuthFactors (PASSWORD alone by
    /// default, as AWS creates pools).
    pub(super) fn allowed_first_factors(&self) -> Vec<AuthFactorType> {
        self.settings
            .policies
            .as_ref()
            .and_then(|p| p.sign_in_policy.as_ref())
            .and_then(|s| s.allowed_first_auth_factors.clone())
            .unwrap_or_else(|| vec![AuthFactorType::Password])
    }

    /// Whether users may sign up without a password: the pool allows a
    /// passwordless first factor.
    pub(super) fn allows_passwordless_sign_in(&self) -> bool {
        self.allowed_first_factors().iter().any(|f| {
            matches!(
                f,
                AuthFactorType::EmailOtp | AuthFactorType::SmsOtp | AuthFactorType::WebAuthn
            )
        })
    }

    /// The first factors the pool allows, all of them (a decoy's offer).
    fn allowed_factors(&self) -> Vec<FirstFactor> {
        let allowed = self.allowed_first_factors();
        FirstFactor::ALL
            .into_iter()
            .filter(|f| allowed.contains(&f.allowed_by()))
            .collect()
    }

    /// The first factors the pool allows that `user` has.
    fn offered_factors(&self, user: &User) -> Vec<FirstFactor> {
        let verified = |attribute: &str| {
            user.attributes.contains_key(attribute)
                && user
                    .attributes
                    .get(&format!("{attribute}_verified"))
                    .is_some_and(|v| v == "true")
        };
        self.allowed_factors()
            .into_iter()
            .filter(|f| match f {
                FirstFactor::Password | FirstFactor::PasswordSrp => !user.passwordless,
                FirstFactor::EmailOtp => verified("email"),
                FirstFactor::SmsOtp => verified("phone_number"),
                FirstFactor::WebAuthn => !user.passkeys.is_empty(),
            })
            .collect()
    }
}

/// The user a first-factor step is for: a real one, or the typed name of
/// an unknown one behind PreventUserExistenceErrors.
enum Candidate {
    User(String),
    Decoy(String),
}

impl Candidate {
    fn name(&self) -> &str {
        match self {
            Candidate::User(u) | Candidate::Decoy(u) => u,
        }
    }
}

impl UserPools {
    /// InitiateAuth / AdminInitiateAuth with USER_AUTH, once the client,
    /// its SECRET_HASH and the user's standing have been checked.
    /// `username` is None for an unknown user the client hides.
    pub(super) fn start_user_auth(
        &mut self,
        (pool_id, client_id): (&str, &str),
        username: Option<String>,
        typed: &str,
        session: Option<&str>,
        p: &Parameters,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthStep> {
        if let Some(session) = session.filter(|s| !s.is_empty()) {
            return self
                .sign_in_after_sign_up(client_id, session, typed, ctx)
                .map(AuthStep::Reply);
        }
        let pool = self.pool(pool_id)?;
        let candidate = match username {
            Some(u) => Candidate::User(u),
            None => Candidate::Decoy(typed.to_owned()),
        };
        let offered = match &candidate {
            Candidate::User(u) => pool.offered_factors(&pool.users[u]),
            Candidate::Decoy(_) => pool.allowed_factors(),
        };
        let preferred = match p.get("PREFERRED_CHALLENGE").filter(|v| !v.is_empty()) {
            None => None,
            Some(name) => {
                let factor = FirstFactor::parse(name).ok_or_else(|| {
                    ApiError::invalid_parameter(format!(
                        "PREFERRED_CHALLENGE must be one of {}",
                        names(&FirstFactor::ALL)
                    ))
                })?;
                if !pool.allowed_first_factors().contains(&factor.allowed_by()) {
                    return Err(ApiError::invalid_parameter(format!(
                        "{name} is not enabled for this user pool: allow {} in its SignInPolicy's AllowedFirstAuthFactors",
                        factor.allowed_by().as_str()
                    )));
                }
                Some(factor)
            }
        };
        match preferred {
            Some(factor) if offered.contains(&factor) => {
                self.begin_first_factor(factor, (pool_id, client_id), candidate, p, ctx)
            }
            _ => {
                let mut out = self.open_first_factor(
                    (pool_id, client_id),
                    &candidate,
                    ChallengeNameType::SelectChallenge,
                    offered.clone(),
                    ctx,
                );
                out.available_challenges = Some(offered.iter().map(|f| f.challenge()).collect());
                Ok(AuthStep::Reply(AuthReply::Challenge(out)))
            }
        }
    }

    /// A SELECT_CHALLENGE, PASSWORD or PASSWORD_SRP challenge for
    /// `candidate`, answerable with one of `offered`.
    fn open_first_factor(
        &mut self,
        (pool_id, client_id): (&str, &str),
        candidate: &Candidate,
        name: ChallengeNameType,
        offered: Vec<FirstFactor>,
        ctx: &Context<'_>,
    ) -> Box<InitiateAuthResponse> {
        let awaiting = Awaiting::FirstFactor {
            offered,
            decoy: matches!(candidate, Candidate::Decoy(_)),
        };
        let session = self.open_challenge(pool_id, client_id, candidate.name(), awaiting, ctx);
        challenge(name, Some(session), [])
    }

    /// Starts `factor` for `candidate`: with the answer `p` already
    /// carries (PASSWORD, SRP_A), or its challenge.
    fn begin_first_factor(
        &mut self,
        factor: FirstFactor,
        (pool_id, client_id): (&str, &str),
        candidate: Candidate,
        p: &Parameters,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthStep> {
        let given = |name: &str| p.get(name).filter(|v| !v.is_empty());
        let pool = self.pool(pool_id)?;
        match (factor, &candidate) {
            (FirstFactor::Password, _) if given("PASSWORD").is_none() => {
                let out = self.open_first_factor(
                    (pool_id, client_id),
                    &candidate,
                    ChallengeNameType::Password,
                    vec![FirstFactor::Password],
                    ctx,
                );
                Ok(AuthStep::Reply(AuthReply::Challenge(out)))
            }
            (FirstFactor::Password, Candidate::Decoy(_)) => Err(ApiError::incorrect_credentials()),
            (FirstFactor::Password, Candidate::User(username)) => {
                let password = require(p, "PASSWORD")?;
                let device = given("DEVICE_KEY").cloned();
                if let Some(key) = &device {
                    pool.users[username].devices.proof(key)?;
                }
                let mut check = PasswordCheck::new(pool, username, client_id, password);
                check.device_key = device;
                Ok(AuthStep::CheckPassword(Box::new(check)))
            }
            (FirstFactor::PasswordSrp, _) if given("SRP_A").is_none() => {
                let out = self.open_first_factor(
                    (pool_id, client_id),
                    &candidate,
                    ChallengeNameType::PasswordSrp,
                    vec![FirstFactor::PasswordSrp],
                    ctx,
                );
                Ok(AuthStep::Reply(AuthReply::Challenge(out)))
            }
            (FirstFactor::PasswordSrp, _) => {
                let username = match &candidate {
                    Candidate::User(u) => Some(u.clone()),
                    Candidate::Decoy(_) => None,
                };
                let start = SrpStart::new(pool, client_id, username, candidate.name(), p)?;
                Ok(AuthStep::StartSrp(Box::new(start)))
            }
            (FirstFactor::EmailOtp | FirstFactor::SmsOtp, Candidate::User(username)) => {
                let factor = match factor {
                    FirstFactor::EmailOtp => Factor::Email,
                    _ => Factor::Sms,
                };
                let username = username.clone();
                let out =
                    self.start_code_challenge(pool_id, client_id, &username, (factor, true), ctx)?;
                Ok(AuthStep::Reply(AuthReply::Challenge(out)))
            }
            (FirstFactor::WebAuthn, Candidate::User(username)) => {
                let (pending, options) =
                    pool.assertion_request(Some(&pool.users[username]), ctx.rng)?;
                let username = username.clone();
                let awaiting = Awaiting::WebAuthn(pending);
                let session = self.open_challenge(pool_id, client_id, &username, awaiting, ctx);
                Ok(AuthStep::Reply(AuthReply::Challenge(challenge(
                    ChallengeNameType::WebAuthn,
                    Some(session),
                    [("CREDENTIAL_REQUEST_OPTIONS", options)],
                ))))
            }
            // An unknown user's code or passkey challenge looks real; its
            // session names no user, so no answer passes.
            (FirstFactor::EmailOtp | FirstFactor::SmsOtp, Candidate::Decoy(_)) => {
                let (name, medium, destination) = match factor {
                    FirstFactor::EmailOtp => (ChallengeNameType::EmailOtp, "EMAIL", "u***@e***"),
                    _ => (ChallengeNameType::SmsOtp, "SMS", "+*******0000"),
                };
                let mut out =
                    self.open_first_factor((pool_id, client_id), &candidate, name, Vec::new(), ctx);
                out.challenge_parameters = Some(
                    [
                        ("CODE_DELIVERY_DELIVERY_MEDIUM", medium),
                        ("CODE_DELIVERY_DESTINATION", destination),
                    ]
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
                );
                Ok(AuthStep::Reply(AuthReply::Challenge(out)))
            }
            (FirstFactor::WebAuthn, Candidate::Decoy(_)) => {
                let (_, options) = pool.assertion_request(None, ctx.rng)?;
                let mut out = self.open_first_factor(
                    (pool_id, client_id),
                    &candidate,
                    ChallengeNameType::WebAuthn,
                    Vec::new(),
                    ctx,
                );
                out.challenge_parameters =
                    Some([("CREDENTIAL_REQUEST_OPTIONS".to_owned(), options)].into());
                Ok(AuthStep::Reply(AuthReply::Challenge(out)))
            }
        }
    }

    /// RespondToAuthChallenge for SELECT_CHALLENGE (the factor is ANSWER),
    /// PASSWORD or PASSWORD_SRP (the factor is the challenge's).
    pub(super) fn answer_first_factor(
        &mut self,
        client_id: &str,
        name: ChallengeNameType,
        session: Option<&str>,
        r: &Parameters,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthStep> {
        let typed = require(r, "USERNAME")?;
        let pending = self.take_challenge(client_id, session, typed, ctx)?;
        let Awaiting::FirstFactor { offered, decoy } = &pending.awaiting else {
            return Err(invalid_session());
        };
        let factor = match name {
            ChallengeNameType::SelectChallenge => {
                let answer = require(r, "ANSWER")?;
                FirstFactor::parse(answer)
                    .filter(|f| offered.contains(f))
                    .ok_or_else(|| {
                        ApiError::invalid_parameter(format!(
                            "ANSWER must be one of the AvailableChallenges: {}",
                            names(offered)
                        ))
                    })?
            }
            other => FirstFactor::ALL
                .into_iter()
                .find(|f| f.challenge() == other && offered.contains(f))
                .ok_or_else(invalid_session)?,
        };
        let candidate = if *decoy {
            Candidate::Decoy(pending.username.clone())
        } else {
            Candidate::User(pending.username.clone())
        };
        self.begin_first_factor(
            factor,
            (&pending.pool_id, &pending.client_id),
            candidate,
            r,
            ctx,
        )
    }

    /// RespondToAuthChallenge for WEB_AUTHN: the passkey's assertion
    /// (`CREDENTIAL`, JSON) over the challenge, verified with the stored
    /// key; then tokens, as a passkey proves possession and (when the
    /// pool requires it) the user.
    pub(super) fn answer_web_authn(
        &mut self,
        client_id: &str,
        session: Option<&str>,
        r: &Parameters,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthReply> {
        let typed = require(r, "USERNAME")?;
        let credential: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(require(r, "CREDENTIAL")?).map_err(|_| {
                ApiError::invalid_parameter("CREDENTIAL must be a WebAuthn credential in JSON")
            })?;
        let pending = self.take_challenge(client_id, session, typed, ctx)?;
        let Awaiting::WebAuthn(assertion) = &pending.awaiting else {
            // A decoy's session, or another challenge's.
            return Err(ApiError::incorrect_credentials());
        };
        let user = self.user_entry_mut(&pending.pool_id, &pending.username)?;
        let (index, count) = assertion.verify(&user.passkeys, &credential)?;
        user.passkeys[index].counted(count);
        user.modified = ctx.clock.unix();
        let signed_in = SignedIn {
            pool_id: pending.pool_id,
            client_id: pending.client_id,
            username: pending.username,
            mfa: true,
            device_key: pending.device_key,
        };
        self.reply_to(MfaGate::Passed(signed_in), ctx)
    }

    /// Opens the Session ConfirmSignUp gives a client with choice-based
    /// sign-in.
    pub(super) fn open_sign_in_after_sign_up(
        &mut self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        ctx: &Context<'_>,
    ) -> String {
        self.open_challenge(pool_id, client_id, username, Awaiting::SignUpConfirmed, ctx)
    }

    /// InitiateAuth USER_AUTH with ConfirmSignUp's Session: the confirmed
    /// user's tokens (single use).
    fn sign_in_after_sign_up(
        &mut self,
        client_id: &str,
        session: &str,
        typed: &str,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthReply> {
        let pending = self.take_challenge(client_id, Some(session), typed, ctx)?;
        if !matches!(pending.awaiting, Awaiting::SignUpConfirmed) {
            return Err(invalid_session());
        }
        let signed_in = SignedIn {
            pool_id: pending.pool_id,
            client_id: pending.client_id,
            username: pending.username,
            mfa: false,
            device_key: None,
        };
        self.reply_to(MfaGate::Passed(signed_in), ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factor_names_round_trip_and_password_allows_both_password_factors() {
        for f in FirstFactor::ALL {
            assert_eq!(FirstFactor::parse(f.challenge().as_str()), Some(f));
        }
        assert_eq!(FirstFactor::parse("SMS_MFA"), None);
        assert_eq!(FirstFactor::parse("SELECT_CHALLENGE"), None);
        assert_eq!(
            FirstFactor::PasswordSrp.allowed_by(),
            FirstFactor::Password.allowed_by()
        );
    }
}
