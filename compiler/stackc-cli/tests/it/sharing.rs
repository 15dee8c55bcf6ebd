//! Sharing plugins through an OCI registry: Debian's `docker-registry` on loopback, started and
//! stopped by each test, `stackc plugin publish|pull|inspect`, stacks declaring `oci=` plugins
//! pinned by sha256 and trusting signers with `signed-by`, and offline `--locked` builds.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::{
    Children, Scratch, build_hello_plugin, render, run, sha256_hex, spawn, tool, with_custom_section, workspace,
};

/// A registry with its storage in a directory of its own, listening on a free loopback port.
struct LocalRegistry {
    port: u16,
    process: Option<Children>,
}

impl LocalRegistry {
    fn start(dir: &Path) -> LocalRegistry {
        LocalRegistry::start_with(dir, "")
    }

    /// A registry that lets in only `user` with `password` (htpasswd, bcrypt).
    fn with_user(dir: &Path, user: &str, password: &str) -> LocalRegistry {
        fs::create_dir_all(dir).expect("mkdir");
        let htpasswd = dir.join("htpasswd");
        let output = run(Command::new(tool("htpasswd")).arg("-Bbc").arg(&htpasswd).args([user, password]));
        assert!(output.status.success(), "htpasswd:\n{}", render(&output, &[]));
        let auth = format!("auth:\n  htpasswd:\n    realm: stackc\n    path: {}\n", htpasswd.display());
        LocalRegistry::start_with(dir, &auth)
    }

    fn start_with(dir: &Path, auth: &str) -> LocalRegistry {
        let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port();
        fs::create_dir_all(dir).expect("mkdir");
        let config = format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n\
             http:\n  addr: 127.0.0.1:{port}\n{auth}",
            dir.join("storage").display()
        );
        fs::write(dir.join("config.yml"), config).expect("write");
        let child =
            spawn(Command::new(tool("docker-registry")).arg("serve").arg(dir.join("config.yml")), &dir.join("log"));
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the registry did not start:\n{}",
                fs::read_to_string(dir.join("log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        LocalRegistry { port, process: Some(Children(vec![child])) }
    }

    fn reference(&self, repository_and_tag: &str) -> String {
        format!("127.0.0.1:{}/{repository_and_tag}", self.port)
    }

    fn stop(&mut self) {
        self.process = None;
    }
}

/// A scratch directory with a cache of its own, signing keys, and `stackc` that reads no
/// credentials or cache of the machine's.
struct Lab {
    scratch: Scratch,
    cache: PathBuf,
}

impl Lab {
    fn new() -> Lab {
        build_hello_plugin();
        let scratch = Scratch::new();
        let cache = scratch.path().join("cache");
        for key in ["alice", "mallory"] {
            let output = run(Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", &format!("{key}@example.org"), "-f"])
                .arg(scratch.path().join(key)));
            assert!(output.status.success(), "ssh-keygen:\n{}", render(&output, &[]));
        }
        fs::copy(hello_component(), scratch.path().join("hello.wasm")).expect("copy the component");
        Lab { scratch, cache }
    }

    fn stackc(&self, args: &[&str]) -> Command {
        let mut command = self.scratch.stackc(args);
        command
            .env("XDG_CACHE_HOME", &self.cache)
            .env("DOCKER_CONFIG", self.scratch.path().join("no-docker-config"))
            .env_remove("STACKC_REGISTRY_USERNAME")
            .env_remove("STACKC_REGISTRY_PASSWORD");
        command
    }

    fn ok(&self, args: &[&str]) -> String {
        let output = self.stackc(args).output().expect("run stackc");
        assert!(output.status.success(), "stackc {args:?}:\n{}", render(&output, &[]));
        String::from_utf8(output.stdout).expect("UTF-8")
    }

    fn output(&self, args: &[&str]) -> Output {
        self.stackc(args).output().expect("run stackc")
    }

    fn public_key(&self, name: &str) -> String {
        fs::read_to_string(self.scratch.path().join(format!("{name}.pub"))).expect("public key").trim().to_owned()
    }

