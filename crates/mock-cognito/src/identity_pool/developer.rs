//! Developer-authenticated identities: your backend vouches for its own users
//! with GetOpenIdTokenForDeveloperIdentity (signed), and the app presents the
//! OpenID token under `cognito-identity.amazonaws.com`.

use super::IdentityPools;
use crate::error::{ApiError, ApiResult};
use crate::shapes::Empty;
use crate::shapes::cognito_identity::{
    GetOpenIdTokenForDeveloperIdentityInput, LookupDeveloperIdentityInput,
    LookupDeveloperIdentityResponse, MergeDeveloperIdentitiesInput,
    MergeDeveloperIdentitiesResponse, UnlinkDeveloperIdentityInput,
};
use crate::user_pool::Context;

/// How DescribeIdentity lists a developer login.
pub(super) const DEVELOPER_LOGIN_NAME: &str = cognito_wire::issuer::COGNITO_IDENTITY;
/// Default TokenDuration: 15 minutes.
const DEVELOPER_TOKEN_SECS: i64 = 900;

fn not_developer_pool(pool_id: &str) -> ApiError {
    ApiError::invalid_parameter(format!(
        "IdentityPool '{pool_id}' has no DeveloperProviderName"
    ))
}

impl IdentityPools {
    /// Links a developer user identifier to an identity; one registered to
    /// another identity is refused.
    pub(super) fn link_developer_id(
        &mut self,
        identity_id: &str,
        provider: &str,
        dev_id: &str,
        now: i64,
    ) -> ApiResult<()> {
        let pool_id = self.identity(identity_id)?.pool_id.clone();
        let pool = self.pool_mut(&pool_id)?;
        let key = (provider.to_owned(), dev_id.to_owned());
        match pool.login_index.get(&key) {
            Some(owner) if owner != identity_id => {
                return Err(ApiError::new(
                    "DeveloperUserAlreadyRegisteredException",
                    format!(
                        "Developer user identifier {dev_id} is already registered with another identity."
                    ),
                ));
            }
            _ => {}
        }
        pool.login_index.insert(key, identity_id.to_owned());
        let identity = self.identities.get_mut(identity_id).expect("checked");
        identity.developer_ids.insert(dev_id.to_owned());
        identity.modified = now;
        Ok(())
    }

    /// GetOpenIdTokenForDeveloperIdentity, with the token left to sign
    /// once the locks are released.
    pub fn get_open_id_token_for_developer_identity(
        &mut self,
        input: &GetOpenIdTokenForDeveloperIdentityInput,
        deps: super::Deps<'_>,
    ) -> ApiResult<super::identities::UnsignedOpenIdToken> {
        let pool_id = input.identity_pool_id.clone();
        let pool = self.pool(&pool_id)?;
        let provider = pool
            .developer_provider()
            .ok_or_else(|| not_developer_pool(&pool_id))?
            .to_owned();
        let dev_id = input
            .logins
            .get(&provider)
            .ok_or_else(|| {
                ApiError::invalid_parameter(format!(
                    "Logins must contain the developer provider {provider}"
                ))
            })?
            .to_owned();
        // Other entries are ordinary provider logins to link as well.
        let mut others = input.logins.clone();
        others.remove(&provider);
        let validated = self.validate_logins(pool, Some(&others), &deps)?;
        let now = deps.ctx.clock.unix();
        let existing = pool
            .login_index
            .get(&(provider.clone(), dev_id.clone()))
            .cloned();
        let created = input.identity_id.is_none() && existing.is_none();
        let identity_id = match (input.identity_id.as_deref(), existing) {
            (Some(given), Some(owner)) if given != owner => {
                return Err(ApiError::new(
                    "DeveloperUserAlreadyRegisteredException",
                    format!(
                        "Developer user identifier {dev_id} is already registered with identity {owner}."
                    ),
                ));
            }
            (Some(given), _) => {
                let identity = self.identity(given)?;
                if identity.pool_id != pool_id {
                    return Err(super::identity_not_found(given));
                }
                given.to_owned()
            }
            (None, Some(owner)) => owner,
            (None, None) => self.create_identity(&pool_id, Default::default(), now),
        };
        // Linked whole or not at all; an identity made for this call goes
        // again if its links fail.
        let linked = self.all_or_nothing(&pool_id, std::slice::from_ref(&identity_id), |this| {
            this.link_developer_id(&identity_id, &provider, &dev_id, now)?;
            for login in &validated.logins {
                this.link_login(&identity_id, &login.provider, &login.subject, now)?;
            }
            Ok(())
        });
        if linked.is_err() && created {
            self.restore(&pool_id, vec![(identity_id.clone(), None)]);
        }
        linked?;
        let lifetime = input.token_duration.unwrap_or(DEVELOPER_TOKEN_SECS);
        self.openid_token(&identity_id, &validated, lifetime, now)
    }

