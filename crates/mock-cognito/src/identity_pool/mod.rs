//! Identity pools (`AWSCognitoIdentityService.*`).
//!
//! - `logins`: validating the `Logins` map against user pools, the fake
//!   external providers and the pool's own OpenID tokens;
//! - `identities`: GetId, GetCredentialsForIdentity, GetOpenIdToken, linking,
//!   merging and unlinking;
//! - `roles`: choosing the role (CustomRoleArn, Token and Rules mappings);
//! - `developer`: developer-authenticated identities.

mod developer;
mod durable;
mod identities;
mod logins;
mod roles;
mod tags;

pub use identities::UnsignedOpenIdToken;

use std::collections::{BTreeMap, HashMap};

use cognito_wire::issuer;
use serde_json::Value;

use crate::shapes::Empty;
use crate::shapes::Timestamp;
use crate::shapes::cognito_identity::{
    CognitoIdentityProvider, CreateIdentityPoolInput, DeleteIdentitiesInput,
    DeleteIdentitiesResponse, DeleteIdentityPoolInput, DescribeIdentityInput,
    DescribeIdentityPoolInput, GetIdentityPoolRolesInput, GetIdentityPoolRolesResponse,
    GetPrincipalTagAttributeMapInput, GetPrincipalTagAttributeMapResponse, IdentityDescription,
    IdentityPool as PoolSettings, IdentityPoolRequest, IdentityPoolShortDescription,
    ListIdentitiesInput, ListIdentitiesResponse, ListIdentityPoolsInput, ListIdentityPoolsResponse,
    RoleMapping, RoleMappingType, SetIdentityPoolRolesInput, SetPrincipalTagAttributeMapInput,
    SetPrincipalTagAttributeMapResponse,
};

use crate::ahead::VerifiedSignatures;
use crate::credentials::CredentialStore;
use crate::error::{ApiError, ApiResult};
use crate::external_idp::ExternalProviders;
use crate::jwt::{Alg, SigningKey};
use crate::paging::paginate;
use crate::shapes::output_json as json;
use crate::store::Tracked;
use crate::user_pool::{Context, UserPools};

/// Issuer of identity-pool OpenID tokens.
pub const OPENID_ISSUER: &str = "https://cognito-identity.amazonaws.com";
/// The login key under which an identity pool's own OpenID token is presented
/// (the developer-authenticated flow).
pub const OPENID_LOGIN_KEY: &str = issuer::COGNITO_IDENTITY;

/// Everything an identity-pool operation may read or change besides its own
/// state: user pools (to verify their tokens), the fake providers, and the
/// credential store shared with STS.
#[derive(Debug)]
pub struct Deps<'a> {
    /// Request context (clock, region, endpoint).
    pub ctx: &'a Context<'a>,
    /// User pools, read-only.
    pub user_pools: &'a UserPools,
    /// Fake external providers, read-only.
    pub providers: &'a ExternalProviders,
    /// Credentials issued so far.
    pub credentials: &'a mut CredentialStore,
    /// The logins' signatures, checked before the locks were taken.
    pub signatures: &'a VerifiedSignatures,
}

/// All identity pools of one mock.
#[derive(Debug)]
pub struct IdentityPools {
    /// With a data dir, both maps track their changes (`durable`).
    pools: Tracked<String, IdentityPool>,
    identities: Tracked<String, Identity>,
    /// Signs the OpenID tokens of GetOpenIdToken*, RS512 as AWS does.
    openid_key: std::sync::Arc<SigningKey>,
    /// The mock's randomness, for identity ids.
    rng: crate::ids::Randomness,
}

#[derive(Debug, Clone)]
struct IdentityPool {
    id: String,
    region: String,
    /// What Create/UpdateIdentityPool set, as Describe answers it.
    settings: PoolSettings,
    /// `authenticated` / `unauthenticated` → role ARN.
    roles: BTreeMap<String, String>,
    /// Provider (for user pools `<login key>:<client id>`) → mapping.
    role_mappings: BTreeMap<String, RoleMapping>,
    /// Provider name → its principal-tag map.
    principal_tags: BTreeMap<String, PrincipalTags>,
    /// (provider, subject) → identity id.
    login_index: HashMap<(String, String), String>,
}

