//! The hosted UI's self-service pages: sign-up and its confirmation code,
//! and the forgotten-password pair. Each form carries the authorize query
//! (so signing in afterwards goes on to the app) and the CSRF token. Each
//! action is the API operation itself (SignUp, ConfirmSignUp,
//! ForgotPassword, ConfirmForgotPassword), read and run as an SDK's call
//! is, so a page is never a way around the API's checks.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
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

/// A page's form, parsed, once its CSRF token is checked.
struct Posted {
    request: ValidAuthorize,
    offer: SelfServicePages,
    form: std::collections::HashMap<String, String>,
    raw: String,
}

impl Posted {
    fn field(&self, name: &str) -> &str {
        self.form.get(name).map(String::as_str).unwrap_or_default()
    }

    fn csrf(&self) -> &str {
        self.field("_csrf")
    }

    /// The request body for `operation` about the form's user, with the
    /// SECRET_HASH a confidential client's calls need.
    fn body(&self, username: &str, members: Value) -> Value {
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
        body
    }
}

fn read_post(
    shared: &Shared,
    site: &Site,
    query: Option<String>,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Posted, Box<Response>> {
    let raw = query.unwrap_or_default();
    let request = checked(shared, site, &raw)?;
    let form = parse_params(&String::from_utf8_lossy(body));
    if !csrf_ok(headers, &form) {
        return Err(Box::new(pages::error_page(
            StatusCode::FORBIDDEN,
            "The form's CSRF token is missing or does not match: reload the page.",
        )));
    }
    let offer = shared
        .user_pools()
        .page_self_service(&site.pool_id, &request.client_id);
    Ok(Posted {
        request,
        offer,
        form,
        raw,
    })
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

/// The sign-in page again, with a note (an account confirmed, a password
/// changed) and the username filled in.
fn sign_in_with_notice(
    shared: &Shared,
    site: &Site,
    posted: &Posted,
    headers: &HeaderMap,
    notice: &str,
    username: &str,
) -> Response {
    SignInAgain {
        shared,
        site,
        raw: &posted.raw,
        request: &posted.request,
        headers,
    }
    .render(None, Some(notice), username)
}

/// `GET /signup`.
pub async fn sign_up_page(
    State(shared): State<Shared>,
    site: Site,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let raw = query.unwrap_or_default();
    let request = match checked_for_page(&shared, &site, &raw) {
        Ok(r) => r,
        Err(response) => return *response,
    };
    let offer = shared
        .user_pools()
        .page_self_service(&site.pool_id, &request.client_id);
    if !offer.sign_up {
        return not_offered("Sign-up");
    }
    let csrf = csrf_token(&shared, &headers);
    let fields: Vec<(String, String)> = offer
        .fields
        .iter()
        .map(|f| (f.clone(), String::new()))
        .collect();
    let page = pages::sign_up(
        &url(&site, "signup", &raw),
        &csrf,
        offer.username_label,
        &fields,
        "",
        offer.terms.as_ref(),
        None,
    );
    with_csrf(page, &csrf, &site)
}

/// `POST /signup`: SignUp, then the confirmation code's page.
pub async fn sign_up_submit(
    State(shared): State<Shared>,
    site: Site,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let posted = match read_post(&shared, &site, query, &headers, &body) {
        Ok(p) => p,
        Err(response) => return *response,
    };
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
    let request = posted.body(
        &username,
        json!({"Password": posted.field("password"), "UserAttributes": attributes}),
    );
    match call(&shared, "SignUp", &request) {
        Ok(out) if out["UserConfirmed"] == Value::Bool(true) => sign_in_with_notice(
            &shared,
            &site,
            &posted,
            &headers,
            "Your account is ready: sign in.",
            &username,
        ),
        Ok(out) => pages::code_form(
            &url(&site, "confirm", &posted.raw),
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
                &url(&site, "signup", &posted.raw),
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
pub async fn confirm_submit(
    State(shared): State<Shared>,
    site: Site,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let posted = match read_post(&shared, &site, query, &headers, &body) {
        Ok(p) => p,
        Err(response) => return *response,
    };
    let username = posted.field("username");
    let request = posted.body(
        username,
        json!({"ConfirmationCode": posted.field("code").trim()}),
    );
    match call(&shared, "ConfirmSignUp", &request) {
        Ok(_) => sign_in_with_notice(
            &shared,
            &site,
            &posted,
            &headers,
            "Your account is confirmed: sign in.",
            username,
        ),
        Err(e) => pages::code_form(
            &url(&site, "confirm", &posted.raw),
            posted.csrf(),
            username,
            posted.field("destination"),
            false,
            Some(&e.message),
        ),
    }
}

/// `GET /forgotPassword`.
pub async fn forgot_password_page(
    State(shared): State<Shared>,
    site: Site,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let raw = query.unwrap_or_default();
    let request = match checked_for_page(&shared, &site, &raw) {
        Ok(r) => r,
        Err(response) => return *response,
    };
    let offer = shared
        .user_pools()
        .page_self_service(&site.pool_id, &request.client_id);
    if !offer.forgot_password {
        return not_offered("Password reset");
    }
    let csrf = csrf_token(&shared, &headers);
    let page = pages::forgot_password(
        &url(&site, "forgotPassword", &raw),
        &csrf,
        offer.username_label,
        None,
    );
    with_csrf(page, &csrf, &site)
}

/// `POST /forgotPassword`: ForgotPassword, then the code and new password.
pub async fn forgot_password_submit(
    State(shared): State<Shared>,
    site: Site,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let posted = match read_post(&shared, &site, query, &headers, &body) {
        Ok(p) => p,
        Err(response) => return *response,
    };
    if !posted.offer.forgot_password {
        return not_offered("Password reset");
    }
    let username = posted.field("username").trim();
    match call(&shared, "ForgotPassword", &posted.body(username, json!({}))) {
        Ok(out) => pages::code_form(
            &url(&site, "confirmForgotPassword", &posted.raw),
            posted.csrf(),
            username,
            out["CodeDeliveryDetails"]["Destination"]
                .as_str()
                .unwrap_or_default(),
            true,
            None,
        ),
        Err(e) => pages::forgot_password(
            &url(&site, "forgotPassword", &posted.raw),
            posted.csrf(),
            posted.offer.username_label,
            Some(&e.message),
        ),
    }
}

/// `POST /confirmForgotPassword`: ConfirmForgotPassword, then sign in.
pub async fn confirm_forgot_password_submit(
    State(shared): State<Shared>,
    site: Site,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let posted = match read_post(&shared, &site, query, &headers, &body) {
        Ok(p) => p,
        Err(response) => return *response,
    };
    let username = posted.field("username");
    let request = posted.body(
        username,
        json!({
            "ConfirmationCode": posted.field("code").trim(),
            "Password": posted.field("new_password"),
        }),
    );
    match call(&shared, "ConfirmForgotPassword", &request) {
        Ok(_) => sign_in_with_notice(
            &shared,
            &site,
            &posted,
            &headers,
            "Your password has been reset: sign in with the new one.",
            username,
        ),
        Err(e) => pages::code_form(
            &url(&site, "confirmForgotPassword", &posted.raw),
            posted.csrf(),
            username,
            posted.field("destination"),
            true,
            Some(&e.message),
        ),
    }
}
