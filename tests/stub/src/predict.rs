//! The predict API's request and response bodies, computing half_plus_two
//! (y = 0.5·x + 2, in DT_FLOAT) element-wise for every model.

use serde_json::{Map, Value};

/// Answers a `:predict` body: `{"instances": [...]}` (row format) gives
/// `{"predictions": [...]}`, `{"inputs": ...}` (columnar) gives `{"outputs": ...}`.
/// An error is TF Serving's message for a 400.
pub fn respond(body: &[u8]) -> Result<Value, String> {
    let req: Value = serde_json::from_slice(body)
        .map_err(|e| format!("JSON Parse error: {e}. at offset: {}", offset(body, &e)))?;
    let Value::Object(obj) = req else {
        return Err("JSON Value: not an object is not of expected type: object".into());
    };
    if let Some(s) = obj.get("signature_name") {
        if !s.is_string() {
            return Err("'signature_name' key must be a string value.".into());
        }
    }
    match (obj.get("instances"), obj.get("inputs")) {
        (Some(_), Some(_)) => Err("Not formatted correctly expecting only one of 'inputs' or \
                                   'instances' keys exclusively"
            .into()),
        (None, None) => Err("Missing 'inputs' or 'instances' key".into()),
        (Some(Value::Array(rows)), None) => {
            let out = rows
                .iter()
                .map(unwrap_named)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Object(Map::from_iter([(
                "predictions".to_string(),
                Value::Array(out),
            )])))
        }
        (Some(_), None) => Err("Expecting 'instances' to be an list/array".into()),
        (None, Some(inputs)) => Ok(Value::Object(Map::from_iter([(
            "outputs".to_string(),
            unwrap_named(inputs)?,
        )]))),
    }
}

/// half_plus_two has a single input: a named input `{"x": v}` means `v`.
fn unwrap_named(v: &Value) -> Result<Value, String> {
    match v {
        Value::Object(m) if m.len() == 1 => half_plus_two(m.values().next().unwrap()),
        Value::Object(m) => Err(format!(
            "Expected exactly one named input, got {}",
            m.keys().cloned().collect::<Vec<_>>().join(", ")
        )),
        other => half_plus_two(other),
    }
}

/// Maps y = 0.5·x + 2 over any nesting of arrays of numbers.
pub fn half_plus_two(v: &Value) -> Result<Value, String> {
    match v {
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(f64::NAN) as f32;
            Ok(float(0.5 * x + 2.0))
        }
        Value::Array(items) => items
            .iter()
            .map(half_plus_two)
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Err(format!(
            "JSON Value: {other} Type: {} is not of expected type: float",
            type_name(other)
        )),
    }
}

/// A DT_FLOAT printed the shortest way, as TF Serving does (2.05, not 2.049999952).
fn float(y: f32) -> Value {
    let shortest: f64 = y.to_string().parse().unwrap_or(f64::from(y));
    serde_json::Number::from_f64(shortest)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "Null",
        Value::Bool(_) => "Bool",
        Value::Number(_) => "Number",
        Value::String(_) => "String",
        Value::Array(_) => "Array",
        Value::Object(_) => "Object",
    }
}

fn offset(body: &[u8], e: &serde_json::Error) -> usize {
    let text = String::from_utf8_lossy(body);
    let line_start: usize = text
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum();
    line_start + e.column().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(body: Value) -> Value {
        respond(body.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn row_format() {
        let out = ok(json!({"instances": [1.0, 2.0, 5.0]}));
        assert_eq!(out, json!({"predictions": [2.5, 3.0, 4.5]}));
        assert_eq!(out.to_string(), r#"{"predictions":[2.5,3.0,4.5]}"#);
    }

    #[test]
    fn columnar_and_nesting() {
        assert_eq!(
            ok(json!({"inputs": [[1], [2]]})),
            json!({"outputs": [[2.5], [3.0]]})
        );
        assert_eq!(ok(json!({"inputs": {"x": [0]}})), json!({"outputs": [2.0]}));
        assert_eq!(ok(json!({"inputs": 4})), json!({"outputs": 4.0}));
        assert_eq!(
            ok(json!({"signature_name": "serving_default", "instances": [{"x": -4}]})),
            json!({"predictions": [0.0]})
        );
    }

    #[test]
    fn float_precision_is_dt_float() {
        assert_eq!(
            ok(json!({"instances": [0.1]})).to_string(),
            r#"{"predictions":[2.05]}"#
        );
    }

    #[test]
    fn errors() {
        assert!(respond(b"{not json")
            .unwrap_err()
            .contains("JSON Parse error"));
        assert!(respond(b"[1]").is_err());
        assert_eq!(
            respond(b"{}").unwrap_err(),
            "Missing 'inputs' or 'instances' key"
        );
        assert!(respond(br#"{"instances": 1}"#)
            .unwrap_err()
            .contains("list/array"));
        assert!(respond(br#"{"instances": [1], "inputs": [1]}"#).is_err());
        assert!(respond(br#"{"instances": ["a"]}"#)
            .unwrap_err()
            .contains("String"));
        assert!(respond(br#"{"instances": [[1, null]]}"#).is_err());
        assert!(respond(br#"{"instances": [{"a": 1, "b": 2}]}"#).is_err());
        assert!(respond(br#"{"instances": [1], "signature_name": 3}"#).is_err());
    }
}
