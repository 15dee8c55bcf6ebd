//! The service-level monitoring of `tests/fixtures/slo/stack.kdl`, checked by the real tools:
//! promtool accepts the Prometheus config with its probe jobs and the rules, the unit tests
//! shipped in the bundle pass (and fail when an alert's threshold is wrong), the blackbox
//! exporter accepts its config, and at runtime the exporter, run from the generated config,
//! probes the generated target URLs on a stand-in server: the percent-encoded non-ASCII path
//! answers, a 503 is seen as one, and an answer slower than the budget fails the probe; and
//! nginx's exporter, run with its generated arguments, reads the stand-in's status page.

use std::fs;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::{Children, build_stack, render, run, spawn, tool};

const STACK: &str = "compiler/stackc-cli/tests/fixtures/slo/stack.kdl";
/// The runtime test's addresses and ports: `--set subnet=127.0.5`, unprivileged ports.
const SUBNET: &str = "127.0.5";
const LB_PORT: &str = "18080";
const WEB_PORT: &str = "18081";

fn ok(output: &Output, what: &str) -> String {
    let text = render(output, &[]);
    assert!(output.status.success(), "{what} failed:\n{text}");
    text
}

struct Built {
    dir: tempfile::TempDir,
    bundle: PathBuf,
}

impl Built {
    fn new(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let bundle = build_stack(STACK, &dir.path().join("out"), extra);
        Built { dir, bundle }
    }

    fn host_file(&self, host: &str, path: &str) -> PathBuf {
        self.bundle.join("hosts").join(host).join(path.trim_start_matches('/'))
    }

    fn read(&self, host: &str, path: &str) -> String {
        let file = self.host_file(host, path);
        fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
    }
}

/// mon1's `/etc/prometheus` of `bundle` copied under `root`, with the config's absolute paths
/// moved there.
pub(crate) fn prometheus_root(bundle: &Path, root: &Path) -> PathBuf {
    let host = bundle.join("hosts/mon1/etc/prometheus");
    let etc = root.join("etc/prometheus");
    fs::create_dir_all(etc.join("rules")).expect("mkdir");
    for entry in fs::read_dir(host.join("rules")).expect("rules directory") {
        let entry = entry.expect("entry");
        fs::copy(entry.path(), etc.join("rules").join(entry.file_name())).expect("copy rules");
    }
    let config = fs::read_to_string(host.join("prometheus.yml")).expect("prometheus.yml");
    assert!(config.contains("\"/etc/prometheus/rules/*.yml\""), "{config}");
    fs::write(etc.join("prometheus.yml"), config.replace("/etc/prometheus", &etc.display().to_string()))
        .expect("write config");
    etc
}

#[test]
fn promtool_accepts_the_probe_jobs_and_the_service_level_rules() {
    let built = Built::new(&[]);
    let etc = prometheus_root(&built.bundle, &built.dir.path().join("root"));
    let output = run(Command::new(tool("promtool")).args(["check", "config"]).arg(etc.join("prometheus.yml")));
    let text = ok(&output, "promtool check config");
    assert!(text.contains("SUCCESS: 1 rule files found") && text.contains("SUCCESS: 10 rules found"), "{text}");
    let output = run(Command::new(tool("promtool")).args(["check", "rules"]).arg(etc.join("rules/prometheus.yml")));
    assert!(ok(&output, "promtool check rules").contains("SUCCESS: 10 rules found"));

    // One job per probe, one URL per (host, path), the non-ASCII path percent-encoded; and a
    // scrape job for every metrics endpoint: balancers, web servers and the exporter itself.
    let config = built.read("mon1", "/etc/prometheus/prometheus.yml");
    for line in [
        "- job_name: \"probe-api\"",
        "- job_name: \"probe-landing\"",
        "- \"http://10.40.0.11:80/%D0%BA%D1%96%D0%BB%D1%8C%D1%86%D0%B5-%D0%BA%D1%96%D0%BB%D1%8C%D1%86%D0%B5\"",
        "- \"http://10.40.0.12:80/\"",
        "- \"http://10.40.0.31:80/api/\"",
        "replacement: \"10.40.0.41:9115\"",
        "- job_name: \"lb\"",
        "- job_name: \"web\"",
        "- job_name: \"api\"",
        "- job_name: \"blackbox\"",
        "- targets: [\"10.40.0.31:9113\"]",
        "- targets: [\"10.40.0.11:8405\"]",
    ] {
        assert!(config.contains(line), "no `{line}` in:\n{config}");
    }
}

