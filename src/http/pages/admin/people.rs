//! An organisation's people: the list, adding a person, granting and ending roles, deactivating.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::*;
use crate::auth::policy::Role;
use crate::db::ids::{OrgId, UserId};
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::dashboard::role_label;
use crate::http::pages::form::{Fields, FormState, field_errors};
use crate::http::pages::view::{
    Html, PageError, PageSession, check_csrf, page_with_status, see_other,
};
use crate::http::session::Session;
use crate::identity::actions::{self, People};
use crate::identity::invitations::InvitationLink;
use crate::identity::{NewUser, User};

#[derive(Serialize)]
struct Person {
    /// Has not yet chosen a password through their invitation.
    awaiting_password: bool,
    id: String,
    name: String,
    email: String,
    active: bool,
    roles: Vec<String>,
    grant: FormState,
}

#[derive(Serialize)]
struct PeopleView {
    title: String,
    org_id: String,
    org_name: String,
    csrf: String,
    people: Vec<Person>,
    create: FormState,
    create_roles: Vec<SelectOption>,
    grant_roles: Vec<SelectOption>,
    /// The signed-in admin (who cannot deactivate themselves).
    me: String,
    /// The person just added, with the link to send them (shown this once).
    invited: Option<Invited>,
}

/// A new invitation as the admin sees it: the whole link to send on.
#[derive(Serialize)]
pub(in crate::http::pages) struct Invited {
    email: String,
    url: String,
    expires_at: String,
}

impl Invited {
    pub(in crate::http::pages) fn new(public_url: &str, link: InvitationLink) -> Self {
        Invited {
            email: link.email,
            url: format!("{}{}", public_url.trim_end_matches('/'), link.path),
            expires_at: link.expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }
}

/// What the people page shows beyond the list: which form was refused (and its state), or the
/// invitation link of a person just added.
enum Refused {
    None,
    Create(FormState),
    Grant(String, FormState),
    Invited(InvitationLink),
}

/// `GET /orgs/{org_id}/people`.
pub async fn people(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(people_page(&state, &session, &path, Refused::None).await)
}

fn role_words(user: &User, org_id: OrgId) -> Vec<String> {
    user.grants
        .iter()
        .filter(|g| g.org_id == org_id)
        .map(|g| {
            let label = g
                .role
                .parse::<Role>()
                .map_or_else(|_| g.role.clone(), |r| role_label(r).to_owned());
            match g.expires_at {
                Some(at) if at <= Utc::now() => format!("{label} (ended {})", at.date_naive()),
                Some(at) => format!("{label} (until {})", at.date_naive()),
                None => label,
            }
        })
        .collect()
}

async fn people_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    refused: Refused,
) -> Result<HttpResponse, PageError> {
    let org_id: OrgId = typed_path_id(raw_org)?;
    let for_tx = session.clone();
    let People {
        organisation,
        users,
        awaiting_password: awaiting,
    } = state
        .db
        .read(move |conn| actions::people(conn, &for_tx.acting(), org_id))
        .await?;
    let org_name = organisation.name;
    let org = org_id.to_string();
    let mut invited = None;
    let (status, create, grant_for) = match refused {
        Refused::None => (StatusCode::OK, FormState::default(), None),
        Refused::Create(form) => (StatusCode::UNPROCESSABLE_ENTITY, form, None),
        Refused::Grant(user, form) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormState::default(),
            Some((user, form)),
        ),
        Refused::Invited(link) => {
            invited = Some(Invited::new(&state.config.public_url, link));
            (StatusCode::OK, FormState::default(), None)
        }
    };
    let people = users
        .iter()
        .map(|u| {
            let id = u.id.to_string();
            let grant = match &grant_for {
                Some((user, form)) if *user == id => form.clone(),
                _ => FormState::default(),
            };
            Person {
                awaiting_password: awaiting.contains(&u.id),
                roles: role_words(u, org_id),
                name: u.name.clone(),
                email: u.email.clone(),
                active: u.active,
                grant,
                id,
            }
        })
        .collect();
    let roles = |with_external: bool| {
        Role::ALL
            .iter()
            .filter(|r| with_external || **r != Role::ExternalVerifier)
            .map(|r| option(r.as_str(), role_label(*r)))
            .collect::<Vec<_>>()
    };
    let view = PeopleView {
        title: format!("People — {org_name}"),
        org_id: org,
        org_name,
        csrf: session.csrf.clone(),
        people,
        create,
        create_roles: roles(false),
        grant_roles: roles(true),
        me: session.user_id.clone(),
        invited,
    };
    page_with_status(state, Some(session), "pages/people.html", &view, status)
}

/// The people page with a new invitation link shown (once).
pub(in crate::http::pages) async fn people_with_invitation(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    link: InvitationLink,
) -> Result<HttpResponse, PageError> {
    people_page(state, session, raw_org, Refused::Invited(link)).await
}

