//! Issue 15, items 2 and 4: remote witness testimony through a one-time link, the inbox, the mail
//! outbox, daily digests, and the mail queue shared by several workers.

use std::sync::{Arc, Mutex};

use actix_web::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::api;
use crate::helpers::{Backend, TestApp, World, backend_test};
use attest::db::schema::{outbox, witness_requests};
use attest::notify::mail::{self, Outgoing, Transport};

/// Witness testimony as the candidate records it: their account, for the witness to confirm.
fn testimony() -> Value {
    json!({
        "method": "witness_testimony", "setting": "workplace", "date": "2024-05-08",
        "title": "Billing complaint",
        "criteria": [{"criterion": "3.1"}],
        "details": {"witness": {"name": "Ngaio Marsh", "job_title": "Team leader",
            "relationship": "team leader", "contact": "ngaio@harbour.nz",
            "statement": "Aroha resolved a billing complaint calmly.", "declaration": false}},
        "declaration": true
    })
}

async fn add_testimony(app: &TestApp, w: &World) -> String {
    let reply = app
        .post_as(
            &w.candidate,
            &api::enrolment(&w.enrolment).evidence(),
            testimony(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()["id"].as_str().unwrap().to_owned()
}

/// The link in the newest mail to `to` (read from the outbox, as an admin would).
fn link_in_outbox(app: &TestApp, to: &str) -> String {
    link_sent_before(app, to, Utc::now() + Duration::days(1))
}

/// The link in the newest mail to `to` queued before `before`.
fn link_sent_before(app: &TestApp, to: &str, before: chrono::DateTime<Utc>) -> String {
    let to = to.to_owned();
    let body: String = app.tx(move |c| {
        Ok(outbox::table
            .filter(outbox::to_address.eq(to))
            .filter(outbox::kind.eq("witness_request"))
            .filter(outbox::created_at.lt(before.naive_utc()))
            .order(outbox::created_at.desc())
            .select(outbox::body)
            .first(c)?)
    });
    let start = body.find("/witness/").expect("a witness link") + "/witness/".len();
    body[start..start + 43].to_owned()
}

async fn request(
    app: &TestApp,
    token: &str,
    w: &World,
    evidence: &str,
    body: Value,
) -> crate::helpers::Reply {
    app.post_as(
        token,
        &api::enrolment(&w.enrolment)
            .evidence_item(evidence)
            .witness_requests(),
        body,
    )
    .await
}

fn counted_evidence(app: &TestApp, enrolment: &str) -> usize {
    let id = enrolment.to_owned();
    app.tx(move |c| {
        let enrolment = attest::portfolio::load_enrolment(c, id.parse().unwrap())?;
        let records = attest::portfolio::list_evidence(c, id.parse().unwrap())?;
        Ok(
            attest::portfolio::build_portfolio(&enrolment, None, &records)?
                .evidence
                .len(),
        )
    })
}

backend_test!(a_witness_attests_through_a_one_time_link);
async fn a_witness_attests_through_a_one_time_link(app: TestApp) {
    let w = app.world("28268@2").await;
    // The candidate cannot declare on the witness's behalf.
    let mut declared = testimony();
    declared["details"]["witness"]["declaration"] = json!(true);
    declared["details"]["witness"]["declared_on"] = json!("2024-05-08");
    let refused = app
        .post_as(
            &w.candidate,
            &api::enrolment(&w.enrolment).evidence(),
            declared,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.json()["errors"]["details.witness.declaration"].is_string());

    let evidence = add_testimony(&app, &w).await;
    assert_eq!(
        counted_evidence(&app, &w.enrolment),
        0,
        "awaiting witness: not counted"
    );
    let candidate = app.browser(&w.candidate);
    let home = candidate.get(&app, "/").await.text();
    assert!(
        home.contains("Ask your witness to confirm this testimony so it counts"),
        "{home}"
    );

    // A new witness (not on the approved list) by email; the link goes only to the witness.
    let sent = request(&app, &w.candidate, &w, &evidence, json!({})).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text());
    let sent = sent.json();
    assert_eq!(sent["status"], "open");
    assert!(sent["approved_witness_id"].is_null(), "flagged unapproved");
    assert!(sent.get("token_hash").is_none() && !sent.to_string().contains("/witness/"));
    let token = link_in_outbox(&app, "ngaio@harbour.nz");
    let stored: String = {
        let id = sent["id"].as_str().unwrap().to_owned();
        app.tx(move |c| {
            Ok(witness_requests::table
                .find(id)
                .select(witness_requests::token_hash)
                .first(c)?)
        })
    };
    assert_eq!(stored, attest::portfolio::witness::token_hash(&token));
    assert_ne!(stored, token, "only the hash is kept");
    // The assessor hears of it, with the unapproved flag.
    let inbox = app.get_as(&w.assessor, api::ME_NOTIFICATIONS).await.json();
    assert!(
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "witness_requested"
                && n["message"].as_str().unwrap().contains("unapproved")),
        "{inbox}"
    );

    // The candidate's dashboard says whom they wait for.
    let home = candidate.get(&app, "/").await.text();
    assert!(
        home.contains("Waiting for Ngaio Marsh to confirm their testimony"),
        "{home}"
    );
    assert!(
        home.contains(&format!(
            "/enrolments/{}/evidence/{evidence}/witness",
            w.enrolment
        )),
        "{home}"
    );
    // The witness reads the candidate's account without an account.
    let seen = app.get(&api::witness(&token)).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text());
    assert_eq!(
        seen.json()["statement"],
        "Aroha resolved a billing complaint calmly."
    );
    assert_eq!(seen.json()["criteria"], json!(["3.1"]));

    // A relative, a missing confirmation: refused, and the link still works.
    let bad = app
            .request(
                Method::POST,
                &api::witness(&token),
                Some(json!({"statement": "", "relationship": "my aunt", "job_title": "Team leader", "declaration": false})),
            )
            .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["statement", "relationship", "declaration"] {
        assert!(
            bad.json()["errors"][field].is_string(),
            "{field}: {}",
            bad.text()
        );
    }
    let corrected = "Aroha resolved a billing complaint calmly and followed it up by phone.";
    let ok = app
            .request(
                Method::POST,
                &api::witness(&token),
                Some(json!({"statement": corrected, "relationship": "Team leader", "job_title": "Contact centre team leader", "declaration": true})),
            )
            .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let hash = ok.json()["confirmed_hash"].as_str().unwrap().to_owned();
    assert_eq!(hash.len(), 64);

    // Single use.
    let again = app
            .request(
                Method::POST,
                &api::witness(&token),
                Some(json!({"statement": "x", "relationship": "Team leader", "job_title": "x", "declaration": true})),
            )
            .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(
        app.get(&api::witness(&token)).await.status,
        StatusCode::CONFLICT
    );

    // The testimony is the witness's now, and counts.
    let list = app
        .get_as(&w.assessor, &api::enrolment(&w.enrolment).evidence())
        .await
        .json();
    let record = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == evidence.as_str())
        .unwrap()
        .clone();
    assert_eq!(record["details"]["witness"]["statement"], corrected);
    assert_eq!(record["details"]["witness"]["declaration"], true);
    assert_eq!(
        record["details"]["witness"]["job_title"],
        "Contact centre team leader"
    );
    assert_eq!(counted_evidence(&app, &w.enrolment), 1);
    let home = candidate.get(&app, "/").await.text();
    assert!(
        !home.contains("awaiting witness"),
        "confirmed: nothing left to chase: {home}"
    );
    let requests = app
        .get_as(
            &w.candidate,
            &api::enrolment(&w.enrolment)
                .evidence_item(&evidence)
                .witness_requests(),
        )
        .await
        .json();
    assert_eq!(requests[0]["status"], "confirmed");
    assert_eq!(requests[0]["confirmed_hash"], hash.as_str());
    assert!(requests[0]["confirmed_address"].is_string());
    // Audited, with what was confirmed.
    let trail = app
        .get_as(&w.admin, &api::enrolment(&w.enrolment).audit())
        .await
        .text();
    for action in ["witness.request", "witness.confirm"] {
        assert!(trail.contains(action), "{action} in {trail}");
    }
    // Confirmed testimony cannot be asked again.
    let late = request(&app, &w.candidate, &w, &evidence, json!({})).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
}

