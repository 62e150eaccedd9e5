//! Stored evaluations: the progress API serves the evaluation kept with each enrolment, and that
//! row is never used once anything it was computed from has changed — whichever code (or plain
//! SQL) made the change.

use actix_web::http::{Method, StatusCode};
use diesel::prelude::*;
use serde_json::json;

use attest::db::schema::{enrolments, evaluations, evidence, org_settings, users};
use attest::portfolio::{Evaluation, load_enrolment, stored};

use crate::api;
use crate::helpers::{
    Backend, Reply, TestApp, World, backend_test, complete_portfolio, example_records,
};
use crate::pages::unescape;

async fn progress(app: &TestApp, w: &World) -> Reply {
    app.get_as(&w.assessor, &api::enrolment(&w.enrolment).progress())
        .await
}

/// Whether the stored row is the current one (without touching it).
fn is_fresh(app: &TestApp, w: &World) -> bool {
    let catalogue = app.state.catalogue.clone();
    let id = w.enrolment.clone();
    app.tx(move |c| {
        let enrolment = load_enrolment(c, id.parse().unwrap())?;
        Ok(stored::fresh(c, &catalogue, &enrolment, None)?.is_some())
    })
}

/// The evaluation computed now from the database, as the API would send it.
fn computed(app: &TestApp, w: &World) -> serde_json::Value {
    let catalogue = app.state.catalogue.clone();
    let id = w.enrolment.clone();
    let (fresh, whole) = app.tx(move |c| {
        let enrolment = load_enrolment(c, id.parse().unwrap())?;
        let fresh = stored::compute(c, &catalogue, &enrolment)?;
        // The same reports serialised whole, as one `ProgressReport`.
        let name: String = users::table
            .find(&enrolment.candidate_id)
            .select(users::name)
            .first(c)?;
        let evaluation = Evaluation::load(c, &catalogue, &enrolment, Some(name))?;
        let whole = serde_json::to_string(&evaluation.progress()).unwrap();
        Ok::<_, attest::action::ActionError>((fresh, whole))
    });
    let json = fresh.json().unwrap();
    assert_eq!(json, whole, "written one view at a time, the same bytes");
    serde_json::from_str(&json).unwrap()
}

fn sql(app: &TestApp, statement: &str) {
    let mut conn = app.state.db.conn().unwrap();
    diesel::sql_query(statement).execute(&mut *conn).unwrap();
}

fn evidence_ids(app: &TestApp, w: &World) -> Vec<String> {
    let mut conn = app.state.db.conn().unwrap();
    evidence::table
        .filter(evidence::enrolment_id.eq(&w.enrolment))
        .order(evidence::recorded_at)
        .select(evidence::id)
        .load(&mut *conn)
        .unwrap()
}

/// Reads progress, checks it is the fresh evaluation and now stored; returns the reply.
async fn read_and_check(app: &TestApp, w: &World, why: &str) -> Reply {
    let reply = progress(app, w).await;
    assert_eq!(reply.status, StatusCode::OK, "{why}: {}", reply.text());
    assert_eq!(
        reply.json(),
        computed(app, w),
        "{:?} {why}: stored = computed",
        app.backend
    );
    assert!(
        is_fresh(app, w),
        "{:?} {why}: stored after the read",
        app.backend
    );
    // Refreshes that earlier writes started in the background end here, so a change the test
    // makes next behind the service's back is not overtaken by one of them.
    app.state.refresher.settled().await;
    reply
}

