//! Every help text that states a rule is held to it: the claims table
//! (`tests/fixtures/help-claims.toml`) maps each help text the detector flags to the field checks
//! and rule ids that enforce it, to a notice family (X01–X21) whose rules are pending, or says why
//! it states no checkable claim. The test fails on a flagged help text without an entry, an entry
//! whose help text is gone or no longer flagged, and an enforcer that does not exist.

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;
use rust_decimal::Decimal;
use serde::Deserialize;
use statusdata::defs::{self, Catalog, Field, Table};

use crate::support::{project_paths, root};

const CLAIMS: &str = "tests/fixtures/help-claims.toml";

/// Words that state a rule: a help text containing one is read as a claim.
const RULE_WORDS: &[&str] = &[
    "须",
    "应",
    "不得",
    "不能",
    "不超过",
    "不少于",
    "不低于",
    "不高于",
    "等于",
    "之和",
    "一致",
    "唯一",
    "格式",
    "之间",
    "≤",
    "≥",
    "大于",
    "小于",
    "早于",
    "晚于",
    "只能",
    "必须",
    "至少",
    "以内",
    " = ",
];

/// Words that contain 应 without stating a rule (对应的名称, 应届, 应用心理学 …).
const NOT_RULE: &str = "对应|相应|应用|应急|应征|应届|供应";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimsFile {
    claim: Vec<Entry>,
}

/// One flagged help text and what holds it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    /// `"<table code> <field>"`, or the table code alone for the table's own help.
    at: String,
    /// The help text as it was mapped.
    help: String,
    /// Field checks of the definition: `kind[:arg]` on this field, or `"<code> <field>: kind[:arg]"`.
    #[serde(default)]
    checks: Vec<String>,
    /// Rule ids that must exist.
    #[serde(default)]
    rules: Vec<String>,
    /// Notice families (`X07`) whose cross-table rules are written elsewhere.
    #[serde(default)]
    pending: Vec<String>,
    /// The rule-language feature the claim waits for.
    #[serde(default)]
    missing: Option<String>,
    /// Why (part of) the text is no checkable claim.
    #[serde(default)]
    note: Option<String>,
}

impl Entry {
    fn is_claim(&self) -> bool {
        !(self.checks.is_empty() && self.rules.is_empty() && self.pending.is_empty())
            || self.missing.is_some()
    }
}

fn detector() -> impl Fn(&str) -> bool {
    let not_rule = Regex::new(NOT_RULE).expect("regex");
    let digits = Regex::new("[0-9一二两三四五六七八九十]+位").expect("regex");
    move |help: &str| {
        let text = not_rule.replace_all(help, "");
        RULE_WORDS.iter().any(|w| text.contains(w)) || digits.is_match(&text)
    }
}

/// Every help text of the definitions, by `at`.
fn help_texts(catalog: &Catalog) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for table in &catalog.tables {
        if let Some(help) = &table.help {
            out.insert(table.code.clone(), help.clone());
        }
        for field in &table.fields {
            if let Some(help) = &field.help {
                out.insert(format!("{} {}", table.code, field.name), help.clone());
            }
        }
    }
    out
}

fn load_claims() -> Vec<Entry> {
    let text = std::fs::read_to_string(root().join(CLAIMS)).expect("claims table");
    toml::from_str::<ClaimsFile>(&text)
        .unwrap_or_else(|e| panic!("{CLAIMS}: {e}"))
        .claim
}

/// The table and field an `at` names (the field is `None` for a table's help).
fn locate<'a>(catalog: &'a Catalog, at: &str) -> Result<(&'a Table, Option<&'a Field>), String> {
    let (code, field) = match at.split_once(' ') {
        Some((code, field)) => (code, Some(field)),
        None => (at, None),
    };
    let table = catalog
        .table_by_code(code)
        .ok_or_else(|| format!("no table {code}"))?;
    match field {
        None => Ok((&**table, None)),
        Some(name) => table
            .field(name)
            .map(|f| (&**table, Some(f)))
            .ok_or_else(|| format!("no field {code} {name}")),
    }
}

/// Whether the field check `kind[:arg]` is in the definition.
fn has_check(catalog: &Catalog, table: &Table, field: &Field, check: &str) -> bool {
    let (kind, arg) = check.split_once(':').unwrap_or((check, ""));
    let dec = |v: &Option<Decimal>| v.map(|d| d.normalize().to_string());
    match kind {
        "required" => field.required,
        "required_if" => field.required_if.as_ref().is_some_and(|c| c.field == arg),
        "type" => field.ty.name() == arg,
        "pattern" => field.pattern.is_some(),
        "format" => field
            .format
            .is_some_and(|f| format!("{f:?}").to_lowercase() == arg),
        "min" => dec(&field.min).as_deref() == Some(arg),
        "max" => dec(&field.max).as_deref() == Some(arg),
        "max_len" => field.max_len.map(|n| n.to_string()).as_deref() == Some(arg),
        "scale" => {
            matches!(field.ty, defs::FieldType::Decimal { scale } if scale.to_string() == arg)
        }
        "codes" => field.ty.code_list() == Some(arg),
        "in_period" => field.in_period,
        "key" => table.key == [field.name.clone()],
        "ref" => field.ty.ref_targets().iter().any(|t| {
            catalog
                .table_by_slug(&t.table)
                .is_some_and(|t| t.code == arg)
        }),
        _ => false,
    }
}

