//! Codes, dates and keys: majors as the 2021 catalogue names and levels them (X01, X02), course
//! hours by course type (X17), major groups (X19), dates inside the period or at the 时点 (X09),
//! and keys unique in the unit and identifiers across the college.

use std::collections::{BTreeMap, BTreeSet};

use statusdata::defs::{FieldType, Scope};

use super::{at, num, Ctx};

const Y: &str = "cycle = 2023";

/// The latest year a catalogue supplement may be from for the 2023 cycle.
const CYCLE_YEAR: i64 = 2023;

/// The year of a catalogue note such as "增补(2025-09前)" (none: the 2021 catalogue itself).
fn supplement_year(note: Option<&str>) -> Option<i64> {
    let note = note?;
    let at = note.find("增补")?;
    let digits: String = note[at..]
        .chars()
        .filter(char::is_ascii_digit)
        .take(4)
        .collect();
    digits.parse().ok()
}

/// Every 1.2.1 major has its catalogue name and level, from a catalogue in force in 2023; every
/// major code anywhere is a 1.2.1 major, and a row's level is its major's (X01).
pub fn majors_in_catalogue(ctx: &mut Ctx) {
    let rows = ctx.qs(
        &["major_code", "major_name", "level"],
        &format!("FROM d_majors WHERE {Y}"),
    );
    ctx.saw(rows.len());
    for r in &rows {
        let list = match r[2].as_str() {
            "01" => "majors_gz_2021",
            "02" => "majors_bk_2021",
            _ => "majors_zz_2021",
        };
        let entry = ctx.catalog.code_list(list).and_then(|l| l.get(&r[0]));
        let ok = entry.is_some_and(|e| {
            e.name == r[1] && supplement_year(e.note.as_deref()).is_none_or(|y| y <= CYCLE_YEAR)
        });
        if !ok {
            ctx.flag(
                vec![at("1.2.1", &[("major_code", &r[0])])],
                format!(
                    "专业 {} {}（层次 {}）不在 {list} 中或名称不符",
                    r[0], r[1], r[2]
                ),
            );
        }
    }
    let tables: Vec<_> = ctx.catalog.tables.clone();
    for table in tables {
        let Some(f) = table.field("major_code") else {
            continue;
        };
        if !matches!(&f.ty, FieldType::Ref { targets } if targets.iter().any(|t| t.table == "majors"))
        {
            continue;
        }
        let edu_level = table
            .field("level")
            .is_some_and(|l| matches!(&l.ty, FieldType::Enum { codes } if codes == "edu_level"));
        let level = if edu_level && table.code != "1.2.1" {
            "COALESCE(a.level, '')"
        } else {
            "m.level"
        };
        let key = table.key.first().cloned().unwrap_or_else(|| "id".into());
        let rows = ctx.qs(&[&format!("a.{key}"), "a.major_code", level, "m.level"], &format!("FROM d_{} a LEFT JOIN d_majors m ON m.cycle = a.cycle AND m.major_code = a.major_code WHERE a.{Y} AND a.major_code IS NOT NULL", table.slug));
        ctx.saw(rows.len());
        for r in rows {
            if r[3].is_empty() || r[2] != r[3] {
                ctx.flag(
                    vec![
                        at(&table.code, &[(key.as_str(), &r[0])]),
                        at("1.2.1", &[("major_code", &r[1])]),
                    ],
                    format!(
                        "{} 的专业 {} 不在1.2.1或层次 {} ≠ {}",
                        table.code, r[1], r[2], r[3]
                    ),
                );
            }
        }
    }
}

/// New majors (0.1.1) are 1.2.1 majors set up in 2022 or later; no major has students of a
/// grade before its first enrolment (X02).
pub fn new_majors(ctx: &mut Ctx) {
    let rows = ctx.qs(&["n.major_code", "n.approve_year", "m.set_year", "m.first_enrol_year"], &format!("FROM d_new_majors n LEFT JOIN d_majors m ON m.cycle = n.cycle AND m.major_code = n.major_code WHERE n.{Y}"));
    ctx.saw(rows.len());
    for r in rows {
        if [1, 2, 3].iter().any(|i| num(&r[*i]) < 2022) {
            ctx.flag(
                vec![at("0.1.1", &[("major_code", &r[0])])],
                format!(
                    "新增专业 {}：备案 {}，设置 {}，首次招生 {}",
                    r[0], r[1], r[2], r[3]
                ),
            );
        }
    }
    for (code, t) in [("1.5.1", "d_students"), ("1.5.2", "d_sec_students")] {
        let rows = ctx.qs(&["s.student_no", "s.grade", "m.first_enrol_year"], &format!("FROM {t} s JOIN d_majors m ON m.cycle = s.cycle AND m.major_code = s.major_code WHERE s.{Y} AND s.grade < m.first_enrol_year"));
        ctx.saw(1);
        for r in rows {
            ctx.flag(
                vec![at(code, &[("student_no", &r[0])])],
                format!("学生 {} 的年级 {} 早于专业首次招生 {}", r[0], r[1], r[2]),
            );
        }
    }
}

