//! `reskontra collect`: many publishers' files into one typed dataset.
//!
//! The inputs (files and folders) are hashed and the same bytes kept once; the pages of one
//! row-store dataset become one source, every other file a source of its own (or several
//! files together, as a sources file says). Each source is converted by the same pipeline as
//! `convert` (the layouts, the synonyms, the privacy rules and their scan), with its buyer
//! from its own rows, or — for a raw export without buyer columns — from the sources file,
//! never against the rows. Its rows are written a partition (a buyer's month) at a time into
//! pieces; then each partition takes one delivery: a month that several sources deliver is
//! never summed, one is chosen by the rule of [`crate::republish`] and the others are kept
//! aside (`superseded/`) and compared with it in the report.
//!
//! The dataset (`parquet/kopare_id=…/ar=…/manad=…/data.parquet`, [`rows::COLUMNS`]) and its
//! report depend only on the set of sources collected: a later run adds its new sources and
//! rewrites only the partitions they touch.

mod deliveries;
pub mod inputs;
mod pieces;
pub mod report;
pub mod rows;

use crate::convert::{convert_into, plan, ConvertOptions, Outcome, RunMode, SourceInputs};
use crate::date::Period;
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::protect::Policy;
use crate::staging::Staging;
use deliveries::{Candidate, Difference};
use inputs::{Found, Source, SourcesFile};
use pieces::{PieceStats, Pieces};
use report::*;
use rows::{Leak, Origins, PartKey};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub use inputs::SourceRule;

/// Everything `collect` needs.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// Files and folders to collect.
    pub inputs: Vec<PathBuf>,
    /// The dataset's folder (created, or added to).
    pub out: PathBuf,
    /// A sources file (default: a `sources.toml` at the top of a folder given).
    pub sources: Option<PathBuf>,
    /// Files whose months win over other deliveries (the last named wins among these).
    pub prefer: Vec<PathBuf>,
    /// The privacy policy (markers, allow and deny lists).
    pub policy: Policy,
    /// Where the policy came from.
    pub policy_path: Option<PathBuf>,
    /// Collect the other sources when one cannot be read, and list it in the report.
    pub keep_going: bool,
    /// Stage names for a progress display.
    pub progress: Progress,
    /// Rows converted per batch; the dataset does not depend on it.
    pub batch_rows: usize,
}

impl CollectOptions {
    /// Options with defaults for the inputs and the dataset's folder.
    pub fn new(inputs: Vec<PathBuf>, out: PathBuf) -> CollectOptions {
        CollectOptions {
            inputs,
            out,
            sources: None,
            prefer: Vec::new(),
            policy: Policy::default(),
            policy_path: None,
            keep_going: false,
            progress: Progress::default(),
            batch_rows: crate::plan::BATCH_ROWS,
        }
    }

    /// Read the privacy policy (its `[publisher]` is not used: every row keeps its own buyer).
    pub fn use_policy(&mut self, path: &Path) -> Result<()> {
        self.policy = Policy::load(path)?;
        self.policy_path = Some(path.to_path_buf());
        Ok(())
    }
}

/// What one run did, with the dataset's report after it.
#[derive(Debug, Clone)]
pub struct CollectRun {
    /// The dataset's report.
    pub report: CollectReport,
    /// The sources this run added, by name.
    pub added: Vec<String>,
    /// Sources given that the dataset held already.
    pub already: Vec<String>,
    /// Sources that could not be collected (with `keep_going`), with why.
    pub failed: Vec<(String, String)>,
    /// The partitions this run wrote (`buyer/YYYY-MM`).
    pub written: Vec<String>,
}

impl CollectRun {
    /// What the run did, then the dataset's summary.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        for name in &self.added {
            let record = self
                .report
                .sources
                .values()
                .find(|r| r.files.first().is_some_and(|f| &f.path == name));
            match record {
                Some(r) => {
                    let buyers: BTreeSet<&str> = r
                        .partitions
                        .keys()
                        .filter_map(|k| k.split_once('/').map(|(b, _)| b))
                        .collect();
                    s.push_str(&format!(
                        "collected {name}: {} rows, {} SEK, buyer {}, {} months, layout {}\n",
                        r.rows.published,
                        r.amount.published,
                        buyers.into_iter().collect::<Vec<_>>().join(" and "),
                        r.partitions.len(),
                        r.layout
                    ));
                    if !r.quirks.is_empty() {
                        s.push_str(&format!("  quirks: {}\n", r.quirks.join("; ")));
                    }
                    if r.rows.rejected > 0 || r.rows.withheld > 0 {
                        s.push_str(&format!(
                            "  {} rows rejected, {} withheld (see the report)\n",
                            r.rows.rejected, r.rows.withheld
                        ));
                    }
                }
                None => s.push_str(&format!("collected {name}\n")),
            }
        }
        for name in &self.already {
            s.push_str(&format!("already in the dataset: {name}\n"));
        }
        for (name, why) in &self.failed {
            s.push_str(&format!("NOT collected: {name}: {why}\n"));
        }
        s.push_str(&format!("wrote {} partitions\n", self.written.len()));
        s.push_str(&self.report.summary());
        s
    }
}

/// The dataset's report file, and its summary.
const REPORT: &str = "report.json";
const REPORT_TXT: &str = "report.txt";
/// The list of leaks (file, line, column, kind).
const LEAKS: &str = "leaks.csv";

