//! User pools (`AWSCognitoIdentityProviderService.*`).
//!
//! - `admin`: pools, app clients and users (the control plane);
//! - `auth`: InitiateAuth / RespondToAuthChallenge with real SRP;
//! - `tokens`: ID and access tokens, signed with per-pool keys.

mod admin;
mod auth;
mod tokens;

use std::collections::HashMap;

use cognito_srp::Verifier;
use serde_json::{Value, json};

use crate::clock::Clock;
use crate::error::{ApiError, ApiResult};
use crate::jwt::SigningKey;

/// All user pools of one mock.
#[derive(Debug, Default)]
pub struct UserPools {
    pools: HashMap<String, Pool>,
    /// App client id → pool id (client ids are global, as in Cognito).
    client_index: HashMap<String, String>,
    /// SECRET_BLOCK → a pending SRP sign-in (single use).
    pending_srp: HashMap<String, auth::PendingSrp>,
    /// Session → a pending NEW_PASSWORD_REQUIRED challenge (single use).
    pending_challenges: HashMap<String, auth::PendingChallenge>,
}

#[derive(Debug)]
struct Pool {
    id: String,
    name: String,
    region: String,
    created: i64,
    modified: i64,
    policy: admin::PasswordPolicy,
    clients: HashMap<String, AppClient>,
    users: HashMap<String, User>,
    /// ID tokens and access tokens are signed with different keys, as Cognito does.
    id_key: SigningKey,
    access_key: SigningKey,
}

#[derive(Debug)]
struct AppClient {
    id: String,
    name: String,
    secret: Option<String>,
    explicit_auth_flows: Vec<String>,
    prevent_user_existence_errors: String,
    created: i64,
    modified: i64,
}

#[derive(Debug)]
struct User {
    username: String,
    sub: String,
    attributes: Vec<(String, String)>,
    status: &'static str,
    enabled: bool,
    /// SRP salt and verifier: the password itself is never stored.
    verifier: Verifier,
    created: i64,
    modified: i64,
}

/// Per-request context.
#[derive(Debug)]
pub struct Context<'a> {
    /// The mock's clock.
    pub clock: &'a Clock,
    /// The region this mock serves when none can be taken from an id.
    pub default_region: &'a str,
}

impl UserPools {
    /// Runs one (already validated) operation.
    pub fn handle(&mut self, op: &str, input: &Value, ctx: &Context<'_>) -> ApiResult<Value> {
        match op {
            "CreateUserPool" => self.create_user_pool(input, ctx),
            "DescribeUserPool" => self.describe_user_pool(input),
            "DeleteUserPool" => self.delete_user_pool(input),
            "CreateUserPoolClient" => self.create_user_pool_client(input, ctx),
            "DescribeUserPoolClient" => self.describe_user_pool_client(input),
            "AdminCreateUser" => self.admin_create_user(input, ctx),
            "AdminSetUserPassword" => self.admin_set_user_password(input, ctx),
            "AdminGetUser" => self.admin_get_user(input),
            "InitiateAuth" => self.initiate_auth(input, ctx),
            "RespondToAuthChallenge" => self.respond_to_auth_challenge(input, ctx),
            other => Err(ApiError::new(
                "UnsupportedOperationException",
                format!(
                    "{other} is a valid Cognito operation that this mock does not implement yet"
                ),
            )),
        }
    }

    /// The JWKS of a pool (`/<poolId>/.well-known/jwks.json`).
    pub fn jwks(&self, pool_id: &str) -> Option<Value> {
        let pool = self.pools.get(pool_id)?;
        Some(json!({"keys": [pool.id_key.jwk(), pool.access_key.jwk()]}))
    }

    fn pool(&self, id: &str) -> ApiResult<&Pool> {
        self.pools.get(id).ok_or_else(|| pool_not_found(id))
    }

    fn pool_mut(&mut self, id: &str) -> ApiResult<&mut Pool> {
        self.pools.get_mut(id).ok_or_else(|| pool_not_found(id))
    }
}

fn pool_not_found(id: &str) -> ApiError {
    ApiError::resource_not_found(format!("User pool {id} does not exist."))
}

/// A required string member (presence is already checked by the model).
fn str_member<'a>(input: &'a Value, name: &str) -> &'a str {
    input[name].as_str().unwrap_or_default()
}
