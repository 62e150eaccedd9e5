//! Exports for training providers (issue 9) against the database: the results query with its
//! filters, the report-once ledger and its reversal, cohorts, the CLI and the API.

use actix_web::http::{Method, StatusCode};
use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::json;

use crate::api;
use crate::helpers::{PASSWORD, TestApp, World, backend_test};
use attest::db::schema::{enrolments, users};
use attest::exports::ledger;
use attest::exports::results::{ResultsFilter, ResultsQuery};
use attest::output::formats::results::ResultsFormat;
use attest::portfolio::cohorts::{self, CohortMembers, NewCohort};
use sha2::Digest;

/// The NSN [`seed_result`] gives the candidate `email`: nine digits of its SHA-256, so every
/// candidate of an organisation has their own (learner numbers are unique there).
pub fn nsn_of(email: &str) -> String {
    let digest = sha2::Sha256::digest(email.as_bytes());
    let n = u64::from_be_bytes(digest[..8].try_into().unwrap());
    format!("{:09}", n % 1_000_000_000)
}

/// A candidate with an NSN and a decided result on `standard`, submitted on `submitted`.
pub fn seed_result(
    app: &TestApp,
    w: &World,
    email: &str,
    standard: &str,
    submitted: &str,
) -> String {
    let org = w.org.clone();
    let candidate = app
        .tx(|c| {
            attest::identity::create_user(
                c,
                None,
                org.parse().unwrap(),
                attest::identity::NewUser {
                    email: email.into(),
                    name: format!("Learner {email}"),
                    password: Some(PASSWORD.into()),
                    role: "candidate".into(),
                    national_learner_number: Some(nsn_of(email)),
                },
            )
        })
        .id;
    let catalogue = app.state.catalogue.clone();
    let assessor = w.assessor_id.clone();
    let day = NaiveDate::parse_from_str(submitted, "%Y-%m-%d").unwrap();
    app.tx(move |c| {
        let enrolment = attest::portfolio::create_enrolment(
            c,
            &catalogue,
            Some(&assessor),
            serde_json::from_value(json!({
                "org_id": org, "candidate_id": candidate, "assessor_id": assessor,
                "standard": standard, "start_date": "2024-01-10"
            }))
            .unwrap(),
            Utc::now(),
        )?;
        // The unit decision as the sign-off chain leaves it (tested end to end in signoff.rs).
        let at = day.and_hms_opt(10, 0, 0).unwrap();
        diesel::update(enrolments::table.find(&enrolment.id))
            .set((
                enrolments::status.eq("assessed"),
                enrolments::submitted_at.eq(at),
                enrolments::assessed_at.eq(at + chrono::TimeDelta::days(3)),
                enrolments::decided_by.eq(&assessor),
            ))
            .execute(c)?;
        Ok(enrolment.id.to_string())
    })
}

fn filter(app: &TestApp, org: &str, query: ResultsQuery) -> ResultsFilter {
    let catalogue = app.state.catalogue.clone();
    let org = org.to_owned();
    app.tx(move |c| query.check(c, &catalogue, org.parse().unwrap()))
}

/// A recording by no user (as the command line does), keeping files in the app's store.
fn recording(app: &TestApp) -> ledger::Recording<'_> {
    ledger::Recording {
        actor_id: None,
        now: Utc::now(),
        store: app.state.store.as_ref(),
        scratch_dir: &app.state.upload_dir,
        keys: &app.state.keys,
        public_url: &app.state.config.public_url,
    }
}

/// Runs an export; returns the CSV text and the batch id when recorded.
fn export(app: &TestApp, filter: &ResultsFilter, record: bool) -> (String, Option<String>) {
    let mut conn = app.state.db.conn().unwrap();
    let mut out = Vec::new();
    let (batch, _) = attest::db::write_transaction(&mut conn, |c| {
        ledger::export_results(
            c,
            &app.state.catalogue,
            filter,
            record.then(|| recording(app)),
            &mut out,
            |_| {},
        )
    })
    .unwrap();
    (
        String::from_utf8(out).unwrap(),
        batch.map(|b| b.id.to_string()),
    )
}

fn data_rows(csv: &str) -> usize {
    csv.lines().count().saturating_sub(1)
}

