//! Unsigned self-service calls: sign-up, confirmation, password reset, and
//! the calls that act on the caller's own access token.

use super::auth::check_secret_hash;
use super::auth_events::EventKind;
use super::schema::Writer;
use super::tokens::UnsignedTokens;
use super::{CodePurpose, Context, UserPools, attribute_list, mask, user_not_found};
use crate::error::{ApiError, ApiResult};
use crate::shapes::Empty;
use crate::shapes::cognito_idp::{
    AdminResetUserPasswordRequest, ChangePasswordRequest, CodeDeliveryDetailsType,
    ConfirmForgotPasswordRequest, ConfirmSignUpRequest, ConfirmSignUpResponse,
    DeleteUserAttributesRequest, DeleteUserRequest, DeliveryMediumType, ForgotPasswordRequest,
    ForgotPasswordResponse, GetTokensFromRefreshTokenRequest, GetUserRequest, GetUserResponse,
    GlobalSignOutRequest, RecoveryOptionNameType, ResendConfirmationCodeRequest,
    ResendConfirmationCodeResponse, RevokeTokenRequest, SignUpRequest, SignUpResponse,
    UpdateUserAttributesRequest, UpdateUserAttributesResponse, UserStatusType,
};

/// What a code "sent" to an unknown user looks like where the client
/// prevents user-existence errors: the shape of a real delivery.
fn decoy_delivery() -> CodeDeliveryDetailsType {
    CodeDeliveryDetailsType {
        destination: Some("u***@e***".to_owned()),
        delivery_medium: Some(DeliveryMediumType::Email),
        attribute_name: Some("email".to_owned()),
    }
}

/// Codes are valid for 24 hours (sign-up) and 1 hour (password reset), as in Cognito.
pub(super) const SIGN_UP_CODE_SECS: i64 = 86_400;
const RESET_CODE_SECS: i64 = 3600;

impl UserPools {
    /// The app client of an unsigned call, with its SecretHash checked over `username`.
    fn client_for(
        &self,
        client_id: &str,
        secret_hash: Option<&str>,
        username: &str,
    ) -> ApiResult<String> {
        let (pool, client) = self.client(client_id)?;
        check_secret_hash(client, username, secret_hash)?;
        Ok(pool.id.clone())
    }

