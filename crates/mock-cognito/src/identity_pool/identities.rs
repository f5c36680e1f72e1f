//! GetId, GetCredentialsForIdentity, GetOpenIdToken and UnlinkIdentity: which
//! identity a request is about, and linking, merging and unlinking logins.

use std::collections::BTreeMap;

use cognito_wire::issuer::{AMAZON, APPLE, FACEBOOK, GOOGLE};
use serde_json::{Value, json};

use super::logins::ValidatedLogins;
use super::{Deps, Identity, IdentityPools, OPENID_ISSUER};
use crate::error::{ApiError, ApiResult};
use crate::shapes::Empty;
use crate::shapes::Timestamp;
use crate::shapes::cognito_identity::{
    Credentials, GetCredentialsForIdentityInput, GetCredentialsForIdentityResponse, GetIdInput,
    GetIdResponse, GetOpenIdTokenInput, UnlinkIdentityInput,
};

/// Default life of GetOpenIdToken tokens: 10 minutes.
const OPENID_TOKEN_SECS: i64 = 600;
/// Providers with at most one login per identity.
const PUBLIC_PROVIDERS: [&str; 4] = [FACEBOOK, AMAZON, GOOGLE, APPLE];

pub(super) fn logins_dont_match() -> ApiError {
    ApiError::not_authorized(
        "Logins don't match. Please include at least one valid login for this identity or identity pool.",
    )
}

fn forbidden(id: &str) -> ApiError {
    ApiError::not_authorized(format!("Access to Identity '{id}' is forbidden."))
}

impl IdentityPools {
    /// A new identity with these logins (none: unauthenticated).
    pub(super) fn create_identity(
        &mut self,
        pool_id: &str,
        logins: BTreeMap<String, String>,
        now: i64,
    ) -> String {
        let region = pool_id.split(':').next().unwrap_or("us-east-1");
        let id = format!("{region}:{}", self.rng.uuid());
        // Only a login changes the pool (its index): a guest identity must
        // not rewrite the pool's row in a data dir.
        if !logins.is_empty()
            && let Some(pool) = self.pools.get_mut(pool_id)
        {
            for (provider, subject) in &logins {
                pool.login_index
                    .insert((provider.clone(), subject.clone()), id.clone());
            }
        }
        self.identities.insert(
            id.clone(),
            Identity {
                id: id.clone(),
                pool_id: pool_id.to_owned(),
                logins,
                developer_ids: Default::default(),
                created: now,
                modified: now,
                disabled: false,
            },
        );
        id
    }

    /// Links `(provider, subject)` to `identity_id`; a second login from the
    /// same public provider is a conflict.
    pub(super) fn link_login(
        &mut self,
        identity_id: &str,
        provider: &str,
        subject: &str,
        now: i64,
    ) -> ApiResult<()> {
        let identity = self
            .identities
            .get_mut(identity_id)
            .ok_or_else(|| super::identity_not_found(identity_id))?;
        match identity.logins.get(provider) {
            Some(existing) if existing == subject => return Ok(()),
            Some(_)
                if PUBLIC_PROVIDERS.contains(&provider) || provider.starts_with("cognito-idp.") =>
            {
                return Err(ApiError::new(
                    "ResourceConflictException",
                    format!(
                        "Identity '{identity_id}' is already linked to another {provider} login."
                    ),
                ));
            }
            _ => {}
        }
        identity
            .logins
            .insert(provider.to_owned(), subject.to_owned());
        identity.modified = now;
        let pool_id = identity.pool_id.clone();
        if let Some(pool) = self.pools.get_mut(&pool_id) {
            pool.login_index.insert(
                (provider.to_owned(), subject.to_owned()),
                identity_id.to_owned(),
            );
        }
        Ok(())
    }

