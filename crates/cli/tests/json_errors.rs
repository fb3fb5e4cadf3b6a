//! Errors under `--json`: one object on one line of stderr, `{"format": 1, "error":
//! {"code", "zh", "en", "details"}}`, both languages whatever `--lang` says, and the
//! exit codes of the text output (1 refused, 2 input or store).

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::Value;

/// The error object of a failed `--json` run: the whole of stderr, one line.
fn error_of(run: &Run) -> Value {
    let line = run.stderr.trim_end();
    assert!(!line.contains('\n'), "one line on stderr:\n{}", run.stderr);
    let doc: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.stderr));
    assert_eq!(doc["format"], 1, "{doc}");
    let error = &doc["error"];
    for lang in ["zh", "en"] {
        assert!(!error[lang].as_str().unwrap().is_empty(), "{lang} missing: {doc}");
    }
    assert!(error["details"].is_object(), "{doc}");
    error.clone()
}

/// True when `text` holds a CJK character.
fn has_chinese(text: &Value) -> bool {
    text.as_str()
        .unwrap()
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn unknown_standard_is_a_json_error_in_both_languages() {
    let s = Scratch::imported("jsonerr-unknown");
    for lang in ["zh", "en"] {
        let r = s.run(&["--json", "--lang", lang, "show", "XXX-99-99"]).code(2);
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        let e = error_of(&r);
        assert_eq!(e["code"], "unknown-standard");
        assert_eq!(e["details"]["code"], "XXX-99-99");
        assert!(has_chinese(&e["zh"]), "{e}");
        assert_eq!(e["en"], "no standard XXX-99-99 in the catalog");
    }
    // Without --json: the text line of before.
    let r = s.run(&["--lang", "en", "show", "XXX-99-99"]).code(2);
    assert!(
        r.stderr.starts_with("regula: error: no standard XXX-99-99"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_payload_field_is_a_json_error_naming_the_action() {
    let s = Scratch::imported("jsonerr-payload");
    s.act(CODE, "start_drafting", DEPT, "2023-03-01", &[]).ok();
    let r = s
        .run(&[
            "--json",
            "do",
            CODE,
            "open_consultation",
            "--as",
            DEPT,
            "--at",
            "2023-03-02",
            "color=blue",
        ])
        .code(2);
    let e = error_of(&r);
    assert_eq!(e["code"], "bad-payload");
    assert!(e["en"].as_str().unwrap().contains("color"), "{e}");
    assert!(
        e["zh"].as_str().unwrap().contains("color") && has_chinese(&e["zh"]),
        "{e}"
    );
    // Nothing was written: the log holds the two records of before.
    assert_eq!(s.log(CODE).len(), 2);
}

#[test]
fn refused_action_keeps_exit_1_and_says_so_in_json() {
    let s = Scratch::imported("jsonerr-refused");
    s.act(CODE, "start_drafting", DEPT, "2023-03-01", &[]).ok();
    let r = s
        .run(&[
            "--json",
            "do",
            CODE,
            "open_consultation",
            "--as",
            DEPT,
            "--at",
            "2023-03-02",
            "draft.text=x",
        ])
        .refused();
    // The recorded attempt on stdout, the error on stderr.
    // An audit record keeps its own `format` (the record's, which its hash covers).
    let record: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(r.stdout.matches("\"format\"").count(), 1, "{}", r.stdout);
    assert_eq!(record["outcome"]["kind"], "refused", "{record}");
    let e = error_of(&r);
    assert_eq!(e["code"], "refused");
    assert!(has_chinese(&e["zh"]), "{e}");
}

#[test]
fn missing_store_is_a_json_error_naming_the_store() {
    let s = Scratch::new("jsonerr-nostore");
    let r = run_in(s.path(), &["--json", "--store", "absent.db", "list"]).code(2);
    let e = error_of(&r);
    assert_eq!(e["code"], "no-store");
    assert_eq!(e["details"]["store"], "absent.db");
    assert!(has_chinese(&e["zh"]), "{e}");
    assert!(e["en"].as_str().unwrap().starts_with("no store at absent.db"), "{e}");
    assert!(!s.file("absent.db").exists(), "nothing created");
}

#[test]
fn an_untranslated_input_error_still_gives_both_fields() {
    let s = Scratch::imported("jsonerr-usage");
    let r = s.run(&["--json", "list", "--late", "yesterday"]).code(2);
    let e = error_of(&r);
    assert_eq!(e["code"], "usage");
    assert!(e["en"].as_str().unwrap().contains("yesterday"), "{e}");
}

#[test]
fn a_usage_error_the_command_line_raises_itself_is_in_both_languages() {
    let s = Scratch::imported("jsonerr-own-usage");
    for lang in ["zh", "en"] {
        let r = s
            .run(&["--lang", lang, "--json", "schema", "publish", "--store", "x.db"])
            .code(2);
        let e = error_of(&r);
        assert_eq!(e["code"], "usage", "{lang}: {e}");
        assert!(
            e["zh"]
                .as_str()
                .unwrap()
                .contains("--store 不是 `regula schema` 的选项：该命令不打开存储库"),
            "{lang}: {e}"
        );
        assert!(
            e["en"]
                .as_str()
                .unwrap()
                .contains("--store is not an option of `regula schema`, which opens no store"),
            "{lang}: {e}"
        );
    }
    assert!(!s.file("x.db").exists(), "nothing created");
}
