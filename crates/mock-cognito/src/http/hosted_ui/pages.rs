//! The HTML of the hosted UI and of the fake providers' sign-in pages.
//! Every value placed in a page goes through [`escape`].

use std::fmt::Write as _;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::user_pool::PageChallenge;

/// HTML-escapes text for element content and quoted attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f2f3f3;margin:0}\
main{max-width:22rem;margin:3rem auto;background:#fff;padding:1.5rem 2rem;border-radius:6px;box-shadow:0 1px 4px #0002}\
h1{font-size:1.3rem}label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;box-sizing:border-box}\
button,a.idp{display:block;width:100%;margin-top:1rem;padding:.6rem;border:0;border-radius:4px;background:#ec7211;color:#fff;text-align:center;text-decoration:none;font-size:1rem;box-sizing:border-box}\
a.idp{background:#232f3e}.error{color:#b00020}.note{color:#555;font-size:.85rem}";

/// A whole page around `body`. Pages are never cached or framed.
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        escape(title)
    );
    let mut response = (status, html).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    response
}

/// A page that explains a request that cannot be sent back to the client.
pub fn error_page(status: StatusCode, message: &str) -> Response {
    page(
        status,
        "Sign-in error",
        &format!(
            "<h1>Something went wrong</h1><p class=\"error\" id=\"error\">{}</p>",
            escape(message)
        ),
    )
}

/// Hidden inputs for `pairs`.
pub fn hidden(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        let _ = write!(
            out,
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            escape(k),
            escape(v)
        );
    }
    out
}

fn notice_line(notice: Option<&str>) -> String {
    notice
        .map(|n| format!("<p class=\"note\" id=\"notice\">{}</p>", escape(n)))
        .unwrap_or_default()
}

/// A readable label for an attribute's field.
fn attribute_label(name: &str) -> String {
    let bare = name.rsplit(':').next().unwrap_or(name).replace('_', " ");
    let mut chars = bare.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn input_type(name: &str) -> &'static str {
    match name {
        "email" => "email",
        "phone_number" => "tel",
        "birthdate" => "date",
        _ => "text",
    }
}

