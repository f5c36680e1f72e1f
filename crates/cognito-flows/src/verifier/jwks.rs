//! The JWKS cache: keys by `kid`, read without waiting; a refetch on an
//! unknown `kid`, one at a time and at most once per interval.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_wire::{Jwk, Jwks};

use super::VerifyError;
use crate::clock::Clock;

/// At most one refetch per this interval, as aws-jwt-verify's "penalty box".
pub const DEFAULT_MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(10);

/// Where a JWKS comes from (HTTP for a live pool; anything for tests).
pub trait JwksSource: Send + Sync {
    /// Fetches the JWKS at `url`.
    fn fetch<'a>(
        &'a self,
        url: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<Jwks, String>> + Send + 'a>>;
}

/// An RSA public key from a JWK, decoded once.
#[derive(Debug)]
pub(super) struct RsaKey {
    kid: String,
    n: Vec<u8>,
    e: Vec<u8>,
    /// Why the key cannot be used, if it cannot.
    unusable: bool,
}

impl RsaKey {
    fn from_jwk(jwk: &Jwk) -> RsaKey {
        let n = URL_SAFE_NO_PAD.decode(&jwk.n);
        let e = URL_SAFE_NO_PAD.decode(&jwk.e);
        let fit = jwk.kty == "RSA"
            && jwk.alg.as_deref().is_none_or(|a| a == "RS256")
            && jwk.key_use.as_deref().is_none_or(|u| u == "sig");
        match (n, e) {
            (Ok(n), Ok(e)) if fit && !n.is_empty() && !e.is_empty() => RsaKey {
                kid: jwk.kid.clone(),
                n,
                e,
                unusable: false,
            },
            _ => RsaKey {
                kid: jwk.kid.clone(),
                n: Vec::new(),
                e: Vec::new(),
                unusable: true,
            },
        }
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256, 2048 to 8192 bits.
    pub(super) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), VerifyError> {
        if self.unusable {
            return Err(VerifyError::KeyUnusable {
                kid: self.kid.clone(),
            });
        }
        RsaPublicKeyComponents {
            n: &self.n,
            e: &self.e,
        }
        .verify(&RSA_PKCS1_2048_8192_SHA256, message, signature)
        .map_err(|_| VerifyError::InvalidSignature)
    }
}

type Keys = HashMap<String, Arc<RsaKey>>;

fn keys_of(jwks: &Jwks) -> Keys {
    jwks.keys
        .iter()
        .map(|k| (k.kid.clone(), Arc::new(RsaKey::from_jwk(k))))
        .collect()
}

/// A pool's keys, shared by every verification.
///
/// Known keys are read under a lock held only to clone an `Arc`, never
/// across an await: a verification with a known `kid` never waits for a
/// fetch. Verifications with an unknown `kid` share one fetch at a time,
/// and after a fetch, refetching waits for the interval to pass (an
/// unknown `kid` meanwhile is refused at once).
pub struct JwksCache {
    url: String,
    source: Option<Arc<dyn JwksSource>>,
    keys: RwLock<Arc<Keys>>,
    /// The single flight, and when the last fetch started.
    fetching: tokio::sync::Mutex<Option<SystemTime>>,
    min_refetch_interval: Duration,
    clock: Clock,
}

impl fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksCache")
            .field("url", &self.url)
            .field("kids", &self.kids())
            .finish_non_exhaustive()
    }
}

impl JwksCache {
    /// A cache for the JWKS at `url`, fetched from `source` (none: only the
    /// `initial` keys, offline).
    pub fn new(
        url: String,
        source: Option<Arc<dyn JwksSource>>,
        initial: Option<Jwks>,
        min_refetch_interval: Duration,
        clock: Clock,
    ) -> JwksCache {
        JwksCache {
            url,
            source,
            keys: RwLock::new(Arc::new(initial.as_ref().map(keys_of).unwrap_or_default())),
            fetching: tokio::sync::Mutex::new(None),
            min_refetch_interval,
            clock,
        }
    }

    /// Where the keys come from.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The `kid`s held now, sorted.
    pub fn kids(&self) -> Vec<String> {
        let mut kids: Vec<String> = self.snapshot().keys().cloned().collect();
        kids.sort();
        kids
    }

    fn snapshot(&self) -> Arc<Keys> {
        self.keys.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn known(&self, kid: &str) -> Option<Arc<RsaKey>> {
        self.snapshot().get(kid).cloned()
    }

    /// Fetches the JWKS now (a service may call this at start-up), subject
    /// to the same single flight and interval as refetches.
    pub async fn prefetch(&self) -> Result<(), VerifyError> {
        let mut last = self.fetching.lock().await;
        self.fetch_locked(&mut last).await
    }

    async fn fetch_locked(&self, last: &mut Option<SystemTime>) -> Result<(), VerifyError> {
        let Some(source) = &self.source else {
            return Ok(());
        };
        let now = self.clock.now();
        if let Some(at) = *last
            && now < at + self.min_refetch_interval
        {
            return Ok(());
        }
        *last = Some(now);
        let jwks = source
            .fetch(&self.url)
            .await
            .map_err(VerifyError::JwksUnavailable)?;
        *self.keys.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(keys_of(&jwks));
        Ok(())
    }

    /// The key for `kid`: from the cache, or after one (rate-limited) refetch.
    pub(super) async fn key(&self, kid: &str) -> Result<Arc<RsaKey>, VerifyError> {
        if let Some(key) = self.known(kid) {
            return Ok(key);
        }
        let unknown = || VerifyError::UnknownKid {
            kid: kid.to_owned(),
        };
        if self.source.is_none() {
            return Err(unknown());
        }
        let mut last = self.fetching.lock().await;
        // Another verification may have fetched while this one waited.
        if let Some(key) = self.known(kid) {
            return Ok(key);
        }
        self.fetch_locked(&mut last).await?;
        self.known(kid).ok_or_else(unknown)
    }
}
