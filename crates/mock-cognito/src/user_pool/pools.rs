//! The control plane: pools, app clients, domains and groups.

use crate::shapes::cognito_idp::{
    AddCustomAttributesRequest, CreateGroupRequest, CreateGroupResponse,
    CreateUserPoolClientRequest, CreateUserPoolClientResponse, CreateUserPoolDomainRequest,
    CreateUserPoolDomainResponse, CreateUserPoolRequest, CreateUserPoolResponse,
    DeleteGroupRequest, DeleteUserPoolClientRequest, DeleteUserPoolDomainRequest,
    DeleteUserPoolRequest, DescribeUserPoolClientRequest, DescribeUserPoolClientResponse,
    DescribeUserPoolDomainRequest, DescribeUserPoolDomainResponse, DescribeUserPoolRequest,
    DescribeUserPoolResponse, DomainDescriptionType, DomainStatusType, ExplicitAuthFlowsType,
    FeatureType, GetGroupRequest, GetGroupResponse, GetSigningCertificateRequest,
    GetSigningCertificateResponse, GroupType, ListGroupsRequest, ListGroupsResponse,
    ListUserPoolClientsRequest, ListUserPoolClientsResponse, ListUserPoolsRequest,
    ListUserPoolsResponse, PasswordPolicyType, PreventUserExistenceErrorTypes, UpdateGroupRequest,
    UpdateGroupResponse, UpdateUserPoolClientRequest, UpdateUserPoolClientResponse,
    UpdateUserPoolDomainRequest, UpdateUserPoolDomainResponse, UpdateUserPoolRequest,
    UpdateUserPoolResponse, UserPoolClientDescription, UserPoolClientType, UserPoolDescriptionType,
    UserPoolMfaType, UserPoolType,
};
use crate::shapes::{Empty, Timestamp};

use super::sign_in_names::SignInNames;
use super::{AppClient, Context, Group, Pool, UserPools, client_not_found, pool_not_found};
use crate::error::{ApiError, ApiResult};
use crate::expiring::ExpiringMap;
use crate::jwt::SigningKey;
use crate::paging::paginate;
use crate::store::Tracked;

