//! The web pages in-process, as a browser uses them (session cookie, forms with a CSRF token), on
//! every backend: signing in, redirects to sign-in, forms shown again with errors and what was
//! typed, CSRF refusals, escaping, and the candidate and assessor forms end to end.

use actix_web::cookie::Cookie;
use actix_web::http::{Method, StatusCode};
use actix_web::test;

use crate::api;
use crate::helpers::{Backend, PASSWORD, Reply, TestApp, World, backend_test};
use attest::http::build_app;
use attest::http::session::{COOKIE, csrf_token};

/// Form fields as pairs.
pub fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

impl TestApp {
    /// A request as a browser sends it: cookies, and a urlencoded form for POSTs.
    pub async fn browse(
        &self,
        cookies: &[(&str, &str)],
        method: Method,
        path: &str,
        form: Option<Vec<(String, String)>>,
    ) -> Reply {
        let app = test::init_service(build_app(self.state.clone())).await;
        let mut req = test::TestRequest::default().method(method).uri(path);
        for (name, value) in cookies {
            req = req.cookie(Cookie::new((*name).to_owned(), (*value).to_owned()));
        }
        if let Some(form) = form {
            req = req.set_form(form);
        }
        read(test::call_service(&app, req.to_request()).await).await
    }

    /// A form POST with `Authorization: Bearer` (no cookie, so no CSRF token is needed).
    pub async fn send_form(
        &self,
        token: Option<&str>,
        path: &str,
        form: &[(String, String)],
    ) -> Reply {
        let app = test::init_service(build_app(self.state.clone())).await;
        let mut req = test::TestRequest::post().uri(path).set_form(form.to_vec());
        if let Some(token) = token {
            req = req.insert_header(("Authorization", format!("Bearer {token}")));
        }
        read(test::call_service(&app, req.to_request()).await).await
    }

    /// A signed-in browser: the session cookie of `token`, and the CSRF token its forms carry.
    pub fn browser(&self, token: &str) -> Browser {
        Browser {
            cookie: token.to_owned(),
            csrf: csrf_token(&self.state.csrf_secret, token),
        }
    }
}

async fn read<B: actix_web::body::MessageBody>(
    response: actix_web::dev::ServiceResponse<B>,
) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let body = test::read_body(response).await.to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

/// A signed-in browser's cookie and CSRF token.
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

impl Browser {
    pub async fn get(&self, app: &TestApp, path: &str) -> Reply {
        app.browse(&[(COOKIE, &self.cookie)], Method::GET, path, None)
            .await
    }

    /// POSTs the form with the CSRF token added.
    pub async fn post(&self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut form = pairs(&[("csrf", &self.csrf)]);
        form.extend(pairs(fields));
        app.browse(&[(COOKIE, &self.cookie)], Method::POST, path, Some(form))
            .await
    }

    /// POSTs the form as a page on another site could: the cookie, but no CSRF token.
    pub async fn post_without_csrf(
        &self,
        app: &TestApp,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Reply {
        app.browse(
            &[(COOKIE, &self.cookie)],
            Method::POST,
            path,
            Some(pairs(fields)),
        )
        .await
    }

    /// POSTs a multipart body with the session cookie.
    pub async fn post_multipart(
        &self,
        app: &TestApp,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let service = test::init_service(build_app(app.state.clone())).await;
        let req = test::TestRequest::post()
            .uri(path)
            .cookie(Cookie::new(COOKIE, self.cookie.clone()))
            .insert_header(("Content-Type", content_type.to_owned()))
            .set_payload(body)
            .to_request();
        read(test::call_service(&service, req).await).await
    }
}

/// The value of `name="…"`'s `value` attribute in a page (the first such input).
fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..at + html[at..].find('>')?];
    let value = tag.split("value=\"").nth(1)?;
    Some(unescape(value.split('"').next()?))
}

