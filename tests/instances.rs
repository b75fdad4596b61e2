//! Two `serve` processes (the real binary) on one PostgreSQL: a session opened on one works on
//! the other, and a rights change, a definitions reload and an account lockout made through one
//! are in force on the other. Several instances need PostgreSQL, so on SQLite this is skipped;
//! CI's PostgreSQL pass runs it. And on either backend, `statusdata reload` and `statusdata policy
//! import` reach a running instance through the database.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value as Json};
use statusdata::auth::password::hash_password;
use statusdata::store::NewUser;

use crate::db::{on_postgres, TestDb};
use crate::support::{root, Scratch};

pub(crate) const PASSWORD: &str = "Twin#2023x";

/// A running `statusdata serve`, stopped when dropped.
pub(crate) struct Instance {
    pub(crate) child: Child,
    pub(crate) port: u16,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub(crate) fn start(db: &str, scratch: &Path, name: &str) -> Instance {
    let port = free_port();
    let log = std::fs::File::create(scratch.join(format!("{name}.log"))).expect("log file");
    let child = Command::new(env!("CARGO_BIN_EXE_statusdata"))
        .args(["serve", "--db", db, "--bind", &format!("127.0.0.1:{port}")])
        .args(["--defs", "table-defs", "--units", "seeds/units.toml"])
        .args(["--policies", "policies"])
        .current_dir(scratch)
        .env_remove("DATABASE_URL")
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .expect("statusdata serve starts");
    Instance { child, port }
}

/// One HTTP/1.0 exchange (the server closes the connection after the body): (status, body).
pub(crate) fn http(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let request = format!(
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("receive");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (status, body)
}

pub(crate) fn gql(i: &Instance, token: Option<&str>, query: &str, variables: Json) -> Json {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let (status, text) = http(i.port, "POST", "/graphql", token, &body);
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap_or(Json::Null)
}

fn code(r: &Json) -> &str {
    r["errors"][0]["extensions"]["code"].as_str().unwrap_or("")
}

pub(crate) fn login(i: &Instance, staff_no: &str, password: &str) -> Json {
    let q = "mutation($s: String!, $p: String!) { login(staffNo: $s, password: $p) { token } }";
    gql(i, None, q, json!({ "s": staff_no, "p": password }))
}

pub(crate) fn token(i: &Instance, staff_no: &str) -> String {
    let r = login(i, staff_no, PASSWORD);
    r["data"]["login"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("login failed: {r}"))
        .to_owned()
}

/// Asks `f` until it holds (other instances follow within seconds), or fails saying `what`.
pub(crate) fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(20);
    while Instant::now() < until {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("not seen in time: {what}");
}

/// A database with the cycle and four accounts, and a scratch copy of the files to serve.
pub(crate) fn prepared() -> (TestDb, Scratch) {
    let db = TestDb::new(&root());
    // The cycle as `serve --demo` installs it (deadlines ahead), so that the instances keep it.
    let file =
        statusdata::defs::load_cycle(&root().join("seeds/cycle-2023.toml"), db.store.catalog())
            .expect("cycle file");
    let (cell, _policies) = crate::support::policy_cell();
    let svc = statusdata::service::Service::new(
        db.store.clone(),
        cell,
        std::sync::Arc::new(db.units.clone()),
    );
    let today = statusdata::workflow::progress::today(chrono::Utc::now());
    svc.install_cycle(&svc.system(), &file, Some(today))
        .expect("install the cycle");
    for (no, unit, role) in [
        ("8001", "zlb", "quality_admin"),
        ("8002", "tsg", "collector"),
        ("8003", "zwb", "collector"),
        ("8004", "zwb", "collector"),
    ] {
        account(&db, no, unit, role);
    }
    let scratch = Scratch::new();
    std::fs::copy(
        root().join("seeds/cycle-2023.toml"),
        scratch.path("seeds/cycle-2023.toml"),
    )
    .expect("cycle file");
    (db, scratch)
}

fn account(db: &TestDb, staff_no: &str, unit: &str, role: &str) {
    let user = NewUser {
        staff_no: staff_no.into(),
        name: "测试".into(),
        unit: unit.into(),
        role: role.into(),
        password_hash: hash_password(PASSWORD).expect("hash"),
        must_change_password: false,
    };
    assert!(db.store.create_user(&user).expect("create user"));
}

#[test]
fn two_instances_share_sessions_rights_definitions_and_lockouts() {
    if !on_postgres() {
        eprintln!("skipped: several instances need PostgreSQL (set TEST_DATABASE_URL)");
        return;
    }
    let (db, scratch) = prepared();
    let (a, b) = (
        start(&db.url, scratch.dir.path(), "a"),
        start(&db.url, scratch.dir.path(), "b"),
    );
    for i in [&a, &b] {
        eventually("both instances answer /healthz", || {
            TcpStream::connect(("127.0.0.1", i.port)).is_ok()
                && http(i.port, "GET", "/healthz", None, "").0 == 200
        });
    }

    // A session opened on one instance works on the other.
    let admin = token(&a, "8001");
    let me = gql(&b, Some(&admin), "{ me { staffNo } }", json!({}));
    assert_eq!(me["data"]["me"]["staffNo"], "8001", "{me}");

    // A rights change made through one instance is in force on the other.
    let library = token(&b, "8002");
    let create = "mutation { createContact(input: {}) { id } }";
    assert_eq!(
        code(&gql(&b, Some(&library), create, json!({}))),
        "FORBIDDEN"
    );
    let grant = "mutation { grantRight(unit: \"图书馆\", table: \"1.1.2\", action: FILL) }";
    let r = gql(&a, Some(&admin), grant, json!({}));
    assert_eq!(r["data"]["grantRight"], true, "{r}");
    eventually("the grant on b", || {
        code(&gql(&b, Some(&library), create, json!({}))) == "VALIDATION_FAILED"
    });

    // A definitions reload through one instance is followed by the other (same files).
    scratch.append_field(
        "table-defs/1.1.7-school_awards.toml",
        "name = \"remark\"\nlabel = \"备注\"\ntype = \"string\"",
    );
    let reload = "mutation { reloadDefinitions { version recorded addedColumns } }";
    let r = gql(&a, Some(&admin), reload, json!({}));
    assert_eq!(r["data"]["reloadDefinitions"]["recorded"], true, "{r}");
    let fields = "{ __type(name: \"SchoolAward\") { fields { name } } }";
    eventually("the new field on b", || {
        gql(&b, Some(&admin), fields, json!({}))["data"]["__type"]["fields"]
            .to_string()
            .contains("\"remark\"")
    });
    eventually("b ready on the new definitions", || {
        http(b.port, "GET", "/readyz", None, "").0 == 200
    });
    let government = token(&b, "8003");
    let row = json!({
        "awardName": "全国文明校园", "level": "02", "issuer": "中央文明委",
        "awardDate": "2023-05-01", "remark": "两个实例"
    });
    let create =
        "mutation($i: CreateSchoolAwardInput!) { createSchoolAward(input: $i) { remark } }";
    let r = gql(&b, Some(&government), create, json!({ "i": row }));
    assert_eq!(r["data"]["createSchoolAward"]["remark"], "两个实例", "{r}");

    // Five wrong passwords through one instance lock the account on the other.
    for _ in 0..5 {
        let r = login(&a, "8004", "wrong-password");
        assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
    }
    let r = login(&b, "8004", PASSWORD);
    assert_eq!(code(&r), "UNAUTHENTICATED", "locked on b too: {r}");
}

/// Runs `statusdata COMMAND --defs … SUBCOMMAND…` in the scratch copy.
fn statusdata(scratch: &Path, command: &str, rest: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_statusdata"))
        .arg(command)
        .args(["--defs", "table-defs", "--units", "seeds/units.toml"])
        .args(["--policies", "policies"])
        .args(rest)
        .current_dir(scratch)
        .env_remove("DATABASE_URL")
        .output()
        .expect("statusdata runs")
}

#[test]
fn reload_sighup_and_policy_commands_reach_a_running_instance() {
    let (db, scratch) = prepared();
    let a = start(&db.url, scratch.dir.path(), "a");
    eventually("the instance answers /healthz", || {
        TcpStream::connect(("127.0.0.1", a.port)).is_ok()
            && http(a.port, "GET", "/healthz", None, "").0 == 200
    });
    let admin = token(&a, "8001");

    scratch.append_field(
        "table-defs/1.1.7-school_awards.toml",
        "name = \"remark\"\nlabel = \"备注\"\ntype = \"string\"",
    );
    let out = statusdata(scratch.dir.path(), "reload", &["--db", &db.url]);
    assert!(out.status.success(), "{out:?}");
    let fields = "{ __type(name: \"SchoolAward\") { fields { name } } }";
    eventually("the new field after statusdata reload", || {
        gql(&a, Some(&admin), fields, json!({}))["data"]["__type"]["fields"]
            .to_string()
            .contains("\"remark\"")
    });

    // SIGHUP does the same for the instance it is sent to.
    scratch.append_field(
        "table-defs/1.1.7-school_awards.toml",
        "name = \"remark2\"\nlabel = \"备注二\"\ntype = \"string\"",
    );
    let pid = a.child.id().to_string();
    let hup = Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .expect("kill runs");
    assert!(hup.success());
    eventually("the new field after SIGHUP", || {
        gql(&a, Some(&admin), fields, json!({}))["data"]["__type"]["fields"]
            .to_string()
            .contains("\"remark2\"")
    });

    let out = statusdata(scratch.dir.path(), "policy", &["export", "--db", &db.url]);
    assert!(out.status.success(), "{out:?}");
    let exported = String::from_utf8_lossy(&out.stdout).into_owned();
    let seed = std::fs::read_to_string(scratch.path("policies/policy.csv")).expect("policy.csv");
    assert_eq!(exported, seed, "the seed is the policy in force");
    let file = scratch.path("granted.csv");
    std::fs::write(&file, format!("{exported}p, 图书馆, 1.1.2, fill\n")).expect("write");
    let out = statusdata(
        scratch.dir.path(),
        "policy",
        &["import", "--db", &db.url, "granted.csv"],
    );
    assert!(out.status.success(), "{out:?}");
    let library = token(&a, "8002");
    let create = "mutation { createContact(input: {}) { id } }";
    eventually("the imported grant", || {
        code(&gql(&a, Some(&library), create, json!({}))) == "VALIDATION_FAILED"
    });
    let broken = scratch.path("broken.csv");
    std::fs::write(&broken, format!("{exported}p, 不存在的单位, 1.1.2, fill\n")).expect("write");
    let out = statusdata(
        scratch.dir.path(),
        "policy",
        &["import", "--db", &db.url, "broken.csv"],
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && said.contains("不存在的单位"),
        "{said}"
    );

    // SIGTERM (systemctl stop) ends the process promptly and cleanly: the watcher's blocking
    // loop hears that serving stopped instead of holding the runtime open for ever.
    let mut a = a;
    let term = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(term.success());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = a.child.try_wait().expect("try_wait") {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "serve still running 15 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "a clean exit after SIGTERM: {status:?}");
}