/// Collect the inputs into the dataset in `opts.out`: nothing in it changes unless every
/// step succeeds.
pub fn collect(opts: &CollectOptions) -> Result<CollectRun> {
    let sources_file = sources_file(opts)?;
    let files = inputs::files_of(&opts.inputs, &opts.out, &sources_file)?;
    if files.is_empty() {
        return Err(Error::Usage(
            "no files to collect among the inputs (a folder is searched for csv, tsv, json, \
             xlsx, xls, ods, parquet and SIE files)"
                .into(),
        ));
    }
    let (found, repeated) = inputs::hash_and_dedupe(files, &opts.progress)?;
    let mut staging = Staging::new(&opts.out, false)?;
    match run(&mut staging, opts, &sources_file, found, repeated) {
        Ok((run, remove)) => {
            staging.commit_update(&remove)?;
            Ok(run)
        }
        Err(e) => {
            staging.abandon();
            Err(e)
        }
    }
}

/// The rules of the sources file given (first), then of the `sources.toml` at the top of each
/// folder given, in the order given, each relative to its own folder; none at all is an empty
/// one.
fn sources_file(opts: &CollectOptions) -> Result<SourcesFile> {
    let mut rules = match &opts.sources {
        Some(path) => SourcesFile::load(path)?,
        None => SourcesFile::default(),
    };
    let given = opts.sources.as_deref().map(inputs::absolute);
    for input in &opts.inputs {
        let candidate = input.join(inputs::SOURCES_FILE);
        let already = given.as_ref() == Some(&inputs::absolute(&candidate));
        if input.is_dir() && candidate.is_file() && !already {
            rules = rules.and(SourcesFile::load(&candidate)?);
        }
    }
    Ok(rules)
}

/// The dataset's report before this run (an empty one for a new dataset).
fn prior_report(staging: &Staging, out: &Path) -> Result<Option<CollectReport>> {
    match staging.prior_kind() {
        None => Ok(None),
        Some(KIND) => {
            let path = out.join(REPORT);
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| Error::input(&path, format!("not a collected dataset's report: {e}")))
        }
        Some(_) => Err(Error::OutputFolder {
            path: out.to_path_buf(),
            message: "holds the outputs of a conversion or a year dataset, not a collected \
                      dataset: collect into an empty folder, or into a dataset collected before"
                .into(),
        }),
    }
}

/// A source's delivery as collected: its record and, per partition, the piece of its rows.
struct Collected {
    record: SourceRecord,
    pieces: BTreeMap<PartKey, (PathBuf, PieceStats)>,
    leaks: Vec<Leak>,
    /// The file of its rejected rows, when it has any.
    rejected: Option<PathBuf>,
}

/// The run, into staging; returns what it did and the earlier files to remove.
fn run(
    staging: &mut Staging,
    opts: &CollectOptions,
    rules: &SourcesFile,
    found: Vec<Found>,
    repeated: Vec<(String, String)>,
) -> Result<(CollectRun, Vec<String>)> {
    let prior = prior_report(staging, &opts.out)?;
    let policy_sha256 = match &opts.policy_path {
        Some(p) => Some(crate::read::sha256_file(p).map_err(|e| Error::io(p, e))?.0),
        None => None,
    };
    if let Some(prior) = &prior {
        if prior.options.policy_sha256 != policy_sha256 {
            return Err(Error::Usage(
                "the dataset was collected under another privacy policy: collect with the same \
                 --policy, or into a new folder"
                    .into(),
            ));
        }
    }
    let known: BTreeSet<String> = prior
        .as_ref()
        .map(|p| p.sources.keys().cloned().collect())
        .unwrap_or_default();
    let sources = inputs::sources_of(found, rules);
    let (preferred, preferred_now) = preferred_sources(opts, &sources, prior.as_ref())?;
    let mut collected: BTreeMap<String, Collected> = BTreeMap::new();
    let mut run = CollectRun {
        report: empty_report(),
        added: Vec::new(),
        already: Vec::new(),
        failed: Vec::new(),
        written: Vec::new(),
    };
    let scratch = staging.dir().join(".pieces");
    let mut todo: Vec<&Source> = Vec::new();
    for source in &sources {
        if known.contains(&source.key) || todo.iter().any(|s| s.key == source.key) {
            run.already.push(source.name().to_string());
        } else {
            todo.push(source);
        }
    }
    let results = collect_side_by_side(opts, rules, &todo, &scratch)?;
    for (source, result) in todo.iter().zip(results) {
        match result {
            Some(Ok(c)) => {
                run.added.push(source.name().to_string());
                collected.insert(source.key.clone(), c);
            }
            Some(Err(e)) if opts.keep_going && !matches!(e, Error::Cancelled) => {
                run.failed.push((source.name().to_string(), e.to_string()));
            }
            Some(Err(e)) => return Err(e),
            // not collected after another source failed
            None => {}
        }
    }
    let mut files = Files::new(staging, &opts.out, prior.as_ref());
    for (key, c) in &collected {
        if let Some(path) = &c.rejected {
            files.put_moved(path, &rejected_file(key), c.record.rows.rejected, false)?;
        }
    }
    let prefer = Preference {
        order: &preferred,
        now: &preferred_now,
    };
    let decided = decide(&prefer, prior.as_ref(), &collected, &mut files)?;
    run.written = decided.written.clone();
    let mut report = build_report(prior, collected, &sources, repeated, decided, policy_sha256)?;
    report.options.preferred = preferred;
    files.write_leaks(&mut report)?;
    files.write(REPORT_TXT, &report.summary(), false)?;
    report.outputs = files.outputs()?;
    report.outputs.retain(|o| o.path != REPORT);
    report.outputs.sort_by(|a, b| a.path.cmp(&b.path));
    let report_path = files.staging.path(REPORT)?;
    std::fs::write(&report_path, report.to_json()).map_err(|e| Error::io(&report_path, e))?;
    let remove = files.remove.clone();
    run.report = report;
    Ok((run, remove))
}

