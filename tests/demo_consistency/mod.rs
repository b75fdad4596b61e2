//! The demo college keeps the notice's cross-table rules (fields.md X01–X21) by construction.
//! Each relation is checked here with plain SQL on the seeded database, on the active backend,
//! independently of the rules engine; the only rows allowed to break a relation are those the
//! generator reports it broke on purpose (`seed_demo`'s breakages, whatever they are).

mod codes;
mod copies;
mod people;
mod sums;

use std::collections::BTreeMap;

use diesel::sql_types::{Nullable, Text};
use diesel::RunQueryDsl;
use statusdata::defs::Catalog;
use statusdata::demo::Breakage;
use statusdata::store::AnyConnection;

use crate::db::TestDb;

/// A row a finding is about: its table code and the key values that name it (none: the table).
#[derive(Debug, Clone)]
pub struct At {
    pub table: String,
    pub pairs: Vec<(String, String)>,
}

/// Names a row by table code and key values.
pub fn at(table: &str, pairs: &[(&str, &str)]) -> At {
    At {
        table: table.to_owned(),
        pairs: pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

/// A relation that does not hold, and every row it involves.
#[derive(Debug)]
pub struct Broken {
    /// The check's name in [`CHECKS`].
    pub check: &'static str,
    pub rows: Vec<At>,
    pub what: String,
}

#[derive(diesel::QueryableByName)]
struct Cells {
    #[diesel(sql_type = Nullable<Text>)]
    c0: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c1: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c2: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c3: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c4: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c5: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c6: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c7: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c8: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c9: Option<String>,
}

const WIDTH: usize = 10;

/// What the checks share: the connection, the catalog, and what they found.
pub struct Ctx<'a> {
    pub conn: &'a mut AnyConnection,
    pub catalog: &'a Catalog,
    pub broken: Vec<Broken>,
    /// The check running.
    pub current: &'static str,
    /// Rows (or groups) each check looked at, so that none passes by looking at nothing.
    pub looked: BTreeMap<&'static str, usize>,
}

impl Ctx<'_> {
    /// Runs `SELECT cols… FROM rest` (each column cast to text; NULL is None) and returns the rows.
    pub fn q(&mut self, cols: &[&str], rest: &str) -> Vec<Vec<Option<String>>> {
        assert!(cols.len() <= WIDTH, "at most {WIDTH} columns");
        let list: Vec<String> = (0..WIDTH)
            .map(|i| {
                let expr = cols.get(i).copied().unwrap_or("NULL");
                format!("CAST({expr} AS TEXT) AS c{i}")
            })
            .collect();
        let sql = format!("SELECT {} {rest}", list.join(", "));
        let rows = diesel::sql_query(sql.as_str())
            .load::<Cells>(&mut *self.conn)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.into_iter()
            .map(|r| {
                let all = [r.c0, r.c1, r.c2, r.c3, r.c4, r.c5, r.c6, r.c7, r.c8, r.c9];
                all.into_iter().take(cols.len()).collect()
            })
            .collect()
    }

    /// Like [`Ctx::q`], with NULL read as "".
    pub fn qs(&mut self, cols: &[&str], rest: &str) -> Vec<Vec<String>> {
        self.q(cols, rest)
            .into_iter()
            .map(|r| r.into_iter().map(Option::unwrap_or_default).collect())
            .collect()
    }

    /// One number.
    pub fn n(&mut self, expr: &str, rest: &str) -> i64 {
        num(&self.qs(&[expr], rest)[0][0])
    }

    /// Records that the running check looked at `n` more rows.
    pub fn saw(&mut self, n: usize) {
        *self.looked.entry(self.current).or_default() += n;
    }

    /// Records a broken relation found by the running check.
    pub fn flag(&mut self, rows: Vec<At>, what: String) {
        let check = self.current;
        self.broken.push(Broken { check, rows, what });
    }

    /// The SQL table of a table code.
    pub fn t(&self, code: &str) -> String {
        let table = self.catalog.table_by_code(code).expect("table");
        format!("d_{}", table.slug)
    }
}

/// A number from a cell (blank or not a number: i64::MIN, which no relation accepts).
pub fn num(s: &str) -> i64 {
    s.trim().parse::<i64>().unwrap_or(i64::MIN)
}

/// A stored bool.
pub fn yes(s: &str) -> bool {
    matches!(s, "1" | "true" | "t")
}

/// The key values of a breakage's `row` (`k="v", k2=2021`).
fn planted_pairs(row: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = row.trim();
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim().to_owned();
        let after = &rest[eq + 1..];
        let (value, tail) = if after.starts_with('"') {
            let mut stream = serde_json::Deserializer::from_str(after).into_iter::<String>();
            let v = stream.next().and_then(Result::ok).unwrap_or_default();
            (v, &after[stream.byte_offset()..])
        } else {
            let end = after.find(", ").unwrap_or(after.len());
            (after[..end].to_owned(), &after[end..])
        };
        out.push((key, value));
        rest = tail.trim_start_matches(", ").trim();
    }
    out
}

