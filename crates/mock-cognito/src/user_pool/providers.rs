//! The hosted UI's control plane: federated identity providers (Facebook,
//! Login with Amazon, Google, Sign in with Apple, OIDC) and resource servers
//! (custom OAuth scopes for client_credentials).

use serde_json::{Map, Value, json};

use super::{Context, Pool, UserPools, str_member};
use crate::error::{ApiError, ApiResult};
use crate::paging::paginate;

/// A federated identity provider of one pool.
#[derive(Debug, Clone)]
pub(crate) struct IdentityProvider {
    pub(crate) name: String,
    pub(crate) provider_type: String,
    pub(crate) details: Map<String, Value>,
    pub(crate) attribute_mapping: Map<String, Value>,
    pub(crate) idp_identifiers: Vec<String>,
    created: i64,
    modified: i64,
}

/// A resource server: an identifier and the scopes it defines.
#[derive(Debug, Clone)]
pub(super) struct ResourceServer {
    identifier: String,
    name: String,
    scopes: Vec<Value>,
}

/// The `ProviderDetails` keys each provider type requires, as Cognito checks them.
fn required_details(provider_type: &str) -> ApiResult<&'static [&'static str]> {
    Ok(match provider_type {
        "Facebook" | "Google" | "LoginWithAmazon" => {
            &["client_id", "client_secret", "authorize_scopes"]
        }
        "SignInWithApple" => &[
            "client_id",
            "team_id",
            "key_id",
            "private_key",
            "authorize_scopes",
        ],
        "OIDC" => &[
            "client_id",
            "attributes_request_method",
            "oidc_issuer",
            "authorize_scopes",
        ],
        "SAML" => {
            return Err(ApiError::new(
                "UnsupportedIdentityProviderException",
                "SAML identity providers are not emulated by this mock",
            ));
        }
        other => {
            return Err(ApiError::invalid_parameter(format!(
                "{other} is not a supported provider type"
            )));
        }
    })
}

/// The fake provider (path segment under `/idp/`) that stands in for a
/// provider type: OIDC providers are named by their issuer's host.
pub(crate) fn fake_provider_slug(provider_type: &str, details: &Map<String, Value>) -> String {
    match provider_type {
        "Facebook" => "facebook".to_owned(),
        "LoginWithAmazon" => "amazon".to_owned(),
        "Google" => "google".to_owned(),
        "SignInWithApple" => "apple".to_owned(),
        _ => details
            .get("oidc_issuer")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned(),
    }
}

impl IdentityProvider {
    fn to_json(&self, pool_id: &str) -> Value {
        json!({
            "UserPoolId": pool_id,
            "ProviderName": self.name,
            "ProviderType": self.provider_type,
            "ProviderDetails": self.details,
            "AttributeMapping": self.attribute_mapping,
            "IdpIdentifiers": self.idp_identifiers,
            "LastModifiedDate": self.modified,
            "CreationDate": self.created,
        })
    }

    /// The fake provider this one federates with.
    pub(crate) fn fake_provider(&self) -> String {
        fake_provider_slug(&self.provider_type, &self.details)
    }

    /// A `ProviderDetails` member.
    pub(crate) fn detail(&self, key: &str) -> Option<&str> {
        self.details.get(key).and_then(Value::as_str)
    }
}

/// Checks and completes ProviderDetails: the required keys, and the
/// endpoints Cognito fills in (here: the mock's own fake provider).
fn complete_details(
    name: &str,
    provider_type: &str,
    details: &Value,
    ctx: &Context<'_>,
) -> ApiResult<Map<String, Value>> {
    let social = ["Facebook", "Google", "LoginWithAmazon", "SignInWithApple"];
    if social.contains(&provider_type) && name != provider_type {
        return Err(ApiError::invalid_parameter(format!(
            "The provider name of a {provider_type} provider must be {provider_type}"
        )));
    }
    if provider_type == "OIDC" && social.contains(&name) {
        return Err(ApiError::invalid_parameter(format!(
            "{name} is reserved for the {name} provider type"
        )));
    }
    let mut details: Map<String, Value> = details.as_object().cloned().unwrap_or_default();
    for key in required_details(provider_type)? {
        if details
            .get(*key)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(ApiError::invalid_parameter(format!(
                "{key} is required for a {provider_type} provider"
            )));
        }
    }
    if provider_type == "OIDC"
        && !matches!(
            details
                .get("attributes_request_method")
                .and_then(Value::as_str),
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
            .entry(key)
            .or_insert_with(|| json!(format!("{base}/{path}")));
    }
    if provider_type == "Facebook" {
        details
            .entry("api_version")
            .or_insert_with(|| json!("v17.0"));
    }
    Ok(details)
}

