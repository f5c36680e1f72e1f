//! Signing in to a user pool: SRP (the default), USER_PASSWORD_AUTH,
//! choice-based sign-in (USER_AUTH, in [`user_auth`]), refresh, and the
//! challenges that may follow, as typed next steps; remembered devices and
//! device SRP are in [`devices`].

mod devices;
mod user_auth;

pub use user_auth::FirstFactor;

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::time::{Duration, SystemTime};

use cognito_srp::{
    CognitoTimestamp, DeviceSecret, PasswordVerifierChallenge, PoolName, SrpClient, secret_hash,
};

use crate::clock::Clock;
use crate::error::FlowError;
use crate::ids::{ClientId, UserPoolId};
use crate::secret::{AccessToken, ClientSecret, IdToken, Password, RefreshToken};
use crate::transport::{
    AuthFlow, AuthResponse, ChallengeName, InitiateAuthRequest, NewDeviceMetadata,
    RespondToAuthChallengeRequest, UserPoolApi,
};

/// Tokens from a user-pool sign-in.
#[derive(Debug, Clone)]
pub struct UserPoolTokens {
    /// The ID token: what identity pools accept as a login.
    pub id_token: IdToken,
    /// The access token: for the user-pool API (GetUser, …).
    pub access_token: AccessToken,
    /// The refresh token (kept from the sign-in when a refresh returns none).
    pub refresh_token: Option<RefreshToken>,
    /// When the access token expires.
    pub expires_at: SystemTime,
    /// The internal username (`cognito:username`), which SECRET_HASH on
    /// refresh must be computed over.
    pub username: Option<String>,
    /// The device the pool gave this sign-in, to confirm and remember with
    /// [`UserPoolClient::remember_device`] (None on a known device, or when
    /// the pool does not track devices).
    pub new_device: Option<NewDeviceMetadata>,
}

impl UserPoolTokens {
    /// When the ID token expires (its `exp`), if readable.
    pub fn id_token_expiry(&self) -> Option<SystemTime> {
        let exp = cognito_wire::jwt::expiry_unverified(self.id_token.expose_secret())?;
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(exp).ok()?))
    }
}

/// What a sign-in step produced.
#[derive(Debug, Clone)]
pub enum SignInResult {
    /// Signed in.
    SignedIn(UserPoolTokens),
    /// Another step is needed.
    NextStep(NextStep),
}

/// A challenge, with what answering it needs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum NextStep {
    /// The password is temporary: set a new one.
    NewPasswordRequired {
        /// The challenge state to answer with.
        challenge: Challenge,
        /// Attributes the pool requires (without the `userAttributes.` prefix).
        required_attributes: Vec<String>,
    },
    /// A code was sent by SMS.
    SmsMfa {
        /// The challenge state to answer with.
        challenge: Challenge,
        /// Where the code went (masked).
        destination: Option<String>,
    },
    /// A code from an authenticator app is needed.
    SoftwareTokenMfa {
        /// The challenge state to answer with.
        challenge: Challenge,
    },
    /// The device must prove itself (device SRP): answered by
    /// [`UserPoolClient::respond_device_srp`] with the client's device.
    DeviceSrpAuth {
        /// The challenge state to answer with.
        challenge: Challenge,
    },
    /// A code was sent by email (EMAIL_OTP: a second factor, or
    /// choice-based sign-in's passwordless factor).
    EmailOtp {
        /// The challenge state to answer with.
        challenge: Challenge,
        /// Where the code went (masked).
        destination: Option<String>,
    },
    /// Choice-based sign-in's passwordless code by text message (SMS_OTP).
    SmsOtp {
        /// The challenge state to answer with.
        challenge: Challenge,
        /// Where the code went (masked).
        destination: Option<String>,
    },
    /// Choice-based sign-in asks which first factor to use
    /// (SELECT_CHALLENGE): answer with [`UserPoolClient::select_factor`].
    SelectChallenge {
        /// The challenge state to answer with.
        challenge: Challenge,
        /// The factors offered (AvailableChallenges).
        available: Vec<ChallengeName>,
    },
    /// Choice-based sign-in asks for the password (a PASSWORD or
    /// PASSWORD_SRP challenge): answer with [`UserPoolClient::select_factor`].
    Password {
        /// The challenge state to answer with.
        challenge: Challenge,
    },
    /// Any other challenge, as the service named it.
    Other {
        /// The challenge state.
        challenge: Challenge,
    },
}

