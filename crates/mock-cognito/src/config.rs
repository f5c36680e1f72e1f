//! The seed file: a TOML description of pools, clients, groups and users, so
//! one command starts a ready mock. Documented in `docs/mock-config.md`.
//!
//! Every entry is turned into the same request the API would take and goes
//! through the same validation, so a seed file cannot create anything the
//! API could not.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::engine::Engine;
use crate::external_idp::ExternalProviders;
use crate::identity_pool::IdentityPools;
use crate::shapes::Operation;
use crate::shapes::cognito_identity::ops;
use crate::shapes::cognito_idp::UserStatusType;
use crate::shapes::cognito_idp::ops as idp_ops;
use crate::user_pool::{Context, IssuerMode, UserPools};

/// What a seed file fills: each service's state, locked.
struct State<'a> {
    user_pools: &'a mut UserPools,
    providers: &'a mut ExternalProviders,
    identity_pools: &'a mut IdentityPools,
}

/// A parsed seed file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedConfig {
    /// The fallback region (default `us-east-1`): of seeded pools without a
    /// fixed id, and of calls that name none. Must be an AWS region name.
    pub region: Option<String>,
    /// `aws` (default) or `local`.
    pub issuer_mode: Option<String>,
    /// User pools to create.
    #[serde(default)]
    pub user_pools: Vec<SeedUserPool>,
    /// Identity pools to create (after the user pools they may trust).
    #[serde(default)]
    pub identity_pools: Vec<SeedIdentityPool>,
    /// Test users of the fake external providers (Facebook, Amazon, …).
    #[serde(default)]
    pub provider_users: Vec<SeedProviderUser>,
    /// Apps registered with the fake providers. Apps named by a user-pool
    /// identity provider or an identity pool's login providers are
    /// registered without being listed here.
    #[serde(default)]
    pub provider_apps: Vec<SeedProviderApp>,
    /// Client ID metadata documents (CIMD) served from files rather than
    /// fetched: URL to path (relative to the seed file).
    #[serde(default)]
    pub client_metadata_documents: BTreeMap<String, std::path::PathBuf>,
    /// Lambda triggers: where each function ARN of a pool's LambdaConfig
    /// runs (`file`, `command` or `url`), and the Lambda endpoint for the
    /// rest.
    #[serde(default)]
    pub triggers: SeedTriggers,
}

/// `[triggers]`: `lambda_endpoint`, `timeout_secs`, and one table per
/// function ARN.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedTriggers {
    /// The AWS Lambda Invoke API of an emulator, for ARNs not listed.
    pub lambda_endpoint: Option<String>,
    /// How long a trigger may run (default 5, as Cognito waits).
    pub timeout_secs: Option<u64>,
    /// ARN → where it runs.
    #[serde(default)]
    pub functions: BTreeMap<String, SeedTrigger>,
}

/// Where one function runs: exactly one of the three.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedTrigger {
    /// A handler file (`.py`, `.js`, `.mjs`), relative to the seed file.
    pub file: Option<std::path::PathBuf>,
    /// A program and its arguments.
    pub command: Option<Vec<String>>,
    /// An HTTP endpoint the event is POSTed to.
    pub url: Option<String>,
}

impl SeedTriggers {
    /// The registry these entries make.
    pub fn registry(&self) -> Result<crate::triggers::Triggers, String> {
        use crate::triggers::TriggerTarget;
        let mut triggers = crate::triggers::Triggers::default();
        if let Some(endpoint) = &self.lambda_endpoint {
            triggers.set_lambda_endpoint(endpoint.clone());
        }
        if let Some(secs) = self.timeout_secs {
            triggers.set_timeout(std::time::Duration::from_secs(secs.clamp(1, 900)));
        }
        for (arn, t) in &self.functions {
            let target = match (&t.file, &t.command, &t.url) {
                (Some(file), None, None) => TriggerTarget::File(file.clone()),
                (None, Some(argv), None) if !argv.is_empty() => {
                    TriggerTarget::Command(argv.clone())
                }
                (None, None, Some(url)) => TriggerTarget::Url(url.clone()),
                _ => {
                    return Err(format!(
                        "triggers.functions.{arn:?}: give exactly one of file, command (not empty) or url"
                    ));
                }
            };
            triggers.set(arn.clone(), target);
        }
        Ok(triggers)
    }
}

