//! Evidence and export files in a real S3-compatible server: `s3s-fs` (crates.io, an S3 server
//! over a folder; `.ci/run` installs version 0.14.1 into `target/tools/s3s-fs`), started by the
//! test on a free loopback port. Fails, never skips, when the server binary is missing.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use actix_web::http::{Method, StatusCode};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::api;
use crate::helpers::{Backend, TestApp, backends, multipart};
use attest::storage::s3::S3Location;

/// The bucket every test uses (a folder of the server's root); tests keep apart by prefix.
pub const BUCKET: &str = "attest-test";
const ACCESS_KEY: &str = "attest-test-access";
const SECRET_KEY: &str = "attest-test-secret-key-0123456789";

/// A running s3s-fs, stopped when dropped; its objects are files under `root/BUCKET/…`.
pub struct S3Server {
    child: Child,
    port: u16,
    root: tempfile::TempDir,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Where the s3s-fs binary is: `ATTEST_TEST_S3S_FS`, else where `.ci/run` installs it.
fn s3s_fs_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("ATTEST_TEST_S3S_FS") {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let installed = target.join("tools/s3s-fs/bin/s3s-fs");
    assert!(
        installed.is_file(),
        "the S3 tests need the s3s-fs server: `cargo install --locked --root {} s3s-fs@0.14.1 --features binary` \
         (as .ci/run does), or set ATTEST_TEST_S3S_FS to its path",
        target.join("tools/s3s-fs").display()
    );
    installed
}

/// Starts s3s-fs on a free loopback port with one bucket, [`BUCKET`].
pub fn start() -> S3Server {
    let binary = s3s_fs_binary();
    let root = tempfile::tempdir().unwrap();
    // s3s-fs keeps each bucket as a folder of its root: this is how the bucket is created.
    std::fs::create_dir(root.path().join(BUCKET)).unwrap();
    let port = free_port();
    let child = Command::new(&binary)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
        .arg(root.path())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
    let mut server = S3Server { child, port, root };
    for _ in 0..300 {
        if TcpStream::connect(("127.0.0.1", server.port)).is_ok() {
            return server;
        }
        if let Some(status) = server.child.try_wait().unwrap() {
            panic!("s3s-fs exited ({status}) before listening");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("s3s-fs did not start listening on port {port}");
}

impl S3Server {
    /// The `AWS_*` settings that reach this server.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            (
                "AWS_ENDPOINT_URL".into(),
                format!("http://127.0.0.1:{}", self.port),
            ),
            ("AWS_REGION".into(), "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID".into(), ACCESS_KEY.into()),
            ("AWS_SECRET_ACCESS_KEY".into(), SECRET_KEY.into()),
            ("AWS_ALLOW_HTTP".into(), "true".into()),
        ]
    }

    /// `s3://BUCKET/prefix`.
    pub fn url(&self, prefix: &str) -> String {
        format!("s3://{BUCKET}/{prefix}")
    }

    /// The store at `prefix`, as `ATTEST_FILES_URL` would name it.
    pub fn location(&self, prefix: &str) -> S3Location {
        S3Location::parse(&self.url(prefix), self.env()).unwrap()
    }

    /// The file the server keeps the object `sha256` of the store at `prefix` in.
    pub fn object_file(&self, prefix: &str, sha256: &str) -> PathBuf {
        self.root
            .path()
            .join(BUCKET)
            .join(prefix)
            .join("objects")
            .join(&sha256[..2])
            .join(&sha256[2..])
    }
}

/// A text file a little over 9 MiB: more than one part of a multipart upload.
pub fn large_text() -> Vec<u8> {
    let mut text = Vec::with_capacity(9_700_000);
    let mut line = 0u32;
    while text.len() < 9_600_000 {
        line += 1;
        text.extend_from_slice(
            format!("{line:07} site diary: checked the customer's account and logged the call\n")
                .as_bytes(),
        );
    }
    text
}

