//! What the flows need from the network, at the level of Cognito operations.
//!
//! `sdk-transport` implements these with the AWS SDK for Rust; tests
//! implement them in memory. Requests and responses are plain data.

use std::collections::HashMap;
use std::future::Future;
use std::time::SystemTime;

use crate::error::FlowError;
use crate::ids::{ClientId, IdentityId, IdentityPoolId};
use crate::logins::Logins;
use crate::secret::{
    AccessToken, IdToken, ProviderToken, RefreshToken, SecretAccessKey, SessionToken,
};

pub use cognito_wire::{AuthFlow, ChallengeName};

/// InitiateAuth.
#[derive(Debug, Clone)]
pub struct InitiateAuthRequest {
    /// ClientId.
    pub client_id: ClientId,
    /// AuthFlow.
    pub auth_flow: AuthFlow,
    /// AuthParameters (may hold secrets: never log them).
    pub auth_parameters: HashMap<String, String>,
}

/// RespondToAuthChallenge.
#[derive(Debug, Clone)]
pub struct RespondToAuthChallengeRequest {
    /// ClientId.
    pub client_id: ClientId,
    /// ChallengeName.
    pub challenge_name: ChallengeName,
    /// Session, when the challenge came with one.
    pub session: Option<String>,
    /// ChallengeResponses (may hold secrets: never log them).
    pub challenge_responses: HashMap<String, String>,
}

/// Tokens from `AuthenticationResult`.
#[derive(Debug, Clone)]
pub struct AuthenticationResult {
    /// IdToken.
    pub id_token: IdToken,
    /// AccessToken.
    pub access_token: AccessToken,
    /// RefreshToken (absent on refresh unless rotation is on).
    pub refresh_token: Option<RefreshToken>,
    /// ExpiresIn, seconds.
    pub expires_in: i64,
    /// NewDeviceMetadata: the pool tracks devices and this sign-in was on
    /// a new one, to confirm (and remember) with
    /// [`UserPoolApi::confirm_device`].
    pub new_device: Option<NewDeviceMetadata>,
}

/// `NewDeviceMetadata` of an `AuthenticationResult`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeviceMetadata {
    /// DeviceKey (`<region>_<uuid>`).
    pub device_key: String,
    /// DeviceGroupKey: the device SRP's "pool name".
    pub device_group_key: String,
}

/// ConfirmDevice.
#[derive(Debug, Clone)]
pub struct ConfirmDeviceRequest {
    /// AccessToken of the sign-in that was given the device.
    pub access_token: AccessToken,
    /// DeviceKey.
    pub device_key: String,
    /// DeviceName.
    pub device_name: Option<String>,
    /// DeviceSecretVerifierConfig.Salt (base64).
    pub salt: String,
    /// DeviceSecretVerifierConfig.PasswordVerifier (base64).
    pub password_verifier: String,
}

/// The answer to InitiateAuth or RespondToAuthChallenge.
#[derive(Debug, Clone, Default)]
pub struct AuthResponse {
    /// ChallengeName, when another step is needed.
    pub challenge_name: Option<ChallengeName>,
    /// Session for that step.
    pub session: Option<String>,
    /// ChallengeParameters.
    pub challenge_parameters: HashMap<String, String>,
    /// Tokens, when signed in.
    pub authentication_result: Option<AuthenticationResult>,
    /// AvailableChallenges of a USER_AUTH SELECT_CHALLENGE.
    pub available_challenges: Vec<ChallengeName>,
}

/// The user-pool operations the flows use.
pub trait UserPoolApi: Send + Sync {
    /// InitiateAuth.
    fn initiate_auth(
        &self,
        request: InitiateAuthRequest,
    ) -> impl Future<Output = Result<AuthResponse, FlowError>> + Send;
    /// RespondToAuthChallenge.
    fn respond_to_auth_challenge(
        &self,
        request: RespondToAuthChallengeRequest,
    ) -> impl Future<Output = Result<AuthResponse, FlowError>> + Send;
    /// ConfirmDevice: whether the user must still be asked to remember it
    /// (`UserConfirmationNecessary`). A transport without it says so.
    fn confirm_device(
        &self,
        request: ConfirmDeviceRequest,
    ) -> impl Future<Output = Result<bool, FlowError>> + Send {
        let _ = request;
        async {
            Err(FlowError::Unsupported(
                "this transport cannot confirm devices".into(),
            ))
        }
    }
    /// UpdateDeviceStatus: remembered or not.
    fn update_device_status(
        &self,
        access_token: &AccessToken,
        device_key: &str,
        remembered: bool,
    ) -> impl Future<Output = Result<(), FlowError>> + Send {
        let _ = (access_token, device_key, remembered);
        async {
            Err(FlowError::Unsupported(
                "this transport cannot update devices".into(),
            ))
        }
    }
}

/// Temporary AWS credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsCredentials {
    /// AccessKeyId.
    pub access_key_id: String,
    /// SecretKey / SecretAccessKey.
    pub secret_access_key: SecretAccessKey,
    /// SessionToken.
    pub session_token: SessionToken,
    /// Expiration.
    pub expiration: SystemTime,
}

