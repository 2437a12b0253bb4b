//! The output folder holds one run, whole.
//!
//! - **One run at a time.** A run holds an advisory lock on `OUT/.reskontra.lock` (flock) from
//!   the moment it stages until it has committed or given up. A second run waits
//!   [`LOCK_WAIT`] and then refuses, naming the process that holds the folder. The kernel
//!   releases the lock of a process that died (even by SIGKILL), so a dead run's lock is
//!   simply taken over.
//! - **One run's outputs at a time.** `report.json` describes exactly the published files
//!   beside it. Converting into a folder that holds another run's outputs is refused, unless
//!   the run has the same inputs (a re-run, e.g. after a policy change, replaces its own
//!   outputs) or `--replace` is given; then the earlier run's outputs — only the files its
//!   report.json lists — are removed in the step that moves the new ones in. A file that no
//!   report lists is never removed or overwritten.
//! - **A commit a kill cannot leave half done.** Files are written into a hidden staging
//!   folder; the commit writes a journal (`OUT/.reskontra-commit.json`: what to remove, what to
//!   move in), applies it and deletes it. A run killed during the few renames leaves the
//!   journal, and the next run into the folder completes it before anything else. Staging
//!   folders of runs that no longer exist are removed by the next run.

use crate::error::{Error, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a run waits for another run that is writing into the same folder.
pub const LOCK_WAIT: Duration = Duration::from_secs(3);

/// The lock file in the output folder.
const LOCK_FILE: &str = ".reskontra.lock";
/// The commit journal in the output folder.
const JOURNAL: &str = ".reskontra-commit.json";
/// The prefix of staging folders.
const STAGING_PREFIX: &str = ".reskontra-staging-";
/// The report every run writes last.
const REPORT: &str = "report.json";

/// An exclusive lock on an output folder, held while the value lives.
#[derive(Debug)]
struct Lock {
    file: fs::File,
    path: PathBuf,
}

/// How long to wait for a lock: [`LOCK_WAIT`], or `RESKONTRA_LOCK_WAIT_MS` (for tests).
fn lock_wait() -> Duration {
    std::env::var("RESKONTRA_LOCK_WAIT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(LOCK_WAIT, Duration::from_millis)
}

impl Lock {
    /// Take the folder's lock, waiting up to [`lock_wait`] for a run that holds it.
    fn acquire(out: &Path) -> Result<Lock> {
        let path = out.join(LOCK_FILE);
        let deadline = std::time::Instant::now() + lock_wait();
        loop {
            let file = fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| Error::io(&path, e))?;
            match file.try_lock() {
                Ok(()) if still_at(&file, &path) => {
                    let lock = Lock { file, path };
                    lock.write_owner();
                    return Ok(lock);
                }
                // the holder removed the file as it finished: lock the new one
                Ok(()) => continue,
                Err(fs::TryLockError::WouldBlock) => {
                    if std::time::Instant::now() >= deadline {
                        return Err(Error::OutputFolder {
                            path: out.to_path_buf(),
                            message: format!(
                                "another reskontra run is writing here ({}); wait until it has finished, or write into another folder",
                                owner_of(&path)
                            ),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
        }
    }

    /// Record who holds the lock, for the message a waiting run gives.
    fn write_owner(&self) {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .and_then(|d| chrono::DateTime::from_timestamp(i64::try_from(d.as_secs()).ok()?, 0))
            .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_default();
        let mut file = &self.file;
        let _ = file.set_len(0);
        let _ = writeln!(file, "process {}, started {started}", std::process::id());
        let _ = file.flush();
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // removed while still locked: a run that opened it meanwhile sees it gone and retries
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// Whether the locked file is still the one at `path` (not removed by the run that held it).
#[cfg(unix)]
fn still_at(file: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_at(_file: &fs::File, path: &Path) -> bool {
    path.exists()
}

/// Who holds a lock, as its file says.
fn owner_of(path: &Path) -> String {
    fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "process unknown".into())
}

/// The run whose outputs a folder holds, as its report.json says.
#[derive(Debug, Clone)]
struct PriorRun {
    /// Its files, relative to the folder, report.json last.
    files: Vec<String>,
    /// The SHA-256 of its inputs (a converted run's main and lookup inputs).
    inputs: Vec<String>,
    /// A few words naming it: its outputs' months and its inputs.
    description: String,
    /// What kind of run wrote it (`collect` for a collected dataset; none for a conversion or
    /// a year dataset, whose reports say no kind).
    kind: Option<String>,
}

impl PriorRun {
    /// The run described by `OUT/report.json`, if there is one.
    fn read(out: &Path) -> Result<Option<PriorRun>> {
        let path = out.join(REPORT);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, e)),
        };
        let foreign = || Error::OutputFolder {
            path: out.to_path_buf(),
            message: "holds a report.json that reskontra did not write; write into another folder"
                .into(),
        };
        let report: serde_json::Value = serde_json::from_str(&text).map_err(|_| foreign())?;
        if report["tool"] != "reskontra" {
            return Err(foreign());
        }
        let mut files: Vec<String> = report["outputs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o["path"].as_str())
            .filter(|p| is_inside(p))
            .map(str::to_string)
            .collect();
        files.push(REPORT.to_string());
        let inputs_of = |role_ok: &dyn Fn(&serde_json::Value) -> bool| -> Vec<&serde_json::Value> {
            report["inputs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|i| role_ok(&i["role"]))
                .collect()
        };
        let inputs = inputs_of(&|role| role != "suppliers");
        let names: Vec<String> = inputs
            .iter()
            .filter_map(|i| i["path"].as_str())
            .map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
            .collect();
        let outputs: Vec<String> = report["outputs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|o| o["published"] != false)
            .filter_map(|o| o["path"].as_str())
            .filter(|p| !p.contains('/'))
            .filter_map(|p| p.rsplit_once('.').map(|(stem, _)| stem.to_string()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let kind = report["kind"].as_str().map(str::to_string);
        let what = match (report["year"].as_i64(), kind.as_deref()) {
            (_, Some("collect")) => "a collected dataset".to_string(),
            (_, Some("analyse")) => "an analysis".to_string(),
            (Some(year), _) => format!("the {year} dataset"),
            (None, _) => outputs.join(", "),
        };
        Ok(Some(PriorRun {
            files,
            inputs: inputs
                .iter()
                .filter_map(|i| i["sha256"].as_str())
                .map(str::to_string)
                .collect(),
            description: format!("{what}, from {}", names.join(", ")),
            kind,
        }))
    }

    /// Whether a run with inputs of these SHA-256 values is this run again.
    fn same_inputs(&self, inputs: &[String]) -> bool {
        let (mut a, mut b) = (self.inputs.clone(), inputs.to_vec());
        a.sort();
        b.sort();
        !a.is_empty() && a == b
    }
}

/// Whether a relative path stays inside its folder (no `..`, not absolute).
fn is_inside(rel: &str) -> bool {
    let p = Path::new(rel);
    !rel.is_empty()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// What a commit does, written down before it starts so that a killed commit can be finished.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
struct Journal {
    /// The staging folder's name inside the output folder.
    staging: String,
    /// The earlier run's files to remove, report.json first.
    remove: Vec<String>,
    /// The files to move from the staging folder, report.json last.
    moves: Vec<String>,
}

impl Journal {
    /// Carry it out; every step may have been done before (a resumed commit).
    fn apply(&self, out: &Path) -> Result<()> {
        for rel in &self.remove {
            let path = out.join(rel);
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&path, e)),
            }
            // an emptied folder (internal/, a partition's) goes with its files
            let mut parent = Path::new(rel).parent();
            while let Some(dir) = parent.filter(|p| !p.as_os_str().is_empty()) {
                if fs::remove_dir(out.join(dir)).is_err() {
                    break;
                }
                parent = dir.parent();
            }
        }
        let staging = out.join(&self.staging);
        for rel in &self.moves {
            let (from, to) = (staging.join(rel), out.join(rel));
            if !from.exists() {
                continue; // moved already
            }
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            fs::rename(&from, &to).map_err(|e| Error::io(&to, e))?;
        }
        sync_dir(out);
        Ok(())
    }
}

/// Flush a folder's entries to disk (best effort: not every system can).
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Finish a commit that a killed run left, and remove the staging folders of runs that no
/// longer exist (only the lock holder stages, and this run holds the lock).
fn recover(out: &Path) -> Result<()> {
    let journal_path = out.join(JOURNAL);
    if let Ok(text) = fs::read_to_string(&journal_path) {
        // written whole and renamed into place: a journal is complete, or absent
        if let Ok(journal) = serde_json::from_str::<Journal>(&text) {
            journal.apply(out)?;
        }
        fs::remove_file(&journal_path).map_err(|e| Error::io(&journal_path, e))?;
    }
    let entries = fs::read_dir(out).map_err(|e| Error::io(out, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with(STAGING_PREFIX) && entry.path().is_dir() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
    Ok(())
}

/// A staging folder inside the output folder, holding the folder's lock; files are moved into
/// place by [`Staging::commit`].
pub struct Staging {
    dir: tempfile::TempDir,
    out: PathBuf,
    created_out: bool,
    files: Vec<PathBuf>,
    prior: Option<PriorRun>,
    replace: bool,
    /// Dropped last: the lock outlives the staging folder.
    _lock: Lock,
}

impl Staging {
    /// Lock the output folder (creating it if needed), finish or clear what earlier runs left,
    /// read the run whose outputs it holds, and make a hidden staging folder in it. With
    /// `replace`, that run's outputs are replaced by this one's at the commit.
    pub fn new(out: &Path, replace: bool) -> Result<Staging> {
        let created_out = !out.exists();
        fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
        let remove_created = |e: Error| {
            if created_out {
                let _ = fs::remove_dir_all(out);
            }
            e
        };
        let lock = Lock::acquire(out).map_err(remove_created)?;
        let opened = (|| {
            recover(out)?;
            let prior = PriorRun::read(out)?;
            check_foreign_outputs(out, prior.as_ref())?;
            let dir = tempfile::Builder::new()
                .prefix(STAGING_PREFIX)
                .tempdir_in(out)
                .map_err(|e| Error::io(out, e))?;
            Ok((prior, dir))
        })();
        let (prior, dir) = match opened {
            Ok(v) => v,
            Err(e) => {
                drop(lock);
                return Err(remove_created(e));
            }
        };
        Ok(Staging {
            dir,
            out: out.to_path_buf(),
            created_out,
            files: Vec::new(),
            prior,
            replace,
            _lock: lock,
        })
    }

    /// Refuse now, before the work, when the folder holds another run's outputs: a run with
    /// other inputs (by SHA-256), without `--replace`.
    pub fn check_prior(&self, inputs: &[String]) -> Result<()> {
        match &self.prior {
            Some(prior) if !self.replace && !prior.same_inputs(inputs) => {
                Err(Error::OutputFolder {
                    path: self.out.clone(),
                    message: format!(
                        "already holds the outputs of another run ({}); write into another folder (-o), or give --replace to remove that run's files and put this run's in their place",
                        prior.description
                    ),
                })
            }
            _ => Ok(()),
        }
    }

    /// The kind of run whose outputs the folder holds (`collect`), if its report says one;
    /// `Some("")` for a run of another kind, `None` for an empty folder.
    pub fn prior_kind(&self) -> Option<&str> {
        self.prior
            .as_ref()
            .map(|p| p.kind.as_deref().unwrap_or_default())
    }

    /// The files the earlier run in the folder wrote (relative, `report.json` last).
    pub fn prior_files(&self) -> &[String] {
        self.prior.as_ref().map_or(&[], |p| p.files.as_slice())
    }

    /// The staging folder itself (for scratch files of a run's own, never moved in).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// An unnamed scratch file in the staging folder (gone when closed; never published).
    pub fn scratch_file(&self) -> Result<fs::File> {
        tempfile::tempfile_in(self.dir.path()).map_err(|e| Error::io(self.dir.path(), e))
    }

    /// The staging path for a file relative to the output folder (e.g. `internal/review.csv`).
    pub fn path(&mut self, relative: &str) -> Result<PathBuf> {
        let p = self.dir.path().join(relative);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        self.files.push(PathBuf::from(relative));
        Ok(p)
    }

    /// Rename a staged file (e.g. once its final name is known).
    pub fn rename(&mut self, from: &str, to: &str) -> Result<()> {
        let (from_path, to_path) = (self.dir.path().join(from), self.dir.path().join(to));
        fs::rename(&from_path, &to_path).map_err(|e| Error::io(&to_path, e))?;
        for rel in &mut self.files {
            if rel.as_path() == Path::new(from) {
                *rel = PathBuf::from(to);
            }
        }
        Ok(())
    }

    /// Move every staged file into the output folder, replacing the earlier run's outputs, in
    /// one journaled step; `inputs` are this run's inputs' SHA-256 (see [`Staging::check_prior`]).
    /// On an error the folder is left as it was (or, if the system failed mid-way, with the
    /// journal that the next run completes).
    pub fn commit(self, inputs: &[String]) -> Result<Vec<PathBuf>> {
        if let Err(e) = self.check_prior(inputs) {
            self.abandon();
            return Err(e);
        }
        let remove = self.prior_files().to_vec();
        self.move_in(remove)
    }

    /// Move the staged files in as an update of the run the folder holds (a collected
    /// dataset): each replaces the earlier run's file at its path, and `remove` names more of
    /// the earlier run's files to take away; the earlier run's other files stay. A staged file
    /// whose path holds a file the earlier run did not write is refused, as in
    /// [`Staging::commit`].
    pub fn commit_update(self, remove: &[String]) -> Result<Vec<PathBuf>> {
        let prior = self.prior_files();
        // a replaced file is removed first (a rename does not replace a file everywhere)
        let removing: Vec<String> = remove
            .iter()
            .chain(self.staged_paths().iter())
            .filter(|rel| prior.contains(rel))
            .cloned()
            .collect();
        self.move_in(removing)
    }

    /// The staged files, relative, with forward slashes, report.json last, each once.
    fn staged_paths(&self) -> Vec<String> {
        let mut moves: Vec<String> = self
            .files
            .iter()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .collect();
        moves.sort_by_key(|rel| rel == REPORT);
        moves.dedup();
        moves
    }

    /// Remove `remove` (files of the earlier run) and move every staged file in, by a journal
    /// written first. A staged file whose path holds a file that is not being removed (one no
    /// report lists) is refused, and nothing is done.
    fn move_in(self, mut remove: Vec<String>) -> Result<Vec<PathBuf>> {
        remove.sort();
        remove.dedup();
        // report.json goes first: for a moment no file is described rather than a wrong one
        remove.sort_by_key(|rel| rel != REPORT);
        let moves = self.staged_paths();
        // never overwrite a file that no report lists
        if let Some(rel) = moves
            .iter()
            .find(|rel| self.out.join(rel).exists() && !remove.contains(rel))
        {
            let message = format!(
                "holds {rel}, which no report.json there lists; move it away or write into another folder"
            );
            let path = self.out.clone();
            self.abandon();
            return Err(Error::OutputFolder { path, message });
        }
        let journal = Journal {
            staging: self
                .dir
                .path()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            remove,
            moves,
        };
        let journal_path = self.out.join(JOURNAL);
        let written = write_journal(&self.out, &journal_path, &journal);
        if let Err(e) = written {
            self.abandon();
            return Err(e);
        }
        journal.apply(&self.out)?;
        fs::remove_file(&journal_path).map_err(|e| Error::io(&journal_path, e))?;
        sync_dir(&self.out);
        Ok(journal.moves.iter().map(|rel| self.out.join(rel)).collect())
    }

    /// Give up: remove the staging folder, and the output folder if this run created it.
    pub fn abandon(self) {
        let Staging {
            dir,
            out,
            created_out,
            _lock,
            ..
        } = self;
        drop(dir);
        if created_out {
            let _ = fs::remove_file(out.join(LOCK_FILE));
            let _ = fs::remove_dir(&out);
        }
        drop(_lock);
    }
}

/// Write the journal whole (a temporary file, synced, renamed into place).
fn write_journal(out: &Path, path: &Path, journal: &Journal) -> Result<()> {
    let text = serde_json::to_string_pretty(journal)
        .map_err(|e| Error::Internal(format!("the commit journal: {e}")))?;
    let mut tmp = tempfile::NamedTempFile::new_in(out).map_err(|e| Error::io(out, e))?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    sync_dir(out);
    Ok(())
}

/// Refuse a folder holding published-looking files (`leverantorsreskontra-*`) that no
/// report.json there describes: a run into it could not make its report describe exactly the
/// files beside it, and they are not this tool's to remove.
fn check_foreign_outputs(out: &Path, prior: Option<&PriorRun>) -> Result<()> {
    let entries = fs::read_dir(out).map_err(|e| Error::io(out, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let listed = prior.is_some_and(|p| p.files.contains(&name));
        if name.starts_with("leverantorsreskontra") && !listed {
            return Err(Error::OutputFolder {
                path: out.to_path_buf(),
                message: format!(
                    "holds {name}, which no report.json there describes; move it away or write into another folder"
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(outputs: &[&str], input_sha: &str) -> String {
        let outputs: Vec<serde_json::Value> = outputs
            .iter()
            .map(|p| serde_json::json!({"path": p, "published": !p.starts_with("internal/")}))
            .collect();
        serde_json::json!({
            "tool": "reskontra",
            "inputs": [{"path": "../in/a-2024-04.csv", "sha256": input_sha, "role": "main"}],
            "outputs": outputs,
        })
        .to_string()
    }

    fn stage(staging: &mut Staging, rel: &str, text: &str) {
        let p = staging.path(rel).unwrap();
        fs::write(p, text).unwrap();
    }

    #[test]
    fn a_commit_replaces_only_the_files_the_earlier_report_lists() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir_all(out.join("internal")).unwrap();
        fs::write(out.join("leverantorsreskontra-2024-04.csv"), "old").unwrap();
        fs::write(out.join("internal/review.csv"), "old").unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        fs::write(
            out.join(REPORT),
            report(
                &["leverantorsreskontra-2024-04.csv", "internal/review.csv"],
                "aa",
            ),
        )
        .unwrap();
        // another run's inputs: refused, before and at the commit
        let staging = Staging::new(&out, false).unwrap();
        let err = staging.check_prior(&["bb".into()]).unwrap_err();
        assert!(err.to_string().contains("already holds the outputs of another run (leverantorsreskontra-2024-04, from a-2024-04.csv)"), "{err}");
        assert!(err.to_string().contains("--replace"));
        assert_eq!(err.exit_code(), 2);
        staging.abandon();
        // with --replace: the old files go, the unlisted one stays
        let mut staging = Staging::new(&out, true).unwrap();
        stage(&mut staging, "leverantorsreskontra-2024-05.csv", "new");
        stage(&mut staging, "internal/review.csv", "new");
        stage(
            &mut staging,
            REPORT,
            &report(
                &["leverantorsreskontra-2024-05.csv", "internal/review.csv"],
                "bb",
            ),
        );
        staging.commit(&["bb".into()]).unwrap();
        assert!(!out.join("leverantorsreskontra-2024-04.csv").exists());
        assert_eq!(
            fs::read_to_string(out.join("internal/review.csv")).unwrap(),
            "new"
        );
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
        assert!(!out.join(JOURNAL).exists());
        assert!(!out.join(LOCK_FILE).exists());
        // the same inputs again: a re-run replaces its own outputs without --replace
        let mut staging = Staging::new(&out, false).unwrap();
        staging.check_prior(&["bb".into()]).unwrap();
        stage(&mut staging, "leverantorsreskontra-2024-05.csv", "again");
        stage(
            &mut staging,
            REPORT,
            &report(&["leverantorsreskontra-2024-05.csv"], "bb"),
        );
        staging.commit(&["bb".into()]).unwrap();
        assert_eq!(
            fs::read_to_string(out.join("leverantorsreskontra-2024-05.csv")).unwrap(),
            "again"
        );
        assert!(!out.join("internal/review.csv").exists());
        assert!(!out.join("internal").exists());
    }

    #[test]
    fn files_no_report_lists_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_path_buf();
        fs::write(out.join("leverantorsreskontra-2024-05.csv"), "someone's").unwrap();
        let err = Staging::new(&out, true).err().expect("refused");
        assert!(
            err.to_string().contains(
                "holds leverantorsreskontra-2024-05.csv, which no report.json there describes"
            ),
            "{err}"
        );
        fs::remove_file(out.join("leverantorsreskontra-2024-05.csv")).unwrap();
        fs::create_dir(out.join("internal")).unwrap();
        fs::write(out.join("internal/review.csv"), "someone's").unwrap();
        let mut staging = Staging::new(&out, true).unwrap();
        stage(&mut staging, "internal/review.csv", "new");
        let err = staging.commit(&[]).unwrap_err();
        assert!(
            err.to_string()
                .contains("holds internal/review.csv, which no report.json there lists"),
            "{err}"
        );
        assert_eq!(
            fs::read_to_string(out.join("internal/review.csv")).unwrap(),
            "someone's"
        );
        fs::write(out.join(REPORT), "{\"tool\": \"other\"}").unwrap();
        let err = Staging::new(&out, true).err().expect("refused");
        assert!(err
            .to_string()
            .contains("a report.json that reskontra did not write"));
    }

    #[test]
    fn a_killed_commit_is_finished_by_the_next_run_and_stale_staging_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_path_buf();
        // what a run killed after writing its journal and moving one file leaves
        let staging = out.join(format!("{STAGING_PREFIX}dead"));
        fs::create_dir_all(&staging).unwrap();
        fs::write(staging.join(REPORT), report(&["a.csv", "b.csv"], "cc")).unwrap();
        fs::write(staging.join("b.csv"), "b").unwrap();
        fs::write(out.join("a.csv"), "a").unwrap();
        let journal = Journal {
            staging: format!("{STAGING_PREFIX}dead"),
            remove: vec![],
            moves: vec!["a.csv".into(), "b.csv".into(), REPORT.into()],
        };
        fs::write(out.join(JOURNAL), serde_json::to_string(&journal).unwrap()).unwrap();
        let other = out.join(format!("{STAGING_PREFIX}older"));
        fs::create_dir_all(&other).unwrap();
        let staging = Staging::new(&out, false).unwrap();
        assert_eq!(fs::read_to_string(out.join("b.csv")).unwrap(), "b");
        assert!(out.join(REPORT).exists());
        assert!(!out.join(JOURNAL).exists());
        assert!(!other.exists() && !out.join(format!("{STAGING_PREFIX}dead")).exists());
        staging.abandon();
    }

    #[test]
    fn a_second_run_waits_then_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_path_buf();
        let first = Staging::new(&out, false).unwrap();
        std::env::set_var("RESKONTRA_LOCK_WAIT_MS", "200");
        let started = std::time::Instant::now();
        let err = Staging::new(&out, false).err().expect("refused");
        std::env::remove_var("RESKONTRA_LOCK_WAIT_MS");
        assert!(started.elapsed() >= Duration::from_millis(200));
        let message = err.to_string();
        assert!(
            message.contains("another reskontra run is writing here (process "),
            "{message}"
        );
        assert!(
            message.contains(&format!("process {}", std::process::id())),
            "{message}"
        );
        assert!(message.contains("UTC"), "{message}");
        drop(first);
        // once it is done the folder is free
        Staging::new(&out, false).unwrap().abandon();
    }
}
