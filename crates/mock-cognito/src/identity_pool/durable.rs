//! Identity pools in the data dir ([`crate::store`]): pools (settings,
//! roles, role mappings, principal tags) and identities (logins and
//! developer user identifiers). The login index is rebuilt from the
//! identities at start, so it cannot disagree with them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Identity, IdentityPool, IdentityPools, PrincipalTags};
use crate::shapes::Operation;
use crate::shapes::cognito_identity::ops::{SetIdentityPoolRoles, UpdateIdentityPool};
use crate::store::{Change, DataDir, StoreError, Tracked, changes};

const POOL: &str = "identity_pool";
const IDENTITY: &str = "identity";

#[derive(Serialize, Deserialize)]
struct PoolRow {
    id: String,
    region: String,
    /// As DescribeIdentityPool answers it (read back as UpdateIdentityPool
    /// reads its input, so the model checks it again).
    settings: Value,
    roles: BTreeMap<String, String>,
    /// As SetIdentityPoolRoles takes them.
    role_mappings: Value,
    /// Provider → (UseDefaults, tags).
    principal_tags: BTreeMap<String, (bool, BTreeMap<String, String>)>,
}

#[derive(Serialize, Deserialize)]
struct IdentityRow {
    id: String,
    pool_id: String,
    logins: BTreeMap<String, String>,
    developer_ids: BTreeSet<String>,
    created: i64,
    modified: i64,
    disabled: bool,
}

fn bad_row(kind: &str, key: &str, why: impl std::fmt::Display) -> StoreError {
    StoreError::damaged(format!(
        "{kind} {key:?} in the data dir cannot be read: {why}"
    ))
}

impl IdentityPools {
    /// Whether anything changed since the last [`IdentityPools::take_changes`].
    pub(crate) fn has_changes(&self) -> bool {
        self.pools.has_changes() || self.identities.has_changes()
    }

    /// What changed since the last call, as rows.
    pub(crate) fn take_changes(&mut self) -> Vec<Change> {
        let changed = self.pools.take_changed();
        let pools = &self.pools;
        let mut out: Vec<Change> =
            changes(POOL, changed, str::to_owned, |k| pools.get(k).map(pool_row)).collect();
        let changed = self.identities.take_changed();
        let identities = &self.identities;
        out.extend(changes(IDENTITY, changed, str::to_owned, |k| {
            identities.get(k).map(identity_row)
        }));
        out
    }

    /// Puts back the stored pools and identities (tracked from here on).
    pub(crate) fn load(&mut self, store: &DataDir) -> Result<(), StoreError> {
        self.pools = Tracked::new(true);
        self.identities = Tracked::new(true);
        for (key, json) in store.load(POOL)? {
            let row: PoolRow = serde_json::from_str(&json).map_err(|e| bad_row(POOL, &key, e))?;
            let settings = <UpdateIdentityPool as Operation>::parse_input(&row.settings)
                .map_err(|e| bad_row(POOL, &key, e))?;
            let role_mappings = if row.role_mappings.is_null() {
                BTreeMap::new()
            } else {
                let input = serde_json::json!({
                    "IdentityPoolId": row.id,
                    "Roles": {},
                    "RoleMappings": row.role_mappings,
                });
                <SetIdentityPoolRoles as Operation>::parse_input(&input)
                    .map_err(|e| bad_row(POOL, &key, e))?
                    .role_mappings
                    .unwrap_or_default()
            };
            let pool = IdentityPool {
                id: row.id.clone(),
                region: row.region,
                settings,
                roles: row.roles,
                role_mappings,
                principal_tags: row
                    .principal_tags
                    .into_iter()
                    .map(|(provider, (use_defaults, tags))| {
                        (provider, PrincipalTags { use_defaults, tags })
                    })
                    .collect(),
                login_index: HashMap::new(),
            };
            self.pools.load(row.id, pool);
        }
        for (key, json) in store.load(IDENTITY)? {
            let row: IdentityRow =
                serde_json::from_str(&json).map_err(|e| bad_row(IDENTITY, &key, e))?;
            let pool = self
                .pools
                .get_unmarked(&row.pool_id)
                .ok_or_else(|| bad_row(IDENTITY, &key, "its identity pool is not stored"))?;
            let developer_provider = pool.developer_provider().map(str::to_owned);
            for (provider, subject) in &row.logins {
                pool.login_index
                    .insert((provider.clone(), subject.clone()), row.id.clone());
            }
            if let Some(provider) = developer_provider {
                for dev_id in &row.developer_ids {
                    pool.login_index
                        .insert((provider.clone(), dev_id.clone()), row.id.clone());
                }
            }
            let identity = Identity {
                id: row.id.clone(),
                pool_id: row.pool_id,
                logins: row.logins,
                developer_ids: row.developer_ids,
                created: row.created,
                modified: row.modified,
                disabled: row.disabled,
            };
            self.identities.load(row.id, identity);
        }
        Ok(())
    }

    /// The trusted apps of every pool (SupportedLoginProviders), to
    /// register with the fake providers after a load.
    pub(crate) fn supported_login_providers(&self) -> Vec<BTreeMap<String, String>> {
        self.pools
            .values()
            .filter_map(|p| p.settings.supported_login_providers.clone())
            .collect()
    }
}

fn pool_row(pool: &IdentityPool) -> String {
    let row = PoolRow {
        id: pool.id.clone(),
        region: pool.region.clone(),
        settings: serde_json::to_value(&pool.settings).unwrap_or(Value::Null),
        roles: pool.roles.clone(),
        role_mappings: if pool.role_mappings.is_empty() {
            Value::Null
        } else {
            serde_json::to_value(&pool.role_mappings).unwrap_or(Value::Null)
        },
        principal_tags: pool
            .principal_tags
            .iter()
            .map(|(k, t)| (k.clone(), (t.use_defaults, t.tags.clone())))
            .collect(),
    };
    serde_json::to_string(&row).unwrap_or_default()
}

fn identity_row(identity: &Identity) -> String {
    let row = IdentityRow {
        id: identity.id.clone(),
        pool_id: identity.pool_id.clone(),
        logins: identity.logins.clone(),
        developer_ids: identity.developer_ids.clone(),
        created: identity.created,
        modified: identity.modified,
        disabled: identity.disabled,
    };
    serde_json::to_string(&row).unwrap_or_default()
}
