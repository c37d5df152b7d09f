//! `tensorflow.serving.PredictionService`: Predict computes half_plus_two
//! through the signature the request names; GetModelMetadata answers the
//! signature_def map.

use super::signatures::{signatures, DEFAULT_SIGNATURE};
use super::spec::{answered, resolve};
use super::tensor::{half_plus_two, read, write};
use super::{count, tagged};
use crate::app::App;
use prost::Message;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use tfs_proto::serving::prediction_service_server::PredictionService;
use tfs_proto::serving::{
    GetModelMetadataRequest, GetModelMetadataResponse, PredictRequest, PredictResponse,
};
use tfs_proto::tensorflow::SignatureDef;
use tonic::{Request, Response, Status};

/// The only metadata field TF Serving (and the stub) knows.
const SIGNATURE_DEF: &str = "signature_def";
const SIGNATURE_DEF_MAP_URL: &str = "type.googleapis.com/tensorflow.serving.SignatureDefMap";

/// The PredictionService of one stub server.
pub struct Prediction(pub Arc<App>);

#[tonic::async_trait]
impl PredictionService for Prediction {
    async fn predict(
        &self,
        request: Request<PredictRequest>,
    ) -> Result<Response<PredictResponse>, Status> {
        let request = request.into_inner();
        let model = request.model_spec.as_ref().map(|s| s.name.clone());
        let result = predict(&self.0, &request).await;
        count(&self.0, &model.unwrap_or_default(), &result);
        tagged(&self.0, result)
    }

    async fn get_model_metadata(
        &self,
        request: Request<GetModelMetadataRequest>,
    ) -> Result<Response<GetModelMetadataResponse>, Status> {
        tagged(&self.0, metadata(&self.0, &request.into_inner()))
    }
}

async fn predict(app: &App, request: &PredictRequest) -> Result<PredictResponse, Status> {
    let servable = resolve(app, request.model_spec.as_ref())?;
    let name = match request
        .model_spec
        .as_ref()
        .map(|s| s.signature_name.as_str())
    {
        None | Some("") => DEFAULT_SIGNATURE,
        Some(name) => name,
    };
    let signature = signatures().signature_def.get(name).ok_or_else(|| {
        Status::failed_precondition(format!("Serving signature key \"{name}\" not found."))
    })?;
    check_inputs(signature, &request.inputs)?;
    let outputs = wanted_outputs(signature, &request.output_filter)?;
    let (alias, input) = request.inputs.iter().next().expect("one input, checked");
    let x = read(alias, input).map_err(Status::invalid_argument)?;
    let y = app.predict(|| write(&half_plus_two(&x))).await;
    Ok(PredictResponse {
        model_spec: Some(answered(&servable, name)),
        outputs: outputs.into_iter().map(|o| (o, y.clone())).collect(),
    })
}

/// The request must feed exactly the signature's inputs (one, for half_plus_two).
fn check_inputs<T>(signature: &SignatureDef, inputs: &HashMap<String, T>) -> Result<(), Status> {
    let expected: BTreeSet<&str> = signature.inputs.keys().map(String::as_str).collect();
    let sent: BTreeSet<&str> = inputs.keys().map(String::as_str).collect();
    if expected == sent {
        return Ok(());
    }
    let list = |set: Vec<&str>| set.join(",");
    Err(Status::invalid_argument(format!(
        "input size does not match signature: {}!={} len({{{}}}) != len({{{}}}). \
         Sent extra: {{{}}}. Missing but required: {{{}}}.",
        sent.len(),
        expected.len(),
        list(sent.iter().copied().collect()),
        list(expected.iter().copied().collect()),
        list(sent.difference(&expected).copied().collect()),
        list(expected.difference(&sent).copied().collect()),
    )))
}

/// The output aliases to answer: the filter's, each checked, or all.
fn wanted_outputs(signature: &SignatureDef, filter: &[String]) -> Result<Vec<String>, Status> {
    if filter.is_empty() {
        return Ok(signature.outputs.keys().cloned().collect());
    }
    for alias in filter {
        if !signature.outputs.contains_key(alias) {
            let known: Vec<&str> = signature.outputs.keys().map(String::as_str).collect();
            return Err(Status::invalid_argument(format!(
                "output tensor alias not found in signature: {alias} Outputs expected to be \
                 in the set {{{}}}.",
                known.join(",")
            )));
        }
    }
    Ok(filter.to_vec())
}

fn metadata(
    app: &App,
    request: &GetModelMetadataRequest,
) -> Result<GetModelMetadataResponse, Status> {
    if request.model_spec.is_none() {
        return Err(Status::invalid_argument("Missing ModelSpec"));
    }
    if request.metadata_field.is_empty() {
        return Err(Status::invalid_argument(
            "GetModelMetadataRequest must specify at least one metadata_field",
        ));
    }
    if let Some(field) = request.metadata_field.iter().find(|f| *f != SIGNATURE_DEF) {
        return Err(Status::invalid_argument(format!(
            "Metadata field {field} is not supported"
        )));
    }
    let servable = resolve(app, request.model_spec.as_ref())?;
    let any = prost_types::Any {
        type_url: SIGNATURE_DEF_MAP_URL.to_string(),
        value: signatures().encode_to_vec(),
    };
    Ok(GetModelMetadataResponse {
        model_spec: Some(answered(&servable, "")),
        metadata: HashMap::from([(SIGNATURE_DEF.to_string(), any)]),
    })
}
