//! An action's payload built from `KEY=VALUE` pairs, or a payload read as JSON checked,
//! by the fields of the action's payload schema ([`super::fields`], the walk the web
//! forms use): each value by its field's type, and every field that is not the
//! action's refused. `regula do` reads its arguments with it; the fuzz target
//! `payload_pairs` feeds it outside input (docs/fuzzing.md).

use regula_core::{Lang, Text};
use serde_json::{Map, Value};

use super::fields::{Field, Kind, option_label, unknown_paths, value_at};

/// A payload that does not fit its action's fields, said in zh and en.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", message.en)]
pub struct PayloadFieldsError {
    /// What was wrong, naming the field (and the action, for a value's error).
    pub message: Text,
}

/// A payload error with both texts as given.
fn said(zh: String, en: String) -> PayloadFieldsError {
    PayloadFieldsError {
        message: Text::owned(zh, en),
    }
}

/// `ACTION 的内容：` / `payload of ACTION: `, before an error about a value.
fn prefix(lang: Lang, action: &str) -> String {
    match lang {
        Lang::Zh => format!("{action} 的内容："),
        Lang::En => format!("payload of {action}: "),
    }
}

/// Builds the payload of `action` (whose fields are `fields`) from `KEY=VALUE` pairs.
/// A key is a field's dotted path (`meeting.date`), its value read by the field's
/// type: a text stays text (`reason=2023`; a JSON string `"…"` is unquoted), a whole
/// number is a number, a date is checked, a choice must be one of its values (or their
/// labels), a list takes a JSON array or one item per repetition of the key, anything
/// more complex is JSON. A key above fields (`draft`) takes a JSON object. No pairs:
/// `null`. Then [`check`]. Each error says in zh and en what was wrong and
/// names the field.
pub fn from_pairs(pairs: &[String], fields: &[Field], action: &str) -> Result<Value, PayloadFieldsError> {
    if pairs.is_empty() {
        check(&Value::Null, fields, action)?;
        return Ok(Value::Null);
    }
    let mut root = Map::new();
    for pair in pairs {
        let Some((key, raw)) = pair.split_once('=') else {
            return Err(said(
                format!("内容字段 {pair:?} 不是 KEY=VALUE 的形式（例如 department=立案庭）"),
                format!("payload field {pair:?} is not KEY=VALUE (for example department=立案庭)"),
            ));
        };
        if key.split('.').any(|p| p.trim().is_empty()) {
            return Err(said(
                format!("内容字段 {pair:?} 的名称有空的部分"),
                format!("payload field {pair:?} has an empty key"),
            ));
        }
        let twice = || {
            said(
                format!("内容字段 {pair:?} 重复给出"),
                format!("payload field {pair:?} is given twice"),
            )
        };
        if let Some(field) = fields.iter().find(|f| f.path == key) {
            let value = read(field, raw, action)?;
            let list = matches!(field.kind, Kind::Lines | Kind::Choices(_));
            match (value_at_mut(&mut root, key), value) {
                // A list's key given again adds items.
                (Some(Value::Array(items)), Value::Array(more)) if list => items.extend(more),
                (Some(_), _) => return Err(twice()),
                (None, value) => insert(&mut root, key, value, pair)?,
            }
            continue;
        }
        let parent = format!("{key}.");
        if fields.iter().any(|f| f.path.starts_with(&parent)) {
            // Fields above others take a whole object, checked field by field below.
            match serde_json::from_str::<Value>(raw) {
                Ok(object @ Value::Object(_)) => {
                    if value_at_mut(&mut root, key).is_some() {
                        return Err(twice());
                    }
                    insert(&mut root, key, object, pair)?;
                }
                _ => {
                    let inner: Vec<&str> = fields
                        .iter()
                        .filter(|f| f.path.starts_with(&parent))
                        .map(|f| f.path.as_str())
                        .collect();
                    return Err(said(
                        format!(
                            "{}{key} 由多个字段组成：请分别给出 {}，或给出一个 JSON 对象",
                            prefix(Lang::Zh, action),
                            inner.join("、")
                        ),
                        format!(
                            "{}{key} is made of fields: give {}, or a JSON object",
                            prefix(Lang::En, action),
                            inner.join(", ")
                        ),
                    ));
                }
            }
            continue;
        }
        return Err(unknown(fields, key, action));
    }
    let payload = Value::Object(root);
    check(&payload, fields, action)?;
    Ok(payload)
}

