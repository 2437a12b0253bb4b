//! `reskontra verify <report.json>`: re-run a conversion (or a year dataset build) from the
//! inputs and options a report recorded, and say for each output whether the bytes are
//! identical.

use crate::convert::{check_period, convert, ConvertOptions};
use crate::error::{Error, Result};
use crate::map::Overrides;
use crate::protect::Policy;
use crate::read::sha256_file;
use crate::write::Format;
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The verdict for one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileVerdict {
    /// Path as recorded.
    pub path: String,
    /// `identical`, `different`, `missing` (inputs: `unchanged`, `changed`, `missing`).
    pub status: String,
}

/// The outcome of a verification.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// Inputs: whether each still has its recorded hash.
    pub inputs: Vec<FileVerdict>,
    /// Outputs: whether the re-run gives the recorded bytes.
    pub outputs: Vec<FileVerdict>,
}

impl Verification {
    /// Whether every output is identical.
    pub fn identical(&self) -> bool {
        self.outputs.iter().all(|o| o.status == "identical")
    }

    /// A human summary.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        for i in &self.inputs {
            s.push_str(&format!("input  {:<10} {}\n", i.status, i.path));
        }
        for o in &self.outputs {
            s.push_str(&format!("output {:<10} {}\n", o.status, o.path));
        }
        s.push_str(if self.identical() {
            "verified: every output is identical\n"
        } else {
            "NOT verified: some outputs differ\n"
        });
        s
    }
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn resolve(recorded: &str, report_dir: &Path, inputs_dir: Option<&Path>) -> PathBuf {
    match inputs_dir {
        Some(dir) => dir.join(recorded.rsplit('/').next().unwrap_or(recorded)),
        None => report_dir.join(recorded),
    }
}

/// Verify a report: of a conversion (`reskontra convert`) or of a year dataset
/// (`reskontra dataset build`).
pub fn verify(report_path: &Path, inputs_dir: Option<&Path>) -> Result<Verification> {
    let bytes = std::fs::read(report_path).map_err(|e| Error::io(report_path, e))?;
    let report: Value = serde_json::from_slice(&bytes)
        .map_err(|e| Error::unreadable(report_path, format!("not a report (invalid JSON): {e}")))?;
    if report["tool"] != "reskontra" {
        return Err(Error::input(report_path, "not a reskontra report.json"));
    }
    let report_dir = report_path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let inputs = check_inputs(&report, &report_dir, inputs_dir)?;
    let work = tempfile::tempdir().map_err(|e| Error::io(Path::new("temporary folder"), e))?;
    let out = work.path().join("out");
    if report["months"].is_object() {
        build_dataset_again(report_path, &report, &inputs, &out)?;
    } else {
        convert_again(&report, &inputs, &report_dir, inputs_dir, &out)?;
    }
    Ok(Verification {
        inputs: inputs.into_iter().map(|i| i.verdict).collect(),
        outputs: compare_outputs(&report, &out),
    })
}

/// A recorded input, found again.
struct FoundInput {
    path: PathBuf,
    role: Option<String>,
    verdict: FileVerdict,
}

/// Find each recorded input (beside the report, or by name in `inputs_dir`) and compare its
/// hash with the recorded one; a missing input is an error.
fn check_inputs(
    report: &Value,
    report_dir: &Path,
    inputs_dir: Option<&Path>,
) -> Result<Vec<FoundInput>> {
    let mut found = Vec::new();
    for input in report["inputs"].as_array().cloned().unwrap_or_default() {
        let recorded = text(&input["path"]).unwrap_or_default();
        let path = resolve(&recorded, report_dir, inputs_dir);
        let status = match sha256_file(&path) {
            Ok((sha, _)) if text(&input["sha256"]).as_deref() == Some(sha.as_str()) => "unchanged",
            Ok(_) => "changed",
            Err(_) => {
                return Err(Error::input(
                    &path,
                    "a recorded input is missing: give --inputs DIR with the original files",
                ))
            }
        };
        found.push(FoundInput {
            path,
            role: text(&input["role"]),
            verdict: FileVerdict {
                path: recorded,
                status: status.into(),
            },
        });
    }
    Ok(found)
}

