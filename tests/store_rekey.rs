//! Definition changes that keep the stored values but change what they mean: a narrower table
//! key (1.2.1 from 专业代码 + 专业方向 to 专业代码) and a reference turned plain text (2.1.1
//! 使用教材ISBN), on the active backend.

use statusdata::store::{RowScope, StoreError};

use crate::db::{ctx, mini_dir, only, record, text, TestDb};
use crate::support::copy_dir;

/// A copy of the mini fixture with 1.9.1-people.toml rewritten by `f`.
fn people_copy(f: impl FnOnce(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&mini_dir(), dir.path());
    let path = dir.path().join("table-defs/1.9.1-people.toml");
    let old = std::fs::read_to_string(&path).expect("read definition");
    std::fs::write(&path, f(old)).expect("write definition");
    dir
}

fn two_field_key(t: String) -> String {
    t.replace("key = [\"person_no\"]", "key = [\"person_no\", \"name\"]")
}

#[test]
fn a_narrower_key_that_stored_rows_share_is_refused_even_when_destructive_is_allowed(
) -> anyhow::Result<()> {
    let wide = people_copy(two_field_key);
    // 1.9.2 references 编号, which names one row only under the narrow key (`check` says so).
    std::fs::remove_file(wide.path().join("table-defs/1.9.2-type_zoo.toml"))?;
    let db = TestDb::new(wide.path());
    let people = db.table("1.9.1");
    let mut ids = Vec::new();
    for name in ["李四", "王五"] {
        let row = db.store.unguarded().insert(
            &people,
            &only("jdgc"),
            &ctx("jdgc"),
            &record(&[("person_no", text("P1")), ("name", text(name))]),
        )?;
        ids.push(row.id);
    }
    let narrow = db.reopen(&mini_dir());
    for allow in [false, true] {
        match narrow.migrate(&db.units, allow) {
            Err(StoreError::Destructive(reasons)) => {
                let all = reasons.join("\n");
                assert!(
                    all.contains("table 1.9.1 changes its key to (person_no)"),
                    "{all}"
                );
                assert!(all.contains("person_no=P1 (2 rows)"), "{all}");
                assert!(all.contains("merge or delete those rows"), "{all}");
            }
            other => panic!("allow_destructive={allow}: expected a refusal, got {other:?}"),
        }
    }
    // Refused before anything changed: the wide definitions still fit.
    assert!(db.store.migrate(&db.units, false)?.is_empty());

    db.store
        .unguarded()
        .delete(&people, &only("jdgc"), ids[1], "T0003")?;
    let report = narrow.migrate(&db.units, false)?;
    assert_eq!(report.tables.rekeyed_tables, vec!["1.9.1".to_owned()]);
    assert!(narrow.migrate(&db.units, false)?.is_empty());
    let people = narrow.table("1.9.1")?.clone();
    let again = narrow.unguarded().insert(
        &people,
        &only("jdgc"),
        &ctx("jdgc"),
        &record(&[("person_no", text("P1")), ("name", text("赵六"))]),
    );
    assert!(again.is_err(), "the new key holds: {again:?}");
    assert_eq!(narrow.count(&people, &RowScope::All, 2023, None)?, 1);
    Ok(())
}

#[test]
fn a_reference_turned_plain_text_keeps_its_values() -> anyhow::Result<()> {
    let db = TestDb::mini();
    let (people, zoo) = (db.table("1.9.1"), db.table("1.9.2"));
    db.store.unguarded().insert(
        &people,
        &only("jdgc"),
        &ctx("jdgc"),
        &record(&[("person_no", text("P1")), ("name", text("李四"))]),
    )?;
    let row = db.store.unguarded().insert(
        &zoo,
        &only("jdgc"),
        &ctx("jdgc"),
        &record(&[("code", text("Z1")), ("person", text("P1"))]),
    )?;
    let dir = tempfile::tempdir()?;
    copy_dir(&mini_dir(), dir.path());
    let path = dir.path().join("table-defs/1.9.2-type_zoo.toml");
    let def = std::fs::read_to_string(&path)?.replacen(
        "type = \"ref\"\nref = \"people.person_no\"",
        "type = \"string\"",
        1,
    );
    std::fs::write(&path, def)?;
    let plain = db.reopen(dir.path());
    let report = plain.migrate(&db.units, false)?;
    assert!(report.is_empty(), "nothing to change: {report:?}");
    let zoo = plain.table("1.9.2")?.clone();
    let kept = plain.get(&zoo, &RowScope::All, row.id)?.expect("row kept");
    assert_eq!(kept.values.get("person"), Some(&text("P1")));
    Ok(())
}
