//! The hosted UI (OAuth 2.0 authorization code flow with PKCE): build the
//! authorize URL, check the callback, exchange the code.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use url::Url;

use crate::error::FlowError;
use crate::ids::ClientId;
use crate::secret::{AuthorizationCode, ClientSecret, PkceCodeVerifier, RefreshToken};
use crate::transport::{OAuth2Api, OAuthTokens, TokenRequest};

/// `base64url(SHA-256(verifier))`, the S256 code challenge (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &PkceCodeVerifier) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose_secret().as_bytes()))
}

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
}

/// What to send the browser to, and what to keep until the callback.
#[derive(Debug)]
pub struct AuthorizationRequest {
    /// Open this in the browser.
    pub url: Url,
    /// Compare with the callback's `state`.
    pub state: String,
    /// Compare with the ID token's `nonce`.
    pub nonce: String,
    /// Send with the code exchange.
    pub pkce_verifier: PkceCodeVerifier,
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

    fn endpoint(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        let base_path = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base_path}{path}"));
        url
    }

    /// The `/oauth2/authorize` URL, with a fresh state, nonce and PKCE
    /// verifier. `identity_provider` (`Facebook`, `LoginWithAmazon`,
    /// `Google`, `COGNITO`, an OIDC provider name) skips the chooser.
    pub fn authorize_url(&self, identity_provider: Option<&str>) -> AuthorizationRequest {
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
            q.append_pair("code_challenge", &pkce_challenge(&pkce_verifier));
            if let Some(idp) = identity_provider {
                q.append_pair("identity_provider", idp);
            }
        }
        AuthorizationRequest {
            url,
            state,
            nonce,
            pkce_verifier,
        }
    }

    /// Reads the redirect the browser came back with: the code, after
    /// checking the state (in constant time) and any `error`.
    pub fn parse_callback(
        &self,
        callback_url: &str,
        expected_state: &str,
    ) -> Result<AuthorizationCode, FlowError> {
        let url = Url::parse(callback_url)
            .map_err(|e| FlowError::invalid_input(format!("callback URL: {e}")))?;
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        if let Some(error) = param("error") {
            return Err(FlowError::OAuth {
                error,
                description: param("error_description"),
            });
        }
        let state = param("state").unwrap_or_default();
        let same = cognito_srp::ct_eq(state.as_bytes(), expected_state.as_bytes());
        if !same {
            return Err(FlowError::invalid_input(
                "the callback's state does not match: possible CSRF, or another sign-in",
            ));
        }
        param("code")
            .filter(|c| !c.is_empty())
            .map(AuthorizationCode::new)
            .ok_or_else(|| FlowError::protocol("the callback has no code"))
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

    /// Exchanges the code (with the PKCE verifier) for tokens.
    pub async fn exchange_code<O: OAuth2Api>(
        &self,
        api: &O,
        code: &AuthorizationCode,
        pkce_verifier: &PkceCodeVerifier,
    ) -> Result<OAuthTokens, FlowError> {
        let form = vec![
            ("grant_type".to_owned(), "authorization_code".to_owned()),
            ("code".to_owned(), code.expose_secret().to_owned()),
            (
                "redirect_uri".to_owned(),
                self.redirect_uri.as_str().to_owned(),
            ),
            (
                "code_verifier".to_owned(),
                pkce_verifier.expose_secret().to_owned(),
            ),
        ];
        api.token(self.token_request(form)).await
    }

    /// The ID token's `nonce` must be the one sent with the authorize request
    /// (OpenID Connect Core §3.1.3.7), and the response must have an ID
    /// token (request the `openid` scope). Returns the tokens in the shape
    /// a user-pool sign-in gives, to cache and refresh alike.
    pub fn check_tokens(
        &self,
        tokens: OAuthTokens,
        expected_nonce: &str,
    ) -> Result<crate::UserPoolTokens, FlowError> {
        let id_token = tokens.id_token.ok_or_else(|| {
            FlowError::protocol("the token response has no id_token: request the openid scope")
        })?;
        let claims = crate::jwt::claims(id_token.expose_secret())
            .ok_or_else(|| FlowError::protocol("the id_token is not a JWT"))?;
        let nonce = claims["nonce"].as_str().unwrap_or_default();
        let same = cognito_srp::ct_eq(nonce.as_bytes(), expected_nonce.as_bytes());
        if !same {
            return Err(FlowError::protocol(
                "the id_token's nonce does not match the authorize request",
            ));
        }
        Ok(crate::UserPoolTokens {
            username: claims["cognito:username"].as_str().map(str::to_owned),
            id_token,
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            expires_at: std::time::SystemTime::now()
                + std::time::Duration::from_secs(u64::try_from(tokens.expires_in).unwrap_or(0)),
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_matches_rfc_7636_appendix_b() {
        let verifier = PkceCodeVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            pkce_challenge(&verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn authorize_url_and_callback() {
        let ui = HostedUi::new(
            "http://127.0.0.1:9229/example",
            ClientId::parse("abc").unwrap(),
            "http://localhost:8080/cb",
        )
        .unwrap();
        let req = ui.authorize_url(Some("Facebook"));
        assert_eq!(req.url.path(), "/example/oauth2/authorize");
        let q: std::collections::HashMap<_, _> = req.url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"], pkce_challenge(&req.pkce_verifier));
        assert_eq!(q["identity_provider"], "Facebook");
        assert_eq!(q["redirect_uri"], "http://localhost:8080/cb");

        let ok = format!("http://localhost:8080/cb?code=the-code&state={}", req.state);
        assert_eq!(
            ui.parse_callback(&ok, &req.state).unwrap().expose_secret(),
            "the-code"
        );
        let forged = "http://localhost:8080/cb?code=x&state=forged";
        assert!(matches!(
            ui.parse_callback(forged, &req.state),
            Err(FlowError::InvalidInput(_))
        ));
        let denied = format!(
            "http://localhost:8080/cb?error=access_denied&error_description=no&state={}",
            req.state
        );
        assert_eq!(
            ui.parse_callback(&denied, &req.state).unwrap_err().code(),
            Some("access_denied")
        );
        assert!(ui.parse_callback("not a url", &req.state).is_err());
        assert_ne!(ui.authorize_url(None).state, req.state);
    }

    #[test]
    fn token_responses_are_checked_for_an_id_token_and_the_nonce() {
        use crate::secret::{AccessToken, IdToken};
        let ui = HostedUi::new(
            "http://127.0.0.1:9229/example",
            ClientId::parse("abc").unwrap(),
            "http://localhost:8080/cb",
        )
        .unwrap();
        let jwt = |claims: &str| {
            format!(
                "{}.{}.sig",
                URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#),
                URL_SAFE_NO_PAD.encode(claims)
            )
        };
        let tokens = |id: Option<String>| OAuthTokens {
            id_token: id.map(IdToken::new),
            access_token: AccessToken::new("a"),
            refresh_token: None,
            expires_in: 3600,
        };
        let good = jwt(r#"{"nonce":"n-1","cognito:username":"alice"}"#);
        let t = ui.check_tokens(tokens(Some(good)), "n-1").unwrap();
        assert_eq!(t.username.as_deref(), Some("alice"));
        let replayed = jwt(r#"{"nonce":"n-2","cognito:username":"alice"}"#);
        assert!(ui.check_tokens(tokens(Some(replayed)), "n-1").is_err());
        assert!(ui.check_tokens(tokens(Some(jwt("{}"))), "n-1").is_err());
        assert!(ui.check_tokens(tokens(None), "n-1").is_err());
    }
}