/// A test user of a fake provider, who signs in on its page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedProviderUser {
    /// `facebook`, `amazon`, `google`, `apple`, or an OIDC issuer host.
    pub provider: String,
    /// The provider's user id (Facebook `id`, Amazon `user_id`, OIDC `sub`).
    pub id: String,
    /// The password for the provider's sign-in page.
    pub password: String,
    /// Profile claims: `email`, `name`, `given_name`, `picture`, …
    #[serde(default)]
    pub profile: BTreeMap<String, String>,
}

/// An app registered with a fake provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedProviderApp {
    /// `facebook`, `amazon`, `google`, `apple`, or an OIDC issuer host.
    pub provider: String,
    /// The app id / client id.
    pub client_id: String,
    /// The app secret, if the app has one.
    pub client_secret: Option<String>,
}

/// A federated identity provider of a user pool.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedIdentityProvider {
    /// ProviderName (`Facebook`, `Google`, `LoginWithAmazon`,
    /// `SignInWithApple`, or any name for OIDC).
    pub name: String,
    /// ProviderType.
    #[serde(rename = "type")]
    pub provider_type: String,
    /// ProviderDetails (`client_id`, `client_secret`, `authorize_scopes`, …).
    #[serde(default)]
    pub details: BTreeMap<String, String>,
    /// AttributeMapping: user-pool attribute → provider attribute.
    #[serde(default)]
    pub attribute_mapping: BTreeMap<String, String>,
    /// IdpIdentifiers.
    #[serde(default)]
    pub idp_identifiers: Vec<String>,
}

/// A resource server and its scopes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedResourceServer {
    /// Identifier, e.g. `https://api.example.com`.
    pub identifier: String,
    /// Name.
    pub name: String,
    /// Scope name → description.
    #[serde(default)]
    pub scopes: BTreeMap<String, String>,
}

/// One identity pool.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedIdentityPool {
    /// A fixed id such as `us-east-1:00000000-0000-4000-8000-000000000001`.
    pub id: Option<String>,
    /// IdentityPoolName.
    pub name: String,
    /// AllowUnauthenticatedIdentities.
    #[serde(default)]
    pub allow_unauthenticated: bool,
    /// AllowClassicFlow.
    #[serde(default)]
    pub allow_classic_flow: bool,
    /// DeveloperProviderName.
    pub developer_provider_name: Option<String>,
    /// SupportedLoginProviders: login key → app id.
    #[serde(default)]
    pub supported_login_providers: BTreeMap<String, String>,
    /// OpenIdConnectProviderARNs.
    #[serde(default)]
    pub openid_connect_provider_arns: Vec<String>,
    /// CognitoIdentityProviders.
    #[serde(default)]
    pub cognito_identity_providers: Vec<SeedCognitoProvider>,
    /// Roles: `authenticated` / `unauthenticated` → role ARN.
    #[serde(default)]
    pub roles: BTreeMap<String, String>,
    /// RoleMappings, keyed as the API keys them, each shaped like the API's
    /// RoleMapping (`Type`, `AmbiguousRoleResolution`, `RulesConfiguration`).
    #[serde(default)]
    pub role_mappings: BTreeMap<String, toml::Value>,
}

/// A user pool an identity pool trusts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedCognitoProvider {
    /// The user pool id (the provider name is derived from it).
    pub user_pool: String,
    /// The app client whose ID tokens are accepted.
    pub client_id: String,
    /// ServerSideTokenCheck.
    #[serde(default)]
    pub server_side_token_check: bool,
}

