//! The browser-facing endpoints: `/oauth2/authorize`, `/login` (the
//! sign-in page, with CSRF protection and a session cookie), `/logout`, and
//! `/oauth2/idpresponse` where external providers send the browser back.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use cognito_wire::encoding::with_params;

use super::pages::{self, SignInPage};
use super::{Site, cookie, parse_params, random_token, redirect, set_cookie};
use crate::engine::Shared;
use crate::user_pool::{
    AuthorizeError, AuthorizeParams, BROWSER_SESSION_SECS, CimdLookup, Confirmation,
    FederationTrigger, PageChallenge, PagePassword, ProviderIdentity, ValidAuthorize,
    check_client_id_url, constant_time_eq, parse_document,
};

const SESSION_COOKIE: &str = "cognito";
const CSRF_COOKIE: &str = "XSRF-TOKEN";

fn authorize_params(raw: &str) -> AuthorizeParams {
    serde_urlencoded::from_str(raw).unwrap_or_default()
}

/// Checks the authorize parameters, or answers as Cognito does: an error
/// page when the client or redirect URI is wrong, else an error redirect.
/// (The error is boxed: a `Response` is large and this is the rare path.)
pub(super) fn checked(
    shared: &Shared,
    site: &Site,
    raw: &str,
) -> Result<ValidAuthorize, Box<Response>> {
    let params = authorize_params(raw);
    shared
        .user_pools()
        .check_authorize(&site.pool_id, &params)
        .map_err(|e| {
            Box::new(match e {
                AuthorizeError::Page(msg) => pages::error_page(StatusCode::BAD_REQUEST, &msg),
                AuthorizeError::Redirect(location) => redirect(&location),
            })
        })
}

/// [`checked`], for the endpoints that show a page: a request that names an
/// external provider goes straight to that provider instead.
pub(super) fn checked_for_page(
    shared: &Shared,
    site: &Site,
    raw: &str,
) -> Result<ValidAuthorize, Box<Response>> {
    let request = checked(shared, site, raw)?;
    match request.provider {
        Some(_) => Err(Box::new(start_federation(shared, site, &request))),
        None => Ok(request),
    }
}

/// `GET /oauth2/authorize`.
pub async fn authorize(
    State(shared): State<Shared>,
    site: Site,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let raw = query.unwrap_or_default();
    let client_id = authorize_params(&raw).client_id;
    if let Some(url) = client_id.as_deref().filter(|c| c.starts_with("https://"))
        && let Err(page) = metadata_client(&shared, &site, url).await
    {
        return *page;
    }
    let request = match checked_for_page(&shared, &site, &raw) {
        Ok(r) => r,
        Err(response) => return *response,
    };
    let ctx = shared.context();
    let now = ctx.clock.unix();
    let browser = cookie(&headers, SESSION_COOKIE);
    let signed_in = browser.as_deref().and_then(|c| {
        shared
            .user_pools()
            .browser_session_user(c, &site.pool_id, &request.client_id, now)
    });
    match signed_in {
        // A live session: no page, straight back to the app.
        Some(username) => finish(
            &shared,
            &request,
            &username,
            Browser::Existing(browser.as_deref()),
            &site,
        ),
        None => redirect(&format!("{}/login?{raw}", site.base)),
    }
}

/// A client ID metadata document URL as `client_id` (CIMD): a policy of
/// the pool must match it, and its document is fetched and cached unless a
/// fresh copy is, so that the checks that follow find the client it
/// stands for. An error page otherwise, as for an unknown client.
async fn metadata_client(shared: &Shared, site: &Site, url: &str) -> Result<(), Box<Response>> {
    let refuse = |why: &str| Box::new(pages::error_page(StatusCode::BAD_REQUEST, why));
    check_client_id_url(url).map_err(|e| refuse(&format!("invalid client_id: {e}")))?;
    let now = shared.clock.unix();
    let lookup = shared.user_pools().cimd_lookup(&site.pool_id, url, now);
    let policy_id = match lookup {
        CimdLookup::Cached => return Ok(()),
        CimdLookup::Fetch { policy_id } => policy_id,
        CimdLookup::NoPolicy => {
            return Err(refuse(
                "invalid client_id: no CIMD policy of this user pool matches the URL",
            ));
        }
    };
    let invalid = |e: String| refuse(&format!("invalid_client_metadata: {e}"));
    let fetched = shared.settings.metadata.fetch(url).await.map_err(invalid)?;
    let document = parse_document(url, &fetched.body).map_err(invalid)?;
    shared
        .user_pools_mut()
        .cimd_cache(&site.pool_id, &policy_id, document, fetched.max_age, now)
        .map_err(|e| refuse(&e.message))
}

