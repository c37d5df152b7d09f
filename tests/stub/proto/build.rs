//! Generates the prost messages and the tonic client and server of the
//! vendored protos, with the protoc binary that protoc-bin-vendored ships.

use std::path::PathBuf;

const PROTOS: &[&str] = &[
    "tensorflow_serving/apis/prediction_service.proto",
    "tensorflow_serving/apis/model_service.proto",
    "tensorflow/core/protobuf/saved_model.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("protos");
    let mut config = prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);
    let protos: Vec<PathBuf> = PROTOS.iter().map(|p| root.join(p)).collect();
    // google/protobuf/*.proto (wrappers, any) come with the vendored protoc.
    let includes = vec![root.clone(), protoc_bin_vendored::include_path()?];
    tonic_prost_build::configure().compile_with_config(config, &protos, &includes)?;
    println!("cargo:rerun-if-changed=protos");
    Ok(())
}
