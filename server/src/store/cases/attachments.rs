//! Attachments of cases: metadata read as text like every other row, contents bound and read
//! as binary (which the text-only dynamic statements cannot carry), so each backend gets its own
//! placeholders here.

use std::collections::HashMap;

use diesel::sql_types::{BigInt, Binary, Text};
use diesel::{QueryableByName, RunQueryDsl};

use super::{get, id_list, num, Attachment, NewAttachment};
use crate::store::conn::AnyConnection;
use crate::store::sql::{DynQuery, SqlValue, TextRow};
use crate::store::StoreError;

const ATTACHMENT_COLUMNS: &str = "CAST(id AS TEXT) AS id, CAST(case_id AS TEXT) AS case_id, \
    file_name, media_type, CAST(size AS TEXT) AS size, sha256, uploaded_at, uploaded_by";

fn decode_attachment(r: &TextRow) -> Attachment {
    Attachment {
        id: num(r, "id"),
        case_id: num(r, "case_id"),
        file_name: get(r, "file_name"),
        media_type: get(r, "media_type"),
        size: num(r, "size"),
        sha256: get(r, "sha256"),
        uploaded_at: get(r, "uploaded_at"),
        uploaded_by: get(r, "uploaded_by"),
    }
}

/// The attachments of these cases (without contents), by case id, oldest first.
pub fn attachments_of(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<Attachment>>, StoreError> {
    let mut out: HashMap<i64, Vec<Attachment>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut q = DynQuery::new(format!(
        "SELECT {ATTACHMENT_COLUMNS} FROM case_attachments WHERE case_id"
    ))
    .uncached();
    id_list(&mut q, ids);
    q.sql(" ORDER BY case_id, id");
    let rows: Vec<TextRow> = q.load(conn)?;
    for r in &rows {
        let a = decode_attachment(r);
        out.entry(a.case_id).or_default().push(a);
    }
    Ok(out)
}

/// One attachment without its content.
pub fn get_attachment(conn: &mut AnyConnection, id: i64) -> Result<Option<Attachment>, StoreError> {
    let mut q = DynQuery::new(format!(
        "SELECT {ATTACHMENT_COLUMNS} FROM case_attachments WHERE id = "
    ));
    q.bind(SqlValue::Int(id));
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows.first().map(decode_attachment))
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

#[derive(QueryableByName)]
struct Content {
    #[diesel(sql_type = Binary)]
    content: Vec<u8>,
}

/// Stores an attachment with its content; its id. Contents are bound as binary, which the
/// text-only dynamic statements cannot carry, so each backend gets its own placeholders here.
pub fn insert_attachment(
    conn: &mut AnyConnection,
    a: &NewAttachment<'_>,
    at: &str,
    actor: &str,
) -> Result<i64, StoreError> {
    const HEAD: &str = "INSERT INTO case_attachments (case_id, file_name, media_type, size, \
        sha256, content, uploaded_at, uploaded_by) VALUES ";
    let size = i64::try_from(a.content.len()).unwrap_or(i64::MAX);
    macro_rules! insert {
        ($c:expr, $values:expr) => {
            diesel::sql_query(format!("{HEAD}{} RETURNING id", $values))
                .bind::<BigInt, _>(a.case_id)
                .bind::<Text, _>(a.file_name)
                .bind::<Text, _>(a.media_type)
                .bind::<BigInt, _>(size)
                .bind::<Text, _>(a.sha256)
                .bind::<Binary, _>(a.content)
                .bind::<Text, _>(at)
                .bind::<Text, _>(actor)
                .get_result::<IdRow>($c)?
        };
    }
    let row = match conn {
        AnyConnection::Sqlite(c) => insert!(c, "(?, ?, ?, ?, ?, ?, ?, ?)"),
        AnyConnection::Postgresql(c) => insert!(c, "($1, $2, $3, $4, $5, $6, $7, $8)"),
    };
    Ok(row.id)
}

/// The content of an attachment.
pub fn attachment_content(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<Vec<u8>>, StoreError> {
    const SQL: &str = "SELECT content FROM case_attachments WHERE id = ";
    let rows: Vec<Content> = match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(format!("{SQL}?"))
            .bind::<BigInt, _>(id)
            .load(c)?,
        AnyConnection::Postgresql(c) => diesel::sql_query(format!("{SQL}$1"))
            .bind::<BigInt, _>(id)
            .load(c)?,
    };
    Ok(rows.into_iter().next().map(|r| r.content))
}

/// Removes an attachment.
pub fn delete_attachment(conn: &mut AnyConnection, id: i64) -> Result<(), StoreError> {
    let mut q = DynQuery::new("DELETE FROM case_attachments WHERE id = ");
    q.bind(SqlValue::Int(id));
    q.execute(conn)?;
    Ok(())
}

/// How many attachments a case has.
pub fn count_attachments(conn: &mut AnyConnection, case_id: i64) -> Result<usize, StoreError> {
    Ok(attachments_of(conn, &[case_id])?
        .remove(&case_id)
        .map_or(0, |v| v.len()))
}