/// Sends the browser to the external provider's sign-in page.
fn start_federation(shared: &Shared, site: &Site, request: &ValidAuthorize) -> Response {
    let now = shared.clock.unix();
    let start = match shared
        .user_pools_mut()
        .start_federation(request, now, &shared.rng)
    {
        Ok(s) => s,
        Err(e) => return pages::error_page(StatusCode::BAD_REQUEST, &e.message),
    };
    let callback = format!("{}/oauth2/idpresponse", site.base);
    redirect(&with_params(
        &start.authorize_url,
        '?',
        &[
            ("client_id", start.provider_client_id.as_str()),
            ("redirect_uri", callback.as_str()),
            ("response_type", "code"),
            ("scope", start.scopes.as_str()),
            ("state", start.state.as_str()),
        ],
    ))
}

/// The browser session a completed sign-in belongs to.
enum Browser<'a> {
    /// The session that signed the user in again (its cookie).
    Existing(Option<&'a str>),
    /// A fresh sign-in: a new session starts.
    New,
}

/// Completes a sign-in: the code (or tokens) redirect, and the session
/// cookie when a new browser session starts.
fn finish(
    shared: &Shared,
    request: &ValidAuthorize,
    username: &str,
    browser: Browser<'_>,
    site: &Site,
) -> Response {
    let ctx = shared.context();
    let now = ctx.clock.unix();
    let (completed, cookie) = {
        let mut user_pools = shared.user_pools_mut();
        let (session, new_cookie) = match browser {
            Browser::Existing(cookie) => (cookie.map(str::to_owned), None),
            Browser::New => {
                let cookie = user_pools.start_browser_session(
                    &site.pool_id,
                    &request.client_id,
                    username,
                    now,
                    ctx.rng,
                );
                (Some(cookie.clone()), Some(cookie))
            }
        };
        let completed = user_pools.complete_authorize(request, username, session.as_deref(), &ctx);
        if completed.is_err()
            && let Some(c) = &new_cookie
        {
            user_pools.end_browser_session(c, &site.pool_id, now);
        }
        (completed, new_cookie)
    };
    // The implicit grant's tokens are signed with the lock released.
    let location = match completed {
        Ok(completed) => completed.into_location(),
        Err(e) => return redirect(&request.error_redirect("server_error", &e.message)),
    };
    let mut response = redirect(&location);
    if let Some(c) = cookie {
        set_cookie(
            &mut response,
            SESSION_COOKIE,
            &c,
            &site.cookie_path,
            BROWSER_SESSION_SECS,
        );
    }
    response
}

/// The CSRF token for a page: the browser's cookie when it has one.
pub(super) fn csrf_token(shared: &Shared, headers: &HeaderMap) -> String {
    cookie(headers, CSRF_COOKIE)
        .filter(|c| c.len() >= 32)
        .unwrap_or_else(|| random_token(&shared.rng))
}

/// Sets the CSRF cookie a page's form echoes.
pub(super) fn with_csrf(mut response: Response, csrf: &str, site: &Site) -> Response {
    set_cookie(&mut response, CSRF_COOKIE, csrf, &site.cookie_path, 3600);
    response
}

/// Double-submit CSRF check: the form must echo the cookie's token.
pub(super) fn csrf_ok(headers: &HeaderMap, form: &HashMap<String, String>) -> bool {
    let echoed = form.get("_csrf").map(String::as_str).unwrap_or_default();
    cookie(headers, CSRF_COOKIE).is_some_and(|c| c.len() >= 32 && constant_time_eq(&c, echoed))
}

/// The sign-in page for a checked request.
pub(super) struct SignInAgain<'a> {
    pub(super) shared: &'a Shared,
    pub(super) site: &'a Site,
    pub(super) raw: &'a str,
    pub(super) request: &'a ValidAuthorize,
    pub(super) headers: &'a HeaderMap,
}

