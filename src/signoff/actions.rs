//! The sign-off actions as people take them. Each loads what it acts on, asks the policy, acts,
//! and writes its audit entries and notifications, all in the caller's transaction; the API, the
//! pages and the CLI call these and only translate requests and answers.

use crate::action::{Acting, ActionError, Services};
use crate::auth::policy::{Action, Resource};
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, Id, OrgId};
use crate::portfolio::{self, Enrolment, access::enrolment_for};

use super::feedback::{self, Decision, IvResponse};
use super::plans::{self, Sample, SampleDecision};
use super::statements::{self, StatementRow};

/// The candidate submits the portfolio with their declaration (their signature, which the
/// statement of competence needs later); their edits are refused from then on.
pub fn submit(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    declaration: bool,
) -> Result<Enrolment, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::SubmitEnrolment)?;
    super::chain::candidate_submits(conn, &enrolment, acting.user()?, declaration, acting.now)
}

/// The assessor decides the unit: competent only when the engine reports every requirement met in
/// the confirmed view; not yet competent gives the portfolio back with feedback. Answers to an
/// internal verifier's waiting disagreement travel with the decision.
pub fn decide_unit(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    decision: &Decision,
) -> Result<Enrolment, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::DecideUnit)?;
    feedback::decide(
        conn,
        services.catalogue,
        services.public_url,
        &enrolment,
        acting.user()?,
        decision,
        acting.now,
    )
}

/// The assessor answers the internal verifier's disagreement, one answer per action point.
pub fn answer_verifier(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    responses: &[String],
) -> Result<IvResponse, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::DecideUnit)?;
    feedback::respond(
        conn,
        services.public_url,
        &enrolment,
        acting.user()?,
        responses,
        acting.now,
    )
}

/// Why `acting` may not sample this enrolment, in words that say who could; `None` when they may.
/// The policy decides; this only chooses the words.
pub fn sampling_refusal(
    acting: &Acting<'_>,
    enrolment: &Enrolment,
) -> Result<Option<String>, ActionError> {
    let facts = enrolment.facts()?;
    match acting.require(Action::SampleEnrolment, &Resource::Enrolment(facts.clone())) {
        Ok(()) => Ok(None),
        Err(ActionError::Forbidden(_)) => {
            let me = Some(acting.actor.user_id);
            Ok(Some(if facts.assessor_id == me || facts.decided_by == me {
                "you assessed this portfolio or signed its unit decision: an internal verifier never samples their own decisions, so another internal verifier must sample it".to_owned()
            } else {
                "only an internal verifier of this portfolio or of its assessor may sample it"
                    .to_owned()
            }))
        }
        Err(other) => Err(other),
    }
}

/// Loads an enrolment the actor means to sample, refusing in words that say who could.
pub fn enrolment_to_sample(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
) -> Result<Enrolment, ActionError> {
    let enrolment = portfolio::load_enrolment(conn, enrolment_id)?;
    match sampling_refusal(acting, &enrolment)? {
        None => Ok(enrolment),
        Some(why) => Err(ActionError::Forbidden(why)),
    }
}

/// The internal verifier records a sample (agree, or disagree with feedback and action points);
/// the assessor is told.
pub fn sample(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    input: SampleDecision,
) -> Result<(Enrolment, Sample), ActionError> {
    let enrolment = enrolment_to_sample(conn, acting, enrolment_id)?;
    let sample = plans::record_sample(conn, &enrolment, acting.user()?, input, acting.now)?;
    crate::notify::events::sample_recorded(
        conn,
        services.public_url,
        &enrolment,
        &sample,
        acting.now,
    )?;
    Ok((enrolment, sample))
}

/// Issues the statement of competence once every required sign-off is in place
/// ([`ActionError::Incomplete`] with what is missing otherwise).
pub fn issue_statement(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
) -> Result<StatementRow, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::IssueStatement)?;
    let standard = &services.catalogue.pinned(&enrolment)?.standard;
    let row = statements::issue(
        conn,
        services.keys,
        standard,
        &enrolment,
        acting.user()?,
        services.public_url,
        services.fonts.get()?,
        acting.now,
    )?;
    if !row.missing_chars.is_empty() {
        tracing::warn!(code = %row.code, missing = %row.missing_chars, "statement has characters no font can show");
    }
    Ok(row)
}

/// Loads an enrolment's current statement (valid or revoked) and asks the policy about it.
pub fn statement_for(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    action: Action,
) -> Result<StatementRow, ActionError> {
    let enrolment = portfolio::load_enrolment(conn, enrolment_id)?;
    acting.require(
        action,
        &Resource::Statement {
            enrolment: enrolment.facts()?,
        },
    )?;
    statements::current(conn, enrolment_id)?.ok_or(ActionError::NotFound)
}

/// Revokes the enrolment's statement with a reason the verification page shows.
pub fn revoke_statement(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    reason: &str,
) -> Result<StatementRow, ActionError> {
    let row = statement_for(conn, acting, enrolment_id, Action::RevokeStatement)?;
    statements::revoke(conn, &row, acting.user()?, reason, acting.now)
}

/// Every statement issued for the organisation's enrolments (valid or revoked), newest first:
/// the statements office, its provider admin's (and `attest statements`).
pub fn organisation_statements(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
) -> Result<Vec<StatementRow>, ActionError> {
    acting.require(
        Action::ManageOrganisation,
        &Resource::Organisation {
            org_id: org_id.uuid(),
        },
    )?;
    statements::list_for_org(conn, org_id)
}