backend_test!(links_can_be_revoked_resent_and_expire);
async fn links_can_be_revoked_resent_and_expire(app: TestApp) {
    let w = app.world("28268@2").await;
    // An approved witness with an email address.
    let approved = app
            .post_as(&w.admin, &api::org(&w.org).witnesses(), json!({"name": "Hemi Walker", "job_title": "Supervisor", "relationship": "supervisor", "contact": "hemi@harbour.nz"}))
            .await;
    assert_eq!(approved.status, StatusCode::CREATED, "{}", approved.text());
    let approved_id = approved.json()["id"].as_str().unwrap().to_owned();
    let evidence = add_testimony(&app, &w).await;

    let bad = request(
        &app,
        &w.candidate,
        &w,
        &evidence,
        json!({"email": "not an email"}),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.json()["errors"]["email"].is_string());

    let first = request(&app, &w.candidate, &w, &evidence, json!({}))
        .await
        .json();
    let first_token = link_in_outbox(&app, "ngaio@harbour.nz");
    // Sending again (to the approved witness) withdraws the first link.
    let second = request(
        &app,
        &w.assessor,
        &w,
        &evidence,
        json!({"approved_witness_id": approved_id}),
    )
    .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.text());
    let second = second.json();
    assert_eq!(second["approved_witness_id"], approved_id.as_str());
    assert_eq!(second["witness_email"], "hemi@harbour.nz");
    assert_eq!(
        app.get(&api::witness(&first_token)).await.status,
        StatusCode::CONFLICT
    );
    let second_token = link_in_outbox(&app, "hemi@harbour.nz");
    assert_eq!(
        app.get(&api::witness(&second_token)).await.status,
        StatusCode::OK
    );

    // Revoked: it stops working at once; revoking twice is a conflict.
    let revoke =
        api::enrolment(&w.enrolment).witness_request_revoke(second["id"].as_str().unwrap());
    let revoked = app
        .request_as(Some(&w.candidate), Method::POST, &revoke, None)
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    assert_eq!(revoked.json()["status"], "revoked");
    let page = app.get(&format!("/witness/{second_token}")).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.text().contains("withdrawn"), "{}", page.text());
    assert_eq!(
        app.request_as(Some(&w.candidate), Method::POST, &revoke, None)
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(first["status"], "open");
    // Unknown and malformed tokens name nothing.
    assert_eq!(
        app.get(&api::witness("A".repeat(43))).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/witness/short").await.status,
        StatusCode::NOT_FOUND
    );

    // Expired: a link sent 15 days ago no longer opens.
    let base = app.state.config.public_url.clone();
    let (enrolment_id, evidence_id, candidate) = (
        w.enrolment.clone(),
        evidence.clone(),
        w.candidate_id.clone(),
    );
    app.tx(move |c| {
        let enrolment = attest::portfolio::load_enrolment(c, enrolment_id.parse().unwrap())?;
        attest::portfolio::witness::request_testimony(
            c,
            &base,
            &enrolment,
            evidence_id.parse().unwrap(),
            candidate.parse().unwrap(),
            Default::default(),
            Utc::now() - Duration::days(15),
        )
    });
    let old = link_sent_before(&app, "ngaio@harbour.nz", Utc::now() - Duration::days(1));
    let gone = app.get(&api::witness(&old)).await;
    assert_eq!(gone.status, StatusCode::CONFLICT);
    assert!(gone.text().contains("expired"), "{}", gone.text());
}

