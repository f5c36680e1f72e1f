//! Multi-factor authentication: the pool's MFA configuration
//! (Set/GetUserPoolMfaConfig), each user's factors and preference
//! (software tokens, SetUserMFAPreference, the legacy MFAOptions), and the
//! sign-in challenges a proven password leads to: `SMS_MFA`, `EMAIL_OTP`,
//! `SOFTWARE_TOKEN_MFA`, `SELECT_MFA_TYPE` and `MFA_SETUP`.
//!
//! Which challenge comes next is one pure decision ([`next_step`]) over the
//! pool's mode and factors and the user's; the rest is bookkeeping around
//! it. SMS and email codes go to the codes outbox (`/_mock/codes`, stderr),
//! as sign-up codes do. Software-token codes are RFC 6238 ([`super::totp`]),
//! accepted one step either side of now, and never twice: a user's last
//! accepted step is stored with them.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::auth::{
    Awaiting, CHALLENGE_LIFETIME_SECS, PendingChallenge, challenge, invalid_session, require,
};
use super::auth_events::{Challenges, EventKind};
use super::totp;
use super::{AuthReply, CodePurpose, CodeRecord, Context, Pool, UserPools, mask, user_not_found};
use crate::error::{ApiError, ApiResult};
use crate::shapes::cognito_idp::ops::SetUserPoolMfaConfig;
use crate::shapes::cognito_idp::{
    AdminDeleteSoftwareTokenRequest, AdminSetUserMFAPreferenceRequest, AdminSetUserSettingsRequest,
    AssociateSoftwareTokenRequest, AssociateSoftwareTokenResponse, ChallengeNameType,
    DeliveryMediumType, EmailMfaConfigType, EmailMfaSettingsType, GetUserPoolMfaConfigRequest,
    GetUserPoolMfaConfigResponse, InitiateAuthResponse, MFAOptionType, SMSMfaSettingsType,
    SetUserMFAPreferenceRequest, SetUserPoolMfaConfigRequest, SetUserSettingsRequest,
    SmsMfaConfigType, SoftwareTokenMfaConfigType, SoftwareTokenMfaSettingsType, UserPoolMfaType,
    VerifySoftwareTokenRequest, VerifySoftwareTokenResponse, VerifySoftwareTokenResponseType,
    WebAuthnConfigurationType,
};
use crate::shapes::{Empty, Operation};

/// Wrong codes a challenge takes before its session is spent.
const MAX_WRONG_CODES: u32 = 3;

/// A second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(super) enum Factor {
    /// A code sent by text message to `phone_number`.
    #[serde(rename = "SMS_MFA")]
    Sms,
    /// A code from the user's authenticator app.
    #[serde(rename = "SOFTWARE_TOKEN_MFA")]
    SoftwareToken,
    /// A code sent by email to `email`.
    #[serde(rename = "EMAIL_OTP")]
    Email,
}

impl Factor {
    /// Its name in challenges, settings lists and answers.
    pub(super) fn name(self) -> &'static str {
        match self {
            Factor::Sms => "SMS_MFA",
            Factor::SoftwareToken => "SOFTWARE_TOKEN_MFA",
            Factor::Email => "EMAIL_OTP",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        [Factor::Sms, Factor::SoftwareToken, Factor::Email]
            .into_iter()
            .find(|f| f.name() == name)
    }

    fn challenge(self) -> ChallengeNameType {
        match self {
            Factor::Sms => ChallengeNameType::SmsMfa,
            Factor::SoftwareToken => ChallengeNameType::SoftwareTokenMfa,
            Factor::Email => ChallengeNameType::EmailOtp,
        }
    }

    /// The factor a code challenge asks for.
    pub(super) fn from_challenge(name: ChallengeNameType) -> Option<Self> {
        [Factor::Sms, Factor::SoftwareToken, Factor::Email]
            .into_iter()
            .find(|f| f.challenge() == name)
    }

    /// The ChallengeResponses member that carries the code.
    pub(super) fn code_member(self) -> &'static str {
        match self {
            Factor::Sms => "SMS_MFA_CODE",
            Factor::SoftwareToken => "SOFTWARE_TOKEN_MFA_CODE",
            Factor::Email => "EMAIL_OTP_CODE",
        }
    }

    /// The challenge and its answer's member for a code sent as a
    /// passwordless first factor (`sign_in`) or as a second factor: a
    /// text message is SMS_OTP then, an email is EMAIL_OTP either way.
    pub(super) fn code_challenge(self, sign_in: bool) -> (ChallengeNameType, &'static str) {
        match (self, sign_in) {
            (Factor::Sms, true) => (ChallengeNameType::SmsOtp, "SMS_OTP_CODE"),
            _ => (self.challenge(), self.code_member()),
        }
    }

    /// The user attribute a code is sent to.
    fn address_attribute(self) -> Option<&'static str> {
        match self {
            Factor::Sms => Some("phone_number"),
            Factor::Email => Some("email"),
            Factor::SoftwareToken => None,
        }
    }
}

/// A pool's second factors, as SetUserPoolMfaConfig last set them (the
/// mode itself is the pool's `MfaConfiguration` setting).
#[derive(Debug, Clone, Default)]
pub(super) struct PoolMfa {
    /// Whether SetUserPoolMfaConfig was ever called: until then, a pool
    /// created with MFA on and an SmsConfiguration offers SMS.
    configured: bool,
    sms: Option<SmsMfaConfigType>,
    software_token: Option<SoftwareTokenMfaConfigType>,
    pub(super) email: Option<EmailMfaConfigType>,
    web_authn: Option<WebAuthnConfigurationType>,
}

