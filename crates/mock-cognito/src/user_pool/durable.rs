//! User pools in the data dir ([`crate::store`]): what a request changed,
//! as rows, and the state read back from them at start.
//!
//! Durable: pools (settings, domain, the `kid`s of their keys), app
//! clients, users (with their SRP verifier, never a password), groups,
//! identity providers, resource servers, sign-in sessions (so a global
//! sign-out or a revocation holds) and refresh tokens. Not durable, by
//! design: pending SRP and NEW_PASSWORD_REQUIRED challenges, unused
//! authorization codes, hosted-UI browser sessions and the codes shown at
//! `/_mock/codes`; a restart ends them as a timeout would.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use cognito_srp::Verifier;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::client_secrets::ClientSecret;
use super::providers::{IdentityProvider, ResourceServer};
use super::sign_in_names::SignInNames;
use super::tokens::{RefreshGrant, SignInSession};
use super::{AppClient, CodePurpose, Group, Pool, User, UserPools};
use crate::expiring::ExpiringMap;
use crate::jwt::{Alg, KeyFactory, SigningKey};
use crate::shapes::Operation;
use crate::shapes::cognito_idp::ops::{CreateUserPool, UpdateUserPoolClient};
use crate::shapes::cognito_idp::{
    IdentityProviderTypeType, ResourceServerScopeType, UserPoolClientType, UserPoolType,
    UserStatusType,
};
use crate::store::{Change, DataDir, StoreError, Tracked, changes, child_key, children_of};

const POOL: &str = "user_pool";
const CLIENT: &str = "app_client";
const USER: &str = "user";
const GROUP: &str = "group";
const PROVIDER: &str = "identity_provider";
const RESOURCE_SERVER: &str = "resource_server";
const SESSION: &str = "sign_in_session";
const REFRESH_TOKEN: &str = "refresh_token";

/// The kinds of a pool's children, deleted with it.
const CHILD_KINDS: [&str; 6] = [CLIENT, USER, GROUP, PROVIDER, RESOURCE_SERVER, SESSION];

#[derive(Serialize, Deserialize)]
struct PoolRow {
    id: String,
    region: String,
    created: i64,
    modified: i64,
    settings: Value,
    domain: Option<String>,
    id_kid: String,
    access_kid: String,
    /// SetUserPoolMfaConfig's request, if it was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mfa: Option<Value>,
    #[serde(default, skip_serializing_if = "is_default")]
    customizations: super::customization::Customizations,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    managed_login_version: Option<i32>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    import_jobs: BTreeMap<String, super::import::ImportJob>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    terms: BTreeMap<String, super::terms::Terms>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    branding: BTreeMap<String, super::branding::Branding>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    replicas: BTreeMap<String, super::replicas::Replica>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    cimd: BTreeMap<String, super::cimd::CimdPolicy>,
    #[serde(
        default,
        skip_serializing_if = "super::sessions::SessionSettings::is_default"
    )]
    session_settings: super::sessions::SessionSettings,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    sso_minutes: BTreeMap<String, i32>,
}

#[derive(Serialize, Deserialize)]
struct ClientRow {
    id: String,
    secret: Option<String>,
    /// Every secret, with its id and date (rotation); empty in older rows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    secrets: Vec<ClientSecret>,
    created: i64,
    modified: i64,
    settings: Value,
}

#[derive(Serialize, Deserialize)]
struct UserRow {
    username: String,
    sub: String,
    attributes: BTreeMap<String, String>,
    status: String,
    enabled: bool,
    salt: String,
    verifier: String,
    groups: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    mfa: super::mfa::UserMfa,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pending_attributes: BTreeMap<String, String>,
    /// 0 in rows written before it was kept: the creation time then.
    #[serde(default)]
    password_set_at: i64,
    /// Earlier passwords' (salt, verifier), newest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    password_history: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    auth_events: Vec<super::auth_events::AuthEvent>,
    #[serde(
        default,
        skip_serializing_if = "super::devices::UserDevices::is_default"
    )]
    devices: super::devices::UserDevices,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    passkeys: Vec<super::passkeys::Passkey>,
    #[serde(default, skip_serializing_if = "is_default")]
    passwordless: bool,
    failed_sign_ins: u32,
    locked_until: i64,
    /// (code, purpose, expiry).
    code: Option<(String, CodePurpose, i64)>,
    created: i64,
    modified: i64,
}

