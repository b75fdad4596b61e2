//! Checks that need more than one file: unique codes, slugs, orders and GraphQL names across
//! tables, and that every code list, reference and condition resolves.

use std::collections::HashMap;
use std::path::Path;

use super::{
    naming, Catalog, Condition, Field, FieldType, Literal, Problem, Problems, Table, Test,
};

/// Records every cross-file inconsistency of the catalog. A code, slug or order used twice is
/// reported on the later table, or on `newcomer`'s when that file is one of the two (a draft
/// that takes an existing table's code is the one at fault).
pub fn check_catalog(catalog: &Catalog, newcomer: Option<&Path>, problems: &mut Problems) {
    check_unique(catalog, newcomer, problems);
    for table in &catalog.tables {
        for (i, field) in table.fields.iter().enumerate() {
            let at = format!("fields[{i}]");
            check_codes(catalog, table, &at, field, problems);
            check_refs(catalog, table, &at, field, problems);
            for (key, cond) in [
                ("required_if", &field.required_if),
                ("format_if", &field.format_if),
            ] {
                if let Some(cond) = cond {
                    check_condition(
                        catalog,
                        table,
                        &format!("{at}.{key}"),
                        field,
                        cond,
                        problems,
                    );
                }
            }
        }
    }
}

fn check_unique(catalog: &Catalog, newcomer: Option<&Path>, problems: &mut Problems) {
    let mut codes: HashMap<&str, &Table> = HashMap::new();
    let mut slugs: HashMap<&str, &Table> = HashMap::new();
    let mut orders: HashMap<u32, &Table> = HashMap::new();
    let mut gql: HashMap<String, &Table> = HashMap::new();
    let (mut tables, last): (Vec<&Table>, Vec<&Table>) = catalog
        .tables
        .iter()
        .map(AsRef::as_ref)
        .partition(|t| Some(t.file.as_path()) != newcomer);
    tables.extend(last);
    for t in tables {
        let mut dup = |key: &str, what: String, first: &Table| {
            problems.push(Problem::at(
                &t.file,
                key,
                format!("{what}已被 {} 使用", first.file.display()),
            ));
        };
        if let Some(first) = codes.insert(&t.code, t) {
            dup("code", format!("表编号“{}”", t.code), first);
        }
        if let Some(first) = slugs.insert(&t.slug, t) {
            dup("slug", format!("slug“{}”", t.slug), first);
        }
        if let Some(first) = orders.insert(t.order, t) {
            dup("order", format!("排序号 {} ", t.order), first);
        }
        for name in naming::graphql_names(&t.slug) {
            if let Some(first) = gql.get(&name) {
                if first.slug != t.slug {
                    dup("slug", format!("GraphQL 名称“{name}”"), first);
                }
            } else {
                gql.insert(name, t);
            }
        }
    }
}

fn check_codes(catalog: &Catalog, table: &Table, at: &str, field: &Field, problems: &mut Problems) {
    if let Some(list) = field.ty.code_list() {
        if catalog.code_list(list).is_none() {
            problems.push(Problem::at(
                &table.file,
                format!("{at}.codes"),
                format!("没有名为“{list}”的代码表（找不到 codes/{list}.toml）"),
            ));
        }
    }
}

fn check_refs(catalog: &Catalog, table: &Table, at: &str, field: &Field, problems: &mut Problems) {
    for target in field.ty.ref_targets() {
        let spec = format!("{}.{}", target.table, target.field);
        match catalog.table_by_slug(&target.table) {
            None => problems.push(Problem::at(
                &table.file,
                format!("{at}.ref"),
                format!("“{spec}”：没有 slug 为“{}”的数据表", target.table),
            )),
            Some(t) => match t.field(&target.field) {
                None => problems.push(Problem::at(
                    &table.file,
                    format!("{at}.ref"),
                    format!("“{spec}”：表 {} 没有字段“{}”", t.code, target.field),
                )),
                Some(f) if !names_one_row(t, &target.field) => problems.push(Problem::at(
                    &table.file,
                    format!("{at}.ref"),
                    not_unique(table, field, t, f),
                )),
                Some(_) => {}
            },
        }
    }
}

/// True when a value of `field` names at most one row of `target` per unit and cycle: the
/// table's key is that field alone. A reference to anything else may match several rows, and
/// every lookup, copied name and reference check through it would have to pick one.
fn names_one_row(target: &Table, field: &str) -> bool {
    matches!(target.key.as_slice(), [k] if k == field)
}

fn not_unique(table: &Table, field: &Field, target: &Table, to: &Field) -> String {
    let key: Vec<&str> = target
        .key
        .iter()
        .map(|k| target.field(k).map_or(k.as_str(), |f| f.label.as_str()))
        .collect();
    let key = if key.is_empty() {
        "没有关键字段（每个单位一行）".to_owned()
    } else {
        format!("关键字段为（{}）", key.join("、"))
    };
    format!(
        "表 {} 字段“{}”引用 {} {}的字段“{}”，但该表{key}，“{}”不能唯一确定一行，查找时可能对应多行；\
         请引用唯一的字段（目标表的关键字段只有这一个字段），或改变目标表的关键字段",
        table.code, field.label, target.code, target.name, to.label, to.label
    )
}

fn check_condition(
    catalog: &Catalog,
    table: &Table,
    at: &str,
    field: &Field,
    cond: &Condition,
    problems: &mut Problems,
) {
    let mut bad = |message: String| problems.push(Problem::at(&table.file, at, message));
    if cond.field == field.name {
        return bad("条件须检查本行的另一个字段".into());
    }
    let Some(other) = table.field(&cond.field) else {
        return bad(format!("本表没有字段“{}”", cond.field));
    };
    let literals: &[Literal] = match &cond.test {
        Test::Eq(l) | Test::Ne(l) => std::slice::from_ref(l),
        Test::In(ls) => ls,
        Test::Set(_) => &[],
    };
    for lit in literals {
        if let Err(msg) = literal_fits(catalog, other, lit) {
            bad(format!("字段“{}”：{msg}", other.name));
        }
    }
}

fn literal_fits(catalog: &Catalog, field: &Field, lit: &Literal) -> Result<(), String> {
    match (&field.ty, lit) {
        (FieldType::Bool, Literal::Bool(_)) => Ok(()),
        (FieldType::Int | FieldType::Year, Literal::Int(_)) => Ok(()),
        (FieldType::Enum { codes } | FieldType::MultiEnum { codes }, Literal::Text(code)) => {
            match catalog.code_list(codes) {
                Some(list) if list.get(code).is_none() => {
                    Err(format!("“{code}”不是代码表“{codes}”中的代码"))
                }
                _ => Ok(()),
            }
        }
        (
            FieldType::String
            | FieldType::Text
            | FieldType::Date
            | FieldType::YearMonth
            | FieldType::Ref { .. }
            | FieldType::MultiRef { .. },
            Literal::Text(_),
        ) => Ok(()),
        (ty, lit) => Err(format!("{} 字段不能与{}比较", ty.name(), literal_name(lit))),
    }
}

fn literal_name(lit: &Literal) -> String {
    match lit {
        Literal::Text(t) => format!("字符串“{t}”"),
        Literal::Int(i) => format!("整数 {i} "),
        Literal::Bool(b) => format!("布尔值 {b} "),
    }
}
