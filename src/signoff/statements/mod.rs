//! Statements of competence: issued once the sign-off chain is complete, kept as their content so
//! the same PDF renders again byte for byte, verifiable by code, revocable with a reason.

use crate::db::FirstRow;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::chain::{chain_status, sign_offs_of};
use crate::action::ActionError;
use crate::audit::{self, Change};
use crate::auth::policy::EnrolmentStatus;
use crate::checkpoints;
use crate::credentials::{self, CredentialRow};
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, StatementId, UserId};
use crate::db::schema::{enrolments, statements};
use crate::identity;
use crate::keys::KeyRing;
use crate::output::pdf::{
    self, Attachment, CandidateView, CriterionView, DatedFieldView, EvidenceView, FontSet,
    LabelledValue, OrganisationView, OutcomeView, SignOffView, StatementView, UnitView,
};
use crate::portfolio::{self, Enrolment};
use crate::rules::portfolio::Judgement;
use crate::standards::{LevelScheme, Standard};

/// A statement as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = statements)]
pub struct StatementRow {
    pub(crate) id: StatementId,
    pub(crate) enrolment_id: EnrolmentId,
    pub(crate) code: String,
    pub(crate) content: String,
    pub(crate) content_hash: String,
    pub(crate) missing_chars: String,
    pub(crate) issued_at: NaiveDateTime,
    pub(crate) issued_by: UserId,
    pub(crate) revoked_at: Option<NaiveDateTime>,
    pub(crate) revoked_by: Option<UserId>,
    pub(crate) revoke_reason: Option<String>,
}

/// A statement as the API and the verification page show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Statement {
    /// The verification code.
    pub code: String,
    /// valid or revoked.
    pub status: String,
    /// The enrolment it certifies.
    #[schema(value_type = String)]
    pub enrolment_id: EnrolmentId,
    /// The candidate's name.
    pub candidate: String,
    /// The unit, e.g. "NZQA 28268 v2 Communicate with contact centre customers…".
    pub unit: String,
    /// The organisation.
    pub organisation: String,
    /// The issue date.
    pub issued: NaiveDate,
    /// SHA-256 of the statement's content.
    pub content_hash: String,
    /// Characters no font could show (the admin is told; the statement shows a replacement mark).
    pub missing_characters: String,
    /// When revoked.
    #[serde(serialize_with = "crate::db::utc::serialize_option")]
    pub revoked_at: Option<NaiveDateTime>,
    /// Why.
    pub revoke_reason: Option<String>,
    /// Where anyone can check it.
    pub verification_url: String,
}

impl StatementRow {
    /// The stored content.
    pub fn view(&self) -> Result<StatementView, ActionError> {
        serde_json::from_str(&self.content).map_err(|e| {
            ActionError::Db(crate::db::DbError::Query(
                diesel::result::Error::DeserializationError(Box::new(e)),
            ))
        })
    }

    /// What the API shows.
    pub fn summary(&self) -> Result<Statement, ActionError> {
        let view = self.view()?;
        Ok(Statement {
            code: self.code.clone(),
            status: if self.revoked_at.is_some() {
                "revoked"
            } else {
                "valid"
            }
            .to_owned(),
            enrolment_id: self.enrolment_id,
            candidate: view.candidate.name.clone(),
            unit: format!(
                "{} {} v{} {}",
                view.unit.framework, view.unit.code, view.unit.version, view.unit.title
            ),
            organisation: view.organisation.name.clone(),
            issued: view.issued,
            content_hash: self.content_hash.clone(),
            missing_characters: self.missing_chars.clone(),
            revoked_at: self.revoked_at,
            revoke_reason: self.revoke_reason.clone(),
            verification_url: view.verification_url,
        })
    }
}

/// A verification code people can read out: 12 characters of Crockford base32 in groups of four.
fn new_code() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bytes: [u8; 12] = rand::random();
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b % 32)] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