backend_test!(the_ledger_leaves_out_reported_results_until_the_batch_is_reversed);
async fn the_ledger_leaves_out_reported_results_until_the_batch_is_reversed(app: TestApp) {
    let w = app.world("28268@2").await;
    seed_result(&app, &w, "a@harbour.nz", "28268@2", "2024-06-03");
    seed_result(&app, &w, "b@harbour.nz", "28268@2", "2024-06-04");
    let csv = filter(&app, &w.org, ResultsQuery::default());

    let (first, batch) = export(&app, &csv, true);
    assert_eq!(data_rows(&first), 2, "{first}");
    assert!(first.contains("Learner a@harbour.nz") && first.contains(",2024-06-03,"));
    assert!(first.contains(",achieved,"), "{first}");
    let batch = batch.expect("recorded");

    // Reported once: the next export leaves both out, unless asked; an empty batch is not
    // recorded, and the refusal names the field that would change it.
    let (second, _) = export(&app, &csv, false);
    assert_eq!(data_rows(&second), 0, "{second}");
    let empty = {
        let mut conn = app.state.db.conn().unwrap();
        attest::db::write_transaction(&mut conn, |c| {
            ledger::export_results(
                c,
                &app.state.catalogue,
                &csv,
                Some(recording(&app)),
                std::io::sink(),
                |_| {},
            )
        })
    };
    match empty {
        Err(attest::exports::ExportFailure::Action(attest::action::ActionError::Invalid(
            errors,
        ))) => assert!(
            errors["include_reported"].contains("Nothing new"),
            "{errors:?}"
        ),
        other => panic!("an empty batch is refused: {other:?}"),
    }
    assert_eq!(app.count("export_batches"), 1);
    let again = ResultsFilter {
        include_reported: true,
        ..csv.clone()
    };
    assert_eq!(data_rows(&export(&app, &again, false).0), 2);

    // A new result is reported on its own.
    seed_result(&app, &w, "c@harbour.nz", "28268@2", "2024-06-05");
    let (third, _) = export(&app, &csv, false);
    assert_eq!(data_rows(&third), 1, "{third}");
    assert!(third.contains("Learner c@harbour.nz"));

    // Reversing the first batch makes its results reportable again, in the audit trail.
    let reversed = app.tx(|c| {
        let loaded = ledger::load_batch(c, batch.parse().unwrap())?;
        assert!(
            ledger::reverse_batch(c, None, &loaded, "  ", Utc::now()).is_err(),
            "a reason is required"
        );
        ledger::reverse_batch(c, None, &loaded, "wrong NSNs", Utc::now())
    });
    assert_eq!(reversed.reverse_reason.as_deref(), Some("wrong NSNs"));
    let twice =
        app.tx(|c| Ok(ledger::reverse_batch(c, None, &reversed, "again", Utc::now()).is_err()));
    assert!(twice, "a batch is reversed once");
    let (after, _) = export(&app, &csv, false);
    assert_eq!(data_rows(&after), 3, "{after}");

    let history = app.tx(|c| Ok(attest::audit::history(c, "export_batch", &batch)?));
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["export.record", "export.reverse"],
        "{:?}",
        app.backend
    );
    let chain = app.tx(|c| Ok(attest::audit::verify(c)?));
    assert!(chain.broken.is_none(), "{chain:?}");

    // Downloading a recorded batch again gives the very file that was recorded.
    assert_eq!(download(&app, &batch).unwrap(), first);
}

fn download(app: &TestApp, batch: &str) -> Result<String, attest::exports::ExportFailure> {
    let loaded = app.tx(|c| ledger::load_batch(c, batch.parse().unwrap()));
    let mut conn = app.state.db.conn().unwrap();
    let mut out = Vec::new();
    ledger::download_batch(
        &mut conn,
        &app.state.catalogue,
        app.state.store.as_ref(),
        &loaded,
        &mut out,
    )?;
    Ok(String::from_utf8(out).unwrap())
}

backend_test!(a_batch_downloads_as_it_was_reported_even_after_the_records_change);
async fn a_batch_downloads_as_it_was_reported_even_after_the_records_change(app: TestApp) {
    let w = app.world("28268@2").await;
    let enrolment = seed_result(&app, &w, "a@harbour.nz", "28268@2", "2024-06-03");
    let all = filter(&app, &w.org, ResultsQuery::default());
    let (reported, batch) = export(&app, &all, true);
    let batch = batch.expect("recorded");
    let recorded = app.tx(|c| ledger::load_batch(c, batch.parse().unwrap()));
    let sha256 = hex::encode(sha2::Sha256::digest(reported.as_bytes()));
    assert_eq!(recorded.file_sha256.as_deref(), Some(sha256.as_str()));
    assert_eq!(recorded.file_size, Some(reported.len() as i64));

    // The candidate's name and learner number change after the file went to the awarding
    // body: the batch still downloads as it was sent, while a new export shows the change.
    let learner = app.tx(|c| {
        Ok(enrolments::table
            .find(&enrolment)
            .select(enrolments::candidate_id)
            .first::<String>(c)?)
    });
    app.tx(|c| {
        diesel::update(users::table.find(&learner))
            .set(users::name.eq("Renamed Learner"))
            .execute(c)?;
        Ok(())
    });
    let now = export(
        &app,
        &ResultsFilter {
            include_reported: true,
            ..all.clone()
        },
        false,
    )
    .0;
    assert!(now.contains("Renamed Learner"), "{now}");
    assert_eq!(download(&app, &batch).unwrap(), reported);

    // A kept file that no longer matches its hash is refused, never sent.
    let object = app
        .state
        .config
        .data_dir
        .join("files/objects")
        .join(&sha256[..2])
        .join(&sha256[2..]);
    std::fs::write(&object, reported.replace("achieved", "achieveD")).unwrap();
    match download(&app, &batch) {
        Err(attest::exports::ExportFailure::Store(e)) => {
            assert!(e.to_string().contains("does not match"), "{e}")
        }
        other => panic!("a changed file is refused: {other:?}"),
    }
}

