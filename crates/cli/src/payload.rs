//! Building an action's payload from `KEY=VALUE` arguments or a JSON file.

use serde_json::{Map, Value};

use crate::ctx::CliError;

/// Builds a JSON payload from `KEY=VALUE` pairs. A value that parses as JSON (a number,
/// `true`, an array, an object, a quoted string) is taken as JSON, anything else as
/// text; a dotted key (`meeting.date`) builds nested objects. No pairs: `null`.
pub fn from_fields(fields: &[String]) -> Result<Value, CliError> {
    if fields.is_empty() {
        return Ok(Value::Null);
    }
    let mut root = Map::new();
    for field in fields {
        let Some((key, raw)) = field.split_once('=') else {
            return Err(CliError::Usage(format!(
                "payload field {field:?} is not KEY=VALUE (for example department=立案庭)"
            )));
        };
        let value = serde_json::from_str::<Value>(raw).unwrap_or_else(|_| Value::String(raw.to_owned()));
        let path: Vec<&str> = key.split('.').collect();
        if path.iter().any(|p| p.trim().is_empty()) {
            return Err(CliError::Usage(format!("payload field {field:?} has an empty key")));
        }
        insert(&mut root, &path, value, field)?;
    }
    Ok(Value::Object(root))
}

fn insert(map: &mut Map<String, Value>, path: &[&str], value: Value, field: &str) -> Result<(), CliError> {
    match path {
        [] => Ok(()),
        [last] => {
            if map.insert((*last).to_owned(), value).is_some() {
                return Err(CliError::Usage(format!("payload field {field:?} is given twice")));
            }
            Ok(())
        }
        [first, rest @ ..] => {
            let entry = map
                .entry((*first).to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            match entry {
                Value::Object(inner) => insert(inner, rest, value, field),
                _ => Err(CliError::Usage(format!(
                    "payload field {field:?} nests inside a value that is not an object"
                ))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_build_nested_json() {
        let v = from_fields(&[
            "meeting.date=2023-04-01".into(),
            "meeting.present=[\"陈伟\",\"厉彦杰\"]".into(),
            "meeting.decision=审议通过".into(),
            "count=3".into(),
        ])
        .unwrap();
        assert_eq!(
            v,
            json!({"meeting": {"date": "2023-04-01", "present": ["陈伟", "厉彦杰"], "decision": "审议通过"}, "count": 3})
        );
        assert_eq!(from_fields(&[]).unwrap(), Value::Null);
    }

    #[test]
    fn bad_fields_are_usage_errors() {
        assert!(
            from_fields(&["nokey".into()])
                .unwrap_err()
                .to_string()
                .contains("is not KEY=VALUE")
        );
        assert!(
            from_fields(&["a=1".into(), "a=2".into()])
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
        assert!(
            from_fields(&["a=1".into(), "a.b=2".into()])
                .unwrap_err()
                .to_string()
                .contains("not an object")
        );
        assert!(
            from_fields(&["a..b=1".into()])
                .unwrap_err()
                .to_string()
                .contains("empty key")
        );
    }
}