/// Checks a payload against the action's fields before the engine sees it: no field
/// the action does not have (serde would drop it silently, and the attempt would be
/// recorded without it), no field of another variant than the one chosen, every
/// required field given. What is left (a value of the wrong type in a JSON file) is
/// for serde to say.
pub fn check(payload: &Value, fields: &[Field], action: &str) -> Result<(), PayloadFieldsError> {
    if let Some(path) = unknown_paths(fields, payload).first() {
        return Err(unknown(fields, path, action));
    }
    if let Some(field) = fields
        .iter()
        .find(|f| !f.applies(payload) && value_at(payload, &f.path).is_some())
        && let Some((tag, values)) = &field.variant
    {
        return Err(said(
            format!(
                "{}{} 仅当 {tag} 为 {} 时给出",
                prefix(Lang::Zh, action),
                field.path,
                values.join("、")
            ),
            format!(
                "{}{} is given only when {tag} is {}",
                prefix(Lang::En, action),
                field.path,
                values.join(" or ")
            ),
        ));
    }
    let missing: Vec<&str> = fields
        .iter()
        .filter(|f| f.required && f.applies(payload) && value_at(payload, &f.path).is_none())
        .map(|f| f.path.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(said(
            format!(
                "{}缺少必填字段 {}（见 `regula schema {action}`）",
                prefix(Lang::Zh, action),
                missing.join("、")
            ),
            format!(
                "{}missing required field(s) {} (see `regula schema {action}`)",
                prefix(Lang::En, action),
                missing.join(", ")
            ),
        ));
    }
    Ok(())
}

/// The error for a field the action does not have, naming the fields it has.
fn unknown(fields: &[Field], path: &str, action: &str) -> PayloadFieldsError {
    if fields.is_empty() {
        return said(
            format!("{}没有字段 {path:?}：此操作不带内容字段", prefix(Lang::Zh, action)),
            format!(
                "{}unknown field {path:?}: this action takes no fields",
                prefix(Lang::En, action)
            ),
        );
    }
    let names: Vec<&str> = fields.iter().map(|f| f.path.as_str()).collect();
    said(
        format!(
            "{}没有字段 {path:?}；可用字段：{}（见 `regula schema {action}`）",
            prefix(Lang::Zh, action),
            names.join("、")
        ),
        format!(
            "{}unknown field {path:?}; its fields: {} (see `regula schema {action}`)",
            prefix(Lang::En, action),
            names.join(", ")
        ),
    )
}

