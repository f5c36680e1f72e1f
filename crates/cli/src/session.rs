//! The token cache of `cogkit login`: one JSON file, mode 0600, under the
//! user's cache directory (`$COGKIT_CACHE_DIR` overrides it).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

use cognito_flows::UserPoolTokens;
use cognito_flows::secret::{AccessToken, IdToken, RefreshToken};
use serde_json::{Value, json};

/// Where the cache lives.
pub fn cache_file() -> Result<PathBuf, String> {
    let dir = match std::env::var_os("COGKIT_CACHE_DIR") {
        Some(d) => PathBuf::from(d),
        None => dirs::cache_dir()
            .ok_or("no cache directory for this user; set COGKIT_CACHE_DIR")?
            .join("cogkit"),
    };
    Ok(dir.join("tokens.json"))
}

fn key(user_pool_id: &str, client_id: &str) -> String {
    format!("{user_pool_id}/{client_id}")
}

fn read_all() -> Result<BTreeMap<String, Value>, String> {
    let path = cache_file()?;
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}: not a token cache ({e}); delete it and sign in again",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Saves a sign-in's tokens (readable by the user only).
pub fn save(
    user_pool_id: &str,
    client_id: &str,
    tokens: &UserPoolTokens,
) -> Result<PathBuf, String> {
    let path = cache_file()?;
    let mut all = read_all()?;
    let expires = tokens
        .expires_at
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    all.insert(
        key(user_pool_id, client_id),
        json!({
            "IdToken": tokens.id_token.expose_secret(),
            "AccessToken": tokens.access_token.expose_secret(),
            "RefreshToken": tokens.refresh_token.as_ref().map(|r| r.expose_secret().to_owned()),
            "Username": tokens.username,
            "ExpiresAt": expires,
        }),
    );
    let dir = path.parent().ok_or("the cache path has no directory")?;
    create_private_dir(dir)?;
    let tmp = path.with_extension("json.tmp");
    let mut file = open_private(&tmp)?;
    file.write_all(
        serde_json::to_string_pretty(&all)
            .unwrap_or_default()
            .as_bytes(),
    )
    .map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// The cached tokens for a pool's client, if any.
pub fn load(user_pool_id: &str, client_id: &str) -> Result<Option<UserPoolTokens>, String> {
    let all = read_all()?;
    let Some(v) = all.get(&key(user_pool_id, client_id)) else {
        return Ok(None);
    };
    let s = |k: &str| v[k].as_str().map(str::to_owned);
    let (Some(id), Some(access)) = (s("IdToken"), s("AccessToken")) else {
        return Ok(None);
    };
    Ok(Some(UserPoolTokens {
        id_token: IdToken::new(id),
        access_token: AccessToken::new(access),
        refresh_token: s("RefreshToken").map(RefreshToken::new),
        expires_at: UNIX_EPOCH + Duration::from_secs(v["ExpiresAt"].as_u64().unwrap_or(0)),
        username: s("Username"),
    }))
}

#[cfg(unix)]
fn create_private_dir(dir: &std::path::Path) -> Result<(), String> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))
}

#[cfg(not(unix))]
fn create_private_dir(dir: &std::path::Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))
}

#[cfg(unix)]
fn open_private(path: &std::path::Path) -> Result<std::fs::File, String> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(not(unix))]
fn open_private(path: &std::path::Path) -> Result<std::fs::File, String> {
    std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))
}