/// SetPrincipalTagAttributeMap's settings for one provider.
#[derive(Debug, Clone, Default)]
struct PrincipalTags {
    use_defaults: bool,
    tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
struct Identity {
    id: String,
    pool_id: String,
    /// Provider → subject.
    logins: BTreeMap<String, String>,
    /// Developer user identifiers (several after MergeDeveloperIdentities).
    developer_ids: std::collections::BTreeSet<String>,
    created: i64,
    modified: i64,
    /// Merged into another identity (or otherwise disabled).
    disabled: bool,
}

impl IdentityPools {
    /// Empty, with an OpenID signing key made by `keys` on first use.
    pub fn new(rng: &crate::ids::Randomness, keys: &crate::jwt::KeyFactory) -> Self {
        IdentityPools {
            pools: Tracked::default(),
            identities: Tracked::default(),
            openid_key: std::sync::Arc::new(SigningKey::generate_with(
                "cognito-identity-1".to_owned(),
                Alg::Rs512,
                keys,
            )),
            rng: rng.clone(),
        }
    }

    /// The key OpenID tokens are signed with: signing, verifying and the
    /// JWKS use it with no lock held.
    pub(crate) fn signing_key(&self) -> std::sync::Arc<SigningKey> {
        self.openid_key.clone()
    }

    /// Verifies an OpenID token this mock issued and returns its claims
    /// (STS AssumeRoleWithWebIdentity uses it).
    pub fn verify_openid_token(
        &self,
        token: &str,
        now: i64,
        signatures: &VerifiedSignatures,
    ) -> Result<Value, &'static str> {
        let claims = crate::jwt::decode_unverified(token).ok_or("the token is not a JWT")?;
        if !signatures.verify(&self.openid_key, token) {
            return Err("the token's signature does not verify");
        }
        if claims["iss"] != OPENID_ISSUER {
            return Err("the token's issuer is not cognito-identity.amazonaws.com");
        }
        if claims["exp"].as_i64().is_none_or(|e| e <= now) {
            return Err("the token has expired");
        }
        Ok(claims)
    }

    /// The pool an OpenID token's audience names: (allow classic flow, roles).
    pub fn classic_flow_roles(&self, pool_id: &str) -> Option<(bool, Vec<String>)> {
        let pool = self.pools.get(pool_id)?;
        let classic = pool.settings.allow_classic_flow.unwrap_or(false);
        Some((classic, pool.roles.values().cloned().collect()))
    }

    /// (id, name) of every identity pool.
    pub fn summary(&self) -> Vec<(String, String)> {
        self.pools
            .values()
            .map(|p| (p.id.clone(), p.settings.identity_pool_name.clone()))
            .collect()
    }

    /// The pool's roles (`authenticated`, `unauthenticated`).
    pub fn roles_of(&self, pool_id: &str) -> BTreeMap<String, String> {
        self.pools
            .get(pool_id)
            .map(|p| p.roles.clone())
            .unwrap_or_default()
    }

    /// Runs one operation other than GetOpenIdToken*, whose tokens are
    /// signed after the locks (`crate::ops::identity_pool`). The answer is
    /// the operation's typed output, as JSON.
    pub fn handle(&mut self, request: &IdentityPoolRequest, deps: Deps<'_>) -> ApiResult<Value> {
        use IdentityPoolRequest as R;
        match request {
            R::CreateIdentityPool(i) => json(self.create_identity_pool(i, None, deps.ctx)?),
            R::DescribeIdentityPool(i) => json(self.describe_identity_pool(i)?),
            R::UpdateIdentityPool(i) => json(self.update_identity_pool(i)?),
            R::ListIdentityPools(i) => json(self.list_identity_pools(i, deps.ctx)?),
            R::DeleteIdentityPool(i) => json(self.delete_identity_pool(i)?),
            R::SetIdentityPoolRoles(i) => json(self.set_identity_pool_roles(i)?),
            R::GetIdentityPoolRoles(i) => json(self.get_identity_pool_roles(i)?),
            R::SetPrincipalTagAttributeMap(i) => json(self.set_principal_tag_attribute_map(i)?),
            R::GetPrincipalTagAttributeMap(i) => json(self.get_principal_tag_attribute_map(i)?),
            R::DescribeIdentity(i) => json(self.describe_identity(i)?),
            R::ListIdentities(i) => json(self.list_identities(i)?),
            R::DeleteIdentities(i) => json(self.delete_identities(i)),
            R::GetId(i) => json(self.get_id(i, deps)?),
            R::GetCredentialsForIdentity(i) => json(self.get_credentials_for_identity(i, deps)?),
            R::UnlinkIdentity(i) => json(self.unlink_identity(i, deps)?),
            R::LookupDeveloperIdentity(i) => json(self.lookup_developer_identity(i)?),
            R::MergeDeveloperIdentities(i) => json(self.merge_developer_identities(i, deps.ctx)?),
            R::UnlinkDeveloperIdentity(i) => json(self.unlink_developer_identity(i, deps.ctx)?),
            R::TagResource(i) => json(self.tag_resource(i)?),
            R::UntagResource(i) => json(self.untag_resource(i)?),
            R::ListTagsForResource(i) => json(self.list_tags_for_resource(i)?),
            other => Err(ApiError::new(
                "UnsupportedOperationException",
                format!(
                    "{} is a valid Cognito operation that this mock does not implement yet",
                    other.operation().name()
                ),
            )),
        }
    }

