//! `serve` fails loudly: a taken port, a bare port number, unreadable definitions or an
//! unreachable database end the process within seconds, non-zero, with a Chinese message naming
//! the address or the file (under systemd, `Restart=on-failure` then acts and the journal says why).

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::db::{on_postgres, EmptyDb};
use crate::support::root;

/// The binary, run from the repository (its table-defs/, seeds/, policies/) with no database
/// or address from the environment.
pub fn statusdata() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_statusdata"));
    c.current_dir(root())
        .env_remove("DATABASE_URL")
        .env_remove("STATUSDATA_BIND")
        .env_remove("STATUSDATA_VERSION_OVERRIDE")
        .env_remove("RUST_BACKTRACE");
    c
}

/// Runs `cmd` to its end; fails the test when it takes longer than `limit` (and kills it).
pub fn run_within(cmd: &mut Command, limit: Duration) -> (Output, Duration) {
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start statusdata");
    loop {
        if child.try_wait().expect("wait").is_some() {
            return (child.wait_with_output().expect("output"), start.elapsed());
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "still running after {limit:?}; stderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A `serve` process listening on a port of its own choosing; killed when dropped.
pub struct Served {
    child: Child,
    pub addr: String,
}

impl Served {
    /// Starts `serve` (with `cmd`'s settings) on 127.0.0.1:0 and waits until it says where it
    /// listens.
    pub fn start(mut cmd: Command) -> Served {
        let mut child = cmd
            .args(["--bind", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(at) = line.find("http://") {
                    let rest = &line[at + "http://".len()..];
                    let addr = rest.split('/').next().unwrap_or("").to_owned();
                    let _ = tx.send(addr);
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(addr) => Served { child, addr },
            Err(_) => {
                let _ = child.kill();
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                panic!("serve did not start listening:\n{err}");
            }
        }
    }

    /// `GET path`: the status code and body.
    pub fn get(&self, path: &str) -> (u16, String) {
        let port = self
            .addr
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("the address names a port");
        crate::instances::http(port, "GET", path, None, "")
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve_fails(args: &[&str], db: &str) -> (String, Duration) {
    let (out, took) = run_within(
        statusdata().arg("serve").args(["--db", db]).args(args),
        Duration::from_secs(20),
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "serve should fail: {stderr}");
    (stderr, took)
}

#[test]
fn a_taken_port_ends_serve_at_once_naming_the_address() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let db = EmptyDb::new();
    let (stderr, took) = serve_fails(&["--bind", &addr], &db.url);
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(
        stderr.contains(&format!("无法监听 {addr}")) && stderr.contains("端口已被占用"),
        "{stderr}"
    );
}

#[test]
fn a_bare_port_number_is_refused_naming_it() {
    let db = EmptyDb::new();
    let (stderr, took) = serve_fails(&["--bind", "8080"], &db.url);
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(
        stderr.contains("监听地址“8080”无效") && stderr.contains("127.0.0.1:8080"),
        "{stderr}"
    );
}

#[test]
fn missing_definitions_end_serve_naming_the_folder() {
    let db = EmptyDb::new();
    let (stderr, _) = serve_fails(
        &["--bind", "127.0.0.1:0", "--defs", "no-such-defs"],
        &db.url,
    );
    assert!(
        stderr.contains("表定义 no-such-defs 有问题") && stderr.contains("服务未启动"),
        "{stderr}"
    );
}

#[test]
fn an_unreachable_database_ends_serve_within_seconds() {
    let dir = tempfile::tempdir().expect("tmp");
    let url = if on_postgres() {
        "postgres://postgres:secret@127.0.0.1:1/none".to_owned()
    } else {
        // A folder where the database file would have to be: SQLite cannot open it.
        format!("sqlite://{}", dir.path().display())
    };
    let (stderr, took) = serve_fails(&["--bind", "127.0.0.1:0"], &url);
    assert!(took < Duration::from_secs(8), "took {took:?}");
    assert!(stderr.contains("无法打开数据库"), "{stderr}");
    assert!(
        !stderr.contains("secret"),
        "the password is not shown: {stderr}"
    );
}
