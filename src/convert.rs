//! `reskontra convert`: the whole pipeline, from raw exports to the published files.
//!
//! read → table → map → normalise → protect → (split, reconcile) → write → report.
//! Everything is written to a staging folder first and moved into place only when every
//! check has passed, so a failed run leaves the output folder as it was.

use crate::amount::{AmountReader, DecimalMark, FileConvention, Mark};
use crate::batch::{Action, Batch, Col};
use crate::date::{DateRules, Period};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::map::{map_tables, Lookups, MapInfo};
use crate::normalise::{self, normalise, FileRules, NormaliseInfo};
use crate::protect::{protect, Decisions, PrivacyInfo};
use crate::read::file_name;
use crate::read::RawRow;
use crate::report::{
    sha256_hex, AmountConvention, InputEntry, InputRef, LayoutEntry, OptionsEntry, OutputEntry,
    Report, RowCounts, Sums,
};
use crate::table::{extract, BrokenRow, RowSorter, Sorted, SourceTable};
use crate::write::{self, Format, SpecColumn, SpecTable, Staging};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::mem::take;
use std::path::{Path, PathBuf};

pub use crate::plan::{
    assign, check_buyer_id, check_kommun_id, check_period, plan, recognised_by, Assignment,
    ConvertOptions, Planned, BATCH_ROWS, HEAD_ROWS,
};
pub use crate::progress::{Progress, ProgressEvent, StageCallback};

pub use crate::paths::relative_path;

fn file_entry(path: &Path, report_dir: &Path) -> Result<(String, String, u64)> {
    let (sha256, size) = crate::read::sha256_file(path).map_err(|e| Error::io(path, e))?;
    Ok((relative_path(path, report_dir), sha256, size))
}

/// Rows per outcome after all stages.
struct Split {
    published: DataFrame,
    withheld: DataFrame,
    rejected: DataFrame,
}

fn split(df: &DataFrame) -> Result<Split> {
    let rejected_mask = df.rejected()?;
    let withhold = df.action_is(Action::Withhold)?;
    let withheld_mask = &withhold & &!&rejected_mask;
    let published_mask = !&(&withhold | &rejected_mask);
    Ok(Split {
        published: df.filter(&published_mask)?,
        withheld: df.filter(&withheld_mask)?,
        rejected: df.filter(&rejected_mask)?,
    })
}

/// The output stem: `leverantorsreskontra-YYYY-MM` or `..._YYYY-MM` for a span of months,
/// from the published rows' months (else all rows').
pub fn output_stem(published: Option<(Period, Period)>, all: Option<(Period, Period)>) -> String {
    match published.or(all) {
        None => "leverantorsreskontra-utan-period".to_string(),
        Some((first, last)) if first == last => format!("leverantorsreskontra-{first}"),
        Some((first, last)) => format!("leverantorsreskontra-{first}_{last}"),
    }
}

const INTERNAL_README: &str = "\
INTERNAL — DO NOT PUBLISH

The files in this folder are for the publisher's own review. They hold the raw supplier names
and identity numbers of masked and withheld suppliers (review.csv), the raw values of rows
that could not be converted (rejected.csv), which may include personal data, and the suppliers
published by name whose id was no organisation number and was left empty (supplier-numbers.csv).

Publish only the files in the folder above this one (leverantorsreskontra-*.csv/.json/.parquet).
report.json holds counts and sums only, never masked values.
";

/// Run the conversion and write everything into `opts.out`: [`plan`], then [`run`].
pub fn convert(opts: &ConvertOptions) -> Result<Report> {
    run(plan(opts)?, opts)
}

/// What a run found, before it is written down: the outputs in staging, the totals (read =
/// published + withheld + rejected, reconciled), and what the publisher should know.
#[derive(Debug)]
pub struct Outcome {
    /// The files written (into staging).
    pub outputs: Vec<OutputEntry>,
    /// Rows per outcome.
    pub rows: RowCounts,
    /// Amounts per outcome, in öre.
    pub sums: Sums,
    /// Rejected rows by reason.
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// Source lines left out (titles, totals rows, blank lines), by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Where each spec column came from, periods, lookups and the supplier register.
    pub map: MapInfo,
    /// What normalising found.
    pub normalise: NormaliseInfo,
    /// What the privacy rules did.
    pub privacy: PrivacyInfo,
    /// How each input's amounts were read.
    pub conventions: Vec<AmountConvention>,
    /// Text cells guarded against formula injection.
    pub guarded: u64,
    /// For the publisher: rejected rows, missing dates, amounts read by the file's convention,
    /// dates far from the period, a municipality without its code.
    pub warnings: Vec<String>,
    /// Published suppliers whose id (an internal number, a number with a wrong check digit,
    /// text) was left empty, by the id's kind.
    pub supplier_ids_removed: BTreeMap<String, crate::protect::ReasonCount>,
}

/// The inputs of a run as tables: the main exports, the lookups prepared, each input's role.
struct Tables {
    main: Vec<SourceTable>,
    lookups: Lookups,
    /// Per input: its path, role (`main`, `lookup:NAME`) and header line.
    roles: Vec<(PathBuf, String, u64)>,
    /// Lines the header search left out, by reason.
    skipped: BTreeMap<String, u64>,
}

/// Find each input's table below its header, and join-ready lookups.
fn tables_of(assignment: Assignment, layout: &Layout) -> Result<Tables> {
    let mut roles = Vec::new();
    let mut skipped: BTreeMap<String, u64> = BTreeMap::new();
    let mut main = Vec::new();
    for (raw, idx) in assignment.main {
        let t = extract(raw, idx, layout);
        for (k, v) in &t.skipped {
            *skipped.entry(k.clone()).or_insert(0) += v;
        }
        roles.push((t.path.clone(), "main".into(), t.header_line));
        main.push(t);
    }
    let mut lookup_tables = BTreeMap::new();
    for (name, (mut raw, idx)) in assignment.lookups {
        raw.read_rest()?;
        let t = extract(raw, idx, layout);
        roles.push((t.path.clone(), format!("lookup:{name}"), t.header_line));
        lookup_tables.insert(name, t);
    }
    for t in &main {
        if t.rows.is_empty() && t.broken.is_empty() && t.rest.is_none() {
            return Err(no_data_rows(&t.path, t.header_line));
        }
    }
    let lookups = Lookups::prepare(&lookup_tables, layout)?;
    Ok(Tables {
        main,
        lookups,
        roles,
        skipped,
    })
}

