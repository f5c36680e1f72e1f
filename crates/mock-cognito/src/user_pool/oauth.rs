//! The decisions behind the hosted UI and `/oauth2/*`, without HTTP:
//! checking authorize requests, authorization codes (single use, five
//! minutes, PKCE S256), browser sessions, the token grants, userInfo and
//! revocation, and federated `<Provider>_<id>` users. The HTTP layer is
//! `crate::hosted_ui`; keeping the rules here lets them be tested without
//! sockets and keeps all user-pool state behind `UserPools`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_wire::encoding::with_params;
use cognito_wire::pkce;
use serde_json::{Value, json};

use super::auth::PasswordCheck;
use super::providers::IdentityProvider;
use super::tokens::UnsignedTokens;
use super::{AppClient, Context, Pool, User, UserPools, user_not_found};
use crate::error::ApiResult;
use crate::shapes::cognito_idp::UserStatusType;
use crate::shapes::cognito_idp::{AuthenticationResultType, OAuthFlowType, UserPoolClientType};

/// Authorization codes live five minutes, as Cognito's do.
pub(crate) const CODE_LIFETIME_SECS: i64 = 300;
/// A hosted-UI browser session (the `cognito` cookie) lasts an hour.
pub const BROWSER_SESSION_SECS: i64 = 3600;
/// A sign-in handed to an external provider must come back within this.
const FEDERATION_LIFETIME_SECS: i64 = 600;
/// How long a code is remembered after it expires, so that a late replay is
/// still told apart from a code that never existed.
const CODE_REMEMBERED_SECS: i64 = 3600;

/// An OAuth 2.0 error (RFC 6749 §5.2): the `error` code, a description and
/// the HTTP status it is answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, …
    pub error: &'static str,
    /// A readable explanation.
    pub description: String,
    /// 400, or 401 for `invalid_client` / `invalid_token`.
    pub status: u16,
}

impl OAuthError {
    /// A 400 error.
    pub fn new(error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            error,
            description: description.into(),
            status: if matches!(error, "invalid_client" | "invalid_token") {
                401
            } else {
                400
            },
        }
    }
}

fn invalid_grant(why: &str) -> OAuthError {
    OAuthError::new("invalid_grant", why)
}

/// The query of `/oauth2/authorize`.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct AuthorizeParams {
    /// `code` or `token`.
    pub response_type: Option<String>,
    /// The app client.
    pub client_id: Option<String>,
    /// Must be one of the client's CallbackURLs, exactly.
    pub redirect_uri: Option<String>,
    /// Space-separated scopes (default: all the client allows).
    pub scope: Option<String>,
    /// Echoed back on the redirect.
    pub state: Option<String>,
    /// Copied into the ID token.
    pub nonce: Option<String>,
    /// PKCE (RFC 7636).
    pub code_challenge: Option<String>,
    /// Only `S256` is accepted.
    pub code_challenge_method: Option<String>,
    /// Skip the sign-in page: `COGNITO`, `Facebook`, an OIDC provider name…
    pub identity_provider: Option<String>,
    /// Pick the provider by one of its IdpIdentifiers.
    pub idp_identifier: Option<String>,
}

/// What an authorize request that cannot be answered by a redirect gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeError {
    /// The client or redirect URI is wrong: never redirect to it; show a page.
    Page(String),
    /// Tell the client, on its (verified) redirect URI.
    Redirect(String),
}

/// A checked authorize request.
#[derive(Debug, Clone)]
pub struct ValidAuthorize {
    /// The pool of the domain.
    pub pool_id: String,
    /// The app client.
    pub client_id: String,
    /// A registered callback URL.
    pub redirect_uri: String,
    /// Implicit grant (`token`) rather than a code.
    pub implicit: bool,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// The client's state.
    pub state: Option<String>,
    /// The client's nonce.
    pub nonce: Option<String>,
    /// The S256 challenge, if PKCE is used.
    pub code_challenge: Option<String>,
    /// The external provider chosen up front (None: the sign-in page).
    pub provider: Option<String>,
}

impl ValidAuthorize {
    /// The client's redirect URI with an OAuth error, for
    /// [`AuthorizeError::Redirect`].
    pub fn error_redirect(&self, error: &str, description: &str) -> String {
        let mut pairs = vec![("error", error), ("error_description", description)];
        if let Some(s) = &self.state {
            pairs.push(("state", s));
        }
        with_params(&self.redirect_uri, '?', &pairs)
    }
}

/// An issued authorization code.
#[derive(Debug, Clone)]
pub(super) struct AuthorizationCode {
    pool_id: String,
    client_id: String,
    redirect_uri: String,
    username: String,
    scopes: Vec<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    expires: i64,
    /// The SSO session (browser) the code was issued in, by session id.
    sso: Option<String>,
    /// Set when redeemed: a second use ends the session it started (RFC 6749 §4.1.2).
    redeemed_session: Option<String>,
}

/// A signed-in browser (the `cognito` cookie).
#[derive(Debug, Clone)]
pub(super) struct BrowserSession {
    pub(super) pool_id: String,
    pub(super) username: String,
    /// The app client the browser signed in through.
    pub(super) client_id: String,
    /// The fresh authentication that started it.
    pub(super) created: i64,
    /// The last time it signed the user in to an app.
    pub(super) last_active: i64,
}

/// A sign-in waiting for an external provider's answer at `/oauth2/idpresponse`.
#[derive(Debug, Clone)]
pub(super) struct PendingFederation {
    request: ValidAuthorize,
    provider: String,
}

