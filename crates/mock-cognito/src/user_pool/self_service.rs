//! Unsigned self-service calls: sign-up, confirmation, password reset, and
//! the calls that act on the caller's own access token.

use serde_json::{Value, json};

use super::auth::check_secret_hash;
use super::tokens::UnsignedTokens;
use super::{Context, UserPools, attribute_list, mask, str_member, user_not_found};
use crate::error::{ApiError, ApiResult};
use crate::shapes::cognito_idp::UserStatusType;

/// Codes are valid for 24 hours (sign-up) and 1 hour (password reset), as in Cognito.
const SIGN_UP_CODE_SECS: i64 = 86_400;
const RESET_CODE_SECS: i64 = 3600;

impl UserPools {
    /// The app client of an unsigned call, with its SecretHash checked over `username`.
    fn client_for(&self, input: &Value, username: &str) -> ApiResult<String> {
        let client_id = str_member(input, "ClientId");
        let (pool, client) = self.client(client_id)?;
        check_secret_hash(client, username, input["SecretHash"].as_str())?;
        Ok(pool.id.clone())
    }

    /// Issues a code to a user and "delivers" it (log and inspection route)
    /// to the address the pool verifies (its AutoVerifiedAttributes, email
    /// first). `None`, and no code, when the user has no such address: AWS
    /// then answers without CodeDeliveryDetails.
    fn send_code(
        &mut self,
        pool_id: &str,
        username: &str,
        purpose: &'static str,
        lifetime: i64,
        now: i64,
        rng: &crate::ids::Randomness,
    ) -> ApiResult<Option<Value>> {
        let pool = self.pool_mut(pool_id)?;
        let mut channels: Vec<&str> = pool.auto_verified();
        if channels.is_empty() {
            channels = vec!["email", "phone_number"];
        }
        let user = pool.users.get(username).ok_or_else(user_not_found)?;
        let Some((attribute, destination)) = ["email", "phone_number"]
            .into_iter()
            .filter(|a| channels.contains(a))
            .find_map(|a| Some((a, user.attributes.get(a)?.clone())))
            .filter(|(_, d)| !d.is_empty())
        else {
            return Ok(None);
        };
        let code = rng.code();
        let medium = if attribute == "email" { "EMAIL" } else { "SMS" };
        let user = pool.users.get_mut(username).ok_or_else(user_not_found)?;
        user.code = Some((code.clone(), purpose, now + lifetime));

        let record = super::CodeRecord {
            user_pool_id: pool_id.to_owned(),
            username: username.to_owned(),
            purpose,
            code,
            destination: destination.clone(),
        };
        self.deliver_code(record, now + lifetime, now);
        Ok(Some(
            json!({"Destination": mask(&destination), "DeliveryMedium": medium, "AttributeName": attribute}),
        ))
    }

    /// Checks and spends a user's pending code.
    fn take_code(
        &mut self,
        pool_id: &str,
        username: &str,
        purpose: &str,
        given: &str,
        now: i64,
    ) -> ApiResult<()> {
        let user = self.user_entry_mut(pool_id, username)?;
        match &user.code {
            Some((code, p, expires)) if *p == purpose && code == given => {
                if *expires <= now {
                    user.code = None;
                    return Err(ApiError::new(
                        "ExpiredCodeException",
                        "Invalid code provided, please request a code again.",
                    ));
                }
                user.code = None;
                Ok(())
            }
            Some((_, p, _)) if *p == purpose => Err(ApiError::new(
                "CodeMismatchException",
                "Invalid verification code provided, please try again.",
            )),
            _ => Err(ApiError::new(
                "ExpiredCodeException",
                "Invalid code provided, please request a code again.",
            )),
        }
    }

    pub(super) fn sign_up(&mut self, input: &Value, ctx: &Context<'_>) -> ApiResult<Value> {
        let typed = str_member(input, "Username");
        let pool_id = self.client_for(input, typed)?;
        let Some(password) = input["Password"].as_str() else {
            return Err(ApiError::invalid_parameter(
                "A password is required: this mock does not offer passwordless sign-up",
            ));
        };
        let now = ctx.clock.unix();
        let pool = self.pool(&pool_id)?;
        let user = pool.new_user(
            typed,
            password,
            attribute_list(&input["UserAttributes"])?,
            UserStatusType::Unconfirmed,
            now,
            ctx,
        )?;
        let (username, sub) = (user.username.clone(), user.sub.clone());
        let needs_code = !pool.auto_verified().is_empty();
        self.pool_mut(&pool_id)?
            .users
            .insert(username.clone(), user);
        let mut out = json!({"UserConfirmed": false, "UserSub": sub});
        if needs_code {
            if let Some(details) = self.send_code(
                &pool_id,
                &username,
                "SIGN_UP",
                SIGN_UP_CODE_SECS,
                now,
                ctx.rng,
            )? {
                out["CodeDeliveryDetails"] = details;
            }
        } else {
            // Nothing to verify: a pool without auto-verified attributes
            // leaves the user UNCONFIRMED until an admin confirms them, as Cognito does.
        }
        Ok(out)
    }

