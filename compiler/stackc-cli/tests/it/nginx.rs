//! The nginx configuration of `stacks/web-tls.kdl`, checked by nginx itself: `nginx -t` on
//! every host, then both servers running on loopback addresses, queried with curl and graded
//! with sslscan.
//!
//! Each host tree is copied to a temporary root and its absolute paths (`/etc/nginx`,
//! `/var/www`, `/run/nginx.pid`, `/var/log/nginx`) are moved under that root, so nothing on
//! the machine is read or written. The TLS certificate and key come from Ansible Vault at
//! deploy time and are not in the bundle; the tests put a fresh self-signed pair where the
//! configuration expects them.

use std::fs;
use std::net::IpAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::common::{Cert, build_stack, copy_tree, path_with, render, run, tool};

const STACK: &str = "stacks/web-tls.kdl";
const SERVER_NAME: &str = "www.example.org";
const WEB_ADDRESS: &str = "127.0.0.2";
const PROXY_ADDRESS: &str = "127.0.0.3";
/// Absolute paths of the generated configuration that are moved under the test root.
const MOVED: [&str; 4] = ["/etc/nginx", "/var/www", "/run/nginx.pid", "/var/log/nginx"];

#[test]
fn nginx_accepts_every_generated_config() {
    check_every_nginx_host(STACK, &["proxy1", "web1"]);
}

#[test]
fn nginx_accepts_the_lab_stack() {
    check_every_nginx_host("stacks/bookworm-lab.kdl", &["proxy1", "web1"]);
}

/// The language tour with its production values: hosts from a loop and a condition, a proxy
/// from a module, pages from files.
#[test]
fn nginx_accepts_the_language_tour_in_production() {
    check_every_nginx_host_with(
        "examples/stacks/04-language/stack.kdl",
        &["--values", "examples/stacks/04-language/values/prod.kdl"],
        &["edge1", "edge2", "web1", "web2", "web3"],
    );
}

/// `nginx -t` on every host of `stack` that runs nginx; `expected` names those hosts.
pub(crate) fn check_every_nginx_host(stack: &str, expected: &[&str]) {
    check_every_nginx_host_with(stack, &[], expected);
}

/// [`check_every_nginx_host`] of the stack built with `extra` arguments.
fn check_every_nginx_host_with(stack: &str, extra: &[&str], expected: &[&str]) {
    let dir = TestDir::new();
    let bundle = build_stack(stack, &dir.path().join("out"), extra);
    let cert = Cert::new(dir.path(), SERVER_NAME);
    let hosts: Vec<String> = host_names(&bundle)
        .into_iter()
        .filter(|h| bundle.join("hosts").join(h).join("etc/nginx/nginx.conf").exists())
        .collect();
    assert_eq!(hosts, expected, "the nginx hosts of {stack}");
    for host in &hosts {
        let root = Root::new(&bundle, host, &dir.path().join(host), &cert);
        // The generated `listen` directives name the hosts' own addresses, which this machine
        // does not have, and `nginx -t` binds them. A private network namespace gets them.
        let mut script = String::from("ip link set lo up");
        for address in root.listen_addresses() {
            let prefix = if address.is_ipv4() { 32 } else { 128 };
            script.push_str(&format!(" && ip address add {address}/{prefix} dev lo"));
        }
        script.push_str(" && exec \"$@\"");
        let mut command = Command::new(tool("unshare"));
        command.arg("--net").arg(tool("sh")).arg("-c").arg(&script).arg("sh");
        command.arg(tool("nginx")).args(["-t", "-q", "-e", "stderr", "-p"]).arg(&root.dir).arg("-c").arg(&root.conf);
        command.env("PATH", path_with(&tool("ip")));
        let output = run(&mut command);
        assert!(
            output.status.success() && output.stderr.is_empty(),
            "nginx -t rejected the configuration of {host} in {stack}:\n{}",
            render(&output, &[])
        );
    }
}