/// The state of a pending challenge.
#[derive(Clone)]
pub struct Challenge {
    /// ChallengeName.
    pub name: ChallengeName,
    /// Session.
    pub session: Option<String>,
    /// ChallengeParameters.
    pub parameters: HashMap<String, String>,
    /// The username the challenge is for (USER_ID_FOR_SRP / USERNAME).
    pub username: String,
}

impl fmt::Debug for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The session is a bearer credential for the next step.
        f.debug_struct("Challenge")
            .field("name", &self.name)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Answers the challenges a sign-in may meet: a CLI asks at the terminal,
/// an app shows a form. See [`UserPoolClient::finish_sign_in`].
pub trait ChallengeAnswers: Send {
    /// A new password for a temporary one, and a value for each attribute
    /// the pool requires (named without the `userAttributes.` prefix).
    fn new_password(
        &mut self,
        required_attributes: &[String],
    ) -> impl Future<Output = Result<(Password, Vec<(String, String)>), FlowError>> + Send;

    /// A code: for `SMS_MFA`, `SMS_OTP` or `EMAIL_OTP` (sent to
    /// `destination`, masked) or `SOFTWARE_TOKEN_MFA` (from an
    /// authenticator app).
    fn mfa_code(
        &mut self,
        challenge: &ChallengeName,
        destination: Option<&str>,
    ) -> impl Future<Output = Result<String, FlowError>> + Send;

    /// Choice-based sign-in's first factor, one of `available`. Answerers
    /// that cannot choose refuse.
    fn first_factor(
        &mut self,
        available: &[ChallengeName],
    ) -> impl Future<Output = Result<FirstFactor, FlowError>> + Send {
        let offered = available
            .iter()
            .map(ChallengeName::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        async move {
            Err(FlowError::Unsupported(format!(
                "the sign-in offers a choice of first factor ({offered}) and nobody chooses"
            )))
        }
    }

    /// The password, when a chosen first factor needs it.
    fn password(&mut self) -> impl Future<Output = Result<Password, FlowError>> + Send {
        async {
            Err(FlowError::Unsupported(
                "the sign-in asks for a password and nobody gives it".into(),
            ))
        }
    }
}

/// An app client of a user pool, and how to reach it.
#[derive(Debug, Clone)]
pub struct UserPoolClient<T> {
    transport: T,
    pool_id: UserPoolId,
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    clock: Clock,
    /// A remembered device this client signs in on.
    device: Option<DeviceSecret>,
}

impl<T: UserPoolApi> UserPoolClient<T> {
    /// A public app client (no secret).
    pub fn new(transport: T, pool_id: UserPoolId, client_id: ClientId) -> Self {
        UserPoolClient {
            transport,
            pool_id,
            client_id,
            client_secret: None,
            clock: Clock::default(),
            device: None,
        }
    }

    /// Adds the client secret: SECRET_HASH is then sent on every call.
    pub fn with_client_secret(mut self, secret: ClientSecret) -> Self {
        self.client_secret = Some(secret);
        self
    }

    /// Uses another clock (for SRP timestamps and token expiry).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The pool.
    pub fn pool_id(&self) -> &UserPoolId {
        &self.pool_id
    }

    /// The app client id.
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    fn secret_hash(&self, username: &str) -> Option<String> {
        self.client_secret
            .as_ref()
            .map(|s| secret_hash(username, self.client_id.as_str(), s.expose_secret()))
    }

    fn with_secret_hash(
        &self,
        mut params: HashMap<String, String>,
        username: &str,
    ) -> HashMap<String, String> {
        if let Some(hash) = self.secret_hash(username) {
            params.insert("SECRET_HASH".to_owned(), hash);
        }
        params
    }

