//! `regula token …`: bearer tokens issued, listed and revoked in the store's access
//! log, the secret printed once, and the rules (who issues, for whom, which scope) the
//! library's.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{COURT, DEPT, OFFICE, Scratch};

#[test]
fn a_token_is_issued_listed_and_revoked() {
    let s = Scratch::imported("token-cycle");
    let issued = s
        .run(&[
            "--json",
            "token",
            "issue",
            "--as",
            OFFICE,
            "--for",
            DEPT,
            "--label",
            "立案庭工作站",
        ])
        .ok()
        .json();
    let id = issued["id"].as_str().unwrap().to_owned();
    let secret = issued["secret"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 16);
    assert!(secret.starts_with(&format!("rgl_{id}_")), "{secret}");
    assert_eq!(secret.len(), 4 + 16 + 1 + 43);
    assert_eq!(issued["scope"], "act");
    assert_eq!(issued["actor"]["unit"], "立案庭");

    // Text: the secret on its own line, the warning on stderr.
    let text = s
        .run(&[
            "--lang", "en", "token", "issue", "--as", "陈伟", "--for", "陈伟", "--admin",
        ])
        .ok();
    let second = text.stdout.lines().nth(1).unwrap().to_owned();
    assert!(second.starts_with("rgl_"), "{}", text.stdout);
    assert!(text.stderr.contains("not shown again"), "{}", text.stderr);

    // The list names both, without a hash or a secret.
    let listed = s.run(&["--json", "token", "list"]).ok();
    assert!(!listed.stdout.contains(&secret[21..]));
    assert!(!listed.stdout.contains("hash"));
    let rows = listed.json();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["id"], id.as_str());
    assert_eq!(rows[0]["label"], "立案庭工作站");
    assert_eq!(rows[1]["scope"], "admin");
    assert!(rows[0].get("revoked_at").is_none());
    let table = s.run(&["token", "list"]).ok();
    assert!(
        table.stdout.contains(&id) && table.stdout.contains("立案庭工作站"),
        "{}",
        table.stdout
    );
    assert!(!table.stdout.contains(&secret[21..]));

    s.run(&["token", "revoke", &id, "--as", "陈伟", "--reason", "工作站停用"])
        .ok();
    let rows = s.run(&["--json", "token", "list"]).ok().json();
    assert_eq!(rows[0]["revoked_by"]["id"], "chen.wei");
    assert_eq!(rows[0]["revoke_reason"], "工作站停用");
    assert!(rows[1].get("revoked_at").is_none());
    // Revoked once.
    let again = s
        .run(&["--lang", "en", "token", "revoke", &id, "--as", OFFICE])
        .refused();
    assert!(again.stderr.contains("already revoked"), "{}", again.stderr);
    s.verified();
}

#[test]
fn refusals_exit_1_and_bad_input_exits_2() {
    let s = Scratch::imported("token-refusals");
    // A department's clerk issues nothing (no log is opened in their name).
    let r = s
        .run(&["--lang", "en", "token", "issue", "--as", DEPT, "--for", DEPT])
        .refused();
    assert!(r.stderr.contains("refused"), "{}", r.stderr);
    assert_eq!(s.run(&["--json", "token", "list"]).ok().json(), serde_json::json!([]));
    // An administering token for the intermediate court is refused, and recorded.
    let r = s
        .run(&["--json", "token", "issue", "--as", OFFICE, "--for", COURT, "--admin"])
        .refused()
        .json();
    assert_eq!(r["outcome"]["reasons"][0]["guard"], "admin_scope_allowed", "{r}");
    // An unknown unit, an actor that is no member, a malformed time: usage errors.
    s.run(&["token", "issue", "--as", OFFICE, "--for", "x@不存在"])
        .usage_error("unknown unit");
    s.run(&["token", "issue", "--as", OFFICE, "--for", "nobody"])
        .usage_error("not a member of the leading group");
    s.run(&["token", "issue", "--as", OFFICE, "--for", DEPT, "--at", "yesterday"])
        .usage_error("invalid time");
    // An unknown id is a refusal of the log, exit 1.
    s.run(&["token", "issue", "--as", OFFICE, "--for", DEPT]).ok();
    let r = s
        .run(&["--lang", "en", "token", "revoke", "0123456789abcdef", "--as", OFFICE])
        .refused();
    assert!(r.stderr.contains("no token 0123456789abcdef"), "{}", r.stderr);
    s.verified();
}

#[test]
fn a_store_without_rules_issues_no_token() {
    let s = Scratch::new("token-no-rules");
    s.run(&["init"]).ok();
    s.run(&["token", "issue", "--as", OFFICE, "--for", DEPT])
        .usage_error("rules");
    assert_eq!(s.run(&["--json", "token", "list"]).ok().json(), serde_json::json!([]));
}