/// Execute a plan: convert every row, check and reconcile, write the outputs and the report
/// into `opts.out` (the options the plan was made with). Nothing is moved into place unless
/// every step succeeds.
pub fn run(planned: Planned, opts: &ConvertOptions) -> Result<Report> {
    let Planned {
        assignment,
        formats,
        register,
        ..
    } = planned;
    let layout = assignment.layout.clone();
    let reason = assignment.reason.clone();
    let mut tables = tables_of(assignment, &layout)?;
    let roles = std::mem::take(&mut tables.roles);
    let mut staging = Staging::new(&opts.out, opts.replace)?;
    // the run's inputs, by content: the same inputs again replace their own earlier outputs
    let input_hashes: Vec<String> = formats.values().map(|(_, sha, _)| sha.clone()).collect();
    let done = staging.check_prior(&input_hashes).and_then(|()| {
        let outcome = execute(
            tables,
            &layout,
            register.as_ref(),
            &formats,
            opts,
            &mut staging,
        )?;
        opts.progress.stage("writing the report");
        let report = report_of(outcome, &layout, reason, &roles, &formats, opts)?;
        let report_path = staging.path("report.json")?;
        write::write_file(&report_path, |f| {
            use std::io::Write;
            f.write_all(report.to_json().as_bytes())
        })?;
        Ok(report)
    });
    match done {
        Ok(report) => {
            staging.commit(&input_hashes)?;
            Ok(report)
        }
        Err(e) => {
            staging.abandon();
            Err(e)
        }
    }
}

/// How a run treats its rows beyond the pipeline every run shares: what `convert` checks for
/// the published files of one buyer, and what `collect` keeps for a dataset of many.
#[derive(Debug, Clone)]
pub(crate) struct RunMode {
    /// Refuse rows of a second buyer (a published file is one buyer's).
    pub one_buyer: bool,
    /// Reject rows that miss a mandatory text (`verifikationsnummer`, `konto_nr`, ...); a
    /// collected dataset keeps them with the value missing.
    pub complete_rows: bool,
    /// Where the rejected rows go in staging.
    pub rejected_file: String,
    /// Write the raw values of rejected rows (convert's publisher sees them as read, in
    /// `internal/`); without, a rejected row is named by its file, line and reason only (a
    /// collected dataset keeps no personal data anywhere, and the raw values may hold names).
    pub rejected_raw_values: bool,
    /// Warn of what the publisher should do about the files to publish (give a municipality
    /// code, look at the review files in `internal/`); a collected dataset has no publisher.
    pub publisher_hints: bool,
}

impl RunMode {
    /// The mode of `convert`.
    fn convert() -> RunMode {
        RunMode {
            one_buyer: true,
            complete_rows: true,
            rejected_file: REJECTED_CSV.to_string(),
            rejected_raw_values: true,
            publisher_hints: true,
        }
    }
}

/// Convert every row of the tables into staging and add up what happened.
fn execute(
    tables: Tables,
    layout: &Layout,
    register: Option<&crate::map::SupplierRegister>,
    formats: &BTreeMap<PathBuf, (crate::read::SourceFormat, String, u64)>,
    opts: &ConvertOptions,
    staging: &mut Staging,
) -> Result<Outcome> {
    let mode = RunMode::convert();
    let Tables {
        main,
        lookups,
        skipped,
        ..
    } = tables;
    let batches = Batches::new(layout, &lookups, register, opts, formats, &mode);
    let (totals, outputs) = batches.run(main, staging)?;
    Ok(outcome_of(totals, skipped, outputs, opts, &mode))
}

/// What the inputs of a converted source were: the layout and why, how each was read (format,
/// SHA-256, size), and the first one's header.
pub(crate) struct SourceInputs {
    /// The layout's name.
    pub layout: String,
    /// Why it was chosen.
    pub reason: String,
    /// Per input: how it was read, its SHA-256 and its size.
    pub formats: BTreeMap<PathBuf, (crate::read::SourceFormat, String, u64)>,
    /// The first main input's header cells, trimmed.
    pub header: Vec<String>,
}

/// Convert a planned source for a sink of the caller's instead of the published files: each
/// batch's published rows (the spec columns typed, with the bookkeeping columns) go to `send`,
/// the rejected rows to the file `rejected` (which `mode.rejected_file` names in messages);
/// scratch files go into the folder `scratch`. Rows and sums are reconciled. Nothing here
/// touches an output folder, so sources can be converted side by side.
pub(crate) fn convert_into(
    planned: Planned,
    opts: &ConvertOptions,
    mode: &RunMode,
    (rejected, scratch): (&Path, &Path),
    send: impl FnMut(DataFrame) -> Result<()>,
) -> Result<(Outcome, SourceInputs)> {
    let Planned {
        assignment,
        formats,
        register,
        ..
    } = planned;
    let layout = assignment.layout.clone();
    let reason = assignment.reason.clone();
    let header = assignment
        .main
        .first()
        .and_then(|(table, at)| table.rows.get(*at))
        .map(|row| row.cells.iter().map(|c| c.trim().to_string()).collect())
        .unwrap_or_default();
    let Tables {
        main,
        lookups,
        skipped,
        ..
    } = tables_of(assignment, &layout)?;
    let batches = Batches::new(&layout, &lookups, register.as_ref(), opts, &formats, mode);
    let totals = batches.run_into(main, (rejected, scratch), send)?;
    let rejected = OutputEntry {
        path: mode.rejected_file.clone(),
        sha256: String::new(),
        rows: totals.rows.rejected,
        published: false,
    };
    let outcome = outcome_of(totals, skipped, vec![rejected], opts, mode);
    let inputs = SourceInputs {
        layout: layout.name.clone(),
        reason,
        formats,
        header,
    };
    Ok((outcome, inputs))
}

/// The outcome of a run's totals: the skipped lines of the heads and of the streamed rest
/// together, and the warnings for the publisher.
fn outcome_of(
    totals: Totals,
    mut skipped: BTreeMap<String, u64>,
    outputs: Vec<OutputEntry>,
    opts: &ConvertOptions,
    mode: &RunMode,
) -> Outcome {
    let Totals {
        rows,
        sums,
        rejected_by_reason,
        map,
        normalise,
        mut privacy,
        guarded,
        is_municipality,
        skipped: streamed_skips,
        conventions,
        months,
        removed_ids,
        ..
    } = totals;
    for (reason, n) in streamed_skips {
        *skipped.entry(reason).or_insert(0) += n;
    }
    privacy.forget_suppliers();
    // what a reader found about a file (an SIE #KSUMMA mismatch) is a warning, not a skip
    let mut warnings = crate::read::take_warnings(&mut skipped);
    warnings.extend(run_warnings(&rows, &map, &normalise, &conventions, mode));
    if mode.publisher_hints {
        warnings.extend(removed_ids.warning());
    }
    warnings.extend(months.far_from_period(opts.overrides.period));
    if mode.publisher_hints
        && is_municipality
        && opts.overrides.kommun_id.is_none()
        && map.sources.get("kommun_id").is_none_or(|s| s == "none")
    {
        warnings.push(
            "the buyer looks like a municipality: give --kommun-id (the spec says it should be given)"
                .into(),
        );
    }
    Outcome {
        outputs,
        rows,
        sums,
        rejected_by_reason,
        skipped,
        map,
        normalise,
        privacy,
        conventions,
        guarded,
        warnings,
        supplier_ids_removed: removed_ids.counts(),
    }
}

