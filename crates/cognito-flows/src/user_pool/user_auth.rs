//! Choice-based sign-in (`AuthFlow` USER_AUTH): the app names the user and,
//! if it likes, a preferred first factor; the pool answers with that
//! factor's challenge or offers a choice (SELECT_CHALLENGE). Passwords stay
//! on SRP when the factor is PASSWORD_SRP; codes come back as
//! [`NextStep::EmailOtp`] and [`NextStep::SmsOtp`].

use std::collections::HashMap;

use cognito_srp::SrpClient;

use super::{Challenge, NextStep, SignInResult, UserPoolClient};
use crate::error::FlowError;
use crate::secret::Password;
use crate::transport::{AuthFlow, ChallengeName, InitiateAuthRequest, UserPoolApi};

/// A first factor of choice-based sign-in that this client can answer
/// (passkeys need a browser's authenticator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FirstFactor {
    /// The password, sent to the service (PASSWORD).
    Password,
    /// The password, proven with SRP (PASSWORD_SRP).
    PasswordSrp,
    /// A code sent by email (EMAIL_OTP).
    EmailOtp,
    /// A code sent by text message (SMS_OTP).
    SmsOtp,
}

impl FirstFactor {
    /// Every factor, in the order a chooser lists them.
    pub const ALL: [FirstFactor; 4] = [
        FirstFactor::PasswordSrp,
        FirstFactor::Password,
        FirstFactor::EmailOtp,
        FirstFactor::SmsOtp,
    ];

    /// Its challenge name (also its PREFERRED_CHALLENGE and ANSWER).
    pub fn challenge(self) -> ChallengeName {
        match self {
            FirstFactor::Password => ChallengeName::Password,
            FirstFactor::PasswordSrp => ChallengeName::PasswordSrp,
            FirstFactor::EmailOtp => ChallengeName::EmailOtp,
            FirstFactor::SmsOtp => ChallengeName::SmsOtp,
        }
    }

    /// The factor a challenge name is, if this client answers it.
    pub fn from_challenge(name: &ChallengeName) -> Option<Self> {
        Self::ALL.into_iter().find(|f| &f.challenge() == name)
    }

    /// Whether answering it takes the password.
    pub fn needs_password(self) -> bool {
        matches!(self, FirstFactor::Password | FirstFactor::PasswordSrp)
    }
}