/// The flows an app client allows when ExplicitAuthFlows is not given.
pub(super) const DEFAULT_AUTH_FLOWS: [ExplicitAuthFlowsType; 3] = [
    ExplicitAuthFlowsType::AllowRefreshTokenAuth,
    ExplicitAuthFlowsType::AllowUserSrpAuth,
    ExplicitAuthFlowsType::AllowCustomAuth,
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
    /// A pool's policy, with Cognito's defaults for what is not set.
    pub(super) fn of(given: Option<&PasswordPolicyType>) -> Self {
        let flag = |v: Option<bool>| v.unwrap_or(true);
        PasswordPolicy {
            min_length: given
                .and_then(|p| p.minimum_length)
                .map_or(8, |n| n.max(0) as usize),
            require_uppercase: flag(given.and_then(|p| p.require_uppercase)),
            require_lowercase: flag(given.and_then(|p| p.require_lowercase)),
            require_numbers: flag(given.and_then(|p| p.require_numbers)),
            require_symbols: flag(given.and_then(|p| p.require_symbols)),
        }
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

impl Pool {
    /// DescribeUserPool's view: the settings, and what Cognito computes.
    fn describe(&self) -> UserPoolType {
        let mut v = self.settings.clone();
        v.id = Some(self.id.clone());
        v.arn = Some(self.arn());
        v.creation_date = Some(Timestamp::from_secs(self.created));
        v.last_modified_date = Some(Timestamp::from_secs(self.modified));
        // The password policy is shown whole, defaults included.
        let given = v.policies.as_ref().and_then(|p| p.password_policy.clone());
        let policy = PasswordPolicy::of(given.as_ref());
        let mut policies = v.policies.take().unwrap_or_default();
        policies.password_policy = Some(PasswordPolicyType {
            minimum_length: Some(policy.min_length as i32),
            require_uppercase: Some(policy.require_uppercase),
            require_lowercase: Some(policy.require_lowercase),
            require_numbers: Some(policy.require_numbers),
            require_symbols: Some(policy.require_symbols),
            temporary_password_validity_days: Some(
                given
                    .and_then(|p| p.temporary_password_validity_days)
                    .unwrap_or(7),
            ),
            password_history_size: None,
        });
        v.policies = Some(policies);
        v.estimated_number_of_users = Some(self.users.len().min(i32::MAX as usize) as i32);
        v.mfa_configuration.get_or_insert(UserPoolMfaType::Off);
        v.domain = self.domain.clone();
        v
    }
}

/// The settings of CreateUserPool, as DescribeUserPool shows them.
pub(super) fn settings_of_create(r: CreateUserPoolRequest) -> UserPoolType {
    UserPoolType {
        account_recovery_setting: r.account_recovery_setting,
        acr_configuration: r.acr_configuration,
        admin_create_user_config: r.admin_create_user_config,
        alias_attributes: r.alias_attributes,
        auto_verified_attributes: r.auto_verified_attributes,
        dcr_configuration: r.dcr_configuration,
        deletion_protection: r.deletion_protection,
        device_configuration: r.device_configuration,
        email_configuration: r.email_configuration,
        email_verification_message: r.email_verification_message,
        email_verification_subject: r.email_verification_subject,
        issuer_configuration: r.issuer_configuration,
        key_configuration: r.key_configuration,
        lambda_config: r.lambda_config,
        mfa_configuration: r.mfa_configuration,
        name: Some(r.pool_name),
        policies: r.policies,
        schema_attributes: Some(super::schema::whole_schema(r.schema.as_deref())),
        sms_authentication_message: r.sms_authentication_message,
        sms_configuration: r.sms_configuration,
        sms_verification_message: r.sms_verification_message,
        user_attribute_update_settings: r.user_attribute_update_settings,
        user_pool_add_ons: r.user_pool_add_ons,
        user_pool_tags: r.user_pool_tags,
        user_pool_tier: r.user_pool_tier,
        username_attributes: r.username_attributes,
        username_configuration: r.username_configuration,
        verification_message_template: r.verification_message_template,
        ..UserPoolType::default()
    }
}

impl AppClient {
    /// DescribeUserPoolClient's view, with Cognito's defaults shown.
    fn describe(&self, pool_id: &str) -> UserPoolClientType {
        let mut v = self.settings.clone();
        v.user_pool_id = Some(pool_id.to_owned());
        v.client_id = Some(self.id.clone());
        v.client_secret = self.first_secret().map(str::to_owned);
        v.creation_date = Some(Timestamp::from_secs(self.created));
        v.last_modified_date = Some(Timestamp::from_secs(self.modified));
        v.explicit_auth_flows = Some(self.auth_flows());
        v.prevent_user_existence_errors
            .get_or_insert(PreventUserExistenceErrorTypes::Legacy);
        v.enable_token_revocation.get_or_insert(true);
        v.refresh_token_validity.get_or_insert(30);
        v
    }

    /// Checks what Cognito checks of a client's settings.
    fn validate(settings: &UserPoolClientType) -> ApiResult<()> {
        let flows: Vec<&str> = settings
            .explicit_auth_flows
            .iter()
            .flatten()
            .map(|f| f.as_str())
            .collect();
        let new_style = flows.iter().any(|f| f.starts_with("ALLOW_"));
        let old_style = flows.iter().any(|f| !f.starts_with("ALLOW_"));
        if new_style && old_style {
            return Err(ApiError::invalid_parameter(
                "ExplicitAuthFlows can not have both ALLOW_XXX and XXX values.",
            ));
        }
        let rotation = settings
            .refresh_token_rotation
            .as_ref()
            .is_some_and(|r| r.feature == FeatureType::Enabled);
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
        let callbacks = settings.callback_urls.as_deref().unwrap_or_default();
        let logouts = settings.logout_urls.as_deref().unwrap_or_default();
        for url in callbacks.iter().chain(logouts) {
            if !crate::url_rules::is_allowed_redirect(url) {
                return Err(ApiError::invalid_parameter(format!(
                    "{url} is not a valid URL: use https, or http only for localhost"
                )));
            }
        }
        if let Some(default) = &settings.default_redirect_uri
            && !callbacks.contains(default)
        {
            return Err(ApiError::invalid_parameter(
                "DefaultRedirectURI must be one of the CallbackURLs",
            ));
        }
        Ok(())
    }
}

/// The stored settings from a CreateUserPoolClient or UpdateUserPoolClient
/// request: the two share every settable member but the name (required
/// on create, optional on update). Like Cognito, an update resets every
/// setting it does not name.
macro_rules! client_settings {
    ($r:ident, $client_name:expr) => {
        UserPoolClientType {
            access_token_validity: $r.access_token_validity,
            allowed_oauth_flows: $r.allowed_oauth_flows,
            allowed_oauth_flows_user_pool_client: $r.allowed_oauth_flows_user_pool_client,
            allowed_oauth_scopes: $r.allowed_oauth_scopes,
            analytics_configuration: $r.analytics_configuration,
            auth_session_validity: $r.auth_session_validity,
            callback_urls: $r.callback_urls,
            client_name: $client_name,
            default_redirect_uri: $r.default_redirect_uri,
            enable_propagate_additional_user_context_data: $r
                .enable_propagate_additional_user_context_data,
            enable_token_revocation: $r.enable_token_revocation,
            explicit_auth_flows: $r.explicit_auth_flows,
            id_token_validity: $r.id_token_validity,
            logout_urls: $r.logout_urls,
            prevent_user_existence_errors: $r.prevent_user_existence_errors,
            read_attributes: $r.read_attributes,
            refresh_token_rotation: $r.refresh_token_rotation,
            refresh_token_validity: $r.refresh_token_validity,
            supported_identity_providers: $r.supported_identity_providers,
            token_validity_units: $r.token_validity_units,
            write_attributes: $r.write_attributes,
            ..UserPoolClientType::default()
        }
    };
}

/// The settings of CreateUserPoolClient, as DescribeUserPoolClient shows them.
fn client_settings_of_create(r: CreateUserPoolClientRequest) -> UserPoolClientType {
    client_settings!(r, Some(r.client_name))
}

/// The settings of UpdateUserPoolClient.
pub(super) fn client_settings_of_update(r: UpdateUserPoolClientRequest) -> UserPoolClientType {
    client_settings!(r, r.client_name)
}

impl Group {
    pub(super) fn describe(&self, pool_id: &str) -> GroupType {
        GroupType {
            group_name: Some(self.name.clone()),
            user_pool_id: Some(pool_id.to_owned()),
            description: self.description.clone(),
            role_arn: self.role_arn.clone(),
            precedence: self.precedence,
            creation_date: Some(Timestamp::from_secs(self.created)),
            last_modified_date: Some(Timestamp::from_secs(self.modified)),
        }
    }
}

/// A List* page size: the request's, or Cognito's 60.
pub(super) fn page_size(requested: Option<i32>) -> usize {
    requested.filter(|n| *n > 0).map_or(60, |n| n as usize)
}

impl UserPools {
    /// CreateUserPool; `fixed_id` lets a seed file choose the id.
    pub(crate) fn create_user_pool(
        &mut self,
        input: CreateUserPoolRequest,
        fixed_id: Option<&str>,
        ctx: &Context<'_>,
    ) -> ApiResult<CreateUserPoolResponse> {
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
        super::schema::check_schema(input.schema.as_deref().unwrap_or_default(), &[])?;
        let both = input
            .username_attributes
            .as_ref()
            .is_some_and(|a| !a.is_empty())
            && input
                .alias_attributes
                .as_ref()
                .is_some_and(|a| !a.is_empty());
        if both {
            return Err(ApiError::invalid_parameter(
                "Only one of AliasAttributes or UsernameAttributes can be set in a User Pool",
            ));
        }
        let settings = settings_of_create(input);
        let durable = self.pools.is_tracking();
        let case_sensitive = settings
            .username_configuration
            .as_ref()
            .is_none_or(|c| c.case_sensitive);
        let pool = Pool {
            id: id.clone(),
            region,
            created: now,
            modified: now,
            settings,
            domain: None,
            clients: Tracked::new(durable),
            users: Tracked::new(durable),
            sign_in_names: SignInNames::new(case_sensitive),
            groups: Tracked::new(durable),
            sessions: ExpiringMap::new_tracking(durable),
            identity_providers: Tracked::new(durable),
            resource_servers: Tracked::new(durable),
            mfa: Default::default(),
            customizations: Default::default(),
            managed_login_version: None,
            import_jobs: Default::default(),
            terms: Default::default(),
            branding: Default::default(),
            replicas: Default::default(),
            cimd: Default::default(),
            cimd_clients: Default::default(),
            session_settings: Default::default(),
            sso_minutes: Default::default(),
            sessions_started: 0,
            id_key: std::sync::Arc::new(SigningKey::generate(ctx.rng, ctx.keys)),
            access_key: std::sync::Arc::new(SigningKey::generate(ctx.rng, ctx.keys)),
        };
        let out = CreateUserPoolResponse {
            user_pool: Some(pool.describe()),
        };
        self.pools.insert(id, pool);
        Ok(out)
    }

    pub(super) fn describe_user_pool(
        &self,
        input: DescribeUserPoolRequest,
    ) -> ApiResult<DescribeUserPoolResponse> {
        Ok(DescribeUserPoolResponse {
            user_pool: Some(self.pool(&input.user_pool_id)?.describe()),
        })
    }

    pub(super) fn list_user_pools(
        &self,
        input: ListUserPoolsRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<ListUserPoolsResponse> {
        let all: Vec<UserPoolDescriptionType> = self
            .pools
            .values()
            .filter(|p| p.region == ctx.region())
            .map(|p| UserPoolDescriptionType {
                id: Some(p.id.clone()),
                name: p.settings.name.clone(),
                lambda_config: p.settings.lambda_config.clone(),
                creation_date: Some(Timestamp::from_secs(p.created)),
                last_modified_date: Some(Timestamp::from_secs(p.modified)),
                ..Default::default()
            })
            .collect();
        let (page, next) = paginate(
            all,
            page_size(Some(input.max_results)),
            input.next_token.as_deref(),
        )?;
        Ok(ListUserPoolsResponse {
            user_pools: Some(page),
            next_token: next,
        })
    }

    pub(super) fn update_user_pool(
        &mut self,
        input: UpdateUserPoolRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<UpdateUserPoolResponse> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        let previous = pool.settings.clone();
        // UpdateUserPool resets what it does not name, as Cognito does; the
        // name may change, the sign-in attributes and schema cannot, and
        // tags (which tools set with TagResource) stay unless given.
        let kept = &pool.settings;
        pool.settings = UserPoolType {
            name: input.pool_name.or_else(|| kept.name.clone()),
            username_attributes: kept.username_attributes.clone(),
            alias_attributes: kept.alias_attributes.clone(),
            username_configuration: kept.username_configuration.clone(),
            schema_attributes: kept.schema_attributes.clone(),
            account_recovery_setting: input.account_recovery_setting,
            acr_configuration: input.acr_configuration,
            admin_create_user_config: input.admin_create_user_config,
            auto_verified_attributes: input.auto_verified_attributes,
            dcr_configuration: input.dcr_configuration,
            deletion_protection: input.deletion_protection,
            device_configuration: input.device_configuration,
            email_configuration: input.email_configuration,
            email_verification_message: input.email_verification_message,
            email_verification_subject: input.email_verification_subject,
            issuer_configuration: input.issuer_configuration,
            key_configuration: input.key_configuration,
            lambda_config: input.lambda_config,
            mfa_configuration: input.mfa_configuration,
            policies: input.policies,
            sms_authentication_message: input.sms_authentication_message,
            sms_configuration: input.sms_configuration,
            sms_verification_message: input.sms_verification_message,
            user_attribute_update_settings: input.user_attribute_update_settings,
            user_pool_add_ons: input.user_pool_add_ons,
            user_pool_tags: input.user_pool_tags.or_else(|| kept.user_pool_tags.clone()),
            user_pool_tier: input.user_pool_tier,
            verification_message_template: input.verification_message_template,
            ..UserPoolType::default()
        };
        if pool.mfa_mode() != UserPoolMfaType::Off && pool.mfa_factors().is_empty() {
            pool.settings = previous;
            return Err(ApiError::invalid_parameter(
                "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
            ));
        }
        pool.modified = ctx.clock.unix();
        Ok(UpdateUserPoolResponse {})
    }

    pub(super) fn add_custom_attributes(
        &mut self,
        input: AddCustomAttributesRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<Empty> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        pool.add_custom_attributes(&input.custom_attributes)?;
        pool.modified = ctx.clock.unix();
        Ok(Empty {})
    }

    pub(super) fn delete_user_pool(&mut self, input: DeleteUserPoolRequest) -> ApiResult<Empty> {
        let id = &input.user_pool_id;
        let protected = self.pool(id)?.settings.deletion_protection;
        if protected == Some(crate::shapes::cognito_idp::DeletionProtectionType::Active) {
            return Err(ApiError::invalid_parameter(
                "The user pool cannot be deleted because deletion protection is activated.",
            ));
        }
        let pool = self.pools.remove(id).ok_or_else(|| pool_not_found(id))?;
        self.client_index.retain(|_, p| p != &pool.id);
        self.domains.retain(|_, p| p != &pool.id);
        self.refresh_tokens.retain(|_, g| g.pool_id != pool.id);
        Ok(Empty {})
    }

    /// CreateUserPoolClient; `fixed` lets a seed file choose id and secret.
    pub(crate) fn create_user_pool_client(
        &mut self,
        input: CreateUserPoolClientRequest,
        fixed: Option<(&str, Option<&str>)>,
        ctx: &Context<'_>,
    ) -> ApiResult<CreateUserPoolClientResponse> {
        let pool_id = input.user_pool_id.clone();
        let given_secret = input.client_secret.clone();
        let generate = input.generate_secret.unwrap_or(false);
        let settings = client_settings_of_create(input);
        AppClient::validate(&settings)?;
        self.pool(&pool_id)?.check_oauth_settings(&settings)?;
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
                let secret = given_secret.or_else(|| generate.then(|| ctx.rng.client_secret()));
                (ctx.rng.client_id(), secret)
            }
        };
        let client = AppClient {
            id: id.clone(),
            secrets: secret
                .map(|s| super::client_secrets::ClientSecret::new(s, ctx))
                .into_iter()
                .collect(),
            created: now,
            modified: now,
            settings,
        };
        let out = CreateUserPoolClientResponse {
            user_pool_client: Some(client.describe(&pool_id)),
        };
        self.pool_mut(&pool_id)?.clients.insert(id.clone(), client);
        self.client_index.insert(id, pool_id);
        Ok(out)
    }

    fn pool_client(&self, pool_id: &str, client_id: &str) -> ApiResult<(&Pool, &AppClient)> {
        let pool = self.pool(pool_id)?;
        let client = pool
            .clients
            .get(client_id)
            .ok_or_else(|| client_not_found(client_id))?;
        Ok((pool, client))
    }

    pub(super) fn describe_user_pool_client(
        &self,
        input: DescribeUserPoolClientRequest,
    ) -> ApiResult<DescribeUserPoolClientResponse> {
        let (pool, client) = self.pool_client(&input.user_pool_id, &input.client_id)?;
        Ok(DescribeUserPoolClientResponse {
            user_pool_client: Some(client.describe(&pool.id)),
        })
    }

    pub(super) fn list_user_pool_clients(
        &self,
        input: ListUserPoolClientsRequest,
    ) -> ApiResult<ListUserPoolClientsResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let all: Vec<UserPoolClientDescription> = pool
            .clients
            .values()
            .map(|c| UserPoolClientDescription {
                client_id: Some(c.id.clone()),
                user_pool_id: Some(pool.id.clone()),
                client_name: c.settings.client_name.clone(),
            })
            .collect();
        let (page, next) = paginate(
            all,
            page_size(input.max_results),
            input.next_token.as_deref(),
        )?;
        Ok(ListUserPoolClientsResponse {
            user_pool_clients: Some(page),
            next_token: next,
        })
    }

    pub(super) fn update_user_pool_client(
        &mut self,
        input: UpdateUserPoolClientRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<UpdateUserPoolClientResponse> {
        let (pool_id, client_id) = (input.user_pool_id.clone(), input.client_id.clone());
        let (_, current) = self.pool_client(&pool_id, &client_id)?;
        let mut settings = client_settings_of_update(input);
        // The name stays when the update does not give one.
        if settings.client_name.is_none() {
            settings.client_name = current.settings.client_name.clone();
        }
        AppClient::validate(&settings)?;
        let pool = self.pool_mut(&pool_id)?;
        pool.check_oauth_settings(&settings)?;
        let client = pool
            .clients
            .get_mut(&client_id)
            .ok_or_else(|| client_not_found(&client_id))?;
        client.settings = settings;
        client.modified = ctx.clock.unix();
        let out = client.describe(&pool_id);
        // CIMD clients follow their app client's settings.
        pool.rebuild_cimd_clients();
        Ok(UpdateUserPoolClientResponse {
            user_pool_client: Some(out),
        })
    }

    pub(super) fn delete_user_pool_client(
        &mut self,
        input: DeleteUserPoolClientRequest,
    ) -> ApiResult<Empty> {
        self.pool_client(&input.user_pool_id, &input.client_id)?;
        let client_id = &input.client_id;
        let pool = self.pool_mut(&input.user_pool_id)?;
        pool.clients.remove(client_id);
        // Its terms documents go with it.
        pool.terms.retain(|_, t| t.client_id() != client_id);
        pool.branding.retain(|_, b| b.client_id() != client_id);
        pool.rebuild_cimd_clients();
        pool.sso_minutes.remove(client_id);
        self.client_index.remove(client_id);
        self.refresh_tokens.retain(|_, g| &g.client_id != client_id);
        Ok(Empty {})
    }

    pub(crate) fn create_user_pool_domain(
        &mut self,
        input: CreateUserPoolDomainRequest,
    ) -> ApiResult<CreateUserPoolDomainResponse> {
        let domain = input.domain;
        let pool_id = input.user_pool_id;
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
        let version = input.managed_login_version.unwrap_or(1);
        if !(1..=2).contains(&version) {
            return Err(ApiError::invalid_parameter(
                "ManagedLoginVersion must be 1 (the classic hosted UI) or 2 (managed login)",
            ));
        }
        pool.domain = Some(domain.clone());
        pool.managed_login_version = Some(version);
        self.domains.insert(domain, pool_id);
        Ok(CreateUserPoolDomainResponse {
            managed_login_version: Some(version),
            ..CreateUserPoolDomainResponse::default()
        })
    }

    /// UpdateUserPoolDomain: the managed-login version of the pool's domain.
    pub(super) fn update_user_pool_domain(
        &mut self,
        input: UpdateUserPoolDomainRequest,
    ) -> ApiResult<UpdateUserPoolDomainResponse> {
        if self.domains.get(&input.domain) != Some(&input.user_pool_id) {
            return Err(ApiError::invalid_parameter(format!(
                "No such domain or user pool exists: {}",
                input.domain
            )));
        }
        let pool = self.pool_mut(&input.user_pool_id)?;
        if let Some(version) = input.managed_login_version {
            if !(1..=2).contains(&version) {
                return Err(ApiError::invalid_parameter(
                    "ManagedLoginVersion must be 1 (the classic hosted UI) or 2 (managed login)",
                ));
            }
            pool.managed_login_version = Some(version);
        }
        Ok(UpdateUserPoolDomainResponse {
            managed_login_version: pool.managed_login_version,
            ..UpdateUserPoolDomainResponse::default()
        })
    }

    pub(super) fn describe_user_pool_domain(
        &self,
        input: DescribeUserPoolDomainRequest,
    ) -> ApiResult<DescribeUserPoolDomainResponse> {
        let domain = input.domain;
        // An unknown domain is an empty description, not an error, in Cognito.
        let Some(pool_id) = self.domains.get(&domain) else {
            return Ok(DescribeUserPoolDomainResponse {
                domain_description: Some(DomainDescriptionType::default()),
            });
        };
        let version = self.pool(pool_id)?.managed_login_version.unwrap_or(1);
        Ok(DescribeUserPoolDomainResponse {
            domain_description: Some(DomainDescriptionType {
                user_pool_id: Some(pool_id.clone()),
                aws_account_id: Some("000000000000".to_owned()),
                domain: Some(domain),
                status: Some(DomainStatusType::Active),
                version: Some("1".to_owned()),
                managed_login_version: Some(version),
                ..Default::default()
            }),
        })
    }

    pub(super) fn delete_user_pool_domain(
        &mut self,
        input: DeleteUserPoolDomainRequest,
    ) -> ApiResult<Empty> {
        let (domain, pool_id) = (input.domain, input.user_pool_id);
        if self.domains.get(&domain) != Some(&pool_id) {
            return Err(ApiError::invalid_parameter(format!(
                "No such domain or user pool exists: {domain}"
            )));
        }
        self.domains.remove(&domain);
        self.pool_mut(&pool_id)?.domain = None;
        Ok(Empty {})
    }

    pub(crate) fn create_group(
        &mut self,
        input: CreateGroupRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<CreateGroupResponse> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        if pool.groups.contains_key(&input.group_name) {
            return Err(ApiError::new(
                "GroupExistsException",
                "A group with the name already exists.",
            ));
        }
        let now = ctx.clock.unix();
        let group = Group {
            name: input.group_name.clone(),
            description: input.description,
            role_arn: input.role_arn,
            precedence: input.precedence,
            created: now,
            modified: now,
        };
        let out = CreateGroupResponse {
            group: Some(group.describe(&pool.id)),
        };
        pool.groups.insert(input.group_name, group);
        Ok(out)
    }

    fn group(&self, pool_id: &str, name: &str) -> ApiResult<(&Pool, &Group)> {
        let pool = self.pool(pool_id)?;
        let group = pool.groups.get(name).ok_or_else(|| group_not_found(name))?;
        Ok((pool, group))
    }

    pub(super) fn get_group(&self, input: GetGroupRequest) -> ApiResult<GetGroupResponse> {
        let (pool, group) = self.group(&input.user_pool_id, &input.group_name)?;
        Ok(GetGroupResponse {
            group: Some(group.describe(&pool.id)),
        })
    }

    /// The pool's signing certificate for SAML providers: self-signed for
    /// the key that signs its ID tokens, valid ten years from the pool's
    /// creation, the same on every call (and, with a data dir, after a
    /// restart).
    pub(super) fn get_signing_certificate(
        &self,
        input: GetSigningCertificateRequest,
    ) -> ApiResult<GetSigningCertificateResponse> {
        use base64::Engine;
        let pool = self.pool(&input.user_pool_id)?;
        let der = pool
            .id_key
            .self_signed_certificate(&pool.id, pool.created)
            .map_err(|e| ApiError::new("InternalErrorException", e))?;
        Ok(GetSigningCertificateResponse {
            certificate: Some(base64::engine::general_purpose::STANDARD.encode(der)),
        })
    }

    pub(super) fn list_groups(&self, input: ListGroupsRequest) -> ApiResult<ListGroupsResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let all: Vec<GroupType> = pool.groups.values().map(|g| g.describe(&pool.id)).collect();
        let (page, next) = paginate(all, page_size(input.limit), input.next_token.as_deref())?;
        Ok(ListGroupsResponse {
            groups: Some(page),
            next_token: next,
        })
    }

    pub(super) fn update_group(
        &mut self,
        input: UpdateGroupRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<UpdateGroupResponse> {
        self.group(&input.user_pool_id, &input.group_name)?;
        let pool = self.pool_mut(&input.user_pool_id)?;
        let group = pool
            .groups
            .get_mut(&input.group_name)
            .ok_or_else(|| group_not_found(&input.group_name))?;
        if let Some(d) = input.description {
            group.description = Some(d);
        }
        if let Some(r) = input.role_arn {
            group.role_arn = Some(r);
        }
        if let Some(p) = input.precedence {
            group.precedence = Some(p);
        }
        group.modified = ctx.clock.unix();
        Ok(UpdateGroupResponse {
            group: Some(group.describe(&pool.id)),
        })
    }

    pub(super) fn delete_group(&mut self, input: DeleteGroupRequest) -> ApiResult<Empty> {
        self.group(&input.user_pool_id, &input.group_name)?;
        let pool = self.pool_mut(&input.user_pool_id)?;
        pool.groups.remove(&input.group_name);
        for user in pool.users.values_mut() {
            user.groups.remove(&input.group_name);
        }
        Ok(Empty {})
    }
}

pub(super) fn group_not_found(name: &str) -> ApiError {
    ApiError::resource_not_found(format!("Group {name} not found."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn default_policy_messages() {
        let p = PasswordPolicy::of(None);
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
        use crate::shapes::Operation;
        use crate::shapes::cognito_idp::ops::CreateUserPoolClient;
        let ok = |mut v: Value| {
            v["UserPoolId"] = json!("us-east-1_Abc");
            v["ClientName"] = json!("c");
            let input = CreateUserPoolClient::parse_input(&v).unwrap();
            AppClient::validate(&client_settings_of_create(input))
        };
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
