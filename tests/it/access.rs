//! The access matrix: every route × every kind of caller, with the exact status expected. A route
//! in the route table without a row here fails `every_route_has_a_matrix_row`.
//!
//! Write routes are sent bodies that pass the policy but fail validation, so "allowed" shows as 422
//! (or the success status) and no row changes the world the next caller sees.

use std::collections::BTreeSet;

use actix_web::http::{Method, StatusCode};
use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};

use crate::api;
use crate::helpers::{Backend, TestApp, backend_test, multipart};
use attest::auth::policy::Role;

/// The callers, in the column order of every row.
const CALLERS: [&str; 11] = [
    "anonymous",
    "candidate (own)",
    "candidate (same org, not theirs)",
    "assessor (assigned)",
    "assessor (not assigned)",
    "internal verifier (assigned)",
    "provider admin",
    "external verifier",
    "external verifier (expired)",
    "admin of another org",
    "standards editor",
];

/// One row: a route, the concrete request to send, and the status for each caller.
struct Row {
    method: &'static str,
    pattern: &'static str,
    path: String,
    body: Option<Body>,
    expect: [u16; 11],
}

enum Body {
    Json(Value),
    /// One JSON body per caller, in the order of [`CALLERS`].
    JsonEach(Vec<Value>),
    Multipart(String, Vec<u8>),
    /// A page's form (urlencoded), sent with the Bearer token: no CSRF token is needed then.
    Form(Vec<(String, String)>),
}

struct Fixture {
    plan: String,
    draw: String,
    cohort: String,
    batch: String,
    assessor2: String,
    iv_id: String,
    org: String,
    enrolment: String,
    evidence: String,
    testimony: String,
    other_candidate: String,
    victim: String,
    admin_id: String,
    candidate_id: String,
    question_set: String,
    question_request: String,
    question_answer: String,
    tokens: Vec<Option<String>>,
}

async fn fixture(app: &TestApp) -> Fixture {
    let w = app.world("28268@2").await;
    let other_candidate = app.seed_user(&w.org, "other@harbour.nz", "candidate");
    app.tx(|c| {
        attest::identity::grant_role(
            c,
            None,
            other_candidate.parse().unwrap(),
            w.org.parse().unwrap(),
            Role::Assessor,
            None,
        )
    });
    let victim = app.seed_user(&w.org, "leaving@harbour.nz", "candidate");
    let assessor2 = app.seed_user(&w.org, "assessor2@harbour.nz", "assessor");
    let plan = app.tx(|c| {
        attest::signoff::plans::create_plan(
            c,
            &app.state.catalogue,
            w.org.parse().unwrap(),
            &w.iv_id,
            serde_json::from_value(
                json!({"iv_id": w.iv_id, "name": "Term 1", "kind": "interim",
                "period_start": "2024-01-01", "period_end": "2024-12-31", "seed": 7}),
            )
            .unwrap(),
            Utc::now(),
        )
    });
    let ev = app.seed_user(&w.org, "ev@sqa.org.uk", "candidate");
    let ev_old = app.seed_user(&w.org, "ev-old@sqa.org.uk", "candidate");
    app.tx(|c| {
        attest::identity::revoke_role(
            c,
            None,
            ev.parse().unwrap(),
            w.org.parse().unwrap(),
            Role::Candidate,
        )?;
        attest::identity::revoke_role(
            c,
            None,
            ev_old.parse().unwrap(),
            w.org.parse().unwrap(),
            Role::Candidate,
        )?;
        attest::identity::grant_role(
            c,
            None,
            ev.parse().unwrap(),
            w.org.parse().unwrap(),
            Role::ExternalVerifier,
            Some(Utc::now() + TimeDelta::days(30)),
        )?;
        attest::identity::grant_role(
            c,
            None,
            ev_old.parse().unwrap(),
            w.org.parse().unwrap(),
            Role::ExternalVerifier,
            Some(Utc::now() - TimeDelta::days(1)),
        )
    });
    app.seed_user(&w.org, "editor@harbour.nz", "standards_editor");
    let other_org = app.seed_org("Summit College");
    app.seed_user(&other_org, "admin@summit.nz", "provider_admin");

    let record = json!({"method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
        "criteria": [{"criterion": "1.7"}], "declaration": true});
    let (ctype, body) = multipart(&record, "record.pdf", b"%PDF-1.4 record");
    let upload = app
        .send_raw(
            &w.candidate,
            &api::enrolment(&w.enrolment).evidence_upload(),
            &ctype,
            body,
        )
        .await;
    assert_eq!(upload.status, StatusCode::CREATED, "{}", upload.text());
    // Witness testimony awaiting its witness (issue 15).
    let testimony = app
        .request_as(
            Some(&w.candidate),
            actix_web::http::Method::POST,
            &api::enrolment(&w.enrolment).evidence(),
            Some(json!({"method": "witness_testimony", "setting": "workplace", "date": "2024-05-08",
                "criteria": [{"criterion": "3.1"}], "declaration": true,
                "details": {"witness": {"name": "Ngaio", "job_title": "Team leader", "relationship": "team leader",
                    "contact": "ngaio@harbour.nz", "statement": "Saw it."}}})),
        )
        .await;
    assert_eq!(
        testimony.status,
        StatusCode::CREATED,
        "{}",
        testimony.text()
    );

    let tokens = vec![
        None,
        Some(w.candidate.clone()),
        Some(app.login("other@harbour.nz").await),
        Some(w.assessor.clone()),
        Some(app.login("assessor2@harbour.nz").await),
        Some(w.iv.clone()),
        Some(w.admin.clone()),
        Some(app.login("ev@sqa.org.uk").await),
        Some(app.login("ev-old@sqa.org.uk").await),
        Some(app.login("admin@summit.nz").await),
        Some(app.login("editor@harbour.nz").await),
    ];
    // A question set on the unit, sent to the candidate (issue 16.4): answered by nobody yet.
    let set = app
        .post_as(
            &w.assessor,
            &api::org(&w.org).question_sets(),
            json!({"standard": "28268@2", "title": "Greeting callers",
                "items": [{"covers": ["1.1"], "question": "How do you greet a caller?"}]}),
        )
        .await;
    assert_eq!(set.status, StatusCode::CREATED, "{}", set.text());
    let question_set = set.json()["id"].as_str().unwrap().to_owned();
    let sent = app
        .post_as(
            &w.assessor,
            &api::enrolment(&w.enrolment).question_requests(),
            json!({"set_id": question_set}),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text());
    let question_request = sent.json()["id"].as_str().unwrap().to_owned();
    let question_answer = sent.json()["answers"][0]["id"].as_str().unwrap().to_owned();
    // An achieved result, so the fixture's batch records something (an empty one is refused).
    crate::exports::seed_result(app, &w, "achieved@harbour.nz", "28268@2", "2024-06-03");
    let catalogue = app.state.catalogue.clone();
    let org = w.org.clone();
    let store = app.state.store.clone();
    let scratch_dir = app.state.upload_dir.clone();
    let keys = app.state.keys.clone();
    let public_url = app.state.config.public_url.clone();
    let (cohort, batch) = app.tx(move |c| {
        let cohort = attest::portfolio::cohorts::create_cohort(
            c,
            &catalogue,
            None,
            org.parse().unwrap(),
            attest::portfolio::cohorts::NewCohort {
                name: "Term 1".into(),
                ..Default::default()
            },
            Utc::now(),
        )?;
        let filter = attest::exports::results::ResultsQuery::default().check(
            c,
            &catalogue,
            org.parse().unwrap(),
        )?;
        let (batch, _) = attest::exports::ledger::export_results(
            c,
            &catalogue,
            &filter,
            Some(attest::exports::ledger::Recording {
                actor_id: None,
                now: Utc::now(),
                store: store.as_ref(),
                scratch_dir: &scratch_dir,
                keys: &keys,
                public_url: &public_url,
            }),
            std::io::sink(),
            |_| {},
        )
        .map_err(|e| match e {
            attest::exports::ExportFailure::Action(a) => a,
            other => panic!("{other}"),
        })?;
        Ok((
            cohort.id.to_string(),
            batch.expect("recorded").id.to_string(),
        ))
    });
    let admin_id = app.tx(|c| {
        use attest::db::schema::users;
        use diesel::prelude::*;
        Ok(users::table
            .filter(users::email.eq("admin@harbour.nz"))
            .select(users::id)
            .first::<String>(c)?)
    });
    let draw = app
        .tx(|c| attest::signoff::draws::latest(c, plan.id))
        .expect("a plan is drawn when created")
        .id
        .to_string();
    Fixture {
        admin_id,
        candidate_id: w.candidate_id,
        draw,
        plan: plan.id.to_string(),
        cohort,
        batch,
        assessor2,
        iv_id: w.iv_id,
        org: w.org,
        enrolment: w.enrolment,
        evidence: upload.json()["id"].as_str().unwrap().to_owned(),
        testimony: testimony.json()["id"].as_str().unwrap().to_owned(),
        other_candidate,
        victim,
        question_set,
        question_request,
        question_answer,
        tokens,
    }
}

