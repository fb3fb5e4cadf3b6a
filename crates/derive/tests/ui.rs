//! The derives' compile errors, pinned: each file under `tests/ui/` must fail to
//! compile with exactly the message beside it (`.stderr`). Regenerate after a
//! deliberate change with `TRYBUILD=overwrite cargo test -p regula-derive --test ui`,
//! and read the diff.

#[test]
fn compile_errors_explain_themselves() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
