//! Which redirect and sign-out URLs an app client may register.

/// HTTPS anywhere; plain HTTP only for localhost (and loopback addresses), as
/// Cognito allows for development. Custom schemes (`myapp://cb`) are allowed
/// for native apps.
pub fn is_allowed_redirect(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    if rest.is_empty() || url.contains('#') || url.chars().any(char::is_whitespace) {
        return false;
    }
    match scheme {
        "https" => true,
        "http" => {
            let host_port = rest.split(['/', '?']).next().unwrap_or_default();
            let host = if host_port.starts_with('[') {
                host_port
                    .split(']')
                    .next()
                    .map(|h| &h[1..])
                    .unwrap_or_default()
            } else {
                host_port.split(':').next().unwrap_or_default()
            };
            matches!(host, "localhost" | "127.0.0.1" | "::1")
        }
        s => {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_rules() {
        for ok in [
            "https://app.example.com/cb",
            "http://localhost:3000/cb",
            "http://127.0.0.1:8080/",
            "http://[::1]:9/x",
            "myapp://callback",
        ] {
            assert!(is_allowed_redirect(ok), "{ok}");
        }
        for bad in [
            "http://app.example.com/cb",
            "http://localhost.evil.com/",
            "https://a/b#frag",
            "/relative",
            "",
            "https://",
            "java script://x",
        ] {
            assert!(!is_allowed_redirect(bad), "{bad}");
        }
    }
}