/// The sources preferred, by key: the dataset's earlier preferences, then each `--prefer` of
/// this run (moved to the end when preferred again); and those of this run. A `--prefer` must
/// name a file of this run's sources or of the dataset's (by path, or by a bare file name
/// that names one file only).
fn preferred_sources(
    opts: &CollectOptions,
    sources: &[Source],
    prior: Option<&CollectReport>,
) -> Result<(Vec<String>, Vec<String>)> {
    let mut order: Vec<String> = prior
        .map(|p| p.options.preferred.clone())
        .unwrap_or_default();
    let mut now = Vec::new();
    for wanted in &opts.prefer {
        let mut keys: BTreeSet<&str> = sources
            .iter()
            .filter(|s| {
                s.files
                    .iter()
                    .any(|f| crate::paths::same_file(wanted, &f.path))
            })
            .map(|s| s.key.as_str())
            .collect();
        for (key, record) in prior.iter().flat_map(|p| p.sources.iter()) {
            if record
                .files
                .iter()
                .any(|f| crate::paths::same_file(wanted, Path::new(&f.path)))
            {
                keys.insert(key);
            }
        }
        let key = match keys.len() {
            1 => keys.pop_first().unwrap_or_default().to_string(),
            0 => {
                return Err(Error::Usage(format!(
                    "--prefer {}: no file of that name or path among the inputs or in the dataset",
                    wanted.display()
                )))
            }
            _ => {
                return Err(Error::Usage(format!(
                    "--prefer {}: several files have that name; give the file's path",
                    wanted.display()
                )))
            }
        };
        order.retain(|k| *k != key);
        order.push(key.clone());
        now.push(key);
    }
    Ok((order, now))
}

/// The sources preferred: all, in order (the last wins), and those preferred in this run.
struct Preference<'a> {
    order: &'a [String],
    now: &'a [String],
}

impl Preference<'_> {
    /// A source's rank: 0 when not preferred, higher for a later preference.
    fn rank(&self, key: &str) -> usize {
        self.order
            .iter()
            .position(|k| k == key)
            .map_or(0, |at| at + 1)
    }
}

/// The internal file of a source's rejected rows.
fn rejected_file(key: &str) -> String {
    format!("internal/rejected/{}.csv", short(key))
}

/// A source key's first 16 hex digits (file names).
fn short(key: &str) -> &str {
    key.get(..16).unwrap_or(key)
}

/// Collect the sources side by side, on as many threads as the machine has cores; per source,
/// in their order, what came of it. Without `keep_going` a failed source stops the sources after
/// it (those already started finish), so the error returned is always that of the first failed
/// source in order, whichever thread met it first; the sources not collected are `None`.
fn collect_side_by_side(
    opts: &CollectOptions,
    rules: &SourcesFile,
    sources: &[&Source],
    scratch: &Path,
) -> Result<Vec<Option<Result<Collected>>>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let results: Vec<std::sync::Mutex<Option<Result<Collected>>>> = sources
        .iter()
        .map(|_| std::sync::Mutex::new(None))
        .collect();
    let next = AtomicUsize::new(0);
    let first_failed = AtomicUsize::new(usize::MAX);
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, sources.len().max(1));
    let work = || loop {
        let i = next.fetch_add(1, Ordering::SeqCst);
        let Some(source) = sources.get(i) else {
            break;
        };
        if i > first_failed.load(Ordering::SeqCst) {
            continue;
        }
        opts.progress
            .stage(&format!("collecting {}", source.name()));
        let result = crate::error::catch_panics(
            || collect_source(opts, rules, source, scratch),
            |message| {
                Error::Internal(format!(
                    "collecting {} stopped on an internal error ({message}); please report it",
                    source.name()
                ))
            },
        );
        if result.is_err() && !opts.keep_going {
            first_failed.fetch_min(i, Ordering::SeqCst);
        }
        if let Ok(mut slot) = results[i].lock() {
            *slot = Some(result);
        }
    };
    let finished = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
        handles.into_iter().all(|h| h.join().is_ok())
    });
    if !finished {
        return Err(Error::Internal("a collecting thread failed".into()));
    }
    results
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .map_err(|_| Error::Internal("a collecting thread failed".into()))
        })
        .collect()
}

/// Fail if two files of a source share a file name: a row's provenance names its file by
/// name within the source.
fn check_distinct_names(source: &Source) -> Result<()> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for file in &source.files {
        let name = crate::read::file_name(&file.path);
        if let Some(first) = seen.insert(name, &file.given) {
            return Err(Error::input(
                &file.path,
                format!(
                    "has the same file name as {first}, and both are one source (a together \
                     rule of the sources file): give each export's files a rule of their own"
                ),
            ));
        }
    }
    Ok(())
}

