//! User pools (`AWSCognitoIdentityProviderService.*`).
//!
//! - `pools`: pools, app clients, domains and groups (the control plane);
//! - `users`: admin user management and listing;
//! - `self_service`: sign-up, password reset and the access-token calls;
//! - `auth`: InitiateAuth / RespondToAuthChallenge (and Admin variants);
//! - `tokens`: ID, access and refresh tokens, and checking them.

mod ahead;
mod auth;
mod auth_events;
mod auth_factors;
mod branding;
mod cimd;
mod client_secrets;
mod custom_auth;
mod customization;
mod devices;
mod durable;
mod import;
mod links;
mod messages;
mod mfa;
mod oauth;
mod page_mfa;
mod passkeys;
mod pools;
mod providers;
mod replicas;
mod schema;
mod self_service;
mod sessions;
mod sign_in_names;
mod tags;
mod terms;
mod token_exchange;
mod tokens;
mod totp;
mod trigger_events;
mod user_auth;
mod users;
mod verification;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cognito_srp::{Password, PoolName, Verifier};
use serde_json::{Value, json};

use crate::clock::Clock;
use crate::error::{ApiError, ApiResult};
use crate::expiring::ExpiringMap;
use crate::jwt::SigningKey;
use crate::shapes::cognito_idp::{
    AttributeType, ExplicitAuthFlowsType, FeatureType, OAuthFlowType,
    PreventUserExistenceErrorTypes, TimeUnitsType, UserPoolClientType, UserPoolRequest,
    UserPoolType, UserStatusType,
};
use crate::store::Tracked;

pub use auth::{AuthReply, AuthStep};
pub use cimd::{CimdLookup, check_client_id_url, parse_document};
pub use import::{MAX_IMPORT_CSV_BYTES, UploadRefusal};
pub use oauth::{
    AuthorizeError, AuthorizeParams, BROWSER_SESSION_SECS, OAuthError, PagePassword,
    ProviderIdentity, SelfServicePages, TokenGrant, ValidAuthorize, constant_time_eq,
};
pub use page_mfa::PageChallenge;
pub use pools::PasswordPolicy;
pub(crate) use providers::ProviderApp;
pub use token_exchange::TOKEN_EXCHANGE_GRANT;
pub use tokens::verify_id_token;
pub(crate) use trigger_events::{Confirmation, FederationTrigger, refusal_ahead};

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
    /// With a data dir, this map and every map of each pool track their
    /// changes for `durable::take_changes`.
    pools: Tracked<String, Pool>,
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
    /// (pool, user) → an open passkey registration.
    pending_passkeys: ExpiringMap<(String, String), passkeys::PendingRegistration>,
}

/// A verification code the mock "sent" (it is only logged and kept here).
#[derive(Debug, Clone, serde::Serialize)]
pub struct CodeRecord {
    /// The pool.
    pub user_pool_id: String,
    /// The internal username.
    pub username: String,
    /// What the code is for.
    pub purpose: CodePurpose,
    /// The code.
    pub code: String,
    /// Where a real pool would have sent it.
    pub destination: String,
    /// The email's subject (from the pool's template or CustomMessage).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The message the code went out in, the code filled in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// What a code the mock "sent" is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CodePurpose {
    /// Confirming a sign-up (ConfirmSignUp).
    SignUp,
    /// Resetting a password (ConfirmForgotPassword).
    ForgotPassword,
    /// AdminCreateUser's invitation: a generated temporary password, which
    /// is never printed.
    Invitation,
    /// A sign-in's SMS_MFA code.
    SmsMfa,
    /// A sign-in's EMAIL_OTP code (second factor or passwordless).
    EmailOtp,
    /// A passwordless sign-in's SMS_OTP code.
    SmsOtp,
    /// Verifying an email address (VerifyUserAttribute).
    VerifyEmail,
    /// Verifying a phone number (VerifyUserAttribute).
    VerifyPhoneNumber,
}

impl CodePurpose {
    /// The name the codes route and the log use.
    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::SignUp => "SIGN_UP",
            CodePurpose::ForgotPassword => "FORGOT_PASSWORD",
            CodePurpose::Invitation => "INVITATION",
            CodePurpose::SmsMfa => "SMS_MFA",
            CodePurpose::EmailOtp => "EMAIL_OTP",
            CodePurpose::SmsOtp => "SMS_OTP",
            CodePurpose::VerifyEmail => "VERIFY_EMAIL",
            CodePurpose::VerifyPhoneNumber => "VERIFY_PHONE_NUMBER",
        }
    }
}

