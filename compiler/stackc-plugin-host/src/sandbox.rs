//! What a plugin instance may use: fuel, memory, and a log.

use wasmtime::ResourceLimiter;

pub(crate) use crate::bindings::stackc::plugin::host::{Host, Level};

/// Resource bounds per call.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Fuel per call, about one unit per WebAssembly instruction. The default stops an
    /// infinite loop in well under a second; real renders use a few million.
    pub fuel: u64,
    /// Linear memory per instance, in bytes.
    pub memory: usize,
    /// Total bytes of artifacts one render may return.
    pub output: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { fuel: 400_000_000, memory: 256 << 20, output: 64 << 20 }
    }
}

/// Elements a table may have; growth beyond is refused.
pub(crate) const MAX_TABLE_ELEMENTS: usize = 100_000;

/// Keeps log output of a misbehaving plugin from growing without bound.
const MAX_LOG_BYTES: usize = 64 << 10;

/// Per-call store data.
pub(crate) struct HostState {
    max_memory: usize,
    /// Set when the plugin asked for more memory than allowed.
    pub(crate) memory_exceeded: Option<usize>,
    /// What the plugin logged, in order.
    pub(crate) log: Vec<(Level, String)>,
    log_bytes: usize,
}

impl HostState {
    pub(crate) fn new(limits: &Limits) -> Self {
        HostState { max_memory: limits.memory, memory_exceeded: None, log: Vec::new(), log_bytes: 0 }
    }

    /// The message of the last panic the plugin reported, if any.
    pub(crate) fn panic_message(&self) -> Option<&str> {
        self.log
            .iter()
            .rev()
            .find(|(level, m)| matches!(level, Level::Error) && m.starts_with("panicked"))
            .map(|(_, m)| m.as_str())
    }
}

impl Host for HostState {
    fn log(&mut self, level: Level, message: String) {
        if self.log_bytes + message.len() > MAX_LOG_BYTES {
            return;
        }
        self.log_bytes += message.len();
        self.log.push((level, message));
    }
}

impl ResourceLimiter for HostState {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.max_memory {
            self.memory_exceeded = Some(desired);
            // An error (not `Ok(false)`) traps at once: a guest allocator that sees a failed
            // grow would otherwise abort with a less helpful message.
            return Err(wasmtime::format_err!("memory limit exceeded"));
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }

    fn instances(&self) -> usize {
        16
    }

    fn memories(&self) -> usize {
        16
    }

    fn tables(&self) -> usize {
        16
    }
}