/// One user pool.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUserPool {
    /// A fixed id such as `us-east-1_Example01`; random when absent.
    pub id: Option<String>,
    /// PoolName.
    pub name: String,
    /// UsernameAttributes (`email`, `phone_number`).
    #[serde(default)]
    pub username_attributes: Vec<String>,
    /// AliasAttributes.
    #[serde(default)]
    pub alias_attributes: Vec<String>,
    /// AutoVerifiedAttributes.
    #[serde(default)]
    pub auto_verified_attributes: Vec<String>,
    /// Hosted-UI domain prefix.
    pub domain: Option<String>,
    /// Federated identity providers (created before the clients that name them).
    #[serde(default)]
    pub identity_providers: Vec<SeedIdentityProvider>,
    /// Resource servers (created before the clients that use their scopes).
    #[serde(default)]
    pub resource_servers: Vec<SeedResourceServer>,
    /// PasswordPolicy members in snake_case (`minimum_length`, `require_symbols`, …).
    pub password_policy: Option<BTreeMap<String, toml::Value>>,
    /// SignInPolicy's AllowedFirstAuthFactors (`PASSWORD`, `EMAIL_OTP`,
    /// `SMS_OTP`, `WEB_AUTHN`) for choice-based sign-in.
    #[serde(default)]
    pub allowed_first_auth_factors: Vec<String>,
    /// DeviceConfiguration members in snake_case
    /// (`challenge_required_on_new_device`,
    /// `device_only_remembered_on_user_prompt`).
    pub device_configuration: Option<BTreeMap<String, toml::Value>>,
    /// App clients.
    #[serde(default)]
    pub clients: Vec<SeedClient>,
    /// Groups.
    #[serde(default)]
    pub groups: Vec<SeedGroup>,
    /// Users.
    #[serde(default)]
    pub users: Vec<SeedUser>,
}

/// One app client.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedClient {
    /// A fixed client id; random when absent.
    pub id: Option<String>,
    /// ClientName.
    pub name: String,
    /// A fixed client secret.
    pub secret: Option<String>,
    /// GenerateSecret (ignored when `secret` is set).
    #[serde(default)]
    pub generate_secret: bool,
    /// ExplicitAuthFlows.
    #[serde(default)]
    pub explicit_auth_flows: Vec<String>,
    /// CallbackURLs.
    #[serde(default)]
    pub callback_urls: Vec<String>,
    /// LogoutURLs.
    #[serde(default)]
    pub logout_urls: Vec<String>,
    /// AllowedOAuthFlows (`code`, `implicit`, `client_credentials`).
    #[serde(default)]
    pub allowed_oauth_flows: Vec<String>,
    /// AllowedOAuthScopes.
    #[serde(default)]
    pub allowed_oauth_scopes: Vec<String>,
    /// SupportedIdentityProviders.
    #[serde(default)]
    pub supported_identity_providers: Vec<String>,
    /// PreventUserExistenceErrors (`LEGACY` or `ENABLED`).
    pub prevent_user_existence_errors: Option<String>,
}

/// One group.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedGroup {
    /// GroupName.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// RoleArn.
    pub role_arn: Option<String>,
    /// Precedence.
    pub precedence: Option<i64>,
}

/// One user.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUser {
    /// The username (or email / phone with UsernameAttributes).
    pub username: String,
    /// The password (permanent unless `status` says otherwise).
    pub password: String,
    /// `CONFIRMED` (default), `FORCE_CHANGE_PASSWORD` or `UNCONFIRMED`.
    pub status: Option<String>,
    /// Attributes, e.g. `{ email = "a@example.com", email_verified = "true" }`.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Groups to join.
    #[serde(default)]
    pub groups: Vec<String>,
    /// false creates the user disabled.
    pub enabled: Option<bool>,
}

/// The largest seed file read: far above any hand-written one, and a
/// bound on what a wrong path (`/dev/zero`) can make the mock read.
pub const MAX_SEED_FILE_BYTES: u64 = 16 << 20;