impl SignInAgain<'_> {
    /// The page, with an error or a note from the last step, and the
    /// links to the self-service pages the pool offers.
    pub(super) fn render(
        &self,
        error: Option<&str>,
        notice: Option<&str>,
        username: &str,
    ) -> Response {
        let (shared, site, raw) = (self.shared, self.site, self.raw);
        let csrf = csrf_token(shared, self.headers);
        let (cognito, external) = shared
            .user_pools()
            .page_providers(&site.pool_id, &self.request.client_id);
        let offer = shared
            .user_pools()
            .page_self_service(&site.pool_id, &self.request.client_id);
        let params = authorize_params(raw);
        let providers = external
            .into_iter()
            .map(|name| {
                let mut p = params.clone();
                p.identity_provider = Some(name.clone());
                p.idp_identifier = None;
                let q = serde_urlencoded::to_string(&p).unwrap_or_default();
                (name, format!("{}/oauth2/authorize?{q}", site.base))
            })
            .collect();
        let action = format!("{}/login?{raw}", site.base);
        let page = pages::sign_in(&SignInPage {
            action: &action,
            csrf: &csrf,
            cognito,
            providers,
            error,
            username,
            notice,
            sign_up_url: offer.sign_up.then(|| format!("{}/signup?{raw}", site.base)),
            forgot_password_url: offer
                .forgot_password
                .then(|| format!("{}/forgotPassword?{raw}", site.base)),
        });
        with_csrf(page, &csrf, site)
    }
}

/// `GET /login`: the sign-in page.
pub async fn login_page(
    State(shared): State<Shared>,
    site: Site,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let raw = query.unwrap_or_default();
    let client_id = authorize_params(&raw).client_id;
    if let Some(url) = client_id.as_deref().filter(|c| c.starts_with("https://"))
        && let Err(page) = metadata_client(&shared, &site, url).await
    {
        return *page;
    }
    let request = match checked_for_page(&shared, &site, &raw) {
        Ok(r) => r,
        Err(response) => return *response,
    };
    SignInAgain {
        shared: &shared,
        site: &site,
        raw: &raw,
        request: &request,
        headers: &headers,
    }
    .render(None, None, "")
}

/// What a sign-in form leads to: the app (signed in), the new-password
/// form, a second factor's page, or the sign-in page again with the error.
struct Answered<'a> {
    sign_in: SignInAgain<'a>,
    csrf: &'a str,
}

impl Answered<'_> {
    fn action(&self) -> String {
        format!("{}/login?{}", self.sign_in.site.base, self.sign_in.raw)
    }

    fn show(&self, outcome: Result<PagePassword, crate::ApiError>, username: &str) -> Response {
        match outcome {
            Ok(PagePassword::SignedIn(user)) => {
                let page = &self.sign_in;
                finish(page.shared, page.request, &user, Browser::New, page.site)
            }
            Ok(PagePassword::NewPasswordRequired(session)) => {
                pages::new_password(&self.action(), self.csrf, &session, None)
            }
            Ok(PagePassword::SecondFactor(challenge)) => self.second_factor(&challenge, None),
            Err(e) => self.sign_in_again(&e.message, username),
        }
    }

    fn second_factor(&self, challenge: &PageChallenge, error: Option<&str>) -> Response {
        pages::second_factor(
            &self.action(),
            self.csrf,
            &self.sign_in.site.pool_id,
            challenge,
            error,
        )
    }

    fn sign_in_again(&self, error: &str, username: &str) -> Response {
        self.sign_in.render(Some(error), None, username)
    }
}