backend_test!(a_write_through_the_api_stores_the_evaluation_after_it_answers);
async fn a_write_through_the_api_stores_the_evaluation_after_it_answers(app: TestApp) {
    let w = app.world("28268@2").await;
    let first = read_and_check(&app, &w, "first read").await;
    let (records, _) = example_records();
    let added = app
        .post_as(
            &w.assessor,
            &api::enrolment(&w.enrolment).evidence(),
            records[0].1.clone(),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    // Fresh before any read: the write started its refresh, which runs after the answer.
    app.state.refresher.settled().await;
    assert!(is_fresh(&app, &w), "{:?}", app.backend);
    let second = read_and_check(&app, &w, "after adding evidence").await;
    assert_ne!(first.header("etag"), second.header("etag"));
    assert_eq!(app.count("evaluations"), 1);
}

backend_test!(the_stored_evaluation_is_stale_after_each_kind_of_change_made_behind_its_back);
async fn the_stored_evaluation_is_stale_after_each_kind_of_change_made_behind_its_back(
    app: TestApp,
) {
    let w = app.world("28268@2").await;
    complete_portfolio(&app, &w).await;
    let mut tag = read_and_check(&app, &w, "complete")
        .await
        .header("etag")
        .map(str::to_owned);
    let ids = evidence_ids(&app, &w);
    let first = &ids[0];
    let candidate = &w.candidate_id;
    // Changes made with plain SQL, as a write path that forgot the refresh would: the
    // database's triggers bump the revision, so the stored row is stale and the next read
    // recomputes it.
    let changes = [
        (
            "evidence judged",
            format!(
                "UPDATE evidence SET instance = REPLACE(instance, '\"accepted\"', '\"pending\"') WHERE id = '{first}'"
            ),
        ),
        (
            "evidence deleted",
            format!("DELETE FROM acknowledgements WHERE evidence_id = '{first}'"),
        ),
        (
            "evidence deleted",
            format!("DELETE FROM evidence WHERE id = '{first}'"),
        ),
        (
            "marks",
            format!(
                "UPDATE enrolments SET assessor_marks = '{{}}' WHERE id = '{}'",
                w.enrolment
            ),
        ),
        (
            "candidate renamed",
            format!("UPDATE users SET name = 'Aroha Ngata' WHERE id = '{candidate}'"),
        ),
    ];
    for (why, statement) in changes {
        sql(&app, &statement);
        if statement.contains("acknowledgements") {
            continue; // not an input of the engine
        }
        assert!(!is_fresh(&app, &w), "{:?}: stale after {why}", app.backend);
        let reply = read_and_check(&app, &w, why).await;
        let now = reply.header("etag").map(str::to_owned);
        assert_ne!(now, tag, "{:?}: a new ETag after {why}", app.backend);
        tag = now;
    }
    assert_eq!(
        progress(&app, &w).await.json()["claimed"]["candidate"],
        "Aroha Ngata"
    );
    // A change that is no input of the engine leaves it fresh.
    sql(
        &app,
        &format!(
            "UPDATE enrolments SET reopen_reason = 'typo' WHERE id = '{}'",
            w.enrolment
        ),
    );
    assert!(is_fresh(&app, &w), "{:?}", app.backend);
    let mut conn = app.state.db.conn().unwrap();
    let revision: i64 = enrolments::table
        .find(&w.enrolment)
        .select(enrolments::revision)
        .first(&mut *conn)
        .unwrap();
    let stored_revision: i64 = evaluations::table
        .find(&w.enrolment)
        .select(evaluations::revision)
        .first(&mut *conn)
        .unwrap();
    assert_eq!(revision, stored_revision);
}

backend_test!(an_interpretations_change_or_a_new_engine_revision_recomputes_it);
async fn an_interpretations_change_or_a_new_engine_revision_recomputes_it(app: TestApp) {
    let w = app.world("28268@2").await;
    complete_portfolio(&app, &w).await;
    let before = read_and_check(&app, &w, "complete").await;
    assert_eq!(before.json()["confirmed"]["complete"], true);

    // The engine changed since the row was stored (simulated: the row says an older revision).
    sql(
        &app,
        "UPDATE evaluations SET engine_revision = engine_revision - 1",
    );
    assert!(
        !is_fresh(&app, &w),
        "{:?}: another engine revision",
        app.backend
    );
    let again = read_and_check(&app, &w, "engine revision").await;
    assert_eq!(again.body, before.body);
    let mut conn = app.state.db.conn().unwrap();
    let revision: i32 = evaluations::table
        .find(&w.enrolment)
        .select(evaluations::engine_revision)
        .first(&mut *conn)
        .unwrap();
    assert_eq!(revision, attest::rules::ENGINE_REVISION);
    // Another standard file (same code and version, other content hash).
    sql(&app, "UPDATE evaluations SET standard_hash = 'edited'");
    assert!(
        !is_fresh(&app, &w),
        "{:?}: another standard hash",
        app.backend
    );
    read_and_check(&app, &w, "standard hash").await;

    // The provider reads rule N9 differently: every enrolment of the organisation is stale.
    let set = app
        .put_as(
            &w.admin,
            &api::org(&w.org).interpretations("28268", "2"),
            json!({"N9": "customer_needs"}),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    let version: i64 = org_settings::table
        .find(&w.org)
        .select(org_settings::interpretations_version)
        .first(&mut *conn)
        .unwrap();
    assert!(version >= 1, "{version}");
    assert!(
        !is_fresh(&app, &w),
        "{:?}: new interpretations",
        app.backend
    );
    let after = read_and_check(&app, &w, "interpretations").await;
    assert_eq!(after.json()["confirmed"]["complete"], false);
    assert_ne!(after.header("etag"), before.header("etag"));
}

/// A small deterministic generator (xorshift), so a failing sequence can be replayed by its seed.
struct Steps(u64);

impl Steps {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % below as u64).unwrap()
    }
}

