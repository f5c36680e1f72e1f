//! Cognito's TIMESTAMP: `EEE MMM d HH:mm:ss UTC yyyy`, e.g.
//! `Tue Mar 5 09:07:03 UTC 2024`.
//!
//! English three-letter names, the day of month *not* zero-padded, a 24-hour
//! clock, the literal `UTC`, a four-digit year. Real Cognito refuses a padded
//! day or a wrong weekday, so [`CognitoTimestamp::parse`] does too.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::SrpError;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
/// Seconds from 1970-01-01 to 10000-01-01: the format has four year digits.
const END_OF_YEAR_9999: i64 = 253_402_300_800;

/// An instant between 1970 and the end of 9999, at one-second resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CognitoTimestamp {
    unix_secs: i64,
}

impl CognitoTimestamp {
    /// The instant `unix_secs` seconds after the epoch; `None` outside 1970–9999.
    pub fn from_unix(unix_secs: i64) -> Option<Self> {
        (0..END_OF_YEAR_9999)
            .contains(&unix_secs)
            .then_some(CognitoTimestamp { unix_secs })
    }

    /// The given system time, truncated to the second.
    pub fn from_system_time(t: SystemTime) -> Option<Self> {
        let secs = t.duration_since(UNIX_EPOCH).ok()?.as_secs();
        Self::from_unix(i64::try_from(secs).ok()?)
    }

    /// Seconds since the Unix epoch.
    pub fn unix_secs(&self) -> i64 {
        self.unix_secs
    }

    /// Parses the exact Cognito form. Anything else is an error: padded day,
    /// wrong case, wrong weekday, extra spaces, an out-of-range field.
    pub fn parse(s: &str) -> Result<Self, SrpError> {
        if s.len() > 64 {
            return Err(SrpError::MalformedTimestamp("too long"));
        }
        let fields: Vec<&str> = s.split(' ').collect();
        let [weekday, month, day, time, zone, year] = fields[..] else {
            return Err(SrpError::MalformedTimestamp(
                "expected 6 space-separated fields",
            ));
        };
        let weekday = WEEKDAYS
            .iter()
            .position(|&w| w == weekday)
            .ok_or(SrpError::MalformedTimestamp("unknown weekday"))?;
        let month = MONTHS
            .iter()
            .position(|&m| m == month)
            .ok_or(SrpError::MalformedTimestamp("unknown month"))? as u32
            + 1;
        if day.is_empty() || day.len() > 2 || day.starts_with('0') {
            return Err(SrpError::MalformedTimestamp(
                "day must be 1-31 without padding",
            ));
        }
        let day = digits(day).ok_or(SrpError::MalformedTimestamp("day is not a number"))?;
        let time: Vec<&str> = time.split(':').collect();
        let [hh, mm, ss] = time[..] else {
            return Err(SrpError::MalformedTimestamp("time must be HH:mm:ss"));
        };
        let two = |f: &str, max: u32| -> Result<u32, SrpError> {
            if f.len() != 2 {
                return Err(SrpError::MalformedTimestamp("time fields need two digits"));
            }
            digits(f)
                .filter(|&v| v <= max)
                .ok_or(SrpError::MalformedTimestamp("time field out of range"))
        };
        let (hh, mm, ss) = (two(hh, 23)?, two(mm, 59)?, two(ss, 59)?);
        if zone != "UTC" {
            return Err(SrpError::MalformedTimestamp("zone must be UTC"));
        }
        if year.len() != 4 {
            return Err(SrpError::MalformedTimestamp("year needs four digits"));
        }
        let year = digits(year).ok_or(SrpError::MalformedTimestamp("year is not a number"))?;
        if year < 1970 {
            return Err(SrpError::MalformedTimestamp("year before 1970"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(SrpError::MalformedTimestamp("day out of range for month"));
        }
        let days = days_from_civil(year as i64, month, day);
        if weekday_of(days) != weekday {
            return Err(SrpError::WrongWeekday);
        }
        Ok(CognitoTimestamp {
            unix_secs: days * 86_400 + (hh * 3600 + mm * 60 + ss) as i64,
        })
    }

    /// The same instant in ISO 8601 (`2024-03-05T09:07:03Z`), as AWS
    /// writes credential expirations.
    pub fn iso8601(&self) -> String {
        let days = self.unix_secs.div_euclid(86_400);
        let secs = self.unix_secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }

    /// Fails unless this instant is within `skew` of `now`, either way.
    pub fn check_within(&self, now: SystemTime, skew: Duration) -> Result<(), SrpError> {
        let now = match now.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(_) => 0,
        };
        let offset_secs = self.unix_secs.saturating_sub(now);
        let skew = i64::try_from(skew.as_secs()).unwrap_or(i64::MAX);
        if offset_secs.unsigned_abs() > skew.unsigned_abs() {
            return Err(SrpError::TimestampOutOfWindow { offset_secs });
        }
        Ok(())
    }
}

impl fmt::Display for CognitoTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.unix_secs.div_euclid(86_400);
        let secs = self.unix_secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{} {} {} {:02}:{:02}:{:02} UTC {:04}",
            WEEKDAYS[weekday_of(days)],
            MONTHS[month as usize - 1],
            day,
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            year
        )
    }
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Index into `WEEKDAYS` for a day count since 1970-01-01 (a Thursday).
fn weekday_of(days: i64) -> usize {
    (days + 3).rem_euclid(7) as usize
}

