//! Secret strings: tokens and client secrets. `Debug` shows nothing of them,
//! and they are wiped from memory when dropped.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

pub use cognito_srp::Password;

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value.
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }

            /// The value itself; handle with care.
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

secret_type!(
    /// An app client secret.
    ClientSecret
);
secret_type!(
    /// A user-pool ID token (a JWT).
    IdToken
);
secret_type!(
    /// A user-pool access token (a JWT).
    AccessToken
);
secret_type!(
    /// A user-pool refresh token (opaque).
    RefreshToken
);
secret_type!(
    /// A token from an external provider, or an identity pool's OpenID token.
    ProviderToken
);
secret_type!(
    /// An AWS secret access key.
    SecretAccessKey
);
secret_type!(
    /// An AWS session token.
    SessionToken
);
secret_type!(
    /// A PKCE code verifier (RFC 7636).
    PkceCodeVerifier
);
secret_type!(
    /// An OAuth2 authorization code.
    AuthorizationCode
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let t = IdToken::new("eyJhbGciOi.secret.parts");
        assert_eq!(format!("{t:?}"), "IdToken(<redacted>)");
        assert_eq!(t.expose_secret(), "eyJhbGciOi.secret.parts");
    }
}