    /// Issues a code to a user and "delivers" it (log and inspection route)
    /// to the address the pool verifies (its AutoVerifiedAttributes, email
    /// first), only to a verified one if `verified_only`. `None`, and no
    /// code, when the user has no such address: AWS then answers without
    /// CodeDeliveryDetails.
    fn send_code(
        &mut self,
        pool_id: &str,
        username: &str,
        purpose: CodePurpose,
        verified_only: bool,
        lifetime: i64,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<CodeDeliveryDetailsType>> {
        let pool = self.pool_mut(pool_id)?;
        let verifies = pool.auto_verified();
        let mut channels: Vec<&str> = ["email", "phone_number"]
            .into_iter()
            .filter(|a| verifies.is_empty() || verifies.contains(a))
            .collect();
        // A password reset follows the pool's AccountRecoverySetting, in
        // its priority order (admin_only: no channel at all).
        let recovery = pool
            .settings
            .account_recovery_setting
            .as_ref()
            .and_then(|s| s.recovery_mechanisms.clone())
            .filter(|_| verified_only);
        if let Some(mut mechanisms) = recovery {
            mechanisms.sort_by_key(|m| m.priority);
            channels = mechanisms
                .iter()
                .filter_map(|m| match m.name {
                    RecoveryOptionNameType::VerifiedEmail => Some("email"),
                    RecoveryOptionNameType::VerifiedPhoneNumber => Some("phone_number"),
                    RecoveryOptionNameType::AdminOnly => None,
                })
                .collect();
        }
        let user = pool.users.get(username).ok_or_else(user_not_found)?;
        let verified = |a: &str| {
            user.attributes
                .get(&format!("{a}_verified"))
                .is_some_and(|v| v == "true")
        };
        let Some((attribute, destination)) = channels
            .iter()
            .copied()
            .filter(|a| !verified_only || verified(a))
            .find_map(|a| Some((a, user.attributes.get(a)?.clone())))
            .filter(|(_, d)| !d.is_empty())
        else {
            return Ok(None);
        };
        let delivered = self.send_code_to(
            pool_id,
            username,
            purpose,
            (attribute, destination),
            lifetime,
            ctx,
        )?;
        Ok(Some(delivered))
    }

    /// Issues a code to a user and "delivers" it to `destination`, the
    /// value of `attribute` (`email` or `phone_number`).
    pub(super) fn send_code_to(
        &mut self,
        pool_id: &str,
        username: &str,
        purpose: CodePurpose,
        (attribute, destination): (&str, String),
        lifetime: i64,
        ctx: &Context<'_>,
    ) -> ApiResult<CodeDeliveryDetailsType> {
        let now = ctx.clock.unix();
        let pool = self.pool_mut(pool_id)?;
        let code = ctx.rng.code();
        let medium = if attribute == "email" {
            DeliveryMediumType::Email
        } else {
            DeliveryMediumType::Sms
        };
        let user = pool.users.get_mut(username).ok_or_else(user_not_found)?;
        user.code = Some((code.clone(), purpose, now + lifetime));

        let record = super::CodeRecord::new(
            self.pool(pool_id)?,
            username,
            purpose,
            code,
            destination.clone(),
        );
        self.deliver_code(record, now + lifetime, ctx);
        Ok(CodeDeliveryDetailsType {
            destination: Some(mask(&destination)),
            delivery_medium: Some(medium),
            attribute_name: Some(attribute.to_owned()),
        })
    }

    /// Checks and spends a user's pending code.
    pub(super) fn take_code(
        &mut self,
        pool_id: &str,
        username: &str,
        purpose: CodePurpose,
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

    /// The user `typed` names, for a confirmation with a code: an unknown
    /// one is UserNotFoundException, or, where the client prevents
    /// user-existence errors, the wrong-code answer a real user would get.
    fn existing_user(&self, client_id: &str, pool_id: &str, typed: &str) -> ApiResult<String> {
        let hide = self.client(client_id)?.1.prevents_user_existence_errors();
        match self.pool(pool_id)?.resolve(typed) {
            Some(username) => Ok(username.to_owned()),
            None if hide => Err(ApiError::new(
                "CodeMismatchException",
                "Invalid verification code provided, please try again.",
            )),
            None => Err(user_not_found()),
        }
    }

    pub(super) fn sign_up(
        &mut self,
        input: SignUpRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<SignUpResponse> {
        let typed = &input.username;
        let pool_id = self.client_for(&input.client_id, input.secret_hash.as_deref(), typed)?;
        if self.pool(&pool_id)?.admin_creates_users_only() {
            return Err(ApiError::not_authorized(
                "SignUp is not permitted for this user pool",
            ));
        }
        let password = input.password.as_deref().filter(|p| !p.is_empty());
        if password.is_none() && !self.pool(&pool_id)?.allows_passwordless_sign_in() {
            return Err(ApiError::invalid_parameter(
                "A password is required: the user pool allows no passwordless first factor (EMAIL_OTP, SMS_OTP or WEB_AUTHN in its SignInPolicy's AllowedFirstAuthFactors)",
            ));
        }
        let updates = attribute_list(input.user_attributes)?;
        self.client(&input.client_id)?.1.check_writable(&updates)?;
        // PreSignUp ran ahead: its refusal creates nothing; its answer may
        // confirm the user and verify their addresses.
        let answer = super::trigger_events::pre_sign_up_answer(ctx)?.unwrap_or_default();
        let pool = self.pool(&pool_id)?;
        let status = match answer.auto_confirm {
            true => UserStatusType::Confirmed,
            false => UserStatusType::Unconfirmed,
        };
        let mut user = pool.new_user(typed, password, updates, Writer::SignUp, status, ctx)?;
        for (verify, attribute) in [
            (answer.auto_verify_email, "email"),
            (answer.auto_verify_phone, "phone_number"),
        ] {
            if verify && user.attributes.contains_key(attribute) {
                user.attributes
                    .insert(format!("{attribute}_verified"), "true".to_owned());
            }
        }
        let (username, sub) = (user.username.clone(), user.sub.clone());
        let needs_code = !answer.auto_confirm && !pool.auto_verified().is_empty();
        self.pool_mut(&pool_id)?.add_user(user);
        self.record_event(&pool_id, &username, EventKind::SignUp, ctx);
        // Without auto-verified attributes there is nothing to verify: the
        // user stays UNCONFIRMED until an admin confirms them, as in Cognito.
        let code_delivery_details = if needs_code {
            self.send_code(
                &pool_id,
                &username,
                CodePurpose::SignUp,
                false,
                SIGN_UP_CODE_SECS,
                ctx,
            )?
        } else {
            None
        };
        Ok(SignUpResponse {
            code_delivery_details,
            session: None,
            user_confirmed: answer.auto_confirm,
            user_sub: sub,
        })
    }

    pub(super) fn confirm_sign_up(
        &mut self,
        input: ConfirmSignUpRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<ConfirmSignUpResponse> {
        let typed = &input.username;
        let pool_id = self.client_for(&input.client_id, input.secret_hash.as_deref(), typed)?;
        let now = ctx.clock.unix();
        let username = self.existing_user(&input.client_id, &pool_id, typed)?;
        if self.pool(&pool_id)?.users[&username].status != UserStatusType::Unconfirmed {
            return Err(ApiError::not_authorized(
                "User cannot be confirmed. Current status is CONFIRMED",
            ));
        }
        self.take_code(
            &pool_id,
            &username,
            CodePurpose::SignUp,
            &input.confirmation_code,
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
        // A client with choice-based sign-in gets a Session that signs the
        // new user in (InitiateAuth USER_AUTH with it), as on AWS.
        let signs_in = self.client(&input.client_id)?.1.allows("USER_AUTH");
        let session = signs_in
            .then(|| self.open_sign_in_after_sign_up(&pool_id, &input.client_id, &username, ctx));
        Ok(ConfirmSignUpResponse { session })
    }

    pub(super) fn resend_confirmation_code(
        &mut self,
        input: ResendConfirmationCodeRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<ResendConfirmationCodeResponse> {
        let typed = &input.username;
        let pool_id = self.client_for(&input.client_id, input.secret_hash.as_deref(), typed)?;
        let hide = self
            .client(&input.client_id)?
            .1
            .prevents_user_existence_errors();
        let user = match self.pool(&pool_id)?.user(typed) {
            Ok(user) => user,
            // The same answer as for a real user, and nothing is sent.
            Err(_) if hide => {
                return Ok(ResendConfirmationCodeResponse {
                    code_delivery_details: Some(decoy_delivery()),
                });
            }
            Err(e) => return Err(e),
        };
        if user.status != UserStatusType::Unconfirmed {
            return Err(ApiError::invalid_parameter("User is already confirmed."));
        }
        let username = user.username.clone();
        let details = self
            .send_code(
                &pool_id,
                &username,
                CodePurpose::SignUp,
                false,
                SIGN_UP_CODE_SECS,
                ctx,
            )?
            .ok_or_else(|| {
                ApiError::invalid_parameter(
                    "Cannot send a confirmation code: the user has no email or phone_number to send it to",
                )
            })?;
        Ok(ResendConfirmationCodeResponse {
            code_delivery_details: Some(details),
        })
    }

    pub(super) fn forgot_password(
        &mut self,
        input: ForgotPasswordRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<ForgotPasswordResponse> {
        let typed = &input.username;
        let pool_id = self.client_for(&input.client_id, input.secret_hash.as_deref(), typed)?;
        self.migrate_ahead(&input.client_id, typed, None, ctx)?;
        let (_, client) = self.client(&input.client_id)?;
        let hide = client.prevents_user_existence_errors();
        let pool = self.pool(&pool_id)?;
        let Some(username) = pool.resolve(typed).map(str::to_owned) else {
            if hide {
                // Same answer shape as for a real user, and nothing is sent.
                return Ok(ForgotPasswordResponse {
                    code_delivery_details: Some(decoy_delivery()),
                });
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
                CodePurpose::ForgotPassword,
                true,
                RESET_CODE_SECS,
                ctx,
            )?
            .ok_or_else(|| {
                ApiError::invalid_parameter(
                    "Cannot reset password for the user as there is no registered/verified email or phone_number",
                )
            })?;
        self.record_event(&pool_id, &username, EventKind::ForgotPassword, ctx);
        Ok(ForgotPasswordResponse {
            code_delivery_details: Some(details),
        })
    }

    /// AdminResetUserPassword: the password stops working (sign-in answers
    /// PasswordResetRequiredException) and a reset code goes to the user's
    /// verified address, if they have one, for ConfirmForgotPassword.
    pub(super) fn admin_reset_user_password(
        &mut self,
        input: AdminResetUserPasswordRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let pool = self.pool(&input.user_pool_id)?;
        let user = pool.user(&input.username)?;
        let username = user.username.clone();
        if user.status == UserStatusType::ExternalProvider {
            return Err(ApiError::invalid_parameter(
                "A federated user has no password to reset",
            ));
        }
        self.send_code(
            &input.user_pool_id,
            &username,
            CodePurpose::ForgotPassword,
            true,
            RESET_CODE_SECS,
            ctx,
        )?;
        let user = self.user_entry_mut(&input.user_pool_id, &username)?;
        user.status = UserStatusType::ResetRequired;
        user.modified = ctx.clock.unix();
        Ok(Empty {})
    }

    pub(super) fn confirm_forgot_password(
        &mut self,
        input: ConfirmForgotPasswordRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let typed = &input.username;
        let pool_id = self.client_for(&input.client_id, input.secret_hash.as_deref(), typed)?;
        let now = ctx.clock.unix();
        let username = self.existing_user(&input.client_id, &pool_id, typed)?;
        let pool = self.pool(&pool_id)?;
        let verifier = pool.make_verifier(ctx, &username, &input.password)?;
        pool.check_password_reuse(&username, &input.password, ctx)?;
        self.take_code(
            &pool_id,
            &username,
            CodePurpose::ForgotPassword,
            &input.confirmation_code,
            now,
        )?;
        let pool = self.pool_mut(&pool_id)?;
        pool.replace_verifier(&username, verifier, now)?;
        let user = pool.users.get_mut(&username).expect("resolved");
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
        Ok(Empty {})
    }

    pub(super) fn change_password(
        &mut self,
        input: ChangePasswordRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let (pool_id, username) = self.check_access_token(&input.access_token, ctx)?;
        let pool = self.pool(&pool_id)?;
        let previous = input.previous_password.as_deref().unwrap_or_default();
        if !pool.password_matches(&pool.users[&username], previous, ctx) {
            return Err(ApiError::incorrect_credentials());
        }
        let verifier = pool.make_verifier(ctx, &username, &input.proposed_password)?;
        pool.check_password_reuse(&username, &input.proposed_password, ctx)?;
        self.pool_mut(&pool_id)?
            .replace_verifier(&username, verifier, ctx.clock.unix())?;
        self.record_event(&pool_id, &username, EventKind::PasswordChange, ctx);
        Ok(Empty {})
    }

    pub(super) fn get_user(
        &self,
        input: GetUserRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<GetUserResponse> {
        let (pool_id, username) = self.check_access_token(&input.access_token, ctx)?;
        let user = &self.pool(&pool_id)?.users[&username];
        Ok(GetUserResponse {
            username: user.username.clone(),
            user_attributes: user.attribute_types(),
            mfa_options: user.mfa.options(),
            preferred_mfa_setting: user.mfa.preferred_setting(),
            user_mfa_setting_list: user.mfa.setting_list(),
        })
    }

    pub(super) fn update_user_attributes(
        &mut self,
        input: UpdateUserAttributesRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<UpdateUserAttributesResponse> {
        let (pool_id, username) = self.check_access_token(&input.access_token, ctx)?;
        let updates = attribute_list(Some(input.user_attributes))?;
        if updates.iter().any(|(k, _)| k.ends_with("_verified")) {
            return Err(ApiError::not_authorized(
                "A client cannot mark its own attributes verified",
            ));
        }
        if let Some(client) = self.token_client(&pool_id, &input.access_token) {
            client.check_writable(&updates)?;
        }
        let awaiting = self.pool_mut(&pool_id)?.update_attributes(
            &username,
            updates,
            Writer::User,
            ctx.clock.unix(),
        )?;
        let sent = self.send_verification_codes(&pool_id, &username, &awaiting, ctx)?;
        Ok(UpdateUserAttributesResponse {
            code_delivery_details_list: Some(sent),
        })
    }

    /// The app client a (checked) access token of `pool_id` was issued to.
    fn token_client(&self, pool_id: &str, token: &str) -> Option<&super::AppClient> {
        let claims = crate::jwt::decode_unverified(token)?;
        self.pools
            .get(pool_id)?
            .clients
            .get(claims["client_id"].as_str()?)
    }

    pub(super) fn delete_user_attributes(
        &mut self,
        input: DeleteUserAttributesRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let (pool_id, username) = self.check_access_token(&input.access_token, ctx)?;
        if let Some(client) = self.token_client(&pool_id, &input.access_token) {
            let cleared: Vec<(String, String)> = input
                .user_attribute_names
                .iter()
                .map(|n| (n.clone(), String::new()))
                .collect();
            client.check_writable(&cleared)?;
        }
        self.pool_mut(&pool_id)?.delete_attributes(
            &username,
            &input.user_attribute_names,
            Writer::User,
            ctx.clock.unix(),
        )?;
        Ok(Empty {})
    }

    pub(super) fn delete_user(
        &mut self,
        input: DeleteUserRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let (pool_id, username) = self.check_access_token(&input.access_token, ctx)?;
        self.pool_mut(&pool_id)?.remove_user(&username);
        Ok(Empty {})
    }

    pub(super) fn global_sign_out(
        &mut self,
        input: GlobalSignOutRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let (pool_id, username) = self.check_access_token(&input.access_token, ctx)?;
        self.pool_mut(&pool_id)?.end_sessions(&username);
        Ok(Empty {})
    }

    /// GetTokensFromRefreshToken: new ID and access tokens, and with the
    /// client's RefreshTokenRotation on, a new refresh token too; signed
    /// by the caller once the lock is released.
    pub fn get_tokens_from_refresh_token(
        &mut self,
        input: &GetTokensFromRefreshTokenRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<UnsignedTokens> {
        let client_id = &input.client_id;
        let (_, client) = self.client(client_id)?;
        check_client_secret(client, input.client_secret.as_deref(), || {
            ApiError::not_authorized(format!("Unable to verify secret for client {client_id}"))
        })?;
        self.refresh_rotating(client_id, &input.refresh_token, ctx)
    }

    pub(super) fn revoke_token(
        &mut self,
        input: RevokeTokenRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let client_id = &input.client_id;
        let (_, client) = self.client(client_id)?;
        check_client_secret(client, input.client_secret.as_deref(), || {
            ApiError::new("UnauthorizedException", "Invalid client secret")
        })?;
        if !client.token_revocation_enabled() {
            return Err(ApiError::new(
                "UnsupportedOperationException",
                "Token revocation is not enabled for this client",
            ));
        }
        let token = &input.token;
        if crate::jwt::decode_unverified(token).is_some() {
            return Err(ApiError::new(
                "UnsupportedTokenTypeException",
                "Only refresh tokens can be revoked",
            ));
        }
        self.revoke_refresh_token(token, client_id, ctx.clock.unix())?;
        Ok(Empty {})
    }
}

/// A `ClientSecret` member (RevokeToken, GetTokensFromRefreshToken):
/// required and equal for a client with a secret, refused for one without.
pub(super) fn check_client_secret(
    client: &super::AppClient,
    given: Option<&str>,
    wrong: impl FnOnce() -> ApiError,
) -> ApiResult<()> {
    match (client.has_secret(), given) {
        (true, Some(given)) if client.secret_matches(given) => Ok(()),
        (true, _) => Err(wrong()),
        (false, Some(_)) => Err(ApiError::invalid_parameter(
            "Client is not configured with a secret",
        )),
        (false, None) => Ok(()),
    }
}
