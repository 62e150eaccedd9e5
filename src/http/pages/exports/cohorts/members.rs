//! Changing a cohort's members: the enrolments ticked to add and to remove.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::show::cohort_page;
use crate::db::ids::{CohortId, EnrolmentId};
use crate::exports::actions;
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::{Fields, FormState, field_errors};
use crate::http::pages::view::{Html, PageError, PageSession, check_csrf, see_other};
use crate::http::session::Session;
use crate::portfolio::cohorts::CohortMembers;

/// The members form as posted: the enrolments ticked to add and to remove.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MembersForm {
    add: Vec<String>,
    remove: Vec<String>,
}

/// The non-blank ticked values, trimmed, in order.
fn ticked(values: &[String]) -> Vec<String> {
    values
        .iter()
        .map(|value| value.trim())
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `POST /cohorts/{id}/enrolments`: ticks `add` and `remove` enrolments.
pub async fn change_members(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(async { change_members_page(&state, &session, typed_path_id(&path)?, fields).await }.await)
}

async fn change_members_page(
    state: &AppState,
    session: &Session,
    cohort_id: CohortId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let form: MembersForm = fields.read()?;
    let (add, remove) = (ticked(&form.add), ticked(&form.remove));
    let ids = |all: &[String]| -> Vec<EnrolmentId> {
        all.iter().filter_map(|t| t.parse().ok()).collect()
    };
    let members = CohortMembers {
        add: ids(&add),
        remove: ids(&remove),
    };
    let for_tx = session.clone();
    let changed = state
        .db
        .write(move |conn| actions::change_members(conn, &for_tx.acting(), cohort_id, &members))
        .await;
    match changed {
        Ok(_) => Ok(see_other(&format!("/cohorts/{cohort_id}"))),
        Err(err) => {
            // Each refusal sits by the checkbox it is about (`add[2]` → the third ticked).
            let errors = field_errors(err)?
                .into_iter()
                .map(|(field, reason)| {
                    let ticked = |name: &str, i: &str| {
                        let i: usize = i.parse().ok()?;
                        let all = match name {
                            "add" => &add,
                            "remove" => &remove,
                            _ => return None,
                        };
                        all.get(i).map(|id| format!("{name}-{id}"))
                    };
                    let anchored = field
                        .strip_suffix(']')
                        .and_then(|f| f.split_once('['))
                        .and_then(|(name, i)| ticked(name, i));
                    match anchored {
                        Some(field) => (field, format!("This enrolment {reason}")),
                        None => (field, reason),
                    }
                })
                .collect();
            let form = FormState::again(&fields, errors);
            let ticked = [add.clone(), remove.clone()].concat();
            cohort_page(state, session, cohort_id, form, ticked).await
        }
    }
}
