//! Signing keys in the data dir: one PKCS#8 file per `kid` under `keys/`,
//! mode 0600, so tokens issued before a restart verify after it and the
//! JWKS stays the same. Keys are made on first use as before; a new key is
//! written (to a temporary file, then renamed) before it signs anything.
//! Key material is never logged.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::jwt::KeyFactory;

/// The directory of the keys.
fn keys_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("keys")
}

/// A file name for a `kid` (user-pool kids are base64, with `/` and `+`).
fn file_name(kid: &str) -> String {
    let safe: String = kid
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' => c,
            '+' => '-',
            '/' => '_',
            _ => '.',
        })
        .collect();
    // Two kids that map to the same name would share a key: append a hash
    // of the exact kid.
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, kid.as_bytes());
    let tag: String = digest.as_ref()[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{safe}.{tag}.pk8")
}

/// A key factory that loads each `kid`'s key from `data_dir/keys/`, or
/// makes it and stores it there first.
pub fn factory(data_dir: &Path) -> KeyFactory {
    let dir = keys_dir(data_dir);
    KeyFactory::from_fn(move |kid| load_or_make(&dir, kid))
}

fn load_or_make(dir: &Path, kid: &str) -> Vec<u8> {
    let path = dir.join(file_name(kid));
    if let Ok(der) = std::fs::read(&path)
        && aws_lc_rs::rsa::KeyPair::from_pkcs8(&der).is_ok()
    {
        return der;
    }
    let der = KeyFactory::generate_pkcs8();
    if let Err(e) = store(dir, &path, &der) {
        // The key still signs; it will not survive a restart. Said once,
        // without the key.
        tracing::error!(kid, error = %e, "cannot store a signing key in the data dir");
    }
    der
}

/// Copies the keys of data dir `from` into data dir `to` (a backup).
pub fn copy(from: &Path, to: &Path) -> std::io::Result<()> {
    let source = keys_dir(from);
    if !source.exists() {
        return Ok(());
    }
    let target = keys_dir(to);
    for entry in std::fs::read_dir(&source)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().ends_with(".pk8") {
            store(&target, &target.join(&name), &std::fs::read(entry.path())?)?;
        }
    }
    Ok(())
}

fn store(dir: &Path, path: &Path, der: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let temporary = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&temporary)?;
    file.write_all(der)?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_and_kept_private() {
        let dir = crate::store::tests::tempdir("keys");
        let first = load_or_make(&keys_dir(&dir), "abc/def+g==");
        let again = load_or_make(&keys_dir(&dir), "abc/def+g==");
        assert_eq!(first, again);
        let other = load_or_make(&keys_dir(&dir), "another");
        assert_ne!(first, other);
        #[cfg(unix)]
        for entry in std::fs::read_dir(keys_dir(&dir)).unwrap() {
            use std::os::unix::fs::PermissionsExt;
            let mode = entry.unwrap().metadata().unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_ne!(file_name("a/b"), file_name("a_b"));
    }
}
