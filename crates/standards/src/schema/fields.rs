//! An action's payload as a list of fields, walked from its JSON Schema
//! ([`super::payload_schema`]): what the web forms render, what `regula schema ACTION`
//! prints and what the command line reads `KEY=VALUE` arguments by, so every
//! interface describes and reads a payload the same way, from the schema serde checks.
//!
//! Each field of a payload is named by its dotted path (`draft.text`,
//! `meeting.date`); its kind follows the schema: text, date, whole number, yes/no, a
//! choice among constants, a list of texts, a list of choices, and JSON for anything
//! more complex (a list of objects), with an example. A tagged union
//! (`response.decision` with its fields) is a choice of its tag plus the fields of
//! every variant, each saying for which variant it is.

use regula_core::Text;
use serde_json::{Map, Value, json};

use crate::lifecycle::{InspectionFlag, OpinionSource, SourceKind};

/// What kind of control a field is.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// A line of text, or a textarea when `long`.
    Text {
        /// Long text: a textarea.
        long: bool,
    },
    /// A date (`YYYY-MM-DD`).
    Date,
    /// A whole number.
    Integer {
        /// The least value, if the schema says.
        minimum: Option<i64>,
    },
    /// A checkbox.
    Boolean,
    /// One of these values.
    Choice(Vec<String>),
    /// A list of strings, one per line.
    Lines,
    /// Any of these values.
    Choices(Vec<String>),
    /// Anything more complex, as JSON text; with an example.
    Json {
        /// An example value.
        example: String,
    },
}

/// One control of an action's form.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The dotted path, the control's name (`draft.text`).
    pub path: String,
    /// Its kind.
    pub kind: Kind,
    /// Must be given (the schema requires it, as do the objects around it).
    pub required: bool,
    /// The schema's description.
    pub description: Option<String>,
    /// For a field of a tagged union's variant: the tag's path and the tag values the
    /// field belongs to.
    pub variant: Option<(String, Vec<String>)>,
}

/// The schema a `$ref` points at, with the referring node's description kept.
fn resolve<'a>(schema: &'a Value, defs: &'a Value) -> (&'a Value, Option<String>) {
    let description = schema.get("description").and_then(Value::as_str).map(str::to_owned);
    let mut node = schema;
    for _ in 0..8 {
        match node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
        {
            Some(name) => match defs.get(name) {
                Some(target) => node = target,
                None => break,
            },
            None => break,
        }
    }
    let description = description.or_else(|| node.get("description").and_then(Value::as_str).map(str::to_owned));
    (node, description)
}

/// The schema's types, and whether `null` is one of them.
fn types(schema: &Value) -> (Vec<&str>, bool) {
    let all: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let nullable = all.contains(&"null");
    (all.into_iter().filter(|t| *t != "null").collect(), nullable)
}