    /// Runs a change to the identities `involved` (of pool `pool_id`) whole
    /// or not at all: a merge or link that fails halfway (a conflicting
    /// login) puts those identities and their login-index entries back as
    /// they were. Identities the change creates must be among `involved`
    /// only if it can fail after creating them (it never does today).
    pub(super) fn all_or_nothing<T>(
        &mut self,
        pool_id: &str,
        involved: &[String],
        change: impl FnOnce(&mut Self) -> ApiResult<T>,
    ) -> ApiResult<T> {
        let saved: Vec<(String, Option<Identity>)> = involved
            .iter()
            .map(|id| (id.clone(), self.identities.get(id).cloned()))
            .collect();
        let outcome = change(self);
        if outcome.is_err() {
            self.restore(pool_id, saved);
        }
        outcome
    }

    /// Puts identities back as saved, and rebuilds their login-index
    /// entries (provider logins and developer ids) from them.
    pub(super) fn restore(&mut self, pool_id: &str, saved: Vec<(String, Option<Identity>)>) {
        let Some(pool) = self.pools.get_mut(pool_id) else {
            return;
        };
        let developer = pool.developer_provider().map(str::to_owned);
        pool.login_index
            .retain(|_, owner| !saved.iter().any(|(id, _)| id == owner));
        for (id, identity) in saved {
            match identity {
                Some(identity) => {
                    for (provider, subject) in &identity.logins {
                        pool.login_index
                            .insert((provider.clone(), subject.clone()), id.clone());
                    }
                    if let Some(dev) = &developer {
                        for dev_id in &identity.developer_ids {
                            pool.login_index
                                .insert((dev.clone(), dev_id.clone()), id.clone());
                        }
                    }
                    self.identities.insert(id, identity);
                }
                None => {
                    self.identities.remove(&id);
                }
            }
        }
    }

    /// Merges `from` into `into`: its logins move over, and `from` is
    /// disabled. Returns the surviving identity id. Not atomic by itself:
    /// callers run it inside [`IdentityPools::all_or_nothing`].
    pub(super) fn merge_identities(
        &mut self,
        into: &str,
        from: &str,
        now: i64,
    ) -> ApiResult<String> {
        if into == from {
            return Ok(into.to_owned());
        }
        let source = self
            .identities
            .get(from)
            .cloned()
            .ok_or_else(|| super::identity_not_found(from))?;
        // Release the source's logins first, so relinking them to the
        // survivor is not mistaken for a conflict.
        if let Some(pool) = self.pools.get_mut(&source.pool_id) {
            pool.login_index.retain(|_, owner| owner != from);
        }
        for (provider, subject) in &source.logins {
            self.link_login(into, provider, subject, now)?;
        }
        if !source.developer_ids.is_empty() {
            let dev_provider = self
                .pool(&source.pool_id)?
                .developer_provider()
                .unwrap_or_default()
                .to_owned();
            for dev_id in &source.developer_ids {
                self.link_developer_id(into, &dev_provider, dev_id, now)?;
            }
        }
        if let Some(src) = self.identities.get_mut(from) {
            src.disabled = true;
            src.logins.clear();
            src.developer_ids.clear();
            src.modified = now;
        }
        Ok(into.to_owned())
    }

    /// GetId: the identity of these logins (creating, linking or merging as
    /// needed), or a new unauthenticated identity.
    pub(super) fn get_id(
        &mut self,
        input: &GetIdInput,
        deps: Deps<'_>,
    ) -> ApiResult<GetIdResponse> {
        let pool_id = input.identity_pool_id.clone();
        let pool = self.pool(&pool_id)?;
        let validated = self.validate_logins(pool, input.logins.as_ref(), &deps)?;
        let now = deps.ctx.clock.unix();
        let answer = |id: String| GetIdResponse {
            identity_id: Some(id),
        };
        if let Some(id) = validated.openid_identity.clone() {
            return Ok(answer(id));
        }
        if validated.logins.is_empty() {
            if !pool.allows_unauthenticated() {
                return Err(ApiError::not_authorized(
                    "Unauthenticated access is not supported for this identity pool.",
                ));
            }
            return Ok(answer(self.create_identity(&pool_id, BTreeMap::new(), now)));
        }
        let id = self.identity_for_logins(&pool_id, None, &validated, now)?;
        Ok(answer(id))
    }