#[derive(Serialize, Deserialize)]
struct GroupRow {
    name: String,
    description: Option<String>,
    role_arn: Option<String>,
    precedence: Option<i32>,
    created: i64,
    modified: i64,
}

#[derive(Serialize, Deserialize)]
struct ProviderRow {
    name: String,
    provider_type: String,
    details: BTreeMap<String, String>,
    attribute_mapping: BTreeMap<String, String>,
    idp_identifiers: Vec<String>,
    created: i64,
    modified: i64,
}

#[derive(Serialize, Deserialize)]
struct ResourceServerRow {
    identifier: String,
    name: String,
    /// (name, description).
    scopes: Vec<(String, String)>,
}

#[derive(Serialize, Deserialize)]
struct SessionRow {
    username: String,
    client_id: String,
    auth_time: i64,
    revoked: bool,
    scopes: Option<Vec<String>>,
    nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    device_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sso: Option<String>,
    /// 0 in rows written before it was kept: the sign-in time then.
    #[serde(default)]
    last_active: i64,
    expires: i64,
}

#[derive(Serialize, Deserialize)]
struct RefreshRow {
    pool_id: String,
    client_id: String,
    origin_jti: String,
    rotated_out_at: Option<i64>,
    expires: i64,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

fn to_json(row: &impl Serialize) -> String {
    // Rows are plain data: serialising them cannot fail.
    serde_json::to_string(row).unwrap_or_default()
}

fn bad_row(kind: &str, key: &str, why: impl std::fmt::Display) -> StoreError {
    StoreError::damaged(format!(
        "{kind} {key:?} in the data dir cannot be read: {why}"
    ))
}

fn from_json<T: for<'de> Deserialize<'de>>(
    kind: &str,
    key: &str,
    json: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|e| bad_row(kind, key, e))
}

impl UserPools {
    /// Empty user pools whose changes are tracked for a data dir.
    pub(crate) fn durable() -> Self {
        UserPools {
            pools: Tracked::new(true),
            refresh_tokens: ExpiringMap::new_tracking(true),
            ..UserPools::default()
        }
    }

    /// Whether anything changed since the last [`UserPools::take_changes`].
    pub(crate) fn has_changes(&self) -> bool {
        self.pools.has_changes() || self.refresh_tokens.has_changes()
    }

