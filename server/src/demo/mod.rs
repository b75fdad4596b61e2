//! The demo college: realistic, internally consistent data for all 90 tables, deterministic for a
//! seed. `statusdata seed demo` and `serve --demo` use it. It writes through the store like any
//! collector would (each row owned by the unit that fills its table), then breaks a few rows on
//! purpose and says which, so that validation has something true to find.

mod accounts;
mod activities;
mod breakages;
mod college;
mod consistent;
mod core;
mod extra;
mod facilities;
mod generic;
mod intake;
mod names;
mod on_service;
mod people;
mod pools;
mod previous;
mod roles;
mod roster;
mod staff;
mod teaching;
mod text;
mod words;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::defs::{Catalog, Scope, Table, Units};
use crate::store::{Record, RowScope, Store, StoreError, Value, WriteCtx};

pub use college::College;
pub use on_service::seed_college;
pub use previous::PREVIOUS;

/// How much and which demo data.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    /// 1 = a mid-sized college of about 12,000 students; 4 for benchmarks.
    pub scale: u32,
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            scale: 1,
            seed: 2023,
        }
    }
}

/// A row broken on purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakage {
    pub table: String,
    pub unit: String,
    /// The row's key, as `field=value` pairs.
    pub row: String,
    pub field: String,
    pub what: String,
}

/// What the generator wrote.
#[derive(Debug, Clone, Default)]
pub struct DemoReport {
    /// (table code, table name, rows) in the notice's order.
    pub rows: Vec<(String, String, usize)>,
    pub breakages: Vec<Breakage>,
    pub accounts: usize,
    /// Rows written for the previous cycle (2022), for comparisons.
    pub previous_rows: usize,
}

/// Why seeding did not happen.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("数据库中已有 2023 年的数据（表 {0}），演示数据只写入空数据库")]
    NotEmpty(String),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Accounts(String),
}

/// The unit codes that fill each table (from the policy), by table code.
pub type FillUnits = HashMap<String, Vec<String>>;

/// The demo cycle.
pub const CYCLE: i32 = 2023;

/// Every generated row, by table code, with its owning unit; and the rows broken on purpose.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub tables: BTreeMap<String, Vec<(String, Record)>>,
    pub breakages: Vec<Breakage>,
}

/// Generates the demo college in memory (deterministic for `opts.seed`).
pub fn generate(
    catalog: &Catalog,
    units: &Units,
    fill_units: &FillUnits,
    opts: DemoOptions,
) -> Generated {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let college = College::build(&mut rng, catalog, units, opts.scale.max(1));
    let mut gen = Gen::new(rng, catalog, &college, fill_units, opts);
    gen.structure();
    gen.people();
    gen.teaching();
    gen.finance();
    gen.everything_else();
    gen.make_consistent();
    let breakages = gen.break_some();
    Generated {
        tables: gen.out,
        breakages,
    }
}

/// Generates every table and writes it through the store; refuses a database that already has
/// 2023 rows. Accounts come from `accounts_csv` (seeds/demo-accounts.csv) when given.
pub fn seed_demo(
    store: &Store,
    units: &Units,
    fill_units: &FillUnits,
    accounts_csv: Option<&str>,
    opts: DemoOptions,
) -> Result<DemoReport, DemoError> {
    let catalog = store.catalog().clone();
    for table in &catalog.tables {
        for cycle in [CYCLE, previous::PREVIOUS] {
            if store.count(table, &RowScope::All, cycle, None)? > 0 {
                return Err(DemoError::NotEmpty(table.code.clone()));
            }
        }
    }
    let Generated {
        mut tables,
        breakages,
    } = generate(&catalog, units, fill_units, opts);
    let mut last_year = previous::previous_year(&catalog, &tables, opts.seed);
    let linked = breakages::plant_last_year(&mut last_year, &breakages);
    let mut report = DemoReport {
        breakages: breakages.into_iter().chain(linked).collect(),
        ..DemoReport::default()
    };
    for table in &catalog.tables {
        let rows = tables.remove(&table.code).unwrap_or_default();
        report
            .rows
            .push((table.code.clone(), table.name.clone(), rows.len()));
        let before = last_year.remove(&table.code).unwrap_or_default();
        report.previous_rows += before.len();
        write_rows(store, table, previous::PREVIOUS, before)?;
        write_rows(store, table, CYCLE, rows)?;
    }
    link_years(store, &catalog)?;
    // Fresh statistics, so that the first lists use the indexes instead of scanning.
    store.analyze(None)?;
    if let Some(csv) = accounts_csv {
        report.accounts = accounts::create_accounts(store, units, csv)?;
    }
    Ok(report)
}

/// Writes one cycle's rows of a table, each unit's in one transaction.
fn write_rows(
    store: &Store,
    table: &Table,
    cycle: i32,
    rows: Vec<(String, Record)>,
) -> Result<(), StoreError> {
    let mut by_unit: BTreeMap<String, Vec<Record>> = BTreeMap::new();
    for (unit, rec) in rows {
        by_unit.entry(unit).or_default().push(rec);
    }
    for (unit, records) in by_unit {
        let ctx = WriteCtx {
            cycle,
            unit,
            actor: "demo".into(),
        };
        store.bulk_insert(table, &RowScope::All, &ctx, &records)?;
    }
    Ok(())
}

/// Records the previous cycle (closed) and links this year's rows of the carried-forward tables
/// to last year's, as `cycle new --from` would have.
fn link_years(store: &Store, catalog: &Catalog) -> Result<(), StoreError> {
    let now = crate::store::now();
    store.write(|conn| {
        let dates = crate::model::CycleDates::standard(previous::PREVIOUS);
        crate::store::past::record_closed_cycle(conn, &dates, &now)?;
        for table in catalog.tables.iter().filter(|t| t.carry_forward) {
            crate::store::links::link_by_key(conn, table, CYCLE, previous::PREVIOUS, &now)?;
        }
        Ok(())
    })
}

