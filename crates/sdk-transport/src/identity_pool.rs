//! `IdentityPoolApi` over `aws-sdk-cognitoidentity`, and `StsApi` over
//! `aws-sdk-sts`.

use std::collections::HashMap;
use std::time::SystemTime;

use cognito_flows::secret::{ProviderToken, SecretAccessKey, SessionToken};
use cognito_flows::transport::{AwsCredentials, IdentityPoolApi, StsApi};
use cognito_flows::{FlowError, IdentityId, IdentityPoolId, Logins};

use crate::error::from_sdk;

/// The identity-pool API through the AWS SDK. GetId,
/// GetCredentialsForIdentity and GetOpenIdToken are unsigned.
#[derive(Debug, Clone)]
pub struct SdkIdentityPool(pub aws_sdk_cognitoidentity::Client);

/// STS through the AWS SDK (AssumeRoleWithWebIdentity is unsigned).
#[derive(Debug, Clone)]
pub struct SdkSts(pub aws_sdk_sts::Client);

fn logins_map(logins: &Logins) -> Option<HashMap<String, String>> {
    (!logins.is_empty()).then(|| {
        logins
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    })
}

fn time(
    dt: Option<&aws_sdk_cognitoidentity::primitives::DateTime>,
) -> Result<SystemTime, FlowError> {
    let dt = dt.ok_or_else(|| FlowError::protocol("credentials without Expiration"))?;
    SystemTime::try_from(*dt)
        .map_err(|e| FlowError::protocol(format!("Expiration out of range: {e}")))
}

fn identity(id: Option<&str>) -> Result<IdentityId, FlowError> {
    IdentityId::parse(id.ok_or_else(|| FlowError::protocol("answer without IdentityId"))?)
}

impl IdentityPoolApi for SdkIdentityPool {
    async fn get_id(
        &self,
        pool: &IdentityPoolId,
        logins: &Logins,
    ) -> Result<IdentityId, FlowError> {
        let out = self
            .0
            .get_id()
            .identity_pool_id(pool.as_str())
            .set_logins(logins_map(logins))
            .send()
            .await
            .map_err(from_sdk)?;
        identity(out.identity_id())
    }

    async fn get_credentials_for_identity(
        &self,
        id: &IdentityId,
        logins: &Logins,
        custom_role_arn: Option<&str>,
    ) -> Result<(IdentityId, AwsCredentials), FlowError> {
        let out = self
            .0
            .get_credentials_for_identity()
            .identity_id(id.as_str())
            .set_logins(logins_map(logins))
            .set_custom_role_arn(custom_role_arn.map(str::to_owned))
            .send()
            .await
            .map_err(from_sdk)?;
        let c = out
            .credentials()
            .ok_or_else(|| FlowError::protocol("answer without Credentials"))?;
        let credentials = AwsCredentials {
            access_key_id: c
                .access_key_id()
                .ok_or_else(|| FlowError::protocol("credentials without AccessKeyId"))?
                .to_owned(),
            secret_access_key: SecretAccessKey::new(
                c.secret_key()
                    .ok_or_else(|| FlowError::protocol("credentials without SecretKey"))?,
            ),
            session_token: SessionToken::new(
                c.session_token()
                    .ok_or_else(|| FlowError::protocol("credentials without SessionToken"))?,
            ),
            expiration: time(c.expiration())?,
        };
        Ok((identity(out.identity_id())?, credentials))
    }

    async fn get_open_id_token(
        &self,
        id: &IdentityId,
        logins: &Logins,
    ) -> Result<(IdentityId, ProviderToken), FlowError> {
        let out = self
            .0
            .get_open_id_token()
            .identity_id(id.as_str())
            .set_logins(logins_map(logins))
            .send()
            .await
            .map_err(from_sdk)?;
        let token = out
            .token()
            .ok_or_else(|| FlowError::protocol("answer without Token"))?;
        Ok((identity(out.identity_id())?, ProviderToken::new(token)))
    }
}

impl StsApi for SdkSts {
    async fn assume_role_with_web_identity(
        &self,
        role_arn: &str,
        session_name: &str,
        web_identity_token: &ProviderToken,
    ) -> Result<AwsCredentials, FlowError> {
        let out = self
            .0
            .assume_role_with_web_identity()
            .role_arn(role_arn)
            .role_session_name(session_name)
            .web_identity_token(web_identity_token.expose_secret())
            .send()
            .await
            .map_err(from_sdk)?;
        let c = out
            .credentials()
            .ok_or_else(|| FlowError::protocol("answer without Credentials"))?;
        Ok(AwsCredentials {
            access_key_id: c.access_key_id().to_owned(),
            secret_access_key: SecretAccessKey::new(c.secret_access_key()),
            session_token: SessionToken::new(c.session_token()),
            expiration: SystemTime::try_from(*c.expiration())
                .map_err(|e| FlowError::protocol(format!("Expiration out of range: {e}")))?,
        })
    }
}

/// Who a set of credentials is, by STS GetCallerIdentity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    /// The account.
    pub account: String,
    /// The ARN: for identity-pool credentials
    /// `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
    pub arn: String,
    /// The unique id of the principal.
    pub user_id: String,
}

impl CallerIdentity {
    /// The role of an `assumed-role` ARN, if it is one.
    pub fn role_name(&self) -> Option<&str> {
        let (_, resource) = self.arn.split_once(":assumed-role/")?;
        resource.split('/').next()
    }
}

impl SdkSts {
    /// GetCallerIdentity signed with `credentials`: the proof that they work,
    /// and which role they are for. (GetCallerIdentity needs no permission.)
    pub async fn caller_identity(
        &self,
        credentials: &AwsCredentials,
    ) -> Result<CallerIdentity, FlowError> {
        let signed_with = aws_credential_types::Credentials::new(
            credentials.access_key_id.clone(),
            credentials.secret_access_key.expose_secret(),
            Some(credentials.session_token.expose_secret().to_owned()),
            Some(credentials.expiration),
            "CognitoIdentity",
        );
        let out = self
            .0
            .get_caller_identity()
            .customize()
            .config_override(
                aws_sdk_sts::config::Builder::default().credentials_provider(signed_with),
            )
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(CallerIdentity {
            account: out.account().unwrap_or_default().to_owned(),
            arn: out.arn().unwrap_or_default().to_owned(),
            user_id: out.user_id().unwrap_or_default().to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_of_an_assumed_role_arn() {
        let who = |arn: &str| CallerIdentity {
            account: "000000000000".into(),
            arn: arn.into(),
            user_id: "AROA:x".into(),
        };
        assert_eq!(
            who("arn:aws:sts::000000000000:assumed-role/ExampleGuest/CognitoIdentityCredentials")
                .role_name(),
            Some("ExampleGuest")
        );
        assert_eq!(
            who("arn:aws:iam::000000000000:user/alice").role_name(),
            None
        );
    }
}