/// Where to send a browser to sign in with an external provider.
#[derive(Debug, Clone)]
pub struct FederationStart {
    /// The client id the pool holds at that provider.
    pub provider_client_id: String,
    /// The provider's authorize URL.
    pub authorize_url: String,
    /// Scopes to ask the provider for.
    pub scopes: String,
    /// The state to round-trip (it names the pending sign-in).
    pub state: String,
}

/// A federated sign-in that came back: what the provider vouched for.
#[derive(Debug, Clone)]
pub struct ProviderIdentity {
    /// The provider's user id.
    pub subject: String,
    /// The profile the provider returned (`email`, `name`, …).
    pub profile: Value,
}

/// What the hosted UI's self-service pages offer for a client.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SelfServicePages {
    /// The sign-up page (not when only administrators create users).
    pub sign_up: bool,
    /// The forgot-password pages (not when recovery is admin_only).
    pub forgot_password: bool,
    /// What the username field asks for (a username, or an email or phone
    /// number where those sign in).
    pub username_label: &'static str,
    /// The attributes the sign-up page asks for: the required ones, and
    /// the auto-verified ones a code goes to.
    pub fields: Vec<String>,
    /// The client's secret, for the SECRET_HASH the pages' calls carry.
    pub client_secret: Option<String>,
    /// (terms of use, privacy policy) URLs, once the client has both.
    pub terms: Option<(String, String)>,
}

impl std::fmt::Debug for SelfServicePages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelfServicePages")
            .field("sign_up", &self.sign_up)
            .field("forgot_password", &self.forgot_password)
            .field("fields", &self.fields)
            .finish_non_exhaustive()
    }
}

/// The outcome of the sign-in page's password form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PagePassword {
    /// Signed in: the internal username.
    SignedIn(String),
    /// The user must choose a password first: the challenge session.
    NewPasswordRequired(String),
    /// A second factor to answer on the next page.
    SecondFactor(super::PageChallenge),
}

fn client_flows(client: &AppClient) -> Vec<&'static str> {
    client.oauth_flows().iter().map(|f| f.as_str()).collect()
}

impl UserPools {
    /// The pool a hosted-UI domain prefix belongs to.
    pub fn pool_of_domain(&self, domain: &str) -> Option<&str> {
        self.domains.get(domain).map(String::as_str)
    }

    /// Checks an authorize request against the client's registration.
    pub fn check_authorize(
        &self,
        pool_id: &str,
        p: &AuthorizeParams,
    ) -> Result<ValidAuthorize, AuthorizeError> {
        let page = |msg: &str| AuthorizeError::Page(msg.to_owned());
        let client_id = p.client_id.as_deref().unwrap_or_default();
        let pool = self
            .pools
            .get(pool_id)
            .ok_or_else(|| page("unknown domain"))?;
        let client = pool
            .app_client(client_id)
            .ok_or_else(|| page("invalid client_id: no such app client in this user pool"))?;
        let redirect_uri = p.redirect_uri.as_deref().unwrap_or_default();
        if !client.callback_urls().iter().any(|u| u == redirect_uri) {
            return Err(page(
                "redirect_mismatch: redirect_uri is not one of the app client's callback URLs",
            ));
        }
        let allowed_scopes = client.oauth_scopes();
        let scopes: Vec<String> = match p.scope.as_deref().map(str::trim) {
            None | Some("") => allowed_scopes.to_vec(),
            Some(s) => s.split_whitespace().map(str::to_owned).collect(),
        };
        let mut request = ValidAuthorize {
            pool_id: pool_id.to_owned(),
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            implicit: p.response_type.as_deref() == Some("token"),
            scopes,
            state: p.state.clone(),
            nonce: p.nonce.clone(),
            code_challenge: p.code_challenge.clone(),
            provider: None,
        };
        let fail = |r: &ValidAuthorize, error: &str, why: &str| {
            AuthorizeError::Redirect(r.error_redirect(error, why))
        };
        let flows = client_flows(client);
        match p.response_type.as_deref() {
            Some("code") if flows.contains(&"code") => {}
            Some("token") if flows.contains(&"implicit") => {}
            Some("code" | "token") => {
                return Err(fail(
                    &request,
                    "unauthorized_client",
                    "the app client is not allowed this OAuth flow",
                ));
            }
            _ => {
                return Err(fail(
                    &request,
                    "unsupported_response_type",
                    "response_type must be code or token",
                ));
            }
        }
        if let Some(bad) = request.scopes.iter().find(|s| !allowed_scopes.contains(s)) {
            return Err(fail(
                &request,
                "invalid_scope",
                &format!("the app client may not request scope {bad}"),
            ));
        }
        match (
            p.code_challenge.as_deref(),
            p.code_challenge_method.as_deref(),
        ) {
            (None, None) => {}
            (Some(c), Some("S256")) if pkce::is_s256_challenge(c) => {}
            (Some(_), Some("S256")) => {
                return Err(fail(
                    &request,
                    "invalid_request",
                    "code_challenge must be 43 base64url characters",
                ));
            }
            (Some(_), None | Some("plain")) | (None, Some("plain")) => {
                return Err(fail(
                    &request,
                    "invalid_request",
                    "only code_challenge_method=S256 is supported",
                ));
            }
            _ => {
                return Err(fail(
                    &request,
                    "invalid_request",
                    "code_challenge and code_challenge_method go together, with S256",
                ));
            }
        }
        let supported: Vec<&str> = client
            .identity_providers()
            .iter()
            .map(String::as_str)
            .collect();
        let chosen = match (&p.identity_provider, &p.idp_identifier) {
            (Some(name), _) => Some(name.clone()),
            (None, Some(identifier)) => match pool.provider_by_identifier(identifier) {
                Some(provider) => Some(provider.name.clone()),
                None => {
                    return Err(fail(
                        &request,
                        "invalid_request",
                        &format!("no identity provider has the identifier {identifier}"),
                    ));
                }
            },
            (None, None) => None,
        };
        if let Some(name) = chosen {
            let known = name == "COGNITO" || pool.identity_providers.contains_key(&name);
            if !known || !supported.contains(&name.as_str()) {
                return Err(fail(
                    &request,
                    "invalid_request",
                    &format!("{name} is not an identity provider of this app client"),
                ));
            }
            if name != "COGNITO" {
                request.provider = Some(name);
            }
        }
        Ok(request)
    }