impl SeedConfig {
    /// Parses a seed file's text.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let seed: SeedConfig = toml::from_str(text).map_err(|e| format!("seed file: {e}"))?;
        if let Some(region) = &seed.region {
            crate::region::check_configured(region).map_err(|e| format!("seed file: {e}"))?;
        }
        Ok(seed)
    }

    /// Reads and parses a seed file of at most [`MAX_SEED_FILE_BYTES`].
    pub fn from_file(path: &std::path::Path) -> Result<Self, String> {
        use std::io::Read;
        let shown = path.display();
        let file = std::fs::File::open(path).map_err(|e| format!("{shown}: {e}"))?;
        let mut bytes = Vec::new();
        file.take(MAX_SEED_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{shown}: {e}"))?;
        if bytes.len() as u64 > MAX_SEED_FILE_BYTES {
            return Err(format!(
                "{shown}: a seed file may be at most {MAX_SEED_FILE_BYTES} bytes ({} MiB); this one is larger",
                MAX_SEED_FILE_BYTES >> 20
            ));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("{shown}: a seed file must be UTF-8 text"))?;
        let mut seed = Self::from_toml(&text).map_err(|e| format!("{shown}: {e}"))?;
        // Document paths are relative to the seed file.
        let dir = path.parent().unwrap_or(std::path::Path::new("."));
        for document in seed.client_metadata_documents.values_mut() {
            if document.is_relative() {
                *document = dir.join(&*document);
            }
        }
        for file in seed
            .triggers
            .functions
            .values_mut()
            .filter_map(|t| t.file.as_mut())
        {
            if file.is_relative() {
                *file = dir.join(&*file);
            }
        }
        Ok(seed)
    }

    pub(crate) fn issuer_mode(&self) -> Result<Option<IssuerMode>, String> {
        match self.issuer_mode.as_deref() {
            None => Ok(None),
            Some("aws") => Ok(Some(IssuerMode::Aws)),
            Some("local") => Ok(Some(IssuerMode::Local)),
            Some(other) => Err(format!(
                "seed file: issuer_mode must be \"aws\" or \"local\", not {other:?}"
            )),
        }
    }

    /// Creates everything in `pools`, through the same validation as the API.
    pub(crate) fn apply(&self, engine: &Engine) -> Result<(), String> {
        let ctx = engine.context();
        // The engine's lock order: user pools, providers, identity pools.
        let mut user_pools = engine.user_pools_mut();
        let mut providers = engine.providers_mut();
        let mut identity_pools = engine.identity_pools();
        let mut state = State {
            user_pools: &mut user_pools,
            providers: &mut providers,
            identity_pools: &mut identity_pools,
        };
        self.apply_to(&mut state, &ctx)
    }

    fn apply_providers_to(&self, providers: &mut crate::external_idp::ExternalProviders) {
        for app in &self.provider_apps {
            providers.register_app(&app.provider, &app.client_id, app.client_secret.as_deref());
        }
        for u in &self.provider_users {
            let profile: serde_json::Map<String, Value> = u
                .profile
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            providers.add_user(&u.provider, &u.id, &u.password, Value::Object(profile));
        }
    }

    fn apply_to(&self, state: &mut State<'_>, ctx: &Context<'_>) -> Result<(), String> {
        self.apply_providers_to(state.providers);
        // With a data dir that already holds state, the seed adds only what
        // is not there yet: a pool is there if its fixed id is, or (without
        // one) a pool of its name. What is there is left as it is.
        let user_pools_there: Vec<(String, String)> = state
            .user_pools
            .summary()
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        let identity_pools_there = state.identity_pools.summary();
        let there = |existing: &[(String, String)], id: &Option<String>, name: &str| match id {
            Some(id) => existing.iter().any(|(i, _)| i == id),
            None => existing.iter().any(|(_, n)| n == name),
        };
        for p in &self.user_pools {
            if there(&user_pools_there, &p.id, &p.name) {
                continue;
            }
            apply_pool(p, state, ctx)
                .map_err(|e| format!("seed file, user pool {:?}: {e}", p.name))?;
        }
        for p in &self.identity_pools {
            if there(&identity_pools_there, &p.id, &p.name) {
                continue;
            }
            apply_identity_pool(p, state, ctx)
                .map_err(|e| format!("seed file, identity pool {:?}: {e}", p.name))?;
        }
        Ok(())
    }
}

