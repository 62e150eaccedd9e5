//! THE route table: every path Attest serves, on one screen. The table is data too (`ROUTES`), so
//! tests can check that every route has an OpenAPI entry and an access-matrix row. How the table
//! is registered is in `tree`; what every request is observed with (its span, metrics and id) in
//! `observe`.

mod observe;
mod tree;

use actix_web::web;

use super::api::{
    archives, audit, auth, credentials, draws, enrolments, exports, grids, notify, openapi, orgs,
    people, privacy, question_sets, signoff, standards, time_points,
};
use super::{health, pages};
use observe::RouteLabel;
pub use observe::{RequestSpan, record_metrics, request_id_header};
pub use tree::allowed_methods;

macro_rules! route_table {
    ($($method:ident $path:literal => $handler:path;)*) => {
        /// Every route as (method, path pattern), in registration order.
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        /// How to register each route of [`ROUTES`] (same order) at a pattern relative to the
        /// scope it lands in; the route's full pattern goes with it as its metrics label.
        const REGISTRARS: &[Registrar] = &[$(
            |cfg, relative| {
                cfg.service(
                    web::resource(relative)
                        .guard(actix_web::guard::Method(actix_web::http::Method::$method))
                        .app_data(RouteLabel($path))
                        .to($handler),
                );
            }
        ),*];
    };
}

/// Registers one route at a pattern relative to the scope being configured.
type Registrar = fn(&mut web::ServiceConfig, &str);