    /// What the hosted UI's self-service pages offer for a client.
    pub fn page_self_service(&self, pool_id: &str, client_id: &str) -> SelfServicePages {
        let Some((pool, client)) = self
            .pools
            .get(pool_id)
            .and_then(|p| Some((p, p.app_client(client_id)?)))
        else {
            return SelfServicePages::default();
        };
        let username_attributes = pool.username_attributes();
        let mut fields: Vec<String> =
            pool.missing_required_attributes(&std::collections::BTreeMap::new());
        for verified in pool.auto_verified() {
            if !fields.iter().any(|f| f == verified) {
                fields.push(verified.to_owned());
            }
        }
        fields.retain(|f| !username_attributes.contains(&f.as_str()));
        let recovery_admin_only = pool
            .settings
            .account_recovery_setting
            .as_ref()
            .and_then(|s| s.recovery_mechanisms.as_ref())
            .is_some_and(|m| {
                m.iter().all(|m| {
                    m.name == crate::shapes::cognito_idp::RecoveryOptionNameType::AdminOnly
                })
            });
        SelfServicePages {
            sign_up: !pool.admin_creates_users_only(),
            forgot_password: !recovery_admin_only,
            username_label: match username_attributes.as_slice() {
                [] => "Username",
                ["email"] => "Email",
                ["phone_number"] => "Phone number",
                _ => "Email or phone number",
            },
            fields,
            terms: self.page_terms(pool_id, client_id),
            client_secret: client.first_secret().map(str::to_owned),
        }
    }

    /// The external providers the sign-in page offers for a client.
    pub fn page_providers(&self, pool_id: &str, client_id: &str) -> (bool, Vec<String>) {
        let Some((pool, client)) = self
            .pools
            .get(pool_id)
            .and_then(|p| Some((p, p.app_client(client_id)?)))
        else {
            return (false, Vec::new());
        };
        let supported: Vec<&str> = client
            .identity_providers()
            .iter()
            .map(String::as_str)
            .collect();
        let external = supported
            .iter()
            .filter(|n| pool.identity_providers.contains_key(**n))
            .map(|n| (*n).to_owned())
            .collect();
        (supported.contains(&"COGNITO"), external)
    }

    /// The sign-in page's password form: the same checks as
    /// USER_PASSWORD_AUTH (status, lockout), but the page never tells an
    /// unknown user from a wrong password.
    ///
    /// The decide step, under a read lock: the password itself is checked
    /// with no lock held ([`PasswordCheck::run`]), then
    /// [`UserPools::page_password_checked`] records the outcome.
    pub fn page_password(
        &self,
        request: &ValidAuthorize,
        typed: &str,
        password: &str,
        ctx: &Context<'_>,
    ) -> ApiResult<PasswordCheck> {
        let pool = self.pool(&request.pool_id)?;
        let Some(username) = pool.resolve(typed) else {
            return Err(crate::ApiError::incorrect_credentials());
        };
        super::auth::check_can_sign_in(pool, username, ctx.clock.unix())?;
        Ok(PasswordCheck::new(
            pool,
            username,
            &request.client_id,
            password,
        ))
    }

    /// The sign-in page's password form, once the password was checked:
    /// signed in, or the new-password form.
    pub fn page_password_checked(
        &mut self,
        check: PasswordCheck,
        good: bool,
        ctx: &Context<'_>,
    ) -> ApiResult<PagePassword> {
        self.record_checked_password(&check, good, ctx)?;
        let user = &self.pool(&check.pool_id)?.users[&check.username];
        if user.status == UserStatusType::ForceChangePassword {
            let session = self.start_new_password_challenge(
                &check.pool_id,
                &check.client_id,
                &check.username,
                ctx,
            );
            return Ok(PagePassword::NewPasswordRequired(session));
        }
        let gate = self.mfa_gate(&check.pool_id, &check.client_id, &check.username, ctx)?;
        self.page_outcome(gate, ctx)
    }

    /// The sign-in page's new-password form: signed in, or a second factor.
    pub fn page_new_password(
        &mut self,
        request: &ValidAuthorize,
        session: &str,
        new_password: &str,
        ctx: &Context<'_>,
    ) -> ApiResult<PagePassword> {
        let (pool_id, username) = self.set_required_password(
            &request.client_id,
            Some(session),
            None,
            new_password,
            Vec::new(),
            ctx,
        )?;
        let gate = self.mfa_gate(&pool_id, &request.client_id, &username, ctx)?;
        self.page_outcome(gate, ctx)
    }

