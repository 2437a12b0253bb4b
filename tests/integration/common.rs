//! Shared helpers: the bundled samples, running the binary, reading outputs.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A bundled sample and how to convert it: a golden case.
pub struct Sample {
    /// Golden folder name.
    pub name: String,
    /// The layout it should be detected as.
    pub layout: String,
    /// Input files, relative to the repository root.
    pub inputs: Vec<String>,
    /// Extra arguments.
    pub args: Vec<String>,
}

/// Every golden case (`tests/golden/<name>/case.toml`), found in the folder: adding a case is
/// adding a folder.
pub static SAMPLES: std::sync::LazyLock<Vec<Sample>> = std::sync::LazyLock::new(|| {
    let dir = root().join("tests/golden");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/golden")
        .flatten()
        .filter(|e| e.path().join("case.toml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let text =
                std::fs::read_to_string(dir.join(&name).join("case.toml")).expect("case.toml");
            let case: Case =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{name}/case.toml: {e}"));
            Sample {
                name,
                layout: case.layout,
                inputs: case.inputs,
                args: case.args,
            }
        })
        .collect()
});

/// A golden case's `case.toml`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    layout: String,
    inputs: Vec<String>,
    #[serde(default)]
    args: Vec<String>,
}

/// The binary, run from the repository root.
pub fn reskontra() -> Command {
    let mut cmd = Command::cargo_bin("reskontra").expect("binary");
    cmd.current_dir(root());
    cmd
}

/// Convert a sample into `out` with all three formats; returns the process output.
pub fn convert_sample(sample: &Sample, out: &Path) -> std::process::Output {
    convert_sample_command(sample, out)
        .output()
        .expect("run reskontra")
}

/// The command [`convert_sample`] runs, for adding arguments or variables.
pub fn convert_sample_command(sample: &Sample, out: &Path) -> Command {
    let mut cmd = reskontra();
    cmd.arg("convert")
        .args(&sample.inputs)
        .args(&sample.args)
        .arg("-o")
        .arg(out)
        .args(["--formats", "csv,json,parquet", "--quiet"]);
    cmd
}

/// The bundled sample of this name.
pub fn sample(name: &str) -> &'static Sample {
    SAMPLES
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no sample named {name}"))
}

/// The buyer options most tests convert with.
pub const BUYER: &[&str] = &["--buyer-id", "2120000142", "--buyer-name", "T"];

/// Run `reskontra validate --json PATH`; returns the exit code (-1 if none) and the report.
pub fn validate_report(path: &Path) -> (i32, serde_json::Value) {
    let run = reskontra()
        .args(["validate", "--json"])
        .arg(path)
        .output()
        .expect("run reskontra validate");
    let report = serde_json::from_slice(&run.stdout).expect("a JSON report");
    (run.status.code().unwrap_or(-1), report)
}

/// Run `reskontra convert INPUT -o OUT ARGS...`, the summary on stderr; returns the process
/// output, whatever its exit code.
pub fn convert_output(input: &Path, out: &Path, args: &[&str]) -> std::process::Output {
    reskontra()
        .arg("convert")
        .arg(input)
        .arg("-o")
        .arg(out)
        .args(args)
        .output()
        .expect("run reskontra")
}

/// Run `reskontra convert INPUT -q -o OUT ARGS...` and insist that it succeeds.
pub fn convert_ok(input: &Path, out: &Path, args: &[&str]) {
    let run = reskontra()
        .arg("convert")
        .arg(input)
        .args(["-q", "-o"])
        .arg(out)
        .args(args)
        .output()
        .expect("run reskontra");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// Every file below `dir`, as (relative path, bytes), sorted.
pub fn files_below(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .expect("prefix")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&p).expect("read")));
            }
        }
    }
    out.sort();
    out
}

/// The single published file with this extension in `out`.
pub fn published(out: &Path, ext: &str) -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir(out)
        .expect("out dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext) && !p.ends_with("report.json"))
        .collect();
    found.sort();
    assert_eq!(found.len(), 1, "one .{ext} output in {}", out.display());
    found.remove(0)
}

/// The report of a run.
pub fn report(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("report.json")).expect("report.json");
    serde_json::from_str(&text).expect("report is JSON")
}

/// A temporary folder.
pub fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// The city sample converted for each month given (`YYYY-MM`), each month's CSV copied into
/// `DIR/monthly` (the inputs of a year dataset); returns that folder.
pub fn sample_months(dir: &Path, periods: &[&str]) -> PathBuf {
    let monthly = dir.join("monthly");
    std::fs::create_dir_all(&monthly).expect("mkdir");
    let input = root().join("samples/city-csv/leverantorsfakturor-202405.csv");
    let policy = root()
        .join("samples/policy.toml")
        .to_string_lossy()
        .into_owned();
    for period in periods {
        let out = dir.join(format!("run-{period}"));
        convert_ok(
            &input,
            &out,
            &["--policy", &policy, "--period", period, "--formats", "csv"],
        );
        let name = format!("leverantorsreskontra-{period}.csv");
        std::fs::copy(out.join(&name), monthly.join(&name)).expect("copy");
    }
    monthly
}