impl<T: UserPoolApi> UserPoolClient<T> {
    /// Starts choice-based sign-in for `username`. With `preferred`, the
    /// pool goes straight to that factor when the user has it (PASSWORD and
    /// PASSWORD_SRP need `password`, which only PASSWORD sends); otherwise
    /// the answer is [`NextStep::SelectChallenge`].
    ///
    /// ```no_run
    /// # async fn demo<T: cognito_flows::transport::UserPoolApi>(
    /// #     users: &cognito_flows::UserPoolClient<T>, code: impl Fn() -> String,
    /// # ) -> Result<(), cognito_flows::FlowError> {
    /// use cognito_flows::{FirstFactor, NextStep, SignInResult};
    /// let first = users.sign_in_user_auth("alice", Some(FirstFactor::EmailOtp), None).await?;
    /// if let SignInResult::NextStep(NextStep::EmailOtp { challenge, .. }) = first {
    ///     let tokens = users.respond_mfa(&challenge, &code()).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn sign_in_user_auth(
        &self,
        username: &str,
        preferred: Option<FirstFactor>,
        password: Option<&Password>,
    ) -> Result<SignInResult, FlowError> {
        let mut params = HashMap::from([("USERNAME".to_owned(), username.to_owned())]);
        let srp = self.factor_parameters(&mut params, preferred, password)?;
        if let Some(factor) = preferred {
            params.insert(
                "PREFERRED_CHALLENGE".to_owned(),
                factor.challenge().as_str().to_owned(),
            );
        }
        let response = self
            .transport
            .initiate_auth(InitiateAuthRequest {
                client_id: self.client_id.clone(),
                auth_flow: AuthFlow::UserAuth,
                auth_parameters: self.with_secret_hash(params, username),
            })
            .await?;
        self.after_factor(srp, response, username, password).await
    }

    /// Answers SELECT_CHALLENGE with `factor` (PASSWORD and PASSWORD_SRP
    /// with `password`), or a PASSWORD / PASSWORD_SRP challenge with the
    /// password.
    pub async fn select_factor(
        &self,
        challenge: &Challenge,
        factor: FirstFactor,
        password: Option<&Password>,
    ) -> Result<SignInResult, FlowError> {
        let selecting = challenge.name == ChallengeName::SelectChallenge;
        if !selecting && FirstFactor::from_challenge(&challenge.name) != Some(factor) {
            return Err(FlowError::invalid_input(format!(
                "{} is not answered with {}",
                challenge.name,
                factor.challenge()
            )));
        }
        let mut responses = HashMap::from([("USERNAME".to_owned(), challenge.username.clone())]);
        if selecting {
            responses.insert("ANSWER".to_owned(), factor.challenge().as_str().to_owned());
        }
        let srp = self.factor_parameters(&mut responses, Some(factor), password)?;
        let response = self.answer(challenge, responses).await?;
        self.after_factor(srp, response, &challenge.username, password)
            .await
    }

    /// Adds what `factor` is answered with to `params`: PASSWORD, or SRP_A
    /// (the returned client then answers PASSWORD_VERIFIER).
    fn factor_parameters(
        &self,
        params: &mut HashMap<String, String>,
        factor: Option<FirstFactor>,
        password: Option<&Password>,
    ) -> Result<Option<SrpClient>, FlowError> {
        let needs = |f: FirstFactor| {
            password.ok_or_else(|| {
                FlowError::invalid_input(format!("{} needs the password", f.challenge()))
            })
        };
        match factor {
            Some(FirstFactor::Password) => {
                let password = needs(FirstFactor::Password)?;
                params.insert("PASSWORD".to_owned(), password.expose_secret().to_owned());
                if let Some(device) = &self.device {
                    params.insert("DEVICE_KEY".to_owned(), device.device_key().to_owned());
                }
                Ok(None)
            }
            Some(FirstFactor::PasswordSrp) => {
                needs(FirstFactor::PasswordSrp)?;
                let srp = SrpClient::new(&mut rand_core::UnwrapErr(getrandom::SysRng));
                params.insert("SRP_A".to_owned(), srp.srp_a());
                Ok(Some(srp))
            }
            _ => Ok(None),
        }
    }

    /// A factor's answer: PASSWORD_VERIFIER answered for PASSWORD_SRP,
    /// anything else interpreted.
    async fn after_factor(
        &self,
        srp: Option<SrpClient>,
        response: crate::transport::AuthResponse,
        username: &str,
        password: Option<&Password>,
    ) -> Result<SignInResult, FlowError> {
        match (srp, password) {
            (Some(srp), Some(password)) => {
                self.answer_password_verifier(&srp, response, username, password)
                    .await
            }
            _ => self.interpret(response, username),
        }
    }
}

impl NextStep {
    /// The factors offered, for SELECT_CHALLENGE.
    pub fn available_factors(&self) -> Vec<FirstFactor> {
        match self {
            NextStep::SelectChallenge { available, .. } => available
                .iter()
                .filter_map(FirstFactor::from_challenge)
                .collect(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_name_their_challenges_and_passkeys_are_not_among_them() {
        for f in FirstFactor::ALL {
            assert_eq!(FirstFactor::from_challenge(&f.challenge()), Some(f));
        }
        assert_eq!(FirstFactor::from_challenge(&ChallengeName::WebAuthn), None);
        assert!(FirstFactor::PasswordSrp.needs_password());
        assert!(!FirstFactor::EmailOtp.needs_password());
    }
}
