//! Checking and previewing a standard in the browser and over the API (issue 22, item 2, part).

use actix_web::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

fn seed(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("standards")
            .join(name),
    )
    .unwrap()
}

#[actix_web::test]
async fn an_admin_sees_loader_problems_by_line_and_a_preview_of_a_standard_that_loads() {
    for app in TestApp::all() {
        let w = app.world("28268").await;
        let url = format!("/api/orgs/{}/standards/preview", w.org);

        let broken = seed("nos-inscc003.yaml").replacen(
            "        text: \"identify and greet",
            "        txet: \"identify and greet",
            1,
        );
        let line = broken.lines().position(|l| l.contains("txet:")).unwrap() + 1;
        let reply = app
            .request_as(
                Some(&w.admin),
                Method::POST,
                &url,
                Some(json!({"yaml": broken})),
            )
            .await;
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
            .request_as(
                Some(&w.admin),
                Method::POST,
                &url,
                Some(json!({"yaml": seed("nos-inscc003.yaml")})),
            )
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

        // Not the assessor's to do.
        let refused = app
            .request_as(
                Some(&w.assessor),
                Method::POST,
                &url,
                Some(json!({"yaml": "x"})),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        // The page shows the same.
        let page = app
            .request_as(
                Some(&w.admin),
                Method::GET,
                &format!("/orgs/{}/standards/author", w.org),
                None,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("Check and preview"));
    }
}