backend_test!(the_witness_page_confirms_from_a_phone_form);
async fn the_witness_page_confirms_from_a_phone_form(app: TestApp) {
    let w = app.world("28268@2").await;
    let evidence = add_testimony(&app, &w).await;
    request(&app, &w.candidate, &w, &evidence, json!({})).await;
    let token = link_in_outbox(&app, "ngaio@harbour.nz");
    let path = format!("/witness/{token}");
    let page = app.browse(&[], Method::GET, &path, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("Aroha resolved a billing complaint calmly."),
        "{html}"
    );
    assert!(html.contains("width=device-width"));
    assert!(
        !html.contains("href=\"/login\""),
        "a witness has no account: no sign-in link"
    );
    let refused = app
        .browse(
            &[],
            Method::POST,
            &path,
            Some(crate::pages::pairs(&[
                ("statement", "Saw it."),
                ("relationship", "colleague"),
                ("job_title", "Agent"),
            ])),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("id=\"f-declaration-error\""));
    let done = app
        .browse(
            &[],
            Method::POST,
            &path,
            Some(crate::pages::pairs(&[
                ("statement", "Saw it."),
                ("relationship", "colleague"),
                ("job_title", "Agent"),
                ("declaration", "yes"),
            ])),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    assert!(done.text().contains("Your testimony is confirmed"));
    // The candidate's page shows the confirmation.
    let candidate = app.browser(&w.candidate);
    let mine = candidate
        .get(
            &app,
            &format!("/enrolments/{}/evidence/{evidence}/witness", w.enrolment),
        )
        .await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(
        mine.text().contains("Confirmed by the witness"),
        "{}",
        mine.text()
    );
    assert!(mine.text().contains("Unapproved witness"));
}

backend_test!(events_reach_the_inbox_and_mail_with_digests_for_staff);
async fn events_reach_the_inbox_and_mail_with_digests_for_staff(app: TestApp) {
    let w = app.world("28268@2").await;
    // The candidate adds evidence: the assessor's inbox has it, for the daily digest.
    let added = app
            .post_as(&w.candidate, &api::enrolment(&w.enrolment).evidence(), json!({"method": "electronic_data_record", "setting": "workplace", "date": "2024-05-06",
                    "criteria": [{"criterion": "1.1"}], "details": {"summary": "Call log"}, "declaration": true}))
            .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let evidence = added.json()["id"].as_str().unwrap().to_owned();
    let inbox = app.get_as(&w.assessor, api::ME_NOTIFICATIONS).await.json();
    assert_eq!(inbox["unread"], 1, "{inbox}");
    let item = &inbox["items"][0];
    assert_eq!(item["kind"], "evidence_waiting");
    assert_eq!(item["digest"], "daily");
    assert_eq!(
        item["link"],
        format!("/enrolments/{}/evidence/{evidence}/judge", w.enrolment)
    );
    assert_eq!(app.count("outbox"), 0, "staff get no mail per event");

    // The assessor rejects it: the candidate is told at once, by mail too.
    let judged = app
            .post_as(&w.assessor, &api::enrolment(&w.enrolment).evidence_item(&evidence).judgements(), json!({"criteria": [{"id": "1.1", "judgement": "rejected", "feedback": "The log does not show the greeting."}]}))
            .await;
    assert_eq!(judged.status, StatusCode::OK, "{}", judged.text());
    let mine = app.get_as(&w.candidate, api::ME_NOTIFICATIONS).await.json();
    assert_eq!(mine["unread"], 1);
    assert_eq!(mine["items"][0]["kind"], "evidence_rejected");
    assert!(
        mine["items"][0]["message"]
            .as_str()
            .unwrap()
            .contains("does not show the greeting")
    );
    let mail = app.get_as(&w.admin, &api::org(&w.org).outbox()).await;
    assert_eq!(mail.status, StatusCode::OK);
    let mail = mail.json();
    assert_eq!(mail.as_array().unwrap().len(), 1, "{mail}");
    assert_eq!(mail[0]["to_address"], "aroha@harbour.nz");
    assert_eq!(mail[0]["status"], "pending", "kept without SMTP");
    assert!(
        mail[0]["body"]
            .as_str()
            .unwrap()
            .contains(&format!("/enrolments/{}#evidence-{evidence}", w.enrolment))
    );
    // Only admins read the outbox.
    assert_eq!(
        app.get_as(&w.assessor, &api::org(&w.org).outbox())
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // The header counts unread items; reading one clears it.
    let candidate = app.browser(&w.candidate);
    let home = candidate.get(&app, "/inbox").await;
    assert!(
        home.text().contains("class=\"unread-count\">1"),
        "{}",
        home.text()
    );
    let id = mine["items"][0]["id"].as_str().unwrap();
    let read = app
        .request_as(
            Some(&w.candidate),
            Method::POST,
            &api::notification_read(id),
            None,
        )
        .await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(read.json()["read_at"].is_string());
    // Someone else's item is not found.
    assert_eq!(
        app.request_as(
            Some(&w.assessor),
            Method::POST,
            &api::notification_read(id),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !candidate
            .get(&app, "/inbox")
            .await
            .text()
            .contains("unread-count")
    );

    // The next day the assessor gets one digest, once.
    let base = app.state.config.public_url.clone();
    let tomorrow = Utc::now() + Duration::days(1);
    let b = base.clone();
    assert_eq!(
        app.tx(move |c| attest::notify::queue_digests(c, &b, tomorrow)),
        1
    );
    assert_eq!(
        app.tx(move |c| attest::notify::queue_digests(c, &base, tomorrow)),
        0
    );
    let digest: (String, String) = app.tx(|c| {
        Ok(outbox::table
            .filter(outbox::kind.eq("digest"))
            .select((outbox::to_address, outbox::body))
            .first(c)?)
    });
    assert_eq!(digest.0, "mere@harbour.nz");
    assert!(
        digest.1.contains("New evidence waits for your judgement"),
        "{}",
        digest.1
    );
    // Marking all read.
    let all = app
        .request_as(
            Some(&w.assessor),
            Method::POST,
            api::ME_NOTIFICATIONS_READ,
            None,
        )
        .await;
    assert_eq!(all.json()["marked"], 1);
    // The outbox page.
    let admin = app.browser(&w.admin);
    let page = admin.get(&app, &format!("/orgs/{}/outbox", w.org)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("No SMTP server is configured"));
    assert!(page.text().contains("aroha@harbour.nz"));
}

/// Delivers by recording (for the queue's own behaviour; SMTP itself is tested in tests/interop).
struct Recorder {
    sent: Arc<Mutex<Vec<String>>>,
    fail: bool,
}

impl Transport for Recorder {
    fn send(&self, _from: &str, mail: &Outgoing) -> Result<(), String> {
        if self.fail {
            return Err("connection refused".into());
        }
        self.sent.lock().unwrap().push(mail.id.clone());
        Ok(())
    }
}

fn enqueue(app: &TestApp, n: usize) -> Vec<String> {
    app.tx(move |c| {
        (0..n)
            .map(|i| {
                attest::notify::enqueue(
                    c,
                    None,
                    &format!("p{i}@example.org"),
                    "Hello",
                    "Body",
                    "notification",
                    Utc::now(),
                )
            })
            .collect()
    })
}

backend_test!(failed_mail_is_retried_later_and_kept);
async fn failed_mail_is_retried_later_and_kept(app: TestApp) {
    let ids = enqueue(&app, 1);
    let sent = Arc::new(Mutex::new(Vec::new()));
    let failing = Recorder {
        sent: sent.clone(),
        fail: true,
    };
    let now = Utc::now();
    let round = mail::run_once(&app.state.db, &failing, "attest@example.org", "w1", now).unwrap();
    assert_eq!(round, mail::Round { sent: 0, failed: 1 });
    let row: (String, i32, Option<String>) = app.tx(|c| {
        Ok(outbox::table
            .select((outbox::status, outbox::attempts, outbox::last_error))
            .first(c)?)
    });
    assert_eq!(
        row,
        ("pending".into(), 1, Some("connection refused".into()))
    );
    // Not due again at once…
    let working = Recorder {
        sent: sent.clone(),
        fail: false,
    };
    let round = mail::run_once(&app.state.db, &working, "attest@example.org", "w2", now).unwrap();
    assert_eq!(round.sent, 0);
    // …but after the back-off (a restarted worker finds it in the database).
    let later = now + mail::backoff(1) + Duration::seconds(1);
    let round = mail::run_once(&app.state.db, &working, "attest@example.org", "w3", later).unwrap();
    assert_eq!(round.sent, 1);
    assert_eq!(*sent.lock().unwrap(), ids);
    // A mail that fails every time is marked failed and kept.
    enqueue(&app, 1);
    let mut at = later;
    for _ in 0..mail::MAX_ATTEMPTS {
        mail::run_once(&app.state.db, &failing, "attest@example.org", "w1", at).unwrap();
        at += Duration::hours(7);
    }
    let failed: i64 = app.tx(|c| {
        Ok(outbox::table
            .filter(outbox::status.eq("failed"))
            .count()
            .get_result(c)?)
    });
    assert_eq!(failed, 1);
}

backend_test!(sync two_workers_never_send_the_same_mail);
fn two_workers_never_send_the_same_mail(backend: Backend) {
    let app = TestApp::new(backend);
    let ids = enqueue(&app, 60);
    // Claims held by a worker that died are taken over once the lease runs out.
    let stale = app.tx(|c| mail::claim(c, "dead", Utc::now(), 5));
    assert_eq!(stale.len(), 5);
    let sent = Arc::new(Mutex::new(Vec::new()));
    let now = Utc::now() + attest::notify::LEASE + Duration::seconds(1);
    let workers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|name| {
            let db = app.state.db.clone();
            let sent = sent.clone();
            std::thread::spawn(move || {
                let transport = Recorder { sent, fail: false };
                let mut total = 0;
                loop {
                    let round =
                        mail::run_once(&db, &transport, "attest@example.org", name, now).unwrap();
                    total += round.sent;
                    if round.sent == 0 {
                        return total;
                    }
                }
            })
        })
        .collect();
    let totals: Vec<usize> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    let mut sent = sent.lock().unwrap().clone();
    assert_eq!(
        sent.len(),
        60,
        "{backend:?}: each mail sent once ({totals:?})"
    );
    sent.sort();
    sent.dedup();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(sent, expected, "{backend:?}");
    let pending: i64 = app.tx(|c| {
        Ok(outbox::table
            .filter(outbox::status.ne("sent"))
            .count()
            .get_result(c)?)
    });
    assert_eq!(pending, 0);
    let _ = Backend::Sqlite;
}
