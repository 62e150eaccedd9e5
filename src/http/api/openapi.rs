//! The OpenAPI 3 document, generated from the handlers' annotations and then completed with the
//! answers every operation shares (see [`contract`]), so it is the contract clients can test against.

use std::sync::OnceLock;

use actix_web::HttpResponse;
use serde_json::{Value, json};
use utoipa::OpenApi;

use super::{
    archives, audit, auth, credentials, draws, enrolments, exports, grids, notify, orgs, people,
    privacy, question_sets, signoff, standards, time_points,
};

/// Every API route with its request and response schemas. A test keeps it in step with the
/// route table.
#[derive(OpenApi)]
#[openapi(
    info(title = "Attest API", description = "Competency assessment and evidence portfolios."),
    paths(
        auth::login, auth::logout, auth::me,
        auth::two_factor_status, auth::start_two_factor, auth::confirm_two_factor, auth::disable_two_factor,
        auth::org_two_factor, auth::set_org_two_factor,
        orgs::show, orgs::list_users, orgs::create_user, orgs::grant, orgs::revoke, orgs::deactivate,
        people::import_people, people::reinvite, people::accept,
        orgs::list_assignments, orgs::assign_verifier, orgs::unassign_verifier, orgs::list_witnesses, orgs::approve_witness,
        standards::list, standards::show, standards::preview, standards::publish, standards::upload_mapping,
        notify::inbox, notify::mark_read, notify::mark_all_read, notify::outbox,
        notify::list_requests, notify::request_witness, notify::revoke_request,
        notify::witness_view, notify::witness_confirm,
        enrolments::create, enrolments::list, enrolments::show, enrolments::list_evidence,
        enrolments::add_evidence, enrolments::upload, enrolments::download, enrolments::judge, enrolments::next_judgement,
        enrolments::submit, enrolments::reopen, enrolments::marks, enrolments::progress,
        enrolments::assign_staff, enrolments::withdraw, enrolments::acknowledge, enrolments::list_acknowledgements,
        enrolments::extend_assessment, enrolments::move_preview, enrolments::move_version, enrolments::undo_move,
        time_points::list, time_points::add, time_points::remove,
        grids::enrolment, grids::cohort,
        question_sets::list_sets, question_sets::create_set, question_sets::show_set, question_sets::update_set,
        question_sets::list_requests, question_sets::send, question_sets::show_request, question_sets::answer,
        question_sets::upload_recording, question_sets::download_recording, question_sets::mark,
        signoff::decide, signoff::respond, signoff::show_statement, signoff::chain_view, signoff::sample, signoff::create_plan, signoff::list_plans,
        signoff::show_plan, signoff::list_risks, signoff::set_risk, signoff::show_rates, signoff::set_rates, signoff::issue_statement,
        signoff::statement_pdf, signoff::revoke_statement, signoff::verify_form, signoff::verify, signoff::show_interpretations,
        signoff::set_interpretations,
        exports::list_cohorts, exports::create_cohort, exports::show_cohort, exports::change_members,
        exports::cohort_progress, exports::preview_results, exports::record_batch, exports::list_batches,
        exports::download_batch, exports::reverse_batch, exports::badges,
        archives::enrolment, archives::cohort,
        draws::redraw, draws::record,
        audit::org_trail, audit::org_trail_file, audit::enrolment_trail,
        credentials::credential, credentials::verify_upload, credentials::jwks, credentials::instance_did,
        credentials::org_did, credentials::status_list,
        privacy::show, privacy::set, privacy::erase, privacy::subject_access,
        document,
    ),
    components(schemas(crate::http::error::Problem)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        openapi.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", security(()), responses((status = 200, description = "OpenAPI 3 document")))]
pub async fn document() -> HttpResponse {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    HttpResponse::Ok().json(DOCUMENT.get_or_init(contract))
}

/// The answers an operation can give besides its own, by status: each is a problem document.
const SHARED: &[(&str, &str)] = &[
    (
        "400",
        "The body could not be read (e.g. a broken multipart form)",
    ),
    ("401", "No valid token: sign in first"),
    ("403", "Signed in, but not allowed to do this"),
    ("404", "Not there, or not visible to this user"),
    (
        "409",
        "Conflicts with the current state (e.g. a locked portfolio)",
    ),
    ("413", "The body is larger than allowed"),
    (
        "415",
        "The body is not of the media type this operation takes",
    ),
    (
        "422",
        "Invalid input: `errors` names each field and the reason",
    ),
];

/// Text the server takes: no control character but tab and line breaks (see
/// `extract::check_text`), as a pattern a client can check before sending.
pub const TEXT_PATTERN: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";

/// Request fields that take one word of a fixed list, which the generated schemas give as any
/// string: (schema, property, words). A test parses every word as the server does.
const VOCABULARIES: &[(&str, &str, &[&str])] = &[
    ("NewEvidence", "method", METHODS),
    ("NewEvidence", "setting", &["workplace", "simulation"]),
    ("JudgementInput", "judgement", JUDGEMENTS),
    ("NewPlan", "kind", &["interim", "summative"]),
    ("NewUser", "role", ROLES),
    ("GrantRequest", "role", ROLES),
    ("RiskRequest", "risk", &["new", "low", "medium", "high"]),
    ("SampleDecision", "decision", &["agree", "disagree"]),
    ("ResultsQuery", "format", RESULTS_FORMATS),
];

const METHODS: &[&str] = &[
    "observation_checklist",
    "witness_testimony",
    "electronic_data_record",
    "oral_questioning",
    "written_questioning",
    "product_evidence",
    "professional_discussion",
];
const JUDGEMENTS: &[&str] = &["pending", "accepted", "rejected"];
const ROLES: &[&str] = &[
    "candidate",
    "assessor",
    "internal_verifier",
    "provider_admin",
    "external_verifier",
    "standards_editor",
];

/// Parameters that take one word of a fixed list: (name, where, words).
const PARAMETER_VOCABULARIES: &[(&str, &str, &[&str])] = &[
    ("role", "path", ROLES),
    ("format", "query", RESULTS_FORMATS),
    ("status", "query", ENROLMENT_STATUSES),
];

const ENROLMENT_STATUSES: &[&str] = &[
    "active",
    "submitted",
    "assessed",
    "sampled",
    "certified",
    "withdrawn",
];

const RESULTS_FORMATS: &[&str] = &["csv", "json", "nzqa"];

/// Gives the fields of [`VOCABULARIES`] and [`PARAMETER_VOCABULARIES`] their list of words, and
/// says that an upload form has no parts but its own.
fn closed_vocabularies(doc: &mut Value) {
    for (schema, property, words) in VOCABULARIES {
        let pointer = format!("/components/schemas/{schema}/properties/{property}");
        if let Some(at) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) {
            at.insert("enum".into(), json!(words));
        }
    }
    for name in ["UploadForm", "VerifyForm"] {
        if let Some(form) = doc
            .pointer_mut(&format!("/components/schemas/{name}"))
            .and_then(Value::as_object_mut)
        {
            form.insert("additionalProperties".into(), json!(false));
        }
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let parameters = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.get_mut("parameters").and_then(Value::as_array_mut))
        .flatten();
    for parameter in parameters {
        for (name, place, words) in PARAMETER_VOCABULARIES {
            if parameter["name"] == *name && parameter["in"] == *place {
                if let Some(schema) = parameter.get_mut("schema").and_then(Value::as_object_mut) {
                    schema.insert("enum".into(), json!(words));
                }
            }
        }
    }
}

