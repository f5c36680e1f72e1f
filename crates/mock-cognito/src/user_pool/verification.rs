//! Verifying a user's email address or phone number: the code sent when
//! one changes (UpdateUserAttributes, AdminUpdateUserAttributes),
//! GetUserAttributeVerificationCode and VerifyUserAttribute, and the
//! pool's UserAttributeUpdateSettings, which keep a verified value in use
//! until its replacement is verified.

use super::self_service::SIGN_UP_CODE_SECS;
use super::{CodePurpose, Context, Pool, UserPools, user_not_found};
use crate::error::{ApiError, ApiResult};
use crate::shapes::Empty;
use crate::shapes::cognito_idp::{
    CodeDeliveryDetailsType, GetUserAttributeVerificationCodeRequest,
    GetUserAttributeVerificationCodeResponse, VerifyUserAttributeRequest,
};

/// The code's purpose for each address attribute; None for any other
/// attribute, which cannot be verified.
fn purpose_of(attribute: &str) -> Option<(&'static str, CodePurpose)> {
    match attribute {
        "email" => Some(("email", CodePurpose::VerifyEmail)),
        "phone_number" => Some(("phone_number", CodePurpose::VerifyPhoneNumber)),
        _ => None,
    }
}

impl Pool {
    /// Whether the pool keeps `attribute`'s verified value until a new one
    /// is verified (UserAttributeUpdateSettings).
    pub(super) fn keeps_until_verified(&self, attribute: &str) -> bool {
        self.settings
            .user_attribute_update_settings
            .as_ref()
            .and_then(|s| s.attributes_require_verification_before_update.as_ref())
            .is_some_and(|list| list.iter().any(|a| a.as_str() == attribute))
    }
}

impl UserPools {
    /// After an update: a code to each changed address the pool verifies
    /// (its AutoVerifiedAttributes), sent to the new value.
    pub(super) fn send_verification_codes(
        &mut self,
        pool_id: &str,
        username: &str,
        awaiting: &[&str],
        ctx: &Context<'_>,
    ) -> ApiResult<Vec<CodeDeliveryDetailsType>> {
        let auto_verified = self.pool(pool_id)?.auto_verified();
        let mut sent = Vec::new();
        for attribute in awaiting.iter().filter(|a| auto_verified.contains(a)) {
            sent.push(self.send_verification_code(pool_id, username, attribute, ctx)?);
        }
        Ok(sent)
    }

    /// A code for `attribute` (its waiting new value, else its value).
    fn send_verification_code(
        &mut self,
        pool_id: &str,
        username: &str,
        attribute: &str,
        ctx: &Context<'_>,
    ) -> ApiResult<CodeDeliveryDetailsType> {
        let (attribute, purpose) = purpose_of(attribute).ok_or_else(|| {
            ApiError::invalid_parameter(format!(
                "Invalid attribute name {attribute}: only email and phone_number can be verified"
            ))
        })?;
        let user = self
            .pool(pool_id)?
            .users
            .get(username)
            .ok_or_else(user_not_found)?;
        let destination = user
            .pending_attributes
            .get(attribute)
            .or_else(|| user.attributes.get(attribute))
            .filter(|v| !v.is_empty())
            .cloned()
            .ok_or_else(|| {
                ApiError::invalid_parameter(format!("The user has no {attribute} to verify"))
            })?;
        self.send_code_to(
            pool_id,
            username,
            purpose,
            (attribute, destination),
            SIGN_UP_CODE_SECS,
            ctx,
        )
    }

    pub(super) fn get_user_attribute_verification_code(
        &mut self,
        input: GetUserAttributeVerificationCodeRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<GetUserAttributeVerificationCodeResponse> {
        let (pool_id, username) = self.check_access_token(&input.access_token, ctx)?;
        let details =
            self.send_verification_code(&pool_id, &username, &input.attribute_name, ctx)?;
        Ok(GetUserAttributeVerificationCodeResponse {
            code_delivery_details: Some(details),
        })
    }

    /// Checks the code, then puts a waiting new value in use and marks the
    /// attribute verified.
    pub(super) fn verify_user_attribute(
        &mut self,
        input: VerifyUserAttributeRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let (pool_id, username) = self.check_access_token(&input.access_token, ctx)?;
        let (attribute, purpose) = purpose_of(&input.attribute_name).ok_or_else(|| {
            ApiError::invalid_parameter(format!(
                "Invalid attribute name {}: only email and phone_number can be verified",
                input.attribute_name
            ))
        })?;
        let now = ctx.clock.unix();
        self.take_code(&pool_id, &username, purpose, &input.code, now)?;
        let pool = self.pool_mut(&pool_id)?;
        let user = pool.users.get(&username).ok_or_else(user_not_found)?;
        let mut attributes = user.attributes.clone();
        if let Some(value) = user.pending_attributes.get(attribute) {
            attributes.insert(attribute.to_owned(), value.clone());
        }
        attributes.insert(format!("{attribute}_verified"), "true".to_owned());
        pool.check_unique_aliases(&attributes, Some(&username))?;
        pool.set_attributes(&username, attributes, now)?;
        let user = pool.users.get_mut(&username).ok_or_else(user_not_found)?;
        user.pending_attributes.remove(attribute);
        Ok(Empty {})
    }
}
