//! The hosted UI's control plane: federated identity providers (Facebook,
//! Login with Amazon, Google, Sign in with Apple, OIDC) and resource servers
//! (custom OAuth scopes for client_credentials).

use std::collections::BTreeMap;

use super::pools::page_size;
use super::{Context, Pool, UserPools};
use crate::error::{ApiError, ApiResult};
use crate::paging::paginate;
use crate::shapes::Empty;
use crate::shapes::Timestamp;
use crate::shapes::cognito_idp::{
    CreateIdentityProviderRequest, CreateIdentityProviderResponse, CreateResourceServerRequest,
    CreateResourceServerResponse, DeleteIdentityProviderRequest, DeleteResourceServerRequest,
    DescribeIdentityProviderRequest, DescribeIdentityProviderResponse,
    DescribeResourceServerRequest, DescribeResourceServerResponse,
    GetIdentityProviderByIdentifierRequest, GetIdentityProviderByIdentifierResponse,
    IdentityProviderType, IdentityProviderTypeType, ListIdentityProvidersRequest,
    ListIdentityProvidersResponse, ListResourceServersRequest, ListResourceServersResponse,
    ProviderDescription, ResourceServerScopeType, ResourceServerType,
    UpdateIdentityProviderRequest, UpdateIdentityProviderResponse, UpdateResourceServerRequest,
    UpdateResourceServerResponse,
};

/// A federated identity provider of one pool.
#[derive(Debug, Clone)]
pub(crate) struct IdentityProvider {
    pub(crate) name: String,
    pub(crate) provider_type: IdentityProviderTypeType,
    /// ProviderDetails, completed with the endpoints Cognito fills in.
    pub(crate) details: BTreeMap<String, String>,
    /// User-pool attribute → the provider's attribute.
    pub(crate) attribute_mapping: BTreeMap<String, String>,
    pub(crate) idp_identifiers: Vec<String>,
    pub(super) created: i64,
    pub(super) modified: i64,
}

/// A resource server: an identifier and the scopes it defines.
#[derive(Debug, Clone)]
pub(super) struct ResourceServer {
    pub(super) identifier: String,
    pub(super) name: String,
    pub(super) scopes: Vec<ResourceServerScopeType>,
}

/// The `ProviderDetails` keys each provider type requires, as Cognito checks them.
fn required_details(provider_type: IdentityProviderTypeType) -> ApiResult<&'static [&'static str]> {
    use IdentityProviderTypeType as T;
    Ok(match provider_type {
        T::Facebook | T::Google | T::LoginWithAmazon => {
            &["client_id", "client_secret", "authorize_scopes"]
        }
        T::SignInWithApple => &[
            "client_id",
            "team_id",
            "key_id",
            "private_key",
            "authorize_scopes",
        ],
        T::Oidc => &[
            "client_id",
            "attributes_request_method",
            "oidc_issuer",
            "authorize_scopes",
        ],
        T::Saml => {
            return Err(ApiError::new(
                "UnsupportedIdentityProviderException",
                "SAML identity providers are not emulated by this mock",
            ));
        }
    })
}

/// The fake provider (path segment under `/idp/`) that stands in for a
/// provider type: OIDC providers are named by their issuer's host.
fn fake_provider_slug(
    provider_type: IdentityProviderTypeType,
    details: &BTreeMap<String, String>,
) -> String {
    use IdentityProviderTypeType as T;
    match provider_type {
        T::Facebook => "facebook".to_owned(),
        T::LoginWithAmazon => "amazon".to_owned(),
        T::Google => "google".to_owned(),
        T::SignInWithApple => "apple".to_owned(),
        T::Oidc | T::Saml => details
            .get("oidc_issuer")
            .map(String::as_str)
            .unwrap_or_default()
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned(),
    }
}

impl IdentityProvider {
    fn describe(&self, pool_id: &str) -> IdentityProviderType {
        IdentityProviderType {
            user_pool_id: Some(pool_id.to_owned()),
            provider_name: Some(self.name.clone()),
            provider_type: Some(self.provider_type),
            provider_details: Some(self.details.clone()),
            attribute_mapping: Some(self.attribute_mapping.clone()),
            idp_identifiers: Some(self.idp_identifiers.clone()),
            last_modified_date: Some(Timestamp::from_secs(self.modified)),
            creation_date: Some(Timestamp::from_secs(self.created)),
            acr_mapping: None,
        }
    }

    /// The fake provider this one federates with.
    pub(crate) fn fake_provider(&self) -> String {
        fake_provider_slug(self.provider_type, &self.details)
    }