/// Undoes tera's escaping of text in an attribute, as a browser reads it.
pub fn unescape(text: &str) -> String {
    text.replace("&#x2F;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn set_cookie<'a>(reply: &'a Reply, name: &str) -> Option<&'a str> {
    reply
        .headers
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
}

fn cookie_value(header: &str) -> String {
    header
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned()
}

backend_test!(signing_in_sets_an_http_only_strict_session_cookie);
async fn signing_in_sets_an_http_only_strict_session_cookie(app: TestApp) {
    let org = app.seed_org("Harbour Training");
    app.seed_user(&org, "aroha@harbour.nz", "candidate");

    let form = app.get("/login?next=/caseload").await;
    assert_eq!(form.status, StatusCode::OK, "{:?}", app.backend);
    let login_cookie =
        cookie_value(set_cookie(&form, "attest_login").expect("sign-in form sets its CSRF cookie"));
    let csrf = input_value(&form.text(), "csrf").expect("csrf field");
    assert_eq!(csrf, login_cookie);

    // A wrong password: 401, the email kept, the password not.
    let wrong = app
        .browse(
            &[("attest_login", &login_cookie)],
            Method::POST,
            "/login",
            Some(pairs(&[
                ("csrf", &csrf),
                ("next", "/caseload"),
                ("email", "aroha@harbour.nz"),
                ("password", "not the password"),
            ])),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.text().contains("The email or password is wrong."));
    assert_eq!(
        input_value(&wrong.text(), "email").as_deref(),
        Some("aroha@harbour.nz")
    );
    assert!(!wrong.text().contains("not the password"));
    assert!(set_cookie(&wrong, COOKIE).is_none());

    let signed_in = app
        .browse(
            &[("attest_login", &login_cookie)],
            Method::POST,
            "/login",
            Some(pairs(&[
                ("csrf", &csrf),
                ("next", "/caseload"),
                ("email", "Aroha@Harbour.nz"),
                ("password", PASSWORD),
            ])),
        )
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.text()
    );
    assert_eq!(signed_in.header("location"), Some("/caseload"));
    let session = set_cookie(&signed_in, COOKIE).expect("session cookie");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Strict"), "{session}");
    assert!(session.contains("Path=/"), "{session}");

    // The cookie is a working session: the dashboard greets the user by name.
    let token = cookie_value(session);
    let home = app
        .browse(&[(COOKIE, &token)], Method::GET, "/", None)
        .await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.text().contains("User aroha@harbour.nz"),
        "{}",
        home.text()
    );
    assert!(home.text().contains("Your portfolios"));

    // Signing out ends the session everywhere and clears the cookie.
    let browser = app.browser(&token);
    let out = browser.post(&app, "/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.header("location"), Some("/login"));
    assert!(
        set_cookie(&out, COOKIE).is_some_and(|c| c.contains("Max-Age=0") || c.contains("expires"))
    );
    let after = browser.get(&app, "/caseload").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn signing_in_without_the_form_token_is_refused() {
    let app = TestApp::new(Backend::Sqlite);
    let org = app.seed_org("Harbour Training");
    app.seed_user(&org, "aroha@harbour.nz", "candidate");
    let forged = app
        .browse(
            &[],
            Method::POST,
            "/login",
            Some(pairs(&[
                ("email", "aroha@harbour.nz"),
                ("password", PASSWORD),
            ])),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(set_cookie(&forged, COOKIE).is_none());
}

backend_test!(pages_without_a_session_redirect_to_sign_in_and_back);
async fn pages_without_a_session_redirect_to_sign_in_and_back(app: TestApp) {
    let w = app.world("28268@2").await;
    let portfolio = format!("/enrolments/{}", w.enrolment);
    let reply = app.get(&portfolio).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{:?}", app.backend);
    assert_eq!(
        reply.header("location"),
        Some(format!("/login?next={portfolio}").as_str())
    );

    let reply = app.get("/caseload?sort=idle").await;
    assert_eq!(
        reply.header("location"),
        Some("/login?next=/caseload%3Fsort%3Didle")
    );

    // An expired or forged cookie is no session either.
    let reply = app
        .browse(&[(COOKIE, "not-a-token")], Method::GET, &portfolio, None)
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);

    // The sign-in page keeps where to go back to, and ignores other sites.
    let form = app.get(&format!("/login?next={portfolio}")).await;
    assert_eq!(
        input_value(&form.text(), "next").as_deref(),
        Some(portfolio.as_str())
    );
    let form = app.get("/login?next=//evil.example/").await;
    assert!(!form.text().contains("evil.example"));
}

backend_test!(a_refused_form_keeps_what_was_typed_and_shows_the_error_by_the_field);
async fn a_refused_form_keeps_what_was_typed_and_shows_the_error_by_the_field(app: TestApp) {
    let w = app.world("28268@2").await;
    let admin = app.browser(&w.admin);
    let path = format!("/orgs/{}/people", w.org);
    let reply = admin
        .post(
            &app,
            &path,
            &[
                ("name", "Tāne Mahuta"),
                ("email", "not-an-email"),
                ("password", "a secret password 1"),
                ("role", "assessor"),
            ],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        app.backend
    );
    let html = reply.text();
    assert_eq!(input_value(&html, "name").as_deref(), Some("Tāne Mahuta"));
    assert_eq!(input_value(&html, "email").as_deref(), Some("not-an-email"));
    assert!(
        !html.contains("a secret password 1"),
        "passwords are never sent back"
    );
    // The message sits in the email field's block, linked to its input, and in the summary.
    let error = html
        .find("id=\"f-email-error\"")
        .expect("an error next to the email field");
    let field_start = html[..error]
        .rfind("<label for=\"f-email\"")
        .expect("the email label before it");
    let input = html[error..]
        .find("<input id=\"f-email\"")
        .expect("the email input after it")
        + error;
    assert!(field_start < error && error < input);
    assert!(
        html[error..input].contains("Email is not an email address"),
        "{}",
        &html[error..input]
    );
    assert!(html[input..].starts_with("<input id=\"f-email\" name=\"email\""));
    assert!(html.contains("aria-describedby=\"f-email-error\""));
    assert!(html.contains("<a href=\"#f-email\">Email is not an email address</a>"));
    // The chosen role stays selected.
    assert!(html.contains("<option value=\"assessor\" selected>"));
    assert_eq!(app.count("users"), 4, "nothing was created");
}

backend_test!(forms_without_the_csrf_token_are_refused);
async fn forms_without_the_csrf_token_are_refused(app: TestApp) {
    let w = app.world("28268@2").await;
    let admin = app.browser(&w.admin);
    let users = app.count("users");
    let path = format!("/orgs/{}/people", w.org);
    let fields = [
        ("name", "Zoë"),
        ("email", "zoe@harbour.nz"),
        ("password", "a long enough password"),
        ("role", "candidate"),
    ];
    let missing = admin.post_without_csrf(&app, &path, &fields).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN, "{:?}", app.backend);
    assert!(missing.text().contains("did not come from Attest"));
    let mut wrong = pairs(&[("csrf", &"0".repeat(32))]);
    wrong.extend(pairs(&fields));
    let wrong = app
        .browse(&[(COOKIE, &admin.cookie)], Method::POST, &path, Some(wrong))
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    // Another user's token is not this session's either.
    let candidate = app.browser(&w.candidate);
    let mut theirs = pairs(&[("csrf", &candidate.csrf)]);
    theirs.extend(pairs(&fields));
    let theirs = app
        .browse(
            &[(COOKIE, &admin.cookie)],
            Method::POST,
            &path,
            Some(theirs),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("users"), users);

    let logout = admin.post_without_csrf(&app, "/logout", &[]).await;
    assert_eq!(logout.status, StatusCode::FORBIDDEN);
    assert_eq!(
        admin.get(&app, "/").await.status,
        StatusCode::OK,
        "still signed in"
    );

    let created = admin.post(&app, &path, &fields).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text());
    assert!(
        created.text().contains("Invitation ready"),
        "the link is shown"
    );
    assert_eq!(app.count("users"), users + 1);
}

