//! The "pool name" that SRP mixes into x and the claim signature.

use crate::error::SrpError;

/// The name SRP hashes as the realm: for a user pool, the part of the pool id
/// after the first `_` (`AbCdEf123` for `us-east-1_AbCdEf123`); for device
/// SRP, the device group key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PoolName(String);

impl PoolName {
    /// Takes the name from a user pool id such as `us-east-1_AbCdEf123`.
    pub fn from_user_pool_id(pool_id: &str) -> Result<Self, SrpError> {
        crate::proof::check_len(pool_id)?;
        match pool_id.split_once('_') {
            Some((region, name)) if !region.is_empty() && !name.is_empty() => {
                Ok(PoolName(name.to_owned()))
            }
            _ => Err(SrpError::InvalidPoolId),
        }
    }

    /// Device SRP uses the device group key in the pool name's place.
    pub fn from_device_group_key(device_group_key: &str) -> Result<Self, SrpError> {
        crate::proof::check_len(device_group_key)?;
        if device_group_key.is_empty() {
            return Err(SrpError::Empty);
        }
        Ok(PoolName(device_group_key.to_owned()))
    }

    /// The name as hashed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_name_is_after_the_first_underscore() {
        assert_eq!(
            PoolName::from_user_pool_id("ap-northeast-1_AbCdEf123")
                .unwrap()
                .as_str(),
            "AbCdEf123"
        );
        assert_eq!(
            PoolName::from_user_pool_id("eu-west-1_my_Pool")
                .unwrap()
                .as_str(),
            "my_Pool"
        );
        for bad in ["", "nounderscore", "_abc", "us-east-1_"] {
            assert_eq!(
                PoolName::from_user_pool_id(bad),
                Err(SrpError::InvalidPoolId),
                "{bad}"
            );
        }
    }
}