    /// Signs in with SRP (USER_SRP_AUTH, then PASSWORD_VERIFIER): the
    /// password never leaves this process.
    pub async fn sign_in_srp(
        &self,
        username: &str,
        password: &Password,
    ) -> Result<SignInResult, FlowError> {
        let srp = SrpClient::new(&mut rand_core::UnwrapErr(getrandom::SysRng));
        let params = HashMap::from([
            ("USERNAME".to_owned(), username.to_owned()),
            ("SRP_A".to_owned(), srp.srp_a()),
        ]);
        let response = self
            .transport
            .initiate_auth(InitiateAuthRequest {
                client_id: self.client_id.clone(),
                auth_flow: AuthFlow::UserSrpAuth,
                auth_parameters: self.with_secret_hash(params, username),
            })
            .await?;
        self.answer_password_verifier(&srp, response, username, password)
            .await
    }

    /// Answers the PASSWORD_VERIFIER challenge `response` holds (any
    /// other answer is interpreted as it is) with the proof for `password`
    /// and the SRP_A `srp` sent, naming the client's device if it has one.
    async fn answer_password_verifier(
        &self,
        srp: &SrpClient,
        response: AuthResponse,
        username: &str,
        password: &Password,
    ) -> Result<SignInResult, FlowError> {
        if response.challenge_name != Some(ChallengeName::PasswordVerifier) {
            return self.interpret(response, username);
        }
        let challenge = PasswordVerifierChallenge::from_parameters(&response.challenge_parameters)?;
        let pool = PoolName::from_user_pool_id(self.pool_id.as_str())?;
        let timestamp = CognitoTimestamp::from_system_time(self.clock.now())
            .ok_or_else(|| FlowError::invalid_input("the clock is before 1970"))?;
        let claim = srp.answer_password_verifier(&pool, &challenge, password, timestamp)?;
        // SECRET_HASH here is over the challenge's USERNAME (the internal name).
        let mut responses = claim.challenge_responses(None);
        if let Some(hash) = self.secret_hash(&claim.username) {
            responses.insert("SECRET_HASH".to_owned(), hash);
        }
        if let Some(device) = &self.device {
            responses.insert("DEVICE_KEY".to_owned(), device.device_key().to_owned());
        }
        let response = self
            .transport
            .respond_to_auth_challenge(RespondToAuthChallengeRequest {
                client_id: self.client_id.clone(),
                challenge_name: ChallengeName::PasswordVerifier,
                session: response.session,
                challenge_responses: responses,
            })
            .await?;
        self.interpret(response, &challenge.user_id_for_srp)
    }

    /// Signs in with USER_PASSWORD_AUTH (the password goes to the service;
    /// the app client must allow this flow).
    pub async fn sign_in_password(
        &self,
        username: &str,
        password: &Password,
    ) -> Result<SignInResult, FlowError> {
        let mut params = HashMap::from([
            ("USERNAME".to_owned(), username.to_owned()),
            ("PASSWORD".to_owned(), password.expose_secret().to_owned()),
        ]);
        if let Some(device) = &self.device {
            params.insert("DEVICE_KEY".to_owned(), device.device_key().to_owned());
        }
        let response = self
            .transport
            .initiate_auth(InitiateAuthRequest {
                client_id: self.client_id.clone(),
                auth_flow: AuthFlow::UserPasswordAuth,
                auth_parameters: self.with_secret_hash(params, username),
            })
            .await?;
        self.interpret(response, username)
    }

    /// New ID and access tokens from a refresh token. `username` is the
    /// internal username, needed for SECRET_HASH when the client has a secret.
    pub async fn refresh(
        &self,
        refresh_token: &RefreshToken,
        username: Option<&str>,
    ) -> Result<UserPoolTokens, FlowError> {
        let mut params = HashMap::from([(
            "REFRESH_TOKEN".to_owned(),
            refresh_token.expose_secret().to_owned(),
        )]);
        if self.client_secret.is_some() {
            let username = username.ok_or_else(|| {
                FlowError::invalid_input("refreshing for a client with a secret needs the username")
            })?;
            params = self.with_secret_hash(params, username);
        }
        let response = self
            .transport
            .initiate_auth(InitiateAuthRequest {
                client_id: self.client_id.clone(),
                auth_flow: AuthFlow::RefreshTokenAuth,
                auth_parameters: params,
            })
            .await?;
        match self.interpret(response, username.unwrap_or_default())? {
            SignInResult::SignedIn(mut tokens) => {
                if tokens.refresh_token.is_none() {
                    tokens.refresh_token = Some(refresh_token.clone());
                }
                Ok(tokens)
            }
            SignInResult::NextStep(step) => Err(FlowError::protocol(format!(
                "refresh answered with a challenge: {step:?}"
            ))),
        }
    }

