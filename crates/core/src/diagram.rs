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
        // Deadlines as notes on the states they run in.
        for d in self.deadlines() {
            let within = match options.lang {
                Lang::Zh => d.within().to_zh(),
                Lang::En => d.within().to_string(),
            };
            for (info, id) in self.states().iter().zip(&ids) {
                if self.deadline_runs_in(d, &info.state) {
                    let _ = writeln!(
                        out,
                        "    note right of {id}: ⏱ {} ({within})",
                        mermaid_text(d.label().get(options.lang))
                    );
                }
            }
        }
        out
    }

    /// The definition as a Graphviz DOT digraph, labelled in `lang`.
    pub fn to_dot(&self, lang: Lang) -> String {
        self.to_dot_with(DiagramOptions::new(lang))
    }

    /// The definition as a Graphviz DOT digraph, with options.
    ///
    /// Readable as drawn: every text names fonts that cover Chinese ([`DOT_FONTS`]),
    /// long labels are wrapped, roles go on a line of their own, and guards appear on
    /// the edges as short references (`G1`, `G2`, …) to a legend that describes each
    /// in the chosen language, rather than as long keys that widen the graph.
    pub fn to_dot_with(&self, options: DiagramOptions) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "digraph {} {{",
            dot_quoted(&format!("{} v{}", self.name(), self.version()))
        );
        let fonts = dot_quoted(DOT_FONTS);
        let _ = writeln!(out, "    rankdir=LR;\n    graph [fontname={fonts}];");
        let _ = writeln!(out, "    node [shape=box, style=rounded, fontname={fonts}];");
        let _ = writeln!(out, "    edge [fontname={fonts}, fontsize=11];");
        out.push_str("    \"__start\" [shape=point, label=\"\"];\n");
        for info in self.states() {
            let terminal = if self.is_terminal(&info.state) {
                ", peripheries=2"
            } else {
                ""
            };
            let mut label = wrap(info.label.get(options.lang), LABEL_COLUMNS);
            // The deadlines running in the state, as references to the legend.
            let refs: Vec<String> = self
                .deadlines()
                .iter()
                .enumerate()
                .filter(|(_, d)| self.deadline_runs_in(d, &info.state))
                .map(|(i, _)| format!("D{}", i + 1))
                .collect();
            if !refs.is_empty() {
                let _ = write!(label, "\n⏱ {}", refs.join(" "));
            }
            let _ = writeln!(
                out,
                "    {} [label={}{terminal}];",
                dot_quoted(info.state.name()),
                dot_quoted(&label)
            );
        }
        let _ = writeln!(out, "    \"__start\" -> {};", dot_quoted(self.initial().name()));
        // The guards' legend: each distinct guard once, numbered in order of appearance.
        let mut legend: Vec<(String, String)> = Vec::new();
        let mut edges: Vec<(&str, &str, Vec<String>)> = Vec::new();
        for t in self.transitions() {
            let mut label = wrap(&self.action_text(t, options.lang), LABEL_COLUMNS);
            if options.roles {
                let _ = write!(label, "\n({})", wrap(&self.roles_text(t, options.lang), LABEL_COLUMNS));
            }
            if options.guards && !t.guards.is_empty() {
                let refs: Vec<String> = t
                    .guards
                    .iter()
                    .map(|g| {
                        let key = g.key();
                        let n = match legend.iter().position(|(k, _)| *k == key) {
                            Some(i) => i + 1,
                            None => {
                                let described = self.describe_guard(g).get(options.lang).to_owned();
                                legend.push((key, described));
                                legend.len()
                            }
                        };
                        format!("G{n}")
                    })
                    .collect();
                let _ = write!(label, "\n[{}]", refs.join(" "));
            }
            // Transitions between the same two states share one edge (a state's many
            // loops drawn apart would overlap their labels).
            match edges
                .iter_mut()
                .find(|(from, to, _)| *from == t.from.name() && *to == t.to.name())
            {
                Some((_, _, labels)) => labels.push(label),
                None => edges.push((t.from.name(), t.to.name(), vec![label])),
            }
        }
        for (from, to, labels) in &edges {
            let _ = writeln!(
                out,
                "    {} -> {} [label={}];",
                dot_quoted(from),
                dot_quoted(to),
                dot_quoted(&labels.join("\n"))
            );
        }
        let mut tagged: Vec<(String, String)> = legend
            .into_iter()
            .enumerate()
            .map(|(i, (_, described))| (format!("G{}", i + 1), described))
            .collect();
        for (i, d) in self.deadlines().iter().enumerate() {
            let within = match options.lang {
                Lang::Zh => d.within().to_zh(),
                Lang::En => d.within().to_string(),
            };
            tagged.push((
                format!("D{}", i + 1),
                format!("⏱ {} ({within})", d.label().get(options.lang)),
            ));
        }
        if !tagged.is_empty() {
            // Lines ending in `\l` are left-justified; a wrapped description's further
            // lines are indented under its text.
            let mut text = String::new();
            for (tag, described) in &tagged {
                let tag = format!("{tag}  ");
                let indent = " ".repeat(tag.len() + 1);
                let wrapped = wrap(described, LEGEND_COLUMNS).replace('\n', &format!("\n{indent}"));
                text.push_str(&tag);
                text.push_str(&wrapped);
                text.push('\n');
            }
            let _ = writeln!(
                out,
                "    \"__legend\" [shape=box, style=\"\", fontsize=10, label={}];",
                dot_left_justified(&text)
            );
        }
        out.push_str("}\n");
        out
    }

    /// The action's label in `lang` (its name when it has none).
    fn action_text(&self, t: &crate::Transition<L::State>, lang: Lang) -> String {
        self.action_label(&t.action)
            .map_or_else(|| t.action.clone(), |l| l.get(lang).to_owned())
    }

    /// The roles allowed to fire `t`, labelled in `lang`, comma-separated.
    fn roles_text(&self, t: &crate::Transition<L::State>, lang: Lang) -> String {
        let roles: Vec<&str> = t
            .roles
            .iter()
            .map(|r| self.role_label(r).map_or(r.as_str(), |l| l.get(lang)))
            .collect();
        roles.join(", ")
    }

    fn edge_label(&self, t: &crate::Transition<L::State>, options: DiagramOptions) -> String {
        let mut label = self.action_text(t, options.lang);
        if options.roles {
            let _ = write!(label, " ({})", self.roles_text(t, options.lang));
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

/// The fonts every text of a DOT drawing names, first found first: families that cover
/// Chinese on Linux, Windows and macOS, then the generic family. Graphviz passes the
/// list to fontconfig, which takes the first installed.
pub const DOT_FONTS: &str =
    "Noto Sans CJK SC,Source Han Sans SC,WenQuanYi Zen Hei,Microsoft YaHei,PingFang SC,sans-serif";

/// How wide a state's or an edge's label may be, in display columns (a Chinese
/// character is two), before it is wrapped.
const LABEL_COLUMNS: usize = 24;
/// How wide a line of the guards' legend may be.
const LEGEND_COLUMNS: usize = 56;

/// The display width of `c`: two columns for the wide scripts (CJK, full-width forms).
fn columns(c: char) -> usize {
    let wide = matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
    if wide { 2 } else { 1 }
}

/// `text` broken into lines of at most `width` columns (`\n` between them): at a space
/// when a line has one, else between any two characters (Chinese has no spaces). A
/// line break already in `text` is kept.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (n, paragraph) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let mut line = String::new();
        let mut used = 0;
        for word in split_keeping_spaces(paragraph) {
            let w: usize = word.chars().map(columns).sum();
            if used + w <= width {
                line.push_str(word);
                used += w;
                continue;
            }
            // The word does not fit: end the line here (at a space), then place the
            // word, breaking it between characters if it is wider than a line.
            if !line.trim().is_empty() {
                out.push_str(line.trim_end());
                out.push('\n');
            }
            line.clear();
            used = 0;
            for c in word.trim_start().chars() {
                let cw = columns(c);
                if used + cw > width && used > 0 {
                    out.push_str(&line);
                    out.push('\n');
                    line.clear();
                    used = 0;
                }
                line.push(c);
                used += cw;
            }
        }
        out.push_str(line.trim_end());
    }
    out
}

