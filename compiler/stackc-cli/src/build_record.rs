//! No-op rebuilds: what the last successful build of a stack read and wrote, so that a
//! build whose inputs have not changed can say so without compiling anything.
//!
//! A record lives under `$XDG_CACHE_HOME/stackc/builds/`, keyed by everything a build's
//! outcome depends on besides the files it reads: the stackc executable (path, size, mtime:
//! a rebuilt stackc never trusts an older record), the working directory, the stack as named,
//! `--out`, `--set` and `--locked`. It holds
//! - every file the build read (stack sources, plugin components, the lockfile it left) with
//!   its sha256;
//! - every file of the bundle with its size, mode, modification time and inode, as written;
//! - the root digest and what the build printed.
//!
//! A build is a no-op when every input still hashes the same, `out/<stack>/current` still
//! names the bundle, and every bundle file still has the metadata it had (as git's index
//! does: a file edited in the bundle changes its size or mtime, and the build then runs and
//! rewrites it). Only builds that reported no diagnostic at all leave a record, so a no-op
//! build never hides a warning.

use std::fmt::Write as _;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use stackc::{Data, Loaded, Published, SourceError, SourceLoader};
use stackc_model::Sha256Digest;

const MAGIC: &str = "stackc-build-record-v1";

/// Where a build's record is, given what the build was asked to do.
pub struct RecordKey {
    path: PathBuf,
}

impl RecordKey {
    /// `None` when there is no cache directory or the executable cannot be identified.
    pub fn new(stack: &Path, out: &Path, overrides: &[String], locked: bool) -> Option<RecordKey> {
        let exe = std::env::current_exe().ok()?;
        let meta = fs::metadata(&exe).ok()?;
        let cwd = std::env::current_dir().ok()?;
        // Every field length-prefixed, so that no two argument lists key alike.
        let mut key = Vec::new();
        let mut field = |bytes: &[u8]| {
            key.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
            key.extend_from_slice(bytes);
        };
        field(MAGIC.as_bytes());
        field(exe.as_os_str().as_encoded_bytes());
        field(&meta.len().to_le_bytes());
        field(&meta.mtime().to_le_bytes());
        field(&meta.mtime_nsec().to_le_bytes());
        field(cwd.as_os_str().as_encoded_bytes());
        field(stack.as_os_str().as_encoded_bytes());
        field(out.as_os_str().as_encoded_bytes());
        for set in overrides {
            field(set.as_bytes());
        }
        field(&[u8::from(locked)]);
        let name = Sha256Digest::of(&key).to_string()[..32].to_owned();
        Some(RecordKey { path: crate::cache::cache_dir()?.join("builds").join(name) })
    }
}

/// What a successful build read and wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BuildRecord {
    /// `out/<stack>` as the build saw it.
    pub stack_dir: PathBuf,
    /// The bundle directory's name: the root digest in hex.
    pub bundle: String,
    /// (path as read, sha256) of every input.
    pub inputs: Vec<(String, Sha256Digest)>,
    /// (path relative to the bundle, metadata) of every bundle file.
    pub files: Vec<(String, FileStamp)>,
    /// What the build printed on stdout, to print again.
    pub summary: String,
}

/// What a file looked like when the build wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    pub size: u64,
    pub mode: u32,
    pub mtime: i64,
    pub mtime_nsec: i64,
    pub ino: u64,
}

impl FileStamp {
    pub fn of(path: &Path) -> Option<FileStamp> {
        let m = fs::symlink_metadata(path).ok()?;
        Some(FileStamp { size: m.len(), mode: m.mode(), mtime: m.mtime(), mtime_nsec: m.mtime_nsec(), ino: m.ino() })
    }
}