/// The sign-up page: a username (or the email or phone number that signs
/// in), a password, and the attributes the pool asks for.
pub fn sign_up(
    action: &str,
    csrf: &str,
    username_label: &str,
    fields: &[(String, String)],
    username: &str,
    terms: Option<&(String, String)>,
    error: Option<&str>,
) -> Response {
    let mut inputs = String::new();
    for (name, value) in fields {
        let _ = write!(
            inputs,
            "<label for=\"{n}\">{label}</label>\
             <input id=\"{n}\" name=\"{n}\" type=\"{t}\" value=\"{v}\" required>",
            n = escape(name),
            label = escape(&attribute_label(name)),
            t = input_type(name),
            v = escape(value),
        );
    }
    let agreement = terms
        .map(|(terms_of_use, privacy_policy)| {
            format!(
                "<p class=\"note\">By signing up, you agree to the \
                 <a id=\"terms-of-use\" href=\"{}\">Terms of use</a> and the \
                 <a id=\"privacy-policy\" href=\"{}\">Privacy policy</a>.</p>",
                escape(terms_of_use),
                escape(privacy_policy)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<h1>Sign up</h1>{}\
         <form method=\"post\" action=\"{}\" id=\"signup\">{}\
         <label for=\"username\">{}</label>\
         <input id=\"username\" name=\"username\" autocomplete=\"username\" value=\"{}\" required>\
         {inputs}\
         <label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" required>\
         {agreement}<button type=\"submit\" name=\"signUpButton\">Sign up</button></form>",
        error_line(error),
        escape(action),
        hidden(&[("_csrf", csrf)]),
        escape(username_label),
        escape(username),
    );
    page(StatusCode::OK, "Sign up", &body)
}

/// A code sent to `destination` for `username`: confirming a sign-up
/// (`id` "confirm") or resetting a password (`id` "resetpassword", which
/// also asks for the new password).
pub fn code_form(
    action: &str,
    csrf: &str,
    username: &str,
    destination: &str,
    new_password: bool,
    error: Option<&str>,
) -> Response {
    let (title, id, extra, button) = if new_password {
        (
            "Reset your password",
            "resetpassword",
            "<label for=\"new_password\">New password</label>\
             <input id=\"new_password\" name=\"new_password\" type=\"password\" autocomplete=\"new-password\" required>",
            "Change password",
        )
    } else {
        ("Confirm your account", "confirm", "", "Confirm account")
    };
    let body = format!(
        "<h1>{title}</h1><p>We sent a code to <span id=\"destination\">{}</span>.</p>{}\
         <form method=\"post\" action=\"{}\" id=\"{id}\">{}\
         <label for=\"code\">Code</label>\
         <input id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required>\
         {extra}<button type=\"submit\">{button}</button></form>",
        escape(destination),
        error_line(error),
        escape(action),
        hidden(&[
            ("_csrf", csrf),
            ("username", username),
            ("destination", destination)
        ]),
    );
    page(StatusCode::OK, title, &body)
}

/// The forgot-password page: who to send a code to.
pub fn forgot_password(
    action: &str,
    csrf: &str,
    username_label: &str,
    error: Option<&str>,
) -> Response {
    let body = format!(
        "<h1>Forgot your password?</h1><p>Enter your {} and we will send you a code.</p>{}\
         <form method=\"post\" action=\"{}\" id=\"forgotpassword\">{}\
         <label for=\"username\">{}</label>\
         <input id=\"username\" name=\"username\" autocomplete=\"username\" required>\
         <button type=\"submit\">Reset my password</button></form>",
        escape(&username_label.to_lowercase()),
        error_line(error),
        escape(action),
        hidden(&[("_csrf", csrf)]),
        escape(username_label),
    );
    page(StatusCode::OK, "Forgot your password?", &body)
}

fn error_line(error: Option<&str>) -> String {
    error
        .map(|e| format!("<p class=\"error\" id=\"error\">{}</p>", escape(e)))
        .unwrap_or_default()
}

/// What the hosted sign-in page shows.
#[derive(Debug)]
pub struct SignInPage<'a> {
    /// The form's action (the `/login` URL with the authorize query).
    pub action: &'a str,
    /// The CSRF token (also in the `XSRF-TOKEN` cookie).
    pub csrf: &'a str,
    /// Offer the username/password form.
    pub cognito: bool,
    /// (provider name, authorize URL) per external provider button.
    pub providers: Vec<(String, String)>,
    /// An error from the last attempt.
    pub error: Option<&'a str>,
    /// The username typed last time.
    pub username: &'a str,
    /// A note from the last step (an account confirmed, a password reset).
    pub notice: Option<&'a str>,
    /// The sign-up page's URL, where the pool lets users sign up.
    pub sign_up_url: Option<String>,
    /// The forgot-password page's URL, where users may reset passwords.
    pub forgot_password_url: Option<String>,
}

/// The hosted UI's sign-in page.
pub fn sign_in(p: &SignInPage<'_>) -> Response {
    let mut body = String::from("<h1>Sign in</h1>");
    body.push_str(&notice_line(p.notice));
    body.push_str(&error_line(p.error));
    for (name, url) in &p.providers {
        let label = match name.as_str() {
            "LoginWithAmazon" => "Login with Amazon".to_owned(),
            "SignInWithApple" => "Sign in with Apple".to_owned(),
            other => format!("Continue with {other}"),
        };
        let _ = write!(
            body,
            "<a class=\"idp\" data-provider=\"{}\" href=\"{}\">{}</a>",
            escape(name),
            escape(url),
            escape(&label)
        );
    }
    if p.cognito {
        if !p.providers.is_empty() {
            body.push_str("<p class=\"note\">or sign in with your username and password</p>");
        }
        let _ = write!(
            body,
            "<form method=\"post\" action=\"{}\" id=\"signin\">{}\
             <label for=\"username\">Username</label>\
             <input id=\"username\" name=\"username\" autocomplete=\"username\" value=\"{}\" required>\
             <label for=\"password\">Password</label>\
             <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
             <button type=\"submit\" name=\"signInSubmitButton\">Sign in</button></form>",
            escape(p.action),
            hidden(&[("_csrf", p.csrf)]),
            escape(p.username)
        );
        if let Some(url) = &p.forgot_password_url {
            let _ = write!(
                body,
                "<p class=\"note\"><a id=\"forgot-password\" href=\"{}\">Forgot your password?</a></p>",
                escape(url)
            );
        }
        if let Some(url) = &p.sign_up_url {
            let _ = write!(
                body,
                "<p class=\"note\">Need an account? <a id=\"sign-up\" href=\"{}\">Sign up</a></p>",
                escape(url)
            );
        }
    }
    page(StatusCode::OK, "Sign in", &body)
}

/// The NEW_PASSWORD_REQUIRED form.
pub fn new_password(action: &str, csrf: &str, session: &str, error: Option<&str>) -> Response {
    let body = format!(
        "<h1>Change password</h1><p>Please enter a new password.</p>{}\
         <form method=\"post\" action=\"{}\" id=\"newpassword\">{}\
         <label for=\"new_password\">New password</label>\
         <input id=\"new_password\" name=\"new_password\" type=\"password\" autocomplete=\"new-password\" required>\
         <label for=\"confirm_password\">Confirm password</label>\
         <input id=\"confirm_password\" name=\"confirm_password\" type=\"password\" autocomplete=\"new-password\" required>\
         <button type=\"submit\" name=\"changePasswordSubmitButton\">Send</button></form>",
        error_line(error),
        escape(action),
        hidden(&[("_csrf", csrf), ("session", session)]),
    );
    page(StatusCode::OK, "Change password", &body)
}

/// The otpauth URI an authenticator app reads for a new software token.
fn otpauth_uri(issuer: &str, username: &str, secret: &str) -> String {
    let label = format!("{issuer}:{username}");
    format!(
        "otpauth://totp/{}?secret={}&issuer={}",
        cognito_wire::encoding::percent_encode(&label),
        cognito_wire::encoding::percent_encode(secret),
        cognito_wire::encoding::percent_encode(issuer)
    )
}

/// `text` as an inline SVG QR code (empty if it cannot be encoded, when
/// the key and link beside it still work).
fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => format!(
            "<span id=\"qr\" style=\"display:block;margin:.8rem 0\">{}</span>",
            {
                let svg = code
                    .render::<qrcode::render::svg::Color<'_>>()
                    .min_dimensions(180, 180)
                    .build();
                // Inline in HTML: the element, not the XML declaration.
                svg.find("<svg")
                    .map(|at| svg[at..].to_owned())
                    .unwrap_or_default()
            }
        ),
        Err(_) => String::from(", "),
    }
}

