//! The hosted UI (OAuth 2.0 authorization code flow with PKCE): a
//! [`PendingAuthorization`] holds the URL to open and what the callback
//! must match, and is consumed by [`PendingAuthorization::complete`], which
//! checks the callback, exchanges the code and checks the ID token's nonce.

use std::fmt;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_wire::{encoding, pkce};
use url::Url;

use crate::clock::Clock;
use crate::error::FlowError;
use crate::ids::ClientId;
use crate::secret::{AuthorizationCode, ClientSecret, PkceCodeVerifier, RefreshToken};
use crate::transport::{OAuth2Api, OAuthTokens, TokenRequest};
use crate::user_pool::UserPoolTokens;

fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand_core::Rng::fill_bytes(&mut rand_core::UnwrapErr(getrandom::SysRng), &mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// A pool's hosted UI (its domain) and one app client of it.
#[derive(Debug, Clone)]
pub struct HostedUi {
    base: Url,
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    redirect_uri: Url,
    scopes: Vec<String>,
    clock: Clock,
}

/// A sign-in begun at the hosted UI: the URL to send the browser to, and
/// the state, nonce and PKCE verifier its answer must match. Each is used
/// once: [`PendingAuthorization::complete`] consumes it.
pub struct PendingAuthorization {
    ui: HostedUi,
    url: Url,
    state: String,
    nonce: String,
    pkce_verifier: PkceCodeVerifier,
}

impl fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL carries only the challenge; the verifier stays hidden.
        f.debug_struct("PendingAuthorization")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

/// What came back from the browser.
#[derive(Debug, Clone)]
pub enum Callback {
    /// The redirect: the whole URL, or its query string
    /// (`code=…&state=…`); its `state` is checked.
    Redirect(String),
    /// The code alone, as a person copies it from the address bar. Nothing
    /// can be checked about it here; PKCE still binds it to this sign-in.
    Code(AuthorizationCode),
}

impl Callback {
    /// What a person pasted: the code, or the address the browser ended at
    /// (or its query string).
    pub fn pasted(text: &str) -> Result<Callback, FlowError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(FlowError::invalid_input("no code was entered"));
        }
        if text.contains("code=") || text.contains("error=") {
            Ok(Callback::Redirect(text.to_owned()))
        } else {
            Ok(Callback::Code(AuthorizationCode::new(text)))
        }
    }
}

/// The query parameters of a redirect URL (or of a bare query string).
fn redirect_params(redirect: &str) -> Vec<(String, String)> {
    let query = redirect.split_once('?').map_or(redirect, |(_, q)| q);
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    encoding::form_decode(query)
}

impl HostedUi {
    /// `base` is the domain URL: `https://<prefix>.auth.<region>.amazoncognito.com`,
    /// a custom domain, or the mock's `http://127.0.0.1:<port>/<prefix>`.
    pub fn new(base: &str, client_id: ClientId, redirect_uri: &str) -> Result<Self, FlowError> {
        let base = Url::parse(base.trim_end_matches('/'))
            .map_err(|e| FlowError::invalid_input(format!("hosted UI URL {base:?}: {e}")))?;
        let redirect_uri = Url::parse(redirect_uri)
            .map_err(|e| FlowError::invalid_input(format!("redirect URI {redirect_uri:?}: {e}")))?;
        Ok(HostedUi {
            base,
            client_id,
            client_secret: None,
            redirect_uri,
            scopes: vec!["openid".to_owned()],
            clock: Clock::default(),
        })
    }

    /// A confidential client: the code exchange authenticates with the secret.
    pub fn with_client_secret(mut self, secret: ClientSecret) -> Self {
        self.client_secret = Some(secret);
        self
    }

    /// The scopes to request (default `openid`).
    pub fn with_scopes(mut self, scopes: &[&str]) -> Self {
        self.scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    /// Uses another clock (for the tokens' expiry).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The registered callback URL the browser comes back to.
    pub fn redirect_uri(&self) -> &Url {
        &self.redirect_uri
    }

    fn endpoint(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        let base_path = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base_path}{path}"));
        url
    }