    fn pool(&self, id: &str) -> ApiResult<&IdentityPool> {
        self.pools.get(id).ok_or_else(|| pool_not_found(id))
    }

    fn pool_mut(&mut self, id: &str) -> ApiResult<&mut IdentityPool> {
        self.pools.get_mut(id).ok_or_else(|| pool_not_found(id))
    }

    fn identity(&self, id: &str) -> ApiResult<&Identity> {
        self.identities
            .get(id)
            .ok_or_else(|| identity_not_found(id))
    }

    /// CreateIdentityPool; `fixed_id` lets a seed file choose the id.
    pub(crate) fn create_identity_pool(
        &mut self,
        input: &CreateIdentityPoolInput,
        fixed_id: Option<&str>,
        ctx: &Context<'_>,
    ) -> ApiResult<PoolSettings> {
        validate_providers(input.cognito_identity_providers.as_deref())?;
        let (id, region) = match fixed_id {
            Some(id) => {
                if self.pools.contains_key(id) {
                    return Err(ApiError::invalid_parameter(format!(
                        "IdentityPool '{id}' already exists"
                    )));
                }
                let region = id
                    .split_once(':')
                    .map(|(r, _)| r)
                    .unwrap_or(ctx.default_region);
                (id.to_owned(), region.to_owned())
            }
            None => (
                format!("{}:{}", ctx.region(), ctx.rng.uuid()),
                ctx.region().to_owned(),
            ),
        };
        let settings = PoolSettings {
            allow_classic_flow: input.allow_classic_flow,
            allow_unauthenticated_identities: input.allow_unauthenticated_identities,
            cognito_identity_providers: input.cognito_identity_providers.clone(),
            developer_provider_name: input.developer_provider_name.clone(),
            identity_pool_id: id.clone(),
            identity_pool_name: input.identity_pool_name.clone(),
            identity_pool_tags: input.identity_pool_tags.clone(),
            open_id_connect_provider_arns: input.open_id_connect_provider_arns.clone(),
            saml_provider_arns: input.saml_provider_arns.clone(),
            supported_login_providers: input.supported_login_providers.clone(),
        };
        let pool = IdentityPool {
            id: id.clone(),
            region,
            settings: settings.clone(),
            roles: BTreeMap::new(),
            role_mappings: BTreeMap::new(),
            principal_tags: BTreeMap::new(),
            login_index: HashMap::new(),
        };
        self.pools.insert(id, pool);
        Ok(settings)
    }

    fn describe_identity_pool(&self, input: &DescribeIdentityPoolInput) -> ApiResult<PoolSettings> {
        Ok(self.pool(&input.identity_pool_id)?.settings.clone())
    }

    fn update_identity_pool(&mut self, input: &PoolSettings) -> ApiResult<PoolSettings> {
        validate_providers(input.cognito_identity_providers.as_deref())?;
        let pool = self.pool_mut(&input.identity_pool_id)?;
        let current = pool.settings.developer_provider_name.clone();
        let given = input.developer_provider_name.as_deref();
        if current.is_some() && given.is_some() && current.as_deref() != given {
            return Err(ApiError::invalid_parameter(
                "DeveloperProviderName cannot be changed once set",
            ));
        }
        // Left out, the developer provider name and the tags stay (Terraform
        // updates without them), as on Cognito.
        let tags = pool.settings.identity_pool_tags.take();
        pool.settings = input.clone();
        pool.settings.developer_provider_name = input.developer_provider_name.clone().or(current);
        if pool.settings.identity_pool_tags.is_none() {
            pool.settings.identity_pool_tags = tags;
        }
        Ok(pool.settings.clone())
    }

