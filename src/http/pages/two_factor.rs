//! Two-factor sign-in on the web: the account page to set it up (QR code, secret, confirmation,
//! recovery codes shown once) or turn it off, and the organisation setting that requires it.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use qrcode::QrCode;
use qrcode::render::svg;
use serde::{Deserialize, Serialize};

use super::form::{Fields, FormState, field_errors};
use super::view::{Html, PageError, PageSession, check_csrf, page_with_status, see_other};
use crate::db::ids::OrgId;
use crate::http::extract::typed_path_id;
use crate::http::session::Session;
use crate::http::{ApiError, AppState};
use crate::identity::actions;
use crate::identity::two_factor::{Enrolment, TwoFactorStatus};

#[derive(Serialize)]
struct TwoFactorView {
    title: &'static str,
    csrf: String,
    status: TwoFactorStatus,
    /// The started enrolment, with its QR code as inline SVG.
    pending: Option<PendingView>,
    /// Recovery codes, on the page that confirms the enrolment only.
    recovery_codes: Vec<String>,
    form: FormState,
    /// Where the user downloads everything held about them (their subject-access export); none
    /// while they must set up two-factor sign-in first, and beside the recovery codes.
    subject_access: Option<String>,
}

#[derive(Serialize)]
struct PendingView {
    secret: String,
    qr_svg: String,
}

/// The QR code of an `otpauth://` URI, as SVG markup the page embeds.
fn qr_svg(uri: &str) -> Result<String, ApiError> {
    let code = QrCode::new(uri.as_bytes()).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

/// `GET /account/two-factor`.
pub async fn show(state: web::Data<AppState>, session: PageSession) -> Html {
    Html(
        render(
            &state,
            &session,
            Vec::new(),
            FormState::default(),
            StatusCode::OK,
        )
        .await,
    )
}

async fn render(
    state: &AppState,
    session: &Session,
    recovery_codes: Vec<String>,
    form: FormState,
    http_status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let for_tx = session.clone();
    let (status, pending) = state
        .db
        .read(move |conn| actions::two_factor_status(conn, &for_tx.acting()))
        .await?;
    let pending = match pending {
        Some(Enrolment {
            secret,
            otpauth_uri,
        }) => Some(PendingView {
            secret,
            qr_svg: qr_svg(&otpauth_uri)?,
        }),
        None => None,
    };
    let recovery_codes_empty = recovery_codes.is_empty();
    let view = TwoFactorView {
        title: "Two-factor sign-in",
        csrf: session.csrf.clone(),
        status,
        pending,
        recovery_codes,
        form,
        subject_access: (recovery_codes_empty && !session.must_enrol)
            .then(|| format!("/api/users/{}/subject-access.zip", session.user_id)),
    };
    page_with_status(
        state,
        Some(session),
        "pages/two_factor.html",
        &view,
        http_status,
    )
}

/// The two-factor form as posted (absent fields are blank).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ChangeForm {
    /// `start`, `confirm` or `disable`.
    step: String,
    /// The six digits (or a recovery code) that confirm or disable.
    code: String,
}

/// An organisation's two-factor requirement as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RequiredForm {
    /// `yes` to require two-factor sign-in of everyone in the organisation.
    required: String,
}

/// `POST /account/two-factor`: `step` is `start`, `confirm` (with `code`) or `disable` (with `code`).
pub async fn change(state: web::Data<AppState>, session: PageSession, fields: Fields) -> Html {
    Html(change_page(&state, &session, fields).await)
}

async fn change_page(
    state: &AppState,
    session: &Session,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let for_tx = session.clone();
    let ChangeForm { step, code } = fields.read()?;
    let outcome = match step.as_str() {
        "start" => {
            state
                .db
                .write(move |conn| {
                    actions::start_two_factor(conn, &for_tx.acting()).map(|_| Vec::new())
                })
                .await
        }
        "confirm" => {
            state
                .db
                .write(move |conn| {
                    actions::confirm_two_factor(conn, &for_tx.acting(), &code)
                        .map(|codes| codes.recovery_codes)
                })
                .await
        }
        "disable" => {
            state
                .db
                .write(move |conn| {
                    actions::disable_two_factor(conn, &for_tx.acting(), &code).map(|()| Vec::new())
                })
                .await
        }
        _ => return Err(ApiError::field("step", "must be start, confirm or disable").into()),
    };
    match outcome {
        Ok(codes) if codes.is_empty() => Ok(see_other("/account/two-factor")),
        Ok(codes) => render(state, session, codes, FormState::default(), StatusCode::OK).await,
        Err(err) => {
            let errors = field_errors(err)?;
            let errors: BTreeMap<String, String> = errors
                .into_iter()
                .map(|(field, reason)| (field, format!("The code {reason}")))
                .collect();
            let form = FormState::again(&fields, errors);
            render(
                state,
                session,
                Vec::new(),
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /orgs/{org_id}/settings/two-factor`: `required` is `yes` to require it of staff.
pub async fn set_required(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(set_required_page(&state, &session, &path, fields).await)
}

async fn set_required_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let org_id: OrgId = typed_path_id(raw_org)?;
    let required = fields.read::<RequiredForm>()?.required == "yes";
    let for_tx = session.clone();
    state
        .db
        .write(move |conn| {
            actions::set_two_factor_required(conn, &for_tx.acting(), org_id, required)
        })
        .await?;
    Ok(see_other(&format!("/orgs/{org_id}/settings")))
}
