//! The user-pool side of Lambda triggers: the events AWS sends (read from
//! the pool's state) and what the handlers' answers change. The running
//! itself is [`crate::triggers`].
//!
//! - PreSignUp (`PreSignUp_SignUp`, `PreSignUp_AdminCreateUser`): the new
//!   user's attributes, validation data and client metadata; the answer's
//!   `autoConfirmUser`, `autoVerifyEmail` and `autoVerifyPhone` apply to
//!   SignUp. It runs before the user exists, so a refusal creates nothing.
//! - PreAuthentication (`PreAuthentication_Authentication`): before an
//!   API sign-in checks anything (InitiateAuth / AdminInitiateAuth, not a
//!   refresh): the user's attributes and the call's client metadata as
//!   `validationData`. A refusal ends the sign-in.
//! - PostAuthentication (`PostAuthentication_Authentication`): once a
//!   sign-in (API or hosted UI) has passed every challenge, before its
//!   tokens are issued: the attributes and `newDeviceUsed`. A refusal
//!   issues no tokens.
//! - PreTokenGeneration (`TokenGeneration_Authentication`,
//!   `_RefreshTokens`, `_HostedAuth`): the user's attributes and groups
//!   (and, from version 2, the scopes); the answer adds, overrides or
//!   suppresses ID-token claims (version 1), ID- and access-token claims
//!   and scopes (versions 2 and 3), and overrides the groups. Claims Cognito
//!   reserves are left as they are.

use serde_json::{Map, Value, json};

use super::{AppClient, Context, Pool, User, UserPools};
use crate::error::{ApiError, ApiResult};
use crate::shapes::cognito_idp::UserPoolRequest;
use crate::triggers::{Caller, Invocation, Trigger, flag, malformed, object, strings};

/// Claims no trigger may add, override or suppress.
const RESERVED_CLAIMS: &[&str] = &[
    "acr",
    "amr",
    "at_hash",
    "aud",
    "auth_time",
    "azp",
    "c_hash",
    "client_id",
    "cognito:username",
    "device_key",
    "event_id",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "scope",
    "sub",
    "token_use",
    "username",
    "version",
];

/// A token's group claims, as the trigger sees and may override them.
#[derive(Debug, Clone)]
pub(super) struct GroupClaims {
    pub(super) groups: Vec<String>,
    pub(super) roles: Vec<String>,
    pub(super) preferred_role: Option<String>,
}

/// A PostAuthentication invocation, run when the tokens are signed.
#[derive(Debug)]
pub(super) struct PostAuthentication(Invocation);

impl PostAuthentication {
    /// Marks the sign-in as made on a device issued just now.
    pub(super) fn new_device_used(&mut self) {
        self.0.event["request"]["newDeviceUsed"] = json!(true);
    }

    /// Runs the trigger: its refusal ends the sign-in.
    pub(super) fn run(&self) -> ApiResult<()> {
        self.0.run().map(|_| ())
    }
}

/// A PreTokenGeneration invocation, and its event version.
#[derive(Debug)]
pub struct PreToken {
    invocation: Invocation,
    version: u8,
}

/// A user's attributes as trigger events carry them: every value a
/// string, with `sub` and `cognito:user_status`.
pub(super) fn event_attributes(user: &User) -> Value {
    let mut attributes: Map<String, Value> = user
        .attributes
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    attributes.insert("sub".into(), json!(user.sub));
    attributes.insert("cognito:user_status".into(), json!(user.status.as_str()));
    Value::Object(attributes)
}

