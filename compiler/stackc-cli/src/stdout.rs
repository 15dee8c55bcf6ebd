//! Writing a command's output to stdout.

use std::io::Write as _;

/// Writes `text` to stdout. A reader that closed the pipe (`stackc schema nginx | head`) has
/// what it wanted: that is not an error, and never a panic as `println!` would make it.
pub fn print(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// `println!` through [`print`]: for command output, which a reader may stop reading.
macro_rules! outln {
    () => {
        $crate::stdout::print("\n")
    };
    ($($arg:tt)*) => {
        $crate::stdout::print(&format!("{}\n", format_args!($($arg)*)))
    };
}
