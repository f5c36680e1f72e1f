//! A file of user-pool sign-ins (a CLI's token cache): one JSON object
//! keyed `<userPoolId>/<clientId>`, readable by its owner only.
//!
//! ```json
//! {"ap-northeast-1_Example01/1example23456789abcdefghij": {
//!   "IdToken": "eyJ…", "AccessToken": "eyJ…", "RefreshToken": "…",
//!   "Username": "alice", "ExpiresAt": 1709629623,
//!   "Device": {"SignInName": "alice", "DeviceKey": "ap-northeast-1_…",
//!     "DeviceGroupKey": "-…", "DevicePassword": "…", "Salt": "…"}}}
//! ```
//!
//! `Device` is a remembered device of that user, kept across sign-ins: its
//! password is a secret like the tokens, which is why the file is the
//! owner's only.
//!
//! The format ([`TokenFile`]) is apart from the file ([`TokenStore`]), so a
//! caller with its own file access (an AWS credentials provider reading
//! through an injected file system) reads the same format.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use cognito_srp::DeviceSecret;
use serde::{Deserialize, Serialize};

use crate::cache::{LoginSource, UserPoolSession};
use crate::error::FlowError;
use crate::ids::{ClientId, UserPoolId};
use crate::logins::Logins;
use crate::secret::{AccessToken, IdToken, RefreshToken};
use crate::transport::UserPoolApi;
use crate::user_pool::{UserPoolClient, UserPoolTokens};

/// Why the store could not be read or written.
#[derive(Debug)]
#[non_exhaustive]
pub enum TokenStoreError {
    /// No directory to keep it in: no `$COGKIT_CACHE_DIR`, no home.
    NoLocation,
    /// The file is there but is not a token file.
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Reading or writing failed.
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

impl fmt::Display for TokenStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenStoreError::NoLocation => {
                f.write_str("no cache directory for this user; set COGKIT_CACHE_DIR")
            }
            TokenStoreError::Corrupt { path, reason } => write!(
                f,
                "{}: not a token cache ({reason}); delete it and sign in again",
                path.display()
            ),
            TokenStoreError::Io { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for TokenStoreError {}

/// One sign-in as stored.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Entry {
    id_token: String,
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    expires_at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    device: Option<StoredDevice>,
}

/// A remembered device as stored.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StoredDevice {
    /// The name the user signed in with when it was remembered.
    sign_in_name: String,
    device_key: String,
    device_group_key: String,
    device_password: String,
    salt: String,
}

impl StoredDevice {
    fn new(sign_in_name: &str, secret: &DeviceSecret) -> Self {
        StoredDevice {
            sign_in_name: sign_in_name.to_owned(),
            device_key: secret.device_key().to_owned(),
            device_group_key: secret.device_group_key().to_owned(),
            device_password: secret.password().expose_secret().to_owned(),
            salt: secret.salt_hex(),
        }
    }

    fn secret(&self) -> Option<DeviceSecret> {
        DeviceSecret::from_parts(
            &self.device_group_key,
            &self.device_key,
            cognito_srp::Password::new(self.device_password.as_str()),
            &self.salt,
        )
        .ok()
    }
}

impl From<&UserPoolTokens> for Entry {
    fn from(t: &UserPoolTokens) -> Self {
        Entry {
            id_token: t.id_token.expose_secret().to_owned(),
            access_token: t.access_token.expose_secret().to_owned(),
            refresh_token: t
                .refresh_token
                .as_ref()
                .map(|r| r.expose_secret().to_owned()),
            username: t.username.clone(),
            expires_at: t
                .expires_at
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            device: None,
        }
    }
}

impl From<&Entry> for UserPoolTokens {
    fn from(e: &Entry) -> Self {
        UserPoolTokens {
            id_token: IdToken::new(e.id_token.clone()),
            access_token: AccessToken::new(e.access_token.clone()),
            refresh_token: e.refresh_token.clone().map(RefreshToken::new),
            expires_at: UNIX_EPOCH + Duration::from_secs(e.expires_at),
            username: e.username.clone(),
            new_device: None,
        }
    }
}

/// The token file's contents.
#[derive(Clone, Default)]
pub struct TokenFile(BTreeMap<String, Entry>);

impl fmt::Debug for TokenFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

fn key(pool: &UserPoolId, client: &ClientId) -> String {
    format!("{pool}/{client}")
}

impl TokenFile {
    /// Parses a token file's bytes.
    pub fn parse(bytes: &[u8]) -> Result<TokenFile, String> {
        serde_json::from_slice(bytes)
            .map(TokenFile)
            .map_err(|e| e.to_string())
    }