/// Convert one source into pieces, one per partition, in a folder of its own below `scratch`.
fn collect_source(
    opts: &CollectOptions,
    rules: &SourcesFile,
    source: &Source,
    scratch: &Path,
) -> Result<Collected> {
    let rule = source.rule.and_then(|i| rules.rules.get(i));
    check_distinct_names(source)?;
    let paths: Vec<PathBuf> = source.files.iter().map(|f| f.path.clone()).collect();
    let dir = scratch.join(short(&source.key));
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut copts = ConvertOptions::new(paths, dir.clone());
    copts.policy = opts.policy.clone();
    // a dataset keeps a masked person's rows (under the marker), whatever the publisher's way
    copts.policy.masked_suppliers = crate::protect::MaskedSuppliers::Marker;
    copts.policy_path = opts.policy_path.clone();
    copts.progress = opts.progress.clone();
    copts.batch_rows = opts.batch_rows;
    if let Some(rule) = rule {
        copts.layout = rule.layout.as_ref().map(|l| {
            let file = rule.file(l);
            if file.is_file() {
                file.to_string_lossy().into_owned()
            } else {
                l.clone()
            }
        });
        copts.read.encoding = rule.encoding.clone();
        copts.read.sheet = rule.sheet.clone();
        copts.suppliers = rule.suppliers.as_ref().map(|s| rule.file(s));
    }
    let planned = plan(&copts)?;
    let has = |column: &str| {
        planned
            .plan
            .columns
            .iter()
            .any(|c| c.column == column && c.filled)
    };
    let buyer_in_rows = has("kopare_id");
    let buyer_given = rule.and_then(|r| r.kopare_id.clone());
    if !buyer_in_rows && buyer_given.is_none() {
        return Err(Error::input(
            &source.files[0].path,
            "has no buyer column (kopare_id): name its buyer in a sources file, e.g. \
             [[source]] path = \"...\" kopare_id = \"...\" kopare = \"...\" (see README, \
             Collecting published files)",
        ));
    }
    copts.overrides.buyer_id = buyer_given;
    if let Some(rule) = rule {
        if !has("kopare") {
            copts.overrides.buyer_name = rule.kopare.clone();
        }
        if !has("kommun_id") {
            copts.overrides.kommun_id = rule.kommun_id.clone();
        }
    }
    let mode = RunMode {
        one_buyer: false,
        complete_rows: false,
        rejected_file: rejected_file(&source.key),
        rejected_raw_values: false,
        publisher_hints: false,
    };
    let origins = Origins(
        source
            .files
            .iter()
            .map(|f| {
                (
                    crate::read::file_name(&f.path),
                    (f.given.clone(), f.sha256.clone()),
                )
            })
            .collect(),
    );
    let mut pieces = Pieces::new(&dir);
    let mut leaks = Vec::new();
    let rejected = dir.join("rejected.csv");
    let (outcome, inputs) = convert_into(planned, &copts, &mode, (&rejected, &dir), |published| {
        let rows = rows::dataset_rows(&published, &origins)?;
        leaks.extend(rows.leaks.iter().cloned());
        pieces.add(&rows)
    })?;
    let pieces = pieces.finish()?;
    let record = source_record(
        source,
        &outcome,
        &inputs,
        &pieces,
        leaks.len(),
        buyer_in_rows,
    );
    Ok(Collected {
        record,
        pieces,
        leaks,
        rejected: (outcome.rows.rejected > 0).then_some(rejected),
    })
}

/// What the report keeps of a source.
fn source_record(
    source: &Source,
    outcome: &Outcome,
    inputs: &SourceInputs,
    pieces: &BTreeMap<PartKey, (PathBuf, PieceStats)>,
    leaks: usize,
    buyer_in_rows: bool,
) -> SourceRecord {
    let files = source
        .files
        .iter()
        .map(|f| SourceFile {
            path: f.given.clone(),
            sha256: f.sha256.clone(),
            bytes: f.bytes,
            format: inputs
                .formats
                .get(&f.path)
                .map(|(format, _, _)| format.clone())
                .unwrap_or_default(),
        })
        .collect::<Vec<_>>();
    let mut record = SourceRecord {
        files,
        layout: inputs.layout.clone(),
        layout_reason: inputs.reason.clone(),
        columns: outcome.map.sources.clone(),
        buyer_from: if buyer_in_rows {
            "rows"
        } else {
            "sources file"
        }
        .into(),
        rows: outcome.rows,
        amount: outcome.sums.into(),
        rejected_by_reason: outcome.rejected_by_reason.clone(),
        privacy: outcome.privacy.by_reason.clone(),
        quirks: Vec::new(),
        warnings: outcome.warnings.clone(),
        leaks: leaks as u64,
        last_month: pieces.keys().map(|k| k.month).max().map(|m| m.to_string()),
        partitions: pieces
            .iter()
            .map(|(k, (_, stats))| (k.label(), stats.clone()))
            .collect(),
    };
    record.quirks = quirks(&record, outcome, inputs);
    record
}

