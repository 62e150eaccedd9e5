//! Checking, previewing and publishing a standard in the browser and over the API (issue 22,
//! item 2): only holders of the `standards_editor` role, which provider admins grant.

use actix_web::http::{Method, StatusCode};
use serde_json::json;

use crate::api;
use crate::helpers::{TestApp, World, backend_test};

pub fn seed(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("standards")
            .join(name),
    )
    .unwrap()
}

backend_test!(an_admin_sees_loader_problems_by_line_and_a_preview_of_a_standard_that_loads);
async fn an_admin_sees_loader_problems_by_line_and_a_preview_of_a_standard_that_loads(
    app: TestApp,
) {
    let w = app.world("28268").await;
    let url = api::org(&w.org).standards_preview();
    let editor = editor(&app, &w).await;

    let broken = seed("nos-inscc003.yaml").replacen(
        "        text: \"identify and greet",
        "        txet: \"identify and greet",
        1,
    );
    let line = broken.lines().position(|l| l.contains("txet:")).unwrap() + 1;
    let reply = app.post_as(&editor, &url, json!({"yaml": broken})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let preview = reply.json();
    assert_eq!(preview["ok"], false);
    assert_eq!(preview["problems"][0]["line"], line);
    assert_eq!(preview["problems"][0]["column"], 9);
    assert!(
        preview["problems"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("unknown field `txet`")
    );

    let reply = app
        .post_as(&editor, &url, json!({"yaml": seed("nos-inscc003.yaml")}))
        .await;
    let preview = reply.json();
    assert_eq!(preview["ok"], true, "{preview}");
    assert_eq!(preview["code"], "INSCC003");
    assert!(
        preview["outline"]
            .as_str()
            .unwrap()
            .contains("identify and greet customers")
    );
    assert_eq!(preview["checklist"].as_array().unwrap().len(), 4);
    assert_eq!(preview["checklist"][0]["criteria"][0]["id"], "1");
    let gaps = preview["empty_portfolio_gaps"].as_array().unwrap();
    assert!(!gaps.is_empty());

    // Not the assessor's to do, nor a provider admin's without the role.
    for who in [&w.assessor, &w.admin] {
        let refused = app.post_as(who, &url, json!({"yaml": "x"})).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }

    // The page shows the same.
    let page = app
        .get_as(&editor, &format!("/orgs/{}/standards/author", w.org))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Check and preview"));
}

/// A standards editor of the world's organisation, made by its provider admin granting the role
/// over the API; their token.
pub async fn editor(app: &TestApp, w: &World) -> String {
    let id = app.seed_user(&w.org, "editor@harbour.nz", "candidate");
    let granted = app
        .post_as(
            &w.admin,
            &api::org(&w.org).user(&id).grants(),
            json!({"role": "standards_editor"}),
        )
        .await;
    assert!(granted.status.is_success(), "{}", granted.text());
    app.login("editor@harbour.nz").await
}

/// INSCC003 as the seed has it, with another version and status.
pub fn inscc003(version: u32, status: &str) -> String {
    seed("nos-inscc003.yaml").replacen(
        "version: 1\n",
        &format!("version: {version}\nstatus: {status}\n"),
        1,
    )
}

backend_test!(a_published_version_is_offered_to_its_organisation_only_and_evaluated_by_its_hash);
async fn a_published_version_is_offered_to_its_organisation_only_and_evaluated_by_its_hash(
    app: TestApp,
) {
    let w = app.world("28268").await;
    let editor = editor(&app, &w).await;
    let publish = |yaml: String| {
        let url = api::org(&w.org).standards();
        let editor = editor.clone();
        let app = &app;
        async move { app.post_as(&editor, &url, json!({"yaml": yaml})).await }
    };

    // Not higher than the folder's version 1; a draft; a file that does not load.
    for (yaml, words) in [
        (inscc003(1, "current"), "publish version 2 or higher"),
        (inscc003(2, "draft"), "status is draft"),
        ("code: X\n".to_owned(), "does not load"),
    ] {
        let refused = publish(yaml).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let problem = refused.json();
        assert!(
            problem["errors"]["yaml"].as_str().unwrap().contains(words),
            "{problem}"
        );
    }

    let published = publish(inscc003(2, "current")).await;
    assert_eq!(
        published.status,
        StatusCode::CREATED,
        "{}",
        published.text()
    );
    let row = published.json();
    assert_eq!(row["code"], "INSCC003");
    assert_eq!(row["version"], 2);
    let hash = row["content_hash"].as_str().unwrap().to_owned();
    // The same version again is refused.
    let again = publish(inscc003(2, "current")).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again.text().contains("publish version 3 or higher"),
        "{}",
        again.text()
    );

    // Audited, in the organisation's trail.
    let trail = app.get_as(&w.admin, &api::org(&w.org).audit()).await;
    assert!(
        trail.text().contains("standard.publish"),
        "{}",
        trail.text()
    );

    // The organisation's people see it; another organisation does not.
    let other = app.seed_org("Summit College");
    app.seed_user(&other, "admin@summit.nz", "provider_admin");
    let other_candidate = app.seed_user(&other, "tama@summit.nz", "candidate");
    let other_admin = app.login("admin@summit.nz").await;
    let listed = |token: String| {
        let app = &app;
        async move {
            let list = app.get_as(&token, api::STANDARDS).await.json();
            list.as_array()
                .unwrap()
                .iter()
                .any(|s| s["code"] == "INSCC003" && s["version"] == 2)
        }
    };
    assert!(listed(w.candidate.clone()).await);
    assert!(!listed(other_admin.clone()).await);
    let shown = app.get_as(&w.candidate, "/api/standards/INSCC003/2").await;
    assert_eq!(shown.status, StatusCode::OK);
    let hidden = app.get_as(&other_admin, "/api/standards/INSCC003/2").await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);

    // Enrolment on it: in the organisation, pinned to the published hash; refused elsewhere.
    let enrolled = app
        .post_as(
            &w.admin,
            api::ENROLMENTS,
            json!({"org_id": w.org, "candidate_id": w.candidate_id,
                    "assessor_id": w.assessor_id, "standard": "INSCC003@2"}),
        )
        .await;
    assert_eq!(enrolled.status, StatusCode::CREATED, "{}", enrolled.text());
    let enrolment = enrolled.json();
    assert_eq!(enrolment["standard_hash"], hash.as_str());
    let refused = app
        .request_as(
            Some(&other_admin),
            Method::POST,
            api::ENROLMENTS,
            Some(
                json!({"org_id": other, "candidate_id": other_candidate, "standard": "INSCC003@2"}),
            ),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("standard"), "{}", refused.text());

    // The engine evaluates it.
    let progress = app
        .get_as(
            &w.candidate,
            &api::enrolment(enrolment["id"].as_str().unwrap()).progress(),
        )
        .await;
    assert_eq!(progress.status, StatusCode::OK, "{}", progress.text());
    assert_eq!(progress.json()["confirmed"]["complete"], false);

    // After a restart the catalogue holds it again, for the organisation only.
    let reloaded = attest::setup::load_catalogue(&app.state.config, &app.state.db).unwrap();
    let org: uuid::Uuid = w.org.parse().unwrap();
    let found = reloaded.find_in(org, "INSCC003").unwrap();
    assert_eq!(found.standard.version, 2);
    assert_eq!(found.content_hash, hash);
    assert_eq!(reloaded.find("INSCC003").unwrap().standard.version, 1);
    let elsewhere: uuid::Uuid = other.parse().unwrap();
    assert_eq!(
        reloaded
            .find_in(elsewhere, "INSCC003")
            .unwrap()
            .standard
            .version,
        1
    );
}

