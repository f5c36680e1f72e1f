//! Identifiers in the formats real Cognito uses, from the OS random source.

use rand_core::Rng;

fn rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
    rand_core::UnwrapErr(getrandom::SysRng)
}

fn random_from(alphabet: &[u8], len: usize) -> String {
    let mut r = rng();
    (0..len)
        .map(|_| {
            // Rejection sampling keeps the distribution uniform.
            let limit = 256 - (256 % alphabet.len());
            loop {
                let b = (r.next_u32() & 0xff) as usize;
                if b < limit {
                    return alphabet[b % alphabet.len()] as char;
                }
            }
        })
        .collect()
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// A user pool id: `<region>_` and 9 mixed-case alphanumerics.
pub fn user_pool_id(region: &str) -> String {
    format!("{region}_{}", random_from(ALNUM, 9))
}

/// An app client id: 26 lower-case alphanumerics.
pub fn client_id() -> String {
    random_from(LOWER_ALNUM, 26)
}

/// An app client secret: 51 lower-case alphanumerics.
pub fn client_secret() -> String {
    random_from(LOWER_ALNUM, 51)
}

/// A random UUID (v4), as `sub`, `jti` and internal usernames use.
pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `n` random bytes.
pub fn bytes(n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    rng().fill_bytes(&mut out);
    out
}

/// The OS random source as a `rand_core` RNG, for `cognito-srp`.
pub fn crypto_rng() -> impl rand_core::CryptoRng {
    rng()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let p = user_pool_id("eu-west-1");
        assert!(p.starts_with("eu-west-1_") && p.len() == "eu-west-1_".len() + 9);
        let c = client_id();
        assert!(c.len() == 26 && c.bytes().all(|b| LOWER_ALNUM.contains(&b)));
        assert_ne!(client_id(), client_id());
        assert_eq!(uuid().len(), 36);
    }
}
