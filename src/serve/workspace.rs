//! The workspace folder of the desk: the publisher profile (a policy file the command line
//! reads too), the layouts saved from the mapping editor, and one folder per run.
//!
//! ```text
//! WORKSPACE/policy.toml          the profile: [publisher] and the allow/deny lists
//! WORKSPACE/desk.toml            the desk's own settings (licence)
//! WORKSPACE/layouts/*.toml       saved mappings, detected like the built-in layouts
//! WORKSPACE/runs/ID/inputs/      the uploaded exports
//! WORKSPACE/runs/ID/suppliers/   a supplier register, if one was uploaded
//! WORKSPACE/runs/ID/run.toml     the run's choices (formats, period, layout)
//! WORKSPACE/runs/ID/inputs.sha256  the uploaded exports' SHA-256 (finds a file uploaded twice)
//! WORKSPACE/runs/ID/out/         what `reskontra convert` wrote (internal/ for review)
//! WORKSPACE/runs/ID/summary.json the result page's checks and sums, made once per conversion
//! WORKSPACE/runs/ID/change.json  what the last review decision changed
//! WORKSPACE/years/YYYY/          year datasets
//! ```

pub use super::report::read_report;
use super::report::RunReport;
use crate::error::{Error, Result};
use crate::protect::Policy;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The workspace: every path the desk reads or writes is below its root.
pub struct Workspace {
    root: PathBuf,
    /// Held while the policy or a layout is rewritten.
    writing: Mutex<()>,
}

/// The desk's own settings, beside the policy.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct DeskSettings {
    /// Licence URI of the year datasets.
    pub licence: String,
}

/// A run's choices, kept so that a re-run (after a review decision) is the same run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct RunSettings {
    /// Formats to publish.
    pub formats: Vec<String>,
    /// The month, when the export has no dates and its name no month.
    pub period: Option<String>,
    /// A layout chosen by hand (name), else detected.
    pub layout: Option<String>,
    /// The decimal mark (`auto`, `comma`, `point`), else the layout's.
    pub decimal_mark: Option<String>,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            formats: vec!["csv".into(), "parquet".into()],
            period: None,
            layout: None,
            decimal_mark: None,
        }
    }
}

/// What the start page lists of a run.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The run's id (its folder's name).
    pub id: String,
    /// The uploaded exports' names.
    pub files: Vec<String>,
    /// The months converted (`2024-05`), from the published file's name.
    pub period: Option<String>,
    /// Rows read and published, when it was converted.
    pub rows: Option<(u64, u64)>,
    /// The SHA-256 of each uploaded export.
    pub hashes: Vec<String>,
    /// The buyer's organisation number the run was converted for.
    pub buyer_id: Option<String>,
}

impl RunSummary {
    /// The run's name on a page: its month (`maj 2024`), else its first file's name.
    pub fn name(&self) -> String {
        match &self.period {
            Some(p) => super::texts::month_name(p),
            None => format!(
                "Ej konverterad: {}",
                self.files.first().map_or("ingen fil", String::as_str)
            ),
        }
    }

