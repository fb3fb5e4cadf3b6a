//! Every command's `--json` output validates against its committed schema
//! (`crates/cli/schemas/<name>.json`, written from the printed types by the
//! `schemas` unit test), on a store built by the README's tour and proof
//! walk-through.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the README's tour and proof walk-through in `court`, each line with the exit
/// code its comment announces.
fn build_tour_store(court: &Scratch) {
    for dir in ["examples", "examples/payloads"] {
        let to = court.path().join(dir);
        std::fs::create_dir_all(&to).unwrap();
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
            }
        }
    }
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for name in ["readme-tour", "readme-proof"] {
        let begin = readme.find(&format!("<!-- {name}:begin -->")).unwrap();
        let end = readme[begin..].find(&format!("<!-- {name}:end -->")).unwrap() + begin;
        for line in readme[begin..end].lines().map(str::trim) {
            if !line.starts_with("regula ") {
                continue;
            }
            let exit = match line.find(" #") {
                Some(at) if line[at..].contains("exit 1") => 1,
                _ => 0,
            };
            run_in(court.path(), &words(line)[1..]).code(exit);
        }
    }
}

/// The committed schema `name`, compiled.
fn schema(name: &str) -> (Value, jsonschema::Validator) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("schemas/{name}.json"));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{name}: not a valid schema: {e}"));
    (schema, validator)
}

/// Asserts `value` (what `what` printed) is valid against schema `name`, and that a
/// top-level object has no member the schema does not name (the flattened
/// documents allow others otherwise).
fn assert_valid(name: &str, value: &Value, what: &str) {
    let (schema, validator) = schema(name);
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what} against schemas/{name}.json: {errors:?}");
    if let (Some(members), Some(properties)) = (value.as_object(), schema["properties"].as_object()) {
        for key in members.keys() {
            assert!(
                properties.contains_key(key),
                "{what}: member {key:?} is not in schemas/{name}.json"
            );
        }
    }
}

#[test]
fn every_command_s_json_output_validates_against_its_schema() {
    let court = Scratch::new("json-schemas");
    build_tour_store(&court);
    let run = |args: &[&str]| run_in(court.path(), args);
    let ok = |name: &str, args: &[&str]| {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let r = run(&all).ok();
        let value = r.json();
        assert_valid(name, &value, &all.join(" "));
        value
    };

    let init = ok("init", &["init"]);
    assert_eq!(init["format"], 1);
    assert_eq!(
        ok("catalog-import", &["catalog", "import"])["opened"],
        serde_json::json!([])
    );
    assert_eq!(ok("catalog-show", &["catalog", "show"]).as_array().unwrap().len(), 117);
    assert_eq!(ok("list", &["list"]).as_array().unwrap().len(), 117);
    let drafting = ok("list", &["list", "--state", "drafting", "--lang", "en"]);
    assert!(drafting.as_array().unwrap().is_empty() || drafting[0]["state"] == "drafting");
    ok("show", &["show", "ADJ-01-08"]);
    let then = ok("show", &["show", "ADJ-01-01", "--at", "2023-04-01"]);
    assert!(then["as_of"].is_string(), "{then}");
    let published = ok("show", &["show", "ADJ-01-01"]);
    assert!(published["version_in_force"].is_object(), "{published}");
    assert_eq!(ok("records", &["log", "ADJ-01-01"]).as_array().unwrap().len(), 12);
    ok("records", &["rules", "log"]);
    let report = ok("report", &["report", "--as-of", "2023-12-31"]);
    assert_eq!(report["format"], 1);
    ok("verify", &["verify"]);
    let against = ok(
        "verify",
        &["verify", "--checkpoint", "checkpoint-2025-06.txt", "--key", "court.pub"],
    );
    assert!(against["checkpoint"]["signed_by"].is_string(), "{against}");
    ok("checkpoint", &["checkpoint"]);
    let proof = ok(
        "verify-proof",
        &["verify-proof", "adj-01-01-12.json", "--key", "court.pub"],
    );
    assert_eq!(proof["seq"], 12);
    ok("report", &["report", "--year", "2023"]);
    ok("hearings", &["court", "hearings"]);
    let issued = ok("token-issue", &["token", "issue", "--as", "陈伟", "--for", DEPT]);
    assert!(issued["secret"].is_string(), "{issued}");
    let tokens = ok("token-list", &["token", "list"]);
    assert_eq!(tokens.as_array().unwrap().len(), 1);
    let id = tokens[0]["id"].as_str().unwrap();
    ok("record", &["token", "revoke", id, "--as", "陈伟"]);
    ok("records", &["migrate", "--as", "陈伟"]);
    assert!(ok("man", &["man", "--out", "man"])["pages"].as_u64().unwrap() > 10);

    // What may be done, and what a dry run would decide (accepted; refused, exit 1).
    ok("lifecycle-actions", &["actions"]);
    for action in ["respond_to_opinion", "approve", "publish", "start_drafting"] {
        let described = ok("schema", &["schema", action]);
        assert_eq!(described["action"], action);
    }
    let would = ok(
        "dry-run",
        &[
            "do",
            "ADJ-01-08",
            "start_drafting",
            "--as",
            DEPT,
            "--at",
            "2023-05-01",
            "--dry-run",
        ],
    );
    assert_eq!(would["decision"], "accept");
    ok(
        "key",
        &["key", "generate", "schema-test", "--secret", "schema-test.key"],
    );

    // A write: the record, accepted; then one refused (exit 1), whose record is on
    // stdout and whose error object is on stderr.
    let accepted = ok(
        "record",
        &["do", "ADJ-01-08", "start_drafting", "--as", DEPT, "--at", "2023-05-01"],
    );
    assert_eq!(accepted["outcome"]["kind"], "accepted");
    assert!(!ok("actions", &["actions", "ADJ-01-08"]).as_array().unwrap().is_empty());
    let would_not = run(&[
        "--json",
        "do",
        "ADJ-01-08",
        "open_consultation",
        "--as",
        DEPT,
        "--at",
        "2023-05-02",
        "draft.text=x",
        "--dry-run",
    ])
    .refused();
    assert_valid("dry-run", &would_not.json(), "a refused dry run");
    assert_eq!(would_not.json()["decision"], "refuse");
    let refused = run(&[
        "--json",
        "do",
        "ADJ-01-08",
        "open_consultation",
        "--as",
        DEPT,
        "--at",
        "2023-05-02",
        "draft.text=x",
    ])
    .refused();
    assert_valid("record", &refused.json(), "a refused do");
    let error: Value = serde_json::from_str(refused.stderr.trim_end()).unwrap();
    assert_valid("error", &error, "a refused do's error");
    assert_eq!(error["error"]["code"], "refused");

    // Errors of input and store, exit 2.
    for args in [
        &["--json", "show", "XXX-99-99"][..],
        &[
            "--json",
            "do",
            "ADJ-01-08",
            "open_consultation",
            "--as",
            DEPT,
            "color=blue",
        ],
        &["--json", "--store", "absent.db", "list"],
    ] {
        let r = run(args).code(2);
        let error: Value = serde_json::from_str(r.stderr.trim_end()).unwrap();
        assert_valid("error", &error, &args.join(" "));
    }

    // The schemas are not vacuous: the vocabulary of before fails them.
    let mut old = ok("list", &["list"]);
    old[0]["stage"] = old[0]["state"].take();
    assert!(
        !schema("list").1.is_valid(&old),
        "a list item with `stage` must not validate"
    );
}