impl PoolMfa {
    /// The WebAuthn configuration SetUserPoolMfaConfig gave, if any.
    pub(super) fn web_authn(&self) -> Option<&WebAuthnConfigurationType> {
        self.web_authn.as_ref()
    }

    /// As stored in the data dir: SetUserPoolMfaConfig's request (without
    /// the pool), None if it was never called.
    pub(super) fn to_stored(&self) -> Option<Value> {
        if !self.configured {
            return None;
        }
        let request = SetUserPoolMfaConfigRequest {
            user_pool_id: String::new(),
            mfa_configuration: None,
            sms_mfa_configuration: self.sms.clone(),
            software_token_mfa_configuration: self.software_token.clone(),
            email_mfa_configuration: self.email.clone(),
            web_authn_configuration: self.web_authn.clone(),
        };
        let mut stored = serde_json::to_value(request).ok()?;
        if let Some(object) = stored.as_object_mut() {
            object.remove("UserPoolId");
        }
        Some(stored)
    }

    /// Read back from [`PoolMfa::to_stored`]'s form, checked as the
    /// request was.
    pub(super) fn from_stored(stored: Option<Value>, pool_id: &str) -> ApiResult<Self> {
        let Some(mut stored) = stored else {
            return Ok(PoolMfa::default());
        };
        if let Some(object) = stored.as_object_mut() {
            object.insert("UserPoolId".to_owned(), Value::from(pool_id));
        }
        let request = <SetUserPoolMfaConfig as Operation>::parse_input(&stored)?;
        Ok(PoolMfa {
            configured: true,
            sms: request.sms_mfa_configuration,
            software_token: request.software_token_mfa_configuration,
            email: request.email_mfa_configuration,
            web_authn: request.web_authn_configuration,
        })
    }
}

impl Pool {
    /// MfaConfiguration: OFF unless set.
    pub(super) fn mfa_mode(&self) -> UserPoolMfaType {
        self.settings
            .mfa_configuration
            .unwrap_or(UserPoolMfaType::Off)
    }

    /// What SMS MFA sends with, if the pool offers it.
    fn sms_mfa(&self) -> Option<SmsMfaConfigType> {
        if self.mfa.configured {
            return self.mfa.sms.clone();
        }
        let on = self.mfa_mode() != UserPoolMfaType::Off;
        let sms = self.settings.sms_configuration.clone().filter(|_| on)?;
        Some(SmsMfaConfigType {
            sms_authentication_message: self.settings.sms_authentication_message.clone(),
            sms_configuration: Some(sms),
        })
    }

    /// The second factors the pool offers (none when MFA is off).
    pub(super) fn mfa_factors(&self) -> Vec<Factor> {
        if self.mfa_mode() == UserPoolMfaType::Off {
            return Vec::new();
        }
        let mut factors = Vec::new();
        if self.sms_mfa().is_some() {
            factors.push(Factor::Sms);
        }
        if self
            .mfa
            .software_token
            .as_ref()
            .is_some_and(|t| t.enabled == Some(true))
        {
            factors.push(Factor::SoftwareToken);
        }
        if self.mfa.email.is_some() {
            factors.push(Factor::Email);
        }
        factors
    }

    fn mfa_config(&self) -> GetUserPoolMfaConfigResponse {
        GetUserPoolMfaConfigResponse {
            mfa_configuration: Some(self.mfa_mode()),
            sms_mfa_configuration: self.sms_mfa(),
            software_token_mfa_configuration: self.mfa.software_token.clone(),
            email_mfa_configuration: self.mfa.email.clone(),
            web_authn_configuration: self.mfa.web_authn.clone(),
        }
    }
}

/// One user's second factors.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct UserMfa {
    /// Factors turned on (SetUserMFAPreference, SetUserSettings, a
    /// verified software token).
    #[serde(default)]
    enabled: Vec<Factor>,
    #[serde(default)]
    preferred: Option<Factor>,
    /// The verified software token: its secret (base32) and name.
    #[serde(default)]
    token: Option<SoftwareToken>,
    /// A secret AssociateSoftwareToken gave out, not yet verified.
    #[serde(default)]
    pending_secret: Option<String>,
    /// The last TOTP step a code was accepted for: it and those before it
    /// are spent.
    #[serde(default)]
    last_totp_step: i64,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
struct SoftwareToken {
    secret: String,
    friendly_name: Option<String>,
}

impl fmt::Debug for UserMfa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserMfa")
            .field("enabled", &self.enabled)
            .field("preferred", &self.preferred)
            .field("has_token", &self.token.is_some())
            .finish_non_exhaustive()
    }
}

impl UserMfa {
    pub(super) fn is_enabled(&self, factor: Factor) -> bool {
        self.enabled.contains(&factor)
    }

    /// Whether the user has a verified software token.
    pub(super) fn has_software_token(&self) -> bool {
        self.token.is_some()
    }

    pub(super) fn set_enabled(&mut self, factor: Factor, on: bool) {
        self.enabled.retain(|f| *f != factor);
        if on {
            self.enabled.push(factor);
            self.enabled.sort();
        } else if self.preferred == Some(factor) {
            self.preferred = None;
        }
    }

    /// UserMFASettingList: None when nothing is on, as Cognito omits it.
    pub(super) fn setting_list(&self) -> Option<Vec<String>> {
        let names: Vec<String> = self.enabled.iter().map(|f| f.name().to_owned()).collect();
        (!names.is_empty()).then_some(names)
    }

