//! What an append costs the heads table: a head whose due time stays NULL (every head
//! of a definition without deadlines) is updated heap-only, writing no index entry,
//! since schema 4 as before it (`entered_at` is not indexed, and the partial index on
//! `due_at` holds no entry for it).

// Test code: helpers unwrap, and a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use regula_core::{Repository, Store};
use regula_store_conformance::sample::{self, annotate, case, clerk};

#[test]
fn a_head_without_a_due_time_is_updated_heap_only() {
    if !common::enabled() {
        return;
    }
    let schema = common::unique_schema("hot");
    let store = common::open(&schema);
    let repo = Repository::new(sample::engine(), &store);
    let (mut inst, _) = repo.create(clerk(), "clerk", case("热更新"), None).unwrap();
    for i in 0..20 {
        repo.apply(&mut inst, annotate(&format!("第 {i} 条"))).unwrap();
    }
    assert_eq!(store.head(inst.id()).unwrap().seq, 21);
    assert_eq!(store.head(inst.id()).unwrap().due_at, None);
    drop(repo);
    // A backend reports its table statistics when it ends at the latest.
    drop(store);
    let mut raw = common::raw();
    let deadline = Instant::now() + Duration::from_secs(30);
    let (updated, hot) = loop {
        let row = raw
            .query_one(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'instances'",
                &[&schema],
            )
            .unwrap();
        let (updated, hot): (i64, i64) = (row.get(0), row.get(1));
        if updated >= 20 || Instant::now() > deadline {
            break (updated, hot);
        }
        // The poll's interval, not the wait: the loop ends on the condition.
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!((updated, hot), (20, 20), "every head update heap-only");
}