fn level_text(standard: &Standard) -> Option<String> {
    let level = standard.level.as_ref()?;
    let scheme = match level.scheme {
        LevelScheme::Nzqf => "NZQF",
        LevelScheme::Scqf => "SCQF",
        LevelScheme::Rqf => "RQF",
        LevelScheme::Cqfw => "CQFW",
        LevelScheme::Eqf => "EQF",
        LevelScheme::Aqf => "AQF",
    };
    Some(format!("{scheme} level {}", level.value).trim().to_owned())
}

/// Builds the statement's content from the portfolio, the standard and the sign-off chain.
pub fn build_view(
    conn: &mut DbConnection,
    standard: &Standard,
    enrolment: &Enrolment,
    code: &str,
    public_url: &str,
    issued: NaiveDate,
) -> Result<StatementView, ActionError> {
    let org = identity::load_organisation(conn, enrolment.org_id)?;
    let candidate = identity::load_user(conn, enrolment.candidate_id)?;
    let records = portfolio::list_evidence(conn, enrolment.id)?;
    let reference = |i: usize| format!("E{}", i + 1);
    let evidence = records
        .iter()
        .enumerate()
        .map(|(i, r)| EvidenceView {
            reference: reference(i),
            date: r.instance.date,
            method: r.instance.method.label().to_owned(),
            setting: format!("{:?}", r.instance.setting).to_lowercase(),
            site: r.instance.site.clone().unwrap_or_default(),
        })
        .collect();
    let outcomes = standard
        .outcomes
        .iter()
        .map(|outcome| OutcomeView {
            reference: outcome.label.clone().unwrap_or_else(|| outcome.id.clone()),
            title: outcome.title.clone(),
            criteria: outcome
                .criteria
                .iter()
                .map(|criterion| CriterionView {
                    reference: criterion
                        .label
                        .clone()
                        .unwrap_or_else(|| criterion.id.clone()),
                    text: criterion.text.clone(),
                    evidence: records
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| {
                            r.instance.criteria.iter().any(|m| {
                                m.criterion == criterion.id && m.judgement == Judgement::Accepted
                            })
                        })
                        .map(|(i, _)| reference(i))
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let status = chain_status(conn, standard, enrolment)?;
    let mut sign_offs = Vec::new();
    let mut dated_fields = Vec::new();
    for item in &status.items {
        let Some(met) = &item.met_by else { continue };
        match &item.requirement.kind {
            super::requirements::RequirementKind::DatedField { .. } => {
                dated_fields.push(DatedFieldView {
                    label: item.requirement.label.clone(),
                    date: met.date,
                })
            }
            _ => sign_offs.push(SignOffView {
                role: item.requirement.label.clone(),
                name: met.user_name.clone(),
                date: met.date,
            }),
        }
    }
    // Only the assessor's comments on the decision in force are for the candidate's statement:
    // an IV's feedback is addressed to the assessor, and a superseded decision no longer stands.
    let comments = sign_offs_of(conn, enrolment.id)?
        .into_iter()
        .rev()
        .find(|s| s.role == "assessor")
        .filter(|s| !s.comments.is_empty())
        .map(|s| format!("{}: {}", s.user_name, s.comments))
        .unwrap_or_default();
    let mut ids = Vec::new();
    if let Some(number) = &org.nzqa_provider_number {
        ids.push(LabelledValue {
            label: "NZQA provider".into(),
            value: number.clone(),
        });
    }
    if let Some(number) = &org.sqa_centre_number {
        ids.push(LabelledValue {
            label: "SQA centre".into(),
            value: number.clone(),
        });
    }
    let learner_label = if standard.framework.eq_ignore_ascii_case("NZQA") {
        "NSN"
    } else {
        "Candidate number"
    };
    Ok(StatementView {
        organisation: OrganisationView { name: org.name, ids },
        candidate: CandidateView {
            name: candidate.name,
            national_learner_number: candidate
                .national_learner_number
                .map(|n| LabelledValue { label: learner_label.into(), value: n }),
        },
        unit: UnitView {
            framework: standard.framework.clone(),
            code: standard.code.clone(),
            title: standard.title.clone(),
            version: standard.version.to_string(),
            level: level_text(standard),
            credits: standard.credits.as_ref().map(|c| format!("{} {}", c.value, c.unit)),
        },
        outcomes,
        evidence,
        sign_offs,
        dated_fields,
        statement_wording: standard.sign_off.as_ref().map(|s| s.statement.clone()).unwrap_or_else(|| {
            "The candidate has met every requirement of this unit standard, as assessed and verified below.".to_owned()
        }),
        comments,
        verification_code: code.to_owned(),
        verification_url: format!("{public_url}/verify/{code}"),
        issued,
    })
}

/// The statement's PDF, with its signed credential and audit checkpoint attached when it has them.
pub fn render_pdf(
    view: &StatementView,
    credential: Option<&CredentialRow>,
    fonts: &FontSet,
) -> Result<pdf::RenderedStatement, ActionError> {
    let files = credential.map(|c| credentials::attachments(c, &view.verification_code));
    let attachments: Vec<Attachment<'_>> = files
        .iter()
        .flatten()
        .map(|(name, media_type, description, bytes)| Attachment {
            name,
            media_type,
            description,
            bytes,
        })
        .collect();
    pdf::render_with(view, fonts, &attachments)
        .map_err(|e| ActionError::Conflict(format!("the statement did not render: {e}")))
}

/// A stored statement's PDF, rendered again from its content with its credential.
pub fn stored_pdf(
    conn: &mut DbConnection,
    row: &StatementRow,
    fonts: &FontSet,
) -> Result<pdf::RenderedStatement, ActionError> {
    let credential = credentials::of_statement(conn, row.id)?;
    render_pdf(&row.view()?, credential.as_ref(), fonts)
}

/// Issues the statement: refused while any sign-off is missing (with the list). Signs its Open
/// Badges credential under a fresh audit checkpoint. Returns the stored statement; its PDF is
/// rendered when it is downloaded ([`render_pdf`]), never while the transaction holds the database.
#[allow(clippy::too_many_arguments)]
pub fn issue(
    conn: &mut DbConnection,
    keys: &KeyRing,
    standard: &Standard,
    enrolment: &Enrolment,
    actor: UserId,
    public_url: &str,
    fonts: &FontSet,
    now: DateTime<Utc>,
) -> Result<StatementRow, ActionError> {
    // A revoked statement does not stand in the way of a corrected one.
    if let Some(existing) = current(conn, enrolment.id)?.filter(|s| s.revoked_at.is_none()) {
        return Err(ActionError::Conflict(format!(
            "statement {} has already been issued",
            existing.code
        )));
    }
    let status = chain_status(conn, standard, enrolment)?;
    if !status.can_issue || enrolment.status() != EnrolmentStatus::Sampled {
        let mut missing = status.missing.clone();
        if missing.is_empty() {
            missing.push(format!(
                "the portfolio is {}, not yet sampled by the internal verifier",
                enrolment.status
            ));
        }
        return Err(ActionError::Incomplete(missing));
    }
    let code = new_code();
    let view = build_view(
        conn,
        standard,
        enrolment,
        &code,
        public_url,
        now.date_naive(),
    )?;
    let id = StatementId::random();
    // Taken before this issue is recorded: the statement vouches for the trail as it stood.
    let checkpoint = checkpoints::take(conn, keys, public_url, now)?;
    let evidence_hash = sign_offs_of(conn, enrolment.id)?
        .into_iter()
        .rev()
        .find(|s| s.role == "assessor")
        .map(|s| s.snapshot_hash);
    let credential = credentials::sign(
        conn,
        keys,
        credentials::Issue {
            statement_id: id,
            code: &code,
            view: &view,
            standard,
            enrolment,
            evidence_hash,
            public_url,
            checkpoint,
        },
        now,
    )?;
    // Laid out, not written: the PDF is rendered when it is downloaded, outside any transaction.
    let missing_chars = pdf::missing_chars(&view, fonts)
        .map_err(|e| ActionError::Conflict(format!("the statement did not render: {e}")))?;
    let row = StatementRow {
        id,
        enrolment_id: enrolment.id,
        code,
        content: crate::db::json::to_text(&view)?,
        content_hash: pdf::content_hash(&view),
        missing_chars: missing_chars.iter().collect(),
        issued_at: now.naive_utc(),
        issued_by: actor,
        revoked_at: None,
        revoked_by: None,
        revoke_reason: None,
    };
    diesel::insert_into(statements::table)
        .values(&row)
        .execute(conn)?;
    credentials::store(conn, &credential)?;
    diesel::update(enrolments::table.find(&enrolment.id))
        .set((
            enrolments::status.eq(EnrolmentStatus::Certified.as_str()),
            enrolments::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor.to_string()),
            action: "statement.issue",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: Some(serde_json::json!({ "status": enrolment.status })),
            after: Some(serde_json::json!({
                "status": "certified", "code": row.code, "content_hash": row.content_hash,
                "credential_key": credential.kid, "status_index": credential.status_index,
            })),
        },
    )?;
    crate::notify::events::statement_issued(conn, public_url, enrolment, &row.code, now)?;
    Ok(row)
}

/// The enrolment's statement, if issued.
pub fn current(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
) -> Result<Option<StatementRow>, ActionError> {
    Ok(statements::table
        .filter(statements::enrolment_id.eq(enrolment_id))
        .order(statements::issued_at.desc())
        .select(StatementRow::as_select())
        .first_row(conn)
        .optional()?)
}

/// A statement by its verification code (any case, with or without dashes).
pub fn by_code(conn: &mut DbConnection, code: &str) -> Result<StatementRow, ActionError> {
    let compact: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    if compact.len() != 12 {
        return Err(ActionError::NotFound);
    }
    let formatted = compact
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-");
    Ok(statements::table
        .filter(statements::code.eq(formatted))
        .select(StatementRow::as_select())
        .first_row(conn)?)
}

/// Revokes a statement with a reason (audited).
pub fn revoke(
    conn: &mut DbConnection,
    row: &StatementRow,
    actor: UserId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<StatementRow, ActionError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ActionError::invalid(
            "reason",
            "say why the statement is revoked",
        ));
    }
    if row.revoked_at.is_some() {
        return Err(ActionError::Conflict(
            "the statement is already revoked".into(),
        ));
    }
    diesel::update(statements::table.find(row.id))
        .set((
            statements::revoked_at.eq(now.naive_utc()),
            statements::revoked_by.eq(actor),
            statements::revoke_reason.eq(reason),
        ))
        .execute(conn)?;
    // The revocation bit flips: the kept status list is dropped and built again on its next request.
    let credential = credentials::of_statement(conn, row.id)?;
    if let Some(credential) = &credential {
        credentials::status::invalidate(conn, credential.org_id)?;
    }
    // The unit is no longer certified: the decision and the sample stand, so a corrected statement
    // can be issued; until one is, exports report the unit as not achieved.
    diesel::update(
        enrolments::table
            .find(row.enrolment_id)
            .filter(enrolments::status.eq(EnrolmentStatus::Certified.as_str())),
    )
    .set((
        enrolments::status.eq(EnrolmentStatus::Sampled.as_str()),
        enrolments::updated_at.eq(now.naive_utc()),
    ))
    .execute(conn)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor.to_string()),
            action: "statement.revoke",
            entity: "enrolment",
            entity_id: &row.enrolment_id.to_string(),
            before: Some(serde_json::json!({ "code": row.code, "status": "valid" })),
            after: Some(serde_json::json!({
                "code": row.code, "status": "revoked", "reason": reason,
                "enrolment_status": EnrolmentStatus::Sampled.as_str(),
                "status_index": credential.as_ref().map(|c| c.status_index),
            })),
        },
    )?;
    by_code(conn, &row.code)
}

/// Every statement issued for an organisation's enrolments, newest first.
pub fn list_for_org(
    conn: &mut DbConnection,
    org_id: crate::db::ids::OrgId,
) -> Result<Vec<StatementRow>, ActionError> {
    // A subquery, not a list of ids: an organisation can hold more enrolments than SQLite takes
    // bound parameters.
    let ids = enrolments::table
        .filter(enrolments::org_id.eq(org_id))
        .select(enrolments::id);
    Ok(statements::table
        .filter(statements::enrolment_id.eq_any(ids))
        .order(statements::issued_at.desc())
        .select(StatementRow::as_select())
        .load(conn)?)
}