    /// Answers NEW_PASSWORD_REQUIRED (with any required attributes).
    pub async fn respond_new_password(
        &self,
        challenge: &Challenge,
        new_password: &Password,
        attributes: &[(&str, &str)],
    ) -> Result<SignInResult, FlowError> {
        if challenge.name != ChallengeName::NewPasswordRequired {
            return Err(FlowError::invalid_input(format!(
                "{} is not a NEW_PASSWORD_REQUIRED challenge",
                challenge.name
            )));
        }
        let mut responses = HashMap::from([
            ("USERNAME".to_owned(), challenge.username.clone()),
            (
                "NEW_PASSWORD".to_owned(),
                new_password.expose_secret().to_owned(),
            ),
        ]);
        for (name, value) in attributes {
            responses.insert(format!("userAttributes.{name}"), (*value).to_owned());
        }
        self.respond(challenge, responses).await
    }

    /// Answers SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP or SMS_OTP with the
    /// code.
    pub async fn respond_mfa(
        &self,
        challenge: &Challenge,
        code: &str,
    ) -> Result<SignInResult, FlowError> {
        let key = match &challenge.name {
            ChallengeName::SmsMfa => "SMS_MFA_CODE",
            ChallengeName::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA_CODE",
            ChallengeName::EmailOtp => "EMAIL_OTP_CODE",
            ChallengeName::SmsOtp => "SMS_OTP_CODE",
            other => {
                return Err(FlowError::invalid_input(format!(
                    "{other} is not an MFA challenge"
                )));
            }
        };
        let responses = HashMap::from([
            ("USERNAME".to_owned(), challenge.username.clone()),
            (key.to_owned(), code.to_owned()),
        ]);
        self.respond(challenge, responses).await
    }

    /// Follows a sign-in through its challenges (new password, an SMS,
    /// email or TOTP code, choice-based sign-in's factor and password),
    /// asking `answers` for each, and device SRP with the client's device,
    /// until it has tokens. A challenge this client cannot answer (custom,
    /// MFA set-up, passkeys, device SRP without a device) is an error
    /// naming it.
    pub async fn finish_sign_in(
        &self,
        mut result: SignInResult,
        answers: &mut impl ChallengeAnswers,
    ) -> Result<UserPoolTokens, FlowError> {
        loop {
            result = match result {
                SignInResult::SignedIn(tokens) => return Ok(tokens),
                SignInResult::NextStep(NextStep::NewPasswordRequired {
                    challenge,
                    required_attributes,
                }) => {
                    let (password, attributes) = answers.new_password(&required_attributes).await?;
                    let pairs: Vec<(&str, &str)> = attributes
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    self.respond_new_password(&challenge, &password, &pairs)
                        .await?
                }
                SignInResult::NextStep(NextStep::SmsMfa {
                    challenge,
                    destination,
                }) => {
                    let code = answers
                        .mfa_code(&challenge.name, destination.as_deref())
                        .await?;
                    self.respond_mfa(&challenge, &code).await?
                }
                SignInResult::NextStep(
                    NextStep::EmailOtp {
                        challenge,
                        destination,
                    }
                    | NextStep::SmsOtp {
                        challenge,
                        destination,
                    },
                ) => {
                    let code = answers
                        .mfa_code(&challenge.name, destination.as_deref())
                        .await?;
                    self.respond_mfa(&challenge, &code).await?
                }
                SignInResult::NextStep(NextStep::SoftwareTokenMfa { challenge }) => {
                    let code = answers.mfa_code(&challenge.name, None).await?;
                    self.respond_mfa(&challenge, &code).await?
                }
                SignInResult::NextStep(NextStep::SelectChallenge {
                    challenge,
                    available,
                }) => {
                    let factor = answers.first_factor(&available).await?;
                    let password = match factor.needs_password() {
                        true => Some(answers.password().await?),
                        false => None,
                    };
                    self.select_factor(&challenge, factor, password.as_ref())
                        .await?
                }
                SignInResult::NextStep(NextStep::Password { challenge }) => {
                    let factor = FirstFactor::from_challenge(&challenge.name)
                        .ok_or_else(|| FlowError::protocol("not a password challenge"))?;
                    let password = answers.password().await?;
                    self.select_factor(&challenge, factor, Some(&password))
                        .await?
                }
                SignInResult::NextStep(NextStep::DeviceSrpAuth { challenge })
                    if self.device.is_some() =>
                {
                    self.respond_device_srp(&challenge).await?
                }
                SignInResult::NextStep(
                    NextStep::DeviceSrpAuth { challenge } | NextStep::Other { challenge },
                ) => {
                    return Err(FlowError::Unsupported(format!(
                        "the sign-in asks for a {} challenge, which this client cannot answer",
                        challenge.name
                    )));
                }
            };
        }
    }

