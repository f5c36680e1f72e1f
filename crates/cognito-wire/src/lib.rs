//! Amazon Cognito's wire vocabulary, in one place: what the client flows,
//! the token verifier, the CLI and the emulator must all spell the same way.
//!
//! | module | what |
//! |---|---|
//! | [`jwt`] | compact JWS decoding (header, claims, signature; no verification) |
//! | [`claims`] | typed ID- and access-token claims, [`TokenUse`] |
//! | [`jwks`] | the JSON Web Key Set a user pool publishes |
//! | [`pkce`] | RFC 7636 S256 challenges and verifier rules |
//! | [`issuer`] | issuer URLs, identity-pool login keys, JWKS and hosted-UI URLs |
//! | [`names`] | `AuthFlow`, `ChallengeName`, AWS and OAuth error codes |
//! | [`time`] | ISO 8601 and AWS JSON (epoch seconds) timestamps |
//! | [`encoding`] | percent and `application/x-www-form-urlencoded` encoding |
//!
//! Pure data and functions: no I/O, no async, no clock reads. The SRP
//! exchange's own `TIMESTAMP` format stays in `cognito-srp`, beside the
//! maths that signs it.
//!
//! ```
//! use cognito_wire::{issuer, pkce};
//!
//! assert_eq!(
//!     issuer::login_key("ap-northeast-1_AbC123").unwrap(),
//!     "cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_AbC123"
//! );
//! assert_eq!(
//!     pkce::challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
//!     "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
//! );
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod claims;
pub mod encoding;
pub mod issuer;
pub mod jwks;
pub mod jwt;
pub mod names;
pub mod pkce;
pub mod time;

pub use claims::{AccessTokenClaims, IdTokenClaims, TokenUse};
pub use jwks::{Jwk, Jwks};
pub use jwt::{DecodedJwt, JwtFormatError, JwtHeader};
pub use names::{AuthFlow, ChallengeName, ErrorCode, OAuthErrorCode, SocialProvider};
/// The JSON library of these types, for callers that build or print JSON
/// beside them without a dependency of their own.
pub use serde_json as json;
