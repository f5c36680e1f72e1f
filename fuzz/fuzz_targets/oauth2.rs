//! The hosted UI and OAuth2 endpoints of the seeded pool's domain
//! (`/example/…` or by `Host`): query parsing of `/oauth2/authorize`,
//! `/login` and `/logout`, the `/login` form (CSRF double-submit, password,
//! new password), `/oauth2/token` forms and Basic client authentication
//! (authorization_code with PKCE, refresh_token, client_credentials),
//! `/oauth2/userInfo` and `/oauth2/revoke`; and the rest of the mock's
//! routes a browser or test can reach (the fake providers' pages and token
//! endpoints under `/idp/`, `/_mock/*`, the JWKS and discovery documents).
//!
//! Input: one HTTP request as text (see `request::HttpText`), placeholders
//! as in `fixture`: `{{CODE}}` is a fresh authorization code (PKCE verifier
//! `fixture::PKCE_VERIFIER`), `{{SESSION_COOKIE}}` a signed-in browser.
//!
//! Invariants: OAuth `{"error"}` JSON from the token, userInfo and revoke
//! endpoints, never a 5xx, and redirects from the pool's routes only to
//! the mock itself or the client's registered URLs (never an authorization
//! code or token to anywhere else).

#![no_main]

use cognito_kit_fuzz::fixture::{self, Aftermath, with_fixture};
use cognito_kit_fuzz::request::HttpText;
use cognito_kit_fuzz::shape;
use libfuzzer_sys::fuzz_target;
use mock_cognito::fuzzing::{FUZZ_ENDPOINT, InProcessReply};

fuzz_target!(|data: &[u8]| {
    with_fixture(|fx| {
        let Some(request) = HttpText::parse(&fx.expand(data)) else {
            return;
        };
        let headers: Vec<(&str, &[u8])> = request
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
            .collect();
        let Ok(reply) = fx
            .mock()
            .call(&request.method, &request.target, &headers, &request.body)
        else {
            return; // not a request HTTP can carry
        };
        let path = request.target.split(['?', '#']).next().unwrap_or_default();
        let fake_provider = path.starts_with("/idp/");
        let oauth_endpoint = ["/oauth2/token", "/oauth2/userInfo", "/oauth2/revoke"]
            .iter()
            .any(|p| path.ends_with(p))
            || (fake_provider && path.ends_with("/token"));
        if oauth_endpoint {
            shape::oauth_json(&request, &reply);
        } else {
            shape::no_server_error(&request, &reply);
        }
        // The fake providers send their users back to whatever redirect_uri
        // the app asks for; the pool's own routes must not.
        let own_route = !fake_provider && !path.starts_with("/_mock/");
        if own_route && (300..400).contains(&reply.status) {
            redirects_stay_home(&request, &reply);
        }
        fx.settle(aftermath(&request, path, &reply));
    });
});

/// A redirect goes to the mock (as addressed), or to one of the public
/// client's registered callback or sign-out URLs.
fn redirects_stay_home(request: &HttpText, reply: &InProcessReply) {
    let location = reply.header("location").unwrap_or_default();
    let host = request
        .header("host")
        .map(|h| String::from_utf8_lossy(h).into_owned());
    let registered = |url: &str| {
        location
            .strip_prefix(url)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['?', '#']))
    };
    let home = (location.starts_with('/') && !location.starts_with("//"))
        || location.starts_with(&format!("{FUZZ_ENDPOINT}/"))
        || host.is_some_and(|h| location.starts_with(&format!("http://{h}/")))
        || registered(fixture::CALLBACK)
        || registered(fixture::LOGOUT_URL);
    shape::require(
        home,
        "a redirect to a URL the app client never registered",
        request,
        reply,
    );
}

/// What a request may have changed in the fixture.
fn aftermath(request: &HttpText, path: &str, reply: &InProcessReply) -> Aftermath {
    let post = request.method == "POST";
    if post && path.ends_with("/login") {
        let new_password = request.body.windows(12).any(|w| w == b"new_password");
        match reply.status {
            302 if new_password => Aftermath::Users,
            302 => Aftermath::Clean,
            _ => Aftermath::FailedSignIn,
        }
    } else if post && path.ends_with("/oauth2/revoke") && reply.status == 200 {
        Aftermath::Users
    } else {
        Aftermath::Clean
    }
}
