//! The hosted UI's `/oauth2/token` over HTTP, and a loopback redirect
//! listener for command-line apps (RFC 8252 §7.3).

use std::time::Duration;

use cognito_flows::secret::{AccessToken, IdToken, RefreshToken};
use cognito_flows::transport::{OAuth2Api, OAuthTokens, TokenRequest};
use cognito_flows::{Callback, FlowError};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// An OAuth2 token-endpoint client. Always sends a form body (Cognito also
/// accepts query parameters, but bodies keep codes out of logs).
#[derive(Debug, Clone, Default)]
pub struct HttpOAuth2(pub reqwest::Client);

impl OAuth2Api for HttpOAuth2 {
    async fn token(&self, request: TokenRequest) -> Result<OAuthTokens, FlowError> {
        let body = cognito_flows::wire::encoding::form_encode(&request.form);
        let mut http = self
            .0
            .post(request.endpoint.as_str())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some((id, secret)) = &request.basic_auth {
            http = http.basic_auth(id, Some(secret.expose_secret()));
        }
        let response = http
            .send()
            .await
            .map_err(|e| FlowError::Transport(e.to_string()))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| FlowError::Transport(e.to_string()))?;
        let json: Value = serde_json::from_str(&text).map_err(|_| {
            FlowError::protocol(format!("the token endpoint answered {status} without JSON"))
        })?;
        if !status.is_success() {
            return Err(FlowError::OAuth {
                error: json["error"]
                    .as_str()
                    .unwrap_or("invalid_response")
                    .to_owned(),
                description: json["error_description"].as_str().map(str::to_owned),
            });
        }
        let access = json["access_token"]
            .as_str()
            .ok_or_else(|| FlowError::protocol("token response without access_token"))?;
        Ok(OAuthTokens {
            id_token: json["id_token"].as_str().map(IdToken::new),
            access_token: AccessToken::new(access),
            refresh_token: json["refresh_token"].as_str().map(RefreshToken::new),
            expires_in: json["expires_in"].as_i64().unwrap_or(3600),
        })
    }
}

/// A one-shot HTTP listener on 127.0.0.1 that receives the hosted UI's
/// redirect: register `http://localhost:<port>/callback` (or the
/// `127.0.0.1` form) as a callback URL of the app client.
#[derive(Debug)]
pub struct LoopbackRedirect {
    listener: TcpListener,
    path: String,
}

/// The port and path of a redirect URI a CLI can listen on:
/// `http://localhost:<port>/<path>` (or `127.0.0.1`, `[::1]`).
pub fn loopback_target(redirect_uri: &str) -> Result<(u16, String), FlowError> {
    let url = url::Url::parse(redirect_uri)
        .map_err(|e| FlowError::invalid_input(format!("redirect URI {redirect_uri:?}: {e}")))?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match (url.scheme(), loopback, url.port()) {
        ("http", true, Some(port)) => Ok((port, url.path().to_owned())),
        _ => Err(FlowError::invalid_input(format!(
            "the redirect URI must be http://localhost:<port>/<path> to be received here, not {redirect_uri}"
        ))),
    }
}

impl LoopbackRedirect {
    /// Listens where `redirect_uri` (an app client's registered callback
    /// URL, `http://localhost:<port>/<path>`) points.
    pub async fn for_redirect_uri(redirect_uri: &str) -> Result<Self, FlowError> {
        let (port, path) = loopback_target(redirect_uri)?;
        Self::bind(port, &path).await
    }

    /// Waits for the browser's redirect: the callback to complete a
    /// [`cognito_flows::PendingAuthorization`] with.
    pub async fn receive(self, timeout: Duration) -> Result<Callback, FlowError> {
        self.wait(timeout).await.map(Callback::Redirect)
    }

    /// Listens on `127.0.0.1:port` (0 picks a free port) for `path`.
    pub async fn bind(port: u16, path: &str) -> Result<Self, FlowError> {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| FlowError::Transport(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
        Ok(LoopbackRedirect {
            listener,
            path: format!("/{}", path.trim_start_matches('/')),
        })
    }

    /// The redirect URI to use (`http://localhost:<port><path>`).
    pub fn redirect_uri(&self) -> String {
        let port = self.listener.local_addr().map(|a| a.port()).unwrap_or(0);
        format!("http://localhost:{port}{}", self.path)
    }

    /// Waits for the browser's redirect and returns its full URL (give it to
    /// `cognito_flows::Callback::Redirect`). Requests for other paths (a favicon) get
    /// a 404 and the wait goes on.
    pub async fn wait(self, timeout: Duration) -> Result<String, FlowError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let accepted = tokio::time::timeout_at(deadline, self.listener.accept())
                .await
                .map_err(|_| {
                    FlowError::invalid_input(format!(
                        "no browser came back to {} within {} s",
                        self.redirect_uri(),
                        timeout.as_secs()
                    ))
                })?;
            let (mut stream, _) = accepted.map_err(|e| FlowError::Transport(e.to_string()))?;
            let mut buf = vec![0u8; 16 * 1024];
            let n = tokio::time::timeout_at(deadline, stream.read(&mut buf))
                .await
                .map_err(|_| FlowError::Transport("timed out reading the redirect".to_owned()))?
                .map_err(|e| FlowError::Transport(e.to_string()))?;
            let request = String::from_utf8_lossy(&buf[..n]);
            let target = request
                .lines()
                .next()
                .and_then(|l| l.split(' ').nth(1))
                .unwrap_or("/")
                .to_owned();
            let on_path = target.split('?').next() == Some(self.path.as_str());
            let (status, body) = if on_path {
                (
                    "200 OK",
                    "<!doctype html><title>Signed in</title><p>Signed in. You can close this window and return to the terminal.</p>",
                )
            } else {
                ("404 Not Found", "<!doctype html><title>Not found</title>")
            };
            let response = format!(
                "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
            if on_path {
                return Ok(format!(
                    "{}{}",
                    self.redirect_uri().trim_end_matches(&self.path),
                    target
                ));
            }
        }
    }
}
