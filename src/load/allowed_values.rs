//! The values serde allows where it found another: read from its message
//! ("expected one of `a`, `b`") and offered back as a hint.

use super::suggest::closest;

/// Splits "`key`, expected one of `a`, `b`" into the key and the list.
pub fn split_expected(text: &str) -> (String, Vec<String>) {
    let (head, tail) = text.split_once(", expected").unwrap_or((text, ""));
    let key = head.trim().trim_matches('`').to_string();
    let allowed = tail
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    (key, allowed)
}

/// "did you mean "least_conn"? allowed values: ...".
pub fn allowed_values(value: &str, allowed: &[String]) -> String {
    let quoted: Vec<String> = allowed.iter().map(|value| format!("\"{value}\"")).collect();
    let hint = format!("allowed values: {}", quoted.join(", "));
    match closest(value, allowed.iter().map(String::as_str)) {
        Some(near) => format!("did you mean \"{near}\"? {hint}"),
        None => hint,
    }
}
