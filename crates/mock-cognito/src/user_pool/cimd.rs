//! Client ID metadata documents (CIMD): an OAuth client names itself with
//! an `https` URL as its `client_id`, and the user pool reads the client's
//! registration from the JSON document at that URL, fetched during
//! `/oauth2/authorize` and cached.
//!
//! A CIMD policy (Create/Update/Delete/Describe/ListCIMDPolicies) maps up
//! to five URL patterns (`*` matches any run of characters) to one app
//! client. A document URL is accepted when a policy's pattern matches it
//! and the document is valid: its `client_id` is the URL, it lists
//! `redirect_uris`, and its `token_endpoint_auth_method` is `none` (CIMD
//! clients are public). The client it stands for is the policy's app
//! client narrowed by the document: the document's redirect URIs, only the
//! grant types both allow (never `client_credentials`), and the scopes
//! both allow. Tokens name the URL as their client.
//!
//! The cache keeps each document for the policy's CacheDuration (one day
//! by default), or the `max-age` of the response's `Cache-Control` when
//! that is between a day and a year. ListClientMetadataURLs shows it;
//! UpdateClientMetadataURLState drops a document (INVALIDATE) or expires
//! it so the next authorize request fetches it again (REFRESH).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::pools::page_size;
use super::{AppClient, Context, Pool, UserPools};
use crate::error::{ApiError, ApiResult};
use crate::paging::paginate;
use crate::shapes::Timestamp;
use crate::shapes::cognito_idp::{
    CIMDCacheActionType, CIMDPolicySummaryType, CIMDPolicyType, ClientMetadataURLType,
    CreateCIMDPolicyRequest, CreateCIMDPolicyResponse, DeleteCIMDPolicyRequest,
    DeleteCIMDPolicyResponse, DescribeCIMDPolicyRequest, DescribeCIMDPolicyResponse,
    ExplicitAuthFlowsType, ListCIMDPoliciesRequest, ListCIMDPoliciesResponse,
    ListClientMetadataURLsRequest, ListClientMetadataURLsResponse, OAuthFlowType,
    UpdateCIMDPolicyRequest, UpdateCIMDPolicyResponse, UpdateClientMetadataURLStateRequest,
    UpdateClientMetadataURLStateResponse,
};

/// CacheDuration when a policy sets none: one day.
const DEFAULT_CACHE_SECS: i64 = 86_400;
/// The range a `Cache-Control: max-age` must fall in to be used.
const MAX_AGE_RANGE: std::ops::RangeInclusive<i64> = 86_400..=31_556_952;
/// The longest document URL (the model's MetadataURLType).
const MAX_URL_LEN: usize = 256;

/// A CIMD policy, as kept (and stored with the pool), with its cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct CimdPolicy {
    id: String,
    client_id: String,
    name: String,
    cache_secs: Option<i64>,
    url_patterns: Vec<String>,
    created: i64,
    modified: i64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    cached: BTreeMap<String, CachedDocument>,
}

/// A client metadata document in the cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct CachedDocument {
    document: ClientMetadata,
    cached_at: i64,
    expires_at: i64,
}

/// The members of a client metadata document (RFC 7591 §2 names) that
/// decide what the client may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientMetadata {
    client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_name: Option<String>,
    redirect_uris: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    post_logout_redirect_uris: Vec<String>,
    #[serde(default = "default_grant_types")]
    grant_types: Vec<String>,
    #[serde(default = "default_response_types")]
    response_types: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token_endpoint_auth_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
}

// RFC 7591 §2's defaults.
fn default_grant_types() -> Vec<String> {
    vec!["authorization_code".to_owned()]
}

fn default_response_types() -> Vec<String> {
    vec!["code".to_owned()]
}

/// Whether `url` can be a CIMD client id: an `https` URL with a host and a
/// path, no user info, fragment or dot segments.
pub fn check_client_id_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .ok_or("a client ID metadata document URL must use https")?;
    if url.len() > MAX_URL_LEN || url.chars().any(char::is_whitespace) {
        return Err(format!(
            "a client ID metadata document URL has at most {MAX_URL_LEN} characters and no spaces"
        ));
    }
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    if authority.is_empty() || authority.contains('@') {
        return Err("the URL needs a host and no user info".to_owned());
    }
    if path.is_empty() || url.contains('#') {
        return Err("the URL needs a path and no fragment".to_owned());
    }
    let path = path.split('?').next().unwrap_or_default();
    if path
        .split('/')
        .any(|s| matches!(s, "." | "..") || s.eq_ignore_ascii_case("%2e"))
    {
        return Err("the URL's path has no . or .. segments".to_owned());
    }
    Ok(())
}

