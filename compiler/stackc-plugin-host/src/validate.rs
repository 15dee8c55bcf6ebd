//! Checks on what `render` returns, before anything reaches an emitter: paths that could
//! escape their place on a host or in the bundle, two artifacts for one path, and more output
//! than the limit. The artifacts themselves pass on unchanged.

use std::collections::BTreeSet;

use crate::Artifact;
use crate::error::{OutputError, PathProblem};

/// The first problem with `artifacts`, in their order.
pub(crate) fn artifacts(artifacts: &[Artifact], max_bytes: usize) -> Result<(), OutputError> {
    let mut total = 0usize;
    // (place, scope, path): host files per host (`*` for every host) and secret files, bundle
    // files, files per container, files per image build.
    let mut seen: BTreeSet<(&str, &str, &str)> = BTreeSet::new();
    let mut unique = |place, scope, path| {
        if seen.insert((place, scope, path)) { Ok(()) } else { Err(OutputError::Duplicate(path.to_owned())) }
    };
    for artifact in artifacts {
        match artifact {
            Artifact::HostFile(f) => {
                host_path(&f.path)?;
                mode(f.mode)?;
                total += f.contents.len();
                unique("host", f.host.as_deref().unwrap_or("*"), f.path.as_str())?;
            }
            Artifact::SecretFile(f) => {
                host_path(&f.path)?;
                mode(f.mode)?;
                unique("host", "*", &f.path)?;
            }
            Artifact::BundleFile(f) => {
                relative_path(&f.path)?;
                mode(f.mode)?;
                total += f.contents.len();
                unique("bundle", "", &f.path)?;
            }
            Artifact::KubeObject(o) => {
                relative_path(&o.name)?;
                total += o.yaml.len();
            }
            Artifact::KubeSecret(s) => relative_path(&s.name)?,
            Artifact::HelmRelease(r) => {
                relative_path(&r.name)?;
                total += r.values.len();
            }
            Artifact::Container(c) => {
                // Its name becomes a directory of the bundle, its files and mounts paths in it.
                name(&c.name)?;
                for f in &c.files {
                    host_path(&f.path)?;
                    mode(f.mode)?;
                    total += f.contents.len();
                    unique("container", &c.name, &f.path)?;
                }
                for f in &c.secret_files {
                    host_path(&f.path)?;
                    mode(f.mode)?;
                    unique("container", &c.name, &f.path)?;
                }
                for v in &c.volumes {
                    host_path(&v.target)?;
                    unique("container", &c.name, &v.target)?;
                }
            }
            Artifact::ImageBuild(b) => {
                name(&b.name)?;
                for f in &b.files {
                    relative_path(&f.path)?;
                    mode(f.mode)?;
                    total += f.contents.len();
                    unique("build", &b.name, &f.path)?;
                }
            }
            Artifact::Network(n) => name(&n.name)?,
            Artifact::Volume(v) => name(&v.name)?,
            // Its name becomes a home directory: `/home/<name>`.
            Artifact::Account(a) => name(&a.name)?,
            Artifact::Package(_)
            | Artifact::AptRepository(_)
            | Artifact::SystemService(_)
            | Artifact::Process(_)
            | Artifact::HttpCheck(_)
            | Artifact::CommandCheck(_)
            | Artifact::TrafficGate(_) => {}
        }
        if total > max_bytes {
            return Err(OutputError::TooLarge { limit: max_bytes });
        }
    }
    Ok(())
}

/// A name that becomes one segment of a bundle path.
fn name(name: &str) -> Result<(), OutputError> {
    relative_path(name)?;
    if name.contains('/') {
        return Err(OutputError::Path { path: name.to_owned(), problem: PathProblem::Separator });
    }
    Ok(())
}

fn mode(mode: u32) -> Result<(), OutputError> {
    if mode & !0o7777 == 0 { Ok(()) } else { Err(OutputError::InvalidMode(mode)) }
}

/// Host paths are absolute and normal: no `..`, `.`, empty segments, NUL or backslash.
fn host_path(path: &str) -> Result<(), OutputError> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err(OutputError::RelativeHostPath(path.to_owned()));
    };
    segments(rest).map_err(|problem| OutputError::HostPath { path: path.to_owned(), problem })
}

/// Bundle paths (and the names that become file names in the bundle) are relative and normal.
fn relative_path(path: &str) -> Result<(), OutputError> {
    if path.starts_with('/') {
        return Err(OutputError::AbsolutePath(path.to_owned()));
    }
    segments(path).map_err(|problem| OutputError::Path { path: path.to_owned(), problem })
}

fn segments(path: &str) -> Result<(), PathProblem> {
    if path.contains('\0') {
        return Err(PathProblem::Nul);
    }
    if path.contains('\\') {
        return Err(PathProblem::Backslash);
    }
    if path.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
        return Err(PathProblem::Segment);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BundleFile, HostFile};

    fn file(path: &str, bytes: usize) -> Artifact {
        Artifact::HostFile(HostFile {
            host: None,
            path: path.to_owned(),
            contents: vec![b'x'; bytes],
            mode: 0o644,
            owner: None,
            group: None,
        })
    }

    fn file_on(host: &str, path: &str) -> Artifact {
        Artifact::HostFile(HostFile {
            host: Some(host.to_owned()),
            path: path.to_owned(),
            contents: Vec::new(),
            mode: 0,
            owner: None,
            group: None,
        })
    }

    #[test]
    fn host_paths() {
        assert!(host_path("/etc/nginx/nginx.conf").is_ok());
        for bad in ["etc/x", "/etc/../x", "/etc//x", "/etc/./x", "/a\0b", "/a\\b", "/"] {
            assert!(host_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn relative_paths() {
        assert!(relative_path("rules/alerts.yml").is_ok());
        for bad in ["/abs", "../up", "a/../../b", "", "a\\b"] {
            assert!(relative_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn each_problem_is_its_own_error() {
        assert_eq!(
            artifacts(&[file("/etc/a", 1), file("/etc/a", 1)], 100),
            Err(OutputError::Duplicate("/etc/a".to_owned()))
        );
        assert_eq!(
            artifacts(&[file("/etc/a", 60), file("/etc/b", 60)], 100),
            Err(OutputError::TooLarge { limit: 100 })
        );
        let bundle = Artifact::BundleFile(BundleFile { path: "../x".to_owned(), contents: Vec::new(), mode: 0o644 });
        assert_eq!(
            artifacts(&[bundle], 100),
            Err(OutputError::Path { path: "../x".to_owned(), problem: PathProblem::Segment })
        );
        // A file for one host and a file for every host are different artifacts.
        assert_eq!(artifacts(&[file("/etc/a", 1), file_on("h1", "/etc/a")], 100), Ok(()));
    }
}
