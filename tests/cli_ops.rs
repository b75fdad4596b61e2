//! The administrator's commands through the real binary, on the active backend: `seed demo`
//! leaves the same usable demo as `serve --demo` (a later `serve` shows every deadline ahead),
//! `validate` lists the demo's planted rows, and `users import` refuses a repeated staff number
//! and updates a changed unit or role only when asked, audited.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use diesel::RunQueryDsl;
use serde_json::{json, Value as Json};

use crate::db::TestDb;
use crate::instances::{free_port, http};
use crate::support::root;

/// Runs `statusdata ARGS…` in the repository (its table-defs/, seeds/ and policies/).
fn statusdata(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_statusdata"))
        .args(args)
        .current_dir(root())
        .env_remove("DATABASE_URL")
        .output()
        .expect("statusdata runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A database that `seed demo` filled, shared by the tests that read it (seeding takes a while).
struct Seeded {
    db: TestDb,
    /// What `seed demo` printed.
    report: String,
}

fn seeded() -> Arc<Seeded> {
    static SHARED: Mutex<Weak<Seeded>> = Mutex::new(Weak::new());
    let mut shared = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(s) = shared.upgrade() {
        return s;
    }
    let db = TestDb::new(&root());
    let out = statusdata(&["seed", "demo", "--db", &db.url]);
    assert!(out.status.success(), "seed demo: {}", text(&out.stderr));
    let s = Arc::new(Seeded {
        db,
        report: text(&out.stdout),
    });
    *shared = Arc::downgrade(&s);
    s
}

/// A running `statusdata serve` (no --demo), stopped when dropped.
struct Served {
    child: Child,
    port: u16,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &str, log: &Path) -> Served {
    let port = free_port();
    let log = std::fs::File::create(log).expect("log file");
    let child = Command::new(env!("CARGO_BIN_EXE_statusdata"))
        .args(["serve", "--db", db, "--bind", &format!("127.0.0.1:{port}")])
        .current_dir(root())
        .env_remove("DATABASE_URL")
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .expect("statusdata serve starts");
    let mut served = Served { child, port };
    let until = Instant::now() + Duration::from_secs(120);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        let exited = served.child.try_wait().expect("serve's status");
        assert!(exited.is_none(), "serve exited: {exited:?}");
        assert!(Instant::now() < until, "serve did not listen in time");
        std::thread::sleep(Duration::from_millis(200));
    }
    served
}

fn gql(s: &Served, token: Option<&str>, query: &str, variables: Json) -> Json {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let (status, answer) = http(s.port, "POST", "/graphql", token, &body);
    assert_eq!(status, 200, "{answer}");
    serde_json::from_str(&answer).expect("a JSON answer")
}

/// Signs in as a demo account with its initial password and sets a new one.
fn demo_token(s: &Served, staff_no: &str, initial: &str) -> String {
    let q = "mutation($s: String!, $p: String!) { login(staffNo: $s, password: $p) { token } }";
    let r = gql(s, None, q, json!({ "s": staff_no, "p": initial }));
    let token = r["data"]["login"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("the demo account signs in: {r}"))
        .to_owned();
    let change =
        "mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) }";
    let r = gql(
        s,
        Some(&token),
        change,
        json!({ "o": initial, "n": "Demo#2023ok" }),
    );
    assert_eq!(r["data"]["changePassword"], true, "{r}");
    token
}

#[test]
fn seed_demo_then_serve_leaves_every_deadline_of_2023_ahead() {
    let seeded = seeded();
    let logs = tempfile::tempdir().expect("temp dir");
    let served = serve(&seeded.db.url, &logs.path().join("serve.log"));
    let token = demo_token(&served, "1001", "Zhang@1001");
    let q = "{ progress(cycle: 2023) { table unit deadline overdue } }";
    let r = gql(&served, Some(&token), q, json!({}));
    let tasks = r["data"]["progress"].as_array().expect("progress").clone();
    let today = statusdata::workflow::progress::today(chrono::Utc::now()).to_string();
    let tables: std::collections::BTreeSet<&str> =
        tasks.iter().filter_map(|t| t["table"].as_str()).collect();
    assert_eq!(tables.len(), 90, "every table has its tasks: {r}");
    for t in &tasks {
        let deadline = t["deadline"].as_str().unwrap_or_default();
        assert!(deadline > today.as_str(), "{t} is not ahead of {today}");
        assert_eq!(t["overdue"], false, "{t}");
    }
    // The previous cycle is there, closed, for the year-over-year comparisons.
    assert!(
        seeded.report.contains("上一周期 2022 年"),
        "{}",
        seeded.report
    );
}

/// The rows `seed demo` says it broke: (table, unit code, key as `{field: text}`, field).
fn planted(report: &str) -> Vec<(String, String, Json, String)> {
    let list = report
        .split_once("故意写错的行")
        .map_or("", |(_, rest)| rest);
    list.lines()
        .filter_map(|line| line.strip_prefix("  "))
        .map(|line| {
            let (table, rest) = line.split_once(" [").expect("table");
            let (unit, rest) = rest.split_once("] ").expect("unit");
            let (row, rest) = rest.rsplit_once(" · ").expect("row");
            let field = rest.split_once(':').map_or(rest, |(f, _)| f);
            let key: serde_json::Map<String, Json> = row
                .split(", ")
                .filter(|p| !p.trim().is_empty())
                .map(|pair| {
                    let (k, v) = pair.trim().split_once('=').expect("field=value");
                    let v: Json = serde_json::from_str(v).expect("a JSON value");
                    let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                    (k.to_owned(), Json::String(v))
                })
                .collect();
            (
                table.trim().to_owned(),
                unit.to_owned(),
                Json::Object(key),
                field.to_owned(),
            )
        })
        .collect()
}

#[test]
fn validate_lists_each_planted_row_of_the_demo_as_json_and_exits_2() {
    let seeded = seeded();
    let planted = planted(&seeded.report);
    // One per rule family X01–X21, one reference break (`demo/breakages/catalogue.rs`) and one
    // in last year's row for the linked-row rules (`demo/breakages/last_year.rs`).
    assert_eq!(planted.len(), 23, "{}", seeded.report);
    let out = statusdata(&["validate", "--db", &seeded.db.url, "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let listed: Json = serde_json::from_slice(&out.stdout).expect("validate prints JSON");
    let findings = listed["findings"].as_array().expect("findings");
    for (table, unit, key, field) in &planted {
        let found = findings.iter().any(|f| {
            // A whole-table rule (X07, X16) names neither row nor field.
            let whole = f["key"].as_object().is_some_and(|k| k.is_empty()) && f["field"].is_null();
            f["table"] == table.as_str()
                && f["unit"] == unit.as_str()
                && (whole || (f["key"] == *key && f["field"] == field.as_str()))
                && f["severity"]
                    .as_str()
                    .is_some_and(|s| s == "error" || s == "warning")
                && f["unitName"].as_str().is_some_and(|n| !n.is_empty())
                && f["rule"].as_str().is_some_and(|r| !r.is_empty())
                && f["message"].as_str().is_some_and(|m| !m.is_empty())
        });
        assert!(
            found,
            "{table} [{unit}] {key} · {field} not listed: {listed}"
        );
    }
    // The text form groups the same findings by table, naming unit and row.
    let out = statusdata(&["validate", "--db", &seeded.db.url, "--table", "1.5.1"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.starts_with("1.5.1 全日制高职在校生信息表（") && said.contains("学号=20210100001"),
        "{said}"
    );
}

#[test]
fn validate_on_a_database_it_cannot_open_exits_1() {
    // Nothing listens on port 1.
    let url = "postgres://postgres@127.0.0.1:1/none";
    let out = statusdata(&["validate", "--db", url, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

/// Writes a staff list (csv) and imports it: (status, stdout, stderr).
fn import(db: &TestDb, list: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    import_file(db, "名单.csv", list.as_bytes(), extra)
}

fn import_file(
    db: &TestDb,
    name: &str,
    bytes: &[u8],
    extra: &[&str],
) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join(name);
    std::fs::write(&file, bytes).expect("write the list");
    let path = file.display().to_string();
    let mut args = vec!["users", "--db", db.url.as_str(), "import", path.as_str()];
    args.extend(extra);
    let out = statusdata(&args);
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

fn account(db: &TestDb, staff_no: &str) -> Option<(String, String)> {
    db.store
        .accounts_tx(|a| a.find_user(staff_no))
        .expect("find user")
        .map(|u| (u.unit, u.role))
}

#[test]
fn a_staff_number_repeated_in_one_list_refuses_the_whole_list_naming_both_lines() {
    let db = TestDb::new(&root());
    let list = "工号,姓名,部门,角色\n6001,欧阳娜娜,人事处,采集员\n6002,曾志,教务部,部门负责人\n6001,欧阳娜娜,教务部,采集员\n";
    let (code, _, stderr) = import(&db, list, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("第 4 行：工号“6001”与第 2 行重复"),
        "{stderr}"
    );
    assert_eq!(account(&db, "6002"), None, "nothing is created");
    assert_eq!(db.store.count_users().expect("count"), 0);
}

#[test]
fn a_repeated_staff_number_in_a_workbook_is_named_by_its_excel_rows() {
    let db = TestDb::new(&root());
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows: [&[&str]; 5] = [
        &["工号", "姓名", "部门", "角色"],
        &["7001", "张伟", "教务部", "采集员"],
        &[],
        &["7002", "王芳", "教务部", "采集员"],
        &["7001", "张伟", "人事处", "采集员"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet
                .write_string(r as u32, c as u16, *cell)
                .expect("write cell");
        }
    }
    let bytes = book.save_to_buffer().expect("workbook");
    let (code, _, stderr) = import_file(&db, "名单.xlsx", &bytes, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("第 5 行：工号“7001”与第 2 行重复"),
        "{stderr}"
    );
    assert_eq!(
        db.store.count_users().expect("count"),
        0,
        "nothing is created"
    );
}

#[derive(diesel::QueryableByName)]
struct AuditRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    actor: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    before: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    after: String,
}

fn user_updates(db: &TestDb) -> Vec<AuditRow> {
    let sql =
        "SELECT actor, COALESCE(before_json, '') AS before, COALESCE(after_json, '') AS after \
               FROM audit_log WHERE operation = 'user_update' ORDER BY id";
    let mut conn = db.store.conn().expect("connection");
    diesel::sql_query(sql)
        .load::<AuditRow>(&mut *conn)
        .expect("audit rows")
}

#[test]
fn a_changed_unit_or_role_is_reported_and_updated_only_with_update_audited() {
    let db = TestDb::new(&root());
    let first = "工号,姓名,部门,角色\n6001,欧阳娜娜,人事处,采集员\n6002,曾志,教务部,部门负责人\n";
    let (code, _, stderr) = import(&db, first, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let moved = "工号,姓名,部门,角色\n6001,欧阳娜娜,教务部,采集员\n6002,曾志,教务部,采集员\n6003,单田芳,机电工程学院,采集员\n";

    let (code, _, stderr) = import(&db, moved, &[]);
    assert_eq!(code, Some(1), "changes are not skipped silently: {stderr}");
    assert!(
        stderr.contains("第 2 行：工号 6001") && stderr.contains("第 3 行：工号 6002"),
        "{stderr}"
    );
    assert!(stderr.contains("--update"), "{stderr}");
    assert_eq!(
        account(&db, "6001"),
        Some(("zwb_rs".into(), "collector".into()))
    );
    assert_eq!(account(&db, "6003"), None, "all or nothing");
    assert!(user_updates(&db).is_empty());

    let (code, stdout, stderr) = import(&db, moved, &["--update"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("新建 1 个账号，更新 2 个"), "{stdout}");
    assert_eq!(
        account(&db, "6001"),
        Some(("jwb".into(), "collector".into()))
    );
    assert_eq!(
        account(&db, "6002"),
        Some(("jwb".into(), "collector".into()))
    );
    assert!(account(&db, "6003").is_some());
    let audit = user_updates(&db);
    assert_eq!(audit.len(), 2, "one audit row per changed account");
    let before: Json = serde_json::from_str(&audit[0].before).expect("before");
    let after: Json = serde_json::from_str(&audit[0].after).expect("after");
    assert_eq!(audit[0].actor, "cli");
    assert_eq!(
        (&before["staffNo"], &before["unit"], &after["unit"]),
        (&json!("6001"), &json!("zwb_rs"), &json!("jwb"))
    );

    // One account at a time: `users set`.
    let out = statusdata(&[
        "users",
        "--db",
        &db.url,
        "set",
        "6002",
        "--unit",
        "人事处",
        "--role",
        "head",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(account(&db, "6002"), Some(("zwb_rs".into(), "head".into())));
    let audit = user_updates(&db);
    let after: Json = serde_json::from_str(&audit[2].after).expect("after");
    assert_eq!(
        (&after["unit"], &after["role"]),
        (&json!("zwb_rs"), &json!("head"))
    );
}
