//! Regula: the lifecycle of work standards as a typed, guarded, audited state machine.
//!
//! This facade re-exports the public crates. The engine is [`core`] (also re-exported
//! at the top level); see its documentation for a runnable example.

pub use regula_core as core;
pub use regula_core::*;
