//! Terminal injection: an actor that could act on a terminal is refused before
//! anything is opened, and every stored text (a note, a payload field, an actor written
//! by another program) prints with its escape sequences and bidi overrides visible,
//! in text and in JSON.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use regula_core::store::{Append, Store};
use regula_core::{Actor, AuditRecord, Outcome, Reason, Text};
use regula_store_sqlite::SqliteStore;

const ESC: char = '\u{1b}';
const RLO: char = '\u{202e}';

/// Asserts that nothing the terminal would act on reached it.
fn assert_inert(run: &Run) {
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !text.contains([ESC, RLO, '\u{7}', '\u{9b}', '\u{200b}']),
            "regula {}: raw control or bidi character on {name}: {text:?}",
            run.args
        );
    }
}

#[test]
fn an_actor_with_an_escape_sequence_is_refused_before_anything_is_opened() {
    let s = Scratch::imported("safe-actor");
    let before = s.fingerprint(CODE);
    for (actor, shown) in [
        ("\u{1b}[2J\u{1b}[Hli.lian@立案庭", "U+001B"),
        ("li.lian@立案\u{202e}庭", "U+202E"),
        ("li\u{200b}.lian@立案庭", "U+200B"),
        ("陈\u{9b}伟", "U+009B"),
    ] {
        let run = s
            .act(CODE, "start_drafting", actor, "2023-03-01", &[])
            .usage_error(shown);
        assert_inert(&run);
        let run = s
            .run(&["--lang", "en", "do", CODE, "start_drafting", "--as", actor])
            .usage_error(shown);
        assert!(run.stderr.contains("at character index"), "{}", run.stderr);
        assert_inert(&run);
        assert_eq!(s.fingerprint(CODE), before, "--as {actor:?} changed the store");
    }
    // In Chinese, the field is named in Chinese.
    let run = s
        .act(CODE, "start_drafting", "\u{1b}[2Jx@立案庭", "2023-03-01", &[])
        .usage_error("操作人标识");
    assert_inert(&run);
    let run = s
        .run(&["catalog", "import", "--as", "li.lian@立案庭\u{1b}[2J"])
        .usage_error("U+001B");
    assert_inert(&run);
    assert_eq!(s.fingerprint(CODE), before);
    s.verified();

    // Before anything is opened: on a store that does not exist, the actor is the
    // error, and no file appears.
    let empty = Scratch::new("safe-actor-none");
    empty
        .run(&["do", CODE, "start_drafting", "--as", "\u{1b}[2Jx@立案庭"])
        .usage_error("U+001B");
    assert!(!empty.store().exists());
}

/// A record written by another program (or before actors were checked): its actor,
/// role, reason and note carry escape sequences and a bidi override. It is a
/// well-formed refused record, so the log still verifies.
fn forge_refused_record(s: &Scratch) {
    let store = SqliteStore::open(s.store()).unwrap();
    let instance: uuid::Uuid = s.log(CODE)[0]["instance"].as_str().unwrap().parse().unwrap();
    let records = store.load(instance).unwrap();
    let last = records.last().unwrap();
    let mut forged = AuditRecord {
        seq: last.seq + 1,
        id: uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001),
        at: last.at + chrono::TimeDelta::minutes(1),
        actor: Actor::new("\u{1b}]0;pwned\u{7}\u{1b}[2Jmallory").in_unit("立案\u{202e}庭"),
        role: "department\u{1b}[8m".into(),
        from: last.state_after().into(),
        outcome: Outcome::Refused {
            reasons: vec![Reason::external(
                "forged",
                Text::new("伪造\u{1b}[2J", "forged\u{1b}[2J\u{202e}"),
            )],
        },
        note: Some("备注\u{9b}31m\u{202e}txt.exe".into()),
        prev_hash: last.hash,
        ..last.clone()
    };
    forged.hash = forged.compute_hash();
    store
        .append(Append {
            instance,
            expected_seq: last.seq,
            records: std::slice::from_ref(&forged),
            due_at: None,
        })
        .unwrap();
}

/// Another program appends a copy of the last (refused) record, accepted into `to`.
fn forge_accepted_copy_of_last(s: &Scratch, to: &str) {
    let store = SqliteStore::open(s.store()).unwrap();
    let instance: uuid::Uuid = s.log(CODE)[0]["instance"].as_str().unwrap().parse().unwrap();
    let records = store.load(instance).unwrap();
    let last = records.last().unwrap();
    let mut forged = AuditRecord {
        seq: last.seq + 1,
        id: uuid::Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0002),
        at: last.at + chrono::TimeDelta::minutes(1),
        outcome: Outcome::Accepted { to: to.into() },
        prev_hash: last.hash,
        ..last.clone()
    };
    forged.hash = forged.compute_hash();
    store
        .append(Append {
            instance,
            expected_seq: last.seq,
            records: std::slice::from_ref(&forged),
            due_at: None,
        })
        .unwrap();
}