    /// Begins a sign-in: the `/oauth2/authorize` URL with a fresh state,
    /// nonce and S256 PKCE challenge. `identity_provider` (`Facebook`,
    /// `LoginWithAmazon`, `Google`, `COGNITO`, an OIDC provider name)
    /// skips the chooser.
    pub fn begin(&self, identity_provider: Option<&str>) -> PendingAuthorization {
        let state = random_token(24);
        let nonce = random_token(24);
        let pkce_verifier = PkceCodeVerifier::new(random_token(32));
        let mut url = self.endpoint("/oauth2/authorize");
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code");
            q.append_pair("client_id", self.client_id.as_str());
            q.append_pair("redirect_uri", self.redirect_uri.as_str());
            q.append_pair("scope", &self.scopes.join(" "));
            q.append_pair("state", &state);
            q.append_pair("nonce", &nonce);
            q.append_pair("code_challenge_method", "S256");
            q.append_pair(
                "code_challenge",
                &pkce::challenge_s256(pkce_verifier.expose_secret()),
            );
            if let Some(idp) = identity_provider {
                q.append_pair("identity_provider", idp);
            }
        }
        PendingAuthorization {
            ui: self.clone(),
            url,
            state,
            nonce,
            pkce_verifier,
        }
    }

    fn token_request(&self, mut form: Vec<(String, String)>) -> TokenRequest {
        form.push(("client_id".to_owned(), self.client_id.as_str().to_owned()));
        TokenRequest {
            endpoint: self.endpoint("/oauth2/token"),
            form,
            basic_auth: self
                .client_secret
                .clone()
                .map(|s| (self.client_id.as_str().to_owned(), s)),
        }
    }

    /// New tokens from a refresh token.
    pub async fn refresh<O: OAuth2Api>(
        &self,
        api: &O,
        refresh_token: &RefreshToken,
    ) -> Result<OAuthTokens, FlowError> {
        let form = vec![
            ("grant_type".to_owned(), "refresh_token".to_owned()),
            (
                "refresh_token".to_owned(),
                refresh_token.expose_secret().to_owned(),
            ),
        ];
        api.token(self.token_request(form)).await
    }
}

impl PendingAuthorization {
    /// Open this in the browser.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The registered callback URL the browser comes back to.
    pub fn redirect_uri(&self) -> &Url {
        &self.ui.redirect_uri
    }

    /// The code of a redirect, after checking its `state` (in constant time)
    /// and any `error` it carries.
    fn code_of(&self, redirect: &str) -> Result<AuthorizationCode, FlowError> {
        let params = redirect_params(redirect);
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        if let Some(error) = param("error") {
            return Err(FlowError::OAuth {
                error,
                description: param("error_description"),
            });
        }
        let state = param("state").unwrap_or_default();
        if !cognito_srp::ct_eq(state.as_bytes(), self.state.as_bytes()) {
            return Err(FlowError::invalid_input(
                "the callback's state does not match: possible CSRF, or another sign-in",
            ));
        }
        param("code")
            .filter(|c| !c.is_empty())
            .map(AuthorizationCode::new)
            .ok_or_else(|| FlowError::protocol("the callback has no code"))
    }

    /// Finishes the sign-in: checks the callback, exchanges the code with the
    /// PKCE verifier, and checks that the ID token carries this sign-in's
    /// nonce (OpenID Connect Core §3.1.3.7). Returns the tokens in the shape
    /// a user-pool sign-in gives, to cache and refresh alike.
    pub async fn complete<O: OAuth2Api>(
        self,
        api: &O,
        callback: Callback,
    ) -> Result<UserPoolTokens, FlowError> {
        let code = match callback {
            Callback::Redirect(redirect) => self.code_of(&redirect)?,
            Callback::Code(code) => code,
        };
        let form = vec![
            ("grant_type".to_owned(), "authorization_code".to_owned()),
            ("code".to_owned(), code.expose_secret().to_owned()),
            (
                "redirect_uri".to_owned(),
                self.ui.redirect_uri.as_str().to_owned(),
            ),
            (
                "code_verifier".to_owned(),
                self.pkce_verifier.expose_secret().to_owned(),
            ),
        ];
        let tokens = api.token(self.ui.token_request(form)).await?;
        self.checked(tokens)
    }