impl BuildRecord {
    /// The record for `key` if the build it describes would be a no-op now.
    pub fn still_current(key: &RecordKey) -> Option<BuildRecord> {
        let record = BuildRecord::parse(&fs::read_to_string(&key.path).ok()?)?;
        let inputs_unchanged =
            record.inputs.iter().all(|(path, digest)| fs::read(path).is_ok_and(|b| Sha256Digest::of(&b) == *digest));
        let current = fs::read_link(record.stack_dir.join("current")).ok()?;
        if !inputs_unchanged || current != Path::new(&record.bundle) {
            return None;
        }
        let dir = record.stack_dir.join(&record.bundle);
        let bundle_unchanged = record.files.iter().all(|(path, stamp)| FileStamp::of(&dir.join(path)) == Some(*stamp));
        bundle_unchanged.then_some(record)
    }

    /// Saves the record under `key`. Failing to is not an error: the next build runs in full.
    pub fn save(&self, key: &RecordKey) {
        let Some(dir) = key.path.parent() else { return };
        let tmp = dir.join(format!(".{}.tmp", std::process::id()));
        let written = fs::create_dir_all(dir)
            .and_then(|()| fs::write(&tmp, self.render()))
            .and_then(|()| fs::rename(&tmp, &key.path));
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
    }

    /// The metadata of every file of the bundle at `dir` named in `paths`.
    pub fn stamps<'a>(dir: &Path, paths: impl Iterator<Item = &'a str>) -> Option<Vec<(String, FileStamp)>> {
        paths.map(|p| Some((p.to_owned(), FileStamp::of(&dir.join(p))?))).collect()
    }

    fn render(&self) -> String {
        let mut out = format!("{MAGIC}\nstack-dir {}\nbundle {}\n", path_text(&self.stack_dir), self.bundle);
        for (path, digest) in &self.inputs {
            let _ = writeln!(out, "input {digest} {path}");
        }
        for (path, s) in &self.files {
            let _ = writeln!(out, "file {} {} {} {} {} {path}", s.size, s.mode, s.mtime, s.mtime_nsec, s.ino);
        }
        out.push_str("summary\n");
        out.push_str(&self.summary);
        out
    }

    fn parse(text: &str) -> Option<BuildRecord> {
        let (head, summary) = text.split_once("\nsummary\n")?;
        let mut lines = head.lines();
        (lines.next()? == MAGIC).then_some(())?;
        let mut record = BuildRecord {
            stack_dir: PathBuf::from(lines.next()?.strip_prefix("stack-dir ")?),
            bundle: lines.next()?.strip_prefix("bundle ")?.to_owned(),
            summary: summary.to_owned(),
            ..BuildRecord::default()
        };
        for line in lines {
            if let Some(rest) = line.strip_prefix("input ") {
                let (digest, path) = rest.split_once(' ')?;
                record.inputs.push((path.to_owned(), digest.parse().ok()?));
            } else {
                let mut fields = line.strip_prefix("file ")?.splitn(6, ' ');
                let mut number = || fields.next()?.parse::<i64>().ok();
                let stamp = FileStamp {
                    size: u64::try_from(number()?).ok()?,
                    mode: u32::try_from(number()?).ok()?,
                    mtime: number()?,
                    mtime_nsec: number()?,
                    ino: u64::try_from(number()?).ok()?,
                };
                record.files.push((fields.next()?.to_owned(), stamp));
            }
        }
        Some(record)
    }
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// A loader that notes every file it reads, with its digest, for the record.
pub struct Recording<'a> {
    inner: &'a dyn SourceLoader,
    read: Mutex<Vec<(String, Sha256Digest)>>,
}

impl<'a> Recording<'a> {
    pub fn new(inner: &'a dyn SourceLoader) -> Self {
        Recording { inner, read: Mutex::default() }
    }

    /// (path, sha256) of every file read, in order.
    pub fn into_read(self) -> Vec<(String, Sha256Digest)> {
        self.read.into_inner().expect("lock")
    }
}