#[test]
fn the_shipped_unit_tests_pass_and_catch_a_wrong_threshold() {
    let built = Built::new(&[]);
    let tests = built.bundle.join("services/prometheus");
    let output = run(Command::new(tool("promtool")).args(["test", "rules", "rules_test.yml"]).current_dir(&tests));
    assert!(ok(&output, "promtool test rules").contains("SUCCESS"));
    let shipped = fs::read_to_string(tests.join("rules_test.yml")).expect("test file");
    for alert in
        ["EntryPointSlow", "EntryPointServerError", "EntryPointFailed", "BackendServerError", "BackendNoServerUp"]
    {
        assert!(shipped.contains(&format!("alertname: {alert}\n        exp_alerts:\n          - ")), "{alert}");
        assert!(shipped.contains(&format!("alertname: {alert}\n        exp_alerts: []")), "{alert} silent");
    }

    // The same tests against rules whose budget is 5 s: the slow entry point goes unnoticed.
    let copy = built.dir.path().join("copy");
    let rules = copy.join("hosts/mon1/etc/prometheus/rules/prometheus.yml");
    fs::create_dir_all(rules.parent().expect("parent")).expect("mkdir");
    fs::create_dir_all(copy.join("services/prometheus")).expect("mkdir");
    let text = built.read("mon1", "/etc/prometheus/rules/prometheus.yml");
    let lax = text
        .replace(r#"probe_duration_seconds{job="probe-api"} > 2'"#, r#"probe_duration_seconds{job="probe-api"} > 5'"#);
    assert_ne!(lax, text, "{text}");
    fs::write(&rules, lax).expect("write rules");
    fs::copy(tests.join("rules_test.yml"), copy.join("services/prometheus/rules_test.yml")).expect("copy");
    let output = run(Command::new(tool("promtool"))
        .args(["test", "rules", "rules_test.yml"])
        .current_dir(copy.join("services/prometheus")));
    let text = render(&output, &[]);
    assert!(!output.status.success() && text.contains("alertname: EntryPointSlow"), "{text}");
}

#[test]
fn the_blackbox_exporter_accepts_its_config() {
    let built = Built::new(&[]);
    let config = built.host_file("mon1", "/etc/prometheus/blackbox.yml");
    let check = |file: &Path| {
        run(Command::new(tool("prometheus-blackbox-exporter"))
            .arg("--config.check")
            .arg(format!("--config.file={}", file.display())))
    };
    let text = ok(&check(&config), "prometheus-blackbox-exporter --config.check");
    assert!(text.contains("Config file is ok"), "{text}");
    // The check is real: a misspelt key is refused.
    let generated = fs::read_to_string(&config).expect("config");
    assert!(generated.contains("      follow_redirects: false\n"), "{generated}");
    let broken = built.dir.path().join("broken.yml");
    fs::write(&broken, generated.replace("follow_redirects:", "follow_redirect:")).expect("write");
    assert!(!check(&broken).status.success(), "a broken config passed");
}

/// Answers `/кільце-кільце` (percent-encoded on the wire) with 200, `/` with 503, `/api/`
/// with 200 after 3 s, `/nginx_status` as nginx's stub_status does, anything else with 404;
/// on every `address:port` given.
const SERVER: &str = r#"
import sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        path = urllib.parse.unquote(self.path, errors="strict")
        if path == "/кільце-кільце":
            status = 200
        elif path == "/":
            status = 503
        elif path == "/api/":
            time.sleep(3)
            status = 200
        elif path == "/nginx_status":
            status = 200
        else:
            status = 404
        body = ("%d for %s\n" % (status, self.path)).encode()
        if path == "/nginx_status":
            body = b"Active connections: 7 \nserver accepts handled requests\n 10 10 20 \nReading: 0 Writing: 1 Waiting: 6 \n"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

servers = []
for listen in sys.argv[1:]:
    address, port = listen.rsplit(":", 1)
    server = ThreadingHTTPServer((address, int(port)), Handler)
    servers.append(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
threading.Event().wait()
"#;

fn wait_for_port(authority: &str, logs: &[&Path]) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while TcpStream::connect(authority).is_err() {
        if Instant::now() > deadline {
            let logs: String = logs
                .iter()
                .map(|f| format!("--- {}\n{}", f.display(), fs::read_to_string(f).unwrap_or_default()))
                .collect();
            panic!("nothing listens on {authority} after 15 s\n{logs}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `ARGS="…"` of an `/etc/default` file, split into words.
fn default_args(text: &str) -> Vec<String> {
    let line = text.lines().find_map(|l| l.strip_prefix("ARGS=")).unwrap_or_else(|| panic!("no ARGS in:\n{text}"));
    line.trim_matches('"').split_whitespace().map(str::to_owned).collect()
}

/// The value of a sample without labels in a metrics page.
fn sample(page: &str, name: &str) -> f64 {
    let line = page
        .lines()
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no {name} in:\n{page}"));
    line.trim().parse().unwrap_or_else(|e| panic!("{name} {line}: {e}"))
}

#[test]
fn the_exporter_probes_the_generated_targets() {
    let subnet = format!("subnet={SUBNET}");
    let lb_port = format!("lb_port={LB_PORT}");
    let web_port = format!("web_port={WEB_PORT}");
    let built = Built::new(&["--set", &subnet, "--set", &lb_port, "--set", &web_port]);
    let config = built.read("mon1", "/etc/prometheus/prometheus.yml");
    let targets: Vec<&str> =
        config.lines().filter_map(|l| l.trim().strip_prefix("- \"http")).map(|l| l.trim_end_matches('"')).collect();
    let target = |ending: &str| -> String {
        let found = targets
            .iter()
            .find(|t| t.ends_with(ending))
            .unwrap_or_else(|| panic!("no target ending in {ending}:\n{config}"));
        format!("http{found}")
    };
    let ring = target(&format!(
        "{SUBNET}.11:{LB_PORT}/%D0%BA%D1%96%D0%BB%D1%8C%D1%86%D0%B5-%D0%BA%D1%96%D0%BB%D1%8C%D1%86%D0%B5"
    ));
    let root = target(&format!("{SUBNET}.11:{LB_PORT}/"));
    let slow = target(&format!("{SUBNET}.31:{WEB_PORT}/api/"));
    assert!(config.contains("      module: [\"http_2xx\"]\n"), "{config}");

    let mut processes = Children(Vec::new());
    let script = built.dir.path().join("server.py");
    fs::write(&script, SERVER).expect("write server");
    let server_log = built.dir.path().join("server.log");
    let lb1 = format!("{SUBNET}.11:{LB_PORT}");
    let web1 = format!("{SUBNET}.31:{WEB_PORT}");
    processes.0.push(spawn(Command::new(tool("python3")).arg(&script).arg(&lb1).arg(&web1), &server_log));

    let mut args = default_args(&built.read("mon1", "/etc/default/prometheus-blackbox-exporter"));
    let exporter = format!("{SUBNET}.41:9115");
    assert_eq!(
        args,
        ["--config.file=/etc/prometheus/blackbox.yml".to_owned(), format!("--web.listen-address={exporter}")]
    );
    args[0] = format!("--config.file={}", built.host_file("mon1", "/etc/prometheus/blackbox.yml").display());
    let exporter_log = built.dir.path().join("blackbox.log");
    processes.0.push(spawn(Command::new(tool("prometheus-blackbox-exporter")).args(&args), &exporter_log));
    for authority in [&lb1, &web1, &exporter] {
        wait_for_port(authority, &[&server_log, &exporter_log]);
    }

    let probe = |url: &str| -> String {
        let output = run(Command::new(tool("curl"))
            .args(["-sS", "--max-time", "10", "-G"])
            .arg(format!("http://{exporter}/probe"))
            .args(["--data-urlencode", "module=http_2xx", "--data-urlencode"])
            .arg(format!("target={url}")));
        ok(&output, &format!("probing {url}"));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let page = probe(&ring);
    assert_eq!((sample(&page, "probe_success"), sample(&page, "probe_http_status_code")), (1.0, 200.0), "{page}");
    let page = probe(&root);
    assert_eq!((sample(&page, "probe_success"), sample(&page, "probe_http_status_code")), (0.0, 503.0), "{page}");
    // The stand-in answers after 3 s; the exporter gives up before the 2 s budget is spent.
    let page = probe(&slow);
    let duration = sample(&page, "probe_duration_seconds");
    assert_eq!(sample(&page, "probe_success"), 0.0, "{page}");
    assert!((1.5..2.0).contains(&duration), "the probe took {duration} s:\n{page}");

    // The web server's exporter reads the status page where web1's nginx listens.
    let args = default_args(&built.read("web1", "/etc/default/prometheus-nginx-exporter"));
    let metrics = format!("{SUBNET}.31:9113");
    assert_eq!(
        args,
        [format!("-nginx.scrape-uri=http://{web1}/nginx_status"), format!("-web.listen-address={metrics}")]
    );
    let nginx_log = built.dir.path().join("nginx-exporter.log");
    processes.0.push(spawn(Command::new(tool("prometheus-nginx-exporter")).args(&args), &nginx_log));
    wait_for_port(&metrics, &[&nginx_log]);
    let output =
        run(Command::new(tool("curl")).args(["-sS", "--max-time", "10"]).arg(format!("http://{metrics}/metrics")));
    let page = ok(&output, "reading the nginx exporter's metrics");
    assert!(page.contains("\nnginx_up 1\n") && page.contains("\nnginx_connections_active 7\n"), "{page}");
}
