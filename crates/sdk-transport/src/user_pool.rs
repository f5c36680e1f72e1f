//! `UserPoolApi` over `aws-sdk-cognitoidentityprovider`.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use cognito_flows::FlowError;
use cognito_flows::secret::{AccessToken, IdToken, RefreshToken};
use cognito_flows::transport::{
    AuthResponse, AuthenticationResult, ChallengeName, InitiateAuthRequest,
    RespondToAuthChallengeRequest, UserPoolApi,
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
        auth_response!(out)
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
}
