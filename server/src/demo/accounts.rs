//! The demo accounts of `seeds/demo-accounts.csv`.
use super::DemoError;
use crate::auth::password::hash_password;
use crate::defs::Units;
use crate::store::{NewUser, Store};

/// Creates the accounts of `seeds/demo-accounts.csv` (staff_no,name,unit,role,password), each
/// required to change its password at first login; returns how many were created.
pub fn create_accounts(store: &Store, units: &Units, csv: &str) -> Result<usize, DemoError> {
    let mut created = 0;
    for (n, line) in csv
        .lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let [staff_no, name, unit, role, password] = cells[..] else {
            return Err(DemoError::Accounts(format!(
                "demo-accounts.csv 第 {} 行：应有 5 列",
                n + 1
            )));
        };
        let unit = units.by_name(unit).ok_or_else(|| {
            DemoError::Accounts(format!(
                "demo-accounts.csv 第 {} 行：部门“{unit}”不在 seeds/units.toml 中",
                n + 1
            ))
        })?;
        let password_hash = hash_password(password).map_err(DemoError::Accounts)?;
        let user = NewUser {
            staff_no: staff_no.into(),
            name: name.into(),
            unit: unit.code.clone(),
            role: role.into(),
            password_hash,
            must_change_password: true,
        };
        created += usize::from(store.create_user(&user)?);
    }
    Ok(created)
}