    /// The identity the validated logins belong to. With `current`, that
    /// identity is the starting point (an unauthenticated one gets linked);
    /// logins already linked elsewhere merge the two, the authenticated one
    /// surviving.
    fn identity_for_logins(
        &mut self,
        pool_id: &str,
        current: Option<&str>,
        validated: &ValidatedLogins,
        now: i64,
    ) -> ApiResult<String> {
        let pool = self.pool(pool_id)?;
        let mut linked: Vec<String> = validated
            .logins
            .iter()
            .filter_map(|l| {
                pool.login_index
                    .get(&(l.provider.clone(), l.subject.clone()))
                    .cloned()
            })
            .collect();
        linked.dedup();
        let mut owner = match (linked.first(), current) {
            (Some(existing), _) => existing.clone(),
            (None, Some(current)) => current.to_owned(),
            (None, None) => {
                let logins = validated
                    .logins
                    .iter()
                    .map(|l| (l.provider.clone(), l.subject.clone()))
                    .collect();
                return Ok(self.create_identity(pool_id, logins, now));
            }
        };
        let mut involved = linked.clone();
        involved.push(owner.clone());
        involved.extend(current.map(str::to_owned));
        self.all_or_nothing(pool_id, &involved, |this| {
            for other in linked.iter().skip(1) {
                owner = this.merge_identities(&owner, other, now)?;
            }
            if let Some(current) = current {
                owner = this.merge_identities(&owner, current, now)?;
            }
            for login in &validated.logins {
                this.link_login(&owner, &login.provider, &login.subject, now)?;
            }
            Ok(owner)
        })
    }

    /// The identity of a GetCredentialsForIdentity / GetOpenIdToken call,
    /// after checking its logins. Returns (identity id, validated logins).
    fn authorize(
        &mut self,
        identity_id: &str,
        logins: Option<&BTreeMap<String, String>>,
        deps: &Deps<'_>,
    ) -> ApiResult<(String, ValidatedLogins)> {
        let identity_id = identity_id.to_owned();
        let identity = self.identity(&identity_id)?.clone();
        if identity.disabled {
            return Err(forbidden(&identity_id));
        }
        let pool = self.pool(&identity.pool_id)?;
        let validated = self.validate_logins(pool, logins, deps)?;
        let now = deps.ctx.clock.unix();
        if let Some(vouched) = &validated.openid_identity {
            if *vouched != identity_id {
                return Err(logins_dont_match());
            }
            return Ok((identity_id, validated));
        }
        if validated.logins.is_empty() {
            if identity.is_authenticated() {
                return Err(logins_dont_match());
            }
            if !pool.allows_unauthenticated() {
                return Err(ApiError::not_authorized(
                    "Unauthenticated access is not supported for this identity pool.",
                ));
            }
            return Ok((identity_id, validated));
        }
        let pool_id = identity.pool_id.clone();
        let id = self.identity_for_logins(&pool_id, Some(&identity_id), &validated, now)?;
        Ok((id, validated))
    }

    pub(super) fn get_credentials_for_identity(
        &mut self,
        input: &GetCredentialsForIdentityInput,
        deps: Deps<'_>,
    ) -> ApiResult<GetCredentialsForIdentityResponse> {
        let (identity_id, validated) =
            self.authorize(&input.identity_id, input.logins.as_ref(), &deps)?;
        let identity = self.identity(&identity_id)?;
        let pool = self.pool(&identity.pool_id)?;
        let role = super::roles::choose_role(
            pool,
            identity,
            &validated,
            input.custom_role_arn.as_deref(),
        )?;
        let creds = deps.credentials.issue(
            &role,
            "CognitoIdentityCredentials",
            deps.ctx.clock.unix(),
            crate::credentials::CREDENTIALS_LIFETIME_SECS,
        );
        Ok(GetCredentialsForIdentityResponse {
            identity_id: Some(identity_id),
            credentials: Some(Credentials {
                access_key_id: Some(creds.access_key_id.clone()),
                secret_key: Some(creds.secret_access_key.clone()),
                session_token: Some(creds.session_token.clone()),
                expiration: Some(Timestamp::from_secs(creds.expiration)),
            }),
        })
    }

