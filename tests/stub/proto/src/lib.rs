//! TensorFlow Serving's gRPC API, the subset tfs and its test stub use:
//! `tensorflow.serving.PredictionService` (Predict, GetModelMetadata) and
//! `tensorflow.serving.ModelService` (GetModelStatus, HandleReloadConfigRequest
//! with ModelServerConfig), and `tensorflow.SavedModel` (to check a model's
//! saved_model.pb), generated from the
//! trimmed copies of TF Serving's .proto files in `protos/`. Packages,
//! message names and field numbers are TF Serving's, so a client generated
//! from TF Serving's own protos talks to a server built from these, and
//! the other way round; fields left out are skipped as unknown.

pub mod client;
pub mod clients;
pub mod load;
pub mod retry;

/// Package `tensorflow`: tensors, shapes, data types, signatures.
#[allow(clippy::all)]
pub mod tensorflow {
    include!(concat!(env!("OUT_DIR"), "/tensorflow.rs"));

    /// Package `tensorflow.error`: the canonical error codes.
    pub mod error {
        include!(concat!(env!("OUT_DIR"), "/tensorflow.error.rs"));
    }

    /// Package `tensorflow.serving`: the services and their messages.
    pub mod serving {
        include!(concat!(env!("OUT_DIR"), "/tensorflow.serving.rs"));
    }
}

pub use tensorflow::serving;
pub use tensorflow::{DataType, TensorProto, TensorShapeProto};
