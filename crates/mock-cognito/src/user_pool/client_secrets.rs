//! App-client secret rotation: AddUserPoolClientSecret,
//! ListUserPoolClientSecrets and DeleteUserPoolClientSecret. A confidential
//! client holds one or two secrets; every place a secret is checked
//! (SECRET_HASH, the token endpoint's client authentication,
//! GetClientToken) accepts either, so an app can move to a new secret
//! before the old one is deleted.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{AppClient, Context, UserPools, constant_time_eq};
use crate::error::{ApiError, ApiResult};
use crate::shapes::Empty;
use crate::shapes::Timestamp;
use crate::shapes::cognito_idp::{
    AddUserPoolClientSecretRequest, AddUserPoolClientSecretResponse, ClientSecretDescriptorType,
    DeleteUserPoolClientSecretRequest, ListUserPoolClientSecretsRequest,
    ListUserPoolClientSecretsResponse,
};

/// The most secrets a client holds at once.
const MAX_SECRETS: usize = 2;

/// One of a client's secrets.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct ClientSecret {
    pub(super) id: String,
    pub(super) value: String,
    pub(super) created: i64,
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSecret")
            .field("id", &self.id)
            .field("created", &self.created)
            .finish_non_exhaustive()
    }
}

impl ClientSecret {
    pub(super) fn new(value: String, ctx: &Context<'_>) -> Self {
        ClientSecret {
            id: ctx.rng.uuid(),
            value,
            created: ctx.clock.unix(),
        }
    }

    fn descriptor(&self, with_value: bool) -> ClientSecretDescriptorType {
        ClientSecretDescriptorType {
            client_secret_create_date: Some(Timestamp::from_secs(self.created)),
            client_secret_id: Some(self.id.clone()),
            client_secret_value: with_value.then(|| self.value.clone()),
        }
    }
}

impl AppClient {
    /// Whether the client is confidential (has a secret).
    pub(super) fn has_secret(&self) -> bool {
        !self.secrets.is_empty()
    }

    /// The secret DescribeUserPoolClient shows: the oldest.
    pub(super) fn first_secret(&self) -> Option<&str> {
        self.secrets.first().map(|s| s.value.as_str())
    }

    /// Whether `given` is one of the client's secrets (compared in
    /// constant time, each of them).
    pub(super) fn secret_matches(&self, given: &str) -> bool {
        self.secrets
            .iter()
            .fold(false, |found, s| constant_time_eq(&s.value, given) | found)
    }

    /// The client's secrets, for checks that need each value (SECRET_HASH).
    pub(super) fn secret_values(&self) -> impl Iterator<Item = &str> {
        self.secrets.iter().map(|s| s.value.as_str())
    }
}

fn client_mut<'a>(
    pools: &'a mut UserPools,
    pool_id: &str,
    client_id: &str,
) -> ApiResult<&'a mut AppClient> {
    pools
        .pool_mut(pool_id)?
        .clients
        .get_mut(client_id)
        .ok_or_else(|| {
            ApiError::new(
                "ResourceNotFoundException",
                format!("User pool client {client_id} does not exist."),
            )
        })
}

impl UserPools {
    pub(super) fn add_user_pool_client_secret(
        &mut self,
        input: AddUserPoolClientSecretRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<AddUserPoolClientSecretResponse> {
        let client = client_mut(self, &input.user_pool_id, &input.client_id)?;
        if !client.has_secret() {
            return Err(ApiError::invalid_parameter(format!(
                "Client {} is not configured with a secret: only a confidential app client can have secrets added",
                input.client_id
            )));
        }
        if client.secrets.len() >= MAX_SECRETS {
            return Err(ApiError::new(
                "LimitExceededException",
                format!(
                    "App client {} already has {MAX_SECRETS} client secrets: delete one first",
                    input.client_id
                ),
            ));
        }
        // Cognito returns the value only when it made it.
        let generated = input.client_secret.is_none();
        let value = input
            .client_secret
            .unwrap_or_else(|| ctx.rng.client_secret());
        if client.secret_values().any(|s| s == value) {
            return Err(ApiError::invalid_parameter(
                "The client already has this secret",
            ));
        }
        let secret = ClientSecret::new(value, ctx);
        let descriptor = secret.descriptor(generated);
        client.secrets.push(secret);
        client.modified = ctx.clock.unix();
        Ok(AddUserPoolClientSecretResponse {
            client_secret_descriptor: Some(descriptor),
        })
    }

    pub(super) fn list_user_pool_client_secrets(
        &self,
        input: ListUserPoolClientSecretsRequest,
    ) -> ApiResult<ListUserPoolClientSecretsResponse> {
        let (pool, client) = self.client(&input.client_id)?;
        if pool.id != input.user_pool_id {
            return Err(ApiError::new(
                "ResourceNotFoundException",
                format!("User pool client {} does not exist.", input.client_id),
            ));
        }
        Ok(ListUserPoolClientSecretsResponse {
            client_secrets: Some(client.secrets.iter().map(|s| s.descriptor(false)).collect()),
            next_token: None,
        })
    }

    pub(super) fn delete_user_pool_client_secret(
        &mut self,
        input: DeleteUserPoolClientSecretRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let client = client_mut(self, &input.user_pool_id, &input.client_id)?;
        let at = client
            .secrets
            .iter()
            .position(|s| s.id == input.client_secret_id)
            .ok_or_else(|| {
                ApiError::new(
                    "ResourceNotFoundException",
                    format!("Client secret {} does not exist.", input.client_secret_id),
                )
            })?;
        if client.secrets.len() == 1 {
            return Err(ApiError::invalid_parameter(
                "The last remaining client secret of an app client cannot be deleted",
            ));
        }
        client.secrets.remove(at);
        client.modified = ctx.clock.unix();
        Ok(Empty {})
    }
}
