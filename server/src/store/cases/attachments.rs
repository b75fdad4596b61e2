//! Attachments of cases: their metadata, and their contents kept in the database as binary.

use std::collections::HashMap;

use diesel::prelude::*;

use super::{Attachment, NewAttachment};
use crate::store::conn::AnyConnection;
use crate::store::schema::case_attachments;
use crate::store::StoreError;

/// The attachments of these cases (without contents), by case id, oldest first.
pub fn attachments_of(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<Attachment>>, StoreError> {
    let mut out: HashMap<i64, Vec<Attachment>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<Attachment> = case_attachments::table
        .filter(case_attachments::case_id.eq_any(ids))
        .select(Attachment::as_select())
        .order((case_attachments::case_id, case_attachments::id))
        .load(conn)?;
    for a in rows {
        out.entry(a.case_id).or_default().push(a);
    }
    Ok(out)
}

/// One attachment without its content.
pub fn get_attachment(conn: &mut AnyConnection, id: i64) -> Result<Option<Attachment>, StoreError> {
    Ok(case_attachments::table
        .find(id)
        .select(Attachment::as_select())
        .first(conn)
        .optional()?)
}

/// Stores an attachment with its content; its id.
pub fn insert_attachment(
    conn: &mut AnyConnection,
    a: &NewAttachment<'_>,
    at: &str,
    actor: &str,
) -> Result<i64, StoreError> {
    let size = i64::try_from(a.content.len()).unwrap_or(i64::MAX);
    Ok(diesel::insert_into(case_attachments::table)
        .values((
            case_attachments::case_id.eq(a.case_id),
            case_attachments::file_name.eq(a.file_name),
            case_attachments::media_type.eq(a.media_type),
            case_attachments::size.eq(size),
            case_attachments::sha256.eq(a.sha256),
            case_attachments::content.eq(a.content),
            case_attachments::uploaded_at.eq(at),
            case_attachments::uploaded_by.eq(actor),
        ))
        .returning(case_attachments::id)
        .get_result(conn)?)
}

/// The content of an attachment.
pub fn attachment_content(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(case_attachments::table
        .find(id)
        .select(case_attachments::content)
        .first(conn)
        .optional()?)
}

/// Removes an attachment.
pub fn delete_attachment(conn: &mut AnyConnection, id: i64) -> Result<(), StoreError> {
    diesel::delete(case_attachments::table.find(id)).execute(conn)?;
    Ok(())
}

/// How many attachments a case has.
pub fn count_attachments(conn: &mut AnyConnection, case_id: i64) -> Result<usize, StoreError> {
    let n: i64 = case_attachments::table
        .filter(case_attachments::case_id.eq(case_id))
        .count()
        .get_result(conn)?;
    Ok(usize::try_from(n).unwrap_or_default())
}