/// What the publisher should know of the rows: rejections, municipality codes, missing dates,
/// the supplier register and lookups, and how the amounts were read.
fn run_warnings(
    rows: &RowCounts,
    map_info: &MapInfo,
    norm_info: &NormaliseInfo,
    conventions: &[AmountConvention],
    mode: &RunMode,
) -> Vec<String> {
    let mut warnings = Vec::new();
    if norm_info.invalid_kommun_id > 0 {
        warnings.push(format!(
            "{} kommun_id values were not municipality codes and were left empty",
            norm_info.invalid_kommun_id
        ));
    }
    if rows.rejected > 0 {
        warnings.push(format!(
            "{} rows were rejected: see {}",
            rows.rejected, mode.rejected_file
        ));
    }
    for (file, period) in &map_info.periods {
        warnings.push(format!(
            "{file} has no date column: datum is the first day of {period}"
        ));
    }
    if let Some(r) = map_info.register {
        if r.unmatched > 0 {
            warnings.push(format!(
                "{} rows had a supplier number not found in the supplier register",
                r.unmatched
            ));
        }
    }
    for (name, n) in &map_info.lookup_misses {
        warnings.push(format!("{n} rows had a key not found in lookup {name}"));
    }
    if map_info.buyer_replaced > 0 {
        warnings.push(format!(
            "{} rows had a buyer of their own that is no organisation number (a name or a code); \
             the buyer given replaced it",
            map_info.buyer_replaced
        ));
    }
    warnings.extend(amount_warnings(conventions, norm_info));
    warnings
}

/// The run's report: what it was given (inputs by hash, options, the layout and why) and its
/// outcome.
fn report_of(
    outcome: Outcome,
    layout: &Layout,
    reason: String,
    roles: &[(PathBuf, String, u64)],
    formats: &BTreeMap<PathBuf, (crate::read::SourceFormat, String, u64)>,
    opts: &ConvertOptions,
) -> Result<Report> {
    let report_dir = opts.out.clone();
    let map_info = &outcome.map;
    let mut inputs = Vec::new();
    for (path, role, header_line) in roles {
        let (format, sha, bytes) = formats.get(path).cloned().unwrap_or_default();
        inputs.push(InputEntry {
            path: relative_path(path, &report_dir),
            sha256: sha,
            bytes,
            role: role.clone(),
            format,
            header_line: *header_line,
            period: map_info.periods.get(&file_name(path)).cloned(),
        });
    }
    if let Some(p) = &opts.suppliers {
        let (rel, sha, bytes) = file_entry(p, &report_dir)?;
        inputs.push(InputEntry {
            path: rel,
            sha256: sha,
            bytes,
            role: "suppliers".into(),
            format: crate::read::SourceFormat::default(),
            header_line: 0,
            period: None,
        });
    }
    let policy = match &opts.policy_path {
        Some(p) => {
            let (path, sha256, _) = file_entry(p, &report_dir)?;
            Some(InputRef { path, sha256 })
        }
        None => None,
    };
    Ok(Report {
        tool: "reskontra".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        specification: "leverantorsreskontra 1.1".into(),
        layout: LayoutEntry {
            name: layout.name.clone(),
            reason,
            sources: map_info.sources.clone(),
        },
        options: OptionsEntry {
            layout: opts.layout.clone(),
            buyer_id: opts.overrides.buyer_id.clone(),
            buyer_name: opts.overrides.buyer_name.clone(),
            kommun_id: opts.overrides.kommun_id.clone(),
            period: opts.overrides.period.map(|p| p.to_string()),
            encoding: opts.read.encoding.clone(),
            sheet: opts.read.sheet.clone(),
            formats: opts
                .formats
                .iter()
                .map(|f| f.extension().to_string())
                .collect(),
            policy,
            formula_guard: opts.formula_guard,
            decimal_mark: opts.decimal_mark,
        },
        inputs,
        lookup_misses: map_info.lookup_misses.clone(),
        supplier_register: map_info.register,
        outputs: outcome.outputs,
        skipped_lines: outcome.skipped,
        rows: outcome.rows,
        amount: outcome.sums.into(),
        rejected_by_reason: outcome.rejected_by_reason,
        privacy: outcome.privacy,
        normalise: outcome.normalise,
        amount_conventions: outcome.conventions,
        formula_guarded_cells: outcome.guarded,
        supplier_ids_removed: outcome.supplier_ids_removed,
        warnings: outcome.warnings,
    })
}

/// The error for an input whose header is followed by no data row. A header at line 0 holds
/// the column names a reader made (SIE, JSON), which the file never shows: its message speaks
/// of the records read instead.
fn no_data_rows(path: &Path, header_line: u64) -> Error {
    let message = match header_line {
        0 => "every record read was left out as a blank or totals row (or a copy of the \
              column names): there is no row to convert"
            .to_string(),
        line => format!("the header (line {line}) is followed by no data rows"),
    };
    Error::input(path, message)
}

/// What a publisher should know about how the amounts were read.
fn amount_warnings(conventions: &[AmountConvention], norm: &NormaliseInfo) -> Vec<String> {
    let mut warnings = Vec::new();
    if norm.amounts_with_other_mark > 0 {
        warnings.push(format!(
            "{} amounts were written with the other decimal mark than the layout declares and read as written (mixed_decimal_marks)",
            norm.amounts_with_other_mark
        ));
    }
    for c in conventions {
        if c.decimal_mark == "both" {
            warnings.push(format!(
                "{}: amounts are written with a decimal comma ({}) and with a decimal point ({}); ambiguous ones after the first of the other kind are rejected",
                c.file, c.values_with_decimal_comma, c.values_with_decimal_point
            ));
        }
        if c.ambiguous_read > 0 {
            warnings.push(format!(
                "{}: {} ambiguous amounts (one mark and three digits, like 1,234) were read with the file's decimal {}",
                c.file, c.ambiguous_read, c.decimal_mark
            ));
        }
    }
    warnings
}

/// Everything a run adds up over its batches.
#[derive(Default)]
struct Totals {
    rows: RowCounts,
    sums: Sums,
    rejected_by_reason: BTreeMap<String, u64>,
    map: MapInfo,
    normalise: NormaliseInfo,
    privacy: PrivacyInfo,
    guarded: u64,
    is_municipality: bool,
    published_months: Option<(Period, Period)>,
    all_months: Option<(Period, Period)>,
    review: ReviewGroups,
    /// `internal/rejected.csv`, written as the batches come (a run that rejects every row does
    /// not hold them); `None` only before the run starts.
    rejected: Option<write::HashedFile>,
    /// The rejected lines of rows with the wrong number of fields, held in a scratch file
    /// until their table ends (they come last in rejected.csv) while `holding`.
    held: Option<HeldLines>,
    holding: bool,
    /// Lines skipped in the parts of files read batch by batch.
    skipped: BTreeMap<String, u64>,
    /// How each input's amounts were read.
    conventions: Vec<AmountConvention>,
    /// The months of the published and withheld rows, per input.
    months: crate::date::MonthTally,
    /// The privacy decisions made so far, per supplier.
    decisions: Decisions,
    /// Refuse rows of a second buyer ([`RunMode::one_buyer`]).
    one_buyer: bool,
    /// The first buyer of the run's published or withheld rows, and where it was met.
    buyer: Option<FirstBuyer>,
    /// Write rejected rows' raw values ([`RunMode::rejected_raw_values`]).
    rejected_raw_values: bool,
    /// Published suppliers whose unusable id was left empty.
    removed_ids: RemovedIds,
    /// Whether to list them ([`RunMode::publisher_hints`]: for the publisher's `internal/`).
    list_removed_ids: bool,
}