    pub(super) fn confirm_sign_up(&mut self, input: &Value, ctx: &Context<'_>) -> ApiResult<Value> {
        let typed = str_member(input, "Username");
        let pool_id = self.client_for(input, typed)?;
        let now = ctx.clock.unix();
        let username = self.pool(&pool_id)?.user(typed)?.username.clone();
        if self.pool(&pool_id)?.users[&username].status != UserStatusType::Unconfirmed {
            return Err(ApiError::not_authorized(
                "User cannot be confirmed. Current status is CONFIRMED",
            ));
        }
        self.take_code(
            &pool_id,
            &username,
            "SIGN_UP",
            str_member(input, "ConfirmationCode"),
            now,
        )?;
        let pool = self.pool_mut(&pool_id)?;
        let verified: Vec<String> = pool
            .auto_verified()
            .iter()
            .map(|a| format!("{a}_verified"))
            .collect();
        let user = pool.users.get_mut(&username).expect("resolved");
        user.status = UserStatusType::Confirmed;
        for flag in verified {
            let attr = flag.trim_end_matches("_verified");
            if user.attributes.contains_key(attr) {
                user.attributes.insert(flag, "true".to_owned());
            }
        }
        user.modified = now;
        Ok(json!({}))
    }

    pub(super) fn resend_confirmation_code(
        &mut self,
        input: &Value,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let typed = str_member(input, "Username");
        let pool_id = self.client_for(input, typed)?;
        let user = self.pool(&pool_id)?.user(typed)?;
        if user.status != UserStatusType::Unconfirmed {
            return Err(ApiError::invalid_parameter("User is already confirmed."));
        }
        let username = user.username.clone();
        let details = self
            .send_code(
                &pool_id,
                &username,
                "SIGN_UP",
                SIGN_UP_CODE_SECS,
                ctx.clock.unix(), ctx.rng
            )?
            .ok_or_else(|| {
                ApiError::invalid_parameter(
                    "Cannot send a confirmation code: the user has no email or phone_number to send it to",
                )
            })?;
        Ok(json!({"CodeDeliveryDetails": details}))
    }

