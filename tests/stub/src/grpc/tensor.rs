//! DT_FLOAT tensors in and out of TensorProto, with TensorFlow's own
//! reading rules (Tensor::FromProto): `tensor_content` holds the raw
//! little-endian values; otherwise `float_val` gives them, surplus values
//! ignored and a short list padded with its last value (one value fills
//! the whole shape).

use tfs_proto::tensorflow::tensor_shape_proto::Dim;
use tfs_proto::{DataType, TensorProto, TensorShapeProto};

/// A dense float tensor: its dimensions and row-major values.
#[derive(Debug, Clone, PartialEq)]
pub struct Floats {
    pub dims: Vec<i64>,
    pub values: Vec<f32>,
}

/// More elements than this is surely a malformed shape, not a request.
const MAX_ELEMENTS: i64 = 1 << 28;

/// Reads a DT_FLOAT tensor; the error is TF Serving's INVALID_ARGUMENT message.
pub fn read(alias: &str, proto: &TensorProto) -> Result<Floats, String> {
    if proto.dtype != DataType::DtFloat as i32 {
        let given = DataType::try_from(proto.dtype)
            .map(|d| d.as_str_name().trim_start_matches("DT_").to_lowercase())
            .unwrap_or_else(|_| format!("type {}", proto.dtype));
        return Err(format!(
            "Expects arg[0] ({alias}) to be float but {given} is provided"
        ));
    }
    let dims = dims(proto.tensor_shape.as_ref())?;
    let count = dims.iter().try_fold(1i64, |n, d| n.checked_mul(*d));
    let count = match count {
        Some(n) if n <= MAX_ELEMENTS => n as usize,
        _ => return Err(format!("Tensor {alias} has too many elements")),
    };
    let values = if !proto.tensor_content.is_empty() {
        if proto.tensor_content.len() != count * 4 {
            return Err("Unable to parse tensor proto".to_string());
        }
        proto
            .tensor_content
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    } else {
        let given = &proto.float_val;
        let fill = given.last().copied().unwrap_or(0.0);
        (0..count)
            .map(|i| given.get(i).copied().unwrap_or(fill))
            .collect()
    };
    Ok(Floats { dims, values })
}

fn dims(shape: Option<&TensorShapeProto>) -> Result<Vec<i64>, String> {
    // No shape is a scalar, as in TensorFlow.
    let Some(shape) = shape else {
        return Ok(Vec::new());
    };
    if shape.unknown_rank {
        return Err("Unable to parse tensor proto: unknown rank".to_string());
    }
    shape
        .dim
        .iter()
        .map(|d| match d.size {
            size if size >= 0 => Ok(size),
            size => Err(format!("Dimension {size} must be >= 0")),
        })
        .collect()
}

/// A DT_FLOAT TensorProto in `float_val`, as TF Serving answers by default.
pub fn write(tensor: &Floats) -> TensorProto {
    TensorProto {
        dtype: DataType::DtFloat as i32,
        tensor_shape: Some(TensorShapeProto {
            dim: tensor
                .dims
                .iter()
                .map(|&size| Dim {
                    size,
                    name: String::new(),
                })
                .collect(),
            unknown_rank: false,
        }),
        float_val: tensor.values.clone(),
        ..TensorProto::default()
    }
}

/// y = 0.5·x + 2 element-wise, in f32 like the real model.
pub fn half_plus_two(x: &Floats) -> Floats {
    Floats {
        dims: x.dims.clone(),
        values: x.values.iter().map(|v| 0.5 * v + 2.0).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proto(dims: &[i64], float_val: &[f32], content: &[f32]) -> TensorProto {
        TensorProto {
            dtype: DataType::DtFloat as i32,
            tensor_shape: Some(TensorShapeProto {
                dim: dims
                    .iter()
                    .map(|&size| Dim {
                        size,
                        name: String::new(),
                    })
                    .collect(),
                unknown_rank: false,
            }),
            float_val: float_val.to_vec(),
            tensor_content: content.iter().flat_map(|v| v.to_le_bytes()).collect(),
            ..TensorProto::default()
        }
    }

    #[test]
    fn float_val_and_tensor_content() {
        let want = Floats {
            dims: vec![3],
            values: vec![1.0, 2.0, 5.0],
        };
        assert_eq!(
            read("x", &proto(&[3], &[1.0, 2.0, 5.0], &[])).unwrap(),
            want
        );
        assert_eq!(
            read("x", &proto(&[3], &[], &[1.0, 2.0, 5.0])).unwrap(),
            want
        );
        let y = half_plus_two(&want);
        assert_eq!(y.values, [2.5, 3.0, 4.5]);
        assert_eq!(read("y", &write(&y)).unwrap(), y);
    }

    #[test]
    fn tensorflow_fill_rules() {
        assert_eq!(
            read("x", &proto(&[2, 2], &[7.0], &[])).unwrap().values,
            [7.0; 4]
        );
        assert_eq!(
            read("x", &proto(&[3], &[1.0, 2.0], &[])).unwrap().values,
            [1.0, 2.0, 2.0]
        );
        assert_eq!(
            read("x", &proto(&[1], &[1.0, 2.0], &[])).unwrap().values,
            [1.0]
        );
        assert_eq!(
            read("x", &proto(&[2], &[], &[])).unwrap().values,
            [0.0, 0.0]
        );
        let scalar = TensorProto {
            tensor_shape: None,
            ..proto(&[], &[4.0], &[])
        };
        assert_eq!(
            read("x", &scalar).unwrap(),
            Floats {
                dims: vec![],
                values: vec![4.0]
            }
        );
    }

    #[test]
    fn errors() {
        let double = TensorProto {
            dtype: DataType::DtDouble as i32,
            ..proto(&[1], &[1.0], &[])
        };
        assert_eq!(
            read("x", &double).unwrap_err(),
            "Expects arg[0] (x) to be float but double is provided"
        );
        assert!(read("x", &proto(&[2], &[], &[1.0]))
            .unwrap_err()
            .contains("parse"));
        assert!(read("x", &proto(&[-1], &[1.0], &[]))
            .unwrap_err()
            .contains(">= 0"));
        assert!(read("x", &proto(&[1 << 20, 1 << 20], &[1.0], &[])).is_err());
    }
}