/// The first buyer of a run's rows: its id, and the file and line it was met on.
#[derive(Debug, Clone)]
struct FirstBuyer {
    id: String,
    file: String,
    row: u64,
}

/// Lines written to a scratch file, to be copied elsewhere later.
struct HeldLines {
    path: PathBuf,
    file: std::io::BufWriter<std::fs::File>,
}

impl Totals {
    /// Count one processed batch: rows, sums, reasons, months, review and rejected rows.
    fn add(
        &mut self,
        path: &Path,
        df: &DataFrame,
        parts: &Split,
        rejected_raw: &RawCells,
    ) -> Result<()> {
        if self.one_buyer {
            self.check_one_buyer(path, &parts.published)?;
            self.check_one_buyer(path, &parts.withheld)?;
        }
        if self.list_removed_ids {
            self.removed_ids.add(&parts.published)?;
        }
        self.rows.read += df.height() as u64;
        self.rows.published += parts.published.height() as u64;
        self.rows.withheld += parts.withheld.height() as u64;
        self.rows.rejected += parts.rejected.height() as u64;
        self.sums.read += normalise::cents_sum(df)?;
        self.sums.published += normalise::cents_sum(&parts.published)?;
        self.sums.withheld += normalise::cents_sum(&parts.withheld)?;
        self.sums.rejected += normalise::cents_sum(&parts.rejected)?;
        for r in parts.rejected.reject_texts()?.iter().flatten() {
            *self.rejected_by_reason.entry(r.to_string()).or_insert(0) += 1;
        }
        self.published_months = widen(self.published_months, &parts.published)?;
        self.all_months = widen(self.all_months, df)?;
        self.is_municipality |= parts
            .published
            .texts(Col::KopareId)?
            .iter()
            .flatten()
            .any(|id| id.starts_with("212"));
        self.review.add(df)?;
        tally_months(&mut self.months, &parts.published)?;
        tally_months(&mut self.months, &parts.withheld)?;
        if parts.rejected.height() > 0 {
            let no_raw = RawCells::new();
            let raw = if self.rejected_raw_values {
                rejected_raw
            } else {
                &no_raw
            };
            let lines = rejected_rows(&parts.rejected, raw)?;
            match (self.holding, self.held.as_mut(), self.rejected.as_mut()) {
                (true, Some(held), _) => {
                    std::io::Write::write_all(&mut held.file, lines.as_bytes())
                        .map_err(|e| Error::io(&held.path, e))?;
                }
                (_, _, Some(file)) => file.write_str(&lines)?,
                _ => {}
            }
        }
        Ok(())
    }

    /// Refuse a frame's rows of another buyer than the run's first: a published file is one
    /// buyer's.
    fn check_one_buyer(&mut self, path: &Path, frame: &DataFrame) -> Result<()> {
        let ids = frame.texts(Col::KopareId)?;
        let rows = frame.rows()?;
        for (i, id) in ids.iter().enumerate() {
            let Some(id) = id else {
                continue;
            };
            let row = rows.get(i).unwrap_or(0);
            match &self.buyer {
                Some(first) if first.id == id => {}
                None => {
                    self.buyer = Some(FirstBuyer {
                        id: id.to_string(),
                        file: file_name(path),
                        row,
                    });
                }
                Some(first) => {
                    return Err(Error::input(
                        path,
                        format!(
                            "line {row} is a row of the buyer {id}, but line {} of {} is one of {}: \
                             a published file is one buyer's. Convert each buyer's files on their own, \
                             or combine several publishers' files into one dataset with reskontra collect",
                            first.row, first.file, first.id
                        ),
                    ))
                }
            }
        }
        Ok(())
    }

    /// Move the held lines to the end of rejected.csv (at the end of a table).
    fn release_held(&mut self) -> Result<()> {
        use std::io::{Read, Seek, Write};
        let (Some(held), Some(rejected)) = (self.held.as_mut(), self.rejected.as_mut()) else {
            return Ok(());
        };
        let io = |e| Error::io(&held.path, e);
        held.file.flush().map_err(io)?;
        let file = held.file.get_mut();
        file.rewind().map_err(io)?;
        let mut piece = vec![0; 1 << 20];
        loop {
            let n = file.read(&mut piece).map_err(io)?;
            if n == 0 {
                break;
            }
            rejected.write_bytes(&piece[..n])?;
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        Ok(())
    }

    /// Every row read is published, withheld or rejected, and so is every öre.
    fn reconcile(&self) -> Result<()> {
        let (rows, sums) = (&self.rows, &self.sums);
        if rows.read != rows.published + rows.withheld + rows.rejected {
            return Err(Error::Reconciliation(format!(
                "{} rows read but {} published + {} withheld + {} rejected",
                rows.read, rows.published, rows.withheld, rows.rejected
            )));
        }
        if sums.read != sums.published + sums.withheld + sums.rejected {
            return Err(Error::Reconciliation(
                "the sum of amounts read differs from published + withheld + rejected".into(),
            ));
        }
        Ok(())
    }
}

/// Count the months of a frame's dated rows.
fn tally_months(months: &mut crate::date::MonthTally, df: &DataFrame) -> Result<()> {
    let files = df.files()?;
    let rows = df.rows()?;
    let days = df.days()?;
    let mut last: Option<(i32, chrono::NaiveDate)> = None;
    for ((file, row), day) in files.iter().zip(rows.iter()).zip(days.iter()) {
        let (Some(file), Some(row), Some(day)) = (file, row, day) else {
            continue;
        };
        let date = match last {
            Some((seen, date)) if seen == day => date,
            _ => normalise::date_from_days(day),
        };
        last = Some((day, date));
        months.add(file, date, row);
    }
    Ok(())
}

/// The first and last month of a frame's dates, widened by an earlier span.
fn widen(span: Option<(Period, Period)>, df: &DataFrame) -> Result<Option<(Period, Period)>> {
    let Some((first, last)) = normalise::date_span(df)? else {
        return Ok(span);
    };
    let (first, last) = (Period::of(first), Period::of(last));
    Ok(Some(match span {
        None => (first, last),
        Some((a, b)) => (a.min(first), b.max(last)),
    }))
}

/// What a writer thread reports when its file is complete.
struct Written {
    sha256: String,
    /// Cells holding a personal number: the Parquet file read back, or the texts a CSV or
    /// JSON writer scanned (`None` when another writer scanned the same texts).
    hits: Option<u64>,
    /// Cells the formula guard changed.
    guarded: u64,
}

/// Write one published file from the batches sent to it.
fn write_stream(
    format: Format,
    path: &Path,
    batches: std::sync::mpsc::Receiver<DataFrame>,
    formula_guard: bool,
    scan_texts: bool,
) -> Result<Written> {
    let mut writer = write::PublishedWriter::create(format, path)?;
    let (mut hits, mut guarded) = (0u64, 0u64);
    for published in batches {
        let (table, changed) = if format == Format::Parquet {
            write::parquet_texts(&published, formula_guard)?
        } else {
            write::spec_table(&published, formula_guard)?
        };
        guarded += changed;
        if scan_texts {
            hits += table_hits(&table);
        }
        writer.write(&table, &published)?;
    }
    let sha256 = writer.finish()?;
    let hits = match format {
        Format::Parquet | Format::Xlsx => Some(crate::scan::personal_number_hits(path)?),
        _ => scan_texts.then_some(hits),
    };
    Ok(Written {
        sha256,
        hits,
        guarded,
    })
}

/// The batches of one run: the main tables cut into [`ConvertOptions::batch_rows`] rows, each
/// mapped, normalised, protected and sent to the writer threads, one per published format.
struct Batches<'a> {
    layout: &'a Layout,
    lookups: &'a Lookups,
    register: Option<&'a crate::map::SupplierRegister>,
    opts: &'a ConvertOptions,
    /// What the run checks and keeps beyond the shared pipeline.
    mode: &'a RunMode,
    /// The inputs that are workbooks (a bare number in their date column is an Excel serial).
    workbooks: std::collections::BTreeSet<PathBuf>,
}

