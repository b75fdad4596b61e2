//! Checks that need more than one file: unique codes, slugs, orders and GraphQL names across
//! tables, and that every code list, reference and condition resolves.

use std::collections::HashMap;

use super::{
    naming, Catalog, Condition, Field, FieldType, Literal, Problem, Problems, Table, Test,
};

/// Records every cross-file inconsistency of the catalog.
pub fn check_catalog(catalog: &Catalog, problems: &mut Problems) {
    check_unique(catalog, problems);
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

fn check_unique(catalog: &Catalog, problems: &mut Problems) {
    let mut codes: HashMap<&str, &Table> = HashMap::new();
    let mut slugs: HashMap<&str, &Table> = HashMap::new();
    let mut orders: HashMap<u32, &Table> = HashMap::new();
    let mut gql: HashMap<String, &Table> = HashMap::new();
    for t in &catalog.tables {
        let t = t.as_ref();
        let mut dup = |key: &str, what: String, first: &Table| {
            problems.push(Problem::at(
                &t.file,
                key,
                format!("{what} is also used by {}", first.file.display()),
            ));
        };
        if let Some(first) = codes.insert(&t.code, t) {
            dup("code", format!("code \"{}\"", t.code), first);
        }
        if let Some(first) = slugs.insert(&t.slug, t) {
            dup("slug", format!("slug \"{}\"", t.slug), first);
        }
        if let Some(first) = orders.insert(t.order, t) {
            dup("order", format!("order {}", t.order), first);
        }
        for name in naming::graphql_names(&t.slug) {
            if let Some(first) = gql.get(&name) {
                if first.slug != t.slug {
                    dup("slug", format!("GraphQL name \"{name}\""), first);
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
                format!("unknown code list \"{list}\" (no codes/{list}.toml)"),
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
                format!("\"{spec}\": no table with slug \"{}\"", target.table),
            )),
            Some(t) if t.field(&target.field).is_none() => problems.push(Problem::at(
                &table.file,
                format!("{at}.ref"),
                format!(
                    "\"{spec}\": table {} has no field \"{}\"",
                    t.code, target.field
                ),
            )),
            Some(_) => {}
        }
    }
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
        return bad("a condition must test another field of the row".into());
    }
    let Some(other) = table.field(&cond.field) else {
        return bad(format!("no field \"{}\" in this table", cond.field));
    };
    let literals: &[Literal] = match &cond.test {
        Test::Eq(l) | Test::Ne(l) => std::slice::from_ref(l),
        Test::In(ls) => ls,
        Test::Set(_) => &[],
    };
    for lit in literals {
        if let Err(msg) = literal_fits(catalog, other, lit) {
            bad(format!("field \"{}\": {msg}", other.name));
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
                    Err(format!("\"{code}\" is not a code of list \"{codes}\""))
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
        (ty, lit) => Err(format!(
            "a {} field cannot be compared with {lit:?}",
            ty.name()
        )),
    }
}
