//! What the gRPC calls to TF Serving share: a connected, ready client and
//! tensorflow.StatusProto.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use tonic::transport::{Channel, Endpoint};

/// tensorflow.StatusProto (util/status.proto): `error_code` is
/// tensorflow.error.Code, 0 for OK.
#[derive(Clone, PartialEq, prost::Message)]
pub struct StatusProto {
    #[prost(int32, tag = "1")]
    pub error_code: i32,
    #[prost(string, tag = "2")]
    pub error_message: String,
}

/// A client of the TF Serving at `address`, connected within `connect`,
/// each call answered within `answer`.
pub async fn ready_client(
    address: SocketAddr,
    connect: Duration,
    answer: Duration,
) -> Result<tonic::client::Grpc<Channel>> {
    let channel = Endpoint::from_shared(format!("http://{address}"))?
        .connect_timeout(connect)
        .timeout(answer)
        .connect()
        .await
        .with_context(|| format!("cannot connect to gRPC at {address}"))?;
    let mut client = tonic::client::Grpc::new(channel);
    client
        .ready()
        .await
        .with_context(|| format!("gRPC at {address} is not ready"))?;
    Ok(client)
}
