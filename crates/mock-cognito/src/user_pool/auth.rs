//! InitiateAuth, RespondToAuthChallenge and their Admin variants.

use std::collections::BTreeMap;

use super::tokens::UnsignedTokens;
use super::{AppClient, Context, Pool, UserPools, user_not_found};
use crate::error::{ApiError, ApiResult};
use crate::shapes::cognito_idp::{
    AuthFlowType, ChallengeNameType, InitiateAuthResponse, UserStatusType,
};
use crate::work::expensive;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cognito_srp::{
    DEFAULT_TIMESTAMP_SKEW, Password, PoolName, ReceivedClaim, ServerSession, Verifier,
    verify_secret_hash,
};

/// How long a PASSWORD_VERIFIER or NEW_PASSWORD_REQUIRED challenge stays
/// answerable (Cognito's default AuthSessionValidity is 3 minutes).
pub(super) const CHALLENGE_LIFETIME_SECS: i64 = 180;
/// Consecutive failed sign-ins before a user is locked out.
pub(super) const MAX_FAILED_SIGN_INS: u32 = 5;
/// How long the lockout lasts, by the mock's clock.
pub(super) const LOCKOUT_SECS: i64 = 900;

/// A USER_SRP_AUTH sign-in waiting for its PASSWORD_VERIFIER answer, keyed by
/// its SECRET_BLOCK. Bound to the app client it started on.
#[derive(Debug)]
pub(super) struct PendingSrp {
    pool_id: String,
    client_id: String,
    /// None for the decoy challenge given for an unknown user when the
    /// client prevents user-existence errors: it can never succeed.
    username: Option<String>,
    srp_a: String,
    session: ServerSession,
    /// DEVICE_SRP_AUTH: the device this SRP proves.
    device: Option<String>,
    /// CUSTOM_AUTH's PASSWORD_VERIFIER: the sign-in's history so far.
    custom: Option<Vec<super::custom_auth::ChallengeResult>>,
}

/// A challenge after the password (NEW_PASSWORD_REQUIRED or a second
/// factor), keyed by its Session.
#[derive(Debug, Clone)]
pub(super) struct PendingChallenge {
    pub(super) pool_id: String,
    pub(super) client_id: String,
    pub(super) username: String,
    pub(super) awaiting: Awaiting,
    /// The device the sign-in has proven, carried to its tokens.
    pub(super) device_key: Option<String>,
}

/// What a pending challenge waits for.
#[derive(Clone)]
pub(super) enum Awaiting {
    /// NEW_PASSWORD_REQUIRED's new password.
    NewPassword,
    /// A second factor's code: `code` is the one sent (SMS, email), None
    /// for a software token's; `wrong` counts wrong answers so far.
    Code {
        factor: super::mfa::Factor,
        code: Option<String>,
        wrong: u32,
        /// A passwordless first factor of choice-based sign-in (EMAIL_OTP,
        /// SMS_OTP) rather than a second factor.
        sign_in: bool,
    },
    /// SELECT_MFA_TYPE's answer, one of these.
    Selection(Vec<super::mfa::Factor>),
    /// MFA_SETUP: a software token to associate and verify with this
    /// session, then the answer.
    Setup { verified: bool },
    /// DEVICE_SRP_AUTH for this device, after the password.
    DeviceSrp { device_key: String },
    /// Choice-based sign-in's first factor: one of these (SELECT_CHALLENGE,
    /// or the PASSWORD / PASSWORD_SRP challenge when its answer was not
    /// sent up front). `decoy`: for an unknown user behind
    /// PreventUserExistenceErrors, nothing can succeed.
    FirstFactor {
        offered: Vec<super::user_auth::FirstFactor>,
        decoy: bool,
    },
    /// WEB_AUTHN: an assertion over this challenge by one of the user's
    /// passkeys.
    WebAuthn(super::passkeys::PendingAssertion),
    /// ConfirmSignUp's Session: InitiateAuth with USER_AUTH signs in.
    SignUpConfirmed,
    /// CUSTOM_CHALLENGE's answer, judged by VerifyAuthChallengeResponse.
    Custom(Box<super::custom_auth::OpenChallenge>),
}

impl Awaiting {
    /// A challenge given for an unknown user behind
    /// PreventUserExistenceErrors: bound to the typed name, never passed.
    fn is_decoy(&self) -> bool {
        match self {
            Awaiting::FirstFactor { decoy, .. } => *decoy,
            Awaiting::Custom(open) => open.user_not_found,
            _ => false,
        }
    }
}

impl std::fmt::Debug for Awaiting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the code.
        match self {
            Awaiting::NewPassword => f.write_str("NewPassword"),
            Awaiting::Code { factor, wrong, .. } => f
                .debug_struct("Code")
                .field("factor", factor)
                .field("wrong", wrong)
                .finish_non_exhaustive(),
            Awaiting::Selection(factors) => f.debug_tuple("Selection").field(factors).finish(),
            Awaiting::Setup { verified } => {
                f.debug_struct("Setup").field("verified", verified).finish()
            }
            Awaiting::DeviceSrp { device_key } => f
                .debug_struct("DeviceSrp")
                .field("device_key", device_key)
                .finish(),
            Awaiting::FirstFactor { offered, decoy } => f
                .debug_struct("FirstFactor")
                .field("offered", offered)
                .field("decoy", decoy)
                .finish(),
            Awaiting::WebAuthn(_) => f.write_str("WebAuthn"),
            Awaiting::SignUpConfirmed => f.write_str("SignUpConfirmed"),
            Awaiting::Custom(open) => f.debug_tuple("Custom").field(open).finish(),
        }
    }
}