    /// Starts a browser session; returns the cookie value.
    pub fn start_browser_session(
        &mut self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        now: i64,
        rng: &crate::ids::Randomness,
    ) -> String {
        let cookie = URL_SAFE_NO_PAD.encode(rng.bytes(32));
        self.browser_sessions.insert(
            cookie.clone(),
            BrowserSession {
                pool_id: pool_id.to_owned(),
                username: username.to_owned(),
                client_id: client_id.to_owned(),
                created: now,
                last_active: now,
            },
            now + BROWSER_SESSION_SECS,
            now,
        );
        cookie
    }

    /// The user a browser session cookie signs in to `client_id`, if still
    /// valid for this pool, the user may still sign in, and the client
    /// reuses a session that old (its SSO MaxValidityMinutes).
    pub fn browser_session_user(
        &self,
        cookie: &str,
        pool_id: &str,
        client_id: &str,
        now: i64,
    ) -> Option<String> {
        let s = self.browser_sessions.get(cookie, now)?;
        let pool = self.pools.get(pool_id)?;
        let user = pool.users.get(&s.username)?;
        let fresh = now - s.created < pool.sso_validity_secs(client_id);
        (s.pool_id == pool_id && user.enabled && fresh).then(|| s.username.clone())
    }

    /// Ends a browser session (logout).
    pub fn end_browser_session(&mut self, cookie: &str, pool_id: &str, now: i64) {
        if self
            .browser_sessions
            .get(cookie, now)
            .is_some_and(|s| s.pool_id == pool_id)
        {
            self.browser_sessions.remove(cookie, now);
        }
    }

    /// The redirect that completes a sign-in: a code (kept five minutes) or,
    /// for the implicit grant, tokens in the fragment.
    /// `browser` is the browser session's cookie, if it has one.
    pub fn complete_authorize(
        &mut self,
        request: &ValidAuthorize,
        username: &str,
        browser: Option<&str>,
        ctx: &Context<'_>,
    ) -> ApiResult<AuthorizeRedirect> {
        let state = request.state.as_deref();
        let now = ctx.clock.unix();
        let sso = browser.map(|cookie| {
            if let Some(s) = self.browser_sessions.get_mut(cookie, now) {
                s.last_active = now;
            }
            super::sessions::sso_session_id(cookie)
        });
        if request.implicit {
            let tokens = self.issue_unsigned(
                &request.pool_id,
                &request.client_id,
                username,
                super::tokens::SessionOrigin {
                    oauth: Some((request.scopes.clone(), request.nonce.clone())),
                    device_key: None,
                    sso,
                },
                ctx,
            )?;
            // The implicit grant never returns a refresh token.
            if let Some(refresh) = tokens.refresh_token() {
                self.refresh_tokens.remove(refresh, ctx.clock.unix());
            }
            return Ok(AuthorizeRedirect::Implicit {
                tokens: Box::new(tokens.without_refresh_token()),
                redirect_uri: request.redirect_uri.clone(),
                with_id_token: request.scopes.iter().any(|s| s == "openid"),
                state: request.state.clone(),
            });
        }
        let now = ctx.clock.unix();
        let code = ctx.rng.uuid();
        self.auth_codes.insert(
            code.clone(),
            AuthorizationCode {
                pool_id: request.pool_id.clone(),
                client_id: request.client_id.clone(),
                redirect_uri: request.redirect_uri.clone(),
                username: username.to_owned(),
                scopes: request.scopes.clone(),
                nonce: request.nonce.clone(),
                code_challenge: request.code_challenge.clone(),
                expires: now + CODE_LIFETIME_SECS,
                sso,
                redeemed_session: None,
            },
            now + CODE_LIFETIME_SECS + CODE_REMEMBERED_SECS,
            now,
        );
        let mut pairs = vec![("code", code.as_str())];
        if let Some(s) = state {
            pairs.push(("state", s));
        }
        Ok(AuthorizeRedirect::Ready(with_params(
            &request.redirect_uri,
            '?',
            &pairs,
        )))
    }

    /// Hands a sign-in to an external provider: remembers the request under
    /// a fresh state and says where to send the browser.
    pub fn start_federation(
        &mut self,
        request: &ValidAuthorize,
        now: i64,
        rng: &crate::ids::Randomness,
    ) -> ApiResult<FederationStart> {
        let name = request.provider.clone().unwrap_or_default();
        let pool = self.pool(&request.pool_id)?;
        let provider = pool.identity_providers.get(&name).ok_or_else(|| {
            crate::ApiError::resource_not_found(format!("{name} is not a provider"))
        })?;
        let start = FederationStart {
            provider_client_id: provider.detail("client_id").unwrap_or_default().to_owned(),
            authorize_url: provider
                .detail("authorize_url")
                .unwrap_or_default()
                .to_owned(),
            scopes: provider
                .detail("authorize_scopes")
                .unwrap_or_default()
                .replace(',', " "),
            state: URL_SAFE_NO_PAD.encode(rng.bytes(24)),
        };
        self.pending_federation.insert(
            start.state.clone(),
            PendingFederation {
                request: request.clone(),
                provider: name,
            },
            now + FEDERATION_LIFETIME_SECS,
            now,
        );
        Ok(start)
    }

    /// Takes back a pending federated sign-in by its state (single use):
    /// the original request and the provider's configuration.
    pub fn finish_federation(
        &mut self,
        pool_id: &str,
        state: &str,
        now: i64,
    ) -> Option<(ValidAuthorize, IdentityProvider)> {
        // Only the domain that started the sign-in may finish it.
        if self
            .pending_federation
            .get(state, now)
            .is_none_or(|p| p.request.pool_id != pool_id)
        {
            return None;
        }
        let pending = self.pending_federation.remove(state, now)?;
        let provider = self
            .pools
            .get(&pending.request.pool_id)?
            .identity_providers
            .get(&pending.provider)?
            .clone();
        Some((pending.request, provider))
    }