#[test]
fn stored_escape_sequences_print_escaped_in_log_text_and_json() {
    let s = Scratch::imported("safe-log");
    let note = "清屏\u{1b}[2J\u{1b}[H 反转\u{202e}exe.txt";
    let summary = "调研\u{1b}[31m红字\u{7f}";
    let run = s.act(
        CODE,
        "start_drafting",
        DEPT,
        "2023-03-01",
        &["--note", note, &format!("summary={summary}")],
    );
    assert_inert(&run.ok());
    forge_refused_record(&s);

    for lang in ["zh", "en"] {
        // Piped (tab-separated) text.
        let log = s.run(&["--lang", lang, "log", CODE]).ok();
        assert_inert(&log);
        assert!(
            log.stdout.contains("清屏\\u{1b}[2J\\u{1b}[H 反转<U+202E>exe.txt"),
            "{}",
            log.stdout
        );
        assert!(
            log.stdout
                .contains("\\u{1b}]0;pwned\\u{7}\\u{1b}[2Jmallory@立案<U+202E>庭"),
            "{}",
            log.stdout
        );
        assert!(log.stdout.contains("department\\u{1b}[8m"), "{}", log.stdout);
        assert!(log.stdout.contains("备注\\u{9b}31m<U+202E>txt.exe"), "{}", log.stdout);
        assert!(log.stdout.contains("\\u{1b}[2J"), "{}", log.stdout);
    }

    // JSON: the same values, escaped by JSON (`\u001b`, `\u202e`), no raw byte.
    let json = s.run(&["--json", "log", CODE]).ok();
    assert_inert(&json);
    assert!(json.stdout.contains(r"\u202e"), "{}", json.stdout);
    assert!(json.stdout.contains(r"\u001b[2J"), "{}", json.stdout);
    assert!(json.stdout.contains(r"\u009b31m"), "{}", json.stdout);
    assert!(json.stdout.contains(r"\u007f"), "{}", json.stdout);
    let records = json.json();
    let records = records.as_array().unwrap();
    assert_eq!(records[1]["note"], note);
    assert_eq!(records[1]["payload"]["summary"], summary);
    assert_eq!(records[2]["actor"]["unit"], "立案\u{202e}庭");

    // The store still verifies, and the other read commands stay inert.
    s.verified();
    for args in [
        &["show", CODE][..],
        &["--json", "show", CODE],
        &["list"],
        &["report"],
        &["verify"],
    ] {
        assert_inert(&s.run(args).ok());
    }
}

#[test]
fn a_payload_shown_by_show_prints_escaped() {
    let s = Scratch::imported("safe-show");
    let draft = s.write("draft.json", &draft_json("减假暂案件审判标准（草案）"));
    let draft = draft.to_str().unwrap();
    s.act(CODE, "start_drafting", DEPT, "2023-03-01", &[]).ok();
    s.act(CODE, "open_consultation", DEPT, "2023-03-21", &["--json-file", draft])
        .ok();
    for (at, fields) in [
        (
            "2023-03-22",
            &[
                "opinion.author=刑事审判庭 张法官",
                "opinion.source=frontline",
                "opinion.content=建议\u{1b}[2J明确公示期限\u{202e}",
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
                "response.reason=已统一规定",
            ],
        ),
    ] {
        let action = if fields[0].starts_with("opinion.") {
            "record_opinion"
        } else {
            "respond_to_opinion"
        };
        s.act(CODE, action, DEPT, at, fields).ok();
    }
    s.act(CODE, "close_consultation", DEPT, "2023-04-21", &[]).ok();
    s.act(
        CODE,
        "approve",
        "陈伟",
        "2023-04-28",
        &[
            "meeting.date=2023-04-28",
            r#"meeting.present=["陈伟","厉彦杰","马振生","张丽杰"]"#,
            "meeting.decision=审议通过",
        ],
    )
    .ok();
    // The court's rules refuse such a document number: the attempt is refused (and
    // its reason printed escaped), and recorded.
    let number = "红林法〔2023〕15号\u{1b}[2J\u{202e}";
    let refused = s
        .act(
            CODE,
            "publish",
            OFFICE,
            "2023-04-30",
            &[&format!("document_number={number}"), "date=2023-04-30"],
        )
        .refused();
    assert_inert(&refused);
    assert!(refused.stderr.contains("15号\\u{1b}[2J<U+202E>"), "{}", refused.stderr);
    // Another program appends it as accepted: what `show` reads from the log.
    forge_accepted_copy_of_last(&s, "published");

    let show = s.run(&["show", CODE]).ok();
    assert_inert(&show);
    assert!(
        show.stdout.contains("红林法〔2023〕15号\\u{1b}[2J<U+202E>"),
        "{}",
        show.stdout
    );
    let json = s.run(&["--json", "show", CODE]).ok();
    assert_inert(&json);
    assert!(json.stdout.contains(r"\u001b[2J\u202e"), "{}", json.stdout);
    assert_eq!(json.json()["version_in_force"]["document_number"], number);

    // The opinion's content, in the log.
    let log = s.run(&["log", CODE]).ok();
    assert_inert(&log);
    let log = s.run(&["--json", "log", CODE]).ok();
    assert_inert(&log);
    assert!(
        log.stdout.contains(r"建议\u001b[2J明确公示期限\u202e"),
        "{}",
        log.stdout
    );
}