/// True when a planted row is one of the rows a broken relation involves: the same table and,
/// on every key field both name, the same values (a row or breakage naming no key is the table).
fn excused(b: &Broken, planted: &[(String, Vec<(String, String)>)]) -> bool {
    b.rows.iter().any(|row| {
        planted.iter().any(|(table, pairs)| {
            if table != &row.table {
                return false;
            }
            let common: Vec<_> = pairs
                .iter()
                .filter_map(|(k, v)| {
                    row.pairs
                        .iter()
                        .find(|(rk, _)| rk == k)
                        .map(|(_, rv)| (v, rv))
                })
                .collect();
            pairs.is_empty()
                || row.pairs.is_empty()
                || (!common.is_empty() && common.iter().all(|(a, b)| a == b))
        })
    })
}

type Check = fn(&mut Ctx);

/// Every check, by the rule it proves.
const CHECKS: &[(&str, Check)] = &[
    ("X01 majors in the catalogue", codes::majors_in_catalogue),
    ("X02 new majors", codes::new_majors),
    ("X03 teaching", sums::teaching),
    ("X04 rosters", people::rosters),
    ("X05 student counts", sums::student_counts),
    ("X06/X07 admissions", sums::admissions),
    ("X08 graduates", sums::graduates),
    ("X09 dates", codes::dates),
    ("X11 areas", sums::areas),
    ("X12 equipment", sums::equipment),
    ("X14 internships", people::internships),
    ("X15 enterprise practice", people::practice_and_insurance),
    ("X16 counsellors", people::ratios),
    ("X17 course hours", codes::course_hours),
    ("X18 teachers", people::teachers),
    ("X19 major groups", codes::major_groups),
    ("X20 certificates", sums::certificates),
    ("X21 identity numbers", people::id_numbers),
    ("references resolve", copies::references),
    ("names copied", copies::names_copied),
    ("keys unique", codes::keys_unique),
];

#[test]
fn the_demo_college_keeps_every_cross_table_relation_but_its_planted_breaks() -> anyhow::Result<()>
{
    let db = TestDb::demo();
    let catalog = db.store.catalog().clone();
    let planted: Vec<(String, Vec<(String, String)>)> = crate::db::demo_seed()
        .report
        .breakages
        .iter()
        .map(|b: &Breakage| (b.table.clone(), planted_pairs(&b.row)))
        .collect();
    let mut conn = db.store.conn()?;
    let mut ctx = Ctx {
        conn: &mut conn,
        catalog: &catalog,
        broken: Vec::new(),
        current: "",
        looked: BTreeMap::new(),
    };
    for (name, check) in CHECKS {
        ctx.current = name;
        ctx.looked.entry(name).or_default();
        check(&mut ctx);
    }
    let idle: Vec<_> = ctx
        .looked
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(c, _)| *c)
        .collect();
    assert!(idle.is_empty(), "checks that looked at no row: {idle:?}");
    let mut shown: BTreeMap<&str, usize> = BTreeMap::new();
    let mut listing = Vec::new();
    for b in ctx.broken.iter().filter(|b| !excused(b, &planted)) {
        let n = shown.entry(b.check).or_default();
        *n += 1;
        if *n <= 5 {
            listing.push(format!("{}: {} {:?}", b.check, b.what, b.rows.first()));
        }
    }
    assert!(
        shown.is_empty(),
        "broken relations beyond the planted rows, by check: {shown:?}\n{}",
        listing.join("\n")
    );
    Ok(())
}

#[test]
fn a_breakage_names_its_row_by_key_values() {
    let pairs = planted_pairs(r#"term="2022-2023-1", course_code="X, Y", grade=2021"#);
    assert_eq!(
        pairs,
        vec![
            ("term".to_owned(), "2022-2023-1".to_owned()),
            ("course_code".to_owned(), "X, Y".to_owned()),
            ("grade".to_owned(), "2021".to_owned()),
        ]
    );
    let b = Broken {
        check: "x",
        rows: vec![at(
            "1.5.3",
            &[("major_code", "460101"), ("grade", "2021"), ("level", "01")],
        )],
        what: String::new(),
    };
    let planted = vec![(
        "1.5.3".to_owned(),
        vec![("grade".to_owned(), "2021".to_owned())],
    )];
    assert!(excused(&b, &planted));
    let other = vec![(
        "1.5.3".to_owned(),
        vec![("grade".to_owned(), "2022".to_owned())],
    )];
    assert!(!excused(&b, &other));
}
