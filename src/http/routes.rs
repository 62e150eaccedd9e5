//! THE route table: every path Attest serves, on one screen. The table is data too (`ROUTES`), so
//! tests can check that every route has an OpenAPI entry and an access-matrix row.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use tracing_actix_web::RequestId;

use super::api::{auth, openapi, orgs};
use super::{health, pages};

macro_rules! route_table {
    ($($method:ident $path:literal => $handler:path;)*) => {
        /// Every route as (method, path pattern), in registration order.
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        fn register(cfg: &mut web::ServiceConfig) {
            $(cfg.route($path, web::method(actix_web::http::Method::$method).to($handler));)*
        }
    };
}

route_table! {
    GET    "/healthz"                                       => health::healthz;
    GET    "/readyz"                                        => health::readyz;
    GET    "/static/{name}"                                 => pages::static_file;
    GET    "/"                                              => pages::home;

    GET    "/api/openapi.json"                              => openapi::document;
    POST   "/api/auth/login"                                => auth::login;
    POST   "/api/auth/logout"                               => auth::logout;
    GET    "/api/me"                                        => auth::me;
    GET    "/api/orgs/{org_id}"                             => orgs::show;
    GET    "/api/orgs/{org_id}/users"                       => orgs::list_users;
    POST   "/api/orgs/{org_id}/users"                       => orgs::create_user;
    POST   "/api/orgs/{org_id}/users/{user_id}/grants"      => orgs::grant;
    DELETE "/api/orgs/{org_id}/users/{user_id}/grants/{role}" => orgs::revoke;
    POST   "/api/orgs/{org_id}/users/{user_id}/deactivate"  => orgs::deactivate;
    POST   "/api/orgs/{org_id}/iv-assignments"              => orgs::assign_verifier;
}

/// Registers every route, and the fallback for unknown paths.
pub fn configure(cfg: &mut web::ServiceConfig) {
    register(cfg);
    cfg.default_service(web::to(pages::not_found));
}

/// Echoes the request id that tracing logged, so a user's report can be matched to the log.
pub async fn request_id_header(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    let mut response = next.call(req).await?;
    if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    Ok(response)
}
