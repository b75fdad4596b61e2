//! Counts and sums that one table states and another adds up: teaching hours (X03), student
//! counts (X05), admissions (X06, X07), graduates (X08), areas (X11), equipment (X12) and
//! certificates (X20).

use super::{at, num, Ctx};

const Y: &str = "cycle = 2023";

/// 1.4.2 hours = Σ 2.1.1 + 2.1.2 hours of the teacher; teachers are who their kind says; each
/// (major, course) taught is in the major's course plan (X03).
pub fn teaching(ctx: &mut Ctx) {
    let rows = ctx.qs(
        &["e.ext_teacher_no", "e.hours_ay", "(SELECT COALESCE(SUM(a.hours), 0) FROM d_teaching_assignments a WHERE a.cycle = e.cycle AND a.teacher_kind = '2' AND a.teacher_no = e.ext_teacher_no) + (SELECT COALESCE(SUM(b.hours), 0) FROM d_sec_teaching_assignments b WHERE b.cycle = e.cycle AND b.teacher_kind = '2' AND b.teacher_no = e.ext_teacher_no)"],
        &format!("FROM d_external_teachers e WHERE e.{Y}"),
    );
    ctx.saw(rows.len());
    for r in rows {
        if num(&r[1]) != num(&r[2]) {
            ctx.flag(
                vec![at("1.4.2", &[("ext_teacher_no", &r[0])])],
                format!("本学年授课学时 {} ≠ 授课表合计 {}", r[1], r[2]),
            );
        }
    }
    for (code, plan) in [("2.1.1", "d_courses"), ("2.1.2", "d_sec_courses")] {
        let t = ctx.t(code);
        let rows = ctx.qs(
            &["a.term", "a.course_code", "a.class_name", "a.teacher_no", "a.teacher_kind", "(SELECT COUNT(*) FROM d_internal_teachers i WHERE i.cycle = a.cycle AND i.teacher_no = a.teacher_no)", "(SELECT COUNT(*) FROM d_external_teachers x WHERE x.cycle = a.cycle AND x.ext_teacher_no = a.teacher_no)", &format!("(SELECT COUNT(*) FROM {plan} p WHERE p.cycle = a.cycle AND p.major_code = a.major_code AND p.course_code = a.course_code)")],
            &format!("FROM {t} a WHERE a.{Y}"),
        );
        ctx.saw(rows.len());
        for r in rows {
            let known = if r[4] == "1" { num(&r[5]) } else { num(&r[6]) };
            if known != 1 || num(&r[7]) == 0 {
                let key = [
                    ("term", r[0].as_str()),
                    ("course_code", &r[1]),
                    ("class_name", &r[2]),
                    ("teacher_no", &r[3]),
                ];
                ctx.flag(
                    vec![at(code, &key)],
                    format!(
                        "教师 {} 不在其类别的教师表中，或课程 {} 不在专业课程设置中",
                        r[3], r[1]
                    ),
                );
            }
        }
    }
}

/// 1.5.3 total, female, minority = the students of 1.5.1 (高职) / 1.5.2 (中职) by level,
/// major and grade (X05).
pub fn student_counts(ctx: &mut Ctx) {
    let count = |t: &str, level: &str| {
        format!("(SELECT COUNT(*) FROM {t} s WHERE s.cycle = c.cycle AND s.major_code = c.major_code AND s.grade = c.grade AND {level} AND ")
    };
    let mut cols = Vec::new();
    for what in ["1 = 1", "s.gender = '2'", "s.ethnicity <> '01'"] {
        cols.push(format!(
            "{}{what}) + {}{what})",
            count("d_students", "s.level = c.level"),
            count("d_sec_students", "c.level = '03'")
        ));
    }
    let rows = ctx.qs(
        &[
            "c.level",
            "c.major_code",
            "c.grade",
            "c.total",
            "COALESCE(c.female, -1)",
            "COALESCE(c.minority, -1)",
            &cols[0],
            &cols[1],
            &cols[2],
        ],
        &format!("FROM d_student_counts c WHERE c.{Y}"),
    );
    ctx.saw(rows.len());
    for r in rows {
        // 中职 rows may leave female and minority blank.
        let differs = num(&r[3]) != num(&r[6])
            || (num(&r[4]) >= 0 && num(&r[4]) != num(&r[7]))
            || (num(&r[5]) >= 0 && num(&r[5]) != num(&r[8]));
        let missing = r[0] != "03" && (num(&r[4]) < 0 || num(&r[5]) < 0);
        if differs || missing {
            ctx.flag(
                vec![at(
                    "1.5.3",
                    &[("level", &r[0]), ("major_code", &r[1]), ("grade", &r[2])],
                )],
                format!(
                    "在校生数 {}/{}/{} ≠ 学生表 {}/{}/{}",
                    r[3], r[4], r[5], r[6], r[7], r[8]
                ),
            );
        }
    }
}

