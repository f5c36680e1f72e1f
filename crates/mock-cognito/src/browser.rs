//! A scripted browser for the hosted UI (feature `browser`): it keeps
//! cookies, follows redirects one at a time, and fills in the sign-in forms
//! of the mock's pages, so tests and demos can run the authorization-code
//! flow over HTTP exactly as a person in a browser would.
//!
//! ```no_run
//! # async fn demo(authorize_url: &str) -> Result<(), mock_cognito::browser::BrowserError> {
//! use mock_cognito::browser::Browser;
//! let browser = Browser::new();
//! // Ends at the app's redirect URI: http://localhost:8080/callback?code=…&state=…
//! let callback = browser
//!     .sign_in(authorize_url, "http://localhost:8080/callback", "alice", "Passw0rd!")
//!     .await?;
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

use regex::Regex;

/// What went wrong while browsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserError(pub String);

impl fmt::Display for BrowserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BrowserError {}

fn err(msg: impl Into<String>) -> BrowserError {
    BrowserError(msg.into())
}

/// One response.
#[derive(Debug, Clone)]
pub struct Page {
    /// The URL that was requested.
    pub url: String,
    /// The HTTP status.
    pub status: u16,
    /// The `Location` of a redirect, made absolute.
    pub location: Option<String>,
    /// The body.
    pub body: String,
}

/// An HTML form of a page.
#[derive(Debug, Clone)]
pub struct Form {
    /// Where it posts (absolute).
    pub action: String,
    /// Its hidden inputs.
    pub hidden: Vec<(String, String)>,
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `reference` resolved against `base` (absolute URLs and absolute paths).
fn absolute(base: &str, reference: &str) -> String {
    if reference.contains("://") {
        return reference.to_owned();
    }
    let origin_end = base
        .find("://")
        .and_then(|i| base[i + 3..].find('/').map(|j| i + 3 + j))
        .unwrap_or(base.len());
    format!("{}{reference}", &base[..origin_end])
}

fn host_of(url: &str) -> String {
    url.split("://")
        .nth(1)
        .unwrap_or_default()
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .to_owned()
}

static FORM: OnceLock<Regex> = OnceLock::new();
static HIDDEN: OnceLock<Regex> = OnceLock::new();
static PROVIDER_LINK: OnceLock<Regex> = OnceLock::new();
static ERROR: OnceLock<Regex> = OnceLock::new();
static LINK: OnceLock<Regex> = OnceLock::new();
static NOTICE: OnceLock<Regex> = OnceLock::new();

/// The markup of the mock's own pages, compiled once.
fn pattern(cell: &'static OnceLock<Regex>, source: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(source).expect("static regex"))
}

impl Page {
    /// Whether the response is a redirect.
    pub fn is_redirect(&self) -> bool {
        (300..400).contains(&self.status) && self.location.is_some()
    }

    /// The form with this `id`.
    pub fn form(&self, id: &str) -> Option<Form> {
        let re = pattern(
            &FORM,
            r#"(?s)<form method="post" action="([^"]*)" id="([^"]*)">(.*?)</form>"#,
        );
        let input = pattern(
            &HIDDEN,
            r#"<input type="hidden" name="([^"]*)" value="([^"]*)">"#,
        );
        re.captures_iter(&self.body)
            .find(|c| &c[2] == id)
            .map(|c| Form {
                action: absolute(&self.url, &unescape(&c[1])),
                hidden: input
                    .captures_iter(&c[3])
                    .map(|h| (unescape(&h[1]), unescape(&h[2])))
                    .collect(),
            })
    }

    /// The sign-in button for an external provider (`data-provider`).
    pub fn provider_link(&self, provider: &str) -> Option<String> {
        let re = pattern(
            &PROVIDER_LINK,
            r#"<a class="idp" data-provider="([^"]*)" href="([^"]*)">"#,
        );
        re.captures_iter(&self.body)
            .find(|c| unescape(&c[1]) == provider)
            .map(|c| absolute(&self.url, &unescape(&c[2])))
    }

