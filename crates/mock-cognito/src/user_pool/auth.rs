//! InitiateAuth and RespondToAuthChallenge.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cognito_srp::{
    DEFAULT_TIMESTAMP_SKEW, Password, ReceivedClaim, ServerSession, verify_secret_hash,
};
use serde_json::{Value, json};

use super::admin::{client_not_found, user_not_found};
use super::{AppClient, Context, UserPools, str_member};
use crate::error::{ApiError, ApiResult};
use crate::ids;

/// How long a PASSWORD_VERIFIER or NEW_PASSWORD_REQUIRED challenge stays
/// answerable (Cognito's default AuthSessionValidity is 3 minutes).
const CHALLENGE_LIFETIME_SECS: i64 = 180;

/// A USER_SRP_AUTH sign-in waiting for its PASSWORD_VERIFIER answer, keyed by
/// its SECRET_BLOCK. Bound to the app client it started on.
#[derive(Debug)]
pub(super) struct PendingSrp {
    pool_id: String,
    client_id: String,
    username: String,
    srp_a: String,
    session: ServerSession,
    expires: i64,
}

/// A NEW_PASSWORD_REQUIRED challenge, keyed by its Session.
#[derive(Debug)]
pub(super) struct PendingChallenge {
    pool_id: String,
    client_id: String,
    username: String,
    expires: i64,
}

fn params(input: &Value, member: &str) -> HashMap<String, String> {
    input[member]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

fn require<'a>(p: &'a HashMap<String, String>, name: &str) -> ApiResult<&'a str> {
    p.get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::invalid_parameter(format!("Missing required parameter {name}")))
}

/// SECRET_HASH rules: required and correct for a client with a secret,
/// refused for one without.
fn check_secret_hash(
    client: &AppClient,
    username: &str,
    p: &HashMap<String, String>,
) -> ApiResult<()> {
    match (&client.secret, p.get("SECRET_HASH")) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(ApiError::invalid_parameter(format!(
            "Client {} is not configured for secret but secret hash was received",
            client.id
        ))),
        (Some(_), None) => Err(ApiError::not_authorized(format!(
            "Client {} is configured for secret but secret was not received",
            client.id
        ))),
        (Some(secret), Some(hash)) if verify_secret_hash(hash, username, &client.id, secret) => {
            Ok(())
        }
        (Some(_), Some(_)) => Err(ApiError::not_authorized(format!(
            "Unable to verify secret hash for client {}",
            client.id
        ))),
    }
}

impl UserPools {
    fn client(&self, client_id: &str) -> ApiResult<(&super::Pool, &AppClient)> {
        let pool_id = self
            .client_index
            .get(client_id)
            .ok_or_else(|| client_not_found(client_id))?;
        let pool = self.pool(pool_id)?;
        let client = pool
            .clients
            .get(client_id)
            .ok_or_else(|| client_not_found(client_id))?;
        Ok((pool, client))
    }

