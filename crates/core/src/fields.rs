//! Payload schemas: the typed fields an action's payload (or an instance's creation
//! data) may carry, checked when a definition file declares them.
//!
//! A [`FieldSchema`] is a list of [`Field`]s. [`FieldSchema::check`] judges a JSON
//! value against it and names every field that is wrong, in both languages: a required
//! field that is missing (or `null`), a field the schema does not declare (with the
//! closest declared name), a value of the wrong type, a text outside its length limits,
//! a value outside an enumeration. A payload of `null` counts as an empty table.

use std::fmt;

use serde_json::Value;

use crate::label::Text;

/// The type of a field's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// A string, optionally limited in length (in characters).
    Text {
        /// The fewest characters allowed.
        min_length: Option<usize>,
        /// The most characters allowed.
        max_length: Option<usize>,
    },
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Bool,
    /// A calendar date written `YYYY-MM-DD`.
    Date,
    /// One string of a fixed list.
    Enumeration(Vec<String>),
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldType::Text { .. } => f.write_str("text"),
            FieldType::Integer => f.write_str("integer"),
            FieldType::Number => f.write_str("number"),
            FieldType::Bool => f.write_str("bool"),
            FieldType::Date => f.write_str("date"),
            FieldType::Enumeration(_) => f.write_str("enumeration"),
        }
    }
}

/// The type names a definition file may write, in the order documentation lists them.
pub const FIELD_TYPES: &[&str] = &["text", "integer", "number", "bool", "date", "enumeration"];

/// One field of a schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// The field's name (a top-level key of the payload).
    pub name: String,
    /// Its type.
    pub kind: FieldType,
    /// Whether it must be present and not `null`.
    pub required: bool,
}

/// The fields a payload may carry; any other field is refused.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSchema {
    fields: Vec<Field>,
}

/// One thing wrong with a value checked against a [`FieldSchema`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field (empty when the value as a whole is not a table).
    pub field: String,
    /// What is wrong, in both languages.
    pub message: Text,
}

impl FieldSchema {
    /// A schema of these fields, in this order.
    pub fn new(fields: Vec<Field>) -> Self {
        FieldSchema { fields }
    }

    /// The fields, in declaration order.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Every problem of `value` against the schema, in field order, then the fields
    /// the schema does not declare; empty when the value conforms.
    pub fn check(&self, value: &Value) -> Vec<FieldProblem> {
        let empty = serde_json::Map::new();
        let object = match value {
            Value::Object(o) => o,
            Value::Null => &empty,
            _ => {
                return vec![FieldProblem {
                    field: String::new(),
                    message: Text::new("数据须为字段表", "the data must be a table of fields"),
                }];
            }
        };
        let mut problems = Vec::new();
        for field in &self.fields {
            let name = &field.name;
            match object.get(name) {
                None | Some(Value::Null) => {
                    if field.required {
                        problems.push(FieldProblem {
                            field: name.clone(),
                            message: Text::owned(
                                format!("缺少必填字段 {name}"),
                                format!("required field {name} is missing"),
                            ),
                        });
                    }
                }
                Some(v) => {
                    if let Some(message) = check_value(name, &field.kind, v) {
                        problems.push(FieldProblem {
                            field: name.clone(),
                            message,
                        });
                    }
                }
            }
        }
        for key in object.keys() {
            if self.field(key).is_none() {
                let hint = crate::suggest::did_you_mean(key, self.fields.iter().map(|f| f.name.as_str()));
                let zh_hint = crate::suggest::closest(key, self.fields.iter().map(|f| f.name.as_str()))
                    .map_or_else(String::new, |c| format!("；是否应为 {c}？"));
                problems.push(FieldProblem {
                    field: key.clone(),
                    message: Text::owned(
                        format!("未声明的字段 {key}{zh_hint}"),
                        format!("field {key} is not declared{hint}"),
                    ),
                });
            }
        }
        problems
    }
}

