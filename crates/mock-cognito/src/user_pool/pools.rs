//! The control plane: pools, app clients, domains and groups.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{
    AppClient, Context, Group, Pool, UserPools, client_not_found, pool_not_found, str_member,
};
use crate::error::{ApiError, ApiResult};
use crate::expiring::ExpiringMap;
use crate::jwt::SigningKey;
use crate::paging::paginate;

/// The flows an app client allows when ExplicitAuthFlows is not given.
pub(super) const DEFAULT_AUTH_FLOWS: [&str; 3] = [
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_CUSTOM_AUTH",
];

/// A pool's password policy, enforced wherever a password is set.
#[derive(Debug, Clone)]
pub struct PasswordPolicy {
    min_length: usize,
    require_uppercase: bool,
    require_lowercase: bool,
    require_numbers: bool,
    require_symbols: bool,
}

impl PasswordPolicy {
    fn from_input(v: &Value) -> Self {
        let flag = |name: &str| v[name].as_bool().unwrap_or(true);
        PasswordPolicy {
            min_length: v["MinimumLength"].as_u64().unwrap_or(8) as usize,
            require_uppercase: flag("RequireUppercase"),
            require_lowercase: flag("RequireLowercase"),
            require_numbers: flag("RequireNumbers"),
            require_symbols: flag("RequireSymbols"),
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "MinimumLength": self.min_length,
            "RequireUppercase": self.require_uppercase,
            "RequireLowercase": self.require_lowercase,
            "RequireNumbers": self.require_numbers,
            "RequireSymbols": self.require_symbols,
            "TemporaryPasswordValidityDays": 7,
        })
    }

    /// Cognito's InvalidPasswordException messages.
    pub fn check(&self, password: &str) -> ApiResult<()> {
        let fail = |why: &str| {
            Err(ApiError::new(
                "InvalidPasswordException",
                format!("Password does not conform to policy: {why}"),
            ))
        };
        if password.chars().count() < self.min_length {
            return fail("Password not long enough");
        }
        if self.require_uppercase && !password.chars().any(char::is_uppercase) {
            return fail("Password must have uppercase characters");
        }
        if self.require_lowercase && !password.chars().any(char::is_lowercase) {
            return fail("Password must have lowercase characters");
        }
        if self.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
            return fail("Password must have numeric characters");
        }
        if self.require_symbols
            && !password
                .chars()
                .any(|c| c.is_ascii_punctuation() || c == ' ')
        {
            return fail("Password must have symbol characters");
        }
        Ok(())
    }
}

