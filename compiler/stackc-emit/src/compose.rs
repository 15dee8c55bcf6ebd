//! The Compose target: one project for the services placed on it.
//!
//! - `compose/compose.yml`: the project (`name:`), its services (one per container), networks,
//!   volumes and secrets;
//! - `compose/.env.example`: every variable a secret comes from, with no value; `.env`, which
//!   holds the values, is git-ignored (`compose/.gitignore`);
//! - `compose/files/<container>/<path>`: the files mounted read-only into containers;
//! - `compose/build/<build>/…`: the context of each image build, with a `.dockerignore`;
//! - `compose/README.md`: the two commands that start the project.
//!
//! Compose interpolates `$` in every string of `compose.yml`: text from plugins is escaped
//! (`$$`), so only the emitter's own `${VARIABLE}` references to `.env` are read as such.

use stackc_bundle::{File, Producer};
use stackc_plugin_host::{Container, RestartPolicy};

use crate::plan::compose::{ComposePlan, ComposeService};
use crate::plan::{Plan, Target};
use crate::yaml::{self, Map, Scalar, Seq, Yaml};

/// Kept out of every build context, so no image can carry them.
const DOCKERIGNORE: &str = "\
# Kept out of the build context, so that no image can carry them.
.env
.env.*
.git
*.key
*.pem
";

pub(crate) fn emit(plan: &Plan<'_>) -> Vec<File> {
    let Some(project) = &plan.compose else { return Vec::new() };
    let target = |path: &str, contents: String| File {
        path: format!("compose/{path}"),
        mode: 0o644,
        contents: contents.into_bytes(),
        producer: Target::Compose.producer(),
    };
    let mut files = vec![
        target("compose.yml", compose_text(plan.stack.name.value.as_str(), project)),
        target(".env.example", env_example(project)),
        target(".gitignore", "# Secret values: see .env.example.\n.env\n".to_owned()),
        target("README.md", readme(project)),
    ];
    for s in &project.services {
        let own = |path: String, contents: &[u8], mode: u32| File {
            path,
            mode,
            contents: contents.to_vec(),
            producer: Producer::Services(vec![s.name.to_owned()]),
        };
        for c in &s.containers {
            for f in &c.files {
                files.push(own(format!("compose/{}", mounted_path(&c.name, &f.path)), &f.contents, f.mode));
            }
        }
        for b in &s.builds {
            for f in &b.files {
                files.push(own(format!("compose/build/{}/{}", b.name, f.path), &f.contents, f.mode));
            }
            if !b.files.iter().any(|f| f.path == ".dockerignore") {
                files.push(own(format!("compose/build/{}/.dockerignore", b.name), DOCKERIGNORE.as_bytes(), 0o644));
            }
        }
    }
    files
}

/// Where a container's file lives, relative to `compose/`.
fn mounted_path(container: &str, path: &str) -> String {
    format!("files/{container}{path}")
}

fn compose_text(stack: &str, project: &ComposePlan<'_>) -> String {
    format!(
        "# Compose project `{}` of stack `{stack}`, written by stackc.\n\
         # Secrets come from .env (see .env.example and README.md); start it with\n\
         #   docker compose up -d --build\n{}",
        project.name,
        yaml::write(&compose_file(project))
    )
}

fn compose_file(project: &ComposePlan<'_>) -> Yaml {
    let mut services = Map::new();
    for s in &project.services {
        for c in &s.containers {
            services.insert_scalar(Scalar::plain(&c.name), container(project, s, c));
        }
    }
    let mut file = Map::new().with("name", Scalar::plain(project.name)).with("services", services);
    if !project.networks.is_empty() {
        let mut networks = Map::new();
        for (name, internal) in &project.networks {
            let network = if *internal { Map::new().with("internal", true) } else { Map::new() };
            networks.insert_scalar(Scalar::plain(*name), network);
        }
        file.insert("networks", networks);
    }
    if !project.volumes.is_empty() {
        let mut volumes = Map::new();
        for name in &project.volumes {
            volumes.insert_scalar(Scalar::plain(*name), Map::new());
        }
        file.insert("volumes", volumes);
    }
    if !project.secrets.is_empty() {
        let mut secrets = Map::new();
        for (name, variable) in &project.secrets {
            secrets.insert_scalar(Scalar::plain(*name), Map::new().with("environment", Scalar::quoted(*variable)));
        }
        file.insert("secrets", secrets);
    }
    file.into()
}

/// Text Compose must take literally: `$` escaped.
fn literal(text: &str) -> Scalar {
    Scalar::quoted(text.replace('$', "$$"))
}

fn literal_list(items: &[String]) -> Seq {
    Seq::new(items.iter().map(|s| literal(s).into()).collect())
}

