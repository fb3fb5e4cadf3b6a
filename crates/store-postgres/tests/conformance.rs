//! The conformance suite against PostgreSQL, each test in a fresh schema.

mod common;

regula_store_conformance::conformance_tests!(run_if: crate::common::enabled(), crate::common::fresh_store());
