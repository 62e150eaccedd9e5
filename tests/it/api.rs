//! The API's paths, built in one place: `api::enrolment(&w.enrolment).progress()` rather than
//! `format!("/api/enrolments/{}/progress", w.enrolment)` written out at each call. A route that
//! moves changes here, and a typo in a path is a compile error instead of a 404 a test may expect.
//! Nodes (an enrolment, an organisation …) deref to their own path, so `&api::org(&id)` is the
//! organisation's path; leaves are `String`s for `TestApp::request_as` and friends.

use std::fmt;
use std::ops::Deref;

/// `POST /api/auth/login`.
pub const LOGIN: &str = "/api/auth/login";
/// `POST /api/auth/logout`.
pub const LOGOUT: &str = "/api/auth/logout";
/// The signed-in person.
pub const ME: &str = "/api/me";
/// The next piece of evidence waiting for the signed-in assessor's judgement.
pub const ME_NEXT_JUDGEMENT: &str = "/api/me/next-judgement";
/// The signed-in person's notifications.
pub const ME_NOTIFICATIONS: &str = "/api/me/notifications";
/// Marks all of the signed-in person's notifications read.
pub const ME_NOTIFICATIONS_READ: &str = "/api/me/notifications/read";
/// The signed-in person's two-factor sign-in.
pub const ME_TWO_FACTOR: &str = "/api/me/two-factor";
/// Confirms a two-factor enrolment with a first code.
pub const ME_TWO_FACTOR_CONFIRM: &str = "/api/me/two-factor/confirm";
/// Turns two-factor sign-in off.
pub const ME_TWO_FACTOR_DISABLE: &str = "/api/me/two-factor/disable";
/// Accepts an invitation and sets a password.
pub const INVITATIONS_ACCEPT: &str = "/api/invitations/accept";
/// The OpenAPI document.
pub const OPENAPI: &str = "/api/openapi.json";
/// Enrolments (list, create).
pub const ENROLMENTS: &str = "/api/enrolments";
/// The standards catalogue.
pub const STANDARDS: &str = "/api/standards";

/// A path with children: it derefs to (and prints as) its own path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node(String);

impl Node {
    fn at(&self, rest: &str) -> String {
        format!("{}/{rest}", self.0)
    }

    fn child(&self, rest: &str) -> Node {
        Node(self.at(rest))
    }

    /// The node's own path.
    pub fn path(&self) -> String {
        self.0.clone()
    }
}

