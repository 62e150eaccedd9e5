//! The judge page's view: the evidence as the portfolio shows it, and each mapping's controls,
//! as stored or as sent back with errors.

use std::collections::BTreeMap;

use serde::Serialize;

use super::form::{JudgeForm, MappingRow};
use crate::action::ActionError;
use crate::db::ids::{EnrolmentId, EvidenceId};
use crate::http::AppState;
use crate::http::pages::form::{Fields, FormState, field_id};
use crate::http::pages::portfolio::{EvidenceView, evidence_view};
use crate::http::pages::rows::standard_of;
use crate::http::pages::view::PageError;
use crate::http::session::Session;
use crate::portfolio::{self, evidence::actions};
use crate::rules::portfolio::Judgement;

#[derive(Serialize)]
struct JudgedMapping {
    /// `criteria[0]` or `knowledge[1]`: the API's path, also the form's field prefix.
    key: String,
    id: String,
    text: String,
    range: Vec<String>,
    choices: Vec<crate::http::pages::record::Choice>,
    feedback: String,
    dom: String,
    feedback_dom: String,
    error: Option<String>,
}

#[derive(Serialize)]
pub(super) struct JudgeView {
    title: String,
    id: String,
    evidence_id: String,
    heading: String,
    candidate: String,
    csrf: String,
    form: FormState,
    /// Criteria first, then knowledge items.
    mappings: Vec<JudgedMapping>,
    /// The evidence itself.
    evidence: EvidenceView,
    /// Mappings still waiting for a judgement.
    waiting: usize,
    /// Arrived here after saving the previous item's judgements.
    saved: bool,
}

fn word_of(judgement: Judgement) -> &'static str {
    match judgement {
        Judgement::Accepted => "accepted",
        Judgement::Rejected => "rejected",
        Judgement::Pending => "pending",
    }
}

/// A mapping of the record as stored: what the judge form shows for it.
struct StoredMapping<'a> {
    /// `criteria[0]` or `knowledge[1]`.
    key: String,
    id: &'a str,
    text: String,
    range: Vec<String>,
    judgement: Judgement,
    feedback: Option<&'a str>,
}

/// One mapping's controls: accept / reject / leave pending, and the feedback — as stored, or as
/// sent when the form comes back with errors (a row not sent shows blank).
fn judged(stored: StoredMapping<'_>, sent: Option<MappingRow>, form: &FormState) -> JudgedMapping {
    let key = stored.key;
    let field = format!("{key}.judgement");
    let (chosen, feedback) = match sent {
        Some(row) => (row.judgement, row.feedback),
        None => (
            word_of(stored.judgement).to_owned(),
            stored.feedback.unwrap_or_default().to_owned(),
        ),
    };
    let choices = [
        ("accepted", "Accept"),
        ("rejected", "Reject"),
        ("pending", "Not judged yet"),
    ]
    .iter()
    .map(|(value, label)| crate::http::pages::record::Choice {
        value: (*value).to_owned(),
        label: (*label).to_owned(),
        checked: chosen == *value,
        dom: field_id(&format!("{field}.{value}")),
    })
    .collect();
    JudgedMapping {
        dom: field_id(&field),
        feedback_dom: field_id(&format!("{key}.feedback")),
        error: form
            .error(&field)
            .or_else(|| form.error(&format!("{key}.feedback"))),
        key,
        id: stored.id.to_owned(),
        text: stored.text,
        range: stored.range,
        choices,
        feedback,
    }
}

pub(super) async fn judge_view(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    evidence_id: EvidenceId,
    sent: Option<(&Fields, &JudgeForm)>,
    errors: BTreeMap<String, String>,
    saved: bool,
) -> Result<JudgeView, PageError> {
    let for_tx = session.clone();
    let (enrolment, record, candidate, recorded_by, points) = state
        .db
        .read(move |conn| {
            let (enrolment, record) =
                actions::evidence_to_judge(conn, &for_tx.acting(), id, evidence_id)?;
            let candidate = crate::identity::load_user(conn, enrolment.candidate_id)?.name;
            let recorded_by = crate::identity::load_user(conn, record.recorded_by)?.name;
            let points = portfolio::time_points::of_evidence(conn, enrolment.id, record.id)?;
            let markers = crate::http::pages::recording::markers(conn, &points)?;
            Ok::<_, ActionError>((enrolment, record, candidate, recorded_by, (points, markers)))
        })
        .await?;
    let standard = standard_of(&state.catalogue, &enrolment)?;
    // What is being judged, as the portfolio shows it: the file, the facts, the testimony, and a
    // recording's time points.
    let mut evidence = evidence_view(standard, enrolment.id, &record, recorded_by, Vec::new());
    let (points, names) = points;
    evidence.time_points = crate::http::pages::recording::time_point_views(
        standard,
        &points,
        &mut |id: &str| names.get(id).cloned().unwrap_or_default(),
        &session.user_id,
        enrolment
            .assessor_id
            .is_some_and(|id| id == session.user_id),
    );
    let form = match sent {
        Some((fields, _)) => FormState::again(fields, errors),
        None => FormState::default(),
    };
    let sent = sent.map(|(_, form)| form);
    let row = |rows: &[MappingRow], i: usize| {
        sent.is_some()
            .then(|| rows.get(i).cloned().unwrap_or_default())
    };
    let criteria: Vec<JudgedMapping> = record
        .instance
        .criteria
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let text = standard
                .criterion(&m.criterion)
                .map(|c| c.text.clone())
                .unwrap_or_default();
            let range = m
                .range
                .iter()
                .flat_map(|(list, items)| {
                    items.iter().map(move |item| {
                        standard
                            .range_list(list)
                            .and_then(|l| l.items.iter().find(|x| &x.id == item))
                            .map_or_else(|| item.clone(), |x| x.text.clone())
                    })
                })
                .collect();
            let stored = StoredMapping {
                key: format!("criteria[{i}]"),
                id: &m.criterion,
                text,
                range,
                judgement: m.judgement,
                feedback: m.feedback.as_deref(),
            };
            judged(stored, row(sent.map_or(&[], |f| &f.criteria), i), &form)
        })
        .collect();
    let knowledge: Vec<JudgedMapping> = record
        .instance
        .knowledge
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let text = standard
                .knowledge_item(&k.item)
                .map(|x| x.text.clone())
                .unwrap_or_default();
            let stored = StoredMapping {
                key: format!("knowledge[{i}]"),
                id: &k.item,
                text,
                range: Vec::new(),
                judgement: k.judgement,
                feedback: k.feedback.as_deref(),
            };
            judged(stored, row(sent.map_or(&[], |f| &f.knowledge), i), &form)
        })
        .collect();
    let heading =
        record.instance.title.clone().unwrap_or_else(|| {
            crate::http::pages::view::capitalise(record.instance.method.label())
        });
    let waiting = record.waiting_mappings();
    Ok(JudgeView {
        title: format!("Judge: {heading}"),
        id: enrolment.id.to_string(),
        evidence_id: record.id.to_string(),
        heading: format!("{heading} of {}", record.instance.date),
        candidate,
        csrf: session.csrf.clone(),
        form,
        waiting,
        mappings: criteria.into_iter().chain(knowledge).collect(),
        evidence,
        saved,
    })
}
