//! The JSON Schemas (draft 2020-12) of what the commands print under `--json`, from
//! the types they print, as serde writes them. They are committed in
//! `crates/cli/schemas/<name>.json`; a unit test keeps the files equal to what the
//! code builds (`REGULA_BLESS=1 cargo test -p regula-cli --bin regula schemas`
//! rewrites them) and `tests/json_schemas.rs` validates each command's output
//! against its file.

use regula_core::AuditRecord;
use regula_standards::affairs::Hearing;
use regula_standards::report::Report;
use regula_standards::view::ActionView;
use serde_json::Value;

use crate::ctx::ErrorDocument;
use crate::out::Versioned;
use crate::token::{Issued, Listed};
use crate::vocab::{
    CatalogItem, CheckpointDocument, DryRunDocument, ImportDocument, InitDocument, KeyDocument, ListItem, ManDocument,
    ProofDocument, SchemaDocument, ShowDocument, TransitionItem, VerifyDocument,
};

/// The schema of `T` as serde writes it (a member skipped when empty is then not
/// required).
fn output_schema<T: schemars::JsonSchema>() -> Value {
    schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value()
}

/// Every schema, by file name (without `.json`): the commands whose `--json` output
/// they describe are named in each one's `title`.
pub fn all() -> Vec<(&'static str, Value)> {
    let titled = |mut schema: Value, title: &str| {
        if let Some(object) = schema.as_object_mut() {
            object.insert("title".into(), Value::String(title.to_owned()));
        }
        schema
    };
    vec![
        (
            "error",
            titled(
                output_schema::<ErrorDocument>(),
                "An error under --json (one line of stderr), any command",
            ),
        ),
        (
            "init",
            titled(
                output_schema::<Versioned<'static, InitDocument>>(),
                "regula init --json",
            ),
        ),
        (
            "catalog-import",
            titled(
                output_schema::<Versioned<'static, ImportDocument>>(),
                "regula catalog import --json (a refused change of the rules prints its record: record.json)",
            ),
        ),
        (
            "catalog-show",
            titled(
                output_schema::<Vec<CatalogItem<'static>>>(),
                "regula catalog show --json",
            ),
        ),
        (
            "list",
            titled(output_schema::<Vec<ListItem<'static>>>(), "regula list --json"),
        ),
        (
            "show",
            titled(
                output_schema::<Versioned<'static, ShowDocument<'static>>>(),
                "regula show --json",
            ),
        ),
        (
            "actions",
            titled(
                output_schema::<Vec<ActionView>>(),
                "regula actions CODE --json: the actions open now",
            ),
        ),
        (
            "lifecycle-actions",
            titled(
                output_schema::<Vec<TransitionItem>>(),
                "regula actions --json (no code): every transition of the lifecycle",
            ),
        ),
        (
            "dry-run",
            titled(
                output_schema::<Versioned<'static, DryRunDocument>>(),
                "regula do --dry-run --json",
            ),
        ),
        (
            "key",
            titled(
                output_schema::<Versioned<'static, KeyDocument>>(),
                "regula key generate --json",
            ),
        ),
        (
            "verify-proof",
            titled(
                output_schema::<Versioned<'static, ProofDocument<'static>>>(),
                "regula verify-proof --json (a proof that holds)",
            ),
        ),
        (
            "hearings",
            titled(output_schema::<Vec<Hearing>>(), "regula court hearings --json"),
        ),
        (
            "token-issue",
            titled(
                output_schema::<Versioned<'static, Issued<'static>>>(),
                "regula token issue --json",
            ),
        ),
        (
            "token-list",
            titled(output_schema::<Vec<Listed<'static>>>(), "regula token list --json"),
        ),
        (
            "schema",
            titled(
                output_schema::<Versioned<'static, SchemaDocument<'static>>>(),
                "regula schema ACTION --json",
            ),
        ),
        (
            "man",
            titled(
                output_schema::<Versioned<'static, ManDocument>>(),
                "regula man --out DIR --json",
            ),
        ),
        (
            "record",
            titled(
                output_schema::<AuditRecord>(),
                "regula do --json, court …, rules amend --json: the record written (it keeps its own format)",
            ),
        ),
        (
            "records",
            titled(
                output_schema::<Vec<AuditRecord>>(),
                "regula log --json, rules log --json, migrate --json",
            ),
        ),
        (
            "report",
            titled(
                output_schema::<Versioned<'static, Report>>(),
                "regula report --json (and --format json on stdout)",
            ),
        ),
        (
            "verify",
            titled(
                output_schema::<Versioned<'static, VerifyDocument>>(),
                "regula verify --json",
            ),
        ),
        (
            "checkpoint",
            titled(
                output_schema::<Versioned<'static, CheckpointDocument>>(),
                "regula checkpoint --json",
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::path::Path;

    /// The committed files are the schemas the code builds, and there is no other.
    #[test]
    fn schemas_committed_are_the_ones_the_code_builds() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
        let bless = std::env::var_os("REGULA_BLESS").is_some();
        let mut stale = Vec::new();
        let all = super::all();
        for (name, schema) in &all {
            let path = dir.join(format!("{name}.json"));
            let built = serde_json::to_string_pretty(schema).unwrap() + "\n";
            if bless {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &built).unwrap();
            }
            if std::fs::read_to_string(&path).unwrap_or_default() != built {
                stale.push(name.to_string());
            }
            jsonschema::options()
                .build(schema)
                .unwrap_or_else(|e| panic!("{name}: not a valid schema: {e}"));
        }
        assert!(
            stale.is_empty(),
            "crates/cli/schemas differs from what the code builds for {stale:?}: run `REGULA_BLESS=1 cargo test -p regula-cli --bin regula schemas` and commit it"
        );
        let files = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(files, all.len(), "a file in crates/cli/schemas that no type describes");
    }
}
