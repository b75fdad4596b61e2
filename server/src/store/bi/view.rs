//! The `CREATE VIEW` of one data table for BI tools: the stored encodings turned into what a
//! SQL reader expects (decimals as numbers at their scale, dates, code labels, unit names).

use super::super::dialect::Dialect;
use super::super::sql::{ident, literal};
use crate::defs::{naming, Catalog, Field, FieldType, Table};

/// One column of a view: its name, its Chinese label (PostgreSQL's `COMMENT ON COLUMN`) and the
/// expression over the data table `d`.
pub struct ViewColumn {
    pub name: String,
    pub label: String,
    expr: String,
}

/// Where the view and the code table live.
pub struct Place<'a> {
    pub dialect: Dialect,
    /// PostgreSQL's BI schema (quoted); unused on SQLite.
    pub schema: &'a str,
}

impl Place<'_> {
    /// The view's qualified, quoted name.
    pub fn view(&self, table: &Table) -> String {
        match self.dialect {
            Dialect::Postgres => format!("{}.{}", self.schema, ident(&view_name(&table.code))),
            Dialect::Sqlite => ident(&format!("bi_{}", view_name(&table.code))),
        }
    }

    /// The code table's qualified, quoted name.
    pub fn codes(&self) -> String {
        match self.dialect {
            Dialect::Postgres => format!("{}.codes", self.schema),
            Dialect::Sqlite => "bi_codes".to_owned(),
        }
    }
}

/// A table's view name without prefix or schema: `t_` and its code with every character other
/// than a letter or digit as `_` (`1.5.1` → `t_1_5_1`).
pub fn view_name(code: &str) -> String {
    let tail: String = code
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("t_{tail}")
}

/// The columns of a table's view, in order: `cycle`, `unit_code`, `unit_name`, then each field
/// (and after a code field its `<field>_label`). A name another column already has gets `_2`,
/// `_3`… so that an unlucky field name never fails the rebuild.
pub fn columns(place: &Place, catalog: &Catalog, table: &Table) -> (Vec<ViewColumn>, Vec<String>) {
    let mut cols = vec![
        column("cycle", "采集年度", "d.cycle".into()),
        column("unit_code", "填报部门代码", "d.unit".into()),
        column("unit_name", "填报部门", "u.name".into()),
    ];
    let mut joins = vec!["LEFT JOIN units u ON u.code = d.unit".to_owned()];
    for field in &table.fields {
        let label = match &field.unit {
            Some(unit) => format!("{}（{unit}）", field.label),
            None => field.label.clone(),
        };
        cols.push(column(&field.name, &label, value(place.dialect, field)));
        let list = field
            .ty
            .code_list()
            .filter(|l| catalog.code_list(l).is_some());
        let Some(list) = list else { continue };
        let name = format!("{}_label", field.name);
        let label = format!("{}（名称）", field.label);
        let expr = if let FieldType::MultiEnum { .. } = field.ty {
            multi(place, field, Some(list))
        } else {
            let alias = format!("c{}", joins.len());
            joins.push(format!(
                "LEFT JOIN {} {alias} ON {alias}.list = {} AND {alias}.code = d.{}",
                place.codes(),
                literal(list),
                ident(&field.name)
            ));
            format!("{alias}.name")
        };
        cols.push(column(&name, &label, expr));
    }
    dedupe(&mut cols);
    (cols, joins)
}

/// `CREATE VIEW` for the table, and on PostgreSQL its comments.
pub fn create(place: &Place, catalog: &Catalog, table: &Table) -> String {
    let (cols, joins) = columns(place, catalog, table);
    let view = place.view(table);
    let select: Vec<String> = cols
        .iter()
        .map(|c| format!("{} AS {}", c.expr, ident(&c.name)))
        .collect();
    let mut sql = format!(
        "CREATE VIEW {view} AS SELECT\n  {}\nFROM {} d\n{};\n",
        select.join(",\n  "),
        ident(&naming::sql_table(&table.slug)),
        joins.join("\n")
    );
    if place.dialect == Dialect::Postgres {
        sql.push_str(&format!(
            "COMMENT ON VIEW {view} IS {};\n",
            literal(&format!("{} {}", table.code, table.name))
        ));
        for c in &cols {
            sql.push_str(&format!(
                "COMMENT ON COLUMN {view}.{} IS {};\n",
                ident(&c.name),
                literal(&c.label)
            ));
        }
    }
    sql
}

