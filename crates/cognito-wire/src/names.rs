//! The names Cognito's APIs exchange as strings: auth flows, challenges,
//! AWS error codes, OAuth2 error codes, and the social providers' names.
//!
//! Each is an enum of the names this crate knows plus `Other`, so a name a
//! newer service sends still round-trips unchanged.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! wire_names {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
            /// A name this crate does not know, as it was sent.
            Other(String),
        }

        impl $name {
            /// Every name this crate knows.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The name on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Other(s) => s,
                }
            }

            /// The name for a wire string (`Other` if unknown).
            pub fn parse(s: &str) -> Self {
                match s {
                    $($wire => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }

            /// Whether this is a name this crate knows.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name::parse(s)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok($name::parse(s))
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok($name::parse(&String::deserialize(d)?))
            }
        }
    };
}

wire_names!(
    /// `AuthFlow` of InitiateAuth and AdminInitiateAuth.
    AuthFlow {
        /// SRP: `USERNAME`, `SRP_A`.
        UserSrpAuth = "USER_SRP_AUTH",
        /// The password sent to the service: `USERNAME`, `PASSWORD`.
        UserPasswordAuth = "USER_PASSWORD_AUTH",
        /// `REFRESH_TOKEN`.
        RefreshTokenAuth = "REFRESH_TOKEN_AUTH",
        /// The older spelling of `REFRESH_TOKEN_AUTH`.
        RefreshToken = "REFRESH_TOKEN",
        /// Lambda-defined challenges.
        CustomAuth = "CUSTOM_AUTH",
        /// Choice-based sign-in (passwordless, passkeys, password).
        UserAuth = "USER_AUTH",
        /// AdminInitiateAuth with the password.
        AdminUserPasswordAuth = "ADMIN_USER_PASSWORD_AUTH",
        /// The older name of `ADMIN_USER_PASSWORD_AUTH`.
        AdminNoSrpAuth = "ADMIN_NO_SRP_AUTH",
    }
);

wire_names!(
    /// `ChallengeName` of an InitiateAuth answer and RespondToAuthChallenge.
    ChallengeName {
        /// SRP's second step.
        PasswordVerifier = "PASSWORD_VERIFIER",
        /// A temporary password must be replaced.
        NewPasswordRequired = "NEW_PASSWORD_REQUIRED",
        /// A code sent by SMS.
        SmsMfa = "SMS_MFA",
        /// A code from an authenticator app.
        SoftwareTokenMfa = "SOFTWARE_TOKEN_MFA",
        /// A code sent by e-mail.
        EmailOtp = "EMAIL_OTP",
        /// Choose SMS or TOTP.
        SelectMfaType = "SELECT_MFA_TYPE",
        /// Set MFA up before signing in.
        MfaSetup = "MFA_SETUP",
        /// A Lambda-defined challenge.
        CustomChallenge = "CUSTOM_CHALLENGE",
        /// Choose a USER_AUTH factor.
        SelectChallenge = "SELECT_CHALLENGE",
        /// Device SRP's first step.
        DeviceSrpAuth = "DEVICE_SRP_AUTH",
        /// Device SRP's second step.
        DevicePasswordVerifier = "DEVICE_PASSWORD_VERIFIER",
        /// The older admin flow name.
        AdminNoSrpAuth = "ADMIN_NO_SRP_AUTH",
        /// USER_AUTH: a code by SMS.
        SmsOtp = "SMS_OTP",
        /// USER_AUTH: the password.
        Password = "PASSWORD",
        /// USER_AUTH: the password with SRP.
        PasswordSrp = "PASSWORD_SRP",
        /// USER_AUTH: a passkey.
        WebAuthn = "WEB_AUTHN",
    }
);

wire_names!(
    /// AWS error codes (`__type`) of Cognito user pools, identity pools and
    /// STS.
    ErrorCode {
        /// Wrong password, expired or revoked token, guest access off, …
        NotAuthorized = "NotAuthorizedException",
        /// No such user.
        UserNotFound = "UserNotFoundException",
        /// The user has not confirmed the sign-up.
        UserNotConfirmed = "UserNotConfirmedException",
        /// An administrator reset the password.
        PasswordResetRequired = "PasswordResetRequiredException",
        /// The username is taken.
        UsernameExists = "UsernameExistsException",
        /// An alias (e-mail, phone) belongs to another user.
        AliasExists = "AliasExistsException",
        /// A parameter is malformed or not allowed.
        InvalidParameter = "InvalidParameterException",
        /// The password breaks the pool's policy.
        InvalidPassword = "InvalidPasswordException",
        /// A wrong confirmation or MFA code.
        CodeMismatch = "CodeMismatchException",
        /// An expired confirmation code.
        ExpiredCode = "ExpiredCodeException",
        /// Too many attempts of something rate-limited.
        LimitExceeded = "LimitExceededException",
        /// Throttled.
        TooManyRequests = "TooManyRequestsException",
        /// Too many failed attempts.
        TooManyFailedAttempts = "TooManyFailedAttemptsException",
        /// No such pool, client, identity, …
        ResourceNotFound = "ResourceNotFoundException",
        /// A conflicting resource.
        ResourceConflict = "ResourceConflictException",
        /// The service failed.
        InternalError = "InternalErrorException",
        /// A provider the identity pool called failed.
        ExternalService = "ExternalServiceException",
        /// The identity pool's roles are misconfigured.
        InvalidIdentityPoolConfiguration = "InvalidIdentityPoolConfigurationException",
        /// The user pool is misconfigured.
        InvalidUserPoolConfiguration = "InvalidUserPoolConfigurationException",
        /// The operation is not supported here.
        UnsupportedOperation = "UnsupportedOperationException",
        /// The user must set up MFA first.
        MfaMethodNotFound = "MFAMethodNotFoundException",
        /// The developer user id is linked elsewhere.
        DeveloperUserAlreadyRegistered = "DeveloperUserAlreadyRegisteredException",
        /// A concurrent change won.
        ConcurrentModification = "ConcurrentModificationException",
        /// STS: the web identity token is not valid.
        InvalidIdentityToken = "InvalidIdentityToken",
        /// STS: the web identity token has expired.
        ExpiredToken = "ExpiredTokenException",
        /// STS / SigV4: the signature does not match.
        SignatureDoesNotMatch = "SignatureDoesNotMatch",
        /// STS / SigV4: unknown access key.
        InvalidClientTokenId = "InvalidClientTokenId",
        /// Not allowed for these credentials.
        AccessDenied = "AccessDenied",
    }
);

