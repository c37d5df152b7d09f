//! Docker's image reference grammar (github.com/distribution/reference):
//! `[domain[:port]/]path[:tag][@algorithm:hex]`, checked before apply hands
//! an image to Docker, which would refuse it only once containers are going.

use toml::Spanned;

use super::checker::Checker;
use super::quoted::quoted;

/// Why a string is not an image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageProblem {
    Empty,
    Whitespace,
    ControlCharacter,
    TooLong(usize),
    Uppercase,
    BadDomain,
    BadPort,
    BadPathComponent(String),
    BadTag,
    BadDigest,
}

/// The image of `value`, or None after reporting why Docker would refuse
/// it; `example` is a valid image for the hint.
pub fn check_image(
    value: &Spanned<String>,
    example: &str,
    checker: &mut Checker,
) -> Option<String> {
    let text = value.get_ref();
    match check_image_reference(text) {
        Ok(()) => Some(text.clone()),
        Err(problem) => {
            let message = match problem {
                ImageProblem::Empty => "`image` is empty".to_string(),
                _ => format!(
                    "`image` {} is not an image reference: {problem}",
                    quoted(text)
                ),
            };
            checker.error(
                value.span(),
                message,
                format!(
                    "write [registry[:port]/]name[:tag][@digest] in lowercase, e.g. \"{example}\""
                ),
            );
            None
        }
    }
}

/// The longest name (domain and path) Docker accepts.
const LONGEST_NAME: usize = 255;

impl std::fmt::Display for ImageProblem {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImageProblem::Empty => formatter.write_str("it is empty"),
            ImageProblem::Whitespace => formatter.write_str("it contains whitespace"),
            ImageProblem::ControlCharacter => formatter.write_str("it contains a control character"),
            ImageProblem::TooLong(length) => write!(
                formatter,
                "its name is {length} characters long, more than {LONGEST_NAME}"
            ),
            ImageProblem::Uppercase => formatter.write_str("repository names must be lowercase"),
            ImageProblem::BadDomain => formatter.write_str("the registry host is not a host name"),
            ImageProblem::BadPort => formatter.write_str("the registry port is not a number"),
            ImageProblem::BadPathComponent(component) if component.is_empty() => {
                formatter.write_str("it has an empty path component")
            }
            ImageProblem::BadPathComponent(component) => write!(
                formatter,
                "path component \"{}\" is not lowercase letters and digits joined by '.', '_', '__' or '-'",
                component.escape_debug()
            ),
            ImageProblem::BadTag => formatter.write_str(
                "the tag is not 1 to 128 letters, digits, '_', '.' and '-' (not starting with '.' or '-')",
            ),
            ImageProblem::BadDigest => {
                formatter.write_str("the digest is not algorithm:hex (e.g. sha256: and 64 hex digits)")
            }
        }
    }
}

/// Checks `text` against the reference grammar.
pub fn check_image_reference(text: &str) -> Result<(), ImageProblem> {
    if text.is_empty() {
        return Err(ImageProblem::Empty);
    }
    if text.chars().any(char::is_whitespace) {
        return Err(ImageProblem::Whitespace);
    }
    if text.chars().any(char::is_control) {
        return Err(ImageProblem::ControlCharacter);
    }
    let (named, digest) = match text.split_once('@') {
        Some((named, digest)) => (named, Some(digest)),
        None => (text, None),
    };
    // A ':' after the last '/' starts a tag; one before it is a registry port.
    let last_slash = named.rfind('/').map_or(0, |index| index + 1);
    let (name, tag) = match named[last_slash..].find(':') {
        Some(colon) => (
            &named[..last_slash + colon],
            Some(&named[last_slash + colon + 1..]),
        ),
        None => (named, None),
    };
    check_name(name)?;
    if let Some(tag) = tag {
        check_tag(tag)?;
    }
    if let Some(digest) = digest {
        check_digest(digest)?;
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), ImageProblem> {
    if name.len() > LONGEST_NAME {
        return Err(ImageProblem::TooLong(name.len()));
    }
    let mut components: Vec<&str> = name.split('/').collect();
    // Docker's rule for what is a registry: a first component, before
    // another, with a '.' or ':', or "localhost", or capitals.
    let first = components[0];
    let is_domain = components.len() > 1
        && (first.contains(['.', ':'])
            || first == "localhost"
            || first.chars().any(|c| c.is_ascii_uppercase()));
    if is_domain {
        check_domain(first)?;
        components.remove(0);
    }
    for component in components {
        if component.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(ImageProblem::Uppercase);
        }
        if !is_path_component(component) {
            return Err(ImageProblem::BadPathComponent(component.to_string()));
        }
    }
    Ok(())
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn is_path_component(component: &str) -> bool {
    let alphanumeric = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    };
    let mut rest = component;
    loop {
        let end = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
            .unwrap_or(rest.len());
        if !alphanumeric(&rest[..end]) {
            return false;
        }
        rest = &rest[end..];
        if rest.is_empty() {
            return true;
        }
        let separator = rest
            .find(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            .unwrap_or(rest.len());
        let written = &rest[..separator];
        let valid = matches!(written, "." | "_" | "__") || written.chars().all(|c| c == '-');
        if !valid {
            return false;
        }
        rest = &rest[separator..];
    }
}

/// `host[:port]`, host being dot-separated labels or a bracketed IPv6 address.
fn check_domain(domain: &str) -> Result<(), ImageProblem> {
    let (host, port) = match domain.strip_prefix('[') {
        Some(bracketed) => {
            let (address, after) = bracketed.split_once(']').ok_or(ImageProblem::BadDomain)?;
            address
                .parse::<std::net::Ipv6Addr>()
                .map_err(|_| ImageProblem::BadDomain)?;
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':').ok_or(ImageProblem::BadDomain)?),
            };
            (None, port)
        }
        None => match domain.rsplit_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(domain), None),
        },
    };
    if let Some(host) = host {
        let label = |label: &str| {
            !label.is_empty()
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        if !host.split('.').all(label) {
            return Err(ImageProblem::BadDomain);
        }
    }
    match port {
        Some(port) if port.is_empty() || !port.chars().all(|c| c.is_ascii_digit()) => {
            Err(ImageProblem::BadPort)
        }
        _ => Ok(()),
    }
}

