//! The targets of the model version rollout, keep-alive clients and the
//! lost replica.

use super::Target;
use crate::fleet::FORKY;
use crate::versions::LOAD_MS;
use crate::Results;

pub(super) fn versions(r: &Results, t: &mut Vec<Target>) {
    let Some(v) = &r.versions else { return };
    let run = &v.in_place;
    let kept = run.kept();
    t.push(Target {
        name: "version rollout in place keeps ≥ 0.98 of the throughput".into(),
        measured: format!(
            "{kept:.3} ({:.0} req/s during, {:.0} before)",
            run.during_mean(),
            run.baseline()
        ),
        met: kept >= 0.98,
        why: "see the per-second counts and the chart in §4: the replicas reload beside serving, on 2 cores shared with wrk, nginx, dockerd and tfs.".into(),
    });
    t.push(Target {
        name: "version rollout in place: 0 failed".into(),
        measured: format!("{} of {}", run.stats.failed(), run.stats.requests),
        met: run.stats.failed() == 0,
        why: format!(
            "{} non-2xx, socket errors {}/{}/{}/{} (connect/read/write/timeout).",
            run.stats.non2xx, run.stats.connect, run.stats.read, run.stats.write, run.stats.timeout
        ),
    });
    let took = run.end - run.start;
    let limit = 2.0 * LOAD_MS as f64 / 1e3 + 2.0;
    t.push(Target {
        name: format!("version rollout in place ≤ {limit:.0} s (2 loads + 2 s, 4 GPUs)"),
        measured: format!("{took:.1} s"),
        met: took <= limit,
        why: format!("tfs reloads in place in waves of `[rollout] max_unavailable` (1, the default), one after the other: four waves, each a model load of {:.0} s plus the reload calls and the check that the replica serves the new version; 2 loads + 2 s needs the replicas' loads to overlap. The default keeps a version that fails from reaching more than one replica.", LOAD_MS as f64 / 1e3),
    });
}

pub(super) fn keepalive(r: &Results, t: &mut Vec<Target>) {
    let Some(run) = r.keepalive.iter().find(|k| k.image == FORKY) else {
        return;
    };
    t.push(Target {
        name: "keep-alive clients across rollouts: 0 failed on the current nginx".into(),
        measured: format!(
            "{} of {} ({})",
            run.stats.failed(),
            run.stats.requests,
            run.version.trim_start_matches("nginx version: ")
        ),
        met: run.stats.failed() == 0,
        why: format!(
            "socket errors {}/{}/{}/{} (connect/read/write/timeout), {} non-2xx.",
            run.stats.connect, run.stats.read, run.stats.write, run.stats.timeout, run.stats.non2xx
        ),
    });
}

pub(super) fn lost(r: &Results, t: &mut Vec<Target>) {
    let Some(l) = &r.lost else { return };
    t.push(Target {
        name: "a lost replica: 0 failed".into(),
        measured: format!("{} of {}", l.tfs.failed(), l.tfs.requests),
        met: l.tfs.failed() == 0,
        why: format!(
            "{} non-2xx, socket errors {}/{}/{}/{}.",
            l.tfs.non2xx, l.tfs.connect, l.tfs.read, l.tfs.write, l.tfs.timeout
        ),
    });
    let slowest = l.tfs.max_us as f64 / 1e3;
    t.push(Target {
        name: "a lost replica: slowest request < 1 s".into(),
        measured: format!("{slowest:.0} ms"),
        met: slowest < 1000.0,
        why: "the requests that met the killed replica waited for the connect timeout before nginx tried another.".into(),
    });
}