fn attribute_mapping(input: &Value, provider_type: &str) -> Map<String, Value> {
    let mut mapping: Map<String, Value> = input["AttributeMapping"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    // Cognito always maps the provider's user id to `username`.
    let id_attribute = match provider_type {
        "Facebook" => "id",
        "LoginWithAmazon" => "user_id",
        _ => "sub",
    };
    mapping
        .entry("username")
        .or_insert_with(|| json!(id_attribute));
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
        self.resource_servers.get(server).is_some_and(|rs| {
            rs.scopes
                .iter()
                .any(|s| s["ScopeName"].as_str() == Some(name))
        })
    }
}

impl UserPools {
    pub(super) fn create_identity_provider(
        &mut self,
        input: &Value,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let name = str_member(input, "ProviderName").to_owned();
        let provider_type = str_member(input, "ProviderType").to_owned();
        let details = complete_details(&name, &provider_type, &input["ProviderDetails"], ctx)?;
        let idp_identifiers = string_array(&input["IdpIdentifiers"]);
        let pool = self.pool_mut(str_member(input, "UserPoolId"))?;
        if pool.identity_providers.contains_key(&name) {
            return Err(ApiError::new(
                "DuplicateProviderException",
                format!("A provider with the name {name} already exists in this user pool."),
            ));
        }
        check_identifiers_free(pool, &name, &idp_identifiers)?;
        let now = ctx.clock.unix();
        let provider = IdentityProvider {
            attribute_mapping: attribute_mapping(input, &provider_type),
            name: name.clone(),
            provider_type,
            details,
            idp_identifiers,
            created: now,
            modified: now,
        };
        let out = json!({"IdentityProvider": provider.to_json(&pool.id)});
        pool.identity_providers.insert(name, provider);
        Ok(out)
    }

    pub(super) fn describe_identity_provider(&self, input: &Value) -> ApiResult<Value> {
        let pool = self.pool(str_member(input, "UserPoolId"))?;
        let name = str_member(input, "ProviderName");
        let provider = pool
            .identity_providers
            .get(name)
            .ok_or_else(|| provider_not_found(name))?;
        Ok(json!({"IdentityProvider": provider.to_json(&pool.id)}))
    }

    pub(super) fn get_identity_provider_by_identifier(&self, input: &Value) -> ApiResult<Value> {
        let pool = self.pool(str_member(input, "UserPoolId"))?;
        let identifier = str_member(input, "IdpIdentifier");
        let provider = pool
            .provider_by_identifier(identifier)
            .ok_or_else(|| provider_not_found(identifier))?;
        Ok(json!({"IdentityProvider": provider.to_json(&pool.id)}))
    }

    pub(super) fn list_identity_providers(&self, input: &Value) -> ApiResult<Value> {
        let pool = self.pool(str_member(input, "UserPoolId"))?;
        let all: Vec<Value> = pool
            .identity_providers
            .values()
            .map(|p| {
                json!({"ProviderName": p.name, "ProviderType": p.provider_type,
                       "LastModifiedDate": p.modified, "CreationDate": p.created})
            })
            .collect();
        let limit = input["MaxResults"].as_u64().unwrap_or(60) as usize;
        let (page, next) = paginate(all, limit, input["NextToken"].as_str())?;
        Ok(json!({"Providers": page, "NextToken": next}))
    }

    pub(super) fn update_identity_provider(
        &mut self,
        input: &Value,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let name = str_member(input, "ProviderName").to_owned();
        let pool = self.pool_mut(str_member(input, "UserPoolId"))?;
        let current = pool
            .identity_providers
            .get(&name)
            .ok_or_else(|| provider_not_found(&name))?
            .clone();
        let mut updated = current;
        if input["ProviderDetails"].is_object() {
            // Members not named keep their values, as in Cognito.
            let mut merged = updated.details.clone();
            for (k, v) in input["ProviderDetails"].as_object().into_iter().flatten() {
                merged.insert(k.clone(), v.clone());
            }
            updated.details =
                complete_details(&name, &updated.provider_type, &Value::Object(merged), ctx)?;
        }
        if input["AttributeMapping"].is_object() {
            updated.attribute_mapping = attribute_mapping(input, &updated.provider_type);
        }
        if input["IdpIdentifiers"].is_array() {
            updated.idp_identifiers = string_array(&input["IdpIdentifiers"]);
            check_identifiers_free(pool, &name, &updated.idp_identifiers)?;
        }
        updated.modified = ctx.clock.unix();
        let out = json!({"IdentityProvider": updated.to_json(&pool.id)});
        pool.identity_providers.insert(name, updated);
        Ok(out)
    }

