//! People across tables: rosters and their 1.x twins (X04), internships (X14), the 思政 staff
//! ratios (X16), teachers' posts and titles (X18) and identity numbers (X21).

use chrono::NaiveDate;
use statusdata::validate::formats;

use super::{at, num, yes, Ctx};

const Y: &str = "cycle = 2023";

/// 1.x rows equal their 0.x roster rows on every shared field, row for row; no one is both a
/// 校内 and a 校外 teacher (X04).
pub fn rosters(ctx: &mut Ctx) {
    for (code, roster, key) in [
        ("1.4.1", "0.1.3", "teacher_no"),
        ("1.4.2", "0.1.4", "ext_teacher_no"),
        ("1.5.1", "0.1.5", "student_no"),
    ] {
        let (a, b) = (
            ctx.catalog.table_by_code(code).expect("table"),
            ctx.catalog.table_by_code(roster).expect("roster"),
        );
        let shared: Vec<String> = b
            .fields
            .iter()
            .filter(|f| a.field(&f.name).is_some() && f.name != key)
            .map(|f| f.name.clone())
            .collect();
        let differs: Vec<String> = shared
            .iter()
            .map(|f| {
                format!("COALESCE(CAST(a.{f} AS TEXT), '') <> COALESCE(CAST(b.{f} AS TEXT), '')")
            })
            .collect();
        let (ta, tb) = (ctx.t(code), ctx.t(roster));
        let rows = ctx.qs(&[&format!("a.{key}")], &format!("FROM {ta} a LEFT JOIN {tb} b ON b.cycle = a.cycle AND b.{key} = a.{key} WHERE a.{Y} AND (b.{key} IS NULL OR {})", differs.join(" OR ")));
        let orphans = ctx.qs(&[&format!("b.{key}")], &format!("FROM {tb} b WHERE b.{Y} AND NOT EXISTS (SELECT 1 FROM {ta} a WHERE a.cycle = b.cycle AND a.{key} = b.{key})"));
        ctx.saw(shared.len());
        for r in rows.iter().chain(&orphans) {
            ctx.flag(
                vec![at(code, &[(key, &r[0])]), at(roster, &[(key, &r[0])])],
                format!(
                    "{code} 与 {roster} 的 {key}={} 不一致（比较 {shared:?}）",
                    r[0]
                ),
            );
        }
    }
    let both = ctx.qs(&["a.teacher_no", "b.ext_teacher_no"], &format!("FROM d_internal_teacher_roster a JOIN d_external_teacher_roster b ON b.cycle = a.cycle AND b.id_no = a.id_no WHERE a.{Y}"));
    for r in both {
        ctx.flag(
            vec![
                at("0.1.3", &[("teacher_no", &r[0])]),
                at("0.1.4", &[("ext_teacher_no", &r[1])]),
            ],
            "同一证件号既是校内又是校外教师".into(),
        );
    }
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Internships are of a student of the table's roster, in their own major and class; abroad
/// means outside China and at home inside it; days = end − start + 1; the mentor a teacher (X14).
pub fn internships(ctx: &mut Ctx) {
    for (code, t, roster) in [
        ("2.2.1", "d_internships", "d_students"),
        ("2.2.2", "d_sec_internships", "d_sec_students"),
    ] {
        let rows = ctx.qs(
            &["i.student_no", "i.start_date", "i.end_date", "i.days", "i.overseas", "i.country", "CASE WHEN s.student_no IS NULL OR s.major_code <> i.major_code OR s.class_name <> i.class_name OR s.name <> i.student_name THEN 'x' ELSE '' END", "s.enrol_ym", "(SELECT COUNT(*) FROM d_internal_teachers m WHERE m.cycle = i.cycle AND m.teacher_no = i.school_mentor_no)", "CASE WHEN (i.tripartite = (1 = 0) OR i.insurance_type IS NULL) AND i.missing_doc_note IS NULL THEN 'x' ELSE '' END"],
            &format!("FROM {t} i LEFT JOIN {roster} s ON s.cycle = i.cycle AND s.student_no = i.student_no WHERE i.{Y}"),
        );
        ctx.saw(rows.len());
        for r in rows {
            let (start, end) = (date(&r[1]), date(&r[2]));
            let days = match (start, end) {
                (Some(s), Some(e)) => (e - s).num_days() + 1,
                _ => -1,
            };
            let abroad = yes(&r[4]);
            let place_ok = abroad == (r[5] != "CHN") && !r[5].is_empty();
            let enrolled = r[7].as_str() <= &r[1][..7.min(r[1].len())];
            if days != num(&r[3])
                || days < 1
                || !place_ok
                || !r[6].is_empty()
                || !enrolled
                || num(&r[8]) != 1
                || !r[9].is_empty()
            {
                ctx.flag(vec![at(code, &[("student_no", &r[0]), ("start_date", &r[1])])], format!("实习 {} {}–{}（{} 天），境外 {}，国家 {}，学生信息不符 {:?}，入学 {}，导师 {}，缺协议说明 {:?}", r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]));
            }
        }
    }
}