    /// PreferredMfaSetting.
    pub(super) fn preferred_setting(&self) -> Option<String> {
        self.preferred.map(|f| f.name().to_owned())
    }

    /// The legacy MFAOptions: SMS to the phone number, when SMS is on.
    pub(super) fn options(&self) -> Option<Vec<MFAOptionType>> {
        self.is_enabled(Factor::Sms).then(|| {
            vec![MFAOptionType {
                delivery_medium: Some(DeliveryMediumType::Sms),
                attribute_name: Some("phone_number".to_owned()),
            }]
        })
    }
}

/// What a proven password leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum MfaStep {
    /// Tokens: no second factor asked.
    Tokens,
    /// A code for this factor.
    Challenge(Factor),
    /// SELECT_MFA_TYPE between these.
    Select(Vec<Factor>),
    /// MFA_SETUP: MFA is required and the user has no factor it can use.
    Setup(Vec<Factor>),
}

/// The second factor a sign-in asks for, given the pool's mode and factors
/// and what the user has turned on and can receive codes at.
pub(super) fn next_step(
    mode: UserPoolMfaType,
    pool_factors: &[Factor],
    user: &UserMfa,
    can_receive: impl Fn(Factor) -> bool,
) -> MfaStep {
    if mode == UserPoolMfaType::Off {
        return MfaStep::Tokens;
    }
    let usable = |f: &Factor| {
        pool_factors.contains(f)
            && match f {
                Factor::SoftwareToken => user.token.is_some(),
                _ => can_receive(*f),
            }
    };
    let on: Vec<Factor> = user.enabled.iter().copied().filter(usable).collect();
    match (user.preferred.filter(|p| on.contains(p)), on.as_slice()) {
        (Some(preferred), _) => return MfaStep::Challenge(preferred),
        (None, [only]) => return MfaStep::Challenge(*only),
        (None, [_, _, ..]) => return MfaStep::Select(on),
        (None, []) => {}
    }
    if mode == UserPoolMfaType::Optional {
        return MfaStep::Tokens;
    }
    // Required, and nothing turned on: a code to an address the user has,
    // as Cognito does, or else a software token to set up.
    if let Some(f) = [Factor::Sms, Factor::Email]
        .into_iter()
        .find(|f| pool_factors.contains(f) && can_receive(*f))
    {
        return MfaStep::Challenge(f);
    }
    let setup: Vec<Factor> = pool_factors
        .iter()
        .copied()
        .filter(|f| *f == Factor::SoftwareToken)
        .collect();
    MfaStep::Setup(if setup.is_empty() {
        pool_factors.to_vec()
    } else {
        setup
    })
}

fn code_mismatch() -> ApiError {
    ApiError::new(
        "CodeMismatchException",
        "Invalid code or auth state for the user.",
    )
}

fn totp_not_enabled() -> ApiError {
    ApiError::new(
        "SoftwareTokenMFANotFoundException",
        "Software Token MFA is not enabled for the user pool.",
    )
}

/// A sign-in that passed every factor, not yet given tokens.
#[derive(Debug)]
pub(super) struct SignedIn {
    pub(super) pool_id: String,
    pub(super) client_id: String,
    pub(super) username: String,
    /// Whether a second factor was answered.
    pub(super) mfa: bool,
    /// The device the sign-in proved, if any (None: one is issued, if the
    /// pool tracks devices).
    pub(super) device_key: Option<String>,
}

impl UserPools {
    /// Records a passed sign-in in the user's event history.
    pub(super) fn record_signed_in(&mut self, signed_in: &SignedIn, ctx: &Context<'_>) {
        let challenges = Challenges {
            password: Some(true),
            mfa: signed_in.mfa.then_some(true),
        };
        self.record_auth_event(
            &signed_in.pool_id,
            &signed_in.username,
            EventKind::SignIn,
            Some(true),
            challenges,
            ctx,
        );
    }
}

/// Where a sign-in stands after its password or a factor's answer.
#[derive(Debug)]
pub(super) enum MfaGate {
    /// Every factor passed.
    Passed(SignedIn),
    /// The next challenge to answer.
    Challenge(Box<InitiateAuthResponse>),
}

/// Who a software-token call is for: an access token's user, or the user
/// of an MFA_SETUP challenge's session.
enum TokenCaller {
    Signed(String, String),
    Setup(String, PendingChallenge),
}

impl UserPools {
    pub(super) fn get_user_pool_mfa_config(
        &self,
        input: GetUserPoolMfaConfigRequest,
    ) -> ApiResult<GetUserPoolMfaConfigResponse> {
        Ok(self.pool(&input.user_pool_id)?.mfa_config())
    }

