//! Derived uniqueness rules: every value a rule looks up by (`lookup(T, x where k = @k)`) must
//! name one row of `T` in the cycle, across all units (`UNIQ:<table>.<k>`). A lookup that finds
//! several rows is not judged by its own rule; this rule reports the duplicates instead of the
//! engine picking one of them silently. The same holds for every field a reference points at.

use std::collections::BTreeMap;

use super::load::compile;
use super::{Agg, AggKind, Expr, Rule, RuleKind, RuleSeverity, Scope};
use crate::defs::raw::RawRule;
use crate::defs::{Catalog, Problem, Problems};

/// The lookups of an expression (those of `when`, `check` and the message's values).
pub fn lookups(rule: &Rule) -> Vec<&Agg> {
    let mut out = Vec::new();
    for e in rule.when.iter().chain([&rule.check]) {
        collect(e, &mut out);
    }
    out
}

fn collect<'a>(e: &'a Expr, out: &mut Vec<&'a Agg>) {
    match e {
        Expr::Agg(a) if a.kind == AggKind::Lookup && !a.previous => out.push(a),
        Expr::Neg(a)
        | Expr::Rescale(a, _)
        | Expr::Not(a)
        | Expr::In(a, _, _)
        | Expr::IsNull(a, _) => collect(a, out),
        Expr::Code { arg, .. } => collect(arg, out),
        Expr::Arith(_, a, b) | Expr::Cmp(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) => {
            collect(a, out);
            collect(b, out);
        }
        Expr::Func(_, args) => args.iter().for_each(|a| collect(a, out)),
        Expr::Agg(_) | Expr::Lit(_) | Expr::Col { .. } | Expr::AllExist { .. } | Expr::Cycle(_) => {
        }
    }
}

/// One `UNIQ:` rule per (table, lookup key) the rules use.
pub(super) fn lookup_targets(
    catalog: &Catalog,
    rules: &[Rule],
    problems: &mut Problems,
) -> Vec<Rule> {
    // (table code, key fields) → the rules that look up by them.
    let mut wanted: BTreeMap<(String, Vec<String>), Vec<String>> = BTreeMap::new();
    for rule in rules {
        for agg in lookups(rule) {
            let fields: Option<Vec<String>> = agg
                .keys
                .iter()
                .map(|(inner, _)| match inner {
                    Expr::Col {
                        scope: Scope::Inner,
                        name,
                    } => Some(name.clone()),
                    _ => None,
                })
                .collect();
            let (Some(fields), Some(table)) = (fields, catalog.table_by_slug(&agg.table)) else {
                continue;
            };
            if fields.is_empty() {
                continue;
            }
            let users = wanted.entry((table.code.clone(), fields)).or_default();
            if !users.contains(&rule.id) {
                users.push(rule.id.clone());
            }
        }
    }
    reference_targets(catalog, &mut wanted);
    let mut out = Vec::new();
    for ((code, fields), users) in wanted {
        let Some(table) = catalog.table_by_code(&code) else {
            continue;
        };
        let label = |f: &str| table.field(f).map_or(f.to_owned(), |x| x.label.clone());
        let shown: Vec<String> = fields
            .iter()
            .map(|f| format!("{}“{{{f}}}”", label(f)))
            .collect();
        let raw = RawRule {
            id: format!("UNIQ:{code}.{}", fields.join("+")),
            table: Some(code.clone()),
            severity: RuleSeverity::Error,
            message: format!(
                "{}在 {code} {}中有 {{left}} 行（全校本周期应唯一），规则 {} 无法按它查找",
                shown.join("、"),
                table.name,
                named(&users)
            ),
            source: format!(
                "规则按此值查找 {code} 的一行（{}）；查到多行时不得任取其一",
                named(&users)
            ),
            reads: Vec::new(),
            field: fields.first().cloned(),
            when: Some(
                fields
                    .iter()
                    .map(|f| format!("{f} is not null"))
                    .collect::<Vec<_>>()
                    .join(" and "),
            ),
            check: format!(
                "count('{code}' where {}) = 1",
                fields
                    .iter()
                    .map(|f| format!("{f} = @{f}"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            host: None,
        };
        match compile(catalog, RuleKind::Unique, &code, &table.file, 1, &raw) {
            Ok(rule) => out.push(rule),
            Err((key, msg)) => problems.push(Problem::at(&table.file, key, msg)),
        }
    }
    out
}

/// The fields references point at: `statusdata check` makes each its table's whole key, unique in
/// a unit; a value two units both fill would still name two rows, and the reference check, the
/// copied name and the page's lookup would each take one of them.
fn reference_targets(catalog: &Catalog, wanted: &mut BTreeMap<(String, Vec<String>), Vec<String>>) {
    for table in &catalog.tables {
        for field in &table.fields {
            for target in field.ty.ref_targets() {
                let Some(to) = catalog.table_by_slug(&target.table) else {
                    continue;
                };
                let users = wanted
                    .entry((to.code.clone(), vec![target.field.clone()]))
                    .or_default();
                let id = format!("REF:{}.{}", table.code, field.name);
                if !users.contains(&id) {
                    users.push(id);
                }
            }
        }
    }
}

/// The rules that look a value up, the first few by name (1.2.1's 专业代码 has over forty).
fn named(users: &[String]) -> String {
    const SHOWN: usize = 3;
    if users.len() <= SHOWN {
        return users.join("、");
    }
    format!("{} 等 {} 条", users[..SHOWN].join("、"), users.len())
}