/// What is unusual about how a source is published, in a few words each.
fn quirks(record: &SourceRecord, outcome: &Outcome, inputs: &SourceInputs) -> Vec<String> {
    let mut q = Vec::new();
    let mut seen = BTreeSet::new();
    for f in &record.files {
        let format = &f.format;
        let mut notes = Vec::new();
        match format.kind.as_str() {
            "json" => notes.push("row-store JSON".to_string()),
            "workbook" => notes.push(format!(
                "a workbook (sheet {})",
                format.sheet.as_deref().unwrap_or("?")
            )),
            "parquet" => notes.push("Parquet".to_string()),
            "sie" => notes.push("an SIE file".to_string()),
            _ => {}
        }
        if let Some(enc) = format.encoding.as_deref().filter(|e| *e != "UTF-8") {
            notes.push(format!("encoding {enc}"));
        }
        if format.bom {
            notes.push("a byte-order mark".into());
        }
        if format.bom_in_names {
            notes.push("a byte-order mark inside a column name".into());
        }
        if let Some(d) = format.delimiter.as_deref().filter(|d| *d != ",") {
            let shown = if d == "\t" {
                "tab".to_string()
            } else {
                format!("'{d}'")
            };
            notes.push(format!("delimiter {shown}"));
        }
        if let Some(e) = format.line_endings.as_deref().filter(|e| *e != "LF") {
            notes.push(format!("{e} line endings"));
        }
        for n in notes {
            if seen.insert(n.clone()) {
                q.push(n);
            }
        }
    }
    match inputs.layout.as_str() {
        "spec-1.1" => {}
        "spec-1.0" => q.push("specification 1.0 (12 columns, one row per invoice)".into()),
        other => q.push(format!("not the spec's columns: read as layout {other}")),
    }
    for (column, source) in &record.columns {
        let Some(name) = source
            .strip_prefix("column '")
            .and_then(|s| s.split_once('\''))
            .map(|(n, _)| n)
        else {
            continue;
        };
        let folded = name.trim().to_lowercase();
        if folded != *column && inputs.layout.starts_with("spec-") {
            q.push(format!("{name} for {column}"));
        }
    }
    // a JSON or Parquet file's columns are found by name: their order says nothing
    let delimited = record.files.iter().all(|f| f.format.kind == "delimited");
    if inputs.layout == "spec-1.1" && delimited && columns_moved(&inputs.header) {
        q.push("columns in another order than the spec's".into());
    }
    for (column, n) in &outcome.map.placeholders {
        q.push(format!("a placeholder for empty in {column} ({n} cells)"));
    }
    if outcome
        .conventions
        .iter()
        .any(|c| c.decimal_mark == "comma" || c.decimal_mark == "both")
    {
        q.push("decimal comma".into());
    }
    if outcome.normalise.month_only_dates > 0 {
        q.push(format!(
            "dates as months only ({} rows, set to the first day)",
            outcome.normalise.month_only_dates
        ));
    }
    if !outcome.map.periods.is_empty() {
        q.push("no date column: the month from the file name".into());
    }
    let internal: u64 = record
        .partitions
        .values()
        .filter_map(|p| p.id_kinds.get("internt_nummer"))
        .sum();
    if internal > 0 {
        q.push(format!(
            "internal supplier numbers in leverantor_id ({internal} rows, kept in leverantor_nr)"
        ));
    }
    if let Some(masked) = record.privacy.get("masked_in_source") {
        q.push(format!(
            "suppliers masked by the publisher ({} rows)",
            masked.rows
        ));
    }
    if record.leaks > 0 {
        q.push(format!(
            "{} personal numbers published (masked here; see leaks.csv)",
            record.leaks
        ));
    }
    q
}

/// Whether a spec file's columns stand in another order than the spec's.
fn columns_moved(header: &[String]) -> bool {
    let at: Vec<usize> = crate::spec::COLUMNS
        .iter()
        .filter_map(|c| {
            header.iter().position(|h| {
                let h = h.to_lowercase();
                h == *c || crate::validate::variant_of(&h) == Some(*c)
            })
        })
        .collect();
    at.windows(2).any(|w| w[0] > w[1])
}

/// The files of the dataset as this run changes them: what the earlier run left (read from the
/// output folder), what this run stages, what it removes.
struct Files<'a> {
    staging: &'a mut Staging,
    out: PathBuf,
    /// The earlier run's outputs, by path.
    prior: BTreeMap<String, OutputRecord>,
    /// Earlier files to remove.
    remove: Vec<String>,
    /// Files staged by this run, with their rows and whether published.
    staged: BTreeMap<String, (u64, bool)>,
}

