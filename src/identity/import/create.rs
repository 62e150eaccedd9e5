//! Creating the people read: each row in its own savepoint (so one bad row is named and the rest
//! still checked), all kept or none, a dry run rolled back.

use chrono::{DateTime, Utc};
use diesel::Connection;

use super::{ImportError, ImportProblem, ImportReport, ImportRow, ImportedPerson};
use crate::action::ActionError;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{Id, OrgId};
use crate::identity::invitations;
use crate::portfolio::{self, NewEnrolment, cohorts};

/// Creates every row's candidate (audited, each with an invitation), enrols them and puts them in
/// their cohort, all or nothing. With `dry_run` the same work is done and rolled back.
pub fn import_people(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    actor_id: Option<&str>,
    org_id: OrgId,
    rows: &[ImportRow],
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    let outcome = conn.transaction(|conn| {
        let mut people = Vec::with_capacity(rows.len());
        let mut problems = Vec::new();
        for row in rows {
            // A savepoint per row: a refused row leaves nothing behind, and the rows after it are
            // still checked, so one run names every problem.
            match conn.transaction(|conn| import_row(conn, catalogue, actor_id, org_id, row, now)) {
                Ok(person) => people.push(person),
                Err(ImportError::Rows(found)) => problems.extend(found),
                Err(other) => return Err(other),
            }
        }
        if !problems.is_empty() {
            return Err(ImportError::Rows(problems));
        }
        if dry_run {
            return Err(ImportError::Action(ActionError::Conflict(DRY_RUN.into())));
        }
        Ok(people)
    });
    match outcome {
        Ok(people) => Ok(ImportReport {
            dry_run: false,
            people,
        }),
        Err(ImportError::Action(ActionError::Conflict(reason))) if dry_run && reason == DRY_RUN => {
            let people = rows
                .iter()
                .map(|row| ImportedPerson {
                    line: row.line,
                    name: row.name.trim().to_owned(),
                    email: row.email.trim().to_lowercase(),
                    enrolment_id: None,
                    invitation: None,
                })
                .collect();
            Ok(ImportReport {
                dry_run: true,
                people,
            })
        }
        Err(err) => Err(err),
    }
}

/// The marker a dry run rolls back with (never shown).
const DRY_RUN: &str = "dry run: roll back";

fn import_row(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    actor_id: Option<&str>,
    org_id: OrgId,
    row: &ImportRow,
    now: DateTime<Utc>,
) -> Result<ImportedPerson, ImportError> {
    let on_row = |field: &str, reason: String| ImportProblem {
        line: row.line,
        field: field.to_owned(),
        reason,
    };
    let mut problems = Vec::new();
    let assessor = staff_id(
        conn,
        org_id,
        row.assessor.as_deref(),
        "assessor",
        &mut problems,
        row,
    )?;
    let iv = staff_id(conn, org_id, row.iv.as_deref(), "iv", &mut problems, row)?;
    let cohort = match &row.cohort {
        None => None,
        Some(name) => match cohorts::find_cohort(conn, org_id, name) {
            Ok(cohort) => Some(cohort),
            Err(ActionError::NotFound) => {
                problems.push(on_row(
                    "cohort",
                    format!("no cohort named \"{name}\" in this organisation: create it first"),
                ));
                None
            }
            Err(other) => return Err(other.into()),
        },
    };
    if cohort.is_some() && row.standard.is_none() {
        problems.push(on_row(
            "cohort",
            "a cohort holds enrolments: give the standard too".into(),
        ));
    }
    let new = crate::identity::NewUser {
        email: row.email.clone(),
        name: row.name.clone(),
        password: None,
        role: "candidate".into(),
        national_learner_number: row.learner_number.clone(),
    };
    let user = match crate::identity::create_user(conn, actor_id, org_id, new) {
        Ok(user) => Some(user),
        Err(ActionError::Invalid(fields)) => {
            problems.extend(fields.into_iter().map(|(field, reason)| {
                let column = match field.as_str() {
                    "national_learner_number" => "learner_number",
                    other => other,
                };
                on_row(column, reason)
            }));
            None
        }
        Err(other) => return Err(other.into()),
    };
    let (Some(user), true) = (user, problems.is_empty()) else {
        return Err(ImportError::Rows(problems));
    };
    let mut enrolment_id = None;
    if let Some(standard) = &row.standard {
        let new = NewEnrolment {
            org_id: org_id.uuid(),
            candidate_id: user.id.into(),
            assessor_id: assessor,
            iv_id: iv,
            standard: standard.clone(),
            start_date: None,
        };
        let enrolment = portfolio::create_enrolment(conn, catalogue, actor_id, new, now)
            .map_err(|err| enrolment_problems(err, &on_row))?;
        if let Some(cohort) = &cohort {
            let members = cohorts::CohortMembers {
                add: vec![enrolment.id],
                remove: Vec::new(),
            };
            cohorts::change_members(conn, actor_id, cohort, &members).map_err(|err| match err {
                ActionError::Invalid(fields) => ImportError::Rows(
                    fields
                        .into_values()
                        .map(|reason| on_row("cohort", format!("the enrolment {reason}")))
                        .collect(),
                ),
                other => other.into(),
            })?;
        }
        enrolment_id = Some(enrolment.id.to_string());
    } else if assessor.is_some() || iv.is_some() {
        return Err(ImportError::Rows(vec![on_row(
            if assessor.is_some() { "assessor" } else { "iv" },
            "an assessor or IV is assigned to an enrolment: give the standard too".into(),
        )]));
    }
    let invitation = invitations::invite(conn, actor_id, user.id, now)?;
    Ok(ImportedPerson {
        line: row.line,
        name: user.name,
        email: user.email,
        enrolment_id,
        invitation: Some(invitation),
    })
}

fn enrolment_problems(
    err: ActionError,
    on_row: &impl Fn(&str, String) -> ImportProblem,
) -> ImportError {
    match err {
        ActionError::Invalid(fields) => ImportError::Rows(
            fields
                .into_iter()
                .map(|(field, reason)| {
                    let column = match field.as_str() {
                        "assessor_id" => "assessor",
                        "iv_id" => "iv",
                        "candidate_id" => "email",
                        other => other,
                    };
                    on_row(column, reason)
                })
                .collect(),
        ),
        other => other.into(),
    }
}

/// The id of the person `email` names, for a staff column; unknown emails are a problem of the row.
fn staff_id(
    conn: &mut DbConnection,
    org_id: OrgId,
    email: Option<&str>,
    column: &str,
    problems: &mut Vec<ImportProblem>,
    row: &ImportRow,
) -> Result<Option<uuid::Uuid>, ImportError> {
    let Some(email) = email else {
        return Ok(None);
    };
    let found =
        crate::identity::find_user_by_email(conn, &crate::identity::users::normalise_email(email))?;
    match found {
        Some(user) if crate::identity::is_member(conn, user.id, org_id)? => {
            Ok(Some(user.id.uuid()))
        }
        _ => {
            problems.push(ImportProblem {
                line: row.line,
                field: column.into(),
                reason: format!("nobody with the email {email} works in this organisation"),
            });
            Ok(None)
        }
    }
}