impl PartialEq<&str> for CodePurpose {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
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
    /// What CreateUserPool / UpdateUserPool set, as DescribeUserPool shows
    /// it (the computed members, id, ARN, dates, domain, user count, are
    /// filled in when it is shown).
    settings: UserPoolType,
    domain: Option<String>,
    clients: Tracked<String, AppClient>,
    /// Keyed by internal username. Added and removed only through
    /// `add_user`/`remove_user`, and attributes changed only through
    /// `set_attributes`, which keep `sign_in_names` in step.
    users: Tracked<String, User>,
    /// Usernames and sign-in attribute values → users.
    sign_in_names: sign_in_names::SignInNames,
    groups: Tracked<String, Group>,
    /// origin_jti → sign-in session, until its last token expires.
    sessions: ExpiringMap<String, tokens::SignInSession>,
    /// Federated identity providers by ProviderName.
    identity_providers: Tracked<String, providers::IdentityProvider>,
    /// Resource servers by Identifier.
    resource_servers: Tracked<String, providers::ResourceServer>,
    /// The second factors SetUserPoolMfaConfig set.
    mfa: mfa::PoolMfa,
    /// UI customizations and risk configurations, by client.
    customizations: customization::Customizations,
    /// The domain's ManagedLoginVersion (1: the classic hosted UI).
    managed_login_version: Option<i32>,
    /// User import jobs by JobId.
    import_jobs: BTreeMap<String, import::ImportJob>,
    /// Terms documents by TermsId.
    terms: BTreeMap<String, terms::Terms>,
    /// Managed-login branding styles by ManagedLoginBrandingId.
    branding: BTreeMap<String, branding::Branding>,
    /// Secondary replicas by region (Multi-Region replication).
    replicas: BTreeMap<String, replicas::Replica>,
    /// CIMD policies by CIMDPolicyId, with their cached documents.
    cimd: BTreeMap<String, cimd::CimdPolicy>,
    /// The clients cached CIMD documents stand for, by URL (derived from
    /// `cimd` and `clients`; not stored).
    cimd_clients: HashMap<String, AppClient>,
    /// Session tracking (SetUserPoolSessionConfiguration).
    session_settings: sessions::SessionSettings,
    /// App clients' SSO MaxValidityMinutes, where set.
    sso_minutes: BTreeMap<String, i32>,
    /// Sign-ins started since the mock started: orders sessions begun in
    /// the same second (not stored; loaded sessions are older anyway).
    sessions_started: u64,
    /// ID tokens and access tokens are signed with different keys, as Cognito does.
    id_key: std::sync::Arc<SigningKey>,
    access_key: std::sync::Arc<SigningKey>,
}

#[derive(Debug)]
struct AppClient {
    id: String,
    /// Its secrets (none for a public client), oldest first.
    secrets: Vec<client_secrets::ClientSecret>,
    created: i64,
    modified: i64,
    /// What Create/UpdateUserPoolClient set, as DescribeUserPoolClient
    /// shows it (id, secret and dates filled in when shown).
    settings: UserPoolClientType,
}

#[derive(Debug, Clone)]
struct Group {
    name: String,
    description: Option<String>,
    role_arn: Option<String>,
    precedence: Option<i32>,
    created: i64,
    modified: i64,
}