impl<'a> Files<'a> {
    fn new(staging: &'a mut Staging, out: &Path, prior: Option<&CollectReport>) -> Files<'a> {
        let prior = prior
            .map(|p| {
                p.outputs
                    .iter()
                    .map(|o| (o.path.clone(), o.clone()))
                    .collect()
            })
            .unwrap_or_default();
        Files {
            staging,
            out: out.to_path_buf(),
            prior,
            remove: Vec::new(),
            staged: BTreeMap::new(),
        }
    }

    /// Put a file into the dataset at `rel` by moving it (a piece in scratch).
    fn put_moved(&mut self, from: &Path, rel: &str, rows: u64, published: bool) -> Result<()> {
        let to = self.staging.path(rel)?;
        std::fs::rename(from, &to).map_err(|e| Error::io(&to, e))?;
        self.staged.insert(rel.to_string(), (rows, published));
        Ok(())
    }

    /// Put a copy of one of the dataset's files at `rel` (a delivery changing place).
    fn put_copied(&mut self, from_rel: &str, rel: &str, rows: u64, published: bool) -> Result<()> {
        let from = self.out.join(from_rel);
        let to = self.staging.path(rel)?;
        std::fs::copy(&from, &to).map_err(|e| Error::io(&from, e))?;
        self.staged.insert(rel.to_string(), (rows, published));
        Ok(())
    }

    /// Write a text file of the dataset.
    fn write(&mut self, rel: &str, text: &str, published: bool) -> Result<()> {
        let path = self.staging.path(rel)?;
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        self.staged.insert(rel.to_string(), (0, published));
        Ok(())
    }

    /// Take one of the dataset's files away.
    fn take_away(&mut self, rel: &str) {
        self.remove.push(rel.to_string());
    }

    /// Where a dataset file is now: staged by this run, or in the dataset.
    fn current(&self, rel: &str) -> PathBuf {
        if self.staged.contains_key(rel) {
            self.staging.dir().join(rel)
        } else {
            self.out.join(rel)
        }
    }

    /// Write `leaks.csv`: the earlier run's lines and this run's, sorted; the report's summary
    /// of them.
    fn write_leaks(&mut self, report: &mut CollectReport) -> Result<()> {
        let mut lines: BTreeSet<Leak> = BTreeSet::new();
        if self.prior.contains_key(LEAKS) {
            let path = self.out.join(LEAKS);
            let mut reader =
                csv::Reader::from_path(&path).map_err(|e| Error::input(&path, e.to_string()))?;
            for record in reader.records() {
                let r = record.map_err(|e| Error::input(&path, e.to_string()))?;
                lines.insert(Leak {
                    file: r.get(0).unwrap_or_default().to_string(),
                    line: r.get(1).and_then(|l| l.parse().ok()).unwrap_or(0),
                    column: r.get(2).unwrap_or_default().to_string(),
                    kind: r.get(3).unwrap_or_default().to_string(),
                });
            }
        }
        lines.extend(std::mem::take(&mut report.leaks_found));
        let mut text = String::new();
        crate::write::csv_line(&mut text, &["file", "line", "column", "kind"]);
        let mut summary = LeakSummary {
            file: LEAKS.into(),
            ..LeakSummary::default()
        };
        for leak in &lines {
            let line = leak.line.to_string();
            let mut row = String::new();
            crate::write::csv_line(&mut row, &[&leak.file, &line, &leak.column, &leak.kind]);
            text.push_str(&row);
            summary.cells += 1;
            *summary.by_column.entry(leak.column.clone()).or_insert(0) += 1;
            *summary.by_file.entry(leak.file.clone()).or_insert(0) += 1;
        }
        self.write(LEAKS, &text, true)?;
        self.staged.insert(LEAKS.into(), (summary.cells, true));
        report.leaks = summary;
        Ok(())
    }

    /// Every file of the dataset after this run, with its hash.
    fn outputs(&self) -> Result<Vec<OutputRecord>> {
        let mut out = Vec::new();
        for (rel, record) in &self.prior {
            if self.remove.contains(rel) || self.staged.contains_key(rel) {
                continue;
            }
            out.push(record.clone());
        }
        for (rel, (rows, published)) in &self.staged {
            let path = self.staging.dir().join(rel);
            out.push(output_record(&path, rel, *rows, *published)?);
        }
        Ok(out)
    }
}

/// A dataset file's record: its hash, rows and whether it is published.
fn output_record(path: &Path, rel: &str, rows: u64, published: bool) -> Result<OutputRecord> {
    let (sha256, _) = crate::read::sha256_file(path).map_err(|e| Error::io(path, e))?;
    Ok(OutputRecord {
        path: rel.to_string(),
        sha256,
        rows,
        published,
    })
}

/// A partition's file in the dataset.
fn partition_file(key: &PartKey) -> String {
    format!("parquet/{}/data.parquet", key.folder())
}

/// A source's delivery of a partition kept aside.
fn superseded_file(key: &PartKey, source: &str) -> String {
    format!("superseded/{}/{}.parquet", key.folder(), short(source))
}

/// The partitions this run decided: per partition, the source used, why, how many delivered
/// it, and the conflicts.
struct Decided {
    /// Per partition touched: the source used, the ground, the number of deliveries.
    months: BTreeMap<PartKey, (String, Option<crate::republish::Ground>, u64)>,
    /// The conflicts of the partitions touched.
    conflicts: Vec<Conflict>,
    /// The partitions written.
    written: Vec<String>,
}

/// Decide every partition this run's sources deliver: choose among the earlier deliveries and
/// the new ones, put the one used in `parquet/` and the others in `superseded/`, and compare
/// each other delivery with the one used.
fn decide(
    prefer: &Preference<'_>,
    prior: Option<&CollectReport>,
    collected: &BTreeMap<String, Collected>,
    files: &mut Files<'_>,
) -> Result<Decided> {
    let mut touched: BTreeMap<PartKey, Vec<String>> = BTreeMap::new();
    for (key, c) in collected {
        for part in c.pieces.keys() {
            touched.entry(part.clone()).or_default().push(key.clone());
        }
    }
    // the months of an earlier source preferred now are decided again
    for (key, record) in prior.iter().flat_map(|p| p.sources.iter()) {
        if prefer.now.contains(key) {
            for part in record.partitions.keys().filter_map(|l| PartKey::parse(l)) {
                touched.entry(part).or_default();
            }
        }
    }
    let mut decided = Decided {
        months: BTreeMap::new(),
        conflicts: Vec::new(),
        written: Vec::new(),
    };
    for (part, new_sources) in touched {
        let label = part.label();
        let used_before = prior.and_then(|p| {
            p.buyers
                .get(&part.buyer)
                .and_then(|b| b.months.get(&part.month.to_string()))
                .map(|m| m.source_key.clone())
        });
        // every delivery: the earlier ones (used or kept aside), then the new ones
        let mut candidates: Vec<Candidate> = Vec::new();
        if let Some(prior) = prior {
            for (key, record) in &prior.sources {
                let Some(stats) = record.partitions.get(&label) else {
                    continue;
                };
                let rel = if used_before.as_deref() == Some(key.as_str()) {
                    partition_file(&part)
                } else {
                    superseded_file(&part, key)
                };
                candidates.push(candidate(prefer, key, record, stats, files.out.join(rel)));
            }
        }
        for key in &new_sources {
            let c = &collected[key];
            let (path, stats) = &c.pieces[&part];
            candidates.push(candidate(prefer, key, &c.record, stats, path.clone()));
        }
        let (winner, ground) = deliveries::choose(&candidates)?;
        let used = candidates[winner].clone();
        let rows_of = |c: &Candidate| c.rows;
        // the one used goes to parquet/, unless it is there already
        if used_before.as_deref() != Some(used.source.as_str()) {
            let rel = partition_file(&part);
            if let Some(before) = &used_before {
                // the earlier one used is kept aside
                let old = candidates.iter().find(|c| &c.source == before);
                files.put_copied(
                    &rel,
                    &superseded_file(&part, before),
                    old.map_or(0, rows_of),
                    false,
                )?;
            }
            if new_sources.contains(&used.source) {
                files.put_moved(&used.file, &rel, used.rows, true)?;
            } else {
                let aside = superseded_file(&part, &used.source);
                files.put_copied(&aside, &rel, used.rows, true)?;
                files.take_away(&aside);
            }
            decided.written.push(label.clone());
        }
        // the new ones not used are kept aside
        for c in candidates.iter().filter(|c| c.source != used.source) {
            if new_sources.contains(&c.source) {
                files.put_moved(&c.file, &superseded_file(&part, &c.source), c.rows, false)?;
            }
        }
        let used_file = files.current(&partition_file(&part));
        for c in candidates.iter().filter(|c| c.source != used.source) {
            let other = files.current(&superseded_file(&part, &c.source));
            let difference: Difference = deliveries::compare(&used_file, &other)?;
            decided.conflicts.push(Conflict {
                kopare_id: part.buyer.clone(),
                month: part.month.to_string(),
                used: used.name.clone(),
                other: c.name.clone(),
                ground,
                difference,
            });
        }
        let ground = (candidates.len() > 1).then_some(ground);
        decided
            .months
            .insert(part, (used.source.clone(), ground, candidates.len() as u64));
    }
    Ok(decided)
}

/// A delivery of a partition by a source.
fn candidate(
    prefer: &Preference<'_>,
    key: &str,
    record: &SourceRecord,
    stats: &PieceStats,
    file: PathBuf,
) -> Candidate {
    let preferred = prefer.rank(key);
    Candidate {
        source: key.to_string(),
        name: record
            .files
            .first()
            .map(|f| f.path.clone())
            .unwrap_or_default(),
        last_month: record.last_month.as_deref().and_then(Period::parse),
        rows: stats.rows,
        preferred,
        file,
    }
}

/// A report with nothing in it.
fn empty_report() -> CollectReport {
    CollectReport {
        tool: "reskontra".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        kind: KIND.into(),
        dataset: Totals::default(),
        options: CollectOptionsRecord::default(),
        inputs: Vec::new(),
        sources: BTreeMap::new(),
        duplicate_files: Vec::new(),
        buyers: BTreeMap::new(),
        conflicts: Vec::new(),
        leaks: LeakSummary::default(),
        outputs: Vec::new(),
        leaks_found: Vec::new(),
    }
}

/// The dataset's report after this run: the earlier sources and this run's, each partition's
/// delivery, the buyers' months and fill rates, the conflicts.
fn build_report(
    prior: Option<CollectReport>,
    collected: BTreeMap<String, Collected>,
    sources: &[Source],
    repeated: Vec<(String, String)>,
    decided: Decided,
    policy_sha256: Option<String>,
) -> Result<CollectReport> {
    let mut report = prior.unwrap_or_else(empty_report);
    report.version = env!("CARGO_PKG_VERSION").into();
    report.options.policy_sha256 = policy_sha256;
    // the months decided before, for the partitions this run did not touch
    let mut months: BTreeMap<PartKey, (String, Option<crate::republish::Ground>, u64)> =
        BTreeMap::new();
    for (buyer, record) in &report.buyers {
        for (month, m) in &record.months {
            if let Some(month) = Period::parse(month) {
                let key = PartKey {
                    buyer: buyer.clone(),
                    month,
                };
                months.insert(key, (m.source_key.clone(), m.ground, m.deliveries));
            }
        }
    }
    report.conflicts.retain(|c| {
        !decided
            .months
            .keys()
            .any(|k| k.buyer == c.kopare_id && k.month.to_string() == c.month)
    });
    report.conflicts.extend(decided.conflicts);
    report.conflicts.sort_by(|a, b| {
        (&a.kopare_id, &a.month, &a.other).cmp(&(&b.kopare_id, &b.month, &b.other))
    });
    months.extend(decided.months);
    for (key, c) in collected {
        for f in &c.record.files {
            report.inputs.push(InputRecord {
                path: f.path.clone(),
                sha256: f.sha256.clone(),
                bytes: f.bytes,
                role: "source".into(),
                source: key.clone(),
            });
        }
        report.leaks_found.extend(c.leaks);
        report.sources.insert(key, c.record);
    }
    report
        .inputs
        .sort_by(|a, b| a.path.cmp(&b.path).then(a.sha256.cmp(&b.sha256)));
    report
        .inputs
        .dedup_by(|a, b| a.path == b.path && a.sha256 == b.sha256);
    let collected_paths: BTreeSet<&str> = report.inputs.iter().map(|i| i.path.as_str()).collect();
    let mut duplicates: BTreeSet<DuplicateFile> = report.duplicate_files.drain(..).collect();
    for (path, same_as) in repeated {
        if !collected_paths.contains(path.as_str()) {
            duplicates.insert(DuplicateFile { path, same_as });
        }
    }
    // a file given again whose bytes the dataset holds under another name
    let by_sha: BTreeMap<&str, &str> = report
        .inputs
        .iter()
        .map(|i| (i.sha256.as_str(), i.path.as_str()))
        .collect();
    for source in sources {
        for f in &source.files {
            if let Some(kept) = by_sha.get(f.sha256.as_str()).filter(|p| **p != f.given) {
                duplicates.insert(DuplicateFile {
                    path: f.given.clone(),
                    same_as: kept.to_string(),
                });
            }
        }
    }
    report.duplicate_files = duplicates.into_iter().collect();
    report.buyers = buyers(&report.sources, &months);
    report.dataset = Totals {
        rows: report.buyers.values().map(|b| b.rows).sum(),
        amount: crate::amount::ore_text(
            report
                .buyers
                .values()
                .flat_map(|b| b.months.values())
                .map(|m| pieces::amount_cents(&m.amount))
                .sum(),
        ),
        buyers: report.buyers.len() as u64,
        months: months.len() as u64,
        sources: report.sources.len() as u64,
    };
    Ok(report)
}

/// The columns whose fill rate a buyer's record gives: the dataset's texts that may be missing
/// (not the amount and the date, which every row has, nor the id kind and the provenance).
fn fill_columns() -> impl Iterator<Item = &'static str> {
    rows::COLUMNS.into_iter().filter(|c| {
        !matches!(
            *c,
            "belopp" | "datum" | "leverantor_id_typ" | "kalla_fil" | "kalla_rad" | "kalla_sha256"
        )
    })
}

