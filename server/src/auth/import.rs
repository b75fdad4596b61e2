//! Reading a staff list (xlsx or csv: 工号, 姓名, 部门, 角色, optional 姓氏拼音) into accounts with
//! the notice's initial passwords. Every row is checked before any account is created: a staff
//! number repeated in the list refuses the whole list, and an existing account the list
//! describes otherwise (name, unit or role) is changed only when asked, audited.

use std::collections::HashMap;
use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};

use super::names::initial_password;
use super::password::hash_password;
use crate::defs::Units;
use crate::store::{AccountsConn, NewUser, Profile, Store, StoreError};

/// One checked row of a staff list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    /// The row's line in the file (as Excel or a text editor numbers it).
    pub line: usize,
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

/// The file's rows and the line number of the first one.
fn cells(path: &Path) -> Result<(usize, Vec<Vec<String>>), String> {
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let rows = reader
            .records()
            .map(|r| {
                r.map(|r| r.iter().map(|c| c.trim().to_owned()).collect())
                    .map_err(|e| format!("{}: {e}", path.display()))
            })
            .collect::<Result<_, _>>()?;
        return Ok((1, rows));
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
    // The range starts at the first used cell: a sheet whose list starts lower keeps its row numbers.
    let first = range.start().map_or(1, |(row, _)| row as usize + 1);
    let rows = range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    other => other.to_string().trim().to_owned(),
                })
                .collect()
        })
        .collect();
    Ok((first, rows))
}

/// Reads and checks a staff list; `Err` lists every bad row (by its row number in the file).
pub fn read_staff(path: &Path, units: &Units) -> Result<Vec<StaffRow>, Vec<String>> {
    let (first, rows) = cells(path).map_err(|e| vec![e])?;
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
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate().skip(1) {
        let get = |c: usize| row.get(c).map(String::as_str).unwrap_or("");
        if row.iter().all(String::is_empty) {
            continue;
        }
        let line = first + i;
        let staff_no = get(no).to_owned();
        if staff_no.is_empty()
            || !staff_no
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            problems.push(format!("第 {line} 行：工号“{staff_no}”无效"));
            continue;
        }
        if let Some(&earlier) = seen.get(&staff_no) {
            problems.push(format!(
                "第 {line} 行：工号“{staff_no}”与第 {earlier} 行重复，一个工号只能出现一次"
            ));
            continue;
        }
        seen.insert(staff_no.clone(), line);
        let Some(u) = units.by_name(get(unit)) else {
            problems.push(format!(
                "第 {line} 行：部门“{}”不在 seeds/units.toml 中",
                get(unit)
            ));
            continue;
        };
        let Some(code) = role_code(get(role)) else {
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
            line,
            staff_no,
            name: get(name).to_owned(),
            unit: u.code.clone(),
            role: code.to_owned(),
            initial_password: initial,
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// An existing account that a list (or `users set`) describes otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The list's line (0 for `users set`).
    pub line: usize,
    pub staff_no: String,
    pub before: Profile,
    pub after: Profile,
}

/// What importing a list did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    pub created: usize,
    /// Existing accounts the list describes as they are.
    pub unchanged: usize,
    /// Existing accounts the list describes otherwise: updated when asked, else nothing is
    /// written at all (`written` is false) and these are what the list would change.
    pub changes: Vec<Change>,
    pub written: bool,
}

impl StaffRow {
    fn profile(&self) -> Profile {
        Profile {
            name: self.name.clone(),
            unit: self.unit.clone(),
            role: self.role.clone(),
        }
    }
}

fn profile_of(u: &crate::store::UserRow) -> Profile {
    Profile {
        name: u.name.clone(),
        unit: u.unit.clone(),
        role: u.role.clone(),
    }
}

