//! Identity pools (`AWSCognitoIdentityService.*`).
//!
//! - `logins`: validating the `Logins` map against user pools, the fake
//!   external providers and the pool's own OpenID tokens;
//! - `identities`: GetId, GetCredentialsForIdentity, GetOpenIdToken, linking,
//!   merging and unlinking;
//! - `roles`: choosing the role (CustomRoleArn, Token and Rules mappings);
//! - `developer`: developer-authenticated identities.

mod developer;
mod identities;
mod logins;
mod roles;

pub use identities::UnsignedOpenIdToken;

use std::collections::{BTreeMap, HashMap};

use cognito_wire::issuer;
use serde_json::{Map, Value, json};

use crate::ahead::VerifiedSignatures;
use crate::credentials::CredentialStore;
use crate::error::{ApiError, ApiResult};
use crate::external_idp::ExternalProviders;
use crate::jwt::{Alg, SigningKey};
use crate::paging::paginate;
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
    pools: BTreeMap<String, IdentityPool>,
    identities: HashMap<String, Identity>,
    /// Signs the OpenID tokens of GetOpenIdToken*, RS512 as AWS does.
    openid_key: std::sync::Arc<SigningKey>,
    /// The mock's randomness, for identity ids.
    rng: crate::ids::Randomness,
}

