//! The hosted UI's second factor: the challenges RespondToAuthChallenge
//! answers (SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE,
//! MFA_SETUP), asked and answered on pages. The checks are the API's own
//! ([`UserPools::check_mfa_answer`]), so a page is never an easier way in.

use std::fmt;

use super::auth::Parameters;
use super::mfa::{Factor, MfaGate};
use super::{Context, PagePassword, UserPools, ValidAuthorize};
use crate::error::{ApiError, ApiResult};
use crate::shapes::cognito_idp::{
    AssociateSoftwareTokenRequest, ChallengeNameType, VerifySoftwareTokenRequest,
};

/// A second-factor challenge as the hosted UI shows it. Everything in it
/// also travels in the page's form, so a wrong answer shows the same page.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct PageChallenge {
    /// The challenge's name, as in the API (`SMS_MFA`, `MFA_SETUP`, …).
    pub name: String,
    /// The challenge's Session.
    pub session: String,
    /// The user the answer is for (`USER_ID_FOR_SRP`).
    pub username: String,
    /// Where the code was sent, masked (SMS_MFA, EMAIL_OTP).
    pub destination: String,
    /// SELECT_MFA_TYPE's choices.
    pub choices: Vec<String>,
    /// MFA_SETUP: the new software token's secret (base32), shown to the
    /// user to type into an authenticator app.
    pub secret: String,
}

impl fmt::Debug for PageChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Neither the session nor the secret.
        f.debug_struct("PageChallenge")
            .field("name", &self.name)
            .field("username", &self.username)
            .field("destination", &self.destination)
            .field("choices", &self.choices)
            .finish_non_exhaustive()
    }
}

fn challenge_named(name: &str) -> ApiResult<ChallengeNameType> {
    ChallengeNameType::parse(name)
        .ok_or_else(|| ApiError::invalid_parameter(format!("Unknown challenge {name}")))
}

impl UserPools {
    /// A sign-in's state after its password or an answer, as the page
    /// shows it. MFA_SETUP offers a software token (the one factor a page
    /// can set up), already associated with the challenge's session.
    pub(super) fn page_outcome(
        &mut self,
        gate: MfaGate,
        ctx: &Context<'_>,
    ) -> ApiResult<PagePassword> {
        let challenge = match gate {
            MfaGate::Passed(signed_in) => {
                self.record_signed_in(&signed_in, ctx);
                return Ok(PagePassword::SignedIn(signed_in.username));
            }
            MfaGate::Challenge(c) => c,
        };
        let parameters = challenge.challenge_parameters.unwrap_or_default();
        let get = |k: &str| parameters.get(k).cloned().unwrap_or_default();
        let list = |k: &str| serde_json::from_str::<Vec<String>>(&get(k)).unwrap_or_default();
        let name = challenge
            .challenge_name
            .unwrap_or(ChallengeNameType::MfaSetup);
        let mut page = PageChallenge {
            name: name.as_str().to_owned(),
            session: challenge.session.unwrap_or_default(),
            username: get("USER_ID_FOR_SRP"),
            destination: get("CODE_DELIVERY_DESTINATION"),
            choices: list("MFAS_CAN_CHOOSE"),
            secret: String::new(),
        };
        if name == ChallengeNameType::MfaSetup {
            let token = Factor::SoftwareToken.name();
            if !list("MFAS_CAN_SETUP").iter().any(|f| f == token) {
                return Err(ApiError::invalid_parameter(
                    "This account must set up a second factor, and the only one a page can set up (an authenticator app) is not enabled for the user pool.",
                ));
            }
            let associated = self.associate_software_token(
                AssociateSoftwareTokenRequest {
                    access_token: None,
                    session: Some(page.session.clone()),
                },
                ctx,
            )?;
            page.secret = associated.secret_code.unwrap_or_default();
            page.session = associated.session.unwrap_or_default();
        }
        Ok(PagePassword::SecondFactor(page))
    }

    /// The hosted UI's second-factor form: `answer` is the code, or the
    /// factor chosen on SELECT_MFA_TYPE. Signed in, or the next page.
    pub fn page_mfa_answer(
        &mut self,
        request: &ValidAuthorize,
        shown: &PageChallenge,
        answer: &str,
        ctx: &Context<'_>,
    ) -> ApiResult<PagePassword> {
        let name = challenge_named(&shown.name)?;
        let mut session = shown.session.clone();
        let mut responses = Parameters::new();
        responses.insert("USERNAME".to_owned(), shown.username.clone());
        match name {
            ChallengeNameType::MfaSetup => {
                let verified = self.verify_software_token(
                    VerifySoftwareTokenRequest {
                        access_token: None,
                        friendly_device_name: None,
                        session: Some(session),
                        user_code: answer.to_owned(),
                    },
                    ctx,
                )?;
                session = verified.session.unwrap_or_default();
            }
            ChallengeNameType::SelectMfaType => {
                responses.insert("ANSWER".to_owned(), answer.to_owned());
            }
            other => {
                let factor = Factor::from_challenge(other).ok_or_else(|| {
                    ApiError::invalid_parameter(format!(
                        "{} is not a second-factor challenge",
                        shown.name
                    ))
                })?;
                responses.insert(factor.code_member().to_owned(), answer.to_owned());
            }
        }
        let gate =
            self.check_mfa_answer(&request.client_id, name, Some(&session), &responses, ctx)?;
        self.page_outcome(gate, ctx)
    }
}
