//! The data services of a Compose project (a PostgreSQL primary, its streaming replica, and a
//! Redis server) run by the real Debian servers with the files the bundle mounts into their
//! containers.
//!
//! There is no container engine here, so each server runs on 127.0.0.1 as the container's user
//! (`postgres`; PostgreSQL refuses root), from the bundle's `compose/files/<container>/<path>`,
//! and the tests stand in for what Compose and the official images do around those files.
//! Nothing generated is edited: the container paths, the port and the listen address are
//! moved with the servers' own command-line options (`-c name=value` for PostgreSQL, `--name
//! value` for Redis, both of which take precedence over the configuration file) and with the
//! environment variables the generated scripts read. The secret files Compose would mount
//! under `/run/secrets/` are written to the test's directory with test passwords, which must
//! appear nowhere in the bundle.

use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Scratch, render, tool};

const STACK: &str = r#"
stack "data"

secret "db-password" env="DB_PASSWORD"
secret "replication-password" env="REPLICATION_PASSWORD"
secret "cache-password" env="CACHE_PASSWORD"

compose "t" {
    network "data" internal=#true
}

service "db" plugin="postgres" on="t" {
    networks "data"
    database "shop"
    user "shop"
    password (secret)"db-password"
    replication { password (secret)"replication-password" }
}

service "replica" plugin="postgres" on="t" {
    role "replica"
    primary (ref)"db.postgres"
    networks "data"
    replication { password (secret)"replication-password" }
}

service "cache" plugin="redis" on="t" {
    networks "data"
    password (secret)"cache-password"
    maxmemory "64mb"
    maxmemory-policy "allkeys-lru"
}
"#;

/// The values of the secrets: what `.env` would hold.
const DB_PASSWORD: &str = "db-test-pw-7f3a9c";
const REPLICATION_PASSWORD: &str = "repl-test-pw-52e1d8";
const CACHE_PASSWORD: &str = "cache-test-pw-c04b17";

/// The PostgreSQL major version the plugin's image runs, and so the Debian server the tests run.
const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A test's directory (readable by the servers' users), with the stack built in it.
struct Setup {
    scratch: Scratch,
    bundle: PathBuf,
    compose: String,
}