    /// What changed since the last call, as rows.
    pub(crate) fn take_changes(&mut self) -> Vec<Change> {
        let mut out = Vec::new();
        for pool_id in self.pools.take_changed() {
            // Only this module reads the pool here; taking it mutably
            // through the map would mark it changed again.
            let Some(pool) = self.pools.get(&pool_id) else {
                out.push(Change::Delete {
                    kind: POOL,
                    key: pool_id.clone(),
                });
                for kind in CHILD_KINDS {
                    out.push(Change::DeletePrefix {
                        kind,
                        prefix: children_of(&pool_id),
                    });
                }
                continue;
            };
            out.push(Change::Put {
                kind: POOL,
                key: pool_id.clone(),
                value: to_json(&pool_row(pool)),
            });
            let pool = self.pools.get_unmarked(&pool_id).expect("present");
            let child = |key: &str| child_key(&pool_id, key);
            let changed = pool.clients.take_changed();
            out.extend(changes(CLIENT, changed, child, |k| {
                pool.clients.get(k).map(client_row)
            }));
            let changed = pool.users.take_changed();
            out.extend(changes(USER, changed, child, |k| {
                pool.users.get(k).map(user_row)
            }));
            let changed = pool.groups.take_changed();
            out.extend(changes(GROUP, changed, child, |k| {
                pool.groups.get(k).map(group_row)
            }));
            let changed = pool.identity_providers.take_changed();
            let providers = &pool.identity_providers;
            out.extend(changes(PROVIDER, changed, child, |k| {
                providers.get(k).map(provider_row)
            }));
            let changed = pool.resource_servers.take_changed();
            let servers = &pool.resource_servers;
            out.extend(changes(RESOURCE_SERVER, changed, child, |k| {
                servers.get(k).map(resource_server_row)
            }));
            let changed = pool.sessions.take_changed();
            let sessions = &pool.sessions;
            out.extend(changes(SESSION, changed, child, |k| {
                let (s, expires) = sessions.entry_of(k)?;
                Some(to_json(&SessionRow {
                    username: s.username.clone(),
                    client_id: s.client_id.clone(),
                    auth_time: s.auth_time,
                    revoked: s.revoked,
                    scopes: s.scopes.clone(),
                    nonce: s.nonce.clone(),
                    device_key: s.device_key.clone(),
                    sso: s.sso.clone(),
                    last_active: s.last_active,
                    expires,
                }))
            }));
        }
        let changed = self.refresh_tokens.take_changed();
        let tokens = &self.refresh_tokens;
        out.extend(changes(REFRESH_TOKEN, changed, str::to_owned, |k| {
            let (g, expires) = tokens.entry_of(k)?;
            Some(to_json(&RefreshRow {
                pool_id: g.pool_id.clone(),
                client_id: g.client_id.clone(),
                origin_jti: g.origin_jti.clone(),
                rotated_out_at: g.rotated_out_at,
                expires,
            }))
        }));
        out
    }

