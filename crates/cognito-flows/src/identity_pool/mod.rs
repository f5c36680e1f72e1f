//! Identity-pool credentials: unauthenticated, from any `Logins` map
//! (enhanced flow), and the classic flow through STS.

use crate::error::FlowError;
use crate::ids::{IdentityId, IdentityPoolId};
use crate::logins::Logins;
use crate::transport::{AwsCredentials, IdentityPoolApi, StsApi};

/// Credentials and the identity they belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityCredentials {
    /// The IdentityId (it may differ from a cached one after a merge).
    pub identity_id: IdentityId,
    /// The credentials.
    pub credentials: AwsCredentials,
}

/// An identity pool, and how to reach it.
#[derive(Debug, Clone)]
pub struct IdentityPoolClient<T> {
    transport: T,
    pool_id: IdentityPoolId,
}

/// Whether an error means "this IdentityId is no longer usable" (deleted, or
/// merged into another), so a cached id should be forgotten.
fn stale_identity(e: &FlowError) -> bool {
    e.code() == Some("ResourceNotFoundException")
        || e.message()
            .is_some_and(|m| m.starts_with("Access to Identity"))
}

impl<T: IdentityPoolApi> IdentityPoolClient<T> {
    /// A client for one identity pool.
    pub fn new(transport: T, pool_id: IdentityPoolId) -> Self {
        IdentityPoolClient { transport, pool_id }
    }

    /// The pool.
    pub fn pool_id(&self) -> &IdentityPoolId {
        &self.pool_id
    }

    /// The enhanced flow: GetId (unless `known` is given), then
    /// GetCredentialsForIdentity. Empty `logins` asks for unauthenticated
    /// credentials. A `known` id the service no longer accepts is dropped
    /// and a fresh GetId made.
    pub async fn credentials(
        &self,
        logins: &Logins,
        known: Option<&IdentityId>,
        custom_role_arn: Option<&str>,
    ) -> Result<IdentityCredentials, FlowError> {
        if let Some(id) = known {
            match self
                .transport
                .get_credentials_for_identity(id, logins, custom_role_arn)
                .await
            {
                Ok((identity_id, credentials)) => {
                    return Ok(IdentityCredentials {
                        identity_id,
                        credentials,
                    });
                }
                Err(e) if stale_identity(&e) => {}
                Err(e) => return Err(e),
            }
        }
        let id = self.transport.get_id(&self.pool_id, logins).await?;
        let (identity_id, credentials) = self
            .transport
            .get_credentials_for_identity(&id, logins, custom_role_arn)
            .await?;
        Ok(IdentityCredentials {
            identity_id,
            credentials,
        })
    }

    /// Unauthenticated (guest) credentials.
    pub async fn unauthenticated(
        &self,
        known: Option<&IdentityId>,
    ) -> Result<IdentityCredentials, FlowError> {
        self.credentials(&Logins::new(), known, None).await
    }

    /// The classic (basic) flow: GetId, GetOpenIdToken, then STS
    /// AssumeRoleWithWebIdentity into `role_arn`. The pool must allow it.
    pub async fn classic<S: StsApi>(
        &self,
        sts: &S,
        logins: &Logins,
        known: Option<&IdentityId>,
        role_arn: &str,
        session_name: &str,
    ) -> Result<IdentityCredentials, FlowError> {
        let id = match known {
            Some(id) => id.clone(),
            None => self.transport.get_id(&self.pool_id, logins).await?,
        };
        let (identity_id, token) = self.transport.get_open_id_token(&id, logins).await?;
        let credentials = sts
            .assume_role_with_web_identity(role_arn, session_name, &token)
            .await?;
        Ok(IdentityCredentials {
            identity_id,
            credentials,
        })
    }
}