backend_test!(the_nzqa_file_records_only_what_it_wrote);
async fn the_nzqa_file_records_only_what_it_wrote(app: TestApp) {
    let w = app.world("28268@2").await;
    seed_result(&app, &w, "a@harbour.nz", "28268@2", "2024-06-03");
    seed_result(&app, &w, "sqa@harbour.nz", "DN8J 11", "2024-06-03");
    let nzqa = filter(
        &app,
        &w.org,
        ResultsQuery {
            format: Some("nzqa".into()),
            ..Default::default()
        },
    );
    assert_eq!(nzqa.format, ResultsFormat::NzqaCsv);
    let (file, _) = export(&app, &nzqa, true);
    assert_eq!(data_rows(&file), 1, "{file}");
    let nsn = nsn_of("a@harbour.nz");
    assert!(file.contains(&format!("{nsn},28268,2,")), "{file}");
    // The SQA result was left out of the NZQA file, so it is still reportable.
    let csv = filter(&app, &w.org, ResultsQuery::default());
    let (rest, _) = export(&app, &csv, false);
    assert_eq!(data_rows(&rest), 1, "{rest}");
    assert!(rest.contains("DN8J 11"), "{rest}");
}

backend_test!(results_filter_by_cohort_standard_and_date);
async fn results_filter_by_cohort_standard_and_date(app: TestApp) {
    let w = app.world("28268@2").await;
    let june = seed_result(&app, &w, "a@harbour.nz", "28268@2", "2024-06-03");
    seed_result(&app, &w, "b@harbour.nz", "28268@2", "2024-08-20");
    seed_result(&app, &w, "c@harbour.nz", "DN8J 11", "2024-06-10");
    let catalogue = app.state.catalogue.clone();
    let org = w.org.clone();
    let cohort = app.tx(move |c| {
        let cohort = cohorts::create_cohort(
            c,
            &catalogue,
            None,
            org.parse().unwrap(),
            NewCohort {
                name: "June intake".into(),
                standard: Some("28268".into()),
                ..Default::default()
            },
            Utc::now(),
        )?;
        cohorts::change_members(
            c,
            None,
            &cohort,
            &CohortMembers {
                add: vec![june.parse().unwrap()],
                remove: vec![],
            },
        )?;
        Ok(cohort)
    });
    let count =
        |query: ResultsQuery| data_rows(&export(&app, &filter(&app, &w.org, query), false).0);
    let q = ResultsQuery::default;
    assert_eq!(count(q()), 3);
    assert_eq!(
        count(ResultsQuery {
            cohort: Some("June intake".into()),
            ..q()
        }),
        1
    );
    assert_eq!(
        count(ResultsQuery {
            cohort: Some(cohort.id.to_string()),
            ..q()
        }),
        1
    );
    assert_eq!(
        count(ResultsQuery {
            standard: Some("28268@2".into()),
            ..q()
        }),
        2
    );
    assert_eq!(
        count(ResultsQuery {
            standard: Some("dn8j 11".into()),
            ..q()
        }),
        1
    );
    assert_eq!(
        count(ResultsQuery {
            from: Some("2024-06-01".into()),
            to: Some("2024-06-30".into()),
            ..q()
        }),
        2
    );
    assert_eq!(
        count(ResultsQuery {
            from: Some("2024-06-10".into()),
            to: Some("2024-06-10".into()),
            ..q()
        }),
        1,
        "both ends of the range are included"
    );
}

#[actix_web::test]
async fn bad_filters_name_each_field() {
    let app = TestApp::new(crate::helpers::Backend::Sqlite);
    let w = app.world("28268@2").await;
    let catalogue = app.state.catalogue.clone();
    let org = w.org.clone();
    let refused = app.tx(move |c| {
        Ok(ResultsQuery {
            format: Some("xlsx".into()),
            cohort: Some("nobody".into()),
            standard: Some("99999".into()),
            from: Some("03/06/2024".into()),
            to: Some("2024-13-01".into()),
            include_reported: Some("maybe".into()),
        }
        .check(c, &catalogue, org.parse().unwrap())
        .unwrap_err())
    });
    let attest::action::ActionError::Invalid(errors) = refused else {
        panic!("expected field errors, got {refused:?}");
    };
    let fields: Vec<&str> = errors.keys().map(String::as_str).collect();
    assert_eq!(
        fields,
        [
            "cohort",
            "format",
            "from",
            "include_reported",
            "standard",
            "to"
        ]
    );
}

