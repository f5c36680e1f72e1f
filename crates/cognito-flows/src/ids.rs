//! Typed identifiers: each knows its format, and the ones that imply a
//! region say which.

use std::fmt;

use crate::error::FlowError;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// The id as AWS writes it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A user pool id, `<region>_<name>` (e.g. `us-east-1_AbCdEf123`).
    UserPoolId
);
id_type!(
    /// An identity pool id, `<region>:<uuid>`.
    IdentityPoolId
);
id_type!(
    /// An identity id, `<region>:<uuid>`.
    IdentityId
);
id_type!(
    /// An app client id.
    ClientId
);

fn invalid(kind: &str, value: &str, expected: &str) -> FlowError {
    FlowError::invalid_input(format!(
        "{value:?} is not a valid {kind}: expected {expected}"
    ))
}

fn is_region(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl UserPoolId {
    /// Parses `<region>_<alphanumerics>` (the service's pattern
    /// `[\w-]+_[0-9a-zA-Z]+`, at most 55 characters).
    pub fn parse(s: &str) -> Result<Self, FlowError> {
        let ok = s.len() <= 55
            && s.split_once('_').is_some_and(|(region, name)| {
                is_region(region)
                    && !name.is_empty()
                    && name.bytes().all(|b| b.is_ascii_alphanumeric())
            });
        if ok {
            Ok(UserPoolId(s.to_owned()))
        } else {
            Err(invalid("user pool id", s, "<region>_<alphanumerics>"))
        }
    }

    /// The region the pool lives in.
    pub fn region(&self) -> &str {
        self.0.split('_').next().unwrap_or_default()
    }

    /// The identity-pool login key: `cognito-idp.<region>.amazonaws.com/<id>`.
    pub fn provider_name(&self) -> String {
        cognito_wire::issuer::login_key_in(self.region(), &self.0)
    }

    /// The `iss` of the pool's tokens at AWS:
    /// `https://cognito-idp.<region>.amazonaws.com/<id>`.
    pub fn issuer(&self) -> String {
        cognito_wire::issuer::issuer_in(self.region(), &self.0)
    }
}

fn parse_region_uuid(s: &str) -> bool {
    s.len() <= 55
        && s.split_once(':').is_some_and(|(region, id)| {
            is_region(region)
                && !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
        })
}

impl IdentityPoolId {
    /// Parses `<region>:<uuid>`.
    pub fn parse(s: &str) -> Result<Self, FlowError> {
        if parse_region_uuid(s) {
            Ok(IdentityPoolId(s.to_owned()))
        } else {
            Err(invalid("identity pool id", s, "<region>:<uuid>"))
        }
    }

    /// The region the pool lives in.
    pub fn region(&self) -> &str {
        self.0.split(':').next().unwrap_or_default()
    }
}

impl IdentityId {
    /// Parses `<region>:<uuid>`.
    pub fn parse(s: &str) -> Result<Self, FlowError> {
        if parse_region_uuid(s) {
            Ok(IdentityId(s.to_owned()))
        } else {
            Err(invalid("identity id", s, "<region>:<uuid>"))
        }
    }
}

impl ClientId {
    /// Parses an app client id (`[\w+]+`, 1–128 characters).
    pub fn parse(s: &str) -> Result<Self, FlowError> {
        let ok = (1..=128).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'+');
        if ok {
            Ok(ClientId(s.to_owned()))
        } else {
            Err(invalid(
                "app client id",
                s,
                "1-128 characters of [A-Za-z0-9_+]",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing() {
        let p = UserPoolId::parse("ap-northeast-1_AbC123").unwrap();
        assert_eq!(p.region(), "ap-northeast-1");
        assert_eq!(
            p.provider_name(),
            "cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_AbC123"
        );
        for bad in [
            "",
            "nounderscore",
            "us-east-1_",
            "_abc",
            "us-east-1_ab-c",
            "US_abc",
        ] {
            assert!(UserPoolId::parse(bad).is_err(), "{bad}");
        }
        let i = IdentityPoolId::parse("eu-west-1:0a1b2c3d-0000-4000-8000-000000000001").unwrap();
        assert_eq!(i.region(), "eu-west-1");
        assert!(IdentityPoolId::parse("eu-west-1_abc").is_err());
        assert!(IdentityId::parse("us-east-1:zz").is_err());
        assert!(ClientId::parse("1example23456789abcdefghij").is_ok());
        assert!(ClientId::parse("has space").is_err());
    }
}
