//! A plan as Terraform-style text.

use std::fmt::Write;

use console::Style;
use similar::TextDiff;

use crate::desire::GpuBinding;
use crate::reconcile::{Action, Kind, Op, Plan, Step, Summary};

/// Renders the plan; `color` adds ANSI styles.
pub fn render(plan: &Plan, color: bool) -> String {
    render_with(&plan.fleet, &plan.steps, rollout(plan), color)
}

/// Renders steps under the legend, ending with the Plan: line.
pub fn render_steps(fleet: &str, steps: &[Step], color: bool) -> String {
    render_with(fleet, steps, None, color)
}

/// The rollout's schedule in a line, when the plan replaces replicas:
/// `Rollout: 2 waves of 1 (max_unavailable = 1): gpu0, gpu1; 3 balancer reloads`.
pub fn rollout(plan: &Plan) -> Option<String> {
    let replaced = waves_of(plan, |op| matches!(op, Op::StartReplica));
    let reloaded = waves_of(plan, |op| matches!(op, Op::ReloadModels));
    let lines: Vec<String> = [replacements(plan, &replaced), reloads(plan, &reloaded)]
        .into_iter()
        .flatten()
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// `Reload in place: 2 waves of 1 (max_unavailable = 1): gpu0, gpu1; no restart`.
fn reloads(plan: &Plan, waves: &[(u32, Vec<&str>)]) -> Option<String> {
    let (count, order) = described(waves)?;
    Some(format!(
        "Reload in place: {count} (max_unavailable = {}): {order}; no restart, every replica stays in the upstream",
        plan.desired.rollout.max_unavailable,
    ))
}

/// `2 waves of 1` and `gpu0, gpu1+gpu2`; None when there are no waves.
fn described(waves: &[(u32, Vec<&str>)]) -> Option<(String, String)> {
    let size = waves.iter().map(|(_, slots)| slots.len()).max()?;
    let order: Vec<String> = waves.iter().map(|(_, slots)| slots.join("+")).collect();
    Some((
        format!("{} of {size}", plural(waves.len(), "wave")),
        order.join(", "),
    ))
}

/// The slots of each wave whose operations `pick` selects, in order.
fn waves_of(plan: &Plan, pick: impl Fn(&Op) -> bool) -> Vec<(u32, Vec<&str>)> {
    let mut waves: Vec<(u32, Vec<&str>)> = Vec::new();
    for operation in &plan.operations {
        let Some(wave) = operation.wave.filter(|_| pick(&operation.op)) else {
            continue;
        };
        let slot = operation
            .target
            .strip_prefix(&format!("{}-", plan.fleet))
            .unwrap_or(&operation.target);
        match waves.last_mut() {
            Some((number, slots)) if *number == wave => slots.push(slot),
            _ => waves.push((wave, vec![slot])),
        }
    }
    waves
}

fn replacements(plan: &Plan, waves: &[(u32, Vec<&str>)]) -> Option<String> {
    let (count, order) = described(waves)?;
    let reloads = plan
        .operations
        .iter()
        .filter(|o| matches!(o.op, Op::SwitchConfig { .. }))
        .count();
    let why = if plan.balancer_live {
        format!("max_unavailable = {}", plan.desired.rollout.max_unavailable)
    } else {
        "no balancer serves yet: all at once".to_string()
    };
    Some(format!(
        "Rollout: {count} ({why}): {order}; {reloads} balancer {}",
        if reloads == 1 { "reload" } else { "reloads" }
    ))
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("1 {word}")
    } else {
        format!("{count} {word}s")
    }
}

