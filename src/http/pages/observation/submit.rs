//! Reading a submitted observation (times, outcomes, every shown criterion marked) into an evidence
//! record.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use chrono::NaiveTime;
use serde_json::{Map, Value, json};

use super::*;
use crate::auth::policy::Action;
use crate::db::ids::EnrolmentId;
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::evidence::{add_described, open, show};
use crate::http::pages::form::{Fields, filled};
use crate::http::pages::record::{
    RecordForm, place_errors, read_activity, read_attributes, result_field, ticked_range,
};
use crate::http::pages::rows::standard_of;
use crate::http::pages::view::{Html, PageError, PageSession, check_csrf};
use crate::http::session::Session;
use crate::standards::{Outcome, Standard};

/// The observation form's own fields, as posted (what it shares with every evidence form is read
/// as a [`RecordForm`]): the outcomes observed, "mark all shown", each checklist line's result and
/// notes (`result.1.1`, `notes.1.1`), the times and the words.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct ObservationForm {
    pub(super) outcome: Vec<String>,
    mark_all: String,
    /// By criterion id.
    result: BTreeMap<String, String>,
    /// By criterion id.
    notes: BTreeMap<String, String>,
    details: ObservationDetails,
}

/// `details.start` …
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ObservationDetails {
    start: String,
    end: String,
    narrative: String,
    feedback: String,
}

impl ObservationForm {
    /// The result chosen for a criterion's line ("" when none).
    fn result(&self, criterion: &str) -> &str {
        self.result.get(criterion).map_or("", String::as_str)
    }
}

/// The time typed in `details.{name}` (`HH:MM`), into `details`; a problem goes to `errors`.
fn read_time(
    typed: &str,
    name: &str,
    details: &mut Map<String, Value>,
    errors: &mut BTreeMap<String, String>,
) {
    let Some(time) = filled(typed) else {
        return;
    };
    let parsed = NaiveTime::parse_from_str(&time, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(&time, "%H:%M:%S"));
    match parsed {
        Ok(time) => {
            details.insert(name.into(), json!(time));
        }
        Err(_) => {
            errors.insert(
                format!("details.{name}"),
                "Enter the time as hours and minutes, for example 14:30".into(),
            );
        }
    }
}

/// The checklist record of the chosen outcomes; every criterion of each needs a result. Returns
/// the record, the criterion of each checklist line in order, and the form's own problems.
pub(super) fn observation_record(
    standard: &Standard,
    chosen: &[&Outcome],
    fields: &RecordForm,
    form: &ObservationForm,
) -> (Map<String, Value>, Vec<String>, BTreeMap<String, String>) {
    let mut record = Map::new();
    let mut errors = BTreeMap::new();
    record.insert("method".into(), json!("observation_checklist"));
    read_activity(fields, &mut record, &mut errors);
    // Attributes of outcomes not observed are not asked for, whatever is sent.
    let concerns = attribute_outcomes(standard);
    let mut attributes = read_attributes(standard, fields);
    attributes.retain(|id, _| {
        sole_outcome(&concerns, id).is_none_or(|o| chosen.iter().any(|c| c.id == o))
    });
    record.insert("attributes".into(), Value::Object(attributes));
    if chosen.is_empty() {
        errors.insert(OUTCOME.to_owned(), no_outcome());
    }
    let mut lines = Vec::new();
    let mut order = Vec::new();
    for outcome in chosen {
        for criterion in &outcome.criteria {
            let field = result_field(&criterion.id);
            let result = form.result(&criterion.id);
            if !matches!(result, "shown" | "not_shown" | "not_applicable") {
                errors.insert(
                    field,
                    format!(
                        "Choose shown, not shown or not applicable for {}",
                        criterion.id
                    ),
                );
                continue;
            }
            let mut line = json!({
                "criterion": criterion.id,
                "result": result,
                "range": ticked_range(outcome, criterion, fields),
            });
            if let Some(notes) = form.notes.get(&criterion.id).and_then(|n| filled(n)) {
                line["notes"] = json!(notes);
            }
            lines.push(line);
            order.push(criterion.id.clone());
        }
    }
    let mut details = Map::new();
    details.insert("checklist".into(), json!(lines));
    details.insert(
        "outcomes".into(),
        json!(chosen.iter().map(|o| o.id.clone()).collect::<Vec<_>>()),
    );
    let typed = &form.details;
    read_time(&typed.start, "start", &mut details, &mut errors);
    read_time(&typed.end, "end", &mut details, &mut errors);
    for (name, text) in [
        ("narrative", &typed.narrative),
        ("feedback", &typed.feedback),
    ] {
        if let Some(text) = filled(text) {
            details.insert(name.into(), json!(text));
        }
    }
    record.insert("details".into(), Value::Object(details));
    (record, order, errors)
}

/// The fields with every criterion of `outcome` marked shown (the "mark all shown" button
/// without the script): everything else as typed.
pub(super) fn marked_all_shown(fields: &Fields, outcome: &Outcome) -> Fields {
    let results: Vec<String> = outcome
        .criteria
        .iter()
        .map(|c| result_field(&c.id))
        .collect();
    let mut marked = Fields::from_pairs(
        fields
            .pairs()
            .iter()
            .filter(|(name, _)| !results.contains(name) && name != "mark_all")
            .cloned()
            .collect(),
    );
    for field in results {
        marked.push(field, "shown".to_owned());
    }
    marked
}

/// `POST /enrolments/{id}/observations/new`: saves the observation, or, with `mark_all=ID`
/// (the button without the script), shows the form again with outcome ID's criteria all shown.
pub async fn observation(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(
        async {
            check_csrf(&session, fields.csrf())?;
            observation_page(&state, &session, typed_path_id(&path)?, fields).await
        }
        .await,
    )
}

/// Saves the observation (or shows the form again); the CSRF token is already checked.
async fn observation_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    let opened = open(state, session, id, Action::RecordAssessorEvidence).await?;
    let standard = standard_of(&state.catalogue, &opened.enrolment)?;
    let form: ObservationForm = fields.read()?;
    let chosen = chosen_outcomes(standard, &form.outcome);
    if let Some(outcome) = filled(&form.mark_all).and_then(|id| standard.outcome(&id)) {
        let marked = marked_all_shown(&fields, outcome);
        let view = observation_view(
            state,
            session,
            &opened,
            standard,
            &chosen,
            &marked,
            BTreeMap::new(),
        );
        return show(state, session, TEMPLATE, &view, false);
    }
    let (record, order, errors) = observation_record(standard, &chosen, &fields.read()?, &form);
    let errors = match add_described(state, session, &opened, record, errors).await? {
        Ok(done) => return Ok(done),
        Err(errors) => errors,
    };
    // Problems with a checklist line (a mapped criterion's range items, or the line itself) land
    // on that line's result.
    let shown: Vec<String> = order
        .iter()
        .filter(|id| form.result(id) == "shown")
        .cloned()
        .collect();
    let errors = place_errors(errors, &shown, standard)
        .into_iter()
        .map(|(key, reason)| {
            if let Some(criterion) = key.strip_prefix("criteria.") {
                return (result_field(criterion), reason);
            }
            let line = key
                .strip_prefix("details.checklist[")
                .and_then(|rest| rest.split(']').next())
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| order.get(i));
            match line {
                Some(criterion) => (result_field(criterion), reason),
                None if key.starts_with("details.outcomes") => (OUTCOME.to_owned(), reason),
                None => (key, reason),
            }
        })
        .collect();
    let view = observation_view(state, session, &opened, standard, &chosen, &fields, errors);
    show(state, session, TEMPLATE, &view, true)
}