/// Reads and checks a fetched document for `url`.
pub fn parse_document(url: &str, body: &[u8]) -> Result<ClientMetadata, String> {
    let document: ClientMetadata = serde_json::from_slice(body)
        .map_err(|e| format!("the client metadata document is not valid: {e}"))?;
    if document.client_id != url {
        return Err(format!(
            "the document's client_id ({}) is not the URL it was fetched from",
            document.client_id
        ));
    }
    if document.redirect_uris.is_empty() {
        return Err("the document lists no redirect_uris".to_owned());
    }
    if let Some(bad) = document
        .redirect_uris
        .iter()
        .find(|u| !u.contains("://") || u.contains('#'))
    {
        return Err(format!("redirect URI {bad} is not an absolute URI"));
    }
    match document.token_endpoint_auth_method.as_deref() {
        Some("none") => {}
        other => {
            return Err(format!(
                "CIMD clients are public: token_endpoint_auth_method must be none, not {}",
                other.unwrap_or("client_secret_basic (the default)")
            ));
        }
    }
    Ok(document)
}

/// Whether `url` matches `pattern`, where `*` stands for any run of
/// characters (none included).
fn pattern_matches(pattern: &str, url: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = parts.split_first().unwrap_or((&"", &[]));
    let Some(mut remaining) = url.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return remaining.is_empty();
    };
    for part in middle {
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

fn check_patterns(patterns: &[String]) -> ApiResult<()> {
    if let Some(bad) = patterns.iter().find(|p| {
        !p.starts_with("https://") || p.len() <= "https://".len() || p.len() > MAX_URL_LEN
    }) {
        return Err(ApiError::invalid_parameter(format!(
            "URL pattern {bad} must be an https URL (with * wildcards)"
        )));
    }
    Ok(())
}

fn not_found(id: &str) -> ApiError {
    ApiError::resource_not_found(format!("CIMD policy {id} does not exist."))
}

impl CimdPolicy {
    fn describe(&self, pool: &Pool) -> CIMDPolicyType {
        CIMDPolicyType {
            cimd_policy_id: self.id.clone(),
            cache_duration: self.cache_secs.and_then(|s| i32::try_from(s).ok()),
            // Omitted once the app client no longer exists, as AWS does.
            client_id: pool
                .clients
                .contains_key(&self.client_id)
                .then(|| self.client_id.clone()),
            creation_date: Some(Timestamp::from_secs(self.created)),
            last_modified_date: Some(Timestamp::from_secs(self.modified)),
            policy_name: self.name.clone(),
            url_patterns: Some(self.url_patterns.clone()),
            user_pool_id: pool.id.clone(),
        }
    }

    fn matches(&self, url: &str) -> bool {
        self.url_patterns.iter().any(|p| pattern_matches(p, url))
    }

    /// The client a cached document stands for: the policy's app client
    /// narrowed by the document.
    fn client_for(&self, app: &AppClient, url: &str, cached: &CachedDocument) -> AppClient {
        let doc = &cached.document;
        let mut settings = app.settings.clone();
        settings.client_id = Some(url.to_owned());
        settings.client_name = Some(doc.client_name.clone().unwrap_or_else(|| url.to_owned()));
        settings.client_secret = None;
        settings.callback_urls = Some(doc.redirect_uris.clone());
        settings.logout_urls = Some(doc.post_logout_redirect_uris.clone());
        settings.default_redirect_uri = None;
        let grants = |g: &str| doc.grant_types.iter().any(|d| d == g);
        let responds = |r: &str| doc.response_types.iter().any(|d| d == r);
        settings.allowed_oauth_flows = Some(
            app.oauth_flows()
                .into_iter()
                .filter(|f| match f {
                    OAuthFlowType::Code => grants("authorization_code") && responds("code"),
                    OAuthFlowType::Implicit => grants("implicit") && responds("token"),
                    // CIMD clients are public: no client_credentials.
                    OAuthFlowType::ClientCredentials => false,
                })
                .collect(),
        );
        if let Some(scope) = &doc.scope {
            let asked: Vec<&str> = scope.split_whitespace().collect();
            settings.allowed_oauth_scopes = Some(
                app.oauth_scopes()
                    .iter()
                    .filter(|s| asked.contains(&s.as_str()))
                    .cloned()
                    .collect(),
            );
        }
        // No API sign-in for a URL client; refresh only if its document
        // lists the grant.
        settings.explicit_auth_flows = Some(if grants("refresh_token") {
            vec![ExplicitAuthFlowsType::AllowRefreshTokenAuth]
        } else {
            Vec::new()
        });
        AppClient {
            id: url.to_owned(),
            secrets: Vec::new(),
            created: cached.cached_at,
            modified: cached.cached_at,
            settings,
        }
    }
}

/// What the cache holds for a document URL an authorize request names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CimdLookup {
    /// No policy of the pool matches the URL.
    NoPolicy,
    /// A fresh document is cached: the client is ready.
    Cached,
    /// The document must be fetched, for this policy.
    Fetch {
        /// The policy the URL matches.
        policy_id: String,
    },
}