backend_test!(after_any_sequence_of_writes_the_stored_evaluation_is_the_computed_one);
async fn after_any_sequence_of_writes_the_stored_evaluation_is_the_computed_one(backend: Backend) {
    let (records, marks) = example_records();
    for seed in [7_u64, 1_234_567, 987_654_321] {
        let app = TestApp::new(backend);
        let w = app.world("28268@2").await;
        let base = api::enrolment(&w.enrolment);
        let mut steps = Steps(seed);
        for step in 0..14 {
            let why = format!("seed {seed} step {step}");
            match steps.next(5) {
                0 | 1 => {
                    let (_, record) = &records[steps.next(records.len())];
                    let added = app
                        .post_as(&w.assessor, &base.evidence(), record.clone())
                        .await;
                    assert_eq!(added.status, StatusCode::CREATED, "{why}: {}", added.text());
                }
                2 => {
                    let ids = evidence_ids(&app, &w);
                    if ids.is_empty() {
                        continue;
                    }
                    let id = &ids[steps.next(ids.len())];
                    let listed = app.get_as(&w.assessor, &base.evidence()).await.json();
                    let record = listed
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|r| r["id"] == id.as_str())
                        .unwrap()
                        .clone();
                    let verdict = if steps.next(3) == 0 {
                        "rejected"
                    } else {
                        "accepted"
                    };
                    let criteria: Vec<_> = record["criteria"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|c| json!({"id": c["criterion"], "judgement": verdict, "feedback": "seen"}))
                            .collect();
                    if criteria.is_empty() {
                        continue; // knowledge only: judged another way
                    }
                    let judged = app
                        .post_as(
                            &w.assessor,
                            &base.evidence_item(id).judgements(),
                            json!({ "criteria": criteria }),
                        )
                        .await;
                    assert!(judged.status.is_success(), "{why}: {}", judged.text());
                }
                3 => {
                    let body = if steps.next(2) == 0 {
                        marks.clone()
                    } else {
                        json!({})
                    };
                    let marked = app.put_as(&w.assessor, &base.marks(), body).await;
                    assert_eq!(marked.status, StatusCode::OK, "{why}: {}", marked.text());
                }
                _ => {
                    // A change no action made: straight into the table.
                    let ids = evidence_ids(&app, &w);
                    if let Some(id) = ids.last() {
                        sql(
                            &app,
                            &format!("DELETE FROM acknowledgements WHERE evidence_id = '{id}'"),
                        );
                        sql(&app, &format!("DELETE FROM evidence WHERE id = '{id}'"));
                    }
                }
            }
            if steps.next(2) == 0 {
                read_and_check(&app, &w, &why).await;
            }
        }
        read_and_check(&app, &w, &format!("seed {seed} end")).await;
    }
}