/// One value, read by its field's type.
fn read(field: &Field, raw: &str, action: &str) -> Result<Value, PayloadFieldsError> {
    let path = &field.path;
    let bad = |zh: String, en: String| {
        said(
            format!("{}{zh}", prefix(Lang::Zh, action)),
            format!("{}{en}", prefix(Lang::En, action)),
        )
    };
    let choice = |values: &[String], text: &str| -> Result<Value, PayloadFieldsError> {
        // A value, or one of its labels in either language.
        let chosen = values.iter().find(|v| {
            *v == text || option_label(v).is_some_and(|l| l.get(Lang::Zh) == text || l.get(Lang::En) == text)
        });
        chosen.map(|v| Value::String(v.clone())).ok_or_else(|| {
            bad(
                format!("{path} 的值 {text:?} 不是可选值（{}）", values.join("、")),
                format!("{path}: {text:?} is not one of {}", values.join(", ")),
            )
        })
    };
    Ok(match &field.kind {
        // Text is text, even when it looks like a number; a JSON string is unquoted,
        // as earlier releases needed (`reason="2023"`).
        Kind::Text { .. } => match serde_json::from_str::<Value>(raw) {
            Ok(Value::String(text)) if raw.trim_start().starts_with('"') => Value::String(text),
            _ => Value::String(raw.to_owned()),
        },
        Kind::Date => match crate::court::parse_full_date(raw.trim()) {
            Some(_) => Value::String(raw.trim().to_owned()),
            None => {
                return Err(bad(
                    format!("{path} 的值 {raw:?} 不是日期（应为 2023-03-01 这样的格式）"),
                    format!("{path}: {raw:?} is not a date (expected e.g. 2023-03-01)"),
                ));
            }
        },
        Kind::Integer { minimum } => match raw.trim().parse::<i64>() {
            Ok(n) if minimum.is_none_or(|m| n >= m) => Value::from(n),
            _ => {
                let least = minimum.map_or(String::new(), |m| format!(" ≥ {m}"));
                return Err(bad(
                    format!("{path} 的值 {raw:?} 不是整数{least}"),
                    format!("{path}: {raw:?} is not a whole number{least}"),
                ));
            }
        },
        Kind::Boolean => match raw.trim() {
            "true" | "yes" | "是" => Value::Bool(true),
            "false" | "no" | "否" => Value::Bool(false),
            _ => {
                return Err(bad(
                    format!("{path} 的值 {raw:?} 应为 true 或 false"),
                    format!("{path}: {raw:?} is neither true nor false"),
                ));
            }
        },
        Kind::Choice(values) => choice(values, raw.trim())?,
        Kind::Lines | Kind::Choices(_) => {
            let items: Vec<String> = match serde_json::from_str::<Value>(raw) {
                Ok(Value::Array(items)) => items
                    .into_iter()
                    .map(|item| match item {
                        Value::String(s) => Ok(s),
                        other => Err(bad(
                            format!("{path} 是文本列表，其中 {other} 不是文本"),
                            format!("{path} is a list of texts; {other} is not text"),
                        )),
                    })
                    .collect::<Result<_, _>>()?,
                _ => vec![raw.to_owned()],
            };
            match &field.kind {
                Kind::Choices(values) => Value::Array(
                    items
                        .iter()
                        .map(|item| choice(values, item.trim()))
                        .collect::<Result<_, _>>()?,
                ),
                _ => Value::Array(items.into_iter().map(Value::String).collect()),
            }
        }
        Kind::Json { example } => serde_json::from_str(raw).map_err(|e| {
            bad(
                format!("{path} 的值应为 JSON（例如 {example}）：{e}"),
                format!("{path}: expected JSON (e.g. {example}): {e}"),
            )
        })?,
    })
}

/// The value at a dotted path of `map`, mutable, if there is one.
fn value_at_mut<'a>(map: &'a mut Map<String, Value>, path: &str) -> Option<&'a mut Value> {
    let (head, rest) = match path.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    };
    let value = map.get_mut(head)?;
    match rest {
        None => Some(value),
        Some(rest) => match value {
            Value::Object(inner) => value_at_mut(inner, rest),
            _ => None,
        },
    }
}

