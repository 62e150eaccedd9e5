//! The OpenAPI 3 document, generated from the handlers' annotations.

use actix_web::HttpResponse;
use utoipa::OpenApi;

use super::{archives, auth, credentials, enrolments, exports, orgs, signoff, standards};

/// Every API route with its request and response schemas. A test keeps it in step with the
/// route table.
#[derive(OpenApi)]
#[openapi(
    info(title = "Attest API", description = "Competency assessment and evidence portfolios."),
    paths(
        auth::login, auth::logout, auth::me,
        orgs::show, orgs::list_users, orgs::create_user, orgs::grant, orgs::revoke, orgs::deactivate,
        orgs::list_assignments, orgs::assign_verifier, orgs::unassign_verifier, orgs::list_witnesses, orgs::approve_witness,
        standards::list, standards::show,
        enrolments::create, enrolments::list, enrolments::show, enrolments::list_evidence,
        enrolments::add_evidence, enrolments::upload, enrolments::download, enrolments::judge,
        enrolments::submit, enrolments::reopen, enrolments::marks, enrolments::progress,
        enrolments::assign_staff, enrolments::withdraw,
        signoff::decide, signoff::chain_view, signoff::sample, signoff::create_plan, signoff::list_plans,
        signoff::show_plan, signoff::list_risks, signoff::set_risk, signoff::show_rates, signoff::set_rates, signoff::issue_statement,
        signoff::statement_pdf, signoff::revoke_statement, signoff::verify, signoff::show_interpretations,
        signoff::set_interpretations,
        exports::list_cohorts, exports::create_cohort, exports::show_cohort, exports::change_members,
        exports::cohort_progress, exports::preview_results, exports::record_batch, exports::list_batches,
        exports::download_batch, exports::reverse_batch, exports::badges,
        archives::enrolment, archives::cohort,
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
    HttpResponse::Ok().json(ApiDoc::openapi())
}