#[test]
fn proxy_serves_the_site_over_tls_and_keeps_upstream_connections_alive() {
    let _lock = loopback_lock();
    let dir = TestDir::new();
    let deployment = Deployment::start(&dir);

    // The page of nginx #1 through the TLS proxy, with HSTS.
    let (head, body) = deployment.get_https("/");
    assert!(head.starts_with("HTTP/2 200"), "expected HTTP/2 200 from the proxy:\n{head}");
    assert!(body.contains("Served by nginx #1"), "unexpected page:\n{body}");
    let hsts = header(&head, "strict-transport-security").unwrap_or_else(|| panic!("no HSTS header:\n{head}"));
    assert!(hsts.starts_with("max-age="), "HSTS header `{hsts}`");

    // Plain HTTP on the proxy redirects to HTTPS.
    let output = run(Command::new(tool("curl"))
        .args(["-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}"])
        .arg("--resolve")
        .arg(format!("{SERVER_NAME}:80:{PROXY_ADDRESS}"))
        .arg(format!("http://{SERVER_NAME}/page?x=1")));
    assert!(output.status.success(), "curl failed:\n{}", render(&output, &[]));
    assert_eq!(String::from_utf8_lossy(&output.stdout), format!("301 https://{SERVER_NAME}/page?x=1"));

    // Upstream keepalive: the web server's `accepts` counter grows by the connections the
    // proxy opens. Without `keepalive` in the upstream block that is one per request.
    let requests = 20;
    let before = deployment.upstream_accepts();
    for _ in 0..requests {
        let (head, _) = deployment.get_https("/");
        assert!(head.starts_with("HTTP/2 200"), "{head}");
    }
    let after = deployment.upstream_accepts();
    // One of the new connections is the second status request itself.
    let opened = (after - before).saturating_sub(1);
    let workers = deployment.proxy.workers();
    println!(
        "upstream accepts: {before} before, {after} after {requests} proxied requests: \
         {opened} new upstream connection(s) from {workers} proxy worker(s)"
    );
    assert!(
        opened <= workers.max(1) as u64 && opened < requests / 4,
        "{requests} requests through the proxy opened {opened} upstream connections; \
         kept-alive connections should have been reused"
    );
}

#[test]
fn sslscan_finds_only_modern_protocols_and_strong_ciphers() {
    let _lock = loopback_lock();
    let dir = TestDir::new();
    let _deployment = Deployment::start(&dir);

    // sslscan's exit code is 0 whatever it finds: read its XML report.
    let output = run(Command::new(tool("sslscan"))
        .args(["--no-colour", "--xml=-"])
        .arg(format!("--sni-name={SERVER_NAME}"))
        .arg(format!("{PROXY_ADDRESS}:443")));
    let xml = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success() && xml.contains("</document>"), "sslscan failed:\n{}", render(&output, &[]));

    let elements = |name: &str| -> Vec<&str> {
        let open = format!("<{name} ");
        xml.lines().map(str::trim).filter(|line| line.starts_with(&open)).collect()
    };
    let mut problems = Vec::new();
    let mut enabled = Vec::new();
    for (kind, version) in [("ssl", "2"), ("ssl", "3"), ("tls", "1.0"), ("tls", "1.1"), ("tls", "1.2"), ("tls", "1.3")]
    {
        let protocol = elements("protocol")
            .into_iter()
            .find(|e| attribute(e, "type") == Some(kind) && attribute(e, "version") == Some(version))
            .unwrap_or_else(|| panic!("sslscan did not report {kind} {version}:\n{xml}"));
        if attribute(protocol, "enabled") == Some("1") {
            enabled.push(format!("{}v{version}", kind.to_uppercase()));
            if !matches!(version, "1.2" | "1.3") {
                problems.push(format!("{}v{version} is enabled", kind.to_uppercase()));
            }
        }
    }
    let mut accepted = Vec::new();
    for cipher in elements("cipher") {
        let name = attribute(cipher, "cipher").unwrap_or_default();
        let strength = attribute(cipher, "strength").unwrap_or_default();
        let version = attribute(cipher, "sslversion").unwrap_or_default();
        accepted.push(format!("{version} {name} ({strength})"));
        if weak_cipher(name) || matches!(strength, "null" | "anonymous" | "weak" | "insecure") {
            problems.push(format!("weak cipher accepted: {version} {name} ({strength})"));
        }
    }
    for heartbleed in elements("heartbleed") {
        if attribute(heartbleed, "vulnerable") != Some("0") {
            problems.push(format!("heartbleed: {heartbleed}"));
        }
    }
    for renegotiation in elements("renegotiation") {
        if attribute(renegotiation, "supported") == Some("1") && attribute(renegotiation, "secure") != Some("1") {
            problems.push("insecure renegotiation is supported".to_owned());
        }
    }
    println!("sslscan: enabled {}; accepted ciphers:\n  {}", enabled.join(", "), accepted.join("\n  "));
    assert!(!enabled.is_empty() && !accepted.is_empty(), "sslscan could not talk to the proxy:\n{xml}");
    assert!(problems.is_empty(), "sslscan found weaknesses:\n  {}\n{xml}", problems.join("\n  "));
}

