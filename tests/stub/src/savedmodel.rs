//! The check a version directory passes before it can load: it holds a
//! `saved_model.pb` that parses as a `tensorflow.SavedModel` protobuf (or a
//! `saved_model.pbtxt` that parses as text format), with TF Serving's error
//! (code, message) otherwise. An empty saved_model.pb is a valid (empty)
//! SavedModel for the stub, which answers half_plus_two whatever the graph.

use crate::textproto;
use prost::Message;
use std::path::Path;
use tfs_proto::tensorflow::SavedModel;

/// A load failure: the canonical code name and TF Serving's message.
pub type LoadError = (&'static str, String);

/// Ok when `dir` holds a SavedModel that parses.
pub fn check(dir: &Path) -> Result<(), LoadError> {
    let pb = dir.join("saved_model.pb");
    let pbtxt = dir.join("saved_model.pbtxt");
    if pb.is_file() {
        let bytes = std::fs::read(&pb).map_err(|e| unreadable(&pb, e))?;
        SavedModel::decode(bytes.as_slice()).map_err(|_| {
            (
                "DATA_LOSS",
                format!("Can't parse {} as binary proto", pb.display()),
            )
        })?;
        return Ok(());
    }
    if pbtxt.is_file() {
        let text = std::fs::read_to_string(&pbtxt).map_err(|e| unreadable(&pbtxt, e))?;
        textproto::parse(&text).map_err(|_| {
            (
                "DATA_LOSS",
                format!("Can't parse {} as text proto", pbtxt.display()),
            )
        })?;
        return Ok(());
    }
    Err((
        "NOT_FOUND",
        format!(
            "Could not find SavedModel .pb or .pbtxt at supplied export directory path: {}. \
             Check that the directory exists and that you have the right permissions for \
             accessing it.",
            dir.display()
        ),
    ))
}

fn unreadable(path: &Path, e: std::io::Error) -> LoadError {
    ("FAILED_PRECONDITION", format!("{}; {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFERENCE: &str = "/work/shared/reference/tf-serving/half_plus_two_cpu/00000123";

    fn dir(tag: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("tfs-stub-sm-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn missing_garbage_empty_and_text() {
        let d = dir("cases");
        let (code, msg) = check(&d).unwrap_err();
        assert_eq!(code, "NOT_FOUND");
        assert!(
            msg.starts_with("Could not find SavedModel .pb or .pbtxt"),
            "{msg}"
        );
        std::fs::write(d.join("saved_model.pb"), b"not a model").unwrap();
        let (code, msg) = check(&d).unwrap_err();
        assert_eq!(code, "DATA_LOSS");
        assert!(msg.ends_with("saved_model.pb as binary proto"), "{msg}");
        std::fs::write(d.join("saved_model.pb"), b"").unwrap();
        assert_eq!(check(&d), Ok(()));
        std::fs::remove_file(d.join("saved_model.pb")).unwrap();
        std::fs::write(d.join("saved_model.pbtxt"), "meta_graphs { }").unwrap();
        assert_eq!(check(&d), Ok(()));
        std::fs::write(d.join("saved_model.pbtxt"), "meta_graphs {").unwrap();
        assert_eq!(check(&d).unwrap_err().0, "DATA_LOSS");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn the_real_half_plus_two_parses() {
        if Path::new(REFERENCE).is_dir() {
            assert_eq!(check(Path::new(REFERENCE)), Ok(()));
        }
    }
}
