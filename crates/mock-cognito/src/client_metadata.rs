//! Where client ID metadata documents come from: the web, as Cognito
//! fetches them, or a local file the mock is told to serve for a URL, so a
//! CIMD client can be tried fully offline.
//!
//! The fetch is a plain `GET` over HTTPS: no redirects followed, a time
//! limit, a size cap, `200` and JSON only. Extra trust roots (a test CA, a
//! corporate proxy's) can be added; the system's are used otherwise.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

/// The largest document the mock reads.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// A fetched document and how long its server says it may be cached.
#[derive(Debug)]
pub struct Fetched {
    /// The response body.
    pub body: Vec<u8>,
    /// `Cache-Control: max-age`, in seconds, if the response had one.
    pub max_age: Option<i64>,
}

/// Fetches client metadata documents.
#[derive(Default)]
pub struct MetadataFetcher {
    local: BTreeMap<String, PathBuf>,
    trust_roots_pem: Vec<Vec<u8>>,
    client: OnceLock<Result<reqwest::Client, String>>,
}

impl std::fmt::Debug for MetadataFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetadataFetcher")
            .field("local", &self.local)
            .field("extra_trust_roots", &self.trust_roots_pem.len())
            .finish_non_exhaustive()
    }
}

impl MetadataFetcher {
    /// A fetcher serving `local` documents from files, fetching the rest
    /// over HTTPS trusting the system's roots and `trust_roots_pem`.
    pub fn new(local: BTreeMap<String, PathBuf>, trust_roots_pem: Vec<Vec<u8>>) -> Self {
        MetadataFetcher {
            local,
            trust_roots_pem,
            client: OnceLock::new(),
        }
    }

    fn client(&self) -> Result<&reqwest::Client, String> {
        self.client
            .get_or_init(|| {
                let mut builder = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .timeout(FETCH_TIMEOUT)
                    .user_agent(concat!("mock-cognito/", env!("CARGO_PKG_VERSION")));
                for pem in &self.trust_roots_pem {
                    let root = reqwest::Certificate::from_pem(pem)
                        .map_err(|e| format!("a trust root is not a PEM certificate: {e}"))?;
                    builder = builder.add_root_certificate(root);
                }
                builder
                    .build()
                    .map_err(|e| format!("cannot make an HTTPS client: {e}"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The document at `url`: a configured local file, else an HTTPS GET.
    pub async fn fetch(&self, url: &str) -> Result<Fetched, String> {
        if let Some(path) = self.local.get(url) {
            // A small local file: read in place, at most one byte past the cap.
            use std::io::Read;
            let mut body = Vec::new();
            std::fs::File::open(path)
                .and_then(|f| f.take(MAX_DOCUMENT_BYTES as u64 + 1).read_to_end(&mut body))
                .map_err(|e| format!("the local document for {url} ({}): {e}", path.display()))?;
            if body.len() > MAX_DOCUMENT_BYTES {
                return Err(too_large());
            }
            return Ok(Fetched {
                body,
                max_age: None,
            });
        }
        let mut response = self
            .client()?
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| format!("fetching {url} failed: {e}"))?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(format!(
                "fetching {url} answered HTTP {} (redirects are not followed)",
                response.status().as_u16()
            ));
        }
        let max_age = response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .and_then(max_age_of);
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("reading {url} failed: {e}"))?
        {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_DOCUMENT_BYTES {
                return Err(too_large());
            }
        }
        Ok(Fetched { body, max_age })
    }
}

fn too_large() -> String {
    format!("the client metadata document is larger than {MAX_DOCUMENT_BYTES} bytes")
}

/// The `max-age` of a `Cache-Control` header.
fn max_age_of(header: &str) -> Option<i64> {
    header.split(',').find_map(|directive| {
        let (name, value) = directive.trim().split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| value.trim().trim_matches('"').parse().ok())?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_is_read_from_cache_control() {
        assert_eq!(max_age_of("public, max-age=172800"), Some(172_800));
        assert_eq!(max_age_of("Max-Age=\"90000\", immutable"), Some(90_000));
        assert_eq!(max_age_of("no-store"), None);
        assert_eq!(max_age_of("max-age=soon"), None);
    }

    #[tokio::test]
    async fn local_documents_are_read_from_their_files() {
        let dir = std::env::temp_dir().join(format!("cimd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("client.json");
        std::fs::write(&path, br#"{"client_id":"x"}"#).unwrap();
        let url = "https://app.example.com/client.json";
        let fetcher = MetadataFetcher::new(BTreeMap::from([(url.to_owned(), path)]), vec![]);
        let fetched = fetcher.fetch(url).await.unwrap();
        assert_eq!(fetched.body, br#"{"client_id":"x"}"#);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