    /// The `<Provider>_<id>` user for a federated sign-in: created on the
    /// first sign-in (status EXTERNAL_PROVIDER, an `identities` attribute,
    /// `verified` email and phone marked so, as PreSignUp asked), its
    /// mapped attributes refreshed on every one. Returns the username and
    /// whether it was created now.
    pub fn federated_user(
        &mut self,
        pool_id: &str,
        (provider, identity): (&IdentityProvider, &ProviderIdentity),
        verified: (bool, bool),
        now: i64,
        rng: &crate::ids::Randomness,
    ) -> ApiResult<(String, bool)> {
        let mapped = mapped_attributes(provider, identity);
        let pool = self.pool_mut(pool_id)?;
        match pool.federated_username(provider, identity) {
            Some(username) if pool.users.contains_key(&username) => {
                let user = &pool.users[&username];
                if !user.enabled {
                    return Err(crate::ApiError::not_authorized("User is disabled."));
                }
                // A linked user keeps its own attributes.
                if username == format!("{}_{}", provider.name, identity.subject) {
                    let mut attributes = user.attributes.clone();
                    attributes.extend(mapped);
                    pool.set_attributes(&username, attributes, now)?;
                }
                return Ok((username, false));
            }
            _ => {}
        }
        let username = format!("{}_{}", provider.name, identity.subject);
        let mut mapped = mapped;
        for (attribute, marked) in [("email", verified.0), ("phone_number", verified.1)] {
            if marked && mapped.iter().any(|(a, _)| a == attribute) {
                mapped.push((format!("{attribute}_verified"), "true".to_owned()));
            }
        }
        let identities = json!([{
            "userId": identity.subject,
            "providerName": provider.name,
            "providerType": provider.provider_type,
            "issuer": Value::Null,
            "primary": "true",
            "dateCreated": (now * 1000).to_string(),
        }]);
        let mut attributes: std::collections::BTreeMap<String, String> =
            mapped.into_iter().collect();
        attributes.insert("identities".to_owned(), identities.to_string());
        // A federated user has no password: its verifier is for a random
        // secret nobody knows, and its status refuses password sign-in.
        let verifier = pool.unusable_verifier(rng, &username)?;
        let mut user = User::new(
            username.clone(),
            verifier,
            attributes,
            UserStatusType::ExternalProvider,
            now,
            rng,
        );
        // Cognito puts every user of a provider in a group it makes for
        // it, `<poolId>_<ProviderName>`, which their tokens then carry.
        let group = format!("{pool_id}_{}", provider.name);
        if !pool.groups.contains_key(&group) {
            pool.groups.insert(
                group.clone(),
                super::Group {
                    name: group.clone(),
                    description: Some(format!(
                        "Autogenerated group for users who sign in using {}",
                        provider.name
                    )),
                    role_arn: None,
                    precedence: None,
                    created: now,
                    modified: now,
                },
            );
        }
        user.groups.insert(group);
        pool.add_user(user);
        Ok((username, true))
    }

    /// Authenticates the client at the token and revoke endpoints:
    /// `client_secret_basic` or `client_secret_post`, never both.
    pub fn authenticate_client(
        &self,
        pool_id: &str,
        client_id: Option<&str>,
        secret: Option<&str>,
    ) -> Result<String, OAuthError> {
        let client_id = client_id
            .filter(|c| !c.is_empty())
            .ok_or_else(|| OAuthError::new("invalid_request", "client_id is required"))?;
        let unknown = || OAuthError::new("invalid_client", "Client authentication failed");
        let pool = self.pools.get(pool_id).ok_or_else(unknown)?;
        let client = pool.app_client(client_id).ok_or_else(unknown)?;
        match (client.has_secret(), secret.filter(|s| !s.is_empty())) {
            (false, None) => {}
            (true, Some(given)) if client.secret_matches(given) => {}
            (true, None) => {
                return Err(OAuthError::new(
                    "invalid_client",
                    "this client has a secret: authenticate with client_secret_basic or client_secret_post",
                ));
            }
            _ => return Err(unknown()),
        }
        Ok(client_id.to_owned())
    }