/// `POST /login`: the password form, the new-password form or a second
/// factor's form.
pub async fn login_submit(
    State(shared): State<Shared>,
    site: Site,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let raw = query.unwrap_or_default();
    let request = match checked(&shared, &site, &raw) {
        Ok(r) => r,
        Err(response) => return *response,
    };
    let form = parse_params(&String::from_utf8_lossy(&body));
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    if !csrf_ok(&headers, &form) {
        return pages::error_page(
            StatusCode::FORBIDDEN,
            "The form's CSRF token is missing or does not match: reload the sign-in page.",
        );
    }
    let ctx = shared.context();
    let answered = Answered {
        sign_in: SignInAgain {
            shared: &shared,
            site: &site,
            raw: &raw,
            request: &request,
            headers: &headers,
        },
        csrf: field("_csrf"),
    };
    let action = answered.action();
    if !field("mfa_session").is_empty() {
        let shown = PageChallenge {
            name: field("mfa_challenge").to_owned(),
            session: field("mfa_session").to_owned(),
            username: field("mfa_username").to_owned(),
            destination: field("mfa_destination").to_owned(),
            choices: field("mfa_choices")
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
            secret: field("mfa_secret").to_owned(),
        };
        let answer = match field("answer") {
            "" => field("code"),
            choice => choice,
        };
        let outcome =
            shared
                .user_pools_mut()
                .page_mfa_answer(&request, &shown, answer.trim(), &ctx);
        return match outcome {
            // A wrong code may be tried again on the same challenge.
            Err(e)
                if matches!(
                    e.code,
                    "CodeMismatchException"
                        | "EnableSoftwareTokenMFAException"
                        | "ExpiredCodeException"
                ) =>
            {
                answered.second_factor(&shown, Some(&e.message))
            }
            other => answered.show(other, ""),
        };
    }
    if !field("session").is_empty() {
        if field("new_password") != field("confirm_password") {
            return pages::new_password(
                &action,
                field("_csrf"),
                field("session"),
                Some("The passwords do not match."),
            );
        }
        // The new password's verifier is made before the lock is taken.
        let mut ahead = crate::ahead::WorkAhead::default();
        let plan =
            shared
                .user_pools()
                .plan_new_password(field("session"), field("new_password"), &ctx);
        ahead.run(plan.into_iter().collect(), ctx.rng);
        let ctx = crate::user_pool::Context {
            ahead: Some(&ahead),
            ..ctx
        };
        let outcome = shared.user_pools_mut().page_new_password(
            &request,
            field("session"),
            field("new_password"),
            &ctx,
        );
        return match outcome {
            // An expired session cannot be retried: start again.
            Err(e) if e.code != "NotAuthorizedException" => {
                // The session was spent; a policy failure needs a fresh one.
                pages::new_password(&action, field("_csrf"), "", Some(&e.message))
            }
            other => answered.show(other, ""),
        };
    }
    // PreAuthentication, or UserMigration for a name the pool lacks: run
    // with no lock held, off the async workers.
    let (typed, password) = (field("username"), field("password"));
    let before =
        shared
            .user_pools()
            .page_sign_in_trigger(&request.client_id, (typed, password), &ctx);
    let mut ahead = crate::ahead::WorkAhead::default();
    if let Some(invocation) = before {
        let migration = invocation.trigger == crate::triggers::Trigger::UserMigration;
        let outcome = super::off_the_workers(&shared, move || invocation.run()).await;
        match outcome {
            outcome if migration => ahead.migration = Some(outcome),
            Err(refused) => return answered.show(Err(refused), typed),
            Ok(_) => {}
        }
    }
    let ctx = crate::user_pool::Context {
        ahead: Some(&ahead),
        ..ctx
    };
    if ahead.migration.is_some()
        && let Err(e) =
            shared
                .user_pools_mut()
                .migrate_ahead(&request.client_id, typed, Some(password), &ctx)
    {
        return answered.show(Err(e), typed);
    }
    let check = shared
        .user_pools()
        .page_password(&request, typed, password, &ctx);
    let outcome = check.and_then(|check| {
        let good = check.run();
        shared
            .user_pools_mut()
            .page_password_checked(check, good, &ctx)
    });
    answered.show(outcome, typed)
}