route_table! {
    GET    "/healthz"                                       => health::healthz;
    GET    "/readyz"                                        => health::readyz;
    GET    "/static/{name}"                                 => pages::static_file;
    GET    "/"                                              => pages::home;
    GET    "/login"                                         => pages::auth::form;
    POST   "/login"                                         => pages::auth::sign_in;
    POST   "/logout"                                        => pages::auth::sign_out;
    GET    "/account/two-factor"                            => pages::two_factor::show;
    POST   "/account/two-factor"                            => pages::two_factor::change;
    POST   "/orgs/{org_id}/settings/two-factor"             => pages::two_factor::set_required;
    GET    "/standards"                                     => pages::standards::catalogue;
    GET    "/orgs/{org_id}/standards/author"                => pages::standards::author_form;
    POST   "/orgs/{org_id}/standards/author"                => pages::standards::author_check;
    POST   "/orgs/{org_id}/standards/publish"               => pages::standards::publish;
    GET    "/orgs/{org_id}/standards/mappings"              => pages::standards::mappings;
    POST   "/orgs/{org_id}/standards/mappings"              => pages::standards::upload_mapping;
    GET    "/caseload"                                      => pages::assessor::caseload;
    GET    "/caseload/next"                                 => pages::assessor::caseload_next;
    GET    "/enrolments/{id}"                               => pages::portfolio::show;
    GET    "/enrolments/{id}/grid"                          => pages::grids::enrolment;
    POST   "/enrolments/{id}/submit"                        => pages::portfolio::submit;
    POST   "/enrolments/{id}/reopen"                        => pages::portfolio::reopen;
    GET    "/enrolments/{id}/staff"                         => pages::staff::form;
    POST   "/enrolments/{id}/staff"                         => pages::staff::assign;
    POST   "/enrolments/{id}/withdraw"                      => pages::staff::withdraw;
    POST   "/enrolments/{id}/assessment-extension"          => pages::staff::extend;
    GET    "/enrolments/{id}/move"                          => pages::moves::form;
    POST   "/enrolments/{id}/move"                          => pages::moves::confirm;
    POST   "/enrolments/{id}/move/undo"                     => pages::moves::undo;
    GET    "/enrolments/{id}/decision"                      => pages::decision::form;
    POST   "/enrolments/{id}/decision"                      => pages::decision::decide;
    POST   "/enrolments/{id}/marks"                         => pages::decision::marks;
    GET    "/question-sets"                                 => pages::questions::sets;
    GET    "/orgs/{org_id}/question-sets/new"               => pages::questions::new_form;
    POST   "/orgs/{org_id}/question-sets/new"               => pages::questions::create;
    GET    "/question-sets/{set_id}"                        => pages::questions::edit_form;
    POST   "/question-sets/{set_id}"                        => pages::questions::update;
    GET    "/enrolments/{id}/questions"                     => pages::questions::requests;
    POST   "/enrolments/{id}/questions"                     => pages::questions::send;
    GET    "/enrolments/{id}/questions/{request_id}"        => pages::questions::show;
    POST   "/enrolments/{id}/questions/{request_id}/answers" => pages::questions::answer;
    POST   "/enrolments/{id}/questions/{request_id}/answers/{answer_id}/recording" => pages::questions::recording;
    POST   "/enrolments/{id}/questions/{request_id}/marks"  => pages::questions::mark;
    GET    "/enrolments/{id}/evidence/new"                  => pages::evidence::upload_form;
    POST   "/enrolments/{id}/evidence/new"                  => pages::evidence::upload;
    GET    "/enrolments/{id}/testimony/new"                 => pages::evidence::testimony_form;
    POST   "/enrolments/{id}/testimony/new"                 => pages::evidence::testimony;
    GET    "/enrolments/{id}/observations/new"              => pages::observation::observation_form;
    POST   "/enrolments/{id}/observations/new"              => pages::observation::observation;
    GET    "/enrolments/{id}/questioning/new"               => pages::assessor::questioning_form;
    POST   "/enrolments/{id}/questioning/new"               => pages::assessor::questioning;
    GET    "/enrolments/{id}/evidence/{evidence_id}/judge"  => pages::assessor::judge_form;
    POST   "/enrolments/{id}/evidence/{evidence_id}/acknowledge" => pages::portfolio::acknowledge;
    POST   "/enrolments/{id}/evidence/{evidence_id}/judge"  => pages::assessor::judge;
    GET    "/enrolments/{id}/evidence/{evidence_id}/recording" => pages::recording::show;
    POST   "/enrolments/{id}/evidence/{evidence_id}/time-points" => pages::recording::add;
    POST   "/enrolments/{id}/evidence/{evidence_id}/time-points/{point_id}/remove" => pages::recording::remove;
    GET    "/orgs/{org_id}/people"                          => pages::admin::people;
    GET    "/inbox"                                         => pages::inbox::show;
    POST   "/inbox/read"                                    => pages::inbox::read_all;
    POST   "/inbox/{id}/read"                               => pages::inbox::read;
    GET    "/orgs/{org_id}/outbox"                          => pages::inbox::outbox;
    GET    "/witness/{token}"                               => pages::witness::form;
    POST   "/witness/{token}"                               => pages::witness::confirm;
    GET    "/enrolments/{id}/evidence/{evidence_id}/witness" => pages::witness::requests;
    POST   "/enrolments/{id}/evidence/{evidence_id}/witness" => pages::witness::send;
    POST   "/enrolments/{id}/witness-requests/{request_id}/revoke" => pages::witness::revoke;
    POST   "/orgs/{org_id}/people"                          => pages::admin::create_person;
    POST   "/orgs/{org_id}/people/{user_id}/roles"          => pages::admin::grant_role;
    POST   "/orgs/{org_id}/people/{user_id}/deactivate"     => pages::admin::deactivate_person;
    POST   "/orgs/{org_id}/people/{user_id}/invitation"     => pages::people::reinvite;
    GET    "/orgs/{org_id}/people/import"                   => pages::people::import_form;
    POST   "/orgs/{org_id}/people/import"                   => pages::people::import;
    GET    "/invitations/{token}"                           => pages::people::invitation;
    POST   "/invitations/{token}"                           => pages::people::accept;
    GET    "/orgs/{org_id}/enrolments"                      => pages::admin::enrolments;
    POST   "/orgs/{org_id}/enrolments"                      => pages::admin::create_enrolment;
    GET    "/orgs/{org_id}/verification"                    => pages::samples::dashboard;
    GET    "/orgs/{org_id}/sample-queue"                    => pages::samples::queue_page;
    GET    "/orgs/{org_id}/samples"                         => pages::samples::history_page;
    GET    "/enrolments/{id}/sample"                        => pages::samples::sample_form;
    POST   "/enrolments/{id}/sample"                        => pages::samples::sample;
    GET    "/orgs/{org_id}/sampling-plans"                  => pages::plans::list;
    POST   "/orgs/{org_id}/sampling-plans"                  => pages::plans::create;
    GET    "/sampling-plans/{id}"                           => pages::plans::show;
    POST   "/sampling-plans/{id}/draws"                     => pages::plans::redraw;
    GET    "/orgs/{org_id}/audit"                           => pages::audit::org_trail;
    GET    "/enrolments/{id}/audit"                         => pages::audit::enrolment_trail;
    GET    "/orgs/{org_id}/statements"                      => pages::statements::list;
    POST   "/orgs/{org_id}/statements"                      => pages::statements::issue;
    GET    "/enrolments/{id}/statement/revoke"              => pages::statements::revoke_form;
    POST   "/enrolments/{id}/statement/revoke"              => pages::statements::revoke;
    GET    "/orgs/{org_id}/cohorts"                         => pages::exports::cohorts;
    POST   "/orgs/{org_id}/cohorts"                         => pages::exports::create_cohort;
    GET    "/cohorts/{id}"                                  => pages::exports::cohort;
    GET    "/cohorts/{id}/grid"                             => pages::grids::cohort;
    POST   "/cohorts/{id}/enrolments"                       => pages::exports::change_members;
    GET    "/orgs/{org_id}/exports"                         => pages::exports::exports;
    POST   "/orgs/{org_id}/exports"                         => pages::exports::record_batch;
    POST   "/orgs/{org_id}/exports/preview"                 => pages::exports::preview;
    POST   "/orgs/{org_id}/exports/badges"                  => pages::exports::badges;
    POST   "/orgs/{org_id}/export-batches/{id}/reverse"     => pages::exports::reverse_batch;
    GET    "/orgs/{org_id}/settings"                        => pages::settings::overview;
    POST   "/orgs/{org_id}/settings/retention"              => pages::settings::set_retention;
    GET    "/orgs/{org_id}/settings/verifiers"              => pages::settings::verifiers::list;
    POST   "/orgs/{org_id}/settings/verifiers"              => pages::settings::verifiers::assign;
    POST   "/orgs/{org_id}/settings/verifiers/remove"       => pages::settings::verifiers::remove;
    GET    "/orgs/{org_id}/settings/witnesses"              => pages::settings::witnesses::list;
    POST   "/orgs/{org_id}/settings/witnesses"              => pages::settings::witnesses::approve;
    GET    "/orgs/{org_id}/settings/sampling"               => pages::settings::sampling::show;
    POST   "/orgs/{org_id}/settings/sampling/rates"         => pages::settings::sampling::set_rates;
    POST   "/orgs/{org_id}/settings/sampling/assessors/{user_id}" => pages::settings::sampling::set_risk;
    GET    "/orgs/{org_id}/settings/interpretations"        => pages::settings::interpretations::list;
    POST   "/orgs/{org_id}/settings/interpretations/{code}/{version}" => pages::settings::interpretations::save;

    GET    "/api/openapi.json"                              => openapi::document;
    POST   "/api/auth/login"                                => auth::login;
    POST   "/api/auth/logout"                               => auth::logout;
    GET    "/api/me"                                        => auth::me;
    GET    "/api/me/two-factor"                             => auth::two_factor_status;
    GET    "/api/me/next-judgement"                         => enrolments::next_judgement;
    POST   "/api/me/two-factor"                             => auth::start_two_factor;
    POST   "/api/me/two-factor/confirm"                     => auth::confirm_two_factor;
    POST   "/api/me/two-factor/disable"                     => auth::disable_two_factor;
    GET    "/api/orgs/{org_id}/two-factor"                  => auth::org_two_factor;
    PUT    "/api/orgs/{org_id}/two-factor"                  => auth::set_org_two_factor;
    GET    "/api/orgs/{org_id}"                             => orgs::show;
    GET    "/api/orgs/{org_id}/users"                       => orgs::list_users;
    POST   "/api/orgs/{org_id}/users"                       => orgs::create_user;
    POST   "/api/orgs/{org_id}/users/{user_id}/grants"      => orgs::grant;
    DELETE "/api/orgs/{org_id}/users/{user_id}/grants/{role}" => orgs::revoke;
    POST   "/api/orgs/{org_id}/users/{user_id}/deactivate"  => orgs::deactivate;
    POST   "/api/orgs/{org_id}/users/{user_id}/invitation"  => people::reinvite;
    POST   "/api/orgs/{org_id}/people/import"               => people::import_people;
    POST   "/api/invitations/accept"                        => people::accept;
    POST   "/api/orgs/{org_id}/users/{user_id}/erase"       => privacy::erase;
    GET    "/api/users/{user_id}/subject-access.zip"        => privacy::subject_access;
    GET    "/api/orgs/{org_id}/retention"                   => privacy::show;
    PUT    "/api/orgs/{org_id}/retention"                   => privacy::set;
    GET    "/api/orgs/{org_id}/iv-assignments"              => orgs::list_assignments;
    POST   "/api/orgs/{org_id}/iv-assignments"              => orgs::assign_verifier;
    DELETE "/api/orgs/{org_id}/iv-assignments/{iv_id}/{assessor_id}" => orgs::unassign_verifier;
    GET    "/api/orgs/{org_id}/witnesses"                   => orgs::list_witnesses;
    POST   "/api/orgs/{org_id}/witnesses"                   => orgs::approve_witness;
    GET    "/api/me/notifications"                          => notify::inbox;
    POST   "/api/me/notifications/read"                     => notify::mark_all_read;
    POST   "/api/me/notifications/{id}/read"                => notify::mark_read;
    GET    "/api/orgs/{org_id}/outbox"                      => notify::outbox;
    GET    "/api/enrolments/{id}/evidence/{evidence_id}/witness-requests" => notify::list_requests;
    POST   "/api/enrolments/{id}/evidence/{evidence_id}/witness-requests" => notify::request_witness;
    POST   "/api/enrolments/{id}/witness-requests/{request_id}/revoke" => notify::revoke_request;
    GET    "/api/witness/{token}"                           => notify::witness_view;
    POST   "/api/witness/{token}"                           => notify::witness_confirm;
    GET    "/api/standards"                                 => standards::list;
    GET    "/api/standards/{code}/{version}"                => standards::show;
    POST   "/api/orgs/{org_id}/standards/preview"           => standards::preview;
    POST   "/api/orgs/{org_id}/standards"                   => standards::publish;
    POST   "/api/orgs/{org_id}/standard-mappings"           => standards::upload_mapping;
    POST   "/api/enrolments"                                => enrolments::create;
    GET    "/api/enrolments"                                => enrolments::list;
    GET    "/api/enrolments/{id}"                           => enrolments::show;
    GET    "/api/enrolments/{id}/evidence"                  => enrolments::list_evidence;
    POST   "/api/enrolments/{id}/evidence"                  => enrolments::add_evidence;
    POST   "/api/enrolments/{id}/evidence/upload"           => enrolments::upload;
    GET    "/api/enrolments/{id}/evidence/{evidence_id}/file" => enrolments::download;
    POST   "/api/enrolments/{id}/evidence/{evidence_id}/judgements" => enrolments::judge;
    POST   "/api/enrolments/{id}/evidence/{evidence_id}/acknowledgement" => enrolments::acknowledge;
    GET    "/api/enrolments/{id}/acknowledgements"          => enrolments::list_acknowledgements;
    GET    "/api/enrolments/{id}/evidence/{evidence_id}/time-points" => time_points::list;
    POST   "/api/enrolments/{id}/evidence/{evidence_id}/time-points" => time_points::add;
    DELETE "/api/enrolments/{id}/evidence/{evidence_id}/time-points/{point_id}" => time_points::remove;
    GET    "/api/orgs/{org_id}/question-sets"               => question_sets::list_sets;
    POST   "/api/orgs/{org_id}/question-sets"               => question_sets::create_set;
    GET    "/api/question-sets/{set_id}"                    => question_sets::show_set;
    PUT    "/api/question-sets/{set_id}"                    => question_sets::update_set;
    GET    "/api/enrolments/{id}/question-requests"         => question_sets::list_requests;
    POST   "/api/enrolments/{id}/question-requests"         => question_sets::send;
    GET    "/api/enrolments/{id}/question-requests/{request_id}" => question_sets::show_request;
    PUT    "/api/enrolments/{id}/question-requests/{request_id}/answers" => question_sets::answer;
    POST   "/api/enrolments/{id}/question-requests/{request_id}/answers/{answer_id}/recording" => question_sets::upload_recording;
    GET    "/api/enrolments/{id}/question-requests/{request_id}/answers/{answer_id}/recording" => question_sets::download_recording;
    POST   "/api/enrolments/{id}/question-requests/{request_id}/marks" => question_sets::mark;
    POST   "/api/enrolments/{id}/submit"                    => enrolments::submit;
    POST   "/api/enrolments/{id}/reopen"                    => enrolments::reopen;
    PUT    "/api/enrolments/{id}/marks"                     => enrolments::marks;
    PUT    "/api/enrolments/{id}/staff"                     => enrolments::assign_staff;
    POST   "/api/enrolments/{id}/withdraw"                  => enrolments::withdraw;
    POST   "/api/enrolments/{id}/assessment-extension"      => enrolments::extend_assessment;
    POST   "/api/enrolments/{id}/move/preview"              => enrolments::move_preview;
    POST   "/api/enrolments/{id}/move"                      => enrolments::move_version;
    POST   "/api/enrolments/{id}/move/undo"                 => enrolments::undo_move;
    GET    "/api/enrolments/{id}/progress"                  => enrolments::progress;
    GET    "/api/enrolments/{id}/grid"                      => grids::enrolment;
    GET    "/api/enrolments/{id}/archive.zip"               => archives::enrolment;
    POST   "/api/enrolments/{id}/decision"                  => signoff::decide;
    GET    "/api/enrolments/{id}/signoffs"                  => signoff::chain_view;
    POST   "/api/enrolments/{id}/iv-response"               => signoff::respond;
    POST   "/api/enrolments/{id}/samples"                   => signoff::sample;
    POST   "/api/enrolments/{id}/statement"                 => signoff::issue_statement;
    GET    "/api/enrolments/{id}/statement"                 => signoff::show_statement;
    GET    "/api/enrolments/{id}/statement.pdf"             => signoff::statement_pdf;
    POST   "/api/enrolments/{id}/statement/revoke"          => signoff::revoke_statement;
    POST   "/api/orgs/{org_id}/sampling-plans"              => signoff::create_plan;
    GET    "/api/orgs/{org_id}/sampling-plans"              => signoff::list_plans;
    GET    "/api/sampling-plans/{id}"                       => signoff::show_plan;
    POST   "/api/sampling-plans/{id}/draws"                 => draws::redraw;
    GET    "/api/orgs/{org_id}/audit"                       => audit::org_trail;
    GET    "/api/orgs/{org_id}/audit/export"                => audit::org_trail_file;
    GET    "/api/enrolments/{id}/audit"                     => audit::enrolment_trail;
    GET    "/api/sampling-plans/{id}/draws/{draw_id}"       => draws::record;
    GET    "/api/orgs/{org_id}/assessors/risk"              => signoff::list_risks;
    PUT    "/api/orgs/{org_id}/assessors/{user_id}/risk"    => signoff::set_risk;
    GET    "/api/orgs/{org_id}/sampling-rates"              => signoff::show_rates;
    PUT    "/api/orgs/{org_id}/sampling-rates"              => signoff::set_rates;
    GET    "/api/orgs/{org_id}/interpretations/{code}/{version}" => signoff::show_interpretations;
    PUT    "/api/orgs/{org_id}/interpretations/{code}/{version}" => signoff::set_interpretations;
    GET    "/api/orgs/{org_id}/cohorts"                     => exports::list_cohorts;
    POST   "/api/orgs/{org_id}/cohorts"                     => exports::create_cohort;
    GET    "/api/cohorts/{id}"                              => exports::show_cohort;
    POST   "/api/cohorts/{id}/enrolments"                   => exports::change_members;
    GET    "/api/cohorts/{id}/progress"                     => exports::cohort_progress;
    GET    "/api/cohorts/{id}/grid"                         => grids::cohort;
    GET    "/api/cohorts/{id}/archives.zip"                 => archives::cohort;
    GET    "/api/orgs/{org_id}/results"                     => exports::preview_results;
    POST   "/api/orgs/{org_id}/export-batches"              => exports::record_batch;
    GET    "/api/orgs/{org_id}/export-batches"              => exports::list_batches;
    GET    "/api/export-batches/{id}/download"              => exports::download_batch;
    POST   "/api/export-batches/{id}/reverse"               => exports::reverse_batch;
    GET    "/api/orgs/{org_id}/badges"                      => exports::badges;
    GET    "/api/enrolments/{id}/credential.json"           => credentials::credential;
    GET    "/verify"                                        => signoff::verify_form;
    POST   "/verify"                                        => credentials::verify_upload;
    GET    "/.well-known/jwks.json"                         => credentials::jwks;
    GET    "/.well-known/did.json"                          => credentials::instance_did;
    GET    "/orgs/{org_id}/did.json"                        => credentials::org_did;
    GET    "/credentials/status/{org_id}"                   => credentials::status_list;
    GET    "/verify/{code}"                                 => signoff::verify;
}

/// Registers every route, and the fallback for unknown paths.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let routes = ROUTES
        .iter()
        .zip(REGISTRARS)
        .map(|((_, path), registrar)| (*path, *registrar))
        .collect();
    tree::register_level(cfg, routes);
    cfg.default_service(web::to(tree::fallback));
}
