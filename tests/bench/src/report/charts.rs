//! The report's pictures, from the run's numbers; each returns the SVG's
//! path relative to the report, or None when its section did not run.

use std::path::Path;

use crate::chart::{self, Panel, Series};
use crate::sh::{median, R};
use crate::Results;

/// Where the SVGs go, beside the report.
const DIR: &str = "benchmarks";

fn path(report: &Path, name: &str) -> (std::path::PathBuf, String) {
    let dir = report.parent().unwrap_or(Path::new("."));
    (dir.join(DIR).join(name), format!("{DIR}/{name}"))
}

pub fn rollout(r: &Results, report: &Path) -> R<Option<String>> {
    let Some(v) = &r.versions else {
        return Ok(None);
    };
    let series = [&v.in_place, &v.replacing, &v.compose]
        .iter()
        .map(|run| Series {
            name: run.tool.to_string(),
            points: run.points(),
        })
        .collect();
    let (file, link) = path(report, "rollout.svg");
    let panel = Panel {
        title: "model version 123 → 124, 4 GPUs × 10 ms, change at 0 s".into(),
        x: "seconds from the start of the change",
        y: "successful predicts per second",
        series,
    };
    let caption = "Model version rollout under load (wrk, 16 keep-alive connections)";
    chart::write(&file, caption, &[panel])?;
    Ok(Some(link))
}

pub fn mixed(r: &Results, report: &Path) -> R<Option<String>> {
    let Some(run) = r.balance.iter().find(|f| f.label == "mixed") else {
        return Ok(None);
    };
    let line = |name: &str, f: &dyn Fn(&crate::balance::Point) -> f64| Series {
        name: name.to_string(),
        points: run
            .points
            .iter()
            .map(|p| (p.tfs.connections as f64, f(p)))
            .collect(),
    };
    let throughput = Panel {
        title: "throughput".into(),
        x: "connections",
        y: "successful predicts per second",
        series: vec![
            line("tfs (least_conn)", &|p| p.tfs.rps()),
            line("hand-made round robin", &|p| p.handmade.rps()),
            Series {
                name: "replicas' summed capacity".into(),
                points: run
                    .points
                    .iter()
                    .map(|p| (p.tfs.connections as f64, run.ideal()))
                    .collect(),
            },
        ],
    };
    let p99 = Panel {
        title: "p99 latency".into(),
        x: "connections",
        y: "p99 (ms)",
        series: vec![
            line("tfs (least_conn)", &|p| p.tfs.p99_us as f64 / 1e3),
            line("hand-made round robin", &|p| p.handmade.p99_us as f64 / 1e3),
        ],
    };
    let (file, link) = path(report, "mixed-fleet.svg");
    let caption = "Mixed fleet (3 × 10 ms + 1 × 20 ms GPUs): tfs against the hand-made nginx";
    chart::write(&file, caption, &[throughput, p99])?;
    Ok(Some(link))
}

pub fn scale(r: &Results, report: &Path) -> R<Option<String>> {
    let Some(s) = &r.scale else { return Ok(None) };
    let pts = |f: &dyn Fn(&crate::scale::Point) -> Option<f64>| -> Vec<(f64, f64)> {
        s.points
            .iter()
            .filter_map(|p| f(p).map(|y| (p.replicas as f64, y)))
            .collect()
    };
    let series = |name: &str, points| Series {
        name: name.to_string(),
        points,
    };
    let panels = [
        Panel {
            title: "plan, no changes".into(),
            x: "replicas",
            y: "milliseconds",
            series: vec![
                series("tfs plan", pts(&|p| Some(median(&p.plan_ms)))),
                series("docker ps -a", pts(&|p| Some(median(&p.ps_ms)))),
            ],
        },
        Panel {
            title: "from nothing to every model AVAILABLE".into(),
            x: "replicas",
            y: "seconds",
            series: vec![
                series("tfs apply", pts(&|p| Some(p.apply.seconds))),
                series(
                    "docker-compose up -d + wait",
                    pts(&|p| p.compose.as_ref().map(|(u, _)| u.total_seconds)),
                ),
            ],
        },
        Panel {
            title: "removing the fleet".into(),
            x: "replicas",
            y: "seconds",
            series: vec![
                series("tfs destroy", pts(&|p| Some(p.destroy_s))),
                series(
                    "docker-compose down",
                    pts(&|p| p.compose.as_ref().map(|(_, d)| *d)),
                ),
            ],
        },
    ];
    let (file, link) = path(report, "scale.svg");
    chart::write(
        &file,
        "Scale: CPU-mode fleets of stub replicas, tfs against its peer",
        &panels,
    )?;
    Ok(Some(link))
}