impl Pool {
    /// The caller an event names, on `client`.
    pub(super) fn caller<'a>(&'a self, username: &'a str, client: Option<&'a str>) -> Caller<'a> {
        Caller {
            pool_id: &self.id,
            region: &self.region,
            username,
            client_id: client,
        }
    }

    /// The pool's PostAuthentication trigger for a sign-in of `user` on
    /// `client_id`, if it has one that runs somewhere.
    pub(super) fn post_authentication(
        &self,
        user: &User,
        client_id: &str,
        ctx: &Context<'_>,
    ) -> Option<PostAuthentication> {
        let arn = self
            .settings
            .lambda_config
            .as_ref()?
            .post_authentication
            .clone()?;
        let request = json!({
            "userAttributes": event_attributes(user),
            "newDeviceUsed": false,
            "clientMetadata": {},
        });
        let caller = self.caller(&user.username, Some(client_id));
        ctx.triggers
            .invocation(
                (Trigger::PostAuthentication, &arn),
                ("1", "PostAuthentication_Authentication"),
                &caller,
                request,
            )
            .map(PostAuthentication)
    }

    /// The pool's PreTokenGeneration trigger for a `client_credentials`
    /// access token (`TokenGeneration_ClientCredentials`): only version 3
    /// runs for machine-to-machine tokens. The client stands as the user.
    pub(super) fn client_credentials_pre_token(
        &self,
        client: &AppClient,
        scopes: &[&str],
        ctx: &Context<'_>,
    ) -> Option<PreToken> {
        let config = self
            .settings
            .lambda_config
            .as_ref()?
            .pre_token_generation_config
            .as_ref()?;
        if config.lambda_version.as_str() != "V3_0" {
            return None;
        }
        let request = json!({
            "userAttributes": {},
            "groupConfiguration": {
                "groupsToOverride": [],
                "iamRolesToOverride": [],
                "preferredRole": null,
            },
            "scopes": scopes,
            "clientMetadata": {},
        });
        let caller = self.caller(&client.id, Some(&client.id));
        let invocation = ctx.triggers.invocation(
            (Trigger::PreTokenGeneration, &config.lambda_arn),
            ("3", "TokenGeneration_ClientCredentials"),
            &caller,
            request,
        )?;
        Some(PreToken {
            invocation,
            version: 3,
        })
    }

    /// The pool's PreTokenGeneration trigger for these tokens, if it has
    /// one that runs somewhere.
    pub(super) fn pre_token_generation(
        &self,
        user: &User,
        client: &AppClient,
        (source, scope): (&str, &str),
        groups: &GroupClaims,
        ctx: &Context<'_>,
    ) -> Option<PreToken> {
        let lambda = self.settings.lambda_config.as_ref()?;
        let (arn, version) = match &lambda.pre_token_generation_config {
            Some(c) => (
                c.lambda_arn.clone(),
                match c.lambda_version.as_str() {
                    "V3_0" => 3,
                    "V2_0" => 2,
                    _ => 1,
                },
            ),
            None => (lambda.pre_token_generation.clone()?, 1),
        };
        let mut request = json!({
            "userAttributes": event_attributes(user),
            "groupConfiguration": {
                "groupsToOverride": groups.groups,
                "iamRolesToOverride": groups.roles,
                "preferredRole": groups.preferred_role,
            },
        });
        if version >= 2 {
            request["scopes"] = json!(scope.split_whitespace().collect::<Vec<_>>());
        }
        let caller = self.caller(&user.username, Some(&client.id));
        let invocation = ctx.triggers.invocation(
            (Trigger::PreTokenGeneration, &arn),
            (&version.to_string(), source),
            &caller,
            request,
        )?;
        Some(PreToken {
            invocation,
            version,
        })
    }
}

/// Adds or overrides (`claimsToAddOrOverride`) and suppresses
/// (`claimsToSuppress`) claims of one token, leaving reserved ones.
fn override_claims(token: &mut Value, details: &Map<String, Value>) -> ApiResult<()> {
    let allowed = |name: &str| {
        let ok = !RESERVED_CLAIMS.contains(&name);
        if !ok {
            tracing::warn!(
                claim = name,
                "PreTokenGeneration may not change this claim: left as it is"
            );
        }
        ok
    };
    if let Some(add) = object(&Value::Object(details.clone()), "claimsToAddOrOverride")? {
        for (name, value) in add {
            if allowed(name) {
                token[name] = value.clone();
            }
        }
    }
    for name in strings(details.get("claimsToSuppress"))? {
        if allowed(&name)
            && let Some(claims) = token.as_object_mut()
        {
            claims.remove(&name);
        }
    }
    Ok(())
}