    /// A `ProviderDetails` member.
    pub(crate) fn detail(&self, key: &str) -> Option<&str> {
        self.details.get(key).map(String::as_str)
    }
}

/// Checks and completes ProviderDetails: the required keys, and the
/// endpoints Cognito fills in (here: the mock's own fake provider).
fn complete_details(
    name: &str,
    provider_type: IdentityProviderTypeType,
    mut details: BTreeMap<String, String>,
    ctx: &Context<'_>,
) -> ApiResult<BTreeMap<String, String>> {
    use IdentityProviderTypeType as T;
    let type_name = provider_type.as_str();
    let social = ["Facebook", "Google", "LoginWithAmazon", "SignInWithApple"];
    if provider_type != T::Oidc && provider_type != T::Saml && name != type_name {
        return Err(ApiError::invalid_parameter(format!(
            "The provider name of a {type_name} provider must be {type_name}"
        )));
    }
    if provider_type == T::Oidc && social.contains(&name) {
        return Err(ApiError::invalid_parameter(format!(
            "{name} is reserved for the {name} provider type"
        )));
    }
    for key in required_details(provider_type)? {
        if details.get(*key).is_none_or(String::is_empty) {
            return Err(ApiError::invalid_parameter(format!(
                "{key} is required for a {type_name} provider"
            )));
        }
    }
    if provider_type == T::Oidc
        && !matches!(
            details.get("attributes_request_method").map(String::as_str),
            Some("GET" | "POST")
        )
    {
        return Err(ApiError::invalid_parameter(
            "attributes_request_method must be GET or POST",
        ));
    }
    let base = format!(
        "{}/idp/{}",
        ctx.endpoint,
        fake_provider_slug(provider_type, &details)
    );
    for (key, path) in [
        ("authorize_url", "authorize"),
        ("token_url", "token"),
        ("attributes_url", "userinfo"),
        ("jwks_uri", "jwks"),
    ] {
        details
            .entry(key.to_owned())
            .or_insert_with(|| format!("{base}/{path}"));
    }
    if provider_type == T::Facebook {
        details
            .entry("api_version".to_owned())
            .or_insert_with(|| "v17.0".to_owned());
    }
    Ok(details)
}

/// AttributeMapping as given, with the provider's user id mapped to
/// `username` as Cognito always does.
fn attribute_mapping(
    given: Option<BTreeMap<String, String>>,
    provider_type: IdentityProviderTypeType,
) -> BTreeMap<String, String> {
    let mut mapping = given.unwrap_or_default();
    let id_attribute = match provider_type {
        IdentityProviderTypeType::Facebook => "id",
        IdentityProviderTypeType::LoginWithAmazon => "user_id",
        _ => "sub",
    };
    mapping
        .entry("username".to_owned())
        .or_insert_with(|| id_attribute.to_owned());
    mapping
}

fn provider_not_found(name: &str) -> ApiError {
    ApiError::resource_not_found(format!("Identity provider {name} does not exist."))
}

impl Pool {
    /// The identity provider an `idp_identifier` names.
    pub(super) fn provider_by_identifier(&self, identifier: &str) -> Option<&IdentityProvider> {
        self.identity_providers
            .values()
            .find(|p| p.idp_identifiers.iter().any(|i| i == identifier))
    }

    /// Whether `scope` exists: a standard scope or `<resource server>/<scope>`.
    pub(super) fn scope_exists(&self, scope: &str) -> bool {
        if matches!(
            scope,
            "openid" | "email" | "phone" | "profile" | "aws.cognito.signin.user.admin"
        ) {
            return true;
        }
        let Some((server, name)) = scope.rsplit_once('/') else {
            return false;
        };
        self.resource_servers
            .get(server)
            .is_some_and(|rs| rs.scopes.iter().any(|s| s.scope_name == name))
    }

    fn identity_provider(&self, name: &str) -> ApiResult<&IdentityProvider> {
        self.identity_providers
            .get(name)
            .ok_or_else(|| provider_not_found(name))
    }
}

/// The app a pool's identity provider registers with its fake provider.
#[derive(Debug)]
pub(crate) struct ProviderApp {
    /// The fake provider (`facebook`, an OIDC issuer's host, …).
    pub(crate) slug: String,
    /// `client_id` of ProviderDetails.
    pub(crate) client_id: String,
    /// `client_secret` of ProviderDetails (a secret: never logged).
    pub(crate) client_secret: Option<String>,
}