    pub(super) fn lookup_developer_identity(
        &self,
        input: &LookupDeveloperIdentityInput,
    ) -> ApiResult<LookupDeveloperIdentityResponse> {
        let pool_id = input.identity_pool_id.as_str();
        let pool = self.pool(pool_id)?;
        let provider = pool
            .developer_provider()
            .ok_or_else(|| not_developer_pool(pool_id))?;
        let identity_id = match (
            input.identity_id.as_deref(),
            input.developer_user_identifier.as_deref(),
        ) {
            (Some(id), _) => id.to_owned(),
            (None, Some(dev_id)) => pool
                .login_index
                .get(&(provider.to_owned(), dev_id.to_owned()))
                .cloned()
                .ok_or_else(|| {
                    ApiError::resource_not_found(format!(
                        "Developer user identifier {dev_id} not found."
                    ))
                })?,
            (None, None) => {
                return Err(ApiError::invalid_parameter(
                    "Either IdentityId or DeveloperUserIdentifier must be given",
                ));
            }
        };
        let identity = self.identity(&identity_id)?;
        if identity.pool_id != pool_id {
            return Err(super::identity_not_found(&identity_id));
        }
        let ids: Vec<String> = identity.developer_ids.iter().cloned().collect();
        let (page, next) = crate::paging::paginate(
            ids,
            super::page_size(input.max_results.unwrap_or(60)),
            input.next_token.as_deref(),
        )?;
        Ok(LookupDeveloperIdentityResponse {
            identity_id: Some(identity_id),
            developer_user_identifier_list: Some(page),
            next_token: next,
        })
    }

    pub(super) fn merge_developer_identities(
        &mut self,
        input: &MergeDeveloperIdentitiesInput,
        ctx: &Context<'_>,
    ) -> ApiResult<MergeDeveloperIdentitiesResponse> {
        let pool_id = input.identity_pool_id.as_str();
        let provider = input.developer_provider_name.as_str();
        let pool = self.pool(pool_id)?;
        if pool.developer_provider() != Some(provider) {
            return Err(ApiError::invalid_parameter(format!(
                "{provider} is not this pool's DeveloperProviderName"
            )));
        }
        let find = |dev_id: &str| {
            pool.login_index
                .get(&(provider.to_owned(), dev_id.to_owned()))
                .cloned()
                .ok_or_else(|| {
                    ApiError::resource_not_found(format!(
                        "Developer user identifier {dev_id} not found."
                    ))
                })
        };
        let source = find(&input.source_user_identifier)?;
        let destination = find(&input.destination_user_identifier)?;
        let involved = [destination.clone(), source.clone()];
        let survivor = self.all_or_nothing(pool_id, &involved, |this| {
            this.merge_identities(&destination, &source, ctx.clock.unix())
        })?;
        Ok(MergeDeveloperIdentitiesResponse {
            identity_id: Some(survivor),
        })
    }

    pub(super) fn unlink_developer_identity(
        &mut self,
        input: &UnlinkDeveloperIdentityInput,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let pool_id = input.identity_pool_id.clone();
        let identity_id = input.identity_id.clone();
        let provider = input.developer_provider_name.clone();
        let dev_id = input.developer_user_identifier.clone();
        let pool = self.pool_mut(&pool_id)?;
        if pool.login_index.get(&(provider.clone(), dev_id.clone())) != Some(&identity_id) {
            return Err(ApiError::resource_not_found(format!(
                "Developer user identifier {dev_id} is not linked to {identity_id}."
            )));
        }
        pool.login_index.remove(&(provider, dev_id.clone()));
        let identity = self
            .identities
            .get_mut(&identity_id)
            .ok_or_else(|| super::identity_not_found(&identity_id))?;
        identity.developer_ids.remove(&dev_id);
        identity.modified = ctx.clock.unix();
        Ok(Empty {})
    }
}
