//! The columns of the `table!` definitions as data, so a test can hold them against a migrated
//! database: name, storage class and whether they take NULL.

use diesel::sql_types::{BigInt, Binary, Bool, Integer, Nullable, Text};

use super::*;

/// One column of a core table's `table!`, as a migration must declare it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnShape {
    pub table: &'static str,
    pub column: &'static str,
    /// `int`, `text`, `bool` or `bytes`.
    pub class: &'static str,
    pub nullable: bool,
}

/// What a column's SQL type stores and whether it takes NULL.
trait Shape {
    const CLASS: &'static str;
    const NULLABLE: bool = false;
}

impl Shape for Integer {
    const CLASS: &'static str = "int";
}
impl Shape for BigInt {
    const CLASS: &'static str = "int";
}
impl Shape for Text {
    const CLASS: &'static str = "text";
}
impl Shape for Bool {
    const CLASS: &'static str = "bool";
}
impl Shape for Binary {
    const CLASS: &'static str = "bytes";
}
impl<T: Shape + diesel::sql_types::SqlType> Shape for Nullable<T> {
    const CLASS: &'static str = T::CLASS;
    const NULLABLE: bool = true;
}

/// The columns of a table's `all_columns` tuple.
trait Columns {
    fn shapes(table: &'static str, out: &mut Vec<ColumnShape>);
}

macro_rules! columns_for_tuples {
    ($first:ident $(, $rest:ident)*) => {
        impl<$first $(, $rest)*> Columns for ($first, $($rest,)*)
        where
            $first: diesel::Column,
            <$first as diesel::Expression>::SqlType: Shape,
            $($rest: diesel::Column, <$rest as diesel::Expression>::SqlType: Shape,)*
        {
            fn shapes(table: &'static str, out: &mut Vec<ColumnShape>) {
                out.push(shape::<$first>(table));
                $(out.push(shape::<$rest>(table));)*
            }
        }
        columns_for_tuples!($($rest),*);
    };
    () => {};
}

columns_for_tuples!(
    C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, C12, C13, C14, C15, C16, C17, C18, C19, C20
);

fn shape<C>(table: &'static str) -> ColumnShape
where
    C: diesel::Column,
    <C as diesel::Expression>::SqlType: Shape,
{
    ColumnShape {
        table,
        column: C::NAME,
        class: <<C as diesel::Expression>::SqlType as Shape>::CLASS,
        nullable: <<C as diesel::Expression>::SqlType as Shape>::NULLABLE,
    }
}

macro_rules! shapes_of {
    ($($table:ident),+ $(,)?) => {
        /// Every column of every core table, in declaration order.
        pub fn core_columns() -> Vec<ColumnShape> {
            let mut out = Vec::new();
            $(<<$table::table as diesel::Table>::AllColumns as Columns>::shapes(
                stringify!($table),
                &mut out,
            );)+
            out
        }
    };
}

shapes_of!(
    units,
    users,
    sessions,
    api_tokens,
    cycles,
    schedule_tasks,
    submissions,
    submission_events,
    findings,
    lock_exceptions,
    audit_log,
    data_tables,
    data_columns,
    quality_runs,
    indicator_snapshots,
    indicator_comments,
    annual_report_values,
    cases,
    case_figures,
    case_attachments,
    row_links,
    row_comments,
    gaoji_figures,
    policy_versions,
    definition_versions,
    definition_tables,
    definition_drafts,
    definition_history,
    login_throttle,
    reload_requests,
    statusdata_version,
);