fn checked(op: &str, input: &Value) -> Result<(), String> {
    crate::shapes::cognito_idp::UserPoolRequest::parse(op, input)
        .map(drop)
        .map_err(|e| format!("{op}: {e}"))
}

fn run(pools: &mut UserPools, op: &str, input: Value, ctx: &Context<'_>) -> Result<Value, String> {
    let request = crate::shapes::cognito_idp::UserPoolRequest::parse(op, &input)
        .map_err(|e| format!("{op}: {e}"))?;
    pools.handle(request, ctx).map_err(|e| format!("{op}: {e}"))
}

/// Reads a seed's user-pool request as operation `O` would.
fn user_pool_checked<O: Operation>(input: &Value) -> Result<O::Input, String> {
    O::parse_input(input).map_err(|e| format!("{}: {e}", O::NAME))
}

/// A fixed id's region prefix must be a region name.
fn check_id_region(id: &str) -> Result<(), String> {
    crate::region::check_configured(crate::region::of_id(id).unwrap_or_default())
        .map_err(|e| format!("id {id:?}: {e}"))
}

fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn apply_pool(p: &SeedUserPool, state: &mut State<'_>, ctx: &Context<'_>) -> Result<(), String> {
    let pools = &mut state.user_pools;
    let mut input = json!({"PoolName": p.name});
    for (member, list) in [
        ("UsernameAttributes", &p.username_attributes),
        ("AliasAttributes", &p.alias_attributes),
        ("AutoVerifiedAttributes", &p.auto_verified_attributes),
    ] {
        if !list.is_empty() {
            input[member] = json!(list);
        }
    }
    if let Some(policy) = &p.password_policy {
        let members: serde_json::Map<String, Value> = policy
            .iter()
            .map(|(k, v)| (pascal(k), serde_json::to_value(v).unwrap_or(Value::Null)))
            .collect();
        input["Policies"] = json!({"PasswordPolicy": members});
    }
    if !p.allowed_first_auth_factors.is_empty() {
        input["Policies"]["SignInPolicy"] =
            json!({"AllowedFirstAuthFactors": p.allowed_first_auth_factors});
    }
    if let Some(devices) = &p.device_configuration {
        let members: serde_json::Map<String, Value> = devices
            .iter()
            .map(|(k, v)| (pascal(k), serde_json::to_value(v).unwrap_or(Value::Null)))
            .collect();
        input["DeviceConfiguration"] = Value::Object(members);
    }
    let create = user_pool_checked::<idp_ops::CreateUserPool>(&input)?;
    if let Some(id) = &p.id {
        // A fixed id must be one the service could have issued.
        checked("DescribeUserPool", &json!({"UserPoolId": id}))?;
        check_id_region(id)?;
    }
    let created = pools
        .create_user_pool(create, p.id.as_deref(), ctx)
        .map_err(|e| e.to_string())?;
    let pool_id = created.user_pool.and_then(|p| p.id).unwrap_or_default();
    if let Some(domain) = &p.domain {
        run(
            pools,
            "CreateUserPoolDomain",
            json!({"UserPoolId": pool_id, "Domain": domain}),
            ctx,
        )?;
    }
    for idp in &p.identity_providers {
        let mut input = json!({
            "UserPoolId": pool_id,
            "ProviderName": idp.name,
            "ProviderType": idp.provider_type,
            "ProviderDetails": idp.details,
        });
        if !idp.attribute_mapping.is_empty() {
            input["AttributeMapping"] = json!(idp.attribute_mapping);
        }
        if !idp.idp_identifiers.is_empty() {
            input["IdpIdentifiers"] = json!(idp.idp_identifiers);
        }
        run(pools, "CreateIdentityProvider", input, ctx)?;
        if let Some(app) = pools.provider_app(&pool_id, &idp.name) {
            state.providers.register_provider_app(&app);
        }
    }
    let pools = &mut state.user_pools;
    for rs in &p.resource_servers {
        let scopes: Vec<Value> = rs
            .scopes
            .iter()
            .map(|(name, description)| json!({"ScopeName": name, "ScopeDescription": description}))
            .collect();
        run(
            pools,
            "CreateResourceServer",
            json!({"UserPoolId": pool_id, "Identifier": rs.identifier, "Name": rs.name, "Scopes": scopes}),
            ctx,
        )?;
    }
    for c in &p.clients {
        let mut input = json!({"UserPoolId": pool_id, "ClientName": c.name, "GenerateSecret": c.generate_secret});
        for (member, list) in [
            ("ExplicitAuthFlows", &c.explicit_auth_flows),
            ("CallbackURLs", &c.callback_urls),
            ("LogoutURLs", &c.logout_urls),
            ("AllowedOAuthFlows", &c.allowed_oauth_flows),
            ("AllowedOAuthScopes", &c.allowed_oauth_scopes),
            (
                "SupportedIdentityProviders",
                &c.supported_identity_providers,
            ),
        ] {
            if !list.is_empty() {
                input[member] = json!(list);
            }
        }
        if !c.allowed_oauth_flows.is_empty() {
            input["AllowedOAuthFlowsUserPoolClient"] = json!(true);
        }
        if let Some(p) = &c.prevent_user_existence_errors {
            input["PreventUserExistenceErrors"] = json!(p);
        }
        checked("CreateUserPoolClient", &input)?;
        if let Some(id) = &c.id {
            checked(
                "DescribeUserPoolClient",
                &json!({"UserPoolId": pool_id, "ClientId": id}),
            )?;
        }
        if let Some(secret) = &c.secret {
            let mut with_secret = input.clone();
            with_secret["ClientSecret"] = json!(secret);
            checked("CreateUserPoolClient", &with_secret)?;
        }
        let fixed = c.id.as_deref().map(|id| (id, c.secret.as_deref()));
        if let (None, Some(secret)) = (&c.id, &c.secret) {
            input["ClientSecret"] = json!(secret);
        }
        let create = user_pool_checked::<idp_ops::CreateUserPoolClient>(&input)?;
        pools
            .create_user_pool_client(create, fixed, ctx)
            .map_err(|e| format!("client {:?}: {e}", c.name))?;
    }
    for g in &p.groups {
        let mut input = json!({"UserPoolId": pool_id, "GroupName": g.name});
        if let Some(d) = &g.description {
            input["Description"] = json!(d);
        }
        if let Some(r) = &g.role_arn {
            input["RoleArn"] = json!(r);
        }
        if let Some(n) = g.precedence {
            input["Precedence"] = json!(n);
        }
        run(pools, "CreateGroup", input, ctx)?;
    }
    for u in &p.users {
        let attrs: Vec<Value> = u
            .attributes
            .iter()
            .map(|(k, v)| json!({"Name": k, "Value": v}))
            .collect();
        let created = run(
            pools,
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": u.username, "TemporaryPassword": u.password,
                   "UserAttributes": attrs, "MessageAction": "SUPPRESS"}),
            ctx,
        )
        .map_err(|e| format!("user {:?}: {e}", u.username))?;
        let username = created["User"]["Username"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        // AdminCreateUser made the verifier of this very password: a
        // CONFIRMED user keeps it rather than get a second one from
        // AdminSetUserPassword, which doubled the seed's SRP work.
        let status = match u.status.as_deref().unwrap_or("CONFIRMED") {
            "CONFIRMED" => Some(UserStatusType::Confirmed),
            "FORCE_CHANGE_PASSWORD" => None,
            "UNCONFIRMED" => Some(UserStatusType::Unconfirmed),
            other => {
                return Err(format!(
                    "user {:?}: status must be CONFIRMED, FORCE_CHANGE_PASSWORD or UNCONFIRMED, not {other}",
                    u.username
                ));
            }
        };
        if let Some(status) = status {
            pools
                .seed_status(&pool_id, &username, status)
                .map_err(|e| e.to_string())?;
        }
        for g in &u.groups {
            run(
                pools,
                "AdminAddUserToGroup",
                json!({"UserPoolId": pool_id, "Username": username, "GroupName": g}),
                ctx,
            )?;
        }
        if u.enabled == Some(false) {
            run(
                pools,
                "AdminDisableUser",
                json!({"UserPoolId": pool_id, "Username": username}),
                ctx,
            )?;
        }
    }
    Ok(())
}

