//! The Ansible side of the bundle of `stacks/web-tls.kdl`, checked with Ansible's own tools
//! from the project's virtualenv: the playbook parses, passes ansible-lint's default rules,
//! and the inventory puts every host in its groups.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{build_stack, render, tool, workspace};

const STACK: &str = "stacks/web-tls.kdl";

#[test]
fn playbook_passes_syntax_check() {
    let ansible = Ansible::new();
    let output = ansible.run("ansible-playbook", &["--syntax-check", "-i", "inventory.ini", "site.yml"]);
    assert!(output.status.success(), "ansible-playbook --syntax-check:\n{}", render(&output, &[]));
}

#[test]
fn playbook_passes_ansible_lint() {
    let ansible = Ansible::new();
    let output = ansible.run("ansible-lint", &["--offline"]);
    let text = render(&output, &[]);
    assert!(output.status.success(), "ansible-lint:\n{text}");
    assert!(text.contains("Passed: 0 failure(s), 0 warning(s)"), "ansible-lint:\n{text}");
}

#[test]
fn inventory_lists_every_host_and_group() {
    let ansible = Ansible::new();
    let output = ansible.run("ansible-inventory", &["-i", "inventory.ini", "--list"]);
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "ansible-inventory --list:\n{}", render(&output, &[]));
    let inventory = Json::parse(&text);

    let hostvars = inventory.get("_meta").and_then(|m| m.get("hostvars")).expect("_meta.hostvars");
    for (host, address) in [("web1", "10.20.0.11"), ("proxy1", "10.20.0.12")] {
        let vars = hostvars.get(host).unwrap_or_else(|| panic!("host {host} is missing:\n{text}"));
        assert_eq!(vars.get("ansible_host"), Some(&Json::String(address.to_owned())), "{host}:\n{text}");
    }
    // The stack's own groups, then one group per service.
    for (group, hosts) in
        [("web", ["web1"]), ("edge", ["proxy1"]), ("service_site", ["web1"]), ("service_proxy", ["proxy1"])]
    {
        let members = inventory
            .get(group)
            .and_then(|g| g.get("hosts"))
            .unwrap_or_else(|| panic!("group {group} is missing or empty:\n{text}"));
        let expected = Json::Array(hosts.iter().map(|h| Json::String((*h).to_owned())).collect());
        assert_eq!(members, &expected, "members of {group}:\n{text}");
        let children = inventory.get("all").and_then(|a| a.get("children")).expect("all.children");
        assert!(
            matches!(children, Json::Array(c) if c.contains(&Json::String(group.to_owned()))),
            "{group} is not a child of all:\n{text}"
        );
    }
}

/// The bundle's `ansible/` directory and an environment that keeps Ansible's state in a
/// temporary home.
pub(crate) struct Ansible {
    dir: tempfile::TempDir,
    pub(crate) bundle: PathBuf,
}

impl Ansible {
    fn new() -> Self {
        Ansible::of(STACK)
    }

    /// The bundle of `stack`, built with its defaults.
    pub(crate) fn of(stack: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let bundle = build_stack(stack, &dir.path().join("out"), &[]);
        std::fs::create_dir_all(dir.path().join("home")).expect("mkdir home");
        Ansible { dir, bundle }
    }

    /// `site.yml` parses (`ansible-playbook --syntax-check`) and passes ansible-lint's default
    /// rules with no warning.
    pub(crate) fn assert_playbook_passes_checks(&self) {
        let output = self.run("ansible-playbook", &["--syntax-check", "-i", "inventory.ini", "site.yml"]);
        assert!(output.status.success(), "ansible-playbook --syntax-check:\n{}", render(&output, &[]));
        let output = self.run("ansible-lint", &["--offline"]);
        let text = render(&output, &[]);
        assert!(
            output.status.success() && text.contains("Passed: 0 failure(s), 0 warning(s)"),
            "ansible-lint:\n{text}"
        );
    }

    /// Runs `program` in the bundle's `ansible/` directory.
    pub(crate) fn run(&self, program: &str, args: &[&str]) -> Output {
        let program = tool(program);
        // ansible-lint runs ansible-playbook and ansible-galaxy by name.
        let venv = workspace().join(".venv/bin");
        let mut path = vec![venv, program.parent().expect("parent").to_owned()];
        path.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
        let home = self.dir.path().join("home");
        Command::new(&program)
            .args(args)
            .current_dir(self.bundle.join("ansible"))
            .env("PATH", std::env::join_paths(path).expect("PATH"))
            .env("HOME", &home)
            .env("ANSIBLE_LOCAL_TEMP", home.join("tmp"))
            .env("ANSIBLE_INVENTORY_UNPARSED_FAILED", "true")
            .env("ANSIBLE_NOCOLOR", "1")
            .env("NO_COLOR", "1")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", display(&program)))
    }
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

/// Just enough JSON for `ansible-inventory --list`.
#[derive(Debug, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(BTreeMap<String, Json>),
}

impl Json {
    fn parse(text: &str) -> Json {
        let mut parser = Parser { text: text.as_bytes(), at: 0 };
        let value = parser.value();
        parser.space();
        assert_eq!(parser.at, text.len(), "trailing text after JSON:\n{text}");
        value
    }

    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(map) => map.get(key),
            _ => None,
        }
    }
}

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn space(&mut self) {
        while self.text.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.space();
        let found = self.text.get(self.at) == Some(&byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect(&mut self, byte: u8) {
        assert!(self.eat(byte), "expected `{}` at byte {} of the JSON", byte as char, self.at);
    }

    fn value(&mut self) -> Json {
        self.space();
        let rest = &self.text[self.at..];
        match rest.first() {
            Some(b'{') => {
                self.at += 1;
                let mut map = BTreeMap::new();
                if !self.eat(b'}') {
                    loop {
                        self.space();
                        let key = self.string();
                        self.expect(b':');
                        map.insert(key, self.value());
                        if !self.eat(b',') {
                            break;
                        }
                    }
                    self.expect(b'}');
                }
                Json::Object(map)
            }
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value());
                        if !self.eat(b',') {
                            break;
                        }
                    }
                    self.expect(b']');
                }
                Json::Array(items)
            }
            Some(b'"') => Json::String(self.string()),
            _ if rest.starts_with(b"null") => self.word(4, Json::Null),
            _ if rest.starts_with(b"true") => self.word(4, Json::Bool(true)),
            _ if rest.starts_with(b"false") => self.word(5, Json::Bool(false)),
            _ => {
                let len = rest.iter().take_while(|b| b"+-.0123456789eE".contains(b)).count();
                assert!(len > 0, "unexpected JSON at byte {}", self.at);
                self.at += len;
                Json::Number(String::from_utf8_lossy(&rest[..len]).into_owned())
            }
        }
    }

    fn word(&mut self, len: usize, value: Json) -> Json {
        self.at += len;
        value
    }

    fn string(&mut self) -> String {
        self.expect(b'"');
        let mut out = Vec::new();
        loop {
            let byte = *self.text.get(self.at).expect("unterminated JSON string");
            self.at += 1;
            match byte {
                b'"' => break,
                b'\\' => {
                    let escape = self.text[self.at];
                    self.at += 1;
                    match escape {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'u' => {
                            let hex = std::str::from_utf8(&self.text[self.at..self.at + 4]).expect("\\u escape");
                            self.at += 4;
                            let c = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32).unwrap_or('\u{fffd}');
                            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                        }
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
        }
        String::from_utf8(out).expect("utf-8 JSON string")
    }
}