fn column(name: &str, label: &str, expr: String) -> ViewColumn {
    ViewColumn {
        name: name.to_owned(),
        label: label.to_owned(),
        expr,
    }
}

fn dedupe(cols: &mut [ViewColumn]) {
    let mut seen = std::collections::BTreeSet::new();
    for c in cols.iter_mut() {
        let base = c.name.clone();
        let mut n = 2;
        while !seen.insert(c.name.clone()) {
            c.name = format!("{base}_{n}");
            n += 1;
        }
    }
}

/// The field's value as a BI reader wants it.
fn value(dialect: Dialect, field: &Field) -> String {
    let col = format!("d.{}", ident(&field.name));
    match (&field.ty, dialect) {
        (FieldType::Decimal { scale: 0 }, Dialect::Postgres) => {
            format!("CAST({col} AS numeric(19, 0))")
        }
        // Exact: a numeric quotient cast to the field's scale.
        (FieldType::Decimal { scale }, Dialect::Postgres) => format!(
            "CAST(CAST({col} AS numeric) / {} AS numeric(19, {scale}))",
            power(*scale)
        ),
        (FieldType::Decimal { scale: 0 }, Dialect::Sqlite) => col,
        // SQLite has no decimal type: a correctly rounded double, which prints back as the
        // stored decimal for up to 15 significant digits.
        (FieldType::Decimal { scale }, Dialect::Sqlite) => {
            format!("{col} / {}.0", power(*scale))
        }
        // Only well-formed text is cast, so one bad value another tool left cannot fail a query.
        (FieldType::Date, Dialect::Postgres) => format!(
            "CASE WHEN {col} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$' THEN CAST({col} AS date) END"
        ),
        (FieldType::MultiEnum { .. } | FieldType::MultiRef { .. }, _) => multi(
            &Place {
                dialect,
                schema: "",
            },
            field,
            None,
        ),
        _ => col,
    }
}

/// A multi-valued field's codes (or, given the code list, their names) joined with "；" in their
/// stored order; an unknown code keeps its place as itself. Empty lists read as NULL.
fn multi(place: &Place, field: &Field, list: Option<&str>) -> String {
    let col = format!("d.{}", ident(&field.name));
    // Each element is `x.e` on PostgreSQL (json_array_elements_text), `x.value` on SQLite.
    let e = match place.dialect {
        Dialect::Postgres => "x.e",
        Dialect::Sqlite => "x.value",
    };
    let (join, item) = match list {
        Some(list) => (
            format!(
                " LEFT JOIN {} c ON c.list = {} AND c.code = {e}",
                place.codes(),
                literal(list)
            ),
            format!("COALESCE(c.name, {e})"),
        ),
        None => (String::new(), e.to_owned()),
    };
    match place.dialect {
        Dialect::Postgres => format!(
            "CASE WHEN {col} LIKE '[%' THEN (SELECT string_agg({item}, '；' ORDER BY x.o) \
             FROM json_array_elements_text(CAST({col} AS json)) WITH ORDINALITY AS x(e, o){join}) END"
        ),
        // group_concat(… ORDER BY …) needs SQLite 3.44, and an older client reading the file
        // would find the whole schema malformed: the ordered subquery keeps the stored order.
        Dialect::Sqlite => format!(
            "CASE WHEN json_valid({col}) THEN (SELECT group_concat(y.v, '；') FROM \
             (SELECT {item} AS v FROM json_each({col}) x{join} ORDER BY x.key) y) END"
        ),
    }
}

/// `10^scale` as an integer literal.
fn power(scale: u32) -> String {
    format!("1{}", "0".repeat(scale as usize))
}
