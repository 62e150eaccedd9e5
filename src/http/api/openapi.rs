//! The OpenAPI 3 document, generated from the handlers' annotations and then completed with the
//! answers every operation shares (see [`contract`]), so it is the contract clients can test against.

use std::sync::OnceLock;

use actix_web::HttpResponse;
use serde_json::{Value, json};
use utoipa::OpenApi;

use super::{
    archives, audit, auth, credentials, draws, enrolments, exports, orgs, signoff, standards,
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
        orgs::list_assignments, orgs::assign_verifier, orgs::unassign_verifier, orgs::list_witnesses, orgs::approve_witness,
        standards::list, standards::show, standards::preview,
        enrolments::create, enrolments::list, enrolments::show, enrolments::list_evidence,
        enrolments::add_evidence, enrolments::upload, enrolments::download, enrolments::judge,
        enrolments::submit, enrolments::reopen, enrolments::marks, enrolments::progress,
        enrolments::assign_staff, enrolments::withdraw, enrolments::extend_assessment,
        signoff::decide, signoff::chain_view, signoff::sample, signoff::create_plan, signoff::list_plans,
        signoff::show_plan, signoff::list_risks, signoff::set_risk, signoff::show_rates, signoff::set_rates, signoff::issue_statement,
        signoff::statement_pdf, signoff::revoke_statement, signoff::verify, signoff::show_interpretations,
        signoff::set_interpretations,
        exports::list_cohorts, exports::create_cohort, exports::show_cohort, exports::change_members,
        exports::cohort_progress, exports::preview_results, exports::record_batch, exports::list_batches,
        exports::download_batch, exports::reverse_batch, exports::badges,
        archives::enrolment, archives::cohort,
        draws::redraw, draws::record,
        audit::org_trail, audit::org_trail_file, audit::enrolment_trail,
        credentials::credential, credentials::verify_upload, credentials::jwks, credentials::instance_did,
        credentials::org_did, credentials::status_list,
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
    if let Some(form) = doc
        .pointer_mut("/components/schemas/UploadForm")
        .and_then(Value::as_object_mut)
    {
        form.insert("additionalProperties".into(), json!(false));
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
                for status in ["401", "403"] {
                    assert_eq!(
                        responses.contains_key(status),
                        !public,
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
}