// Howard Hinnant's proleptic-Gregorian day algorithms.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_official_clients() {
        // 2024-03-05T09:07:03Z and 2018-01-08T19:43:42Z, from the protocol notes.
        assert_eq!(
            CognitoTimestamp::from_unix(1_709_629_623)
                .unwrap()
                .to_string(),
            "Tue Mar 5 09:07:03 UTC 2024"
        );
        assert_eq!(
            CognitoTimestamp::from_unix(1_515_440_622)
                .unwrap()
                .to_string(),
            "Mon Jan 8 19:43:42 UTC 2018"
        );
        assert_eq!(
            CognitoTimestamp::from_unix(0).unwrap().to_string(),
            "Thu Jan 1 00:00:00 UTC 1970"
        );
        assert_eq!(
            CognitoTimestamp::from_unix(END_OF_YEAR_9999 - 1)
                .unwrap()
                .to_string(),
            "Fri Dec 31 23:59:59 UTC 9999"
        );
        assert_eq!(
            CognitoTimestamp::from_unix(1_709_629_623)
                .unwrap()
                .iso8601(),
            "2024-03-05T09:07:03Z"
        );
        assert!(CognitoTimestamp::from_unix(-1).is_none());
        assert!(CognitoTimestamp::from_unix(END_OF_YEAR_9999).is_none());
    }

    #[test]
    fn refuses_what_cognito_refuses() {
        let bad = [
            ("Tue Mar 05 09:07:03 UTC 2024", "padded day"),
            ("Wed Mar 5 09:07:03 UTC 2024", "wrong weekday"),
            ("tue Mar 5 09:07:03 UTC 2024", "lower-case weekday"),
            ("Tue Mar  5 09:07:03 UTC 2024", "double space"),
            ("Tue Mar 5 9:07:03 UTC 2024", "unpadded hour"),
            ("Tue Mar 5 24:07:03 UTC 2024", "hour 24"),
            ("Tue Mar 5 09:07:03 GMT 2024", "zone"),
            ("Tue Mar 5 09:07:03 UTC 24", "short year"),
            ("Thu Feb 30 09:07:03 UTC 2024", "Feb 30"),
            ("Tue Mar 5 09:07:03 UTC 2024 ", "trailing space"),
            ("Tue Mar +5 09:07:03 UTC 2024", "sign"),
            ("", "empty"),
        ];
        for (s, why) in bad {
            assert!(
                CognitoTimestamp::parse(s).is_err(),
                "{why}: {s:?} was accepted"
            );
        }
        assert_eq!(
            CognitoTimestamp::parse("Wed Mar 5 09:07:03 UTC 2024"),
            Err(SrpError::WrongWeekday)
        );
    }

    #[test]
    fn window_check() {
        let t = CognitoTimestamp::from_unix(1_000_000).unwrap();
        let at = |s: u64| UNIX_EPOCH + Duration::from_secs(s);
        let skew = Duration::from_secs(300);
        assert!(t.check_within(at(1_000_300), skew).is_ok());
        assert!(t.check_within(at(999_700), skew).is_ok());
        assert_eq!(
            t.check_within(at(1_000_301), skew),
            Err(SrpError::TimestampOutOfWindow { offset_secs: -301 })
        );
        assert_eq!(
            t.check_within(at(999_699), skew),
            Err(SrpError::TimestampOutOfWindow { offset_secs: 301 })
        );
    }
}