/// The buyers' records from the months used and the sources' statistics.
fn buyers(
    sources: &BTreeMap<String, SourceRecord>,
    months: &BTreeMap<PartKey, (String, Option<crate::republish::Ground>, u64)>,
) -> BTreeMap<String, BuyerRecord> {
    let mut buyers: BTreeMap<String, BuyerRecord> = BTreeMap::new();
    let mut filled: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for (key, (source, ground, deliveries)) in months {
        let Some(record) = sources.get(source) else {
            continue;
        };
        let Some(stats) = record.partitions.get(&key.label()) else {
            continue;
        };
        let buyer = buyers.entry(key.buyer.clone()).or_default();
        buyer.rows += stats.rows;
        for (name, n) in &stats.names {
            *buyer.names.entry(name.clone()).or_insert(0) += n;
        }
        for (kind, n) in &stats.id_kinds {
            *buyer.id_kinds.entry(kind.clone()).or_insert(0) += n;
        }
        let columns = filled.entry(key.buyer.clone()).or_default();
        for (column, n) in &stats.filled {
            *columns.entry(column.clone()).or_insert(0) += n;
        }
        buyer.months.insert(
            key.month.to_string(),
            MonthRecord {
                source: record
                    .files
                    .first()
                    .map(|f| f.path.clone())
                    .unwrap_or_default(),
                source_key: source.clone(),
                rows: stats.rows,
                amount: stats.amount.clone(),
                deliveries: *deliveries,
                ground: *ground,
                file: partition_file(key),
            },
        );
    }
    for (id, buyer) in &mut buyers {
        let cents: i128 = buyer
            .months
            .values()
            .map(|m| pieces::amount_cents(&m.amount))
            .sum();
        buyer.amount = crate::amount::ore_text(cents);
        let columns = filled.remove(id).unwrap_or_default();
        for column in fill_columns() {
            let n = columns.get(column).copied().unwrap_or(0);
            let rate = if buyer.rows == 0 {
                0.0
            } else {
                (n as f64 / buyer.rows as f64 * 10_000.0).round() / 10_000.0
            };
            buyer.fill_rate.insert(column.to_string(), rate);
        }
        buyer.gaps = gaps(buyer.months.keys());
    }
    buyers
}

/// The months missing between the first and the last of a list.
fn gaps<'a>(months: impl Iterator<Item = &'a String>) -> Vec<String> {
    let have: BTreeSet<Period> = months.filter_map(|m| Period::parse(m)).collect();
    let (Some(first), Some(last)) = (have.first().copied(), have.last().copied()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut m = first;
    while m < last {
        if !have.contains(&m) {
            out.push(m.to_string());
        }
        m = m.next();
    }
    out
}