impl Deref for Node {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! leaves {
    ($node:ident { $($(#[$doc:meta])* $name:ident => $rest:literal,)* }) => {
        impl $node {
            $(
                $(#[$doc])*
                pub fn $name(&self) -> String {
                    self.0.at($rest)
                }
            )*
        }
    };
}

macro_rules! node {
    ($(#[$doc:meta])* $node:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $node(Node);

        impl Deref for $node {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $node {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl $node {
            /// The node's own path.
            #[allow(dead_code, reason = "not every node is asked for its own path")]
            pub fn path(&self) -> String {
                self.0.path()
            }
        }
    };
}

node!(
    /// `/api/enrolments/{id}`.
    Enrolment
);

/// The enrolments of one organisation (the list, filtered by `org_id`).
pub fn enrolments_of(org: impl fmt::Display) -> String {
    format!("{ENROLMENTS}?org_id={org}")
}

/// One enrolment.
pub fn enrolment(id: impl fmt::Display) -> Enrolment {
    Enrolment(Node(format!("{ENROLMENTS}/{id}")))
}

leaves!(Enrolment {
    acknowledgements => "acknowledgements",
    archive_zip => "archive.zip",
    assessment_extension => "assessment-extension",
    audit => "audit",
    credential_json => "credential.json",
    decision => "decision",
    /// Evidence (list, record).
    evidence => "evidence",
    evidence_upload => "evidence/upload",
    grid => "grid",
    iv_response => "iv-response",
    marks => "marks",
    /// `POST …/move`: moves the enrolment to another version.
    move_version => "move",
    move_preview => "move/preview",
    move_undo => "move/undo",
    progress => "progress",
    question_requests => "question-requests",
    reopen => "reopen",
    samples => "samples",
    signoffs => "signoffs",
    staff => "staff",
    statement => "statement",
    statement_pdf => "statement.pdf",
    statement_revoke => "statement/revoke",
    submit => "submit",
    withdraw => "withdraw",
});

impl Enrolment {
    /// One piece of the enrolment's evidence.
    pub fn evidence_item(&self, id: impl fmt::Display) -> Evidence {
        Evidence(self.0.child(&format!("evidence/{id}")))
    }

    /// One question request of the enrolment.
    pub fn question_request(&self, id: impl fmt::Display) -> QuestionRequest {
        QuestionRequest(self.0.child(&format!("question-requests/{id}")))
    }

    /// Revokes a witness request.
    pub fn witness_request_revoke(&self, id: impl fmt::Display) -> String {
        self.0.at(&format!("witness-requests/{id}/revoke"))
    }
}

node!(
    /// `/api/enrolments/{id}/evidence/{evidence}`.
    Evidence
);

leaves!(Evidence {
    acknowledgement => "acknowledgement",
    file => "file",
    judgements => "judgements",
    time_points => "time-points",
    witness_requests => "witness-requests",
});

impl Evidence {
    /// One time point of the evidence (a recording's moment).
    pub fn time_point(&self, id: impl fmt::Display) -> String {
        self.0.at(&format!("time-points/{id}"))
    }
}

node!(
    /// `/api/enrolments/{id}/question-requests/{request}`.
    QuestionRequest
);

leaves!(QuestionRequest {
    answers => "answers",
    marks => "marks",
});

impl QuestionRequest {
    /// The recording of one answer.
    pub fn answer_recording(&self, answer: impl fmt::Display) -> String {
        self.0.at(&format!("answers/{answer}/recording"))
    }
}

node!(
    /// `/api/cohorts/{id}`.
    Cohort
);

/// One cohort.
pub fn cohort(id: impl fmt::Display) -> Cohort {
    Cohort(Node(format!("/api/cohorts/{id}")))
}

leaves!(Cohort {
    archives_zip => "archives.zip",
    enrolments => "enrolments",
    grid => "grid",
    progress => "progress",
});

node!(
    /// `/api/export-batches/{id}`.
    ExportBatch
);

/// One export batch.
pub fn export_batch(id: impl fmt::Display) -> ExportBatch {
    ExportBatch(Node(format!("/api/export-batches/{id}")))
}

leaves!(ExportBatch {
    download => "download",
    reverse => "reverse",
});

node!(
    /// `/api/orgs/{id}`.
    Org
);

/// One organisation.
pub fn org(id: impl fmt::Display) -> Org {
    Org(Node(format!("/api/orgs/{id}")))
}

leaves!(Org {
    assessors_risk => "assessors/risk",
    audit => "audit",
    audit_export => "audit/export",
    badges => "badges",
    cohorts => "cohorts",
    export_batches => "export-batches",
    iv_assignments => "iv-assignments",
    outbox => "outbox",
    people_import => "people/import",
    question_sets => "question-sets",
    results => "results",
    retention => "retention",
    sampling_plans => "sampling-plans",
    sampling_rates => "sampling-rates",
    standard_mappings => "standard-mappings",
    standards => "standards",
    standards_preview => "standards/preview",
    two_factor => "two-factor",
    users => "users",
    witnesses => "witnesses",
});

impl Org {
    /// One assessor's risk profile.
    pub fn assessor_risk(&self, assessor: impl fmt::Display) -> String {
        self.0.at(&format!("assessors/{assessor}/risk"))
    }

    /// The organisation's chosen readings of a standard version's ambiguous rules.
    pub fn interpretations(&self, code: impl fmt::Display, version: impl fmt::Display) -> String {
        self.0.at(&format!("interpretations/{code}/{version}"))
    }

    /// One internal verifier's assignment to an assessor.
    pub fn iv_assignment(&self, iv: impl fmt::Display, assessor: impl fmt::Display) -> String {
        self.0.at(&format!("iv-assignments/{iv}/{assessor}"))
    }

    /// One user of the organisation.
    pub fn user(&self, id: impl fmt::Display) -> OrgUser {
        OrgUser(self.0.child(&format!("users/{id}")))
    }
}

node!(
    /// `/api/orgs/{org}/users/{id}`.
    OrgUser
);

leaves!(OrgUser {
    deactivate => "deactivate",
    erase => "erase",
    grants => "grants",
    invitation => "invitation",
});

impl OrgUser {
    /// One of the user's role grants.
    pub fn grant(&self, role: impl fmt::Display) -> String {
        self.0.at(&format!("grants/{role}"))
    }
}

node!(
    /// `/api/sampling-plans/{id}`.
    SamplingPlan
);

/// One sampling plan.
pub fn sampling_plan(id: impl fmt::Display) -> SamplingPlan {
    SamplingPlan(Node(format!("/api/sampling-plans/{id}")))
}

leaves!(SamplingPlan {
    draws => "draws",
});

impl SamplingPlan {
    /// One draw of the plan.
    pub fn draw(&self, id: impl fmt::Display) -> String {
        self.0.at(&format!("draws/{id}"))
    }
}

/// One question set.
pub fn question_set(id: impl fmt::Display) -> String {
    format!("/api/question-sets/{id}")
}

/// One version of a standard.
pub fn standard(code: impl fmt::Display, version: impl fmt::Display) -> String {
    format!("{STANDARDS}/{code}/{version}")
}

/// A user's subject-access archive.
pub fn subject_access_zip(user: impl fmt::Display) -> String {
    format!("/api/users/{user}/subject-access.zip")
}

/// A witness's page, by the token in their link.
pub fn witness(token: impl fmt::Display) -> String {
    format!("/api/witness/{token}")
}

/// Marks one notification read.
pub fn notification_read(id: impl fmt::Display) -> String {
    format!("{ME_NOTIFICATIONS}/{id}/read")
}
