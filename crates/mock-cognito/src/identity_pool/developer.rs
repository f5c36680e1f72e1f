//! Developer-authenticated identities: your backend vouches for its own users
//! with GetOpenIdTokenForDeveloperIdentity (signed), and the app presents the
//! OpenID token under `cognito-identity.amazonaws.com`.

use serde_json::{Value, json};

use super::{IdentityPools, str_member};
use crate::error::{ApiError, ApiResult};
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
        input: &Value,
        deps: super::Deps<'_>,
    ) -> ApiResult<super::identities::UnsignedOpenIdToken> {
        let pool_id = str_member(input, "IdentityPoolId").to_owned();
        let pool = self.pool(&pool_id)?;
        let provider = pool
            .developer_provider()
            .ok_or_else(|| not_developer_pool(&pool_id))?
            .to_owned();
        let dev_id = input["Logins"][&provider]
            .as_str()
            .ok_or_else(|| {
                ApiError::invalid_parameter(format!(
                    "Logins must contain the developer provider {provider}"
                ))
            })?
            .to_owned();
        // Other entries are ordinary provider logins to link as well.
        let mut others = input.clone();
        if let Some(m) = others["Logins"].as_object_mut() {
            m.remove(&provider);
        }
        let validated = self.validate_logins(pool, &others, &deps)?;
        let now = deps.ctx.clock.unix();
        let existing = pool
            .login_index
            .get(&(provider.clone(), dev_id.clone()))
            .cloned();
        let created = input["IdentityId"].is_null() && existing.is_none();
        let identity_id = match (input["IdentityId"].as_str(), existing) {
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
        let lifetime = input["TokenDuration"]
            .as_i64()
            .unwrap_or(DEVELOPER_TOKEN_SECS);
        self.openid_token(&identity_id, &validated, lifetime, now)
    }

    pub(super) fn lookup_developer_identity(&self, input: &Value) -> ApiResult<Value> {
        let pool_id = str_member(input, "IdentityPoolId");
        let pool = self.pool(pool_id)?;
        let provider = pool
            .developer_provider()
            .ok_or_else(|| not_developer_pool(pool_id))?;
        let identity_id = match (
            input["IdentityId"].as_str(),
            input["DeveloperUserIdentifier"].as_str(),
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
        let ids: Vec<Value> = identity.developer_ids.iter().map(|d| json!(d)).collect();
        let (page, next) = crate::paging::paginate(
            ids,
            input["MaxResults"].as_u64().unwrap_or(60) as usize,
            input["NextToken"].as_str(),
        )?;
        Ok(
            json!({"IdentityId": identity_id, "DeveloperUserIdentifierList": page, "NextToken": next}),
        )
    }

    pub(super) fn merge_developer_identities(
        &mut self,
        input: &Value,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let pool_id = str_member(input, "IdentityPoolId");
        let provider = str_member(input, "DeveloperProviderName");
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
        let source = find(str_member(input, "SourceUserIdentifier"))?;
        let destination = find(str_member(input, "DestinationUserIdentifier"))?;
        let involved = [destination.clone(), source.clone()];
        let survivor = self.all_or_nothing(pool_id, &involved, |this| {
            this.merge_identities(&destination, &source, ctx.clock.unix())
        })?;
        Ok(json!({"IdentityId": survivor}))
    }

    pub(super) fn unlink_developer_identity(
        &mut self,
        input: &Value,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let pool_id = str_member(input, "IdentityPoolId").to_owned();
        let identity_id = str_member(input, "IdentityId").to_owned();
        let provider = str_member(input, "DeveloperProviderName").to_owned();
        let dev_id = str_member(input, "DeveloperUserIdentifier").to_owned();
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
        Ok(json!({}))
    }
}
