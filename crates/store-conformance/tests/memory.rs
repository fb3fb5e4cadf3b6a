//! The conformance suite against the reference in-memory store.

regula_store_conformance::conformance_tests!(regula_core::MemoryStore::new());

#[test]
fn run_all_runs_every_check() {
    regula_store_conformance::run_all(&regula_core::MemoryStore::new);
}
