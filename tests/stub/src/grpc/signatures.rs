//! half_plus_two's SignatureDefs as protos, read from the same embedded
//! metadata document the REST API answers, so both protocols describe one
//! model.

use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;
use tfs_proto::serving::SignatureDefMap;
use tfs_proto::tensorflow::tensor_info::Encoding;
use tfs_proto::tensorflow::tensor_shape_proto::Dim;
use tfs_proto::tensorflow::{SignatureDef, TensorInfo};
use tfs_proto::{DataType, TensorShapeProto};

/// TF Serving's name for the signature used when a request names none.
pub const DEFAULT_SIGNATURE: &str = "serving_default";

/// Every model's signatures (every model is half_plus_two here).
pub fn signatures() -> &'static SignatureDefMap {
    static MAP: OnceLock<SignatureDefMap> = OnceLock::new();
    MAP.get_or_init(|| {
        let doc: Value = serde_json::from_str(crate::rest::METADATA).expect("metadata is JSON");
        let defs = doc["metadata"]["signature_def"]["signature_def"]
            .as_object()
            .expect("metadata lists signature_def");
        SignatureDefMap {
            signature_def: defs
                .iter()
                .map(|(name, def)| (name.clone(), signature(def)))
                .collect(),
        }
    })
}

fn signature(def: &Value) -> SignatureDef {
    SignatureDef {
        inputs: tensor_infos(&def["inputs"]),
        outputs: tensor_infos(&def["outputs"]),
        method_name: def["method_name"].as_str().unwrap_or_default().to_string(),
        defaults: HashMap::new(),
    }
}

fn tensor_infos(map: &Value) -> HashMap<String, TensorInfo> {
    let Some(map) = map.as_object() else {
        return HashMap::new();
    };
    map.iter()
        .map(|(alias, info)| {
            let dtype = info["dtype"].as_str().unwrap_or_default();
            let shape = &info["tensor_shape"];
            let dims = shape["dim"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            let info = TensorInfo {
                encoding: info["name"].as_str().map(|n| Encoding::Name(n.to_string())),
                dtype: DataType::from_str_name(dtype).unwrap_or(DataType::DtInvalid) as i32,
                tensor_shape: Some(TensorShapeProto {
                    dim: dims
                        .iter()
                        .map(|d| Dim {
                            // The JSON mapping writes int64 as a string.
                            size: d["size"]
                                .as_str()
                                .and_then(|s| s.parse().ok())
                                .unwrap_or(-1),
                            name: d["name"].as_str().unwrap_or_default().to_string(),
                        })
                        .collect(),
                    unknown_rank: shape["unknown_rank"].as_bool().unwrap_or(false),
                }),
            };
            (alias.clone(), info)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_plus_two_signatures() {
        let map = signatures();
        let default = &map.signature_def[DEFAULT_SIGNATURE];
        assert_eq!(default.method_name, "tensorflow/serving/predict");
        let x = &default.inputs["x"];
        assert_eq!(x.dtype, DataType::DtFloat as i32);
        assert_eq!(x.encoding, Some(Encoding::Name("x:0".into())));
        let sizes: Vec<i64> = x
            .tensor_shape
            .as_ref()
            .unwrap()
            .dim
            .iter()
            .map(|d| d.size)
            .collect();
        assert_eq!(sizes, [-1, 1]);
        assert!(default.outputs.contains_key("y"));
        assert_eq!(map.signature_def.len(), 5);
    }
}
