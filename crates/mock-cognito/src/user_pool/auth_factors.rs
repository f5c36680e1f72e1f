//! GetUserAuthFactors / AdminGetUserAuthFactors: a user's MFA settings and
//! the factors configured for them, as choice-based sign-in (USER_AUTH)
//! would offer them.
//!
//! PASSWORD for a user with a password (not a federated one, not one who
//! signed up without one); EMAIL_OTP
//! and SMS_OTP for a verified address the pool lets sign in with it (its
//! SignInPolicy's AllowedFirstAuthFactors) or that is an MFA factor the
//! user has on; WEB_AUTHN for a user with a registered passkey;
//! SOFTWARE_TOKEN for a verified authenticator app.

use super::mfa::Factor;
use super::{Context, Pool, User, UserPools};
use crate::error::ApiResult;
use crate::shapes::cognito_idp::{
    AdminGetUserAuthFactorsRequest, AdminGetUserAuthFactorsResponse, AuthFactorType,
    GetUserAuthFactorsRequest, GetUserAuthFactorsResponse, UserStatusType,
};

/// What a user can sign in with.
struct Factors {
    username: String,
    preferred: Option<String>,
    mfa: Option<Vec<String>>,
    configured: Vec<AuthFactorType>,
}

fn factors_of(pool: &Pool, user: &User) -> Factors {
    let first = pool.allowed_first_factors();
    let verified = |attribute: &str| {
        user.attributes
            .get(&format!("{attribute}_verified"))
            .is_some_and(|v| v == "true")
    };
    let mut configured = Vec::new();
    if user.status != UserStatusType::ExternalProvider && !user.passwordless {
        configured.push(AuthFactorType::Password);
    }
    if verified("email")
        && (first.contains(&AuthFactorType::EmailOtp) || user.mfa.is_enabled(Factor::Email))
    {
        configured.push(AuthFactorType::EmailOtp);
    }
    if verified("phone_number")
        && (first.contains(&AuthFactorType::SmsOtp) || user.mfa.is_enabled(Factor::Sms))
    {
        configured.push(AuthFactorType::SmsOtp);
    }
    if !user.passkeys.is_empty() {
        configured.push(AuthFactorType::WebAuthn);
    }
    if user.mfa.has_software_token() {
        configured.push(AuthFactorType::SoftwareToken);
    }
    Factors {
        username: user.username.clone(),
        preferred: user.mfa.preferred_setting(),
        mfa: user.mfa.setting_list(),
        configured,
    }
}

impl UserPools {
    pub(super) fn get_user_auth_factors(
        &self,
        input: GetUserAuthFactorsRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<GetUserAuthFactorsResponse> {
        let (pool_id, username) = self.check_access_token(&input.access_token, ctx)?;
        let pool = self.pool(&pool_id)?;
        let f = factors_of(pool, pool.user(&username)?);
        Ok(GetUserAuthFactorsResponse {
            configured_user_auth_factors: Some(f.configured),
            preferred_mfa_setting: f.preferred,
            user_mfa_setting_list: f.mfa,
            username: f.username,
        })
    }

    pub(super) fn admin_get_user_auth_factors(
        &self,
        input: AdminGetUserAuthFactorsRequest,
    ) -> ApiResult<AdminGetUserAuthFactorsResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let f = factors_of(pool, pool.user(&input.username)?);
        Ok(AdminGetUserAuthFactorsResponse {
            configured_user_auth_factors: Some(f.configured),
            preferred_mfa_setting: f.preferred,
            user_mfa_setting_list: f.mfa,
            username: f.username,
        })
    }
}