/// Both servers of the stack, built for loopback addresses and running until dropped.
struct Deployment {
    cert: Cert,
    // Dropped in this order: the proxy first, then the server behind it.
    proxy: Running,
    _web: Running,
}

impl Deployment {
    fn start(dir: &TestDir) -> Self {
        let bundle = build_stack(
            STACK,
            &dir.path().join("out"),
            &["--set", &format!("web_address={WEB_ADDRESS}"), "--set", &format!("proxy_address={PROXY_ADDRESS}")],
        );
        let cert = Cert::new(dir.path(), SERVER_NAME);
        let web = Root::new(&bundle, "web1", &dir.path().join("web1"), &cert).start();
        let proxy = Root::new(&bundle, "proxy1", &dir.path().join("proxy1"), &cert).start();
        Deployment { cert, proxy, _web: web }
    }

    /// GET `path` from the proxy by its server name, trusting only the test certificate.
    /// Returns the response head and body.
    fn get_https(&self, path: &str) -> (String, String) {
        let output = run(Command::new(tool("curl"))
            .args(["-sS", "-i", "--max-time", "10", "--cacert"])
            .arg(&self.cert.cert)
            .arg("--resolve")
            .arg(format!("{SERVER_NAME}:443:{PROXY_ADDRESS}"))
            .arg(format!("https://{SERVER_NAME}:443{path}")));
        assert!(output.status.success(), "curl failed:\n{}", render(&output, &[]));
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        (head.to_owned(), body.to_owned())
    }

    /// The `accepts` counter of the web server's stub_status page (allowed from loopback).
    fn upstream_accepts(&self) -> u64 {
        let output = run(Command::new(tool("curl"))
            .args(["-sS", "--fail", "--max-time", "10"])
            .arg(format!("http://{WEB_ADDRESS}/nginx_status")));
        assert!(output.status.success(), "status page:\n{}", render(&output, &[]));
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        // Active connections: 1
        // server accepts handled requests
        //  4 4 23
        let line = text
            .lines()
            .skip_while(|l| !l.starts_with("server accepts"))
            .nth(1)
            .unwrap_or_else(|| panic!("unexpected status page:\n{text}"));
        line.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("status page:\n{text}"))
    }
}

/// A host tree of a bundle, copied under a test root with its absolute paths moved there.
pub(crate) struct Root {
    dir: PathBuf,
    conf: PathBuf,
}

