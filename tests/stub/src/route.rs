//! Parses TF Serving's REST paths:
//! `/v1/models/{m}[/versions/{v} | /labels/{l}][/metadata | :predict | :classify | :regress]`.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Status,
    Metadata,
    Predict,
    Classify,
    Regress,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub model: String,
    pub version: Option<i64>,
    pub label: Option<String>,
    pub action: Action,
}

/// `None` for a path TF Serving would call malformed.
pub fn parse(path: &str) -> Option<Target> {
    let rest = path.strip_prefix("/v1/models/")?;
    let (main, verb) = match rest.rsplit_once(':') {
        Some((m, v)) if !v.contains('/') => (m, Some(v)),
        _ => (rest, None),
    };
    let mut segs = main.split('/');
    let model = segs.next().filter(|m| !m.is_empty())?.to_string();
    let mut t = Target {
        model,
        version: None,
        label: None,
        action: Action::Status,
    };
    let mut seg = segs.next();
    match seg {
        Some("versions") => {
            let v = segs.next()?;
            if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            t.version = Some(v.parse().ok()?);
            seg = segs.next();
        }
        Some("labels") => {
            t.label = Some(segs.next().filter(|l| !l.is_empty())?.to_string());
            seg = segs.next();
        }
        _ => {}
    }
    match (seg, verb) {
        (None, None) => {}
        (Some("metadata"), None) => t.action = Action::Metadata,
        (None, Some("predict")) => t.action = Action::Predict,
        (None, Some("classify")) => t.action = Action::Classify,
        (None, Some("regress")) => t.action = Action::Regress,
        _ => return None,
    }
    if segs.next().is_some() {
        return None;
    }
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(model: &str, version: Option<i64>, action: Action) -> Option<Target> {
        Some(Target {
            model: model.into(),
            version,
            label: None,
            action,
        })
    }

    #[test]
    fn paths() {
        assert_eq!(parse("/v1/models/m"), t("m", None, Action::Status));
        assert_eq!(
            parse("/v1/models/m/versions/123"),
            t("m", Some(123), Action::Status)
        );
        assert_eq!(
            parse("/v1/models/m/metadata"),
            t("m", None, Action::Metadata)
        );
        assert_eq!(
            parse("/v1/models/m/versions/7/metadata"),
            t("m", Some(7), Action::Metadata)
        );
        assert_eq!(parse("/v1/models/m:predict"), t("m", None, Action::Predict));
        assert_eq!(
            parse("/v1/models/m/versions/1:predict"),
            t("m", Some(1), Action::Predict)
        );
        assert_eq!(parse("/v1/models/m:regress"), t("m", None, Action::Regress));
        assert_eq!(
            parse("/v1/models/m/labels/stable")
                .unwrap()
                .label
                .as_deref(),
            Some("stable")
        );
    }

    #[test]
    fn malformed() {
        for p in [
            "/v1/models/",
            "/v1/models/m/versions/x",
            "/v1/models/m/versions/",
            "/v1/models/m:explode",
            "/v1/models/m/metadata:predict",
            "/v1/models/m/other",
            "/v1/models/m/versions/1/metadata/x",
            "/v2/models/m",
        ] {
            assert_eq!(parse(p), None, "{p}");
        }
    }
}
