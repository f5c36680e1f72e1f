//! `UserPoolApi` over `aws-sdk-cognitoidentityprovider`.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, DeviceRememberedStatusType, DeviceSecretVerifierConfigType,
};
use cognito_flows::FlowError;
use cognito_flows::secret::{AccessToken, IdToken, RefreshToken};
use cognito_flows::transport::{
    AuthResponse, AuthenticationResult, ChallengeName, ConfirmDeviceRequest, InitiateAuthRequest,
    NewDeviceMetadata, RespondToAuthChallengeRequest, UserPoolApi,
};

use crate::error::from_sdk;

/// The user-pool API through the AWS SDK. InitiateAuth and
/// RespondToAuthChallenge are unsigned: no AWS credentials are needed.
#[derive(Debug, Clone)]
pub struct SdkUserPool(pub Client);

fn tokens(
    result: Option<&aws_sdk_cognitoidentityprovider::types::AuthenticationResultType>,
) -> Result<Option<AuthenticationResult>, FlowError> {
    let Some(r) = result else { return Ok(None) };
    let id = r
        .id_token()
        .ok_or_else(|| FlowError::protocol("AuthenticationResult without IdToken"))?;
    let access = r
        .access_token()
        .ok_or_else(|| FlowError::protocol("AuthenticationResult without AccessToken"))?;
    Ok(Some(AuthenticationResult {
        id_token: IdToken::new(id),
        access_token: AccessToken::new(access),
        refresh_token: r.refresh_token().map(RefreshToken::new),
        expires_in: i64::from(r.expires_in()),
        new_device: r.new_device_metadata().and_then(|d| {
            Some(NewDeviceMetadata {
                device_key: d.device_key()?.to_owned(),
                device_group_key: d.device_group_key()?.to_owned(),
            })
        }),
    }))
}

/// InitiateAuth and RespondToAuthChallenge answer with the same members
/// on two different output types.
macro_rules! auth_response {
    ($out:expr) => {{
        let out = $out;
        Ok(AuthResponse {
            challenge_name: out
                .challenge_name()
                .map(|c| ChallengeName::parse(c.as_str())),
            session: out.session().map(str::to_owned),
            challenge_parameters: out.challenge_parameters().cloned().unwrap_or_default(),
            authentication_result: tokens(out.authentication_result())?,
            available_challenges: Vec::new(),
        })
    }};
}

impl UserPoolApi for SdkUserPool {
    async fn initiate_auth(&self, request: InitiateAuthRequest) -> Result<AuthResponse, FlowError> {
        let flow = AuthFlowType::from(request.auth_flow.as_str());
        let out = self
            .0
            .initiate_auth()
            .client_id(request.client_id.as_str())
            .auth_flow(flow)
            .set_auth_parameters(Some(request.auth_parameters))
            .send()
            .await
            .map_err(from_sdk)?;
        let available = out
            .available_challenges()
            .iter()
            .map(|c| ChallengeName::parse(c.as_str()))
            .collect();
        let response: Result<AuthResponse, FlowError> = auth_response!(out);
        response.map(|r| AuthResponse {
            available_challenges: available,
            ..r
        })
    }

    async fn respond_to_auth_challenge(
        &self,
        request: RespondToAuthChallengeRequest,
    ) -> Result<AuthResponse, FlowError> {
        let out = self
            .0
            .respond_to_auth_challenge()
            .client_id(request.client_id.as_str())
            .challenge_name(ChallengeNameType::from(request.challenge_name.as_str()))
            .set_session(request.session)
            .set_challenge_responses(Some(request.challenge_responses))
            .send()
            .await
            .map_err(from_sdk)?;
        auth_response!(out)
    }

    async fn confirm_device(&self, request: ConfirmDeviceRequest) -> Result<bool, FlowError> {
        let config = DeviceSecretVerifierConfigType::builder()
            .salt(request.salt)
            .password_verifier(request.password_verifier)
            .build();
        let out = self
            .0
            .confirm_device()
            .access_token(request.access_token.expose_secret())
            .device_key(request.device_key)
            .set_device_name(request.device_name)
            .device_secret_verifier_config(config)
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(out.user_confirmation_necessary())
    }

    async fn update_device_status(
        &self,
        access_token: &AccessToken,
        device_key: &str,
        remembered: bool,
    ) -> Result<(), FlowError> {
        let status = if remembered {
            DeviceRememberedStatusType::Remembered
        } else {
            DeviceRememberedStatusType::NotRemembered
        };
        self.0
            .update_device_status()
            .access_token(access_token.expose_secret())
            .device_key(device_key)
            .device_remembered_status(status)
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(())
    }
}
