//! Mail sent through a real SMTP server: Python's `aiosmtpd` (from PyPI, `pip install
//! aiosmtpd==1.4.6`), started by the test, writing what it receives to a Maildir that Python's
//! `email` package reads back. Fails, never skips, when `aiosmtpd` is missing.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use actix_web::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::api;
use crate::helpers::TestApp;
use attest::notify::mail::{self, Smtp};

/// The SMTP server, stopped when dropped.
pub struct SmtpServer {
    child: Child,
    port: u16,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn require_aiosmtpd() {
    let out = Command::new("python3")
        .args(["-c", "import aiosmtpd, email; print(aiosmtpd.__version__)"])
        .output()
        .unwrap_or_else(|e| {
            panic!("python3 is needed for the SMTP tests (pip install aiosmtpd==1.4.6): {e}")
        });
    assert!(
        out.status.success(),
        "install aiosmtpd from PyPI for the SMTP tests (pip install aiosmtpd==1.4.6): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn start_smtp(port: u16, maildir: &Path) -> SmtpServer {
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start aiosmtpd");
    let mut server = SmtpServer { child, port };
    // Ready when it accepts connections (it binds within a second or two).
    for _ in 0..300 {
        if TcpStream::connect(("127.0.0.1", server.port)).is_ok() {
            return server;
        }
        if let Some(status) = server.child.try_wait().unwrap() {
            panic!("aiosmtpd exited ({status}): is it installed? pip install aiosmtpd==1.4.6");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("aiosmtpd did not start listening on port {port}");
}

/// Every message the server stored, read by Python's `email` package: to, from, subject, body.
pub fn received(maildir: &Path) -> Vec<Value> {
    let script = r#"
import json, mailbox, sys
from email import policy
from email.parser import BytesParser
out = []
for key, msg in mailbox.Maildir(sys.argv[1], factory=None).items():
    parsed = BytesParser(policy=policy.default).parsebytes(msg.as_bytes())
    out.append({"to": str(parsed["To"]), "from": str(parsed["From"]), "subject": str(parsed["Subject"]),
                "body": parsed.get_body(("plain",)).get_content()})
print(json.dumps(out))
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(maildir)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[actix_web::test]
async fn mail_reaches_a_real_smtp_server_and_failures_are_retried() {
    require_aiosmtpd();
    for app in TestApp::all() {
        let w = app.world("28268@2").await;
        // A witness request (a non-ASCII name in the body) and a rejection the candidate hears of.
        let added = app
            .request_as(
                Some(&w.candidate),
                Method::POST,
                &api::enrolment(&w.enrolment).evidence(),
                Some(json!({"method": "witness_testimony", "setting": "workplace", "date": "2024-05-08",
                    "criteria": [{"criterion": "3.1"}], "declaration": true,
                    "details": {"witness": {"name": "Ngāio Marsh", "job_title": "Team leader", "relationship": "team leader",
                        "contact": "ngaio@harbour.nz", "statement": "Resolved a billing complaint."}}})),
            )
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
        let evidence = added.json()["id"].as_str().unwrap().to_owned();
        let sent = app
            .request_as(
                Some(&w.candidate),
                Method::POST,
                &api::enrolment(&w.enrolment)
                    .evidence_item(&evidence)
                    .witness_requests(),
                Some(json!({})),
            )
            .await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text());

        let port = free_port();
        let url = format!("smtp://127.0.0.1:{port}");
        let transport = Smtp::from_url(&url).unwrap();
        let from = "Attest <attest@harbour.nz>";
        let now = Utc::now();
        // Nobody listens yet: the attempt fails and the mail waits for its retry.
        let round = mail::run_once(&app.state.db, &transport, from, "w1", now).unwrap();
        assert_eq!(round, mail::Round { sent: 0, failed: 1 });

        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("maildir");
        let _server = start_smtp(port, &maildir);
        // A worker after a restart (another id) sends it once it is due.
        let later = now + mail::backoff(1) + Duration::seconds(1);
        let round = mail::run_once(&app.state.db, &transport, from, "w2", later).unwrap();
        assert_eq!(round, mail::Round { sent: 1, failed: 0 });
        let got = received(&maildir);
        assert_eq!(got.len(), 1, "{got:?}");
        let mail = &got[0];
        assert_eq!(mail["to"], "ngaio@harbour.nz");
        assert_eq!(mail["from"], "Attest <attest@harbour.nz>");
        assert!(
            mail["subject"]
                .as_str()
                .unwrap()
                .starts_with("Please confirm testimony for")
        );
        let body = mail["body"].as_str().unwrap();
        assert!(body.contains("Hello Ngāio Marsh"), "{body}");
        let start = body.find("/witness/").unwrap() + "/witness/".len();
        let token = &body[start..start + 43];
        assert_eq!(
            app.get(&api::witness(token)).await.status,
            StatusCode::OK,
            "the mailed link opens the witness page"
        );
        // Sent once: nothing is due any more.
        let round = mail::run_once(
            &app.state.db,
            &transport,
            from,
            "w3",
            later + Duration::hours(1),
        )
        .unwrap();
        assert_eq!(round.sent, 0);
        let outbox = app
            .request_as(
                Some(&w.admin),
                Method::GET,
                &api::org(&w.org).outbox(),
                None,
            )
            .await
            .json();
        assert_eq!(outbox[0]["status"], "sent", "{outbox}");
        assert_eq!(outbox[0]["attempts"], 2);
        assert!(outbox[0]["sent_at"].is_string());
    }
}