/// What a sign-in step leaves to do outside the state lock (the SRP maths
/// and the token signatures), so concurrent sign-ins do not queue behind
/// each other's modular exponentiations.
#[derive(Debug)]
pub enum AuthStep {
    /// The answer: a challenge, or tokens still to be signed.
    Reply(AuthReply),
    /// USER_SRP_AUTH: compute the server's B, then `UserPools::srp_started`.
    StartSrp(Box<SrpStart>),
    /// PASSWORD_VERIFIER: check the proof, then `UserPools::claim_checked`.
    CheckClaim(Box<ClaimCheck>),
    /// A password sign-in: check it, then `UserPools::password_checked`.
    CheckPassword(Box<PasswordCheck>),
    /// CUSTOM_AUTH: run the round's triggers, then
    /// `UserPools::custom_round_done`.
    Custom(Box<super::custom_auth::CustomRound>),
}

/// A sign-in answer.
#[derive(Debug)]
pub enum AuthReply {
    /// A challenge.
    Challenge(Box<InitiateAuthResponse>),
    /// An `AuthenticationResult` whose tokens are still to be signed.
    Tokens(UnsignedTokens),
}

impl AuthReply {
    /// The answer (signs the tokens, if any). InitiateAuth,
    /// RespondToAuthChallenge and their Admin variants answer alike, so
    /// one shape serves the four.
    pub fn finish(self) -> ApiResult<InitiateAuthResponse> {
        Ok(match self {
            AuthReply::Challenge(v) => *v,
            AuthReply::Tokens(t) => InitiateAuthResponse {
                challenge_parameters: Some(BTreeMap::new()),
                authentication_result: Some(t.sign()?),
                ..InitiateAuthResponse::default()
            },
        })
    }
}

/// The server's half of starting an SRP sign-in, taken out of the lock.
#[derive(Debug)]
pub struct SrpStart {
    pool_id: String,
    pool_name: PoolName,
    client_id: String,
    /// None: an unknown user behind PreventUserExistenceErrors.
    username: Option<String>,
    typed: String,
    srp_a: String,
    verifier: Option<Verifier>,
    /// Device SRP: the device key (the SRP user id).
    device: Option<String>,
    /// CUSTOM_AUTH with SRP_A: the sign-in's history so far.
    pub(super) custom: Option<Vec<super::custom_auth::ChallengeResult>>,
}

impl SrpStart {
    /// USER_SRP_AUTH (or USER_AUTH's PASSWORD_SRP) for `username` of
    /// `pool` (None: a decoy for the unknown `typed` name), with the
    /// request's SRP_A.
    pub(super) fn new(
        pool: &Pool,
        client_id: &str,
        username: Option<String>,
        typed: &str,
        p: &Parameters,
    ) -> ApiResult<Self> {
        let srp_a = require(p, "SRP_A")?.to_owned();
        check_srp_a(&srp_a)?;
        Ok(SrpStart {
            pool_name: pool.pool_name(),
            verifier: username.as_ref().map(|u| pool.users[u].verifier.clone()),
            pool_id: pool.id.clone(),
            client_id: client_id.to_owned(),
            username,
            typed: typed.to_owned(),
            srp_a,
            device: None,
            custom: None,
        })
    }

    /// B = k·v + g^b (or a decoy challenge): the expensive part.
    pub fn run(&self, rng: &crate::ids::Randomness) -> ApiResult<(ServerSession, String)> {
        match (&self.verifier, &self.username) {
            (Some(v), Some(u)) => Ok((
                expensive(|| ServerSession::start(&mut rng.crypto_rng(), v)),
                u.clone(),
            )),
            _ => decoy_challenge(&self.pool_id, &self.pool_name, &self.typed, rng),
        }
    }
}

/// A PASSWORD_VERIFIER answer to check, taken out of the lock. The pending
/// challenge it answers has already been spent.
#[derive(Debug)]
pub struct ClaimCheck {
    pending: PendingSrp,
    username: String,
    /// The SRP user id: the username, or the device key for device SRP.
    srp_user_id: String,
    /// The device the sign-in names (presented, or being proven).
    device_key: Option<String>,
    pool_name: PoolName,
    secret_block: String,
    signature: String,
    timestamp: String,
}

impl ClaimCheck {
    /// Verifies the proof (one modular exponentiation and the HMAC).
    pub fn run(&self, now: std::time::SystemTime) -> bool {
        let claim = ReceivedClaim {
            srp_a: &self.pending.srp_a,
            secret_block: &self.secret_block,
            timestamp: &self.timestamp,
            signature: &self.signature,
        };
        expensive(|| {
            self.pending.session.verify_password_claim(
                &self.pool_name,
                &self.srp_user_id,
                claim,
                now,
                DEFAULT_TIMESTAMP_SKEW,
            )
        })
        .is_ok()
    }
}

