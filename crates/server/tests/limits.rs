//! The request time limit: a request that outlasts it is answered 503 `timeout`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{Client, Scratch, Server, prepare};
use regula_server::{Limits, StoreLocation};

#[test]
fn a_request_that_outlasts_the_time_limit_is_a_503_problem() {
    let scratch = Scratch::new("timeout");
    let tokens = prepare(&scratch.store());
    let limits = Limits {
        // Verifying a whole store (every log replayed) takes far longer than this.
        request_timeout: Duration::from_micros(1),
        ..Limits::default()
    };
    let server = Server::start_with(StoreLocation::Sqlite(scratch.store()), limits, None);
    let client = Client::new(&server.base);
    let body = client.get("/v1/verify", Some(&tokens.office)).problem(503, "timeout");
    assert!(
        body["i18n"]["en"]["detail"]
            .as_str()
            .unwrap()
            .contains("Idempotency-Key"),
        "{body}"
    );
}