/// The new person's form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PersonForm {
    email: String,
    name: String,
    role: String,
    national_learner_number: String,
}

/// A role grant's form as posted: the role and, for external verifiers, the last day of access.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GrantForm {
    role: String,
    expires_on: String,
}

/// `POST /orgs/{org_id}/people`: creates a user with a first role.
pub async fn create_person(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(create_person_page(&state, &session, &path, fields).await)
}

async fn create_person_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let org_id: OrgId = typed_path_id(raw_org)?;
    let form: PersonForm = fields.read()?;
    // No password: the person chooses their own through the invitation link.
    let new = NewUser {
        email: form.email,
        name: form.name,
        password: None,
        role: form.role,
        national_learner_number: filled(form.national_learner_number),
    };
    let for_tx = session.clone();
    let created = state
        .db
        .write(move |conn| actions::create_user(conn, &for_tx.acting(), org_id, new))
        .await;
    match created {
        Ok((_, Some(link))) => people_page(state, session, raw_org, Refused::Invited(link)).await,
        Ok((_, None)) => Ok(see_other(&format!("/orgs/{org_id}/people"))),
        Err(err) => {
            let form = FormState::again(&fields, field_errors(err)?);
            people_page(state, session, raw_org, Refused::Create(form)).await
        }
    }
}

/// `POST /orgs/{org_id}/people/{user_id}/roles`: grants a role (external verifiers until a date).
pub async fn grant_role(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> Html {
    let (org, user) = path.into_inner();
    Html(grant_page(&state, &session, &org, &user, fields).await)
}

/// `POST /orgs/{org_id}/people/{user_id}/deactivate`: ends the person's access now (their
/// sessions end too); their records and signatures stay.
pub async fn deactivate_person(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> Html {
    let (org, user) = path.into_inner();
    Html(deactivate_page(&state, &session, &org, &user, &fields).await)
}

async fn deactivate_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    raw_user: &str,
    fields: &Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let org_id: OrgId = typed_path_id(raw_org)?;
    let user_id: UserId = typed_path_id(raw_user)?;
    let for_tx = session.clone();
    state
        .db
        .write(move |conn| actions::deactivate(conn, &for_tx.acting(), org_id, user_id))
        .await?;
    Ok(see_other(&format!(
        "/orgs/{org_id}/people#person-{user_id}"
    )))
}

/// The end of access chosen as a date: access lasts through that whole day (UTC).
fn end_of(date: NaiveDate) -> Option<chrono::DateTime<Utc>> {
    date.succ_opt()?.and_hms_opt(0, 0, 0).map(|t| t.and_utc())
}

async fn grant_page(
    state: &AppState,
    session: &Session,
    raw_org: &str,
    raw_user: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let org_id: OrgId = typed_path_id(raw_org)?;
    let user_id: UserId = typed_path_id(raw_user)?;
    let form: GrantForm = fields.read()?;
    let role = form.role.parse::<Role>();
    let mut errors = BTreeMap::new();
    let expires_at = match filled(form.expires_on) {
        None => None,
        Some(text) => match NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .ok()
            .and_then(end_of)
        {
            Some(at) if at > Utc::now() => Some(at),
            Some(_) => {
                errors.insert(
                    "expires_on".to_owned(),
                    "The end date must be today or later".to_owned(),
                );
                None
            }
            None => {
                errors.insert(
                    "expires_on".to_owned(),
                    "Enter a real date, for example 2026-06-30".to_owned(),
                );
                None
            }
        },
    };
    match &role {
        Err(_) => {
            errors.insert("role".to_owned(), "Choose a role".to_owned());
        }
        Ok(Role::ExternalVerifier)
            if expires_at.is_none() && !errors.contains_key("expires_on") =>
        {
            errors.insert(
                "expires_on".to_owned(),
                "External verifier access needs an end date".to_owned(),
            );
        }
        Ok(_) => {}
    }
    let action = actions::grant_action(role.as_ref().ok().copied());
    let (Ok(role), true) = (role, errors.is_empty()) else {
        // Who may not grant it, or asks about someone not here, hears that before the form's
        // problems.
        let for_tx = session.clone();
        state
            .db
            .read(move |conn| actions::member_for(conn, &for_tx.acting(), org_id, user_id, action))
            .await?;
        let form = FormState::again(&fields, errors);
        return people_page(
            state,
            session,
            raw_org,
            Refused::Grant(user_id.to_string(), form),
        )
        .await;
    };
    let for_tx = session.clone();
    state
        .db
        .write(move |conn| {
            let acting = for_tx.acting();
            actions::grant_role(conn, &acting, org_id, user_id, role, expires_at)
        })
        .await?;
    Ok(see_other(&format!("/orgs/{org_id}/people")))
}