    fn checked(&self, tokens: OAuthTokens) -> Result<UserPoolTokens, FlowError> {
        let id_token = tokens.id_token.ok_or_else(|| {
            FlowError::protocol("the token response has no id_token: request the openid scope")
        })?;
        let claims = cognito_wire::jwt::claims_unverified(id_token.expose_secret())
            .ok_or_else(|| FlowError::protocol("the id_token is not a JWT"))?;
        let claim = |name: &str| claims.get(name).and_then(|v| v.as_str());
        let nonce = claim("nonce").unwrap_or_default();
        if !cognito_srp::ct_eq(nonce.as_bytes(), self.nonce.as_bytes()) {
            return Err(FlowError::protocol(
                "the id_token's nonce does not match the authorize request",
            ));
        }
        Ok(UserPoolTokens {
            username: claim("cognito:username").map(str::to_owned),
            id_token,
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            expires_at: self.ui.clock.now()
                + Duration::from_secs(u64::try_from(tokens.expires_in).unwrap_or(0)),
            new_device: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::secret::{AccessToken, IdToken};

    fn ui() -> HostedUi {
        HostedUi::new(
            "http://127.0.0.1:9229/example",
            ClientId::parse("abc").unwrap(),
            "http://localhost:8080/cb",
        )
        .unwrap()
    }

    fn jwt(claims: &str) -> String {
        format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#),
            URL_SAFE_NO_PAD.encode(claims)
        )
    }

    /// A token endpoint that answers with a given ID token and records the
    /// form it was sent.
    struct Endpoint {
        id_token: Option<String>,
        sent: Mutex<Vec<(String, String)>>,
    }

    impl OAuth2Api for Endpoint {
        async fn token(&self, request: TokenRequest) -> Result<OAuthTokens, FlowError> {
            *self.sent.lock().unwrap() = request.form;
            Ok(OAuthTokens {
                id_token: self.id_token.clone().map(IdToken::new),
                access_token: AccessToken::new("a"),
                refresh_token: None,
                expires_in: 3600,
            })
        }
    }

    fn endpoint(claims: Option<&str>) -> Endpoint {
        Endpoint {
            id_token: claims.map(jwt),
            sent: Mutex::new(Vec::new()),
        }
    }

    fn query(p: &PendingAuthorization) -> std::collections::HashMap<String, String> {
        p.url().query_pairs().into_owned().collect()
    }

    #[test]
    fn the_authorize_url_carries_state_nonce_and_an_s256_challenge() {
        let pending = ui().begin(Some("Facebook"));
        assert_eq!(pending.url().path(), "/example/oauth2/authorize");
        let q = query(&pending);
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["code_challenge_method"], "S256");
        assert!(pkce::verify_s256(
            pending.pkce_verifier.expose_secret(),
            &q["code_challenge"]
        ));
        assert_eq!(q["identity_provider"], "Facebook");
        assert_eq!(q["redirect_uri"], "http://localhost:8080/cb");
        assert_ne!(ui().begin(None).state, pending.state);
        assert!(!format!("{pending:?}").contains(pending.pkce_verifier.expose_secret()));
    }

    #[tokio::test]
    async fn completes_with_a_redirect_a_query_or_a_bare_code() {
        for shape in ["url", "query", "code"] {
            let pending = ui().begin(None);
            let q = query(&pending);
            let nonce = format!(r#"{{"nonce":"{}","cognito:username":"alice"}}"#, q["nonce"]);
            let api = endpoint(Some(&nonce));
            let callback = match shape {
                "url" => Callback::pasted(&format!(
                    "http://localhost:8080/cb?code=the-code&state={}",
                    q["state"]
                )),
                "query" => Callback::pasted(&format!("code=the-code&state={}", q["state"])),
                _ => Callback::pasted(" the-code\n"),
            }
            .unwrap();
            let tokens = pending.complete(&api, callback).await.unwrap();
            assert_eq!(tokens.username.as_deref(), Some("alice"));
            let sent = api.sent.lock().unwrap().clone();
            let get = |k: &str| sent.iter().find(|(n, _)| n == k).unwrap().1.clone();
            assert_eq!(get("code"), "the-code");
            assert_eq!(get("grant_type"), "authorization_code");
            assert!(pkce::verify_s256(
                &get("code_verifier"),
                &q["code_challenge"]
            ));
        }
        assert!(Callback::pasted("  ").is_err());
    }

    #[tokio::test]
    async fn refuses_a_forged_state_an_error_a_wrong_nonce_or_no_id_token() {
        let pending = ui().begin(None);
        let forged = Callback::Redirect("http://localhost:8080/cb?code=x&state=forged".into());
        let err = pending.complete(&endpoint(None), forged).await.unwrap_err();
        assert!(matches!(err, FlowError::InvalidInput(_)), "{err}");

        let pending = ui().begin(None);
        let state = query(&pending)["state"].clone();
        let denied = Callback::Redirect(format!(
            "http://localhost:8080/cb?error=access_denied&error_description=no&state={state}"
        ));
        let err = pending.complete(&endpoint(None), denied).await.unwrap_err();
        assert_eq!(err.code(), Some("access_denied"));

        let pending = ui().begin(None);
        let code = Callback::Code(AuthorizationCode::new("c"));
        let replayed = endpoint(Some(r#"{"nonce":"another","cognito:username":"a"}"#));
        assert!(pending.complete(&replayed, code.clone()).await.is_err());
        let pending = ui().begin(None);
        assert!(
            pending
                .complete(&endpoint(Some("{}")), code.clone())
                .await
                .is_err()
        );
        let pending = ui().begin(None);
        assert!(pending.complete(&endpoint(None), code).await.is_err());
    }
}