/// A ⇒ no practice, C ⇒ all practice, B between; a major's practice at least half its hours (X17).
pub fn course_hours(ctx: &mut Ctx) {
    for (code, t) in [("1.3.1", "d_courses"), ("1.3.2", "d_sec_courses")] {
        let rows = ctx.qs(
            &[
                "major_code",
                "grade",
                "course_code",
                "course_type",
                "hours_total",
                "hours_practice",
            ],
            &format!("FROM {t} WHERE {Y}"),
        );
        ctx.saw(rows.len());
        let mut share: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for r in rows {
            let (kind, total, practice) = (r[3].as_str(), num(&r[4]), num(&r[5]));
            let s = share.entry(r[0].clone()).or_default();
            s.0 += total;
            s.1 += practice;
            let ok = match kind {
                "A" => practice == 0,
                "C" => practice == total,
                _ => (0..=total).contains(&practice),
            };
            if !ok {
                ctx.flag(
                    vec![at(
                        code,
                        &[
                            ("major_code", &r[0]),
                            ("grade", &r[1]),
                            ("course_code", &r[2]),
                        ],
                    )],
                    format!("{kind} 类课程 {}：总学时 {total}，实践 {practice}", r[2]),
                );
            }
        }
        for (major, (total, practice)) in share {
            if practice * 2 < total {
                ctx.flag(
                    vec![at(code, &[("major_code", &major)])],
                    format!("专业 {major} 实践学时 {practice} 不到总学时 {total} 的一半"),
                );
            }
        }
    }
    for (code, t, plan) in [
        ("2.1.1", "d_teaching_assignments", "d_course_catalog"),
        ("2.1.2", "d_sec_teaching_assignments", "d_course_catalog"),
    ] {
        let rows = ctx.qs(&["a.term", "a.course_code", "a.class_name", "a.teacher_no", "c.course_type", "a.hours", "a.practice_hours"], &format!("FROM {t} a JOIN {plan} c ON c.cycle = a.cycle AND c.course_code = a.course_code WHERE a.{Y}"));
        ctx.saw(rows.len());
        for r in rows {
            let (total, practice) = (num(&r[5]), num(&r[6]));
            let ok = match r[4].as_str() {
                "A" => practice == 0,
                "C" => practice == total,
                _ => (0..=total).contains(&practice),
            };
            if !ok {
                let key = [
                    ("term", r[0].as_str()),
                    ("course_code", &r[1]),
                    ("class_name", &r[2]),
                    ("teacher_no", &r[3]),
                ];
                ctx.flag(
                    vec![at(code, &key)],
                    format!("{} 类课程 {}：学时 {total}，实践 {practice}", r[4], r[1]),
                );
            }
        }
    }
}

/// Groups are disjoint, have at least two members with the core among them, and a major's
/// group in 1.2.1 is the group listing it (X19).
pub fn major_groups(ctx: &mut Ctx) {
    let rows = ctx.qs(
        &["group_code", "core_major", "members"],
        &format!("FROM d_major_groups WHERE {Y}"),
    );
    ctx.saw(rows.len());
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    for r in &rows {
        let members: Vec<String> = serde_json::from_str(&r[2]).unwrap_or_default();
        if members.len() < 2 || !members.contains(&r[1]) {
            ctx.flag(
                vec![at("1.2.2", &[("group_code", &r[0])])],
                format!(
                    "专业群 {}：核心专业 {} 不在组群专业 {:?} 中或不足2个",
                    r[0], r[1], members
                ),
            );
        }
        for m in members {
            if let Some(other) = owner.insert(m.clone(), r[0].clone()) {
                ctx.flag(
                    vec![
                        at("1.2.2", &[("group_code", &r[0])]),
                        at("1.2.2", &[("group_code", &other)]),
                    ],
                    format!("专业 {m} 同时属于 {other} 和 {}", r[0]),
                );
            }
        }
    }
    let majors = ctx.qs(
        &["major_code", "COALESCE(group_code, '')"],
        &format!("FROM d_majors WHERE {Y}"),
    );
    for r in majors {
        if owner.get(&r[0]).map_or("", String::as_str) != r[1] {
            ctx.flag(
                vec![at("1.2.1", &[("major_code", &r[0])])],
                format!(
                    "专业 {} 在1.2.1中属于专业群“{}”，1.2.2中为“{}”",
                    r[0],
                    r[1],
                    owner.get(&r[0]).cloned().unwrap_or_default()
                ),
            );
        }
    }
}

