//! Words for what a draw record names by id: people by name, enrolments by candidate and unit,
//! units and outcomes by title, methods in plain words, and why an enrolment was picked.

use std::collections::HashMap;

use crate::action::ActionError;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::stored;
use crate::http::pages::rows::{Names, unit_name};
use crate::portfolio;
use crate::signoff::sampling::{Covers, Reason};

/// Words for the ids the selection holds: people by name, enrolments by candidate and unit.
#[derive(Default)]
pub(super) struct Labels {
    names: Names,
    enrolments: HashMap<String, String>,
}

impl Labels {
    pub(super) fn person(&mut self, conn: &mut DbConnection, id: &str) -> String {
        // An id that is not a user (never expected) is shown as it is rather than failing the page.
        stored(id)
            .map_err(ActionError::from)
            .and_then(|user| self.names.of(conn, user))
            .unwrap_or_else(|_| id.to_owned())
    }

    pub(super) fn enrolment(&mut self, conn: &mut DbConnection, id: &str) -> String {
        if let Some(label) = self.enrolments.get(id) {
            return label.clone();
        }
        let label = match stored(id)
            .map_err(ActionError::from)
            .and_then(|id| portfolio::load_enrolment(conn, id))
        {
            Ok(e) => format!(
                "{} — {} v{}",
                self.person(conn, &e.candidate_id.to_string()),
                e.standard_code,
                e.standard_version
            ),
            Err(_) => id.to_owned(),
        };
        self.enrolments.insert(id.to_owned(), label.clone());
        label
    }
}

pub(super) fn unit_label(catalogue: &Catalogue, value: &str) -> String {
    // Units are `code@version`; outcomes `code@version/outcome`.
    let (unit, outcome) = value.split_once('/').unwrap_or((value, ""));
    let Some((code, version)) = unit.split_once('@') else {
        return value.to_owned();
    };
    let Some(loaded) = version.parse().ok().and_then(|v| catalogue.get(code, v)) else {
        return value.to_owned();
    };
    let standard = &loaded.standard;
    match standard.outcomes.iter().find(|o| o.id == outcome) {
        Some(o) => format!("{} outcome {}: {}", unit_name(standard), o.id, o.title),
        None => format!("{}: {}", unit_name(standard), standard.title),
    }
}

/// Why an enrolment was picked, with people and units by name (the domain words them by id).
pub(super) fn reason_words(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    labels: &mut Labels,
    reason: &Reason,
) -> String {
    match reason {
        Reason::Coverage { dimension, value } => {
            let label = match dimension {
                Covers::Assessor => labels.person(conn, value),
                Covers::Unit => unit_label(catalogue, value),
                Covers::Method => method_label(value),
                Covers::Site => value.clone(),
            };
            format!("first sample of {} {label}", dimension.as_str())
        }
        Reason::Rate {
            assessor_id,
            risk,
            rated,
            percent,
            required,
            pool,
        } => {
            let unrated = if *rated { "" } else { ", not rated" };
            format!(
                "rate: {} at {risk} risk{unrated} {percent}% ({required} of {pool})",
                labels.person(conn, assessor_id)
            )
        }
        other => other.to_string(),
    }
}

pub(super) fn method_label(method: &str) -> String {
    crate::http::pages::view::capitalise(&method.replace('_', " "))
}
