//! Generates the list of embedded catalog files (`data/catalog/*.toml`) so that
//! `Catalog::builtin()` needs no file at run time.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let dir = manifest.join("data").join("catalog");
    println!("cargo:rerun-if-changed=data/catalog");
    println!("cargo:rerun-if-changed=build.rs");
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    let mut out = String::from("/// Embedded catalog files: (file name, contents).\n");
    out.push_str("pub(crate) static BUILTIN_CATALOG_FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        writeln!(
            out,
            "    ({:?}, include_str!({:?})),",
            format!("catalog/{name}"),
            f.display().to_string()
        )
        .expect("write to string");
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out_dir.join("builtin_catalog.rs"), out).expect("write builtin_catalog.rs");
}