/// A second factor's page: a code (sent by SMS or email, or from an
/// authenticator app), a choice of factor, or a new authenticator app to
/// set up. The form carries the challenge, so a wrong answer shows it again.
pub fn second_factor(
    action: &str,
    csrf: &str,
    issuer: &str,
    challenge: &PageChallenge,
    error: Option<&str>,
) -> Response {
    let choices = challenge.choices.join(",");
    let carried = hidden(&[
        ("_csrf", csrf),
        ("mfa_session", &challenge.session),
        ("mfa_challenge", &challenge.name),
        ("mfa_username", &challenge.username),
        ("mfa_destination", &challenge.destination),
        ("mfa_choices", &choices),
        ("mfa_secret", &challenge.secret),
    ]);
    let code_input = "<label for=\"code\">Code</label>\
         <input id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required>\
         <button type=\"submit\" name=\"mfaSubmitButton\">Sign in</button>";
    let (title, prompt, inputs) = match challenge.name.as_str() {
        "SELECT_MFA_TYPE" => {
            let mut buttons = String::new();
            for choice in &challenge.choices {
                let label = match choice.as_str() {
                    "SMS_MFA" => "Text message (SMS)",
                    "EMAIL_OTP" => "Email",
                    "SOFTWARE_TOKEN_MFA" => "Authenticator app",
                    other => other,
                };
                let _ = write!(
                    buttons,
                    "<button type=\"submit\" name=\"answer\" value=\"{}\">{}</button>",
                    escape(choice),
                    escape(label)
                );
            }
            (
                "Choose a second factor",
                "How do you want to confirm it is you?".to_owned(),
                buttons,
            )
        }
        "MFA_SETUP" => {
            let uri = otpauth_uri(issuer, &challenge.username, &challenge.secret);
            (
                "Set up an authenticator app",
                format!(
                    "Scan this code with your authenticator app{}or enter the key \
                     <code id=\"secret\">{}</code> (or open <a id=\"otpauth\" href=\"{}\">this link</a> \
                     on the device), then enter the code it shows.",
                    qr_svg(&uri),
                    escape(&challenge.secret),
                    escape(&uri)
                ),
                code_input.to_owned(),
            )
        }
        "SOFTWARE_TOKEN_MFA" => (
            "Enter your code",
            "Enter the code from your authenticator app.".to_owned(),
            code_input.to_owned(),
        ),
        _ => (
            "Enter your code",
            format!(
                "We sent a code to <span id=\"destination\">{}</span>.",
                escape(&challenge.destination)
            ),
            code_input.to_owned(),
        ),
    };
    let body = format!(
        "<h1>{}</h1><p>{prompt}</p>{}\
         <form method=\"post\" action=\"{}\" id=\"mfa\">{carried}{inputs}</form>",
        escape(title),
        error_line(error),
        escape(action),
    );
    page(StatusCode::OK, title, &body)
}

/// A fake provider's sign-in page.
pub fn provider_sign_in(
    provider_title: &str,
    action: &str,
    carried: &[(&str, &str)],
    error: Option<&str>,
) -> Response {
    let body = format!(
        "<h1>{title}</h1><p class=\"note\">An offline stand-in served by mock-cognito.</p>{err}\
         <form method=\"post\" action=\"{action}\" id=\"provider-signin\">{hidden}\
         <label for=\"email\">Email or user id</label>\
         <input id=\"email\" name=\"email\" autocomplete=\"username\" required>\
         <label for=\"pass\">Password</label>\
         <input id=\"pass\" name=\"pass\" type=\"password\" autocomplete=\"current-password\" required>\
         <button type=\"submit\" name=\"login\">Log in</button></form>",
        title = escape(provider_title),
        err = error_line(error),
        action = escape(action),
        hidden = hidden(carried),
    );
    page(StatusCode::OK, provider_title, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