/// A USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH password to check
/// against the user's verifier, taken out of the lock.
#[derive(Debug)]
pub struct PasswordCheck {
    pub(super) pool_id: String,
    pub(super) client_id: String,
    pub(super) username: String,
    pool_name: PoolName,
    /// The verifier the password is checked against; the commit step
    /// refuses the answer if the user's password changed meanwhile.
    verifier: Verifier,
    password: Password,
    /// The DEVICE_KEY the client named, proven after the password.
    pub(super) device_key: Option<String>,
}

impl PasswordCheck {
    /// A check of `password` for `username` of `pool`, signing in on
    /// `client_id`.
    pub(super) fn new(pool: &Pool, username: &str, client_id: &str, password: &str) -> Self {
        PasswordCheck {
            pool_id: pool.id.clone(),
            client_id: client_id.to_owned(),
            username: username.to_owned(),
            pool_name: pool.pool_name(),
            verifier: pool.users[username].verifier.clone(),
            password: Password::new(password),
            device_key: None,
        }
    }

    /// Whether the password makes the verifier (one modular exponentiation).
    pub fn run(&self) -> bool {
        expensive(|| {
            self.verifier
                .matches_password(&self.pool_name, &self.username, &self.password)
        })
    }
}

/// A challenge answer: its name, Session and ChallengeParameters.
pub(super) fn challenge<const N: usize>(
    name: ChallengeNameType,
    session: Option<String>,
    parameters: [(&str, String); N],
) -> Box<InitiateAuthResponse> {
    Box::new(InitiateAuthResponse {
        challenge_name: Some(name),
        session,
        challenge_parameters: Some(
            parameters
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        ),
        ..InitiateAuthResponse::default()
    })
}

/// AuthParameters or ChallengeResponses.
pub(super) type Parameters = BTreeMap<String, String>;

pub(super) fn require<'a>(p: &'a Parameters, name: &str) -> ApiResult<&'a str> {
    p.get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::invalid_parameter(format!("Missing required parameter {name}")))
}

/// A PASSWORD_VERIFIER or DEVICE_PASSWORD_VERIFIER answer's claim:
/// (PASSWORD_CLAIM_SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE, TIMESTAMP).
fn claim_parameters(r: &Parameters) -> ApiResult<(&str, &str, &str)> {
    Ok((
        require(r, "PASSWORD_CLAIM_SECRET_BLOCK")?,
        require(r, "PASSWORD_CLAIM_SIGNATURE")?,
        require(r, "TIMESTAMP")?,
    ))
}

/// SECRET_HASH rules: required and correct for a client with a secret,
/// refused for one without. `hash` is the request's SECRET_HASH, if any.
pub(super) fn check_secret_hash(
    client: &AppClient,
    username: &str,
    hash: Option<&str>,
) -> ApiResult<()> {
    match (client.has_secret(), hash) {
        (false, None) => Ok(()),
        (false, Some(_)) => Err(ApiError::invalid_parameter(format!(
            "Client {} is not configured for secret but secret hash was received",
            client.id
        ))),
        (true, None) => Err(ApiError::not_authorized(format!(
            "Client {} is configured for secret but secret was not received",
            client.id
        ))),
        // Any of the client's secrets (two while one is being rotated out).
        (true, Some(hash))
            if client
                .secret_values()
                .any(|secret| verify_secret_hash(hash, username, &client.id, secret)) =>
        {
            Ok(())
        }
        (true, Some(_)) => Err(ApiError::not_authorized(format!(
            "Unable to verify secret hash for client {}",
            client.id
        ))),
    }
}

/// Refuses users who may not sign in, before any password check (Cognito
/// reports UserNotConfirmed even for a wrong password).
pub(super) fn check_can_sign_in(pool: &Pool, username: &str, now: i64) -> ApiResult<()> {
    let user = &pool.users[username];
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    if user.locked_until > now {
        return Err(ApiError::not_authorized("Password attempts exceeded"));
    }
    if user.status == UserStatusType::ForceChangePassword
        && now > user.password_set_at + pool.temporary_password_validity_secs()
    {
        return Err(ApiError::not_authorized(
            "Temporary password has expired and must be reset by an administrator.",
        ));
    }
    match user.status {
        UserStatusType::Unconfirmed => Err(ApiError::new(
            "UserNotConfirmedException",
            "User is not confirmed.",
        )),
        UserStatusType::ResetRequired => Err(ApiError::new(
            "PasswordResetRequiredException",
            "Password reset required for the user",
        )),
        UserStatusType::ExternalProvider => Err(ApiError::invalid_parameter(
            "User is linked to an external provider and has no password",
        )),
        _ => Ok(()),
    }
}