#[derive(Debug)]
struct User {
    username: String,
    sub: String,
    /// Attributes other than `sub`.
    attributes: BTreeMap<String, String>,
    status: UserStatusType,
    enabled: bool,
    /// SRP salt and verifier: the password itself is never stored.
    verifier: Verifier,
    groups: BTreeSet<String>,
    /// Second factors and the preferred one.
    mfa: mfa::UserMfa,
    /// New email or phone number values kept aside until verified (the
    /// pool's UserAttributeUpdateSettings).
    pending_attributes: BTreeMap<String, String>,
    /// When an administrator last set the password (a temporary one
    /// expires TemporaryPasswordValidityDays after).
    password_set_at: i64,
    /// The verifiers of earlier passwords, newest first, as many as the
    /// pool's PasswordHistorySize needs (the current one aside).
    password_history: Vec<Verifier>,
    /// Threat protection's event history, newest first.
    auth_events: Vec<auth_events::AuthEvent>,
    /// Devices issued to the user's sign-ins, and the device group key.
    devices: devices::UserDevices,
    /// Registered passkeys.
    passkeys: Vec<passkeys::Passkey>,
    /// Signed up without a password (choice-based sign-in's passwordless
    /// factors): the verifier is for a secret nobody knows until a
    /// password is set.
    passwordless: bool,
    failed_sign_ins: u32,
    locked_until: i64,
    /// A pending confirmation code (sign-up or password reset), what it
    /// is for and its expiry.
    code: Option<(String, CodePurpose, i64)>,
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
    /// verifiers made, triggers run), if anything.
    pub ahead: Option<&'a crate::ahead::WorkAhead>,
    /// Where Lambda triggers run.
    pub triggers: &'a crate::triggers::Triggers,
    /// The key custom sender triggers' codes are encrypted under.
    pub(crate) kms: &'a crate::kms::LocalKms,
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
    /// Runs one operation other than sign-in, which runs in phases around
    /// the lock (`crate::ops::user_pool`): the typed request in, its typed
    /// output as JSON out (the one place the output becomes JSON).
    pub fn handle(&mut self, request: UserPoolRequest, ctx: &Context<'_>) -> ApiResult<Value> {
        use UserPoolRequest as R;
        fn out<T: serde::Serialize>(r: ApiResult<T>) -> ApiResult<Value> {
            r.and_then(crate::shapes::output_json)
        }
        match request {
            R::CreateUserPool(i) => out(self.create_user_pool(i, None, ctx)),
            R::DescribeUserPool(i) => out(self.describe_user_pool(i)),
            R::ListUserPools(i) => out(self.list_user_pools(i, ctx)),
            R::UpdateUserPool(i) => out(self.update_user_pool(i, ctx)),
            R::DeleteUserPool(i) => out(self.delete_user_pool(i)),
            R::CreateUserPoolClient(i) => out(self.create_user_pool_client(i, None, ctx)),
            R::DescribeUserPoolClient(i) => out(self.describe_user_pool_client(i)),
            R::ListUserPoolClients(i) => out(self.list_user_pool_clients(i)),
            R::UpdateUserPoolClient(i) => out(self.update_user_pool_client(i, ctx)),
            R::DeleteUserPoolClient(i) => out(self.delete_user_pool_client(i)),
            R::CreateUserPoolDomain(i) => out(self.create_user_pool_domain(i)),
            R::DescribeUserPoolDomain(i) => out(self.describe_user_pool_domain(i)),
            R::DeleteUserPoolDomain(i) => out(self.delete_user_pool_domain(i)),
            R::CreateGroup(i) => out(self.create_group(i, ctx)),
            R::GetGroup(i) => out(self.get_group(i)),
            R::ListGroups(i) => out(self.list_groups(i)),
            R::UpdateGroup(i) => out(self.update_group(i, ctx)),
            R::DeleteGroup(i) => out(self.delete_group(i)),
            R::CreateIdentityProvider(i) => out(self.create_identity_provider(i, ctx)),
            R::DescribeIdentityProvider(i) => out(self.describe_identity_provider(i)),
            R::GetIdentityProviderByIdentifier(i) => {
                out(self.get_identity_provider_by_identifier(i))
            }
            R::ListIdentityProviders(i) => out(self.list_identity_providers(i)),
            R::UpdateIdentityProvider(i) => out(self.update_identity_provider(i, ctx)),
            R::DeleteIdentityProvider(i) => out(self.delete_identity_provider(i)),
            R::CreateResourceServer(i) => out(self.create_resource_server(i)),
            R::DescribeResourceServer(i) => out(self.describe_resource_server(i)),
            R::ListResourceServers(i) => out(self.list_resource_servers(i)),
            R::UpdateResourceServer(i) => out(self.update_resource_server(i)),
            R::DeleteResourceServer(i) => out(self.delete_resource_server(i)),
            R::AdminCreateUser(i) => out(self.admin_create_user(i, ctx)),
            R::AdminSetUserPassword(i) => out(self.admin_set_user_password(i, ctx)),
            R::AdminGetUser(i) => out(self.admin_get_user(i)),
            R::AdminDeleteUser(i) => out(self.admin_delete_user(i)),
            R::AdminDisableUser(i) => {
                out(self.admin_set_enabled(&i.user_pool_id, &i.username, false, ctx))
            }
            R::AdminEnableUser(i) => {
                out(self.admin_set_enabled(&i.user_pool_id, &i.username, true, ctx))
            }
            R::AdminUpdateUserAttributes(i) => out(self.admin_update_user_attributes(i, ctx)),
            R::AdminDeleteUserAttributes(i) => out(self.admin_delete_user_attributes(i, ctx)),
            R::AdminConfirmSignUp(i) => out(self.admin_confirm_sign_up(i, ctx)),
            R::AdminAddUserToGroup(i) => out(self.admin_add_user_to_group(i)),
            R::AdminRemoveUserFromGroup(i) => out(self.admin_remove_user_from_group(i)),
            R::AdminListGroupsForUser(i) => out(self.admin_list_groups_for_user(i)),
            R::ListUsersInGroup(i) => out(self.list_users_in_group(i)),
            R::ListUsers(i) => out(self.list_users(i)),
            R::AdminUserGlobalSignOut(i) => out(self.admin_user_global_sign_out(i)),
            R::SignUp(i) => out(self.sign_up(i, ctx)),
            R::ConfirmSignUp(i) => out(self.confirm_sign_up(i, ctx)),
            R::ResendConfirmationCode(i) => out(self.resend_confirmation_code(i, ctx)),
            R::ForgotPassword(i) => out(self.forgot_password(i, ctx)),
            R::ConfirmForgotPassword(i) => out(self.confirm_forgot_password(i, ctx)),
            R::ChangePassword(i) => out(self.change_password(i, ctx)),
            R::GetUser(i) => out(self.get_user(i, ctx)),
            R::UpdateUserAttributes(i) => out(self.update_user_attributes(i, ctx)),
            R::DeleteUser(i) => out(self.delete_user(i, ctx)),
            R::DeleteUserAttributes(i) => out(self.delete_user_attributes(i, ctx)),
            R::GlobalSignOut(i) => out(self.global_sign_out(i, ctx)),
            R::RevokeToken(i) => out(self.revoke_token(i, ctx)),
            R::GetUserPoolMfaConfig(i) => out(self.get_user_pool_mfa_config(i)),
            R::SetUserPoolMfaConfig(i) => out(self.set_user_pool_mfa_config(i, ctx)),
            R::AssociateSoftwareToken(i) => out(self.associate_software_token(i, ctx)),
            R::VerifySoftwareToken(i) => out(self.verify_software_token(i, ctx)),
            R::SetUserMFAPreference(i) => out(self.set_user_mfa_preference(i, ctx)),
            R::AdminSetUserMFAPreference(i) => out(self.admin_set_user_mfa_preference(i, ctx)),
            R::SetUserSettings(i) => out(self.set_user_settings(i, ctx)),
            R::AdminSetUserSettings(i) => out(self.admin_set_user_settings(i, ctx)),
            R::AdminDeleteSoftwareToken(i) => out(self.admin_delete_software_token(i, ctx)),
            R::GetUserAttributeVerificationCode(i) => {
                out(self.get_user_attribute_verification_code(i, ctx))
            }
            R::VerifyUserAttribute(i) => out(self.verify_user_attribute(i, ctx)),
            R::AddCustomAttributes(i) => out(self.add_custom_attributes(i, ctx)),
            R::TagResource(i) => out(self.tag_resource(i)),
            R::UntagResource(i) => out(self.untag_resource(i)),
            R::ListTagsForResource(i) => out(self.list_tags_for_resource(i)),
            R::AdminResetUserPassword(i) => out(self.admin_reset_user_password(i, ctx)),
            R::SetUICustomization(i) => out(self.set_ui_customization(i, ctx)),
            R::GetUICustomization(i) => out(self.get_ui_customization(i, ctx)),
            R::SetRiskConfiguration(i) => out(self.set_risk_configuration(i, ctx)),
            R::DescribeRiskConfiguration(i) => out(self.describe_risk_configuration(i)),
            R::UpdateUserPoolDomain(i) => out(self.update_user_pool_domain(i)),
            R::SetLogDeliveryConfiguration(i) => out(self.set_log_delivery_configuration(i, ctx)),
            R::AdminLinkProviderForUser(i) => {
                out(self.admin_link_provider_for_user(i, ctx.clock.unix()))
            }
            R::AdminDisableProviderForUser(i) => {
                out(self.admin_disable_provider_for_user(i, ctx.clock.unix()))
            }
            R::GetLogDeliveryConfiguration(i) => out(self.get_log_delivery_configuration(i)),
            R::GetSigningCertificate(i) => out(self.get_signing_certificate(i)),
            R::AddUserPoolClientSecret(i) => out(self.add_user_pool_client_secret(i, ctx)),
            R::ListUserPoolClientSecrets(i) => out(self.list_user_pool_client_secrets(i)),
            R::DeleteUserPoolClientSecret(i) => out(self.delete_user_pool_client_secret(i, ctx)),
            R::GetCSVHeader(i) => out(self.get_csv_header(i)),
            R::CreateManagedLoginBranding(i) => self.create_managed_login_branding(i, ctx),
            R::UpdateManagedLoginBranding(i) => self.update_managed_login_branding(i, ctx),
            R::DescribeManagedLoginBranding(i) => self.describe_managed_login_branding(i),
            R::DescribeManagedLoginBrandingByClient(i) => {
                self.describe_managed_login_branding_by_client(i)
            }
            R::DeleteManagedLoginBranding(i) => out(self.delete_managed_login_branding(i, ctx)),
            R::AdminListUserAuthEvents(i) => self.admin_list_user_auth_events(i),
            R::AdminUpdateAuthEventFeedback(i) => {
                out(self.admin_update_auth_event_feedback(i, ctx))
            }
            R::StartWebAuthnRegistration(i) => out(self.start_web_authn_registration(i, ctx)),
            R::CompleteWebAuthnRegistration(i) => out(self.complete_web_authn_registration(i, ctx)),
            R::ListWebAuthnCredentials(i) => out(self.list_web_authn_credentials(i, ctx)),
            R::DeleteWebAuthnCredential(i) => out(self.delete_web_authn_credential(i, ctx)),
            R::GetUserAuthFactors(i) => out(self.get_user_auth_factors(i, ctx)),
            R::AdminGetUserAuthFactors(i) => out(self.admin_get_user_auth_factors(i)),
            R::GetUserPoolSessionConfiguration(i) => {
                out(self.get_user_pool_session_configuration(i))
            }
            R::SetUserPoolSessionConfiguration(i) => {
                out(self.set_user_pool_session_configuration(i, ctx))
            }
            R::GetUserPoolClientSessionConfiguration(i) => {
                out(self.get_user_pool_client_session_configuration(i))
            }
            R::SetUserPoolClientSessionConfiguration(i) => {
                out(self.set_user_pool_client_session_configuration(i, ctx))
            }
            R::ListUserSessions(i) => out(self.list_user_sessions(i, ctx)),
            R::AdminListUserSessions(i) => out(self.admin_list_user_sessions(i, ctx)),
            R::RevokeUserSession(i) => out(self.revoke_user_session(i, ctx)),
            R::AdminRevokeUserSession(i) => out(self.admin_revoke_user_session(i, ctx)),
            R::ConfirmDevice(i) => out(self.confirm_device(i, ctx)),
            R::GetDevice(i) => out(self.get_device(i, ctx)),
            R::AdminGetDevice(i) => out(self.admin_get_device(i)),
            R::ListDevices(i) => out(self.list_devices(i, ctx)),
            R::AdminListDevices(i) => out(self.admin_list_devices(i)),
            R::UpdateDeviceStatus(i) => out(self.update_device_status(i, ctx)),
            R::AdminUpdateDeviceStatus(i) => out(self.admin_update_device_status(i, ctx)),
            R::ForgetDevice(i) => out(self.forget_device(i, ctx)),
            R::AdminForgetDevice(i) => out(self.admin_forget_device(i)),
            R::CreateCIMDPolicy(i) => out(self.create_cimd_policy(i, ctx)),
            R::UpdateCIMDPolicy(i) => out(self.update_cimd_policy(i, ctx)),
            R::DeleteCIMDPolicy(i) => out(self.delete_cimd_policy(i, ctx)),
            R::DescribeCIMDPolicy(i) => out(self.describe_cimd_policy(i)),
            R::ListCIMDPolicies(i) => out(self.list_cimd_policies(i)),
            R::ListClientMetadataURLs(i) => out(self.list_client_metadata_urls(i)),
            R::UpdateClientMetadataURLState(i) => {
                out(self.update_client_metadata_url_state(i, ctx))
            }
            R::CreateUserPoolReplica(i) => out(self.create_user_pool_replica(i, ctx)),
            R::UpdateUserPoolReplica(i) => out(self.update_user_pool_replica(i, ctx)),
            R::DeleteUserPoolReplica(i) => out(self.delete_user_pool_replica(i, ctx)),
            R::ListUserPoolReplicas(i) => out(self.list_user_pool_replicas(i)),
            R::CreateTerms(i) => out(self.create_terms(i, ctx)),
            R::UpdateTerms(i) => out(self.update_terms(i, ctx)),
            R::DescribeTerms(i) => out(self.describe_terms(i)),
            R::DescribeTermsByClient(i) => out(self.describe_terms_by_client(i)),
            R::ListTerms(i) => out(self.list_terms(i)),
            R::DeleteTerms(i) => out(self.delete_terms(i, ctx)),
            R::CreateUserImportJob(i) => out(self.create_user_import_job(i, ctx)),
            R::StartUserImportJob(i) => out(self.start_user_import_job(i, ctx)),
            R::StopUserImportJob(i) => out(self.stop_user_import_job(i, ctx)),
            R::DescribeUserImportJob(i) => out(self.describe_user_import_job(i, ctx)),
            R::ListUserImportJobs(i) => out(self.list_user_import_jobs(i, ctx)),
            other => Err(ApiError::new(
                "UnsupportedOperationException",
                format!(
                    "{} is a valid Cognito operation that this mock does not implement yet",
                    other.operation().name()
                ),
            )),
        }
    }