    /// The file's bytes.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.0).unwrap_or_default()
    }

    /// The sign-in for a pool's app client.
    pub fn get(&self, pool: &UserPoolId, client: &ClientId) -> Option<UserPoolTokens> {
        self.0.get(&key(pool, client)).map(UserPoolTokens::from)
    }

    /// Records a sign-in, replacing the client's previous one (and
    /// keeping its remembered device when it is the same user's).
    pub fn insert(&mut self, pool: &UserPoolId, client: &ClientId, tokens: &UserPoolTokens) {
        let mut entry = Entry::from(tokens);
        entry.device = self
            .0
            .get(&key(pool, client))
            .filter(|old| old.username.is_some() && old.username == tokens.username)
            .and_then(|old| old.device.clone());
        self.0.insert(key(pool, client), entry);
    }

    /// The remembered device of the user signed in as `name` (the name
    /// typed then, or the internal username) on a pool's app client.
    pub fn device(&self, pool: &UserPoolId, client: &ClientId, name: &str) -> Option<DeviceSecret> {
        let entry = self.0.get(&key(pool, client))?;
        let device = entry.device.as_ref()?;
        let same_user = device.sign_in_name == name || entry.username.as_deref() == Some(name);
        same_user.then(|| device.secret())?
    }

    /// Keeps `secret` as the remembered device of the sign-in stored for
    /// a pool's app client (made signing in as `sign_in_name`). False when
    /// no sign-in is stored for it.
    pub fn set_device(
        &mut self,
        pool: &UserPoolId,
        client: &ClientId,
        sign_in_name: &str,
        secret: &DeviceSecret,
    ) -> bool {
        match self.0.get_mut(&key(pool, client)) {
            Some(entry) => {
                entry.device = Some(StoredDevice::new(sign_in_name, secret));
                true
            }
            None => false,
        }
    }
}

/// The token file on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenStore {
    path: PathBuf,
}

impl TokenStore {
    /// The store in this file.
    pub fn at(path: impl Into<PathBuf>) -> TokenStore {
        TokenStore { path: path.into() }
    }

    /// Where the store lives by default, from the environment `var` gives:
    /// `$COGKIT_CACHE_DIR/tokens.json`, else `cogkit/tokens.json` in the
    /// user's cache directory (`$XDG_CACHE_HOME` or `~/.cache`;
    /// `~/Library/Caches` on macOS; `%LOCALAPPDATA%` on Windows).
    pub fn default_path(var: impl Fn(&str) -> Option<String>) -> Result<PathBuf, TokenStoreError> {
        let set = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        if let Some(dir) = set("COGKIT_CACHE_DIR") {
            return Ok(dir.join("tokens.json"));
        }
        let cache = if cfg!(windows) {
            set("LOCALAPPDATA")
        } else if cfg!(target_os = "macos") {
            set("HOME").map(|h| h.join("Library/Caches"))
        } else {
            set("XDG_CACHE_HOME").or_else(|| set("HOME").map(|h| h.join(".cache")))
        };
        Ok(cache
            .ok_or(TokenStoreError::NoLocation)?
            .join("cogkit")
            .join("tokens.json"))
    }

    /// The store at [`TokenStore::default_path`] of this process's environment.
    pub fn from_env() -> Result<TokenStore, TokenStoreError> {
        Self::default_path(|name| std::env::var(name).ok()).map(TokenStore::at)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The whole file (empty when it does not exist yet).
    pub fn read(&self) -> Result<TokenFile, TokenStoreError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => TokenFile::parse(&bytes).map_err(|reason| TokenStoreError::Corrupt {
                path: self.path.clone(),
                reason,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(TokenFile::default()),
            Err(source) => Err(TokenStoreError::Io {
                path: self.path.clone(),
                source,
            }),
        }
    }

    /// The sign-in for a pool's app client, if one is stored.
    pub fn load(
        &self,
        pool: &UserPoolId,
        client: &ClientId,
    ) -> Result<Option<UserPoolTokens>, TokenStoreError> {
        Ok(self.read()?.get(pool, client))
    }

    /// Stores a sign-in. The directory is made owner-only (0700) and the
    /// file written owner-only (0600) under a temporary name, then renamed
    /// over the old one: a reader never sees half a file.
    pub fn save(
        &self,
        pool: &UserPoolId,
        client: &ClientId,
        tokens: &UserPoolTokens,
    ) -> Result<(), TokenStoreError> {
        let mut file = self.read()?;
        file.insert(pool, client, tokens);
        self.write(&file)
    }

    /// The remembered device of the user signed in as `name` on a pool's
    /// app client, if one is stored.
    pub fn load_device(
        &self,
        pool: &UserPoolId,
        client: &ClientId,
        name: &str,
    ) -> Result<Option<DeviceSecret>, TokenStoreError> {
        Ok(self.read()?.device(pool, client, name))
    }

    /// Stores a sign-in with the device it remembered (see
    /// [`TokenFile::set_device`]).
    pub fn save_with_device(
        &self,
        (pool, client): (&UserPoolId, &ClientId),
        tokens: &UserPoolTokens,
        sign_in_name: &str,
        secret: &DeviceSecret,
    ) -> Result<(), TokenStoreError> {
        let mut file = self.read()?;
        file.insert(pool, client, tokens);
        file.set_device(pool, client, sign_in_name, secret);
        self.write(&file)
    }

    fn write(&self, file: &TokenFile) -> Result<(), TokenStoreError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| TokenStoreError::Io { path, source }
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        private_dir(dir).map_err(io(dir))?;
        let tmp = self.path.with_extension("json.tmp");
        private_file(&tmp)
            .and_then(|mut f| f.write_all(file.to_json().as_bytes()))
            .map_err(io(&tmp))?;
        std::fs::rename(&tmp, &self.path).map_err(io(&self.path))
    }

