//! The hosted UI's self-service pages: sign-up and its confirmation code,
//! and the forgotten-password pair. Each form carries the authorize query
//! (so signing in afterwards goes on to the app) and the CSRF token. Each
//! action is the API operation itself (SignUp, ConfirmSignUp,
//! ForgotPassword, ConfirmForgotPassword), read and run as an SDK's call
//! is, so a page is never a way around the API's checks.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::authorize::{SignInAgain, checked, checked_for_page, csrf_ok, csrf_token, with_csrf};
use super::{Site, pages, parse_params};
use crate::engine::Shared;
use crate::error::ApiError;
use crate::shapes::cognito_idp::UserPoolOperation;
use crate::user_pool::{SelfServicePages, ValidAuthorize};

/// Runs a user-pool operation from a page, as the JSON API runs it.
fn call(shared: &Shared, operation: &str, body: &Value) -> Result<Value, ApiError> {
    let operation = UserPoolOperation::from_name(operation)
        .ok_or_else(|| ApiError::new("InternalErrorException", "unknown operation"))?;
    let request = operation.parse(body)?;
    crate::ops::user_pool::run(shared, request, &shared.context())
}

/// A self-service page's POST, as a handler takes it: the authorize query
/// checked, the CSRF token checked, the form parsed, and what the pool
/// offers the client. A request that fails a check is answered by the
/// rejection (the error page or redirect), never reaching the handler.
pub(super) struct Posted {
    shared: Shared,
    site: Site,
    headers: HeaderMap,
    request: ValidAuthorize,
    offer: SelfServicePages,
    form: HashMap<String, String>,
    raw: String,
}

impl FromRequest<Shared> for Posted {
    type Rejection = Response;

    async fn from_request(req: Request, shared: &Shared) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let site = Site::from_request_parts(&mut parts, shared).await?;
        let raw = parts.uri.query().unwrap_or_default().to_owned();
        let headers = parts.headers.clone();
        let body = Bytes::from_request(Request::from_parts(parts, body), shared)
            .await
            .map_err(IntoResponse::into_response)?;
        let request = checked(shared, &site, &raw).map_err(|r| *r)?;
        let form = parse_params(&String::from_utf8_lossy(&body));
        if !csrf_ok(&headers, &form) {
            return Err(pages::error_page(
                StatusCode::FORBIDDEN,
                "The form's CSRF token is missing or does not match: reload the page.",
            ));
        }
        let offer = shared
            .user_pools()
            .page_self_service(&site.pool_id, &request.client_id);
        Ok(Posted {
            shared: shared.clone(),
            site,
            headers,
            request,
            offer,
            form,
            raw,
        })
    }
}

impl Posted {
    fn field(&self, name: &str) -> &str {
        self.form.get(name).map(String::as_str).unwrap_or_default()
    }

    fn csrf(&self) -> &str {
        self.field("_csrf")
    }

    /// A self-service page's URL, with the same authorize query.
    fn url(&self, page: &str) -> String {
        url(&self.site, page, &self.raw)
    }

    /// Runs `operation` about `username` from the page: its other
    /// `members`, and the SECRET_HASH a confidential client's calls need.
    async fn call(
        &self,
        operation: &'static str,
        username: &str,
        members: Value,
    ) -> Result<Value, ApiError> {
        let mut body = json!({"ClientId": self.request.client_id, "Username": username});
        if let (Some(object), Value::Object(members)) = (body.as_object_mut(), members) {
            object.extend(members);
        }
        if let Some(secret) = &self.offer.client_secret {
            body["SecretHash"] = Value::String(cognito_srp::secret_hash(
                username,
                &self.request.client_id,
                secret,
            ));
        }
        let shared = self.shared.clone();
        super::off_the_workers(&self.shared, move || call(&shared, operation, &body)).await
    }

    /// The sign-in page again, with a note (an account confirmed, a
    /// password changed) and the username filled in.
    fn sign_in_with_notice(&self, notice: &str, username: &str) -> Response {
        SignInAgain {
            shared: &self.shared,
            site: &self.site,
            raw: &self.raw,
            request: &self.request,
            headers: &self.headers,
        }
        .render(None, Some(notice), username)
    }
}

fn not_offered(what: &str) -> Response {
    pages::error_page(
        StatusCode::BAD_REQUEST,
        &format!("{what} is not offered by this user pool."),
    )
}

fn url(site: &Site, page: &str, raw: &str) -> String {
    format!("{}/{page}?{raw}", site.base)
}

/// A self-service page's GET: the authorize query checked (a request that
/// names a provider goes there instead), what the pool offers the client,
/// and the CSRF token its form will echo.
pub(super) struct Shown {
    site: Site,
    raw: String,
    offer: SelfServicePages,
    csrf: String,
}

impl FromRequestParts<Shared> for Shown {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, shared: &Shared) -> Result<Self, Response> {
        let site = Site::from_request_parts(parts, shared).await?;
        let raw = parts.uri.query().unwrap_or_default().to_owned();
        let request = checked_for_page(shared, &site, &raw).map_err(|r| *r)?;
        let offer = shared
            .user_pools()
            .page_self_service(&site.pool_id, &request.client_id);
        let csrf = csrf_token(shared, &parts.headers);
        Ok(Shown {
            site,
            raw,
            offer,
            csrf,
        })
    }
}

