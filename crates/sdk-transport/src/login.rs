//! A command-line app's hosted-UI sign-in (RFC 8252 §7.3): the system
//! browser and a loopback listener when there is a desktop, the code pasted
//! at the terminal when there is not (the study's `Enter Code:`).

use std::time::Duration;

use cognito_flows::prompt::Prompt;
use cognito_flows::transport::OAuth2Api;
use cognito_flows::{Callback, FlowError, PendingAuthorization, UserPoolTokens};

use crate::{LoopbackRedirect, SystemBrowser};

/// A sign-in begun at the hosted UI, with how its answer will come back.
///
/// ```no_run
/// # async fn demo(ui: cognito_flows::HostedUi, oauth: sdk_transport::HttpOAuth2, ask: impl Fn() -> String)
/// # -> Result<(), cognito_flows::FlowError> {
/// use sdk_transport::{LoopbackLogin, SystemBrowser};
/// let mut login = LoopbackLogin::prepare(ui.begin(Some("Facebook")), SystemBrowser::from_env(), true).await?;
/// println!("sign in at {}", login.url());
/// login.open_browser();
/// let pasted = if login.needs_code() { Some(cognito_flows::Callback::pasted(&ask())?) } else { None };
/// let tokens = login.complete(&oauth, pasted, std::time::Duration::from_secs(300)).await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct LoopbackLogin {
    pending: PendingAuthorization,
    listener: Option<LoopbackRedirect>,
    browser: Option<SystemBrowser>,
    opened: bool,
    can_paste: bool,
}

impl LoopbackLogin {
    /// Listens on the redirect URI when a browser will come back to it:
    /// when there is a desktop `browser`, or when no one `can_paste` the
    /// code. A redirect URI that is not loopback (or a port in use) leaves
    /// the code to be pasted, or is an error when it cannot be.
    pub async fn prepare(
        pending: PendingAuthorization,
        browser: Option<SystemBrowser>,
        can_paste: bool,
    ) -> Result<LoopbackLogin, FlowError> {
        let listener = if can_paste && browser.is_none() {
            None
        } else {
            match LoopbackRedirect::for_redirect_uri(pending.redirect_uri().as_str()).await {
                Ok(listener) => Some(listener),
                Err(_) if can_paste => None,
                Err(e) => return Err(e),
            }
        };
        Ok(LoopbackLogin {
            pending,
            listener,
            browser,
            opened: false,
            can_paste,
        })
    }

    /// The URL to sign in at.
    pub fn url(&self) -> &url::Url {
        self.pending.url()
    }

    /// Opens the URL in the desktop's browser; whether it did.
    pub fn open_browser(&mut self) -> bool {
        self.opened = self
            .browser
            .as_ref()
            .is_some_and(|b| b.open(self.pending.url().as_str()));
        self.opened
    }

    /// Whether the code must be pasted: nothing listens, or no browser was
    /// opened and someone can type it in.
    pub fn needs_code(&self) -> bool {
        self.listener.is_none() || (self.can_paste && !self.opened)
    }

    /// The whole sign-in with a person: shows the URL and opens the
    /// browser when there is one, then asks for the code (`Enter Code: `,
    /// the code or the whole address the browser ended at) or waits up to
    /// `timeout` for the redirect, and exchanges the code.
    pub async fn run<O: OAuth2Api>(
        mut self,
        api: &O,
        person: &mut impl Prompt,
        timeout: Duration,
    ) -> Result<UserPoolTokens, FlowError> {
        person.say("Open this URL in a browser to sign in:");
        person.say(&format!("  {}", self.url()));
        if self.open_browser() {
            person.say("(opened in your browser)");
        }
        let redirect = self.pending.redirect_uri().to_string();
        let pasted = if self.needs_code() {
            person.say(&format!(
                "After you sign in, the browser goes to {redirect}?code=…: paste the code, or that whole address."
            ));
            Some(Callback::pasted(&person.ask("Enter Code: ", false).await?)?)
        } else {
            person.say(&format!(
                "waiting for the browser to come back to {redirect} …"
            ));
            None
        };
        self.complete(api, pasted, timeout).await
    }

    /// Finishes with the pasted callback, or else the redirect the listener
    /// receives within `timeout`.
    pub async fn complete<O: OAuth2Api>(
        self,
        api: &O,
        pasted: Option<Callback>,
        timeout: Duration,
    ) -> Result<UserPoolTokens, FlowError> {
        let callback = match (pasted, self.listener) {
            (Some(callback), _) => callback,
            (None, Some(listener)) => listener.receive(timeout).await?,
            (None, None) => {
                return Err(FlowError::invalid_input(
                    "nothing listens for the redirect: paste the code",
                ));
            }
        };
        self.pending.complete(api, callback).await
    }
}