/// Intake by source (2.4.3) = by level (2.4.4) = new students (1.5.4), per major too; the exam
/// tables within it; every new student in 1.5.1 enrolled in 2023-09/10; 2.4.5 = 1.5.5 (X06, X07).
pub fn admissions(ctx: &mut Ctx) {
    let by = |t: &str| {
        format!("(SELECT COALESCE(SUM(x.enrolled), 0) FROM {t} x WHERE x.cycle = m.cycle AND x.major_code = m.major_code)")
    };
    let rows = ctx.qs(
        &["m.major_code", "m.level", "(SELECT COUNT(*) FROM d_freshmen f WHERE f.cycle = m.cycle AND f.major_code = m.major_code) + (SELECT COUNT(*) FROM d_sec_freshmen f WHERE f.cycle = m.cycle AND f.major_code = m.major_code)", &by("d_admission_by_source"), &by("d_admission_gaokao"), &by("d_admission_voc_exam"), &by("d_admission_secondary")],
        &format!("FROM d_majors m WHERE m.{Y}"),
    );
    ctx.saw(rows.len());
    for r in rows {
        let (fresh, source, exams, sec) =
            (num(&r[2]), num(&r[3]), num(&r[4]) + num(&r[5]), num(&r[6]));
        let counted = if r[1] == "03" { sec } else { source };
        if fresh != counted || exams > source {
            ctx.flag(
                vec![
                    at("2.4.3", &[("major_code", &r[0])]),
                    at("1.5.4", &[("major_code", &r[0])]),
                ],
                format!(
                    "专业 {}：新生 {fresh}，按生源报到 {source}，高考+分类考试 {exams}，中职 {sec}",
                    r[0]
                ),
            );
        }
    }
    let totals = [
        ctx.n("COUNT(*)", &format!("FROM d_freshmen WHERE {Y}")),
        ctx.n(
            "SUM(enrolled)",
            &format!("FROM d_admission_by_source WHERE {Y}"),
        ),
        ctx.n(
            "SUM(enrolled)",
            &format!("FROM d_admission_by_level WHERE {Y}"),
        ),
    ];
    if totals[0] != totals[1] || totals[1] != totals[2] {
        ctx.flag(
            vec![at("2.4.4", &[]), at("2.4.3", &[])],
            format!(
                "新生 {} 人，按生源 {}，按层次 {}",
                totals[0], totals[1], totals[2]
            ),
        );
    }
    for code in ["2.4.1", "2.4.2", "2.4.3", "2.4.4", "2.4.5"] {
        let table = ctx.catalog.table_by_code(code).expect("table").clone();
        let part = |f: &str| {
            if table.field(f).is_some() {
                format!("COALESCE({f}, 0)")
            } else {
                "0".to_owned()
            }
        };
        let mut cols = vec![
            "plan".to_owned(),
            "admitted".into(),
            "enrolled".into(),
            part("enrolled_female"),
            part("enrolled_local"),
        ];
        cols.extend(table.key.iter().cloned());
        let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
        let rows = ctx.qs(&refs, &format!("FROM d_{} WHERE {Y}", table.slug));
        ctx.saw(rows.len());
        for r in rows {
            let [plan, admitted, enrolled, female, local] = [0, 1, 2, 3, 4].map(|i| num(&r[i]));
            if enrolled > admitted
                || admitted * 10 > plan * 11
                || female > enrolled
                || local > enrolled
            {
                let pairs: Vec<(&str, &str)> = table
                    .key
                    .iter()
                    .map(String::as_str)
                    .zip(r[5..].iter().map(String::as_str))
                    .collect();
                ctx.flag(
                    vec![at(code, &pairs)],
                    format!(
                        "计划 {plan} 录取 {admitted} 报到 {enrolled}（女 {female}，本省 {local}）"
                    ),
                );
            }
        }
    }
    let strays = ctx.qs(&["f.student_no", "s.enrol_ym"], &format!("FROM d_freshmen f LEFT JOIN d_students s ON s.cycle = f.cycle AND s.student_no = f.student_no WHERE f.{Y}"));
    ctx.saw(strays.len());
    for r in strays {
        if r[1] != "2023-09" && r[1] != "2023-10" {
            ctx.flag(
                vec![
                    at("1.5.4", &[("student_no", &r[0])]),
                    at("1.5.1", &[("student_no", &r[0])]),
                ],
                format!("新生 {} 不在1.5.1或入学年月为“{}”", r[0], r[1]),
            );
        }
    }
}

