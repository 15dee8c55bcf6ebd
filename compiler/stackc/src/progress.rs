//! How far a compilation has got, for a progress line. The driver only counts; the CLI
//! decides whether and how to show it.

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

/// Counters the compilation updates as it goes. Shared with a thread that reads them.
#[derive(Debug, Default)]
pub struct Progress {
    phase: AtomicU8,
    done: AtomicUsize,
    total: AtomicUsize,
}

/// The phases worth naming on a progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Resolve,
    Expose,
    Render,
    Emit,
}

impl Phase {
    pub fn verb(self) -> &'static str {
        match self {
            Phase::Resolve => "resolving",
            Phase::Expose => "exposing",
            Phase::Render => "rendering",
            Phase::Emit => "emitting",
        }
    }
}

impl Progress {
    /// (phase, services done, services in all) as of now.
    pub fn get(&self) -> (Phase, usize, usize) {
        let phase = match self.phase.load(Ordering::Relaxed) {
            1 => Phase::Expose,
            2 => Phase::Render,
            3 => Phase::Emit,
            _ => Phase::Resolve,
        };
        (phase, self.done.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed))
    }

    pub(crate) fn start(&self, phase: Phase, total: usize) {
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
        self.phase.store(phase as u8, Ordering::Relaxed);
    }

    pub(crate) fn advance(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_phase() {
        let progress = Progress::default();
        assert_eq!(progress.get(), (Phase::Resolve, 0, 0));
        progress.start(Phase::Render, 3);
        progress.advance();
        assert_eq!(progress.get(), (Phase::Render, 1, 3));
        progress.start(Phase::Emit, 0);
        assert_eq!(progress.get(), (Phase::Emit, 0, 0));
    }
}
