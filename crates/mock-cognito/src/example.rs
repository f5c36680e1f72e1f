//! The example seed (`examples/mock-config.toml`) and what is in it: the
//! ids and test users that the README, `cogkit demo`, the examples and
//! tests sign in with, named once.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
//! use mock_cognito::{MockCognito, SeedConfig, example};
//!
//! let seed = SeedConfig::from_toml(example::SEED).expect("the example seed parses");
//! let mock = MockCognito::builder().seed(seed).start().await?;
//! assert_eq!(mock.user_pool_summary()[0].id, example::USER_POOL);
//! # Ok(()) }
//! ```

use cognito_wire::SocialProvider;

/// The seed file itself.
pub const SEED: &str = include_str!("../../../examples/mock-config.toml");
/// Its user pool.
pub const USER_POOL: &str = "ap-northeast-1_Example01";
/// The user pool's hosted-UI domain prefix (`<endpoint>/example/login`).
pub const DOMAIN: &str = "example";
/// The public app client (no secret; SRP, password and the hosted UI).
pub const PUBLIC_CLIENT: &str = "1example23456789abcdefghij";
/// The public client's callback URL.
pub const CALLBACK: &str = "http://localhost:8080/callback";
/// Its identity pool, which trusts [`USER_POOL`] and the social providers.
pub const IDENTITY_POOL: &str = "ap-northeast-1:00000000-0000-4000-8000-000000000001";
/// The identity pool's authenticated role.
pub const AUTHENTICATED_ROLE: &str = "arn:aws:iam::000000000000:role/ExampleAuthenticated";
/// A confirmed user-pool user: (username, password).
pub const ALICE: (&str, &str) = ("alice", "Passw0rd!");

/// A test user of one of the mock's fake providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderLogin {
    /// The provider.
    pub provider: SocialProvider,
    /// The app id (client id) the identity pool and the user pool know.
    pub app_id: &'static str,
    /// What the person types as login on the provider's page.
    pub login: &'static str,
    /// And as password.
    pub password: &'static str,
}

/// Carol, at the fake Facebook.
pub const FACEBOOK_USER: ProviderLogin = ProviderLogin {
    provider: SocialProvider::Facebook,
    app_id: "1234567890",
    login: "carol@example.com",
    password: "facebook-pass",
};

/// Dave, at the fake Login with Amazon.
pub const AMAZON_USER: ProviderLogin = ProviderLogin {
    provider: SocialProvider::LoginWithAmazon,
    app_id: "amzn1.application-oa2-client.example",
    login: "dave@example.com",
    password: "amazon-pass",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_are_in_the_seed() {
        let seed = crate::SeedConfig::from_toml(SEED).unwrap();
        assert!(format!("{seed:?}").contains(USER_POOL));
        for needle in [
            DOMAIN,
            PUBLIC_CLIENT,
            CALLBACK,
            IDENTITY_POOL,
            AUTHENTICATED_ROLE,
            ALICE.0,
            ALICE.1,
        ] {
            assert!(SEED.contains(&format!("\"{needle}\"")), "{needle}");
        }
        for user in [FACEBOOK_USER, AMAZON_USER] {
            for needle in [
                user.provider.login_key(),
                user.app_id,
                user.login,
                user.password,
            ] {
                assert!(SEED.contains(needle), "{needle}");
            }
        }
    }
}