impl SourceLoader for Recording<'_> {
    fn load(&self, path: &str, from: Option<&str>) -> Result<Loaded, SourceError> {
        let loaded = self.inner.load(path, from)?;
        self.read.lock().expect("lock").push((loaded.name.clone(), Sha256Digest::of(loaded.text.as_bytes())));
        Ok(loaded)
    }

    fn load_bytes(&self, path: &str, from: &str) -> Result<(String, Vec<u8>), SourceError> {
        let (name, bytes) = self.inner.load_bytes(path, from)?;
        self.read.lock().expect("lock").push((name.clone(), Sha256Digest::of(&bytes)));
        Ok((name, bytes))
    }

    /// Not noted: the stack pins a published component by digest, and the stack is noted.
    fn load_published(&self, reference: &str, digest: &Sha256Digest) -> Result<Published, SourceError> {
        self.inner.load_published(reference, digest)
    }

    /// A file is noted like any other; a directory by its path and the digest of its listing
    /// and contents. A directory never reads back as a file, so a stack reading one is always
    /// compiled again, which also notices files added to it.
    fn load_data(&self, path: &str, from: &str, root: &str) -> Result<Data, SourceError> {
        let data = self.inner.load_data(path, from, root)?;
        let name = crate::loader::name_of(path, Some(from)).to_string_lossy().into_owned();
        let digest = match &data {
            Data::File(bytes) => Sha256Digest::of(bytes),
            Data::Dir(files) => {
                let mut all = Vec::new();
                for (file, bytes) in files {
                    all.extend_from_slice(file.as_bytes());
                    all.push(0);
                    all.extend_from_slice(Sha256Digest::of(bytes).as_bytes());
                }
                Sha256Digest::of(&all)
            }
        };
        self.read.lock().expect("lock").push((name, digest));
        Ok(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_and_notices_changes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let stack = dir.path().join("s.kdl");
        fs::write(&stack, "stack \"s\"\n").expect("write");
        let stack_dir = dir.path().join("out/s");
        fs::create_dir_all(stack_dir.join("abc/hosts")).expect("mkdir");
        fs::write(stack_dir.join("abc/hosts/a file"), "x").expect("write");
        std::os::unix::fs::symlink("abc", stack_dir.join("current")).expect("symlink");

        let stack_name = stack.to_string_lossy().into_owned();
        let record = BuildRecord {
            stack_dir: stack_dir.clone(),
            bundle: "abc".to_owned(),
            inputs: vec![(stack_name, Sha256Digest::of(b"stack \"s\"\n"))],
            files: BuildRecord::stamps(&stack_dir.join("abc"), ["hosts/a file"].into_iter()).expect("stamps"),
            summary: "stack `s`\nbundle (unchanged)\n".to_owned(),
        };
        let key = RecordKey { path: dir.path().join("cache/builds/k") };
        record.save(&key);
        assert_eq!(BuildRecord::still_current(&key).as_ref(), Some(&record));

        // An edited bundle file, an edited input, a moved `current`: each ends the no-op.
        fs::write(stack_dir.join("abc/hosts/a file"), "xy").expect("write");
        assert_eq!(BuildRecord::still_current(&key), None);
        fs::write(stack_dir.join("abc/hosts/a file"), "x").expect("write");
        let restamped = BuildRecord {
            files: BuildRecord::stamps(&stack_dir.join("abc"), ["hosts/a file"].into_iter()).expect("stamps"),
            ..record
        };
        restamped.save(&key);
        assert!(BuildRecord::still_current(&key).is_some());
        fs::write(&stack, "stack \"t\"\n").expect("write");
        assert_eq!(BuildRecord::still_current(&key), None);
        fs::write(&stack, "stack \"s\"\n").expect("write");
        assert!(BuildRecord::still_current(&key).is_some());
        fs::remove_file(stack_dir.join("current")).expect("rm");
        std::os::unix::fs::symlink("other", stack_dir.join("current")).expect("symlink");
        assert_eq!(BuildRecord::still_current(&key), None);
        // A damaged record is no record.
        fs::write(&key.path, "stackc-build-record-v1\nnonsense").expect("write");
        assert_eq!(BuildRecord::still_current(&key), None);
    }
}
