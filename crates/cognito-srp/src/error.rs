//! The one error type of this crate.

use std::fmt;

/// Why an SRP value or step was refused. Every hostile or malformed input maps
/// to one of these; nothing in this crate panics on input.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SrpError {
    /// A required value was empty.
    Empty,
    /// A hex string had a non-hex character at this byte offset.
    NotHex {
        /// Byte offset of the first bad character.
        at: usize,
    },
    /// A string was longer than this crate accepts.
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The cap.
        max: usize,
    },
    /// A number does not fit in 3072 bits.
    NumberTooLarge,
    /// The server's B is 0 mod N (the client must abort).
    IllegalServerValue,
    /// The client's A is 0 mod N (the server must abort).
    IllegalClientValue,
    /// The scrambling parameter u = H(A ‖ B) came out as zero.
    ZeroScrambler,
    /// The salt was empty or zero-length after decoding.
    IllegalSalt,
    /// SECRET_BLOCK is not valid standard base64.
    SecretBlockNotBase64,
    /// A base64 value (signature, device verifier) is not valid base64.
    NotBase64,
    /// A challenge parameter is missing.
    MissingParameter(&'static str),
    /// The user pool id is not of the form `<region>_<name>`.
    InvalidPoolId,
    /// TIMESTAMP is not in Cognito's `EEE MMM d HH:mm:ss UTC yyyy` form.
    MalformedTimestamp(&'static str),
    /// TIMESTAMP names the wrong weekday for its date.
    WrongWeekday,
    /// TIMESTAMP is further from the server's clock than the allowed skew.
    TimestampOutOfWindow {
        /// Signed distance in seconds (timestamp − now).
        offset_secs: i64,
    },
    /// PASSWORD_CLAIM_SIGNATURE does not match.
    SignatureMismatch,
}

impl fmt::Display for SrpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SrpError::Empty => write!(f, "value is empty"),
            SrpError::NotHex { at } => write!(f, "not hex: bad character at offset {at}"),
            SrpError::TooLong { len, max } => write!(f, "value too long: {len} bytes (max {max})"),
            SrpError::NumberTooLarge => write!(f, "number does not fit in 3072 bits"),
            SrpError::IllegalServerValue => write!(f, "SRP_B is 0 mod N"),
            SrpError::IllegalClientValue => write!(f, "SRP_A is 0 mod N"),
            SrpError::ZeroScrambler => write!(f, "u = H(A, B) is zero"),
            SrpError::IllegalSalt => write!(f, "SALT is empty"),
            SrpError::SecretBlockNotBase64 => write!(f, "SECRET_BLOCK is not valid base64"),
            SrpError::NotBase64 => write!(f, "value is not valid base64"),
            SrpError::MissingParameter(name) => write!(f, "missing challenge parameter {name}"),
            SrpError::InvalidPoolId => write!(f, "user pool id must look like <region>_<name>"),
            SrpError::MalformedTimestamp(why) => write!(f, "malformed TIMESTAMP: {why}"),
            SrpError::WrongWeekday => write!(f, "TIMESTAMP weekday does not match its date"),
            SrpError::TimestampOutOfWindow { offset_secs } => {
                write!(f, "TIMESTAMP is {offset_secs} s away from the server clock")
            }
            SrpError::SignatureMismatch => write!(f, "password claim signature does not match"),
        }
    }
}

impl std::error::Error for SrpError {}