backend_test!(cohort_progress_counts_each_outcome_in_the_confirmed_view);
async fn cohort_progress_counts_each_outcome_in_the_confirmed_view(app: TestApp) {
    let w = app.world("28268@2").await;
    crate::portfolio::complete_portfolio(&app, &w).await;
    let catalogue = app.state.catalogue.clone();
    let org = w.org.clone();
    let enrolment = w.enrolment.clone();
    let other = seed_result(&app, &w, "a@harbour.nz", "28268@2", "2024-06-03");
    let progress = app.tx(move |c| {
            let cohort = cohorts::create_cohort(
                c,
                &catalogue,
                None,
                org.parse().unwrap(),
                NewCohort {
                    name: "Evening class".into(),
                    ..Default::default()
                },
                Utc::now(),
            )?;
            let duplicate = cohorts::create_cohort(
                c,
                &catalogue,
                None,
                org.parse().unwrap(),
                NewCohort {
                    name: "Evening class".into(),
                    ..Default::default()
                },
                Utc::now(),
            );
            assert!(
                matches!(&duplicate, Err(attest::action::ActionError::Invalid(e)) if e.contains_key("name")),
                "{duplicate:?}"
            );
            cohorts::change_members(
                c,
                None,
                &cohort,
                &CohortMembers {
                    add: vec![enrolment.parse().unwrap(), other.parse().unwrap()],
                    remove: vec![],
                },
            )?;
            cohorts::cohort_progress(c, &catalogue, &cohort)
        });
    assert_eq!(progress.enrolments, 2);
    let standard = &progress.standards[0];
    assert_eq!((standard.code.as_str(), standard.version), ("28268", 2));
    assert_eq!(standard.enrolments, 2);
    assert!(!standard.outcomes.is_empty());
    for outcome in &standard.outcomes {
        // One portfolio has every outcome met; the seeded one has no evidence at all.
        assert_eq!(
            (outcome.met, outcome.not_started),
            (1, 1),
            "outcome {}",
            outcome.id
        );
        assert_eq!(outcome.percent, 50, "outcome {}", outcome.id);
    }
}