    fn fingerprint(&self, name: &str) -> String {
        let output = run(Command::new("ssh-keygen").arg("-lf").arg(self.scratch.path().join(format!("{name}.pub"))));
        String::from_utf8(output.stdout).expect("UTF-8").split_whitespace().nth(1).expect("a fingerprint").to_owned()
    }

    /// Signs `file` with the key `key` as a publisher would by hand: `FILE.sig` beside it.
    fn ssh_sign(&self, key: &str, file: &str) {
        let output = run(Command::new("ssh-keygen").current_dir(self.scratch.path()).args([
            "-q",
            "-Y",
            "sign",
            "-n",
            "stackc-plugin",
            "-f",
            key,
            file,
        ]));
        assert!(output.status.success(), "ssh-keygen:\n{}", render(&output, &[]));
    }

    /// A stack using the plugin as `declaration` declares it.
    fn write_stack(&self, declaration: &str) {
        self.scratch.write(
            "stack.kdl",
            &format!(
                "stack \"shared\"\n\n{declaration}\n\nhost \"web1\" address=\"192.0.2.10\"\n\n\
                 service \"greeting\" plugin=\"hello\" on=\"web1\" {{\n    message \"hello from a registry\"\n}}\n"
            ),
        );
    }

    fn filters(&self, registry: &LocalRegistry) -> Vec<(String, String)> {
        let mut filters = vec![(format!("127.0.0.1:{}", registry.port), "127.0.0.1:[PORT]".to_owned())];
        for key in ["alice", "mallory"] {
            filters.push((self.fingerprint(key), format!("[{key} fingerprint]")));
            filters.push((self.public_key(key), format!("[{key} public key]")));
        }
        filters
    }
}

fn hello_component() -> PathBuf {
    workspace().join("examples/plugins/hello-plugin/target/stackc/hello.wasm")
}

/// The `plugin` declaration `publish` printed, its last lines.
fn declaration(published: &str) -> String {
    let start = published.find("plugin \"").expect("a declaration");
    published[start..].trim_end().to_owned()
}

fn snapshot_text(output: &Output, filters: &[(String, String)], digests: &[(&str, &str)]) -> String {
    let mut text = render(output, &[]);
    for (from, to) in filters {
        text = text.replace(from, to);
    }
    for (from, to) in digests {
        text = text.replace(from, to);
    }
    text
}

#[test]
fn a_published_plugin_is_pinned_signed_locked_and_built_offline() {
    let lab = Lab::new();
    let mut registry = LocalRegistry::start(&lab.scratch.path().join("registry"));
    let reference = registry.reference("stackc/hello:0.1.0");
    let digest = sha256_hex(&fs::read(hello_component()).expect("component"));

    let published = lab.ok(&["plugin", "publish", "hello.wasm", &reference, "--sign-key", "alice"]);
    let filters = lab.filters(&registry);
    let mut shown = published.clone();
    for (from, to) in &filters {
        shown = shown.replace(from, to);
    }
    let manifest = shown.lines().find_map(|l| l.strip_prefix("manifest ")).expect("a manifest digest").to_owned();
    insta::assert_snapshot!(shown.replace(&digest, "[hello sha256]").replace(&manifest, "[manifest digest]"));
    // Publishing the same bytes again pushes the same manifest: nothing in it depends on when.
    let again = lab.ok(&["plugin", "publish", "hello.wasm", &reference, "--sign-key", "alice"]);
    assert!(again.contains(&format!("manifest {manifest}")), "{again}");

    // The declaration publish printed is the one a stack writes.
    let declared = declaration(&published);
    assert!(declared.contains(&format!("signed-by \"{}\"", lab.public_key("alice"))), "{declared}");
    lab.write_stack(&declared);
    let verbose = lab.output(&["build", "stack.kdl", "--out", "out", "--verbose"]);
    assert!(verbose.status.success(), "{}", render(&verbose, &[]));
    let built = render(&verbose, &[]);
    assert!(
        built.contains(&format!("from {reference}, sha256 {digest}, signed by {}", lab.fingerprint("alice"))),
        "{built}"
    );
    let lock = fs::read_to_string(lab.scratch.path().join("stackc.lock")).expect("stackc.lock");
    assert!(lock.contains(&format!("source = \"oci:{reference}\"")), "{lock}");
    assert!(lock.contains(&format!("signer = \"{}\"", lab.fingerprint("alice"))), "{lock}");
    assert!(lock.contains(&format!("sha256 = \"{digest}\"")), "{lock}");
    let cached = fs::read(lab.cache.join(format!("stackc/plugins/{digest}.wasm"))).expect("the component is cached");
    assert_eq!(cached, fs::read(hello_component()).expect("component"));

    // What the registry holds, without a stack.
    let inspected = lab.ok(&["plugin", "inspect", &reference]);
    for line in [
        "plugin    hello 0.1.0".to_owned(),
        format!("wit       {}", "0.4.0"),
        format!("sha256    {digest}"),
        format!("signature {} (valid;", lab.fingerprint("alice")),
        "imports   stackc:plugin/host@0.4.0\nimports   stackc:plugin/types@0.4.0".to_owned(),
        "exports   stackc:plugin/service-plugin@0.4.0".to_owned(),
    ] {
        assert!(inspected.contains(&line), "`{line}` missing from:\n{inspected}");
    }

    // With the registry gone, `--locked` builds from the cache alone, with the same bundle.
    registry.stop();
    assert!(std::net::TcpStream::connect(("127.0.0.1", registry.port)).is_err(), "the registry still answers");
    fs::remove_dir_all(lab.scratch.path().join("out")).expect("rm out");
    let offline = lab.ok(&["build", "--locked", "stack.kdl", "--out", "out"]);
    let root = |text: &str| text.lines().find(|l| l.starts_with("root ")).map(str::to_owned);
    assert_eq!(root(&offline), root(&built), "the offline build made another bundle");

    // Without the cache, `--locked` does not go to the network; without `--locked` it does, and
    // says the registry cannot be reached.
    fs::remove_dir_all(&lab.cache).expect("rm cache");
    let filters: Vec<(&str, &str)> = vec![];
    let locked = lab.output(&["build", "--locked", "stack.kdl", "--out", "out"]);
    let text = snapshot_text(&locked, &lab.filters(&registry), &[(&digest, "[hello sha256]")]);
    insta::assert_snapshot!("locked_without_cache", text);
    let online = lab.output(&["build", "stack.kdl", "--out", "out"]);
    assert_eq!(online.status.code(), Some(1), "{}", render(&online, &filters));
    let stderr = String::from_utf8_lossy(&online.stderr);
    assert!(stderr.contains("cannot fetch") && stderr.contains("cannot pull from"), "{stderr}");
}

#[test]
fn a_retagged_unsigned_or_untrusted_component_is_refused() {
    let lab = Lab::new();
    let registry = LocalRegistry::start(&lab.scratch.path().join("registry"));
    let hello = fs::read(hello_component()).expect("component");
    let digest = sha256_hex(&hello);
    // Other bytes of the same plugin: what a compromised publisher or registry would serve.
    let other = with_custom_section(&hello, b"not what was reviewed");
    fs::write(lab.scratch.path().join("other.wasm"), &other).expect("write");
    let other_digest = sha256_hex(&other);
    let alice = lab.public_key("alice");
    let digests = [(digest.as_str(), "[hello sha256]"), (other_digest.as_str(), "[other sha256]")];
    let mut report = String::new();
    let mut attempt = |title: &str, declaration: String| {
        lab.write_stack(&declaration);
        let _ = fs::remove_dir_all(&lab.cache);
        let output = lab.output(&["build", "stack.kdl", "--out", "out"]);
        assert_eq!(output.status.code(), Some(1), "{title}: {}", render(&output, &[]));
        assert!(!lab.scratch.path().join("out").exists(), "{title}: a bundle was written");
        report.push_str(&format!("## {title}\n{}\n", snapshot_text(&output, &lab.filters(&registry), &digests)));
    };

    // A tag pushed again with other (validly signed) bytes: the pin refuses them.
    let tag = registry.reference("stackc/hello:1.0.0");
    lab.ok(&["plugin", "publish", "hello.wasm", &tag, "--sign-key", "alice"]);
    lab.ok(&["plugin", "publish", "other.wasm", &tag, "--sign-key", "alice"]);
    attempt(
        "re-pushed tag",
        format!("plugin \"hello\" oci=\"{tag}\" sha256=\"{digest}\" {{\n    signed-by \"{alice}\"\n}}"),
    );

    // Signed by a key the stack does not trust.
    // (A signature belongs to the component in its repository, whatever the tag: each case gets a
    // repository of its own.)
    let by_mallory = registry.reference("stackc/mallory/hello:2.0.0");
    lab.ok(&["plugin", "publish", "hello.wasm", &by_mallory, "--sign-key", "mallory"]);
    attempt(
        "untrusted signer",
        format!("plugin \"hello\" oci=\"{by_mallory}\" sha256=\"{digest}\" {{\n    signed-by \"{alice}\"\n}}"),
    );

    // Not signed at all, where the stack requires a signature.
    let unsigned = registry.reference("stackc/unsigned/hello:3.0.0");
    lab.ok(&["plugin", "publish", "hello.wasm", &unsigned]);
    attempt(
        "unsigned",
        format!("plugin \"hello\" oci=\"{unsigned}\" sha256=\"{digest}\" {{\n    signed-by \"{alice}\"\n}}"),
    );

    // A signature of other bytes beside a component file (as `ssh-keygen -Y sign` writes it).
    lab.ssh_sign("alice", "other.wasm");
    fs::copy(lab.scratch.path().join("hello.wasm"), lab.scratch.path().join("signed.wasm")).expect("copy");
    fs::rename(lab.scratch.path().join("other.wasm.sig"), lab.scratch.path().join("signed.wasm.sig")).expect("mv");
    attempt(
        "signature of other bytes",
        format!("plugin \"hello\" path=\"signed.wasm\" sha256=\"{digest}\" {{\n    signed-by \"{alice}\"\n}}"),
    );

    // A trusted key that is not a key.
    attempt(
        "not a key",
        format!("plugin \"hello\" oci=\"{tag}\" sha256=\"{digest}\" {{\n    signed-by \"ssh-rsa AAAAB3Nza\"\n}}"),
    );
    insta::assert_snapshot!(report);

    // The same file signed by alice herself (with ssh-keygen) is accepted.
    lab.ssh_sign("alice", "hello.wasm");
    lab.write_stack(&format!(
        "plugin \"hello\" path=\"hello.wasm\" sha256=\"{digest}\" {{\n    signed-by \"{alice}\"\n}}"
    ));
    lab.ok(&["build", "stack.kdl", "--out", "out"]);
}

#[test]
fn pull_fills_the_cache_for_an_offline_build() {
    let lab = Lab::new();
    let mut registry = LocalRegistry::start(&lab.scratch.path().join("registry"));
    let reference = registry.reference("stackc/hello:0.1.0");
    let publisher = Lab::new();
    // Published from its crate, which `publish` builds first: the same bytes as the file.
    let crate_dir = workspace().join("examples/plugins/hello-plugin");
    let published = publisher.ok(&["plugin", "publish", &crate_dir.display().to_string(), &reference]);
    let digest = sha256_hex(&fs::read(hello_component()).expect("component"));
    assert!(published.contains(&format!("sha256   {digest}")), "{published}");
    let pulled = lab.ok(&["plugin", "pull", &reference]);
    assert_eq!(declaration(&pulled), declaration(&published));
    assert!(pulled.contains("signature none"), "{pulled}");
    registry.stop();
    // The registry is gone: both builds read the cache `pull` filled.
    lab.write_stack(&declaration(&pulled));
    lab.ok(&["build", "stack.kdl", "--out", "out"]);
    lab.ok(&["build", "--locked", "stack.kdl", "--out", "out"]);
}

#[test]
fn inspect_describes_every_builtin_plugin_and_a_component_file() {
    let lab = Lab::new();
    let listing = lab.ok(&["plugins"]);
    let names: Vec<&str> = listing.lines().skip(1).filter_map(|l| l.split_whitespace().next()).collect();
    assert!(names.len() > 20, "{listing}");
    for name in names {
        let inspected = lab.ok(&["plugin", "inspect", name]);
        let field = |key: &str| -> Vec<String> {
            inspected.lines().filter_map(|l| l.strip_prefix(key)).map(|v| v.trim().to_owned()).collect()
        };
        assert_eq!(field("plugin ")[0].split(' ').next(), Some(name), "{inspected}");
        assert_eq!(field("origin "), ["built in"], "{inspected}");
        assert_eq!(field("wit "), ["0.4.0"], "{inspected}");
        assert_eq!(
            field("imports "),
            ["stackc:plugin/host@0.4.0", "stackc:plugin/types@0.4.0"],
            "{name}: a built-in imports more:\n{inspected}"
        );
        assert_eq!(field("exports "), ["stackc:plugin/service-plugin@0.4.0"], "{inspected}");
        assert_eq!(field("signature "), ["none"], "{inspected}");
        let short = listing.lines().find(|l| l.split_whitespace().next() == Some(name)).expect("listed");
        let sha256 = &field("sha256 ")[0];
        assert!(short.contains(&sha256[..12]), "{name}: {sha256} is not the digest `stackc plugins` lists:\n{short}");
        let schema = inspected.split_once("config schema:\n").expect("a schema").1;
        let schema: serde_json::Value = serde_json::from_str(schema).expect("the schema is JSON");
        let expected: serde_json::Value = serde_json::from_str(&lab.ok(&["schema", name])).expect("JSON");
        assert_eq!(schema, expected, "{name}: inspect shows another schema than `stackc schema`");
    }

    let digest = sha256_hex(&fs::read(hello_component()).expect("component"));
    let inspected = lab.ok(&["plugin", "inspect", "hello.wasm"]);
    insta::assert_snapshot!(inspected.replace(&digest, "[hello sha256]"));
    let missing = lab.output(&["plugin", "inspect", "nginks"]);
    assert_eq!(missing.status.code(), Some(2));
    insta::assert_snapshot!("inspect_unknown", render(&missing, &[]));
}

#[test]
fn credentials_come_from_the_environment_or_the_docker_config() {
    let lab = Lab::new();
    let registry = LocalRegistry::with_user(&lab.scratch.path().join("registry"), "ci", "s3cret");
    let reference = registry.reference("stackc/hello:0.1.0");

    let anonymous = lab.output(&["plugin", "publish", "hello.wasm", &reference]);
    assert_eq!(anonymous.status.code(), Some(2), "{}", render(&anonymous, &[]));
    let port = format!("127.0.0.1:{}", registry.port);
    insta::assert_snapshot!("publish_without_credentials", render(&anonymous, &[(&port, "127.0.0.1:[PORT]")]));

    let published = lab
        .stackc(&["plugin", "publish", "hello.wasm", &reference])
        .env("STACKC_REGISTRY_USERNAME", "ci")
        .env("STACKC_REGISTRY_PASSWORD", "s3cret")
        .output()
        .expect("run stackc");
    assert!(published.status.success(), "{}", render(&published, &[]));

    // `docker login` writes the credentials into the Docker config, base64 in `auths`.
    let docker = lab.scratch.path().join("docker");
    fs::create_dir_all(&docker).expect("mkdir");
    fs::write(lab.scratch.path().join("login"), "ci:s3cret").expect("write");
    let encoded = run(Command::new("base64").arg("-w0").arg(lab.scratch.path().join("login")));
    let encoded = String::from_utf8(encoded.stdout).expect("UTF-8");
    fs::write(docker.join("config.json"), format!("{{\"auths\":{{\"{port}\":{{\"auth\":\"{encoded}\"}}}}}}"))
        .expect("write");
    let pulled =
        lab.stackc(&["plugin", "pull", &reference]).env("DOCKER_CONFIG", &docker).output().expect("run stackc");
    assert!(pulled.status.success(), "{}", render(&pulled, &[]));
}
