//! Definition files (`regula init --definition`, `Definition::<Dynamic>::from_toml`):
//! a definition that loads loads again to the same definition (states, actions, roles,
//! transitions, diagrams), each transition joins states the definition declares, and
//! every state is found again by its name.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regula_core::definition::Definition;
use regula_core::dynamic::{Dynamic, Registry};
use regula_core::{Lang, State as _};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let registry = Registry::placeholders();
    let Ok(definition) = Definition::<Dynamic>::from_toml(text, &registry) else {
        return;
    };
    let again = Definition::<Dynamic>::from_toml(text, &registry).expect("it loaded once");
    assert_eq!(definition.reference(), again.reference());
    assert_eq!(definition.states(), again.states());
    assert_eq!(definition.actions(), again.actions());
    assert_eq!(definition.roles(), again.roles());
    assert_eq!(definition.transitions(), again.transitions());
    assert_eq!(definition.creators(), again.creators());
    for lang in [Lang::Zh, Lang::En] {
        assert_eq!(definition.to_dot(lang), again.to_dot(lang));
        assert_eq!(definition.to_mermaid(lang), again.to_mermaid(lang));
    }
    for state in definition.states() {
        let name = state.state.name().to_owned();
        assert_eq!(definition.state_named(&name), Some(&state.state), "state {name}");
    }
    for t in definition.transitions() {
        assert!(definition.state_label(&t.from).is_some(), "from {}", t.from);
        assert!(definition.state_label(&t.to).is_some(), "to {}", t.to);
        assert!(definition.action_label(&t.action).is_some(), "action {}", t.action);
        for role in &t.roles {
            assert!(definition.has_role(role), "role {role}");
        }
    }
    assert!(definition.state_label(definition.initial()).is_some());
});
