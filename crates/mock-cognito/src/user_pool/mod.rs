//! User pools (`AWSCognitoIdentityProviderService.*`).
//!
//! - `pools`: pools, app clients, domains and groups (the control plane);
//! - `users`: admin user management and listing;
//! - `self_service`: sign-up, password reset and the access-token calls;
//! - `auth`: InitiateAuth / RespondToAuthChallenge (and Admin variants);
//! - `tokens`: ID, access and refresh tokens, and checking them.

mod ahead;
mod auth;
mod oauth;
mod pools;
mod providers;
mod self_service;
mod tokens;
mod users;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cognito_srp::{Password, PoolName, Verifier};
use serde_json::{Map, Value, json};

use crate::clock::Clock;
use crate::error::{ApiError, ApiResult};
use crate::expiring::ExpiringMap;
use crate::jwt::SigningKey;

pub use auth::{AuthReply, AuthStep};
pub use oauth::{
    AuthorizeError, AuthorizeParams, BROWSER_SESSION_SECS, OAuthError, PagePassword,
    ProviderIdentity, TokenGrant, ValidAuthorize, constant_time_eq,
};
pub use pools::PasswordPolicy;
pub(crate) use providers::fake_provider_slug;
pub use tokens::verify_id_token;

/// How `iss` is formed in user-pool tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IssuerMode {
    /// `https://cognito-idp.<region>.amazonaws.com/<poolId>`, as AWS issues
    /// them: unmodified verifiers accept the tokens once given the JWKS.
    #[default]
    Aws,
    /// `<mock endpoint>/<poolId>`, so discovery-based verifiers find the
    /// mock's own openid-configuration.
    Local,
}

/// All user pools of one mock.
#[derive(Debug, Default)]
pub struct UserPools {
    pools: BTreeMap<String, Pool>,
    /// App client id → pool id (client ids are global, as in Cognito).
    client_index: HashMap<String, String>,
    /// Domain prefix → pool id.
    domains: HashMap<String, String>,
    /// SECRET_BLOCK → a pending SRP sign-in (single use).
    pending_srp: ExpiringMap<String, auth::PendingSrp>,
    /// Session → a pending NEW_PASSWORD_REQUIRED challenge (single use).
    pending_challenges: ExpiringMap<String, auth::PendingChallenge>,
    /// Refresh token → the sign-in session it continues.
    refresh_tokens: ExpiringMap<String, tokens::RefreshGrant>,
    /// Verification codes "delivered" and still valid, by delivery number,
    /// for the local inspection route.
    codes: ExpiringMap<u64, CodeRecord>,
    /// Deliveries so far (numbers `codes`).
    codes_delivered: u64,
    /// Hosted UI: authorization codes (kept after use to catch replays).
    auth_codes: ExpiringMap<String, oauth::AuthorizationCode>,
    /// Hosted UI: `cognito` cookie → signed-in browser.
    browser_sessions: ExpiringMap<String, oauth::BrowserSession>,
    /// Hosted UI: state → a sign-in handed to an external provider.
    pending_federation: ExpiringMap<String, oauth::PendingFederation>,
}

/// A verification code the mock "sent" (it is only logged and kept here).
#[derive(Debug, Clone, serde::Serialize)]
pub struct CodeRecord {
    /// The pool.
    pub user_pool_id: String,
    /// The internal username.
    pub username: String,
    /// `SIGN_UP`, `FORGOT_PASSWORD`, or `INVITATION` (a generated temporary
    /// password, which is never printed).
    pub purpose: &'static str,
    /// The code.
    pub code: String,
    /// Where a real pool would have sent it.
    pub destination: String,
}

/// A user pool as `cogkit mock serve` lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PoolSummary {
    /// The pool id.
    pub id: String,
    /// PoolName.
    pub name: String,
    /// The hosted-UI domain prefix, if any.
    pub domain: Option<String>,
    /// Its app clients.
    pub clients: Vec<ClientSummary>,
}

/// An app client as `cogkit mock serve` lists it (never its secret).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClientSummary {
    /// The client id.
    pub id: String,
    /// ClientName.
    pub name: String,
    /// Whether it has a client secret.
    pub has_secret: bool,
}

