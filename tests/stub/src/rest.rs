//! TF Serving's REST API: model status, metadata, predict, and the
//! Prometheus page. Every response names the replica and its GPU; every
//! predict, classify and regress answer that reached a version names it in
//! `X-Stub-Model-Version`. `/labels/L` paths resolve the label.

use crate::app::App;
use crate::metrics::code_name;
use crate::models::Want;
use crate::{predict, route};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::net::TcpListener;

pub fn router(app: Arc<App>) -> Router {
    Router::new().fallback(handle).with_state(app)
}

/// Serves the REST API on `listener` until the process ends.
pub async fn serve(listener: TcpListener, app: Arc<App>) -> Result<(), String> {
    axum::serve(listener, router(app))
        .await
        .map_err(|e| e.to_string())
}

async fn handle(State(app): State<Arc<App>>, method: Method, uri: Uri, body: Bytes) -> Response {
    let mut resp = dispatch(&app, &method, uri.path(), &body).await;
    let headers = resp.headers_mut();
    for (name, value) in [("x-stub-replica", &app.replica), ("x-stub-gpu", &app.gpu)] {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    }
    resp
}

async fn dispatch(app: &App, method: &Method, path: &str, body: &[u8]) -> Response {
    if app.metrics_path.as_deref() == Some(path) && method == Method::GET {
        return text(200, "text/plain; version=0.0.4", app.metrics.render());
    }
    if !path.starts_with("/v1/") {
        return text(404, "text/plain", "Not Found\n".into());
    }
    let malformed = || error(400, format!("Malformed request: {method} {path}"));
    let Some(target) = route::parse(path) else {
        return malformed();
    };
    match (method, target.action) {
        (&Method::GET, route::Action::Status) => status(app, &target),
        (&Method::GET, route::Action::Metadata) => metadata(app, &target),
        (&Method::POST, route::Action::Predict) => predict(app, &target, body).await,
        (&Method::POST, route::Action::Classify | route::Action::Regress) => {
            match app.registry.resolve(&target.model, want(&target)) {
                Err((code, msg)) => error(code, msg),
                Ok(v) => answered_by(error(400, "tfs-stub implements only :predict".into()), v),
            }
        }
        _ => malformed(),
    }
}

/// The version a path asks for.
fn want(t: &route::Target) -> Want<'_> {
    match (&t.label, t.version) {
        (Some(label), _) => Want::Label(label),
        (None, Some(v)) => Want::Specific(v),
        (None, None) => Want::Latest,
    }
}

/// Marks `resp` as answered by `version`.
fn answered_by(mut resp: Response, version: i64) -> Response {
    resp.headers_mut()
        .insert("x-stub-model-version", HeaderValue::from(version));
    resp
}

fn status(app: &App, t: &route::Target) -> Response {
    match app.registry.status(&t.model, want(t)) {
        Err((code, msg)) => error(code, msg),
        Ok(versions) => {
            let list: Vec<Value> = versions
                .into_iter()
                .map(|(v, s)| {
                    let (code, msg) = s.error.unwrap_or(("OK", String::new()));
                    json!({
                        "version": v.to_string(),
                        "state": s.state.as_str(),
                        "status": {"error_code": code, "error_message": msg},
                    })
                })
                .collect();
            ok(json!({ "model_version_status": list }))
        }
    }
}

pub const METADATA: &str = include_str!("half_plus_two_model_metadata.json");

fn metadata(app: &App, t: &route::Target) -> Response {
    match app.registry.resolve(&t.model, want(t)) {
        Err((code, msg)) => error(code, msg),
        Ok(v) => {
            let mut doc: Value = serde_json::from_str(METADATA).expect("embedded metadata is JSON");
            doc["model_spec"] =
                json!({"name": t.model, "signature_name": "", "version": v.to_string()});
            ok(doc)
        }
    }
}

async fn predict(app: &App, t: &route::Target, body: &[u8]) -> Response {
    let resp = serve_predict(app, t, body).await;
    app.metrics
        .count(&t.model, code_name(resp.status().as_u16()));
    resp
}

async fn serve_predict(app: &App, t: &route::Target, body: &[u8]) -> Response {
    let version = match app.registry.resolve(&t.model, want(t)) {
        Ok(v) => v,
        Err((code, msg)) => return error(code, msg),
    };
    let resp = app
        .predict(|| match predict::respond(body) {
            Ok(v) => ok(v),
            Err(msg) => error(400, msg),
        })
        .await;
    answered_by(resp, version)
}

fn ok(v: Value) -> Response {
    text(200, "application/json", v.to_string())
}

fn error(code: u16, msg: String) -> Response {
    text(
        code,
        "application/json",
        json!({ "error": msg }).to_string(),
    )
}

fn text(code: u16, content_type: &'static str, body: String) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}