/// `GET /logout`: ends the browser session, then goes to a registered
/// sign-out URL (`logout_uri`) or back to the sign-in page (`redirect_uri`
/// + `response_type`).
pub async fn logout(
    State(shared): State<Shared>,
    site: Site,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let raw = query.unwrap_or_default();
    let q = parse_params(&raw);
    let client_id = q.get("client_id").map(String::as_str).unwrap_or_default();
    let target = if let Some(uri) = q.get("logout_uri") {
        if !shared
            .user_pools()
            .logout_allowed(&site.pool_id, client_id, uri)
        {
            return pages::error_page(
                StatusCode::BAD_REQUEST,
                "logout_uri is not one of the app client's sign-out URLs",
            );
        }
        uri.clone()
    } else if q.contains_key("redirect_uri") {
        if let Err(response) = checked(&shared, &site, &raw) {
            return *response;
        }
        format!("{}/login?{raw}", site.base)
    } else {
        return pages::error_page(
            StatusCode::BAD_REQUEST,
            "logout needs client_id with logout_uri, or redirect_uri and response_type",
        );
    };
    if let Some(c) = cookie(&headers, SESSION_COOKIE) {
        shared
            .user_pools_mut()
            .end_browser_session(&c, &site.pool_id, shared.clock.unix());
    }
    let mut response = redirect(&target);
    set_cookie(&mut response, SESSION_COOKIE, "", &site.cookie_path, 0);
    response
}

/// `GET /oauth2/idpresponse`: the external provider's redirect.
pub async fn idp_response(
    State(shared): State<Shared>,
    site: Site,
    RawQuery(query): RawQuery,
) -> Response {
    let params = parse_params(&query.unwrap_or_default());
    let on_thread = shared.clone();
    super::off_the_workers(&shared, move || {
        federated_return(&on_thread, &site, &params)
    })
    .await
}

/// `POST /oauth2/idpresponse`: the same, for providers that post the
/// answer (Sign in with Apple's `form_post`).
pub async fn idp_response_post(State(shared): State<Shared>, site: Site, body: Bytes) -> Response {
    let params = parse_params(&String::from_utf8_lossy(&body));
    let on_thread = shared.clone();
    super::off_the_workers(&shared, move || {
        federated_return(&on_thread, &site, &params)
    })
    .await
}

fn federated_return(
    shared: &Shared,
    site: &Site,
    params: &std::collections::HashMap<String, String>,
) -> Response {
    let get = |k: &str| params.get(k).map(String::as_str);
    let now = shared.clock.unix();
    let pending = shared.user_pools_mut().finish_federation(
        &site.pool_id,
        get("state").unwrap_or_default(),
        now,
    );
    let Some((request, provider)) = pending else {
        return pages::error_page(
            StatusCode::BAD_REQUEST,
            "This sign-in is unknown or has expired (state): start again from the app.",
        );
    };
    if let Some(error) = get("error") {
        let description = get("error_description").unwrap_or(error);
        return redirect(&request.error_redirect("access_denied", description));
    }
    let callback = format!("{}/oauth2/idpresponse", site.base);
    let redeemed = shared.providers_mut().redeem_code(
        &provider.fake_provider(),
        get("code").unwrap_or_default(),
        provider.detail("client_id").unwrap_or_default(),
        provider.detail("client_secret"),
        &callback,
        now,
    );
    let tokens = match redeemed {
        Ok(t) => t,
        Err(e) => {
            return redirect(&request.error_redirect(
                "invalid_request",
                &format!("{} refused the sign-in: {}", provider.name, e.description),
            ));
        }
    };
    let identity = ProviderIdentity {
        subject: tokens.subject,
        profile: tokens.profile,
    };
    // PreSignUp (first sign-in) or PreAuthentication, with no lock held;
    // this runs off the async workers when triggers are configured.
    let ctx = shared.context();
    let before = shared.user_pools().federation_trigger(
        (&request.pool_id, &request.client_id),
        &provider,
        &identity,
        &ctx,
    );
    let verified = match before.map(FederationTrigger::run) {
        None => (false, false),
        Some(Ok(verified)) => verified,
        Some(Err(e)) => return redirect(&request.error_redirect("access_denied", &e.message)),
    };
    let federated = shared.user_pools_mut().federated_user(
        &request.pool_id,
        (&provider, &identity),
        verified,
        now,
        &shared.rng,
    );
    let username = match federated {
        Ok((username, created)) => {
            let confirmation = Confirmation::federated(&request.client_id, &username);
            let after = created
                .then(|| shared.user_pools().post_confirmation(&confirmation, &ctx))
                .flatten();
            if let Some(Err(e)) = after.map(|invocation| invocation.run()) {
                return redirect(&request.error_redirect("access_denied", &e.message));
            }
            username
        }
        Err(e) => return redirect(&request.error_redirect("access_denied", &e.message)),
    };
    finish(shared, &request, &username, Browser::New, site)
}