wire_names!(
    /// OAuth 2.0 `error` values of `/oauth2/*` and redirects (RFC 6749 §4.1.2.1, §5.2).
    OAuthErrorCode {
        /// A malformed request.
        InvalidRequest = "invalid_request",
        /// Client authentication failed.
        InvalidClient = "invalid_client",
        /// The code, refresh token or PKCE verifier is wrong.
        InvalidGrant = "invalid_grant",
        /// The client may not use this grant.
        UnauthorizedClient = "unauthorized_client",
        /// An unknown grant type.
        UnsupportedGrantType = "unsupported_grant_type",
        /// A scope not allowed.
        InvalidScope = "invalid_scope",
        /// The person or the server said no.
        AccessDenied = "access_denied",
        /// An unknown response type.
        UnsupportedResponseType = "unsupported_response_type",
        /// The server failed.
        ServerError = "server_error",
        /// The server is overloaded.
        TemporarilyUnavailable = "temporarily_unavailable",
        /// `/oauth2/userInfo`, revoke: a bad token (RFC 6750).
        InvalidToken = "invalid_token",
    }
);

/// The social providers a user pool federates through its hosted UI, whose
/// tokens identity pools also take directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SocialProvider {
    /// Facebook.
    Facebook,
    /// Login with Amazon.
    LoginWithAmazon,
    /// Google.
    Google,
    /// Sign in with Apple.
    SignInWithApple,
}

impl SocialProvider {
    /// Every one.
    pub const ALL: [SocialProvider; 4] = [
        SocialProvider::Facebook,
        SocialProvider::LoginWithAmazon,
        SocialProvider::Google,
        SocialProvider::SignInWithApple,
    ];

    /// The user pool's ProviderName (`identity_provider=` of the hosted UI).
    pub fn provider_name(self) -> &'static str {
        match self {
            SocialProvider::Facebook => "Facebook",
            SocialProvider::LoginWithAmazon => "LoginWithAmazon",
            SocialProvider::Google => "Google",
            SocialProvider::SignInWithApple => "SignInWithApple",
        }
    }

    /// The identity-pool login key of the provider's own tokens.
    pub fn login_key(self) -> &'static str {
        match self {
            SocialProvider::Facebook => crate::issuer::FACEBOOK,
            SocialProvider::LoginWithAmazon => crate::issuer::AMAZON,
            SocialProvider::Google => crate::issuer::GOOGLE,
            SocialProvider::SignInWithApple => crate::issuer::APPLE,
        }
    }

    /// The provider as people call it.
    pub fn display_name(self) -> &'static str {
        match self {
            SocialProvider::Facebook => "Facebook",
            SocialProvider::LoginWithAmazon => "Login with Amazon",
            SocialProvider::Google => "Google",
            SocialProvider::SignInWithApple => "Sign in with Apple",
        }
    }

    /// The provider with this ProviderName or login key.
    pub fn from_name(name: &str) -> Option<SocialProvider> {
        SocialProvider::ALL
            .into_iter()
            .find(|p| p.provider_name() == name || p.login_key() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_survive() {
        for flow in AuthFlow::KNOWN {
            assert_eq!(&AuthFlow::parse(flow.as_str()), flow);
        }
        for name in ChallengeName::KNOWN {
            assert_eq!(&ChallengeName::parse(name.as_str()), name);
        }
        for code in ErrorCode::KNOWN {
            assert_eq!(&ErrorCode::parse(code.as_str()), code);
        }
        let future = ChallengeName::parse("SOME_NEW_CHALLENGE");
        assert!(!future.is_known());
        assert_eq!(future.as_str(), "SOME_NEW_CHALLENGE");
        assert_eq!(ErrorCode::NotAuthorized, "NotAuthorizedException");
        assert_eq!(
            serde_json::to_string(&AuthFlow::UserSrpAuth).unwrap(),
            r#""USER_SRP_AUTH""#
        );
        let back: OAuthErrorCode = serde_json::from_str(r#""invalid_grant""#).unwrap();
        assert_eq!(back, OAuthErrorCode::InvalidGrant);
    }

    #[test]
    fn social_providers_have_both_names() {
        for p in SocialProvider::ALL {
            assert_eq!(SocialProvider::from_name(p.provider_name()), Some(p));
            assert_eq!(SocialProvider::from_name(p.login_key()), Some(p));
        }
        assert_eq!(
            SocialProvider::LoginWithAmazon.login_key(),
            "www.amazon.com"
        );
        assert_eq!(SocialProvider::from_name("COGNITO"), None);
    }
}