impl Pool {
    /// Rebuilds the clients that cached documents stand for, after a
    /// policy, the cache or an app client changed.
    pub(super) fn rebuild_cimd_clients(&mut self) {
        let mut clients = HashMap::new();
        for policy in self.cimd.values() {
            let Some(app) = self.clients.get(&policy.client_id) else {
                continue;
            };
            for (url, cached) in &policy.cached {
                clients
                    .entry(url.clone())
                    .or_insert_with(|| policy.client_for(app, url, cached));
            }
        }
        self.cimd_clients = clients;
    }

    /// The policy that decides a document URL: the oldest that matches.
    fn cimd_policy_for(&self, url: &str) -> Option<&CimdPolicy> {
        self.cimd
            .values()
            .filter(|p| p.matches(url))
            .min_by_key(|p| (p.created, p.id.clone()))
    }

    /// The app client a CIMD document URL stands for, once cached.
    pub(super) fn cimd_client(&self, url: &str) -> Option<&AppClient> {
        self.cimd_clients.get(url)
    }

    /// Whether the document of a URL client allows an OAuth grant at the
    /// token endpoint (`refresh_token`; never `client_credentials`).
    fn cimd_allows_grant(&self, url: &str, grant: &str) -> bool {
        self.cimd_policy_for(url)
            .and_then(|p| p.cached.get(url))
            .is_some_and(|c| {
                grant != "client_credentials" && c.document.grant_types.iter().any(|g| g == grant)
            })
    }
}

impl UserPools {
    /// Whether a client may use an OAuth grant at the token endpoint as far
    /// as CIMD goes: a URL client only the grants its document lists (and
    /// never `client_credentials`); any other client, yes (its own
    /// settings decide).
    pub fn grant_allowed(&self, pool_id: &str, client_id: &str, grant: &str) -> bool {
        if !client_id.starts_with("https://") {
            return true;
        }
        self.pools
            .get(pool_id)
            .is_some_and(|p| p.cimd_allows_grant(client_id, grant))
    }

    /// What an authorize request naming a document URL needs: nothing, a
    /// fetch, or an error page (no policy matches).
    pub fn cimd_lookup(&self, pool_id: &str, url: &str, now: i64) -> CimdLookup {
        let Some(policy) = self.pools.get(pool_id).and_then(|p| p.cimd_policy_for(url)) else {
            return CimdLookup::NoPolicy;
        };
        match policy.cached.get(url) {
            Some(cached) if cached.expires_at > now => CimdLookup::Cached,
            _ => CimdLookup::Fetch {
                policy_id: policy.id.clone(),
            },
        }
    }

    /// Caches a fetched, checked document. `max_age` is the response's
    /// `Cache-Control: max-age`, used when within a day and a year.
    pub fn cimd_cache(
        &mut self,
        pool_id: &str,
        policy_id: &str,
        document: ClientMetadata,
        max_age: Option<i64>,
        now: i64,
    ) -> ApiResult<()> {
        let pool = self.pool_mut(pool_id)?;
        let policy = pool
            .cimd
            .get_mut(policy_id)
            .ok_or_else(|| not_found(policy_id))?;
        let life = max_age
            .filter(|a| MAX_AGE_RANGE.contains(a))
            .unwrap_or(policy.cache_secs.unwrap_or(DEFAULT_CACHE_SECS));
        policy.cached.insert(
            document.client_id.clone(),
            CachedDocument {
                document,
                cached_at: now,
                expires_at: now + life,
            },
        );
        pool.rebuild_cimd_clients();
        Ok(())
    }

