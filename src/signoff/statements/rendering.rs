//! The statement's PDF, rendered from its stored content with its credential attached.

use super::StatementRow;
use crate::action::ActionError;
use crate::credentials::{self, CredentialRow};
use crate::db::DbConnection;
use crate::output::pdf::{self, Attachment, FontSet, StatementView};

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