    /// The user pools stored in `store` (tracked from here on), with their
    /// keys from `keys`. Entries that expired while the server was down
    /// are left out.
    pub(crate) fn load(store: &DataDir, keys: &KeyFactory, now: i64) -> Result<Self, StoreError> {
        let mut pools = UserPools::durable();
        for (key, json) in store.load(POOL)? {
            let row: PoolRow = from_json(POOL, &key, &json)?;
            let settings = pool_settings(row.settings).map_err(|e| bad_row(POOL, &key, e))?;
            let case_sensitive = settings
                .username_configuration
                .as_ref()
                .is_none_or(|c| c.case_sensitive);
            let pool = Pool {
                id: row.id.clone(),
                region: row.region,
                created: row.created,
                modified: row.modified,
                settings,
                domain: row.domain.clone(),
                clients: Tracked::new(true),
                users: Tracked::new(true),
                sign_in_names: SignInNames::new(case_sensitive),
                groups: Tracked::new(true),
                sessions: ExpiringMap::new_tracking(true),
                identity_providers: Tracked::new(true),
                resource_servers: Tracked::new(true),
                mfa: super::mfa::PoolMfa::from_stored(row.mfa, &row.id)
                    .map_err(|e| bad_row(POOL, &key, e))?,
                customizations: row.customizations,
                managed_login_version: row.managed_login_version,
                import_jobs: row.import_jobs,
                terms: row.terms,
                branding: row.branding,
                replicas: row.replicas,
                cimd: row.cimd,
                cimd_clients: Default::default(),
                session_settings: row.session_settings,
                sso_minutes: row.sso_minutes,
                sessions_started: 0,
                id_key: Arc::new(SigningKey::generate_with(row.id_kid, Alg::Rs256, keys)),
                access_key: Arc::new(SigningKey::generate_with(row.access_kid, Alg::Rs256, keys)),
            };
            if let Some(domain) = row.domain {
                pools.domains.insert(domain, row.id.clone());
            }
            pools.pools.load(row.id, pool);
        }
        let children = |kind: &'static str| -> Result<Vec<(String, String, String)>, StoreError> {
            store
                .load(kind)?
                .into_iter()
                .map(|(key, json)| {
                    let (pool, child) = key
                        .split_once('\u{1f}')
                        .ok_or_else(|| bad_row(kind, &key, "no pool in its key"))?;
                    Ok((pool.to_owned(), child.to_owned(), json))
                })
                .collect()
        };
        for (pool_id, id, json) in children(CLIENT)? {
            let row: ClientRow = from_json(CLIENT, &id, &json)?;
            let settings = client_settings(row.settings, &pool_id, &id)
                .map_err(|e| bad_row(CLIENT, &id, e))?;
            // Rows written before rotation hold the one secret alone.
            let secrets = if row.secrets.is_empty() {
                row.secret
                    .map(|value| ClientSecret {
                        id: format!("{}-secret-1", row.id),
                        value,
                        created: row.created,
                    })
                    .into_iter()
                    .collect()
            } else {
                row.secrets
            };
            let client = AppClient {
                id: row.id,
                secrets,
                created: row.created,
                modified: row.modified,
                settings,
            };
            pools.client_index.insert(id.clone(), pool_id.clone());
            pools.pool_for_load(&pool_id)?.clients.load(id, client);
        }
        for pool in pools.pools.values_mut() {
            pool.rebuild_cimd_clients();
        }
        for (pool_id, name, json) in children(USER)? {
            let row: UserRow = from_json(USER, &name, &json)?;
            let user = User {
                status: UserStatusType::parse(&row.status)
                    .ok_or_else(|| bad_row(USER, &name, "unknown status"))?,
                verifier: Verifier::from_hex(&row.salt, &row.verifier)
                    .map_err(|e| bad_row(USER, &name, e))?,
                username: row.username,
                sub: row.sub,
                attributes: row.attributes,
                enabled: row.enabled,
                groups: row.groups,
                mfa: row.mfa,
                pending_attributes: row.pending_attributes,
                password_set_at: if row.password_set_at == 0 {
                    row.created
                } else {
                    row.password_set_at
                },
                password_history: row
                    .password_history
                    .iter()
                    .map(|(salt, verifier)| Verifier::from_hex(salt, verifier))
                    .collect::<Result<_, _>>()
                    .map_err(|e| bad_row(USER, &name, e))?,
                auth_events: row.auth_events,
                devices: row.devices,
                passkeys: row.passkeys,
                passwordless: row.passwordless,
                failed_sign_ins: row.failed_sign_ins,
                locked_until: row.locked_until,
                code: row.code,
                created: row.created,
                modified: row.modified,
            };
            let pool = pools.pool_for_load(&pool_id)?;
            pool.sign_in_names.add(&user.username, &user.attributes);
            pool.users.load(name, user);
        }
        for (pool_id, name, json) in children(GROUP)? {
            let row: GroupRow = from_json(GROUP, &name, &json)?;
            let group = Group {
                name: row.name,
                description: row.description,
                role_arn: row.role_arn,
                precedence: row.precedence,
                created: row.created,
                modified: row.modified,
            };
            pools.pool_for_load(&pool_id)?.groups.load(name, group);
        }
        for (pool_id, name, json) in children(PROVIDER)? {
            let row: ProviderRow = from_json(PROVIDER, &name, &json)?;
            let provider = IdentityProvider {
                provider_type: IdentityProviderTypeType::parse(&row.provider_type)
                    .ok_or_else(|| bad_row(PROVIDER, &name, "unknown provider type"))?,
                name: row.name,
                details: row.details,
                attribute_mapping: row.attribute_mapping,
                idp_identifiers: row.idp_identifiers,
                created: row.created,
                modified: row.modified,
            };
            pools
                .pool_for_load(&pool_id)?
                .identity_providers
                .load(name, provider);
        }
        for (pool_id, identifier, json) in children(RESOURCE_SERVER)? {
            let row: ResourceServerRow = from_json(RESOURCE_SERVER, &identifier, &json)?;
            let server = ResourceServer {
                identifier: row.identifier,
                name: row.name,
                scopes: row
                    .scopes
                    .into_iter()
                    .map(|(scope_name, scope_description)| ResourceServerScopeType {
                        scope_name,
                        scope_description,
                    })
                    .collect(),
            };
            pools
                .pool_for_load(&pool_id)?
                .resource_servers
                .load(identifier, server);
        }
        for (pool_id, jti, json) in children(SESSION)? {
            let row: SessionRow = from_json(SESSION, &jti, &json)?;
            if row.expires <= now {
                continue;
            }
            let session = SignInSession {
                username: row.username,
                client_id: row.client_id,
                auth_time: row.auth_time,
                revoked: row.revoked,
                scopes: row.scopes,
                nonce: row.nonce,
                device_key: row.device_key,
                sso: row.sso,
                last_active: row.last_active.max(row.auth_time),
                seq: 0,
            };
            pools
                .pool_for_load(&pool_id)?
                .sessions
                .load(jti, session, row.expires);
        }
        for (token, json) in store.load(REFRESH_TOKEN)? {
            let row: RefreshRow = from_json(REFRESH_TOKEN, "(a refresh token)", &json)?;
            if row.expires <= now {
                continue;
            }
            let grant = RefreshGrant {
                pool_id: row.pool_id,
                client_id: row.client_id,
                origin_jti: row.origin_jti,
                rotated_out_at: row.rotated_out_at,
            };
            pools.refresh_tokens.load(token, grant, row.expires);
        }
        Ok(pools)
    }

    /// Takes `loaded`'s durable state, keeping this one's pending, short-lived
    /// state (challenges, codes, browser sessions).
    pub(crate) fn replace_durable(&mut self, loaded: UserPools) {
        self.pools = loaded.pools;
        self.client_index = loaded.client_index;
        self.domains = loaded.domains;
        self.refresh_tokens = loaded.refresh_tokens;
    }

    /// The apps every pool's identity providers name, to register with the
    /// fake providers after a load.
    pub(crate) fn provider_apps(&self) -> Vec<super::ProviderApp> {
        self.pools
            .values()
            .flat_map(|pool| {
                pool.identity_providers
                    .keys()
                    .filter_map(|name| self.provider_app(&pool.id, name))
            })
            .collect()
    }

    /// A loaded pool, to add its children to (unmarked).
    fn pool_for_load(&mut self, pool_id: &str) -> Result<&mut Pool, StoreError> {
        self.pools
            .get_unmarked(pool_id)
            .ok_or_else(|| bad_row(POOL, pool_id, "a child names a pool that is not stored"))
    }
}

