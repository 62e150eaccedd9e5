//! `attest demo`: a demo provider with one user of each role and enrolments at different stages, so a
//! newcomer can sign in and look around at once.

use std::process::ExitCode;

use chrono::{TimeDelta, Utc};

use super::CliError;
use crate::action::ActionError;
use crate::auth::policy::Role;
use crate::catalogue::Catalogue;
use crate::config::Config;
use crate::db::ids::UserId;
use crate::db::{DbConnection, write_transaction};
use crate::identity::{self, NewOrganisation, NewUser};
use crate::portfolio::{self, MappingInput, NewEnrolment, NewEvidence};
use crate::rules::portfolio::Portfolio;
use crate::setup;

const ORG: &str = "Harbour Contact Centre Training (demo)";
const EXAMPLE: &str = include_str!("../../examples/portfolios/nzqa-28268-complete.yaml");

/// The demo's people: email, name, role.
/// Email, name, role and, for candidates, a learner number (one each: it is unique in an
/// organisation).
const PEOPLE: &[(&str, &str, Role, Option<&str>)] = &[
    (
        "admin@demo.attest",
        "Hine Walker",
        Role::ProviderAdmin,
        None,
    ),
    ("assessor@demo.attest", "Mere Tūhoe", Role::Assessor, None),
    (
        "iv@demo.attest",
        "Łukasz Nowak",
        Role::InternalVerifier,
        None,
    ),
    (
        "candidate@demo.attest",
        "Tāne Mahuta",
        Role::Candidate,
        Some("123456789"),
    ),
    (
        "zoe@demo.attest",
        "Zoë Campbell",
        Role::Candidate,
        Some("123456790"),
    ),
    (
        "ev@demo.attest",
        "Ngāti Pōrou Moderator",
        Role::ExternalVerifier,
        None,
    ),
    (
        "editor@demo.attest",
        "Priya Raman",
        Role::StandardsEditor,
        None,
    ),
];

pub(super) fn run(config: &Config) -> Result<ExitCode, CliError> {
    let db = setup::open_database(config, true)?;
    let catalogue = setup::load_catalogue(config, &db)?;
    let mut conn = db.conn().map_err(|e| CliError::Runtime(e.to_string()))?;
    let passwords = write_transaction(&mut conn, |c| seed(c, &catalogue))?;
    println!(
        "Demo provider \"{ORG}\" is ready. Sign in at {}/login with:",
        config.public_url
    );
    for ((email, name, role, _), password) in PEOPLE.iter().zip(&passwords) {
        println!("  {:<18} {name:<24} {email:<26} {password}", role.as_str());
    }
    println!("These passwords are shown once.");
    Ok(ExitCode::SUCCESS)
}

fn random_password() -> String {
    const WORDS: &[&str] = &[
        "harbour", "kauri", "tui", "thistle", "loch", "fern", "kiwi", "heather", "ridge", "tide",
    ];
    let picks: [u8; 4] = rand::random();
    let number: u16 = rand::random::<u16>() % 900 + 100;
    let words: Vec<&str> = picks
        .iter()
        .map(|p| WORDS[usize::from(*p) % WORDS.len()])
        .collect();
    format!("{}-{number}", words.join("-"))
}

fn seed(conn: &mut DbConnection, catalogue: &Catalogue) -> Result<Vec<String>, ActionError> {
    if identity::find_organisation(conn, ORG).is_ok() {
        return Err(ActionError::Conflict(format!(
            "the demo organisation \"{ORG}\" already exists"
        )));
    }
    let org = identity::create_organisation(
        conn,
        None,
        NewOrganisation {
            name: ORG.into(),
            country: "NZ".into(),
            nzqa_provider_number: Some("8888".into()),
            sqa_centre_number: None,
        },
    )?;
    let mut passwords = Vec::new();
    let mut ids = Vec::new();
    for (email, name, role, learner_number) in PEOPLE {
        let password = random_password();
        let user = identity::create_user(
            conn,
            None,
            org.id,
            NewUser {
                email: (*email).into(),
                name: (*name).into(),
                password: Some(password.clone()),
                role: if *role == Role::ExternalVerifier {
                    "candidate".into()
                } else {
                    role.as_str().into()
                },
                national_learner_number: learner_number.map(str::to_owned),
            },
        )?;
        if *role == Role::ExternalVerifier {
            identity::revoke_role(conn, None, user.id, org.id, Role::Candidate)?;
            identity::grant_role(
                conn,
                None,
                user.id,
                org.id,
                Role::ExternalVerifier,
                Some(Utc::now() + TimeDelta::days(30)),
            )?;
        }
        passwords.push(password);
        ids.push(user.id);
    }
    let (admin, assessor, iv, tane, zoe) = (ids[0], ids[1], ids[2], ids[3], ids[4]);
    identity::assign_verifier(conn, None, org.id, iv, assessor)?;
    let enrol = |conn: &mut DbConnection, candidate: UserId, standard: &str| {
        portfolio::create_enrolment(
            conn,
            catalogue,
            Some(&admin.to_string()),
            NewEnrolment {
                org_id: org.id.into(),
                candidate_id: candidate.into(),
                assessor_id: Some(assessor.into()),
                iv_id: Some(iv.into()),
                standard: standard.into(),
                start_date: None,
            },
            Utc::now(),
        )
    };
    // Tāne: NZQA 28268 with every observation recorded except the last complaint — one gap to close.
    let tane_28268 = enrol(conn, tane, "28268@2")?;
    let standard = &catalogue
        .get("28268", 2)
        .ok_or(ActionError::NotFound)?
        .standard;
    let example: Portfolio = serde_yaml::from_str(EXAMPLE)
        .map_err(|e| ActionError::Conflict(format!("demo portfolio: {e}")))?;
    let keep = example.evidence.len().saturating_sub(1);
    for evidence in example.evidence.iter().take(keep) {
        let new = NewEvidence {
            method: evidence.method,
            kind: evidence.kind.clone(),
            title: evidence.title.clone(),
            setting: evidence.setting,
            channel: evidence.channel.clone(),
            date: evidence.date,
            time: evidence.time,
            site: evidence.site.clone().or_else(|| Some("Wellington contact centre".into())),
            attributes: evidence.attributes.clone().into_iter().collect(),
            criteria: evidence
                .criteria
                .iter()
                .map(|c| MappingInput { criterion: c.criterion.clone(), range: c.range.clone().into_iter().collect() })
                .collect(),
            knowledge: evidence.knowledge.iter().map(|k| k.item.clone()).collect(),
            links: Vec::new(),
            details: serde_json::from_value(serde_json::json!({
                "questions": [{"question": "When would you escalate an enquiry?", "answer": "When the customer needs something outside my authority."}],
                "checklist": [],
            }))
            .unwrap_or_default(),
            declaration: false,
        };
        let enrolment = portfolio::load_enrolment(conn, tane_28268.id)?;
        portfolio::add_evidence(conn, standard, &enrolment, assessor, new, None, Utc::now())?;
    }
    // Zoë: just started on SQA DN8J 11; Tāne also on the SVQ unit CFACC33.
    enrol(conn, zoe, "DN8J 11")?;
    enrol(conn, tane, "CFACC33")?;
    Ok(passwords)
}
