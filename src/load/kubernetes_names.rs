//! Kubernetes' rules for names, label keys and label values: every value
//! of `[kubernetes]` that becomes a name or a label in a manifest is one
//! the API server accepts.

/// A DNS-1123 label: 1 to 63 of `a-z`, `0-9` and `-`, starting and ending
/// alphanumeric (namespaces, most object names).
pub fn is_dns_label(text: &str) -> bool {
    (1..=63).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !text.starts_with('-')
        && !text.ends_with('-')
}

/// A DNS-1123 subdomain: at most 253 characters, dot-separated DNS-1123 labels.
pub fn is_dns_subdomain(text: &str) -> bool {
    text.len() <= 253 && text.split('.').all(is_dns_label)
}

/// A label value: empty, or at most 63 of alphanumerics, `-`, `_` and `.`,
/// starting and ending alphanumeric.
pub fn is_label_value(text: &str) -> bool {
    text.is_empty() || is_qualified_name_part(text)
}

/// A label key: `[prefix/]name`, the prefix a DNS subdomain, the name as a label value but not empty.
pub fn is_label_key(text: &str) -> bool {
    match text.split_once('/') {
        Some((prefix, name)) => is_dns_subdomain(prefix) && is_qualified_name_part(name),
        None => is_qualified_name_part(text),
    }
}

fn is_qualified_name_part(text: &str) -> bool {
    (1..=63).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && text.starts_with(|c: char| c.is_ascii_alphanumeric())
        && text.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// A Kubernetes quantity of bytes as `storage` takes it: digits and an optional suffix.
pub fn is_storage_quantity(text: &str) -> bool {
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &text[digits.len()..];
    !digits.is_empty()
        && digits.len() <= 18
        && digits.chars().all(|c| c.is_ascii_digit())
        && [
            "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "k", "M", "G", "T", "P", "E",
        ]
        .contains(&suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_kubernetes() {
        assert!(is_dns_label("ml-serving"));
        assert!(is_dns_label("7up"));
        for bad in ["", "-a", "a-", "A", "a_b", "a.b", &"a".repeat(64)] {
            assert!(!is_dns_label(bad), "{bad}");
        }
        assert!(is_dns_subdomain("cluster.local"));
        assert!(!is_dns_subdomain("cluster..local"));
        assert!(is_label_key("nvidia.com/gpu.present"));
        assert!(is_label_key("kubernetes.io/os"));
        assert!(is_label_key("Accelerator_Type"));
        for bad in ["", "/gpu", "a/", "a/b/c", "-x", "x y", "Nvidia.com/gpu"] {
            assert!(!is_label_key(bad), "{bad}");
        }
        assert!(is_label_value(""));
        assert!(is_label_value("A100_80GB.v2"));
        for bad in ["-x", "x-", "a b", "a/b", "x\n", &"a".repeat(64)] {
            assert!(!is_label_value(bad), "{bad}");
        }
        assert!(is_storage_quantity("10Gi"));
        assert!(is_storage_quantity("500M"));
        for bad in ["", "Gi", "10gi", "1.5Gi", "-1Gi", "10 Gi"] {
            assert!(!is_storage_quantity(bad), "{bad}");
        }
    }
}