backend_test!(writes_at_once_on_one_portfolio_leave_its_stored_evaluation_current);
async fn writes_at_once_on_one_portfolio_leave_its_stored_evaluation_current(app: TestApp) {
    let (records, _) = example_records();
    let w = app.world("28268@2").await;
    let path = api::enrolment(&w.enrolment).evidence();
    // Eight writers at once: their refreshes run after commit, one at a time, and the last
    // one each is covered by started after its own commit.
    let writes = (0..8).map(|i| {
        let record = records[i % records.len()].1.clone();
        app.post_as(&w.assessor, &path, record)
    });
    for added in futures_util::future::join_all(writes).await {
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    }
    // A read at once, while the refreshes the writes started may still run, answers every
    // acknowledged write and leaves the stored row current.
    read_and_check(&app, &w, "right after eight writes at once").await;
    assert_eq!(evidence_ids(&app, &w).len(), 8);
}

backend_test!(reads_and_writes_at_once_leave_no_computation_behind);
async fn reads_and_writes_at_once_leave_no_computation_behind(app: TestApp) {
    let (records, _) = example_records();
    let w = app.world("28268@2").await;
    let (evidence, progress_path) = (
        api::enrolment(&w.enrolment).evidence(),
        api::enrolment(&w.enrolment).progress(),
    );
    // Writers and readers of one portfolio at once, so computations are joined and left in
    // every order.
    for round in 0..4 {
        let writes = (0..8).map(|i| {
            let record = records[(round + i) % records.len()].1.clone();
            app.post_as(&w.assessor, &evidence, record)
        });
        let reads = (0..16).map(|_| app.get_as(&w.assessor, &progress_path));
        let (written, read) = futures_util::future::join(
            futures_util::future::join_all(writes),
            futures_util::future::join_all(reads),
        )
        .await;
        assert!(written.iter().all(|r| r.status == StatusCode::CREATED));
        assert!(read.iter().all(|r| r.status == StatusCode::OK));
    }
    app.state.refresher.settled().await;
    // A flight left in the map would keep its last report for good.
    assert_eq!(app.state.refresher.flights(), 0, "{:?}", app.backend);
    read_and_check(&app, &w, "after reads and writes at once").await;
}

backend_test!(a_late_computation_never_replaces_a_later_stored_row);
async fn a_late_computation_never_replaces_a_later_stored_row(app: TestApp) {
    let w = app.world("28268@2").await;
    read_and_check(&app, &w, "first read").await;
    let catalogue = app.state.catalogue.clone();
    let id = w.enrolment.clone();
    let kept = app.tx(move |c| {
        let enrolment = load_enrolment(c, id.parse().unwrap())?;
        let mut late = stored::compute(c, &catalogue, &enrolment)?;
        late.revision -= 1;
        late.progress = "{}".to_owned();
        stored::store(c, &late)?;
        stored::fresh(c, &catalogue, &enrolment, None)
    });
    let kept = kept.expect("the later row is kept");
    assert_ne!(kept.progress, "{}", "{:?}", app.backend);
    read_and_check(&app, &w, "after the late store").await;
}

