//! Questions the candidate answers (issue 16 item 4): a set built from the unit's knowledge items,
//! sent, answered (typed or recorded), marked into a questioning record the engine counts, and
//! reused for another candidate; through the API and through the pages, on both backends.

use actix_web::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api;
use crate::helpers::{Backend, Reply, TestApp, World, backend_test, file_form};

fn kinds(inbox: &Value) -> Vec<String> {
    inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn inbox(app: &TestApp, token: &str) -> Vec<String> {
    kinds(&app.get_as(token, api::ME_NOTIFICATIONS).await.json())
}

fn field_errors(reply: &Reply) -> Value {
    reply.json()["errors"].clone()
}

async fn create_set(app: &TestApp, w: &World) -> String {
    let created = app
        .post_as(&w.assessor, &api::org(&w.org).question_sets(), json!({"standard": "INSCC003", "title": "Greeting and listening", "items": [
                {"covers": ["K1"], "question": "How does your contact centre greet and identify customers?"},
                {"covers": ["K2"], "question": "How do you show a caller you are listening, and why does it matter?"},
            ]}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    created.json()["id"].as_str().unwrap().to_owned()
}

async fn send(app: &TestApp, token: &str, enrolment: &str, set: &str) -> Reply {
    app.post_as(
        token,
        &api::enrolment(enrolment).question_requests(),
        json!({"set_id": set}),
    )
    .await
}

fn knowledge_status(progress: &Value, id: &str) -> String {
    progress["confirmed"]["knowledge"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == id)
        .map(|k| k["status"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default()
}

backend_test!(the_whole_loop_through_the_api_counts_the_knowledge_answered);
async fn the_whole_loop_through_the_api_counts_the_knowledge_answered(app: TestApp) {
    let w = app.world("INSCC003").await;
    let base = api::enrolment(&w.enrolment);

    // Bad input names the field.
    let bad = app
        .post_as(
            &w.assessor,
            &api::org(&w.org).question_sets(),
            json!({"standard": "INSCC003", "title": " ", "items": [
                    {"covers": ["K99"], "question": "What?"}, {"covers": ["K1"], "question": ""}]}),
        )
        .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad.text()
    );
    let errors = field_errors(&bad);
    assert!(errors["title"].is_string(), "{errors}");
    assert!(errors["items[0].covers"].as_str().unwrap().contains("K99"));
    assert!(errors["items[1].question"].is_string(), "{errors}");

    let set = create_set(&app, &w).await;
    // The candidate may not write or see sets; another organisation's assessor does not find it.
    let refused = app.get_as(&w.candidate, &api::question_set(&set)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let away = app.seed_org("Summit Training");
    app.seed_user(&away, "assessor@summit.nz", "assessor");
    let stranger = app.login("assessor@summit.nz").await;
    for path in [
        api::question_set(&set),
        api::org(&w.org).question_sets(),
        base.question_requests(),
    ] {
        let reply = app.get_as(&stranger, &path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
    }

    // Sending needs a set of this organisation; then the candidate is told.
    let wrong = send(&app, &w.assessor, &w.enrolment, "no-such-set").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_errors(&wrong)["set_id"].is_string());
    let sent = send(&app, &w.assessor, &w.enrolment, &set).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text());
    let request = sent.json();
    let rid = request["id"].as_str().unwrap().to_owned();
    assert_eq!(request["status"], "sent");
    let answers: Vec<String> = request["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(answers.len(), 2);
    assert!(
        inbox(&app, &w.candidate)
            .await
            .contains(&"questions_sent".to_owned())
    );
    // The same set twice while the first is not marked is refused.
    assert_eq!(
        send(&app, &w.assessor, &w.enrolment, &set).await.status,
        StatusCode::CONFLICT
    );

    // The candidate cannot mark; the assessor cannot answer.
    let marks = json!({"answers": [
            {"id": answers[0], "result": "satisfactory"}, {"id": answers[1], "result": "satisfactory"}]});
    let candidate_marks = app
        .post_as(
            &w.candidate,
            &base.question_request(&rid).marks(),
            marks.clone(),
        )
        .await;
    assert_eq!(candidate_marks.status, StatusCode::FORBIDDEN);
    let assessor_answers = app
        .put_as(
            &w.assessor,
            &base.question_request(&rid).answers(),
            json!({"answers": [{"id": answers[0], "text": "x"}], "submit": false}),
        )
        .await;
    assert_eq!(assessor_answers.status, StatusCode::FORBIDDEN);

    // A draft keeps the text; submitting needs every answer.
    let draft = app
            .put_as(&w.candidate, &base.question_request(&rid).answers(), json!({"answers": [{"id": answers[0], "text": "We say the centre's name and ours, then check two details."}], "submit": true}))
            .await;
    assert_eq!(
        draft.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        draft.text()
    );
    assert!(
        field_errors(&draft)["answers[1].text"].is_string(),
        "{}",
        draft.text()
    );
    let saved = app
            .put_as(&w.candidate, &base.question_request(&rid).answers(), json!({"answers": [{"id": answers[0], "text": "We say the centre's name and ours, then check two details."}]}))
            .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    assert_eq!(saved.json()["status"], "sent");
    let early = app
        .post_as(
            &w.assessor,
            &base.question_request(&rid).marks(),
            marks.clone(),
        )
        .await;
    assert_eq!(
        early.status,
        StatusCode::CONFLICT,
        "nothing to mark before submitting"
    );
    let submitted = app
            .put_as(&w.candidate, &base.question_request(&rid).answers(), json!({"answers": [{"id": answers[1], "text": "I repeat back what they said."}], "submit": true}))
            .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text());
    assert_eq!(submitted.json()["status"], "answered");
    assert!(
        submitted.json()["answers"][0]["text"]
            .as_str()
            .unwrap()
            .contains("centre's name")
    );
    assert!(
        inbox(&app, &w.assessor)
            .await
            .contains(&"questions_answered".to_owned())
    );

    // Not yet needs a comment; a bad result is named.
    let half = json!({"answers": [
            {"id": answers[0], "result": "satisfactory"}, {"id": answers[1], "result": "not_yet"}]});
    let no_comment = app
        .post_as(&w.assessor, &base.question_request(&rid).marks(), half)
        .await;
    assert_eq!(no_comment.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_errors(&no_comment)["answers[1].comment"].is_string());
    let marked = app
            .post_as(&w.assessor, &base.question_request(&rid).marks(), json!({"answers": [
                    {"id": answers[0], "result": "satisfactory", "comment": "Clear."},
                    {"id": answers[1], "result": "not_yet", "comment": "Say why listening matters."}]}))
            .await;
    assert_eq!(marked.status, StatusCode::OK, "{}", marked.text());
    let marked = marked.json();
    assert_eq!(marked["status"], "marked");
    let evidence_id = marked["evidence_id"]
        .as_str()
        .expect("a questioning record")
        .to_owned();
    assert!(
        inbox(&app, &w.candidate)
            .await
            .contains(&"questions_marked".to_owned())
    );

    // The record is written questioning (typed answers), accepted, covering K1 only.
    let evidence = app.get_as(&w.assessor, &base.evidence()).await.json();
    let record = evidence
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == evidence_id.as_str())
        .expect("the record");
    assert_eq!(record["method"], "written_questioning");
    assert_eq!(
        record["instance"]["knowledge"],
        json!([{"item": "K1", "judgement": "accepted"}])
    );
    assert_eq!(record["details"]["questions"].as_array().unwrap().len(), 1);

    // The engine counts it: K1 met, K2 not.
    let progress = app.get_as(&w.candidate, &base.progress()).await.json();
    assert_eq!(
        knowledge_status(&progress, "K1"),
        "met",
        "{:?}",
        app.backend
    );
    assert_ne!(knowledge_status(&progress, "K2"), "met");
    let again = app
        .post_as(&w.assessor, &base.question_request(&rid).marks(), marks)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

/// A real (tiny) WAV file.
fn wav() -> Vec<u8> {
    let samples = [0u8; 64];
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + samples.len() as u32).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes());
    bytes.extend_from_slice(&8000u32.to_le_bytes());
    bytes.extend_from_slice(&8000u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes());
    bytes.extend_from_slice(&8u16.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&(samples.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&samples);
    bytes
}

backend_test!(a_set_is_reused_for_a_second_candidate_who_answers_aloud);
async fn a_set_is_reused_for_a_second_candidate_who_answers_aloud(app: TestApp) {
    let w = app.world("INSCC003").await;
    let set = create_set(&app, &w).await;
    let second = app.seed_user(&w.org, "tama@harbour.nz", "candidate");
    let enrolled = app
        .request_as(
            Some(&w.admin),
            Method::POST,
            api::ENROLMENTS,
            Some(
                json!({"org_id": w.org, "candidate_id": second, "assessor_id": w.assessor_id,
                    "standard": "INSCC003", "start_date": "2024-05-01"}),
            ),
        )
        .await;
    assert_eq!(enrolled.status, StatusCode::CREATED, "{}", enrolled.text());
    let second_enrolment = enrolled.json()["id"].as_str().unwrap().to_owned();
    let tama = app.login("tama@harbour.nz").await;
    for enrolment in [&w.enrolment, &second_enrolment] {
        assert_eq!(
            send(&app, &w.assessor, enrolment, &set).await.status,
            StatusCode::CREATED
        );
    }
    // Each candidate sees only their own.
    let base = api::enrolment(&second_enrolment);
    let theirs = app.get_as(&w.candidate, &base.question_requests()).await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN);
    let list = app.get_as(&tama, &base.question_requests()).await.json();
    let request = &list[0];
    let rid = request["id"].as_str().unwrap();
    let answers: Vec<&str> = request["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();

    // A recording answers each question; a PDF is refused, naming the file.
    let (ctype, body) = file_form("notes.pdf", b"%PDF-1.4 x");
    let refused = app
        .send_raw(
            &tama,
            &base.question_request(rid).answer_recording(answers[0]),
            &ctype,
            body,
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text()
    );
    assert!(field_errors(&refused)["file"].is_string());
    for answer in &answers {
        let (ctype, body) = file_form("answer.wav", &wav());
        let up = app
            .send_raw(
                &tama,
                &base.question_request(rid).answer_recording(answer),
                &ctype,
                body,
            )
            .await;
        assert_eq!(up.status, StatusCode::OK, "{}", up.text());
    }
    let submitted = app
        .put_as(
            &tama,
            &base.question_request(rid).answers(),
            json!({"submit": true}),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text());
    let file = submitted.json()["answers"][0]["file"].clone();
    assert_eq!(file["name"], "answer.wav");
    // The assessor plays it; its hash is the store's key.
    let played = app
        .get_as(
            &w.assessor,
            &format!(
                "{}?inline=1",
                base.question_request(rid).answer_recording(answers[0])
            ),
        )
        .await;
    assert_eq!(played.status, StatusCode::OK);
    assert_eq!(played.body, wav());
    let marked = app
            .post_as(&w.assessor, &base.question_request(rid).marks(), json!({"answers": answers.iter().map(|a| json!({"id": a, "result": "satisfactory"})).collect::<Vec<_>>()}))
            .await;
    assert_eq!(marked.status, StatusCode::OK, "{}", marked.text());
    let evidence_id = marked.json()["evidence_id"].as_str().unwrap().to_owned();
    let evidence = app.get_as(&tama, &base.evidence()).await.json();
    let record = evidence
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == evidence_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        record["method"], "oral_questioning",
        "recordings make an oral record"
    );
    let progress = app.get_as(&tama, &base.progress()).await.json();
    assert_eq!(knowledge_status(&progress, "K1"), "met");
    assert_eq!(knowledge_status(&progress, "K2"), "met");
    // The first candidate's request is untouched by the second's answers.
    let first = app
        .get_as(
            &w.candidate,
            &api::enrolment(&w.enrolment).question_requests(),
        )
        .await
        .json();
    assert_eq!(first[0]["status"], "sent");
}

backend_test!(the_loop_through_the_pages);
async fn the_loop_through_the_pages(app: TestApp) {
    let w = app.world("INSCC003").await;
    let assessor = app.browser(&w.assessor);
    let candidate = app.browser(&w.candidate);

    // The builder lists each knowledge item with its text pre-filled as the question.
    let builder = assessor
        .get(
            &app,
            &format!("/orgs/{}/question-sets/new?standard=INSCC003%401", w.org),
        )
        .await;
    assert_eq!(builder.status, StatusCode::OK, "{}", builder.text());
    let html = builder.text();
    assert!(html.contains("name=\"include.K1\""), "{html}");
    assert!(html.contains("Explain the organisational guidelines on how to greet and identify customers in a contact centre."));
    // Nothing ticked: the error summary names the questions.
    let refused = assessor
        .post(
            &app,
            &format!("/orgs/{}/question-sets/new", w.org),
            &[("standard", "INSCC003@1"), ("title", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("There is a problem"));
    assert!(refused.text().contains("href=\"#f-title\""));
    // A question sent twice for one row is no form the builder makes: refused naming the row.
    let twice = assessor
        .post(
            &app,
            &format!("/orgs/{}/question-sets/new", w.org),
            &[
                ("standard", "INSCC003@1"),
                ("title", "Greeting"),
                ("include.K1", "yes"),
                ("question.K1", "How do we greet callers here?"),
                ("question.K1", "And again?"),
            ],
        )
        .await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST, "{}", twice.text());
    assert!(
        twice.text().contains("question.K1: is sent more than once"),
        "{}",
        twice.text()
    );
    let created = assessor
        .post(
            &app,
            &format!("/orgs/{}/question-sets/new", w.org),
            &[
                ("standard", "INSCC003@1"),
                ("title", "Greeting"),
                ("include.K1", "yes"),
                ("question.K1", "How do we greet callers here?"),
                ("question.K2", "unticked, so not asked"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
    let list = assessor.get(&app, "/question-sets").await.text();
    assert!(list.contains("Greeting"));
    let set = app
        .get_as(&w.assessor, &api::org(&w.org).question_sets())
        .await
        .json();
    assert_eq!(set[0]["items"].as_array().unwrap().len(), 1);
    let set_id = set[0]["id"].as_str().unwrap().to_owned();

    // Sent from the portfolio's questions page.
    let questions = assessor
        .get(&app, &format!("/enrolments/{}/questions", w.enrolment))
        .await;
    assert!(questions.text().contains(&set_id));
    let sent = assessor
        .post(
            &app,
            &format!("/enrolments/{}/questions", w.enrolment),
            &[("set_id", &set_id), ("due_on", "")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
    let requests = app
        .get_as(
            &w.candidate,
            &api::enrolment(&w.enrolment).question_requests(),
        )
        .await
        .json();
    let rid = requests[0]["id"].as_str().unwrap().to_owned();
    let aid = requests[0]["answers"][0]["id"].as_str().unwrap().to_owned();

    // The candidate's dashboard says it needs them; the answer page asks for every answer.
    let home = candidate.get(&app, "/").await.text();
    assert!(
        home.contains(&format!("/enrolments/{}/questions/{rid}", w.enrolment)),
        "{home}"
    );
    let page = candidate
        .get(
            &app,
            &format!("/enrolments/{}/questions/{rid}", w.enrolment),
        )
        .await;
    assert!(page.text().contains("How do we greet callers here?"));
    let empty = candidate
        .post(
            &app,
            &format!("/enrolments/{}/questions/{rid}/answers", w.enrolment),
            &[("action", "submit")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty
            .text()
            .contains(&format!("href=\"#f-answer-{}\"", aid))
    );
    let answer_field = format!("answer.{aid}");
    let answered = candidate
        .post(
            &app,
            &format!("/enrolments/{}/questions/{rid}/answers", w.enrolment),
            &[
                ("action", "submit"),
                (&answer_field, "With the centre's name and mine."),
            ],
        )
        .await;
    assert_eq!(
        answered.status,
        StatusCode::SEE_OTHER,
        "{}",
        answered.text()
    );

    // The caseload leads the assessor to the marking page.
    let caseload = assessor.get(&app, "/caseload").await.text();
    assert!(
        caseload.contains(&format!("/enrolments/{}/questions/{rid}", w.enrolment)),
        "{caseload}"
    );
    let marking = assessor
        .get(
            &app,
            &format!("/enrolments/{}/questions/{rid}", w.enrolment),
        )
        .await
        .text();
    assert!(
        marking.contains("With the centre&#x27;s name and mine.")
            || marking.contains("With the centre's name and mine.")
    );
    let result_field = format!("result.{aid}");
    let no_mark = assessor
        .post(
            &app,
            &format!("/enrolments/{}/questions/{rid}/marks", w.enrolment),
            &[("method", "written_questioning")],
        )
        .await;
    assert_eq!(no_mark.status, StatusCode::UNPROCESSABLE_ENTITY);
    let marked = assessor
        .post(
            &app,
            &format!("/enrolments/{}/questions/{rid}/marks", w.enrolment),
            &[
                ("method", "oral_questioning"),
                (&result_field, "satisfactory"),
            ],
        )
        .await;
    assert_eq!(marked.status, StatusCode::SEE_OTHER, "{}", marked.text());
    let progress = app
        .get_as(&w.candidate, &api::enrolment(&w.enrolment).progress())
        .await
        .json();
    assert_eq!(knowledge_status(&progress, "K1"), "met");
}

/// The candidate answers one question typed and one aloud, submitted and marked with comments.
/// Returns the request id and its answer ids.
async fn answered_and_marked(app: &TestApp, w: &World) -> (String, Vec<String>) {
    let set = create_set(app, w).await;
    let sent = send(app, &w.assessor, &w.enrolment, &set).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text());
    let request = sent.json();
    let rid = request["id"].as_str().unwrap().to_owned();
    let answers: Vec<String> = request["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    let base = api::enrolment(&w.enrolment).question_request(&rid);
    let (ctype, body) = file_form("greeting.wav", &wav());
    let up = app
        .send_raw(
            &w.candidate,
            &base.answer_recording(&answers[1]),
            &ctype,
            body,
        )
        .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.text());
    let submitted = app
        .put_as(&w.candidate, &base.answers(), json!({"submit": true, "answers": [
                {"id": answers[0], "text": "I greet them by name as Aroha Whetu from the Harbour line"}]}))
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text());
    let marked = app
        .post_as(&w.assessor, &base.marks(), json!({"answers": [
                {"id": answers[0], "result": "satisfactory", "comment": "Clear about the greeting script"},
                {"id": answers[1], "result": "not_yet", "comment": "The recording is too quiet to hear"},
            ]}))
        .await;
    assert_eq!(marked.status, StatusCode::OK, "{}", marked.text());
    (rid, answers)
}

backend_test!(erasure_removes_the_answers_and_their_recordings_but_keeps_the_marks);
async fn erasure_removes_the_answers_and_their_recordings_but_keeps_the_marks(app: TestApp) {
    let w = app.world("INSCC003").await;
    let (rid, answers) = answered_and_marked(&app, &w).await;
    let files_before = app.count("files");
    let withdrawn = app
        .post_as(
            &w.admin,
            &api::enrolment(&w.enrolment).withdraw(),
            json!({"reason": "left"}),
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.text());
    let erased = app
        .post_as(
            &w.admin,
            &api::org(&w.org).user(&w.candidate_id).erase(),
            json!({"reason": "GDPR art. 17 request"}),
        )
        .await;
    assert_eq!(erased.status, StatusCode::OK, "{}", erased.text());
    assert_eq!(erased.json()["answers_cleared"], 2, "{}", erased.text());

    let base = api::enrolment(&w.enrolment).question_request(&rid);
    let request = app.get_as(&w.admin, &base).await;
    assert_eq!(request.status, StatusCode::OK, "{}", request.text());
    let request = request.json();
    for (answer, result) in request["answers"]
        .as_array()
        .unwrap()
        .iter()
        .zip(["satisfactory", "not_yet"])
    {
        assert!(answer["text"].is_null(), "{answer}");
        assert!(answer["file"].is_null(), "{answer}");
        assert!(answer["comment"].is_null(), "{answer}");
        // The marks and what the questions were stay: the certification record rests on them.
        assert_eq!(answer["result"], result);
        assert!(answer["question"].as_str().unwrap().starts_with("How"));
    }
    assert_eq!(request["status"], "marked");
    assert!(request["evidence_id"].is_string());
    // The recording is gone: its file row (so `files gc` removes the content) and the link.
    assert_eq!(app.count("files"), files_before - 1);
    let played = app
        .get_as(&w.admin, &base.answer_recording(&answers[1]))
        .await;
    assert_eq!(played.status, StatusCode::NOT_FOUND);
    // Nor does the audit trail keep the typed answer, the comments or the recording's name.
    let trail = {
        use attest::db::schema::audit_log;
        use diesel::prelude::*;
        let mut conn = app.state.db.conn().unwrap();
        audit_log::table
            .select((audit_log::before_json, audit_log::after_json))
            .load::<(Option<String>, Option<String>)>(&mut *conn)
            .unwrap()
    };
    let all = format!("{trail:?}");
    for gone in [
        "Harbour line",
        "greeting script",
        "too quiet",
        "greeting.wav",
    ] {
        assert!(!all.contains(gone), "the trail still holds {gone:?}");
    }
}

fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().to_owned(), content)
        })
        .collect()
}

/// The archive's manifest holds the questions with answers, marks and comments, and the recording
/// as a file with its SHA-256; the archive still verifies.
fn check_archive(zip: &[u8], rid: &str) {
    use sha2::Digest;
    let report =
        attest::output::formats::archive::verify_archive(std::io::Cursor::new(zip)).unwrap();
    assert!(report.problems.is_empty(), "{report:?}");
    let entries = unzip(zip);
    let manifest: Value = serde_json::from_slice(&entries["manifest.json"]).unwrap();
    let request = &manifest["questions"][0];
    assert_eq!(request["id"], rid);
    assert_eq!(request["status"], "marked");
    let answers = &request["answers"];
    assert!(
        answers[0]["question"]
            .as_str()
            .unwrap()
            .contains("greet and identify")
    );
    assert!(
        answers[0]["text"]
            .as_str()
            .unwrap()
            .contains("Harbour line")
    );
    assert_eq!(answers[0]["result"], "satisfactory");
    assert_eq!(answers[0]["comment"], "Clear about the greeting script");
    assert_eq!(answers[1]["result"], "not_yet");
    let sha = hex::encode(sha2::Sha256::digest(wav()));
    assert_eq!(answers[1]["file"]["sha256"], sha.as_str());
    let listed = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["sha256"] == sha.as_str())
        .expect("the recording is listed in the manifest")
        .clone();
    assert_eq!(listed["name"], "greeting.wav");
    assert_eq!(entries[listed["path"].as_str().unwrap()], wav());
    let index = String::from_utf8(entries["index.html"].clone()).unwrap();
    assert!(index.contains("<h2>Questions</h2>"), "{index}");
    assert!(index.contains("Clear about the greeting script"));
    assert!(index.contains("greeting.wav"));
}

backend_test!(the_archive_and_the_subject_access_export_hold_the_questions_and_answers);
async fn the_archive_and_the_subject_access_export_hold_the_questions_and_answers(app: TestApp) {
    let w = app.world("INSCC003").await;
    let (rid, _) = answered_and_marked(&app, &w).await;
    let archive = app
        .get_as(&w.candidate, &api::enrolment(&w.enrolment).archive_zip())
        .await;
    assert_eq!(archive.status, StatusCode::OK, "{}", archive.text());
    check_archive(&archive.body, &rid);

    let subject = app
        .get_as(&w.candidate, &api::subject_access_zip(&w.candidate_id))
        .await;
    assert_eq!(subject.status, StatusCode::OK, "{}", subject.text());
    let entries = unzip(&subject.body);
    let inner: Vec<&String> = entries.keys().filter(|k| k.ends_with(".zip")).collect();
    assert_eq!(inner.len(), 1, "{:?}", entries.keys());
    check_archive(&entries[inner[0]], &rid);
}

backend_test!(a_refused_recording_upload_is_refused_before_its_body_is_read);
async fn a_refused_recording_upload_is_refused_before_its_body_is_read(backend: Backend) {
    // Uploads above 2 KB are too large: a body that were read would be refused with 413.
    let app = TestApp::with_max_upload(backend, 2048);
    let w = app.world("INSCC003").await;
    let set = create_set(&app, &w).await;
    let sent = send(&app, &w.assessor, &w.enrolment, &set).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text());
    let request = sent.json();
    let rid = request["id"].as_str().unwrap();
    let answer = request["answers"][0]["id"].as_str().unwrap();
    let url = api::enrolment(&w.enrolment)
        .question_request(rid)
        .answer_recording(answer);
    let mut big = wav();
    big.resize(64 * 1024, 0);
    let away = app.seed_org("Summit Training");
    app.seed_user(&away, "assessor@summit.nz", "assessor");
    let stranger = app.login("assessor@summit.nz").await;
    let files_before = app.count("files");
    let stored_before = app.stored_files();
    for (token, expected) in [
        (&w.assessor, StatusCode::FORBIDDEN),
        (&w.iv, StatusCode::FORBIDDEN),
        (&stranger, StatusCode::NOT_FOUND),
    ] {
        let (ctype, body) = file_form("answer.wav", &big);
        let refused = app.send_raw(token, &url, &ctype, body).await;
        assert_eq!(refused.status, expected, "{}", refused.text());
    }
    // A question not of this request is refused before the body too.
    let (ctype, body) = file_form("answer.wav", &big);
    let wrong = app
        .send_raw(
            &w.candidate,
            &api::enrolment(&w.enrolment)
                .question_request(rid)
                .answer_recording(uuid::Uuid::new_v4()),
            &ctype,
            body,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND, "{}", wrong.text());
    // The page's form too.
    let (ctype, body) = file_form("answer.wav", &big);
    let page = app
        .browser(&w.assessor)
        .post_multipart(
            &app,
            &format!(
                "/enrolments/{}/questions/{rid}/answers/{answer}/recording",
                w.enrolment
            ),
            &ctype,
            body,
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.text());
    assert_eq!(app.count("files"), files_before, "nothing recorded");
    assert_eq!(app.stored_files(), stored_before, "nothing stored");
    // The candidate's own upload is read, and the size limit applies to it.
    let (ctype, body) = file_form("answer.wav", &big);
    let too_large = app.send_raw(&w.candidate, &url, &ctype, body).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    let (ctype, body) = file_form("answer.wav", &wav());
    let stored = app.send_raw(&w.candidate, &url, &ctype, body).await;
    assert_eq!(stored.status, StatusCode::OK, "{}", stored.text());
    assert_eq!(app.count("files"), files_before + 1);
}
