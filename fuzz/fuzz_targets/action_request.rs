//! The body of the HTTP service's `POST /v1/standards/{code}/records` and `…/preview`
//! (`ActionRequest`), decoded as the service decodes it, with its action built as the
//! service builds it and its time read by the built-in catalog's court: a body that
//! decodes re-encodes to JSON that decodes to the same request, builds the same action,
//! and an action built is one the court's definition names.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use regula_core::Action as _;
use regula_standards::catalog::Catalog;
use regula_standards::court::CourtConfig;
use regula_standards::request::ActionRequest;

/// The court of the built-in catalog, whose time zone reads a request's `at`.
fn config() -> &'static CourtConfig {
    static CONFIG: OnceLock<CourtConfig> = OnceLock::new();
    CONFIG.get_or_init(|| CourtConfig::from_catalog(&Catalog::builtin().expect("the built-in catalog loads")))
}

fuzz_target!(|data: &[u8]| {
    let Ok(request) = ActionRequest::from_json(data) else {
        return;
    };
    let json = serde_json::to_vec(&request).expect("a request serializes");
    let again = ActionRequest::from_json(&json).expect("a request's own JSON decodes");
    assert_eq!(serde_json::to_vec(&again).expect("serializes"), json);
    let action = request.to_action();
    let rebuilt = again.to_action();
    assert_eq!(
        action.as_ref().ok().map(|a| a.payload().ok()),
        rebuilt.as_ref().ok().map(|a| a.payload().ok())
    );
    if let Ok(action) = action {
        assert_eq!(action.name(), request.action);
    }
    if let Some(at) = &request.at {
        // A time read is one instant: its own RFC 3339 text reads back to it.
        if let Some(time) = config().parse_time(at) {
            let text = time.to_rfc3339();
            assert_eq!(config().parse_time(&text), Some(time), "{at:?} read as {text}");
        }
    }
});
