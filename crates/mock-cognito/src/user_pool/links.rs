//! Linking external identities to existing users: AdminLinkProviderForUser
//! (a Facebook, Google… identity signs in as a user the pool already has)
//! and AdminDisableProviderForUser (the link, or the federated user, ends).
//!
//! A link is kept where Cognito shows it, in the user's `identities`
//! attribute; the hosted UI's federation looks there before creating a
//! `<Provider>_<id>` user.

use serde_json::{Value, json};

use super::{Pool, UserPools, user_not_found};
use crate::error::{ApiError, ApiResult};
use crate::shapes::Empty;
use crate::shapes::cognito_idp::{
    AdminDisableProviderForUserRequest, AdminLinkProviderForUserRequest, ProviderUserIdentifierType,
};

/// The only source attribute this mock links by: the provider's subject.
const SUBJECT: &str = "Cognito_Subject";

/// (provider name, subject) of an external user as the calls name it.
fn external(user: &ProviderUserIdentifierType, what: &str) -> ApiResult<(String, String)> {
    let provider = user.provider_name.clone().unwrap_or_default();
    let value = user.provider_attribute_value.clone().unwrap_or_default();
    if provider.is_empty() || value.is_empty() {
        return Err(ApiError::invalid_parameter(format!(
            "{what} needs ProviderName and ProviderAttributeValue"
        )));
    }
    if user
        .provider_attribute_name
        .as_deref()
        .is_some_and(|n| n != SUBJECT)
    {
        return Err(ApiError::invalid_parameter(format!(
            "{what}: only ProviderAttributeName {SUBJECT} is supported by this mock"
        )));
    }
    Ok((provider, value))
}

/// A user's linked identities (the `identities` attribute's array).
fn identities_of(attributes: &std::collections::BTreeMap<String, String>) -> Vec<Value> {
    attributes
        .get("identities")
        .and_then(|v| serde_json::from_str::<Vec<Value>>(v).ok())
        .unwrap_or_default()
}

fn is_identity(entry: &Value, provider: &str, subject: &str) -> bool {
    entry["providerName"] == provider && entry["userId"] == subject
}

impl Pool {
    /// The user an external identity is linked to, if any.
    pub(super) fn linked_user(&self, provider: &str, subject: &str) -> Option<String> {
        let federated = format!("{provider}_{subject}");
        self.users
            .iter()
            .filter(|(name, _)| **name != federated)
            .find(|(_, user)| {
                identities_of(&user.attributes)
                    .iter()
                    .any(|e| is_identity(e, provider, subject))
            })
            .map(|(name, _)| name.clone())
    }
}

impl UserPools {
    pub(super) fn admin_link_provider_for_user(
        &mut self,
        input: AdminLinkProviderForUserRequest,
        now: i64,
    ) -> ApiResult<Empty> {
        let (provider, subject) = external(&input.source_user, "SourceUser")?;
        let pool = self.pool_mut(&input.user_pool_id)?;
        let destination = &input.destination_user;
        if destination.provider_name.as_deref() != Some("Cognito") {
            return Err(ApiError::invalid_parameter(
                "DestinationUser must be a user of the pool (ProviderName Cognito)",
            ));
        }
        let typed = destination
            .provider_attribute_value
            .as_deref()
            .unwrap_or_default();
        let username = pool.user(typed)?.username.clone();
        let provider_type = pool
            .identity_providers
            .get(&provider)
            .map(|p| p.provider_type.as_str().to_owned())
            .ok_or_else(|| {
                ApiError::invalid_parameter(format!("The pool has no identity provider {provider}"))
            })?;
        if pool.users.contains_key(&format!("{provider}_{subject}")) {
            return Err(ApiError::invalid_parameter(
                "Merging is not currently supported, provide a SourceUser that has not been used to sign in yet",
            ));
        }
        if let Some(other) = pool.linked_user(&provider, &subject) {
            if other == username {
                return Ok(Empty {});
            }
            return Err(ApiError::new(
                "AliasExistsException",
                "The source user is already linked to another user of the pool",
            ));
        }
        let user = pool.users.get(&username).ok_or_else(user_not_found)?;
        let mut attributes = user.attributes.clone();
        let mut identities = identities_of(&attributes);
        identities.push(json!({
            "userId": subject,
            "providerName": provider,
            "providerType": provider_type,
            "issuer": Value::Null,
            "primary": "false",
            "dateCreated": (now * 1000).to_string(),
        }));
        attributes.insert("identities".to_owned(), Value::from(identities).to_string());
        pool.set_attributes(&username, attributes, now)
            .map(|()| Empty {})
    }

    pub(super) fn admin_disable_provider_for_user(
        &mut self,
        input: AdminDisableProviderForUserRequest,
        now: i64,
    ) -> ApiResult<Empty> {
        let (provider, subject) = external(&input.user, "User")?;
        let pool = self.pool_mut(&input.user_pool_id)?;
        // A link to an existing user ends…
        if let Some(linked) = pool.linked_user(&provider, &subject) {
            let user = pool.users.get(&linked).ok_or_else(user_not_found)?;
            let mut attributes = user.attributes.clone();
            let kept: Vec<Value> = identities_of(&attributes)
                .into_iter()
                .filter(|e| !is_identity(e, &provider, &subject))
                .collect();
            if kept.is_empty() {
                attributes.remove("identities");
            } else {
                attributes.insert("identities".to_owned(), Value::from(kept).to_string());
            }
            pool.set_attributes(&linked, attributes, now)?;
        }
        // …and the federated user, if one was made, can no longer sign in.
        if let Some(user) = pool.users.get_mut(&format!("{provider}_{subject}")) {
            user.enabled = false;
            user.modified = now;
        }
        Ok(Empty {})
    }
}