impl UserPools {
    /// InitiateAuth / AdminInitiateAuth (`admin_pool`: AdminInitiateAuth's
    /// UserPoolId), up to the work done outside the lock. `session`:
    /// ConfirmSignUp's, for USER_AUTH.
    pub fn initiate_auth(
        &mut self,
        client_id: &str,
        admin_pool: Option<&str>,
        (flow, session): (AuthFlowType, Option<&str>),
        p: &Parameters,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthStep> {
        use AuthFlowType as F;
        if let (Some(typed), Some(password)) = (p.get("USERNAME"), p.get("PASSWORD")) {
            self.migrate_ahead(client_id, typed, Some(password), ctx)?;
        }
        let (pool, client) = self.client(client_id)?;
        if admin_pool.is_some_and(|id| id != pool.id) {
            return Err(super::client_not_found(client_id));
        }
        let admin = admin_pool.is_some();
        let allowed_as = match (admin, flow) {
            (_, F::UserSrpAuth) => "USER_SRP_AUTH",
            (_, F::RefreshTokenAuth | F::RefreshToken) => "REFRESH_TOKEN_AUTH",
            (false, F::UserPasswordAuth) => "USER_PASSWORD_AUTH",
            (true, F::AdminUserPasswordAuth | F::AdminNoSrpAuth) => "ADMIN_USER_PASSWORD_AUTH",
            (false, F::AdminUserPasswordAuth | F::AdminNoSrpAuth) | (true, F::UserPasswordAuth) => {
                return Err(ApiError::invalid_parameter(format!(
                    "Initiate Auth method not supported: {flow}"
                )));
            }
            (_, F::UserAuth) => "USER_AUTH",
            (_, F::CustomAuth) => "CUSTOM_AUTH",
        };
        let legacy = match allowed_as {
            "ADMIN_USER_PASSWORD_AUTH" => client.allows("ADMIN_NO_SRP_AUTH"),
            "CUSTOM_AUTH" => client.allows("CUSTOM_AUTH_FLOW_ONLY"),
            _ => false,
        };
        if !client.allows(allowed_as) && !legacy {
            return Err(ApiError::invalid_parameter(format!(
                "{allowed_as} flow not enabled for this client"
            )));
        }
        if allowed_as == "REFRESH_TOKEN_AUTH" {
            if client.rotates_refresh_tokens() {
                // AWS: rotation is done with GetTokensFromRefreshToken only.
                return Err(ApiError::invalid_parameter(
                    "REFRESH_TOKEN_AUTH flow not enabled for this client: refresh token rotation is on, use GetTokensFromRefreshToken",
                ));
            }
            let token = require(p, "REFRESH_TOKEN")?;
            let username = self
                .refresh_token_username(token, ctx.clock.unix())
                .unwrap_or_default()
                .to_owned();
            check_secret_hash(client, &username, p.get("SECRET_HASH").map(String::as_str))?;
            let device = p
                .get("DEVICE_KEY")
                .map(String::as_str)
                .filter(|k| !k.is_empty());
            let result = self.refresh(client, (token, device), ctx)?;
            self.touch_session(token, ctx.clock.unix());
            return Ok(AuthStep::Reply(AuthReply::Tokens(result)));
        }

        let typed = require(p, "USERNAME")?;
        check_secret_hash(client, typed, p.get("SECRET_HASH").map(String::as_str))?;
        let now = ctx.clock.unix();
        let pool_id = pool.id.clone();
        let hide_existence = client.prevents_user_existence_errors();
        let username = match pool.resolve(typed) {
            Some(u) => Some(u.to_owned()),
            None if hide_existence => None,
            None => return Err(user_not_found()),
        };
        if let Some(u) = &username {
            check_can_sign_in(pool, u, now)?;
        }
        if allowed_as == "USER_AUTH" {
            return self.start_user_auth((&pool_id, client_id), username, typed, session, p, ctx);
        }
        if allowed_as == "CUSTOM_AUTH" {
            return self.start_custom_auth((&pool_id, client_id), username, typed, p, ctx);
        }

        if allowed_as != "USER_SRP_AUTH" {
            // A password sign-in names its device up front.
            let presented_device = p.get("DEVICE_KEY").filter(|k| !k.is_empty()).cloned();
            let password = require(p, "PASSWORD")?;
            let Some(username) = username else {
                return Err(ApiError::incorrect_credentials());
            };
            if let Some(key) = &presented_device {
                pool.users[&username].devices.proof(key)?;
            }
            let mut check = PasswordCheck::new(pool, &username, client_id, password);
            check.device_key = presented_device;
            return Ok(AuthStep::CheckPassword(Box::new(check)));
        }

        let start = SrpStart::new(pool, client_id, username, typed, p)?;
        Ok(AuthStep::StartSrp(Box::new(start)))
    }

    /// Finishes USER_SRP_AUTH: the PASSWORD_VERIFIER challenge, and the
    /// pending sign-in its SECRET_BLOCK names.
    pub fn srp_started(
        &mut self,
        start: SrpStart,
        (session, user_id): (ServerSession, String),
        ctx: &Context<'_>,
    ) -> ApiResult<Box<InitiateAuthResponse>> {
        let now = ctx.clock.unix();
        let secret_block = STANDARD.encode(ctx.rng.bytes(64));
        let out = match &start.device {
            // DEVICE_PASSWORD_VERIFIER, with a Session as Cognito gives.
            Some(device_key) => challenge(
                ChallengeNameType::DevicePasswordVerifier,
                Some(STANDARD.encode(ctx.rng.bytes(48))),
                [
                    ("SALT", session.salt()),
                    ("SRP_B", session.srp_b()),
                    ("SECRET_BLOCK", secret_block.clone()),
                    ("USERNAME", user_id),
                    ("DEVICE_KEY", device_key.clone()),
                ],
            ),
            None => challenge(
                ChallengeNameType::PasswordVerifier,
                None,
                [
                    ("SALT", session.salt()),
                    ("SRP_B", session.srp_b()),
                    ("SECRET_BLOCK", secret_block.clone()),
                    ("USERNAME", user_id.clone()),
                    ("USER_ID_FOR_SRP", user_id),
                ],
            ),
        };
        self.pending_srp.insert(
            secret_block,
            PendingSrp {
                pool_id: start.pool_id,
                client_id: start.client_id,
                username: start.username,
                srp_a: start.srp_a,
                session,
                device: start.device,
                custom: start.custom,
            },
            now + CHALLENGE_LIFETIME_SECS,
            now,
        );
        Ok(out)
    }

    /// RespondToAuthChallenge and its Admin variant (`admin_pool`: its
    /// UserPoolId), up to the work done outside the lock.
    pub fn respond_to_auth_challenge(
        &mut self,
        client_id: &str,
        admin_pool: Option<&str>,
        challenge: ChallengeNameType,
        session: Option<&str>,
        r: &Parameters,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthStep> {
        let (pool, client) = self.client(client_id)?;
        if admin_pool.is_some_and(|id| id != pool.id) {
            return Err(super::client_not_found(client_id));
        }
        let username = require(r, "USERNAME")?;
        check_secret_hash(client, username, r.get("SECRET_HASH").map(String::as_str))?;
        match challenge {
            ChallengeNameType::PasswordVerifier => self.password_verifier(client_id, r, ctx),
            ChallengeNameType::DeviceSrpAuth => self.device_srp_auth(client_id, session, r, ctx),
            ChallengeNameType::DevicePasswordVerifier => {
                self.device_password_verifier(client_id, r, ctx)
            }
            ChallengeNameType::NewPasswordRequired => self
                .new_password_required(client_id, session, r, ctx)
                .map(AuthStep::Reply),
            ChallengeNameType::SelectChallenge
            | ChallengeNameType::Password
            | ChallengeNameType::PasswordSrp => {
                self.answer_first_factor(client_id, challenge, session, r, ctx)
            }
            ChallengeNameType::CustomChallenge => {
                self.answer_custom_challenge(client_id, session, r, ctx)
            }
            ChallengeNameType::WebAuthn => self
                .answer_web_authn(client_id, session, r, ctx)
                .map(AuthStep::Reply),
            ChallengeNameType::SmsMfa
            | ChallengeNameType::SmsOtp
            | ChallengeNameType::EmailOtp
            | ChallengeNameType::SoftwareTokenMfa
            | ChallengeNameType::SelectMfaType
            | ChallengeNameType::MfaSetup => self
                .answer_mfa_challenge(client_id, challenge, session, r, ctx)
                .map(AuthStep::Reply),
            other => Err(ApiError::new(
                "UnsupportedOperationException",
                format!("ChallengeName {other} is not implemented by this mock yet"),
            )),
        }
    }

    fn password_verifier(
        &mut self,
        client_id: &str,
        r: &Parameters,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthStep> {
        let (block, signature, timestamp) = claim_parameters(r)?;
        let now = ctx.clock.unix();
        // A device the user does not have is refused before the block is
        // spent: clients then forget the device and answer again without it.
        let named_device = r.get("DEVICE_KEY").filter(|k| !k.is_empty()).cloned();
        if let Some(key) = &named_device
            && let Some(pending) = self.pending_srp.get(block, now)
            && pending.device.is_none()
            && let Some(user) = pending
                .username
                .as_ref()
                .and_then(|u| self.pools.get(&pending.pool_id)?.users.get(u))
        {
            user.devices.proof(key)?;
        }
        // Single use: whatever the outcome, this secret block is spent.
        let pending = self
            .pending_srp
            .remove(block, now)
            .filter(|p| p.client_id == client_id && p.device.is_none())
            .ok_or_else(ApiError::incorrect_credentials)?;
        let Some(username) = pending.username.clone() else {
            return Err(ApiError::incorrect_credentials());
        };
        let pool = self.pool(&pending.pool_id)?;
        if !pool.users.contains_key(&username) {
            return Err(ApiError::incorrect_credentials());
        }
        // The answer must be for the user the challenge was given to (by
        // USER_ID_FOR_SRP or any name that resolves to it): a proof for one
        // user never signs in another.
        let typed = require(r, "USERNAME")?;
        if pool.resolve(typed) != Some(username.as_str()) {
            return Err(ApiError::incorrect_credentials());
        }
        check_can_sign_in(pool, &username, now)?;
        // The device is the one PASSWORD_VERIFIER's answer names (a client
        // that was told its device is unknown answers again without it).
        let device_key = named_device;
        Ok(AuthStep::CheckClaim(Box::new(ClaimCheck {
            pool_name: pool.pool_name(),
            pending,
            srp_user_id: username.clone(),
            username,
            device_key,
            secret_block: block.to_owned(),
            signature: signature.to_owned(),
            timestamp: timestamp.to_owned(),
        })))
    }

    /// Finishes PASSWORD_VERIFIER once the proof has been checked: counts
    /// the attempt, then tokens, the next challenge, or (CUSTOM_AUTH) the
    /// next round.
    pub fn claim_checked(
        &mut self,
        mut check: ClaimCheck,
        good: bool,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthStep> {
        let now = ctx.clock.unix();
        let pool_id = check.pending.pool_id.clone();
        // The user may have been deleted or disabled while the proof was checked.
        let pool = self.pool(&pool_id)?;
        if !pool.users.contains_key(&check.username) {
            return Err(ApiError::incorrect_credentials());
        }
        check_can_sign_in(pool, &check.username, now)?;
        if check.pending.device.is_some() {
            return self.device_checked(check, good, ctx).map(AuthStep::Reply);
        }
        self.record_attempt(&pool_id, &check.username, good, ctx)?;
        if let Some(history) = check.pending.custom.take() {
            let ids = (pool_id.as_str(), check.pending.client_id.as_str());
            return self.after_custom_password(ids, &check.username, history, ctx);
        }
        self.after_password(
            &pool_id,
            &check.pending.client_id,
            &check.username,
            check.device_key,
            ctx,
        )
        .map(AuthStep::Reply)
    }

    /// Finishes a password sign-in once the password has been checked:
    /// counts the attempt, then tokens or the next challenge.
    pub fn password_checked(
        &mut self,
        check: PasswordCheck,
        good: bool,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthReply> {
        self.record_checked_password(&check, good, ctx)?;
        self.after_password(
            &check.pool_id,
            &check.client_id,
            &check.username,
            check.device_key,
            ctx,
        )
    }

    /// Counts a checked password once the user is re-checked: they may
    /// have been deleted, disabled or given another password while it was
    /// checked (then the answer is refused and nothing is counted).
    pub(super) fn record_checked_password(
        &mut self,
        check: &PasswordCheck,
        good: bool,
        ctx: &Context<'_>,
    ) -> ApiResult<()> {
        let now = ctx.clock.unix();
        let pool = self.pool(&check.pool_id)?;
        let current = pool.users.get(&check.username);
        if current.is_none_or(|u| u.verifier != check.verifier) {
            return Err(ApiError::incorrect_credentials());
        }
        check_can_sign_in(pool, &check.username, now)?;
        self.record_attempt(&check.pool_id, &check.username, good, ctx)
    }

    /// Counts a password attempt: success resets the count; the fifth
    /// failure in a row locks the user out for a while.
    pub(super) fn record_attempt(
        &mut self,
        pool_id: &str,
        username: &str,
        good: bool,
        ctx: &Context<'_>,
    ) -> ApiResult<()> {
        let now = ctx.clock.unix();
        if !good {
            let challenges = super::auth_events::Challenges {
                password: Some(false),
                mfa: None,
            };
            let kind = super::auth_events::EventKind::SignIn;
            self.record_auth_event(pool_id, username, kind, Some(false), challenges, ctx);
        }
        let user = self.user_entry_mut(pool_id, username)?;
        if good {
            user.failed_sign_ins = 0;
            return Ok(());
        }
        user.failed_sign_ins += 1;
        if user.failed_sign_ins >= MAX_FAILED_SIGN_INS {
            user.failed_sign_ins = 0;
            user.locked_until = now + LOCKOUT_SECS;
        }
        Err(ApiError::incorrect_credentials())
    }

    /// A proven password: the NEW_PASSWORD_REQUIRED challenge, or what the
    /// pool's MFA calls for (tokens, or a second factor).
    fn after_password(
        &mut self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        device_key: Option<String>,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthReply> {
        let pool = self.pool(pool_id)?;
        let user = pool.users.get(username).ok_or_else(user_not_found)?;
        if user.status == UserStatusType::ForceChangePassword {
            // The challenge carries the attributes as a JSON document in a string.
            let attributes: BTreeMap<&str, &str> = user
                .attributes
                .iter()
                .filter(|(k, _)| !k.ends_with("_verified"))
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let attributes = serde_json::to_string(&attributes)
                .map_err(|e| ApiError::new("InternalErrorException", e.to_string()))?;
            let required =
                serde_json::to_string(&pool.missing_required_attributes(&user.attributes))
                    .map_err(|e| ApiError::new("InternalErrorException", e.to_string()))?;
            let session = self.start_new_password_challenge(pool_id, client_id, username, ctx);
            let parameters = [
                ("USER_ID_FOR_SRP", username.to_owned()),
                ("requiredAttributes", required),
                ("userAttributes", attributes),
            ];
            return Ok(AuthReply::Challenge(challenge(
                ChallengeNameType::NewPasswordRequired,
                Some(session),
                parameters,
            )));
        }
        if let Some(device_key) = device_key {
            // The device is proven next (DEVICE_SRP_AUTH).
            user.devices.proof(&device_key)?;
            let session = STANDARD.encode(ctx.rng.bytes(48));
            let now = ctx.clock.unix();
            self.pending_challenges.insert(
                session.clone(),
                PendingChallenge {
                    pool_id: pool_id.to_owned(),
                    client_id: client_id.to_owned(),
                    username: username.to_owned(),
                    awaiting: Awaiting::DeviceSrp { device_key },
                    device_key: None,
                },
                now + CHALLENGE_LIFETIME_SECS,
                now,
            );
            return Ok(AuthReply::Challenge(challenge(
                ChallengeNameType::DeviceSrpAuth,
                Some(session),
                [("USERNAME", username.to_owned())],
            )));
        }
        self.second_factor(pool_id, client_id, username, ctx)
    }

    /// Takes the pending challenge `session` names for `client_id` and
    /// the user `typed` names; the generic expired-session refusal
    /// otherwise. Spent whatever the outcome.
    pub(super) fn take_challenge(
        &mut self,
        client_id: &str,
        session: Option<&str>,
        typed: &str,
        ctx: &Context<'_>,
    ) -> ApiResult<PendingChallenge> {
        let now = ctx.clock.unix();
        let pending = session
            .filter(|s| !s.is_empty())
            .and_then(|s| self.pending_challenges.remove(s, now))
            .filter(|p| p.client_id == client_id)
            .ok_or_else(invalid_session)?;
        let pool = self.pool(&pending.pool_id)?;
        let decoy = pending.awaiting.is_decoy();
        let same_user = if decoy {
            pending.username == typed
        } else {
            pool.resolve(typed) == Some(pending.username.as_str())
        };
        if !same_user {
            return Err(invalid_session());
        }
        if !decoy {
            check_can_sign_in(pool, &pending.username, now)?;
        }
        Ok(pending)
    }

    /// DEVICE_SRP_AUTH: the device's SRP starts (its B is computed outside
    /// the lock, then `srp_started` answers DEVICE_PASSWORD_VERIFIER).
    fn device_srp_auth(
        &mut self,
        client_id: &str,
        session: Option<&str>,
        r: &Parameters,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthStep> {
        let pending = self.take_challenge(client_id, session, require(r, "USERNAME")?, ctx)?;
        let Awaiting::DeviceSrp { device_key } = &pending.awaiting else {
            return Err(invalid_session());
        };
        if require(r, "DEVICE_KEY")? != device_key {
            return Err(invalid_session());
        }
        let pool = self.pool(&pending.pool_id)?;
        let srp_a = require(r, "SRP_A")?.to_owned();
        check_srp_a(&srp_a)?;
        let proof = pool.users[&pending.username].devices.proof(device_key)?;
        Ok(AuthStep::StartSrp(Box::new(SrpStart {
            pool_id: pending.pool_id.clone(),
            pool_name: proof.pool_name,
            client_id: client_id.to_owned(),
            username: Some(pending.username.clone()),
            typed: pending.username.clone(),
            srp_a,
            verifier: Some(proof.verifier),
            device: Some(proof.device_key),
            custom: None,
        })))
    }

    /// DEVICE_PASSWORD_VERIFIER: the device's proof, checked outside the
    /// lock like a password's.
    fn device_password_verifier(
        &mut self,
        client_id: &str,
        r: &Parameters,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthStep> {
        let (block, signature, timestamp) = claim_parameters(r)?;
        let device_key = require(r, "DEVICE_KEY")?;
        let now = ctx.clock.unix();
        let pending = self
            .pending_srp
            .remove(block, now)
            .filter(|p| p.client_id == client_id && p.device.as_deref() == Some(device_key))
            .ok_or_else(ApiError::incorrect_credentials)?;
        let username = pending
            .username
            .clone()
            .ok_or_else(ApiError::incorrect_credentials)?;
        let pool = self.pool(&pending.pool_id)?;
        let user = pool
            .users
            .get(&username)
            .ok_or_else(ApiError::incorrect_credentials)?;
        if pool.resolve(require(r, "USERNAME")?) != Some(username.as_str()) {
            return Err(ApiError::incorrect_credentials());
        }
        check_can_sign_in(pool, &username, now)?;
        let proof = user.devices.proof(device_key)?;
        Ok(AuthStep::CheckClaim(Box::new(ClaimCheck {
            pool_name: proof.pool_name,
            srp_user_id: device_key.to_owned(),
            device_key: Some(device_key.to_owned()),
            pending,
            username,
            secret_block: block.to_owned(),
            signature: signature.to_owned(),
            timestamp: timestamp.to_owned(),
        })))
    }

    /// Finishes DEVICE_PASSWORD_VERIFIER once the proof is checked: a
    /// remembered device signs in without a second factor; another one
    /// goes on to the factor the pool calls for.
    fn device_checked(
        &mut self,
        check: ClaimCheck,
        good: bool,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthReply> {
        if !good {
            return Err(ApiError::incorrect_credentials());
        }
        let device_key = check.device_key.unwrap_or_default();
        let pool_id = check.pending.pool_id;
        let now = ctx.clock.unix();
        let user = self.user_entry_mut(&pool_id, &check.username)?;
        user.devices.authenticated(&device_key, now);
        let remembered = user.devices.is_remembered(&device_key);
        let signed_in = super::mfa::SignedIn {
            pool_id: pool_id.clone(),
            client_id: check.pending.client_id.clone(),
            username: check.username.clone(),
            mfa: false,
            device_key: Some(device_key.clone()),
        };
        let gate = if remembered {
            super::mfa::MfaGate::Passed(signed_in)
        } else {
            let gate = self.mfa_gate(&pool_id, &signed_in.client_id, &check.username, ctx)?;
            self.carry_device(gate, Some(device_key), now)
        };
        self.reply_to(gate, ctx)
    }

    /// Opens a NEW_PASSWORD_REQUIRED challenge; returns its Session.
    pub(super) fn start_new_password_challenge(
        &mut self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        ctx: &Context<'_>,
    ) -> String {
        let session = STANDARD.encode(ctx.rng.bytes(48));
        let now = ctx.clock.unix();
        self.pending_challenges.insert(
            session.clone(),
            PendingChallenge {
                pool_id: pool_id.to_owned(),
                client_id: client_id.to_owned(),
                username: username.to_owned(),
                awaiting: Awaiting::NewPassword,
                device_key: None,
            },
            now + CHALLENGE_LIFETIME_SECS,
            now,
        );
        session
    }

    fn new_password_required(
        &mut self,
        client_id: &str,
        session: Option<&str>,
        r: &Parameters,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthReply> {
        let new_password = require(r, "NEW_PASSWORD")?;
        let updates: Vec<(String, String)> = r
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("userAttributes.")?.to_owned(), v.clone())))
            .collect();
        let typed = Some(r.get("USERNAME").map(String::as_str).unwrap_or_default());
        let (pool_id, username) =
            self.set_required_password(client_id, session, typed, new_password, updates, ctx)?;
        self.after_password(&pool_id, client_id, &username, None, ctx)
    }

    /// The (pool id, username) a NEW_PASSWORD_REQUIRED session is for.
    pub(super) fn new_password_challenge(&self, session: &str, now: i64) -> Option<(&str, &str)> {
        self.pending_challenges
            .get(session, now)
            .filter(|p| matches!(p.awaiting, Awaiting::NewPassword))
            .map(|p| (p.pool_id.as_str(), p.username.as_str()))
    }

    /// Answers a NEW_PASSWORD_REQUIRED challenge (single use): sets the
    /// password and attributes and confirms the user. `typed`, when given,
    /// must name the challenged user. Returns (pool id, username).
    pub(super) fn set_required_password(
        &mut self,
        client_id: &str,
        session: Option<&str>,
        typed: Option<&str>,
        new_password: &str,
        updates: Vec<(String, String)>,
        ctx: &Context<'_>,
    ) -> ApiResult<(String, String)> {
        let now = ctx.clock.unix();
        let pending = session
            .and_then(|s| self.pending_challenges.remove(s, now))
            .filter(|p| matches!(p.awaiting, Awaiting::NewPassword))
            .ok_or_else(invalid_session)?;
        let pool = self.pool_mut(&pending.pool_id)?;
        let same_user = typed.is_none_or(|u| pool.resolve(u) == Some(pending.username.as_str()));
        if pending.client_id != client_id || !same_user {
            return Err(invalid_session());
        }
        let verifier = pool.make_verifier(ctx, &pending.username, new_password)?;
        pool.check_password_reuse(&pending.username, new_password, ctx)?;
        pool.update_attributes(&pending.username, updates, super::schema::Writer::User, now)?;
        pool.replace_verifier(&pending.username, verifier, now)?;
        let user = pool
            .users
            .get_mut(&pending.username)
            .ok_or_else(user_not_found)?;
        user.status = UserStatusType::Confirmed;
        user.modified = now;
        Ok((pending.pool_id, pending.username))
    }
}

/// The refusal of a challenge answer whose Session is unknown, expired,
/// spent, another client's or another user's.
pub(super) fn invalid_session() -> ApiError {
    ApiError::not_authorized("Invalid session for the user, session is expired.")
}

/// Refuses an SRP_A that is not a usable SRP value (0 mod N, too long).
fn check_srp_a(srp_a: &str) -> ApiResult<()> {
    let a = cognito_srp::decode_hex(srp_a)
        .map_err(|e| ApiError::invalid_parameter(format!("SRP_A: {e}")))?;
    if a.len() > 384
        || a.iter().all(|&b| b == 0)
        || srp_a
            .trim_start_matches('0')
            .eq_ignore_ascii_case(cognito_srp::N_HEX)
    {
        return Err(ApiError::invalid_parameter(
            "SRP_A is not a valid SRP value",
        ));
    }
    Ok(())
}

/// For an unknown user when user-existence errors are prevented: a challenge
/// that looks like a real one (a salt and user id stable per typed name) but
/// whose answer always fails. Nothing about it reveals that the user is missing.
fn decoy_challenge(
    pool_id: &str,
    pool_name: &PoolName,
    typed: &str,
    rng: &crate::ids::Randomness,
) -> ApiResult<(ServerSession, String)> {
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("{pool_id}\0{typed}").as_bytes(),
    );
    let d = digest.as_ref();
    let user_id = uuid::Uuid::from_slice(&d[..16])
        .map(|u| u.to_string())
        .unwrap_or_default();
    let random_password = Password::new(STANDARD.encode(rng.bytes(32)));
    let verifier = expensive(|| {
        Verifier::with_salt(&d[16..32], pool_name, &user_id, &random_password).or_else(|_| {
            Verifier::generate(&mut rng.crypto_rng(), pool_name, &user_id, &random_password)
        })
    })
    .map_err(|e| ApiError::invalid_parameter(e.to_string()))?;
    Ok((
        ServerSession::start(&mut rng.crypto_rng(), &verifier),
        user_id,
    ))
}