backend_test!(a_progress_read_checks_the_session_in_its_own_transaction);
async fn a_progress_read_checks_the_session_in_its_own_transaction(app: TestApp) {
    let w = app.world("28268@2").await;
    assert_eq!(progress(&app, &w).await.status, StatusCode::OK);
    // No token, a forged one, a malformed id.
    let path = api::enrolment(&w.enrolment).progress();
    let none = app.request(Method::GET, &path, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    let forged = app.get_as("not.a.token", &path).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    let malformed = app
        .get_as(&w.assessor, "/api/enrolments/nope/progress")
        .await;
    assert_eq!(malformed.status, StatusCode::NOT_FOUND);
    // Someone else's portfolio is not visible to another candidate of another organisation.
    let other_org = app.seed_org("Elsewhere");
    app.seed_user(&other_org, "kim@elsewhere.nz", "candidate");
    let stranger = app.login("kim@elsewhere.nz").await;
    let refused = app.get_as(&stranger, &path).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.text());
    // Signing out ends the token for progress reads at once.
    let out = app
        .request_as(Some(&w.assessor), Method::POST, api::LOGOUT, None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(progress(&app, &w).await.status, StatusCode::UNAUTHORIZED);
}

backend_test!(a_signed_out_or_deactivated_session_is_refused_at_once_on_reads_and_writes);
/// The progress read checks the session in its one read transaction and the evidence write in
/// its write transaction (no separate session read, no session cache): sign-out and deactivation
/// still take effect on the very next request, and a refused write leaves nothing behind.
async fn a_signed_out_or_deactivated_session_is_refused_at_once_on_reads_and_writes(app: TestApp) {
    let w = app.world("28268@2").await;
    let (records, _) = example_records();
    let evidence = api::enrolment(&w.enrolment).evidence();
    assert_eq!(progress(&app, &w).await.status, StatusCode::OK);
    let added = app
        .post_as(&w.assessor, &evidence, records[0].1.clone())
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let before = app.count("evidence");

    let out = app
        .request_as(Some(&w.assessor), Method::POST, api::LOGOUT, None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(
        progress(&app, &w).await.status,
        StatusCode::UNAUTHORIZED,
        "{:?}",
        app.backend
    );
    let refused = app
        .post_as(&w.assessor, &evidence, records[1].1.clone())
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        refused.text()
    );
    // Refused before the body is judged, even when the body is wrong too.
    let refused = app
        .post_as(&w.assessor, &evidence, json!({"nonsense": 1}))
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        refused.text()
    );
    assert_eq!(app.count("evidence"), before);

    // Deactivation: the candidate's token stops working on the next request.
    let read = app
        .get_as(&w.candidate, &api::enrolment(&w.enrolment).progress())
        .await;
    assert_eq!(read.status, StatusCode::OK);
    let deactivated = app
        .request_as(
            Some(&w.admin),
            Method::POST,
            &api::org(&w.org).user(&w.candidate_id).deactivate(),
            None,
        )
        .await;
    assert_eq!(deactivated.status, StatusCode::NO_CONTENT);
    let read = app
        .get_as(&w.candidate, &api::enrolment(&w.enrolment).progress())
        .await;
    assert_eq!(read.status, StatusCode::UNAUTHORIZED);
    let refused = app
        .post_as(&w.candidate, &evidence, records[1].1.clone())
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("evidence"), before);
}

