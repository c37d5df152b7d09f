//! Prometheus counters, named as TF Serving names them.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

#[derive(Default)]
pub struct Metrics {
    /// (model name, status code name) -> predict requests.
    requests: Mutex<BTreeMap<(String, String), u64>>,
}

impl Metrics {
    /// Counts one predict request for `model` that ended with `status` ("OK", "NOT_FOUND", ...).
    pub fn count(&self, model: &str, status: &str) {
        let mut map = self.requests.lock().unwrap();
        *map.entry((model.to_string(), status.to_string()))
            .or_default() += 1;
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::from("# TYPE :tensorflow:serving:request_count counter\n");
        for ((model, status), n) in self.requests.lock().unwrap().iter() {
            let _ = writeln!(
                out,
                ":tensorflow:serving:request_count{{model_name=\"{}\",status=\"{}\"}} {n}",
                escape(model),
                escape(status)
            );
        }
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The status code name TF Serving would give an HTTP status.
pub fn code_name(http: u16) -> &'static str {
    match http {
        200 => "OK",
        400 => "INVALID_ARGUMENT",
        404 => "NOT_FOUND",
        503 => "UNAVAILABLE",
        _ => "UNKNOWN",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters() {
        let m = Metrics::default();
        m.count("half_plus_two", "OK");
        m.count("half_plus_two", "OK");
        m.count("b\"", code_name(404));
        let text = m.render();
        assert!(text.contains(
            ":tensorflow:serving:request_count{model_name=\"half_plus_two\",status=\"OK\"} 2\n"
        ));
        assert!(text.contains("model_name=\"b\\\"\",status=\"NOT_FOUND\"} 1"));
    }
}