/// Reads a seed's request as operation `O` would (the model's checks).
fn identity_checked<O: Operation>(input: &Value) -> Result<O::Input, String> {
    O::parse_input(input).map_err(|e| format!("{}: {e}", O::NAME))
}

fn apply_identity_pool(
    p: &SeedIdentityPool,
    state: &mut State<'_>,
    ctx: &Context<'_>,
) -> Result<(), String> {
    let mut input = json!({
        "IdentityPoolName": p.name,
        "AllowUnauthenticatedIdentities": p.allow_unauthenticated,
        "AllowClassicFlow": p.allow_classic_flow,
    });
    if let Some(d) = &p.developer_provider_name {
        input["DeveloperProviderName"] = json!(d);
    }
    if !p.supported_login_providers.is_empty() {
        input["SupportedLoginProviders"] = json!(p.supported_login_providers);
    }
    if !p.openid_connect_provider_arns.is_empty() {
        input["OpenIdConnectProviderARNs"] = json!(p.openid_connect_provider_arns);
    }
    let mut providers = Vec::new();
    for c in &p.cognito_identity_providers {
        let provider_name = cognito_wire::issuer::login_key(&c.user_pool).ok_or_else(|| {
            format!(
                "identity pool {}: {:?} is not a user pool id (<region>_<name>)",
                p.name, c.user_pool
            )
        })?;
        providers.push(json!({
            "ProviderName": provider_name,
            "ClientId": c.client_id,
            "ServerSideTokenCheck": c.server_side_token_check,
        }));
    }
    if !providers.is_empty() {
        input["CognitoIdentityProviders"] = json!(providers);
    }
    let create = identity_checked::<ops::CreateIdentityPool>(&input)?;
    if let Some(id) = &p.id {
        identity_checked::<ops::DescribeIdentityPool>(&json!({"IdentityPoolId": id}))?;
        check_id_region(id)?;
    }
    let created = state
        .identity_pools
        .create_identity_pool(&create, p.id.as_deref(), ctx)
        .map_err(|e| e.to_string())?;
    let pool_id = created.identity_pool_id.clone();
    if let Some(trusted) = &created.supported_login_providers {
        state.providers.register_login_providers(trusted);
    }
    if !p.roles.is_empty() || !p.role_mappings.is_empty() {
        let mappings: serde_json::Map<String, Value> = p
            .role_mappings
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or(Value::Null)))
            .collect();
        let mut roles_input = json!({"IdentityPoolId": pool_id, "Roles": p.roles});
        if !mappings.is_empty() {
            roles_input["RoleMappings"] = Value::Object(mappings);
        }
        let set_roles = identity_checked::<ops::SetIdentityPoolRoles>(&roles_input)?;
        state
            .identity_pools
            .set_identity_pool_roles(&set_roles)
            .map_err(|e| format!("SetIdentityPoolRoles: {e}"))?;
    }
    Ok(())
}