/// A pool's settings read back as CreateUserPool would read them (the
/// output shapes have no reader of their own): the model checks them again.
fn pool_settings(mut stored: Value) -> Result<UserPoolType, crate::ApiError> {
    if let Some(object) = stored.as_object_mut() {
        for (as_described, as_created) in [("Name", "PoolName"), ("SchemaAttributes", "Schema")] {
            if let Some(v) = object.remove(as_described) {
                object.insert(as_created.to_owned(), v);
            }
        }
        if let Some(Value::Array(schema)) = object.get_mut("Schema") {
            schema_as_created(schema);
        }
    }
    let request = <CreateUserPool as Operation>::parse_input(&stored)?;
    Ok(super::pools::settings_of_create(request))
}

/// The whole schema as stored, in the form CreateUserPool takes (which
/// `whole_schema` turns back into the same): custom attributes by their
/// bare names, and no `phone_number_verified`, a name longer than a
/// request may give (its settings cannot be changed anyway).
fn schema_as_created(schema: &mut Vec<Value>) {
    schema.retain(|a| a["Name"] != "phone_number_verified");
    for attribute in schema {
        let Some(name) = attribute["Name"].as_str() else {
            continue;
        };
        if let Some((_, bare)) = name.split_once("custom:") {
            attribute["Name"] = Value::from(bare.to_owned());
        }
    }
}

