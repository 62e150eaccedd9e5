//! The real binary: configuration errors, migrate, serve and a clean stop.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn attest() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_attest"));
    cmd.env_remove("ATTEST_DATABASE_URL")
        .env("RUST_LOG", "warn");
    cmd
}

#[test]
fn bad_configuration_exits_2_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("ATTEST_DATABASE_URL", "mysql://root@localhost/x"),
        ("ATTEST_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none"),
        ("ATTEST_BIND", "not-an-address"),
    ];
    for (var, value) in cases {
        let out = attest()
            .arg("migrate")
            .env("ATTEST_DATA_DIR", dir.path())
            .env(var, value)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{var}={value}: {stderr}");
        assert!(stderr.contains(var), "{var}={value}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "one clear line: {stderr}");
    }
}

#[test]
fn version_and_help() {
    let version = attest().arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("attest "));
    let help = attest().arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&help.stdout);
    for name in ["serve", "migrate", "ATTEST_DATABASE_URL", "ATTEST_BIND"] {
        assert!(text.contains(name), "--help mentions {name}");
    }
}

fn get(addr: &str, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply).ok()?;
    Some(reply)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn serve_creates_sqlite_answers_probes_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let mut child = attest()
        .arg("serve")
        .env("ATTEST_DATA_DIR", dir.path().join("data"))
        .env("ATTEST_BIND", &addr)
        .env_remove("MALLOC_ARENA_MAX")
        .env("MALLOC_MMAP_THRESHOLD_", "2097152")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let ready = loop {
        if let Some(reply) = get(&addr, "/readyz") {
            break reply;
        }
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    assert!(get(&addr, "/healthz").unwrap().starts_with("HTTP/1.1 200"));
    assert!(
        dir.path().join("data/attest.db").exists(),
        "SQLite file created"
    );
    assert!(
        dir.path().join("data/jwt-secret").exists(),
        "secret created"
    );
    // The service restarted itself in the same process with glibc's arenas bounded, and left the
    // mmap threshold the operator chose as it was (src/cli/arenas.rs).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let environ = std::fs::read(format!("/proc/{}/environ", child.id())).unwrap();
        let vars: Vec<&[u8]> = environ.split(|b| *b == 0).collect();
        assert!(
            vars.contains(&&b"MALLOC_ARENA_MAX=2"[..]),
            "serve runs with MALLOC_ARENA_MAX=2"
        );
        assert!(
            vars.contains(&&b"MALLOC_MMAP_THRESHOLD_=2097152"[..]),
            "the operator's threshold is kept"
        );
        assert_eq!(
            vars.iter()
                .filter(|v| v.starts_with(b"MALLOC_MMAP_THRESHOLD_="))
                .count(),
            1
        );
    }

    // SAFETY-free signal: the `kill` command sends SIGTERM as an operator would.
    let status = Command::new("kill")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "clean exit after SIGTERM: {status:?}");
            break;
        }
        assert!(Instant::now() < deadline, "server did not stop");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn migrate_then_serve_on_postgres() {
    let Ok(admin) = std::env::var("ATTEST_TEST_POSTGRES_URL") else {
        return;
    };
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let mut conn = PgConnection::establish(&admin).expect("PostgreSQL reachable");
    let name = format!("attest_cli_{}", uuid::Uuid::new_v4().simple());
    diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .unwrap();
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let dir = tempfile::tempdir().unwrap();

    let first = attest()
        .arg("migrate")
        .env("ATTEST_DATA_DIR", dir.path())
        .env("ATTEST_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("applied"));
    let again = attest()
        .arg("migrate")
        .env("ATTEST_DATA_DIR", dir.path())
        .env("ATTEST_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("up to date"));

    let addr = format!("127.0.0.1:{}", free_port());
    let mut child = attest()
        .arg("serve")
        .env("ATTEST_DATA_DIR", dir.path())
        .env("ATTEST_DATABASE_URL", &url)
        .env("ATTEST_BIND", &addr)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let ready = loop {
        if let Some(reply) = get(&addr, "/readyz") {
            break reply;
        }
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = child.kill();
    let _ = child.wait();
    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&mut conn)
        .unwrap();
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
}

#[test]
fn serve_puts_metrics_on_their_own_address_and_logs_json_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let metrics_addr = format!("127.0.0.1:{}", free_port());
    let log = std::fs::File::create(dir.path().join("log")).unwrap();
    let mut child = attest()
        .arg("serve")
        .env("ATTEST_DATA_DIR", dir.path().join("data"))
        .env("ATTEST_BIND", &addr)
        .env("ATTEST_METRICS_ADDR", &metrics_addr)
        .env("ATTEST_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while get(&addr, "/readyz").is_none() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(get(&addr, "/metrics").unwrap().starts_with("HTTP/1.1 404"));
    let metrics = loop {
        if let Some(reply) = get(&metrics_addr, "/metrics") {
            break reply;
        }
        assert!(Instant::now() < deadline, "metrics did not start");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics}");
    assert!(
        metrics.contains(
            "attest_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"}"
        ),
        "{metrics}"
    );
    Command::new("kill")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "server did not stop");
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = std::fs::read_to_string(dir.path().join("log")).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["level"] == "INFO"
            && l["message"]
                .as_str()
                .is_some_and(|m| m.contains("listening"))),
        "{log}"
    );
}