    fn list_identity_pools(
        &self,
        input: &ListIdentityPoolsInput,
        ctx: &Context<'_>,
    ) -> ApiResult<ListIdentityPoolsResponse> {
        let all: Vec<IdentityPoolShortDescription> = self
            .pools
            .values()
            .filter(|p| p.region == ctx.region())
            .map(|p| IdentityPoolShortDescription {
                identity_pool_id: Some(p.id.clone()),
                identity_pool_name: Some(p.settings.identity_pool_name.clone()),
            })
            .collect();
        let (page, next) = paginate(
            all,
            page_size(input.max_results),
            input.next_token.as_deref(),
        )?;
        Ok(ListIdentityPoolsResponse {
            identity_pools: Some(page),
            next_token: next,
        })
    }

    fn delete_identity_pool(&mut self, input: &DeleteIdentityPoolInput) -> ApiResult<Empty> {
        let id = input.identity_pool_id.as_str();
        self.pools.remove(id).ok_or_else(|| pool_not_found(id))?;
        self.identities.retain(|_, i| i.pool_id != id);
        Ok(Empty {})
    }

    pub(crate) fn set_identity_pool_roles(
        &mut self,
        input: &SetIdentityPoolRolesInput,
    ) -> ApiResult<Empty> {
        let mappings = input.role_mappings.clone().unwrap_or_default();
        for (provider, mapping) in &mappings {
            let rules = mapping.rules_configuration.as_ref().map(|r| r.rules.len());
            if mapping.r#type == RoleMappingType::Rules && rules.unwrap_or(0) == 0 {
                return Err(ApiError::invalid_parameter(format!(
                    "RoleMapping for {provider}: Type Rules needs RulesConfiguration.Rules"
                )));
            }
            if mapping.ambiguous_role_resolution.is_none() {
                return Err(ApiError::invalid_parameter(format!(
                    "RoleMapping for {provider}: AmbiguousRoleResolution is required"
                )));
            }
        }
        let pool = self.pool_mut(&input.identity_pool_id)?;
        pool.roles = input.roles.clone();
        pool.role_mappings = mappings;
        Ok(Empty {})
    }

    fn get_identity_pool_roles(
        &self,
        input: &GetIdentityPoolRolesInput,
    ) -> ApiResult<GetIdentityPoolRolesResponse> {
        let pool = self.pool(&input.identity_pool_id)?;
        Ok(GetIdentityPoolRolesResponse {
            identity_pool_id: Some(pool.id.clone()),
            roles: Some(pool.roles.clone()),
            role_mappings: Some(pool.role_mappings.clone()),
        })
    }

    fn set_principal_tag_attribute_map(
        &mut self,
        input: &SetPrincipalTagAttributeMapInput,
    ) -> ApiResult<SetPrincipalTagAttributeMapResponse> {
        let pool = self.pool_mut(&input.identity_pool_id)?;
        let entry = PrincipalTags {
            use_defaults: input.use_defaults.unwrap_or(false),
            tags: input.principal_tags.clone().unwrap_or_default(),
        };
        pool.principal_tags
            .insert(input.identity_provider_name.clone(), entry.clone());
        Ok(SetPrincipalTagAttributeMapResponse {
            identity_pool_id: Some(pool.id.clone()),
            identity_provider_name: Some(input.identity_provider_name.clone()),
            use_defaults: Some(entry.use_defaults),
            principal_tags: Some(entry.tags),
        })
    }

    fn get_principal_tag_attribute_map(
        &self,
        input: &GetPrincipalTagAttributeMapInput,
    ) -> ApiResult<GetPrincipalTagAttributeMapResponse> {
        let pool = self.pool(&input.identity_pool_id)?;
        let entry = pool
            .principal_tags
            .get(&input.identity_provider_name)
            .cloned()
            .unwrap_or_default();
        Ok(GetPrincipalTagAttributeMapResponse {
            identity_pool_id: Some(pool.id.clone()),
            identity_provider_name: Some(input.identity_provider_name.clone()),
            use_defaults: Some(entry.use_defaults),
            principal_tags: Some(entry.tags),
        })
    }

    fn describe_identity(&self, input: &DescribeIdentityInput) -> ApiResult<IdentityDescription> {
        Ok(self.identity(&input.identity_id)?.description())
    }

    fn list_identities(&self, input: &ListIdentitiesInput) -> ApiResult<ListIdentitiesResponse> {
        let pool = self.pool(&input.identity_pool_id)?;
        let hide_disabled = input.hide_disabled.unwrap_or(false);
        let mut all: Vec<&Identity> = self
            .identities
            .values()
            .filter(|i| i.pool_id == pool.id && !(hide_disabled && i.disabled))
            .collect();
        all.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
        let all: Vec<IdentityDescription> = all.into_iter().map(Identity::description).collect();
        let (page, next) = paginate(
            all,
            page_size(input.max_results),
            input.next_token.as_deref(),
        )?;
        Ok(ListIdentitiesResponse {
            identity_pool_id: Some(pool.id.clone()),
            identities: Some(page),
            next_token: next,
        })
    }

    fn delete_identities(&mut self, input: &DeleteIdentitiesInput) -> DeleteIdentitiesResponse {
        for id in &input.identity_ids_to_delete {
            if let Some(identity) = self.identities.remove(id)
                && let Some(pool) = self.pools.get_mut(&identity.pool_id)
            {
                pool.login_index.retain(|_, owner| owner != id);
            }
        }
        DeleteIdentitiesResponse {
            unprocessed_identity_ids: Some(Vec::new()),
        }
    }
}