/// The identity-pool operations the flows use.
pub trait IdentityPoolApi: Send + Sync {
    /// GetId.
    fn get_id(
        &self,
        pool: &IdentityPoolId,
        logins: &Logins,
    ) -> impl Future<Output = Result<IdentityId, FlowError>> + Send;
    /// GetCredentialsForIdentity; the answer's IdentityId may differ from the
    /// one sent (merged identities).
    fn get_credentials_for_identity(
        &self,
        identity: &IdentityId,
        logins: &Logins,
        custom_role_arn: Option<&str>,
    ) -> impl Future<Output = Result<(IdentityId, AwsCredentials), FlowError>> + Send;
    /// GetOpenIdToken.
    fn get_open_id_token(
        &self,
        identity: &IdentityId,
        logins: &Logins,
    ) -> impl Future<Output = Result<(IdentityId, ProviderToken), FlowError>> + Send;
}

/// STS, for the classic flow.
pub trait StsApi: Send + Sync {
    /// AssumeRoleWithWebIdentity.
    fn assume_role_with_web_identity(
        &self,
        role_arn: &str,
        session_name: &str,
        web_identity_token: &ProviderToken,
    ) -> impl Future<Output = Result<AwsCredentials, FlowError>> + Send;
}

/// A request to an OAuth2 token endpoint (`/oauth2/token`).
#[derive(Debug, Clone)]
pub struct TokenRequest {
    /// The endpoint URL.
    pub endpoint: url::Url,
    /// Form parameters (`grant_type`, `code`, …).
    pub form: Vec<(String, String)>,
    /// client_secret_basic credentials, for confidential clients.
    pub basic_auth: Option<(String, crate::secret::ClientSecret)>,
}

/// An OAuth2 token response.
#[derive(Debug, Clone)]
pub struct OAuthTokens {
    /// id_token (with the `openid` scope).
    pub id_token: Option<IdToken>,
    /// access_token.
    pub access_token: AccessToken,
    /// refresh_token.
    pub refresh_token: Option<RefreshToken>,
    /// expires_in, seconds.
    pub expires_in: i64,
}

/// An OAuth2 token endpoint.
pub trait OAuth2Api: Send + Sync {
    /// POSTs the form and parses the token response (or the OAuth error).
    fn token(
        &self,
        request: TokenRequest,
    ) -> impl Future<Output = Result<OAuthTokens, FlowError>> + Send;
}

// Transports are shared (one SDK client behind several flows): an `Arc` of
// a transport is a transport.
impl<T: UserPoolApi> UserPoolApi for std::sync::Arc<T> {
    fn initiate_auth(
        &self,
        request: InitiateAuthRequest,
    ) -> impl Future<Output = Result<AuthResponse, FlowError>> + Send {
        (**self).initiate_auth(request)
    }
    fn respond_to_auth_challenge(
        &self,
        request: RespondToAuthChallengeRequest,
    ) -> impl Future<Output = Result<AuthResponse, FlowError>> + Send {
        (**self).respond_to_auth_challenge(request)
    }
    fn confirm_device(
        &self,
        request: ConfirmDeviceRequest,
    ) -> impl Future<Output = Result<bool, FlowError>> + Send {
        (**self).confirm_device(request)
    }
    fn update_device_status(
        &self,
        access_token: &AccessToken,
        device_key: &str,
        remembered: bool,
    ) -> impl Future<Output = Result<(), FlowError>> + Send {
        (**self).update_device_status(access_token, device_key, remembered)
    }
}

impl<T: IdentityPoolApi> IdentityPoolApi for std::sync::Arc<T> {
    fn get_id(
        &self,
        pool: &IdentityPoolId,
        logins: &Logins,
    ) -> impl Future<Output = Result<IdentityId, FlowError>> + Send {
        (**self).get_id(pool, logins)
    }
    fn get_credentials_for_identity(
        &self,
        identity: &IdentityId,
        logins: &Logins,
        custom_role_arn: Option<&str>,
    ) -> impl Future<Output = Result<(IdentityId, AwsCredentials), FlowError>> + Send {
        (**self).get_credentials_for_identity(identity, logins, custom_role_arn)
    }
    fn get_open_id_token(
        &self,
        identity: &IdentityId,
        logins: &Logins,
    ) -> impl Future<Output = Result<(IdentityId, ProviderToken), FlowError>> + Send {
        (**self).get_open_id_token(identity, logins)
    }
}

impl<T: StsApi> StsApi for std::sync::Arc<T> {
    fn assume_role_with_web_identity(
        &self,
        role_arn: &str,
        session_name: &str,
        web_identity_token: &ProviderToken,
    ) -> impl Future<Output = Result<AwsCredentials, FlowError>> + Send {
        (**self).assume_role_with_web_identity(role_arn, session_name, web_identity_token)
    }
}

impl<T: OAuth2Api> OAuth2Api for std::sync::Arc<T> {
    fn token(
        &self,
        request: TokenRequest,
    ) -> impl Future<Output = Result<OAuthTokens, FlowError>> + Send {
        (**self).token(request)
    }
}