fn container(project: &ComposePlan<'_>, s: &ComposeService<'_>, c: &Container) -> Map {
    let mut map = Map::new().with("image", literal(&c.image));
    if let Some(build) = &c.build {
        map.insert("build", Map::new().with("context", Scalar::quoted(format!("./build/{build}"))));
    }
    map.insert("user", Scalar::quoted(c.user.as_str()));
    if !c.entrypoint.is_empty() {
        map.insert("entrypoint", literal_list(&c.entrypoint));
    }
    if !c.command.is_empty() {
        map.insert("command", literal_list(&c.command));
    }
    if !c.environment.is_empty() || !c.secret_environment.is_empty() {
        let mut environment = Map::new();
        for (name, value) in &c.environment {
            environment.insert_scalar(Scalar::plain(name), literal(value));
        }
        for (name, secret) in &c.secret_environment {
            // The secret's own variable in `.env`; the plan checked that it has one.
            let variable = project.secrets.get(secret.as_str()).copied().unwrap_or_default();
            environment.insert_scalar(
                Scalar::plain(name),
                Scalar::quoted(format!("${{{variable}:?set {variable} in .env (see .env.example)}}")),
            );
        }
        map.insert("environment", environment);
    }
    if !c.secret_files.is_empty() {
        // No `mode`: Compose ignores it outside Swarm (and says so); the file is the
        // container user's to read.
        let secrets = c
            .secret_files
            .iter()
            .map(|f| Map::new().with("source", Scalar::plain(&f.secret)).with("target", Scalar::quoted(&f.path)).into())
            .collect();
        map.insert("secrets", Seq::new(secrets));
    }
    let mounts: Vec<Yaml> = c
        .volumes
        .iter()
        .map(|v| {
            Map::new()
                .with("type", Scalar::plain("volume"))
                .with("source", Scalar::plain(&v.volume))
                .with("target", Scalar::quoted(&v.target))
                .with("read_only", v.read_only)
                .into()
        })
        .chain(c.files.iter().map(|f| {
            Map::new()
                .with("type", Scalar::plain("bind"))
                .with("source", Scalar::quoted(format!("./{}", mounted_path(&c.name, &f.path))))
                .with("target", Scalar::quoted(&f.path))
                .with("read_only", true)
                .into()
        }))
        .collect();
    if !mounts.is_empty() {
        map.insert("volumes", Seq::new(mounts));
    }
    if !c.ports.is_empty() {
        let ports = c
            .ports
            .iter()
            .map(|p| {
                let mut port = Map::new()
                    .with("target", p.container_port)
                    .with("published", Scalar::quoted(p.host_port.to_string()))
                    .with("protocol", Scalar::plain(&p.protocol));
                if let Some(ip) = &p.host_ip {
                    port.insert("host_ip", Scalar::quoted(ip));
                }
                port.into()
            })
            .collect();
        map.insert("ports", Seq::new(ports));
    }
    if !c.networks.is_empty() {
        map.insert("networks", Seq::new(c.networks.iter().map(Yaml::plain).collect()));
    }
    if let Some(h) = &c.healthcheck {
        let mut test = vec![Yaml::quoted("CMD")];
        test.extend(h.command.iter().map(|a| literal(a).into()));
        map.insert(
            "healthcheck",
            Map::new()
                .with("test", Seq::new(test))
                .with("interval", Scalar::plain(format!("{}s", h.interval_seconds)))
                .with("timeout", Scalar::plain(format!("{}s", h.timeout_seconds)))
                .with("retries", i64::from(h.retries))
                .with("start_period", Scalar::plain(format!("{}s", h.start_period_seconds))),
        );
    }
    if !s.after.is_empty() {
        let mut depends = Map::new();
        for (name, healthy) in &s.after {
            let condition = if *healthy { "service_healthy" } else { "service_started" };
            depends.insert_scalar(Scalar::plain(*name), Map::new().with("condition", Scalar::plain(condition)));
        }
        map.insert("depends_on", depends);
    }
    // `no` is quoted: bare, YAML 1.1 reads it as `false`.
    let restart = match c.restart {
        RestartPolicy::No => Scalar::quoted("no"),
        RestartPolicy::Always => Scalar::plain("always"),
        RestartPolicy::OnFailure => Scalar::plain("on-failure"),
        RestartPolicy::UnlessStopped => Scalar::plain("unless-stopped"),
    };
    map.insert("restart", restart);
    map
}

fn env_example(project: &ComposePlan<'_>) -> String {
    let mut text = String::from(
        "# The variables the project's secrets come from. Copy this file to .env (which\n\
         # .gitignore keeps out of version control) and give each a value.\n",
    );
    let mut variables: Vec<(&str, &str)> = project.secrets.iter().map(|(s, v)| (*v, *s)).collect();
    variables.sort_unstable();
    for (variable, secret) in variables {
        text.push_str(&format!("\n# secret `{secret}`\n{variable}=\n"));
    }
    text
}

fn readme(project: &ComposePlan<'_>) -> String {
    let mut text = format!(
        "# Compose project `{}`\n\n\
         Written by stackc. Start it from this directory:\n\n\
         ```sh\n\
         cp .env.example .env   # then give every variable a value\n\
         docker compose up -d --build\n\
         ```\n\n\
         The bundle holds no secret: `.env` does, and `.gitignore` keeps it out of version control.\n\n\
         | Service | Containers | Image |\n|---|---|---|\n",
        project.name
    );
    for s in &project.services {
        for c in &s.containers {
            let image =
                if c.build.is_some() { format!("`{}` (built here)", c.image) } else { format!("`{}`", c.image) };
            text.push_str(&format!("| {} | `{}` | {image} |\n", s.name, c.name));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::read_back::assert_reads_back;

    #[test]
    fn the_compose_file_reads_back_as_its_value() {
        crate::tests::compose::project().with_plan(|plan| {
            let project = plan.compose.as_ref().expect("a Compose project");
            assert_reads_back(&compose_text("shop", project), &compose_file(project));
        });
    }
}
