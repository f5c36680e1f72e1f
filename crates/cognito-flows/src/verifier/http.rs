//! Fetching a JWKS over HTTPS (feature `jwks-http`).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use cognito_wire::Jwks;

use super::JwksSource;

/// A JWKS larger than this is refused: a user pool's is about 1 KiB.
const MAX_JWKS_BYTES: usize = 256 * 1024;

/// Fetches JWKS documents with `reqwest` (rustls), with a timeout.
#[derive(Debug, Clone)]
pub struct HttpJwks(reqwest::Client);

impl Default for HttpJwks {
    fn default() -> Self {
        HttpJwks(
            reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
        )
    }
}

impl HttpJwks {
    /// Uses this client (proxies, other timeouts).
    pub fn with_client(client: reqwest::Client) -> Self {
        HttpJwks(client)
    }
}

impl JwksSource for HttpJwks {
    fn fetch<'a>(
        &'a self,
        url: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<Jwks, String>> + Send + 'a>> {
        Box::pin(async move {
            let response = self
                .0
                .get(url)
                .send()
                .await
                .map_err(|e| format!("cannot fetch {url}: {e}"))?;
            let status = response.status();
            if !status.is_success() {
                return Err(format!("{url} answered {status}"));
            }
            let body = response
                .bytes()
                .await
                .map_err(|e| format!("reading {url}: {e}"))?;
            if body.len() > MAX_JWKS_BYTES {
                return Err(format!("{url}: a JWKS over 256 KiB"));
            }
            Jwks::from_json(&body).map_err(|e| format!("{url} did not answer a JWKS: {e}"))
        })
    }
}