/// 专职辅导员 ≥ 1:200, 专职思政课教师 ≥ 1:350, 专职心理教师 ≥ 2 and ≥ 1:4000 students (X16), and
/// 2.18.1/2.18.3 list exactly the teachers 1.4.1 marks.
pub fn ratios(ctx: &mut Ctx) {
    let students = ctx.n("COUNT(*)", &format!("FROM d_students WHERE {Y}"))
        + ctx.n("COUNT(*)", &format!("FROM d_sec_students WHERE {Y}"));
    let counselors = ctx.n(
        "COUNT(*)",
        &format!("FROM d_counselors_ideo_teachers WHERE {Y} AND role = '01'"),
    );
    let ideo = ctx.n(
        "COUNT(*)",
        &format!("FROM d_counselors_ideo_teachers WHERE {Y} AND role = '03'"),
    );
    let psych = ctx.n(
        "COUNT(*)",
        &format!("FROM d_psych_staff WHERE {Y} AND fulltime = (1 = 1)"),
    );
    ctx.saw(usize::try_from(students).unwrap_or(0));
    if counselors * 200 < students || ideo * 350 < students || psych < 2 || psych * 4000 < students
    {
        ctx.flag(vec![at("2.18.1", &[]), at("2.18.3", &[])], format!("{students} 名学生：专职辅导员 {counselors}，专职思政课教师 {ideo}，专职心理教师 {psych}"));
    }
    for (flag, table, role) in [
        (
            "is_counselor",
            "d_counselors_ideo_teachers",
            "AND x.role = '01'",
        ),
        ("is_ideo", "d_counselors_ideo_teachers", "AND x.role = '03'"),
        ("is_psych", "d_psych_staff", ""),
    ] {
        let rows = ctx.qs(&["t.teacher_no", &format!("t.{flag}"), &format!("(SELECT COUNT(*) FROM {table} x WHERE x.cycle = t.cycle AND x.teacher_no = t.teacher_no {role})"), "t.staff_category"], &format!("FROM d_internal_teachers t WHERE t.{Y}"));
        for r in rows {
            let listed = num(&r[2]) == 1;
            let counsellor_post = flag != "is_counselor" || yes(&r[1]) == (r[3] == "05");
            if yes(&r[1]) != listed || !counsellor_post {
                ctx.flag(
                    vec![at("1.4.1", &[("teacher_no", &r[0])])],
                    format!(
                        "{} {flag}={} 而 {table} 中 {} 行，人员类别 {}",
                        r[0], r[1], r[2], r[3]
                    ),
                );
            }
        }
    }
}

/// 双师 only for 专任教师; a title name of the title's level (none at "无"); work begun at 16 or
/// later, before coming to the college, which is by the time point; a title after work (X18).
pub fn teachers(ctx: &mut Ctx) {
    let rows = ctx.qs(
        &[
            "teacher_no",
            "staff_category",
            "double_qualified",
            "title_level",
            "COALESCE(title_name, '')",
            "COALESCE(title_ym, '')",
            "birth_ym",
            "join_work_ym",
            "join_school_ym",
            "COALESCE(main_major, '')",
        ],
        &format!("FROM d_internal_teachers WHERE {Y}"),
    );
    ctx.saw(rows.len());
    for r in rows {
        let plus16 = format!("{:04}{}", num(&r[6][..4]) + 16, &r[6][4..]);
        let title_ok = if r[3] == "6" {
            r[4].is_empty() && r[5].is_empty()
        } else {
            (r[4] == "990" || r[4].ends_with(r[3].as_str()))
                && r[5] >= r[7]
                && r[5].as_str() <= "2023-08"
        };
        let dq_ok = !yes(&r[2]) || r[1] == "01";
        let work_ok = plus16 <= r[7] && r[7] <= r[8] && r[8].as_str() <= "2023-08";
        let major_ok = r[1] != "01" || !r[9].is_empty();
        if !(title_ok && dq_ok && work_ok && major_ok) {
            ctx.flag(vec![at("1.4.1", &[("teacher_no", &r[0])])], format!("{}：类别 {}，双师 {}，职称 {}/{}（{}），出生 {}，工作 {}，来校 {}，主讲专业 {:?}", r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]));
        }
    }
}