    pub(super) fn create_cimd_policy(
        &mut self,
        input: CreateCIMDPolicyRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<CreateCIMDPolicyResponse> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        if !pool.clients.contains_key(&input.client_id) {
            return Err(super::client_not_found(&input.client_id));
        }
        check_patterns(&input.url_patterns)?;
        let now = ctx.clock.unix();
        let policy = CimdPolicy {
            id: ctx.rng.hex(16),
            client_id: input.client_id,
            name: input.policy_name,
            cache_secs: input.cache_duration.map(i64::from),
            url_patterns: input.url_patterns,
            created: now,
            modified: now,
            cached: BTreeMap::new(),
        };
        let out = policy.describe(pool);
        pool.cimd.insert(policy.id.clone(), policy);
        pool.modified = now;
        Ok(CreateCIMDPolicyResponse { cimd_policy: out })
    }

    pub(super) fn update_cimd_policy(
        &mut self,
        input: UpdateCIMDPolicyRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<UpdateCIMDPolicyResponse> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        if !pool.clients.contains_key(&input.client_id) {
            return Err(super::client_not_found(&input.client_id));
        }
        check_patterns(&input.url_patterns)?;
        let policy = pool
            .cimd
            .get_mut(&input.cimd_policy_id)
            .ok_or_else(|| not_found(&input.cimd_policy_id))?;
        if policy.client_id != input.client_id {
            // Documents cached for the old client no longer stand for it.
            policy.cached.clear();
        }
        policy.client_id = input.client_id;
        if let Some(name) = input.policy_name {
            policy.name = name;
        }
        policy.cache_secs = input.cache_duration.map(i64::from);
        policy.url_patterns = input.url_patterns;
        // A cached URL the new patterns no longer match is dropped.
        let patterns = policy.url_patterns.clone();
        policy
            .cached
            .retain(|url, _| patterns.iter().any(|p| pattern_matches(p, url)));
        policy.modified = ctx.clock.unix();
        pool.rebuild_cimd_clients();
        let pool = self.pool(&input.user_pool_id)?;
        let out = pool.cimd[&input.cimd_policy_id].describe(pool);
        Ok(UpdateCIMDPolicyResponse { cimd_policy: out })
    }

    pub(super) fn delete_cimd_policy(
        &mut self,
        input: DeleteCIMDPolicyRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<DeleteCIMDPolicyResponse> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        pool.cimd
            .remove(&input.cimd_policy_id)
            .ok_or_else(|| not_found(&input.cimd_policy_id))?;
        pool.rebuild_cimd_clients();
        pool.modified = ctx.clock.unix();
        Ok(DeleteCIMDPolicyResponse {})
    }