impl Root {
    pub(crate) fn new(bundle: &Path, host: &str, dir: &Path, cert: &Cert) -> Self {
        copy_tree(&bundle.join("hosts").join(host), dir);
        let nginx = dir.join("etc/nginx");
        let conf = nginx.join("nginx.conf");
        assert!(conf.is_file(), "the bundle has no /etc/nginx/nginx.conf for {host}");
        for file in files_under(&nginx) {
            let text = fs::read_to_string(&file).expect("read config");
            fs::write(&file, move_paths(&text, dir)).expect("write config");
        }
        // Installed by the nginx package, not by the bundle.
        let mime = nginx.join("mime.types");
        assert!(!mime.exists(), "the bundle should not ship mime.types");
        fs::copy("/etc/nginx/mime.types", &mime).expect("copy /etc/nginx/mime.types (is nginx installed?)");
        for sub in ["run", "var/log/nginx", "var/lib/nginx"] {
            fs::create_dir_all(dir.join(sub)).expect("mkdir");
        }
        // The package's compiled-in temporary directories are under /var/lib/nginx; the
        // generated configuration leaves them alone, so the test moves them (http context).
        let temp = dir.join("var/lib/nginx");
        let mut paths = String::from("# Added by the test: temporary files under the test root.\n");
        for kind in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"] {
            paths.push_str(&format!("{kind}_temp_path {};\n", temp.join(kind).display()));
        }
        let conf_d = nginx.join("conf.d");
        assert!(conf_d.is_dir(), "the bundle has no /etc/nginx/conf.d for {host}");
        fs::write(conf_d.join("zz-test-paths.conf"), paths).expect("write test paths");