#[actix_web::test]
async fn results_are_exported_recorded_and_reversed_from_the_command_line() {
    let app = TestApp::new(crate::helpers::Backend::Sqlite);
    let w = app.world("28268@2").await;
    seed_result(&app, &w, "a@harbour.nz", "28268@2", "2024-06-03");
    let data = &app.state.config.data_dir;
    let attest = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_attest"))
            .args(args)
            .env("ATTEST_DATA_DIR", data)
            .env("ATTEST_STANDARDS_DIR", &app.state.config.standards_dir)
            .env_remove("ATTEST_DATABASE_URL")
            .output()
            .unwrap()
    };
    let file = data.join("results.csv");
    let path = file.to_str().unwrap();
    let dry = attest(&[
        "export",
        "results",
        "--org",
        "Harbour Training",
        "--dry-run",
        "-o",
        path,
    ]);
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(String::from_utf8_lossy(&dry.stdout).contains("nothing recorded"));

    let out = attest(&["export", "results", "--org", "Harbour Training", "-o", path]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let batch = stdout
        .lines()
        .find_map(|l| l.split("recorded as batch ").nth(1))
        .unwrap()
        .trim()
        .to_owned();
    // The batch's audit checkpoint is kept beside its file, and holds for the trail as it is.
    let kept = data.join("results.csv.audit-checkpoint.jwt");
    assert!(stdout.contains("audit checkpoint"), "{stdout}");
    let verified = attest(&["audit", "verify", "--checkpoint", kept.to_str().unwrap()]);
    assert!(
        verified.status.success(),
        "{}{}",
        String::from_utf8_lossy(&verified.stdout),
        String::from_utf8_lossy(&verified.stderr)
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("candidate_id,candidate_name,"), "{text}");
    assert_eq!(data_rows(&text), 1);
    assert!(!data.join("results.csv.partial").exists());

    // Nothing new: refused, nothing recorded, and the file written before is left as it was.
    let next = attest(&["export", "results", "--org", "Harbour Training", "-o", path]);
    assert_eq!(next.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&next.stderr).contains("Nothing new to report"));
    assert_eq!(data_rows(&std::fs::read_to_string(&file).unwrap()), 1);
    assert!(!data.join("results.csv.partial").exists());

    let listed = attest(&["export", "batches", "--org", "Harbour Training"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains(&batch));

    // The recorded file again, byte for byte; an unknown batch is named.
    let copy = data.join("batch-copy.csv");
    let fetched = attest(&["export", "batch", &batch, "-o", copy.to_str().unwrap()]);
    assert!(
        fetched.status.success(),
        "{}",
        String::from_utf8_lossy(&fetched.stderr)
    );
    assert_eq!(std::fs::read(&copy).unwrap(), text.as_bytes());
    assert_eq!(
        std::fs::read_to_string(data.join("batch-copy.csv.audit-checkpoint.jwt")).unwrap(),
        std::fs::read_to_string(&kept).unwrap()
    );
    let unknown = attest(&[
        "export",
        "batch",
        "no-such-batch",
        "-o",
        copy.to_str().unwrap(),
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no batch no-such-batch"));

    let no_reason = attest(&["export", "reverse", &batch, "--reason", " "]);
    assert_eq!(no_reason.status.code(), Some(2));
    let reversed = attest(&["export", "reverse", &batch, "--reason", "sent twice"]);
    assert!(
        reversed.status.success(),
        "{}",
        String::from_utf8_lossy(&reversed.stderr)
    );
    let again = attest(&[
        "export",
        "results",
        "--org",
        "Harbour Training",
        "--format",
        "json",
        "-o",
        path,
    ]);
    assert!(again.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["date_achieved"], "2024-06-03");

    let bad = attest(&[
        "export",
        "results",
        "--org",
        "Harbour Training",
        "--from",
        "June",
        "-o",
        path,
    ]);
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("from"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");

    let verify = attest(&["audit", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

backend_test!(the_api_records_downloads_and_reverses_batches);
async fn the_api_records_downloads_and_reverses_batches(app: TestApp) {
    let w = app.world("28268@2").await;
    seed_result(&app, &w, "a@harbour.nz", "28268@2", "2024-06-03");
    seed_result(&app, &w, "b@harbour.nz", "28268@2", "2024-07-03");
    let admin = Some(w.admin.as_str());
    let org = &w.org;

    let preview = app
        .request_as(
            admin,
            Method::GET,
            &format!("{}?format=json", api::org(org).results()),
            None,
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    assert_eq!(preview.header("content-type"), Some("application/json"));
    assert_eq!(preview.json().as_array().unwrap().len(), 2);
    // A preview records nothing.
    assert_eq!(app.count("export_batches"), 0);

    let recorded = app
        .request_as(
            admin,
            Method::POST,
            &api::org(org).export_batches(),
            Some(json!({"format": "csv", "from": "2024-06-01", "to": "2024-06-30"})),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.text());
    let batch = recorded.json();
    assert_eq!(batch["row_count"], 1);
    let download = recorded.header("location").unwrap().to_owned();

    let file = app.request_as(admin, Method::GET, &download, None).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        file.header("content-disposition")
            .unwrap()
            .contains("attachment")
    );
    assert_eq!(data_rows(&file.text()), 1, "{}", file.text());
    let sha256 = hex::encode(sha2::Sha256::digest(&file.body));
    assert_eq!(batch["file_sha256"], sha256.as_str());
    assert_eq!(file.header("x-content-sha256"), Some(sha256.as_str()));

    let rest = app
        .request_as(admin, Method::GET, &api::org(org).results(), None)
        .await;
    assert_eq!(
        data_rows(&rest.text()),
        1,
        "the reported result is left out"
    );
    let all = app
        .request_as(
            admin,
            Method::GET,
            &format!("{}?include_reported=true", api::org(org).results()),
            None,
        )
        .await;
    assert_eq!(data_rows(&all.text()), 2);

    let listed = app
        .request_as(admin, Method::GET, &api::org(org).export_batches(), None)
        .await
        .json();
    assert_eq!(listed[0]["id"], batch["id"]);

    let id = batch["id"].as_str().unwrap();
    let reverse_path = api::export_batch(id).reverse();
    let reverse = |reason: &'static str| {
        app.request_as(
            admin,
            Method::POST,
            &reverse_path,
            Some(json!({ "reason": reason })),
        )
    };
    let no_reason = reverse("").await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.json()["errors"].get("reason").is_some());
    let reversed = reverse("wrong month").await;
    assert_eq!(reversed.status, StatusCode::OK, "{}", reversed.text());
    assert_eq!(reversed.json()["reverse_reason"], "wrong month");
    assert_eq!(reverse("again").await.status, StatusCode::CONFLICT);
    let back = app
        .request_as(admin, Method::GET, &api::org(org).results(), None)
        .await;
    assert_eq!(data_rows(&back.text()), 2, "{:?}", app.backend);
}

backend_test!(cohorts_through_the_api);
async fn cohorts_through_the_api(app: TestApp) {
    let w = app.world("28268@2").await;
    let admin = Some(w.admin.as_str());
    let created = app
        .request_as(
            admin,
            Method::POST,
            &api::org(&w.org).cohorts(),
            Some(json!({"name": "2024 intake", "standard": "28268@2",
                    "start_date": "2024-02-01", "end_date": "2024-01-01"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(created.json()["errors"].get("end_date").is_some());
    let created = app
        .request_as(
            admin,
            Method::POST,
            &api::org(&w.org).cohorts(),
            Some(json!({"name": "2024 intake", "standard": "28268@2"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let added = app
        .request_as(
            admin,
            Method::POST,
            &api::cohort(&id).enrolments(),
            Some(json!({"add": [w.enrolment]})),
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text());
    assert_eq!(added.json()[0]["cohort_id"], id.as_str());
    let progress = app
        .request_as(admin, Method::GET, &api::cohort(&id).progress(), None)
        .await;
    assert_eq!(progress.status, StatusCode::OK);
    let outcomes = progress.json()["standards"][0]["outcomes"].clone();
    assert!(outcomes[0]["not_started"] == 1, "{outcomes}");
    let listed = app
        .request_as(admin, Method::GET, &api::org(&w.org).cohorts(), None)
        .await
        .json();
    assert_eq!(listed[0]["enrolments"], 1);
    assert_eq!(listed[0]["name"], "2024 intake");
}
#[actix_web::test]
async fn bad_api_filters_are_refused_naming_the_field() {
    let app = TestApp::new(crate::helpers::Backend::Sqlite);
    let w = app.world("28268@2").await;
    let reply = app
        .get_as(
            &w.admin,
            &format!("{}?format=xlsx&from=June", api::org(&w.org).results()),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text()
    );
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json")
    );
    let errors = reply.json()["errors"].clone();
    assert!(
        errors.get("format").is_some() && errors.get("from").is_some(),
        "{errors}"
    );
}

backend_test!(an_admin_runs_cohorts_and_exports_through_the_pages);
async fn an_admin_runs_cohorts_and_exports_through_the_pages(app: TestApp) {
    let w = app.world("28268@2").await;
    seed_result(&app, &w, "a@harbour.nz", "28268@2", "2024-06-03");
    let admin = app.browser(&w.admin);
    let dashboard = admin.get(&app, "/").await.text();
    assert!(dashboard.contains(&format!("/orgs/{}/cohorts", w.org)));
    assert!(dashboard.contains(&format!("/orgs/{}/exports", w.org)));

    let list = format!("/orgs/{}/cohorts", w.org);
    assert_eq!(admin.get(&app, &list).await.status, StatusCode::OK);
    let refused = admin
        .post(
            &app,
            &list,
            &[("name", "Night class"), ("standard", "nope@x")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = refused.text();
    assert!(text.contains("id=\"f-standard-error\""), "{text}");
    assert!(
        text.contains("value=\"Night class\""),
        "what was typed is kept"
    );
    let created = admin.post(&app, &list, &[("name", "Night class")]).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
    let cohort = created.header("location").unwrap().to_owned();

    let added = admin
        .post(
            &app,
            &format!("{cohort}/enrolments"),
            &[("add", &w.enrolment)],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    let page = admin.get(&app, &cohort).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("class=\"cohort-chart\""), "{html}");
    assert!(html.contains("<caption>Outcomes of NZQA 28268"), "{html}");
    assert!(html.contains("f-remove-"), "the member can be taken out");

    let exports = format!("/orgs/{}/exports", w.org);
    let form = admin.get(&app, &exports).await.text();
    assert!(
        form.contains("<option value=\"28268@2\">"),
        "the standard is chosen from the catalogue: {form}"
    );
    let preview = admin
        .post(&app, &format!("{exports}/preview"), &[("format", "csv")])
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    assert!(
        preview.text().contains("1 result would be in the file"),
        "{}",
        preview.text()
    );
    assert!(
        preview.text().contains("id=\"badges-preview\""),
        "the badge count is shown beside its button: {}",
        preview.text()
    );
    let bad = admin
        .post(&app, &format!("{exports}/preview"), &[("from", "June")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("id=\"f-from-error\""));
    let forged = admin
        .post_without_csrf(&app, &format!("{exports}/preview"), &[("format", "csv")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let recorded = admin.post(&app, &exports, &[("format", "nzqa")]).await;
    assert_eq!(
        recorded.status,
        StatusCode::SEE_OTHER,
        "{}",
        recorded.text()
    );
    let back = recorded.header("location").unwrap().to_owned();
    let batch = back
        .strip_prefix(&format!("{exports}?recorded="))
        .expect("back to the exports page, naming the batch")
        .to_owned();
    let shown = admin.get(&app, &back).await.text();
    let download = api::export_batch(&batch).download();
    assert!(
        shown.contains("id=\"recorded\"") && shown.contains(&download),
        "the new batch's file is offered: {shown}"
    );
    let file = admin.get(&app, &download).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(
        file.text().starts_with("nsn,standard_number,version,"),
        "{}",
        file.text()
    );
    assert_eq!(data_rows(&file.text()), 1);

    let batches = admin.get(&app, &exports).await.text();
    let reverse = format!("/orgs/{}/export-batches/{batch}/reverse", w.org);
    assert!(batches.contains(&reverse), "{batches}");
    let no_reason = admin.post(&app, &reverse, &[("reason", "")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_reason
            .text()
            .contains(&format!("id=\"f-reason-{batch}-error\""))
    );
    let without_csrf = admin
        .post_without_csrf(&app, &reverse, &[("reason", "typo")])
        .await;
    assert_eq!(without_csrf.status, StatusCode::FORBIDDEN);
    let reversed = admin
        .post(&app, &reverse, &[("reason", "sent to the wrong provider")])
        .await;
    assert_eq!(
        reversed.status,
        StatusCode::SEE_OTHER,
        "{}",
        reversed.text()
    );
    assert!(
        admin
            .get(&app, &exports)
            .await
            .text()
            .contains("sent to the wrong provider")
    );

    let candidate = app.browser(&w.candidate);
    assert_eq!(
        candidate.get(&app, &exports).await.status,
        StatusCode::FORBIDDEN
    );
}

backend_test!(a_reported_result_is_not_taken_back_until_its_batch_is_reversed);
async fn a_reported_result_is_not_taken_back_until_its_batch_is_reversed(app: TestApp) {
    let w = app.world("28268@2").await;
    let enrolment = seed_result(&app, &w, "a@harbour.nz", "28268@2", "2024-06-03");
    let csv = filter(&app, &w.org, ResultsQuery::default());
    let (_, batch) = export(&app, &csv, true);
    let batch = batch.expect("recorded");
    let base = api::enrolment(&enrolment);

    for (token, path, body) in [
        (&w.assessor, "reopen", json!({"reason": "one more enquiry"})),
        (&w.admin, "withdraw", json!({"reason": "left"})),
    ] {
        let refused = app.post_as(token, &format!("{base}/{path}"), body).await;
        assert_eq!(
            refused.status,
            StatusCode::CONFLICT,
            "{path}: {}",
            refused.text()
        );
        let detail = refused.json()["detail"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            detail.contains(&batch) && detail.contains("reverse"),
            "{detail}"
        );
    }

    let reverse = app
        .post_as(
            &w.admin,
            &api::export_batch(&batch).reverse(),
            json!({"reason": "decision under review"}),
        )
        .await;
    assert_eq!(reverse.status, StatusCode::OK, "{}", reverse.text());
    let reopened = app
        .post_as(
            &w.assessor,
            &base.reopen(),
            json!({"reason": "one more enquiry"}),
        )
        .await;
    assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.text());
}

backend_test!(a_cohort_page_offers_only_enrolments_on_its_standard_and_keeps_the_ticks);
async fn a_cohort_page_offers_only_enrolments_on_its_standard_and_keeps_the_ticks(app: TestApp) {
    let w = app.world("28268@2").await;
    let sqa = seed_result(&app, &w, "sqa@harbour.nz", "DN8J 11", "2024-06-03");
    let admin = app.browser(&w.admin);
    let created = admin
        .post(
            &app,
            &format!("/orgs/{}/cohorts", w.org),
            &[("name", "Contact centre"), ("standard", "28268")],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
    let cohort = created.header("location").unwrap().to_owned();
    let page = admin.get(&app, &cohort).await.text();
    assert!(
        page.contains(&format!("id=\"f-add-{}\"", w.enrolment)),
        "{page}"
    );
    assert!(
        !page.contains(&sqa),
        "an enrolment on another standard is not offered"
    );

    // One good tick and one refused: nothing is saved, the good tick stays ticked.
    let unknown = "00000000-0000-0000-0000-000000000000";
    let refused = admin
        .post(
            &app,
            &format!("{cohort}/enrolments"),
            &[("add", &w.enrolment), ("add", unknown)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    assert!(
        html.contains(&format!("value=\"{}\" checked", w.enrolment)),
        "{html}"
    );
    assert!(
        html.contains("This enrolment is not an enrolment of this organisation"),
        "{html}"
    );
    let members = app.tx(|c| {
        Ok(enrolments::table
            .filter(enrolments::cohort_id.is_not_null())
            .count()
            .get_result::<i64>(c)?)
    });
    assert_eq!(members, 0, "nothing was saved");
}

/// Revokes a statement of `enrolment` as the statements page leaves it (tested end to end in
/// signoff.rs): issued, then revoked.
fn revoke_statement(app: &TestApp, enrolment: &str, by: &str) {
    use attest::db::schema::statements;
    let (enrolment, by) = (enrolment.to_owned(), by.to_owned());
    app.tx(move |c| {
        let now = Utc::now().naive_utc();
        diesel::insert_into(statements::table)
            .values((
                statements::id.eq(uuid::Uuid::new_v4().to_string()),
                statements::enrolment_id.eq(&enrolment),
                statements::code.eq("XQ7P-REVK"),
                statements::content.eq("{}"),
                statements::content_hash.eq("0"),
                statements::missing_chars.eq(""),
                statements::issued_at.eq(now),
                statements::issued_by.eq(&by),
                statements::revoked_at.eq(Some(now)),
                statements::revoked_by.eq(Some(&by)),
                statements::revoke_reason.eq(Some("issued in error")),
            ))
            .execute(c)?;
        Ok(())
    });
}

backend_test!(a_result_that_changes_after_it_was_reported_is_sent_again_as_a_correction);
async fn a_result_that_changes_after_it_was_reported_is_sent_again_as_a_correction(app: TestApp) {
    let w = app.world("28268@2").await;
    let changed = seed_result(&app, &w, "a@harbour.nz", "28268@2", "2024-06-03");
    let stands = seed_result(&app, &w, "b@harbour.nz", "28268@2", "2024-06-04");
    let nzqa = || ResultsQuery {
        format: Some("nzqa".into()),
        ..Default::default()
    };
    let (_, first) = export(&app, &filter(&app, &w.org, nzqa()), true);
    let first = first.expect("recorded");
    let admin_id = app.tx(|c| {
        Ok(users::table
            .filter(users::email.eq("admin@harbour.nz"))
            .select(users::id)
            .first::<String>(c)?)
    });
    revoke_statement(&app, &changed, &admin_id);

    // The exports page lists what is waiting; a dry run shows it with the batch it corrects.
    let page = app
        .browser(&w.admin)
        .get(&app, &format!("/orgs/{}/exports", w.org))
        .await;
    let html = page.text();
    assert!(
        html.contains("Corrections waiting to be reported (1)"),
        "{html}"
    );
    assert!(html.contains("Learner a@harbour.nz, 28268 v2"), "{html}");
    assert!(!html.contains("Learner b@harbour.nz, 28268 v2"), "{html}");
    let (dry, _) = export(&app, &filter(&app, &w.org, ResultsQuery::default()), false);
    assert_eq!(data_rows(&dry), 1, "{dry}");
    assert!(
        dry.lines().next().unwrap().ends_with(",correction_of"),
        "{dry}"
    );
    assert!(
        dry.contains(",not_yet_achieved,") && dry.trim_end().ends_with(&first),
        "{dry}"
    );

    // The NZQA file withdraws it; the ledger links the two batches.
    let (file, second) = export(&app, &filter(&app, &w.org, nzqa()), true);
    let second = second.expect("recorded");
    let nsn = nsn_of("a@harbour.nz");
    assert!(
        file.contains(&format!("{nsn},28268,2,"))
            && file.contains(",,W,")
            && file.trim_end().ends_with(&first),
        "{file}"
    );
    assert_eq!(data_rows(&file), 1, "{file}");
    let linked: Vec<(String, Option<String>, Option<String>)> = app.tx(|c| {
        use attest::db::schema::reported_results as rr;
        Ok(rr::table
            .filter(rr::batch_id.eq(&second))
            .select((rr::enrolment_id, rr::result, rr::correction_of))
            .load(c)?)
    });
    assert_eq!(
        linked,
        vec![(
            changed.clone(),
            Some("not_yet_achieved".into()),
            Some(first.clone())
        )]
    );
    let _ = stands;
    let pending =
        app.tx(|c| ledger::pending_corrections(c, &app.state.catalogue, w.org.parse().unwrap()));
    assert!(pending.is_empty(), "{pending:?}");
    let everything = filter(&app, &w.org, ResultsQuery::default());
    let mut conn = app.state.db.conn().unwrap();
    let again = attest::db::write_transaction(&mut conn, |c| {
        ledger::export_results(
            c,
            &app.state.catalogue,
            &everything,
            Some(recording(&app)),
            std::io::sink(),
            |_| {},
        )
    });
    assert!(again.is_err(), "nothing is left to report");
}

backend_test!(an_export_batch_anchors_the_trail_and_catches_its_truncation);
/// Every recorded batch carries a signed audit checkpoint taken after its own record: keeping the
/// batch's JSON (the answer to recording it, or its row in the list) is enough for an auditor to
/// find a trail cut back since, even when the kept checkpoints in the database went with it.
async fn an_export_batch_anchors_the_trail_and_catches_its_truncation(app: TestApp) {
    let w = app.world("28268@2").await;
    seed_result(&app, &w, "a@harbour.nz", "28268@2", "2024-06-03");
    let recorded = app
        .post_as(
            &w.admin,
            &api::org(&w.org).export_batches(),
            json!({"format": "csv"}),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.text());
    let batch = recorded.json();
    let checkpoint = batch["audit_checkpoint"]
        .as_str()
        .expect("the batch carries a checkpoint")
        .to_owned();
    let listed = app
        .get_as(&w.admin, &api::org(&w.org).export_batches())
        .await
        .json();
    assert_eq!(listed[0]["audit_checkpoint"], checkpoint.as_str());

    let keys = {
        let mut conn = app.state.db.conn().unwrap();
        attest::keys::public_keys(&mut conn, Some(attest::keys::INSTANCE)).unwrap()
    };
    let mut conn = app.state.db.conn().unwrap();
    let count = app.count("audit_log");
    let finding = attest::checkpoints::check(&mut conn, &checkpoint, &keys).unwrap();
    match &finding {
        attest::checkpoints::Finding::Holds(c) => {
            assert_eq!(c.count, count, "taken after the batch's own record");
        }
        other => panic!("{other:?}"),
    }
    // The batch's own entry is the head the checkpoint signed.
    let last_action: String = attest::db::schema::audit_log::table
        .order(attest::db::schema::audit_log::seq.desc())
        .select(attest::db::schema::audit_log::action)
        .first(&mut *conn)
        .unwrap();
    assert_eq!(last_action, "export.record");

    // Someone removes the tail, and the kept checkpoints with it: the chain alone still
    // verifies, the batch's checkpoint does not.
    diesel::sql_query(format!("DELETE FROM audit_log WHERE seq > {}", count - 3))
        .execute(&mut *conn)
        .unwrap();
    diesel::sql_query("DELETE FROM audit_checkpoints")
        .execute(&mut *conn)
        .unwrap();
    assert!(attest::audit::verify(&mut conn).unwrap().broken.is_none());
    let finding = attest::checkpoints::check(&mut conn, &checkpoint, &keys).unwrap();
    assert!(
        matches!(finding, attest::checkpoints::Finding::MissingTail { now, .. } if now == count - 3),
        "{finding:?}"
    );

    if app.backend == crate::helpers::Backend::Sqlite {
        // What an auditor runs: the batch's JSON kept as a file.
        let file = app.state.config.data_dir.join("batch.json");
        std::fs::write(&file, batch.to_string()).unwrap();
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_attest"))
            .args(["audit", "verify", "--checkpoint"])
            .arg(&file)
            .env("ATTEST_DATA_DIR", &app.state.config.data_dir)
            .env("ATTEST_STANDARDS_DIR", &app.state.config.standards_dir)
            .env_remove("ATTEST_DATABASE_URL")
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&run.stdout).into_owned()
            + &String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{out}");
        assert!(out.contains("tail has been removed"), "{out}");
    }
}