impl UserPools {
    /// The app an identity provider names, to register with the fake
    /// provider behind it (Cognito's app id and secret stand for an app
    /// registered with the real provider).
    pub(crate) fn provider_app(&self, pool_id: &str, name: &str) -> Option<ProviderApp> {
        let provider = self.pools.get(pool_id)?.identity_providers.get(name)?;
        Some(ProviderApp {
            slug: provider.fake_provider(),
            client_id: provider.detail("client_id")?.to_owned(),
            client_secret: provider.detail("client_secret").map(str::to_owned),
        })
    }

    pub(super) fn create_identity_provider(
        &mut self,
        input: CreateIdentityProviderRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<CreateIdentityProviderResponse> {
        let name = input.provider_name;
        let provider_type = input.provider_type;
        let details = complete_details(&name, provider_type, input.provider_details, ctx)?;
        let idp_identifiers = input.idp_identifiers.unwrap_or_default();
        let pool = self.pool_mut(&input.user_pool_id)?;
        if pool.identity_providers.contains_key(&name) {
            return Err(ApiError::new(
                "DuplicateProviderException",
                format!("A provider with the name {name} already exists in this user pool."),
            ));
        }
        check_identifiers_free(pool, &name, &idp_identifiers)?;
        let now = ctx.clock.unix();
        let provider = IdentityProvider {
            attribute_mapping: attribute_mapping(input.attribute_mapping, provider_type),
            name: name.clone(),
            provider_type,
            details,
            idp_identifiers,
            created: now,
            modified: now,
        };
        let identity_provider = provider.describe(&pool.id);
        pool.identity_providers.insert(name, provider);
        Ok(CreateIdentityProviderResponse { identity_provider })
    }

    pub(super) fn describe_identity_provider(
        &self,
        input: DescribeIdentityProviderRequest,
    ) -> ApiResult<DescribeIdentityProviderResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let provider = pool.identity_provider(&input.provider_name)?;
        Ok(DescribeIdentityProviderResponse {
            identity_provider: provider.describe(&pool.id),
        })
    }