/// A MaxResults as a page size (the model bounds it to 1..=60).
fn page_size(max_results: i32) -> usize {
    usize::try_from(max_results).unwrap_or(60).clamp(1, 60)
}

impl IdentityPool {
    fn supported_login_providers(&self) -> BTreeMap<String, String> {
        self.settings
            .supported_login_providers
            .clone()
            .unwrap_or_default()
    }

    fn allows_unauthenticated(&self) -> bool {
        self.settings.allow_unauthenticated_identities
    }

    fn developer_provider(&self) -> Option<&str> {
        self.settings.developer_provider_name.as_deref()
    }

    fn arn(&self) -> String {
        format!(
            "arn:aws:cognito-identity:{}:000000000000:identitypool/{}",
            self.region, self.id
        )
    }
}

impl Identity {
    /// Whether any login (provider or developer) is linked.
    fn is_authenticated(&self) -> bool {
        !self.logins.is_empty() || !self.developer_ids.is_empty()
    }

    fn description(&self) -> IdentityDescription {
        let mut logins: Vec<String> = self.logins.keys().cloned().collect();
        if !self.developer_ids.is_empty() {
            logins.push(developer::DEVELOPER_LOGIN_NAME.to_owned());
        }
        IdentityDescription {
            identity_id: Some(self.id.clone()),
            logins: Some(logins),
            creation_date: Some(Timestamp::from_secs(self.created)),
            last_modified_date: Some(Timestamp::from_secs(self.modified)),
        }
    }
}

/// What Cognito checks of an identity pool's providers.
fn validate_providers(providers: Option<&[CognitoIdentityProvider]>) -> ApiResult<()> {
    for p in providers.into_iter().flatten() {
        let name = p.provider_name.as_deref().unwrap_or_default();
        let valid = issuer::parse_login_key(name)
            .is_some_and(|(region, pool)| issuer::pool_region(pool) == Some(region));
        if !valid {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid Cognito Identity Provider {name}: expected cognito-idp.<region>.amazonaws.com/<userPoolId>"
            )));
        }
        if p.client_id.as_deref().is_none_or(str::is_empty) {
            return Err(ApiError::invalid_parameter(format!(
                "Cognito Identity Provider {name} needs a ClientId"
            )));
        }
    }
    Ok(())
}

fn pool_not_found(id: &str) -> ApiError {
    ApiError::resource_not_found(format!("IdentityPool '{id}' not found."))
}

fn identity_not_found(id: &str) -> ApiError {
    ApiError::resource_not_found(format!("Identity '{id}' not found."))
}