/// Gives every free-text string schema (no format, enum or pattern of its own) [`TEXT_PATTERN`],
/// and every map its keys' pattern, at any depth.
fn plain_text(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let is_string = match map.get("type") {
                Some(Value::String(t)) => t == "string",
                Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
                _ => false,
            };
            let free = !["format", "enum", "pattern", "const"]
                .iter()
                .any(|k| map.contains_key(*k));
            if is_string && free {
                map.insert("pattern".into(), json!(TEXT_PATTERN));
            }
            if map.contains_key("additionalProperties") && !map.contains_key("propertyNames") {
                map.insert("propertyNames".into(), json!({ "pattern": TEXT_PATTERN }));
            }
            map.values_mut().for_each(plain_text);
        }
        Value::Array(items) => items.iter_mut().for_each(plain_text),
        _ => {}
    }
}

/// A header is not text the server stores or checks (HTTP already keeps NUL out of it, and an
/// entity tag may hold any byte from 0x80 up): its schema is any string, not [`TEXT_PATTERN`].
fn headers_as_sent(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let headers = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.get_mut("parameters").and_then(Value::as_array_mut))
        .flatten()
        .filter(|p| p["in"] == "header");
    for parameter in headers {
        if let Some(schema) = parameter.get_mut("schema").and_then(Value::as_object_mut) {
            schema.remove("pattern");
        }
    }
}

