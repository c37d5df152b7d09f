//! The targets of the scale section.

use super::Target;
use crate::scale::{Point, COMPOSE_UP_TO};
use crate::sh::median;
use crate::Results;

pub(super) fn scale(r: &Results, t: &mut Vec<Target>) {
    let Some(s) = &r.scale else { return };
    if let Some(p) = s.points.iter().max_by_key(|p| p.replicas) {
        let (plan, ps) = (median(&p.plan_ms), median(&p.ps_ms));
        t.push(Target {
            name: format!("`tfs plan` ≤ 1.5 × `docker ps -a` at {} replicas", p.replicas),
            measured: format!("{:.2} × ({plan:.0} ms against {ps:.0} ms)", plan / ps),
            met: plan <= 1.5 * ps,
            why: format!("besides the container list, a plan reads from every running replica the models tfs told it to serve (/etc/tfs/models.json, through Docker's archive endpoint: {:.0} ms for one replica here) and asks each replica for its model status, all together; Docker answers those reads for {} containers in {plan:.0} ms in all, where `docker ps -a` is one list call ({} `docker inspect`s in one call: {:.0} ms).", p.read_ms, p.replicas, p.replicas, p.inspect_ms),
        });
    }
    let with_compose: Vec<&Point> = s.points.iter().filter(|p| p.compose.is_some()).collect();
    if let Some(p) = with_compose.iter().max_by_key(|p| p.replicas) {
        let Some((up, _)) = &p.compose else { return };
        let apply = p.apply.seconds;
        t.push(Target {
            name: format!("`tfs apply` ≤ 1.0 × compose up + wait at {} replicas", p.replicas.min(COMPOSE_UP_TO)),
            measured: format!("{:.2} × ({apply:.1} s against {:.1} s)", apply / up.total_seconds, up.total_seconds),
            met: apply <= up.total_seconds,
            why: format!("tfs's first replica was reported AVAILABLE at {} and its last at {}, and apply returned at {apply:.1} s: nearly all of it is creating and starting the containers through the Docker API (with their config files), before any readiness poll; docker-compose creates and starts its containers in parallel. See the scale section.", p.apply.lines.iter().find(|(_, l)| l.contains(" is AVAILABLE")).map_or("-".into(), |(t, _)| format!("{t:.1} s")), p.apply.replicas_s.map_or("-".into(), |s| format!("{s:.1} s"))),
        });
    }
    let worst = with_compose
        .iter()
        .filter_map(|p| p.compose.as_ref().map(|(_, down)| (p.destroy_s / down, p)))
        .fold(None::<(f64, &Point)>, |a, b| match a {
            Some(a) if a.0 >= b.0 => Some(a),
            _ => Some((b.0, b.1)),
        });
    if let Some((ratio, p)) = worst {
        let down = p.compose.as_ref().map_or(0.0, |(_, d)| *d);
        t.push(Target {
            name: "`tfs destroy` ≤ 1.0 × `docker-compose down`".into(),
            measured: format!(
                "{ratio:.2} × at worst ({} replicas: {:.1} s against {down:.1} s)",
                p.replicas, p.destroy_s
            ),
            met: ratio <= 1.0,
            why: "tfs removes the balancer first, then the replicas.".into(),
        });
    }
}
