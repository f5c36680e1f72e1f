//! The corpus formats and their placeholders.
//!
//! Corpus files are readable requests taken from the tests. Values that only
//! exist at run time (tokens, an SRP secret block, an authorization code)
//! are written as `{{NAME}}` and filled in by [`expand`] just before the
//! request is sent, so the fuzzer mutates everything around a live value
//! and still reaches the code behind its check. `{{NAME.0}}`, `{{NAME.1}}`
//! and `{{NAME.2}}` are the dot-separated parts of a token (a JWT's header,
//! payload and signature), for splicing.

/// The names of the placeholders in `input`, in order, with repeats.
pub fn placeholders(input: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = input;
    while let Some(start) = find(rest, b"{{") {
        let after = &rest[start + 2..];
        let Some(end) = find(after, b"}}") else { break };
        if let Ok(name) = std::str::from_utf8(&after[..end])
            && is_name(name)
        {
            names.push(name.to_owned());
        }
        rest = &after[end + 2..];
    }
    names
}

/// `input` with every `{{NAME}}` that `value` knows replaced; unknown names
/// stay as written (the mock then sees them as ordinary bad input).
pub fn expand(input: &[u8], value: &mut dyn FnMut(&str) -> Option<String>) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut rest = input;
    while let Some(start) = find(rest, b"{{") {
        out.extend_from_slice(&rest[..start]);
        let after = &rest[start + 2..];
        let replaced = find(after, b"}}").and_then(|end| {
            let name = std::str::from_utf8(&after[..end])
                .ok()
                .filter(|n| is_name(n))?;
            let (base, part) = part_of(name);
            Some((end, select_part(&value(base)?, part)))
        });
        match replaced {
            Some((end, v)) => {
                out.extend_from_slice(v.as_bytes());
                rest = &after[end + 2..];
            }
            None => {
                out.extend_from_slice(b"{{");
                rest = after;
            }
        }
    }
    out.extend_from_slice(rest);
    out
}

/// Splits `NAME.1` into (`NAME`, Some(1)).
fn part_of(name: &str) -> (&str, Option<usize>) {
    match name.rsplit_once('.') {
        Some((base, n)) if n.len() == 1 && n.as_bytes()[0].is_ascii_digit() => {
            (base, Some(usize::from(n.as_bytes()[0] - b'0')))
        }
        _ => (name, None),
    }
}

fn select_part(value: &str, part: Option<usize>) -> String {
    match part {
        None => value.to_owned(),
        Some(i) => value.split('.').nth(i).unwrap_or_default().to_owned(),
    }
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// One HTTP request written as text, as the hosted-UI and STS corpora are:
///
/// ```text
/// POST /example/oauth2/token
/// content-type: application/x-www-form-urlencoded
///
/// grant_type=authorization_code&code={{CODE}}&…
/// ```
///
/// The request line is `METHOD TARGET`; header lines follow until an empty
/// line; the rest is the body, byte for byte. Lines end in `\n` (a `\r`
/// before it is dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpText {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The request target: path and query.
    pub target: String,
    /// Header names and values as written.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpText {
    /// Reads the format above; `None` when there is no request line or a
    /// header line has no `:` (not a request at all, so not worth sending).
    pub fn parse(input: &[u8]) -> Option<HttpText> {
        let mut rest = input;
        let next_line = |rest: &mut &[u8]| -> Option<Vec<u8>> {
            if rest.is_empty() {
                return None;
            }
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let mut line = rest[..end].to_vec();
            *rest = rest.get(end + 1..).unwrap_or_default();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            Some(line)
        };
        let request_line = String::from_utf8(next_line(&mut rest)?).ok()?;
        let (method, target) = request_line.split_once(' ')?;
        let mut headers = Vec::new();
        while let Some(line) = next_line(&mut rest) {
            if line.is_empty() {
                break;
            }
            let colon = line.iter().position(|&b| b == b':')?;
            let name = String::from_utf8(line[..colon].to_vec()).ok()?;
            let value = line[colon + 1..].trim_ascii().to_vec();
            headers.push((name.trim().to_owned(), value));
        }
        Some(HttpText {
            method: method.to_owned(),
            target: target.to_owned(),
            headers,
            body: rest.to_vec(),
        })
    }

    /// The first value of a header, if any (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_and_filled() {
        let input = b"a {{ID_TOKEN}} b {{ID_TOKEN.1}} {{nope}} {{UNKNOWN}} {{";
        assert_eq!(placeholders(input), ["ID_TOKEN", "ID_TOKEN.1", "UNKNOWN"]);
        let out = expand(input, &mut |name| {
            (name == "ID_TOKEN").then(|| "h.p.s".into())
        });
        assert_eq!(out, b"a h.p.s b p {{nope}} {{UNKNOWN}} {{");
    }

    #[test]
    fn http_text_reads_line_headers_and_body() {
        let r = HttpText::parse(b"POST /x?y=1\r\nA: b \nc:d\n\nbody\nmore").unwrap();
        assert_eq!(r.method, "POST");
        assert_eq!(r.target, "/x?y=1");
        assert_eq!(
            r.headers,
            [("A".into(), b"b".to_vec()), ("c".into(), b"d".to_vec())]
        );
        assert_eq!(r.body, b"body\nmore");
        assert_eq!(r.header("a"), Some(&b"b"[..]));
        assert!(HttpText::parse(b"GET\n").is_none());
        assert!(HttpText::parse(b"GET /\nno colon\n").is_none());
    }
}