    /// The link with this `id` (the sign-in page's `sign-up` and
    /// `forgot-password`), made absolute.
    pub fn link(&self, id: &str) -> Option<String> {
        let re = pattern(&LINK, r#"<a id="([^"]*)" href="([^"]*)">"#);
        re.captures_iter(&self.body)
            .find(|c| &c[1] == id)
            .map(|c| absolute(&self.url, &unescape(&c[2])))
    }

    /// The note a page shows after a step (an account confirmed, a
    /// password reset), if any.
    pub fn notice(&self) -> Option<String> {
        let re = pattern(&NOTICE, r#"<p class="note" id="notice">([^<]*)</p>"#);
        re.captures(&self.body).map(|c| unescape(&c[1]))
    }

    /// The error message a page shows, if any.
    pub fn error_message(&self) -> Option<String> {
        let re = pattern(&ERROR, r#"<p class="error" id="error">([^<]*)</p>"#);
        re.captures(&self.body).map(|c| unescape(&c[1]))
    }
}

/// A cookie-keeping HTTP client that does not follow redirects by itself.
#[derive(Debug)]
pub struct Browser {
    http: reqwest::Client,
    /// (host, name) → value.
    cookies: Mutex<BTreeMap<(String, String), String>>,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    /// A browser with no cookies.
    pub fn new() -> Self {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
            cookies: Mutex::new(BTreeMap::new()),
        }
    }

    fn cookie_header(&self, url: &str) -> String {
        let host = host_of(url);
        let jar = self.cookies.lock().unwrap_or_else(|p| p.into_inner());
        jar.iter()
            .filter(|((h, _), _)| *h == host)
            .map(|((_, n), v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The value of a cookie the browser holds for a URL's host.
    pub fn cookie(&self, url: &str, name: &str) -> Option<String> {
        let jar = self.cookies.lock().unwrap_or_else(|p| p.into_inner());
        jar.get(&(host_of(url), name.to_owned())).cloned()
    }

    async fn send(
        &self,
        url: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<Page, BrowserError> {
        let cookies = self.cookie_header(url);
        let request = if cookies.is_empty() {
            request
        } else {
            request.header("cookie", cookies)
        };
        let response = request
            .send()
            .await
            .map_err(|e| err(format!("{url}: {e}")))?;
        let status = response.status().as_u16();
        let host = host_of(url);
        {
            let mut jar = self.cookies.lock().unwrap_or_else(|p| p.into_inner());
            for v in response.headers().get_all("set-cookie") {
                let Ok(v) = v.to_str() else { continue };
                let Some((name, rest)) = v.split_once('=') else {
                    continue;
                };
                let value = rest.split(';').next().unwrap_or_default();
                let key = (host.clone(), name.trim().to_owned());
                if v.contains("Max-Age=0") {
                    jar.remove(&key);
                } else {
                    jar.insert(key, value.to_owned());
                }
            }
        }
        let location = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(|l| absolute(url, l));
        let body = response.text().await.map_err(|e| err(e.to_string()))?;
        Ok(Page {
            url: url.to_owned(),
            status,
            location,
            body,
        })
    }

    /// `GET url`.
    pub async fn get(&self, url: &str) -> Result<Page, BrowserError> {
        self.send(url, self.http.get(url)).await
    }

    /// Posts a form: its hidden inputs plus `fields`.
    pub async fn submit(&self, form: &Form, fields: &[(&str, &str)]) -> Result<Page, BrowserError> {
        let mut pairs: Vec<(String, String)> = form.hidden.clone();
        pairs.extend(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let body = cognito_wire::encoding::form_encode(&pairs);
        let request = self
            .http
            .post(&form.action)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(&form.action, request).await
    }

    /// Follows redirects from `page` until one points at `stop_prefix` (the
    /// app's redirect URI, which is not fetched) or a page is not a redirect.
    /// Returns the final page, or the redirect URL that reached the app.
    pub async fn follow(
        &self,
        mut page: Page,
        stop_prefix: &str,
    ) -> Result<Followed, BrowserError> {
        for _ in 0..10 {
            let Some(next) = page.location.clone().filter(|_| page.is_redirect()) else {
                return Ok(Followed::Page(page));
            };
            if next.starts_with(stop_prefix) {
                return Ok(Followed::App(next));
            }
            page = self.get(&next).await?;
        }
        Err(err("too many redirects"))
    }

    /// Opens `authorize_url` and signs in on the hosted UI's page with a
    /// username and password (answering NEW_PASSWORD_REQUIRED with
    /// `new_password` if given). Returns the URL the app receives.
    pub async fn sign_in(
        &self,
        authorize_url: &str,
        redirect_uri: &str,
        username: &str,
        password: &str,
    ) -> Result<String, BrowserError> {
        self.sign_in_with_new_password(authorize_url, redirect_uri, username, password, None)
            .await
    }

    /// [`Browser::sign_in`], answering a NEW_PASSWORD_REQUIRED form.
    pub async fn sign_in_with_new_password(
        &self,
        authorize_url: &str,
        redirect_uri: &str,
        username: &str,
        password: &str,
        new_password: Option<&str>,
    ) -> Result<String, BrowserError> {
        let first = self.get(authorize_url).await?;
        let page = match self.follow(first, redirect_uri).await? {
            Followed::App(url) => return Ok(url), // already signed in
            Followed::Page(p) => p,
        };
        let form = page.form("signin").ok_or_else(|| unexpected(&page))?;
        let answer = self
            .submit(&form, &[("username", username), ("password", password)])
            .await?;
        let answer = match (answer.form("newpassword"), new_password) {
            (Some(form), Some(new)) => {
                self.submit(&form, &[("new_password", new), ("confirm_password", new)])
                    .await?
            }
            (Some(_), None) => return Err(err("the hosted UI asks for a new password")),
            (None, _) => answer,
        };
        match self.follow(answer, redirect_uri).await? {
            Followed::App(url) => Ok(url),
            Followed::Page(p) => Err(unexpected(&p)),
        }
    }

    /// Opens `authorize_url`, picks `provider` on the sign-in page (unless
    /// the URL already names it), signs in on the fake provider's page and
    /// returns the URL the app receives.
    pub async fn sign_in_with_provider(
        &self,
        authorize_url: &str,
        redirect_uri: &str,
        provider: &str,
        login: &str,
        password: &str,
    ) -> Result<String, BrowserError> {
        let first = self.get(authorize_url).await?;
        let mut page = match self.follow(first, redirect_uri).await? {
            Followed::App(url) => return Ok(url),
            Followed::Page(p) => p,
        };
        if let Some(link) = page.provider_link(provider) {
            let next = self.get(&link).await?;
            page = match self.follow(next, redirect_uri).await? {
                Followed::App(url) => return Ok(url),
                Followed::Page(p) => p,
            };
        }
        let form = page
            .form("provider-signin")
            .ok_or_else(|| unexpected(&page))?;
        let answer = self
            .submit(&form, &[("email", login), ("pass", password)])
            .await?;
        match self.follow(answer, redirect_uri).await? {
            Followed::App(url) => Ok(url),
            Followed::Page(p) => Err(unexpected(&p)),
        }
    }

    /// Signs `user` in on the mock's fake provider page itself (not through
    /// a user pool) with the implicit grant, as a browser app would, and
    /// returns the provider's access token from the redirect's fragment:
    /// the token a direct identity-pool login presents.
    pub async fn provider_access_token(
        &self,
        endpoint: &str,
        user: &crate::example::ProviderLogin,
        redirect_uri: &str,
    ) -> Result<String, BrowserError> {
        let slug = crate::external_idp::slug_of(user.provider.login_key());
        let query = cognito_wire::encoding::form_encode(&[
            ("client_id", user.app_id),
            ("redirect_uri", redirect_uri),
            ("response_type", "token"),
            ("state", "browser"),
        ]);
        let url = format!("{endpoint}/idp/{slug}/authorize?{query}");
        let callback = self
            .sign_in_with_provider(&url, redirect_uri, slug, user.login, user.password)
            .await?;
        let fragment = callback.split_once('#').map(|(_, f)| f).unwrap_or_default();
        cognito_wire::encoding::form_value(fragment, "access_token").ok_or_else(|| {
            err(format!(
                "the provider's redirect has no access_token: {callback}"
            ))
        })
    }
}

/// Where following redirects ended.
#[derive(Debug, Clone)]
pub enum Followed {
    /// A page (not a redirect).
    Page(Page),
    /// A redirect to the app, with the URL it would receive.
    App(String),
}

fn unexpected(page: &Page) -> BrowserError {
    match page.error_message() {
        Some(msg) => err(format!("{} (HTTP {}): {msg}", page.url, page.status)),
        None => err(format!(
            "{} (HTTP {}) is not the page expected",
            page.url, page.status
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_references() {
        assert_eq!(
            absolute(
                "http://127.0.0.1:9/example/login?x=1",
                "/idp/facebook/authorize"
            ),
            "http://127.0.0.1:9/idp/facebook/authorize"
        );
        assert_eq!(absolute("http://a/b", "https://c/d"), "https://c/d");
        assert_eq!(host_of("http://127.0.0.1:9/x?y"), "127.0.0.1:9");
    }

    #[test]
    fn reads_our_forms() {
        let page = Page {
            url: "http://h:1/d/login".into(),
            status: 200,
            location: None,
            body: r#"<form method="post" action="http://h:1/d/login?a=1&amp;b=2" id="signin"><input type="hidden" name="_csrf" value="t&quot;"></form>"#.into(),
        };
        let form = page.form("signin").unwrap();
        assert_eq!(form.action, "http://h:1/d/login?a=1&b=2");
        assert_eq!(form.hidden, vec![("_csrf".to_owned(), "t\"".to_owned())]);
        assert!(page.form("other").is_none());
    }
}
