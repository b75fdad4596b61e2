//! Rules every definition implies: each `ref`/`multi_ref` value exists in its target among the
//! same cycle's rows (`REF:<table>.<field>`), and each filling unit has rows in each table
//! (`FULL:<table>`: a `single` table must not be empty; an empty `rows` table is a warning the
//! unit answers with "本年度无数据").

use super::check::field_ty;
use super::{Agg, AggKind, CmpOp, Expr, Lit, Placeholder, Rule, RuleKind, RuleSeverity, Scope, Ty};
use crate::defs::{Catalog, FieldType, Scope as TableScope, Table};

/// The derived rules of every table, in the notice's order.
pub(super) fn derived_rules(catalog: &Catalog) -> Vec<Rule> {
    let mut out = Vec::new();
    for table in &catalog.tables {
        for field in &table.fields {
            if let Some(rule) = reference_rule(catalog, table, &field.name) {
                out.push(rule);
            }
        }
        out.push(completeness_rule(table));
        out.push(field_rule(table));
    }
    out
}

/// `FIELD:<table>`: the definition's field rules over every row, so that a whole-cycle run finds
/// what a save would refuse (rows written before a definition changed, imports forced through).
fn field_rule(table: &Table) -> Rule {
    Rule {
        id: format!("FIELD:{}", table.code),
        kind: RuleKind::Field,
        message: format!("{} {}：字段不符合填报要求", table.code, table.name),
        source: "表定义：必填、代码表、取值范围、格式与统计时段".into(),
        field: None,
        ..completeness_rule(table)
    }
}

fn col(scope: Scope, name: &str) -> Expr {
    Expr::Col {
        scope,
        name: name.to_owned(),
    }
}

fn reference_rule(catalog: &Catalog, table: &Table, name: &str) -> Option<Rule> {
    let field = table.field(name)?;
    let targets: Vec<(&Table, &str)> = field
        .ty
        .ref_targets()
        .iter()
        .filter_map(|t| {
            let target = catalog.table_by_slug(&t.table)?;
            // A key that is not text would need a cast on PostgreSQL; no definition has one.
            (target.field(&t.field).map(field_ty) == Some(Ty::Text))
                .then_some((target.as_ref(), t.field.as_str()))
        })
        .collect();
    if targets.is_empty() {
        return None;
    }
    let names: Vec<String> = targets
        .iter()
        .map(|(t, _)| format!("{} {}", t.code, t.name))
        .collect();
    let check = match field.ty {
        FieldType::MultiRef { .. } => Expr::AllExist {
            column: name.to_owned(),
            targets: targets
                .iter()
                .map(|(t, f)| (t.slug.clone(), (*f).to_owned()))
                .collect(),
        },
        _ => targets
            .iter()
            .map(|(t, f)| {
                Expr::Agg(Agg {
                    kind: AggKind::Exists,
                    table: t.slug.clone(),
                    value: None,
                    keys: vec![(col(Scope::Inner, f), col(Scope::Row, name))],
                    filter: None,
                    previous: false,
                    member: None,
                })
            })
            .reduce(|a, b| Expr::Or(Box::new(a), Box::new(b)))?,
    };
    let mut reads = vec![table.code.clone()];
    reads.extend(targets.iter().map(|(t, _)| t.code.clone()));
    reads.dedup();
    Some(Rule {
        id: format!("REF:{}.{}", table.code, name),
        kind: RuleKind::Reference,
        table: table.code.clone(),
        severity: RuleSeverity::Error,
        message: format!("{}“{{value}}”在{}中不存在", field.label, names.join("或")),
        source: "表定义：引用字段须指向本周期已填报的数据".into(),
        reads,
        field: Some(name.to_owned()),
        when: Some(Expr::IsNull(Box::new(col(Scope::Row, name)), true)),
        check,
        placeholders: vec![Placeholder {
            name: "value".into(),
            expr: col(Scope::Row, name),
            ty: field_ty(field),
        }],
        yoy: None,
        whole_table: false,
        file: table.file.clone(),
        line: 1,
    })
}

fn completeness_rule(table: &Table) -> Rule {
    let (severity, message) = match table.scope {
        TableScope::Single => (
            RuleSeverity::Error,
            format!(
                "{} {}没有填报（本表每个填报单位须填一行）",
                table.code, table.name
            ),
        ),
        TableScope::Rows => (
            RuleSeverity::Warning,
            format!(
                "{} {}没有数据；确无数据请在说明中写“本年度无数据”",
                table.code, table.name
            ),
        ),
    };
    Rule {
        id: format!("FULL:{}", table.code),
        kind: RuleKind::Completeness,
        table: table.code.clone(),
        severity,
        message,
        source: "通知：各单位按分工填报全部数据表".into(),
        reads: vec![table.code.clone()],
        field: None,
        when: None,
        // Completeness is counted per unit, not checked per row; the store runs it separately.
        check: Expr::Cmp(
            CmpOp::Eq,
            Box::new(Expr::Lit(Lit::Int(1))),
            Box::new(Expr::Lit(Lit::Int(1))),
        ),
        placeholders: Vec::new(),
        yoy: None,
        whole_table: false,
        file: table.file.clone(),
        line: 1,
    }
}