backend_test!(a_script_in_a_name_is_shown_as_text);
async fn a_script_in_a_name_is_shown_as_text(app: TestApp) {
    let w = app.world("28268@2").await;
    let admin = app.browser(&w.admin);
    let path = format!("/orgs/{}/people", w.org);
    let created = admin
        .post(
            &app,
            &path,
            &[
                ("name", "<script>alert(1)</script>"),
                ("email", "mallory@harbour.nz"),
                ("role", "candidate"),
            ],
        )
        .await;
    assert_eq!(
        created.status,
        StatusCode::OK,
        "{:?}: {}",
        app.backend,
        created.text()
    );
    let page = admin.get(&app, &path).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        !html.contains("<script>alert(1)"),
        "unescaped name in the page"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"),
        "{html}"
    );
    // And were a script ever let through, the browser would not run it: only Attest's own
    // script file runs, and no other site may frame the page.
    let policy = page.header("content-security-policy").unwrap_or_default();
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(
        !policy.contains("script-src 'self' 'unsafe-inline'"),
        "{policy}"
    );
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
}

/// The seed portfolio's candidate uploads a file mapped to criteria through the plain form.
async fn upload_through_the_form(app: &TestApp, w: &World) -> String {
    let candidate = app.browser(&w.candidate);
    let path = format!("/enrolments/{}/evidence/new", w.enrolment);
    let form = candidate.get(app, &path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text());
    assert!(
        form.text()
            .contains("name=\"range.1.1.greeting_requirements\" value=\"courtesy\"")
    );
    assert!(
        form.text()
            .contains("I confirm that this evidence is my own work.")
    );

    let boundary = "page-test-boundary";
    let mut body = Vec::new();
    let mut text = |name: &str, value: &str| {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    };
    text("csrf", &candidate.csrf);
    text("method", "product_evidence");
    text("title", "Customer record");
    text("setting", "workplace");
    text("channel", "phone");
    text("date", "2024-05-06");
    text("criteria", "1.7");
    text("range.1.7.interaction_record_fields", "record_date");
    text("attributes.enquiry_type", "complex");
    let mut declared = body.clone();
    let file = |body: &mut Vec<u8>| {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"record.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(b"%PDF-1.4 the customer record\r\n");
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    };
    let content_type = format!("multipart/form-data; boundary={boundary}");

    // Without the declaration: shown again, the file asked for again, nothing stored.
    let mut undeclared = body;
    file(&mut undeclared);
    let refused = candidate
        .post_multipart(app, &path, &content_type, undeclared)
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text()
    );
    let html = refused.text();
    assert!(html.contains("id=\"f-declaration-error\""), "{html}");
    assert!(html.contains("Confirm that this evidence is your own work"));
    assert!(
        html.contains("value=\"record_date\" data-claims=\"f-criteria-1-7\" checked"),
        "range item kept"
    );
    assert_eq!(
        input_value(&html, "title").as_deref(),
        Some("Customer record")
    );
    assert_eq!(app.count("evidence"), 0);

    declared.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"declaration\"\r\n\r\nyes\r\n"
        )
        .as_bytes(),
    );
    file(&mut declared);
    let added = candidate
        .post_multipart(app, &path, &content_type, declared)
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    let location = added.header("location").unwrap().to_owned();
    assert!(
        location.starts_with(&format!("/enrolments/{}?added=", w.enrolment)),
        "{location}"
    );
    let id = location.rsplit("#evidence-").next().unwrap().to_owned();
    let page = candidate
        .get(app, location.split('#').next().unwrap())
        .await
        .text();
    assert!(page.contains("Evidence added."), "{page}");
    id
}