/// The constant values of an enum-like schema (`enum`, or `oneOf` of `const`s).
fn constants(schema: &Value) -> Option<Vec<String>> {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values.iter().map(|v| v.as_str().map(str::to_owned)).collect();
    }
    if let Some(values) = schema.get("const").and_then(Value::as_str) {
        return Some(vec![values.to_owned()]);
    }
    let variants = schema.get("oneOf").and_then(Value::as_array)?;
    variants
        .iter()
        .map(|v| v.get("const").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// Long text is a textarea: the text of a draft, contents, summaries, reasons.
const LONG: &[&str] = &[
    "text",
    "content",
    "summary",
    "conclusion",
    "decision",
    "reason",
    "measure",
    "note",
];

/// The fields of a payload schema (`{"type": "null"}`: none).
pub fn fields_of(schema: &Value) -> Vec<Field> {
    let defs = schema.get("$defs").cloned().unwrap_or(Value::Null);
    let mut out = Vec::new();
    let (node, _) = resolve(schema, &defs);
    // An optional payload (`anyOf: [null, {...}]`) is its object's fields.
    let node = node
        .get("anyOf")
        .and_then(Value::as_array)
        .and_then(|v| v.iter().find(|s| s.get("type") != Some(&json!("null"))))
        .unwrap_or(node);
    if let Some(properties) = node.get("properties").and_then(Value::as_object) {
        let required = required_of(node);
        for (name, property) in properties {
            walk(property, &defs, name, required.contains(name), None, &mut out);
        }
    }
    // What must be filled in first, then the simple fields, lists, checkboxes, and
    // JSON last (the schema's properties come in name order, which says nothing).
    out.sort_by_key(|f| {
        let rank = match f.kind {
            Kind::Text { .. } | Kind::Date | Kind::Integer { .. } | Kind::Choice(_) => 0,
            Kind::Lines | Kind::Choices(_) => 1,
            Kind::Boolean => 2,
            Kind::Json { .. } => 3,
        };
        (!f.required, rank)
    });
    out
}

fn required_of(schema: &Value) -> Vec<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

fn walk(
    schema: &Value,
    defs: &Value,
    path: &str,
    required: bool,
    variant: Option<(String, Vec<String>)>,
    out: &mut Vec<Field>,
) {
    let (node, description) = resolve(schema, defs);
    let mut field = |kind: Kind, required: bool| {
        out.push(Field {
            path: path.to_owned(),
            kind,
            required,
            description: description.clone(),
            variant: variant.clone(),
        });
    };
    // `anyOf: [null, X]`: an optional X.
    if let Some(options) = node.get("anyOf").and_then(Value::as_array) {
        let others: Vec<&Value> = options
            .iter()
            .filter(|s| s.get("type") != Some(&json!("null")))
            .collect();
        if let [one] = others.as_slice() {
            walk(one, defs, path, false, variant, out);
        } else {
            field(
                Kind::Json {
                    example: "null".to_owned(),
                },
                required,
            );
        }
        return;
    }
    if let Some(values) = constants(node) {
        field(Kind::Choice(values), required);
        return;
    }
    if let Some(variants) = node.get("oneOf").and_then(Value::as_array) {
        if let Some(tag) = union_tag(variants, defs) {
            let tag_path = format!("{path}.{tag}");
            let values: Vec<String> = variants
                .iter()
                .filter_map(|v| v.pointer(&format!("/properties/{tag}/const")).and_then(Value::as_str))
                .map(str::to_owned)
                .collect();
            out.push(Field {
                path: tag_path.clone(),
                kind: Kind::Choice(values),
                required,
                description: description.clone(),
                variant: variant.clone(),
            });
            // Each other property once, for the variants that have it.
            let mut seen: Vec<(String, Value, Vec<String>, bool)> = Vec::new();
            for v in variants {
                let value = v
                    .pointer(&format!("/properties/{tag}/const"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let needed = required_of(v);
                for (name, property) in v.get("properties").and_then(Value::as_object).into_iter().flatten() {
                    if name == &tag {
                        continue;
                    }
                    match seen.iter_mut().find(|(n, ..)| n == name) {
                        Some(entry) => entry.2.push(value.clone()),
                        None => seen.push((
                            name.clone(),
                            property.clone(),
                            vec![value.clone()],
                            needed.contains(name),
                        )),
                    }
                }
            }
            for (name, property, values, needed) in seen {
                walk(
                    &property,
                    defs,
                    &format!("{path}.{name}"),
                    required && needed,
                    Some((tag_path.clone(), values)),
                    out,
                );
            }
            return;
        }
        field(
            Kind::Json {
                example: example(node, defs, 0).to_string(),
            },
            required,
        );
        return;
    }
    let (kinds, nullable) = types(node);
    let required = required && !nullable;
    let last = path.rsplit('.').next().unwrap_or(path);
    match kinds.as_slice() {
        ["string"] if node.get("format").and_then(Value::as_str) == Some("date") => field(Kind::Date, required),
        ["string"] => field(
            Kind::Text {
                long: LONG.contains(&last),
            },
            required,
        ),
        ["integer"] | ["number"] => field(
            Kind::Integer {
                minimum: node.get("minimum").and_then(Value::as_i64),
            },
            required,
        ),
        ["boolean"] => field(Kind::Boolean, required),
        ["object"] => match node.get("properties").and_then(Value::as_object) {
            Some(properties) if node.get("additionalProperties").is_none_or(|a| a == &json!(false)) => {
                let needed = required_of(node);
                for (name, property) in properties {
                    walk(
                        property,
                        defs,
                        &format!("{path}.{name}"),
                        required && needed.contains(name),
                        variant.clone(),
                        out,
                    );
                }
            }
            _ => field(
                Kind::Json {
                    example: example(node, defs, 0).to_string(),
                },
                required,
            ),
        },
        ["array"] => {
            let (items, _) = resolve(node.get("items").unwrap_or(&Value::Null), defs);
            let (item_kinds, _) = types(items);
            if let Some(values) = constants(items) {
                field(Kind::Choices(values), required);
            } else if item_kinds == ["string"] && items.get("format").is_none() {
                field(Kind::Lines, required);
            } else {
                field(
                    Kind::Json {
                        example: example(node, defs, 0).to_string(),
                    },
                    required,
                );
            }
        }
        _ => field(
            Kind::Json {
                example: example(node, defs, 0).to_string(),
            },
            required,
        ),
    }
}

/// The name of the property whose constant tells a `oneOf`'s object variants apart.
fn union_tag(variants: &[Value], defs: &Value) -> Option<String> {
    let first = resolve(variants.first()?, defs).0;
    let candidates = first.get("properties")?.as_object()?;
    candidates
        .iter()
        .filter(|(_, p)| p.get("const").is_some())
        .map(|(name, _)| name.clone())
        .find(|name| {
            variants.iter().all(|v| {
                resolve(v, defs)
                    .0
                    .pointer(&format!("/properties/{name}/const"))
                    .is_some()
            })
        })
}

/// An example value of `schema`, for the hint of a JSON field.
pub fn example(schema: &Value, defs: &Value, depth: usize) -> Value {
    let (node, _) = resolve(schema, defs);
    if depth > 6 {
        return Value::Null;
    }
    if let Some(values) = constants(node) {
        return values.first().map_or(Value::Null, |v| json!(v));
    }
    if let Some(first) = node
        .get("oneOf")
        .or_else(|| node.get("anyOf"))
        .and_then(Value::as_array)
        .and_then(|v| v.iter().find(|s| s.get("type") != Some(&json!("null"))))
    {
        return example(first, defs, depth + 1);
    }
    let (kinds, _) = types(node);
    match kinds.first().copied() {
        Some("string") if node.get("format").and_then(Value::as_str) == Some("date") => json!("2023-03-01"),
        Some("string") => json!("…"),
        Some("integer") | Some("number") => json!(1),
        Some("boolean") => json!(true),
        Some("array") => json!([example(node.get("items").unwrap_or(&Value::Null), defs, depth + 1)]),
        Some("object") => {
            let required = required_of(node);
            let mut object = Map::new();
            for (name, property) in node.get("properties").and_then(Value::as_object).into_iter().flatten() {
                if required.contains(name) {
                    object.insert(name.clone(), example(property, defs, depth + 1));
                }
            }
            Value::Object(object)
        }
        _ => Value::Null,
    }
}

/// The labels of a field's last path segment (`text` of `draft.text`): what a form
/// or `regula schema` calls it; an unknown name is its own label.
pub fn field_label(name: &str) -> Text {
    let (zh, en) = match name {
        "draft" => ("草稿", "Draft"),
        "text" => ("正文", "Text"),
        "procedural" => ("程序规范", "Procedural requirements"),
        "quality" => ("工作质量", "Quality requirements"),
        "criteria" => ("评价标准", "Evaluation criteria"),
        "sources" => ("来源", "Sources"),
        "not_a_copy_of_statute" => ("确认未照抄法条", "Not a copy of statutes"),
        "department" => ("责任部门", "Department"),
        "reason" => ("理由", "Reason"),
        "reasons" => ("理由", "Reasons"),
        "summary" => ("概要", "Summary"),
        "date" => ("日期", "Date"),
        "document_number" => ("文号", "Document number"),
        "meeting" => ("会议", "Meeting"),
        "present" => ("出席成员", "Members present"),
        "decision" => ("决定", "Decision"),
        "opinion" => ("意见", "Opinion"),
        "source" => ("来源", "Source"),
        "author" => ("提出人", "Author"),
        "content" => ("内容", "Content"),
        "response" => ("答复", "Response"),
        "note" => ("说明", "Note"),
        "evaluation" => ("评估", "Evaluation"),
        "version" => ("版本", "Version"),
        "scores" => ("各项评分", "Scores"),
        "conclusion" => ("结论", "Conclusion"),
        "inspection" => ("督导检查", "Inspection"),
        "findings" => ("发现的问题", "Findings"),
        "flags" => ("标记", "Flags"),
        "inspectors" => ("检查人员", "Inspectors"),
        "accepted_by" => ("验收单位", "Accepted by"),
        "reference" => ("文件编号", "Reference"),
        "acceptance" => ("验收", "Acceptance"),
        "cause" => ("原因", "Cause"),
        "kind" => ("类别", "Kind"),
        "period" => ("期间", "Period"),
        "finding" => ("问题序号", "Finding number"),
        "at" => ("办理时间", "When it happened"),
        other => (other, other),
    };
    Text::owned(zh, en)
}

/// The labels of a constant a choice offers (`frontline`: 一线干警 / frontline
/// officers), if it has any.
pub fn option_label(value: &str) -> Option<Text> {
    let as_json = json!(value);
    if let Ok(kind) = serde_json::from_value::<SourceKind>(as_json.clone()) {
        return Some(kind.label());
    }
    if let Ok(source) = serde_json::from_value::<OpinionSource>(as_json.clone()) {
        return Some(source.label());
    }
    if let Ok(flag) = serde_json::from_value::<InspectionFlag>(as_json) {
        return Some(flag.label());
    }
    let (zh, en) = match value {
        "adopted" => ("采纳", "adopted"),
        "not_adopted" => ("不予采纳", "not adopted"),
        "weak_results" => ("实施效果不佳", "weak results"),
        "gap" => ("存在空白", "a gap"),
        "finding" => ("督导检查发现问题", "an inspection finding"),
        _ => return None,
    };
    Some(Text::new(zh, en))
}

impl Field {
    /// The field's labels: each segment of its path labelled ([`field_label`]),
    /// joined with ` · `.
    pub fn label(&self) -> Text {
        let labels: Vec<Text> = self.path.split('.').map(field_label).collect();
        let join = |lang| {
            labels
                .iter()
                .map(|l| l.get(lang).to_owned())
                .collect::<Vec<_>>()
                .join(" · ")
        };
        Text::owned(join(regula_core::Lang::Zh), join(regula_core::Lang::En))
    }

    /// The name of its type, as `regula schema` prints it: `text`, `date`, `integer`,
    /// `boolean`, `choice`, `list` (of texts), `choices` (a list of choices) or `json`.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Text { .. } => "text",
            Kind::Date => "date",
            Kind::Integer { .. } => "integer",
            Kind::Boolean => "boolean",
            Kind::Choice(_) => "choice",
            Kind::Lines => "list",
            Kind::Choices(_) => "choices",
            Kind::Json { .. } => "json",
        }
    }

    /// An example value of the field, as JSON.
    pub fn example(&self) -> Value {
        match &self.kind {
            Kind::Text { .. } => json!("…"),
            Kind::Date => json!("2023-03-01"),
            Kind::Integer { minimum } => json!(minimum.unwrap_or(1).max(1)),
            Kind::Boolean => json!(true),
            Kind::Choice(values) => values.first().map_or(Value::Null, |v| json!(v)),
            Kind::Lines => json!(["…"]),
            Kind::Choices(values) => json!(values.iter().take(1).collect::<Vec<_>>()),
            Kind::Json { example } => serde_json::from_str(example).unwrap_or(Value::Null),
        }
    }

    /// Whether the field belongs in `payload`: always, unless it is a field of a tagged
    /// union's variant and the payload's tag names another variant (or none).
    pub fn applies(&self, payload: &Value) -> bool {
        match &self.variant {
            None => true,
            Some((tag, values)) => value_at(payload, tag)
                .and_then(Value::as_str)
                .is_some_and(|t| values.iter().any(|v| v == t)),
        }
    }
}

/// The fields of the payload of the action named `action` (of the standard lifecycle
/// or the rules log), from its schema ([`super::payload_schema`]); `None` for an
/// unknown action, an empty list for an action without fields.
pub fn action_fields(action: &str) -> Option<Vec<Field>> {
    super::payload_schema(action).map(|schema| fields_of(&schema))
}

/// The value at a dotted `path` of `payload`, if there is one.
pub fn value_at<'a>(payload: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(payload, |node, key| node.get(key))
}