/// Placed graduates = Σ destinations ≤ graduates; parts within their wholes (X08).
pub fn graduates(ctx: &mut Ctx) {
    let sum = "contract + flexible + entrepreneur + military + grassroots + further_study + abroad";
    for (code, t) in [
        ("2.5.1", "d_graduates_2023"),
        ("2.5.2", "d_graduates_2022_yearend"),
    ] {
        let rows = ctx.qs(
            &[
                "major_code",
                "graduates",
                "placed",
                sum,
                "COALESCE(matched, 0)",
                "placed - further_study - abroad",
            ],
            &format!("FROM {t} WHERE {Y}"),
        );
        ctx.saw(rows.len());
        for r in rows {
            let [_, grads, placed, parts, matched, employed] =
                [0, 1, 2, 3, 4, 5].map(|i| num(&r[i]));
            if placed != parts || placed > grads || matched > employed || grads <= 0 {
                ctx.flag(
                    vec![at(code, &[("major_code", &r[0])])],
                    format!(
                        "毕业生 {grads}，落实 {placed}，各去向之和 {parts}，专业相关 {matched}"
                    ),
                );
            }
        }
    }
    let rows = ctx.qs(
        &[
            "major_code",
            "graduates",
            "employed + further_study + COALESCE(unplaced, 0)",
            "employed - COALESCE(entrepreneur, 0)",
            "further_study - COALESCE(further_study_own, 0)",
            "employed - COALESCE(matched, 0)",
            "employed - COALESCE(local, 0)",
        ],
        &format!("FROM d_sec_graduates WHERE {Y}"),
    );
    ctx.saw(rows.len());
    for r in rows {
        if num(&r[1]) != num(&r[2]) || (3..7).any(|i| num(&r[i]) < 0) {
            ctx.flag(
                vec![at("2.5.3", &[("major_code", &r[0])])],
                format!("中职毕业生 {:?}", r),
            );
        }
    }
}

/// 1.1.4: land and buildings are the sums of their parts; teaching space holds its rooms, and
/// the training rooms hold the training sites of 2.9.1 (X11).
pub fn areas(ctx: &mut Ctx) {
    let sites = ctx.n(
        "SUM(area)",
        &format!("FROM d_onsite_training_sites WHERE {Y}"),
    );
    let rows = ctx.qs(
        &[
            "land_total - land_owned - land_not_owned",
            "bldg_total - bldg_owned - bldg_not_owned",
            "bldg_total - teaching_research - admin - living - staff_housing - other",
            "teaching_research - classrooms - library - labs_training - research - gym - hall",
            "living - dorm - canteen",
            "labs_training",
        ],
        &format!("FROM d_land_buildings WHERE {Y}"),
    );
    ctx.saw(rows.len());
    for r in rows {
        let [land, owned, parts, teaching, living, labs] = [0, 1, 2, 3, 4, 5].map(|i| num(&r[i]));
        if land != 0 || owned != 0 || parts != 0 || teaching < 0 || living < 0 || labs < sites {
            ctx.flag(vec![at("1.1.4", &[]), at("2.9.1", &[])], format!("占地差 {land}，产权差 {owned}，分类差 {parts}，教学用房余 {teaching}，生活用房余 {living}，实训用房 {labs} < 场所 {sites}"));
        }
    }
}

