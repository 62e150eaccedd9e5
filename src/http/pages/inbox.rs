//! The signed-in person's inbox, and an organisation's mail outbox (admins).

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::form::Fields;
use super::view::{Html, PageError, PageSession, check_csrf, page, see_other};
use crate::auth::policy::{Action, Resource};
use crate::db::ids::{NotificationId, OrgId, UserId};
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::session::Session;
use crate::notify::{self, Notification, OutboxMail};

/// The mark-as-read form as posted: `open` when the person follows the item's link too.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReadForm {
    open: Option<String>,
}

#[derive(Serialize)]
struct InboxView {
    title: String,
    csrf: String,
    unread: i64,
    items: Vec<Notification>,
}

/// `GET /inbox`.
pub async fn show(state: web::Data<AppState>, session: PageSession) -> Html {
    Html(show_page(&state, &session).await)
}

async fn show_page(state: &AppState, session: &Session) -> Result<HttpResponse, PageError> {
    let user = UserId::from(session.actor.user_id);
    let (unread, items) = state
        .db
        .read(move |conn| {
            Ok::<_, crate::action::ActionError>((
                notify::unread_count(conn, user)?,
                notify::inbox(conn, user, 200)?,
            ))
        })
        .await?;
    let view = InboxView {
        title: "Inbox".into(),
        csrf: session.csrf.clone(),
        unread,
        items,
    };
    page(state, Some(session), "pages/inbox.html", &view)
}

/// `POST /inbox/{id}/read`: marks one item read and goes where it points.
pub async fn read(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(
        async {
            check_csrf(&session, fields.csrf())?;
            read_page(&state, &session, typed_path_id(&path)?, fields).await
        }
        .await,
    )
}

/// Marks notification `id` read; the CSRF token is already checked.
async fn read_page(
    state: &AppState,
    session: &Session,
    id: NotificationId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    let user = UserId::from(session.actor.user_id);
    let item = state
        .db
        .write(move |conn| notify::mark_read(conn, user, id, Utc::now()))
        .await?;
    let form: ReadForm = fields.read()?;
    let go = if form.open.is_some() && item.link.starts_with('/') && !item.link.starts_with("//") {
        item.link
    } else {
        "/inbox".to_owned()
    };
    Ok(see_other(&go))
}

/// `POST /inbox/read`: marks everything read.
pub async fn read_all(state: web::Data<AppState>, session: PageSession, fields: Fields) -> Html {
    Html(read_all_page(&state, &session, fields).await)
}

async fn read_all_page(
    state: &AppState,
    session: &Session,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let user = UserId::from(session.actor.user_id);
    state
        .db
        .write(move |conn| notify::mark_all_read(conn, user, Utc::now()))
        .await?;
    Ok(see_other("/inbox"))
}

#[derive(Serialize)]
struct OutboxView {
    title: String,
    org_id: String,
    smtp: bool,
    mail: Vec<OutboxMail>,
}

/// `GET /orgs/{org_id}/outbox`: the organisation's mail (admins).
pub async fn outbox(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(async { outbox_page(&state, &session, typed_path_id(&path)?).await }.await)
}

async fn outbox_page(
    state: &AppState,
    session: &Session,
    org_id: OrgId,
) -> Result<HttpResponse, PageError> {
    session.require(
        Action::ManageOrganisation,
        &Resource::Organisation {
            org_id: org_id.into(),
        },
    )?;
    let mail = state
        .db
        .read(move |conn| notify::outbox_of(conn, org_id, 500))
        .await?;
    let view = OutboxView {
        title: "Mail outbox".into(),
        org_id: org_id.to_string(),
        smtp: state.config.smtp_url.is_some(),
        mail,
    };
    page(state, Some(session), "pages/outbox.html", &view)
}
