//! The enrolments a person may see, filtered and one page at a time.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Enrolment;
use crate::action::{ActionError, Problems};
use crate::auth::policy::{EnrolmentScope, EnrolmentStatus};
use crate::db::DbConnection;
use crate::db::schema::enrolments;

/// The last page number a client may ask for (the largest 32-bit signed integer, as documented).
pub(super) const MAX_PAGE: u32 = i32::MAX as u32;

/// Filters for the enrolment list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EnrolmentFilter {
    /// The organisation (required when the user belongs to several).
    pub org_id: Option<Uuid>,
    /// Only this status.
    pub status: Option<String>,
    /// Only this standard code.
    pub standard: Option<String>,
    /// Only this assessor.
    pub assessor_id: Option<Uuid>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// A page of enrolments.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnrolmentPage {
    /// The enrolments on this page, newest first.
    pub items: Vec<Enrolment>,
    /// This page.
    pub page: u32,
    /// Items per page.
    pub per_page: u32,
    /// Matching enrolments in all.
    pub total: i64,
}

/// The enrolments in `scope` that match `filter`, a page at a time.
pub fn list_enrolments(
    conn: &mut DbConnection,
    scope: &EnrolmentScope,
    filter: &EnrolmentFilter,
) -> Result<EnrolmentPage, ActionError> {
    let mut problems = Problems::default();
    let status = filter
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(status) = status {
        if !EnrolmentStatus::ALL.iter().any(|s| s.as_str() == status) {
            problems.add(
                "status",
                "must be active, submitted, assessed, sampled, certified or withdrawn",
            );
        }
    }
    let per_page = filter.per_page.unwrap_or(50);
    if !(1..=200).contains(&per_page) {
        problems.add("per_page", "must be between 1 and 200");
    }
    let page = filter.page.unwrap_or(1);
    if page == 0 || page > MAX_PAGE {
        problems.add("page", "must be between 1 and 2147483647");
    }
    problems.finish()?;

    let query = || {
        let mut query = enrolments::table
            .filter(enrolments::org_id.eq(scope.org_id.to_string()))
            .into_boxed();
        if !scope.whole_org {
            let mut ids: Vec<String> = scope
                .verified_assessors
                .iter()
                .map(Uuid::to_string)
                .collect();
            if let Some(assessor) = scope.assessor_id {
                ids.push(assessor.to_string());
            }
            let candidate = scope
                .candidate_id
                .map(|id| id.to_string())
                .unwrap_or_default();
            let iv = scope.iv_id.map(|id| id.to_string()).unwrap_or_default();
            query = query.filter(
                enrolments::candidate_id
                    .eq(candidate)
                    .or(enrolments::iv_id.eq(iv))
                    .or(enrolments::assessor_id.eq_any(ids)),
            );
        }
        if let Some(status) = status {
            query = query.filter(enrolments::status.eq(status.to_owned()));
        }
        if let Some(code) = filter.standard.as_deref().filter(|s| !s.trim().is_empty()) {
            query = query.filter(enrolments::standard_code.eq(code.trim().to_owned()));
        }
        if let Some(assessor) = filter.assessor_id {
            query = query.filter(enrolments::assessor_id.eq(assessor.to_string()));
        }
        query
    };
    let total: i64 = query().count().get_result(conn)?;
    let items = query()
        .order((enrolments::created_at.desc(), enrolments::id))
        .limit(i64::from(per_page))
        .offset(i64::from(page - 1) * i64::from(per_page))
        .select(Enrolment::as_select())
        .load(conn)?;
    Ok(EnrolmentPage {
        items,
        page,
        per_page,
        total,
    })
}
