//! Lifecycles whose states and actions are only known at run time, loaded from TOML.
//!
//! # File format
//!
//! ```toml
//! name = "judgment-review"          # the definition's name
//! version = 1                       # its version (a whole number)
//! initial = "drafting"              # the initial state
//! terminal = ["signed", "dropped"]  # terminal states
//! effect = "merge_payload"          # optional: how accepted actions change the data
//! creators = ["clerk"]              # optional: roles that may create instances
//! migrators = ["clerk"]             # optional: roles that may migrate instances onto
//!                                   # this version (default: the creators)
//!
//! [states]                          # every state, in drawing order, with labels
//! drafting = { zh = "起草", en = "Drafting" }
//! review = { zh = "审核", en = "Review" }
//! signed = { zh = "签发", en = "Signed" }
//! dropped = { zh = "撤销", en = "Dropped" }
//!
//! [actions]
//! submit = { zh = "提交", en = "Submit" }
//! sign = { zh = "签发", en = "Sign" }
//! drop = { zh = "撤销", en = "Drop" }
//!
//! [roles]
//! clerk = { zh = "书记员", en = "Clerk" }
//! judge = { zh = "法官", en = "Judge" }
//!
//! [[transitions]]
//! from = "drafting"
//! action = "submit"
//! to = "review"
//! roles = ["clerk"]
//! guards = [{ payload_field = "summary" }]
//!
//! [[transitions]]
//! from = "review"
//! action = "sign"
//! to = "signed"
//! roles = ["judge"]
//! guards = [{ min_time_in_state = "1d" }]
//!
//! [[transitions]]
//! from = "drafting"
//! action = "drop"
//! to = "dropped"
//! roles = ["judge"]
//!
//! [[transitions]]
//! from = "review"
//! action = "drop"
//! to = "dropped"
//! roles = ["judge"]
//! ```
//!
//! A guard is a bare string, naming a guard the embedding program registered in a
//! [`Registry`], or one of the forms of [`GuardExpr`]: `{ all = [...] }`,
//! `{ any = [...] }`, `{ not = ... }`, `{ role = "judge" }`,
//! `{ payload_field = "summary" }`, `{ min_time_in_state = "30d" }`.
//!
//! The data of a dynamic instance is a JSON value. The built-in effects are
//! `merge_payload` (the default: the fields of an accepted action's payload object are
//! copied into the data object) and `none`; the registry can add others.
//!
//! Every mistake is reported as a [`LoadError`] with the line and column it was found
//! at, whether the TOML itself is malformed or the definition it describes is invalid.

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use crate::Lifecycle;
use crate::definition::{Definition, DefinitionError, Effect, EffectInput, Transition};
use crate::guard::{GuardExpr, GuardInput, NamedGuard};
use crate::label::Text;
use crate::lifecycle::{Action, PayloadError, State};
use crate::position::line_column;

/// The lifecycle of definitions loaded at run time.
#[derive(Clone, Copy, Debug)]
pub struct Dynamic;

impl Lifecycle for Dynamic {
    type State = DynState;
    type Action = DynAction;
    type Data = Value;
}

/// A state known by its name.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DynState(Arc<str>);

impl DynState {
    /// The state named `name`.
    pub fn new(name: &str) -> Self {
        DynState(Arc::from(name))
    }
}

impl fmt::Debug for DynState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for DynState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl State for DynState {
    fn name(&self) -> &str {
        &self.0
    }
}

/// An action known by its name, with a JSON payload.
#[derive(Clone, Debug, PartialEq)]
pub struct DynAction {
    /// The action's name.
    pub name: String,
    /// Its payload (`null` for none).
    pub payload: Value,
}

impl DynAction {
    /// The action `name` with `payload`.
    pub fn new(name: impl Into<String>, payload: Value) -> Self {
        DynAction {
            name: name.into(),
            payload,
        }
    }
}

impl Action for DynAction {
    fn name(&self) -> &str {
        &self.name
    }

    fn payload(&self) -> Result<Value, PayloadError> {
        Ok(self.payload.clone())
    }

    fn from_parts(name: &str, payload: &Value) -> Result<Self, PayloadError> {
        Ok(DynAction::new(name, payload.clone()))
    }
}

