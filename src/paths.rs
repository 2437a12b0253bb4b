//! Paths as the run report and the dataset metadata write them.

use std::path::{Component, Path};

/// A path relative to `base` (both made absolute), with forward slashes.
pub fn relative_path(path: &Path, base: &Path) -> String {
    let abs = |p: &Path| {
        std::fs::canonicalize(p).unwrap_or_else(|_| {
            std::env::current_dir()
                .map(|d| d.join(p))
                .unwrap_or_else(|_| p.to_path_buf())
        })
    };
    let path = abs(path);
    let base = abs(base);
    let pc: Vec<Component> = path.components().collect();
    let bc: Vec<Component> = base.components().collect();
    let common = pc.iter().zip(&bc).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = Vec::new();
    for _ in common..bc.len() {
        parts.push("..".into());
    }
    for c in &pc[common..] {
        parts.push(c.as_os_str().to_string_lossy().into_owned());
    }
    parts.join("/")
}

/// Whether `given` (a path as a user gave it) names the file at `path`: the same file once
/// both are made absolute, or — for a bare file name — a file of that name.
pub fn same_file(given: &Path, path: &Path) -> bool {
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    if let (Some(a), Some(b)) = (canonical(given), canonical(path)) {
        if a == b {
            return true;
        }
    }
    let bare = given.components().count() == 1;
    bare && path.file_name() == given.file_name()
}
