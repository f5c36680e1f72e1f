//! The desktop's browser, for a command-line app's hosted-UI sign-in
//! (RFC 8252 §7.3: open the system browser, receive the redirect on
//! loopback).

use std::process::{Command, Stdio};
use std::time::Duration;

/// How this desktop opens a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemBrowser {
    command: Vec<String>,
}

impl SystemBrowser {
    /// The desktop's browser, if there is a desktop, from the environment
    /// `var` gives: `$BROWSER` (with `%s` for the URL, as Python's
    /// `webbrowser` reads it), `open` on macOS, `xdg-open` under X11 or
    /// Wayland. None on a machine without one (a server, an SSH session).
    pub fn detect(var: impl Fn(&str) -> Option<String>) -> Option<SystemBrowser> {
        let set = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let command = match set("BROWSER") {
            Some(b) => b.split_whitespace().map(str::to_owned).collect(),
            None if cfg!(target_os = "macos") => vec!["open".to_owned()],
            None if set("DISPLAY").is_some() || set("WAYLAND_DISPLAY").is_some() => {
                vec!["xdg-open".to_owned()]
            }
            None => return None,
        };
        Some(SystemBrowser { command })
    }

    /// [`SystemBrowser::detect`] from this process's environment.
    pub fn from_env() -> Option<SystemBrowser> {
        Self::detect(|name| std::env::var(name).ok())
    }

    /// The command and its arguments for `url`.
    fn command_for(&self, url: &str) -> Vec<String> {
        let mut words = self.command.clone();
        if words.iter().any(|w| w.contains("%s")) {
            for w in &mut words {
                *w = w.replace("%s", url);
            }
        } else {
            words.push(url.to_owned());
        }
        words
    }

    /// Opens `url`; false if the opener could not start or failed at once
    /// (an `xdg-open` with no browser to hand the URL to).
    pub fn open(&self, url: &str) -> bool {
        let words = self.command_for(url);
        let spawned = Command::new(&words[0])
            .args(&words[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let Ok(mut child) = spawned else {
            return false;
        };
        // Openers hand the URL over and exit; one still running after a
        // moment is a browser started in the foreground, which counts.
        for _ in 0..30 {
            match child.try_wait() {
                Ok(Some(status)) => return status.success(),
                Ok(None) => std::thread::sleep(Duration::from_millis(100)),
                Err(_) => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn finds_the_browser_the_environment_names() {
        let b = SystemBrowser::detect(env(&[("BROWSER", "firefox --new-tab"), ("DISPLAY", ":0")]))
            .unwrap();
        assert_eq!(
            b.command_for("http://x/"),
            ["firefox", "--new-tab", "http://x/"]
        );
        let b = SystemBrowser::detect(env(&[("BROWSER", "sh open.sh %s")])).unwrap();
        assert_eq!(b.command_for("http://x/"), ["sh", "open.sh", "http://x/"]);
        if !cfg!(target_os = "macos") {
            assert_eq!(
                SystemBrowser::detect(env(&[])),
                None,
                "no desktop, no browser"
            );
            assert_eq!(
                SystemBrowser::detect(env(&[("WAYLAND_DISPLAY", "wayland-0")]))
                    .unwrap()
                    .command_for("u"),
                ["xdg-open", "u"]
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_failing_opener_is_not_a_browser() {
        assert!(
            SystemBrowser::detect(env(&[("BROWSER", "true")]))
                .unwrap()
                .open("u")
        );
        assert!(
            !SystemBrowser::detect(env(&[("BROWSER", "false")]))
                .unwrap()
                .open("u")
        );
        assert!(
            !SystemBrowser::detect(env(&[("BROWSER", "/nonexistent/opener")]))
                .unwrap()
                .open("u")
        );
    }
}