/// What is wrong with one entry's enforcers (empty when every one exists).
fn entry_problems(catalog: &Catalog, entry: &Entry) -> Vec<String> {
    let mut out = Vec::new();
    let here = locate(catalog, &entry.at);
    for check in &entry.checks {
        let (at, check) = match check.split_once(": ") {
            Some((at, check)) => (locate(catalog, at), check),
            None => (here.clone(), check.as_str()),
        };
        match at {
            Ok((table, Some(field))) if has_check(catalog, table, field, check) => {}
            Ok((table, Some(field))) => out.push(format!(
                "{}: field check {check} is not on {} {}",
                entry.at, table.code, field.name
            )),
            Ok((table, None)) => out.push(format!(
                "{}: field check {check} names no field of {}",
                entry.at, table.code
            )),
            Err(e) => out.push(format!("{}: {e}", entry.at)),
        }
    }
    for id in &entry.rules {
        if catalog.rule(id).is_none() {
            out.push(format!("{}: no rule {id}", entry.at));
        }
    }
    let family = Regex::new("^X(0[1-9]|1[0-9]|2[01])$").expect("regex");
    for f in &entry.pending {
        if !family.is_match(f) {
            out.push(format!("{}: {f} is not a notice family X01–X21", entry.at));
        }
    }
    if !(entry.is_claim() || entry.note.is_some()) {
        out.push(format!(
            "{}: maps to nothing (give checks, rules, pending or note)",
            entry.at
        ));
    }
    out
}

#[test]
fn every_flagged_help_text_is_mapped_to_what_enforces_it() {
    let catalog = defs::load_catalog(&project_paths().defs).expect("definitions");
    let flags = detector();
    let helps = help_texts(&catalog);
    let flagged: BTreeSet<&String> = helps
        .iter()
        .filter(|(_, h)| flags(h))
        .map(|(a, _)| a)
        .collect();
    let claims = load_claims();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for entry in &claims {
        if !seen.insert(entry.at.clone()) {
            problems.push(format!("{}: mapped twice", entry.at));
        }
        if !flagged.contains(&entry.at) {
            problems.push(format!(
                "{}: stale entry (no such help text, or it states no rule any more)",
                entry.at
            ));
            continue;
        }
        if helps[&entry.at] != entry.help {
            problems.push(format!(
                "{}: the help text changed since it was mapped; review the entry and copy the new text \
                 “{}”",
                entry.at, helps[&entry.at]
            ));
        }
        problems.extend(entry_problems(&catalog, entry));
    }
    for at in flagged.iter().filter(|a| !seen.contains(**a)) {
        problems.push(format!("{at}: unmapped claim “{}”", helps[*at]));
    }
    let claimed = claims.iter().filter(|e| e.is_claim()).count();
    let waiting = claims.iter().filter(|e| e.missing.is_some()).count();
    println!(
        "help texts {}, flagged {}, checkable claims {claimed} (waiting for the language: {waiting}), \
         no claim {}",
        helps.len(),
        flagged.len(),
        claims.len() - claimed
    );
    assert!(problems.is_empty(), "{CLAIMS}:\n{}", problems.join("\n"));
}

#[test]
fn every_help_rule_is_claimed_and_cites_its_help_text() {
    let catalog = defs::load_catalog(&project_paths().defs).expect("definitions");
    let claimed: BTreeSet<String> = load_claims().into_iter().flat_map(|e| e.rules).collect();
    let mut problems = Vec::new();
    for rule in catalog.rules.iter().filter(|r| r.id.starts_with("HELP-")) {
        if !claimed.contains(&rule.id) {
            problems.push(format!("{}: no help text claims it", rule.id));
        }
        if !rule.source.contains("填报说明") {
            problems.push(format!("{}: source does not cite the help text", rule.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Claims pending a notice family hold only once that family has a rule on (or reading) the
/// claim's table: this fails until the cross-table rules (`table-defs/rules/x*.toml`) give each
/// named family such a rule.
#[test]
fn every_pending_family_has_rules_on_the_claims_table() {
    let catalog = defs::load_catalog(&project_paths().defs).expect("definitions");
    let mut missing: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for entry in load_claims() {
        let code = entry.at.split(' ').next().unwrap_or_default().to_owned();
        for family in &entry.pending {
            let prefix = format!("{family}-");
            let held = catalog
                .rules
                .iter()
                .any(|r| r.id.starts_with(&prefix) && r.reads.contains(&code));
            if !held {
                missing
                    .entry(family.clone())
                    .or_default()
                    .push(entry.at.clone());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "help texts wait for notice families with no rule on their table yet: {missing:#?}"
    );
}
