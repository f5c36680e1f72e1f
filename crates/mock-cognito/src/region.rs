//! Which AWS region a request is for.
//!
//! AWS serves each region from its own endpoint, and a resource id carries
//! the region that made it (`ap-northeast-1_AbC…`, `eu-west-1:<uuid>`). The
//! mock serves every region on one address, so it reads the region from
//! the request the way the client chose it:
//! - a signed call: the region of its SigV4 credential scope
//!   (`Credential=AKID/20260101/ap-northeast-1/cognito-idp/aws4_request`);
//! - an unsigned call (GetId, InitiateAuth, …): the region in the id it
//!   names, so it needs no region of its own.
//!
//! The server's `--region` (or the seed file's `region`) is only the
//! fallback for a call that has neither, and for seeded resources.
//!
//! This module only names and checks regions; reading a request's is the
//! AWS JSON layer's (`http::aws_json`).

/// The region used when nothing else names one.
pub const FALLBACK_REGION: &str = "us-east-1";

/// Whether `name` has the shape of an AWS region name: a partition code,
/// one or two words and a number (`us-east-1`, `ap-northeast-3`,
/// `us-gov-west-1`, `cn-northwest-1`, `us-isob-east-1`).
pub fn is_valid(name: &str) -> bool {
    let mut parts = name.split('-');
    let Some(partition) = parts.next() else {
        return false;
    };
    let rest: Vec<&str> = parts.collect();
    let Some((number, words)) = rest.split_last() else {
        return false;
    };
    partition.len() == 2
        && partition.bytes().all(|b| b.is_ascii_lowercase())
        && (1..=2).contains(&words.len())
        && words
            .iter()
            .all(|w| !w.is_empty() && w.len() <= 16 && w.bytes().all(|b| b.is_ascii_lowercase()))
        && (1..=2).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// Checks a configured region (`--region`, the seed's `region`).
pub fn check_configured(name: &str) -> Result<(), String> {
    if is_valid(name) {
        Ok(())
    } else {
        Err(format!(
            "region {name:?} is not an AWS region name (like us-east-1 or ap-northeast-1)"
        ))
    }
}

/// The region a resource id was made in: `<region>_…` for user pools,
/// `<region>:…` for identity pools and identities.
pub fn of_id(id: &str) -> Option<&str> {
    let end = id.find(['_', ':'])?;
    Some(&id[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names() {
        for good in [
            "us-east-1",
            "ap-northeast-1",
            "eu-central-2",
            "us-gov-west-1",
            "cn-northwest-1",
            "il-central-1",
            "us-isob-east-1",
            "ap-southeast-7",
        ] {
            assert!(is_valid(good), "{good}");
        }
        for bad in [
            "",
            "us",
            "us-east",
            "US-EAST-1",
            "us-east-1a",
            "us_east_1",
            "u-east-1",
            "us-east-123",
            "us-east-1-extra-words-1",
            "us--1",
            "../etc",
        ] {
            assert!(!is_valid(bad), "{bad}");
        }
    }

    #[test]
    fn ids_carry_their_region() {
        assert_eq!(of_id("ap-northeast-1_AbCdEf123"), Some("ap-northeast-1"));
        assert_eq!(
            of_id("eu-west-1:0b7a1c1e-0000-4000-8000-000000000000"),
            Some("eu-west-1")
        );
        assert_eq!(of_id("noregion"), None);
    }
}