#[derive(Debug)]
struct IdentityPool {
    id: String,
    region: String,
    /// The members given to Create/UpdateIdentityPool, echoed back.
    config: Map<String, Value>,
    roles: BTreeMap<String, String>,
    role_mappings: Map<String, Value>,
    /// Provider name → (UseDefaults, PrincipalTags).
    principal_tags: BTreeMap<String, Value>,
    /// (provider, subject) → identity id.
    login_index: HashMap<(String, String), String>,
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
            pools: BTreeMap::new(),
            identities: HashMap::new(),
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
        let classic = pool
            .config
            .get("AllowClassicFlow")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        Some((classic, pool.roles.values().cloned().collect()))
    }

    /// (id, name) of every identity pool.
    pub fn summary(&self) -> Vec<(String, String)> {
        self.pools
            .values()
            .map(|p| {
                (
                    p.id.clone(),
                    p.config
                        .get("IdentityPoolName")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
            .collect()
    }

    /// The pool's roles (`authenticated`, `unauthenticated`).
    pub fn roles_of(&self, pool_id: &str) -> BTreeMap<String, String> {
        self.pools
            .get(pool_id)
            .map(|p| p.roles.clone())
            .unwrap_or_default()
    }

    /// Runs one (already validated) operation.
    pub fn handle(&mut self, op: &str, input: &Value, deps: Deps<'_>) -> ApiResult<Value> {
        match op {
            "CreateIdentityPool" => self.create_identity_pool(input, None, deps.ctx),
            "DescribeIdentityPool" => self.describe_identity_pool(input),
            "UpdateIdentityPool" => self.update_identity_pool(input),
            "ListIdentityPools" => self.list_identity_pools(input, deps.ctx),
            "DeleteIdentityPool" => self.delete_identity_pool(input),
            "SetIdentityPoolRoles" => self.set_identity_pool_roles(input),
            "GetIdentityPoolRoles" => self.get_identity_pool_roles(input),
            "SetPrincipalTagAttributeMap" => self.set_principal_tag_attribute_map(input),
            "GetPrincipalTagAttributeMap" => self.get_principal_tag_attribute_map(input),
            "DescribeIdentity" => self.describe_identity(input),
            "ListIdentities" => self.list_identities(input),
            "DeleteIdentities" => self.delete_identities(input),
            "GetId" => self.get_id(input, deps),
            "GetCredentialsForIdentity" => self.get_credentials_for_identity(input, deps),
            "UnlinkIdentity" => self.unlink_identity(input, deps),
            "LookupDeveloperIdentity" => self.lookup_developer_identity(input),
            "MergeDeveloperIdentities" => self.merge_developer_identities(input, deps.ctx),
            "UnlinkDeveloperIdentity" => self.unlink_developer_identity(input, deps.ctx),
            other => Err(ApiError::new(
                "UnsupportedOperationException",
                format!(
                    "{other} is a valid Cognito operation that this mock does not implement yet"
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
        input: &Value,
        fixed_id: Option<&str>,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let config = settings(input);
        validate_config(&config)?;
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
        let pool = IdentityPool {
            id: id.clone(),
            region,
            config,
            roles: BTreeMap::new(),
            role_mappings: Map::new(),
            principal_tags: BTreeMap::new(),
            login_index: HashMap::new(),
        };
        let out = pool.to_json();
        self.pools.insert(id, pool);
        Ok(out)
    }

    fn describe_identity_pool(&self, input: &Value) -> ApiResult<Value> {
        Ok(self.pool(str_member(input, "IdentityPoolId"))?.to_json())
    }

    fn update_identity_pool(&mut self, input: &Value) -> ApiResult<Value> {
        let config = settings(input);
        validate_config(&config)?;
        let pool = self.pool_mut(str_member(input, "IdentityPoolId"))?;
        if pool.config.get("DeveloperProviderName").is_some()
            && pool.config.get("DeveloperProviderName") != config.get("DeveloperProviderName")
        {
            return Err(ApiError::invalid_parameter(
                "DeveloperProviderName cannot be changed once set",
            ));
        }
        pool.config = config;
        Ok(pool.to_json())
    }

    fn list_identity_pools(&self, input: &Value, ctx: &Context<'_>) -> ApiResult<Value> {
        let all: Vec<Value> = self
            .pools
            .values()
            .filter(|p| p.region == ctx.region())
            .map(|p| json!({"IdentityPoolId": p.id, "IdentityPoolName": p.config.get("IdentityPoolName")}))
            .collect();
        let (page, next) = paginate(
            all,
            input["MaxResults"].as_u64().unwrap_or(60) as usize,
            input["NextToken"].as_str(),
        )?;
        Ok(json!({"IdentityPools": page, "NextToken": next}))
    }

    fn delete_identity_pool(&mut self, input: &Value) -> ApiResult<Value> {
        let id = str_member(input, "IdentityPoolId");
        self.pools.remove(id).ok_or_else(|| pool_not_found(id))?;
        self.identities.retain(|_, i| i.pool_id != id);
        Ok(json!({}))
    }

    pub(crate) fn set_identity_pool_roles(&mut self, input: &Value) -> ApiResult<Value> {
        let mappings = input["RoleMappings"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (provider, mapping) in &mappings {
            if mapping["Type"] == "Rules"
                && mapping["RulesConfiguration"]["Rules"]
                    .as_array()
                    .is_none_or(Vec::is_empty)
            {
                return Err(ApiError::invalid_parameter(format!(
                    "RoleMapping for {provider}: Type Rules needs RulesConfiguration.Rules"
                )));
            }
            if mapping["AmbiguousRoleResolution"].is_null() {
                return Err(ApiError::invalid_parameter(format!(
                    "RoleMapping for {provider}: AmbiguousRoleResolution is required"
                )));
            }
        }
        let roles: BTreeMap<String, String> = input["Roles"]
            .as_object()
            .map(|r| {
                r.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        let pool = self.pool_mut(str_member(input, "IdentityPoolId"))?;
        pool.roles = roles;
        pool.role_mappings = mappings;
        Ok(json!({}))
    }

    fn get_identity_pool_roles(&self, input: &Value) -> ApiResult<Value> {
        let pool = self.pool(str_member(input, "IdentityPoolId"))?;
        Ok(
            json!({"IdentityPoolId": pool.id, "Roles": pool.roles, "RoleMappings": pool.role_mappings}),
        )
    }

    fn set_principal_tag_attribute_map(&mut self, input: &Value) -> ApiResult<Value> {
        let provider = str_member(input, "IdentityProviderName").to_owned();
        let pool = self.pool_mut(str_member(input, "IdentityPoolId"))?;
        let entry = json!({
            "UseDefaults": input["UseDefaults"].as_bool().unwrap_or(false),
            "PrincipalTags": input["PrincipalTags"].as_object().cloned().unwrap_or_default(),
        });
        pool.principal_tags.insert(provider.clone(), entry.clone());
        Ok(
            json!({"IdentityPoolId": pool.id, "IdentityProviderName": provider, "UseDefaults": entry["UseDefaults"], "PrincipalTags": entry["PrincipalTags"]}),
        )
    }

    fn get_principal_tag_attribute_map(&self, input: &Value) -> ApiResult<Value> {
        let provider = str_member(input, "IdentityProviderName");
        let pool = self.pool(str_member(input, "IdentityPoolId"))?;
        let entry = pool
            .principal_tags
            .get(provider)
            .cloned()
            .unwrap_or_else(|| json!({"UseDefaults": false, "PrincipalTags": {}}));
        Ok(
            json!({"IdentityPoolId": pool.id, "IdentityProviderName": provider, "UseDefaults": entry["UseDefaults"], "PrincipalTags": entry["PrincipalTags"]}),
        )
    }

    fn describe_identity(&self, input: &Value) -> ApiResult<Value> {
        Ok(self.identity(str_member(input, "IdentityId"))?.to_json())
    }

    fn list_identities(&self, input: &Value) -> ApiResult<Value> {
        let pool = self.pool(str_member(input, "IdentityPoolId"))?;
        let hide_disabled = input["HideDisabled"].as_bool().unwrap_or(false);
        let mut all: Vec<&Identity> = self
            .identities
            .values()
            .filter(|i| i.pool_id == pool.id && !(hide_disabled && i.disabled))
            .collect();
        all.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
        let all: Vec<Value> = all.into_iter().map(Identity::to_json).collect();
        let (page, next) = paginate(
            all,
            input["MaxResults"].as_u64().unwrap_or(60) as usize,
            input["NextToken"].as_str(),
        )?;
        Ok(json!({"IdentityPoolId": pool.id, "Identities": page, "NextToken": next}))
    }

    fn delete_identities(&mut self, input: &Value) -> ApiResult<Value> {
        for id in input["IdentityIdsToDelete"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if let Some(identity) = self.identities.remove(id)
                && let Some(pool) = self.pools.get_mut(&identity.pool_id)
            {
                pool.login_index.retain(|_, owner| owner != id);
            }
        }
        Ok(json!({"UnprocessedIdentityIds": []}))
    }
}

impl IdentityPool {
    fn to_json(&self) -> Value {
        let mut v = Value::Object(self.config.clone());
        v["IdentityPoolId"] = json!(self.id);
        v
    }

    fn map(&self, member: &str) -> BTreeMap<String, String> {
        self.config
            .get(member)
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn allows_unauthenticated(&self) -> bool {
        self.config
            .get("AllowUnauthenticatedIdentities")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    fn developer_provider(&self) -> Option<&str> {
        self.config
            .get("DeveloperProviderName")
            .and_then(Value::as_str)
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

    fn to_json(&self) -> Value {
        let mut logins: Vec<&str> = self.logins.keys().map(String::as_str).collect();
        if !self.developer_ids.is_empty() {
            logins.push(developer::DEVELOPER_LOGIN_NAME);
        }
        json!({
            "IdentityId": self.id,
            "Logins": logins,
            "CreationDate": self.created,
            "LastModifiedDate": self.modified,
        })
    }
}

/// The settable members of a Create/UpdateIdentityPool request.
fn settings(input: &Value) -> Map<String, Value> {
    input
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| k.as_str() != "IdentityPoolId")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// What Cognito checks of an identity pool's providers.
fn validate_config(config: &Map<String, Value>) -> ApiResult<()> {
    for p in config
        .get("CognitoIdentityProviders")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = p["ProviderName"].as_str().unwrap_or_default();
        let valid = issuer::parse_login_key(name)
            .is_some_and(|(region, pool)| issuer::pool_region(pool) == Some(region));
        if !valid {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid Cognito Identity Provider {name}: expected cognito-idp.<region>.amazonaws.com/<userPoolId>"
            )));
        }
        if p["ClientId"].as_str().is_none_or(str::is_empty) {
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

fn str_member<'a>(input: &'a Value, name: &str) -> &'a str {
    input[name].as_str().unwrap_or_default()
}
