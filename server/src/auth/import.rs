//! Reading a staff list (xlsx or csv: 工号, 姓名, 部门, 角色, optional 姓氏拼音) into accounts with
//! the notice's initial passwords. Every row is checked before any account is created.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};

use super::names::initial_password;
use super::password::hash_password;
use crate::defs::Units;
use crate::store::{NewUser, Store, StoreError};

/// One checked row of a staff list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    pub staff_no: String,
    pub name: String,
    pub unit: String,
    pub role: String,
    pub initial_password: String,
}

/// The role codes and the words a staff list may use for them.
pub const ROLES: &[(&str, &[&str])] = &[
    ("collector", &["collector", "采集员", "数据采集员"]),
    ("head", &["head", "负责人", "部门负责人"]),
    (
        "quality_admin",
        &["quality_admin", "质量部管理员", "管理员"],
    ),
    ("leader", &["leader", "院领导", "领导"]),
    ("sysadmin", &["sysadmin", "系统管理员"]),
];

fn cells(path: &Path) -> Result<Vec<Vec<String>>, String> {
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        return reader
            .records()
            .map(|r| {
                r.map(|r| r.iter().map(|c| c.trim().to_owned()).collect())
                    .map_err(|e| format!("{}: {e}", path.display()))
            })
            .collect();
    }
    let mut book = open_workbook_auto(path)
        .map_err(|e| format!("{}: 不是可读取的 xlsx/csv 文件（{e}）", path.display()))?;
    let sheet = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| format!("{}: 没有工作表", path.display()))?;
    let range = book
        .worksheet_range(&sheet)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    other => other.to_string().trim().to_owned(),
                })
                .collect()
        })
        .collect())
}

/// Reads and checks a staff list; `Err` lists every bad row (by its row number in the file).
pub fn read_staff(path: &Path, units: &Units) -> Result<Vec<StaffRow>, Vec<String>> {
    let rows = cells(path).map_err(|e| vec![e])?;
    let Some(header) = rows.first() else {
        return Err(vec![format!("{}: 文件为空", path.display())]);
    };
    let col = |names: &[&str]| header.iter().position(|h| names.iter().any(|n| h == n));
    let (no, name, unit, role) = (
        col(&["工号", "staff_no"]),
        col(&["姓名", "name"]),
        col(&["部门", "unit"]),
        col(&["角色", "role"]),
    );
    let pinyin = col(&["姓氏拼音", "pinyin"]);
    let (Some(no), Some(name), Some(unit), Some(role)) = (no, name, unit, role) else {
        return Err(vec![format!(
            "{}: 表头须含 工号、姓名、部门、角色（可选 姓氏拼音）",
            path.display()
        )]);
    };
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(1) {
        let get = |c: usize| row.get(c).map(String::as_str).unwrap_or("");
        if row.iter().all(String::is_empty) {
            continue;
        }
        let line = i + 1;
        let staff_no = get(no).to_owned();
        if staff_no.is_empty()
            || !staff_no
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            problems.push(format!("第 {line} 行：工号“{staff_no}”无效"));
            continue;
        }
        let Some(u) = units.by_name(get(unit)) else {
            problems.push(format!(
                "第 {line} 行：部门“{}”不在 seeds/units.toml 中",
                get(unit)
            ));
            continue;
        };
        let Some((code, _)) = ROLES.iter().find(|(_, words)| words.contains(&get(role))) else {
            problems.push(format!("第 {line} 行：角色“{}”无效（采集员、部门负责人、质量部管理员、院领导、系统管理员）", get(role)));
            continue;
        };
        let Some(initial) = initial_password(get(name), pinyin.map(get), &staff_no) else {
            problems.push(format!(
                "第 {line} 行：无法由姓名“{}”得出姓氏拼音，请填写“姓氏拼音”列",
                get(name)
            ));
            continue;
        };
        out.push(StaffRow {
            staff_no,
            name: get(name).to_owned(),
            unit: u.code.clone(),
            role: (*code).to_owned(),
            initial_password: initial,
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Creates the accounts (skipping staff numbers that exist); returns (created, skipped).
pub fn import_staff(
    store: &Store,
    rows: &[StaffRow],
    actor: &str,
) -> Result<(usize, usize), StoreError> {
    // Hashing is slow; it happens before the transaction, which then writes every account and
    // the audit row together: a failed import leaves no account behind.
    let users = rows
        .iter()
        .map(|r| {
            Ok(NewUser {
                staff_no: r.staff_no.clone(),
                name: r.name.clone(),
                unit: r.unit.clone(),
                role: r.role.clone(),
                password_hash: hash_password(&r.initial_password).map_err(StoreError::Database)?,
                must_change_password: true,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    store.accounts_tx(|a| {
        let mut created = Vec::new();
        for user in &users {
            if a.create_user(user)? {
                created.push(user.staff_no.clone());
            }
        }
        let detail = serde_json::json!({ "created": created, "rows": users.len() });
        a.audit(actor, "users_import", detail)?;
        Ok((created.len(), users.len() - created.len()))
    })
}
