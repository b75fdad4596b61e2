//! The 90 definitions against the notice: codes, names, groups, kinds, and enough real fields.

use std::collections::BTreeSet;

use statusdata::defs::{self, FieldType, Scope, TableKind};

use crate::support::{notice, project_paths};

#[test]
fn all_ninety_definitions_load() -> anyhow::Result<()> {
    let catalog = defs::load_catalog(&project_paths().defs)?;
    let count = |k| catalog.tables.iter().filter(|t| t.kind == k).count();
    assert_eq!(catalog.tables.len(), 90);
    assert_eq!(count(TableKind::Source), 5);
    assert_eq!(count(TableKind::Basic), 20);
    assert_eq!(count(TableKind::Special), 65);
    Ok(())
}

#[test]
fn codes_names_and_order_equal_the_notice() -> anyhow::Result<()> {
    let catalog = defs::load_catalog(&project_paths().defs)?;
    let notice = notice();
    assert_eq!(notice.len(), 90);
    for (position, (table, expected)) in catalog.tables.iter().zip(&notice).enumerate() {
        assert_eq!(
            table.code,
            expected.code,
            "table at position {}",
            position + 1
        );
        assert_eq!(table.name, expected.name, "name of {}", table.code);
        assert_eq!(
            table.order as usize,
            position + 1,
            "order of {}",
            table.code
        );
        let group_code = expected
            .group
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .next();
        assert_eq!(
            table.group.split(' ').next(),
            group_code,
            "group of {}",
            table.code
        );
    }
    Ok(())
}

#[test]
fn the_misnumbered_internship_table_is_2_2_1() -> anyhow::Result<()> {
    let catalog = defs::load_catalog(&project_paths().defs)?;
    let table = catalog.table_by_code("2.2.1").expect("2.2.1 exists");
    assert_eq!(table.name, "高职学生实习管理表");
    assert!(table.group.starts_with("2.2 "));
    Ok(())
}

#[test]
fn tables_carry_real_fields() -> anyhow::Result<()> {
    let catalog = defs::load_catalog(&project_paths().defs)?;
    let total: usize = catalog.tables.iter().map(|t| t.fields.len()).sum();
    assert!(total >= 650, "only {total} fields in all");
    for t in &catalog.tables {
        assert!(
            t.fields.len() >= 4,
            "{} has only {} fields",
            t.code,
            t.fields.len()
        );
        assert!(
            t.fields.iter().all(|f| !f.label.is_empty()),
            "{} has an unlabelled field",
            t.code
        );
    }
    Ok(())
}

#[test]
fn single_row_tables_have_no_key_and_others_do() -> anyhow::Result<()> {
    let catalog = defs::load_catalog(&project_paths().defs)?;
    for t in &catalog.tables {
        match t.scope {
            Scope::Single => assert!(t.key.is_empty(), "{}", t.code),
            Scope::Rows => assert!(!t.key.is_empty(), "{}", t.code),
        }
    }
    let profile = catalog.table_by_code("1.1.1").expect("1.1.1");
    assert_eq!(profile.scope, Scope::Single);
    Ok(())
}

#[test]
fn the_major_list_holds_the_full_2021_catalogue() -> anyhow::Result<()> {
    let catalog = defs::load_catalog(&project_paths().defs)?;
    let gz = catalog.code_list("majors_gz_2021").expect("majors_gz_2021");
    assert_eq!(gz.codes.len(), 801);
    let original = gz.codes.iter().filter(|c| c.note.is_none()).count();
    assert_eq!(original, 744, "the 2021 catalogue has 744 高职专科 majors");
    let classes: BTreeSet<_> = gz.codes.iter().filter_map(|c| c.group.as_deref()).collect();
    assert!(classes.len() >= 97, "97 专业类, found {}", classes.len());
    for (code, name) in [
        ("510203", "软件技术"),
        ("530302", "大数据与会计"),
        ("520201", "护理"),
        ("570102K", "学前教育"),
    ] {
        assert_eq!(gz.get(code).map(|c| c.name.as_str()), Some(name), "{code}");
    }
    let all = catalog.code_list("majors").expect("majors");
    assert!(
        all.get("510203").is_some() && all.get("610101").is_some() && all.get("310101").is_some()
    );
    assert!(
        !all.complete,
        "the catalogue grows every year; unknown codes warn"
    );
    Ok(())
}

#[test]
fn every_enum_and_ref_resolves() -> anyhow::Result<()> {
    let catalog = defs::load_catalog(&project_paths().defs)?;
    for t in &catalog.tables {
        for f in &t.fields {
            if let Some(list) = f.ty.code_list() {
                assert!(
                    catalog.code_list(list).is_some(),
                    "{}.{} uses {list}",
                    t.code,
                    f.name
                );
            }
            for target in f.ty.ref_targets() {
                let to = catalog.table_by_slug(&target.table).expect("ref table");
                assert!(to.field(&target.field).is_some(), "{}.{}", t.code, f.name);
            }
        }
    }
    let teaching = catalog.table_by_code("2.1.1").expect("2.1.1");
    let choice = teaching.fields.iter().find_map(|f| match &f.ty {
        FieldType::Ref { targets } if targets.len() == 2 => Some(targets),
        _ => None,
    });
    assert!(choice.is_some(), "2.1.1 references a 校内 or 校外 teacher");
    Ok(())
}
