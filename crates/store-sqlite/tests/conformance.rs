//! The conformance suite against SQLite: in memory, and in files with both sync levels.

mod common;

mod in_memory {
    regula_store_conformance::conformance_tests!(regula_store_sqlite::SqliteStore::in_memory().unwrap());
}

mod in_file {
    regula_store_conformance::conformance_tests!(crate::common::fresh_store());
}

mod in_file_sync_normal {
    regula_store_conformance::conformance_tests!(crate::common::fresh_store_with(regula_store_sqlite::SqliteOptions {
        synchronous: regula_store_sqlite::Synchronous::Normal,
        ..Default::default()
    }));
}