    pub(super) fn set_user_pool_mfa_config(
        &mut self,
        input: SetUserPoolMfaConfigRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<GetUserPoolMfaConfigResponse> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        let mode = input.mfa_configuration.unwrap_or(pool.mfa_mode());
        let totp_on = input
            .software_token_mfa_configuration
            .as_ref()
            .is_some_and(|t| t.enabled == Some(true));
        let any_factor = totp_on
            || input.sms_mfa_configuration.is_some()
            || input.email_mfa_configuration.is_some();
        match mode {
            UserPoolMfaType::Off if any_factor => {
                return Err(ApiError::invalid_parameter(
                    "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
                ));
            }
            UserPoolMfaType::On | UserPoolMfaType::Optional if !any_factor => {
                return Err(ApiError::invalid_parameter(
                    "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
                ));
            }
            _ => {}
        }
        if let Some(sms) = &input.sms_mfa_configuration
            && let Some(message) = &sms.sms_authentication_message
            && !message.contains("{####}")
        {
            return Err(ApiError::invalid_parameter(
                "SmsAuthenticationMessage must contain the code placeholder {####}",
            ));
        }
        pool.mfa = PoolMfa {
            configured: true,
            sms: input.sms_mfa_configuration,
            software_token: input.software_token_mfa_configuration,
            email: input.email_mfa_configuration,
            web_authn: input.web_authn_configuration.or(pool.mfa.web_authn.take()),
        };
        pool.settings.mfa_configuration = Some(mode);
        pool.modified = ctx.clock.unix();
        Ok(pool.mfa_config())
    }