backend_test!(the_authoring_page_publishes_what_it_checked);
async fn the_authoring_page_publishes_what_it_checked(app: TestApp) {
    let w = app.world("28268").await;
    let editor = editor(&app, &w).await;
    // The browser sends the form's line breaks as CRLF; what is kept is the text as written.
    let yaml = inscc003(2, "current");
    let sent = yaml.replace('\n', "\r\n");
    let checked = app
        .send_form(
            Some(&editor),
            &format!("/orgs/{}/standards/author", w.org),
            &crate::pages::pairs(&[("yaml", &sent)]),
        )
        .await;
    assert_eq!(checked.status, StatusCode::OK);
    assert!(
        checked.text().contains("Publish INSCC003 version 2"),
        "{}",
        checked.text()
    );
    let published = app
        .send_form(
            Some(&editor),
            &format!("/orgs/{}/standards/publish", w.org),
            &crate::pages::pairs(&[("yaml", &sent)]),
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.text()
    );
    let catalogue = app.get_as(&w.admin, "/standards").await;
    assert!(
        catalogue.text().contains("this organisation's own"),
        "{}",
        catalogue.text()
    );
    let again = app
        .send_form(
            Some(&editor),
            &format!("/orgs/{}/standards/publish", w.org),
            &crate::pages::pairs(&[("yaml", &sent)]),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().contains("Not published"), "{}", again.text());
    let org: uuid::Uuid = w.org.parse().unwrap();
    let kept = app.state.catalogue.find_in(org, "INSCC003@2").unwrap();
    assert_eq!(
        kept.content_hash,
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(yaml.as_bytes()))
    );
}
