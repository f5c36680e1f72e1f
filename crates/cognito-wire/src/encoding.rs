//! Percent encoding (RFC 3986) and `application/x-www-form-urlencoded`
//! (the token endpoint's bodies, redirect query strings), on the `url`
//! crate's own encoders.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`).
const RESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One component, percent-encoded so only unreserved characters stay
/// (a space is `%20`).
pub fn percent_encode(component: &str) -> String {
    utf8_percent_encode(component, RESERVED).to_string()
}

/// Percent-decoding of one component (`+` stays `+`); invalid UTF-8 is
/// replaced.
pub fn percent_decode(component: &str) -> String {
    percent_decode_str(component)
        .decode_utf8_lossy()
        .into_owned()
}

/// One form-encoded component decoded (`+` is a space): for example the
/// client id and secret of HTTP Basic client authentication (RFC 6749
/// §2.3.1).
pub fn form_decode_component(component: &str) -> String {
    percent_decode(&component.replace('+', " "))
}

/// `k=v&k2=v2`, form-encoded (a space is `+`).
pub fn form_encode<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| (k.as_ref(), v.as_ref())))
        .finish()
}

/// The pairs of a form body or query string, in order (`+` is a space).
pub fn form_decode(input: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(input.as_bytes())
        .into_owned()
        .collect()
}

/// The first value of `name` in a form body or query string.
pub fn form_value(input: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(input.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `uri` with `pairs` appended after `separator`: `'?'` for a query (or
/// `&` when `uri` has one), `'#'` for a fragment (the implicit grant).
/// Values are percent-encoded.
pub fn with_params(uri: &str, separator: char, pairs: &[(&str, &str)]) -> String {
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect();
    let joiner = if separator == '?' && uri.contains('?') {
        '&'
    } else {
        separator
    };
    format!("{uri}{joiner}{}", encoded.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_and_decodes() {
        assert_eq!(percent_encode("a b/c~d"), "a%20b%2Fc~d");
        assert_eq!(percent_decode("a%20b%2Fc+d"), "a b/c+d");
        assert_eq!(form_decode_component("a%2Bb+c%3A"), "a+b c:");
        let body = form_encode(&[("grant_type", "authorization_code"), ("code", "a b&c")]);
        assert_eq!(body, "grant_type=authorization_code&code=a+b%26c");
        assert_eq!(
            form_decode(&body),
            [
                ("grant_type".to_owned(), "authorization_code".to_owned()),
                ("code".to_owned(), "a b&c".to_owned())
            ]
        );
        assert_eq!(
            form_value("x=1&code=y%3D&code=z", "code").as_deref(),
            Some("y=")
        );
        assert_eq!(form_value("x=1", "code"), None);
    }

    #[test]
    fn params_are_encoded_and_appended() {
        assert_eq!(
            with_params(
                "http://localhost/cb",
                '?',
                &[("code", "a b"), ("state", "x&y=")]
            ),
            "http://localhost/cb?code=a%20b&state=x%26y%3D"
        );
        assert_eq!(
            with_params("http://localhost/cb?k=v", '?', &[("code", "1")]),
            "http://localhost/cb?k=v&code=1"
        );
        assert_eq!(
            with_params("myapp://cb", '#', &[("access_token", "t")]),
            "myapp://cb#access_token=t"
        );
    }

    proptest::proptest! {
        #[test]
        fn round_trips(k in "\\PC{0,20}", v in "\\PC{0,40}") {
            let pairs = [(k.clone(), v.clone())];
            proptest::prop_assert_eq!(form_decode(&form_encode(&pairs)), vec![(k, v.clone())]);
            proptest::prop_assert_eq!(percent_decode(&percent_encode(&v)), v);
        }
    }
}