/// The dotted paths of `payload` that are no field of `fields` nor inside one: what
/// serde would silently drop. A field read as JSON (a list of objects) is taken whole.
pub fn unknown_paths(fields: &[Field], payload: &Value) -> Vec<String> {
    fn visit(fields: &[Field], node: &Map<String, Value>, prefix: &str, out: &mut Vec<String>) {
        for (key, value) in node {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            if fields.iter().any(|f| f.path == path) {
                continue;
            }
            let parent = format!("{path}.");
            match value {
                Value::Object(inner) if fields.iter().any(|f| f.path.starts_with(&parent)) => {
                    visit(fields, inner, &path, out);
                }
                _ => out.push(path),
            }
        }
    }
    let mut out = Vec::new();
    if let Value::Object(root) = payload {
        visit(fields, root, "", &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(action: &str) -> Vec<Field> {
        action_fields(action).expect("a known action")
    }

    #[test]
    fn unknown_paths_name_what_serde_would_drop() {
        let respond = fields("respond_to_opinion");
        let payload = json!({"opinion": 1, "color": "blue",
            "response": {"decision": "adopted", "shade": 2}});
        assert_eq!(unknown_paths(&respond, &payload), ["color", "response.shade"]);
        assert!(unknown_paths(&respond, &json!({"opinion": 1, "response": {"decision": "adopted"}})).is_empty());
        // A field read as JSON is taken whole, whatever it holds.
        let draft = fields("open_consultation");
        assert!(unknown_paths(&draft, &json!({"draft": {"text": "t", "sources": [{"any": 1}]}})).is_empty());
        assert_eq!(unknown_paths(&draft, &json!({"draft": "whole"})), ["draft"]);
        assert!(unknown_paths(&draft, &Value::Null).is_empty());
    }

    #[test]
    fn a_variant_field_applies_to_its_variant_only() {
        let respond = fields("respond_to_opinion");
        let reason = respond.iter().find(|f| f.path == "response.reason").expect("reason");
        assert!(reason.applies(&json!({"response": {"decision": "not_adopted"}})));
        assert!(!reason.applies(&json!({"response": {"decision": "adopted"}})));
        assert!(!reason.applies(&json!({})));
        let opinion = respond.iter().find(|f| f.path == "opinion").expect("opinion");
        assert!(opinion.applies(&json!({})));
        assert_eq!(opinion.type_name(), "integer");
        assert_eq!(opinion.label().get(regula_core::Lang::Zh), "意见");
    }

    #[test]
    fn every_action_has_fields_with_labels_and_examples() {
        for (name, _) in super::super::action_schemas() {
            for field in fields(&name) {
                assert!(!field.example().is_null(), "{name} {}", field.path);
                assert!(!field.path.is_empty());
            }
        }
        assert!(action_fields("no_such_action").is_none());
        assert!(fields("close_consultation").is_empty());
    }
}
