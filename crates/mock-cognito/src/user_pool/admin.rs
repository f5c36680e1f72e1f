//! The control plane: pools, app clients, users.

use std::collections::HashMap;

use cognito_srp::{Password, PoolName, Verifier};
use serde_json::{Value, json};

use super::{AppClient, Context, Pool, User, UserPools, str_member};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::jwt::SigningKey;

/// The flows an app client allows when ExplicitAuthFlows is not given.
const DEFAULT_AUTH_FLOWS: [&str; 3] = [
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_CUSTOM_AUTH",
];

#[derive(Debug, Clone)]
pub(super) struct PasswordPolicy {
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
        })
    }

    /// Cognito's InvalidPasswordException messages.
    pub(super) fn check(&self, password: &str) -> ApiResult<()> {
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

impl Pool {
    fn to_json(&self) -> Value {
        json!({
            "Id": self.id,
            "Name": self.name,
            "Arn": format!("arn:aws:cognito-idp:{}:000000000000:userpool/{}", self.region, self.id),
            "CreationDate": self.created,
            "LastModifiedDate": self.modified,
            "Policies": {"PasswordPolicy": self.policy.to_json()},
            "EstimatedNumberOfUsers": self.users.len(),
            "MfaConfiguration": "OFF",
        })
    }

    pub(super) fn pool_name(&self) -> PoolName {
        PoolName::from_user_pool_id(&self.id).expect("pool ids are generated as <region>_<name>")
    }

    pub(super) fn make_verifier(&self, username: &str, password: &str) -> ApiResult<Verifier> {
        self.policy.check(password)?;
        Verifier::generate(
            &mut ids::crypto_rng(),
            &self.pool_name(),
            username,
            &Password::new(password),
        )
        .map_err(|e| ApiError::invalid_parameter(e.to_string()))
    }

    pub(super) fn user(&self, username: &str) -> ApiResult<&User> {
        self.users.get(username).ok_or_else(user_not_found)
    }
}

impl AppClient {
    fn to_json(&self, pool_id: &str) -> Value {
        let mut v = json!({
            "UserPoolId": pool_id,
            "ClientName": self.name,
            "ClientId": self.id,
            "CreationDate": self.created,
            "LastModifiedDate": self.modified,
            "ExplicitAuthFlows": self.explicit_auth_flows,
            "PreventUserExistenceErrors": self.prevent_user_existence_errors,
        });
        if let Some(secret) = &self.secret {
            v["ClientSecret"] = json!(secret);
        }
        v
    }

    /// Whether `ALLOW_<flow>` (or the legacy bare name) is enabled.
    pub(super) fn allows(&self, flow: &str) -> bool {
        let allow = format!("ALLOW_{flow}");
        self.explicit_auth_flows
            .iter()
            .any(|f| f == &allow || f == flow)
    }
}

impl User {
    fn attributes_json(&self) -> Value {
        let mut attrs = vec![json!({"Name": "sub", "Value": self.sub})];
        attrs.extend(
            self.attributes
                .iter()
                .map(|(n, v)| json!({"Name": n, "Value": v})),
        );
        Value::Array(attrs)
    }
}

pub(super) fn user_not_found() -> ApiError {
    ApiError::new("UserNotFoundException", "User does not exist.")
}

impl UserPools {
    pub(super) fn create_user_pool(
        &mut self,
        input: &Value,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let now = ctx.clock.unix();
        let id = ids::user_pool_id(ctx.default_region);
        let pool = Pool {
            id: id.clone(),
            name: str_member(input, "PoolName").to_owned(),
            region: ctx.default_region.to_owned(),
            created: now,
            modified: now,
            policy: PasswordPolicy::from_input(&input["Policies"]["PasswordPolicy"]),
            clients: HashMap::new(),
            users: HashMap::new(),
            id_key: SigningKey::generate(),
            access_key: SigningKey::generate(),
        };
        let out = json!({"UserPool": pool.to_json()});
        self.pools.insert(id, pool);
        Ok(out)
    }

    pub(super) fn describe_user_pool(&self, input: &Value) -> ApiResult<Value> {
        Ok(json!({"UserPool": self.pool(str_member(input, "UserPoolId"))?.to_json()}))
    }

    pub(super) fn delete_user_pool(&mut self, input: &Value) -> ApiResult<Value> {
        let id = str_member(input, "UserPoolId");
        let pool = self
            .pools
            .remove(id)
            .ok_or_else(|| super::pool_not_found(id))?;
        self.client_index.retain(|_, p| p != &pool.id);
        Ok(json!({}))
    }

    pub(super) fn create_user_pool_client(
        &mut self,
        input: &Value,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let pool_id = str_member(input, "UserPoolId").to_owned();
        let now = ctx.clock.unix();
        let flows: Vec<String> = match input["ExplicitAuthFlows"].as_array() {
            Some(list) if !list.is_empty() => list
                .iter()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect(),
            _ => DEFAULT_AUTH_FLOWS.iter().map(|s| s.to_string()).collect(),
        };
        let client = AppClient {
            id: ids::client_id(),
            name: str_member(input, "ClientName").to_owned(),
            secret: input["GenerateSecret"]
                .as_bool()
                .unwrap_or(false)
                .then(ids::client_secret),
            explicit_auth_flows: flows,
            prevent_user_existence_errors: input["PreventUserExistenceErrors"]
                .as_str()
                .unwrap_or("LEGACY")
                .to_owned(),
            created: now,
            modified: now,
        };
        let pool = self.pool_mut(&pool_id)?;
        let out = json!({"UserPoolClient": client.to_json(&pool_id)});
        let client_id = client.id.clone();
        pool.clients.insert(client_id.clone(), client);
        self.client_index.insert(client_id, pool_id);
        Ok(out)
    }

    pub(super) fn describe_user_pool_client(&self, input: &Value) -> ApiResult<Value> {
        let pool_id = str_member(input, "UserPoolId");
        let client_id = str_member(input, "ClientId");
        let client = self
            .pool(pool_id)?
            .clients
            .get(client_id)
            .ok_or_else(|| client_not_found(client_id))?;
        Ok(json!({"UserPoolClient": client.to_json(pool_id)}))
    }

    pub(super) fn admin_create_user(
        &mut self,
        input: &Value,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let pool = self.pool_mut(str_member(input, "UserPoolId"))?;
        let username = str_member(input, "Username").to_owned();
        if pool.users.contains_key(&username) {
            return Err(ApiError::new(
                "UsernameExistsException",
                "User account already exists",
            ));
        }
        let Some(temporary) = input["TemporaryPassword"].as_str() else {
            return Err(ApiError::invalid_parameter(
                "TemporaryPassword is required: this mock delivers no invitation messages",
            ));
        };
        let mut attributes = Vec::new();
        for a in input["UserAttributes"].as_array().into_iter().flatten() {
            let name = a["Name"].as_str().unwrap_or_default();
            if name == "sub" {
                return Err(ApiError::invalid_parameter(
                    "Cannot modify the non-mutable attribute sub",
                ));
            }
            attributes.push((
                name.to_owned(),
                a["Value"].as_str().unwrap_or_default().to_owned(),
            ));
        }
        let now = ctx.clock.unix();
        let user = User {
            verifier: pool.make_verifier(&username, temporary)?,
            username: username.clone(),
            sub: ids::uuid(),
            attributes,
            status: "FORCE_CHANGE_PASSWORD",
            enabled: true,
            created: now,
            modified: now,
        };
        let out = json!({"User": {
            "Username": user.username,
            "Attributes": user.attributes_json(),
            "UserCreateDate": user.created,
            "UserLastModifiedDate": user.modified,
            "Enabled": user.enabled,
            "UserStatus": user.status,
        }});
        pool.users.insert(username, user);
        pool.modified = now;
        Ok(out)
    }

    pub(super) fn admin_set_user_password(
        &mut self,
        input: &Value,
        ctx: &Context<'_>,
    ) -> ApiResult<Value> {
        let pool = self.pool_mut(str_member(input, "UserPoolId"))?;
        let username = str_member(input, "Username");
        let verifier = pool.make_verifier(username, str_member(input, "Password"))?;
        let user = pool.users.get_mut(username).ok_or_else(user_not_found)?;
        user.verifier = verifier;
        user.status = if input["Permanent"].as_bool().unwrap_or(false) {
            "CONFIRMED"
        } else {
            "FORCE_CHANGE_PASSWORD"
        };
        user.modified = ctx.clock.unix();
        Ok(json!({}))
    }

    pub(super) fn admin_get_user(&self, input: &Value) -> ApiResult<Value> {
        let user = self
            .pool(str_member(input, "UserPoolId"))?
            .user(str_member(input, "Username"))?;
        Ok(json!({
            "Username": user.username,
            "UserAttributes": user.attributes_json(),
            "UserCreateDate": user.created,
            "UserLastModifiedDate": user.modified,
            "Enabled": user.enabled,
            "UserStatus": user.status,
        }))
    }
}

pub(super) fn client_not_found(id: &str) -> ApiError {
    ApiError::resource_not_found(format!("User pool client {id} does not exist."))
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
}
