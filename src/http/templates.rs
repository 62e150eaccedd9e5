//! The tera templates, embedded in the binary so the service runs from any folder.

use tera::Tera;

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

/// Every template, by the name pages render it with.
const TEMPLATES: &[(&str, &str)] = embedded![
    "base.html",
    "pages/home.html",
    "pages/error.html",
    "pages/verify.html",
    "partials/fields.html",
    "partials/lists.html",
    "partials/record.html",
    "partials/evidence.html",
    "partials/statement.html",
    "pages/login.html",
    "pages/two_factor.html",
    "pages/dashboard.html",
    "pages/standards.html",
    "pages/standard_author.html",
    "pages/standard_mappings.html",
    "pages/enrolment_move.html",
    "pages/caseload.html",
    "pages/portfolio.html",
    "pages/evidence_upload.html",
    "pages/evidence_testimony.html",
    "pages/evidence_observation.html",
    "pages/evidence_questioning.html",
    "pages/judge.html",
    "pages/decision.html",
    "pages/enrolment_staff.html",
    "pages/verification.html",
    "pages/sample_queue.html",
    "pages/sample_history.html",
    "pages/sample.html",
    "pages/sampling_plans.html",
    "pages/sampling_plan.html",
    "pages/audit.html",
    "pages/statements.html",
    "pages/statement_revoke.html",
    "partials/signoff.html",
    "pages/people.html",
    "pages/people_import.html",
    "pages/invitation.html",
    "pages/org_enrolments.html",
    "pages/cohorts.html",
    "pages/cohort.html",
    "pages/exports.html",
    "pages/settings.html",
    "pages/settings_verifiers.html",
    "pages/settings_witnesses.html",
    "pages/witness_requests.html",
    "pages/question_request.html",
    "pages/question_requests.html",
    "pages/question_set.html",
    "pages/question_sets.html",
    "pages/recording.html",
    "pages/grid_portfolio.html",
    "pages/grid_cohort.html",
    "pages/witness.html",
    "pages/inbox.html",
    "pages/outbox.html",
    "pages/settings_sampling.html",
    "pages/settings_interpretations.html",
];

/// Parses every embedded template, with auto-escaping on for `.html`.
pub fn load() -> Result<Tera, tera::Error> {
    let mut tera = Tera::default();
    tera.add_raw_templates(TEMPLATES.iter().copied())?;
    tera.autoescape_on(vec![".html"]);
    Ok(tera)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_parses() {
        super::load().unwrap();
    }
}
