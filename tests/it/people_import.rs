//! People in bulk and invitations: the CSV import (dry run naming every bad row by line and
//! column, then all or nothing), invitation links that let a person choose their own password
//! once, and the same import from the command line.

use actix_web::http::{Method, StatusCode};
use serde_json::json;

use crate::api;
use crate::helpers::{PASSWORD, TestApp, World, backend_test};

const GOOD: &str = "name,email,learner_number,standard,cohort,assessor,iv
Hemi Walker,hemi@harbour.nz,123456789,28268@2,Evening,mere@harbour.nz,iv@harbour.nz
Ana Lee,ana@harbour.nz,,28268,,,
Rua Tane,rua@harbour.nz,,,,,
";

async fn with_cohort(app: &TestApp, w: &World) {
    let created = app
        .post_as(
            &w.admin,
            &api::org(&w.org).cohorts(),
            json!({"name": "Evening"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
}

fn import_path(w: &World, dry_run: bool) -> String {
    format!("{}?dry_run={dry_run}", api::org(&w.org).people_import())
}

backend_test!(a_dry_run_names_every_bad_row_by_line_and_column_and_keeps_nothing);
async fn a_dry_run_names_every_bad_row_by_line_and_column_and_keeps_nothing(app: TestApp) {
    let w = app.world("28268@2").await;
    with_cohort(&app, &w).await;
    let users = app.count("users");
    let csv = "name,email,learner_number,standard,cohort,assessor
Hemi Walker,hemi@harbour.nz,123456789,28268@2,Evening,mere@harbour.nz
,no-at-sign,12,99999,Nowhere,nobody@harbour.nz
Twice,hemi@harbour.nz,,,,
Number Clash,clash@harbour.nz,123456789,28268,,
";
    let dry = app
        .send_raw(&w.admin, &import_path(&w, true), "text/csv", csv.into())
        .await;
    assert_eq!(
        dry.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        dry.text()
    );
    assert_eq!(dry.header("content-type"), Some("application/problem+json"));
    let errors = dry.json()["errors"].clone();
    for key in [
        "line 3: name",
        "line 3: email",
        "line 3: learner_number",
        "line 3: cohort",
        "line 3: assessor",
        "line 4: email",
        "line 5: learner_number",
    ] {
        assert!(errors.get(key).is_some(), "{key} missing from {errors}");
    }
    assert!(errors.get("line 2: email").is_none(), "{errors}");
    assert_eq!(app.count("users"), users, "a refused file adds nobody");

    // The same file without its bad rows is checked, and still nothing is kept.
    let dry = app
        .send_raw(&w.admin, &import_path(&w, true), "text/csv", GOOD.into())
        .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text());
    let report = dry.json();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["people"].as_array().unwrap().len(), 3);
    assert!(report["people"][0]["invitation"].is_null());
    assert_eq!(app.count("users"), users);
    assert_eq!(app.count("invitations"), 0);
}

backend_test!(an_import_enrols_groups_and_invites_everyone_at_once);
async fn an_import_enrols_groups_and_invites_everyone_at_once(app: TestApp) {
    let w = app.world("28268@2").await;
    with_cohort(&app, &w).await;
    let (users, enrolments) = (app.count("users"), app.count("enrolments"));
    let done = app
        .send_raw(&w.admin, &import_path(&w, false), "text/csv", GOOD.into())
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    let people = done.json()["people"].as_array().unwrap().clone();
    assert_eq!(people.len(), 3);
    assert_eq!(app.count("users"), users + 3);
    assert_eq!(
        app.count("enrolments"),
        enrolments + 2,
        "two rows name a standard"
    );
    assert!(people[2]["enrolment_id"].is_null());

    // Hemi is in the cohort, with the assessor and IV the file names.
    let hemi = people[0]["enrolment_id"].as_str().unwrap();
    let enrolment = app
        .get_as(&w.admin, &api::enrolment(hemi).path())
        .await
        .json()["enrolment"]
        .clone();
    assert_eq!(
        enrolment["assessor_id"],
        w.assessor_id.as_str(),
        "{enrolment}"
    );
    assert_eq!(enrolment["iv_id"], w.iv_id.as_str());
    assert!(enrolment["cohort_id"].is_string(), "{enrolment}");

    // Nobody can sign in until they choose a password through their own link.
    let path = people[0]["invitation"]["path"].as_str().unwrap().to_owned();
    let token = path.strip_prefix("/invitations/").unwrap().to_owned();
    let early = app
        .request(
            Method::POST,
            api::LOGIN,
            Some(json!({"email": "hemi@harbour.nz", "password": PASSWORD})),
        )
        .await;
    assert_eq!(early.status, StatusCode::UNAUTHORIZED);
    let weak = app
        .request(
            Method::POST,
            api::INVITATIONS_ACCEPT,
            Some(json!({"token": token, "password": "short"})),
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.json()["errors"]["password"].is_string());
    let chosen = app
        .request(
            Method::POST,
            api::INVITATIONS_ACCEPT,
            Some(json!({"token": token, "password": PASSWORD})),
        )
        .await;
    assert_eq!(chosen.status, StatusCode::NO_CONTENT, "{}", chosen.text());
    app.login("hemi@harbour.nz").await;
    let again = app
        .request(
            Method::POST,
            api::INVITATIONS_ACCEPT,
            Some(json!({"token": token, "password": "another long passphrase"})),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "a link works once");
    let page = app.get(&path).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // A new link for someone still invited; none for someone with a password.
    let ana = people[1]["user_id"]
        .as_str()
        .or(people[1]["invitation"]["user_id"].as_str())
        .unwrap()
        .to_owned();
    let resend = api::org(&w.org).user(&ana).invitation();
    let fresh = app
        .request_as(Some(&w.admin), Method::POST, &resend, None)
        .await;
    assert_eq!(fresh.status, StatusCode::CREATED, "{}", fresh.text());
    let old = people[1]["invitation"]["path"].as_str().unwrap();
    assert_eq!(
        app.get(old).await.status,
        StatusCode::NOT_FOUND,
        "the old link stops"
    );
    assert_eq!(
        app.get(fresh.json()["path"].as_str().unwrap()).await.status,
        StatusCode::OK
    );
    let hemi_id = people[0]["invitation"]["user_id"].as_str().unwrap();
    let refused = app
        .request_as(
            Some(&w.admin),
            Method::POST,
            &api::org(&w.org).user(hemi_id).invitation(),
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);

    // Only an admin imports.
    let candidate = app
        .send_raw(
            &w.candidate,
            &import_path(&w, true),
            "text/csv",
            GOOD.into(),
        )
        .await;
    assert_eq!(candidate.status, StatusCode::FORBIDDEN);
}

backend_test!(an_expired_link_is_refused_like_an_unknown_one);
async fn an_expired_link_is_refused_like_an_unknown_one(app: TestApp) {
    let w = app.world("28268@2").await;
    let created = app
        .post_as(
            &w.admin,
            &api::org(&w.org).users(),
            json!({"email": "late@harbour.nz", "name": "Late Comer", "role": "candidate"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let path = created.json()["invitation"]["path"]
        .as_str()
        .unwrap()
        .to_owned();
    app.tx(|conn| {
        use diesel::prelude::*;
        diesel::sql_query("UPDATE invitations SET expires_at = created_at").execute(conn)?;
        Ok(())
    });
    assert_eq!(app.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/invitations/not-a-token").await.status,
        StatusCode::NOT_FOUND
    );
    // Without a password given, nobody — the admin included — knows one: the token is the
    // only way in, and it is stored only as a hash.
    let stored: i64 = app.count("invitations");
    assert_eq!(stored, 1);
    let token = path.strip_prefix("/invitations/").unwrap();
    let kept = app.tx(|conn| {
        use diesel::prelude::*;
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            token_hash: String,
        }
        Ok(diesel::sql_query("SELECT token_hash FROM invitations")
            .load::<Row>(conn)?
            .remove(0)
            .token_hash)
    });
    assert_ne!(kept, token);
}

backend_test!(an_admin_imports_through_the_page_and_the_invited_person_sets_a_password);
async fn an_admin_imports_through_the_page_and_the_invited_person_sets_a_password(app: TestApp) {
    let w = app.world("28268@2").await;
    let admin = app.browser(&w.admin);
    let form = format!("/orgs/{}/people/import", w.org);
    assert_eq!(admin.get(&app, &form).await.status, StatusCode::OK);
    let bad = admin
        .post(
            &app,
            &form,
            &[("csv", "name,email\nBad,nope\n"), ("dry_run", "yes")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("id=\"problems\""), "{}", bad.text());
    assert!(bad.text().contains("is not an email address"));
    let csv = "name,email\nPania Rau,pania@harbour.nz\n";
    let checked = admin
        .post(&app, &form, &[("csv", csv), ("dry_run", "yes")])
        .await;
    assert_eq!(checked.status, StatusCode::OK);
    assert!(
        checked.text().contains("1 person would be added"),
        "{}",
        checked.text()
    );
    let done = admin.post(&app, &form, &[("csv", csv)]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    let html = done.text().replace("&#x2F;", "/");
    let start = html.find("/invitations/").expect("the link is shown");
    let path: String = html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/-_".contains(*c))
        .collect();
    let page = app.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("pania@harbour.nz"));
    let people = admin
        .get(&app, &format!("/orgs/{}/people", w.org))
        .await
        .text();
    assert!(people.contains("invited"), "{people}");

    let stranger = app.browser(&w.candidate);
    let mismatch = stranger
        .post(
            &app,
            &path,
            &[
                ("password", PASSWORD),
                ("confirm", "something else entirely"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = stranger
        .post(
            &app,
            &path,
            &[("password", PASSWORD), ("confirm", PASSWORD)],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.text());
    assert_eq!(set.header("location"), Some("/login?welcome=1"));
    app.login("pania@harbour.nz").await;
}

#[actix_web::test]
async fn the_command_line_imports_and_reports_bad_rows_as_file_line() {
    let app = TestApp::new(crate::helpers::Backend::Sqlite);
    let w = app.world("28268@2").await;
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
    let bad = data.join("bad.csv");
    std::fs::write(&bad, "name,email,shoe_size\nA,a@harbour.nz,9\n").unwrap();
    let out = attest(&[
        "user",
        "import",
        "--org",
        "Harbour Training",
        bad.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{}:1: shoe_size:", bad.display())),
        "{stderr}"
    );

    let good = data.join("good.csv");
    std::fs::write(&good, GOOD.replace(",Evening,", ",,")).unwrap();
    let users = app.count("users");
    let dry = attest(&[
        "user",
        "import",
        "--org",
        "Harbour Training",
        "--dry-run",
        good.to_str().unwrap(),
    ]);
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(String::from_utf8_lossy(&dry.stdout).contains("would add Hemi Walker"));
    assert_eq!(app.count("users"), users);
    let run = attest(&[
        "user",
        "import",
        "--org",
        "Harbour Training",
        good.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(app.count("users"), users + 3);
    assert_eq!(stdout.matches("/invitations/").count(), 3, "{stdout}");
    let _ = w;
}
