//! Shared helpers: the bundled samples, running the binary, reading outputs.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A bundled sample and how to convert it.
pub struct Sample {
    /// Golden folder name.
    pub name: &'static str,
    /// The layout it should be detected as.
    pub layout: &'static str,
    /// Input files, relative to the repository root.
    pub inputs: &'static [&'static str],
    /// Extra arguments.
    pub args: &'static [&'static str],
}

const POLICY: &[&str] = &["--policy", "samples/policy.toml"];

/// Every bundled sample.
pub const SAMPLES: &[Sample] = &[
    Sample {
        name: "spec-1.1",
        layout: "spec-1.1",
        inputs: &["samples/spec-1.1/leverantorsreskontra-2024-01.csv"],
        args: &[],
    },
    Sample {
        name: "region",
        layout: "spec-1.1",
        inputs: &["samples/region/region-exempel-2024-02.csv"],
        args: &[],
    },
    Sample {
        name: "spec-1.0",
        layout: "spec-1.0",
        inputs: &["samples/spec-1.0/leverantorsfakturor-2019-05.csv"],
        args: &[],
    },
    Sample {
        name: "municipality-report",
        layout: "municipality-report",
        inputs: &["samples/municipality-report/Leverantörsfakturor 2024-03.xlsx"],
        args: POLICY,
    },
    Sample {
        name: "municipality-report-dated",
        layout: "municipality-report-dated",
        inputs: &["samples/municipality-report-dated/leverantorsfakturor-2024-04.xlsx"],
        args: POLICY,
    },
    Sample {
        name: "city-csv",
        layout: "city-csv",
        inputs: &["samples/city-csv/leverantorsfakturor-202405.csv"],
        args: POLICY,
    },
    Sample {
        name: "municipality-yearly",
        layout: "municipality-yearly",
        inputs: &["samples/municipality-yearly/leverantorsfakturor-helar-2023.csv"],
        args: POLICY,
    },
    Sample {
        name: "unit4-levstat",
        layout: "unit4-levstat",
        inputs: &["samples/unit4-levstat/levstat-2024-06.txt"],
        args: POLICY,
    },
    Sample {
        name: "proceedo",
        layout: "proceedo",
        inputs: &["samples/proceedo/proceedo-fakturor-2024-07.txt"],
        args: POLICY,
    },
    Sample {
        name: "raindance",
        layout: "raindance",
        inputs: &[
            "samples/raindance/rk-fakta-levfakt-verifikat-2024-08.csv",
            "samples/raindance/rk-dim-lev.csv",
            "samples/raindance/rk-dim-konto.csv",
        ],
        args: POLICY,
    },
    Sample {
        name: "sie4",
        layout: "sie4",
        inputs: &["samples/sie4/exempelby-2024-09.se"],
        args: &[
            "--suppliers",
            "samples/sie4/leverantorsregister.csv",
            "--kommun-id",
            "0180",
        ],
    },
    Sample {
        name: "rowstore",
        layout: "spec-1.1",
        inputs: &[
            "samples/rowstore/leverantorsreskontra-2024-10-sida1.json",
            "samples/rowstore/leverantorsreskontra-2024-10-sida2.json",
        ],
        args: &["--suppliers", "samples/rowstore/leverantorsregister.csv"],
    },
];

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
        .args(sample.inputs)
        .args(sample.args)
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