    /// The sort key: the month, then the upload (newest first within a month).
    fn sort_key(&self) -> (String, String) {
        (self.period.clone().unwrap_or_default(), self.id.clone())
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |e| Error::io(path, e)
}

impl Workspace {
    /// Open (and create) a workspace folder.
    pub fn open(root: &Path) -> Result<Workspace> {
        for dir in ["layouts", "runs", "years"] {
            let d = root.join(dir);
            std::fs::create_dir_all(&d).map_err(io(&d))?;
        }
        // the workspace holds exports with personal data: only its owner may open it
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o700));
        }
        let root = std::fs::canonicalize(root).map_err(io(root))?;
        let ws = Workspace {
            root,
            writing: Mutex::new(()),
        };
        if !ws.policy_path().exists() {
            let mut policy = Policy::default();
            policy.publisher.layouts = Some(PathBuf::from("layouts"));
            ws.save_policy(&policy)?;
        }
        Ok(ws)
    }

    /// The workspace folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The profile: a policy file, as `reskontra convert --policy` reads it.
    pub fn policy_path(&self) -> PathBuf {
        self.root.join("policy.toml")
    }

    /// The folder of saved layouts.
    pub fn layouts_dir(&self) -> PathBuf {
        self.root.join("layouts")
    }

    /// Read the profile.
    pub fn policy(&self) -> Result<Policy> {
        Policy::load(&self.policy_path())
    }

    /// Change the profile: read it, let `change` edit it, write it back whole (never half).
    pub fn update_policy(&self, change: impl FnOnce(&mut Policy) -> Result<()>) -> Result<()> {
        let _held = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let mut policy = self.policy()?;
        change(&mut policy)?;
        self.save_policy(&policy)
    }

    fn save_policy(&self, policy: &Policy) -> Result<()> {
        let text = toml::to_string(policy)
            .map_err(|e| Error::Internal(format!("the profile cannot be written: {e}")))?;
        let text = format!(
            "# The publisher profile of reskontra's desk; `reskontra convert --policy` reads it too.\n{text}"
        );
        write_whole(&self.policy_path(), text.as_bytes())
    }

    /// The desk's settings.
    pub fn settings(&self) -> DeskSettings {
        let path = self.root.join("desk.toml");
        let mut s: DeskSettings = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| toml::from_str(&t).ok())
            .unwrap_or_default();
        if s.licence.is_empty() {
            s.licence = crate::dataset::CC0.to_string();
        }
        s
    }

    /// Save the desk's settings.
    pub fn save_settings(&self, s: &DeskSettings) -> Result<()> {
        let text = toml::to_string(s).map_err(|e| Error::Internal(e.to_string()))?;
        write_whole(&self.root.join("desk.toml"), text.as_bytes())
    }

    /// Save a layout (TOML text, already checked) as `layouts/NAME.toml`.
    pub fn save_layout(&self, name: &str, text: &str) -> Result<PathBuf> {
        let _held = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let path = self.layouts_dir().join(format!("{}.toml", safe_stem(name)));
        write_whole(&path, text.as_bytes())?;
        Ok(path)
    }

    /// A new run folder with its inputs folder; its id.
    pub fn new_run(&self) -> Result<String> {
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S").to_string();
        for n in 0..1000 {
            let id = if n == 0 {
                stamp.clone()
            } else {
                format!("{stamp}-{n}")
            };
            let dir = self.root.join("runs").join(&id);
            match std::fs::create_dir(&dir) {
                Ok(()) => {
                    let inputs = dir.join("inputs");
                    std::fs::create_dir_all(&inputs).map_err(io(&inputs))?;
                    return Ok(id);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(Error::io(&dir, e)),
            }
        }
        Err(Error::Internal("no free run id".into()))
    }

    /// A run's folder, when `id` names one (ids are digits and dashes: never a path).
    pub fn run_dir(&self, id: &str) -> Option<PathBuf> {
        let valid =
            !id.is_empty() && id.len() <= 40 && id.bytes().all(|b| b.is_ascii_digit() || b == b'-');
        let dir = self.root.join("runs").join(id);
        (valid && dir.is_dir()).then_some(dir)
    }

    /// The files in a folder of a run (`inputs`, `suppliers`), sorted by name.
    pub fn files_in(dir: &Path) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| p.is_file())
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    }

    /// A run's settings (defaults when none were saved).
    pub fn run_settings(&self, run: &Path) -> RunSettings {
        std::fs::read_to_string(run.join("run.toml"))
            .ok()
            .and_then(|t| toml::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// Save a run's settings.
    pub fn save_run_settings(&self, run: &Path, s: &RunSettings) -> Result<()> {
        let text = toml::to_string(s).map_err(|e| Error::Internal(e.to_string()))?;
        write_whole(&run.join("run.toml"), text.as_bytes())
    }

    /// Take a run out of the workspace (its uploads and outputs); false when there is none.
    pub fn delete_run(&self, id: &str) -> Result<bool> {
        let Some(dir) = self.run_dir(id) else {
            return Ok(false);
        };
        std::fs::remove_dir_all(&dir).map_err(io(&dir))?;
        Ok(true)
    }

    /// Record the SHA-256 of a run's uploaded exports (`inputs.sha256`, one a line).
    pub fn record_hashes(&self, run: &Path) -> Result<Vec<String>> {
        let hashes = Self::files_in(&run.join("inputs"))
            .iter()
            .map(|p| file_sha256(p))
            .collect::<Result<Vec<_>>>()?;
        write_whole(&run.join("inputs.sha256"), hashes.join("\n").as_bytes())?;
        Ok(hashes)
    }

    /// Every run, by month (latest first; a month's uploads newest first), then the runs not
    /// converted, newest first.
    pub fn runs_by_period(&self) -> Vec<RunSummary> {
        let mut runs = self.runs();
        runs.sort_by_key(|r| (r.period.is_none(), std::cmp::Reverse(r.sort_key())));
        runs
    }

    /// Every run, newest first.
    pub fn runs(&self) -> Vec<RunSummary> {
        let dir = self.root.join("runs");
        let mut ids: Vec<String> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter(|e| e.path().is_dir())
                    .filter_map(|e| e.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default();
        ids.sort();
        ids.reverse();
        ids.into_iter()
            .filter_map(|id| {
                let run = self.run_dir(&id)?;
                let files = Self::files_in(&run.join("inputs"))
                    .iter()
                    .map(|p| crate::read::file_name(p))
                    .collect();
                let report = read_report(&run.join("out"));
                let hashes = std::fs::read_to_string(run.join("inputs.sha256"))
                    .map(|t| t.lines().map(str::to_string).collect())
                    .unwrap_or_default();
                Some(RunSummary {
                    id,
                    files,
                    period: report.as_ref().and_then(RunReport::period),
                    rows: report.as_ref().map(|r| (r.rows.read, r.rows.published)),
                    hashes,
                    buyer_id: report.and_then(|r| r.options.buyer_id),
                })
            })
            .collect()
    }
}

/// The SHA-256 of a file, read in pieces.
fn file_sha256(path: &Path) -> Result<String> {
    use sha2::Digest;
    let mut file = std::fs::File::open(path).map_err(io(path))?;
    let mut hasher = sha2::Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(io(path))?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Write a file whole: into a temporary file beside it, then renamed over it.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io(dir))?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(io(path))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// An uploaded file's name made safe to store: its last component only, with only letters,
/// digits, spaces and `._-()`; never empty, never `.` or `..`, at most 120 characters. The
/// name never becomes a path outside the folder it is stored in.
pub fn safe_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, ' ' | '.' | '_' | '-' | '(' | ')') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').to_string();
    if trimmed.is_empty() {
        "fil".to_string()
    } else {
        trimmed
    }
}

