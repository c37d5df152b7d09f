//! Request counts from TF Serving's Prometheus metrics.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{bail, Result};

use super::http;
use crate::desire::METRICS_PATH;

/// Requests the server has counted, over all models and statuses.
pub async fn requests_served(address: SocketAddr) -> Result<u64> {
    let (status, body) = http::get(address, METRICS_PATH, Duration::from_secs(2)).await?;
    if status != 200 {
        bail!("metrics: HTTP {status}");
    }
    Ok(sum_request_count(&body))
}

/// Sums `:tensorflow:serving:request_count{...} N` samples.
pub fn sum_request_count(text: &str) -> u64 {
    text.lines()
        .filter(|line| line.starts_with(":tensorflow:serving:request_count"))
        .filter_map(|line| line.rsplit(' ').next())
        .filter_map(|value| value.parse::<f64>().ok())
        .map(|value| value as u64)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::sum_request_count;

    #[test]
    fn sums_every_sample_and_skips_comments() {
        let text = "# TYPE :tensorflow:serving:request_count counter\n\
            :tensorflow:serving:request_count{model_name=\"a\",status=\"OK\"} 7\n\
            :tensorflow:serving:request_count{entrypoint=\"REST_predict\",model_name=\"b\",status=\"OK\"} 3\n\
            :tensorflow:serving:request_latency_sum{model_name=\"a\"} 99\n";
        assert_eq!(sum_request_count(text), 10);
    }
}
