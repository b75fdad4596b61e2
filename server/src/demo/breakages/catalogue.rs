//! The catalogue of planted breaks: which row of which table each rule family's break changes,
//! and how.

use rust_decimal::Decimal;

use super::super::t;
use crate::store::{Record, Value};

/// Changes one record on purpose and says how; `other` is a copy of the table the entry reads
/// (when it names one), for breaks that borrow another row's value.
pub(super) type Break = fn(&mut Record, &[Record]) -> String;

/// One planted break.
pub(super) struct Planted {
    pub family: &'static str,
    pub table: &'static str,
    /// Which row: the first the predicate accepts.
    pub pick: fn(&Record) -> bool,
    /// Every row the predicate accepts, not only the first (for whole-table rules).
    pub all: bool,
    /// The field the family's finding points at.
    pub field: &'static str,
    /// A table whose rows the break reads.
    pub reads: Option<&'static str>,
    pub apply: Break,
}

fn any(_: &Record) -> bool {
    true
}

fn text(r: &Record, f: &str) -> Option<String> {
    match r.get(f) {
        Some(Value::Text(s)) => Some(s.clone()),
        _ => None,
    }
}

fn add_int(r: &mut Record, f: &str, by: i64) {
    if let Some(Value::Int(n)) = r.get_mut(f) {
        *n += by;
    }
}

pub(super) fn catalogue() -> Vec<Planted> {
    let mut out = vec![
        Planted {
            family: "X01",
            table: "1.2.1",
            pick: any,
            all: false,
            field: "major_name",
            reads: None,
            apply: |r, _| {
                // The usual slip: a direction appended to the catalogue's name.
                let name = text(r, "major_name").unwrap_or_default();
                r.insert("major_name".into(), t(&format!("{name}（订单班方向）")));
                "专业名称与国家专业目录不一致".into()
            },
        },
        Planted {
            family: "X02",
            table: "0.1.1",
            pick: any,
            all: false,
            field: "direction",
            reads: None,
            apply: |r, _| {
                r.insert("direction".into(), t("不存在的专业方向"));
                "新增专业的方向不在1.2.1开设专业表中".into()
            },
        },
        Planted {
            family: "X03",
            table: "1.4.2",
            pick: any,
            all: false,
            field: "hours_ay",
            reads: None,
            apply: |r, _| {
                add_int(r, "hours_ay", 500);
                "校外兼职教师本学年授课学时比授课表多500".into()
            },
        },
        Planted {
            family: "X04",
            table: "1.4.1",
            pick: any,
            all: false,
            field: "gender",
            reads: None,
            apply: |r, _| {
                let flipped = if text(r, "gender").as_deref() == Some("1") {
                    "2"
                } else {
                    "1"
                };
                r.insert("gender".into(), t(flipped));
                "性别与0.1.3校内教师基础信息表不一致".into()
            },
        },
        Planted {
            family: "X05",
            table: "1.5.3",
            pick: |r| matches!(r.get("level"), Some(Value::Text(l)) if l == "01"),
            all: false,
            field: "total",
            reads: None,
            apply: |r, _| {
                add_int(r, "total", 1);
                "在校生数比1.5.1多1人".into()
            },
        },
        Planted {
            family: "X06",
            table: "1.5.4",
            pick: any,
            all: false,
            field: "student_no",
            reads: None,
            apply: |r, _| {
                r.insert("student_no".into(), t("29999999901"));
                "新生不在1.5.1在校生信息表中".into()
            },
        },
    ];
    out.extend(more_catalogue());
    out
}

fn more_catalogue() -> Vec<Planted> {
    let mut out = vec![
        Planted {
            family: "X07",
            table: "2.4.4",
            pick: any,
            all: false,
            field: "enrolled",
            reads: None,
            apply: |r, _| {
                for f in ["plan", "admitted", "enrolled"] {
                    add_int(r, f, 100);
                }
                "按层次的报到人数比按生源的多100".into()
            },
        },
        Planted {
            family: "X08",
            table: "2.5.1",
            pick: any,
            all: false,
            field: "placed",
            reads: None,
            apply: |r, _| {
                add_int(r, "contract", 5);
                "协议和合同就业人数多5，各去向之和不等于落实人数".into()
            },
        },
        Planted {
            family: "X09",
            table: "2.2.1",
            pick: |r| r.get("start_date").is_some_and(|d| !d.is_null()),
            all: false,
            field: "end_date",
            reads: None,
            apply: |r, _| {
                if let Some(Value::Date(start)) = r.get("start_date").cloned() {
                    r.insert("end_date".into(), Value::Date(start - chrono::Days::new(3)));
                }
                "实习结束日期早于开始日期".into()
            },
        },
        Planted {
            family: "X10",
            table: "2.11.1",
            pick: any,
            all: false,
            field: "total",
            reads: None,
            apply: |r, _| {
                if let Some(Value::Decimal(d)) = r.get_mut("total") {
                    *d += Decimal::new(1000, 2);
                }
                "经费总收入比各项之和多10.00万元".into()
            },
        },
        Planted {
            family: "X11",
            table: "1.1.4",
            pick: any,
            all: false,
            field: "bldg_total",
            reads: None,
            apply: |r, _| {
                r.insert("bldg_not_owned".into(), Value::Null);
                "非学校产权校舍面积为空，校舍面积无法核对".into()
            },
        },
        Planted {
            family: "X12",
            table: "1.1.5",
            pick: any,
            all: false,
            field: "new_value",
            reads: None,
            apply: |r, _| {
                if let Some(Value::Decimal(total)) = r.get("equip_value").cloned() {
                    r.insert(
                        "new_value".into(),
                        Value::Decimal(total + Decimal::new(100, 2)),
                    );
                }
                "当年新增设备值大于设备资产总值".into()
            },
        },
        Planted {
            family: "X13",
            table: "2.2.1",
            pick: |r| r.get("company").is_some_and(|c| !c.is_null()),
            all: false,
            field: "company_name",
            reads: None,
            apply: |r, _| {
                r.insert("company_name".into(), t("某某不存在的实习单位"));
                "实习单位名称与1.6.1企业数据不一致".into()
            },
        },
    ];
    out.extend(last_catalogue());
    out
}