impl<'a> Batches<'a> {
    /// The batches of a run over these inputs (`formats`: how each input was read).
    fn new(
        layout: &'a Layout,
        lookups: &'a Lookups,
        register: Option<&'a crate::map::SupplierRegister>,
        opts: &'a ConvertOptions,
        formats: &BTreeMap<PathBuf, (crate::read::SourceFormat, String, u64)>,
        mode: &'a RunMode,
    ) -> Batches<'a> {
        let workbooks = formats
            .iter()
            .filter(|(_, (format, _, _))| format.kind == "workbook")
            .map(|(path, _)| path.clone())
            .collect();
        Batches {
            layout,
            lookups,
            register,
            opts,
            mode,
            workbooks,
        }
    }

    /// The run's totals, with the file of rejected rows (`rejected`) opened, and a scratch file
    /// in the folder `scratch` for the lines held until their table ends.
    fn open_totals(&self, rejected_path: &Path, scratch: &Path) -> Result<Totals> {
        let mut rejected = write::HashedFile::create(rejected_path)?;
        rejected.write_str(&rejected_header())?;
        let scratch_file = tempfile::tempfile_in(scratch).map_err(|e| Error::io(scratch, e))?;
        let held = HeldLines {
            path: rejected_path.to_path_buf(),
            file: std::io::BufWriter::new(scratch_file),
        };
        Ok(Totals {
            rejected: Some(rejected),
            held: Some(held),
            one_buyer: self.mode.one_buyer,
            rejected_raw_values: self.mode.rejected_raw_values,
            list_removed_ids: self.mode.publisher_hints,
            ..Totals::default()
        })
    }

    /// Convert every row, handing each batch's published rows to `send`; the rejected rows
    /// are written to the run's file of them, complete. Rows and sums are reconciled.
    fn run_into(
        &self,
        tables: Vec<SourceTable>,
        (rejected, scratch): (&Path, &Path),
        send: impl FnMut(DataFrame) -> Result<()>,
    ) -> Result<Totals> {
        let mut totals = self.open_totals(rejected, scratch)?;
        self.process(tables, &mut totals, send)?;
        totals.reconcile()?;
        if let Some(rejected) = totals.rejected.take() {
            rejected.finish()?;
        }
        Ok(totals)
    }

    /// Convert every row and write the published and internal files into staging.
    fn run(
        &self,
        tables: Vec<SourceTable>,
        staging: &mut Staging,
    ) -> Result<(Totals, Vec<OutputEntry>)> {
        let mut formats = self.opts.formats.clone();
        formats.sort();
        formats.dedup();
        let mut targets = Vec::new();
        for format in formats {
            // the name depends on the months published, known at the end
            let rel = format!(".published.{}", format.extension());
            let path = staging.path(&rel)?;
            targets.push((format, rel, path));
        }
        let text_scanner = targets.iter().position(|(f, _, _)| f.is_spec_text());
        let rejected = staging.path(&self.mode.rejected_file)?;
        let mut totals = self.open_totals(&rejected, staging.dir())?;
        let mut writer_stopped = false;
        let (processed, written) = std::thread::scope(|s| {
            let mut senders = Vec::new();
            let mut handles = Vec::new();
            for (i, (format, _, path)) in targets.iter().enumerate() {
                let (tx, rx) = std::sync::mpsc::sync_channel::<DataFrame>(1);
                let guard = self.opts.formula_guard;
                let scan = text_scanner == Some(i);
                handles.push(s.spawn(move || write_stream(*format, path, rx, guard, scan)));
                senders.push(tx);
            }
            let processed = self.process(tables, &mut totals, |published| {
                for tx in &senders {
                    if tx.send(published.clone()).is_err() {
                        writer_stopped = true;
                        return Err(Error::Internal("a writer stopped".into()));
                    }
                }
                Ok(())
            });
            drop(senders);
            let written: Vec<Result<Written>> = handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(Error::Internal("a writer thread failed".into())))
                })
                .collect();
            (processed, written)
        });
        // a writer's own error explains a stopped writer; else the rows' error comes first
        let written = match (processed, written.into_iter().collect::<Result<Vec<_>>>()) {
            (Err(e), _) if !writer_stopped => return Err(e),
            (_, Err(e)) | (Err(e), _) => return Err(e),
            (Ok(()), Ok(written)) => written,
        };
        totals.reconcile()?;

        let stem = output_stem(totals.published_months, totals.all_months);
        let text_hits = text_scanner.and_then(|i| written[i].hits).unwrap_or(0);
        totals.guarded = written.first().map_or(0, |w| w.guarded);
        let mut outputs = Vec::new();
        for ((format, temporary, _), w) in targets.into_iter().zip(written) {
            let rel = format!("{stem}.{}", format.extension());
            let hits = w.hits.unwrap_or(text_hits);
            if hits > 0 {
                return Err(Error::Privacy(format!(
                    "{rel} would contain {hits} cells with a personal identity number"
                )));
            }
            staging.rename(&temporary, &rel)?;
            outputs.push(OutputEntry {
                path: rel,
                sha256: w.sha256,
                rows: totals.rows.published,
                published: true,
            });
        }
        self.opts.progress.stage("writing internal review files");
        outputs.extend(write_internal(staging, &mut totals)?);
        Ok((totals, outputs))
    }

    /// Cut the tables into batches and convert each, handing its published rows to `send`:
    /// first the rows read with the file's head, then the rest of the file, parsed one batch
    /// ahead on another thread. Rows with the wrong number of fields are converted in batches
    /// of their own; their lines come last in rejected.csv, after the table's other rows.
    fn process(
        &self,
        tables: Vec<SourceTable>,
        totals: &mut Totals,
        mut send: impl FnMut(DataFrame) -> Result<()>,
    ) -> Result<()> {
        let size = self.opts.batch_rows.max(1);
        for table in tables {
            let SourceTable {
                path,
                header,
                header_line,
                rows,
                mut broken,
                rest,
                ..
            } = table;
            let rules = self.file_rules(&path);
            let mut batcher = Batcher {
                batches: self,
                path,
                header,
                header_line,
                done: 0,
                rules,
                held: Vec::new(),
                spent: Vec::new(),
            };
            let head_rows = rows.len() as u64;
            let mut head = rows.into_iter();
            while head.len() > 0 {
                let chunk: Vec<RawRow> = head.by_ref().take(size).collect();
                for published in batcher.convert(chunk, Vec::new(), totals)? {
                    send(published)?;
                }
                // rows read with the head (or a whole small sheet) have no reader to go back to
                batcher.spent.clear();
                if rest.is_none() {
                    let done = head_rows - head.len() as u64;
                    self.opts.progress.done(done, head_rows);
                }
            }
            if let Some((mut stream, sorter)) = rest {
                let left_out = crate::read::parse_ahead_recycling(
                    &mut *stream,
                    size,
                    |rows| sort_rows(rows, &sorter),
                    |(data, more_broken, skipped), part, whole| {
                        broken.extend(more_broken);
                        if broken.len() >= size {
                            for published in batcher.convert_broken(take(&mut broken), totals)? {
                                send(published)?;
                            }
                        }
                        for (reason, n) in skipped {
                            *totals.skipped.entry(reason.to_string()).or_insert(0) += n;
                        }
                        if !data.is_empty() {
                            for published in batcher.convert(data, Vec::new(), totals)? {
                                send(published)?;
                            }
                        }
                        self.opts.progress.done(part, whole);
                        Ok(take(&mut batcher.spent))
                    },
                )?;
                // what the reader left out is known once it has read everything
                for (reason, n) in left_out {
                    *totals.skipped.entry(reason).or_insert(0) += n;
                }
            }
            if batcher.done == 0 && broken.is_empty() {
                return Err(no_data_rows(&batcher.path, header_line));
            }
            // batches waiting for a value that tells the file's decimal convention
            for published in batcher.release(None, totals)? {
                send(published)?;
            }
            if !broken.is_empty() {
                for published in batcher.convert_broken(broken, totals)? {
                    send(published)?;
                }
            }
            totals.release_held()?;
            totals.conventions.push(batcher.convention());
        }
        Ok(())
    }

    /// How one input's amounts and dates are read.
    fn file_rules(&self, path: &Path) -> FileRules {
        let read = &self.layout.read;
        let mark = self.opts.decimal_mark.unwrap_or(read.decimal_mark);
        let workbook = self.workbooks.contains(path);
        let amounts = AmountReader::new(mark, read.mixed_decimal_marks);
        FileRules {
            amounts: if workbook {
                amounts.for_workbook()
            } else {
                amounts
            },
            dates: DateRules {
                serials: read.serial_dates || workbook,
            },
            complete_rows: self.mode.complete_rows,
        }
    }

    /// Map one batch.
    fn map_batch(&self, tables: Vec<SourceTable>, totals: &mut Totals) -> Result<Mapped> {
        let (df, map_info) = map_tables(
            &tables,
            self.lookups,
            self.layout,
            &self.opts.overrides,
            self.register,
        )?;
        totals.map.merge(map_info);
        Ok(Mapped { df, tables })
    }

    /// Normalise and protect one mapped batch; returns its published rows.
    /// The batch's source rows go to `spent`, for the reader to fill again.
    fn finish_batch(
        &self,
        mapped: Mapped,
        rules: &mut FileRules,
        totals: &mut Totals,
        spent: &mut Vec<RawRow>,
    ) -> Result<DataFrame> {
        let Mapped { df, tables } = mapped;
        let (df, norm_info) = normalise(df, rules)?;
        totals.normalise.merge(&norm_info);
        // every reject reason is known now: keep the raw cells of rejected rows, free the rest
        let rejected_raw = raw_cells_of_rejected(&df, &tables)?;
        let path = tables.first().map(|t| t.path.clone()).unwrap_or_default();
        for table in tables {
            spent.extend(table.rows);
        }
        let (df, privacy) = protect(df, &self.opts.policy, &mut totals.decisions)?;
        totals.privacy.merge(privacy);
        let parts = split(&df)?;
        totals.add(&path, &df, &parts, &rejected_raw)?;
        Ok(parts.published)
    }
}