impl PreToken {
    /// Hands the call's ClientMetadata to the handler.
    pub(super) fn set_client_metadata(
        &mut self,
        metadata: Option<&std::collections::BTreeMap<String, String>>,
    ) {
        self.invocation.event["request"]["clientMetadata"] =
            json!(metadata.cloned().unwrap_or_default());
    }

    /// Runs the trigger and applies its answer to the two tokens' claims.
    pub(super) fn apply(&self, id: &mut Value, access: &mut Value) -> ApiResult<()> {
        let response = self.invocation.run()?;
        let (details, id_details, access_details) = if self.version >= 2 {
            let Some(details) = object(&response, "claimsAndScopeOverrideDetails")? else {
                return Ok(());
            };
            let as_value = Value::Object(details.clone());
            let id_details = object(&as_value, "idTokenGeneration")?.cloned();
            let access_details = object(&as_value, "accessTokenGeneration")?.cloned();
            (details.clone(), id_details, access_details)
        } else {
            let Some(details) = object(&response, "claimsOverrideDetails")? else {
                return Ok(());
            };
            (details.clone(), Some(details.clone()), None)
        };
        if let Some(d) = &id_details {
            override_claims(id, d)?;
        }
        if let Some(d) = &access_details {
            override_claims(access, d)?;
            let mut scopes: Vec<String> = access["scope"]
                .as_str()
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_owned)
                .collect();
            let suppress = strings(d.get("scopesToSuppress"))?;
            scopes.retain(|s| !suppress.contains(s));
            for add in strings(d.get("scopesToAdd"))? {
                if !scopes.contains(&add) {
                    scopes.push(add);
                }
            }
            access["scope"] = json!(scopes.join(" "));
        }
        let as_value = Value::Object(details);
        if let Some(groups) = object(&as_value, "groupOverrideDetails")? {
            let group_value = Value::Object(groups.clone());
            if groups.contains_key("groupsToOverride") {
                let list = strings(group_value.get("groupsToOverride"))?;
                for token in [&mut *id, &mut *access] {
                    set_or_remove(token, "cognito:groups", &list);
                }
            }
            if groups.contains_key("iamRolesToOverride") {
                let roles = strings(group_value.get("iamRolesToOverride"))?;
                set_or_remove(id, "cognito:roles", &roles);
            }
            match group_value.get("preferredRole") {
                Some(Value::String(role)) => id["cognito:preferred_role"] = json!(role),
                Some(Value::Null) | None => {}
                Some(_) => {
                    return Err(ApiError::new(
                        "InvalidLambdaResponseException",
                        "Unrecognizable lambda output",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Sets a list claim, or removes it when the list is empty (as Cognito
/// leaves an empty group list out).
fn set_or_remove(token: &mut Value, claim: &str, list: &[String]) {
    if let Some(claims) = token.as_object_mut() {
        if list.is_empty() {
            claims.remove(claim);
        } else {
            claims.insert(claim.to_owned(), json!(list));
        }
    }
}

/// What PreSignUp answered for SignUp.
#[derive(Debug, Default)]
pub(super) struct PreSignUpAnswer {
    pub(super) auto_confirm: bool,
    pub(super) auto_verify_email: bool,
    pub(super) auto_verify_phone: bool,
}

impl UserPools {
    /// The trigger a request runs before it changes anything (read under
    /// the read lock, run with none held): PreSignUp for SignUp and
    /// AdminCreateUser, PreAuthentication for a sign-in.
    pub(crate) fn trigger_before(
        &self,
        request: &UserPoolRequest,
        ctx: &Context<'_>,
    ) -> Option<Invocation> {
        let attributes = |list: &Option<Vec<crate::shapes::cognito_idp::AttributeType>>| {
            let map: Map<String, Value> = list
                .iter()
                .flatten()
                .map(|a| (a.name.clone(), json!(a.value.clone().unwrap_or_default())))
                .collect();
            Value::Object(map)
        };
        let (pool, client, username, request, source) = match request {
            UserPoolRequest::SignUp(i) => {
                let (pool, _) = self.client(&i.client_id).ok()?;
                let request = json!({
                    "userAttributes": attributes(&i.user_attributes),
                    "validationData": attributes(&i.validation_data),
                    "clientMetadata": i.client_metadata.clone().unwrap_or_default(),
                });
                (
                    pool,
                    Some(i.client_id.as_str()),
                    i.username.as_str(),
                    request,
                    "PreSignUp_SignUp",
                )
            }
            UserPoolRequest::AdminCreateUser(i) => {
                let pool = self.pool(&i.user_pool_id).ok()?;
                let request = json!({
                    "userAttributes": attributes(&i.user_attributes),
                    "validationData": attributes(&i.validation_data),
                    "clientMetadata": i.client_metadata.clone().unwrap_or_default(),
                });
                (
                    pool,
                    None,
                    i.username.as_str(),
                    request,
                    "PreSignUp_AdminCreateUser",
                )
            }
            UserPoolRequest::InitiateAuth(i) => {
                return self.pre_authentication(
                    (&i.client_id, None),
                    i.auth_flow,
                    i.auth_parameters.as_ref(),
                    i.client_metadata.as_ref(),
                    ctx,
                );
            }
            UserPoolRequest::AdminInitiateAuth(i) => {
                return self.pre_authentication(
                    (&i.client_id, Some(&i.user_pool_id)),
                    i.auth_flow,
                    i.auth_parameters.as_ref(),
                    i.client_metadata.as_ref(),
                    ctx,
                );
            }
            UserPoolRequest::ForgotPassword(i) => {
                let (pool, _) = self.client(&i.client_id).ok()?;
                if pool.resolve(&i.username).is_some() {
                    return None;
                }
                return pool.user_migration(
                    (&i.client_id, &i.username, None),
                    i.client_metadata.as_ref(),
                    ctx,
                );
            }
            _ => return None,
        };
        let arn = pool.settings.lambda_config.as_ref()?.pre_sign_up.clone()?;
        let caller = pool.caller(username, client);
        ctx.triggers
            .invocation((Trigger::PreSignUp, &arn), ("1", source), &caller, request)
    }
}

impl UserPools {
    /// The hosted UI sign-in page's trigger, as for a password sign-in:
    /// PreAuthentication for a user the pool has, UserMigration for a name
    /// it lacks.
    pub(crate) fn page_sign_in_trigger(
        &self,
        client_id: &str,
        (typed, password): (&str, &str),
        ctx: &Context<'_>,
    ) -> Option<Invocation> {
        let parameters = std::collections::BTreeMap::from([
            ("USERNAME".to_owned(), typed.to_owned()),
            ("PASSWORD".to_owned(), password.to_owned()),
        ]);
        self.pre_authentication(
            (client_id, None),
            crate::shapes::cognito_idp::AuthFlowType::UserPasswordAuth,
            Some(&parameters),
            None,
            ctx,
        )
    }

    /// PreAuthentication for a sign-in (not a refresh) of a user the pool
    /// has; UserMigration for a password sign-in of one it has not.
    fn pre_authentication(
        &self,
        (client_id, admin_pool): (&str, Option<&str>),
        flow: crate::shapes::cognito_idp::AuthFlowType,
        parameters: Option<&std::collections::BTreeMap<String, String>>,
        metadata: Option<&std::collections::BTreeMap<String, String>>,
        ctx: &Context<'_>,
    ) -> Option<Invocation> {
        use crate::shapes::cognito_idp::AuthFlowType as F;
        if matches!(flow, F::RefreshToken | F::RefreshTokenAuth) {
            return None;
        }
        let (pool, _) = self.client(client_id).ok()?;
        if admin_pool.is_some_and(|id| id != pool.id) {
            return None;
        }
        let typed = parameters?.get("USERNAME")?;
        if pool.resolve(typed).is_none() {
            // Only a password sign-in hands the trigger a password to check.
            let password = matches!(
                flow,
                F::UserPasswordAuth | F::AdminUserPasswordAuth | F::AdminNoSrpAuth
            )
            .then(|| parameters?.get("PASSWORD"))??;
            return pool.user_migration((client_id, typed, Some(password)), metadata, ctx);
        }
        let arn = pool
            .settings
            .lambda_config
            .as_ref()?
            .pre_authentication
            .clone()?;
        let username = pool.resolve(typed)?;
        let user = pool.users.get(username)?;
        let request = json!({
            "userAttributes": event_attributes(user),
            "validationData": metadata.cloned().unwrap_or_default(),
            "userNotFound": false,
        });
        let caller = pool.caller(&user.username, Some(client_id));
        ctx.triggers.invocation(
            (Trigger::PreAuthentication, &arn),
            ("1", "PreAuthentication_Authentication"),
            &caller,
            request,
        )
    }
}

impl Pool {
    /// UserMigration for `typed`, a name the pool does not have: with the
    /// password of a sign-in (`UserMigration_Authentication`) or without
    /// (`UserMigration_ForgotPassword`).
    fn user_migration(
        &self,
        (client_id, typed, password): (&str, &str, Option<&String>),
        metadata: Option<&std::collections::BTreeMap<String, String>>,
        ctx: &Context<'_>,
    ) -> Option<Invocation> {
        let arn = self
            .settings
            .lambda_config
            .as_ref()?
            .user_migration
            .clone()?;
        let mut request = json!({
            "validationData": {},
            "clientMetadata": metadata.cloned().unwrap_or_default(),
        });
        let source = match password {
            Some(password) => {
                request["password"] = json!(password);
                "UserMigration_Authentication"
            }
            None => "UserMigration_ForgotPassword",
        };
        let caller = self.caller(typed, Some(client_id));
        ctx.triggers.invocation(
            (Trigger::UserMigration, &arn),
            ("1", source),
            &caller,
            request,
        )
    }
}

/// The error of the trigger that ran ahead of the operation, if it failed.
pub(crate) fn refusal_ahead(ctx: &Context<'_>) -> Option<ApiError> {
    match ctx.ahead.and_then(|a| a.trigger.as_ref()) {
        Some(Err(e)) => Some(e.clone()),
        _ => None,
    }
}

/// PreSignUp's answer, from what ran ahead: None when no trigger ran; the
/// trigger's error when it failed.
pub(super) fn pre_sign_up_answer(ctx: &Context<'_>) -> ApiResult<Option<PreSignUpAnswer>> {
    let Some(outcome) = ctx.ahead.and_then(|a| a.trigger.as_ref()) else {
        return Ok(None);
    };
    let response = outcome.as_ref().map_err(Clone::clone)?;
    Ok(Some(PreSignUpAnswer {
        auto_confirm: flag(response, "autoConfirmUser")?,
        auto_verify_email: flag(response, "autoVerifyEmail")?,
        auto_verify_phone: flag(response, "autoVerifyPhone")?,
    }))
}

impl UserPools {
    /// Creates the user UserMigration answered for, when it ran ahead of
    /// this sign-in or ForgotPassword for `typed` (a name the pool did not
    /// have): its attributes as the handler gives them, the sign-in's
    /// password, and `finalUserStatus` (CONFIRMED by default for a
    /// sign-in, RESET_REQUIRED for ForgotPassword). Ok(false) when the
    /// handler did not know the user (it threw, or gave no attributes):
    /// the operation then answers as for any unknown user.
    pub(crate) fn migrate_ahead(
        &mut self,
        client_id: &str,
        typed: &str,
        password: Option<&str>,
        ctx: &Context<'_>,
    ) -> ApiResult<bool> {
        let Some(answer) = ctx.ahead.and_then(|a| a.migration.as_ref()) else {
            return Ok(false);
        };
        let (pool, _) = self.client(client_id)?;
        if pool.resolve(typed).is_some() {
            // Created meanwhile by another request.
            return Ok(false);
        }
        let response = match answer {
            Ok(response) => response,
            Err(e) if e.code == "UserLambdaValidationException" => return Ok(false),
            Err(e) => return Err(e.clone()),
        };
        let Some(attributes) = object(response, "userAttributes")? else {
            return Ok(false);
        };
        let attributes = attributes
            .iter()
            .filter(|(name, _)| !matches!(name.as_str(), "username" | "sub"))
            .map(|(name, value)| match value {
                Value::String(v) => Ok((name.clone(), v.clone())),
                _ => Err(malformed()),
            })
            .collect::<ApiResult<Vec<_>>>()?;
        use crate::shapes::cognito_idp::UserStatusType as S;
        let status = match response.get("finalUserStatus") {
            None | Some(Value::Null) if password.is_some() => S::Confirmed,
            None | Some(Value::Null) => S::ResetRequired,
            Some(Value::String(s)) if s == "CONFIRMED" => S::Confirmed,
            Some(Value::String(s)) if s == "RESET_REQUIRED" => S::ResetRequired,
            Some(_) => return Err(malformed()),
        };
        let pool_id = pool.id.clone();
        let user = pool.new_user(
            typed,
            password,
            attributes,
            super::schema::Writer::Admin,
            status,
            ctx,
        )?;
        tracing::info!(pool = %pool_id, "UserMigration created a user");
        self.pool_mut(&pool_id)?.add_user(user);
        Ok(true)
    }
}

/// A confirmation PostConfirmation runs after: who, where, and why.
#[derive(Debug)]
pub(crate) struct Confirmation {
    /// The app client (ConfirmSignUp, ConfirmForgotPassword) or the pool
    /// (AdminConfirmSignUp).
    client_id: Option<String>,
    pool_id: Option<String>,
    typed: String,
    source: &'static str,
    metadata: Option<std::collections::BTreeMap<String, String>>,
}

impl Confirmation {
    /// The confirmation `request` makes, if it succeeds.
    pub(crate) fn of(request: &UserPoolRequest) -> Option<Confirmation> {
        use UserPoolRequest as R;
        let (client_id, pool_id, typed, source) = match request {
            R::ConfirmSignUp(i) => (
                Some(&i.client_id),
                None,
                &i.username,
                "PostConfirmation_ConfirmSignUp",
            ),
            R::AdminConfirmSignUp(i) => (
                None,
                Some(&i.user_pool_id),
                &i.username,
                "PostConfirmation_ConfirmSignUp",
            ),
            R::ConfirmForgotPassword(i) => (
                Some(&i.client_id),
                None,
                &i.username,
                "PostConfirmation_ConfirmForgotPassword",
            ),
            _ => return None,
        };
        Some(Confirmation {
            client_id: client_id.cloned(),
            pool_id: pool_id.cloned(),
            typed: typed.clone(),
            source,
            metadata: request.client_metadata().cloned(),
        })
    }
}

impl UserPools {
    /// PostConfirmation for a confirmation that has just succeeded (read
    /// under the read lock, run with none held). As on AWS, the user stays
    /// confirmed when the handler fails; the caller gets its error.
    pub(crate) fn post_confirmation(
        &self,
        confirmation: &Confirmation,
        ctx: &Context<'_>,
    ) -> Option<Invocation> {
        let pool = match (&confirmation.client_id, &confirmation.pool_id) {
            (Some(client_id), _) => self.client(client_id).ok()?.0,
            (None, Some(pool_id)) => self.pool(pool_id).ok()?,
            (None, None) => return None,
        };
        let arn = pool
            .settings
            .lambda_config
            .as_ref()?
            .post_confirmation
            .clone()?;
        let user = pool.users.get(pool.resolve(&confirmation.typed)?)?;
        let request = json!({
            "userAttributes": event_attributes(user),
            "clientMetadata": confirmation.metadata.clone().unwrap_or_default(),
        });
        let caller = pool.caller(&user.username, confirmation.client_id.as_deref());
        ctx.triggers.invocation(
            (Trigger::PostConfirmation, &arn),
            ("1", confirmation.source),
            &caller,
            request,
        )
    }
}

/// The trigger a federated sign-in runs before its user is made or
/// refreshed.
#[derive(Debug)]
pub(crate) enum FederationTrigger {
    /// `PreSignUp_ExternalProvider`: the identity's first sign-in.
    PreSignUp(Invocation),
    /// `PreAuthentication_Authentication`: a later one.
    PreAuthentication(Invocation),
}

impl UserPools {
    /// PreSignUp (first sign-in, with the provider's mapped attributes)
    /// or PreAuthentication (later ones) for a sign-in through `provider`
    /// on `client_id`.
    pub(crate) fn federation_trigger(
        &self,
        (pool_id, client_id): (&str, &str),
        provider: &super::providers::IdentityProvider,
        identity: &super::ProviderIdentity,
        ctx: &Context<'_>,
    ) -> Option<FederationTrigger> {
        let pool = self.pools.get(pool_id)?;
        let lambda = pool.settings.lambda_config.as_ref()?;
        match pool.federated_username(provider, identity) {
            Some(username) => {
                let arn = lambda.pre_authentication.clone()?;
                let user = pool.users.get(&username)?;
                let request = json!({
                    "userAttributes": event_attributes(user),
                    "validationData": {},
                    "userNotFound": false,
                });
                let caller = pool.caller(&user.username, Some(client_id));
                ctx.triggers
                    .invocation(
                        (Trigger::PreAuthentication, &arn),
                        ("1", "PreAuthentication_Authentication"),
                        &caller,
                        request,
                    )
                    .map(FederationTrigger::PreAuthentication)
            }
            None => {
                let arn = lambda.pre_sign_up.clone()?;
                let username = format!("{}_{}", provider.name, identity.subject);
                let attributes: Map<String, Value> =
                    super::oauth::mapped_attributes(provider, identity)
                        .into_iter()
                        .map(|(k, v)| (k, json!(v)))
                        .collect();
                let request = json!({
                    "userAttributes": attributes,
                    "validationData": {},
                    "clientMetadata": {},
                });
                let caller = pool.caller(&username, Some(client_id));
                ctx.triggers
                    .invocation(
                        (Trigger::PreSignUp, &arn),
                        ("1", "PreSignUp_ExternalProvider"),
                        &caller,
                        request,
                    )
                    .map(FederationTrigger::PreSignUp)
            }
        }
    }
}

impl FederationTrigger {
    /// Runs the trigger (no lock held): the (email, phone) PreSignUp asks
    /// to mark verified, or the refusal.
    pub(crate) fn run(self) -> ApiResult<(bool, bool)> {
        match self {
            FederationTrigger::PreSignUp(invocation) => {
                let answer = invocation.run()?;
                Ok((
                    flag(&answer, "autoVerifyEmail")?,
                    flag(&answer, "autoVerifyPhone")?,
                ))
            }
            FederationTrigger::PreAuthentication(invocation) => {
                invocation.run()?;
                Ok((false, false))
            }
        }
    }
}

impl Confirmation {
    /// A federated user's first sign-in, which AWS reports to
    /// PostConfirmation as `PostConfirmation_ConfirmSignUp`.
    pub(crate) fn federated(client_id: &str, username: &str) -> Confirmation {
        Confirmation {
            client_id: Some(client_id.to_owned()),
            pool_id: None,
            typed: username.to_owned(),
            source: "PostConfirmation_ConfirmSignUp",
            metadata: None,
        }
    }
}
