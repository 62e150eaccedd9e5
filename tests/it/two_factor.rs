//! Two-factor sign-in (issue 18.8): enrolment, codes at sign-in, recovery codes, throttling, and
//! the organisation setting that requires it of staff, on every backend.

use actix_web::http::{Method, StatusCode};
use chrono::Utc;
use serde_json::{Value, json};

use crate::api;
use crate::helpers::{PASSWORD, Reply, TestApp, backend_test};
use attest::auth::totp;

fn now_code(secret: &str) -> String {
    totp::code_at(secret, u64::try_from(Utc::now().timestamp()).unwrap()).unwrap()
}

/// The code for the step after the current one: accepted (one step of drift) and not yet used.
fn next_code(secret: &str) -> String {
    totp::code_at(
        secret,
        u64::try_from(Utc::now().timestamp()).unwrap() + totp::STEP,
    )
    .unwrap()
}

async fn login(app: &TestApp, email: &str, password: &str, code: Option<&str>) -> Reply {
    let mut body = json!({"email": email, "password": password});
    if let Some(code) = code {
        body["code"] = Value::from(code);
    }
    app.request(Method::POST, api::LOGIN, Some(body)).await
}

/// Enrols the user behind `token`; returns the secret and the recovery codes.
async fn enrol(app: &TestApp, token: &str) -> (String, Vec<String>) {
    let started = app
        .request_as(Some(token), Method::POST, api::ME_TWO_FACTOR, None)
        .await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.text());
    let secret = started.json()["secret"].as_str().unwrap().to_owned();
    assert!(
        started.json()["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/Attest:")
    );
    let wrong = app
        .post_as(token, api::ME_TWO_FACTOR_CONFIRM, json!({"code": "000000"}))
        .await;
    // (000000 is right once in a million steps; the control below would then fail loudly.)
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.json()["errors"]["code"].is_string());
    let confirmed = app
        .post_as(
            token,
            api::ME_TWO_FACTOR_CONFIRM,
            json!({"code": now_code(&secret)}),
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text());
    let codes: Vec<String> = confirmed.json()["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), totp::RECOVERY_CODES);
    (secret, codes)
}

