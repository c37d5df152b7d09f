//! Builds the stand-in libnvidia-ml.so.1 with the machine's C compiler
//! (`$CC`, else `cc`: the one rustc links with on Linux).

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=stand_in.c");
    println!("cargo:rerun-if-env-changed=CC");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let directory = out.join("lib");
    std::fs::create_dir_all(&directory).expect("OUT_DIR is writable");
    let library = directory.join("libnvidia-ml.so.1");
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let status = Command::new(&compiler)
        .args([
            "-shared", "-fPIC", "-O1", "-Wall", "-Wextra", "-Werror", "-o",
        ])
        .arg(&library)
        .arg("stand_in.c")
        .status()
        .unwrap_or_else(|error| panic!("cannot run the C compiler {compiler:?}: {error}"));
    assert!(
        status.success(),
        "{compiler} failed to build stand_in.c ({status})"
    );
    println!(
        "cargo:rustc-env=TFS_NVML_STAND_IN_DIR={}",
        directory.display()
    );
}
