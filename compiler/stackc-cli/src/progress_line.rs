//! A progress line on stderr for builds that take a while: `rendering 340/1000 services`,
//! redrawn in place. Shown only on a terminal, only after a second (a fast build prints
//! nothing extra), never with `--quiet`; erased when the build is done, so what stays on the
//! screen is the build's own output.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{Scope, ScopedJoinHandle};
use std::time::{Duration, Instant};

use stackc::Progress;

/// How long a build runs before the line appears.
const DELAY: Duration = Duration::from_secs(1);
const REDRAW: Duration = Duration::from_millis(100);

pub struct ProgressLine<'scope> {
    done: &'scope AtomicBool,
    thread: Option<ScopedJoinHandle<'scope, ()>>,
}

impl<'scope> ProgressLine<'scope> {
    /// Starts drawing `progress` after [`DELAY`] if `wanted` and stderr is a terminal.
    pub fn show<'env>(
        scope: &'scope Scope<'scope, 'env>,
        progress: &'scope Progress,
        done: &'scope AtomicBool,
        wanted: bool,
    ) -> Self {
        let thread = (wanted && std::io::stderr().is_terminal()).then(|| scope.spawn(move || draw(progress, done)));
        ProgressLine { done, thread }
    }

    /// Stops drawing and erases the line.
    pub fn finish(mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn draw(progress: &Progress, done: &AtomicBool) {
    let start = Instant::now();
    let mut drawn = false;
    while !done.load(Ordering::Relaxed) {
        std::thread::sleep(REDRAW.min(DELAY));
        if start.elapsed() < DELAY || done.load(Ordering::Relaxed) {
            continue;
        }
        let (phase, count, total) = progress.get();
        let line = if total == 0 {
            format!("{}…", phase.verb())
        } else {
            format!("{} {count}/{total} services", phase.verb())
        };
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r\x1b[K{line}");
        let _ = stderr.flush();
        drawn = true;
    }
    if drawn {
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r\x1b[K");
        let _ = stderr.flush();
    }
}
