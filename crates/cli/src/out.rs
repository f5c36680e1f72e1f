//! Standard output that tolerates a closed pipe (`cogkit demo | head`).
//!
//! Rust ignores SIGPIPE, so `println!` panics when the reader goes away.
//! Like a program with the default SIGPIPE action, cogkit then stops quietly
//! (exit status 0: the reader chose to stop reading).

use std::io::{ErrorKind, IsTerminal, Write};

/// Writes one line to stdout; exits quietly if stdout has been closed.
pub fn line(args: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_fmt(args)
        .and_then(|()| stdout.write_all(b"\n"));
    if let Err(e) = written
        && e.kind() == ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

/// `println!` for cogkit: see [`line()`].
#[macro_export]
macro_rules! outln {
    () => { $crate::out::line(format_args!("")) };
    ($($arg:tt)*) => { $crate::out::line(format_args!($($arg)*)) };
}

/// A progress or status line on stderr (never on stdout, which may be piped
/// into another program), dimmed when stderr is a terminal.
pub fn status(message: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        writeln!(stderr, "\x1b[2m{message}\x1b[0m")
    } else {
        writeln!(stderr, "{message}")
    };
}

/// `text` in green (ok) or red (not ok) when stdout is a terminal.
pub fn verdict(text: &str, ok: bool) -> String {
    if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        let colour = if ok { "32" } else { "31;1" };
        format!("\x1b[{colour}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}