/// The figures a list row shows of `enrolment`: confirmed %, claimed %, mappings to judge.
fn listed_figures(page: &str, enrolment: &str) -> (u32, u32, Option<u32>) {
    let at = page
        .find(&format!("/enrolments/{enrolment}\""))
        .unwrap_or_else(|| panic!("{enrolment} listed: {page}"));
    let row = &page[at..page[at..].find("</tr>").map_or(page.len(), |end| at + end)];
    let cell = |label: &str| {
        let cell = format!("data-label=\"{label}\">");
        let start = row.find(&cell)? + cell.len();
        let digits: String = row[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse::<u32>().ok()
    };
    let shown = |label: &str| cell(label).unwrap_or_else(|| panic!("{label} of {row}"));
    (shown("Confirmed"), shown("Claimed"), cell("To judge"))
}

backend_test!(lists_show_the_computed_figures_for_stale_and_missing_stored_evaluations);
/// The lists read every row's stored figures at once: a stale stored row is never shown (its
/// figures are computed again, whatever it says), a missing one is computed, and each figure is
/// the one the enrolment's evaluation gives alone.
async fn lists_show_the_computed_figures_for_stale_and_missing_stored_evaluations(app: TestApp) {
    let w = app.world("28268@2").await;
    complete_portfolio(&app, &w).await;
    // A second candidate of the same assessor, with one record waiting for judgement.
    let other_id = app.seed_user(&w.org, "tane@harbour.nz", "candidate");
    let created = app
        .post_as(
            &w.admin,
            api::ENROLMENTS,
            json!({
                "org_id": w.org, "candidate_id": other_id, "assessor_id": w.assessor_id,
                "iv_id": w.iv_id, "standard": "28268@2", "start_date": "2024-06-01"
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let other = created.json()["id"].as_str().unwrap().to_owned();
    // A record of each candidate's own, waiting for the assessor's judgement.
    let record = |criterion: &str| {
        json!({"method": "electronic_data_record", "setting": "workplace", "date": "2024-06-06",
               "criteria": [{"criterion": criterion}], "details": {"summary": "Call log"},
               "declaration": true})
    };
    let tane = app.login("tane@harbour.nz").await;
    for (token, enrolment, criterion) in
        [(&w.candidate, &w.enrolment, "1.1"), (&tane, &other, "1.2")]
    {
        let added = app
            .post_as(
                token,
                &api::enrolment(enrolment).evidence(),
                record(criterion),
            )
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    }
    app.state.refresher.settled().await;

    // Each evaluated alone, as the progress read would.
    let catalogue = app.state.catalogue.clone();
    let ids = [w.enrolment.clone(), other.clone()];
    let expected = app.tx(move |c| {
        let mut figures = Vec::new();
        let mut all = Vec::new();
        for id in &ids {
            let enrolment = load_enrolment(c, id.parse().unwrap())?;
            let alone = stored::compute(c, &catalogue, &enrolment)?;
            let version = stored::interpretations_version(c, enrolment.org_id)?;
            let summary = stored::summary(c, &catalogue, &enrolment, version)?;
            assert_eq!(
                (
                    summary.claimed_percent,
                    summary.confirmed_percent,
                    summary.waiting
                ),
                (
                    alone.claimed_percent,
                    alone.confirmed_percent,
                    alone.waiting
                )
            );
            figures.push((
                u32::try_from(alone.confirmed_percent).unwrap(),
                u32::try_from(alone.claimed_percent).unwrap(),
                u32::try_from(alone.waiting).unwrap(),
            ));
            all.push((enrolment, version));
        }
        // Read together, the same summaries as each read alone.
        let pairs: Vec<_> = all.iter().map(|(e, v)| (e, *v)).collect();
        let together = stored::summaries(c, &catalogue, &pairs)?;
        for ((enrolment, version), summary) in all.iter().zip(&together) {
            let alone = stored::summary(c, &catalogue, enrolment, *version)?;
            assert_eq!(
                (summary.claimed_percent, summary.confirmed_percent),
                (alone.claimed_percent, alone.confirmed_percent)
            );
            assert_eq!(
                (summary.waiting, summary.complete, summary.last_by_candidate),
                (alone.waiting, alone.complete, alone.last_by_candidate)
            );
        }
        Ok::<_, attest::action::ActionError>(figures)
    });
    assert!(expected[1].2 > 0, "the second waits for judgement");
    let check = |page: &str, why: &str| {
        for (id, (confirmed, claimed, waiting)) in [&w.enrolment, &other].into_iter().zip(&expected)
        {
            let (c, cl, wt) = listed_figures(page, id);
            assert_eq!((c, cl), (*confirmed, *claimed), "{:?} {why}", app.backend);
            if let Some(wt) = wt {
                assert_eq!(wt, *waiting, "{:?} {why}", app.backend);
            }
        }
    };
    let assessor = app.browser(&w.assessor);
    let admin = app.browser(&w.admin);
    let verifier = app.browser(&w.iv);
    let admin_list = format!("/orgs/{}/enrolments", w.org);
    for why in ["both stored", "one stale, one missing"] {
        if why != "both stored" {
            // Wrong figures under an old stamp, and no row at all for the other.
            sql(
                &app,
                &format!(
                    "UPDATE evaluations SET claimed_percent = 3, confirmed_percent = 3, waiting = 77, \
                     revision = revision - 1 WHERE enrolment_id = '{}'",
                    w.enrolment
                ),
            );
            sql(
                &app,
                &format!("DELETE FROM evaluations WHERE enrolment_id = '{other}'"),
            );
        }
        let caseload = assessor.get(&app, "/caseload").await;
        assert_eq!(caseload.status, StatusCode::OK);
        let caseload = caseload.text();
        check(&caseload, &format!("caseload, {why}"));
        let listed = admin.get(&app, &admin_list).await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.text());
        check(&listed.text(), &format!("admin list, {why}"));
        // The verifier's dashboard lists both portfolios.
        let home = verifier.get(&app, "/").await.text();
        check(&home, &format!("dashboard, {why}"));
    }
    // The lists read; they stored nothing (the stale row is still the stale one).
    assert_eq!(app.count("evaluations"), 1, "{:?}", app.backend);
}

backend_test!(the_portfolio_page_shows_the_evaluation_whether_stored_stale_or_missing);
/// The portfolio page reads its bars, gaps and reasons from the stored evaluation when that is
/// current, and evaluates the portfolio itself when it is stale or missing: either way it shows
/// what the engine says of the portfolio now.
async fn the_portfolio_page_shows_the_evaluation_whether_stored_stale_or_missing(app: TestApp) {
    let w = app.world("28268@2").await;
    let (records, _) = example_records();
    for (_, record) in records.iter().take(3) {
        let added = app
            .post_as(
                &w.assessor,
                &api::enrolment(&w.enrolment).evidence(),
                record.clone(),
            )
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    }
    // The candidate's own record: it does not count in the confirmed view until judged.
    let own = json!({"method": "electronic_data_record", "setting": "workplace",
        "date": "2024-06-06", "criteria": [{"criterion": "1.7"}],
        "details": {"summary": "Call log"}, "declaration": true});
    let added = app
        .post_as(&w.candidate, &api::enrolment(&w.enrolment).evidence(), own)
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    app.state.refresher.settled().await;
    assert!(is_fresh(&app, &w), "{:?}", app.backend);

    let candidate = app.browser(&w.candidate);
    let path = format!("/enrolments/{}", w.enrolment);
    let views = [path.clone(), format!("{path}?view=claimed")];
    let pages = || async {
        let mut shown = Vec::new();
        for view in &views {
            let page = candidate.get(&app, view).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.text());
            shown.push(page.text());
        }
        shown
    };
    // As a browser reads them: tera's escaping undone.
    let from_stored: Vec<String> = pages().await.iter().map(|p| unescape(p)).collect();
    let computed = computed(&app, &w);
    let gap = computed["claimed"]["gaps"][0]["message"].as_str().unwrap();
    assert!(from_stored[1].contains(gap), "{gap}");
    assert!(
        from_stored[0].contains("waiting for the assessor's judgement (1.7)"),
        "{}",
        from_stored[0]
    );
    let percent = computed["confirmed"]["progress"]["percent"]
        .as_u64()
        .unwrap();
    assert!(from_stored[0].contains(&format!("{percent}%")));

    // Stale (an old stamp over wrong words), then missing: the page evaluates, and shows the same.
    sql(
        &app,
        &format!(
            "UPDATE evaluations SET progress = REPLACE(progress, 'waiting for', 'WRONG'), \
             revision = revision - 1 WHERE enrolment_id = '{}'",
            w.enrolment
        ),
    );
    let again = || async {
        pages()
            .await
            .iter()
            .map(|p| unescape(p))
            .collect::<Vec<_>>()
    };
    assert_eq!(again().await, from_stored, "{:?} stale", app.backend);
    sql(
        &app,
        &format!(
            "DELETE FROM evaluations WHERE enrolment_id = '{}'",
            w.enrolment
        ),
    );
    assert_eq!(again().await, from_stored, "{:?} missing", app.backend);
    // The page reads; it stored nothing.
    assert_eq!(app.count("evaluations"), 0, "{:?}", app.backend);
}
