//! Checks of `[rollout]`: how many slots at once, and the drain timeout.

use std::time::Duration;

use super::checker::Checker;
use super::fleet::Rollout;
use super::fleet_file::RolloutSection;
use super::quoted::quoted;

/// `[rollout]` with its defaults filled in.
pub fn check_rollout(section: &RolloutSection, checker: &mut Checker) -> Option<Rollout> {
    let max_unavailable = section.max_unavailable.as_ref().map_or(Some(1), |value| {
        checker.number(value, 1..=1024, "max_unavailable")
    });
    let drain_timeout = match &section.drain_timeout {
        Some(value) => match parse_duration(value.get_ref()) {
            Some(duration) => Some(duration),
            None => {
                checker.error(
                    value.span(),
                    format!(
                        "`drain_timeout` {} is not a duration",
                        quoted(value.get_ref())
                    ),
                    "write a number with ms, s or m, e.g. \"30s\"",
                );
                None
            }
        },
        None => Some(Duration::from_secs(30)),
    };
    Some(Rollout {
        max_unavailable: max_unavailable?,
        drain_timeout: drain_timeout?,
    })
}

/// Parses "250ms", "30s" or "2m"; None for anything else, or a number of
/// minutes past what seconds can count.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    match unit {
        "ms" => Some(Duration::from_millis(number)),
        "s" => Some(Duration::from_secs(number)),
        // A count of minutes too large to be seconds is no duration.
        "m" => number.checked_mul(60).map(Duration::from_secs),
        _ => None,
    }
}
