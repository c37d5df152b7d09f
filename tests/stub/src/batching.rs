//! `--batching_parameters_file`: TF Serving's BatchingParameters text proto
//! (servables/tensorflow/session_bundle_config.proto), parsed as strictly as
//! protobuf's TextFormat does: an unknown field, a wrong shape or a bad
//! number is an error that stops the server at start. The stub does not
//! batch; it only checks and logs the values.

use crate::textproto::{self, Message, Value};

/// The wrapper-typed fields (`name { value: N }`): Int64Value unless noted.
const WRAPPED: &[(&str, Kind)] = &[
    ("max_batch_size", Kind::Int),
    ("batch_timeout_micros", Kind::Int),
    ("max_enqueued_batches", Kind::Int),
    ("num_batch_threads", Kind::Int),
    ("thread_pool_name", Kind::Str),
    ("enable_large_batch_splitting", Kind::Bool),
    ("max_execution_batch_size", Kind::Int),
];

/// The plain fields (`name: v`): repeated int64 allowed_batch_sizes, bool pad.
const PLAIN: &[(&str, Kind)] = &[
    ("allowed_batch_sizes", Kind::Int),
    ("pad_variable_length_inputs", Kind::Bool),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Int,
    Str,
    Bool,
}

/// The parsed parameters as `name=value` pairs, in file order.
pub type Parameters = Vec<(String, String)>;

const TYPE: &str = "tensorflow.serving.BatchingParameters";

/// Parses the file's text; the error is protobuf's TextFormat complaint.
pub fn parse(text: &str) -> Result<Parameters, String> {
    let root =
        textproto::parse(text).map_err(|e| format!("Error parsing text-format {TYPE}: {e}"))?;
    let mut out = Vec::new();
    for (name, value) in &root.fields {
        let wrapped = WRAPPED.iter().find(|(n, _)| n == name);
        let plain = PLAIN.iter().find(|(n, _)| n == name);
        let v = match (wrapped, plain, value) {
            (Some((_, kind)), _, Value::Message(m)) => wrapper(name, *kind, m)?,
            (_, Some((_, kind)), Value::Scalar(s)) => scalar(name, *kind, s)?,
            (None, None, _) => {
                return Err(format!(
                    "Error parsing text-format {TYPE}: Message type \"{TYPE}\" has no field \
                     named \"{name}\"."
                ))
            }
            _ => {
                return Err(format!(
                    "Error parsing text-format {TYPE}: field \"{name}\" has the wrong shape \
                     (expected {})",
                    if wrapped.is_some() {
                        "`{ value: ... }`"
                    } else {
                        "`: value`"
                    }
                ))
            }
        };
        out.push((name.clone(), v));
    }
    Ok(out)
}

/// `{ value: v }` of a google.protobuf wrapper type.
fn wrapper(field: &str, kind: Kind, m: &Message) -> Result<String, String> {
    let mut value = None;
    for (name, v) in &m.fields {
        match (name.as_str(), v) {
            ("value", Value::Scalar(s)) => value = Some(scalar(field, kind, s)?),
            _ => {
                let wrapper = match kind {
                    Kind::Int => "Int64Value",
                    Kind::Str => "StringValue",
                    Kind::Bool => "BoolValue",
                };
                return Err(format!(
                    "Error parsing text-format {TYPE}: Message type \
                     \"google.protobuf.{wrapper}\" has no field named \"{name}\"."
                ));
            }
        }
    }
    Ok(value.unwrap_or_default())
}

fn scalar(field: &str, kind: Kind, s: &str) -> Result<String, String> {
    let ok = match kind {
        Kind::Int => s.parse::<i64>().is_ok(),
        Kind::Bool => matches!(
            s,
            "true" | "false" | "True" | "False" | "t" | "f" | "1" | "0"
        ),
        Kind::Str => true,
    };
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "Error parsing text-format {TYPE}: Expected {} for field \"{field}\", got \"{s}\".",
            match kind {
                Kind::Int => "integer",
                Kind::Bool => "identifier",
                Kind::Str => "string",
            }
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tf_serving_example() {
        let p = parse(
            "max_batch_size { value: 32 }\nbatch_timeout_micros { value: 1000 }\n\
             max_enqueued_batches { value: 100 }\nnum_batch_threads { value: 4 }\n\
             allowed_batch_sizes: 8\nallowed_batch_sizes: 32\npad_variable_length_inputs: true\n\
             thread_pool_name { value: 'pool' } enable_large_batch_splitting { value: false }\n\
             max_execution_batch_size { value: 16 }",
        )
        .unwrap();
        assert_eq!(p[0], ("max_batch_size".into(), "32".into()));
        assert_eq!(p[5], ("allowed_batch_sizes".into(), "32".into()));
        assert_eq!(p.len(), 10);
        assert_eq!(parse("").unwrap(), Vec::new());
    }

    #[test]
    fn unknown_fields_and_bad_values_are_errors() {
        let e = parse("max_batch_size { value: 32 }\nmax_batch_sise { value: 1 }").unwrap_err();
        assert!(e.contains("has no field named \"max_batch_sise\""), "{e}");
        assert!(parse("max_batch_size { value: 32 unit: 1 }")
            .unwrap_err()
            .contains("Int64Value\" has no field named \"unit\""));
        assert!(parse("max_batch_size: 32").unwrap_err().contains("shape"));
        assert!(parse("allowed_batch_sizes { value: 8 }").is_err());
        assert!(parse("max_batch_size { value: many }")
            .unwrap_err()
            .contains("integer"));
        assert!(parse("pad_variable_length_inputs: maybe").is_err());
        assert!(parse("max_batch_size {").is_err());
    }
}