        let root = Root { dir: dir.to_owned(), conf };
        // The secret files: present nowhere in the bundle, expected where the config says.
        for (directive, path) in root.directives(&["ssl_certificate", "ssl_certificate_key"]) {
            let path = PathBuf::from(path);
            assert!(path.starts_with(dir), "`{directive} {}` is outside /etc/nginx", path.display());
            assert!(!path.exists(), "{} is a secret; the bundle must not contain it", path.display());
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            let (source, mode) = if directive == "ssl_certificate" { (&cert.cert, 0o644) } else { (&cert.key, 0o600) };
            fs::copy(source, &path).expect("copy certificate");
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).expect("chmod");
        }
        root
    }

    /// Arguments of every occurrence of the given directives in the configuration.
    fn directives(&self, names: &[&str]) -> Vec<(String, String)> {
        let mut found = Vec::new();
        for file in files_under(&self.dir.join("etc/nginx")) {
            for line in fs::read_to_string(&file).expect("read config").lines() {
                let line = line.trim();
                let Some((name, rest)) = line.split_once(char::is_whitespace) else {
                    continue;
                };
                if names.contains(&name) {
                    found.push((name.to_owned(), rest.trim().trim_end_matches(';').trim().to_owned()));
                }
            }
        }
        found
    }

    /// The addresses the `listen` directives bind.
    fn listen_addresses(&self) -> Vec<IpAddr> {
        let mut addresses: Vec<IpAddr> = self
            .directives(&["listen"])
            .into_iter()
            .filter_map(|(_, args)| {
                let first = args.split_whitespace().next()?.to_owned();
                let host = match first.rsplit_once(':') {
                    Some((host, _port)) => host.trim_start_matches('[').trim_end_matches(']').to_owned(),
                    None => first,
                };
                host.parse().ok()
            })
            .collect();
        addresses.sort();
        addresses.dedup();
        addresses
    }

    /// Starts nginx on this root (it daemonizes); stopped when the result is dropped.
    pub(crate) fn start(self) -> Running {
        let log = self.dir.join("var/log/nginx/error.log");
        let startup = self.dir.join("startup.log");
        let mut running = Running { pid_file: self.dir.join("run/nginx.pid"), log: log.clone(), pid: None };
        // The daemon keeps the descriptors it inherits: give it files, never pipes.
        let status = Command::new(tool("nginx"))
            .arg("-e")
            .arg(&log)
            .arg("-p")
            .arg(&self.dir)
            .arg("-c")
            .arg(&self.conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(&startup).expect("startup log"))
            .status()
            .expect("run nginx");
        if !status.success() {
            panic!(
                "nginx did not start on {}:\n{}\n{}",
                self.dir.display(),
                fs::read_to_string(&startup).unwrap_or_default(),
                fs::read_to_string(&log).unwrap_or_default()
            );
        }
        // The foreground process exits before the daemon writes its pid file.
        let deadline = Instant::now() + Duration::from_secs(10);
        while running.pid.is_none() {
            running.pid = fs::read_to_string(&running.pid_file).ok().and_then(|t| t.trim().parse().ok());
            assert!(
                Instant::now() < deadline,
                "nginx wrote no pid file:\n{}",
                fs::read_to_string(&log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        running
    }
}

/// A daemonized nginx, stopped gracefully (`kill -QUIT`) when dropped, even by a failing test.
pub(crate) struct Running {
    pid_file: PathBuf,
    log: PathBuf,
    pid: Option<u32>,
}

impl Running {
    /// The master's worker processes, from /proc.
    fn workers(&self) -> usize {
        let Some(master) = self.pid else { return 0 };
        fs::read_dir("/proc")
            .expect("/proc")
            .filter_map(|entry| fs::read_to_string(entry.ok()?.path().join("stat")).ok())
            .filter(|stat| {
                // pid (comm) state ppid …
                let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
                after.split_whitespace().nth(1) == Some(master.to_string().as_str())
            })
            .count()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A daemon that started but was not seen yet still has its pid file.
        let pid = self.pid.or_else(|| fs::read_to_string(&self.pid_file).ok()?.trim().parse().ok());
        let Some(pid) = pid else { return };
        let signal = |name: &str| {
            let _ = Command::new("kill").arg(format!("-{name}")).arg(pid.to_string()).stderr(Stdio::null()).status();
        };
        signal("QUIT");
        let deadline = Instant::now() + Duration::from_secs(10);
        // nginx removes its pid file as the master exits.
        while self.pid_file.exists() {
            if Instant::now() > deadline {
                signal("KILL");
                let _ = fs::remove_file(&self.pid_file);
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if std::thread::panicking() {
            eprintln!("--- {} ---\n{}", self.log.display(), fs::read_to_string(&self.log).unwrap_or_default());
        }
    }
}

/// A temporary directory that nginx's unprivileged workers (`user www-data;`) can read.
struct TestDir(tempfile::TempDir);

impl TestDir {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
        TestDir(dir)
    }

    fn path(&self) -> &Path {
        self.0.path()
    }
}

/// The runtime tests bind the same loopback addresses and ports: one at a time, in this
/// process (the mutex) and across test processes on the machine (the file lock).
fn loopback_lock() -> (MutexGuard<'static, ()>, fs::File) {
    static LOCK: Mutex<()> = Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let path = std::env::temp_dir().join("stackc-nginx-loopback.lock");
    let file = fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).expect("lock file");
    file.lock().expect("lock");
    (guard, file)
}

/// Replaces the absolute paths in [`MOVED`] with the same paths under `root`, where they
/// start a word (so nothing is moved twice).
fn move_paths(text: &str, root: &Path) -> String {
    let root = root.to_str().expect("utf-8 path");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let starts_word = out.chars().last().is_none_or(|p| p.is_whitespace() || p == '"' || p == '\'');
        if starts_word && let Some(prefix) = MOVED.iter().find(|p| rest.starts_with(*p)) {
            out.push_str(root);
            out.push_str(prefix);
            rest = &rest[prefix.len()..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

fn host_names(bundle: &Path) -> Vec<String> {
    let mut hosts: Vec<String> = fs::read_dir(bundle.join("hosts"))
        .expect("hosts/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    hosts.sort();
    hosts
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(d) = pending.pop() {
        for entry in fs::read_dir(&d).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// NULL, anonymous, export-grade, RC4, DES and triple-DES suites, in OpenSSL or IANA names.
fn weak_cipher(name: &str) -> bool {
    let upper = name.to_uppercase();
    let parts: Vec<&str> = upper.split(['-', '_']).collect();
    ["NULL", "ANON", "EXP", "RC4", "3DES", "DES-CBC"].iter().any(|bad| upper.contains(bad))
        || ["ADH", "AECDH", "DES"].iter().any(|bad| parts.contains(bad))
}

/// The value of an XML attribute in a one-line element.
fn attribute<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let start = element.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = element[start..].find('"')?;
    Some(&element[start..start + len])
}

/// A response header's value (names compared without case).
fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim().to_owned())
    })
}
