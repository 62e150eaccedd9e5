//! Sign-in, tokens, logout, deactivation, throttling, administration: on every backend.

use actix_web::http::{Method, StatusCode};
use chrono::Utc;
use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::json;

use crate::api;
use crate::helpers::{PASSWORD, TestApp, backend_test};

backend_test!(login_me_logout_and_token_generations);
async fn login_me_logout_and_token_generations(app: TestApp) {
    let org = app.seed_org("Harbour Training");
    app.seed_user(&org, "Ana@Example.org", "candidate");
    // Email is case-insensitive.
    let token = app.login("ana@EXAMPLE.org").await;
    let me = app.get_as(&token, api::ME).await;
    assert_eq!(me.status, StatusCode::OK, "{:?}", app.backend);
    assert_eq!(me.json()["email"], "ana@example.org");
    assert_eq!(me.json()["grants"][0]["role"], "candidate");
    assert!(me.json().get("password_hash").is_none());

    let second = app.login("ana@example.org").await;
    let out = app
        .request_as(Some(&token), Method::POST, api::LOGOUT, None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    for old in [&token, &second] {
        let after = app.get_as(old, api::ME).await;
        assert_eq!(
            after.status,
            StatusCode::UNAUTHORIZED,
            "every token ends at logout"
        );
    }
    let fresh = app.login("ana@example.org").await;
    let me = app.get_as(&fresh, api::ME).await;
    assert_eq!(me.status, StatusCode::OK);
}

backend_test!(unknown_email_and_wrong_password_get_the_same_answer);
async fn unknown_email_and_wrong_password_get_the_same_answer(app: TestApp) {
    let org = app.seed_org("Harbour Training");
    app.seed_user(&org, "ana@example.org", "candidate");
    let unknown = app
        .request(
            Method::POST,
            api::LOGIN,
            Some(json!({"email": "nobody@example.org", "password": PASSWORD})),
        )
        .await;
    let wrong = app
        .request(
            Method::POST,
            api::LOGIN,
            Some(json!({"email": "ana@example.org", "password": "not the password"})),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.text(), wrong.text());
}

#[actix_web::test]
async fn bad_tokens_are_refused() {
    let app = TestApp::new(crate::helpers::Backend::Sqlite);
    let org = app.seed_org("Harbour Training");
    let user_id = app.seed_user(&org, "ana@example.org", "candidate");
    let now = Utc::now().timestamp();
    let claims = |exp: i64, aud: &str| json!({"sub": user_id, "gen": 0, "iat": now - 10, "exp": exp, "iss": "attest", "aud": aud});
    let secret = b"test-secret-test-secret-test-secret-0123";
    let sign = |claims: serde_json::Value, key: &[u8]| {
        encode(&Header::default(), &claims, &EncodingKey::from_secret(key)).unwrap()
    };
    let good = sign(claims(now + 600, "attest"), secret);
    let cases = [
        ("expired", sign(claims(now - 60, "attest"), secret)),
        (
            "wrong signature",
            sign(
                claims(now + 600, "attest"),
                b"another-secret-another-secret-another",
            ),
        ),
        (
            "wrong audience",
            sign(claims(now + 600, "someone-else"), secret),
        ),
        ("alg none", {
            use base64_url_free::b64;
            format!(
                "{}.{}.",
                b64(br#"{"alg":"none","typ":"JWT"}"#),
                b64(claims(now + 600, "attest").to_string().as_bytes())
            )
        }),
        ("garbage", "not.a.token".to_owned()),
    ];
    assert_eq!(app.get_as(&good, api::ME).await.status, StatusCode::OK);
    for (name, token) in cases {
        let reply = app.get_as(&token, api::ME).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json")
        );
    }
    assert_eq!(
        app.get(api::ME).await.status,
        StatusCode::UNAUTHORIZED,
        "anonymous"
    );
}

/// Base64url without padding, written out so the test does not lean on the code under test.
mod base64_url_free {
    pub fn b64(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }
}

backend_test!(admin_creates_users_grants_roles_and_deactivates);
async fn admin_creates_users_grants_roles_and_deactivates(app: TestApp) {
    let org = app.seed_org("Harbour Training");
    app.seed_user(&org, "admin@example.org", "provider_admin");
    let admin = app.login("admin@example.org").await;
    let path = api::org(&org).users();

    let bad = app
        .post_as(
            &admin,
            &path,
            json!({"email": "nope", "name": "", "password": "short", "role": "wizard"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = &bad.json()["errors"];
    for field in ["email", "name", "password", "role"] {
        assert!(errors.get(field).is_some(), "{field} named in {errors}");
    }
    let common = app
            .post_as(&admin, &path, json!({"email": "a@b.org", "name": "A", "password": "password123", "role": "candidate"}))
            .await;
    assert_eq!(
        common.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "common password refused"
    );
    assert!(common.json()["errors"]["password"].is_string());

    let created = app
            .post_as(&admin, &path, json!({"email": "Tane@Example.org", "name": "Tāne Mahuta", "password": PASSWORD, "role": "assessor"}))
            .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let tane = created.json()["id"].as_str().unwrap().to_owned();
    let dup = app
            .post_as(&admin, &path, json!({"email": "tane@example.org", "name": "T", "password": PASSWORD, "role": "assessor"}))
            .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(dup.json()["errors"]["email"], "is already registered");

    let grant = api::org(&org).user(&tane).grants();
    let iv = app
        .post_as(&admin, &grant, json!({"role": "internal_verifier"}))
        .await;
    assert_eq!(iv.status, StatusCode::NO_CONTENT);
    let ev = app
        .post_as(&admin, &grant, json!({"role": "external_verifier"}))
        .await;
    assert_eq!(ev.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(ev.json()["errors"]["expires_at"].is_string());

    let listed = app.get_as(&admin, &path).await;
    let tane_listed = listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == tane.as_str())
        .cloned()
        .unwrap();
    assert_eq!(tane_listed["name"], "Tāne Mahuta");
    assert_eq!(tane_listed["grants"].as_array().unwrap().len(), 2);

    let tane_token = app.login("tane@example.org").await;
    let off = app
        .request_as(
            Some(&admin),
            Method::POST,
            &api::org(&org).user(&tane).deactivate(),
            None,
        )
        .await;
    assert_eq!(off.status, StatusCode::NO_CONTENT);
    let after = app.get_as(&tane_token, api::ME).await;
    assert_eq!(
        after.status,
        StatusCode::UNAUTHORIZED,
        "a disabled user's token stops working"
    );
    let relogin = app
        .request(
            Method::POST,
            api::LOGIN,
            Some(json!({"email": "tane@example.org", "password": PASSWORD})),
        )
        .await;
    assert_eq!(relogin.status, StatusCode::UNAUTHORIZED);
}

backend_test!(other_organisations_are_invisible);
async fn other_organisations_are_invisible(app: TestApp) {
    let ours = app.seed_org("Harbour Training");
    let theirs = app.seed_org("Summit College");
    app.seed_user(&ours, "admin@example.org", "provider_admin");
    let stranger = app.seed_user(&theirs, "other@example.org", "candidate");
    let admin = app.login("admin@example.org").await;
    for path in [
        api::org(&theirs).path(),
        api::org(&theirs).users(),
        api::org(uuid::Uuid::new_v4()).path(),
    ] {
        let reply = app.get_as(&admin, &path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
    }
    // A user of another organisation is not found through ours either.
    let reply = app
        .request_as(
            Some(&admin),
            Method::POST,
            &api::org(&ours).user(&stranger).deactivate(),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

backend_test!(each_organisation_keeps_a_list_of_approved_witnesses);
async fn each_organisation_keeps_a_list_of_approved_witnesses(app: TestApp) {
    let org = app.seed_org("Harbour Training");
    app.seed_user(&org, "admin@example.org", "provider_admin");
    app.seed_user(&org, "ana@example.org", "candidate");
    let admin = app.login("admin@example.org").await;
    let path = api::org(&org).witnesses();
    let relative = app
            .post_as(&admin, &path, json!({"name": "Hemi", "job_title": "Driver", "relationship": "her father", "contact": "021 555 0101"}))
            .await;
    assert_eq!(relative.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(relative.json()["errors"]["relationship"].is_string());
    let added = app
            .post_as(&admin, &path, json!({"name": "Wiremu Pene", "job_title": "Team leader", "relationship": "Line manager", "contact": "wiremu@example.org"}))
            .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let candidate = app.login("ana@example.org").await;
    let listed = app.get_as(&candidate, &path).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.json()[0]["name"], "Wiremu Pene");
    let refused = app
        .request_as(
            Some(&candidate),
            Method::POST,
            &path,
            Some(
                json!({"name": "X", "job_title": "Y", "relationship": "colleague", "contact": "z"}),
            ),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

backend_test!(learner_numbers_are_unique_within_an_organisation);
async fn learner_numbers_are_unique_within_an_organisation(app: TestApp) {
    let harbour = app.seed_org("Harbour Training");
    let other = app.seed_org("Other Provider");
    app.seed_user(&harbour, "admin@harbour.nz", "provider_admin");
    let admin = app.login("admin@harbour.nz").await;
    let path = api::org(&harbour).users();
    let candidate = |email: &str, name: &str, nsn: &str| {
        json!({"email": email, "name": name, "password": PASSWORD, "role": "candidate",
                   "national_learner_number": nsn})
    };
    let first = app
        .post_as(
            &admin,
            &path,
            candidate("tane@harbour.nz", "Tāne Mahuta", "123456789"),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());

    let clash = app
        .post_as(
            &admin,
            &path,
            candidate("zoe@harbour.nz", "Zoë Campbell", " 123456789 "),
        )
        .await;
    assert_eq!(clash.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        clash.json()["errors"]["national_learner_number"],
        "123456789 is already the learner number of Tāne Mahuta in this organisation"
    );
    let users_before = app.count("users");

    // Another organisation may hold the same number: the check never looks outside one.
    let elsewhere = app.tx(|c| {
        attest::identity::create_user(
            c,
            None,
            other.parse().unwrap(),
            attest::identity::NewUser {
                email: "zoe@other.nz".into(),
                name: "Zoë Campbell".into(),
                password: Some(PASSWORD.into()),
                role: "candidate".into(),
                national_learner_number: Some("123456789".into()),
            },
        )
    });
    assert_eq!(app.count("users"), users_before + 1);

    // Joining Harbour with the clashing number is refused, and nothing is granted.
    let mut conn = app.state.db.conn().unwrap();
    let joined = attest::db::write_transaction(&mut conn, |c| {
        attest::identity::grant_role(
            c,
            None,
            elsewhere.id,
            harbour.parse().unwrap(),
            attest::auth::policy::Role::Candidate,
            None,
        )
    });
    match joined {
        Err(attest::action::ActionError::Invalid(errors)) => assert_eq!(
            errors["national_learner_number"],
            "123456789 is already the learner number of Tāne Mahuta in this organisation"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let grants = app.tx(|c| attest::identity::load_user(c, elsewhere.id));
    assert_eq!(
        grants.grants.len(),
        1,
        "only the grant in the other organisation"
    );
}
