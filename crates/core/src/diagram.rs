//! Drawing a definition: Mermaid `stateDiagram-v2` and Graphviz DOT.

use std::fmt::Write as _;

use crate::Lifecycle;
use crate::definition::Definition;
use crate::label::Lang;
use crate::lifecycle::State;

/// What an edge label shows besides the action.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiagramOptions {
    /// The language of the labels.
    pub lang: Lang,
    /// Append the roles allowed to fire each transition.
    pub roles: bool,
    /// Append each transition's guards.
    pub guards: bool,
}

impl DiagramOptions {
    /// Labels in `lang`, actions only.
    pub fn new(lang: Lang) -> Self {
        DiagramOptions {
            lang,
            roles: false,
            guards: false,
        }
    }
}

impl<L: Lifecycle> Definition<L> {
    /// The definition as a Mermaid `stateDiagram-v2`, labelled in `lang`.
    pub fn to_mermaid(&self, lang: Lang) -> String {
        self.to_mermaid_with(DiagramOptions::new(lang))
    }

    /// The definition as a Mermaid `stateDiagram-v2`, with options.
    pub fn to_mermaid_with(&self, options: DiagramOptions) -> String {
        let ids = self.diagram_ids();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "---\ntitle: {} v{}\n---",
            mermaid_text(self.name()),
            self.version()
        );
        out.push_str("stateDiagram-v2\n");
        for (info, id) in self.states().iter().zip(&ids) {
            let _ = writeln!(
                out,
                "    state \"{}\" as {id}",
                mermaid_quoted(info.label.get(options.lang))
            );
        }
        let initial = self.state_position(self.initial());
        let _ = writeln!(out, "    [*] --> {}", ids[initial]);
        for t in self.transitions() {
            let from = &ids[self.state_position(&t.from)];
            let to = &ids[self.state_position(&t.to)];
            let _ = writeln!(
                out,
                "    {from} --> {to}: {}",
                mermaid_text(&self.edge_label(t, options))
            );
        }
        for s in self.terminals() {
            let _ = writeln!(out, "    {} --> [*]", ids[self.state_position(s)]);
        }
        out
    }

    /// The definition as a Graphviz DOT digraph, labelled in `lang`.
    pub fn to_dot(&self, lang: Lang) -> String {
        self.to_dot_with(DiagramOptions::new(lang))
    }

    /// The definition as a Graphviz DOT digraph, with options.
    pub fn to_dot_with(&self, options: DiagramOptions) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "digraph {} {{",
            dot_quoted(&format!("{} v{}", self.name(), self.version()))
        );
        out.push_str("    rankdir=LR;\n    node [shape=box, style=rounded];\n");
        out.push_str("    \"__start\" [shape=point, label=\"\"];\n");
        for info in self.states() {
            let terminal = if self.is_terminal(&info.state) {
                ", peripheries=2"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "    {} [label={}{terminal}];",
                dot_quoted(info.state.name()),
                dot_quoted(info.label.get(options.lang))
            );
        }
        let _ = writeln!(out, "    \"__start\" -> {};", dot_quoted(self.initial().name()));
        for t in self.transitions() {
            let _ = writeln!(
                out,
                "    {} -> {} [label={}];",
                dot_quoted(t.from.name()),
                dot_quoted(t.to.name()),
                dot_quoted(&self.edge_label(t, options))
            );
        }
        out.push_str("}\n");
        out
    }

    fn edge_label(&self, t: &crate::Transition<L::State>, options: DiagramOptions) -> String {
        let mut label = self
            .action_label(&t.action)
            .map_or_else(|| t.action.clone(), |l| l.get(options.lang).to_owned());
        if options.roles {
            let roles: Vec<&str> = t
                .roles
                .iter()
                .map(|r| self.role_label(r).map_or(r.as_str(), |l| l.get(options.lang)))
                .collect();
            let _ = write!(label, " ({})", roles.join(", "));
        }
        if options.guards && !t.guards.is_empty() {
            let guards: Vec<String> = t.guards.iter().map(|g| g.key()).collect();
            let _ = write!(label, " [{}]", guards.join(", "));
        }
        label
    }

    fn state_position(&self, state: &L::State) -> usize {
        self.states().iter().position(|s| &s.state == state).unwrap_or(0)
    }

    /// Mermaid ids: the state's name when it is a plain identifier, else `s<index>`.
    fn diagram_ids(&self) -> Vec<String> {
        self.states()
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let name = s.state.name();
                let plain = !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !name.starts_with(|c: char| c.is_ascii_digit());
                if plain { name.to_owned() } else { format!("s{i}") }
            })
            .collect()
    }
}

/// Mermaid ends a transition label at a newline and treats `;` as a statement break.
fn mermaid_text(s: &str) -> String {
    s.replace(['\n', '\r'], " ").replace(';', "；").replace(':', "：")
}

fn mermaid_quoted(s: &str) -> String {
    mermaid_text(s).replace('"', "'")
}

fn dot_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