    /// `grant_type=authorization_code`.
    pub fn redeem_code(
        &mut self,
        client_id: &str,
        code: Option<&str>,
        redirect_uri: Option<&str>,
        code_verifier: Option<&str>,
        ctx: &Context<'_>,
    ) -> Result<TokenGrant, OAuthError> {
        let (pool, client) = self
            .client(client_id)
            .map_err(|e| OAuthError::new("invalid_client", e.message))?;
        if !client_flows(client).contains(&"code") {
            return Err(OAuthError::new(
                "unauthorized_client",
                "the app client is not allowed the authorization code grant",
            ));
        }
        let pool_id = pool.id.clone();
        let code = code.ok_or_else(|| OAuthError::new("invalid_request", "code is required"))?;
        let now = ctx.clock.unix();
        let record = self
            .auth_codes
            .get_mut(code, now)
            .ok_or_else(|| invalid_grant("the code is not valid"))?;
        if let Some(origin) = record.redeemed_session.clone() {
            // A replayed code: whoever holds it may have stolen it, so the
            // tokens issued for it stop working too.
            let pool_id = record.pool_id.clone();
            if let Some(s) = self
                .pools
                .get_mut(&pool_id)
                .and_then(|p| p.sessions.get_mut(&origin, now))
            {
                s.revoked = true;
            }
            return Err(invalid_grant("the code has already been used"));
        }
        if record.expires <= now {
            return Err(invalid_grant("the code has expired"));
        }
        if record.client_id != client_id || record.pool_id != pool_id {
            return Err(invalid_grant("the code was issued to another client"));
        }
        if redirect_uri != Some(record.redirect_uri.as_str()) {
            return Err(invalid_grant(
                "redirect_uri does not match the one the code was issued for",
            ));
        }
        if let Some(challenge) = &record.code_challenge {
            let verifier =
                code_verifier.ok_or_else(|| invalid_grant("code_verifier is required (PKCE)"))?;
            if !pkce::verify_s256(verifier, challenge) {
                return Err(invalid_grant(
                    "code_verifier does not match the code_challenge",
                ));
            }
        }
        let record = record.clone();
        let tokens = self
            .issue_unsigned(
                &record.pool_id,
                client_id,
                &record.username,
                super::tokens::SessionOrigin {
                    oauth: Some((record.scopes.clone(), record.nonce.clone())),
                    device_key: None,
                    sso: record.sso.clone(),
                },
                ctx,
            )
            .map_err(|e| invalid_grant(&e.message))?;
        let origin = tokens
            .refresh_token()
            .and_then(|refresh| self.refresh_tokens.get(refresh, now))
            .map(|g| g.origin_jti.clone());
        if let Some(r) = self.auth_codes.get_mut(code, now) {
            r.redeemed_session = origin;
        }
        // A URL client gets a refresh token only if its document lists
        // the refresh_token grant.
        let with_refresh = self.grant_allowed(&record.pool_id, client_id, "refresh_token");
        Ok(TokenGrant::User {
            tokens,
            scopes: record.scopes,
            with_refresh,
        })
    }

    /// `grant_type=refresh_token` (with a new refresh token when the
    /// client rotates them).
    pub fn refresh_grant(
        &mut self,
        client_id: &str,
        refresh_token: Option<&str>,
        ctx: &Context<'_>,
    ) -> Result<TokenGrant, OAuthError> {
        self.client(client_id)
            .map_err(|e| OAuthError::new("invalid_client", e.message))?;
        let token = refresh_token
            .ok_or_else(|| OAuthError::new("invalid_request", "refresh_token is required"))?;
        let now = ctx.clock.unix();
        let scopes = self
            .refresh_tokens
            .get(token, now)
            .and_then(|g| self.pools.get(&g.pool_id)?.sessions.get(&g.origin_jti, now))
            .and_then(|s| s.scopes.clone())
            .unwrap_or_else(|| vec!["openid".to_owned()]);
        let tokens = self
            .refresh_rotating(client_id, token, ctx)
            .map_err(|e| invalid_grant(&e.message))?;
        let with_refresh = tokens.refresh_token().is_some();
        Ok(TokenGrant::User {
            tokens,
            scopes,
            with_refresh,
        })
    }

    /// `grant_type=client_credentials`: an access token for the client
    /// itself, with resource-server scopes only.
    pub fn client_credentials(
        &self,
        client_id: &str,
        scope: Option<&str>,
        ctx: &Context<'_>,
    ) -> Result<TokenGrant, OAuthError> {
        let (pool, client) = self
            .client(client_id)
            .map_err(|e| OAuthError::new("invalid_client", e.message))?;
        if !client_flows(client).contains(&"client_credentials") || !client.has_secret() {
            return Err(OAuthError::new(
                "unauthorized_client",
                "the app client is not allowed the client_credentials grant",
            ));
        }
        let allowed: Vec<&str> = client
            .oauth_scopes()
            .iter()
            .map(String::as_str)
            .filter(|s| s.contains('/'))
            .collect();
        let scopes: Vec<&str> = match scope.map(str::trim) {
            None | Some("") => allowed.clone(),
            Some(s) => s.split_whitespace().collect(),
        };
        if scopes.is_empty() {
            return Err(OAuthError::new(
                "invalid_scope",
                "the app client has no resource-server scopes",
            ));
        }
        if let Some(bad) = scopes
            .iter()
            .find(|s| !allowed.contains(s) || !pool.scope_exists(s))
        {
            return Err(OAuthError::new(
                "invalid_scope",
                format!("scope {bad} is not allowed for this client"),
            ));
        }
        let now = ctx.clock.unix();
        let life = client.access_token_validity_secs();
        let claims = json!({
            "sub": client.id,
            "token_use": "access",
            "scope": scopes.join(" "),
            "auth_time": now,
            "iss": super::tokens::issuer(pool, ctx),
            "exp": now + life,
            "iat": now,
            "version": 2,
            "jti": ctx.rng.uuid(),
            "client_id": client.id,
        });
        let trigger = pool
            .client_credentials_pre_token(client, &scopes, ctx)
            .map(Box::new);
        Ok(TokenGrant::Client {
            claims,
            key: pool.access_key.clone(),
            expires_in: life,
            trigger,
        })
    }

