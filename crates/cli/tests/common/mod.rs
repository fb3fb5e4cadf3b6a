//! Helpers shared by the end-to-end tests: a scratch directory per test, the real
//! `regula` binary run in it, and what it printed.

#![allow(dead_code)]
// Test helpers: a failure here is a failed test.
#![allow(clippy::unwrap_used)]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_regula");

/// The standard every scenario drives: 减假暂案件审判标准, of 立案庭.
pub const CODE: &str = "ADJ-01-08";
/// Someone of its department.
pub const DEPT: &str = "li.lian@立案庭";
/// Someone of the office.
pub const OFFICE: &str = "wang.bangong@综合办公室";
/// Someone of the intermediate court.
pub const COURT: &str = "sun.zhongyuan@长春林区中级法院";

/// A directory under Cargo's target tmp dir, removed when dropped (kept when
/// `REGULA_KEEP_TEST_FILES` is set). Commands run in it, on `regula.db` in it.
pub struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    pub fn new(tag: &str) -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "regula-cli-{tag}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch { dir }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// A file in the directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Writes a file in the directory and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.file(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The store every command uses.
    pub fn store(&self) -> PathBuf {
        self.file("regula.db")
    }

    /// Runs `regula --store STORE ARGS…` in the directory.
    pub fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Run {
        let store = self.store();
        let mut all: Vec<&OsStr> = vec![OsStr::new("--store"), store.as_os_str()];
        all.extend(args.iter().map(AsRef::as_ref));
        run_in(&self.dir, &all)
    }

    /// A fresh store with the built-in catalog imported on the plan's date.
    pub fn imported(tag: &str) -> Self {
        let s = Scratch::new(tag);
        s.run(&["init"]).ok();
        s.run(&["catalog", "import", "--at", "2022-05-16"]).ok();
        s
    }

    /// `regula do CODE ACTION --as ACTOR --at AT FIELDS…`.
    pub fn act(&self, code: &str, action: &str, actor: &str, at: &str, fields: &[&str]) -> Run {
        let mut args = vec!["do", code, action, "--as", actor, "--at", at];
        args.extend_from_slice(fields);
        self.run(&args)
    }

    /// `log --json CODE`, parsed.
    pub fn log(&self, code: &str) -> Vec<Value> {
        match self.run(&["--json", "log", code]).ok().json() {
            Value::Array(records) => records,
            other => panic!("log --json is not an array: {other}"),
        }
    }

    /// What a failed command must leave as it was: the standard's log (as JSON text,
    /// or the error when it has none) and the whole store's tree size and root.
    pub fn fingerprint(&self, code: &str) -> Fingerprint {
        let log = self.run(&["--json", "log", code]);
        let checkpoint = self.run(&["--json", "checkpoint"]).ok().json();
        Fingerprint {
            log: format!("{}{}{}", log.code, log.stdout, log.stderr),
            size: checkpoint["size"].as_u64().unwrap(),
            root: checkpoint["root"].as_str().unwrap().to_owned(),
        }
    }

    /// Asserts `verify` passes and returns its JSON.
    pub fn verified(&self) -> Value {
        let v = self.run(&["--json", "verify"]).ok().json();
        assert_eq!(v["ok"], true, "{v}");
        v
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::env::var_os("REGULA_KEEP_TEST_FILES").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The store's state that an error must not change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    pub log: String,
    pub size: u64,
    pub root: String,
}