/// An app client's settings read back as UpdateUserPoolClient would read them.
fn client_settings(
    mut stored: Value,
    pool_id: &str,
    client_id: &str,
) -> Result<UserPoolClientType, crate::ApiError> {
    if let Some(object) = stored.as_object_mut() {
        object.insert("UserPoolId".to_owned(), Value::from(pool_id));
        object.insert("ClientId".to_owned(), Value::from(client_id));
    }
    let request = <UpdateUserPoolClient as Operation>::parse_input(&stored)?;
    Ok(super::pools::client_settings_of_update(request))
}

fn pool_row(pool: &Pool) -> PoolRow {
    PoolRow {
        id: pool.id.clone(),
        region: pool.region.clone(),
        created: pool.created,
        modified: pool.modified,
        settings: serde_json::to_value(&pool.settings).unwrap_or(Value::Null),
        domain: pool.domain.clone(),
        id_kid: pool.id_key.kid().to_owned(),
        access_kid: pool.access_key.kid().to_owned(),
        mfa: pool.mfa.to_stored(),
        customizations: pool.customizations.clone(),
        managed_login_version: pool.managed_login_version,
        import_jobs: pool.import_jobs.clone(),
        terms: pool.terms.clone(),
        branding: pool.branding.clone(),
        replicas: pool.replicas.clone(),
        cimd: pool.cimd.clone(),
        session_settings: pool.session_settings.clone(),
        sso_minutes: pool.sso_minutes.clone(),
    }
}

fn client_row(c: &AppClient) -> String {
    to_json(&ClientRow {
        id: c.id.clone(),
        secret: c.first_secret().map(str::to_owned),
        secrets: c.secrets.clone(),
        created: c.created,
        modified: c.modified,
        settings: serde_json::to_value(&c.settings).unwrap_or(Value::Null),
    })
}

fn user_row(u: &User) -> String {
    to_json(&UserRow {
        username: u.username.clone(),
        sub: u.sub.clone(),
        attributes: u.attributes.clone(),
        status: u.status.as_str().to_owned(),
        enabled: u.enabled,
        salt: u.verifier.salt_hex(),
        verifier: u.verifier.verifier_hex(),
        groups: u.groups.clone(),
        mfa: u.mfa.clone(),
        pending_attributes: u.pending_attributes.clone(),
        password_set_at: u.password_set_at,
        password_history: u
            .password_history
            .iter()
            .map(|v| (v.salt_hex(), v.verifier_hex()))
            .collect(),
        auth_events: u.auth_events.clone(),
        devices: u.devices.clone(),
        passkeys: u.passkeys.clone(),
        passwordless: u.passwordless,
        failed_sign_ins: u.failed_sign_ins,
        locked_until: u.locked_until,
        code: u.code.clone(),
        created: u.created,
        modified: u.modified,
    })
}

fn group_row(g: &Group) -> String {
    to_json(&GroupRow {
        name: g.name.clone(),
        description: g.description.clone(),
        role_arn: g.role_arn.clone(),
        precedence: g.precedence,
        created: g.created,
        modified: g.modified,
    })
}

fn provider_row(p: &IdentityProvider) -> String {
    to_json(&ProviderRow {
        name: p.name.clone(),
        provider_type: p.provider_type.as_str().to_owned(),
        details: p.details.clone(),
        attribute_mapping: p.attribute_mapping.clone(),
        idp_identifiers: p.idp_identifiers.clone(),
        created: p.created,
        modified: p.modified,
    })
}

fn resource_server_row(s: &ResourceServer) -> String {
    to_json(&ResourceServerRow {
        identifier: s.identifier.clone(),
        name: s.name.clone(),
        scopes: s
            .scopes
            .iter()
            .map(|s| (s.scope_name.clone(), s.scope_description.clone()))
            .collect(),
    })
}