    /// GetClientToken: `client_credentials` through the API, the client's
    /// secret in the request: the grant, to sign with no lock held
    /// ([`TokenGrant::sign_client`]).
    pub(crate) fn client_token(
        &self,
        input: &crate::shapes::cognito_idp::GetClientTokenRequest,
        ctx: &Context<'_>,
    ) -> crate::ApiResult<TokenGrant> {
        let (_, client) = self.client(&input.client_id)?;
        let secret_ok = client.secret_matches(&input.secret);
        if !secret_ok {
            return Err(crate::ApiError::not_authorized(format!(
                "Unable to verify secret for client {}",
                input.client_id
            )));
        }
        let scope = input.scopes.as_ref().map(|s| s.join(" "));
        let grant = self
            .client_credentials(&input.client_id, scope.as_deref(), ctx)
            .map_err(|e| match e.error {
                "invalid_scope" => crate::ApiError::new("InvalidParameterException", e.description),
                _ => crate::ApiError::not_authorized(e.description),
            })?;
        match grant {
            TokenGrant::Client {
                claims,
                key,
                expires_in,
                mut trigger,
            } => {
                if let Some(t) = trigger.as_mut() {
                    t.set_client_metadata(input.client_metadata.as_ref());
                }
                Ok(TokenGrant::Client {
                    claims,
                    key,
                    expires_in,
                    trigger,
                })
            }
            TokenGrant::User { .. } | TokenGrant::Derived(_) => Err(crate::ApiError::new(
                "InternalErrorException",
                "client_credentials answered with user tokens",
            )),
        }
    }

    /// `/oauth2/userInfo`: the user's attributes, for an access token that
    /// carries `openid` (or `aws.cognito.signin.user.admin`).
    /// `/oauth2/userInfo` of the hosted UI of `site_pool_id`: answers only
    /// for access tokens that pool issued.
    pub fn user_info(
        &self,
        access_token: &str,
        site_pool_id: &str,
        ctx: &Context<'_>,
    ) -> Result<Value, OAuthError> {
        let (pool_id, username) = self
            .check_access_token_any_scope(access_token, ctx)
            .map_err(|e| OAuthError::new("invalid_token", e.message))?;
        if pool_id != site_pool_id {
            return Err(OAuthError::new(
                "invalid_token",
                "the access token was not issued by this domain's user pool",
            ));
        }
        let scopes: Vec<String> = crate::jwt::decode_unverified(access_token)
            .and_then(|c| c["scope"].as_str().map(str::to_owned))
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let has = |s: &str| scopes.iter().any(|x| x == s);
        if !has("openid") && !has("aws.cognito.signin.user.admin") {
            return Err(OAuthError::new(
                "insufficient_scope",
                "the access token does not carry the openid scope",
            ));
        }
        let pool = self
            .pools
            .get(&pool_id)
            .ok_or_else(|| OAuthError::new("invalid_token", "no such pool"))?;
        let user = pool
            .users
            .get(&username)
            .ok_or_else(|| OAuthError::new("invalid_token", user_not_found().message))?;
        let all = has("profile") || has("aws.cognito.signin.user.admin");
        let mut info = json!({"sub": user.sub, "username": user.username});
        for (name, value) in &user.attributes {
            let by_scope = (has("email") && name.starts_with("email"))
                || (has("phone") && name.starts_with("phone_number"));
            if all || by_scope || name == "identities" {
                info[name] = json!(value);
            }
        }
        Ok(info)
    }

    /// `/oauth2/revoke`: ends the session of a refresh token issued to the
    /// (authenticated) client.
    pub fn oauth_revoke(
        &mut self,
        client_id: &str,
        token: Option<&str>,
        now: i64,
    ) -> Result<(), OAuthError> {
        let token = token.ok_or_else(|| OAuthError::new("invalid_request", "token is required"))?;
        let (_, client) = self
            .client(client_id)
            .map_err(|e| OAuthError::new("invalid_client", e.message))?;
        if !client.token_revocation_enabled() {
            return Err(OAuthError::new(
                "unsupported_operation",
                "token revocation is disabled for this client",
            ));
        }
        self.revoke_refresh_token(token, client_id, now)
            .map_err(|_| {
                OAuthError::new(
                    "unauthorized_client",
                    "the token was not issued to this client",
                )
            })
    }

    /// Whether `uri` is one of the sign-out URLs of a client of this pool.
    pub fn logout_allowed(&self, pool_id: &str, client_id: &str, logout_uri: &str) -> bool {
        self.client(client_id).is_ok_and(|(pool, c)| {
            pool.id == pool_id && c.logout_urls().iter().any(|u| u == logout_uri)
        })
    }
}

impl Pool {
    /// A client's OAuth settings must name scopes and providers that exist.
    pub(super) fn check_oauth_settings(&self, settings: &UserPoolClientType) -> ApiResult<()> {
        for scope in settings.allowed_oauth_scopes.iter().flatten() {
            if !self.scope_exists(scope) {
                return Err(crate::ApiError::new(
                    "ScopeDoesNotExistException",
                    format!("Invalid scope requested: {scope}"),
                ));
            }
        }
        for provider in settings.supported_identity_providers.iter().flatten() {
            if provider != "COGNITO" && !self.identity_providers.contains_key(provider) {
                return Err(crate::ApiError::invalid_parameter(format!(
                    "The provider {provider} does not exist for User Pool {}",
                    self.id
                )));
            }
        }
        let flows = settings.allowed_oauth_flows.as_deref().unwrap_or_default();
        if flows.contains(&OAuthFlowType::ClientCredentials) && flows.len() > 1 {
            return Err(crate::ApiError::invalid_parameter(
                "client_credentials flow can not be selected with other flows",
            ));
        }
        Ok(())
    }
}

/// The `/oauth2/token` answer from an AuthenticationResult.
/// A `/oauth2/token` answer decided under the lock, signed after it.
#[derive(Debug)]
pub enum TokenGrant {
    /// A user's tokens (`authorization_code`, `refresh_token`).
    User {
        tokens: UnsignedTokens,
        scopes: Vec<String>,
        with_refresh: bool,
    },
    /// A token exchange (RFC 8693).
    Derived(super::token_exchange::DerivedToken),
    /// The client's own access token (`client_credentials`).
    Client {
        claims: Value,
        key: std::sync::Arc<crate::jwt::SigningKey>,
        expires_in: i64,
        /// PreTokenGeneration, when the pool's is version 3.
        trigger: Option<Box<super::trigger_events::PreToken>>,
    },
}