    pub(super) fn delete_identity_provider(&mut self, input: &Value) -> ApiResult<Value> {
        let name = str_member(input, "ProviderName");
        let pool = self.pool_mut(str_member(input, "UserPoolId"))?;
        pool.identity_providers
            .remove(name)
            .ok_or_else(|| provider_not_found(name))?;
        Ok(json!({}))
    }

    pub(super) fn create_resource_server(&mut self, input: &Value) -> ApiResult<Value> {
        let server = resource_server(input)?;
        let pool = self.pool_mut(str_member(input, "UserPoolId"))?;
        if pool.resource_servers.contains_key(&server.identifier) {
            return Err(ApiError::invalid_parameter(format!(
                "{} already exists in user pool {}.",
                server.identifier, pool.id
            )));
        }
        let out = json!({"ResourceServer": server.to_json(&pool.id)});
        pool.resource_servers
            .insert(server.identifier.clone(), server);
        Ok(out)
    }

    pub(super) fn update_resource_server(&mut self, input: &Value) -> ApiResult<Value> {
        let server = resource_server(input)?;
        let pool = self.pool_mut(str_member(input, "UserPoolId"))?;
        if !pool.resource_servers.contains_key(&server.identifier) {
            return Err(resource_server_not_found(&server.identifier));
        }
        let out = json!({"ResourceServer": server.to_json(&pool.id)});
        pool.resource_servers
            .insert(server.identifier.clone(), server);
        Ok(out)
    }

    pub(super) fn describe_resource_server(&self, input: &Value) -> ApiResult<Value> {
        let pool = self.pool(str_member(input, "UserPoolId"))?;
        let id = str_member(input, "Identifier");
        let server = pool
            .resource_servers
            .get(id)
            .ok_or_else(|| resource_server_not_found(id))?;
        Ok(json!({"ResourceServer": server.to_json(&pool.id)}))
    }

    pub(super) fn list_resource_servers(&self, input: &Value) -> ApiResult<Value> {
        let pool = self.pool(str_member(input, "UserPoolId"))?;
        let all: Vec<Value> = pool
            .resource_servers
            .values()
            .map(|s| s.to_json(&pool.id))
            .collect();
        let limit = input["MaxResults"].as_u64().unwrap_or(50) as usize;
        let (page, next) = paginate(all, limit, input["NextToken"].as_str())?;
        Ok(json!({"ResourceServers": page, "NextToken": next}))
    }

    pub(super) fn delete_resource_server(&mut self, input: &Value) -> ApiResult<Value> {
        let pool = self.pool_mut(str_member(input, "UserPoolId"))?;
        let id = str_member(input, "Identifier");
        pool.resource_servers
            .remove(id)
            .ok_or_else(|| resource_server_not_found(id))?;
        Ok(json!({}))
    }
}

impl ResourceServer {
    fn to_json(&self, pool_id: &str) -> Value {
        json!({
            "UserPoolId": pool_id,
            "Identifier": self.identifier,
            "Name": self.name,
            "Scopes": self.scopes,
        })
    }
}

fn resource_server(input: &Value) -> ApiResult<ResourceServer> {
    let scopes: Vec<Value> = input["Scopes"].as_array().cloned().unwrap_or_default();
    let mut seen = std::collections::BTreeSet::new();
    for s in &scopes {
        let name = s["ScopeName"].as_str().unwrap_or_default();
        if !seen.insert(name) {
            return Err(ApiError::invalid_parameter(format!(
                "Duplicate scope name {name}"
            )));
        }
    }
    Ok(ResourceServer {
        identifier: str_member(input, "Identifier").to_owned(),
        name: str_member(input, "Name").to_owned(),
        scopes,
    })
}

fn resource_server_not_found(id: &str) -> ApiError {
    ApiError::resource_not_found(format!("Resource server {id} does not exist."))
}

fn string_array(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
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