    /// A proven password (and any new password set): tokens, or the second
    /// factor the pool and the user call for.
    pub(super) fn second_factor(
        &mut self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthReply> {
        let gate = self.mfa_gate(pool_id, client_id, username, ctx)?;
        self.reply_to(gate, ctx)
    }

    /// Tokens for a sign-in that passed every factor, or its next challenge.
    pub(super) fn reply_to(&mut self, gate: MfaGate, ctx: &Context<'_>) -> ApiResult<AuthReply> {
        match gate {
            MfaGate::Passed(p) => {
                self.record_signed_in(&p, ctx);
                // A sign-in on no known device gets a new one when the
                // pool tracks devices.
                let region = self.pool(&p.pool_id)?.region.clone();
                let pool = self.pool_mut(&p.pool_id)?;
                let tracks = pool.tracks_devices();
                let new_device = match (&p.device_key, tracks) {
                    (None, true) => {
                        let user = pool.users.get_mut(&p.username).ok_or_else(user_not_found)?;
                        Some(user.devices.issue(&region, ctx))
                    }
                    _ => None,
                };
                let device_key = p
                    .device_key
                    .clone()
                    .or_else(|| new_device.as_ref().and_then(|d| d.device_key.clone()));
                let mut result = self.issue_unsigned(
                    &p.pool_id,
                    &p.client_id,
                    &p.username,
                    super::tokens::SessionOrigin {
                        device_key,
                        ..Default::default()
                    },
                    ctx,
                )?;
                result.set_new_device(new_device);
                Ok(AuthReply::Tokens(result))
            }
            MfaGate::Challenge(c) => Ok(AuthReply::Challenge(c)),
        }
    }

    /// Carries a proven device through the second factor: into the passed
    /// sign-in, or into the challenge's pending session.
    pub(super) fn carry_device(
        &mut self,
        gate: MfaGate,
        device_key: Option<String>,
        now: i64,
    ) -> MfaGate {
        match gate {
            MfaGate::Passed(mut p) => {
                if p.device_key.is_none() {
                    p.device_key = device_key;
                }
                MfaGate::Passed(p)
            }
            MfaGate::Challenge(c) => {
                if let (Some(key), Some(session)) = (device_key, c.session.as_deref())
                    && let Some(pending) = self.pending_challenges.get_mut(session, now)
                {
                    pending.device_key = Some(key);
                }
                MfaGate::Challenge(c)
            }
        }
    }

    /// What a proven password (and any new password set) leads to: passed,
    /// or the second factor the pool and the user call for.
    pub(super) fn mfa_gate(
        &mut self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        ctx: &Context<'_>,
    ) -> ApiResult<MfaGate> {
        let pool = self.pool(pool_id)?;
        let user = pool.users.get(username).ok_or_else(user_not_found)?;
        let has = |f: Factor| {
            f.address_attribute()
                .and_then(|a| user.attributes.get(a))
                .is_some_and(|v| !v.is_empty())
        };
        match next_step(pool.mfa_mode(), &pool.mfa_factors(), &user.mfa, has) {
            MfaStep::Tokens => Ok(MfaGate::Passed(SignedIn {
                pool_id: pool_id.to_owned(),
                client_id: client_id.to_owned(),
                username: username.to_owned(),
                mfa: false,
                device_key: None,
            })),
            MfaStep::Challenge(factor) => self
                .start_code_challenge(pool_id, client_id, username, (factor, false), ctx)
                .map(MfaGate::Challenge),
            MfaStep::Select(factors) => {
                let choices = names_json(&factors);
                let session = self.open_challenge(
                    pool_id,
                    client_id,
                    username,
                    Awaiting::Selection(factors),
                    ctx,
                );
                Ok(MfaGate::Challenge(challenge(
                    ChallengeNameType::SelectMfaType,
                    Some(session),
                    [
                        ("MFAS_CAN_CHOOSE", choices),
                        ("USER_ID_FOR_SRP", username.to_owned()),
                    ],
                )))
            }
            MfaStep::Setup(factors) => {
                let choices = names_json(&factors);
                let session = self.open_challenge(
                    pool_id,
                    client_id,
                    username,
                    Awaiting::Setup { verified: false },
                    ctx,
                );
                Ok(MfaGate::Challenge(challenge(
                    ChallengeNameType::MfaSetup,
                    Some(session),
                    [
                        ("MFAS_CAN_SETUP", choices),
                        ("USER_ID_FOR_SRP", username.to_owned()),
                    ],
                )))
            }
        }
    }

    /// Opens a challenge for `username`; returns its Session.
    pub(super) fn open_challenge(
        &mut self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        awaiting: Awaiting,
        ctx: &Context<'_>,
    ) -> String {
        let pending = PendingChallenge {
            pool_id: pool_id.to_owned(),
            client_id: client_id.to_owned(),
            username: username.to_owned(),
            awaiting,
            device_key: None,
        };
        let now = ctx.clock.unix();
        self.reopen_challenge(pending, now + CHALLENGE_LIFETIME_SECS, ctx)
    }

    /// Files `pending` under a new Session, until `expires`.
    fn reopen_challenge(
        &mut self,
        pending: PendingChallenge,
        expires: i64,
        ctx: &Context<'_>,
    ) -> String {
        use base64::Engine;
        let session = base64::engine::general_purpose::STANDARD.encode(ctx.rng.bytes(48));
        self.pending_challenges
            .insert(session.clone(), pending, expires, ctx.clock.unix());
        session
    }

    /// SMS_MFA / EMAIL_OTP (a code sent to the outbox) or
    /// SOFTWARE_TOKEN_MFA; with `sign_in`, EMAIL_OTP or SMS_OTP as the
    /// passwordless first factor of choice-based sign-in.
    pub(super) fn start_code_challenge(
        &mut self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        (factor, sign_in): (Factor, bool),
        ctx: &Context<'_>,
    ) -> ApiResult<Box<InitiateAuthResponse>> {
        let now = ctx.clock.unix();
        let user = self
            .pool(pool_id)?
            .users
            .get(username)
            .ok_or_else(user_not_found)?;
        let mut parameters = vec![("USER_ID_FOR_SRP", username.to_owned())];
        let code = match factor.address_attribute() {
            Some(attribute) => {
                let destination = user.attributes.get(attribute).cloned().unwrap_or_default();
                let code = ctx.rng.code();
                let (medium, purpose) = match (factor, sign_in) {
                    (Factor::Email, _) => ("EMAIL", CodePurpose::EmailOtp),
                    (_, true) => ("SMS", CodePurpose::SmsOtp),
                    _ => ("SMS", CodePurpose::SmsMfa),
                };
                parameters.push(("CODE_DELIVERY_DELIVERY_MEDIUM", medium.to_owned()));
                parameters.push(("CODE_DELIVERY_DESTINATION", mask(&destination)));
                let record = CodeRecord::new(
                    self.pool(pool_id)?,
                    username,
                    purpose,
                    code.clone(),
                    destination,
                );
                self.deliver_code(record, now + CHALLENGE_LIFETIME_SECS, ctx);
                Some(code)
            }
            None => {
                if let Some(name) = user
                    .mfa
                    .token
                    .as_ref()
                    .and_then(|t| t.friendly_name.clone())
                {
                    parameters.push(("FRIENDLY_DEVICE_NAME", name));
                }
                None
            }
        };
        let awaiting = Awaiting::Code {
            factor,
            code,
            wrong: 0,
            sign_in,
        };
        let session = self.open_challenge(pool_id, client_id, username, awaiting, ctx);
        let mut out = challenge(factor.code_challenge(sign_in).0, Some(session), []);
        out.challenge_parameters = Some(
            parameters
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        );
        Ok(out)
    }

    /// Answers SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE or
    /// MFA_SETUP. The session is spent by any answer except a wrong code,
    /// which may be retried a few times within the session's life.
    pub(super) fn answer_mfa_challenge(
        &mut self,
        client_id: &str,
        name: ChallengeNameType,
        session: Option<&str>,
        r: &super::auth::Parameters,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthReply> {
        let now = ctx.clock.unix();
        let device_key = session
            .and_then(|s| self.pending_challenges.get(s, now))
            .and_then(|p| p.device_key.clone());
        let gate = self.check_mfa_answer(client_id, name, session, r, ctx)?;
        let gate = self.carry_device(gate, device_key, now);
        self.reply_to(gate, ctx)
    }

    /// [`UserPools::answer_mfa_challenge`]'s checks: passed, or the next
    /// challenge (a code after SELECT_MFA_TYPE).
    pub(super) fn check_mfa_answer(
        &mut self,
        client_id: &str,
        name: ChallengeNameType,
        session: Option<&str>,
        r: &super::auth::Parameters,
        ctx: &Context<'_>,
    ) -> ApiResult<MfaGate> {
        let now = ctx.clock.unix();
        let session = session
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::invalid_parameter("Missing required parameter Session"))?;
        let (pending, expires) = self
            .pending_challenges
            .entry_of(session)
            .filter(|(_, expires)| *expires > now)
            .map(|(p, e)| (p.clone(), e))
            .ok_or_else(invalid_session)?;
        self.pending_challenges.remove(session, now);
        let typed = require(r, "USERNAME")?;
        let pool = self.pool(&pending.pool_id)?;
        if pending.client_id != client_id || pool.resolve(typed) != Some(pending.username.as_str())
        {
            return Err(invalid_session());
        }
        let (pool_id, username) = (pending.pool_id.clone(), pending.username.clone());
        super::auth::check_can_sign_in(pool, &username, now)?;
        match (name, &pending.awaiting) {
            (
                _,
                Awaiting::Code {
                    factor,
                    code,
                    wrong,
                    sign_in,
                },
            ) if factor.code_challenge(*sign_in).0 == name => {
                let given = require(r, factor.code_challenge(*sign_in).1)?;
                let checked = match code {
                    Some(code) => cognito_srp::ct_eq(code.as_bytes(), given.as_bytes())
                        .then_some(())
                        .ok_or_else(code_mismatch),
                    None => self.spend_totp_code(&pool_id, &username, given, now),
                };
                if let Err(e) = checked {
                    let challenges = Challenges {
                        password: (!sign_in).then_some(true),
                        mfa: Some(false),
                    };
                    self.record_auth_event(
                        &pool_id,
                        &username,
                        EventKind::SignIn,
                        Some(false),
                        challenges,
                        ctx,
                    );
                    if wrong + 1 < MAX_WRONG_CODES {
                        let mut retry = pending.clone();
                        retry.awaiting = Awaiting::Code {
                            factor: *factor,
                            code: code.clone(),
                            wrong: wrong + 1,
                            sign_in: *sign_in,
                        };
                        // The same session stays answerable for a retry.
                        self.pending_challenges
                            .insert(session.to_owned(), retry, expires, now);
                    }
                    return Err(e);
                }
                Ok(MfaGate::Passed(SignedIn {
                    pool_id,
                    client_id: pending.client_id,
                    username,
                    mfa: true,
                    device_key: pending.device_key,
                }))
            }
            (ChallengeNameType::SelectMfaType, Awaiting::Selection(factors)) => {
                let answer = require(r, "ANSWER")?;
                let factor = Factor::parse(answer)
                    .filter(|f| factors.contains(f))
                    .ok_or_else(|| {
                        ApiError::invalid_parameter(format!(
                            "ANSWER must be one of {}",
                            names_json(factors)
                        ))
                    })?;
                self.start_code_challenge(
                    &pool_id,
                    &pending.client_id,
                    &username,
                    (factor, false),
                    ctx,
                )
                .map(MfaGate::Challenge)
            }
            (ChallengeNameType::MfaSetup, Awaiting::Setup { verified: true }) => {
                Ok(MfaGate::Passed(SignedIn {
                    pool_id,
                    client_id: pending.client_id,
                    username,
                    mfa: true,
                    device_key: pending.device_key,
                }))
            }
            (ChallengeNameType::MfaSetup, Awaiting::Setup { verified: false }) => {
                Err(ApiError::invalid_parameter(
                    "No software token has been verified for this session: call AssociateSoftwareToken and VerifySoftwareToken with it first",
                ))
            }
            _ => Err(invalid_session()),
        }
    }

    /// Checks a software-token code for the user and spends its step.
    fn spend_totp_code(
        &mut self,
        pool_id: &str,
        username: &str,
        given: &str,
        now: i64,
    ) -> ApiResult<()> {
        let user = self.user_entry_mut(pool_id, username)?;
        let secret = user
            .mfa
            .token
            .as_ref()
            .and_then(|t| totp::decode_secret(&t.secret))
            .ok_or_else(|| {
                ApiError::new(
                    "SoftwareTokenMFANotFoundException",
                    "Software Token MFA does not exist for the user.",
                )
            })?;
        let step = totp::matching_step(&secret, given, now).ok_or_else(code_mismatch)?;
        if step <= user.mfa.last_totp_step {
            return Err(ApiError::new(
                "ExpiredCodeException",
                "Your software token has already been used once.",
            ));
        }
        user.mfa.last_totp_step = step;
        Ok(())
    }

    /// The user a software-token call is for.
    fn token_caller(
        &mut self,
        access_token: Option<&str>,
        session: Option<&str>,
        ctx: &Context<'_>,
    ) -> ApiResult<TokenCaller> {
        if let Some(token) = access_token {
            let (pool_id, username) = self.check_access_token(token, ctx)?;
            return Ok(TokenCaller::Signed(pool_id, username));
        }
        let Some(session) = session.filter(|s| !s.is_empty()) else {
            return Err(ApiError::invalid_parameter(
                "Either AccessToken or Session is required",
            ));
        };
        let now = ctx.clock.unix();
        match self.pending_challenges.remove(session, now) {
            Some(p) if matches!(p.awaiting, Awaiting::Setup { .. }) => {
                Ok(TokenCaller::Setup(session.to_owned(), p))
            }
            _ => Err(invalid_session()),
        }
    }

    pub(super) fn associate_software_token(
        &mut self,
        input: AssociateSoftwareTokenRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<AssociateSoftwareTokenResponse> {
        let caller =
            self.token_caller(input.access_token.as_deref(), input.session.as_deref(), ctx)?;
        let (pool_id, username) = match &caller {
            TokenCaller::Signed(p, u) => (p.clone(), u.clone()),
            TokenCaller::Setup(_, p) => (p.pool_id.clone(), p.username.clone()),
        };
        if !self
            .pool(&pool_id)?
            .mfa_factors()
            .contains(&Factor::SoftwareToken)
        {
            return Err(totp_not_enabled());
        }
        let secret = totp::encode_secret(&ctx.rng.bytes(totp::SECRET_BYTES));
        self.user_entry_mut(&pool_id, &username)?.mfa.pending_secret = Some(secret.clone());
        let session = match caller {
            TokenCaller::Signed(..) => None,
            TokenCaller::Setup(_, pending) => {
                let expires = ctx.clock.unix() + CHALLENGE_LIFETIME_SECS;
                Some(self.reopen_challenge(pending, expires, ctx))
            }
        };
        Ok(AssociateSoftwareTokenResponse {
            secret_code: Some(secret),
            session,
        })
    }

    pub(super) fn verify_software_token(
        &mut self,
        input: VerifySoftwareTokenRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<VerifySoftwareTokenResponse> {
        let now = ctx.clock.unix();
        let caller =
            self.token_caller(input.access_token.as_deref(), input.session.as_deref(), ctx)?;
        let (pool_id, username) = match &caller {
            TokenCaller::Signed(p, u) => (p.clone(), u.clone()),
            TokenCaller::Setup(_, p) => (p.pool_id.clone(), p.username.clone()),
        };
        let user = self.user_entry_mut(&pool_id, &username)?;
        let Some(secret) = user.mfa.pending_secret.clone() else {
            return Err(ApiError::new(
                "SoftwareTokenMFANotFoundException",
                "No software token is associated with the user: call AssociateSoftwareToken first.",
            ));
        };
        let step = totp::decode_secret(&secret)
            .and_then(|bytes| totp::matching_step(&bytes, &input.user_code, now));
        let Some(step) = step else {
            if let TokenCaller::Setup(session, pending) = caller {
                // The set-up session stays usable for another try.
                self.pending_challenges.insert(
                    session,
                    pending,
                    now + CHALLENGE_LIFETIME_SECS,
                    now,
                );
            }
            return Err(ApiError::new(
                "EnableSoftwareTokenMFAException",
                "Code mismatch and fail enable Software Token MFA",
            ));
        };
        user.mfa.token = Some(SoftwareToken {
            secret,
            friendly_name: input.friendly_device_name,
        });
        user.mfa.pending_secret = None;
        user.mfa.last_totp_step = user.mfa.last_totp_step.max(step);
        user.mfa.set_enabled(Factor::SoftwareToken, true);
        user.modified = now;
        let session = match caller {
            TokenCaller::Signed(..) => None,
            TokenCaller::Setup(_, mut pending) => {
                pending.awaiting = Awaiting::Setup { verified: true };
                Some(self.reopen_challenge(pending, now + CHALLENGE_LIFETIME_SECS, ctx))
            }
        };
        Ok(VerifySoftwareTokenResponse {
            session,
            status: Some(VerifySoftwareTokenResponseType::Success),
        })
    }

    pub(super) fn set_user_mfa_preference(
        &mut self,
        input: SetUserMFAPreferenceRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let (pool_id, username) = self.check_access_token(&input.access_token, ctx)?;
        let settings = preferences(
            input.sms_mfa_settings,
            input.software_token_mfa_settings,
            input.email_mfa_settings,
        );
        self.set_mfa_preference(&pool_id, &username, settings, ctx.clock.unix())
    }

    pub(super) fn admin_set_user_mfa_preference(
        &mut self,
        input: AdminSetUserMFAPreferenceRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let pool = self.pool(&input.user_pool_id)?;
        let username = pool.user(&input.username)?.username.clone();
        let settings = preferences(
            input.sms_mfa_settings,
            input.software_token_mfa_settings,
            input.email_mfa_settings,
        );
        self.set_mfa_preference(&input.user_pool_id, &username, settings, ctx.clock.unix())
    }

    /// Turns factors on or off and sets the preferred one. All checked
    /// before anything changes.
    fn set_mfa_preference(
        &mut self,
        pool_id: &str,
        username: &str,
        settings: Preferences,
        now: i64,
    ) -> ApiResult<Empty> {
        let user = self.user_entry_mut(pool_id, username)?;
        let mut mfa = user.mfa.clone();
        for (factor, setting) in settings {
            let Some((enabled, preferred)) = setting else {
                continue;
            };
            if let Some(on) = enabled {
                let deliverable = match factor.address_attribute() {
                    Some(a) => user.attributes.get(a).is_some_and(|v| !v.is_empty()),
                    None => mfa.token.is_some(),
                };
                if on && !deliverable {
                    return Err(ApiError::invalid_parameter(format!(
                        "User does not have delivery config set to turn on {}",
                        factor.name()
                    )));
                }
                mfa.set_enabled(factor, on);
            }
            match preferred {
                Some(true) if !mfa.is_enabled(factor) => {
                    return Err(ApiError::invalid_parameter(format!(
                        "{} cannot be preferred while it is not enabled",
                        factor.name()
                    )));
                }
                Some(true) => mfa.preferred = Some(factor),
                Some(false) if mfa.preferred == Some(factor) => mfa.preferred = None,
                _ => {}
            }
        }
        if user.mfa != mfa {
            user.mfa = mfa;
            user.modified = now;
        }
        Ok(Empty {})
    }

    pub(super) fn set_user_settings(
        &mut self,
        input: SetUserSettingsRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let (pool_id, username) = self.check_access_token(&input.access_token, ctx)?;
        self.set_mfa_options(&pool_id, &username, &input.mfa_options, ctx.clock.unix())
    }

    pub(super) fn admin_set_user_settings(
        &mut self,
        input: AdminSetUserSettingsRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let pool = self.pool(&input.user_pool_id)?;
        let username = pool.user(&input.username)?.username.clone();
        self.set_mfa_options(
            &input.user_pool_id,
            &username,
            &input.mfa_options,
            ctx.clock.unix(),
        )
    }

    /// The legacy MFAOptions: SMS to `phone_number` on, or (an empty list)
    /// SMS off.
    fn set_mfa_options(
        &mut self,
        pool_id: &str,
        username: &str,
        options: &[MFAOptionType],
        now: i64,
    ) -> ApiResult<Empty> {
        let sms_on = match options {
            [] => false,
            [only]
                if only.delivery_medium == Some(DeliveryMediumType::Sms)
                    && only.attribute_name.as_deref() == Some("phone_number") =>
            {
                true
            }
            _ => {
                return Err(ApiError::invalid_parameter(
                    "MFAOptions takes one option: DeliveryMedium SMS with AttributeName phone_number",
                ));
            }
        };
        let user = self.user_entry_mut(pool_id, username)?;
        user.mfa.set_enabled(Factor::Sms, sms_on);
        user.modified = now;
        Ok(Empty {})
    }

    pub(super) fn admin_delete_software_token(
        &mut self,
        input: AdminDeleteSoftwareTokenRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let pool = self.pool(&input.user_pool_id)?;
        let username = pool.user(&input.username)?.username.clone();
        let user = self.user_entry_mut(&input.user_pool_id, &username)?;
        if user.mfa.token.is_none() {
            return Err(ApiError::new(
                "SoftwareTokenMFANotFoundException",
                "Software Token MFA does not exist for the user.",
            ));
        }
        user.mfa.token = None;
        user.mfa.set_enabled(Factor::SoftwareToken, false);
        user.modified = ctx.clock.unix();
        Ok(Empty {})
    }
}

/// One factor's (Enabled, PreferredMfa), None where the call left it out.
type Preference = Option<(Option<bool>, Option<bool>)>;

/// Every factor's preference in one (Admin)SetUserMFAPreference call.
type Preferences = [(Factor, Preference); 3];

fn preferences(
    sms: Option<SMSMfaSettingsType>,
    token: Option<SoftwareTokenMfaSettingsType>,
    email: Option<EmailMfaSettingsType>,
) -> Preferences {
    [
        (Factor::Sms, sms.map(|s| (s.enabled, s.preferred_mfa))),
        (
            Factor::SoftwareToken,
            token.map(|s| (s.enabled, s.preferred_mfa)),
        ),
        (Factor::Email, email.map(|s| (s.enabled, s.preferred_mfa))),
    ]
}

/// Factor names as the JSON array in a string that challenges carry.
fn names_json(factors: &[Factor]) -> String {
    let names: Vec<&str> = factors.iter().map(|f| f.name()).collect();
    serde_json::to_string(&names).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use UserPoolMfaType::{Off, On, Optional};

    fn user(enabled: &[Factor], preferred: Option<Factor>, token: bool) -> UserMfa {
        UserMfa {
            enabled: enabled.to_vec(),
            preferred,
            token: token.then(|| SoftwareToken {
                secret: "A".repeat(32),
                friendly_name: None,
            }),
            ..UserMfa::default()
        }
    }

    const ALL: [Factor; 3] = [Factor::Sms, Factor::SoftwareToken, Factor::Email];

    #[test]
    fn off_and_optional_without_factors_give_tokens() {
        let anyone = |_| true;
        let both = user(&ALL, None, true);
        assert_eq!(next_step(Off, &ALL, &both, anyone), MfaStep::Tokens);
        assert_eq!(
            next_step(Optional, &ALL, &user(&[], None, false), anyone),
            MfaStep::Tokens
        );
    }

    #[test]
    fn the_preferred_or_only_usable_factor_is_asked_else_a_choice() {
        let anyone = |_| true;
        let u = user(
            &[Factor::Sms, Factor::SoftwareToken],
            Some(Factor::SoftwareToken),
            true,
        );
        assert_eq!(
            next_step(Optional, &ALL, &u, anyone),
            MfaStep::Challenge(Factor::SoftwareToken)
        );
        let u = user(&[Factor::Sms, Factor::SoftwareToken], None, true);
        assert_eq!(
            next_step(Optional, &ALL, &u, anyone),
            MfaStep::Select(vec![Factor::Sms, Factor::SoftwareToken])
        );
        // A factor the pool no longer offers, or an address the user lost,
        // is not usable.
        assert_eq!(
            next_step(Optional, &[Factor::SoftwareToken], &u, anyone),
            MfaStep::Challenge(Factor::SoftwareToken)
        );
        let no_phone = |f| f != Factor::Sms;
        assert_eq!(
            next_step(On, &ALL, &u, no_phone),
            MfaStep::Challenge(Factor::SoftwareToken)
        );
    }

    #[test]
    fn required_mfa_sends_a_code_or_asks_for_set_up() {
        let nobody = |_| false;
        let phone = |f| f == Factor::Sms;
        let none = user(&[], None, false);
        assert_eq!(
            next_step(On, &ALL, &none, phone),
            MfaStep::Challenge(Factor::Sms)
        );
        assert_eq!(
            next_step(On, &ALL, &none, nobody),
            MfaStep::Setup(vec![Factor::SoftwareToken])
        );
        assert_eq!(
            next_step(On, &[Factor::Sms], &none, nobody),
            MfaStep::Setup(vec![Factor::Sms])
        );
    }

    #[test]
    fn preferences_follow_what_is_enabled() {
        let mut mfa = user(&[], None, true);
        mfa.set_enabled(Factor::SoftwareToken, true);
        mfa.preferred = Some(Factor::SoftwareToken);
        assert_eq!(
            mfa.setting_list(),
            Some(vec!["SOFTWARE_TOKEN_MFA".to_owned()])
        );
        mfa.set_enabled(Factor::SoftwareToken, false);
        assert_eq!(mfa.preferred, None);
        assert_eq!(mfa.setting_list(), None);
    }

    #[test]
    fn debug_shows_no_secret() {
        let u = user(&[Factor::SoftwareToken], None, true);
        assert!(!format!("{u:?}").contains("AAAA"));
    }
}