    async fn respond(
        &self,
        challenge: &Challenge,
        responses: HashMap<String, String>,
    ) -> Result<SignInResult, FlowError> {
        let response = self.answer(challenge, responses).await?;
        self.interpret(response, &challenge.username)
    }

    /// RespondToAuthChallenge for `challenge` with `responses` (and the
    /// SECRET_HASH over the challenge's user): the service's answer.
    async fn answer(
        &self,
        challenge: &Challenge,
        responses: HashMap<String, String>,
    ) -> Result<AuthResponse, FlowError> {
        let responses = self.with_secret_hash(responses, &challenge.username);
        self.transport
            .respond_to_auth_challenge(RespondToAuthChallengeRequest {
                client_id: self.client_id.clone(),
                challenge_name: challenge.name.clone(),
                session: challenge.session.clone(),
                challenge_responses: responses,
            })
            .await
    }

    /// Turns a service answer into tokens or a typed next step.
    fn interpret(&self, response: AuthResponse, username: &str) -> Result<SignInResult, FlowError> {
        if let Some(result) = response.authentication_result {
            let claims = cognito_wire::jwt::claims_unverified(result.id_token.expose_secret());
            let internal = claims
                .as_ref()
                .and_then(|c| c.get("cognito:username")?.as_str().map(str::to_owned))
                .or_else(|| (!username.is_empty()).then(|| username.to_owned()));
            let expires_in = u64::try_from(result.expires_in.max(0)).unwrap_or(0);
            return Ok(SignInResult::SignedIn(UserPoolTokens {
                id_token: result.id_token,
                access_token: result.access_token,
                refresh_token: result.refresh_token,
                expires_at: self.clock.now() + Duration::from_secs(expires_in),
                username: internal,
                new_device: result.new_device,
            }));
        }
        let name = response
            .challenge_name
            .ok_or_else(|| FlowError::protocol("neither tokens nor a challenge in the answer"))?;
        let username = response
            .challenge_parameters
            .get("USER_ID_FOR_SRP")
            .or_else(|| response.challenge_parameters.get("USERNAME"))
            .cloned()
            .unwrap_or_else(|| username.to_owned());
        let challenge = Challenge {
            name: name.clone(),
            session: response.session,
            parameters: response.challenge_parameters,
            username,
        };
        let destination = challenge
            .parameters
            .get("CODE_DELIVERY_DESTINATION")
            .cloned();
        let step = match name {
            ChallengeName::NewPasswordRequired => {
                let required = challenge
                    .parameters
                    .get("requiredAttributes")
                    .and_then(|r| serde_json::from_str::<Vec<String>>(r).ok())
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| a.trim_start_matches("userAttributes.").to_owned())
                    .collect();
                NextStep::NewPasswordRequired {
                    challenge,
                    required_attributes: required,
                }
            }
            ChallengeName::SmsMfa => NextStep::SmsMfa {
                challenge,
                destination,
            },
            ChallengeName::EmailOtp => NextStep::EmailOtp {
                challenge,
                destination,
            },
            ChallengeName::SmsOtp => NextStep::SmsOtp {
                challenge,
                destination,
            },
            ChallengeName::SelectChallenge => NextStep::SelectChallenge {
                challenge,
                available: response.available_challenges,
            },
            ChallengeName::Password | ChallengeName::PasswordSrp => {
                NextStep::Password { challenge }
            }
            ChallengeName::SoftwareTokenMfa => NextStep::SoftwareTokenMfa { challenge },
            ChallengeName::DeviceSrpAuth => NextStep::DeviceSrpAuth { challenge },
            _ => NextStep::Other { challenge },
        };
        Ok(SignInResult::NextStep(step))
    }
}