/// A layout name made into a file stem: lower-case ASCII letters, digits and dashes.
pub fn safe_stem(name: &str) -> String {
    let stem: String = crate::chars::fold(name)
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'å' | 'ä' => 'a',
            'ö' => 'o',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        })
        .collect();
    let stem = stem
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if stem.is_empty() {
        "min-export".into()
    } else {
        stem.chars().take(60).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploaded_names_never_become_paths() {
        for (raw, want) in [
            ("../../etc/passwd", "passwd"),
            ("..\\..\\windows\\win.ini", "win.ini"),
            ("..", "fil"),
            (".", "fil"),
            ("", "fil"),
            ("/", "fil"),
            (".hidden", "hidden"),
            ("lev 2024-05.csv", "lev 2024-05.csv"),
            ("a\u{0}b.csv", "ab.csv"),
            ("x:y*z?.csv", "x_y_z_.csv"),
            ("Leverantörsfakturor.xlsx", "Leverantörsfakturor.xlsx"),
        ] {
            assert_eq!(safe_file_name(raw), want, "{raw:?}");
        }
        let long = "a".repeat(500);
        assert_eq!(safe_file_name(&long).len(), 120);
    }

    #[test]
    fn layout_names_become_plain_stems() {
        assert_eq!(safe_stem("Vår ekonomi export"), "var-ekonomi-export");
        assert_eq!(safe_stem("../x"), "x");
        assert_eq!(safe_stem("!!!"), "min-export");
    }

    #[test]
    fn run_ids_are_never_paths() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(dir.path()).unwrap();
        let id = ws.new_run().unwrap();
        assert!(ws.run_dir(&id).is_some());
        for bad in ["..", "../x", "", "a", "1/2", "1\\2"] {
            assert!(ws.run_dir(bad).is_none(), "{bad}");
        }
        assert!(ws.policy_path().exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(ws.root()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "only the owner opens the workspace");
        }
        let p = ws.policy().unwrap();
        assert_eq!(p.publisher.layouts.as_deref(), Some(Path::new("layouts")));
    }
}
