//! The `registry` plugin run for real: Debian's docker-registry started from the generated
//! configuration (on a loopback address, with the deploy-time files a deployment would write:
//! an htpasswd made with `htpasswd -B`, a key made with openssl), then the registry API through
//! curl: TLS with the stack's certificate, no access without a user, a blob pushed and pulled
//! back with one, and Prometheus metrics on their own port.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::{Children, Scratch, render, run, spawn, tool};
use crate::http::wait_for;

/// The test's address (other runtime tests use 127.0.4–127.0.6).
const ADDRESS: &str = "127.0.7.1";

const STACK: &str = r#"stack "images"

secret "registry-htpasswd" vault="vault_registry_htpasswd"
secret "registry-key" vault="vault_registry_key"

host "reg1" address="127.0.7.1"

service "registry" plugin="registry" on="reg1" {
    users (secret)"registry-htpasswd"
    tls {
        certificate (file)"registry.crt"
        key (secret)"registry-key"
    }
    delete #true
    metrics-port 5001
}
"#;

/// `curl` with the stack's certificate as the only CA, printing the status after the body.
fn curl(dir: &Path, args: &[&str]) -> (u16, String) {
    let output = run(Command::new(tool("curl"))
        .args(["--silent", "--show-error", "--cacert"])
        .arg(dir.join("registry.crt"))
        .args(["--write-out", "\n%{http_code}"])
        .args(args));
    assert!(output.status.success(), "curl {args:?}:\n{}", render(&output, &[]));
    let text = String::from_utf8(output.stdout).expect("curl prints UTF-8");
    let (body, status) = text.rsplit_once('\n').expect("a status line");
    (status.parse().expect("a status"), body.to_owned())
}

#[test]
fn the_generated_registry_serves_pushes_and_pulls_to_its_users_only() {
    let scratch = Scratch::new();
    let dir = scratch.path();
    let output = run(Command::new(tool("openssl")).current_dir(dir).args([
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=registry",
        "-addext",
        &format!("subjectAltName=IP:{ADDRESS}"),
        "-keyout",
        "tls.key",
        "-out",
        "registry.crt",
    ]));
    assert!(output.status.success(), "openssl:\n{}", render(&output, &[]));
    scratch.write("stack.kdl", STACK);
    let output = run(&mut scratch.stackc(&["build", "stack.kdl", "--out", "out"]));
    assert!(output.status.success(), "stackc build:\n{}", render(&output, &[]));
    let bundle = dir.join("out/images/current");
    let config = fs::read_to_string(bundle.join("hosts/reg1/etc/docker/registry/config.yml")).expect("config");
    let site = fs::read_to_string(bundle.join("ansible/site.yml")).expect("site.yml");
    assert!(site.contains("{{ vault_registry_htpasswd }}") && site.contains("{{ vault_registry_key }}"), "{site}");
    assert!(!config.contains("BEGIN") && !site.contains("PRIVATE KEY"), "a secret in the bundle");

    // What the deployment puts on the host, here under the scratch directory.
    let etc = dir.join("etc");
    fs::create_dir_all(&etc).expect("mkdir");
    let certificate = fs::read(bundle.join("hosts/reg1/etc/docker/registry/tls.crt")).expect("the certificate");
    assert_eq!(certificate, fs::read(dir.join("registry.crt")).expect("the stack's certificate"));
    fs::write(etc.join("tls.crt"), certificate).expect("write");
    fs::rename(dir.join("tls.key"), etc.join("tls.key")).expect("move the key");
    let output = run(Command::new(tool("htpasswd")).arg("-Bbc").arg(etc.join("htpasswd")).args(["ci", "s3cret"]));
    assert!(output.status.success(), "htpasswd:\n{}", render(&output, &[]));
    let config = config
        .replace("/etc/docker/registry/", &format!("{}/", etc.display()))
        .replace("/var/lib/docker-registry", &dir.join("storage").display().to_string());
    fs::write(dir.join("config.yml"), config).expect("write");

    let _registry = Children(vec![spawn(
        Command::new(tool("docker-registry")).arg("serve").arg(dir.join("config.yml")),
        &dir.join("registry.log"),
    )]);
    let base = format!("https://{ADDRESS}:5000/v2");
    wait_for("the registry", || std::net::TcpStream::connect((ADDRESS, 5000)).is_ok());

    assert_eq!(curl(dir, &[&format!("{base}/")]).0, 401, "anyone may use the registry");
    assert_eq!(curl(dir, &["-u", "ci:wrong", &format!("{base}/")]).0, 401, "a wrong password is let in");
    assert_eq!(curl(dir, &["-u", "ci:s3cret", &format!("{base}/")]).0, 200);

    // A monolithic blob upload: start a session, then put the bytes with their digest.
    let blob = dir.join("blob");
    fs::write(&blob, b"a layer of the task tracker\n").expect("write");
    let digest = format!("sha256:{}", crate::common::sha256_hex(&fs::read(&blob).expect("blob")));
    let headers = dir.join("headers");
    let upload = [
        "-u",
        "ci:s3cret",
        "-X",
        "POST",
        "--dump-header",
        headers.to_str().expect("UTF-8"),
        &format!("{base}/tasktracker/api/blobs/uploads/"),
    ];
    assert_eq!(curl(dir, &upload).0, 202);
    let headers = fs::read_to_string(headers).expect("headers");
    let location = headers
        .lines()
        .find_map(|l| l.strip_prefix("Location: ").or_else(|| l.strip_prefix("location: ")))
        .expect("an upload location")
        .trim();
    let separator = if location.contains('?') { '&' } else { '?' };
    let put = [
        "-u",
        "ci:s3cret",
        "-X",
        "PUT",
        "-H",
        "Content-Type: application/octet-stream",
        "--data-binary",
        &format!("@{}", blob.display()),
        &format!("{location}{separator}digest={digest}"),
    ];
    assert_eq!(curl(dir, &put).0, 201);
    let (status, body) = curl(dir, &["-u", "ci:s3cret", &format!("{base}/tasktracker/api/blobs/{digest}")]);
    assert_eq!((status, body.as_str()), (200, "a layer of the task tracker\n"));

    let metrics = run(Command::new(tool("curl")).args(["--silent", &format!("http://{ADDRESS}:5001/metrics")]));
    let metrics = String::from_utf8_lossy(&metrics.stdout);
    assert!(metrics.contains("registry_http_requests_total"), "no registry metrics:\n{metrics}");
}