/// Whether each recorded output has the recorded hash in `out`.
fn compare_outputs(report: &Value, out: &Path) -> Vec<FileVerdict> {
    let mut outputs = Vec::new();
    for output in report["outputs"].as_array().cloned().unwrap_or_default() {
        let rel = text(&output["path"]).unwrap_or_default();
        let status = match sha256_file(&out.join(&rel)) {
            Ok((sha, _)) if text(&output["sha256"]).as_deref() == Some(sha.as_str()) => "identical",
            Ok(_) => "different",
            Err(_) => "missing",
        };
        outputs.push(FileVerdict {
            path: rel,
            status: status.into(),
        });
    }
    outputs
}

/// Run the recorded conversion again into `out`.
fn convert_again(
    report: &Value,
    inputs: &[FoundInput],
    report_dir: &Path,
    inputs_dir: Option<&Path>,
    out: &Path,
) -> Result<()> {
    let (suppliers, main): (Vec<&FoundInput>, Vec<&FoundInput>) = inputs
        .iter()
        .partition(|i| i.role.as_deref() == Some("suppliers"));
    let main_inputs = main.iter().map(|i| i.path.clone()).collect();
    let options = &report["options"];
    let mut opts = ConvertOptions::new(main_inputs, out.to_path_buf());
    opts.layout = text(&options["layout"]).map(|l| {
        // a layout file is looked for beside the report (or in --inputs) by its name
        if crate::layout::Layout::builtin().iter().any(|b| b.name == l) {
            l
        } else {
            resolve(&l, report_dir, inputs_dir).display().to_string()
        }
    });
    opts.overrides = Overrides {
        buyer_id: text(&options["buyer_id"]),
        buyer_name: text(&options["buyer_name"]),
        kommun_id: text(&options["kommun_id"]),
        period: text(&options["period"])
            .map(|p| check_period(&p))
            .transpose()?,
    };
    opts.read.encoding = text(&options["encoding"]);
    opts.read.sheet = text(&options["sheet"]);
    opts.formats = options["formats"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_str().and_then(Format::parse))
                .collect()
        })
        .unwrap_or_default();
    opts.formula_guard = options["formula_guard"].as_bool().unwrap_or(true);
    opts.decimal_mark = serde_json::from_value(options["decimal_mark"].clone()).ok();
    if let Some(policy) = text(&options["policy"]["path"]) {
        let path = resolve(&policy, report_dir, inputs_dir);
        opts.policy = Policy::load(&path)?;
        opts.policy_path = Some(path);
    }
    opts.suppliers = suppliers.last().map(|i| i.path.clone());
    convert(&opts)?;
    Ok(())
}

/// Build the recorded year dataset again into `out`, from the inputs in the recorded order.
fn build_dataset_again(
    report_path: &Path,
    report: &Value,
    inputs: &[FoundInput],
    out: &Path,
) -> Result<()> {
    let year = report["year"]
        .as_i64()
        .and_then(|y| i32::try_from(y).ok())
        .ok_or_else(|| Error::input(report_path, "a dataset report without a year"))?;
    let options = &report["options"];
    let replaced = report["replaced_months"]
        .as_object()
        .is_some_and(|m| !m.is_empty());
    // the preferred inputs as recorded, found where their inputs were found
    let prefer = options["prefer"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str())
        .filter_map(|p| inputs.iter().find(|i| i.verdict.path == p))
        .map(|i| i.path.clone())
        .collect();
    let opts = crate::dataset::DatasetOptions {
        prefer,
        inputs: inputs.iter().map(|i| i.path.clone()).collect(),
        year,
        out: out.to_path_buf(),
        replace_months: options["replace_months"].as_bool().unwrap_or(replaced),
        licence: text(&options["licence"]).unwrap_or_else(|| crate::dataset::CC0.into()),
        base_url: text(&options["base_url"]),
        contact_email: text(&options["contact_email"]),
        publisher_kind: text(&options["publisher_type"])
            .map(|k| crate::dcat::PublisherKind::parse(&k))
            .transpose()?,
        date: text(&report["dates"]["modified"]),
        issued: text(&report["dates"]["issued"]),
        catalogue: false,
        progress: Default::default(),
        replace: false,
        // a report written before --formats existed: the formats then written
        formats: options["formats"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|f| f.as_str().and_then(Format::parse))
                    .collect()
            })
            .unwrap_or_else(|| crate::dataset::DEFAULT_FORMATS.to_vec()),
    };
    crate::dataset::build(&opts)?;
    Ok(())
}
