//! Timestamps as Cognito's APIs and AWS tools write them: ISO 8601 / RFC
//! 3339 UTC at whole seconds (credential expirations, STS), and AWS JSON's
//! epoch seconds (`"CreationDate": 1.709629623E9`).
//!
//! The SRP exchange's `TIMESTAMP` (`Tue Mar 5 09:07:03 UTC 2024`) is
//! `cognito_srp::CognitoTimestamp`, beside the maths that signs it.

use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `2024-03-05T09:07:03Z` for `unix_secs` seconds after the epoch (years
/// 0 to 9999; `None` outside).
pub fn iso8601_unix(unix_secs: i64) -> Option<String> {
    OffsetDateTime::from_unix_timestamp(unix_secs)
        .ok()?
        .format(&Rfc3339)
        .ok()
}

/// [`iso8601_unix`] of a system time, truncated to the second.
pub fn iso8601(t: SystemTime) -> Option<String> {
    iso8601_unix(unix_secs(t))
}

/// Whole seconds since the epoch (negative before it).
pub fn unix_secs(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// AWS JSON's timestamp: seconds since the epoch, with milliseconds.
pub fn epoch_seconds(t: SystemTime) -> f64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (d.as_millis() as f64) / 1000.0,
        Err(before) => -(before.duration().as_millis() as f64) / 1000.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_like_aws() {
        assert_eq!(iso8601_unix(0).unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601_unix(1_709_629_623).unwrap(), "2024-03-05T09:07:03Z");
        let t = UNIX_EPOCH + Duration::from_millis(1_709_629_623_456);
        assert_eq!(iso8601(t).unwrap(), "2024-03-05T09:07:03Z");
        assert_eq!(epoch_seconds(t), 1_709_629_623.456);
        assert_eq!(iso8601_unix(253_402_300_800), None, "year 10000");
        assert_eq!(unix_secs(UNIX_EPOCH - Duration::from_secs(5)), -5);
    }

    proptest::proptest! {
        #[test]
        fn whole_seconds_and_utc(secs in 0i64..253_402_300_800) {
            let s = iso8601_unix(secs).unwrap();
            proptest::prop_assert_eq!(s.len(), 20);
            proptest::prop_assert!(s.ends_with('Z'));
        }
    }
}
