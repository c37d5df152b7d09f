//! Single files in and out of containers, as the tar archives Docker's API speaks.

use std::io::Read;

use anyhow::{Context, Result};

/// A tar archive holding one file named `name`.
pub fn pack(name: &str, content: &str) -> Result<Vec<u8>> {
    let mut header = tar::Header::new_gnu();
    header.set_size(content.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_cksum();
    let mut builder = tar::Builder::new(Vec::new());
    builder
        .append_data(&mut header, name, content.as_bytes())
        .context("cannot build tar archive")?;
    builder.into_inner().context("cannot finish tar archive")
}

/// A tar archive holding one symbolic link named `name` that points at `target`.
pub fn pack_link(name: &str, target: &str) -> Result<Vec<u8>> {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Symlink);
    header.set_size(0);
    header.set_mode(0o777);
    header.set_mtime(0);
    let mut builder = tar::Builder::new(Vec::new());
    builder
        .append_link(&mut header, name, target)
        .context("cannot build tar archive")?;
    builder.into_inner().context("cannot finish tar archive")
}

/// The first regular file in a tar archive.
pub fn unpack(bytes: &[u8]) -> Result<String> {
    let mut archive = tar::Archive::new(bytes);
    for entry in archive.entries().context("not a tar archive")? {
        let mut entry = entry?;
        if entry.header().entry_type().is_file() {
            let mut text = String::new();
            entry.read_to_string(&mut text)?;
            return Ok(text);
        }
    }
    anyhow::bail!("the archive holds no file")
}