fn rows(f: &Fixture) -> Vec<Row> {
    let (org, e, ev) = (&f.org, &f.enrolment, &f.evidence);
    let t = &f.testimony;
    let (qs, qr, qa) = (&f.question_set, &f.question_request, &f.question_answer);
    let not_a_recording = crate::helpers::file_form("answer.pdf", b"%PDF-1.4 x");
    let nobody = uuid::Uuid::new_v4();
    let no_token = "A".repeat(43);
    let row = |method, pattern, path: String, body: Option<Body>, expect| Row {
        method,
        pattern,
        path,
        body,
        expect,
    };
    let json = |v: Value| Some(Body::Json(v));
    let form = |fields: &[(&str, &str)]| Some(Body::Form(crate::pages::pairs(fields)));
    // Pages send a visitor without a session to sign in (303) where the API answers 401.
    let page = |mut expect: [u16; 11]| {
        expect[0] = 303;
        expect
    };
    let bad_page_upload = multipart(
        &json!({"method": "product_evidence"}),
        "x.pdf",
        b"%PDF-1.4 x",
    );
    let not_a_credential = crate::helpers::file_form("x.jwt", b"not a credential");
    let bad_record = multipart(
        &json!({"method": "product_evidence"}),
        "x.pdf",
        b"%PDF-1.4 x",
    );
    //                 anon cand cnd2 asr  asr2 iv   adm  ev   evX  othr edtr
    const PUBLIC: [u16; 11] = [200; 11];
    const SIGNED_IN: [u16; 11] = [401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200];
    const MEMBERS: [u16; 11] = [401, 200, 200, 200, 200, 200, 200, 200, 404, 404, 200];
    const ADMIN_ONLY: fn(u16) -> [u16; 11] =
        |ok| [401, 403, 403, 403, 403, 403, ok, 403, 404, 404, 403];
    const READERS: [u16; 11] = [401, 200, 403, 200, 403, 200, 200, 200, 404, 404, 403];
    const SETS: fn(u16) -> [u16; 11] = |ok| [401, 403, 403, ok, ok, 403, ok, 403, 404, 404, 403];
    const CANDIDATE_OR_ASSESSOR: fn(u16) -> [u16; 11] =
        |ok| [401, ok, 403, ok, 403, 403, 403, 403, 404, 404, 403];
    const ASSESSOR_ONLY: fn(u16) -> [u16; 11] =
        |ok| [401, 403, 403, ok, 403, 403, 403, 403, 404, 404, 403];
    const CANDIDATE_ONLY: fn(u16) -> [u16; 11] =
        |ok| [401, ok, 403, 403, 403, 403, 403, 403, 404, 404, 403];
    const IV_ONLY: fn(u16) -> [u16; 11] =
        |ok| [401, 403, 403, 403, 403, ok, 403, 403, 404, 404, 403];
    const COHORT_READERS: [u16; 11] = [401, 403, 403, 403, 403, 403, 200, 200, 404, 404, 403];
    const AUDIT_READERS: [u16; 11] = [401, 403, 403, 403, 403, 403, 200, 200, 404, 404, 403];
    const PLAN_READERS: [u16; 11] = [401, 403, 403, 403, 403, 200, 200, 200, 404, 404, 403];
    const EDITOR_ONLY: fn(u16) -> [u16; 11] =
        |ok| [401, 403, 403, 403, 403, 403, 403, 403, 404, 404, ok];
    const PLAN_MANAGERS: fn(u16) -> [u16; 11] =
        |ok| [401, 403, 403, 403, 403, ok, ok, 403, 404, 404, 403];
    vec![
        row("GET", "/healthz", "/healthz".into(), None, PUBLIC),
        row("GET", "/readyz", "/readyz".into(), None, PUBLIC),
        row(
            "GET",
            "/static/{name}",
            "/static/attest.css".into(),
            None,
            PUBLIC,
        ),
        row("GET", "/", "/".into(), None, PUBLIC),
        row(
            "GET",
            "/api/openapi.json",
            "/api/openapi.json".into(),
            None,
            PUBLIC,
        ),
        row(
            "POST",
            "/api/auth/login",
            "/api/auth/login".into(),
            // Anyone may try: each caller with an unknown email of its own, so no throttle delay
            // (which tests/it/sign_in.rs checks on a clock it controls) depends on how fast this
            // machine happens to be.
            Some(Body::JsonEach(
                (0..CALLERS.len())
                    .map(|i| json!({"email": format!("x{i}@y.nz"), "password": "wrong password"}))
                    .collect(),
            )),
            [401; 11],
        ),
        row("GET", "/api/me", "/api/me".into(), None, SIGNED_IN),
        // Issue 16: the oldest evidence waiting for the caller's judgement; only the assigned
        // assessor has any (404 is "nothing waiting").
        row(
            "GET",
            "/api/me/next-judgement",
            "/api/me/next-judgement".into(),
            None,
            [401, 404, 404, 200, 404, 404, 404, 404, 404, 404, 404],
        ),
        // Issue 15: everyone's own inbox; the outbox is the admin's; witness links need no account.
        row(
            "GET",
            "/api/me/notifications",
            "/api/me/notifications".into(),
            None,
            SIGNED_IN,
        ),
        row(
            "POST",
            "/api/me/notifications/read",
            "/api/me/notifications/read".into(),
            None,
            SIGNED_IN,
        ),
        row(
            "POST",
            "/api/me/notifications/{id}/read",
            api::notification_read(nobody),
            None,
            [401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404],
        ),
        row(
            "GET",
            "/api/orgs/{org_id}/outbox",
            api::org(org).outbox(),
            None,
            ADMIN_ONLY(200),
        ),
        row(
            "GET",
            "/api/enrolments/{id}/evidence/{evidence_id}/witness-requests",
            api::enrolment(e).evidence_item(t).witness_requests(),
            None,
            READERS,
        ),
        row(
            "POST",
            "/api/enrolments/{id}/evidence/{evidence_id}/witness-requests",
            api::enrolment(e).evidence_item(t).witness_requests(),
            json(json!({"email": "not an address"})),
            CANDIDATE_OR_ASSESSOR(422),
        ),
        row(
            "POST",
            "/api/enrolments/{id}/witness-requests/{request_id}/revoke",
            api::enrolment(e).witness_request_revoke(nobody),
            None,
            CANDIDATE_OR_ASSESSOR(404),
        ),
        row(
            "GET",
            "/api/witness/{token}",
            api::witness(&no_token),
            None,
            [404; 11],
        ),
        row(
            "POST",
            "/api/witness/{token}",
            api::witness(&no_token),
            json(
                json!({"statement": "x", "relationship": "colleague", "job_title": "x", "declaration": true}),
            ),
            [404; 11],
        ),
        row("GET", "/inbox", "/inbox".into(), None, page(SIGNED_IN)),
        row(
            "POST",
            "/inbox/read",
            "/inbox/read".into(),
            form(&[]),
            [303; 11],
        ),
        row(
            "POST",
            "/inbox/{id}/read",
            format!("/inbox/{nobody}/read"),
            form(&[]),
            page([401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
        ),
        row(
            "GET",
            "/orgs/{org_id}/outbox",
            format!("/orgs/{org}/outbox"),
            None,
            page(ADMIN_ONLY(200)),
        ),
        row(
            "GET",
            "/witness/{token}",
            format!("/witness/{no_token}"),
            None,
            [404; 11],
        ),
        row(
            "POST",
            "/witness/{token}",
            format!("/witness/{no_token}"),
            form(&[("statement", "x")]),
            [404; 11],
        ),
        row(
            "GET",
            "/enrolments/{id}/evidence/{evidence_id}/witness",
            format!("/enrolments/{e}/evidence/{t}/witness"),
            None,
            page(READERS),
        ),
        row(
            "POST",
            "/enrolments/{id}/evidence/{evidence_id}/witness",
            format!("/enrolments/{e}/evidence/{t}/witness"),
            form(&[("approved_witness_id", "new"), ("email", "not an address")]),
            page(CANDIDATE_OR_ASSESSOR(422)),
        ),
        row(
            "POST",
            "/enrolments/{id}/witness-requests/{request_id}/revoke",
            format!("/enrolments/{e}/witness-requests/{nobody}/revoke"),
            form(&[]),
            page(CANDIDATE_OR_ASSESSOR(404)),
        ),
        // Everyone manages their own two-factor sign-in; an organisation's requirement is its admin's.
        row(
            "GET",
            "/api/me/two-factor",
            "/api/me/two-factor".into(),
            None,
            SIGNED_IN,
        ),
        row(
            "POST",
            "/api/me/two-factor",
            "/api/me/two-factor".into(),
            None,
            [401, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201],
        ),
        row(
            "POST",
            "/api/me/two-factor/confirm",
            "/api/me/two-factor/confirm".into(),
            json(json!({"code": "not a code"})),
            [401, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422],
        ),
        row(
            "POST",
            "/api/me/two-factor/disable",
            "/api/me/two-factor/disable".into(),
            json(json!({"code": "not a code"})),
            [401, 409, 409, 409, 409, 409, 409, 409, 409, 409, 409],
        ),
        row(
            "GET",
            "/api/orgs/{org_id}/two-factor",
            api::org(org).two_factor(),
            None,
            ADMIN_ONLY(200),
        ),
        row(
            "PUT",
            "/api/orgs/{org_id}/two-factor",
            api::org(org).two_factor(),
            json(json!({"required": false})),
            ADMIN_ONLY(200),
        ),
        row(
            "GET",
            "/account/two-factor",
            "/account/two-factor".into(),
            None,
            page(SIGNED_IN),
        ),
        row(
            "POST",
            "/account/two-factor",
            "/account/two-factor".into(),
            form(&[("step", "confirm"), ("code", "x")]),
            page([401, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422]),
        ),
        row(
            "GET",
            "/orgs/{org_id}/standards/author",
            format!("/orgs/{org}/standards/author"),
            None,
            page(EDITOR_ONLY(200)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/standards/author",
            format!("/orgs/{org}/standards/author"),
            form(&[("yaml", "code: X")]),
            page(EDITOR_ONLY(200)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/standards/publish",
            format!("/orgs/{org}/standards/publish"),
            form(&[("yaml", "code: X")]),
            page(EDITOR_ONLY(422)),
        ),
        row(
            "GET",
            "/orgs/{org_id}/standards/mappings",
            format!("/orgs/{org}/standards/mappings"),
            None,
            page(EDITOR_ONLY(200)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/standards/mappings",
            format!("/orgs/{org}/standards/mappings"),
            form(&[("yaml", "code: X")]),
            page(EDITOR_ONLY(422)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/settings/two-factor",
            format!("/orgs/{org}/settings/two-factor"),
            form(&[("required", "no")]),
            page(ADMIN_ONLY(303)),
        ),
        row(
            "GET",
            "/api/orgs/{org_id}",
            api::org(org).path(),
            None,
            MEMBERS,
        ),
        row(
            "GET",
            "/api/orgs/{org_id}/users",
            api::org(org).users(),
            None,
            ADMIN_ONLY(200),
        ),
        row(
            "POST",
            "/api/orgs/{org_id}/people/import",
            format!("{}?dry_run=true", api::org(org).people_import()),
            Some(Body::Multipart(
                "text/csv".into(),
                b"name,email\nX,not an email\n".to_vec(),
            )),
            ADMIN_ONLY(422),
        ),
        row(
            "POST",
            "/api/orgs/{org_id}/users/{user_id}/invitation",
            api::org(org).user(&f.victim).invitation(),
            None,
            // The victim chose a password long ago: no new link.
            ADMIN_ONLY(409),
        ),
        // The token is the proof: an unknown one is 404 for everyone, signed in or not.
        row(
            "POST",
            "/api/invitations/accept",
            "/api/invitations/accept".into(),
            json(json!({"token": "unknown", "password": "a long enough passphrase"})),
            [404; 11],
        ),
        row(
            "GET",
            "/invitations/{token}",
            "/invitations/unknown".into(),
            None,
            [404; 11],
        ),
        row(
            "POST",
            "/invitations/{token}",
            "/invitations/unknown".into(),
            form(&[
                ("password", "a long enough passphrase"),
                ("confirm", "a long enough passphrase"),
            ]),
            [404; 11],
        ),
        row(
            "GET",
            "/orgs/{org_id}/people/import",
            format!("/orgs/{org}/people/import"),
            None,
            page(ADMIN_ONLY(200)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/people/import",
            format!("/orgs/{org}/people/import"),
            form(&[("csv", "name,email\nX,not an email\n"), ("dry_run", "yes")]),
            page(ADMIN_ONLY(422)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/people/{user_id}/invitation",
            format!("/orgs/{org}/people/{}/invitation", f.victim),
            form(&[]),
            page(ADMIN_ONLY(409)),
        ),
        row(
            "POST",
            "/api/orgs/{org_id}/users",
            api::org(org).users(),
            json(json!({"email": "x", "name": "X", "password": "x", "role": "candidate"})),
            ADMIN_ONLY(422),
        ),
        row(
            "POST",
            "/api/orgs/{org_id}/users/{user_id}/grants",
            api::org(org).user(&f.other_candidate).grants(),
            json(json!({"role": "assessor", "expires_at": "2000-01-01T00:00:00Z"})),
            ADMIN_ONLY(422),
        ),
        row(
            "DELETE",
            "/api/orgs/{org_id}/users/{user_id}/grants/{role}",
            api::org(org).user(&f.other_candidate).grant("assessor"),
            None,
            ADMIN_ONLY(204),
        ),
        row(
            "POST",
            "/api/orgs/{org_id}/users/{user_id}/deactivate",
            api::org(org).user(&f.victim).deactivate(),
            None,
            ADMIN_ONLY(204),
        ),
        row(
            "POST",
            "/api/orgs/{org_id}/users/{user_id}/erase",
            api::org(org).user(&f.victim).erase(),
            json(json!({"reason": " "})),
            ADMIN_ONLY(422),
        ),
        // A subject-access export: the person themself, or their organisation's admin.
        row(
            "GET",
            "/api/users/{user_id}/subject-access.zip",
            api::subject_access_zip(&f.candidate_id),
            None,
            [401, 200, 403, 403, 403, 403, 200, 403, 404, 404, 403],
        ),
        row(
            "GET",
            "/api/orgs/{org_id}/retention",
            api::org(org).retention(),
            None,
            ADMIN_ONLY(200),
        ),
        row(
            "PUT",
            "/api/orgs/{org_id}/retention",
            api::org(org).retention(),
            json(json!({"evidence_files": 0})),
            ADMIN_ONLY(422),
        ),
        row(
            "GET",
            "/api/orgs/{org_id}/iv-assignments",
            api::org(org).iv_assignments(),
            None,
            ADMIN_ONLY(200),
        ),
        row(
            "DELETE",
            "/api/orgs/{org_id}/iv-assignments/{iv_id}/{assessor_id}",
            api::org(org).iv_assignment(&f.iv_id, &f.assessor2),
            None,
            ADMIN_ONLY(404),
        ),
        row(
            "POST",
            "/api/orgs/{org_id}/iv-assignments",
            api::org(org).iv_assignments(),
            json(json!({"iv_id": f.other_candidate, "assessor_id": f.victim})),
            ADMIN_ONLY(422),
        ),
        row(
            "GET",
            "/api/standards",
            "/api/standards".into(),
            None,
            SIGNED_IN,
        ),
        row(
            "GET",
            "/api/standards/{code}/{version}",
            "/api/standards/28268/2".into(),
            None,
            SIGNED_IN,
        ),
        row(
            "POST",
            "/api/orgs/{org_id}/standards/preview",
            api::org(org).standards_preview(),
            json(json!({"yaml": "code: X\n"})),
            EDITOR_ONLY(200),
        ),
        row(
            "POST",
            "/api/orgs/{org_id}/standards",
            api::org(org).standards(),
            json(json!({"yaml": "code: X\n"})),
            EDITOR_ONLY(422),
        ),
        row(
            "POST",
            "/api/orgs/{org_id}/standard-mappings",
            api::org(org).standard_mappings(),
            json(json!({"yaml": "code: X\n"})),
            EDITOR_ONLY(422),
        ),
        // Ids in bodies name nothing here; a malformed one is refused (422) before the policy.
        row(
            "POST",
            "/api/enrolments/{id}/move/preview",
            api::enrolment(e).move_preview(),
            json(json!({"mapping_id": "00000000-0000-0000-0000-000000000000"})),
            ADMIN_ONLY(422),
        ),
        row(
            "POST",
            "/api/enrolments/{id}/move",
            api::enrolment(e).move_version(),
            json(json!({"mapping_id": "00000000-0000-0000-0000-000000000000"})),
            ADMIN_ONLY(422),
        ),
        // Never moved: nothing to undo.
        row(
            "POST",
            "/api/enrolments/{id}/move/undo",
            api::enrolment(e).move_undo(),
            None,
            ADMIN_ONLY(409),
        ),
        row(
            "POST",
            "/api/enrolments",
            "/api/enrolments".into(),
            json(json!({"org_id": org, "candidate_id": f.victim, "standard": "no-such-standard"})),
            ADMIN_ONLY(422),
        ),
        row(
            "GET",
            "/api/enrolments",
            api::enrolments_of(org),
            None,
            MEMBERS,
        ),
        row(
            "GET",
            "/api/enrolments/{id}",
            api::enrolment(e).path(),
            None,
            READERS,
        ),
        row(
            "GET",
            "/api/enrolments/{id}/evidence",
            api::enrolment(e).evidence(),
            None,
            READERS,
        ),
        row(
            "POST",
            "/api/enrolments/{id}/evidence",
            api::enrolment(e).evidence(),
            json(
                json!({"method": "witness_testimony", "setting": "workplace", "date": "2024-05-06", "criteria": [{"criterion": "9.9"}]}),
            ),
            CANDIDATE_OR_ASSESSOR(422),
        ),
        row(
            "POST",
            "/api/enrolments/{id}/evidence/upload",
            api::enrolment(e).evidence_upload(),
            Some(Body::Multipart(bad_record.0, bad_record.1)),
            CANDIDATE_OR_ASSESSOR(422),
        ),
        row(
            "GET",
            "/api/enrolments/{id}/evidence/{evidence_id}/file",
            api::enrolment(e).evidence_item(ev).file(),
            None,
            READERS,
        ),
        row(
            "POST",
            "/api/enrolments/{id}/evidence/{evidence_id}/judgements",
            api::enrolment(e).evidence_item(ev).judgements(),
            json(json!({"criteria": [{"id": "9.9", "judgement": "accepted"}]})),
            ASSESSOR_ONLY(422),
        ),
        // Only the candidate acknowledges, and only an assessor's observation or questioning
        // record: the fixture's evidence is the candidate's own upload (409).
        row(
            "POST",
            "/api/enrolments/{id}/evidence/{evidence_id}/acknowledgement",
            api::enrolment(e).evidence_item(ev).acknowledgement(),
            json(json!({"comment": ""})),
            [401, 409, 403, 403, 403, 403, 403, 403, 404, 404, 403],
        ),
        row(
            "POST",
            "/enrolments/{id}/evidence/{evidence_id}/acknowledge",
            format!("/enrolments/{e}/evidence/{ev}/acknowledge"),
            form(&[("comment", "")]),
            [303, 409, 403, 403, 403, 403, 403, 403, 404, 404, 403],
        ),
        // Questions the candidate answers (issue 16.4). Sets: assessors and admins of the
        // organisation (the second candidate's assessor grant is revoked by a row above). The fixture's request is sent, not
        // answered: marking it is 409 for its assessor; answering with bad input 422 for its
        // candidate; it has no recording yet (404 for readers).
        row(
            "GET",
            "/api/orgs/{org_id}/question-sets",
            api::org(org).question_sets(),
            None,
            SETS(200),
        ),
        row(
            "POST",
            "/api/orgs/{org_id}/question-sets",
            api::org(org).question_sets(),
            json(json!({"standard": "28268@2", "title": "", "items": []})),
            SETS(422),
        ),
        row(
            "GET",
            "/api/question-sets/{set_id}",
            api::question_set(qs),
            None,
            SETS(200),
        ),
        row(
            "PUT",
            "/api/question-sets/{set_id}",
            api::question_set(qs),
            json(json!({"title": "", "items": []})),
            SETS(422),
        ),
        row(
            "GET",
            "/api/enrolments/{id}/question-requests",
            api::enrolment(e).question_requests(),
            None,
            READERS,
        ),
        row(
            "POST",
            "/api/enrolments/{id}/question-requests",
            api::enrolment(e).question_requests(),
            json(json!({"set_id": "00000000-0000-0000-0000-000000000000"})),
            ASSESSOR_ONLY(422),
        ),
        row(
            "GET",
            "/api/enrolments/{id}/question-requests/{request_id}",
            api::enrolment(e).question_request(qr).path(),
            None,
            READERS,
        ),
        row(
            "PUT",
            "/api/enrolments/{id}/question-requests/{request_id}/answers",
            api::enrolment(e).question_request(qr).answers(),
            json(json!({"answers": [{"id": "00000000-0000-0000-0000-000000000000", "text": "x"}]})),
            CANDIDATE_ONLY(422),
        ),
        row(
            "POST",
            "/api/enrolments/{id}/question-requests/{request_id}/answers/{answer_id}/recording",
            api::enrolment(e).question_request(qr).answer_recording(qa),
            Some(Body::Multipart(
                not_a_recording.0.clone(),
                not_a_recording.1.clone(),
            )),
            CANDIDATE_ONLY(422),
        ),
        row(
            "GET",
            "/api/enrolments/{id}/question-requests/{request_id}/answers/{answer_id}/recording",
            api::enrolment(e).question_request(qr).answer_recording(qa),
            None,
            [401, 404, 403, 404, 403, 404, 404, 404, 404, 404, 403],
        ),
        row(
            "POST",
            "/api/enrolments/{id}/question-requests/{request_id}/marks",
            api::enrolment(e).question_request(qr).marks(),
            json(json!({"answers": []})),
            ASSESSOR_ONLY(409),
        ),
        row(
            "GET",
            "/question-sets",
            "/question-sets".into(),
            None,
            page(SIGNED_IN),
        ),
        row(
            "GET",
            "/orgs/{org_id}/question-sets/new",
            format!("/orgs/{org}/question-sets/new?standard=28268%402"),
            None,
            page(SETS(200)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/question-sets/new",
            format!("/orgs/{org}/question-sets/new"),
            form(&[("standard", "28268@2"), ("title", "")]),
            page(SETS(422)),
        ),
        row(
            "GET",
            "/question-sets/{set_id}",
            format!("/question-sets/{qs}"),
            None,
            page(SETS(200)),
        ),
        row(
            "POST",
            "/question-sets/{set_id}",
            format!("/question-sets/{qs}"),
            form(&[("title", "")]),
            page(SETS(422)),
        ),
        row(
            "GET",
            "/enrolments/{id}/questions",
            format!("/enrolments/{e}/questions"),
            None,
            page(READERS),
        ),
        row(
            "POST",
            "/enrolments/{id}/questions",
            format!("/enrolments/{e}/questions"),
            form(&[("set_id", "")]),
            page(ASSESSOR_ONLY(422)),
        ),
        row(
            "GET",
            "/enrolments/{id}/questions/{request_id}",
            format!("/enrolments/{e}/questions/{qr}"),
            None,
            page(READERS),
        ),
        row(
            "POST",
            "/enrolments/{id}/questions/{request_id}/answers",
            format!("/enrolments/{e}/questions/{qr}/answers"),
            form(&[("action", "submit")]),
            page(CANDIDATE_ONLY(422)),
        ),
        row(
            "POST",
            "/enrolments/{id}/questions/{request_id}/answers/{answer_id}/recording",
            format!("/enrolments/{e}/questions/{qr}/answers/{qa}/recording"),
            Some(Body::Multipart(
                not_a_recording.0.clone(),
                not_a_recording.1.clone(),
            )),
            page(CANDIDATE_ONLY(422)),
        ),
        row(
            "POST",
            "/enrolments/{id}/questions/{request_id}/marks",
            format!("/enrolments/{e}/questions/{qr}/marks"),
            form(&[]),
            page(ASSESSOR_ONLY(409)),
        ),
        // Time points (issue 16.2): the fixture's upload is a PDF, not a recording (409 / 404
        // once the caller may mark or read).
        row(
            "GET",
            "/api/enrolments/{id}/evidence/{evidence_id}/time-points",
            api::enrolment(e).evidence_item(ev).time_points(),
            None,
            READERS,
        ),
        row(
            "POST",
            "/api/enrolments/{id}/evidence/{evidence_id}/time-points",
            api::enrolment(e).evidence_item(ev).time_points(),
            json(json!({"at": "00:10", "mapping": "1.1"})),
            CANDIDATE_OR_ASSESSOR(409),
        ),
        row(
            "DELETE",
            "/api/enrolments/{id}/evidence/{evidence_id}/time-points/{point_id}",
            api::enrolment(e).evidence_item(ev).time_point(nobody),
            None,
            CANDIDATE_OR_ASSESSOR(404),
        ),
        row(
            "GET",
            "/enrolments/{id}/evidence/{evidence_id}/recording",
            format!("/enrolments/{e}/evidence/{ev}/recording"),
            None,
            [303, 404, 403, 404, 403, 404, 404, 404, 404, 404, 403],
        ),
        row(
            "POST",
            "/enrolments/{id}/evidence/{evidence_id}/time-points",
            format!("/enrolments/{e}/evidence/{ev}/time-points"),
            form(&[("at", "00:10"), ("mapping", "1.1")]),
            page(CANDIDATE_OR_ASSESSOR(409)),
        ),
        row(
            "POST",
            "/enrolments/{id}/evidence/{evidence_id}/time-points/{point_id}/remove",
            format!("/enrolments/{e}/evidence/{ev}/time-points/{nobody}/remove"),
            form(&[]),
            page(CANDIDATE_OR_ASSESSOR(404)),
        ),
        row(
            "GET",
            "/api/enrolments/{id}/acknowledgements",
            api::enrolment(e).acknowledgements(),
            None,
            READERS,
        ),
        // No IV has sent the decision back: the assessor is told so (409).
        row(
            "POST",
            "/api/enrolments/{id}/iv-response",
            api::enrolment(e).iv_response(),
            json(json!({"responses": []})),
            ASSESSOR_ONLY(409),
        ),
        row(
            "GET",
            "/api/enrolments/{id}/statement",
            api::enrolment(e).statement(),
            None,
            [401, 404, 403, 404, 403, 404, 404, 404, 404, 404, 403],
        ),
        row(
            "POST",
            "/api/enrolments/{id}/submit",
            api::enrolment(e).submit(),
            json(json!({"declaration": false})),
            CANDIDATE_ONLY(422),
        ),
        row(
            "POST",
            "/api/enrolments/{id}/reopen",
            api::enrolment(e).reopen(),
            json(json!({"reason": ""})),
            ASSESSOR_ONLY(422),
        ),
        row(
            "PUT",
            "/api/enrolments/{id}/marks",
            api::enrolment(e).marks(),
            json(json!({"confirmations": [{"rule": "ZZ9", "judgement": "accepted"}]})),
            ASSESSOR_ONLY(422),
        ),
        row(
            "PUT",
            "/api/enrolments/{id}/staff",
            api::enrolment(e).staff(),
            json(json!({"assessor_id": "00000000-0000-4000-8000-000000000000"})),
            ADMIN_ONLY(422),
        ),
        row(
            "POST",
            "/api/enrolments/{id}/withdraw",
            api::enrolment(e).withdraw(),
            json(json!({"reason": " "})),
            ADMIN_ONLY(422),
        ),
        row(
            "POST",
            "/api/enrolments/{id}/assessment-extension",
            api::enrolment(e).assessment_extension(),
            json(json!({"until": "2000-01-01", "reason": "x"})),
            ADMIN_ONLY(422),
        ),
        row(
            "GET",
            "/api/enrolments/{id}/progress",
            api::enrolment(e).progress(),
            None,
            READERS,
        ),
        // Pages.
        row(
            "GET",
            "/login",
            "/login".into(),
            None,
            [200, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303],
        ),
        row(
            "POST",
            "/login",
            "/login".into(),
            form(&[("email", "x@y.nz"), ("password", "wrong password")]),
            [403; 11],
        ),
        row(
            "GET",
            "/standards",
            "/standards".into(),
            None,
            page(SIGNED_IN),
        ),
        row(
            "GET",
            "/caseload",
            "/caseload".into(),
            None,
            page(SIGNED_IN),
        ),
        // To the next item's judge page, or back to the caseload saying nothing waits.
        row(
            "GET",
            "/caseload/next",
            "/caseload/next".into(),
            None,
            [303; 11],
        ),
        row(
            "GET",
            "/enrolments/{id}",
            format!("/enrolments/{e}"),
            None,
            page(READERS),
        ),
        row(
            "GET",
            "/enrolments/{id}/grid",
            format!("/enrolments/{e}/grid"),
            None,
            page(READERS),
        ),
        row(
            "GET",
            "/api/enrolments/{id}/grid",
            api::enrolment(e).grid(),
            None,
            READERS,
        ),
        row(
            "POST",
            "/enrolments/{id}/submit",
            format!("/enrolments/{e}/submit"),
            form(&[]),
            page(CANDIDATE_ONLY(422)),
        ),
        row(
            "POST",
            "/enrolments/{id}/reopen",
            format!("/enrolments/{e}/reopen"),
            form(&[("reason", "")]),
            page(ASSESSOR_ONLY(422)),
        ),
        row(
            "GET",
            "/enrolments/{id}/staff",
            format!("/enrolments/{e}/staff"),
            None,
            page(ADMIN_ONLY(200)),
        ),
        row(
            "POST",
            "/enrolments/{id}/staff",
            format!("/enrolments/{e}/staff"),
            form(&[("assessor_id", "not-an-id")]),
            page(ADMIN_ONLY(422)),
        ),
        row(
            "POST",
            "/enrolments/{id}/withdraw",
            format!("/enrolments/{e}/withdraw"),
            form(&[("reason", "")]),
            page(ADMIN_ONLY(422)),
        ),
        row(
            "GET",
            "/enrolments/{id}/move",
            format!("/enrolments/{e}/move"),
            None,
            page(ADMIN_ONLY(200)),
        ),
        row(
            "POST",
            "/enrolments/{id}/move",
            format!("/enrolments/{e}/move"),
            form(&[("mapping_id", "")]),
            page(ADMIN_ONLY(422)),
        ),
        row(
            "POST",
            "/enrolments/{id}/move/undo",
            format!("/enrolments/{e}/move/undo"),
            form(&[]),
            page(ADMIN_ONLY(409)),
        ),
        row(
            "POST",
            "/enrolments/{id}/assessment-extension",
            format!("/enrolments/{e}/assessment-extension"),
            form(&[("until", "2000-01-01"), ("extend_reason", "x")]),
            page(ADMIN_ONLY(422)),
        ),
        row(
            "GET",
            "/enrolments/{id}/evidence/new",
            format!("/enrolments/{e}/evidence/new"),
            None,
            page(CANDIDATE_OR_ASSESSOR(200)),
        ),
        row(
            "POST",
            "/enrolments/{id}/evidence/new",
            format!("/enrolments/{e}/evidence/new"),
            Some(Body::Multipart(bad_page_upload.0, bad_page_upload.1)),
            page(CANDIDATE_OR_ASSESSOR(422)),
        ),
        row(
            "GET",
            "/enrolments/{id}/testimony/new",
            format!("/enrolments/{e}/testimony/new"),
            None,
            page(CANDIDATE_OR_ASSESSOR(200)),
        ),
        row(
            "POST",
            "/enrolments/{id}/testimony/new",
            format!("/enrolments/{e}/testimony/new"),
            form(&[("setting", "workplace")]),
            page(CANDIDATE_OR_ASSESSOR(422)),
        ),
        row(
            "GET",
            "/enrolments/{id}/observations/new",
            format!("/enrolments/{e}/observations/new?outcome=1"),
            None,
            page(ASSESSOR_ONLY(200)),
        ),
        row(
            "POST",
            "/enrolments/{id}/observations/new",
            format!("/enrolments/{e}/observations/new"),
            form(&[("outcome", "1")]),
            page(ASSESSOR_ONLY(422)),
        ),
        row(
            "GET",
            "/enrolments/{id}/questioning/new",
            format!("/enrolments/{e}/questioning/new"),
            None,
            page(ASSESSOR_ONLY(200)),
        ),
        row(
            "POST",
            "/enrolments/{id}/questioning/new",
            format!("/enrolments/{e}/questioning/new"),
            form(&[("question.1", "Why?")]),
            page(ASSESSOR_ONLY(422)),
        ),
        row(
            "GET",
            "/enrolments/{id}/evidence/{evidence_id}/judge",
            format!("/enrolments/{e}/evidence/{ev}/judge"),
            None,
            page(ASSESSOR_ONLY(200)),
        ),
        row(
            "POST",
            "/enrolments/{id}/evidence/{evidence_id}/judge",
            format!("/enrolments/{e}/evidence/{ev}/judge"),
            form(&[
                ("criteria[0].id", "9.9"),
                ("criteria[0].judgement", "accepted"),
            ]),
            page(ASSESSOR_ONLY(422)),
        ),
        row(
            "GET",
            "/orgs/{org_id}/people",
            format!("/orgs/{org}/people"),
            None,
            page(ADMIN_ONLY(200)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/people",
            format!("/orgs/{org}/people"),
            form(&[
                ("email", "x"),
                ("name", "X"),
                ("password", "x"),
                ("role", "candidate"),
            ]),
            page(ADMIN_ONLY(422)),
        ),
        // The admin on themselves: refused (409); nobody else gets that far.
        row(
            "POST",
            "/orgs/{org_id}/people/{user_id}/deactivate",
            format!("/orgs/{org}/people/{}/deactivate", f.admin_id),
            form(&[]),
            page(ADMIN_ONLY(409)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/people/{user_id}/roles",
            format!("/orgs/{org}/people/{}/roles", f.other_candidate),
            form(&[("role", "assessor"), ("expires_on", "2000-01-01")]),
            page(ADMIN_ONLY(422)),
        ),
        row(
            "GET",
            "/orgs/{org_id}/enrolments",
            format!("/orgs/{org}/enrolments"),
            None,
            page(ADMIN_ONLY(200)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/enrolments",
            format!("/orgs/{org}/enrolments"),
            form(&[("standard", "")]),
            page(ADMIN_ONLY(422)),
        ),
        row(
            "GET",
            "/enrolments/{id}/decision",
            format!("/enrolments/{e}/decision"),
            None,
            page(ASSESSOR_ONLY(200)),
        ),
        // Not submitted yet: the assessor is told so (409); nobody else gets that far.
        row(
            "POST",
            "/enrolments/{id}/decision",
            format!("/enrolments/{e}/decision"),
            form(&[("outcome", "competent"), ("comments", "")]),
            page(ASSESSOR_ONLY(409)),
        ),
        // A tick without its reason: the assessor is told by the field; nobody else gets that far.
        row(
            "POST",
            "/enrolments/{id}/marks",
            format!("/enrolments/{e}/marks"),
            form(&[("na", "1.2")]),
            page(ASSESSOR_ONLY(422)),
        ),
        row(
            "GET",
            "/orgs/{org_id}/verification",
            format!("/orgs/{org}/verification"),
            None,
            page(PLAN_READERS),
        ),
        row(
            "GET",
            "/orgs/{org_id}/sample-queue",
            format!("/orgs/{org}/sample-queue"),
            None,
            page(PLAN_READERS),
        ),
        row(
            "GET",
            "/orgs/{org_id}/samples",
            format!("/orgs/{org}/samples"),
            None,
            page(PLAN_READERS),
        ),
        row(
            "GET",
            "/enrolments/{id}/sample",
            format!("/enrolments/{e}/sample"),
            None,
            page(IV_ONLY(200)),
        ),
        row(
            "POST",
            "/enrolments/{id}/sample",
            format!("/enrolments/{e}/sample"),
            form(&[("decision", "maybe")]),
            page(IV_ONLY(422)),
        ),
        row(
            "GET",
            "/orgs/{org_id}/sampling-plans",
            format!("/orgs/{org}/sampling-plans"),
            None,
            page(PLAN_READERS),
        ),
        row(
            "POST",
            "/orgs/{org_id}/sampling-plans",
            format!("/orgs/{org}/sampling-plans"),
            form(&[
                ("iv_id", &f.iv_id),
                ("name", " "),
                ("kind", "interim"),
                ("period_start", "2024-01-01"),
                ("period_end", "2024-12-31"),
            ]),
            page(PLAN_MANAGERS(422)),
        ),
        row(
            "GET",
            "/sampling-plans/{id}",
            format!("/sampling-plans/{}", f.plan),
            None,
            page(PLAN_READERS),
        ),
        row(
            "POST",
            "/sampling-plans/{id}/draws",
            format!("/sampling-plans/{}/draws", f.plan),
            form(&[("reason", " ")]),
            page(PLAN_MANAGERS(422)),
        ),
        row(
            "GET",
            "/orgs/{org_id}/statements",
            format!("/orgs/{org}/statements"),
            None,
            page(ADMIN_ONLY(200)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/statements",
            format!("/orgs/{org}/statements"),
            form(&[("enrolment_id", "")]),
            page(ADMIN_ONLY(422)),
        ),
        // No statement has been issued yet: the admin finds none (404).
        row(
            "GET",
            "/enrolments/{id}/statement/revoke",
            format!("/enrolments/{e}/statement/revoke"),
            None,
            page(ADMIN_ONLY(404)),
        ),
        row(
            "POST",
            "/enrolments/{id}/statement/revoke",
            format!("/enrolments/{e}/statement/revoke"),
            form(&[("reason", "x"), ("confirm", "x")]),
            page(ADMIN_ONLY(404)),
        ),
        row(
            "GET",
            "/api/orgs/{org_id}/witnesses",
            api::org(org).witnesses(),
            None,
            MEMBERS,
        ),
        row(
            "POST",
            "/api/orgs/{org_id}/witnesses",
            api::org(org).witnesses(),
            json(
                json!({"name": "Hemi", "job_title": "Team leader", "relationship": "my brother", "contact": "hemi@x.nz"}),
            ),
            ADMIN_ONLY(422),
        ),
        // The sign-off chain, sampling and statements.
        row(
            "POST",
            "/api/enrolments/{id}/decision",
            api::enrolment(e).decision(),
            json(json!({})),
            ASSESSOR_ONLY(409),
        ),
        row(
            "GET",
            "/api/enrolments/{id}/signoffs",
            api::enrolment(e).signoffs(),
            None,
            READERS,
        ),
        row(
            "POST",
            "/api/enrolments/{id}/samples",
            api::enrolment(e).samples(),
            json(json!({"decision": "maybe"})),
            IV_ONLY(422),
        ),
        row(
            "POST",
            "/api/enrolments/{id}/statement",
            api::enrolment(e).statement(),
            None,
            ADMIN_ONLY(409),
        ),
        row(
            "GET",
            "/api/enrolments/{id}/archive.zip",
            api::enrolment(e).archive_zip(),
            None,
            READERS,
        ),
        row(
            "GET",
            "/api/enrolments/{id}/statement.pdf",
            api::enrolment(e).statement_pdf(),
            None,
            [401, 404, 403, 404, 403, 404, 404, 404, 404, 404, 403],
        ),
        row(
            "GET",
            "/api/enrolments/{id}/credential.json",
            api::enrolment(e).credential_json(),
            None,
            [401, 404, 403, 404, 403, 404, 404, 404, 404, 404, 403],
        ),
        row(
            "POST",
            "/api/enrolments/{id}/statement/revoke",
            api::enrolment(e).statement_revoke(),
            json(json!({"reason": "x"})),
            ADMIN_ONLY(404),
        ),
        row(
            "POST",
            "/api/orgs/{org_id}/sampling-plans",
            api::org(org).sampling_plans(),
            json(
                json!({"iv_id": f.iv_id, "name": " ", "kind": "interim", "period_start": "2024-01-01", "period_end": "2024-12-31"}),
            ),
            PLAN_MANAGERS(422),
        ),
        row(
            "GET",
            "/api/orgs/{org_id}/sampling-plans",
            api::org(org).sampling_plans(),
            None,
            MEMBERS,
        ),
        row(
            "GET",
            "/api/sampling-plans/{id}",
            api::sampling_plan(&f.plan).path(),
            None,
            PLAN_READERS,
        ),
        row(
            "GET",
            "/orgs/{org_id}/audit",
            format!("/orgs/{org}/audit"),
            None,
            page(AUDIT_READERS),
        ),
        row(
            "GET",
            "/enrolments/{id}/audit",
            format!("/enrolments/{e}/audit"),
            None,
            page(READERS),
        ),
        row(
            "GET",
            "/api/orgs/{org_id}/audit",
            api::org(org).audit(),
            None,
            AUDIT_READERS,
        ),
        row(
            "GET",
            "/api/orgs/{org_id}/audit/export",
            format!("{}?format=json", api::org(org).audit_export()),
            None,
            AUDIT_READERS,
        ),
        row(
            "GET",
            "/api/enrolments/{id}/audit",
            api::enrolment(e).audit(),
            None,
            READERS,
        ),
        row(
            "POST",
            "/api/sampling-plans/{id}/draws",
            api::sampling_plan(&f.plan).draws(),
            json(json!({"reason": " "})),
            PLAN_MANAGERS(422),
        ),
        row(
            "GET",
            "/api/sampling-plans/{id}/draws/{draw_id}",
            api::sampling_plan(&f.plan).draw(&f.draw),
            None,
            PLAN_READERS,
        ),
        row(
            "PUT",
            "/api/orgs/{org_id}/assessors/{user_id}/risk",
            api::org(org).assessor_risk(&f.assessor2),
            json(json!({"risk": "high"})),
            ADMIN_ONLY(204),
        ),
        row(
            "GET",
            "/api/orgs/{org_id}/assessors/risk",
            api::org(org).assessors_risk(),
            None,
            ADMIN_ONLY(200),
        ),
        row(
            "GET",
            "/api/orgs/{org_id}/sampling-rates",
            api::org(org).sampling_rates(),
            None,
            ADMIN_ONLY(200),
        ),
        row(
            "PUT",
            "/api/orgs/{org_id}/sampling-rates",
            api::org(org).sampling_rates(),
            json(json!({"high": 60})),
            ADMIN_ONLY(204),
        ),
        row(
            "GET",
            "/orgs/{org_id}/cohorts",
            format!("/orgs/{org}/cohorts"),
            None,
            page(ADMIN_ONLY(200)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/cohorts",
            format!("/orgs/{org}/cohorts"),
            form(&[("name", " ")]),
            page(ADMIN_ONLY(422)),
        ),
        row(
            "GET",
            "/cohorts/{id}",
            format!("/cohorts/{}", f.cohort),
            None,
            page(ADMIN_ONLY(200)),
        ),
        row(
            "POST",
            "/cohorts/{id}/enrolments",
            format!("/cohorts/{}/enrolments", f.cohort),
            form(&[("add", "00000000-0000-0000-0000-000000000000")]),
            page(ADMIN_ONLY(422)),
        ),
        row(
            "GET",
            "/orgs/{org_id}/exports",
            format!("/orgs/{org}/exports"),
            None,
            page(ADMIN_ONLY(200)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/exports/preview",
            format!("/orgs/{org}/exports/preview"),
            form(&[("format", "csv")]),
            page(ADMIN_ONLY(200)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/exports",
            format!("/orgs/{org}/exports"),
            form(&[("format", "xlsx")]),
            page(ADMIN_ONLY(422)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/exports/badges",
            format!("/orgs/{org}/exports/badges"),
            form(&[("from", "yesterday")]),
            page(ADMIN_ONLY(422)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/export-batches/{id}/reverse",
            format!("/orgs/{org}/export-batches/{}/reverse", f.batch),
            form(&[("reason", " ")]),
            page(ADMIN_ONLY(422)),
        ),
        row(
            "GET",
            "/orgs/{org_id}/settings",
            format!("/orgs/{org}/settings"),
            None,
            page(ADMIN_ONLY(200)),
        ),
        row(
            "GET",
            "/orgs/{org_id}/settings/verifiers",
            format!("/orgs/{org}/settings/verifiers"),
            None,
            page(ADMIN_ONLY(200)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/settings/verifiers",
            format!("/orgs/{org}/settings/verifiers"),
            form(&[("assessor_id", ""), ("iv_id", "")]),
            page(ADMIN_ONLY(422)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/settings/verifiers/remove",
            format!("/orgs/{org}/settings/verifiers/remove"),
            form(&[("iv_id", &f.iv_id), ("assessor_id", &f.assessor2)]),
            page(ADMIN_ONLY(404)),
        ),
        row(
            "GET",
            "/orgs/{org_id}/settings/witnesses",
            format!("/orgs/{org}/settings/witnesses"),
            None,
            page(ADMIN_ONLY(200)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/settings/witnesses",
            format!("/orgs/{org}/settings/witnesses"),
            form(&[("name", " ")]),
            page(ADMIN_ONLY(422)),
        ),
        row(
            "GET",
            "/orgs/{org_id}/settings/sampling",
            format!("/orgs/{org}/settings/sampling"),
            None,
            page(ADMIN_ONLY(200)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/settings/sampling/rates",
            format!("/orgs/{org}/settings/sampling/rates"),
            form(&[("high", "250")]),
            page(ADMIN_ONLY(422)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/settings/retention",
            format!("/orgs/{org}/settings/retention"),
            form(&[("evidence_files", "0")]),
            page(ADMIN_ONLY(422)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/settings/sampling/assessors/{user_id}",
            format!("/orgs/{org}/settings/sampling/assessors/{}", f.assessor2),
            form(&[("risk", "extreme")]),
            page(ADMIN_ONLY(422)),
        ),
        row(
            "GET",
            "/orgs/{org_id}/settings/interpretations",
            format!("/orgs/{org}/settings/interpretations"),
            None,
            page(ADMIN_ONLY(200)),
        ),
        row(
            "POST",
            "/orgs/{org_id}/settings/interpretations/{code}/{version}",
            format!("/orgs/{org}/settings/interpretations/28268/2"),
            form(&[("rule.N9", "no-such-reading")]),
            page(ADMIN_ONLY(422)),
        ),
        row(
            "GET",
            "/api/orgs/{org_id}/cohorts",
            api::org(org).cohorts(),
            None,
            COHORT_READERS,
        ),
        row(
            "POST",
            "/api/orgs/{org_id}/cohorts",
            api::org(org).cohorts(),
            json(json!({"name": " "})),
            ADMIN_ONLY(422),
        ),
        row(
            "GET",
            "/api/cohorts/{id}",
            api::cohort(&f.cohort).path(),
            None,
            COHORT_READERS,
        ),
        row(
            "POST",
            "/api/cohorts/{id}/enrolments",
            api::cohort(&f.cohort).enrolments(),
            json(json!({"add": ["00000000-0000-0000-0000-000000000000"]})),
            ADMIN_ONLY(422),
        ),
        row(
            "GET",
            "/api/cohorts/{id}/progress",
            api::cohort(&f.cohort).progress(),
            None,
            COHORT_READERS,
        ),
        row(
            "GET",
            "/api/cohorts/{id}/grid",
            api::cohort(&f.cohort).grid(),
            None,
            COHORT_READERS,
        ),
        row(
            "GET",
            "/cohorts/{id}/grid",
            format!("/cohorts/{}/grid", f.cohort),
            None,
            page(COHORT_READERS),
        ),
        row(
            "GET",
            "/api/cohorts/{id}/archives.zip",
            api::cohort(&f.cohort).archives_zip(),
            None,
            ADMIN_ONLY(200),
        ),
        row(
            "GET",
            "/api/orgs/{org_id}/results",
            format!("{}?format=json", api::org(org).results()),
            None,
            ADMIN_ONLY(200),
        ),
        row(
            "POST",
            "/api/orgs/{org_id}/export-batches",
            api::org(org).export_batches(),
            json(json!({"format": "xlsx"})),
            ADMIN_ONLY(422),
        ),
        row(
            "GET",
            "/api/orgs/{org_id}/export-batches",
            api::org(org).export_batches(),
            None,
            ADMIN_ONLY(200),
        ),
        row(
            "GET",
            "/api/export-batches/{id}/download",
            api::export_batch(&f.batch).download(),
            None,
            ADMIN_ONLY(200),
        ),
        row(
            "POST",
            "/api/export-batches/{id}/reverse",
            api::export_batch(&f.batch).reverse(),
            json(json!({"reason": " "})),
            ADMIN_ONLY(422),
        ),
        row(
            "GET",
            "/api/orgs/{org_id}/badges",
            api::org(org).badges(),
            None,
            ADMIN_ONLY(200),
        ),
        row(
            "GET",
            "/verify/{code}",
            "/verify/ABCD-EFGH-JKMN".into(),
            None,
            [404; 11],
        ),
        // Public: the code typed goes to its page.
        row(
            "GET",
            "/verify",
            "/verify?code=abcd-efgh-jkmn".into(),
            None,
            [303; 11],
        ),
        // Anyone may check a file; this one holds no credential.
        row(
            "POST",
            "/verify",
            "/verify".into(),
            Some(Body::Multipart(not_a_credential.0, not_a_credential.1)),
            [400, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422],
        ),
        row(
            "GET",
            "/.well-known/jwks.json",
            "/.well-known/jwks.json".into(),
            None,
            PUBLIC,
        ),
        row(
            "GET",
            "/.well-known/did.json",
            "/.well-known/did.json".into(),
            None,
            PUBLIC,
        ),
        row(
            "GET",
            "/orgs/{org_id}/did.json",
            format!("/orgs/{org}/did.json"),
            None,
            PUBLIC,
        ),
        row(
            "GET",
            "/credentials/status/{org_id}",
            format!("/credentials/status/{org}"),
            None,
            PUBLIC,
        ),
        row(
            "GET",
            "/api/orgs/{org_id}/interpretations/{code}/{version}",
            api::org(org).interpretations("28268", "2"),
            None,
            ADMIN_ONLY(200),
        ),
        row(
            "PUT",
            "/api/orgs/{org_id}/interpretations/{code}/{version}",
            api::org(org).interpretations("28268", "2"),
            json(json!({"N9": "no-such-reading"})),
            ADMIN_ONLY(422),
        ),
        // Last: they end the caller's sessions (the page's sign-out then finds none and sends to sign-in).
        row(
            "POST",
            "/api/auth/logout",
            "/api/auth/logout".into(),
            None,
            [401, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204],
        ),
        row("POST", "/logout", "/logout".into(), form(&[]), [303; 11]),
    ]
}

#[actix_web::test]
async fn every_route_has_a_matrix_row() {
    let app = TestApp::new(Backend::Sqlite);
    let f = fixture(&app).await;
    let covered: BTreeSet<(String, String)> = rows(&f)
        .iter()
        .map(|r| (r.method.to_owned(), r.pattern.to_owned()))
        .collect();
    let routes: BTreeSet<(String, String)> = attest::http::routes::ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let missing: Vec<_> = routes.difference(&covered).collect();
    let stale: Vec<_> = covered.difference(&routes).collect();
    assert!(
        missing.is_empty(),
        "routes without a matrix row: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "matrix rows for routes that do not exist: {stale:?}"
    );
}

backend_test!(every_route_answers_every_caller_exactly);
async fn every_route_answers_every_caller_exactly(app: TestApp) {
    let f = fixture(&app).await;
    let mut wrong = Vec::new();
    for row in rows(&f) {
        for (i, token) in f.tokens.iter().enumerate() {
            let method = Method::from_bytes(row.method.as_bytes()).unwrap();
            let reply = match &row.body {
                Some(Body::Multipart(ctype, body)) => match token {
                    Some(token) => app.send_raw(token, &row.path, ctype, body.clone()).await,
                    None => app.request(method, &row.path, None).await,
                },
                Some(Body::Form(fields)) => {
                    app.send_form(token.as_deref(), &row.path, fields).await
                }
                Some(Body::Json(v)) => {
                    app.request_as(token.as_deref(), method, &row.path, Some(v.clone()))
                        .await
                }
                Some(Body::JsonEach(each)) => {
                    app.request_as(token.as_deref(), method, &row.path, Some(each[i].clone()))
                        .await
                }
                None => {
                    app.request_as(token.as_deref(), method, &row.path, None)
                        .await
                }
            };
            if reply.status.as_u16() != row.expect[i] {
                wrong.push(format!(
                    "{} {} as {}: expected {}, got {} {}",
                    row.method,
                    row.pattern,
                    CALLERS[i],
                    row.expect[i],
                    reply.status.as_u16(),
                    reply.text().chars().take(160).collect::<String>()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{:?}:\n{}", app.backend, wrong.join("\n"));
}