/// Events inside the 学年; snapshot tables at the 时点; ends after starts, and spells that
/// touch the 学年 (X09).
pub fn dates(ctx: &mut Ctx) {
    let in_year: &[(&str, &str)] = &[
        ("1.1.7", "award_date"),
        ("2.13.1", "award_date"),
        ("2.15.6", "award_date"),
        ("2.8.1", "visit_date"),
        ("2.8.2", "event_date"),
        ("2.17.2", "event_date"),
        ("2.17.1", "pub_date"),
        ("2.15.2", "sign_date"),
        ("2.15.7", "grant_date"),
        ("2.15.8", "start_date"),
        ("2.15.9", "close_date"),
        ("2.15.10", "pub_ym"),
        ("2.3.1", "pub_ym"),
        ("1.2.3", "change_ym"),
    ];
    let spells: &[(&str, &str)] = &[
        ("start_date", "end_date"),
        ("start_date", "planned_end"),
        ("start_date", "close_date"),
        ("start_ym", "end_ym"),
        ("hire_start", "hire_end"),
        ("apply_date", "grant_date"),
        ("founded_ym", "upgrade_ym"),
    ];
    let tables = ctx.catalog.tables.clone();
    for table in &tables {
        let key = table.key.first().cloned().unwrap_or_else(|| "id".into());
        let t = format!("d_{}", table.slug);
        let mut conditions = Vec::new();
        for (code, f) in in_year.iter().filter(|(c, _)| *c == table.code) {
            let _ = code;
            conditions.push(format!(
                "({f} < '2022-09' OR SUBSTR({f}, 1, 7) > '2023-08')"
            ));
        }
        for (a, b) in spells
            .iter()
            .filter(|(a, b)| table.field(a).is_some() && table.field(b).is_some())
        {
            conditions.push(format!("{b} < {a}"));
        }
        if table.field("start_date").is_some()
            && table.field("end_date").is_some()
            && !in_year.iter().any(|(c, _)| *c == table.code)
        {
            conditions.push("(start_date > '2023-08-31' OR end_date < '2022-09-01')".into());
        }
        if table.period == statusdata::defs::Period::Snapshot {
            for f in table
                .fields
                .iter()
                .filter(|f| matches!(f.ty, FieldType::Date | FieldType::YearMonth))
            {
                if !["enrol_ym", "report_date", "expected_grad_ym"].contains(&f.name.as_str()) {
                    conditions.push(format!("SUBSTR({}, 1, 7) > '2023-08'", f.name));
                }
            }
        }
        if conditions.is_empty() {
            continue;
        }
        ctx.saw(1);
        let rows = ctx.qs(
            &[&key],
            &format!("FROM {t} WHERE {Y} AND ({})", conditions.join(" OR ")),
        );
        for r in rows {
            ctx.flag(
                vec![at(&table.code, &[(key.as_str(), &r[0])])],
                format!(
                    "{} {}={}：日期不在学年/时点内或先后颠倒（{}）",
                    table.code,
                    key,
                    r[0],
                    conditions.join(" OR ")
                ),
            );
        }
    }
}

/// Keys are unique in each unit; keys holding an identifier (a number, code, credit code or
/// ISBN) across the college; an ID number is one teacher's, 校内 or 校外 (X04).
pub fn keys_unique(ctx: &mut Ctx) {
    let tables = ctx.catalog.tables.clone();
    for table in tables
        .iter()
        .filter(|t| t.scope == Scope::Rows && !t.key.is_empty())
    {
        let id_like = table.key.iter().any(|k| {
            table
                .field(k)
                .is_some_and(|f| matches!(f.ty, FieldType::String | FieldType::Ref { .. }))
                && (k.ends_with("_no")
                    || k.ends_with("_code")
                    || k.contains("uscc")
                    || k.contains("isbn"))
        });
        let keys = table.key.join(", ");
        let by = if id_like {
            keys.clone()
        } else {
            format!("unit, {keys}")
        };
        let rows = ctx.qs(
            &[&table.key[0], "COUNT(*)"],
            &format!(
                "FROM d_{} WHERE {Y} GROUP BY {by} HAVING COUNT(*) > 1",
                table.slug
            ),
        );
        ctx.saw(1);
        for r in rows {
            ctx.flag(
                vec![at(&table.code, &[(table.key[0].as_str(), &r[0])])],
                format!(
                    "{} 的关键字段（{keys}）重复 {} 次：{}",
                    table.code, r[1], r[0]
                ),
            );
        }
    }
    let ids: BTreeSet<String> = ctx
        .qs(
            &["id_no"],
            &format!("FROM d_internal_teacher_roster WHERE {Y}"),
        )
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    let ext = ctx.qs(
        &["ext_teacher_no", "id_no"],
        &format!("FROM d_external_teacher_roster WHERE {Y}"),
    );
    ctx.saw(ids.len() + ext.len());
    for r in ext.iter().filter(|r| ids.contains(&r[1])) {
        ctx.flag(
            vec![at("0.1.4", &[("ext_teacher_no", &r[0])])],
            format!("校外教师 {} 的证件号也是校内教师的", r[0]),
        );
    }
}