/// The generator's working state.
pub(crate) struct Gen<'a> {
    rng: ChaCha8Rng,
    catalog: &'a Catalog,
    college: &'a College,
    filler: generic::Filler<'a>,
    fill_units: &'a FillUnits,
    scale: u32,
    /// The seed, for the fix-ups' own random stream.
    seed: u64,
    /// Generated rows by table code: (owning unit, record).
    out: BTreeMap<String, Vec<(String, Record)>>,
    /// Which `slug.field` values other tables reference.
    referenced: HashSet<String>,
    done: HashSet<String>,
}

impl<'a> Gen<'a> {
    fn new(
        rng: ChaCha8Rng,
        catalog: &'a Catalog,
        college: &'a College,
        fill_units: &'a FillUnits,
        opts: DemoOptions,
    ) -> Self {
        let referenced = catalog
            .tables
            .iter()
            .flat_map(|t| t.fields.iter())
            .flat_map(|f| {
                f.ty.ref_targets()
                    .iter()
                    .map(|r| format!("{}.{}", r.table, r.field))
            })
            .collect();
        let mut filler = generic::Filler::new(catalog, college);
        filler.pools = college.key_pools();
        Gen {
            rng,
            catalog,
            college,
            filler,
            fill_units,
            scale: opts.scale.max(1),
            seed: opts.seed,
            out: BTreeMap::new(),
            referenced,
            done: HashSet::new(),
        }
    }

    fn table(&self, code: &str) -> Option<&'a Table> {
        self.catalog.table_by_code(code).map(|t| t.as_ref())
    }

    /// The units that fill a table (the first when a row has no better owner).
    fn units_of(&self, code: &str) -> Vec<String> {
        self.fill_units.get(code).cloned().unwrap_or_default()
    }

    /// Completes a record and adds it to the table's rows, owned by `unit` or the table's filler.
    fn emit(&mut self, code: &str, unit: Option<&str>, rec: Record, i: usize) {
        let Some(table) = self.table(code) else {
            return;
        };
        let unit = unit
            .map(str::to_owned)
            .or_else(|| self.units_of(code).into_iter().next())
            .unwrap_or_default();
        let rec = self.filler.fill(&mut self.rng, table, rec, i);
        self.out
            .entry(code.to_owned())
            .or_default()
            .push((unit, rec));
    }

    /// Marks a table done and offers its referenced values to later tables.
    fn finish(&mut self, code: &str) {
        let Some(table) = self.table(code) else {
            return;
        };
        self.done.insert(code.to_owned());
        for f in &table.fields {
            let key = format!("{}.{}", table.slug, f.name);
            if !self.referenced.contains(&key) {
                continue;
            }
            let values: Vec<String> = self
                .out
                .get(code)
                .into_iter()
                .flatten()
                .filter_map(|(_, r)| match r.get(&f.name) {
                    Some(Value::Text(s)) => Some(s.clone()),
                    _ => None,
                })
                .collect();
            let pool = self.filler.pools.entry(key).or_default();
            pool.extend(values);
            pool.sort();
            pool.dedup();
        }
    }

    /// Every table no specific generator made: plausible rows from the definitions, linked to
    /// real students, teachers, majors and enterprises of the filling unit.
    fn everything_else(&mut self) {
        let order = dependency_order(self.catalog);
        for table in order {
            if self.done.contains(&table.code) {
                continue;
            }
            let units = self.units_of(&table.code);
            // Numbers are college-wide: two units never share a project or certificate number.
            let mut index = 0;
            for unit in &units {
                let wanted = match table.scope {
                    Scope::Single => 1,
                    Scope::Rows => extra::row_count(&table.code, units.len()) * self.scale as usize,
                };
                let mut keys = HashSet::new();
                let mut made = 0;
                for _ in 0..wanted * 4 {
                    if made == wanted {
                        break;
                    }
                    let seed = self.link(table, unit);
                    let rec = self.filler.fill(&mut self.rng, table, seed, index);
                    index += 1;
                    let key: Vec<String> = table
                        .key
                        .iter()
                        .map(|k| format!("{:?}", rec.get(k)))
                        .collect();
                    if table.scope == Scope::Rows && !keys.insert(key) {
                        continue;
                    }
                    self.out
                        .entry(table.code.clone())
                        .or_default()
                        .push((unit.clone(), rec));
                    made += 1;
                }
            }
            self.finish(&table.code);
        }
    }
}

/// Tables in an order where referenced tables come before the tables referring to them (cycles
/// broken by the notice's order).
fn dependency_order(catalog: &Catalog) -> Vec<&Table> {
    let mut placed: Vec<&Table> = Vec::new();
    let mut left: Vec<&Table> = catalog.tables.iter().map(|t| t.as_ref()).collect();
    while !left.is_empty() {
        let ready = left.iter().position(|t| {
            t.fields.iter().flat_map(|f| f.ty.ref_targets()).all(|r| {
                r.table == t.slug
                    || placed.iter().any(|p| p.slug == r.table)
                    || !left.iter().any(|l| l.slug == r.table)
            })
        });
        let next = left.remove(ready.unwrap_or(0));
        placed.push(next);
    }
    placed
}

pub(crate) fn r(pairs: &[(&str, Value)]) -> Record {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

pub(crate) fn t(s: &str) -> Value {
    Value::Text(s.to_owned())
}

pub(crate) fn ym(d: NaiveDate) -> Value {
    Value::YearMonth {
        year: d.year(),
        month: d.month(),
    }
}

pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}
