//! `regula serve` as a process: started from the command line with tokens issued by
//! `regula token`, stopped by SIGTERM under load (requests in flight finish) and killed
//! by SIGKILL under load (every acknowledged record is there after a restart); and the
//! README's section "Running Regula as a service", run as written.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};

/// `regula token issue --as OFFICE --for ACTOR`, its secret.
fn token(s: &Scratch, actor: &str) -> String {
    let issued = s
        .run(&["--json", "token", "issue", "--as", OFFICE, "--for", actor])
        .ok()
        .json();
    issued["secret"].as_str().unwrap().to_owned()
}

/// A store with ADJ-01-08 in consultation, and a token of its department.
fn in_consultation(tag: &str) -> (Scratch, String) {
    let s = Scratch::imported(tag);
    s.act(CODE, "start_drafting", DEPT, "2023-03-06", &[]).ok();
    let draft = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/payloads/draft.json");
    s.run(&[
        "do",
        CODE,
        "open_consultation",
        "--as",
        DEPT,
        "--at",
        "2023-03-20",
        "--json-file",
        draft.to_str().unwrap(),
    ])
    .ok();
    let token = token(&s, DEPT);
    (s, token)
}

/// Posts opinions from `clients` threads until `stop`; counts the acknowledged (201)
/// and the failed (connection closed) requests.
fn load(base: &str, token: &str, clients: usize, stop: &AtomicBool, acknowledged: &AtomicU64, failed: &AtomicU64) {
    std::thread::scope(|scope| {
        for i in 0..clients {
            scope.spawn(move || {
                let agent = agent();
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) && n < 10_000 {
                    n += 1;
                    let body = json!({"action": "record_opinion", "payload": {"opinion":
                        {"source": "frontline", "author": format!("法官{i}"), "content": format!("意见{i}-{n}")}}});
                    let r = agent
                        .post(format!("{base}/v1/standards/{CODE}/records"))
                        .header("Authorization", format!("Bearer {token}"))
                        .header("Content-Type", "application/json")
                        .send(body.to_string());
                    match http_status(&r) {
                        201 => {
                            acknowledged.fetch_add(1, Ordering::SeqCst);
                        }
                        0 => {
                            failed.fetch_add(1, Ordering::SeqCst);
                            // The server is gone: stop this client.
                            return;
                        }
                        other => panic!("status {other}: {r:?}"),
                    }
                }
            });
        }
    });
}

fn opinions(s: &Scratch) -> u64 {
    s.log(CODE).iter().filter(|r| r["action"] == "record_opinion").count() as u64
}

/// Waits until `count` reaches `n` (never for a guessed time).
fn wait_for(count: &AtomicU64, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while count.load(Ordering::SeqCst) < n {
        assert!(
            Instant::now() < deadline,
            "only {} of {n}",
            count.load(Ordering::SeqCst)
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn sigterm_under_load_finishes_the_requests_in_flight_and_exits_cleanly() {
    let (s, token) = in_consultation("serve-term");
    let mut served = Served::start(&s, &["--store", s.store().to_str().unwrap()]);
    let (stop, acknowledged, failed) = (AtomicBool::new(false), AtomicU64::new(0), AtomicU64::new(0));
    std::thread::scope(|scope| {
        scope.spawn(|| load(&served.base, &token, 8, &stop, &acknowledged, &failed));
        wait_for(&acknowledged, 50);
        served.signal("-TERM");
        let status = served.child.wait().unwrap();
        assert!(status.success(), "exit status after SIGTERM: {status:?}");
        stop.store(true, Ordering::SeqCst);
    });
    // Every request the server took was answered; none was written unanswered.
    assert_eq!(opinions(&s), acknowledged.load(Ordering::SeqCst));
    s.verified();
}

#[test]
fn sigkill_under_load_loses_no_acknowledged_record() {
    let (s, token) = in_consultation("serve-kill");
    let mut served = Served::start(&s, &["--store", s.store().to_str().unwrap()]);
    let (stop, acknowledged, failed) = (AtomicBool::new(false), AtomicU64::new(0), AtomicU64::new(0));
    std::thread::scope(|scope| {
        scope.spawn(|| load(&served.base, &token, 8, &stop, &acknowledged, &failed));
        wait_for(&acknowledged, 50);
        served.signal("-KILL");
        let _ = served.child.wait().unwrap();
        stop.store(true, Ordering::SeqCst);
    });
    let written = opinions(&s);
    let (acked, lost) = (acknowledged.load(Ordering::SeqCst), failed.load(Ordering::SeqCst));
    // Acknowledged means durable; a request cut off may or may not have been written.
    assert!(
        written >= acked && written <= acked + lost,
        "written {written}, acknowledged {acked}, cut off {lost}"
    );
    s.verified();
    // The store serves again after the kill, and takes writes.
    let again = Served::start(&s, &["--store", s.store().to_str().unwrap()]);
    let r = agent()
        .post(format!("{}/v1/standards/{CODE}/records", again.base))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(json!({"action": "record_opinion", "payload": {"opinion": {"source": "frontline", "author": "a", "content": "b"}}}).to_string());
    assert_eq!(http_status(&r), 201);
    drop(again);
    s.verified();
}

#[test]
fn serve_needs_an_existing_store() {
    let s = Scratch::new("serve-missing");
    let r = s.run(&["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("regula init"), "{}", r.stderr);
    assert!(!s.store().exists());
}

/// The README's section "Running Regula as a service": its shell block, run with bash
/// and curl, `regula` on the PATH, on a free port instead of 8080.
#[test]
fn the_readme_service_section_runs_as_written() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).unwrap();
    let (begin, end) = ("<!-- readme-serve:begin -->", "<!-- readme-serve:end -->");
    let start = readme.find(begin).expect("README.md has no readme-serve block") + begin.len();
    let stop = readme[start..].find(end).expect("no end marker") + start;
    let block = &readme[start..stop];
    let script: String = block
        .lines()
        .filter(|l| !l.starts_with("```"))
        .collect::<Vec<_>>()
        .join("\n");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script = script.replace("8080", &port.to_string());
    let s = Scratch::new("readme-serve");
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let output = Command::new("bash")
        .args([
            "-euo",
            "pipefail",
            "-c",
            &format!("{script}\nkill %1 2>/dev/null; wait"),
        ])
        .current_dir(s.path())
        .env("PATH", path)
        .env_remove("REGULA_STORE")
        .env_remove("REGULA_PG")
        // The locale picks the language when nothing else does: none here.
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the README block failed:\n{stdout}\n{stderr}");
    // What the block shows: the standard, the accepted action, the refused one, the
    // retried one answered from its key.
    let values: Vec<Value> = stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert!(values.iter().any(|v| v["code"] == CODE), "{stdout}");
    assert!(values.iter().any(|v| v["action"] == "start_drafting"), "{stdout}");
    assert!(values.iter().any(|v| v["type"] == "/problems/unauthorized"), "{stdout}");
    s.verified();
}
