/// Docker failures that need words of their own.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot reach the Docker daemon at {address}: {cause}\nhint: {hint}")]
    Unreachable {
        address: String,
        cause: String,
        hint: String,
    },
}