#[derive(Debug)]
struct Pool {
    id: String,
    region: String,
    created: i64,
    modified: i64,
    /// The members given to CreateUserPool / UpdateUserPool, echoed by Describe.
    config: Map<String, Value>,
    policy: PasswordPolicy,
    domain: Option<String>,
    clients: BTreeMap<String, AppClient>,
    /// Keyed by internal username.
    users: BTreeMap<String, User>,
    groups: BTreeMap<String, Group>,
    /// origin_jti → sign-in session, until its last token expires.
    sessions: ExpiringMap<String, tokens::SignInSession>,
    /// Federated identity providers by ProviderName.
    identity_providers: BTreeMap<String, providers::IdentityProvider>,
    /// Resource servers by Identifier.
    resource_servers: BTreeMap<String, providers::ResourceServer>,
    /// ID tokens and access tokens are signed with different keys, as Cognito does.
    id_key: std::sync::Arc<SigningKey>,
    access_key: std::sync::Arc<SigningKey>,
}

#[derive(Debug)]
struct AppClient {
    id: String,
    secret: Option<String>,
    created: i64,
    modified: i64,
    /// The members given to Create/UpdateUserPoolClient, echoed by Describe.
    config: Map<String, Value>,
}

#[derive(Debug, Clone)]
struct Group {
    name: String,
    description: Option<String>,
    role_arn: Option<String>,
    precedence: Option<i64>,
    created: i64,
    modified: i64,
}

#[derive(Debug)]
struct User {
    username: String,
    sub: String,
    /// Attributes other than `sub`.
    attributes: BTreeMap<String, String>,
    status: &'static str,
    enabled: bool,
    /// SRP salt and verifier: the password itself is never stored.
    verifier: Verifier,
    groups: BTreeSet<String>,
    failed_sign_ins: u32,
    locked_until: i64,
    /// A pending confirmation code (sign-up or password reset) and its expiry.
    code: Option<(String, &'static str, i64)>,
    created: i64,
    modified: i64,
}

/// Per-request context.
#[derive(Debug)]
pub struct Context<'a> {
    /// The mock's clock.
    pub clock: &'a Clock,
    /// The mock's one source of randomness.
    pub rng: &'a crate::ids::Randomness,
    /// Where RSA keys come from.
    pub keys: &'a crate::jwt::KeyFactory,
    /// The region when the request names none (`--region`, the seed's).
    pub default_region: &'a str,
    /// The region of a signed request's credential scope.
    pub request_region: Option<&'a str>,
    /// How `iss` is formed.
    pub issuer_mode: IssuerMode,
    /// The mock's own endpoint, for [`IssuerMode::Local`].
    pub endpoint: &'a str,
    /// What the operation did before taking its locks (signatures checked,
    /// verifiers made), if anything.
    pub ahead: Option<&'a crate::ahead::WorkAhead>,
}

impl Context<'_> {
    /// The region this request is for: new pools are made in it, and
    /// listings show only its pools.
    pub fn region(&self) -> &str {
        self.request_region.unwrap_or(self.default_region)
    }

    /// Whether `key` signed `token`, as found ahead of the lock if it was.
    pub(crate) fn verify_signature(&self, key: &SigningKey, token: &str) -> bool {
        match self.ahead {
            Some(ahead) => ahead.signatures.verify(key, token),
            None => key.verify(token),
        }
    }
}

