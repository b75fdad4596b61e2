//! The read baseline of `statusdata bench graphql`: the benchmark's page of 1.5.1 through diesel
//! alone, written the way a hand-tuned diesel program would: the same columns the GraphQL query
//! selects, typed (`QueryableByName`), the count as a subquery of the same statement, and the
//! statement prepared once per connection (diesel's cache, keyed by its text).

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{QueryResult, QueryableByName, RunQueryDsl};

use super::conn::AnyConnection;
use super::StoreError;

/// The columns of the benchmark's GraphQL query (its `nodes`), in order.
pub const PAGE_COLUMNS: [&str; 22] = [
    "student_no",
    "name",
    "gender",
    "id_no",
    "birth_date",
    "ethnicity",
    "political",
    "nationality",
    "hukou",
    "origin_area",
    "major_code",
    "dept_code",
    "class_name",
    "grade",
    "enrol_ym",
    "duration",
    "level",
    "admission_mode",
    "source_type",
    "status",
    "training_mode",
    "expected_grad_ym",
];

#[derive(QueryableByName)]
#[allow(dead_code)] // read to measure the decoding, never looked at
struct Student {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Nullable<Text>)]
    student_no: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    gender: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    id_no: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    birth_date: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    ethnicity: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    political: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    nationality: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    hukou: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    origin_area: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    major_code: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    dept_code: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    class_name: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    grade: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    enrol_ym: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    duration: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    level: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    admission_mode: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    source_type: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    status: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    training_mode: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    expected_grad_ym: Option<String>,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// The page statement: text with bound values between its pieces.
struct PageStatement<'a> {
    pieces: [&'a str; 7],
    cycle: i64,
    gender: &'a str,
    grade: i64,
    limit: i64,
}

impl QueryId for PageStatement<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for PageStatement<'_> {
    type SqlType = diesel::sql_types::Untyped;
}

impl<C> RunQueryDsl<C> for PageStatement<'_> {}

impl<DB> QueryFragment<DB> for PageStatement<'_>
where
    DB: Backend + diesel::sql_types::HasSqlType<BigInt> + diesel::sql_types::HasSqlType<Text>,
    i64: diesel::serialize::ToSql<BigInt, DB>,
    str: diesel::serialize::ToSql<Text, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        // The count's filter, then the page's filter, then the page's size.
        let filter = [Some(&self.cycle), None, Some(&self.grade)];
        let binds = filter
            .iter()
            .chain(&filter)
            .copied()
            .chain([Some(&self.limit)]);
        for (piece, bind) in self.pieces.iter().zip(binds) {
            out.push_sql(piece);
            match bind {
                Some(number) => out.push_bind_param::<BigInt, i64>(number)?,
                None => out.push_bind_param::<Text, str>(self.gender)?,
            }
        }
        Ok(())
    }
}

/// The benchmark's page (gender and grade filter, ordered by id) and its count: (rows, count).
pub fn baseline_page(
    conn: &mut AnyConnection,
    cycle: i32,
    gender: &str,
    grade: i64,
    limit: i64,
) -> Result<(usize, i64), StoreError> {
    let head = format!(
        "SELECT id, {}, (SELECT COUNT(*) FROM d_students WHERE cycle = ",
        PAGE_COLUMNS.join(", ")
    );
    let statement = PageStatement {
        pieces: [
            &head,
            " AND gender = ",
            " AND grade = ",
            ") AS total FROM d_students WHERE cycle = ",
            " AND gender = ",
            " AND grade = ",
            " ORDER BY id LIMIT ",
        ],
        cycle: i64::from(cycle),
        gender,
        grade,
        limit,
    };
    let rows: Vec<Student> = statement.load(conn)?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok((rows.len(), total))
}
