//! Secret values: zeroized on drop, never printed.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

/// A password (a user's, or a device's random password). Its `Debug` output
/// shows nothing, and its memory is wiped when it is dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(password: impl Into<String>) -> Self {
        Password(password.into())
    }

    /// The password itself; handle with care.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Self {
        Password::new(s)
    }
}

impl From<String> for Password {
    fn from(s: String) -> Self {
        Password::new(s)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A fixed-size secret byte string (derived keys and the like).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct SecretBytes<const LEN: usize>(pub(crate) [u8; LEN]);

impl<const LEN: usize> fmt::Debug for SecretBytes<LEN> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes<{LEN}>(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_nothing_secret() {
        let p = Password::new("hunter2-very-secret");
        assert!(!format!("{p:?}").contains("hunter2"));
        let k = SecretBytes([0xabu8; 16]);
        assert!(!format!("{k:?}").to_lowercase().contains("ab"));
    }
}
