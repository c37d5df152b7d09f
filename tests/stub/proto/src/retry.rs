//! gRPC's transparent-retry rule for clients: a call may be sent again
//! unchanged when the server provably never saw it: hyper never wrote it
//! (its connection closed while the call waited to be sent), or HTTP/2 says
//! so (a stream above the last stream id of the server's GOAWAY, or reset
//! with REFUSED_STREAM). grpc-core, grpc-java and grpc-go retry these on their
//! own; tonic reports them, so tonic clients apply this rule themselves.
//! nginx sends such a GOAWAY on every reload, to each client connection of
//! its old workers.

use std::error::Error;

/// True when `status` failed a call that never reached the server's
/// application: retrying it cannot run anything twice.
pub fn never_processed(status: &tonic::Status) -> bool {
    let mut source: Option<&(dyn Error + 'static)> = Some(status);
    while let Some(error) = source {
        if let Some(h2) = error.downcast_ref::<h2::Error>() {
            return refused(h2);
        }
        if let Some(hyper) = error.downcast_ref::<hyper::Error>() {
            if hyper.is_canceled() {
                return true;
            }
        }
        source = error.source();
    }
    false
}

fn refused(error: &h2::Error) -> bool {
    let reason = error.reason();
    // A remote GOAWAY fails only the streams it did not accept, and calls
    // started after it; a graceful one says NO_ERROR.
    (error.is_go_away() && error.is_remote() && reason == Some(h2::Reason::NO_ERROR))
        || reason == Some(h2::Reason::REFUSED_STREAM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_statuses_are_not_retried() {
        assert!(!never_processed(&tonic::Status::unavailable("down")));
        assert!(!never_processed(&tonic::Status::not_found("no model")));
    }

    #[test]
    fn refused_streams_are() {
        let refused: h2::Error = h2::Reason::REFUSED_STREAM.into();
        let status = tonic::Status::from_error(Box::new(refused));
        assert!(never_processed(&status));
        let internal: h2::Error = h2::Reason::INTERNAL_ERROR.into();
        assert!(!never_processed(&tonic::Status::from_error(Box::new(
            internal
        ))));
    }
}
