//! Files in and out of containers, as the tar archives Docker's API speaks.

use std::io::Read;

use anyhow::{Context, Result};

/// A tar archive holding `files`, each a name and its content.
pub fn pack(files: &[(&str, &str)]) -> Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        builder
            .append_data(&mut header, name, content.as_bytes())
            .context("cannot build tar archive")?;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_holds_every_file_in_order_with_its_content() {
        let bytes = pack(&[("etc/a.conf", "one"), ("var/b/c.json", "{}")]).unwrap();
        let mut archive = tar::Archive::new(bytes.as_slice());
        let entries: Vec<(String, String, u64)> = archive
            .entries()
            .unwrap()
            .map(|entry| {
                let mut entry = entry.unwrap();
                let name = entry.path().unwrap().display().to_string();
                let mtime = entry.header().mtime().unwrap();
                let mut text = String::new();
                entry.read_to_string(&mut text).unwrap();
                (name, text, mtime)
            })
            .collect();
        assert_eq!(
            entries,
            [
                ("etc/a.conf".to_string(), "one".to_string(), 0),
                ("var/b/c.json".to_string(), "{}".to_string(), 0)
            ]
        );
        assert_eq!(unpack(&bytes).unwrap(), "one");
    }
}