/// 1.1.5 holds the sites' equipment; each site holds its large equipment of 2.9.5, and 1.1.5
/// counts them all (X12).
pub fn equipment(ctx: &mut Ctx) {
    let sites = ctx.n(
        "SUM(equip_value)",
        &format!("FROM d_onsite_training_sites WHERE {Y}"),
    );
    let large = ctx.n(
        "COUNT(*)",
        &format!("FROM d_large_equipment_usage WHERE {Y}"),
    );
    let worth = ctx.n(
        "SUM(unit_price)",
        &format!("FROM d_large_equipment_usage WHERE {Y}"),
    );
    let cheap = ctx.n(
        "COUNT(*)",
        &format!("FROM d_large_equipment_usage WHERE {Y} AND unit_price < 1000"),
    );
    let rows = ctx.qs(
        &[
            "equip_value",
            "new_value",
            "practice_value",
            "large_count",
            "large_value",
        ],
        &format!("FROM d_equipment_summary WHERE {Y}"),
    );
    ctx.saw(rows.len());
    for r in rows {
        let [total, new, practice, count, value] = [0, 1, 2, 3, 4].map(|i| num(&r[i]));
        if sites > total
            || new > total
            || practice > total
            || large > count
            || worth > value
            || cheap > 0
        {
            ctx.flag(vec![at("1.1.5", &[]), at("2.9.1", &[]), at("2.9.5", &[])], format!("设备总值 {total}（场所合计 {sites}），新增 {new}，实践 {practice}；大型设备 {count} 台/{value}（2.9.5 {large} 台/{worth}，低于10万元 {cheap} 台）"));
        }
    }
    let rows = ctx.qs(&["s.site_code", "COALESCE(s.large_equip_sets, 0)", "(SELECT COUNT(*) FROM d_large_equipment_usage l WHERE l.cycle = s.cycle AND l.site_code = s.site_code)", "s.equip_value - COALESCE(s.new_equip_value, 0)", "s.equip_value - (SELECT COALESCE(SUM(l.unit_price), 0) FROM d_large_equipment_usage l WHERE l.cycle = s.cycle AND l.site_code = s.site_code)"], &format!("FROM d_onsite_training_sites s WHERE s.{Y}"));
    ctx.saw(rows.len());
    for r in rows {
        if num(&r[1]) != num(&r[2]) || num(&r[3]) < 0 || num(&r[4]) < 0 {
            ctx.flag(
                vec![at("2.9.1", &[("site_code", &r[0])])],
                format!(
                    "场所 {}：大型设备 {} 台，2.9.5 中 {} 条；设备值余量 {}/{}",
                    r[0], r[1], r[2], r[3], r[4]
                ),
            );
        }
    }
}

/// certified ≤ examinees ≤ registered, 其中 ≤ whole; a major's certificates within its students
/// and graduates (X20).
pub fn certificates(ctx: &mut Ctx) {
    let chains: [(&str, &[&str]); 5] = [
        ("2.16.1", &["grad_certified", "certified", "examinees"]),
        ("2.16.2", &["certified", "examinees"]),
        ("2.16.2", &["social_certified", "social_examinees"]),
        ("2.16.3", &["certified", "examinees", "registered"]),
        ("2.16.4", &["certified", "examinees"]),
    ];
    for (code, chain) in chains {
        let t = ctx.t(code);
        let key = ctx.catalog.table_by_code(code).expect("table").key.clone();
        let mut cols: Vec<String> = chain.iter().map(|f| format!("COALESCE({f}, -1)")).collect();
        cols.extend(key.iter().cloned());
        let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
        let rows = ctx.qs(&refs, &format!("FROM {t} WHERE {Y}"));
        ctx.saw(rows.len());
        for r in rows {
            let n: Vec<i64> = (0..chain.len())
                .map(|i| num(&r[i]))
                .filter(|v| *v >= 0)
                .collect();
            if n.windows(2).any(|w| w[0] > w[1]) {
                let pairs: Vec<(&str, &str)> = key
                    .iter()
                    .zip(&r[chain.len()..])
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                ctx.flag(
                    vec![at(code, &pairs)],
                    format!("{chain:?} = {n:?} 不是从小到大"),
                );
            }
        }
    }
    let rows = ctx.qs(
        &["m.major_code", "(SELECT COALESCE(SUM(c.certified), 0) FROM d_cert_skill_level c WHERE c.cycle = m.cycle AND c.major_code = m.major_code) + (SELECT COALESCE(SUM(c.certified), 0) FROM d_cert_1plusx c WHERE c.cycle = m.cycle AND c.major_code = m.major_code) + (SELECT COALESCE(SUM(c.certified), 0) FROM d_cert_vocational_qual c WHERE c.cycle = m.cycle AND c.major_code = m.major_code)", "(SELECT COUNT(*) FROM d_students s WHERE s.cycle = m.cycle AND s.major_code = m.major_code) + (SELECT COUNT(*) FROM d_sec_students s WHERE s.cycle = m.cycle AND s.major_code = m.major_code) + (SELECT COALESCE(SUM(g.graduates), 0) FROM d_graduates_2023 g WHERE g.cycle = m.cycle AND g.major_code = m.major_code)"],
        &format!("FROM d_majors m WHERE m.{Y}"),
    );
    ctx.saw(rows.len());
    for r in rows {
        if num(&r[1]) > num(&r[2]) {
            ctx.flag(
                vec![at("2.16.2", &[("major_code", &r[0])])],
                format!(
                    "专业 {} 获证 {} 人次，多于在校生与毕业生 {}",
                    r[0], r[1], r[2]
                ),
            );
        }
    }
}