impl UserPools {
    /// Runs one (already validated) operation other than sign-in, which
    /// runs in phases around the lock (`crate::ops::user_pool`).
    pub fn handle(&mut self, op: &str, input: &Value, ctx: &Context<'_>) -> ApiResult<Value> {
        match op {
            "CreateUserPool" => self.create_user_pool(input, None, ctx),
            "DescribeUserPool" => self.describe_user_pool(input, ctx),
            "ListUserPools" => self.list_user_pools(input, ctx),
            "UpdateUserPool" => self.update_user_pool(input, ctx),
            "DeleteUserPool" => self.delete_user_pool(input),
            "CreateUserPoolClient" => self.create_user_pool_client(input, None, ctx),
            "DescribeUserPoolClient" => self.describe_user_pool_client(input),
            "ListUserPoolClients" => self.list_user_pool_clients(input),
            "UpdateUserPoolClient" => self.update_user_pool_client(input, ctx),
            "DeleteUserPoolClient" => self.delete_user_pool_client(input),
            "CreateUserPoolDomain" => self.create_user_pool_domain(input),
            "DescribeUserPoolDomain" => self.describe_user_pool_domain(input),
            "DeleteUserPoolDomain" => self.delete_user_pool_domain(input),
            "CreateIdentityProvider" => self.create_identity_provider(input, ctx),
            "DescribeIdentityProvider" => self.describe_identity_provider(input),
            "GetIdentityProviderByIdentifier" => self.get_identity_provider_by_identifier(input),
            "ListIdentityProviders" => self.list_identity_providers(input),
            "UpdateIdentityProvider" => self.update_identity_provider(input, ctx),
            "DeleteIdentityProvider" => self.delete_identity_provider(input),
            "CreateResourceServer" => self.create_resource_server(input),
            "DescribeResourceServer" => self.describe_resource_server(input),
            "ListResourceServers" => self.list_resource_servers(input),
            "UpdateResourceServer" => self.update_resource_server(input),
            "DeleteResourceServer" => self.delete_resource_server(input),
            "CreateGroup" => self.create_group(input, ctx),
            "GetGroup" => self.get_group(input),
            "ListGroups" => self.list_groups(input),
            "UpdateGroup" => self.update_group(input, ctx),
            "DeleteGroup" => self.delete_group(input),
            "AdminCreateUser" => self.admin_create_user(input, ctx),
            "AdminSetUserPassword" => self.admin_set_user_password(input, ctx),
            "AdminGetUser" => self.admin_get_user(input),
            "AdminDeleteUser" => self.admin_delete_user(input),
            "AdminDisableUser" => self.admin_set_enabled(input, false, ctx),
            "AdminEnableUser" => self.admin_set_enabled(input, true, ctx),
            "AdminUpdateUserAttributes" => self.admin_update_user_attributes(input, ctx),
            "AdminDeleteUserAttributes" => self.admin_delete_user_attributes(input, ctx),
            "AdminConfirmSignUp" => self.admin_confirm_sign_up(input, ctx),
            "AdminAddUserToGroup" => self.admin_add_user_to_group(input),
            "AdminRemoveUserFromGroup" => self.admin_remove_user_from_group(input),
            "AdminListGroupsForUser" => self.admin_list_groups_for_user(input),
            "ListUsersInGroup" => self.list_users_in_group(input),
            "ListUsers" => self.list_users(input),
            "AdminUserGlobalSignOut" => self.admin_user_global_sign_out(input),
            "SignUp" => self.sign_up(input, ctx),
            "ConfirmSignUp" => self.confirm_sign_up(input, ctx),
            "ResendConfirmationCode" => self.resend_confirmation_code(input, ctx),
            "ForgotPassword" => self.forgot_password(input, ctx),
            "ConfirmForgotPassword" => self.confirm_forgot_password(input, ctx),
            "ChangePassword" => self.change_password(input, ctx),
            "GetUser" => self.get_user(input, ctx),
            "UpdateUserAttributes" => self.update_user_attributes(input, ctx),
            "DeleteUser" => self.delete_user(input, ctx),
            "GlobalSignOut" => self.global_sign_out(input, ctx),
            "RevokeToken" => self.revoke_token(input, ctx),
            other => Err(ApiError::new(
                "UnsupportedOperationException",
                format!(
                    "{other} is a valid Cognito operation that this mock does not implement yet"
                ),
            )),
        }
    }

    /// The region of the pool an app client belongs to.
    pub(crate) fn region_of_client(&self, client_id: &str) -> Option<String> {
        let pool_id = self.client_index.get(client_id)?;
        self.pools.get(pool_id).map(|p| p.region.clone())
    }

    /// Every pool's signing keys (to make ahead of time).
    pub(crate) fn signing_keys(&self) -> Vec<std::sync::Arc<SigningKey>> {
        self.pools
            .values()
            .flat_map(|p| [p.id_key.clone(), p.access_key.clone()])
            .collect()
    }

    /// The keys of a pool's JWKS (`/<poolId>/.well-known/jwks.json`), to
    /// render with no lock held (a key pair is made on first use).
    pub fn jwks_keys(&self, pool_id: &str) -> Option<[std::sync::Arc<SigningKey>; 2]> {
        let pool = self.pools.get(pool_id)?;
        Some([pool.id_key.clone(), pool.access_key.clone()])
    }