    /// GetOpenIdToken, with the token left to sign once the locks are
    /// released.
    pub fn get_open_id_token(
        &mut self,
        input: &GetOpenIdTokenInput,
        deps: Deps<'_>,
    ) -> ApiResult<UnsignedOpenIdToken> {
        let (identity_id, validated) =
            self.authorize(&input.identity_id, input.logins.as_ref(), &deps)?;
        self.openid_token(
            &identity_id,
            &validated,
            OPENID_TOKEN_SECS,
            deps.ctx.clock.unix(),
        )
    }

    /// An RS512 OpenID token for an identity, `amr` as AWS sets it.
    pub(super) fn openid_token(
        &self,
        identity_id: &str,
        validated: &ValidatedLogins,
        lifetime: i64,
        now: i64,
    ) -> ApiResult<UnsignedOpenIdToken> {
        let identity = self.identity(identity_id)?;
        let pool = self.pool(&identity.pool_id)?;
        let mut amr = Vec::new();
        if !identity.is_authenticated() {
            amr.push("unauthenticated".to_owned());
        } else {
            amr.push("authenticated".to_owned());
            let providers: Vec<(&String, &String)> = if validated.logins.is_empty() {
                identity.logins.iter().collect()
            } else {
                validated
                    .logins
                    .iter()
                    .map(|l| (&l.provider, &l.subject))
                    .collect()
            };
            let developer = pool
                .developer_provider()
                .filter(|_| !identity.developer_ids.is_empty());
            if let (Some(dev), Some(dev_id)) = (developer, identity.developer_ids.iter().next()) {
                amr.push(dev.to_owned());
                amr.push(format!("{dev}:{}:{dev_id}", pool.id));
            }
            for (provider, subject) in providers {
                amr.push(provider.clone());
                let detail = if provider.starts_with("cognito-idp.") {
                    format!("{provider}:CognitoSignIn:{subject}")
                } else {
                    format!("{provider}:{}:{subject}", pool.id)
                };
                amr.push(detail);
            }
        }
        let claims = json!({
            "sub": identity_id,
            "aud": pool.id,
            "amr": amr,
            "iss": OPENID_ISSUER,
            "https://cognito-identity.amazonaws.com/identity-pool-arn": pool.arn(),
            "exp": now + lifetime,
            "iat": now,
        });
        Ok(UnsignedOpenIdToken {
            identity_id: identity_id.to_owned(),
            claims,
            key: self.openid_key.clone(),
        })
    }

    pub(super) fn unlink_identity(
        &mut self,
        input: &UnlinkIdentityInput,
        deps: Deps<'_>,
    ) -> ApiResult<Empty> {
        let identity_id = input.identity_id.clone();
        let identity = self.identity(&identity_id)?.clone();
        if identity.disabled {
            return Err(forbidden(&identity_id));
        }
        let pool = self.pool(&identity.pool_id)?;
        let validated = self.validate_logins(pool, Some(&input.logins), &deps)?;
        // The caller must prove it owns the identity with one of its logins.
        let proves = validated
            .logins
            .iter()
            .any(|l| identity.logins.get(&l.provider) == Some(&l.subject));
        if !proves {
            return Err(logins_dont_match());
        }
        let pool_id = identity.pool_id.clone();
        let identity = self.identities.get_mut(&identity_id).expect("checked");
        let mut removed = Vec::new();
        for provider in &input.logins_to_remove {
            if let Some(subject) = identity.logins.remove(provider) {
                removed.push((provider.clone(), subject));
            }
        }
        identity.modified = deps.ctx.clock.unix();
        if let Some(pool) = self.pools.get_mut(&pool_id) {
            for key in removed {
                pool.login_index.remove(&key);
            }
        }
        Ok(Empty {})
    }
}

/// An OpenID token decided under the lock, to sign once it is released.
#[derive(Debug)]
pub struct UnsignedOpenIdToken {
    identity_id: String,
    claims: Value,
    key: std::sync::Arc<crate::jwt::SigningKey>,
}

impl UnsignedOpenIdToken {
    /// Signs it: the GetOpenIdToken* answer.
    pub fn sign(self) -> Value {
        json!({"IdentityId": self.identity_id, "Token": self.key.sign(&self.claims)})
    }
}