/// The settable members of a request, without the ids that address it.
fn settings(input: &Value, drop: &[&str]) -> Map<String, Value> {
    input
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !drop.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

impl Pool {
    fn to_json(&self) -> Value {
        let mut v = Value::Object(self.config.clone());
        v["Id"] = json!(self.id);
        v["Name"] = self.config.get("PoolName").cloned().unwrap_or(Value::Null);
        v.as_object_mut().map(|m| m.remove("PoolName"));
        v["Arn"] = json!(format!(
            "arn:aws:cognito-idp:{}:000000000000:userpool/{}",
            self.region, self.id
        ));
        v["CreationDate"] = json!(self.created);
        v["LastModifiedDate"] = json!(self.modified);
        let mut policies = self
            .config
            .get("Policies")
            .cloned()
            .unwrap_or_else(|| json!({}));
        policies["PasswordPolicy"] = self.policy.to_json();
        v["Policies"] = policies;
        v["EstimatedNumberOfUsers"] = json!(self.users.len());
        if v.get("MfaConfiguration").is_none() {
            v["MfaConfiguration"] = json!("OFF");
        }
        if let Some(domain) = &self.domain {
            v["Domain"] = json!(domain);
        }
        v
    }
}

impl AppClient {
    fn to_json(&self, pool_id: &str) -> Value {
        let mut v = Value::Object(self.config.clone());
        v["UserPoolId"] = json!(pool_id);
        v["ClientId"] = json!(self.id);
        v["CreationDate"] = json!(self.created);
        v["LastModifiedDate"] = json!(self.modified);
        if v.get("ExplicitAuthFlows")
            .is_none_or(|f| f.as_array().is_none_or(Vec::is_empty))
        {
            v["ExplicitAuthFlows"] = json!(DEFAULT_AUTH_FLOWS);
        }
        if v.get("PreventUserExistenceErrors").is_none() {
            v["PreventUserExistenceErrors"] = json!("LEGACY");
        }
        if v.get("EnableTokenRevocation").is_none() {
            v["EnableTokenRevocation"] = json!(true);
        }
        if v.get("RefreshTokenValidity").is_none() {
            v["RefreshTokenValidity"] = json!(30);
        }
        v.as_object_mut().map(|m| m.remove("GenerateSecret"));
        if let Some(secret) = &self.secret {
            v["ClientSecret"] = json!(secret);
        }
        v
    }

    /// Checks what Cognito checks of a client's settings.
    fn validate(config: &Map<String, Value>) -> ApiResult<()> {
        let flows: Vec<&str> = config
            .get("ExplicitAuthFlows")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let new_style = flows.iter().any(|f| f.starts_with("ALLOW_"));
        let old_style = flows.iter().any(|f| !f.starts_with("ALLOW_"));
        if new_style && old_style {
            return Err(ApiError::invalid_parameter(
                "ExplicitAuthFlows can not have both ALLOW_XXX and XXX values.",
            ));
        }
        let rotation = config
            .get("RefreshTokenRotation")
            .and_then(|r| r["Feature"].as_str())
            == Some("ENABLED");
        // With rotation on, refreshing goes through GetTokensFromRefreshToken
        // only, and AWS asks for REFRESH_TOKEN_AUTH to be off.
        if rotation && flows.contains(&"ALLOW_REFRESH_TOKEN_AUTH") {
            return Err(ApiError::invalid_parameter(
                "ALLOW_REFRESH_TOKEN_AUTH cannot be enabled with refresh token rotation.",
            ));
        }
        if !rotation && new_style && !flows.contains(&"ALLOW_REFRESH_TOKEN_AUTH") {
            return Err(ApiError::invalid_parameter(
                "REFRESH_TOKEN_AUTH should always be allowed.",
            ));
        }
        for url in config
            .get("CallbackURLs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .chain(
                config
                    .get("LogoutURLs")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            )
        {
            let url = url.as_str().unwrap_or_default();
            if !crate::url_rules::is_allowed_redirect(url) {
                return Err(ApiError::invalid_parameter(format!(
                    "{url} is not a valid URL: use https, or http only for localhost"
                )));
            }
        }
        if let Some(default) = config.get("DefaultRedirectURI").and_then(Value::as_str) {
            let registered = config
                .get("CallbackURLs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|u| u == default);
            if !registered {
                return Err(ApiError::invalid_parameter(
                    "DefaultRedirectURI must be one of the CallbackURLs",
                ));
            }
        }
        Ok(())
    }
}

impl Group {
    pub(super) fn to_json(&self, pool_id: &str) -> Value {
        let mut v = json!({
            "GroupName": self.name,
            "UserPoolId": pool_id,
            "CreationDate": self.created,
            "LastModifiedDate": self.modified,
        });
        if let Some(d) = &self.description {
            v["Description"] = json!(d);
        }
        if let Some(r) = &self.role_arn {
            v["RoleArn"] = json!(r);
        }
        if let Some(p) = self.precedence {
            v["Precedence"] = json!(p);
        }
        v
    }
}

impl UserPools {
    /// CreateUserPool; `fixed_id` lets a seed file choose the id.
    pub(crate) fn create_user_pool(
        &mut self,
        input: &Value,
        fixed_id: Option<&str>,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let now = ctx.clock.unix();
        let (id, region) = match fixed_id {
            Some(id) => {
                let region = id
                    .split_once('_')
                    .map(|(r, _)| r)
                    .unwrap_or(ctx.default_region);
                if self.pools.contains_key(id) {
                    return Err(ApiError::invalid_parameter(format!(
                        "User pool {id} already exists"
                    )));
                }
                (id.to_owned(), region.to_owned())
            }
            None => (ctx.rng.user_pool_id(ctx.region()), ctx.region().to_owned()),
        };
        let username_attributes = input["UsernameAttributes"].as_array().map_or(0, Vec::len);
        if username_attributes > 0
            && input["AliasAttributes"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
        {
            return Err(ApiError::invalid_parameter(
                "Only one of AliasAttributes or UsernameAttributes can be set in a User Pool",
            ));
        }
        let pool = Pool {
            id: id.clone(),
            region,
            created: now,
            modified: now,
            config: settings(input, &[]),
            policy: PasswordPolicy::from_input(&input["Policies"]["PasswordPolicy"]),
            domain: None,
            clients: BTreeMap::new(),
            users: BTreeMap::new(),
            groups: BTreeMap::new(),
            sessions: ExpiringMap::default(),
            identity_providers: BTreeMap::new(),
            resource_servers: BTreeMap::new(),
            id_key: std::sync::Arc::new(SigningKey::generate(ctx.rng, ctx.keys)),
            access_key: std::sync::Arc::new(SigningKey::generate(ctx.rng, ctx.keys)),
        };
        let out = json!({"UserPool": pool.to_json()});
        self.pools.insert(id, pool);
        Ok(out)
    }

    pub(super) fn describe_user_pool(&self, input: &Value, _ctx: &Context<'_>) -> ApiResult<Value> {
        Ok(json!({"UserPool": self.pool(str_member(input, "UserPoolId"))?.to_json()}))
    }

    pub(super) fn list_user_pools(&self, input: &Value, ctx: &Context<'_>) -> ApiResult<Value> {
        let all: Vec<Value> = self
            .pools
            .values()
            .filter(|p| p.region == ctx.region())
            .map(|p| {
                json!({"Id": p.id, "Name": p.config.get("PoolName"), "CreationDate": p.created, "LastModifiedDate": p.modified})
            })
            .collect();
        let limit = input["MaxResults"].as_u64().unwrap_or(60) as usize;
        let (page, next) = paginate(all, limit, input["NextToken"].as_str())?;
        Ok(json!({"UserPools": page, "NextToken": next}))
    }

    pub(super) fn update_user_pool(
        &mut self,
        input: &Value,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let pool = self.pool_mut(str_member(input, "UserPoolId"))?;
        // UpdateUserPool replaces what it is given; the name and the sign-in
        // attributes cannot change after creation.
        for (k, v) in settings(input, &["UserPoolId"]) {
            pool.config.insert(k, v);
        }
        if input["Policies"]["PasswordPolicy"].is_object() {
            pool.policy = PasswordPolicy::from_input(&input["Policies"]["PasswordPolicy"]);
        }
        pool.modified = ctx.clock.unix();
        Ok(json!({}))
    }

    pub(super) fn delete_user_pool(&mut self, input: &Value) -> ApiResult<Value> {
        let id = str_member(input, "UserPoolId");
        let pool = self.pools.remove(id).ok_or_else(|| pool_not_found(id))?;
        self.client_index.retain(|_, p| p != &pool.id);
        self.domains.retain(|_, p| p != &pool.id);
        self.refresh_tokens.retain(|_, g| g.pool_id != pool.id);
        Ok(json!({}))
    }

    /// CreateUserPoolClient; `fixed` lets a seed file choose id and secret.
    pub(crate) fn create_user_pool_client(
        &mut self,
        input: &Value,
        fixed: Option<(&str, Option<&str>)>,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let pool_id = str_member(input, "UserPoolId").to_owned();
        let config = settings(input, &["UserPoolId", "ClientSecret"]);
        AppClient::validate(&config)?;
        self.pool(&pool_id)?.check_oauth_settings(&config)?;
        let now = ctx.clock.unix();
        let (id, secret) = match fixed {
            Some((id, secret)) => {
                if self.client_index.contains_key(id) {
                    return Err(ApiError::invalid_parameter(format!(
                        "App client {id} already exists"
                    )));
                }
                (id.to_owned(), secret.map(str::to_owned))
            }
            None => {
                let secret = match input["ClientSecret"].as_str() {
                    Some(s) => Some(s.to_owned()),
                    None => input["GenerateSecret"]
                        .as_bool()
                        .unwrap_or(false)
                        .then(|| ctx.rng.client_secret()),
                };
                (ctx.rng.client_id(), secret)
            }
        };
        let client = AppClient {
            id: id.clone(),
            secret,
            created: now,
            modified: now,
            config,
        };
        let out = json!({"UserPoolClient": client.to_json(&pool_id)});
        self.pool_mut(&pool_id)?.clients.insert(id.clone(), client);
        self.client_index.insert(id, pool_id);
        Ok(out)
    }

    fn pool_client(&self, input: &Value) -> ApiResult<(&Pool, &AppClient)> {
        let pool = self.pool(str_member(input, "UserPoolId"))?;
        let id = str_member(input, "ClientId");
        let client = pool.clients.get(id).ok_or_else(|| client_not_found(id))?;
        Ok((pool, client))
    }

    pub(super) fn describe_user_pool_client(&self, input: &Value) -> ApiResult<Value> {
        let (pool, client) = self.pool_client(input)?;
        Ok(json!({"UserPoolClient": client.to_json(&pool.id)}))
    }

    pub(super) fn list_user_pool_clients(&self, input: &Value) -> ApiResult<Value> {
        let pool = self.pool(str_member(input, "UserPoolId"))?;
        let all: Vec<Value> = pool
            .clients
            .values()
            .map(|c| json!({"ClientId": c.id, "UserPoolId": pool.id, "ClientName": c.config.get("ClientName")}))
            .collect();
        let limit = input["MaxResults"].as_u64().unwrap_or(60) as usize;
        let (page, next) = paginate(all, limit, input["NextToken"].as_str())?;
        Ok(json!({"UserPoolClients": page, "NextToken": next}))
    }

    pub(super) fn update_user_pool_client(
        &mut self,
        input: &Value,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        self.pool_client(input)?;
        let pool_id = str_member(input, "UserPoolId").to_owned();
        let client_id = str_member(input, "ClientId").to_owned();
        // Like Cognito, an update resets every setting it does not name.
        let config = settings(input, &["UserPoolId", "ClientId"]);
        AppClient::validate(&config)?;
        let pool = self.pool_mut(&pool_id)?;
        pool.check_oauth_settings(&config)?;
        let client = pool
            .clients
            .get_mut(&client_id)
            .ok_or_else(|| client_not_found(&client_id))?;
        client.config = config;
        client.modified = ctx.clock.unix();
        Ok(json!({"UserPoolClient": client.to_json(&pool_id)}))
    }

    pub(super) fn delete_user_pool_client(&mut self, input: &Value) -> ApiResult<Value> {
        self.pool_client(input)?;
        let client_id = str_member(input, "ClientId");
        self.pool_mut(str_member(input, "UserPoolId"))?
            .clients
            .remove(client_id);
        self.client_index.remove(client_id);
        self.refresh_tokens.retain(|_, g| g.client_id != client_id);
        Ok(json!({}))
    }

    pub(super) fn create_user_pool_domain(&mut self, input: &Value) -> ApiResult<Value> {
        let domain = str_member(input, "Domain").to_owned();
        let pool_id = str_member(input, "UserPoolId").to_owned();
        if self.domains.contains_key(&domain) {
            return Err(ApiError::invalid_parameter(format!(
                "Domain already associated with another user pool: {domain}"
            )));
        }
        let pool = self.pool_mut(&pool_id)?;
        if pool.domain.is_some() {
            return Err(ApiError::invalid_parameter(
                "The user pool already has a domain configured.",
            ));
        }
        pool.domain = Some(domain.clone());
        self.domains.insert(domain, pool_id);
        Ok(json!({}))
    }

    pub(super) fn describe_user_pool_domain(&self, input: &Value) -> ApiResult<Value> {
        let domain = str_member(input, "Domain");
        // An unknown domain is an empty description, not an error, in Cognito.
        let Some(pool_id) = self.domains.get(domain) else {
            return Ok(json!({"DomainDescription": {}}));
        };
        Ok(json!({"DomainDescription": {
            "UserPoolId": pool_id,
            "AWSAccountId": "000000000000",
            "Domain": domain,
            "Status": "ACTIVE",
            "Version": "1",
        }}))
    }

    pub(super) fn delete_user_pool_domain(&mut self, input: &Value) -> ApiResult<Value> {
        let domain = str_member(input, "Domain");
        let pool_id = str_member(input, "UserPoolId");
        if self.domains.get(domain).map(String::as_str) != Some(pool_id) {
            return Err(ApiError::invalid_parameter(format!(
                "No such domain or user pool exists: {domain}"
            )));
        }
        self.domains.remove(domain);
        self.pool_mut(pool_id)?.domain = None;
        Ok(json!({}))
    }

    pub(crate) fn create_group(&mut self, input: &Value, ctx: &Context<'_>) -> ApiResult<Value> {
        let pool = self.pool_mut(str_member(input, "UserPoolId"))?;
        let name = str_member(input, "GroupName").to_owned();
        if pool.groups.contains_key(&name) {
            return Err(ApiError::new(
                "GroupExistsException",
                "A group with the name already exists.",
            ));
        }
        let now = ctx.clock.unix();
        let group = Group {
            name: name.clone(),
            description: input["Description"].as_str().map(str::to_owned),
            role_arn: input["RoleArn"].as_str().map(str::to_owned),
            precedence: input["Precedence"].as_i64(),
            created: now,
            modified: now,
        };
        let out = json!({"Group": group.to_json(&pool.id)});
        pool.groups.insert(name, group);
        Ok(out)
    }

    fn group(&self, input: &Value) -> ApiResult<(&Pool, &Group)> {
        let pool = self.pool(str_member(input, "UserPoolId"))?;
        let name = str_member(input, "GroupName");
        let group = pool.groups.get(name).ok_or_else(|| group_not_found(name))?;
        Ok((pool, group))
    }

    pub(super) fn get_group(&self, input: &Value) -> ApiResult<Value> {
        let (pool, group) = self.group(input)?;
        Ok(json!({"Group": group.to_json(&pool.id)}))
    }

    pub(super) fn list_groups(&self, input: &Value) -> ApiResult<Value> {
        let pool = self.pool(str_member(input, "UserPoolId"))?;
        let all: Vec<Value> = pool.groups.values().map(|g| g.to_json(&pool.id)).collect();
        let limit = input["Limit"].as_u64().unwrap_or(60) as usize;
        let (page, next) = paginate(all, limit, input["NextToken"].as_str())?;
        Ok(json!({"Groups": page, "NextToken": next}))
    }

    pub(super) fn update_group(&mut self, input: &Value, ctx: &Context<'_>) -> ApiResult<Value> {
        self.group(input)?;
        let pool = self.pool_mut(str_member(input, "UserPoolId"))?;
        let group = pool
            .groups
            .get_mut(str_member(input, "GroupName"))
            .expect("checked");
        if let Some(d) = input["Description"].as_str() {
            group.description = Some(d.to_owned());
        }
        if let Some(r) = input["RoleArn"].as_str() {
            group.role_arn = Some(r.to_owned());
        }
        if let Some(p) = input["Precedence"].as_i64() {
            group.precedence = Some(p);
        }
        group.modified = ctx.clock.unix();
        let out = json!({"Group": group.to_json(&pool.id)});
        Ok(out)
    }

    pub(super) fn delete_group(&mut self, input: &Value) -> ApiResult<Value> {
        self.group(input)?;
        let name = str_member(input, "GroupName").to_owned();
        let pool = self.pool_mut(str_member(input, "UserPoolId"))?;
        pool.groups.remove(&name);
        for user in pool.users.values_mut() {
            user.groups.remove(&name);
        }
        Ok(json!({}))
    }
}

pub(super) fn group_not_found(name: &str) -> ApiError {
    ApiError::resource_not_found(format!("Group {name} not found."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_messages() {
        let p = PasswordPolicy::from_input(&Value::Null);
        assert!(p.check("Passw0rd!").is_ok());
        for (pw, why) in [
            ("Pw0!", "long enough"),
            ("passw0rd!", "uppercase"),
            ("PASSW0RD!", "lowercase"),
            ("Password!", "numeric"),
            ("Passw0rd", "symbol"),
        ] {
            let e = p.check(pw).unwrap_err();
            assert_eq!(e.code, "InvalidPasswordException");
            assert!(e.message.contains(why), "{pw}: {e}");
        }
    }

    #[test]
    fn client_settings_rules() {
        let ok = |v: Value| AppClient::validate(v.as_object().unwrap());
        assert!(
            ok(json!({"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}))
                .is_ok()
        );
        assert!(ok(json!({"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"]})).is_err());
        assert!(
            ok(json!({"ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH", "USER_PASSWORD_AUTH"]}))
                .is_err()
        );
        assert!(
            ok(json!({"CallbackURLs": ["http://localhost:8080/cb", "https://app.example.com/cb"]}))
                .is_ok()
        );
        assert!(ok(json!({"CallbackURLs": ["http://app.example.com/cb"]})).is_err());
        assert!(ok(json!({"CallbackURLs": ["https://a.example/cb"], "DefaultRedirectURI": "https://b.example/cb"})).is_err());
    }
}