/// Where a resident ID number is given, it is valid and its birth date and sex digit are the
/// row's (X21).
pub fn id_numbers(ctx: &mut Ctx) {
    let tables: Vec<_> = ctx
        .catalog
        .tables
        .iter()
        .filter(|t| t.field("id_no").is_some() && t.field("id_type").is_some())
        .cloned()
        .collect();
    for table in tables {
        let birth = ["birth_date", "birth_ym"]
            .into_iter()
            .find(|f| table.field(f).is_some())
            .unwrap_or("NULL");
        let gender = if table.field("gender").is_some() {
            "gender"
        } else {
            "NULL"
        };
        let key = table.key.first().cloned().unwrap_or_else(|| "id".into());
        let rows = ctx.qs(
            &[&key, "id_no", birth, gender],
            &format!("FROM d_{} WHERE {Y} AND id_type = '1'", table.slug),
        );
        ctx.saw(rows.len());
        for r in rows {
            let id = &r[1];
            let born = formats::gb11643_birth_date(id)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            let sex = id
                .as_bytes()
                .get(16)
                .map(|b| if (b - b'0') % 2 == 1 { "1" } else { "2" })
                .unwrap_or("");
            let birth_ok = r[2].is_empty() || born.starts_with(r[2].as_str());
            let sex_ok = r[3].is_empty() || r[3] == sex;
            if !formats::is_gb11643(id) || !birth_ok || !sex_ok {
                ctx.flag(
                    vec![at(&table.code, &[(key.as_str(), &r[0])])],
                    format!(
                        "{} {}：证件号 {id}，出生 {}，性别 {}",
                        table.code, r[0], r[2], r[3]
                    ),
                );
            }
        }
    }
}

/// Enterprise practice (2.15.11) is by 专任教师 of a major, the days its dates span, at least a
/// month a year; 2.18.4 insures at least every student on a 岗位实习 (X15, X14).
pub fn practice_and_insurance(ctx: &mut Ctx) {
    let rows = ctx.qs(
        &["p.teacher_no", "p.uscc", "p.start_date", "p.end_date", "p.days_ay", "COALESCE(t.staff_category, '')", "COALESCE(t.main_major, '')"],
        &format!("FROM d_enterprise_practice p LEFT JOIN d_internal_teachers t ON t.cycle = p.cycle AND t.teacher_no = p.teacher_no WHERE p.{Y}"),
    );
    ctx.saw(rows.len());
    let mut days: std::collections::BTreeMap<String, i64> = Default::default();
    for r in &rows {
        let span = match (date(&r[2]), date(&r[3])) {
            (Some(s), Some(e)) => (e - s).num_days() + 1,
            _ => -1,
        };
        *days.entry(r[0].clone()).or_default() += num(&r[4]);
        if r[5] != "01" || r[6].is_empty() || span != num(&r[4]) {
            ctx.flag(
                vec![at(
                    "2.15.11",
                    &[
                        ("teacher_no", &r[0]),
                        ("uscc", &r[1]),
                        ("start_date", &r[2]),
                    ],
                )],
                format!(
                    "企业实践 {}：人员类别 {:?}，主讲专业 {:?}，{}–{} 共 {} 天",
                    r[0], r[5], r[6], r[2], r[3], r[4]
                ),
            );
        }
    }
    for (teacher, n) in days.into_iter().filter(|(_, n)| *n < 30) {
        ctx.flag(
            vec![at("2.15.11", &[("teacher_no", &teacher)])],
            format!("教师 {teacher} 本学年企业实践 {n} 天，不足1个月"),
        );
    }
    let placed = ctx.n(
        "COUNT(DISTINCT student_no)",
        &format!("FROM d_internships WHERE {Y} AND intern_type = '02'"),
    );
    let insured = ctx.n("intern_insured", &format!("FROM d_safety WHERE {Y}"));
    if insured < placed {
        ctx.flag(
            vec![at("2.18.4", &[])],
            format!("实习责任险覆盖 {insured} 人，岗位实习学生 {placed} 人"),
        );
    }
}