backend_test!(a_candidate_uploads_and_an_assessor_observes_and_judges_through_the_pages);
async fn a_candidate_uploads_and_an_assessor_observes_and_judges_through_the_pages(app: TestApp) {
    let w = app.world("28268@2").await;
    let evidence = upload_through_the_form(&app, &w).await;
    let portfolio = format!("/enrolments/{}", w.enrolment);

    let page = app.browser(&w.candidate).get(&app, &portfolio).await;
    assert_eq!(page.status, StatusCode::OK, "{:?}", app.backend);
    let html = page.text();
    assert!(
        html.contains("Customer record") && html.contains("record.pdf"),
        "{html}"
    );
    assert!(html.contains("<span class=\"badge pending\">pending</span>"));
    assert!(html.contains("Outcome 1: Communicate and resolve"));
    assert!(html.contains("What is still missing"));
    assert!(
        !html.contains("Record an observation"),
        "candidates do not observe"
    );

    // The assessor's checklist for outcome 1: every criterion needs a result.
    let assessor = app.browser(&w.assessor);
    let observe = format!("/enrolments/{}/observations/new", w.enrolment);
    let form = assessor.get(&app, &format!("{observe}?outcome=1")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text());
    assert!(
        form.text()
            .contains("name=\"result.1.8\" value=\"not_applicable\"")
    );
    let mut fields = vec![
        ("outcome", "1"),
        ("setting", "workplace"),
        ("channel", "phone"),
        ("date", "2024-05-07"),
        ("attributes.enquiry_type", "business_as_usual"),
    ];
    let results = [
        ("result.1.1", "shown"),
        ("result.1.2", "not_applicable"),
        ("result.1.3", "shown"),
        ("result.1.4", "shown"),
        ("result.1.5", "shown"),
        ("result.1.6", "not_shown"),
        ("result.1.7", "shown"),
    ];
    fields.extend(results);
    fields.push(("range.1.1.greeting_requirements", "courtesy"));
    fields.push(("notes.1.6", "Nothing needed escalating."));
    let missing = assessor.post(&app, &observe, &fields).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = missing.text();
    assert!(
        html.contains("Choose shown, not shown or not applicable for 1.8"),
        "{html}"
    );
    assert!(
        html.contains("value=\"courtesy\" data-claims=\"f-result-1-1--shown\" checked"),
        "{html}"
    );
    assert!(html.contains("Nothing needed escalating."));
    fields.push(("result.1.8", "shown"));
    let saved = assessor.post(&app, &observe, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());

    // The assessor accepts the candidate's mapping.
    let judge = format!("/enrolments/{}/evidence/{evidence}/judge", w.enrolment);
    let form = assessor.get(&app, &judge).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text());
    // The evidence itself is on the page: the PDF opens in the browser's own viewer from where
    // it is judged, or downloads.
    let file = format!(
        "&#x2F;api&#x2F;enrolments&#x2F;{}&#x2F;evidence&#x2F;{evidence}&#x2F;file",
        w.enrolment
    );
    assert!(
        form.text()
            .contains(&format!("{file}?inline=1\">Open record.pdf in the browser")),
        "{}",
        form.text()
    );
    assert!(
        form.text().contains(&format!("{file}\" download>Download")),
        "{}",
        form.text()
    );
    let rejected = assessor
        .post(
            &app,
            &judge,
            &[
                ("criteria[0].id", "1.7"),
                ("criteria[0].judgement", "rejected"),
            ],
        )
        .await;
    assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        rejected
            .text()
            .contains("Say why, so the candidate knows what to do next"),
        "{}",
        rejected.text()
    );
    let accepted = assessor
        .post(
            &app,
            &judge,
            &[
                ("criteria[0].id", "1.7"),
                ("criteria[0].judgement", "accepted"),
                ("criteria[0].feedback", "Clear and complete."),
            ],
        )
        .await;
    assert_eq!(
        accepted.status,
        StatusCode::SEE_OTHER,
        "{}",
        accepted.text()
    );

    let html = app.browser(&w.candidate).get(&app, &portfolio).await.text();
    assert!(html.contains("<span class=\"badge accepted\">accepted</span><p class=\"feedback\">Clear and complete.</p>"), "{html}");
    assert!(html.contains("Observation checklist"));

    // The caseload lists the candidate with nothing left to judge.
    let caseload = assessor.get(&app, "/caseload").await;
    assert_eq!(caseload.status, StatusCode::OK);
    assert!(caseload.text().contains("User aroha@harbour.nz"));
    assert!(
        caseload
            .text()
            .contains("0 mappings waiting for your judgement"),
        "{}",
        caseload.text()
    );
}

