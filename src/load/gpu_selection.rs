use std::borrow::Cow;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

/// `[placement].gpus`: which GPUs the fleet uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum GpuSelection {
    /// Every GPU the inventory finds.
    All,
    /// CPU mode: no GPU at all.
    None,
    /// The first N GPUs of the inventory.
    First(i64),
    /// These GPUs, by index or UUID.
    List(Vec<GpuReference>),
}

/// One GPU named in fleet.toml: an index or a `GPU-<uuid>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum GpuReference {
    Index(i64),
    Uuid(String),
}

impl fmt::Display for GpuReference {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GpuReference::Index(index) => write!(formatter, "{index}"),
            GpuReference::Uuid(uuid) => formatter.write_str(uuid),
        }
    }
}

const EXPECTED: &str = r#""all", "none", a count, or a list of GPU indices or UUIDs"#;

impl<'de> Deserialize<'de> for GpuSelection {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SelectionVisitor;
        impl<'de> Visitor<'de> for SelectionVisitor {
            type Value = GpuSelection;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str(EXPECTED)
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<GpuSelection, E> {
                match value {
                    "all" => Ok(GpuSelection::All),
                    "none" => Ok(GpuSelection::None),
                    other => Err(E::invalid_value(de::Unexpected::Str(other), &self)),
                }
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<GpuSelection, E> {
                Ok(GpuSelection::First(value))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<GpuSelection, A::Error> {
                let mut list = Vec::new();
                while let Some(item) = seq.next_element::<GpuReference>()? {
                    list.push(item);
                }
                Ok(GpuSelection::List(list))
            }
        }
        deserializer.deserialize_any(SelectionVisitor)
    }
}

impl<'de> Deserialize<'de> for GpuReference {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ReferenceVisitor;
        impl<'de> Visitor<'de> for ReferenceVisitor {
            type Value = GpuReference;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a GPU index or a \"GPU-<uuid>\" string")
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<GpuReference, E> {
                Ok(GpuReference::Index(value))
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<GpuReference, E> {
                Ok(GpuReference::Uuid(value.to_string()))
            }
        }
        deserializer.deserialize_any(ReferenceVisitor)
    }
}

impl JsonSchema for GpuSelection {
    fn schema_name() -> Cow<'static, str> {
        "GpuSelection".into()
    }
    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "\"all\", \"none\" (CPU mode), the first N GPUs, or a list of GPU indices or UUIDs",
            "oneOf": [
                { "type": "string", "enum": ["all", "none"] },
                { "type": "integer", "minimum": 1, "maximum": 64 },
                { "type": "array", "items": { "type": "integer", "minimum": 0 }, "minItems": 1, "uniqueItems": true },
                { "type": "array", "items": { "type": "string", "pattern": "^(GPU|MIG)-" }, "minItems": 1, "uniqueItems": true }
            ]
        })
    }
}

impl JsonSchema for GpuReference {
    fn schema_name() -> Cow<'static, str> {
        "GpuReference".into()
    }
    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A GPU index or a \"GPU-<uuid>\"",
            "oneOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": "^(GPU|MIG)-" }
            ]
        })
    }
}