backend_test!(an_enrolled_account_signs_in_only_with_a_fresh_code_or_a_recovery_code);
async fn an_enrolled_account_signs_in_only_with_a_fresh_code_or_a_recovery_code(app: TestApp) {
    let org = app.seed_org("Harbour Training");
    app.seed_user(&org, "mere@harbour.nz", "assessor");
    let token = app.login("mere@harbour.nz").await;
    let (secret, codes) = enrol(&app, &token).await;

    // Recovery codes are stored hashed: no stored text contains one.
    let mut conn = app.state.db.conn().unwrap();
    use attest::db::schema::recovery_codes;
    use diesel::prelude::*;
    let stored: Vec<String> = recovery_codes::table
        .select(recovery_codes::code_hash)
        .load(&mut *conn)
        .unwrap();
    drop(conn);
    assert_eq!(stored.len(), codes.len());
    assert!(
        codes
            .iter()
            .all(|c| !stored.iter().any(|s| s.contains(&c.replace('-', ""))))
    );

    let without = login(&app, "mere@harbour.nz", PASSWORD, None).await;
    assert_eq!(
        without.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        app.backend
    );
    assert!(
        without.json()["errors"]["code"]
            .as_str()
            .unwrap()
            .contains("authenticator")
    );
    let with = login(&app, "mere@harbour.nz", PASSWORD, Some(&next_code(&secret))).await;
    assert_eq!(with.status, StatusCode::OK, "{}", with.text());
    // The same code again is a replay.
    let replay = login(&app, "mere@harbour.nz", PASSWORD, Some(&next_code(&secret))).await;
    assert_eq!(replay.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A recovery code works once, however it is typed.
    let typed = codes[0].to_uppercase().replace('-', " ");
    assert_eq!(
        login(&app, "mere@harbour.nz", PASSWORD, Some(&typed))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        login(&app, "mere@harbour.nz", PASSWORD, Some(&codes[0]))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // A wrong password with a right code is the usual wrong-password answer.
    assert_eq!(
        login(&app, "mere@harbour.nz", "not the password", Some(&codes[1]))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let status = app.get_as(&token, api::ME_TWO_FACTOR).await.json();
    assert_eq!(status["enabled"], true);
    assert_eq!(status["recovery_codes_left"], 9);
}

backend_test!(wrong_codes_are_throttled_like_passwords);
async fn wrong_codes_are_throttled_like_passwords(app: TestApp) {
    let org = app.seed_org("Harbour Training");
    app.seed_user(&org, "mere@harbour.nz", "assessor");
    let token = app.login("mere@harbour.nz").await;
    let (secret, _) = enrol(&app, &token).await;
    for attempt in 1..=5 {
        let reply = login(
            &app,
            "mere@harbour.nz",
            PASSWORD,
            Some("aaaa-bbbb-cccc-dddd"),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {attempt}"
        );
    }
    // Five wrong codes used the free attempts: the sixth waits, even with the right code.
    let sixth = login(&app, "mere@harbour.nz", PASSWORD, Some(&next_code(&secret))).await;
    assert_eq!(
        sixth.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        app.backend
    );
}

backend_test!(an_organisation_can_require_it_of_staff_who_must_then_enrol_first);
async fn an_organisation_can_require_it_of_staff_who_must_then_enrol_first(app: TestApp) {
    let org = app.seed_org("Harbour Training");
    app.seed_user(&org, "admin@harbour.nz", "provider_admin");
    app.seed_user(&org, "mere@harbour.nz", "assessor");
    app.seed_user(&org, "aroha@harbour.nz", "candidate");
    let admin = app.login("admin@harbour.nz").await;
    let setting = api::org(&org).two_factor();
    let set = app
        .put_as(&admin, &setting, json!({"required": true}))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    assert_eq!(set.json()["required"], true);

    let assessor = app.login("mere@harbour.nz").await;
    let refused = app.get_as(&assessor, api::ENROLMENTS).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", app.backend);
    assert!(refused.text().contains("/account/two-factor"));
    let page = app.get_as(&assessor, "/caseload").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.header("location"), Some("/account/two-factor"));
    let status = app.get_as(&assessor, api::ME_TWO_FACTOR).await.json();
    assert_eq!(
        (status["enabled"].clone(), status["required"].clone()),
        (json!(false), json!(true))
    );

    // Candidates are not staff: nothing changes for them.
    let candidate = app.login("aroha@harbour.nz").await;
    let theirs = app.get_as(&candidate, api::ENROLMENTS).await;
    assert_eq!(theirs.status, StatusCode::OK);

    let (secret, codes) = enrol(&app, &assessor).await;
    let allowed = app.get_as(&assessor, api::ENROLMENTS).await;
    assert_eq!(allowed.status, StatusCode::OK);
    // While required, it cannot be turned off.
    let off = app
        .post_as(
            &assessor,
            api::ME_TWO_FACTOR_DISABLE,
            json!({"code": codes[0]}),
        )
        .await;
    assert_eq!(off.status, StatusCode::CONFLICT);
    // The admin is staff too: they enrol before they can change anything, then lift the rule.
    let lift = || app.put_as(&admin, &setting, json!({"required": false}));
    assert_eq!(lift().await.status, StatusCode::FORBIDDEN);
    enrol(&app, &admin).await;
    assert_eq!(lift().await.status, StatusCode::OK);
    // Once not required, a code turns it off and sign-in no longer asks for one.
    let off = app
        .post_as(
            &assessor,
            api::ME_TWO_FACTOR_DISABLE,
            json!({"code": next_code(&secret)}),
        )
        .await;
    assert_eq!(off.status, StatusCode::NO_CONTENT, "{}", off.text());
    assert_eq!(
        login(&app, "mere@harbour.nz", PASSWORD, None).await.status,
        StatusCode::OK
    );
}