impl Shown {
    /// The page, with the CSRF cookie its form echoes.
    fn page(&self, page: Response) -> Response {
        with_csrf(page, &self.csrf, &self.site)
    }
}

/// `GET /signup`.
pub async fn sign_up_page(shown: Shown) -> Response {
    if !shown.offer.sign_up {
        return not_offered("Sign-up");
    }
    let fields: Vec<(String, String)> = shown
        .offer
        .fields
        .iter()
        .map(|f| (f.clone(), String::new()))
        .collect();
    shown.page(pages::sign_up(
        &url(&shown.site, "signup", &shown.raw),
        &shown.csrf,
        shown.offer.username_label,
        &fields,
        "",
        shown.offer.terms.as_ref(),
        None,
    ))
}

/// `POST /signup`: SignUp, then the confirmation code's page.
pub async fn sign_up_submit(posted: Posted) -> Response {
    if !posted.offer.sign_up {
        return not_offered("Sign-up");
    }
    let username = posted.field("username").trim().to_owned();
    let attributes: Vec<Value> = posted
        .offer
        .fields
        .iter()
        .filter(|f| !posted.field(f).is_empty())
        .map(|f| json!({"Name": f, "Value": posted.field(f).trim()}))
        .collect();
    let signed_up = posted
        .call(
            "SignUp",
            &username,
            json!({"Password": posted.field("password"), "UserAttributes": attributes}),
        )
        .await;
    match signed_up {
        Ok(out) if out["UserConfirmed"] == Value::Bool(true) => {
            posted.sign_in_with_notice("Your account is ready: sign in.", &username)
        }
        Ok(out) => pages::code_form(
            &posted.url("confirm"),
            posted.csrf(),
            &username,
            out["CodeDeliveryDetails"]["Destination"]
                .as_str()
                .unwrap_or_default(),
            false,
            None,
        ),
        Err(e) => {
            let fields: Vec<(String, String)> = posted
                .offer
                .fields
                .iter()
                .map(|f| (f.clone(), posted.field(f).to_owned()))
                .collect();
            pages::sign_up(
                &posted.url("signup"),
                posted.csrf(),
                posted.offer.username_label,
                &fields,
                &username,
                posted.offer.terms.as_ref(),
                Some(&e.message),
            )
        }
    }
}

/// `POST /confirm`: ConfirmSignUp with the code, then the sign-in page.
pub async fn confirm_submit(posted: Posted) -> Response {
    let username = posted.field("username");
    let confirmed = posted
        .call(
            "ConfirmSignUp",
            username,
            json!({"ConfirmationCode": posted.field("code").trim()}),
        )
        .await;
    match confirmed {
        Ok(_) => posted.sign_in_with_notice("Your account is confirmed: sign in.", username),
        Err(e) => pages::code_form(
            &posted.url("confirm"),
            posted.csrf(),
            username,
            posted.field("destination"),
            false,
            Some(&e.message),
        ),
    }
}

/// `GET /forgotPassword`.
pub async fn forgot_password_page(shown: Shown) -> Response {
    if !shown.offer.forgot_password {
        return not_offered("Password reset");
    }
    shown.page(pages::forgot_password(
        &url(&shown.site, "forgotPassword", &shown.raw),
        &shown.csrf,
        shown.offer.username_label,
        None,
    ))
}

/// `POST /forgotPassword`: ForgotPassword, then the code and new password.
pub async fn forgot_password_submit(posted: Posted) -> Response {
    if !posted.offer.forgot_password {
        return not_offered("Password reset");
    }
    let username = posted.field("username").trim();
    match posted.call("ForgotPassword", username, json!({})).await {
        Ok(out) => pages::code_form(
            &posted.url("confirmForgotPassword"),
            posted.csrf(),
            username,
            out["CodeDeliveryDetails"]["Destination"]
                .as_str()
                .unwrap_or_default(),
            true,
            None,
        ),
        Err(e) => pages::forgot_password(
            &posted.url("forgotPassword"),
            posted.csrf(),
            posted.offer.username_label,
            Some(&e.message),
        ),
    }
}

/// `POST /confirmForgotPassword`: ConfirmForgotPassword, then sign in.
pub async fn confirm_forgot_password_submit(posted: Posted) -> Response {
    let username = posted.field("username");
    let reset = posted
        .call(
            "ConfirmForgotPassword",
            username,
            json!({
                "ConfirmationCode": posted.field("code").trim(),
                "Password": posted.field("new_password"),
            }),
        )
        .await;
    match reset {
        Ok(_) => posted.sign_in_with_notice(
            "Your password has been reset: sign in with the new one.",
            username,
        ),
        Err(e) => pages::code_form(
            &posted.url("confirmForgotPassword"),
            posted.csrf(),
            username,
            posted.field("destination"),
            true,
            Some(&e.message),
        ),
    }
}
