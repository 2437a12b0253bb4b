//! Which files a folder holds to validate: the published ones, not the run's metadata or
//! internal review files.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The files to validate among `paths`: files as given, and the published files in folders
/// (see [`published_files`]).
pub fn files_to_validate(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    published_files(paths, &["csv", "json", "parquet", "xlsx", "rdf"])
}

/// Files as given, and in each folder (and the folders below it, in name order) the files with
/// one of the extensions `exts` that a run publishes: not the run's own metadata
/// (`report.json`, `datapackage.json`), the `internal/` review files (never published) or
/// hidden folders (a run's staging area).
pub fn published_files(paths: &[PathBuf], exts: &[&str]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect_published(path, exts, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

pub(super) fn collect_published(dir: &Path, exts: &[&str], files: &mut Vec<PathBuf>) -> Result<()> {
    let mut below = Vec::new();
    collect_every_file(dir, &mut below)?;
    for entry in below {
        let name = crate::read::file_name(&entry);
        let ext = entry
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let metadata = matches!(name.as_str(), "report.json" | "datapackage.json");
        if exts.contains(&ext.as_str()) && !metadata {
            files.push(entry);
        }
    }
    Ok(())
}

/// Every file in `dir` and the folders below it, in name order, leaving out hidden files and
/// folders (a run's staging area) and `internal/` folders (review files, never published).
pub fn collect_every_file(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        let name = crate::read::file_name(&entry);
        if name.starts_with('.') {
            continue;
        }
        if entry.is_dir() {
            if name != "internal" {
                collect_every_file(&entry, files)?;
            }
            continue;
        }
        files.push(entry);
    }
    Ok(())
}
