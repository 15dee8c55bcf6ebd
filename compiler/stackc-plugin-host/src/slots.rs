//! How many plugin instances may be alive at once.
//!
//! Instances come from wasmtime's pooling allocator: their memories, tables and instance
//! state live in slots reserved once, when the engine is made. Allocating an instance per
//! call with `mmap` and freeing it with `munmap` instead made the threads of a build contend
//! for the process's address space (its lock, and a TLB shootdown on every other core per
//! unmapping): with two threads, rendering was slower than with one. The pool has a fixed
//! number of slots; a call beyond it waits here for one instead of failing, so any number
//! of threads may call plugins.

use std::sync::{Condvar, Mutex};

/// Instances alive at once, per engine: more than the threads of most machines. A slot costs
/// address space (a memory slot reserves several GiB of it), not memory.
pub(crate) const INSTANCES: u32 = 64;

/// A counting semaphore over the pool's instance slots.
#[derive(Debug)]
pub(crate) struct Slots {
    free: Mutex<u32>,
    freed: Condvar,
}

/// A slot held for one call; given back when dropped.
pub(crate) struct Slot<'a>(&'a Slots);

impl Slots {
    pub(crate) fn new(count: u32) -> Self {
        Slots { free: Mutex::new(count), freed: Condvar::new() }
    }

    /// Waits until a slot is free and takes it.
    pub(crate) fn take(&self) -> Slot<'_> {
        // A poisoned lock only means another call panicked; the count is still right.
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        Slot(self)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[test]
    fn never_more_holders_than_slots() {
        let slots = Arc::new(Slots::new(2));
        let holding = Arc::new(AtomicU32::new(0));
        let most = Arc::new(AtomicU32::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (slots, holding, most) = (slots.clone(), holding.clone(), most.clone());
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        let _slot = slots.take();
                        let now = holding.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::yield_now();
                        holding.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().expect("thread"));
        assert_eq!(most.load(Ordering::SeqCst), 2);
        assert_eq!(*slots.free.lock().expect("lock"), 2);
    }
}
