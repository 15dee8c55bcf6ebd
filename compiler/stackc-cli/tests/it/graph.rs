//! `stackc graph`: DOT that Graphviz renders, and Mermaid.

use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::common::{stackc, tool, workspace};

fn graph(format: &str) -> String {
    let output = stackc()
        .current_dir(workspace())
        .args(["graph", "stacks/web-tls.kdl", "--format", format])
        .output()
        .expect("run stackc");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("utf-8")
}

#[test]
fn web_tls_renders_with_graphviz() {
    let dot = graph("dot");
    assert!(dot.contains("label=\"http\""), "the proxy's reference to the site: {dot}");
    let mut child = Command::new(tool("dot"))
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run dot");
    child.stdin.take().expect("stdin").write_all(dot.as_bytes()).expect("write");
    let output = child.wait_with_output().expect("dot");
    assert!(output.status.success() && output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
    let svg = String::from_utf8_lossy(&output.stdout);
    assert!(svg.contains("<svg") && svg.contains("proxy1") && svg.contains("site"), "{svg}");
}

#[test]
fn web_tls_mermaid() {
    let mermaid = graph("mermaid");
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    assert!(mermaid.contains("-->|\"http\"|"), "{mermaid}");
    assert!(mermaid.contains("secret proxy-tls-key"), "{mermaid}");
}