/// A mapped batch and the rows it was mapped from.
struct Mapped {
    df: DataFrame,
    tables: Vec<SourceTable>,
}

/// The batches of one table.
struct Batcher<'a> {
    batches: &'a Batches<'a>,
    path: PathBuf,
    header: Vec<String>,
    header_line: u64,
    /// Rows converted so far.
    done: usize,
    /// How the table's amounts and dates are read.
    rules: FileRules,
    /// Mapped batches waiting for a value that tells the file's decimal convention: they hold
    /// an ambiguous amount (`1,234`) and nothing before them says how to read it.
    held: Vec<Mapped>,
    /// The source rows of the batches converted, handed back to the reader to fill again.
    spent: Vec<RawRow>,
}

impl Batcher<'_> {
    /// Convert a batch of rows with the wrong number of fields (all rejected), their lines held
    /// until the table ends so that they come last in rejected.csv.
    fn convert_broken(
        &mut self,
        broken: Vec<BrokenRow>,
        totals: &mut Totals,
    ) -> Result<Vec<DataFrame>> {
        totals.holding = true;
        let converted = self.convert(Vec::new(), broken, totals);
        totals.holding = false;
        converted
    }

    /// Convert one batch of the table's rows; returns its published rows, with those of the
    /// batches held before it, or nothing while it is held itself.
    fn convert(
        &mut self,
        rows: Vec<RawRow>,
        broken: Vec<BrokenRow>,
        totals: &mut Totals,
    ) -> Result<Vec<DataFrame>> {
        self.batches.opts.progress.check()?;
        let count = rows.len() + broken.len();
        self.batches.opts.progress.stage(&format!(
            "converting {}: rows {}-{}",
            file_name(&self.path),
            self.done + 1,
            self.done + count
        ));
        self.done += count;
        let batch = SourceTable {
            path: self.path.clone(),
            header: self.header.clone(),
            header_line: self.header_line,
            rows,
            broken,
            skipped: BTreeMap::new(),
            rest: None,
        };
        let mapped = self.batches.map_batch(vec![batch], totals)?;
        let amounts = normalise::amount_texts(&mapped.df)?;
        let reader = &self.rules.amounts;
        if reader.learns() && reader.convention() == FileConvention::Unknown {
            // one pass over the batch's amounts: the first telling one, and any ambiguous one
            let (first, ambiguous) = reader.survey(amounts.iter().flatten());
            if let Some(mark) = first {
                let mut published = self.release(Some(mark), totals)?;
                // ambiguous values before it in this batch are read by it too
                self.rules.amounts.expect(Some(mark));
                published.push(self.finish(mapped, totals)?);
                return Ok(published);
            }
            if !self.held.is_empty() || ambiguous {
                self.held.push(mapped);
                return Ok(Vec::new());
            }
        }
        Ok(vec![self.finish(mapped, totals)?])
    }

    /// Normalise, protect and split a mapped batch by the table's rules; its source rows go to
    /// `spent`.
    fn finish(&mut self, mapped: Mapped, totals: &mut Totals) -> Result<DataFrame> {
        self.batches
            .finish_batch(mapped, &mut self.rules, totals, &mut self.spent)
    }

    /// Convert the held batches, in order, their ambiguous amounts read by `mark` (the first
    /// telling value after them) or rejected when there is none.
    fn release(&mut self, mark: Option<Mark>, totals: &mut Totals) -> Result<Vec<DataFrame>> {
        let mut published = Vec::with_capacity(self.held.len());
        for mapped in std::mem::take(&mut self.held) {
            self.rules.amounts.expect(mark);
            published.push(self.finish(mapped, totals)?);
        }
        Ok(published)
    }

    /// How the table's amounts were read, for the report.
    fn convention(&self) -> AmountConvention {
        let reader = &self.rules.amounts;
        let (comma, point) = reader.told();
        let declared = |mark: &str| {
            let by = if self.batches.opts.decimal_mark.is_some() {
                "--decimal-mark".to_string()
            } else {
                format!("layout {}", self.batches.layout.name)
            };
            (mark.to_string(), format!("declared by {by}"))
        };
        let (decimal_mark, basis) = match reader.mark() {
            DecimalMark::Comma => declared("comma"),
            DecimalMark::Point => declared("point"),
            DecimalMark::Auto => {
                let mark = match reader.convention() {
                    FileConvention::Unknown => "unknown",
                    FileConvention::Only(Mark::Comma) => "comma",
                    FileConvention::Only(Mark::Point) => "point",
                    FileConvention::Conflicting => "both",
                };
                let mut basis = match reader.convention() {
                    FileConvention::Unknown => {
                        "auto: no text value shows a decimal mark (ambiguous values are rejected)"
                            .to_string()
                    }
                    _ => format!(
                        "auto: learnt from the file's values ({comma} show a decimal comma, {point} a decimal point)"
                    ),
                };
                if reader.numbers_read() > 0 {
                    basis.push_str(&format!(
                        "; {} workbook number cells read as numbers",
                        reader.numbers_read()
                    ));
                }
                (mark.to_string(), basis)
            }
        };
        let learnt = reader.mark() == DecimalMark::Auto;
        AmountConvention {
            file: file_name(&self.path),
            decimal_mark,
            basis,
            values_with_decimal_comma: if learnt { comma } else { 0 },
            values_with_decimal_point: if learnt { point } else { 0 },
            ambiguous_read: reader.read_by_convention(),
        }
    }
}

