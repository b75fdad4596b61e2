//! References: every value a reference holds is a key of a row it may point at (X01, X03, X13,
//! X14, X15), and a row that names another row by its key (工号, 学号, 专业代码, 统一社会信用代码,
//! 课程代码) holds that row's name.

use statusdata::defs::FieldType;

use super::{at, Ctx};

const Y: &str = "cycle = 2023";

/// (table, referring field, copied name field, target table, target key, target name).
const COPIES: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "1.2.3",
        "major_code",
        "major_name",
        "1.2.1",
        "major_code",
        "major_name",
    ),
    (
        "1.5.2",
        "major_code",
        "major_name",
        "1.2.1",
        "major_code",
        "major_name",
    ),
    (
        "2.16.2",
        "major_code",
        "major_name",
        "1.2.1",
        "major_code",
        "major_name",
    ),
    (
        "2.2.1",
        "major_code",
        "major_name",
        "1.2.1",
        "major_code",
        "major_name",
    ),
    (
        "2.2.2",
        "major_code",
        "major_name",
        "1.2.1",
        "major_code",
        "major_name",
    ),
    (
        "2.2.1",
        "student_no",
        "student_name",
        "1.5.1",
        "student_no",
        "name",
    ),
    (
        "2.2.2",
        "student_no",
        "student_name",
        "1.5.2",
        "student_no",
        "name",
    ),
    (
        "2.2.1",
        "company",
        "company_name",
        "1.6.1",
        "uscc",
        "ent_name",
    ),
    (
        "2.2.2",
        "company",
        "company_name",
        "1.6.1",
        "uscc",
        "ent_name",
    ),
    (
        "2.15.2",
        "client",
        "client_name",
        "1.6.1",
        "uscc",
        "ent_name",
    ),
    (
        "1.4.2",
        "employer_uscc",
        "employer",
        "1.6.1",
        "uscc",
        "ent_name",
    ),
    (
        "2.2.1",
        "school_mentor_no",
        "school_mentor_name",
        "1.4.1",
        "teacher_no",
        "name",
    ),
    (
        "2.2.2",
        "school_mentor_no",
        "school_mentor_name",
        "1.4.1",
        "teacher_no",
        "name",
    ),
    (
        "2.3.1",
        "chief_editor_no",
        "chief_editor_name",
        "1.4.1",
        "teacher_no",
        "name",
    ),
    (
        "2.1.1",
        "teacher_no",
        "teacher_name",
        "1.4.1",
        "teacher_no",
        "name",
    ),
    (
        "2.1.1",
        "teacher_no",
        "teacher_name",
        "1.4.2",
        "ext_teacher_no",
        "name",
    ),
    (
        "2.1.2",
        "teacher_no",
        "teacher_name",
        "1.4.1",
        "teacher_no",
        "name",
    ),
    (
        "2.1.2",
        "teacher_no",
        "teacher_name",
        "1.4.2",
        "ext_teacher_no",
        "name",
    ),
    (
        "2.18.1",
        "teacher_no",
        "name",
        "1.4.1",
        "teacher_no",
        "name",
    ),
    (
        "2.18.3",
        "teacher_no",
        "name",
        "1.4.1",
        "teacher_no",
        "name",
    ),
    (
        "2.18.2",
        "adviser_no",
        "adviser_name",
        "1.4.1",
        "teacher_no",
        "name",
    ),
    (
        "2.18.2",
        "adviser_no",
        "adviser_name",
        "1.4.2",
        "ext_teacher_no",
        "name",
    ),
    (
        "2.1.1",
        "course_code",
        "course_name",
        "1.3.1",
        "course_code",
        "course_name",
    ),
    (
        "2.1.2",
        "course_code",
        "course_name",
        "1.3.2",
        "course_code",
        "course_name",
    ),
    (
        "2.3.2",
        "course_code",
        "course_name",
        "1.3.1",
        "course_code",
        "course_name",
    ),
];

/// A row that names another row by its key copies that row's name (工号 → 姓名 …).
pub fn names_copied(ctx: &mut Ctx) {
    for (code, field, name, target, tkey, tname) in COPIES {
        let host = ctx.catalog.table_by_code(code).expect("table").clone();
        assert!(
            matches!(
                host.field(field).map(|f| &f.ty),
                Some(FieldType::Ref { .. } | FieldType::String)
            ),
            "{code}.{field}"
        );
        let key = host.key.clone();
        let mut cols: Vec<String> = key.iter().map(|k| format!("a.{k}")).collect();
        cols.push(format!("b.{tkey}"));
        let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
        let (ta, tb) = (ctx.t(code), ctx.t(target));
        let joined = ctx.n(
            "COUNT(*)",
            &format!(
                "FROM {ta} a JOIN {tb} b ON b.cycle = a.cycle AND b.{tkey} = a.{field} WHERE a.{Y}"
            ),
        );
        ctx.saw(usize::try_from(joined).unwrap_or(0));
        let rows = ctx.qs(&refs, &format!("FROM {ta} a JOIN {tb} b ON b.cycle = a.cycle AND b.{tkey} = a.{field} WHERE a.{Y} AND COALESCE(a.{name}, '') <> COALESCE(b.{tname}, '')"));
        for r in rows {
            let pairs: Vec<(&str, &str)> = key
                .iter()
                .map(String::as_str)
                .zip(r.iter().map(String::as_str))
                .collect();
            let target_key = r.last().cloned().unwrap_or_default();
            ctx.flag(
                vec![at(code, &pairs), at(target, &[(tkey, &target_key)])],
                format!("{code}.{name} 与 {target}.{tname}（{tkey}={target_key}）不一致"),
            );
        }
    }
}

/// Every referenced value exists in a target table (one of them, for `a|b` references; each
/// item, for lists).
pub fn references(ctx: &mut Ctx) {
    let tables = ctx.catalog.tables.clone();
    for table in &tables {
        for f in &table.fields {
            let targets = f.ty.ref_targets();
            if targets.is_empty() {
                continue;
            }
            let keys: std::collections::BTreeSet<String> = targets
                .iter()
                .flat_map(|t| {
                    let slug = &t.table;
                    ctx.qs(&[&t.field], &format!("FROM d_{slug} WHERE {Y}"))
                })
                .map(|r| r[0].clone())
                .collect();
            let key = table.key.first().cloned().unwrap_or_else(|| "id".into());
            let rows = ctx.qs(
                &[&key, &f.name],
                &format!("FROM d_{} WHERE {Y} AND {} IS NOT NULL", table.slug, f.name),
            );
            ctx.saw(rows.len());
            for r in rows {
                let items: Vec<String> = if matches!(f.ty, FieldType::MultiRef { .. }) {
                    serde_json::from_str(&r[1]).unwrap_or_default()
                } else {
                    vec![r[1].clone()]
                };
                for item in items.iter().filter(|i| !keys.contains(*i)) {
                    ctx.flag(
                        vec![at(&table.code, &[(key.as_str(), &r[0])])],
                        format!("{}.{} = {item} 不在被引用的表中", table.code, f.name),
                    );
                }
            }
        }
    }
}