/// Uploads `bytes` as an evidence file of the world's candidate; returns the record's id.
async fn upload(app: &TestApp, token: &str, enrolment: &str, name: &str, bytes: &[u8]) -> String {
    let record = json!({
        "method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
        "title": format!("Evidence {name}"), "criteria": [{"criterion": "1.7"}], "declaration": true
    });
    let (ctype, body) = multipart(&record, name, bytes);
    let uploaded = app
        .send_raw(
            token,
            &api::enrolment(enrolment).evidence_upload(),
            &ctype,
            body,
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text());
    uploaded.json()["id"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn evidence_files_live_in_an_object_store_checked_on_the_way_out() {
    let server = start();
    for backend in backends() {
        let prefix = format!("evidence-{backend:?}").to_lowercase();
        let app = TestApp::with_config(backend, |c| c.files = Some(server.location(&prefix)));
        let w = app.world("28268@2").await;
        let enrolment = api::enrolment(&w.enrolment);
        let small = b"%PDF-1.4 screenshot of the customer record".to_vec();
        let large = large_text();
        let mut ids = Vec::new();
        for (name, bytes) in [("record.pdf", &small), ("diary.txt", &large)] {
            let id = upload(&app, &w.candidate, &w.enrolment, name, bytes).await;
            let sha256 = hex::encode(Sha256::digest(bytes));
            assert!(
                server.object_file(&prefix, &sha256).is_file(),
                "{backend:?}: {name} is in the bucket"
            );
            let file = app
                .request_as(
                    Some(&w.candidate),
                    Method::GET,
                    &enrolment.evidence_item(&id).file(),
                    None,
                )
                .await;
            assert_eq!(file.status, StatusCode::OK, "{}", file.text());
            assert_eq!(file.header("x-content-sha256"), Some(sha256.as_str()));
            assert_eq!(
                hex::encode(Sha256::digest(&file.body)),
                sha256,
                "{backend:?}: {name} comes back whole"
            );
            ids.push((id, sha256));
        }
        assert_eq!(
            app.stored_files().0,
            0,
            "nothing is kept in the local folder"
        );
        let listed: Vec<String> = app
            .state
            .store
            .objects()
            .unwrap()
            .into_iter()
            .map(|f| f.sha256)
            .collect();
        assert_eq!(listed.len(), 2, "{listed:?}");

        // A backup reads every object from the bucket; a restore puts them into another store.
        let out = tempfile::tempdir().unwrap();
        let folder = out.path().join("backup");
        let manifest = attest::backup::backup(&app.state.config, &app.state.db, &folder).unwrap();
        assert_eq!(manifest.files.len(), 2);
        let restored_prefix = format!("{prefix}-restored");
        let restored = TestApp::restored_with(backend, &folder, |c| {
            c.files = Some(server.location(&restored_prefix));
        });
        for (_, sha256) in &ids {
            assert!(server.object_file(&restored_prefix, sha256).is_file());
            attest::storage::read_verified(restored.state.store.as_ref(), sha256).unwrap();
        }

        // Content changed in the bucket is refused, never served.
        let (small_id, small_sha) = &ids[0];
        std::fs::write(
            server.object_file(&prefix, small_sha),
            b"%PDF-1.4 forged record",
        )
        .unwrap();
        let forged = app
            .request_as(
                Some(&w.candidate),
                Method::GET,
                &enrolment.evidence_item(small_id).file(),
                None,
            )
            .await;
        assert_eq!(forged.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!forged.text().contains("forged"), "{}", forged.text());
        // So is a backup of it.
        let again = out.path().join("again");
        let refused = attest::backup::backup(&app.state.config, &app.state.db, &again);
        assert!(refused.is_err(), "{refused:?}");
    }
}

fn attest_cli(app: &TestApp, server: &S3Server, args: &[&str]) -> std::process::Output {
    let config = &app.state.config;
    Command::new(env!("CARGO_BIN_EXE_attest"))
        .args(args)
        .env("ATTEST_DATA_DIR", &config.data_dir)
        .env("ATTEST_DATABASE_URL", config.database.connection_string())
        .env("ATTEST_STANDARDS_DIR", &config.standards_dir)
        .env_remove("ATTEST_FILES_URL")
        .envs(server.env())
        .output()
        .unwrap()
}

#[actix_web::test]
async fn files_migrate_from_the_folder_to_the_object_store_resumably() {
    let server = start();
    for backend in backends() {
        let app = TestApp::new(backend);
        let w = app.world("28268@2").await;
        let mut hashes = Vec::new();
        for (name, bytes) in [
            ("one.pdf", b"%PDF-1.4 one".to_vec()),
            ("two.pdf", b"%PDF-1.4 two".to_vec()),
            ("diary.txt", large_text()),
        ] {
            upload(&app, &w.candidate, &w.enrolment, name, &bytes).await;
            hashes.push(hex::encode(Sha256::digest(&bytes)));
        }
        let prefix = format!("migrated-{backend:?}").to_lowercase();
        let url = server.url(&prefix);

        let first = attest_cli(&app, &server, &["files", "migrate", "--to", &url]);
        let said = String::from_utf8_lossy(&first.stdout);
        assert!(
            first.status.success(),
            "{said}{}",
            String::from_utf8_lossy(&first.stderr)
        );
        assert!(said.contains("3 copied"), "{said}");
        for sha256 in &hashes {
            assert!(server.object_file(&prefix, sha256).is_file());
        }

        // Cut short and damaged: the next run copies what is missing and replaces what is wrong.
        std::fs::remove_file(server.object_file(&prefix, &hashes[0])).unwrap();
        std::fs::write(server.object_file(&prefix, &hashes[1]), b"%PDF-1.4 rot").unwrap();
        let second = attest_cli(&app, &server, &["files", "migrate", "--to", &url]);
        let said = String::from_utf8_lossy(&second.stdout);
        assert!(second.status.success(), "{said}");
        assert!(
            said.contains("1 copied")
                && said.contains("1 already there")
                && said.contains("1 replaced"),
            "{said}"
        );

        // The instance switched to the bucket finds every file its records name.
        let gc = Command::new(env!("CARGO_BIN_EXE_attest"))
            .args(["files", "gc", "--dry-run"])
            .env("ATTEST_DATA_DIR", &app.state.config.data_dir)
            .env(
                "ATTEST_DATABASE_URL",
                app.state.config.database.connection_string(),
            )
            .env("ATTEST_FILES_URL", &url)
            .envs(server.env())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&gc.stdout);
        assert!(
            gc.status.success(),
            "{said}{}",
            String::from_utf8_lossy(&gc.stderr)
        );
        assert!(said.contains("0 record(s) lack their file"), "{said}");

        // Mistakes are named.
        let bad = attest_cli(
            &app,
            &server,
            &["files", "migrate", "--to", "s3://Not_A_Bucket/x"],
        );
        assert_eq!(bad.status.code(), Some(2));
        let said = String::from_utf8_lossy(&bad.stderr);
        assert!(
            said.contains("--to") && said.contains("Not_A_Bucket"),
            "{said}"
        );
        if backend == Backend::Sqlite {
            let same = attest_cli(
                &app,
                &server,
                &[
                    "files",
                    "migrate",
                    "--to",
                    &app.state
                        .config
                        .data_dir
                        .join("files")
                        .display()
                        .to_string(),
                ],
            );
            assert_eq!(
                same.status.code(),
                Some(2),
                "{}",
                String::from_utf8_lossy(&same.stderr)
            );
        }
    }
}
