//! Every SQL and GraphQL name statusdata derives from a slug or field name.
//! Nothing else in the code base spells such a name by hand, so renaming a table is a one-line change.

/// Columns every data table has; a definition may not use these names for its own fields.
pub const SYSTEM_COLUMNS: [&str; 8] = [
    "id",
    "cycle",
    "unit",
    "row_version",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
];

/// The longest slug or field name; keeps `d_<slug>` and index names inside PostgreSQL's 63 bytes.
pub const MAX_IDENTIFIER_LEN: usize = 48;

/// Checks `^[a-z][a-z0-9_]*$` and the length limit.
pub fn check_identifier(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !first_ok || !rest_ok {
        return Err(format!(
            "“{name}”须以小写字母开头，只含小写字母、数字和下划线（^[a-z][a-z0-9_]*$）"
        ));
    }
    if name.len() > MAX_IDENTIFIER_LEN {
        return Err(format!("“{name}”超过 {MAX_IDENTIFIER_LEN} 个字符"));
    }
    Ok(())
}

/// True for the names of system columns.
pub fn is_system_column(name: &str) -> bool {
    SYSTEM_COLUMNS.contains(&name)
}

/// A field name that would collide with a GraphQL field the row type derives: `unit_name`
/// (`unitName`, the unit's name) or `<code field>_label` (`xLabel`, the code's name). `None`
/// when the name is free; else the reason in Chinese.
pub fn derived_clash(name: &str, is_code_field: impl Fn(&str) -> bool) -> Option<String> {
    if name == "unit_name" {
        return Some("“unit_name”与每行都有的单位名称字段 unitName 重名，请换一个名称".into());
    }
    let base = name.strip_suffix("_label")?;
    is_code_field(base).then(|| {
        format!(
            "“{name}”与代码字段 {base} 的名称字段 {} 重名，请换一个名称",
            graphql_field(name)
        )
    })
}

/// The SQL table holding a definition's rows: `d_<slug>`.
pub fn sql_table(slug: &str) -> String {
    format!("d_{slug}")
}

/// The unique index over a data table's natural key.
pub fn key_index(slug: &str) -> String {
    bounded(format!("ux_{slug}"))
}

/// The index on one column of a data table.
pub fn column_index(slug: &str, field: &str) -> String {
    bounded(format!("ix_{slug}__{field}"))
}

/// Keeps a generated name within PostgreSQL's 63 bytes, replacing the tail by a stable hash.
fn bounded(name: String) -> String {
    const MAX: usize = 63;
    if name.len() <= MAX {
        return name;
    }
    // FNV-1a: stable across releases and platforms, unlike std's hasher.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{}_{:08x}", &name[..MAX - 9], hash as u32)
}

/// The GraphQL object type: singular, PascalCase (`internal_teachers` → `InternalTeacher`).
pub fn type_name(slug: &str) -> String {
    pascal(&singular(slug))
}

/// The list query field (`internalTeachers`); `…List` when the slug has no plural form.
pub fn list_field(slug: &str) -> String {
    if singular(slug) == slug {
        format!("{}List", camel(slug))
    } else {
        camel(slug)
    }
}

/// The single-row query field (`internalTeacher`).
pub fn single_field(slug: &str) -> String {
    camel(&singular(slug))
}

/// The aggregate query field (`internalTeachersAggregate`).
pub fn aggregate_field(slug: &str) -> String {
    format!("{}Aggregate", camel(slug))
}

/// The filter input type (`InternalTeacherFilter`).
pub fn filter_type(slug: &str) -> String {
    format!("{}Filter", type_name(slug))
}

/// The ordering input type (`InternalTeacherOrderBy`).
pub fn order_type(slug: &str) -> String {
    format!("{}OrderBy", type_name(slug))
}

/// The connection (page) type (`InternalTeacherConnection`).
pub fn connection_type(slug: &str) -> String {
    format!("{}Connection", type_name(slug))
}

/// The Relay edge type of a connection (`InternalTeacherEdge`).
pub fn edge_type(slug: &str) -> String {
    format!("{}Edge", type_name(slug))
}

/// The enum of sortable and groupable fields (`InternalTeacherField`).
pub fn field_enum(slug: &str) -> String {
    format!("{}Field", type_name(slug))
}

/// The aggregate group type (`InternalTeacherAggregate`).
pub fn aggregate_type(slug: &str) -> String {
    format!("{}Aggregate", type_name(slug))
}

/// A part of the aggregate group: `Key`, `Sum`, `Avg`, `Min` or `Max` (`InternalTeacherAggregateSum`).
pub fn aggregate_part(slug: &str, part: &str) -> String {
    format!("{}{part}", aggregate_type(slug))
}

/// The create input type (`CreateInternalTeacherInput`).
pub fn create_input(slug: &str) -> String {
    format!("Create{}Input", type_name(slug))
}

/// The update patch input type (`UpdateInternalTeacherInput`).
pub fn update_input(slug: &str) -> String {
    format!("Update{}Input", type_name(slug))
}

/// The create mutation (`createInternalTeacher`).
pub fn create_mutation(slug: &str) -> String {
    format!("create{}", type_name(slug))
}

/// The update mutation (`updateInternalTeacher`).
pub fn update_mutation(slug: &str) -> String {
    format!("update{}", type_name(slug))
}