fn render_with(fleet: &str, steps: &[Step], rollout: Option<String>, color: bool) -> String {
    let paint = |style: Style, text: &str| {
        if color {
            style.force_styling(true).apply_to(text).to_string()
        } else {
            text.to_string()
        }
    };
    let mut text = String::new();
    if steps.is_empty() {
        text.push_str("No changes. The fleet matches fleet.toml.\n");
        return text;
    }
    text.push_str("tfs uses these symbols for the actions:\n");
    for action in [
        Action::Create,
        Action::Update,
        Action::Replace,
        Action::Remove,
    ] {
        let _ = writeln!(
            text,
            "{} {}",
            paint(style(action), &format!("{:>3}", symbol(action))),
            describe(action)
        );
    }
    let _ = writeln!(
        text,
        "\ntfs will perform the following actions on fleet \"{}\":",
        fleet
    );
    for step in steps {
        text.push('\n');
        let heading = format!("{} {}", kind_word(step.kind), step.resource);
        let _ = write!(
            text,
            "{} {}",
            paint(style(step.action), &format!("{:>3}", symbol(step.action))),
            paint(Style::new().bold(), &heading)
        );
        if let Some(placement) = placement(step) {
            let _ = write!(text, "  ({placement})");
        }
        text.push('\n');
        for reason in &step.reasons {
            let _ = writeln!(text, "        {reason}");
        }
        conf_lines(&mut text, step, &paint);
    }
    if let Some(rollout) = rollout {
        let _ = writeln!(text, "\n{rollout}");
    }
    let summary = Summary::of(steps);
    let _ = writeln!(
        text,
        "\n{}",
        paint(
            Style::new().bold(),
            &format!(
                "Plan: {} to add, {} to change, {} to destroy.",
                summary.add, summary.change, summary.destroy
            )
        )
    );
    text
}

fn conf_lines(text: &mut String, step: &Step, paint: &dyn Fn(Style, &str) -> String) {
    let Some(change) = &step.nginx_conf else {
        return;
    };
    let Some(running) = &change.running else {
        let upstream = if change.upstream.is_empty() {
            "(empty)".to_string()
        } else {
            change.upstream.join(" ")
        };
        let _ = writeln!(text, "        new nginx.conf, upstream: {upstream}");
        return;
    };
    if running == &change.desired {
        return;
    }
    let diff = TextDiff::from_lines(running.as_str(), change.desired.as_str());
    let unified = diff
        .unified_diff()
        .context_radius(2)
        .header("running nginx.conf", "desired nginx.conf")
        .to_string();
    for line in unified.lines() {
        let styled = match line.chars().next() {
            Some('+') if !line.starts_with("+++") => paint(Style::new().green(), line),
            Some('-') if !line.starts_with("---") => paint(Style::new().red(), line),
            Some('@') => paint(Style::new().cyan(), line),
            _ => line.to_string(),
        };
        let _ = writeln!(text, "        {styled}");
    }
}

/// "GPU 0, GPU-…" or "CPU".
pub fn placement(step: &Step) -> Option<String> {
    if step.kind != Kind::Replica {
        return None;
    }
    Some(match &step.gpu {
        Some(gpu) => gpu_text(gpu),
        None if step
            .slot
            .as_deref()
            .is_some_and(|slot| slot.starts_with("cpu")) =>
        {
            "CPU".to_string()
        }
        None => return None,
    })
}

pub fn gpu_text(gpu: &GpuBinding) -> String {
    match (gpu.index, &gpu.uuid) {
        (Some(index), Some(uuid)) => format!("GPU {index}, {uuid}"),
        (Some(index), None) => format!("GPU {index}"),
        (None, _) => gpu.device_id.clone(),
    }
}

pub fn symbol(action: Action) -> &'static str {
    match action {
        Action::Create => "+",
        Action::Update => "~",
        Action::Replace => "-/+",
        Action::Remove => "-",
    }
}

fn describe(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update in place",
        Action::Replace => "destroy and then create replacement",
        Action::Remove => "destroy",
    }
}

fn style(action: Action) -> Style {
    match action {
        Action::Create => Style::new().green(),
        Action::Update => Style::new().yellow(),
        Action::Replace => Style::new().magenta(),
        Action::Remove => Style::new().red(),
    }
}

fn kind_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Network => "network",
        Kind::Replica => "replica",
        Kind::Balancer => "balancer",
        Kind::Container => "container",
    }
}
