//! Liveness and readiness probes for load balancers and orchestrators.

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::{ApiError, AppState};

/// Alive: the process answers.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Ready: the database answers and its migrations are current; 503 otherwise.
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let db = state.db.clone();
    let status = web::block(move || db.status())
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?
        .map_err(|e| ApiError::Unavailable(format!("database: {e}")))?;
    if !status.is_current() {
        return Err(ApiError::Unavailable(format!(
            "database migrations pending: {}; run `attest migrate`",
            status.pending.join(", ")
        )));
    }
    Ok(HttpResponse::Ok().json(json!({ "status": "ready" })))
}