fn last_catalogue() -> Vec<Planted> {
    vec![
        Planted {
            family: "X14",
            table: "2.2.1",
            pick: |r| matches!(r.get("overseas"), Some(Value::Bool(false))),
            all: false,
            field: "country",
            reads: None,
            apply: |r, _| {
                r.insert("overseas".into(), Value::Bool(true));
                r.insert("country".into(), t("CHN"));
                "赴国（境）外实习，国家却为中国".into()
            },
        },
        Planted {
            family: "X15",
            table: "2.18.3",
            pick: any,
            all: false,
            field: "name",
            reads: None,
            apply: |r, _| {
                if let Some(Value::Text(n)) = r.get_mut("name") {
                    n.push('甲');
                }
                "心理健康教师姓名与1.4.1不一致".into()
            },
        },
        Planted {
            family: "X16",
            table: "2.18.3",
            pick: any,
            all: true,
            field: "fulltime",
            reads: None,
            apply: |r, _| {
                r.insert("fulltime".into(), Value::Bool(false));
                "没有专职心理健康教育教师".into()
            },
        },
        Planted {
            family: "X17",
            table: "1.3.1",
            pick: |r| text(r, "course_type").as_deref() == Some("A"),
            all: false,
            field: "hours_practice",
            reads: None,
            apply: |r, _| {
                r.insert("hours_practice".into(), Value::Int(8));
                "A类（纯理论）课程填了实践学时".into()
            },
        },
        Planted {
            family: "X18",
            table: "1.4.1",
            pick: |r| text(r, "staff_category").as_deref() == Some("02"),
            all: false,
            field: "double_qualified",
            reads: None,
            apply: |r, _| {
                r.insert("double_qualified".into(), Value::Bool(true));
                if r.get("dq_level").is_none_or(Value::is_null) {
                    r.insert("dq_level".into(), t("01"));
                }
                "行政人员被认定为“双师型”教师".into()
            },
        },
        Planted {
            family: "X19",
            table: "1.2.2",
            pick: any,
            all: false,
            field: "core_major",
            reads: Some("1.2.2"),
            apply: |r, groups| {
                let own = match r.get("members") {
                    Some(Value::List(l)) => l.clone(),
                    _ => Vec::new(),
                };
                let elsewhere = groups
                    .iter()
                    .filter_map(|g| match g.get("members") {
                        Some(Value::List(l)) => Some(l),
                        _ => None,
                    })
                    .flatten()
                    .find(|m| !own.contains(m));
                if let Some(m) = elsewhere {
                    r.insert("core_major".into(), t(m));
                }
                "核心专业是另一个专业群的组群专业".into()
            },
        },
        Planted {
            family: "X20",
            table: "2.16.2",
            pick: |r| matches!(r.get("examinees"), Some(Value::Int(_))),
            all: false,
            field: "certified",
            reads: None,
            apply: |r, _| {
                if let Some(Value::Int(n)) = r.get("examinees").cloned() {
                    r.insert("certified".into(), Value::Int(n + 1));
                }
                "获证人数比考证人数多1".into()
            },
        },
        Planted {
            family: "X21",
            table: "1.5.1",
            pick: |r| text(r, "id_type").as_deref() == Some("1"),
            all: false,
            field: "id_no",
            reads: None,
            apply: |r, _| {
                if let Some(Value::Text(id)) = r.get_mut("id_no") {
                    let last = if id.ends_with('1') { '2' } else { '1' };
                    id.pop();
                    id.push(last);
                }
                "身份证号码校验位错误".into()
            },
        },
        Planted {
            family: "REF",
            table: "2.1.1",
            pick: any,
            all: false,
            field: "course_code",
            reads: None,
            apply: |r, _| {
                r.insert("course_code".into(), t("XX9999"));
                "课程代码不在1.3.1高职课程设置表中".into()
            },
        },
    ]
}