fn check_value(name: &str, kind: &FieldType, v: &Value) -> Option<Text> {
    let wrong = |zh: &str, en: &str| {
        Some(Text::owned(
            format!("字段 {name} 须为{zh}"),
            format!("field {name} must be {en}"),
        ))
    };
    match kind {
        FieldType::Text { min_length, max_length } => {
            let Some(s) = v.as_str() else {
                return wrong("文本", "text");
            };
            let n = s.chars().count();
            if let Some(max) = max_length.filter(|&m| n > m) {
                return Some(Text::owned(
                    format!("字段 {name} 最多 {max} 个字符，实为 {n} 个"),
                    format!("field {name} is at most {max} characters long; it has {n}"),
                ));
            }
            if let Some(min) = min_length.filter(|&m| n < m) {
                return Some(Text::owned(
                    format!("字段 {name} 至少 {min} 个字符，实为 {n} 个"),
                    format!("field {name} is at least {min} characters long; it has {n}"),
                ));
            }
            None
        }
        FieldType::Integer => {
            let whole = v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0);
            if whole { None } else { wrong("整数", "a whole number") }
        }
        FieldType::Number => {
            if v.is_number() {
                None
            } else {
                wrong("数字", "a number")
            }
        }
        FieldType::Bool => {
            if v.is_boolean() {
                None
            } else {
                wrong("是或否（true/false）", "true or false")
            }
        }
        FieldType::Date => {
            let ok = v
                .as_str()
                .is_some_and(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() && s.len() == 10);
            if ok {
                None
            } else {
                wrong("日期（YYYY-MM-DD）", "a date written YYYY-MM-DD")
            }
        }
        FieldType::Enumeration(values) => {
            if v.as_str().is_some_and(|s| values.iter().any(|x| x == s)) {
                None
            } else {
                let list = values.join(", ");
                wrong(&format!("以下之一：{}", values.join("、")), &format!("one of {list}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> FieldSchema {
        FieldSchema::new(vec![
            Field {
                name: "title".into(),
                kind: FieldType::Text {
                    min_length: Some(2),
                    max_length: Some(5),
                },
                required: true,
            },
            Field {
                name: "pages".into(),
                kind: FieldType::Integer,
                required: false,
            },
            Field {
                name: "share".into(),
                kind: FieldType::Number,
                required: false,
            },
            Field {
                name: "urgent".into(),
                kind: FieldType::Bool,
                required: false,
            },
            Field {
                name: "due".into(),
                kind: FieldType::Date,
                required: false,
            },
            Field {
                name: "kind".into(),
                kind: FieldType::Enumeration(vec!["product".into(), "method".into()]),
                required: false,
            },
        ])
    }

    fn messages(v: Value) -> Vec<String> {
        schema()
            .check(&v)
            .into_iter()
            .map(|p| p.message.en.into_owned())
            .collect::<Vec<_>>()
    }

    #[test]
    fn conforming_values_pass() {
        assert!(messages(json!({"title": "abc"})).is_empty());
        let all = json!({"title": "abcde", "pages": 3, "share": 0.5, "urgent": true, "due": "2024-02-29", "kind": "method", "pages2": null});
        assert_eq!(messages(all), ["field pages2 is not declared; did you mean \"pages\"?"]);
    }

    #[test]
    fn every_problem_names_its_field() {
        assert_eq!(messages(json!(null)), ["required field title is missing"]);
        assert_eq!(messages(json!([1])), ["the data must be a table of fields"]);
        assert_eq!(messages(json!({"title": 3})), ["field title must be text"]);
        assert_eq!(
            messages(json!({"title": "abcdef"})),
            ["field title is at most 5 characters long; it has 6"]
        );
        assert_eq!(
            messages(json!({"title": "a"})),
            ["field title is at least 2 characters long; it has 1"]
        );
        assert_eq!(
            messages(json!({"title": "ab", "pages": 1.5})),
            ["field pages must be a whole number"]
        );
        assert_eq!(
            messages(json!({"title": "ab", "share": "x"})),
            ["field share must be a number"]
        );
        assert_eq!(
            messages(json!({"title": "ab", "urgent": "yes"})),
            ["field urgent must be true or false"]
        );
        assert_eq!(
            messages(json!({"title": "ab", "due": "2023-02-29"})),
            ["field due must be a date written YYYY-MM-DD"]
        );
        assert_eq!(
            messages(json!({"title": "ab", "kind": "guide"})),
            ["field kind must be one of product, method"]
        );
        assert_eq!(
            messages(json!({"titel": "ab"})),
            [
                "required field title is missing",
                "field titel is not declared; did you mean \"title\"?"
            ]
        );
        assert_eq!(
            schema().check(&json!({"titel": "ab"}))[1].message.zh,
            "未声明的字段 titel；是否应为 title？"
        );
    }
}
