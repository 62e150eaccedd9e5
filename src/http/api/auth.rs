//! Signing in and out over the API.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::db::ids::OrgId;
use crate::http::extract::{ValidJson, typed_path_id};
use crate::http::session::{Session, session_cookie};
use crate::http::shared::sign_in::{LoginRequest, LoginResponse, sign_in};
use crate::http::{ApiError, AppState};
use crate::identity::User;
use crate::identity::actions;
use crate::identity::two_factor::{
    CodeRequest, Enrolment, RecoveryCodes, TwoFactorSetting, TwoFactorStatus,
};

/// Checks credentials and returns a token. Wrong email and wrong password get the same answer.
/// Attempts are throttled per email (known or not) and per client address: 429 with `Retry-After`,
/// also when too many sign-ins are being checked at once.
#[utoipa::path(post, path = "/api/auth/login", request_body = LoginRequest, security(()),
    responses((status = 200, body = LoginResponse), (status = 401, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem),
              (status = 429, body = crate::http::error::Problem)))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = sign_in(&state, &req, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(token))
}

/// Ends every session of the signed-in user, on every device.
#[utoipa::path(post, path = "/api/auth/logout",
    responses((status = 204), (status = 401, body = crate::http::error::Problem)))]
pub async fn logout(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, ApiError> {
    state
        .db
        .write(move |conn| actions::sign_out_everywhere(conn, &session.acting()))
        .await?;
    let mut gone = session_cookie("", state.config.secure_cookies);
    gone.make_removal();
    Ok(HttpResponse::NoContent().cookie(gone).finish())
}

/// The signed-in user with their roles.
#[utoipa::path(get, path = "/api/me",
    responses((status = 200, body = User), (status = 401, body = crate::http::error::Problem)))]
pub async fn me(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, ApiError> {
    let user = state
        .db
        .read(move |conn| actions::me(conn, &session.acting()))
        .await?;
    Ok(HttpResponse::Ok().json(user))
}

/// Where the signed-in user's two-factor sign-in stands.
#[utoipa::path(get, path = "/api/me/two-factor",
    responses((status = 200, body = TwoFactorStatus), (status = 401, body = crate::http::error::Problem)))]
pub async fn two_factor_status(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, ApiError> {
    let (status, _) = state
        .db
        .read(move |conn| actions::two_factor_status(conn, &session.acting()))
        .await?;
    Ok(HttpResponse::Ok().json(status))
}

/// Starts setting up two-factor sign-in: a fresh secret for the authenticator app. Confirm it
/// with a code from the app; until then sign-in does not ask for codes.
#[utoipa::path(post, path = "/api/me/two-factor",
    responses((status = 201, body = Enrolment), (status = 401, body = crate::http::error::Problem),
              (status = 409, body = crate::http::error::Problem)))]
pub async fn start_two_factor(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, ApiError> {
    let enrolment = state
        .db
        .write(move |conn| actions::start_two_factor(conn, &session.acting()))
        .await?;
    Ok(HttpResponse::Created().json(enrolment))
}

/// Confirms the enrolment with a code from the app; answers the recovery codes, shown this once.
#[utoipa::path(post, path = "/api/me/two-factor/confirm", request_body = CodeRequest,
    responses((status = 200, body = RecoveryCodes), (status = 401, body = crate::http::error::Problem),
              (status = 409, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
pub async fn confirm_two_factor(
    state: web::Data<AppState>,
    session: Session,
    body: ValidJson<CodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let code = body.into_inner().code;
    let codes = state
        .db
        .write(move |conn| actions::confirm_two_factor(conn, &session.acting(), &code))
        .await?;
    Ok(HttpResponse::Ok().json(codes))
}

/// Turns two-factor sign-in off, with a current code or a recovery code (409 while an
/// organisation requires it).
#[utoipa::path(post, path = "/api/me/two-factor/disable", request_body = CodeRequest,
    responses((status = 204), (status = 401, body = crate::http::error::Problem),
              (status = 409, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
pub async fn disable_two_factor(
    state: web::Data<AppState>,
    session: Session,
    body: ValidJson<CodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let code = body.into_inner().code;
    state
        .db
        .write(move |conn| actions::disable_two_factor(conn, &session.acting(), &code))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Whether the organisation requires two-factor sign-in of its admins, assessors and IVs.
#[utoipa::path(get, path = "/api/orgs/{org_id}/two-factor", params(("org_id" = Uuid, Path)),
    responses((status = 200, body = TwoFactorSetting), (status = 401, body = crate::http::error::Problem),
              (status = 403, body = crate::http::error::Problem), (status = 404, body = crate::http::error::Problem)))]
pub async fn org_two_factor(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let setting = state
        .db
        .read(move |conn| actions::two_factor_setting(conn, &session.acting(), org_id))
        .await?;
    Ok(HttpResponse::Ok().json(setting))
}

/// Requires (or stops requiring) two-factor sign-in of the organisation's admins, assessors and
/// IVs. Those without it are sent to set it up before anything else.
#[utoipa::path(put, path = "/api/orgs/{org_id}/two-factor", params(("org_id" = Uuid, Path)),
    request_body = TwoFactorSetting,
    responses((status = 200, body = TwoFactorSetting), (status = 401, body = crate::http::error::Problem),
              (status = 403, body = crate::http::error::Problem), (status = 404, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn set_org_two_factor(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<TwoFactorSetting>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let required = body.into_inner().required;
    let setting = state
        .db
        .write(move |conn| {
            actions::set_two_factor_required(conn, &session.acting(), org_id, required)
        })
        .await?;
    Ok(HttpResponse::Ok().json(setting))
}