    pub(super) fn initiate_auth(&mut self, input: &Value, ctx: &Context<'_>) -> ApiResult<Value> {
        let client_id = str_member(input, "ClientId");
        let flow = str_member(input, "AuthFlow");
        let p = params(input, "AuthParameters");
        let now = ctx.clock.unix();
        let (pool, client) = self.client(client_id)?;
        if !matches!(flow, "USER_SRP_AUTH" | "USER_PASSWORD_AUTH") {
            return Err(ApiError::new(
                "UnsupportedOperationException",
                format!("AuthFlow {flow} is not implemented by this mock yet"),
            ));
        }
        if !client.allows(flow) {
            return Err(ApiError::invalid_parameter(format!(
                "{flow} flow not enabled for this client"
            )));
        }
        let username = require(&p, "USERNAME")?;
        check_secret_hash(client, username, &p)?;
        let user = pool.user(username)?;
        if !user.enabled {
            return Err(ApiError::not_authorized("User is disabled."));
        }
        let pool_id = pool.id.clone();
        let username = user.username.clone();

        if flow == "USER_PASSWORD_AUTH" {
            let password = Password::new(require(&p, "PASSWORD")?);
            if !user
                .verifier
                .matches_password(&pool.pool_name(), &user.username, &password)
            {
                return Err(ApiError::incorrect_credentials());
            }
            return self.after_password(&pool_id, client_id, &username, ctx);
        }

        let srp_a = require(&p, "SRP_A")?.to_owned();
        // Refuse A ≡ 0 now rather than at the answer, as Cognito does.
        let a = cognito_srp::decode_hex(&srp_a)
            .map_err(|e| ApiError::invalid_parameter(format!("SRP_A: {e}")))?;
        if a.len() > 384
            || a.iter().all(|&b| b == 0)
            || srp_a.eq_ignore_ascii_case(cognito_srp::N_HEX)
        {
            return Err(ApiError::invalid_parameter(
                "SRP_A is not a valid SRP value",
            ));
        }
        let session = ServerSession::start(&mut ids::crypto_rng(), &user.verifier);
        let secret_block = STANDARD.encode(ids::bytes(64));
        let out = json!({
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeParameters": {
                "SALT": session.salt(),
                "SRP_B": session.srp_b(),
                "SECRET_BLOCK": secret_block,
                "USERNAME": username,
                "USER_ID_FOR_SRP": username,
            }
        });
        self.pending_srp.retain(|_, p| p.expires > now);
        self.pending_srp.insert(
            secret_block,
            PendingSrp {
                pool_id,
                client_id: client_id.to_owned(),
                username,
                srp_a,
                session,
                expires: now + CHALLENGE_LIFETIME_SECS,
            },
        );
        Ok(out)
    }

    pub(super) fn respond_to_auth_challenge(
        &mut self,
        input: &Value,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let client_id = str_member(input, "ClientId");
        let r = params(input, "ChallengeResponses");
        let (_, client) = self.client(client_id)?;
        let username = require(&r, "USERNAME")?;
        check_secret_hash(client, username, &r)?;
        match str_member(input, "ChallengeName") {
            "PASSWORD_VERIFIER" => self.password_verifier(client_id, &r, ctx),
            "NEW_PASSWORD_REQUIRED" => {
                self.new_password_required(client_id, input["Session"].as_str(), &r, ctx)
            }
            other => Err(ApiError::new(
                "UnsupportedOperationException",
                format!("ChallengeName {other} is not implemented by this mock yet"),
            )),
        }
    }

    fn password_verifier(
        &mut self,
        client_id: &str,
        r: &HashMap<String, String>,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let block = require(r, "PASSWORD_CLAIM_SECRET_BLOCK")?;
        let signature = require(r, "PASSWORD_CLAIM_SIGNATURE")?;
        let timestamp = require(r, "TIMESTAMP")?;
        let now = ctx.clock.unix();
        // Single use: whatever the outcome, this secret block is spent.
        let pending = self
            .pending_srp
            .remove(block)
            .filter(|p| p.expires > now && p.client_id == client_id)
            .ok_or_else(ApiError::incorrect_credentials)?;
        let pool = self.pool(&pending.pool_id)?;
        let claim = ReceivedClaim {
            srp_a: &pending.srp_a,
            secret_block: block,
            timestamp,
            signature,
        };
        let skew: Duration = DEFAULT_TIMESTAMP_SKEW;
        pending
            .session
            .verify_password_claim(
                &pool.pool_name(),
                &pending.username,
                claim,
                ctx.clock.now(),
                skew,
            )
            .map_err(|_| ApiError::incorrect_credentials())?;
        self.after_password(&pending.pool_id, client_id, &pending.username, ctx)
    }

    /// A proven password: tokens, or the NEW_PASSWORD_REQUIRED challenge.
    fn after_password(
        &mut self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let pool = self.pool(pool_id)?;
        let user = pool.users.get(username).ok_or_else(user_not_found)?;
        if user.status == "FORCE_CHANGE_PASSWORD" {
            let session = STANDARD.encode(ids::bytes(48));
            let attributes: serde_json::Map<String, Value> = user
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            let out = json!({
                "ChallengeName": "NEW_PASSWORD_REQUIRED",
                "Session": session,
                "ChallengeParameters": {
                    "USER_ID_FOR_SRP": username,
                    "requiredAttributes": "[]",
                    "userAttributes": Value::Object(attributes).to_string(),
                }
            });
            self.pending_challenges.insert(
                session,
                PendingChallenge {
                    pool_id: pool_id.to_owned(),
                    client_id: client_id.to_owned(),
                    username: username.to_owned(),
                    expires: ctx.clock.unix() + CHALLENGE_LIFETIME_SECS,
                },
            );
            return Ok(out);
        }
        Ok(json!({
            "ChallengeParameters": {},
            "AuthenticationResult": super::tokens::issue(pool, client_id, user, ctx.clock.unix()),
        }))
    }

    fn new_password_required(
        &mut self,
        client_id: &str,
        session: Option<&str>,
        r: &HashMap<String, String>,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let now = ctx.clock.unix();
        let invalid_session =
            || ApiError::not_authorized("Invalid session for the user, session is expired.");
        let pending = session
            .and_then(|s| self.pending_challenges.remove(s))
            .filter(|p| {
                p.expires > now
                    && p.client_id == client_id
                    && Some(p.username.as_str()) == r.get("USERNAME").map(String::as_str)
            })
            .ok_or_else(invalid_session)?;
        let new_password = require(r, "NEW_PASSWORD")?;
        let pool = self.pool_mut(&pending.pool_id)?;
        let verifier = pool.make_verifier(&pending.username, new_password)?;
        let user = pool
            .users
            .get_mut(&pending.username)
            .ok_or_else(user_not_found)?;
        user.verifier = verifier;
        user.status = "CONFIRMED";
        user.modified = now;
        self.after_password(&pending.pool_id, client_id, &pending.username, ctx)
    }
}