/// The guards and effects an embedding program offers to definitions loaded from files.
pub struct Registry {
    guards: HashMap<String, NamedGuard<Dynamic>>,
    effects: HashMap<String, Effect<Dynamic>>,
    placeholders: bool,
}

impl Default for Registry {
    fn default() -> Self {
        Registry::new()
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut guards: Vec<&String> = self.guards.keys().collect();
        guards.sort();
        let mut effects: Vec<&String> = self.effects.keys().collect();
        effects.sort();
        f.debug_struct("Registry")
            .field("guards", &guards)
            .field("effects", &effects)
            .field("placeholders", &self.placeholders)
            .finish()
    }
}

impl Registry {
    /// A registry with the built-in effects `merge_payload` and `none`, and no guards.
    pub fn new() -> Self {
        let mut effects: HashMap<String, Effect<Dynamic>> = HashMap::new();
        effects.insert("merge_payload".to_owned(), Arc::new(merge_payload));
        effects.insert(
            "none".to_owned(),
            Arc::new(|_: &mut Value, _: &EffectInput<'_, Dynamic>| {}),
        );
        Registry {
            guards: HashMap::new(),
            effects,
            placeholders: false,
        }
    }

    /// A registry that accepts guard and effect names it does not know, standing in a
    /// guard that always refuses ("not provided by this program") and no effect. For
    /// tools that only list, check or draw a definition, such as `regula diagram`.
    pub fn placeholders() -> Self {
        Registry {
            placeholders: true,
            ..Registry::new()
        }
    }

    /// Offers a guard under `name`; a later registration under the same name replaces it.
    pub fn guard<F>(mut self, name: impl Into<String>, description: Text, check: F) -> Self
    where
        F: Fn(&GuardInput<'_, Dynamic>) -> Result<(), Text> + Send + Sync + 'static,
    {
        let name = name.into();
        self.guards.insert(
            name.clone(),
            NamedGuard {
                name,
                description,
                check: Arc::new(check),
            },
        );
        self
    }

    /// Offers an effect under `name`.
    pub fn effect<F>(mut self, name: impl Into<String>, effect: F) -> Self
    where
        F: Fn(&mut Value, &EffectInput<'_, Dynamic>) + Send + Sync + 'static,
    {
        self.effects.insert(name.into(), Arc::new(effect));
        self
    }
}

fn merge_payload(data: &mut Value, input: &EffectInput<'_, Dynamic>) {
    if let Value::Object(fields) = &input.action.payload {
        if !data.is_object() {
            *data = Value::Object(serde_json::Map::new());
        }
        if let Value::Object(target) = data {
            for (k, v) in fields {
                target.insert(k.clone(), v.clone());
            }
        }
    }
}

/// A definition file could not be loaded: where, and why.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {kind}", self.path.as_deref().map_or_else(|| "<definition>".into(), |p| p.display().to_string()), crate::position::suffix(self.line, self.column))]
pub struct LoadError {
    /// The file, when loaded from one.
    pub path: Option<PathBuf>,
    /// Line, from 1 (0 when the file could not be read at all).
    pub line: usize,
    /// Column in characters, from 1 (0 when the file could not be read at all).
    pub column: usize,
    /// What was wrong.
    pub kind: LoadErrorKind,
}

/// What was wrong with a definition file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadErrorKind {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(#[source] std::io::Error),
    /// The TOML is malformed or does not have the expected shape.
    #[error("{0}")]
    Syntax(String),
    /// A name used in the file is not declared (or not registered).
    #[error("{what} {name:?} is not {where_}")]
    Unknown {
        /// `state`, `action`, `role`, `guard` or `effect`.
        what: &'static str,
        /// The name.
        name: String,
        /// Where it should have been: `declared in [states]`, `registered`, …
        where_: &'static str,
    },
    /// The definition is invalid.
    #[error("{0}")]
    Definition(#[from] DefinitionError),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDefinition {
    name: Spanned<String>,
    version: u32,
    initial: Spanned<String>,
    #[serde(default)]
    terminal: Vec<Spanned<String>>,
    #[serde(default)]
    effect: Option<Spanned<String>>,
    #[serde(default)]
    creators: Vec<Spanned<String>>,
    #[serde(default)]
    migrators: Vec<Spanned<String>>,
    states: Ordered<FileLabel>,
    actions: Ordered<FileLabel>,
    roles: Ordered<FileLabel>,
    #[serde(default)]
    transitions: Vec<Spanned<FileTransition>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLabel {
    zh: String,
    en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTransition {
    from: Spanned<String>,
    action: Spanned<String>,
    to: Spanned<String>,
    roles: Vec<Spanned<String>>,
    #[serde(default)]
    guards: Vec<Spanned<GuardExpr>>,
}

/// A TOML table read in document order (declaration order matters for diagrams).
struct Ordered<V>(Vec<(String, Spanned<V>)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Ordered<V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Visit<V> {
            type Value = Ordered<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of names to { zh = \"…\", en = \"…\" }")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Spanned<V>>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        deserializer.deserialize_map(Visit(PhantomData))
    }
}

impl Definition<Dynamic> {
    /// Loads a definition from TOML text, taking named guards and effects from
    /// `registry`.
    pub fn from_toml(source: &str, registry: &Registry) -> Result<Self, LoadError> {
        load(source, registry).map_err(|(offset, kind)| {
            let (line, column) = line_column(source, offset);
            LoadError {
                path: None,
                line,
                column,
                kind,
            }
        })
    }

    /// Loads a definition from a TOML file; errors name the file.
    pub fn from_toml_file(path: impl AsRef<Path>, registry: &Registry) -> Result<Self, LoadError> {
        let path = path.as_ref();
        let source = std::fs::read_to_string(path).map_err(|e| LoadError {
            path: Some(path.to_owned()),
            line: 0,
            column: 0,
            kind: LoadErrorKind::Io(e),
        })?;
        Self::from_toml(&source, registry).map_err(|mut e| {
            e.path = Some(path.to_owned());
            e
        })
    }
}

type Located = (usize, LoadErrorKind);

fn unknown(span: std::ops::Range<usize>, what: &'static str, name: &str, where_: &'static str) -> Located {
    (
        span.start,
        LoadErrorKind::Unknown {
            what,
            name: name.to_owned(),
            where_,
        },
    )
}

fn load(source: &str, registry: &Registry) -> Result<Definition<Dynamic>, Located> {
    let file: FileDefinition = toml::from_str(source).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        (offset, LoadErrorKind::Syntax(e.message().trim_end().to_owned()))
    })?;

    let state_span: HashMap<&str, usize> = file
        .states
        .0
        .iter()
        .map(|(k, v)| (k.as_str(), v.span().start))
        .collect();
    let action_span: HashMap<&str, usize> = file
        .actions
        .0
        .iter()
        .map(|(k, v)| (k.as_str(), v.span().start))
        .collect();
    let role_span: HashMap<&str, usize> = file.roles.0.iter().map(|(k, v)| (k.as_str(), v.span().start)).collect();
    let check_state = |s: &Spanned<String>| -> Result<DynState, Located> {
        if state_span.contains_key(s.get_ref().as_str()) {
            Ok(DynState::new(s.get_ref()))
        } else {
            Err(unknown(s.span(), "state", s.get_ref(), "declared in [states]"))
        }
    };
    let check_role = |r: &Spanned<String>| -> Result<String, Located> {
        if role_span.contains_key(r.get_ref().as_str()) {
            Ok(r.get_ref().clone())
        } else {
            Err(unknown(r.span(), "role", r.get_ref(), "declared in [roles]"))
        }
    };

    let mut b = Definition::<Dynamic>::builder(file.name.get_ref().clone(), file.version);
    for (name, label) in &file.states.0 {
        let l = label.get_ref();
        b = b.state(DynState::new(name), Text::owned(l.zh.clone(), l.en.clone()));
    }
    for (name, label) in &file.actions.0 {
        let l = label.get_ref();
        b = b.action(name.clone(), Text::owned(l.zh.clone(), l.en.clone()));
    }
    for (name, label) in &file.roles.0 {
        let l = label.get_ref();
        b = b.role(name.clone(), Text::owned(l.zh.clone(), l.en.clone()));
    }
    b = b.initial(check_state(&file.initial)?);
    for t in &file.terminal {
        b = b.terminal(check_state(t)?);
    }
    for c in &file.creators {
        b = b.creators([check_role(c)?]);
    }
    for m in &file.migrators {
        b = b.migrators([check_role(m)?]);
    }
    let effect_name = file.effect.as_ref().map_or("merge_payload", |e| e.get_ref().as_str());
    match registry.effects.get(effect_name) {
        Some(effect) => b = b.effect_shared(Arc::clone(effect)),
        None if registry.placeholders => {}
        None => {
            let span = file.effect.as_ref().map_or(0..0, |e| e.span());
            return Err(unknown(span, "effect", effect_name, "registered"));
        }
    }

    let mut used_guards: Vec<&str> = Vec::new();
    let mut placeholder_guards: Vec<String> = Vec::new();
    for t in &file.transitions {
        let ft = t.get_ref();
        let mut row = Transition::new(
            check_state(&ft.from)?,
            ft.action.get_ref().clone(),
            check_state(&ft.to)?,
        );
        if !action_span.contains_key(ft.action.get_ref().as_str()) {
            return Err(unknown(
                ft.action.span(),
                "action",
                ft.action.get_ref(),
                "declared in [actions]",
            ));
        }
        for r in &ft.roles {
            row.roles.push(check_role(r)?);
        }
        for g in &ft.guards {
            let mut missing: Option<String> = None;
            g.get_ref().visit_names(&mut |n| {
                if registry.guards.contains_key(n) {
                    if !used_guards.contains(&n) {
                        used_guards.push(n);
                    }
                } else if registry.placeholders {
                    if !placeholder_guards.iter().any(|p| p == n) {
                        placeholder_guards.push(n.to_owned());
                    }
                } else if missing.is_none() {
                    missing = Some(n.to_owned());
                }
            });
            if let Some(name) = missing {
                return Err(unknown(
                    g.span(),
                    "guard",
                    &name,
                    "registered by the program loading this file",
                ));
            }
            let mut bad_role: Option<String> = None;
            g.get_ref().visit_roles(&mut |r| {
                if bad_role.is_none() && !role_span.contains_key(r) {
                    bad_role = Some(r.to_owned());
                }
            });
            if let Some(role) = bad_role {
                return Err(unknown(g.span(), "role", &role, "declared in [roles]"));
            }
            row.guards.push(g.get_ref().clone());
        }
        b = b.transition(row);
    }
    for name in used_guards {
        if let Some(g) = registry.guards.get(name) {
            b = b.guard_shared(g.name.clone(), g.description.clone(), Arc::clone(&g.check));
        }
    }
    for name in placeholder_guards {
        let refusal = Text::owned(
            format!("本程序未提供条件 {name}"),
            format!("guard {name} is not provided by this program"),
        );
        b = b.guard(name.clone(), Text::owned(name.clone(), name), move |_| {
            Err(refusal.clone())
        });
    }

    b.build().map_err(|e| {
        let transition_span = |i: usize| file.transitions.get(i).map_or(0, |t| t.span().start);
        let offset = match &e {
            DefinitionError::EmptyName => file.name.span().start,
            DefinitionError::DuplicateTransition { transition, .. }
            | DefinitionError::AmbiguousTransition { transition, .. }
            | DefinitionError::NoRoles { transition, .. }
            | DefinitionError::UnknownAction { transition, .. }
            | DefinitionError::UnknownGuard { transition, .. }
            | DefinitionError::TerminalExit { transition, .. } => transition_span(*transition),
            DefinitionError::Unreachable { state, .. }
            | DefinitionError::DeadEnd { state, .. }
            | DefinitionError::DuplicateState { state, .. } => state_span.get(state.as_str()).copied().unwrap_or(0),
            DefinitionError::MissingLabel { what, name, .. } => match *what {
                "state" => state_span.get(name.as_str()),
                "action" => action_span.get(name.as_str()),
                _ => role_span.get(name.as_str()),
            }
            .copied()
            .unwrap_or(0),
            _ => 0,
        };
        (offset, LoadErrorKind::Definition(e))
    })
}