    /// The pool (id, region) of an app client.
    pub(crate) fn pool_of_client(&self, client_id: &str) -> Option<(String, String)> {
        let pool_id = self.client_index.get(client_id)?;
        self.pools
            .get(pool_id)
            .map(|p| (p.id.clone(), p.region.clone()))
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
        self.pools
            .values()
            .map(|p| PoolSummary {
                id: p.id.clone(),
                name: p.settings.name.clone().unwrap_or_default(),
                domain: p.domain.clone(),
                clients: p
                    .clients
                    .values()
                    .map(|c| ClientSummary {
                        id: c.id.clone(),
                        name: c.settings.client_name.clone().unwrap_or_default(),
                        has_secret: c.has_secret(),
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
        if client_id.starts_with("https://") {
            // A CIMD client: the pool whose cache holds its document.
            return self
                .pools
                .values()
                .find_map(|p| Some((p, p.cimd_client(client_id)?)))
                .ok_or_else(|| client_not_found(client_id));
        }
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
    fn deliver_code(&mut self, record: CodeRecord, expires: i64, ctx: &Context<'_>) {
        eprintln!(
            "mock-cognito: {} code for {} in {}: {}",
            record.purpose.as_str(),
            record.username,
            record.user_pool_id,
            record.code
        );
        self.record_secret(record, expires, ctx);
    }

    /// Keeps a one-time value for the loopback-only `/_mock/codes` route,
    /// for as long as it can be used.
    fn record_secret(&mut self, record: CodeRecord, expires: i64, ctx: &Context<'_>) {
        let now = ctx.clock.unix();
        self.codes_delivered += 1;
        // For CustomMessage, which runs once the operation is done.
        if let Some(ahead) = ctx.ahead {
            ahead.note_delivered(self.codes_delivered);
        }
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
        status: UserStatusType,
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
            mfa: mfa::UserMfa::default(),
            pending_attributes: BTreeMap::new(),
            password_set_at: now,
            password_history: Vec::new(),
            auth_events: Vec::new(),
            devices: Default::default(),
            passkeys: Vec::new(),
            passwordless: false,
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

    /// `UsernameAttributes`: email and/or phone_number sign-in, with a UUID
    /// as the internal username.
    fn username_attributes(&self) -> Vec<&'static str> {
        self.settings
            .username_attributes
            .iter()
            .flatten()
            .map(|a| a.as_str())
            .collect()
    }

    /// `AliasAttributes`: a verified email or phone number, or any
    /// preferred_username, signs in too.
    fn alias_attributes(&self) -> Vec<&'static str> {
        self.settings
            .alias_attributes
            .iter()
            .flatten()
            .map(|a| a.as_str())
            .collect()
    }

    /// AdminCreateUserConfig.AllowAdminCreateUserOnly: no SignUp.
    fn admin_creates_users_only(&self) -> bool {
        self.settings
            .admin_create_user_config
            .as_ref()
            .and_then(|c| c.allow_admin_create_user_only)
            .unwrap_or(false)
    }

    fn auto_verified(&self) -> Vec<&'static str> {
        self.settings
            .auto_verified_attributes
            .iter()
            .flatten()
            .map(|a| a.as_str())
            .collect()
    }

    /// The password policy, with Cognito's defaults for what is not set.
    fn password_policy(&self) -> PasswordPolicy {
        PasswordPolicy::of(
            self.settings
                .policies
                .as_ref()
                .and_then(|p| p.password_policy.as_ref()),
        )
    }

    /// How long a temporary password works: TemporaryPasswordValidityDays
    /// (7 unless set).
    fn temporary_password_validity_secs(&self) -> i64 {
        let days = self
            .settings
            .policies
            .as_ref()
            .and_then(|p| p.password_policy.as_ref())
            .and_then(|p| p.temporary_password_validity_days)
            .unwrap_or(7);
        i64::from(days) * 86_400
    }

    /// Resolves what a user typed (username, or an email / phone number the
    /// pool accepts as username or verified alias) to the internal username,
    /// in O(log n) through the sign-in name index.
    fn resolve(&self, name: &str) -> Option<&str> {
        if let Some((username, _)) = self.users.get_key_value(name) {
            return Some(username);
        }
        // Folded per the pool's case sensitivity: a case-insensitive pool
        // finds "Bob" as "bob" here.
        if let Some(username) = self.sign_in_names.find("username", name).next() {
            return Some(username);
        }
        for attribute in self.username_attributes() {
            if let Some(username) = self.sign_in_names.find(attribute, name).next() {
                return Some(username);
            }
        }
        let verified = |username: &str, attribute: &str| {
            attribute == "preferred_username"
                || self.users.get(username).is_some_and(|u| {
                    u.attributes
                        .get(&format!("{attribute}_verified"))
                        .is_some_and(|v| v == "true")
                })
        };
        self.alias_attributes().into_iter().find_map(|attribute| {
            self.sign_in_names
                .find(attribute, name)
                .find(|username| verified(username, attribute))
        })
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
    /// A verifier for a random secret nobody knows: a user without a
    /// password (federated, or signed up passwordless) can never sign in
    /// with one.
    fn unusable_verifier(
        &self,
        rng: &crate::ids::Randomness,
        username: &str,
    ) -> ApiResult<Verifier> {
        use base64::Engine;
        let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rng.bytes(32));
        crate::work::expensive(|| {
            Verifier::generate(
                &mut rng.crypto_rng(),
                &self.pool_name(),
                username,
                &Password::new(secret),
            )
        })
        .map_err(|e| ApiError::invalid_parameter(e.to_string()))
    }

    fn make_verifier(
        &self,
        ctx: &Context<'_>,
        username: &str,
        password: &str,
    ) -> ApiResult<Verifier> {
        self.password_policy().check(password)?;
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

    /// PasswordHistorySize: refuses `password` if it is one of the user's
    /// last that many (the current one included).
    fn check_password_reuse(
        &self,
        username: &str,
        password: &str,
        ctx: &Context<'_>,
    ) -> ApiResult<()> {
        let keep = self.password_history_size();
        if keep == 0 {
            return Ok(());
        }
        let user = self.users.get(username).ok_or_else(user_not_found)?;
        let reused = std::iter::once(&user.verifier)
            .chain(&user.password_history)
            .take(keep)
            .any(|old| self.verifier_matches(old, username, password, ctx));
        if reused {
            return Err(ApiError::new(
                "InvalidPasswordException",
                "Password has previously been used",
            ));
        }
        Ok(())
    }

    /// Gives a user a new password's verifier, keeping the old one in the
    /// history PasswordHistorySize asks for.
    fn replace_verifier(&mut self, username: &str, verifier: Verifier, now: i64) -> ApiResult<()> {
        let keep = self.password_history_size();
        let user = self.users.get_mut(username).ok_or_else(user_not_found)?;
        let old = std::mem::replace(&mut user.verifier, verifier);
        user.passwordless = false;
        user.password_history.insert(0, old);
        user.password_history.truncate(keep.saturating_sub(1));
        user.password_set_at = now;
        user.modified = now;
        Ok(())
    }

    fn password_history_size(&self) -> usize {
        self.settings
            .policies
            .as_ref()
            .and_then(|p| p.password_policy.as_ref())
            .and_then(|p| p.password_history_size)
            .map_or(0, |n| n.clamp(0, 24) as usize)
    }

    /// Whether `password` is `user`'s: as checked ahead of the lock if it
    /// was, else checked now.
    fn password_matches(&self, user: &User, password: &str, ctx: &Context<'_>) -> bool {
        self.verifier_matches(&user.verifier, &user.username, password, ctx)
    }

    /// Whether `password` is the one `verifier` was made from.
    fn verifier_matches(
        &self,
        verifier: &Verifier,
        username: &str,
        password: &str,
        ctx: &Context<'_>,
    ) -> bool {
        let pool_name = self.pool_name();
        if let Some(checked) = ctx.ahead.and_then(|a| {
            a.verifiers
                .checked(&pool_name, username, verifier, password)
        }) {
            return checked;
        }
        crate::work::expensive(|| {
            verifier.matches_password(&pool_name, username, &Password::new(password))
        })
    }
}

impl Pool {
    /// An app client by id: one of the pool's, or the client a cached CIMD
    /// document stands for (its id a URL).
    fn app_client(&self, id: &str) -> Option<&AppClient> {
        self.clients.get(id).or_else(|| self.cimd_client(id))
    }
}

impl AppClient {
    /// ExplicitAuthFlows as given, or Cognito's defaults.
    fn auth_flows(&self) -> Vec<ExplicitAuthFlowsType> {
        match &self.settings.explicit_auth_flows {
            Some(flows) if !flows.is_empty() => flows.clone(),
            _ => pools::DEFAULT_AUTH_FLOWS.to_vec(),
        }
    }

    /// Whether `ALLOW_<flow>` (or the legacy bare name) is enabled.
    fn allows(&self, flow: &str) -> bool {
        let allow = format!("ALLOW_{flow}");
        self.auth_flows()
            .iter()
            .any(|f| f.as_str() == allow || f.as_str() == flow)
    }

    fn prevents_user_existence_errors(&self) -> bool {
        self.settings.prevent_user_existence_errors == Some(PreventUserExistenceErrorTypes::Enabled)
    }

    fn token_revocation_enabled(&self) -> bool {
        self.settings.enable_token_revocation.unwrap_or(true)
    }

    /// Whether RefreshTokenRotation is ENABLED.
    fn rotates_refresh_tokens(&self) -> bool {
        self.settings
            .refresh_token_rotation
            .as_ref()
            .is_some_and(|r| r.feature == FeatureType::Enabled)
    }

    /// RefreshTokenRotation's RetryGracePeriodSeconds (0 to 60; default 0).
    fn rotation_grace_secs(&self) -> i64 {
        self.settings
            .refresh_token_rotation
            .as_ref()
            .and_then(|r| r.retry_grace_period_seconds)
            .map_or(0, i64::from)
    }

    /// The OAuth flows the client may use (none unless it is an OAuth client).
    fn oauth_flows(&self) -> Vec<OAuthFlowType> {
        if self.settings.allowed_oauth_flows_user_pool_client == Some(true) {
            self.settings
                .allowed_oauth_flows
                .clone()
                .unwrap_or_default()
        } else {
            Vec::new()
        }
    }

    fn callback_urls(&self) -> &[String] {
        self.settings.callback_urls.as_deref().unwrap_or_default()
    }

    fn logout_urls(&self) -> &[String] {
        self.settings.logout_urls.as_deref().unwrap_or_default()
    }

    fn oauth_scopes(&self) -> &[String] {
        self.settings
            .allowed_oauth_scopes
            .as_deref()
            .unwrap_or_default()
    }

    fn identity_providers(&self) -> &[String] {
        self.settings
            .supported_identity_providers
            .as_deref()
            .unwrap_or_default()
    }

    /// RefreshTokenValidity in seconds (default 30 days).
    fn refresh_token_validity_secs(&self) -> i64 {
        let units = self.settings.token_validity_units.as_ref();
        validity_secs(
            self.settings.refresh_token_validity,
            units.and_then(|u| u.refresh_token),
            TimeUnitsType::Days,
            30 * 86_400,
        )
    }

    /// IdTokenValidity in seconds (default an hour).
    fn id_token_validity_secs(&self) -> i64 {
        let units = self.settings.token_validity_units.as_ref();
        validity_secs(
            self.settings.id_token_validity,
            units.and_then(|u| u.id_token),
            TimeUnitsType::Hours,
            3600,
        )
    }

    /// AccessTokenValidity in seconds (default an hour).
    fn access_token_validity_secs(&self) -> i64 {
        let units = self.settings.token_validity_units.as_ref();
        validity_secs(
            self.settings.access_token_validity,
            units.and_then(|u| u.access_token),
            TimeUnitsType::Hours,
            3600,
        )
    }
}

/// A list-of-strings member of a stored configuration.
/// A token lifetime in seconds from a client's validity and its unit.
fn validity_secs(
    amount: Option<i32>,
    unit: Option<TimeUnitsType>,
    default_unit: TimeUnitsType,
    default_secs: i64,
) -> i64 {
    let Some(amount) = amount else {
        return default_secs;
    };
    i64::from(amount)
        * match unit.unwrap_or(default_unit) {
            TimeUnitsType::Seconds => 1,
            TimeUnitsType::Minutes => 60,
            TimeUnitsType::Hours => 3600,
            TimeUnitsType::Days => 86_400,
        }
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

/// `[{Name, Value}]` → pairs, refusing attempts to set `sub`.
fn attribute_list(given: Option<Vec<AttributeType>>) -> ApiResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for a in given.into_iter().flatten() {
        if a.name == "sub" {
            return Err(ApiError::invalid_parameter(
                "Cannot modify the non-mutable attribute sub",
            ));
        }
        out.push((a.name, a.value.unwrap_or_default()));
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