/// The delete mutation (`deleteInternalTeacher`).
pub fn delete_mutation(slug: &str) -> String {
    format!("delete{}", type_name(slug))
}

/// The bulk upsert mutation (`bulkUpsertInternalTeacher`).
pub fn bulk_upsert_mutation(slug: &str) -> String {
    format!("bulkUpsert{}", type_name(slug))
}

/// A field's GraphQL name: camelCase (`teacher_no` → `teacherNo`).
pub fn graphql_field(field: &str) -> String {
    camel(field)
}

/// All GraphQL names a table claims, for the uniqueness check.
pub fn graphql_names(slug: &str) -> Vec<String> {
    vec![
        type_name(slug),
        list_field(slug),
        single_field(slug),
        aggregate_field(slug),
        filter_type(slug),
        order_type(slug),
        create_input(slug),
        update_input(slug),
        create_mutation(slug),
        update_mutation(slug),
        delete_mutation(slug),
        bulk_upsert_mutation(slug),
        connection_type(slug),
        field_enum(slug),
        aggregate_type(slug),
        aggregate_part(slug, "Key"),
        aggregate_part(slug, "Sum"),
        aggregate_part(slug, "Avg"),
        aggregate_part(slug, "Min"),
        aggregate_part(slug, "Max"),
    ]
}

/// English singular of the last word of a snake_case name.
///
/// Only the last word is touched (`teacher_training` stays, `student_clubs` → `student_club`); words
/// ending in `ss`, `us`, `is` or a digit are already singular.
pub fn singular(slug: &str) -> String {
    let (head, last) = match slug.rsplit_once('_') {
        Some((h, l)) => (Some(h), l),
        None => (None, slug),
    };
    let one = singular_word(last);
    match head {
        Some(h) => format!("{h}_{one}"),
        None => one,
    }
}

fn singular_word(word: &str) -> String {
    let keep = ["ss", "us", "is"];
    if word.ends_with(|c: char| c.is_ascii_digit()) || keep.iter().any(|k| word.ends_with(k)) {
        return word.to_owned();
    }
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for suffix in ["ches", "shes", "sses", "xes"] {
        if let Some(stem) = word.strip_suffix(suffix) {
            return format!("{stem}{}", &suffix[..suffix.len() - 2]);
        }
    }
    match word.strip_suffix('s') {
        Some(stem) if !stem.is_empty() => stem.to_owned(),
        _ => word.to_owned(),
    }
}

fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(c) => c.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn camel(snake: &str) -> String {
    let p = pascal(snake);
    let mut cs = p.chars();
    match cs.next() {
        Some(c) => c.to_ascii_lowercase().to_string() + cs.as_str(),
        None => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_style_guide() {
        assert_eq!(type_name("internal_teachers"), "InternalTeacher");
        assert_eq!(list_field("internal_teachers"), "internalTeachers");
        assert_eq!(filter_type("internal_teachers"), "InternalTeacherFilter");
        assert_eq!(
            create_input("internal_teachers"),
            "CreateInternalTeacherInput"
        );
        assert_eq!(
            create_mutation("internal_teachers"),
            "createInternalTeacher"
        );
        assert_eq!(graphql_field("teacher_no"), "teacherNo");
        assert_eq!(sql_table("internal_teachers"), "d_internal_teachers");
    }

    #[test]
    fn singular_handles_common_english_endings() {
        for (plural, one) in [
            ("student_clubs", "student_club"),
            ("major_groups", "major_group"),
            ("it_status", "it_status"),
            ("sino_foreign_programs", "sino_foreign_program"),
            ("publicity", "publicity"),
            ("graduates_2023", "graduates_2023"),
            ("large_equipment_usage", "large_equipment_usage"),
            ("expense_summary", "expense_summary"),
            ("leader_visits", "leader_visit"),
            ("financial_aid", "financial_aid"),
            ("activities", "activity"),
            ("branches", "branch"),
        ] {
            assert_eq!(singular(plural), one);
        }
    }

    #[test]
    fn uncountable_slugs_get_a_list_suffix() {
        assert_eq!(list_field("school_profile"), "schoolProfileList");
        assert_eq!(single_field("school_profile"), "schoolProfile");
    }

    #[test]
    fn index_names_fit_postgresql() {
        let long = column_index(&"a".repeat(48), &"b".repeat(48));
        assert_eq!(long.len(), 63);
        assert_ne!(long, column_index(&"a".repeat(48), &"c".repeat(48)));
        assert_eq!(key_index("students"), "ux_students");
    }

    #[test]
    fn derived_names_are_reserved() {
        let code = |n: &str| n == "title";
        assert!(derived_clash("unit_name", code).is_some());
        assert!(derived_clash("title_label", code).is_some());
        assert!(derived_clash("name_label", code).is_none());
        assert!(derived_clash("title", code).is_none());
    }

    #[test]
    fn identifiers_are_checked() {
        assert!(check_identifier("teacher_no").is_ok());
        assert!(check_identifier("Teacher").is_err());
        assert!(check_identifier("1abc").is_err());
        assert!(check_identifier("a-b").is_err());
        assert!(check_identifier(&"a".repeat(49)).is_err());
    }
}