impl Setup {
    fn new() -> Self {
        let scratch = Scratch::new();
        // The servers run as their own users: they must reach the generated files.
        fs::set_permissions(scratch.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
        scratch.write("stack.kdl", STACK);
        // The secrets' variables are set, as when a deployer builds with `.env` loaded: the
        // build must not write them anywhere.
        let output = scratch
            .stackc(&["build", "stack.kdl"])
            .env("DB_PASSWORD", DB_PASSWORD)
            .env("REPLICATION_PASSWORD", REPLICATION_PASSWORD)
            .env("CACHE_PASSWORD", CACHE_PASSWORD)
            .output()
            .expect("run stackc");
        assert!(output.status.success(), "stackc build failed:\n{}", render(&output, &[]));
        let bundle = fs::canonicalize(scratch.path().join("out/data/current")).expect("the bundle");
        for file in crate::common::files_under(&bundle, &[]) {
            let bytes = fs::read(bundle.join(&file)).expect("read");
            let text = String::from_utf8_lossy(&bytes);
            for secret in [DB_PASSWORD, REPLICATION_PASSWORD, CACHE_PASSWORD] {
                assert!(!text.contains(secret), "a secret's value is in the bundle's {file}");
            }
        }
        let compose = fs::read_to_string(bundle.join("compose/compose.yml")).expect("compose.yml");
        Setup { scratch, bundle, compose }
    }

    fn path(&self) -> &Path {
        self.scratch.path()
    }

    /// A file the bundle mounts into `container` at `path`.
    fn mounted(&self, container: &str, path: &str) -> PathBuf {
        let file = self.bundle.join(format!("compose/files/{container}{path}"));
        assert!(file.is_file(), "the bundle has no {}", file.display());
        file
    }

    /// The lines of `compose.yml` that describe service `name`.
    fn service(&self, name: &str) -> String {
        let start = format!("\n  {name}:\n");
        let at = self.compose.find(&start).unwrap_or_else(|| panic!("no service `{name}` in:\n{}", self.compose));
        let rest = &self.compose[at + start.len()..];
        rest.lines().take_while(|l| l.starts_with("    ")).map(|l| format!("{l}\n")).collect()
    }

    /// Writes the secret file Compose would mount, readable by `owner` only.
    fn secret(&self, name: &str, value: &str, owner: Option<&str>) -> PathBuf {
        let dir = self.path().join("secrets");
        fs::create_dir_all(&dir).expect("mkdir");
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("chmod");
        let file = dir.join(name);
        fs::write(&file, value).expect("write secret");
        fs::set_permissions(&file, fs::Permissions::from_mode(0o400)).expect("chmod");
        chown(&file, owner);
        file
    }

    /// A directory owned by `owner`, as a volume is owned by the image's user.
    fn owned_dir(&self, name: &str, owner: Option<&str>) -> PathBuf {
        let dir = self.path().join(name);
        fs::create_dir_all(&dir).expect("mkdir");
        chown(&dir, owner);
        dir
    }
}

/// `Some(user)` when the tests run as root: servers then run as the container's user, as
/// PostgreSQL requires. Otherwise they run as the current user.
fn run_as(user: &'static str) -> Option<&'static str> {
    let output = Command::new(tool("id")).arg("-u").output().expect("run id");
    (String::from_utf8_lossy(&output.stdout).trim() == "0").then_some(user)
}

fn chown(path: &Path, owner: Option<&str>) {
    if let Some(owner) = owner {
        let status = Command::new(tool("chown")).arg(format!("{owner}:")).arg(path).status().expect("run chown");
        assert!(status.success(), "chown {owner} {}", path.display());
    }
}

/// `program` run as `user` in `dir` (the environment is the command's own).
fn command_as(user: Option<&str>, program: &Path, dir: &Path) -> Command {
    let mut command = match user {
        Some(user) => {
            let mut command = Command::new(tool("setpriv"));
            command.arg(format!("--reuid={user}")).arg(format!("--regid={user}")).arg("--init-groups").arg(program);
            command
        }
        None => Command::new(program),
    };
    command.current_dir(dir);
    command
}

/// A free port on 127.0.0.1.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port()
}

fn pg(program: &str) -> PathBuf {
    let path = Path::new(PG_BIN).join(program);
    assert!(path.exists(), "{} is not installed; run scripts/setup.sh", path.display());
    path
}

/// A PATH on which the generated scripts find the servers' programs first.
fn path_with(dir: &Path) -> String {
    format!("{}:/usr/local/bin:/usr/bin:/bin", dir.display())
}

/// Servers stopped when the test ends, however it ends: SIGQUIT (PostgreSQL's immediate
/// shutdown, which takes its backends along), then SIGKILL after a few seconds.
struct Servers(Vec<(&'static str, Child, PathBuf)>);

impl Servers {
    fn start(&mut self, name: &'static str, mut command: Command, log: PathBuf) {
        let file = fs::File::create(&log).expect("log file");
        command.stdin(Stdio::null()).stdout(file.try_clone().expect("log")).stderr(file);
        let child = command.spawn().unwrap_or_else(|e| panic!("start {name}: {e}"));
        self.0.push((name, child, log));
    }

    /// The last lines each server logged, for failure messages.
    fn logs(&self) -> String {
        let mut text = String::new();
        for (name, _, log) in &self.0 {
            let log = fs::read_to_string(log).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(15).collect();
            text.push_str(&format!("--- {name} (last lines) ---\n"));
            for line in tail.into_iter().rev() {
                text.push_str(line);
                text.push('\n');
            }
        }
        text
    }

    /// Panics with the servers' logs when `child` has exited.
    fn assert_running(&mut self) {
        let mut exited = Vec::new();
        for (name, child, _) in &mut self.0 {
            if let Ok(Some(status)) = child.try_wait() {
                exited.push(format!("{name} exited: {status}"));
            }
        }
        assert!(exited.is_empty(), "{}\n{}", exited.join("\n"), self.logs());
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        for (_, child, _) in &mut self.0 {
            let _ = Command::new("kill").arg("-QUIT").arg(child.id().to_string()).status();
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        for (_, child, _) in &mut self.0 {
            while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn run(command: &mut Command) -> Output {
    command.stdin(Stdio::null()).output().expect("run")
}

/// Retries `attempt` every 200 ms until it gives a value, for at most `seconds`.
fn wait_for<T>(servers: &mut Servers, what: &str, seconds: u64, mut attempt: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        servers.assert_running();
        match attempt() {
            Ok(value) => return value,
            Err(last) if Instant::now() >= deadline => {
                panic!("{what}: gave up after {seconds} s; last:\n{last}\n{}", servers.logs())
            }
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

/// `psql` over TCP to 127.0.0.1:`port` as `user`, one statement, unaligned tuples only.
fn psql(port: u16, user: &str, password: &str, database: &str, sql: &str) -> Output {
    run(Command::new(pg("psql"))
        .args(["--no-psqlrc", "--no-password", "-v", "ON_ERROR_STOP=1", "-At", "-h", "127.0.0.1"])
        .arg("-p")
        .arg(port.to_string())
        .args(["-U", user, "-d", database, "-c", sql])
        .env("PGPASSWORD", password)
        .env("PGCONNECT_TIMEOUT", "3"))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// `-c` options that move a server off the container's paths and port, onto loopback: the
/// configuration files from the bundle, the port, the address, and a socket directory the
/// test owns. `fsync=off` only saves time: a replica's first start syncs the whole copied
/// cluster, which takes seconds on a busy disk.
fn pg_overrides(config: &Path, hba: &Path, port: u16, sockets: &Path) -> Vec<String> {
    [
        format!("config_file={}", config.display()),
        format!("hba_file={}", hba.display()),
        format!("port={port}"),
        "listen_addresses=127.0.0.1".to_owned(),
        format!("unix_socket_directories={}", sockets.display()),
        "fsync=off".to_owned(),
    ]
    .into_iter()
    .flat_map(|o| ["-c".to_owned(), o])
    .collect()
}

/// The primary made the way the image's entrypoint makes it (its `POSTGRES_*` variables, its
/// init scripts), the replica by its generated entrypoint; then the replica streams, serves
/// what the primary wrote, and refuses writes.
#[test]
fn postgres_replica_streams_from_its_primary() {
    let setup = Setup::new();
    let user = run_as("postgres");
    let primary_port = free_port();
    let replica_port = free_port();
    let sockets = setup.owned_dir("sockets", user);

    // What compose.yml tells the two containers.
    let db = setup.service("db");
    for line in [
        "      - \"postgres\"\n      - \"-c\"\n      - \"config_file=/etc/postgresql/postgresql.conf\"\n",
        "      PGDATA: \"/var/lib/postgresql/data/pgdata\"\n",
        "      POSTGRES_DB: \"shop\"\n",
        "      POSTGRES_USER: \"shop\"\n",
        "      POSTGRES_PASSWORD_FILE: \"/run/secrets/db-password\"\n",
        "      REPLICATION_USER: \"replicator\"\n",
        "      REPLICATION_PASSWORD_FILE: \"/run/secrets/replication-password\"\n",
        "      - source: db-password\n        target: \"/run/secrets/db-password\"\n",
        "      - source: replication-password\n        target: \"/run/secrets/replication-password\"\n",
        "        source: db-data\n        target: \"/var/lib/postgresql/data\"\n",
        "    networks:\n      - data\n",
        "    user: \"postgres\"\n",
    ] {
        assert!(db.contains(line), "service db lacks {line:?}:\n{db}");
    }
    assert!(!db.contains("ports:"), "a database publishes nothing:\n{db}");
    let replica = setup.service("replica");
    for line in [
        "    entrypoint:\n      - \"/etc/postgresql/start-replica.sh\"\n",
        "    command:\n      - \"-c\"\n      - \"config_file=/etc/postgresql/postgresql.conf\"\n",
        "      PRIMARY_HOST: \"db\"\n",
        "      PRIMARY_PORT: \"5432\"\n",
        "      REPLICATION_USER: \"replicator\"\n",
        "      REPLICATION_PASSWORD_FILE: \"/run/secrets/replication-password\"\n",
        "    depends_on:\n      db:\n        condition: service_healthy\n",
    ] {
        assert!(replica.contains(line), "service replica lacks {line:?}:\n{replica}");
    }

    let db_password = setup.secret("db-password", DB_PASSWORD, user);
    let replication_password = setup.secret("replication-password", REPLICATION_PASSWORD, user);
    let mut servers = Servers(Vec::new());

    // The primary. The image's entrypoint makes the cluster with POSTGRES_USER and the
    // password from POSTGRES_PASSWORD_FILE, then runs `postgres -c config_file=…` (the
    // container's command) with PGDATA set.
    let volume = setup.owned_dir("db-volume", user);
    let pgdata = volume.join("pgdata");
    let output = run(command_as(user, &pg("initdb"), setup.path())
        .args(["--no-sync", "--username", "shop", "--pwfile"])
        .arg(&db_password)
        .env("PGDATA", &pgdata));
    assert!(output.status.success(), "initdb:\n{}", render(&output, &[]));
    let mut primary = command_as(user, &pg("postgres"), setup.path());
    primary
        .args(pg_overrides(
            &setup.mounted("db", "/etc/postgresql/postgresql.conf"),
            &setup.mounted("db", "/etc/postgresql/pg_hba.conf"),
            primary_port,
            &sockets,
        ))
        .env("PGDATA", &pgdata);
    servers.start("primary", primary, setup.path().join("primary.log"));
    // The container's healthcheck, `pg_isready --host 127.0.0.1`, on the moved port.
    wait_for(&mut servers, "the primary accepts connections", 20, || {
        let output = run(Command::new(pg("pg_isready"))
            .args(["--quiet", "--host", "127.0.0.1", "--port", &primary_port.to_string()])
            .args(["--username", "shop", "--dbname", "shop"]));
        if output.status.success() { Ok(()) } else { Err(render(&output, &[])) }
    });
    // The entrypoint creates POSTGRES_DB, over the Unix socket (`local` in pg_hba.conf).
    let output = run(Command::new(pg("psql"))
        .args(["--no-psqlrc", "--no-password", "-v", "ON_ERROR_STOP=1", "-U", "shop", "-d", "postgres"])
        .args(["-c", "CREATE DATABASE shop"])
        .env("PGHOST", &sockets)
        .env("PGPORT", primary_port.to_string())
        .env("PGPASSWORD", DB_PASSWORD));
    assert!(output.status.success(), "creating the database:\n{}", render(&output, &[]));
    // Then runs the executables of /docker-entrypoint-initdb.d/ with its environment (the
    // container's, and PGPASSWORD) and the socket it listens on.
    let init = setup.mounted("db", "/docker-entrypoint-initdb.d/10-create-replication-role.sh");
    assert_eq!(fs::metadata(&init).expect("init script").permissions().mode() & 0o111, 0o111, "executable");
    let output = run(Command::new(&init)
        .env_clear()
        .env("PATH", path_with(Path::new(PG_BIN)))
        .env("PGHOST", &sockets)
        .env("PGPORT", primary_port.to_string())
        .env("PGPASSWORD", DB_PASSWORD)
        .env("POSTGRES_USER", "shop")
        .env("POSTGRES_DB", "shop")
        .env("REPLICATION_USER", "replicator")
        .env("REPLICATION_PASSWORD_FILE", &replication_password));
    assert!(output.status.success(), "the init script:\n{}", render(&output, &[]));
    let output = psql(
        primary_port,
        "shop",
        DB_PASSWORD,
        "shop",
        "SELECT rolreplication, rolsuper FROM pg_roles WHERE rolname = 'replicator'",
    );
    assert_eq!(stdout(&output), "t|f", "the replication role:\n{}", render(&output, &[]));
    // Passwords are checked: the owner's is not taken for another.
    let output = psql(primary_port, "shop", REPLICATION_PASSWORD, "shop", "SELECT 1");
    assert!(
        !output.status.success() && String::from_utf8_lossy(&output.stderr).contains("password authentication failed"),
        "a wrong password was taken:\n{}",
        render(&output, &[])
    );

    // The replica: its generated entrypoint, with the variables compose.yml gives it (the
    // primary's host and port moved to loopback) and the container's command, whose
    // `config_file` the overrides move to the bundle's copy.
    let volume = setup.owned_dir("replica-volume", user);
    let replica_data = volume.join("pgdata");
    let mut replica = command_as(user, &setup.mounted("replica", "/etc/postgresql/start-replica.sh"), setup.path());
    replica
        .args(pg_overrides(
            &setup.mounted("replica", "/etc/postgresql/postgresql.conf"),
            &setup.mounted("replica", "/etc/postgresql/pg_hba.conf"),
            replica_port,
            &sockets,
        ))
        .env_clear()
        .env("PATH", path_with(Path::new(PG_BIN)))
        .env("PGDATA", &replica_data)
        .env("PRIMARY_HOST", "127.0.0.1")
        .env("PRIMARY_PORT", primary_port.to_string())
        .env("REPLICATION_USER", "replicator")
        .env("REPLICATION_PASSWORD_FILE", &replication_password);
    servers.start("replica", replica, setup.path().join("replica.log"));
    wait_for(&mut servers, "the replica accepts connections", 30, || {
        let output = psql(replica_port, "shop", DB_PASSWORD, "shop", "SELECT pg_is_in_recovery()");
        if stdout(&output) == "t" { Ok(()) } else { Err(render(&output, &[])) }
    });
    assert!(replica_data.join("standby.signal").exists(), "pg_basebackup -R writes standby.signal");

    let state = wait_for(&mut servers, "the primary streams to the replica", 10, || {
        let output =
            psql(primary_port, "shop", DB_PASSWORD, "shop", "SELECT client_addr, state FROM pg_stat_replication");
        let text = stdout(&output);
        if text == "127.0.0.1|streaming" { Ok(text) } else { Err(render(&output, &[])) }
    });
    assert_eq!(state, "127.0.0.1|streaming");

    let output = psql(
        primary_port,
        "shop",
        DB_PASSWORD,
        "shop",
        "CREATE TABLE orders (id int PRIMARY KEY, item text); INSERT INTO orders VALUES (1, 'octopus')",
    );
    assert!(output.status.success(), "writing on the primary:\n{}", render(&output, &[]));
    wait_for(&mut servers, "the replica serves the primary's row", 10, || {
        let output = psql(replica_port, "shop", DB_PASSWORD, "shop", "SELECT item FROM orders WHERE id = 1");
        if stdout(&output) == "octopus" { Ok(()) } else { Err(render(&output, &[])) }
    });
    let output = psql(replica_port, "shop", DB_PASSWORD, "shop", "INSERT INTO orders VALUES (2, 'squid')");
    assert!(
        !output.status.success()
            && String::from_utf8_lossy(&output.stderr).contains("cannot execute INSERT in a read-only transaction"),
        "the replica took a write:\n{}",
        render(&output, &[])
    );
    drop(servers);
}

/// Redis started by the generated start script, which gives it the password from the secret
/// file: the append-only file is on, a client without the password is refused, one with it is
/// served.
#[test]
fn redis_requires_its_password_and_keeps_an_append_only_file() {
    let setup = Setup::new();
    let user = run_as("redis");
    let port = free_port();

    let cache = setup.service("cache");
    for line in [
        "    entrypoint:\n      - \"/usr/local/etc/redis/start-redis.sh\"\n",
        "    command:\n      - \"/usr/local/etc/redis/redis.conf\"\n      - \"--dir\"\n      - \"/data\"\n",
        "      REDIS_PASSWORD_FILE: \"/run/secrets/cache-password\"\n",
        "      - source: cache-password\n        target: \"/run/secrets/cache-password\"\n",
        "        source: cache-data\n        target: \"/data\"\n",
        "    user: \"redis\"\n",
    ] {
        assert!(cache.contains(line), "service cache lacks {line:?}:\n{cache}");
    }
    assert!(!cache.contains("ports:"), "a cache publishes nothing:\n{cache}");

    let password = setup.secret("cache-password", CACHE_PASSWORD, user);
    let data = setup.owned_dir("cache-volume", user);
    let redis_server = tool("redis-server");
    let mut servers = Servers(Vec::new());
    // The container's entrypoint and command (`redis.conf --dir /data`) with the bundle's
    // redis.conf and the test's volume, then the port and the address moved by options after
    // them, which take precedence.
    let mut command = command_as(user, &setup.mounted("cache", "/usr/local/etc/redis/start-redis.sh"), setup.path());
    command
        .arg(setup.mounted("cache", "/usr/local/etc/redis/redis.conf"))
        .arg("--dir")
        .arg(&data)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .env_clear()
        .env("PATH", path_with(redis_server.parent().expect("a directory")))
        .env("REDIS_PASSWORD_FILE", &password);
    servers.start("redis", command, setup.path().join("redis.log"));

    let cli = |auth: Option<&str>, args: &[&str]| {
        let mut command = Command::new(tool("redis-cli"));
        command.args(["-h", "127.0.0.1", "-p", &port.to_string()]).args(args).env_remove("REDISCLI_AUTH");
        if let Some(auth) = auth {
            command.env("REDISCLI_AUTH", auth);
        }
        run(&mut command)
    };
    let refused = wait_for(&mut servers, "redis answers", 10, || {
        let output = cli(None, &["PING"]);
        let text = stdout(&output);
        if text.is_empty() { Err(render(&output, &[])) } else { Ok(text) }
    });
    assert!(refused.starts_with("NOAUTH"), "a client without the password was served: {refused}");
    let output = cli(Some("not-the-password"), &["PING"]);
    assert!(!stdout(&output).contains("PONG"), "a wrong password was taken:\n{}", render(&output, &[]));

    let pass = Some(CACHE_PASSWORD);
    assert_eq!(stdout(&cli(pass, &["PING"])), "PONG");
    assert_eq!(stdout(&cli(pass, &["CONFIG", "GET", "appendonly"])), "appendonly\nyes");
    assert_eq!(stdout(&cli(pass, &["CONFIG", "GET", "appendfsync"])), "appendfsync\neverysec");
    assert_eq!(stdout(&cli(pass, &["CONFIG", "GET", "maxmemory-policy"])), "maxmemory-policy\nallkeys-lru");
    assert_eq!(stdout(&cli(pass, &["CONFIG", "GET", "maxmemory"])), format!("maxmemory\n{}", 64 * 1024 * 1024));
    assert_eq!(stdout(&cli(pass, &["SET", "greeting", "hello"])), "OK");
    assert_eq!(stdout(&cli(pass, &["GET", "greeting"])), "hello");
    assert!(data.join("appendonlydir").is_dir(), "the append-only file is in the volume");
    // The password was on redis-server's command line; its process title hides it.
    let pid = servers.0[0].1.id();
    let cmdline = fs::read(format!("/proc/{pid}/cmdline")).expect("cmdline");
    assert!(!String::from_utf8_lossy(&cmdline).contains(CACHE_PASSWORD), "the password shows in the process list");
    drop(servers);
}