impl TokenGrant {
    /// Signs the tokens (after the pool's PreTokenGeneration trigger): the
    /// token endpoint's JSON answer.
    pub fn sign(self) -> crate::ApiResult<Value> {
        Ok(match self {
            TokenGrant::User {
                tokens,
                scopes,
                with_refresh,
            } => oauth_tokens(tokens.sign()?, &scopes, with_refresh),
            client @ TokenGrant::Client { .. } => {
                let (access_token, expires_in) = client.sign_client()?;
                json!({
                    "access_token": access_token,
                    "expires_in": expires_in,
                    "token_type": "Bearer",
                })
            }
            TokenGrant::Derived(token) => token.sign_oauth(),
        })
    }

    /// A `client_credentials` grant's access token (after a version-3
    /// PreTokenGeneration trigger, run here with no lock held) and its
    /// lifetime.
    pub fn sign_client(self) -> crate::ApiResult<(String, i64)> {
        let TokenGrant::Client {
            mut claims,
            key,
            expires_in,
            trigger,
        } = self
        else {
            return Err(crate::ApiError::new(
                "InternalErrorException",
                "not a client_credentials grant",
            ));
        };
        if let Some(trigger) = trigger {
            // There is no ID token: its part of the answer goes nowhere.
            trigger.apply(&mut json!({}), &mut claims)?;
        }
        Ok((key.sign(&claims), expires_in))
    }
}

/// Where the browser goes once a hosted-UI sign-in completes, decided
/// under the lock; the implicit grant's tokens are signed after it.
#[derive(Debug)]
pub enum AuthorizeRedirect {
    /// The location, with the authorization code.
    Ready(String),
    /// The implicit grant: tokens to sign into the fragment.
    Implicit {
        tokens: Box<UnsignedTokens>,
        redirect_uri: String,
        with_id_token: bool,
        state: Option<String>,
    },
}

impl AuthorizeRedirect {
    /// The location (signing the implicit grant's tokens).
    pub fn into_location(self) -> String {
        let (tokens, redirect_uri, with_id_token, state) = match self {
            AuthorizeRedirect::Ready(location) => return location,
            AuthorizeRedirect::Implicit {
                tokens,
                redirect_uri,
                with_id_token,
                state,
            } => (tokens, redirect_uri, with_id_token, state),
        };
        let tokens = match tokens.sign() {
            Ok(tokens) => tokens,
            // A failed PreTokenGeneration trigger: the app is told, as an
            // OAuth error in the fragment.
            Err(e) => {
                let mut pairs = vec![
                    ("error", "server_error"),
                    ("error_description", e.message.as_str()),
                ];
                if let Some(s) = &state {
                    pairs.push(("state", s));
                }
                return with_params(&redirect_uri, '#', &pairs);
            }
        };
        let expires_in = tokens.expires_in.unwrap_or_default().to_string();
        let mut pairs = vec![
            (
                "access_token",
                tokens.access_token.as_deref().unwrap_or_default(),
            ),
            ("token_type", "Bearer"),
            ("expires_in", expires_in.as_str()),
        ];
        if with_id_token {
            pairs.push(("id_token", tokens.id_token.as_deref().unwrap_or_default()));
        }
        if let Some(s) = &state {
            pairs.push(("state", s));
        }
        with_params(&redirect_uri, '#', &pairs)
    }
}

fn oauth_tokens(result: AuthenticationResultType, scopes: &[String], with_refresh: bool) -> Value {
    let mut out = json!({
        "access_token": result.access_token,
        "expires_in": result.expires_in,
        "token_type": "Bearer",
    });
    if scopes.iter().any(|s| s == "openid") {
        out["id_token"] = json!(result.id_token);
    }
    if with_refresh {
        out["refresh_token"] = json!(result.refresh_token);
    }
    out
}

/// Compares secrets without an early exit on the first difference.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    cognito_srp::ct_eq(a.as_bytes(), b.as_bytes())
}

/// A provider identity's attributes as the provider's AttributeMapping
/// maps them (`username` is Cognito's own).
pub(super) fn mapped_attributes(
    provider: &IdentityProvider,
    identity: &ProviderIdentity,
) -> Vec<(String, String)> {
    provider
        .attribute_mapping
        .iter()
        .filter(|(attribute, _)| attribute.as_str() != "username")
        .filter_map(|(attribute, source)| {
            let value = identity.profile.get(source)?;
            let value = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some((attribute.clone(), value))
        })
        .collect()
}

impl Pool {
    /// The user a provider identity signs in as, if the pool has one yet:
    /// its `<Provider>_<id>` user, or the user it is linked to
    /// (AdminLinkProviderForUser).
    pub(super) fn federated_username(
        &self,
        provider: &IdentityProvider,
        identity: &ProviderIdentity,
    ) -> Option<String> {
        let own = format!("{}_{}", provider.name, identity.subject);
        if self.users.contains_key(&own) {
            return Some(own);
        }
        self.linked_user(&provider.name, &identity.subject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_client_is_401() {
        assert_eq!(OAuthError::new("invalid_client", "x").status, 401);
        assert_eq!(OAuthError::new("invalid_grant", "x").status, 400);
    }
}