backend_test!(testimony_questioning_submission_and_reopening_through_the_pages);
async fn testimony_questioning_submission_and_reopening_through_the_pages(app: TestApp) {
    let w = app.world("28268@2").await;
    let candidate = app.browser(&w.candidate);
    let testimony = format!("/enrolments/{}/testimony/new", w.enrolment);
    assert_eq!(candidate.get(&app, &testimony).await.status, StatusCode::OK);
    let mut fields = vec![
        ("details.witness.name", "Ngaio Marsh"),
        ("details.witness.job_title", "Team leader"),
        ("details.witness.relationship", "my sister"),
        ("details.witness.contact", "ngaio@harbour.nz"),
        (
            "details.witness.statement",
            "Aroha resolved a billing complaint calmly.",
        ),
        ("setting", "workplace"),
        ("date", "2024-05-08"),
        ("criteria", "3.1"),
        ("declaration", "yes"),
    ];
    let relative = candidate.post(&app, &testimony, &fields).await;
    assert_eq!(
        relative.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        app.backend
    );
    assert!(
        relative
            .text()
            .contains("id=\"f-details-witness-relationship-error\"")
    );
    assert!(
        relative
            .text()
            .contains("Testimony from a relative cannot be accepted")
    );
    fields[2] = ("details.witness.relationship", "team leader");
    let added = candidate.post(&app, &testimony, &fields).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    // Next the candidate sends it to the witness: it does not count until they confirm.
    let next = added.header("location").unwrap().to_owned();
    assert!(next.ends_with("/witness?added=1"), "{next}");
    let page = candidate.get(&app, &next).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Awaiting witness"), "{}", page.text());

    // Questioning is the assessor's record.
    let questioning = format!("/enrolments/{}/questioning/new", w.enrolment);
    assert_eq!(
        candidate.get(&app, &questioning).await.status,
        StatusCode::FORBIDDEN
    );
    let assessor = app.browser(&w.assessor);
    assert_eq!(
        assessor.get(&app, &questioning).await.status,
        StatusCode::OK
    );
    let asked = assessor
        .post(
            &app,
            &questioning,
            &[
                ("method", "oral_questioning"),
                ("setting", "workplace"),
                ("date", "2024-05-09"),
                ("question.1", "When would you escalate an enquiry?"),
                ("criteria", "2.1"),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        asked
            .text()
            .contains("Write down the candidate&#x27;s answer"),
        "{}",
        asked.text()
    );
    let asked = assessor
        .post(
            &app,
            &questioning,
            &[
                ("method", "oral_questioning"),
                ("setting", "workplace"),
                ("date", "2024-05-09"),
                ("question.1", "When would you escalate an enquiry?"),
                ("answer.1", "When it is outside my authority."),
                ("criteria", "2.1"),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.text());

    // Submitting needs the declaration; then the candidate can no longer add evidence.
    let submit = format!("/enrolments/{}/submit", w.enrolment);
    let undeclared = candidate.post(&app, &submit, &[]).await;
    assert_eq!(undeclared.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(undeclared.text().contains("id=\"f-declaration-error\""));
    let submitted = candidate
        .post(&app, &submit, &[("declaration", "yes")])
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.text()
    );
    assert_eq!(
        candidate.get(&app, &testimony).await.status,
        StatusCode::FORBIDDEN
    );

    // Reopening needs a reason, which the candidate then sees.
    let reopen = format!("/enrolments/{}/reopen", w.enrolment);
    let no_reason = assessor.post(&app, &reopen, &[("reason", " ")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.text().contains("id=\"f-reason-error\""));
    let reopened = assessor
        .post(
            &app,
            &reopen,
            &[("reason", "Add the follow-up record for 3.4")],
        )
        .await;
    assert_eq!(reopened.status, StatusCode::SEE_OTHER);
    let html = candidate
        .get(&app, &format!("/enrolments/{}", w.enrolment))
        .await
        .text();
    assert!(html.contains("Add the follow-up record for 3.4"));
    assert!(html.contains("Ngaio Marsh, Team leader (team leader)"));
}

backend_test!(an_admin_enrols_a_candidate_and_grants_roles_through_the_pages);
async fn an_admin_enrols_a_candidate_and_grants_roles_through_the_pages(app: TestApp) {
    let w = app.world("28268@2").await;
    let admin = app.browser(&w.admin);
    let enrolments = format!("/orgs/{}/enrolments", w.org);
    let page = admin.get(&app, &enrolments).await;
    assert_eq!(
        page.status,
        StatusCode::OK,
        "{:?}: {}",
        app.backend,
        page.text()
    );
    assert!(page.text().contains("User aroha@harbour.nz"));
    let refused = admin
        .post(
            &app,
            &enrolments,
            &[
                ("candidate_id", &w.candidate_id),
                ("assessor_id", &w.assessor_id),
                ("iv_id", &w.assessor_id),
                ("standard", "28268@2"),
                ("start_date", "2024-06-01"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text().contains("id=\"f-iv-id-error\""),
        "{}",
        refused.text()
    );
    let created = admin
        .post(
            &app,
            &enrolments,
            &[
                ("candidate_id", &w.candidate_id),
                ("assessor_id", &w.assessor_id),
                ("iv_id", &w.iv_id),
                ("standard", "28268@2"),
                ("start_date", "2024-06-01"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());

    let grant = format!("/orgs/{}/people/{}/roles", w.org, w.candidate_id);
    let no_end = admin
        .post(&app, &grant, &[("role", "external_verifier")])
        .await;
    assert_eq!(no_end.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_end
            .text()
            .contains("External verifier access needs an end date")
    );
    let granted = admin.post(&app, &grant, &[("role", "assessor")]).await;
    assert_eq!(granted.status, StatusCode::SEE_OTHER);
    let people = admin
        .get(&app, &format!("/orgs/{}/people", w.org))
        .await
        .text();
    assert!(
        people.contains("Candidate, Assessor") || people.contains("Assessor, Candidate"),
        "{people}"
    );

    assert_eq!(admin.get(&app, "/standards").await.status, StatusCode::OK);
    let candidate = app.browser(&w.candidate);
    assert_eq!(
        candidate.get(&app, &enrolments).await.status,
        StatusCode::FORBIDDEN
    );
}

backend_test!(an_admin_changes_the_assessor_and_withdraws_through_the_staff_page);
async fn an_admin_changes_the_assessor_and_withdraws_through_the_staff_page(app: TestApp) {
    let w = app.world("28268@2").await;
    let admin = app.browser(&w.admin);
    let path = format!("/enrolments/{}/staff", w.enrolment);
    let portfolio = admin
        .get(&app, &format!("/enrolments/{}", w.enrolment))
        .await
        .text();
    assert!(
        portfolio.contains(&path),
        "the portfolio links to the staff page"
    );
    let shown = admin.get(&app, &path).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown
            .text()
            .contains(&format!(r#"value="{}" selected"#, w.assessor_id))
    );

    // The verifier as assessor too: refused next to the field, the choices kept.
    let clash = admin
        .post(
            &app,
            &path,
            &[("assessor_id", &w.iv_id), ("iv_id", &w.iv_id)],
        )
        .await;
    assert_eq!(clash.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = clash.text();
    assert!(html.contains("cannot verify their own"), "{html}");
    assert!(html.contains(&format!(r#"value="{}" selected"#, w.iv_id)));

    let tama = app.seed_user(&w.org, "tama@harbour.nz", "assessor");
    let moved = admin
        .post(&app, &path, &[("assessor_id", &tama), ("iv_id", &w.iv_id)])
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.text());
    let api = app
        .get_as(&w.admin, &api::enrolment(&w.enrolment).path())
        .await
        .json();
    assert_eq!(api["enrolment"]["assessor_id"], tama.as_str(), "{api}");

    let withdraw = format!("/enrolments/{}/withdraw", w.enrolment);
    let blank = admin.post(&app, &withdraw, &[("reason", "")]).await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blank.text().contains("say why"));
    let done = admin
        .post(&app, &withdraw, &[("reason", "Moved to another branch")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let closed = admin.get(&app, &path).await.text();
    assert!(closed.contains("it is closed"), "{closed}");
}

backend_test!(an_empty_evidence_form_names_every_problem_in_one_round);
async fn an_empty_evidence_form_names_every_problem_in_one_round(app: TestApp) {
    let w = app.world("28268@2").await;
    let candidate = app.browser(&w.candidate);

    // Testimony: the witness's every missing detail, the criteria and the declaration at once.
    let testimony = format!("/enrolments/{}/testimony/new", w.enrolment);
    let refused = candidate
        .post(&app, &testimony, &[("setting", "workplace")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    for field in [
        "details-witness-name",
        "details-witness-job_title",
        "details-witness-relationship",
        "details-witness-contact",
        "details-witness-statement",
        "declaration",
    ] {
        let id = format!("id=\"f-{}-error\"", field.replace('_', "-"));
        assert!(
            html.contains(&id),
            "{field} is named in the first round: {html}"
        );
    }

    // Upload: no criteria, no file and no declaration, all in the first answer.
    let boundary = "attest-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"setting\"\r\n\r\nworkplace\r\n\
             --{boundary}--\r\n",
        candidate.csrf
    );
    let upload = candidate
        .post_multipart(
            &app,
            &format!("/enrolments/{}/evidence/new", w.enrolment),
            &format!("multipart/form-data; boundary={boundary}"),
            body.into_bytes(),
        )
        .await;
    assert_eq!(upload.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = upload.text();
    for needle in [
        "id=\"f-file-error\"",
        "id=\"f-declaration-error\"",
        "Confirm that this evidence is your own work",
    ] {
        assert!(html.contains(needle), "{needle}: {html}");
    }
    assert!(
        html.contains("class=\"field-error\"") && html.contains("criteri"),
        "{html}"
    );
    assert_eq!(app.count("evidence"), 0, "nothing was recorded");
}

backend_test!(a_person_with_an_endless_name_or_a_wrong_learner_number_is_refused_by_the_field);
async fn a_person_with_an_endless_name_or_a_wrong_learner_number_is_refused_by_the_field(
    app: TestApp,
) {
    let w = app.world("28268@2").await;
    let admin = app.browser(&w.admin);
    let path = format!("/orgs/{}/people", w.org);
    let endless = "x".repeat(5000);
    let refused = admin
        .post(
            &app,
            &path,
            &[
                ("name", endless.as_str()),
                ("email", ""),
                ("password", "a long enough password"),
                ("role", "candidate"),
                ("national_learner_number", "abc"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    assert!(
        html.contains("Name is 5000 characters long: at most 200"),
        "{html}"
    );
    assert!(html.contains("Email is required"), "{html}");
    assert!(
        html.contains("id=\"f-national-learner-number-error\""),
        "{html}"
    );
    assert!(html.contains("value=\"abc\""), "what was typed is kept");
    let users = app.count("users");
    let fine = admin
        .post(
            &app,
            &path,
            &[
                ("name", "Tama Ngata"),
                ("email", "tama@harbour.nz"),
                ("role", "candidate"),
                ("national_learner_number", " 0123456789 "),
            ],
        )
        .await;
    assert_eq!(fine.status, StatusCode::OK, "{}", fine.text());
    assert_eq!(app.count("users"), users + 1);
}

backend_test!(an_admin_deactivates_a_person_from_the_people_page);
async fn an_admin_deactivates_a_person_from_the_people_page(app: TestApp) {
    let w = app.world("28268@2").await;
    let leaving = app.seed_user(&w.org, "leaving@harbour.nz", "candidate");
    let token = app.login("leaving@harbour.nz").await;
    let admin = app.browser(&w.admin);
    let people = format!("/orgs/{}/people", w.org);
    let page = admin.get(&app, &people).await.text();
    let action = format!("/orgs/{}/people/{leaving}/deactivate", w.org);
    assert!(page.contains(&action), "{page}");

    let done = admin.post(&app, &action, &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    let after = admin.get(&app, &people).await.text();
    assert!(!after.contains(&action), "no second deactivation");
    assert!(after.contains("deactivated"));
    // Their session has ended, and they cannot sign in again.
    let me = app.get_as(&token, api::ME).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    let again = admin.post(&app, &action, &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

/// The session's CSRF token must never travel in a URL (history, server logs, `Referer`): no form
/// that carries it is sent with GET, and no button in such a form switches it to GET.
#[actix_web::test]
async fn no_form_sends_the_csrf_token_in_a_url() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut pending = vec![dir];
    let mut checked = 0;
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap().to_lowercase();
            for form in text.split("<form").skip(1) {
                let form = form.split("</form>").next().unwrap_or_default();
                let opening = form.split('>').next().unwrap_or_default();
                if !(form.contains("f::csrf") || form.contains("name=\"csrf\"")) {
                    continue;
                }
                checked += 1;
                assert!(
                    !opening.contains("method=\"get\"") && !form.contains("formmethod=\"get\""),
                    "{}: a form with the CSRF token is sent with GET: <form{opening}>",
                    path.display()
                );
            }
        }
    }
    assert!(checked > 20, "only {checked} forms with a CSRF token found");
}