/// `text` cut after each space, so that the pieces joined are `text` again; a run of
/// Chinese stays one piece and is broken by [`wrap`] between characters.
fn split_keeping_spaces(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == ' ' {
            pieces.push(&text[start..=i]);
            start = i + 1;
        }
    }
    if start < text.len() {
        pieces.push(&text[start..]);
    }
    pieces
}

/// A DOT string whose lines are left-justified: each `\n` becomes `\l`.
fn dot_left_justified(s: &str) -> String {
    let quoted = dot_quoted(s);
    quoted.replace("\\n", "\\l")
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn width(line: &str) -> usize {
        line.chars().map(columns).sum()
    }

    #[test]
    fn chinese_is_broken_between_characters_and_latin_at_spaces() {
        assert_eq!(
            wrap("仅可为尚无责任部门的标准指定部门", 12),
            "仅可为尚无责\n任部门的标准\n指定部门"
        );
        assert_eq!(
            wrap("Responsible department, leading group", 16),
            "Responsible\ndepartment,\nleading group"
        );
        assert_eq!(wrap("short", 24), "short");
        assert_eq!(wrap("a\nb", 24), "a\nb");
    }

    proptest! {
        /// No line is wider than the limit unless it is one character, and wrapping
        /// loses no character but the spaces it breaks at.
        #[test]
        fn wrapped_lines_fit_and_keep_the_text(text in "[a-z 中文字符标准，]{0,60}", limit in 2usize..30) {
            let wrapped = wrap(&text, limit);
            for line in wrapped.split('\n') {
                prop_assert!(width(line) <= limit || line.chars().count() == 1, "{line:?} in {wrapped:?}");
            }
            let squeeze = |s: &str| s.chars().filter(|c| *c != ' ' && *c != '\n').collect::<String>();
            prop_assert_eq!(squeeze(&wrapped), squeeze(&text));
        }
    }
}