    pub(super) fn describe_cimd_policy(
        &self,
        input: DescribeCIMDPolicyRequest,
    ) -> ApiResult<DescribeCIMDPolicyResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let policy = pool
            .cimd
            .get(&input.cimd_policy_id)
            .ok_or_else(|| not_found(&input.cimd_policy_id))?;
        Ok(DescribeCIMDPolicyResponse {
            cimd_policy: policy.describe(pool),
        })
    }

    pub(super) fn list_cimd_policies(
        &self,
        input: ListCIMDPoliciesRequest,
    ) -> ApiResult<ListCIMDPoliciesResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let mut all: Vec<&CimdPolicy> = pool.cimd.values().collect();
        all.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
        let all: Vec<CIMDPolicySummaryType> = all
            .into_iter()
            .map(|p| {
                let full = p.describe(pool);
                CIMDPolicySummaryType {
                    cimd_policy_id: full.cimd_policy_id,
                    cache_duration: full.cache_duration,
                    client_id: full.client_id,
                    creation_date: full.creation_date,
                    last_modified_date: full.last_modified_date,
                    policy_name: full.policy_name,
                }
            })
            .collect();
        let (cimd_policies, next_token) = paginate(
            all,
            page_size(input.max_results),
            input.next_token.as_deref(),
        )?;
        Ok(ListCIMDPoliciesResponse {
            cimd_policies,
            next_token,
        })
    }

    pub(super) fn list_client_metadata_urls(
        &self,
        input: ListClientMetadataURLsRequest,
    ) -> ApiResult<ListClientMetadataURLsResponse> {
        let pool = self.pool(&input.user_pool_id)?;
        let policy = pool
            .cimd
            .get(&input.cimd_policy_id)
            .ok_or_else(|| not_found(&input.cimd_policy_id))?;
        let all: Vec<ClientMetadataURLType> = policy
            .cached
            .iter()
            .map(|(url, c)| ClientMetadataURLType {
                cached_date: Some(Timestamp::from_secs(c.cached_at)),
                expiration_date: Some(Timestamp::from_secs(c.expires_at)),
                url: url.clone(),
            })
            .collect();
        let (client_metadata_urls, next_token) = paginate(
            all,
            page_size(input.max_results),
            input.next_token.as_deref(),
        )?;
        Ok(ListClientMetadataURLsResponse {
            client_metadata_urls,
            next_token,
        })
    }

    pub(super) fn update_client_metadata_url_state(
        &mut self,
        input: UpdateClientMetadataURLStateRequest,
        ctx: &Context<'_>,
    ) -> ApiResult<UpdateClientMetadataURLStateResponse> {
        let pool = self.pool_mut(&input.user_pool_id)?;
        let policy = pool
            .cimd
            .get_mut(&input.cimd_policy_id)
            .ok_or_else(|| not_found(&input.cimd_policy_id))?;
        let missing = || {
            ApiError::new(
                "CachedCIMDURLDoesNotExistException",
                format!("No client metadata document is cached for {}", input.url),
            )
        };
        match input.action {
            CIMDCacheActionType::Invalidate => {
                policy.cached.remove(&input.url).ok_or_else(missing)?;
                pool.rebuild_cimd_clients();
            }
            CIMDCacheActionType::Refresh => {
                // Expired now: the next authorize request fetches it again.
                let cached = policy.cached.get_mut(&input.url).ok_or_else(missing)?;
                cached.expires_at = ctx.clock.unix();
            }
        }
        Ok(UpdateClientMetadataURLStateResponse {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_with_wildcards() {
        let p = "https://*.example.com/clients/*.json";
        assert!(pattern_matches(p, "https://a.example.com/clients/x.json"));
        assert!(pattern_matches(
            p,
            "https://a.b.example.com/clients/x/y.json"
        ));
        assert!(!pattern_matches(p, "https://a.example.org/clients/x.json"));
        assert!(!pattern_matches(p, "https://a.example.com/clients/x.jsonp"));
        assert!(pattern_matches(
            "https://app.example/c.json",
            "https://app.example/c.json"
        ));
        assert!(!pattern_matches(
            "https://app.example/c.json",
            "https://app.example/c.json2"
        ));
        assert!(pattern_matches("https://*", "https://anything/at/all"));
        // One character can't serve both ends.
        assert!(!pattern_matches("https://a*a", "https://a"));
    }

    #[test]
    fn client_id_urls_follow_the_draft() {
        assert!(check_client_id_url("https://app.example.com/client.json").is_ok());
        for bad in [
            "http://app.example.com/client.json",
            "https://app.example.com",
            "https://app.example.com/",
            "https://user@app.example.com/c.json",
            "https://app.example.com/a/../c.json",
            "https://app.example.com/c.json#frag",
        ] {
            assert!(check_client_id_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn documents_must_name_their_url_and_be_public() {
        let url = "https://app.example.com/client.json";
        let good = serde_json::json!({
            "client_id": url,
            "redirect_uris": ["https://app.example.com/cb"],
            "token_endpoint_auth_method": "none",
        });
        let doc = parse_document(url, good.to_string().as_bytes()).unwrap();
        assert_eq!(doc.grant_types, ["authorization_code"]);
        let mut other = good.clone();
        other["client_id"] = serde_json::json!("https://evil.example.com/client.json");
        assert!(parse_document(url, other.to_string().as_bytes()).is_err());
        let mut confidential = good.clone();
        confidential
            .as_object_mut()
            .unwrap()
            .remove("token_endpoint_auth_method");
        assert!(parse_document(url, confidential.to_string().as_bytes()).is_err());
        let mut no_redirects = good;
        no_redirects["redirect_uris"] = serde_json::json!([]);
        assert!(parse_document(url, no_redirects.to_string().as_bytes()).is_err());
        assert!(parse_document(url, b"<html>").is_err());
    }
}