/// `[\w][\w.-]{0,127}`
fn check_tag(tag: &str) -> Result<(), ImageProblem> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut characters = tag.chars();
    let valid = characters.next().is_some_and(word)
        && tag.len() <= 128
        && characters.all(|c| word(c) || c == '.' || c == '-');
    valid.then_some(()).ok_or(ImageProblem::BadTag)
}

/// `algorithm:hex`; sha256 and sha512 with their exact lengths.
fn check_digest(digest: &str) -> Result<(), ImageProblem> {
    let (algorithm, hex) = digest.split_once(':').ok_or(ImageProblem::BadDigest)?;
    let algorithm_valid = algorithm.split(['+', '.', '_', '-']).all(|part| {
        part.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && part.chars().all(|c| c.is_ascii_alphanumeric())
    });
    let length_valid = match algorithm {
        "sha256" => hex.len() == 64,
        "sha512" => hex.len() == 128,
        _ => hex.len() >= 32,
    };
    let hex_valid = hex.chars().all(|c| c.is_ascii_hexdigit());
    (algorithm_valid && length_valid && hex_valid)
        .then_some(())
        .ok_or(ImageProblem::BadDigest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_docker_accepts_pass() {
        let digest = format!("tensorflow/serving@sha256:{}", "a1".repeat(32));
        for valid in [
            "nginx",
            "nginx:1.27",
            "localhost:5000/tfs-serving-stub:latest",
            "registry.example.com:443/a/b_c/d-e:1.0",
            "tensorflow/serving:2.18.0-gpu",
            "a__b/c---d:_x",
            "[::1]:5000/stub",
            "Registry.Example.com/x",
            &digest,
            &format!("{}:1.0", &digest[..digest.find('@').unwrap()]),
        ] {
            assert_eq!(check_image_reference(valid), Ok(()), "{valid}");
        }
    }

    #[test]
    fn references_docker_refuses_fail_with_their_reason() {
        let cases = [
            ("", ImageProblem::Empty),
            ("Nginx", ImageProblem::Uppercase),
            ("nginx :1", ImageProblem::Whitespace),
            ("nginx:1\u{7}", ImageProblem::ControlCharacter),
            ("a//b", ImageProblem::BadPathComponent(String::new())),
            ("-a", ImageProblem::BadPathComponent("-a".to_string())),
            ("a.-b", ImageProblem::BadPathComponent("a.-b".to_string())),
            ("a:", ImageProblem::BadTag),
            ("a:.x", ImageProblem::BadTag),
            ("a@sha256:zz", ImageProblem::BadDigest),
            ("a@sha256:abc", ImageProblem::BadDigest),
            ("localhost:xy/a", ImageProblem::BadPort),
            ("bad_host.com/a", ImageProblem::BadDomain),
        ];
        for (invalid, problem) in cases {
            assert_eq!(check_image_reference(invalid), Err(problem), "{invalid:?}");
        }
        let long = format!("a/{}", "b".repeat(300));
        assert_eq!(
            check_image_reference(&long),
            Err(ImageProblem::TooLong(302))
        );
        assert_eq!(
            check_image_reference(&format!("a:{}", "t".repeat(129))),
            Err(ImageProblem::BadTag)
        );
    }
}