/// A schema flattened into another (`#[serde(flatten)]`, an `allOf` member) cannot forbid the
/// other's properties: `additionalProperties: false` (from `deny_unknown_fields`, which is for
/// reading it on its own) is dropped from it, or no answer could match the whole.
fn flattened_open(doc: &mut Value) {
    fn members(value: &Value, names: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Array(all)) = map.get("allOf") {
                    names.extend(
                        all.iter()
                            .filter_map(|m| m["$ref"].as_str())
                            .filter_map(|r| r.strip_prefix("#/components/schemas/"))
                            .map(str::to_owned),
                    );
                }
                map.values().for_each(|v| members(v, names));
            }
            Value::Array(items) => items.iter().for_each(|v| members(v, names)),
            _ => {}
        }
    }
    fn open_inline(value: &mut Value) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Array(all)) = map.get_mut("allOf") {
                    for member in all.iter_mut().filter_map(Value::as_object_mut) {
                        if member.get("additionalProperties") == Some(&json!(false)) {
                            member.remove("additionalProperties");
                        }
                    }
                }
                map.values_mut().for_each(open_inline);
            }
            Value::Array(items) => items.iter_mut().for_each(open_inline),
            _ => {}
        }
    }
    let mut names = Vec::new();
    members(doc, &mut names);
    open_inline(doc);
    for name in &names {
        if let Some(schema) = doc
            .pointer_mut(&format!("/components/schemas/{name}"))
            .and_then(Value::as_object_mut)
        {
            if schema.get("additionalProperties") == Some(&json!(false)) {
                schema.remove("additionalProperties");
            }
        }
    }
}

/// The generated document, completed so that it says everything the server can answer:
/// - every error answer is `application/problem+json` with the `Problem` schema (RFC 9457);
/// - every signed-in operation can answer 401 and 403; every operation with path parameters, and
///   every signed-in one with any input (an id in a query or body that matches nothing), 404;
///   every operation with parameters or a body 422 (a query value or path with a control
///   character is refused before routing); every write 409; every operation with a body 400, 413
///   and 415.
pub fn contract() -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    closed_vocabularies(&mut doc);
    plain_text(&mut doc);
    headers_as_sent(&mut doc);
    flattened_open(&mut doc);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, operation) in item.iter_mut() {
                complete(path, method, operation);
            }
        }
    }
    doc
}

fn complete(path: &str, method: &str, operation: &mut Value) {
    let public = operation["security"] == json!([{}]);
    let has_params = operation["parameters"]
        .as_array()
        .is_some_and(|p| !p.is_empty());
    let has_body = operation.get("requestBody").is_some();
    let writes = matches!(method, "post" | "put" | "patch" | "delete");
    // A query parameter is absent or has a value: JSON's null has no place in a URL.
    if let Some(parameters) = operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
    {
        for parameter in parameters.iter_mut().filter(|p| p["in"] == "query") {
            if let Some(types) = parameter["schema"]["type"].as_array() {
                let types: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
                parameter["schema"]["type"] = match types.as_slice() {
                    [one] => one.clone(),
                    _ => Value::Array(types),
                };
            }
        }
    }
    // A page for people answers its errors as a page too, unless JSON was asked for.
    let html = operation["responses"]["200"]["content"]
        .get("text/html")
        .cloned();
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (status, response) in responses.iter_mut() {
        if status.starts_with('4') || status.starts_with('5') {
            response["content"] = problem_content();
            if html.is_some() {
                response["content"]["text/html"] = json!({ "schema": { "type": "string" } });
            }
        }
    }
    for (status, description) in SHARED {
        let applies = match *status {
            "401" | "403" => !public,
            "404" => path.contains('{') || ((has_body || has_params) && !public),
            "409" => writes && !public,
            "422" => has_params || has_body,
            _ => has_body,
        };
        if applies && !responses.contains_key(*status) {
            responses.insert(
                (*status).to_owned(),
                json!({ "description": description, "content": problem_content() }),
            );
        }
    }
}