    /// The stored sign-in of `client`'s pool and app client as identity-pool
    /// logins: its ID token, refreshed through `client` when it has (nearly)
    /// expired and then stored again. Nothing stored is
    /// [`FlowError::NoLogin`]; a store that cannot be read or written is
    /// [`FlowError::InvalidInput`].
    pub async fn logins<U: UserPoolApi>(
        &self,
        client: UserPoolClient<U>,
    ) -> Result<Logins, FlowError> {
        let (pool, id) = (client.pool_id().clone(), client.client_id().clone());
        let store_error = |e: TokenStoreError| FlowError::invalid_input(e.to_string());
        let tokens = self.load(&pool, &id).map_err(store_error)?.ok_or_else(|| {
            FlowError::NoLogin(format!(
                "no cached sign-in for {pool}/{id} in {}",
                self.path.display()
            ))
        })?;
        let session = UserPoolSession::new(client, tokens);
        let logins = session.logins().await?;
        self.save(&pool, &id, &session.tokens().await)
            .map_err(store_error)?;
        Ok(logins)
    }
}

#[cfg(unix)]
fn private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::create(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(id: &str) -> UserPoolTokens {
        UserPoolTokens {
            id_token: IdToken::new(id),
            access_token: AccessToken::new("a"),
            refresh_token: Some(RefreshToken::new("r")),
            expires_at: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            username: Some("alice".into()),
            new_device: None,
        }
    }

    #[test]
    fn a_remembered_device_is_kept_across_the_same_users_sign_ins_only() {
        let dir = std::env::temp_dir().join(format!("token-device-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = TokenStore::at(dir.join("tokens.json"));
        let pool = UserPoolId::parse("us-east-1_AbC").unwrap();
        let client = ClientId::parse("client1").unwrap();
        let secret = DeviceSecret::generate(
            &mut rand_core::UnwrapErr(getrandom::SysRng),
            "-group",
            "us-east-1_dev",
        )
        .unwrap();
        store
            .save_with_device(
                (&pool, &client),
                &tokens("id-1"),
                "alice@example.com",
                &secret,
            )
            .unwrap();
        let back = |name: &str| store.load_device(&pool, &client, name).unwrap();
        let loaded = back("alice@example.com").expect("by the name signed in with");
        assert_eq!(loaded.verifier_config(), secret.verifier_config());
        assert!(back("alice").is_some(), "by the internal username");
        assert!(back("bob").is_none());
        // Alice signs in again: the device stays; Bob signs in: it goes.
        store.save(&pool, &client, &tokens("id-2")).unwrap();
        assert!(back("alice").is_some());
        let mut bob = tokens("id-3");
        bob.username = Some("bob".into());
        store.save(&pool, &client, &bob).unwrap();
        assert!(back("alice").is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn saves_privately_and_loads_back() {
        let dir = std::env::temp_dir().join(format!("token-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = TokenStore::at(dir.join("sub/tokens.json"));
        let pool = UserPoolId::parse("us-east-1_AbC").unwrap();
        let client = ClientId::parse("client1").unwrap();
        let other = ClientId::parse("client2").unwrap();
        assert!(store.load(&pool, &client).unwrap().is_none());
        store.save(&pool, &client, &tokens("id-1")).unwrap();
        store.save(&pool, &other, &tokens("id-2")).unwrap();
        let back = store.load(&pool, &client).unwrap().unwrap();
        assert_eq!(back.id_token.expose_secret(), "id-1");
        assert_eq!(back.username.as_deref(), Some("alice"));
        assert_eq!(back.expires_at, tokens("x").expires_at);
        assert_eq!(
            store
                .load(&pool, &other)
                .unwrap()
                .unwrap()
                .id_token
                .expose_secret(),
            "id-2"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(store.path()), 0o600);
            assert_eq!(mode(&dir.join("sub")), 0o700);
        }
        std::fs::write(store.path(), "not json").unwrap();
        let e = store.load(&pool, &client).unwrap_err();
        assert!(matches!(e, TokenStoreError::Corrupt { .. }), "{e}");
        assert!(!format!("{:?}", store.read().unwrap_or_default()).contains("id-1"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A user pool that answers every refresh with a fresh ID token.
    struct Refreshing(std::sync::atomic::AtomicUsize);

    impl UserPoolApi for Refreshing {
        async fn initiate_auth(
            &self,
            request: crate::transport::InitiateAuthRequest,
        ) -> Result<crate::transport::AuthResponse, FlowError> {
            assert_eq!(
                request.auth_flow,
                crate::transport::AuthFlow::RefreshTokenAuth
            );
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(crate::transport::AuthResponse {
                authentication_result: Some(crate::transport::AuthenticationResult {
                    new_device: None,
                    id_token: IdToken::new(jwt_expiring_at(4_000_000_000)),
                    access_token: AccessToken::new("a2"),
                    refresh_token: None,
                    expires_in: 3600,
                }),
                ..Default::default()
            })
        }

        async fn respond_to_auth_challenge(
            &self,
            _: crate::transport::RespondToAuthChallengeRequest,
        ) -> Result<crate::transport::AuthResponse, FlowError> {
            Err(FlowError::protocol("no challenge expected"))
        }
    }

    fn jwt_expiring_at(exp: i64) -> String {
        let claims = serde_json::json!({"exp": exp, "cognito:username": "alice"});
        cognito_wire::jwt::encode_parts(&serde_json::json!({"alg": "RS256"}), &claims, b"s")
    }

    #[tokio::test]
    async fn stored_logins_are_refreshed_and_stored_again() {
        let dir = std::env::temp_dir().join(format!("token-logins-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = TokenStore::at(dir.join("tokens.json"));
        let pool = UserPoolId::parse("us-east-1_AbC").unwrap();
        let id = ClientId::parse("client1").unwrap();
        let calls = std::sync::Arc::new(Refreshing(Default::default()));
        let client = || UserPoolClient::new(calls.clone(), pool.clone(), id.clone());
        let none = store.logins(client()).await.unwrap_err();
        assert!(matches!(none, FlowError::NoLogin(_)), "{none}");

        // Expired: refreshed once, and the new token is what is stored.
        store
            .save(&pool, &id, &tokens(&jwt_expiring_at(1)))
            .unwrap();
        let logins = store.logins(client()).await.unwrap();
        assert_eq!(calls.0.load(std::sync::atomic::Ordering::SeqCst), 1);
        let stored = store.load(&pool, &id).unwrap().unwrap();
        assert_eq!(
            stored.id_token.expose_secret(),
            jwt_expiring_at(4_000_000_000)
        );
        assert_eq!(stored.refresh_token.unwrap().expose_secret(), "r");
        assert_eq!(
            logins.providers().collect::<Vec<_>>(),
            ["cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC"]
        );
        // Still valid: no call.
        store.logins(client()).await.unwrap();
        assert_eq!(calls.0.load(std::sync::atomic::Ordering::SeqCst), 1);

        std::fs::write(store.path(), "not json").unwrap();
        let corrupt = store.logins(client()).await.unwrap_err();
        assert!(matches!(corrupt, FlowError::InvalidInput(_)), "{corrupt}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_default_place_follows_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(
            TokenStore::default_path(env(&[("COGKIT_CACHE_DIR", "/c"), ("HOME", "/h")])).unwrap(),
            PathBuf::from("/c/tokens.json")
        );
        if cfg!(all(unix, not(target_os = "macos"))) {
            assert_eq!(
                TokenStore::default_path(env(&[("HOME", "/h")])).unwrap(),
                PathBuf::from("/h/.cache/cogkit/tokens.json")
            );
            assert_eq!(
                TokenStore::default_path(env(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")])).unwrap(),
                PathBuf::from("/x/cogkit/tokens.json")
            );
        }
        assert!(matches!(
            TokenStore::default_path(env(&[])),
            Err(TokenStoreError::NoLocation)
        ));
    }
}
