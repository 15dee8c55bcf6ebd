//! The `hostile` plugin: misbehaves on purpose, in the way its config asks for, so that the
//! sandbox tests can check that every misbehaviour ends as a diagnostic.
//!
//! ```kdl
//! service "victim" plugin="hostile" on="h1" {
//!     behaviour "loop"
//! }
//! ```
//!
//! `expose` always succeeds; the misbehaviour happens in `render`.

use std::hint::black_box;

use schemars::JsonSchema;
use serde::Deserialize;
use stackc_plugin_sdk::{
    Artifact, ConfigError, Endpoint, EndpointRole, Exports, ExposeContext, Plugin, RenderContext, register_plugin,
};

/// The text of the `panic` behaviour's panic.
pub const PANIC_MESSAGE: &str = "the hostile plugin panics on purpose";

/// Size of each file `huge-output` returns, and how many it tries (1 GiB in all).
const HUGE_FILE: usize = 16 << 20;
const HUGE_FILES: usize = 64;

/// The `big-output` behaviour returns this many bytes: more than the host's default output
/// limit (64 MiB) and well under its memory limit (256 MiB).
const BIG_OUTPUT: usize = 80 << 20;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// What `render` does.
    pub behaviour: Behaviour,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Behaviour {
    /// Renders one host file, as a well-behaved plugin would.
    Ok,
    /// Loops forever.
    Loop,
    /// Allocates (and touches) memory without bound.
    Oom,
    /// Recurses without bound.
    Recurse,
    /// Recurses without bound with large frames, which live in linear memory (Rust's
    /// shadow stack) rather than on the engine's stack.
    RecurseLargeFrames,
    /// Panics with [`PANIC_MESSAGE`].
    Panic,
    /// Returns the host file `/etc/../x`.
    DotdotPath,
    /// Returns a host file with a relative path.
    RelativePath,
    /// Returns a host file whose path contains NUL.
    NulPath,
    /// Returns a host file whose path contains a backslash.
    BackslashPath,
    /// Returns two host files with one path.
    DuplicatePath,
    /// Returns a bundle file with an absolute path (`/etc/passwd`), out of the bundle.
    AbsoluteBundlePath,
    /// Returns a bundle file `../../escaped`, out of the bundle.
    DotdotBundlePath,
    /// Tries to return 1 GiB of files.
    HugeOutput,
    /// Returns 80 MiB of files.
    BigOutput,
}

pub struct Hostile;

impl Plugin for Hostile {
    type Config = Config;

    const NAME: &'static str = "hostile";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const SUMMARY: &'static str = "misbehaves on purpose (sandbox tests)";

    fn expose(_config: &Config, _: &ExposeContext) -> Result<Exports, Vec<ConfigError>> {
        Ok(Exports { endpoints: vec![Endpoint::tcp("main", 7000, "tcp", EndpointRole::Service)], facts: Vec::new() })
    }

    fn render(config: &Config, context: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
        let file = |path: &str| Artifact::host_file(path, format!("rendered for {}\n", context.service));
        Ok(match config.behaviour {
            Behaviour::Ok => vec![file("/etc/hostile/ok.conf")],
            Behaviour::Loop => spin(),
            Behaviour::Oom => hoard(),
            Behaviour::Recurse => vec![file(&format!("/etc/hostile/{}", recurse(0)))],
            Behaviour::RecurseLargeFrames => {
                vec![file(&format!("/etc/hostile/{}", recurse_large_frames(0)))]
            }
            Behaviour::Panic => panic!("{PANIC_MESSAGE}"),
            Behaviour::DotdotPath => vec![file("/etc/../x")],
            Behaviour::RelativePath => vec![file("etc/hostile.conf")],
            Behaviour::NulPath => vec![file("/etc/hostile\0.conf")],
            Behaviour::BackslashPath => vec![file("/etc\\hostile.conf")],
            Behaviour::DuplicatePath => vec![file("/etc/hostile.conf"), file("/etc/hostile.conf")],
            Behaviour::AbsoluteBundlePath => vec![Artifact::bundle_file("/etc/passwd", "root::0:0::/:/bin/sh\n")],
            Behaviour::DotdotBundlePath => vec![Artifact::bundle_file("../../escaped", "outside\n")],
            Behaviour::HugeOutput => filler(HUGE_FILES, HUGE_FILE),
            Behaviour::BigOutput => filler(BIG_OUTPUT / HUGE_FILE, HUGE_FILE),
        })
    }
}

/// Never returns; `black_box` keeps the optimizer from proving that.
fn spin() -> ! {
    let mut counter = 0u64;
    loop {
        counter = black_box(counter.wrapping_add(1));
    }
}

/// Allocates 1 MiB blocks until the allocator (or the host) gives up, writing to every page
/// so that the memory is really used.
fn hoard() -> ! {
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut block = vec![0u8; 1 << 20];
        for byte in block.iter_mut().step_by(4096) {
            *byte = 1;
        }
        blocks.push(black_box(block));
    }
}

/// Recurses until the stack runs out. The result of the inner call is used after it
/// returns and passes through `black_box`, so the call is neither a tail call nor
/// foldable into a loop.
#[inline(never)]
fn recurse(depth: u64) -> u64 {
    if black_box(depth) == u64::MAX {
        return depth;
    }
    black_box(recurse(black_box(depth + 1))).wrapping_mul(3) ^ depth
}

/// Like [`recurse`], with a 16 KiB buffer in every frame that `black_box` forces into
/// memory.
#[inline(never)]
fn recurse_large_frames(depth: u64) -> u64 {
    let mut buffer = [0u8; 16 << 10];
    buffer[usize::try_from(depth).unwrap_or(0) % buffer.len()] = 1;
    let buffer = black_box(&mut buffer);
    if black_box(depth) == u64::MAX {
        return depth;
    }
    black_box(recurse_large_frames(black_box(depth + 1))).wrapping_mul(3) ^ u64::from(buffer[0])
}

/// `count` host files of `size` bytes each.
fn filler(count: usize, size: usize) -> Vec<Artifact> {
    (0..count).map(|i| Artifact::host_file(format!("/var/lib/hostile/{i}"), vec![b'x'; size])).collect()
}

register_plugin!(Hostile);
