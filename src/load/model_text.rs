//! What a model's name and path may hold. The name goes into TF Serving
//! URLs, the model config file and the container's mount point, so it must
//! be one plain path component; the path goes into a bind mount spec, where
//! `:` and `,` separate fields.

use toml::Spanned;

use super::checker::Checker;
use super::quoted::quoted;

/// The longest model name: a path component's limit on Linux.
const LONGEST_NAME: usize = 255;

/// Whether `name` is `[A-Za-z0-9][A-Za-z0-9._-]*`, at most 255 characters:
/// never `.` or `..`, never a `/`.
pub fn check_model_name(name: &Spanned<String>, checker: &mut Checker) -> bool {
    let text = name.get_ref();
    let valid = text.len() <= LONGEST_NAME
        && text.starts_with(|c: char| c.is_ascii_alphanumeric())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if !valid {
        checker.error(
            name.span(),
            format!("invalid model name {}", quoted(text)),
            "a model name is 1 to 255 letters, digits, '_', '.' and '-', starting with a letter or digit",
        );
    }
    valid
}

/// Whether `path` can be written in a bind mount: not empty, and no `:`,
/// `,` or control characters (a newline or NUL included).
pub fn check_model_path_text(path: &Spanned<String>, checker: &mut Checker) -> bool {
    let text = path.get_ref();
    let bad = text
        .chars()
        .find(|c| matches!(c, ':' | ',') || c.is_control());
    let (message, hint) = match bad {
        None if !text.is_empty() => return true,
        None => (
            "model path is empty".to_string(),
            "point `path` at the directory that holds the numeric version directories",
        ),
        Some(bad) => {
            let what = match bad {
                ':' | ',' => format!("'{bad}'"),
                _ => "a control character".to_string(),
            };
            (
                format!("model path {} contains {what}", quoted(text)),
                "Docker's bind mounts separate fields with ':' and ','; move or link the model to a path without them",
            )
        }
    };
    checker.error(path.span(), message, hint);
    false
}