/// Sort parsed rows into data rows, broken rows and skipped lines (counted by reason).
fn sort_rows(rows: Vec<RawRow>, sorter: &RowSorter) -> SortedRows {
    let mut data = Vec::with_capacity(rows.len());
    let mut broken = Vec::new();
    let mut skipped: BTreeMap<&'static str, u64> = BTreeMap::new();
    for row in rows {
        match sorter.sort(row) {
            Sorted::Data(row) => data.push(row),
            Sorted::Broken(b) => broken.push(b),
            Sorted::Skipped(reason) => *skipped.entry(reason).or_insert(0) += 1,
        }
    }
    (data, broken, skipped)
}

/// Data rows, broken rows and skipped lines by reason.
type SortedRows = (Vec<RawRow>, Vec<BrokenRow>, BTreeMap<&'static str, u64>);

/// The internal file of rejected rows.
const REJECTED_CSV: &str = "internal/rejected.csv";

/// Write the internal files (README, review.csv) into staging and finish rejected.csv.
fn write_internal(staging: &mut Staging, totals: &mut Totals) -> Result<Vec<OutputEntry>> {
    let review = totals.review.csv();
    let review_rows = totals.review.len();
    let internal = [
        ("internal/README.txt", INTERNAL_README.to_string(), 0),
        ("internal/review.csv", review, review_rows),
        (
            RemovedIds::FILE,
            totals.removed_ids.csv(),
            totals.removed_ids.0.len(),
        ),
    ];
    let mut outputs = Vec::new();
    for (rel, text, rows) in internal {
        let path = staging.path(rel)?;
        write::write_file(&path, |f| std::io::Write::write_all(f, text.as_bytes()))?;
        outputs.push(OutputEntry {
            path: rel.to_string(),
            sha256: sha256_hex(text.as_bytes()),
            rows: rows as u64,
            published: false,
        });
    }
    let rejected = totals
        .rejected
        .take()
        .ok_or_else(|| Error::Internal("rejected.csv was never opened".into()))?;
    outputs.push(OutputEntry {
        path: REJECTED_CSV.to_string(),
        sha256: rejected.finish()?,
        rows: totals.rows.rejected,
        published: false,
    });
    Ok(outputs)
}

/// Cells of the published texts that hold a personal identity number.
fn table_hits(table: &SpecTable<'_>) -> u64 {
    table
        .columns
        .iter()
        .flat_map(SpecColumn::iter)
        .filter(|cell| crate::ident::contains_personal_number(cell))
        .count() as u64
}

/// The CSV line of the internal files' fields (quoted as the published CSV is).
fn csv_line(fields: &[&str]) -> String {
    let mut line = String::new();
    write::csv_line(&mut line, fields);
    line
}

/// `internal/review.csv`: each distinct masked or withheld supplier with its raw name and id,
/// the reason, the rows and the sum, added up batch by batch.
#[derive(Default)]
struct ReviewGroups(BTreeMap<(String, String, String, String), (u64, i128)>);

impl ReviewGroups {
    /// Count the masked and withheld rows of a batch (rejected rows are in rejected.csv).
    fn add(&mut self, df: &DataFrame) -> Result<()> {
        let rejected = df.rejected()?;
        let reasons = df.texts(Col::Privacy)?;
        let names = df.texts(Col::RawName)?;
        let ids = df.texts(Col::RawId)?;
        let actions = df.actions()?;
        let cents = normalise::cents(df)?;
        for (i, amount) in cents.iter().enumerate() {
            let Some(reason) = reasons.get(i).filter(|_| !rejected.get(i).unwrap_or(false)) else {
                continue;
            };
            let action = if actions.get(i) == Some(Action::Withhold) {
                "withheld"
            } else {
                "masked"
            };
            let key = (
                reason.to_string(),
                action.to_string(),
                names.get(i).unwrap_or("").to_string(),
                ids.get(i).unwrap_or("").to_string(),
            );
            let entry = self.0.entry(key).or_insert((0, 0));
            entry.0 += 1;
            entry.1 += amount.unwrap_or(0);
        }
        Ok(())
    }

    /// The number of groups (rows of review.csv).
    fn len(&self) -> usize {
        self.0.len()
    }

    /// The file's text.
    fn csv(&self) -> String {
        let mut out = csv_line(&[
            "reason",
            "action",
            "leverantor_raw",
            "leverantor_id_raw",
            "rows",
            "belopp",
        ]);
        for ((reason, action, name, id), (rows, sum)) in &self.0 {
            out.push_str(&csv_line(&[
                reason,
                action,
                name,
                id,
                &rows.to_string(),
                &crate::amount::ore_text(*sum),
            ]));
        }
        out
    }
}

/// Published suppliers whose id could not be published (an internal supplier number, a number
/// with a wrong check digit, text) and was left empty: counted for the report and listed in
/// `internal/supplier-numbers.csv` for the publisher, who may want to add the organisation
/// numbers (a supplier register, `--suppliers`).
#[derive(Debug, Default)]
pub(crate) struct RemovedIds(BTreeMap<(&'static str, String, String), (u64, i128)>);

impl RemovedIds {
    /// The file in `internal/`.
    const FILE: &'static str = "internal/supplier-numbers.csv";

    /// Count a batch's published rows whose supplier is published by name with its id left
    /// empty although the source had one.
    fn add(&mut self, published: &DataFrame) -> Result<()> {
        let reasons = published.texts(Col::Privacy)?;
        let ids = published.texts(Col::LeverantorId)?;
        let raw_ids = published.texts(Col::RawId)?;
        let names = published.texts(Col::Leverantor)?;
        let cents = normalise::cents(published)?;
        let mut last: Option<(&str, Option<&'static str>)> = None;
        for (i, amount) in cents.iter().enumerate() {
            if reasons.get(i).is_some() || ids.get(i).is_some_and(|id| !id.is_empty()) {
                continue;
            }
            let Some(raw) = raw_ids.get(i).map(str::trim).filter(|s| !s.is_empty()) else {
                continue;
            };
            let kind = match last {
                Some((seen, kind)) if seen == raw => kind,
                _ => {
                    let kind = match crate::ident::classify_id(raw) {
                        k @ (crate::ident::IdKind::Internal
                        | crate::ident::IdKind::InvalidNumber
                        | crate::ident::IdKind::Text) => Some(k.label()),
                        _ => None,
                    };
                    last = Some((raw, kind));
                    kind
                }
            };
            let Some(kind) = kind else {
                continue;
            };
            let name = names.get(i).unwrap_or("").to_string();
            let entry = self
                .0
                .entry((kind, name, raw.to_string()))
                .or_insert((0, 0));
            entry.0 += 1;
            entry.1 += amount.unwrap_or(0);
        }
        Ok(())
    }

    /// Rows and distinct suppliers per kind of id, for the report.
    fn counts(&self) -> BTreeMap<String, crate::protect::ReasonCount> {
        let mut counts: BTreeMap<String, crate::protect::ReasonCount> = BTreeMap::new();
        for ((kind, _, _), (rows, _)) in &self.0 {
            let c = counts.entry(kind.to_string()).or_default();
            c.rows += rows;
            c.suppliers += 1;
        }
        counts
    }

    /// The publisher's warning, when any id was left empty.
    fn warning(&self) -> Option<String> {
        let rows: u64 = self.0.values().map(|(rows, _)| rows).sum();
        (rows > 0).then(|| {
            format!(
                "{rows} rows of {} suppliers published by name had an id that is no organisation number \
                 (an internal supplier number, a wrong check digit or text), left empty: see {}",
                self.0.len(),
                Self::FILE
            )
        })
    }

    /// The internal file's text.
    fn csv(&self) -> String {
        let mut out = csv_line(&["kind", "leverantor", "leverantor_id_raw", "rows", "belopp"]);
        for ((kind, name, id), (rows, sum)) in &self.0 {
            out.push_str(&csv_line(&[
                kind,
                name,
                id,
                &rows.to_string(),
                &crate::amount::ore_text(*sum),
            ]));
        }
        out
    }
}

/// The raw cells of rejected rows, by (file name, line).
type RawCells = std::collections::HashMap<(String, u64), String>;

/// Collect the raw cells of the rows that are rejected, so that the source tables can be freed.
fn raw_cells_of_rejected(df: &DataFrame, tables: &[SourceTable]) -> Result<RawCells> {
    let reasons = df.reject_texts()?;
    let files = df.files()?;
    let rows = df.rows()?;
    let wanted: std::collections::HashSet<(&str, u64)> = (0..df.height())
        .filter(|i| reasons.get(*i).is_some())
        .map(|i| (files.get(i).unwrap_or(""), rows.get(i).unwrap_or(0)))
        .collect();
    let mut out = RawCells::new();
    if wanted.is_empty() {
        return Ok(out);
    }
    for t in tables {
        let name = file_name(&t.path);
        for r in t.rows.iter().chain(t.broken.iter().map(|b| &b.row)) {
            if wanted.contains(&(name.as_str(), r.line)) {
                out.insert((name.clone(), r.line), crate::map::raw_line(&r.cells));
            }
        }
    }
    Ok(out)
}

/// The header of `internal/rejected.csv`.
fn rejected_header() -> String {
    csv_line(&["source_file", "source_row", "reason", "raw_values"])
}

/// The lines of `internal/rejected.csv` for a batch's rejected rows: source, reason and raw
/// cells.
fn rejected_rows(df: &DataFrame, raw: &RawCells) -> Result<String> {
    let files = df.files()?;
    let rows = df.rows()?;
    let reasons = df.reject_texts()?;
    let mut out = String::new();
    for i in 0..df.height() {
        let file = files.get(i).unwrap_or("");
        let row = rows.get(i).unwrap_or(0);
        let raw_values = raw.get(&(file.to_string(), row)).map_or("", String::as_str);
        out.push_str(&csv_line(&[
            file,
            &row.to_string(),
            reasons.get(i).unwrap_or(""),
            raw_values,
        ]));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn city_options(out: &std::path::Path) -> ConvertOptions {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut opts = ConvertOptions::new(
            vec![root.join("samples/city-csv/leverantorsfakturor-202405.csv")],
            out.to_path_buf(),
        );
        opts.use_policy(&root.join("samples/policy.toml")).unwrap();
        opts
    }

    #[test]
    fn a_cancelled_run_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let mut opts = city_options(&out);
        opts.progress = Progress::new(|_| {});
        opts.progress.cancel();
        let planned = plan(&opts).unwrap();
        let err = run(planned, &opts).unwrap_err();
        assert!(matches!(err, Error::Cancelled), "{err}");
        let left: Vec<_> = std::fs::read_dir(&out)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(
            left.iter()
                .all(|n| n.to_string_lossy().starts_with(".reskontra")),
            "{left:?}"
        );
    }
}