    pub(super) fn forgot_password(&mut self, input: &Value, ctx: &Context<'_>) -> ApiResult<Value> {
        let typed = str_member(input, "Username");
        let pool_id = self.client_for(input, typed)?;
        let (_, client) = self.client(str_member(input, "ClientId"))?;
        let hide = client.prevents_user_existence_errors();
        let pool = self.pool(&pool_id)?;
        let Some(username) = pool.resolve(typed).map(str::to_owned) else {
            if hide {
                // Same answer shape as for a real user, and nothing is sent.
                return Ok(
                    json!({"CodeDeliveryDetails": {"Destination": "u***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}}),
                );
            }
            return Err(user_not_found());
        };
        let user = &pool.users[&username];
        if !user.enabled {
            return Err(ApiError::not_authorized("User is disabled."));
        }
        let details = self
            .send_code(
                &pool_id,
                &username,
                "FORGOT_PASSWORD",
                RESET_CODE_SECS,
                ctx.clock.unix(), ctx.rng
            )?
            .ok_or_else(|| {
                ApiError::invalid_parameter(
                    "Cannot reset password for the user as there is no registered/verified email or phone_number",
                )
            })?;
        Ok(json!({"CodeDeliveryDetails": details}))
    }

    pub(super) fn confirm_forgot_password(
        &mut self,
        input: &Value,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let typed = str_member(input, "Username");
        let pool_id = self.client_for(input, typed)?;
        let now = ctx.clock.unix();
        let username = self.pool(&pool_id)?.user(typed)?.username.clone();
        let verifier =
            self.pool(&pool_id)?
                .make_verifier(ctx, &username, str_member(input, "Password"))?;
        self.take_code(
            &pool_id,
            &username,
            "FORGOT_PASSWORD",
            str_member(input, "ConfirmationCode"),
            now,
        )?;
        let pool = self.pool_mut(&pool_id)?;
        let user = pool.users.get_mut(&username).expect("resolved");
        user.verifier = verifier;
        if matches!(
            user.status,
            UserStatusType::ResetRequired
                | UserStatusType::ForceChangePassword
                | UserStatusType::Unconfirmed
        ) {
            user.status = UserStatusType::Confirmed;
        }
        user.failed_sign_ins = 0;
        user.locked_until = 0;
        user.modified = now;
        Ok(json!({}))
    }

    pub(super) fn change_password(&mut self, input: &Value, ctx: &Context<'_>) -> ApiResult<Value> {
        let (pool_id, username) = self.check_access_token(str_member(input, "AccessToken"), ctx)?;
        let pool = self.pool(&pool_id)?;
        let previous = input["PreviousPassword"].as_str().unwrap_or_default();
        if !pool.password_matches(&pool.users[&username], previous, ctx) {
            return Err(ApiError::incorrect_credentials());
        }
        let verifier = pool.make_verifier(ctx, &username, str_member(input, "ProposedPassword"))?;
        let user = self
            .pool_mut(&pool_id)?
            .users
            .get_mut(&username)
            .expect("checked");
        user.verifier = verifier;
        user.modified = ctx.clock.unix();
        Ok(json!({}))
    }

    pub(super) fn get_user(&self, input: &Value, ctx: &Context<'_>) -> ApiResult<Value> {
        let (pool_id, username) = self.check_access_token(str_member(input, "AccessToken"), ctx)?;
        let user = &self.pool(&pool_id)?.users[&username];
        Ok(json!({"Username": user.username, "UserAttributes": user.attributes_json()}))
    }

    pub(super) fn update_user_attributes(
        &mut self,
        input: &Value,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let (pool_id, username) = self.check_access_token(str_member(input, "AccessToken"), ctx)?;
        let updates = attribute_list(&input["UserAttributes"])?;
        if updates.iter().any(|(k, _)| k.ends_with("_verified")) {
            return Err(ApiError::not_authorized(
                "A client cannot mark its own attributes verified",
            ));
        }
        self.pool_mut(&pool_id)?
            .update_attributes(&username, updates, ctx.clock.unix())?;
        Ok(json!({"CodeDeliveryDetailsList": []}))
    }

    pub(super) fn delete_user(&mut self, input: &Value, ctx: &Context<'_>) -> ApiResult<Value> {
        let (pool_id, username) = self.check_access_token(str_member(input, "AccessToken"), ctx)?;
        let pool = self.pool_mut(&pool_id)?;
        pool.end_sessions(&username);
        pool.users.remove(&username);
        Ok(json!({}))
    }

    pub(super) fn global_sign_out(&mut self, input: &Value, ctx: &Context<'_>) -> ApiResult<Value> {
        let (pool_id, username) = self.check_access_token(str_member(input, "AccessToken"), ctx)?;
        self.pool_mut(&pool_id)?.end_sessions(&username);
        Ok(json!({}))
    }

    /// GetTokensFromRefreshToken: new ID and access tokens, and with the
    /// client's RefreshTokenRotation on, a new refresh token too; signed
    /// by the caller once the lock is released.
    pub fn get_tokens_from_refresh_token(
        &mut self,
        input: &Value,
        ctx: &Context<'_>,
    ) -> ApiResult<UnsignedTokens> {
        let client_id = str_member(input, "ClientId");
        let (_, client) = self.client(client_id)?;
        check_client_secret(client, input["ClientSecret"].as_str(), || {
            ApiError::not_authorized(format!("Unable to verify secret for client {client_id}"))
        })?;
        self.refresh_rotating(client_id, str_member(input, "RefreshToken"), ctx)
    }

    pub(super) fn revoke_token(&mut self, input: &Value, ctx: &Context<'_>) -> ApiResult<Value> {
        let client_id = str_member(input, "ClientId");
        let (_, client) = self.client(client_id)?;
        check_client_secret(client, input["ClientSecret"].as_str(), || {
            ApiError::new("UnauthorizedException", "Invalid client secret")
        })?;
        if !client.token_revocation_enabled() {
            return Err(ApiError::new(
                "UnsupportedOperationException",
                "Token revocation is not enabled for this client",
            ));
        }
        let token = str_member(input, "Token");
        if crate::jwt::decode_unverified(token).is_some() {
            return Err(ApiError::new(
                "UnsupportedTokenTypeException",
                "Only refresh tokens can be revoked",
            ));
        }
        self.revoke_refresh_token(token, client_id, ctx.clock.unix())?;
        Ok(json!({}))
    }
}

/// A `ClientSecret` member (RevokeToken, GetTokensFromRefreshToken):
/// required and equal for a client with a secret, refused for one without.
fn check_client_secret(
    client: &super::AppClient,
    given: Option<&str>,
    wrong: impl FnOnce() -> ApiError,
) -> ApiResult<()> {
    match (&client.secret, given) {
        (Some(secret), Some(given)) if super::constant_time_eq(secret, given) => Ok(()),
        (Some(_), _) => Err(wrong()),
        (None, Some(_)) => Err(ApiError::invalid_parameter(
            "Client is not configured with a secret",
        )),
        (None, None) => Ok(()),
    }
}