    /// The pool's OpenID discovery document.
    pub fn openid_configuration(&self, pool_id: &str, ctx: &Context<'_>) -> Option<Value> {
        let pool = self.pools.get(pool_id)?;
        let issuer = tokens::issuer(pool, ctx);
        let jwks_uri = format!("{}/{}/.well-known/jwks.json", ctx.endpoint, pool.id);
        let mut doc = json!({
            "issuer": issuer,
            "jwks_uri": jwks_uri,
            "response_types_supported": ["code", "token"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        });
        if let Some(domain) = &pool.domain {
            let base = format!("{}/{domain}", ctx.endpoint);
            doc["authorization_endpoint"] = json!(format!("{base}/oauth2/authorize"));
            doc["token_endpoint"] = json!(format!("{base}/oauth2/token"));
            doc["userinfo_endpoint"] = json!(format!("{base}/oauth2/userInfo"));
            doc["revocation_endpoint"] = json!(format!("{base}/oauth2/revoke"));
        }
        Some(doc)
    }

    /// Verification codes issued so far, optionally for one pool and user.
    /// Only codes still valid at `now` are kept.
    pub fn codes(
        &self,
        pool_id: Option<&str>,
        username: Option<&str>,
        now: i64,
    ) -> Vec<CodeRecord> {
        let mut codes: Vec<(&u64, &CodeRecord)> = self
            .codes
            .iter(now)
            .filter(|(_, c)| pool_id.is_none_or(|p| p == c.user_pool_id))
            .filter(|(_, c)| username.is_none_or(|u| u == c.username))
            .collect();
        codes.sort_by_key(|(n, _)| **n);
        codes.into_iter().map(|(_, c)| c.clone()).collect()
    }

    /// Every pool with its app clients.
    pub fn summary(&self) -> Vec<PoolSummary> {
        let name = |config: &Map<String, Value>, key: &str| {
            config
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        self.pools
            .values()
            .map(|p| PoolSummary {
                id: p.id.clone(),
                name: name(&p.config, "PoolName"),
                domain: p.domain.clone(),
                clients: p
                    .clients
                    .values()
                    .map(|c| ClientSummary {
                        id: c.id.clone(),
                        name: name(&c.config, "ClientName"),
                        has_secret: c.secret.is_some(),
                    })
                    .collect(),
            })
            .collect()
    }

    fn pool(&self, id: &str) -> ApiResult<&Pool> {
        self.pools.get(id).ok_or_else(|| pool_not_found(id))
    }

    /// A user by internal username, for changing it.
    fn user_entry_mut(&mut self, pool_id: &str, username: &str) -> ApiResult<&mut User> {
        self.pool_mut(pool_id)?
            .users
            .get_mut(username)
            .ok_or_else(user_not_found)
    }

    fn pool_mut(&mut self, id: &str) -> ApiResult<&mut Pool> {
        self.pools.get_mut(id).ok_or_else(|| pool_not_found(id))
    }

    /// The pool and app client of a client id.
    fn client(&self, client_id: &str) -> ApiResult<(&Pool, &AppClient)> {
        let pool_id = self
            .client_index
            .get(client_id)
            .ok_or_else(|| client_not_found(client_id))?;
        let pool = self.pool(pool_id)?;
        let client = pool
            .clients
            .get(client_id)
            .ok_or_else(|| client_not_found(client_id))?;
        Ok((pool, client))
    }

    /// Keeps a code for the inspection route and prints it, as the only
    /// "delivery" this offline mock makes. The code is a one-time test value.
    fn deliver_code(&mut self, record: CodeRecord, expires: i64, now: i64) {
        eprintln!(
            "mock-cognito: {} code for {} in {}: {}",
            record.purpose, record.username, record.user_pool_id, record.code
        );
        self.record_secret(record, expires, now);
    }

    /// Keeps a one-time value for the loopback-only `/_mock/codes` route,
    /// for as long as it can be used.
    fn record_secret(&mut self, record: CodeRecord, expires: i64, now: i64) {
        self.codes_delivered += 1;
        self.codes
            .insert(self.codes_delivered, record, expires, now);
    }
}

impl User {
    /// A user as Cognito creates one: a fresh `sub`, no groups, no failed
    /// sign-ins, enabled.
    fn new(
        username: String,
        verifier: Verifier,
        attributes: BTreeMap<String, String>,
        status: &'static str,
        now: i64,
        rng: &crate::ids::Randomness,
    ) -> User {
        User {
            username,
            sub: rng.uuid(),
            attributes,
            status,
            enabled: true,
            verifier,
            groups: BTreeSet::new(),
            failed_sign_ins: 0,
            locked_until: 0,
            code: None,
            created: now,
            modified: now,
        }
    }
}

impl Pool {
    fn pool_name(&self) -> PoolName {
        PoolName::from_user_pool_id(&self.id).expect("pool ids are <region>_<name>")
    }

    fn list(&self, member: &str) -> Vec<&str> {
        string_list(&self.config, member)
    }

    /// `UsernameAttributes`: email and/or phone_number sign-in, with a UUID
    /// as the internal username.
    fn username_attributes(&self) -> Vec<&str> {
        self.list("UsernameAttributes")
    }

    fn case_sensitive(&self) -> bool {
        self.config
            .get("UsernameConfiguration")
            .and_then(|c| c["CaseSensitive"].as_bool())
            .unwrap_or(true)
    }

    fn auto_verified(&self) -> Vec<&str> {
        self.list("AutoVerifiedAttributes")
    }

    /// Resolves what a user typed (username, or an email / phone number the
    /// pool accepts as username or verified alias) to the internal username.
    fn resolve(&self, name: &str) -> Option<&str> {
        let same = |a: &str, b: &str| {
            if self.case_sensitive() {
                a == b
            } else {
                a.eq_ignore_ascii_case(b)
            }
        };
        // The common case in O(log n), so sign-in stays flat as pools grow.
        if let Some((username, _)) = self.users.get_key_value(name) {
            return Some(username);
        }
        if !self.case_sensitive()
            && let Some(u) = self.users.values().find(|u| same(&u.username, name))
        {
            return Some(&u.username);
        }
        let by_username_attr = self.username_attributes();
        let aliases = self.list("AliasAttributes");
        if by_username_attr.is_empty() && aliases.is_empty() {
            return None;
        }
        self.users
            .values()
            .find(|u| {
                by_username_attr
                    .iter()
                    .any(|a| u.attributes.get(*a).is_some_and(|v| same(v, name)))
                    || aliases.iter().any(|a| {
                        let attr = if *a == "preferred_username" {
                            "preferred_username"
                        } else {
                            a
                        };
                        let verified = attr == "preferred_username"
                            || u.attributes
                                .get(&format!("{attr}_verified"))
                                .map(String::as_str)
                                == Some("true");
                        verified && u.attributes.get(attr).is_some_and(|v| same(v, name))
                    })
            })
            .map(|u| u.username.as_str())
    }

    fn user(&self, name: &str) -> ApiResult<&User> {
        let username = self.resolve(name).ok_or_else(user_not_found)?;
        Ok(&self.users[username])
    }

    fn user_mut(&mut self, name: &str) -> ApiResult<&mut User> {
        let username = self.resolve(name).ok_or_else(user_not_found)?.to_owned();
        Ok(self.users.get_mut(&username).expect("resolved"))
    }

    /// The verifier of a new password (after the policy check): the one
    /// made ahead of the lock if there is one, else made now.
    fn make_verifier(
        &self,
        ctx: &Context<'_>,
        username: &str,
        password: &str,
    ) -> ApiResult<Verifier> {
        self.policy.check(password)?;
        let pool_name = self.pool_name();
        if let Some(made) = ctx
            .ahead
            .and_then(|a| a.verifiers.take(&pool_name, username, password))
        {
            return Ok(made);
        }
        crate::work::expensive(|| {
            Verifier::generate(
                &mut ctx.rng.crypto_rng(),
                &pool_name,
                username,
                &Password::new(password),
            )
        })
        .map_err(|e| ApiError::invalid_parameter(e.to_string()))
    }

    /// Whether `password` is `user`'s: as checked ahead of the lock if it
    /// was, else checked now.
    fn password_matches(&self, user: &User, password: &str, ctx: &Context<'_>) -> bool {
        let pool_name = self.pool_name();
        if let Some(checked) = ctx.ahead.and_then(|a| {
            a.verifiers
                .checked(&pool_name, &user.username, &user.verifier, password)
        }) {
            return checked;
        }
        crate::work::expensive(|| {
            user.verifier.matches_password(
                &self.pool_name(),
                &user.username,
                &Password::new(password),
            )
        })
    }
}

impl AppClient {
    fn list(&self, member: &str) -> Vec<&str> {
        string_list(&self.config, member)
    }

    /// Whether `ALLOW_<flow>` (or the legacy bare name) is enabled.
    fn allows(&self, flow: &str) -> bool {
        let allow = format!("ALLOW_{flow}");
        let configured = self.list("ExplicitAuthFlows");
        let flows = if configured.is_empty() {
            pools::DEFAULT_AUTH_FLOWS.to_vec()
        } else {
            configured
        };
        flows.iter().any(|f| *f == allow || *f == flow)
    }

    fn prevents_user_existence_errors(&self) -> bool {
        self.config
            .get("PreventUserExistenceErrors")
            .and_then(Value::as_str)
            == Some("ENABLED")
    }

    fn token_revocation_enabled(&self) -> bool {
        self.config
            .get("EnableTokenRevocation")
            .and_then(Value::as_bool)
            .unwrap_or(true)
    }

    /// Whether RefreshTokenRotation is ENABLED.
    fn rotates_refresh_tokens(&self) -> bool {
        self.config
            .get("RefreshTokenRotation")
            .and_then(|r| r["Feature"].as_str())
            == Some("ENABLED")
    }

    /// RefreshTokenRotation's RetryGracePeriodSeconds (0 to 60; default 0).
    fn rotation_grace_secs(&self) -> i64 {
        self.config
            .get("RefreshTokenRotation")
            .and_then(|r| r["RetryGracePeriodSeconds"].as_i64())
            .unwrap_or(0)
    }

    /// RefreshTokenValidity in seconds (default 30 days).
    fn refresh_token_validity_secs(&self) -> i64 {
        self.validity_secs("RefreshTokenValidity", "RefreshToken", 30 * 86_400, "days")
    }

    /// IdTokenValidity in seconds (default an hour).
    fn id_token_validity_secs(&self) -> i64 {
        self.validity_secs("IdTokenValidity", "IdToken", 3600, "hours")
    }

    /// AccessTokenValidity in seconds (default an hour).
    fn access_token_validity_secs(&self) -> i64 {
        self.validity_secs("AccessTokenValidity", "AccessToken", 3600, "hours")
    }

    /// A token lifetime in seconds from the client's validity and units.
    fn validity_secs(
        &self,
        member: &str,
        unit_key: &str,
        default_secs: i64,
        default_unit: &str,
    ) -> i64 {
        let Some(amount) = self.config.get(member).and_then(Value::as_i64) else {
            return default_secs;
        };
        let unit = self
            .config
            .get("TokenValidityUnits")
            .and_then(|u| u[unit_key].as_str())
            .unwrap_or(default_unit);
        amount
            * match unit {
                "seconds" => 1,
                "minutes" => 60,
                "hours" => 3600,
                _ => 86_400,
            }
    }
}

/// A list-of-strings member of a stored configuration.
fn string_list<'a>(config: &'a Map<String, Value>, member: &str) -> Vec<&'a str> {
    config
        .get(member)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

fn pool_not_found(id: &str) -> ApiError {
    ApiError::resource_not_found(format!("User pool {id} does not exist."))
}

fn client_not_found(id: &str) -> ApiError {
    ApiError::resource_not_found(format!("User pool client {id} does not exist."))
}

fn user_not_found() -> ApiError {
    ApiError::new("UserNotFoundException", "User does not exist.")
}

/// A string member (presence of required ones is checked by the model).
fn str_member<'a>(input: &'a Value, name: &str) -> &'a str {
    input[name].as_str().unwrap_or_default()
}

/// `[{Name, Value}]` → pairs, refusing attempts to set `sub`.
fn attribute_list(v: &Value) -> ApiResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for a in v.as_array().into_iter().flatten() {
        let name = a["Name"].as_str().unwrap_or_default();
        if name == "sub" {
            return Err(ApiError::invalid_parameter(
                "Cannot modify the non-mutable attribute sub",
            ));
        }
        out.push((
            name.to_owned(),
            a["Value"].as_str().unwrap_or_default().to_owned(),
        ));
    }
    Ok(out)
}

/// Cognito masks delivery destinations: `a***@e***`.
fn mask(destination: &str) -> String {
    match destination.split_once('@') {
        Some((local, domain)) => format!(
            "{}***@{}***",
            local.chars().next().unwrap_or('*'),
            domain.chars().next().unwrap_or('*')
        ),
        None => {
            let tail: String = destination
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("+*******{tail}")
        }
    }
}