/// Sets `value` at the dotted `path` of `map`, building the objects on the way.
fn insert(map: &mut Map<String, Value>, path: &str, value: Value, pair: &str) -> Result<(), PayloadFieldsError> {
    match path.split_once('.') {
        None => {
            map.insert(path.to_owned(), value);
            Ok(())
        }
        Some((head, rest)) => match map.entry(head.to_owned()).or_insert_with(|| Value::Object(Map::new())) {
            Value::Object(inner) => insert(inner, rest, value, pair),
            _ => Err(said(
                format!("内容字段 {pair:?} 嵌套在一个不是对象的值中"),
                format!("payload field {pair:?} nests inside a value that is not an object"),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::fields::action_fields;
    use serde_json::json;

    fn build(action: &str, pairs: &[&str]) -> Result<Value, String> {
        let fields = action_fields(action).unwrap();
        let pairs: Vec<String> = pairs.iter().map(|p| (*p).to_owned()).collect();
        from_pairs(&pairs, &fields, action).map_err(|e| e.to_string())
    }

    #[test]
    fn values_are_read_by_their_field_s_type() {
        assert_eq!(
            build(
                "respond_to_opinion",
                &["opinion=2", "response.decision=not_adopted", "response.reason=2023"]
            )
            .unwrap(),
            json!({"opinion": 2, "response": {"decision": "not_adopted", "reason": "2023"}})
        );
        // A quoted text, as earlier releases needed, is the same text.
        assert_eq!(
            build(
                "respond_to_opinion",
                &["opinion=1", "response.decision=not_adopted", "response.reason=\"2023\""]
            )
            .unwrap()["response"]["reason"],
            "2023"
        );
        // A choice by its label; a list by repetition or as a JSON array.
        assert_eq!(
            build(
                "record_opinion",
                &[
                    "opinion.source=一线审判办案人员",
                    "opinion.author=a",
                    "opinion.content=b"
                ]
            )
            .unwrap()["opinion"]["source"],
            "frontline"
        );
        let approve = build(
            "approve",
            &[
                "meeting.date=2023-04-01",
                "meeting.present=陈伟",
                "meeting.present=厉彦杰",
                "meeting.decision=审议通过",
            ],
        )
        .unwrap();
        assert_eq!(approve["meeting"]["present"], json!(["陈伟", "厉彦杰"]));
        let approve = build(
            "approve",
            &[
                "meeting.date=2023-04-01",
                "meeting.present=[\"陈伟\",\"厉彦杰\"]",
                "meeting.decision=审议通过",
            ],
        )
        .unwrap();
        assert_eq!(approve["meeting"]["present"], json!(["陈伟", "厉彦杰"]));
        assert_eq!(build("start_drafting", &[]).unwrap(), Value::Null);
    }

    #[test]
    fn bad_values_and_unknown_fields_are_named() {
        let e = build("respond_to_opinion", &["opinion=first", "response.decision=adopted"]).unwrap_err();
        assert!(e.contains("opinion: \"first\" is not a whole number"), "{e}");
        let e = build(
            "respond_to_opinion",
            &["opinion=1", "response.decision=adopted", "color=blue"],
        )
        .unwrap_err();
        assert!(
            e.contains("unknown field \"color\"; its fields: opinion, response.decision, response.reason"),
            "{e}"
        );
        let e = build("close_consultation", &["summary=a"]).unwrap_err();
        assert!(e.contains("this action takes no fields"), "{e}");
        let e = build("publish", &["document_number=x", "date=2023-02-30"]).unwrap_err();
        assert!(e.contains("date: \"2023-02-30\" is not a date"), "{e}");
        let e = build(
            "respond_to_opinion",
            &["opinion=1", "response.decision=adopted", "response.reason=x"],
        )
        .unwrap_err();
        assert!(
            e.contains("response.reason is given only when response.decision is not_adopted"),
            "{e}"
        );
        let e = build("respond_to_opinion", &["opinion=1"]).unwrap_err();
        assert!(e.contains("missing required field(s) response.decision"), "{e}");
        let e = build("respond_to_opinion", &["opinion=1", "opinion=2"]).unwrap_err();
        assert!(e.contains("is given twice"), "{e}");
        let e = build("record_opinion", &["opinion=3"]).unwrap_err();
        assert!(e.contains("opinion is made of fields"), "{e}");
        assert!(
            build("start_drafting", &["nokey"])
                .unwrap_err()
                .contains("is not KEY=VALUE")
        );
        assert!(build("start_drafting", &["a..b=1"]).unwrap_err().contains("empty key"));
    }
}
