use serde::Serialize;
use sha2::{Digest, Sha256};

/// SHA-256 of a value's JSON form, hex encoded; like compose's config-hash.
pub fn content_hash(value: &impl Serialize) -> String {
    let json = serde_json::to_vec(value).expect("specs serialize to JSON");
    hex::encode(Sha256::digest(json))
}