fn problem_content() -> Value {
    json!({ "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_word_is_one_the_server_takes() {
        use crate::auth::policy::Role;
        for role in ROLES {
            assert!(role.parse::<Role>().is_ok(), "{role}");
        }
        assert_eq!(ROLES.len(), Role::ALL.len());
        let statuses: Vec<&str> = crate::auth::policy::EnrolmentStatus::ALL
            .iter()
            .map(|s| s.as_str())
            .collect();
        assert_eq!(statuses, ENROLMENT_STATUSES);
        for method in METHODS {
            assert!(
                serde_json::from_value::<crate::standards::rule::Method>(json!(method)).is_ok()
            );
        }
        for judgement in JUDGEMENTS {
            assert!(
                serde_json::from_value::<crate::rules::portfolio::Judgement>(json!(judgement))
                    .is_ok()
            );
        }
        let doc = contract();
        for (schema, property, words) in VOCABULARIES {
            assert_eq!(
                doc["components"]["schemas"][*schema]["properties"][*property]["enum"],
                json!(words),
                "{schema}.{property} is in the document"
            );
        }
    }

    #[test]
    fn every_error_is_a_documented_problem() {
        let doc = contract();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let responses = op["responses"].as_object().unwrap();
                let public = op["security"] == json!([{}]);
                // Public operations may answer 401 of their own (a wrong password at sign-in).
                for status in ["401", "403"] {
                    assert!(
                        public || responses.contains_key(status),
                        "{method} {path} {status}"
                    );
                }
                for (status, response) in responses.iter().filter(|(s, _)| s.as_str() >= "400") {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }

    /// Two types with one schema name make one silently stand for the other in the document (a
    /// two-factor enrolment once answered as a portfolio's): every `ToSchema` type in the source
    /// has its own name (`#[schema(as = …)]` renames one).
    #[test]
    fn every_schema_name_is_one_type() {
        fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    rust_files(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        rust_files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let mut names = std::collections::BTreeMap::<String, Vec<String>>::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            for (at, line) in lines.iter().enumerate() {
                if !(line.contains("derive(") && line.contains("ToSchema")) {
                    continue;
                }
                let mut alias = None;
                for next in lines.iter().skip(at).take(15) {
                    if let Some(rest) = next.trim().strip_prefix("#[schema(") {
                        if let Some(name) = rest.split("as = ").nth(1) {
                            alias = Some(
                                name.split(|c: char| !c.is_alphanumeric() && c != '_')
                                    .next()
                                    .unwrap()
                                    .to_owned(),
                            );
                        }
                    }
                    let words: Vec<&str> = next.split_whitespace().collect();
                    if let Some(i) = words.iter().position(|w| *w == "struct" || *w == "enum") {
                        let name = words[i + 1]
                            .split(|c: char| !c.is_alphanumeric() && c != '_')
                            .next()
                            .unwrap()
                            .to_owned();
                        names
                            .entry(alias.take().unwrap_or(name))
                            .or_default()
                            .push(file.display().to_string());
                        break;
                    }
                }
            }
        }
        assert!(names.len() > 20, "the scan finds the schemas: {names:?}");
        let shared: Vec<_> = names.iter().filter(|(_, at)| at.len() > 1).collect();
        assert!(
            shared.is_empty(),
            "one schema name, several types: {shared:?}"
        );
    }
}
