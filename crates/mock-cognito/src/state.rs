//! Everything one mock holds, behind one lock: identity-pool operations read
//! user pools (to verify their tokens) and write the credential store that
//! STS reads, so a single lock keeps them consistent without lock ordering.

use crate::credentials::CredentialStore;
use crate::external_idp::ExternalProviders;
use crate::identity_pool::IdentityPools;
use crate::user_pool::UserPools;

/// The mock's state.
#[derive(Debug)]
pub struct State {
    /// User pools.
    pub user_pools: UserPools,
    /// Identity pools.
    pub identity_pools: IdentityPools,
    /// The fake external identity providers.
    pub providers: ExternalProviders,
    /// AWS credentials issued so far.
    pub credentials: CredentialStore,
}

impl State {
    /// An empty mock whose identity tokens are signed for `region`.
    pub fn new(region: &str) -> Self {
        State {
            user_pools: UserPools::default(),
            identity_pools: IdentityPools::new(region),
            providers: ExternalProviders::default(),
            credentials: CredentialStore::default(),
        }
    }
}