    pub(super) fn get_identity_provider_by_identifier(
        &self,
        input: GetIdentityProviderByIdentifierRequest,
    ) -> ApiResult<GetIdentityProviderByIdentifierResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let identifier = &input.idp_identifier;
        let provider = pool
            .provider_by_identifier(identifier)
            .ok_or_else(|| provider_not_found(identifier))?;
        Ok(GetIdentityProviderByIdentifierResponse {
            identity_provider: provider.describe(&pool.id),
        })
    }

    pub(super) fn list_identity_providers(
        &self,
        input: ListIdentityProvidersRequest,
    ) -> ApiResult<ListIdentityProvidersResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let all: Vec<ProviderDescription> = pool
            .identity_providers
            .values()
            .map(|p| ProviderDescription {
                provider_name: Some(p.name.clone()),
                provider_type: Some(p.provider_type),
                last_modified_date: Some(Timestamp::from_secs(p.modified)),
                creation_date: Some(Timestamp::from_secs(p.created)),
            })
            .collect();
        let (page, next) = paginate(
            all,
            page_size(input.max_results),
            input.next_token.as_deref(),
        )?;
        Ok(ListIdentityProvidersResponse {
            providers: page,
            next_token: next,
        })
    }

    pub(super) fn update_identity_provider(
        &mut self,
        input: UpdateIdentityProviderRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<UpdateIdentityProviderResponse> {
        let name = input.provider_name;
        let pool = self.pool_mut(&input.user_pool_id)?;
        let mut updated = pool.identity_provider(&name)?.clone();
        if let Some(given) = input.provider_details {
            // Members not named keep their values, as in Cognito.
            let mut merged = updated.details.clone();
            merged.extend(given);
            updated.details = complete_details(&name, updated.provider_type, merged, ctx)?;
        }
        if input.attribute_mapping.is_some() {
            updated.attribute_mapping =
                attribute_mapping(input.attribute_mapping, updated.provider_type);
        }
        if let Some(identifiers) = input.idp_identifiers {
            check_identifiers_free(pool, &name, &identifiers)?;
            updated.idp_identifiers = identifiers;
        }
        updated.modified = ctx.clock.unix();
        let identity_provider = updated.describe(&pool.id);
        pool.identity_providers.insert(name, updated);
        Ok(UpdateIdentityProviderResponse { identity_provider })
    }

    pub(super) fn delete_identity_provider(
        &mut self,
        input: DeleteIdentityProviderRequest,
    ) -> ApiResult<Empty> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        pool.identity_providers
            .remove(&input.provider_name)
            .ok_or_else(|| provider_not_found(&input.provider_name))?;
        Ok(Empty {})
    }

    pub(super) fn create_resource_server(
        &mut self,
        input: CreateResourceServerRequest,
    ) -> ApiResult<CreateResourceServerResponse> {
        let server = ResourceServer::new(input.identifier, input.name, input.scopes)?;
        let pool = self.pool_mut(&input.user_pool_id)?;
        if pool.resource_servers.contains_key(&server.identifier) {
            return Err(ApiError::invalid_parameter(format!(
                "{} already exists in user pool {}.",
                server.identifier, pool.id
            )));
        }
        let resource_server = server.describe(&pool.id);
        pool.resource_servers
            .insert(server.identifier.clone(), server);
        Ok(CreateResourceServerResponse { resource_server })
    }

    pub(super) fn update_resource_server(
        &mut self,
        input: UpdateResourceServerRequest,
    ) -> ApiResult<UpdateResourceServerResponse> {
        let server = ResourceServer::new(input.identifier, input.name, input.scopes)?;
        let pool = self.pool_mut(&input.user_pool_id)?;
        if !pool.resource_servers.contains_key(&server.identifier) {
            return Err(resource_server_not_found(&server.identifier));
        }
        let resource_server = server.describe(&pool.id);
        pool.resource_servers
            .insert(server.identifier.clone(), server);
        Ok(UpdateResourceServerResponse { resource_server })
    }

    pub(super) fn describe_resource_server(
        &self,
        input: DescribeResourceServerRequest,
    ) -> ApiResult<DescribeResourceServerResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let server = pool
            .resource_servers
            .get(&input.identifier)
            .ok_or_else(|| resource_server_not_found(&input.identifier))?;
        Ok(DescribeResourceServerResponse {
            resource_server: server.describe(&pool.id),
        })
    }

    pub(super) fn list_resource_servers(
        &self,
        input: ListResourceServersRequest,
    ) -> ApiResult<ListResourceServersResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let all: Vec<ResourceServerType> = pool
            .resource_servers
            .values()
            .map(|s| s.describe(&pool.id))
            .collect();
        // Cognito's default page here is 50, not 60.
        let limit = input
            .max_results
            .filter(|n| *n > 0)
            .map_or(50, |n| n as usize);
        let (page, next) = paginate(all, limit, input.next_token.as_deref())?;
        Ok(ListResourceServersResponse {
            resource_servers: page,
            next_token: next,
        })
    }

    pub(super) fn delete_resource_server(
        &mut self,
        input: DeleteResourceServerRequest,
    ) -> ApiResult<Empty> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        pool.resource_servers
            .remove(&input.identifier)
            .ok_or_else(|| resource_server_not_found(&input.identifier))?;
        Ok(Empty {})
    }
}

impl ResourceServer {
    /// A resource server as given, refusing a scope defined twice.
    fn new(
        identifier: String,
        name: String,
        scopes: Option<Vec<ResourceServerScopeType>>,
    ) -> ApiResult<Self> {
        let scopes = scopes.unwrap_or_default();
        let mut seen = std::collections::BTreeSet::new();
        if let Some(twice) = scopes.iter().find(|s| !seen.insert(s.scope_name.as_str())) {
            return Err(ApiError::invalid_parameter(format!(
                "Duplicate scope name {}",
                twice.scope_name
            )));
        }
        Ok(ResourceServer {
            identifier,
            name,
            scopes,
        })
    }

    fn describe(&self, pool_id: &str) -> ResourceServerType {
        ResourceServerType {
            user_pool_id: Some(pool_id.to_owned()),
            identifier: Some(self.identifier.clone()),
            name: Some(self.name.clone()),
            scopes: Some(self.scopes.clone()),
            managed_by: None,
        }
    }
}

fn resource_server_not_found(id: &str) -> ApiError {
    ApiError::resource_not_found(format!("Resource server {id} does not exist."))
}

fn check_identifiers_free(pool: &Pool, name: &str, identifiers: &[String]) -> ApiResult<()> {
    for identifier in identifiers {
        let taken = pool
            .identity_providers
            .values()
            .any(|p| p.name != name && p.idp_identifiers.contains(identifier));
        if taken {
            return Err(ApiError::new(
                "DuplicateProviderException",
                format!("The identifier {identifier} is already used by another provider."),
            ));
        }
    }
    Ok(())
}