/// Runs the binary in `dir` with exactly `args` (no store added), stdin closed, the
/// store's, language's and actor's environment variables cleared, and no user
/// configuration file (`XDG_CONFIG_HOME` is `dir`, where a test puts one on purpose).
pub fn run_in<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> Run {
    let output = Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .env_remove("REGULA_STORE")
        .env_remove("REGULA_PG")
        // The locale picks the language when nothing else does: none here.
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env_remove("REGULA_LANG")
        .env_remove("REGULA_ACTOR")
        .env("XDG_CONFIG_HOME", dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let shown: Vec<String> = args.iter().map(|a| a.as_ref().to_string_lossy().into_owned()).collect();
    Run {
        again: Some((dir.to_owned(), args.iter().map(|a| a.as_ref().to_owned()).collect())),
        args: shown.join(" "),
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// What one run printed, and how it ended.
#[derive(Debug)]
pub struct Run {
    /// Where and with which arguments it ran, to run it again in English
    /// ([`Run::usage_error`]); `None` for a run with an environment of its own.
    pub again: Option<(PathBuf, Vec<std::ffi::OsString>)>,
    pub args: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts exit code `code`.
    pub fn code(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "regula {}: exit {} (expected {code})\n--- stdout\n{}--- stderr\n{}",
            self.args, self.code, self.stdout, self.stderr
        );
        self
    }

    /// Asserts success.
    pub fn ok(self) -> Self {
        self.code(0)
    }

    /// Asserts a refusal: exit 1.
    pub fn refused(self) -> Self {
        self.code(1)
    }

    /// Asserts a usage, input or store error (exit 2) whose message contains `fragment`,
    /// printed on stderr as one `regula: …` line, with nothing on stdout. A fragment
    /// the (Chinese) message lacks is looked for in the same command run again
    /// with `--lang en`, which a usage error makes safe (it wrote nothing); the Chinese
    /// message must then be in Chinese: every message is in both languages.
    pub fn usage_error(self, fragment: &str) -> Self {
        let run = self.code(2);
        assert!(
            run.stderr.starts_with("regula: "),
            "regula {}: not a `regula:` message:\n{}",
            run.args,
            run.stderr
        );
        assert!(run.stdout.is_empty(), "regula {}: stdout:\n{}", run.args, run.stdout);
        if run.stderr.contains(fragment) {
            return run;
        }
        let Some((dir, args)) = &run.again else {
            panic!("regula {}: stderr lacks {fragment:?}:\n{}", run.args, run.stderr);
        };
        let message = run.stderr.trim_start_matches("regula: 错误: ");
        assert!(
            message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "regula {}: not in Chinese:\n{}",
            run.args,
            run.stderr
        );
        let mut in_english: Vec<std::ffi::OsString> = args.clone();
        match in_english.iter().position(|a| a == "--lang") {
            Some(at) => in_english[at + 1] = "en".into(),
            None => in_english.splice(0..0, ["--lang".into(), "en".into()]).for_each(drop),
        }
        let en = run_in(dir, &in_english).code(2);
        assert!(
            en.stderr.contains(fragment),
            "regula {}: stderr lacks {fragment:?} in English too:\n{}\n{}",
            run.args,
            run.stderr,
            en.stderr
        );
        run
    }

    /// Standard output, parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("regula {}: stdout is not JSON ({e}):\n{}", self.args, self.stdout))
    }

    /// Standard output's lines, split at tabs.
    pub fn rows(&self) -> Vec<Vec<&str>> {
        self.stdout.lines().map(|l| l.split('\t').collect()).collect()
    }
}

/// A complete draft: procedural and quality requirements, two measurable criteria,
/// its sources and the statement that it is not a copy of statutes.
pub fn draft_json(text: &str) -> String {
    serde_json::json!({"draft": {
        "text": text,
        "procedural": ["收到材料后 3 个工作日内立案并公示"],
        "quality": ["裁定书说理充分、事实清楚"],
        "criteria": [
            {"name": "审限内结案率", "measure": "审限内结案数 / 结案数", "target": "≥ 98%"},
            {"name": "公示率", "measure": "依法公示案件数 / 应公示案件数", "target": "100%"}
        ],
        "sources": [{"kind": "management_year_rule", "title": "加强管理年以来出台的减刑假释案件办理规定"}],
        "not_a_copy_of_statute": true
    }})
    .to_string()
}

/// The other standard of 立案庭.
pub const OTHER: &str = "ADJ-01-09";

/// Drives `code` of 立案庭 to approval: ready to publish.
pub fn to_approval(run: &dyn Fn(&[&str]) -> Run, code: &str, draft: &str) {
    let act = |action: &str, actor: &str, at: &str, fields: &[&str]| {
        let mut args = vec!["do", code, action, "--as", actor, "--at", at];
        args.extend_from_slice(fields);
        run(&args).ok();
    };
    act("start_drafting", DEPT, "2023-03-01", &["summary=调研"]);
    act("open_consultation", DEPT, "2023-03-21", &["--json-file", draft]);
    for (at, fields) in [
        (
            "2023-03-22",
            &[
                "opinion.author=刑事审判庭 张法官",
                "opinion.source=frontline",
                "opinion.content=建议明确公示期限",
            ][..],
        ),
        ("2023-03-23", &["opinion=1", "response.decision=adopted"]),
        (
            "2023-03-24",
            &[
                "opinion.author=综合办公室 刘科员",
                "opinion.source=administrative",
                "opinion.content=建议统一统计口径",
            ],
        ),
        (
            "2023-03-25",
            &[
                "opinion=2",
                "response.decision=not_adopted",
                "response.reason=已由审判管理办公室统一规定",
            ],
        ),
    ] {
        let action = if fields[0].starts_with("opinion.") {
            "record_opinion"
        } else {
            "respond_to_opinion"
        };
        act(action, DEPT, at, fields);
    }
    act("close_consultation", DEPT, "2023-04-21", &[]);
    act(
        "approve",
        "陈伟",
        "2023-04-28",
        &[
            "meeting.date=2023-04-28",
            r#"meeting.present=["陈伟","厉彦杰","马振生","张丽杰"]"#,
            "meeting.decision=审议通过",
        ],
    );
}

/// Publishes `codes` with the same `fields` in two processes of the real binary
/// started at the same moment on the store `store_args` names: each waits for the
/// file `go` in `dir` (busy-waiting in the shell, so both start within microseconds
/// of its creation). Returns the exit codes and what each printed.
pub fn race_publish(
    dir: &Path,
    store_args: &[&str],
    codes: [&str; 2],
    fields: [&[&str]; 2],
) -> (Vec<i32>, Vec<String>) {
    let go = dir.join("go");
    let _ = std::fs::remove_file(&go);
    let children: Vec<_> = codes
        .iter()
        .zip(fields)
        .map(|(code, fields)| {
            Command::new("sh")
                .current_dir(dir)
                .arg("-c")
                .arg(r#"while [ ! -e "$1" ]; do :; done; shift; exec "$@""#)
                .arg("sh")
                .arg(&go)
                .arg(BIN)
                .args(store_args)
                .args(["do", code, "publish", "--as", OFFICE, "--at", "2023-04-30"])
                .args(fields)
                .env_remove("REGULA_STORE")
                .env_remove("REGULA_PG")
                // The locale picks the language when nothing else does: none here.
                .env_remove("LC_ALL")
                .env_remove("LC_MESSAGES")
                .env_remove("LANG")
                .env_remove("REGULA_LANG")
                .env_remove("REGULA_ACTOR")
                .env("XDG_CONFIG_HOME", dir)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    std::fs::write(&go, "").unwrap();
    let outputs: Vec<_> = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
    let codes = outputs.iter().map(|o| o.status.code().unwrap_or(-1)).collect();
    let shown = outputs
        .iter()
        .map(|o| {
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )
        })
        .collect();
    (codes, shown)
}

/// A `regula serve` process on a free loopback port.
pub struct Served {
    pub child: Child,
    pub base: String,
}

impl Served {
    /// `regula STORE_ARGS… serve --listen 127.0.0.1:0` in `s`'s directory.
    pub fn start(s: &Scratch, store: &[&str]) -> Self {
        Self::start_with(s, store, &[])
    }

    /// `regula STORE_ARGS… serve --listen 127.0.0.1:0 SERVE_ARGS…` in `s`'s directory.
    pub fn start_with(s: &Scratch, store: &[&str], serve: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .current_dir(s.path())
            .args(store)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(serve)
            .env_remove("REGULA_STORE")
            .env_remove("REGULA_PG")
            // The locale picks the language when nothing else does: none here.
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The first line on stderr names the address it listens on.
        let mut line = String::new();
        BufReader::new(child.stderr.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        let served = Served { child, base };
        let deadline = Instant::now() + Duration::from_secs(30);
        while http_status(&agent().get(format!("{}/healthz", served.base)).call()) != 200 {
            assert!(Instant::now() < deadline, "never healthy");
            std::thread::sleep(Duration::from_millis(20));
        }
        served
    }

    pub fn signal(&self, signal: &str) {
        let ok = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {signal}");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build(),
    )
}

pub fn http_status(r: &Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> u16 {
    r.as_ref().map_or(0, |r| r.status().as_u16())
}

/// The words of a shell line up to its comment, redirection or pipe, as the README's
/// and the help's examples are written: blanks separate them, single or double quotes
/// keep them together.
pub fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let (mut quote, mut in_word) = (None, false);
    for c in line.chars() {
        match (c, quote) {
            ('\'' | '"', None) => {
                quote = Some(c);
                in_word = true;
            }
            (c, Some(q)) if c == q => quote = None,
            ('#' | '>' | '|', None) => break,
            (c, None) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (c, _) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    assert!(quote.is_none(), "unbalanced quote: {line}");
    if in_word {
        words.push(word);
    }
    words
}

/// Runs `regula ARGS…` (no store added) in `dir` with `env` set, the user's
/// configuration directory being `config_home`, and every other variable the CLI
/// reads cleared.
pub fn run_env_in(dir: &Path, config_home: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut command = Command::new(BIN);
    command
        .current_dir(dir)
        .args(args)
        .env("XDG_CONFIG_HOME", config_home)
        .stdin(Stdio::null());
    for var in [
        "REGULA_STORE",
        "REGULA_PG",
        "REGULA_LANG",
        "REGULA_ACTOR",
        "NO_COLOR",
        "LC_ALL",
        "LC_MESSAGES",
        "LANG",
    ] {
        command.env_remove(var);
    }
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command.output().unwrap();
    Run {
        again: None,
        args: args.join(" "),
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}