/// Imports a checked list, all or nothing: creates the accounts that do not exist; an existing
/// account whose name, unit or role the list changes is updated (audited, before and after)
/// only with `update`; without it such a list writes nothing and the changes are returned.
pub fn import_staff(
    store: &Store,
    rows: &[StaffRow],
    actor: &str,
    update: bool,
) -> Result<Imported, StoreError> {
    let (existing, changes) = store.accounts_tx(|a| compare(a, rows))?;
    if !changes.is_empty() && !update {
        return Ok(Imported {
            unchanged: existing.len() - changes.len(),
            changes,
            ..Imported::default()
        });
    }
    // Hashing is slow; it happens before the transaction, which then writes every account, every
    // change and the audit rows together: a failed import leaves nothing behind.
    let mut hashes = HashMap::new();
    for r in rows.iter().filter(|r| !existing.contains_key(&r.staff_no)) {
        let hash = hash_password(&r.initial_password).map_err(StoreError::Database)?;
        hashes.insert(r.staff_no.clone(), hash);
    }
    let now = crate::store::now();
    store.accounts_tx(|a| {
        let mut created = Vec::new();
        let (_, changes) = compare(a, rows)?;
        for r in rows {
            let Some(hash) = hashes.get(&r.staff_no) else {
                continue;
            };
            let user = NewUser {
                staff_no: r.staff_no.clone(),
                name: r.name.clone(),
                unit: r.unit.clone(),
                role: r.role.clone(),
                password_hash: hash.clone(),
                must_change_password: true,
            };
            if a.create_user(&user)? {
                created.push(user.staff_no);
            }
        }
        for c in &changes {
            write_change(a, c, actor, &now)?;
        }
        let updated: Vec<&str> = changes.iter().map(|c| c.staff_no.as_str()).collect();
        let detail =
            serde_json::json!({ "created": created, "updated": updated, "rows": rows.len() });
        a.audit(actor, "users_import", detail)?;
        Ok(Imported {
            created: created.len(),
            unchanged: rows.len() - created.len() - changes.len(),
            changes,
            written: true,
        })
    })
}

/// The existing accounts of the list's staff numbers, and those the list changes.
fn compare(
    a: &mut AccountsConn<'_>,
    rows: &[StaffRow],
) -> Result<(HashMap<String, Profile>, Vec<Change>), StoreError> {
    let mut existing = HashMap::new();
    let mut changes = Vec::new();
    for r in rows {
        let Some(user) = a.find_user(&r.staff_no)? else {
            continue;
        };
        let before = profile_of(&user);
        if before != r.profile() {
            changes.push(Change {
                line: r.line,
                staff_no: r.staff_no.clone(),
                before: before.clone(),
                after: r.profile(),
            });
        }
        existing.insert(r.staff_no.clone(), before);
    }
    Ok((existing, changes))
}

fn write_change(
    a: &mut AccountsConn<'_>,
    c: &Change,
    actor: &str,
    now: &str,
) -> Result<(), StoreError> {
    a.set_profile(&c.staff_no, &c.after, now)?;
    let json = |p: &Profile| serde_json::json!({ "staffNo": c.staff_no, "name": p.name, "unit": p.unit, "role": p.role });
    a.audit_change(actor, "user_update", json(&c.before), json(&c.after))
}

/// Sets an account's unit (code) and/or role, audited; `None` when there is no such account.
pub fn set_account(
    store: &Store,
    staff_no: &str,
    unit: Option<&str>,
    role: Option<&str>,
    actor: &str,
) -> Result<Option<Change>, StoreError> {
    let now = crate::store::now();
    store.accounts_tx(|a| {
        let Some(user) = a.find_user(staff_no)? else {
            return Ok(None);
        };
        let before = profile_of(&user);
        let after = Profile {
            unit: unit.map_or_else(|| before.unit.clone(), str::to_owned),
            role: role.map_or_else(|| before.role.clone(), str::to_owned),
            ..before.clone()
        };
        let change = Change {
            line: 0,
            staff_no: staff_no.to_owned(),
            before,
            after,
        };
        if change.before != change.after {
            write_change(a, &change, actor, &now)?;
        }
        Ok(Some(change))
    })
}

/// The role code a staff list's word stands for (`采集员` → `collector`).
pub fn role_code(word: &str) -> Option<&'static str> {
    ROLES
        .iter()
        .find(|(_, words)| words.contains(&word))
        .map(|(code, _)| *code)
}

/// The Chinese name of a role code (`collector` → `采集员`).
pub fn role_name(code: &str) -> Option<&'static str> {
    ROLES
        .iter()
        .find(|(c, _)| *c == code)
        .and_then(|(_, words)| words.get(1).copied())
}
