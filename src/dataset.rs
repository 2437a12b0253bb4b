//! `reskontra dataset build`: one buyer's monthly files into the calendar-year dataset — a spec
//! CSV for the year and one per month, Hive-partitioned Parquet
//! (`kopare_id=<id>/ar=<YYYY>/manad=<MM>/`), a Frictionless `datapackage.json` and a report —
//! and, given the publication address, the publisher's DCAT catalogue of every year beside it
//! ([`crate::dcat`]).

use crate::amount::ore_text;
use crate::amount::{parse_amount, DecimalMark};
use crate::date::Period;
use crate::error::{Error, Result};
use crate::normalise::days_since_epoch;
use crate::progress::Progress;
use crate::read::file_name;
use crate::spec::{self, COLUMNS};
use crate::validate::validate_csv_file_with;
use crate::write::{self, Format, SpecColumn, SpecTable, Staging};
use polars::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// CC0 1.0, the default licence.
pub const CC0: &str = "http://creativecommons.org/publicdomain/zero/1.0/";

/// What `dataset build` needs.
#[derive(Debug, Clone)]
pub struct DatasetOptions {
    /// Files or folders of monthly spec CSV files.
    pub inputs: Vec<PathBuf>,
    /// The calendar year.
    pub year: i32,
    /// Output folder.
    pub out: PathBuf,
    /// Let a month delivered by several inputs be taken from one of them, chosen by the rule
    /// of [`crate::republish`] (else it is an error).
    pub replace_months: bool,
    /// Inputs whose months win over the other inputs' (the rule's first level); among these,
    /// the one named last wins.
    pub prefer: Vec<PathBuf>,
    /// Licence URI.
    pub licence: String,
    /// The address of the publication folder (the parent of `out`): with it the DCAT
    /// catalogue of every year in that folder is written there; without, none.
    pub base_url: Option<String>,
    /// The e-mail address for questions about the data (the catalogue's contact point).
    pub contact_email: Option<String>,
    /// The publisher's type in the catalogue; none: from the buyer's name.
    pub publisher_kind: Option<crate::dcat::PublisherKind>,
    /// The date of this build (`YYYY-MM-DD`, the dataset's modified date; the first build's
    /// date stays its issued date); none: today.
    pub date: Option<String>,
    /// The dataset's issued date; none: the one the output folder's report records, else
    /// `date`.
    pub issued: Option<String>,
    /// Write the catalogue beside the year's folder when a base address is given (`verify`
    /// builds again without).
    pub catalogue: bool,
    /// Told which input is read and how much of it (for a progress display).
    pub progress: Progress,
    /// Replace the outputs of another run that the output folder holds (`--replace`).
    pub replace: bool,
    /// What to write besides the year's CSV (which is always written): the Parquet partitions,
    /// an Excel copy of the year (`leverantorsreskontra-YYYY.xlsx`). See [`check_formats`].
    pub formats: Vec<Format>,
}

impl DatasetOptions {
    /// The options of a build of `year` from `inputs` into `out`, the rest as the command's
    /// defaults (CC0, CSV and Parquet, no catalogue address, today's date).
    pub fn new(inputs: Vec<PathBuf>, year: i32, out: PathBuf) -> DatasetOptions {
        DatasetOptions {
            inputs,
            year,
            out,
            replace_months: false,
            prefer: Vec::new(),
            licence: CC0.into(),
            base_url: None,
            contact_email: None,
            publisher_kind: None,
            date: None,
            issued: None,
            catalogue: true,
            progress: Progress::default(),
            replace: false,
            formats: DEFAULT_FORMATS.to_vec(),
        }
    }
}

/// The formats a year dataset is written in when none are given.
pub const DEFAULT_FORMATS: [Format; 2] = [Format::Csv, Format::Parquet];

/// Check the formats of a year dataset: `csv` (the year's CSV, the dataset's baseline and its
/// datapackage resource) must be among them; `parquet` and `xlsx` may be; `json` is not written
/// for a year.
pub fn check_formats(formats: &[Format]) -> Result<()> {
    if !formats.contains(&Format::Csv) {
        return Err(Error::Usage(
            "dataset build --formats must include csv (the year's CSV is the dataset's baseline)"
                .into(),
        ));
    }
    if formats.contains(&Format::Json) {
        return Err(Error::Usage(
            "dataset build writes csv, parquet and xlsx, not json".into(),
        ));
    }
    Ok(())
}

/// One month of the dataset.
#[derive(Debug, Clone, Serialize)]
pub struct MonthSummary {
    /// Rows.
    pub rows: u64,
    /// Sum of `belopp`.
    pub amount: String,
    /// The input the month comes from (its file name).
    pub source: String,
    /// That input's path, as [`DatasetReport::inputs`] lists it.
    pub path: String,
    /// Why that input, when several delivered the month (the rule's level).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ground: Option<crate::republish::Ground>,
}

/// The options a dataset was built with besides the year, recorded so that
/// [`crate::verify`] can build it again.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetRunOptions {
    /// Whether a month delivered by several inputs was taken from one of them.
    pub replace_months: bool,
    /// The preferred inputs (`--prefer`), as the inputs list them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prefer: Vec<String>,
    /// The formats written (`csv`, `parquet`, `xlsx`).
    pub formats: Vec<Format>,
    /// Licence URI.
    pub licence: String,
    /// Where the files were to be published.
    pub base_url: Option<String>,
    /// The catalogue's contact e-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
    /// The publisher's type given (`kommun`, `region`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher_type: Option<String>,
}

/// An input of the dataset.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetInput {
    /// Path relative to the output folder (forward slashes).
    pub path: String,
    /// SHA-256.
    pub sha256: String,
}

/// An output of the dataset.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetOutput {
    /// Path relative to the output folder.
    pub path: String,
    /// SHA-256.
    pub sha256: String,
    /// SHA-1 (the checksum the DCAT catalogue gives, kept so that a later year's build does
    /// not read this year's files again).
    pub sha1: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Rows.
    pub rows: u64,
}

/// The dataset report.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetReport {
    /// `reskontra`.
    pub tool: String,
    /// The tool's version.
    pub version: String,
    /// The buyer's organisation number.
    pub kopare_id: String,
    /// The buyer's name.
    pub kopare: String,
    /// The year.
    pub year: i32,
    /// The other options of the build.
    pub options: DatasetRunOptions,
    /// Inputs, in the order read.
    pub inputs: Vec<DatasetInput>,
    /// Per month `MM`.
    pub months: BTreeMap<String, MonthSummary>,
    /// Months delivered more than once, with the inputs in the order given (`months` names the
    /// one used and why).
    pub replaced_months: BTreeMap<String, Vec<String>>,
    /// Rows in the inputs dated in another year (left out).
    pub rows_outside_year: u64,
    /// Total rows.
    pub rows: u64,
    /// Total amount.
    pub amount: String,
    /// Outputs.
    pub outputs: Vec<DatasetOutput>,
    /// When the dataset was first built (issued) and built this time (modified).
    pub dates: crate::dcat::Dates,
    /// The catalogue written beside the year's folder (not part of report.json).
    #[serde(skip)]
    pub catalogue: Option<crate::dcat::Written>,
}

impl DatasetReport {
    /// A short summary.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "dataset {} {} ({}): {} rows, {} SEK in {} months\n",
            self.kopare,
            self.year,
            self.kopare_id,
            self.rows,
            self.amount,
            self.months.len()
        );
        for (m, sources) in &self.replaced_months {
            let used = self.months.get(m);
            s.push_str(&format!(
                "month {m} delivered {} times; used {} ({})\n",
                sources.len(),
                used.map_or("", |u| u.source.as_str()),
                used.and_then(|u| u.ground)
                    .map_or("", crate::republish::Ground::describe)
            ));
        }
        if self.rows_outside_year > 0 {
            s.push_str(&format!(
                "warning: {} rows dated outside {} were left out\n",
                self.rows_outside_year, self.year
            ));
        }
        for o in &self.outputs {
            s.push_str(&format!("wrote {} ({} rows)\n", o.path, o.rows));
        }
        match &self.catalogue {
            Some(c) => {
                let years: Vec<String> = c.years.iter().map(i32::to_string).collect();
                s.push_str(&format!(
                    "wrote the DCAT catalogue {} (and {}) of the years {}\n",
                    c.rdf_xml.display(),
                    file_name(&c.turtle),
                    years.join(", ")
                ));
                for left in &c.left_out {
                    s.push_str(&format!("left out of the catalogue: {left}\n"));
                }
            }
            None => s.push_str(
                "no DCAT catalogue written: give --base-url with the address the folder above \
                 the year's folder will have (the publication folder), and --contact-email\n",
            ),
        }
        s
    }
}

/// The spec CSV files among the inputs: files as given, and the published CSV files in folders
/// and the folders below them, in name order (`internal/` and hidden folders left out).
fn collect_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let files = crate::validate::published_files(inputs, &["csv"])?;
    if files.is_empty() {
        return Err(Error::Usage("no CSV files among the inputs".into()));
    }
    Ok(files)
}

/// An input file: what its rows dated in the year add up to, by month. The rows themselves are
/// sorted into [`MonthFiles`] as the input is read, so each input is read once and a year is
/// never held whole.
struct MonthlyFile {
    path: PathBuf,
    sha256: String,
    months: BTreeMap<u32, MonthStats>,
}

impl MonthlyFile {
    /// The file name, for messages and the report's month sources.
    fn name(&self) -> String {
        file_name(&self.path)
    }
}

/// One month of an input.
#[derive(Default)]
struct MonthStats {
    rows: u64,
    cents: i128,
    /// The buyers met (`kopare_id`, with the `kopare` of its first row), in the order met.
    buyers: Vec<(String, String)>,
    /// Where the month's rows lie in the month's scratch file.
    bytes: std::ops::Range<u64>,
}

/// The CSV lines of the year's rows, one unnamed scratch file per month in the staging folder.
/// Inputs are read one after another, so the lines an input has for a month lie together in
/// that month's file.
struct MonthFiles {
    files: BTreeMap<u32, (std::io::BufWriter<std::fs::File>, u64)>,
}

impl MonthFiles {
    /// Append a line to a month's file; returns where it starts.
    fn append(&mut self, staging: &Staging, month: u32, line: &[u8]) -> Result<u64> {
        use std::io::Write;
        let (file, len) = match self.files.entry(month) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert((std::io::BufWriter::new(staging.scratch_file()?), 0))
            }
        };
        let start = *len;
        file.write_all(line).map_err(scratch_error)?;
        *len += line.len() as u64;
        Ok(start)
    }

    /// How many bytes a month's file holds.
    fn len(&self, month: u32) -> u64 {
        self.files.get(&month).map_or(0, |(_, len)| *len)
    }

    /// The bytes of a month's file in `range`.
    fn read(&mut self, month: u32, range: &std::ops::Range<u64>) -> Result<Vec<u8>> {
        use std::io::{Read, Seek, SeekFrom, Write};
        let Some((writer, _)) = self.files.get_mut(&month) else {
            return Err(Error::Internal(format!(
                "no scratch file for month {month}"
            )));
        };
        let mut bytes = vec![0; (range.end - range.start) as usize];
        writer.flush().map_err(scratch_error)?;
        let file = writer.get_mut();
        file.seek(SeekFrom::Start(range.start))
            .and_then(|_| file.read_exact(&mut bytes))
            .and_then(|_| file.seek(SeekFrom::End(0)))
            .map_err(scratch_error)?;
        Ok(bytes)
    }
}

fn scratch_error(e: std::io::Error) -> Error {
    Error::Internal(format!("a scratch file in the output folder failed: {e}"))
}

/// Validate an input and, in the same read, add up its rows dated in `year` by month and
/// append their lines to the month files; rows of other years are counted in `outside`.
fn read_input(
    staging: &Staging,
    path: &Path,
    year: i32,
    outside: &mut u64,
    month_files: &mut MonthFiles,
    progress: &Progress,
) -> Result<MonthlyFile> {
    progress.stage(&format!("validating {}", file_name(path)));
    let mut months: BTreeMap<u32, MonthStats> = BTreeMap::new();
    let mut line = String::new();
    let (report, sha256) = validate_csv_file_with(path, progress, &mut |row| {
        let cells = &row.cells;
        let datum = cells.get(8).unwrap_or("");
        let Some(p) = Period::parse(datum.get(..7).unwrap_or("")) else {
            return Ok(()); // an invalid date: validation rejects the file
        };
        if p.year != year {
            *outside += 1;
            return Ok(());
        }
        let stats = months.entry(p.month).or_default();
        stats.rows += 1;
        stats.cents += cents(cells.get(7).unwrap_or_default());
        let id = cells.get(0).unwrap_or_default();
        if !stats.buyers.iter().any(|(known, _)| known == id) {
            let name = cells.get(1).unwrap_or_default();
            stats.buyers.push((id.to_string(), name.to_string()));
        }
        let texts: Vec<&str> = cells.iter().collect();
        write::csv_line(&mut line, &texts);
        let start = month_files.append(staging, p.month, line.as_bytes())?;
        if stats.rows == 1 {
            stats.bytes.start = start;
        }
        Ok(())
    })?;
    if report.status != "valid" {
        let checks: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.severity == crate::validate::Severity::Error)
            .map(|f| f.check.clone())
            .collect();
        return Err(Error::input(
            path,
            format!(
                "not a valid spec 1.1 file ({}): run reskontra validate on it",
                checks.join(", ")
            ),
        ));
    }
    for (month, stats) in &mut months {
        stats.bytes.end = month_files.len(*month);
    }
    Ok(MonthlyFile {
        path: path.to_path_buf(),
        sha256,
        months,
    })
}

/// The rows of one month of an input, parsed back from the lines in its month file.
fn parse_month(path: &Path, lines: &[u8]) -> Result<Vec<csv::StringRecord>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(lines)
        .records()
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| Error::input(path, format!("a month's lines do not read back: {e}")))
}

fn cents(belopp: &str) -> i128 {
    parse_amount(belopp, DecimalMark::Point)
        .map(|a| crate::amount::to_ore(a.value))
        .unwrap_or(0)
}

/// The Parquet frame of one month: every spec column but `kopare_id` (a partition key).
fn month_frame(rows: &[csv::StringRecord]) -> Result<DataFrame> {
    let mut columns = Vec::new();
    for (i, name) in COLUMNS.iter().enumerate() {
        if *name == "kopare_id" {
            continue;
        }
        let values: Vec<&str> = rows.iter().map(|r| r.get(i).unwrap_or("")).collect();
        let column = match *name {
            "belopp" => {
                let c: Vec<Option<i128>> = values.iter().map(|v| Some(cents(v))).collect();
                crate::normalise::amount_column("belopp".into(), &c)?
            }
            "datum" => {
                let d: Vec<Option<i32>> = values
                    .iter()
                    .map(|v| {
                        crate::date::parse_date(v)
                            .ok()
                            .map(|p| days_since_epoch(p.date))
                    })
                    .collect();
                crate::normalise::date_column("datum".into(), &d)
            }
            _ => {
                let owned: Vec<String> = values.iter().map(|s| s.to_string()).collect();
                Column::new((*name).into(), &owned)
            }
        };
        columns.push(column);
    }
    Ok(DataFrame::new(rows.len(), columns)?)
}

/// The Frictionless Table Schema field of a spec column.
fn schema_field(name: &str) -> serde_json::Value {
    let required = spec::is_mandatory(name) && name != "leverantor_id";
    let (kind, pattern): (&str, Option<&str>) = match name {
        "kopare_id" => ("string", Some("^[0-9]{10}$")),
        "leverantor_id" => ("string", Some("^([0-9]{10}|[A-Z]{2}[0-9A-Z]+)?$")),
        "konto_nr" => ("string", Some("^[0-9]+$")),
        "belopp" => ("number", None),
        "datum" => ("date", None),
        "kommun_id" => ("string", Some("^([0-9]{4})?$")),
        _ => ("string", None),
    };
    let mut constraints = serde_json::Map::new();
    constraints.insert("required".into(), required.into());
    if let Some(p) = pattern {
        constraints.insert("pattern".into(), p.into());
    }
    let mut field = serde_json::json!({ "name": name, "type": kind, "constraints": constraints });
    if name == "belopp" {
        field["decimalChar"] = ".".into();
        field["groupChar"] = "".into();
    }
    if name == "datum" {
        field["format"] = "default".into();
    }
    field
}

fn datapackage(report: &DatasetReport, csv: &DatasetOutput, licence: &str) -> String {
    let value = serde_json::json!({
        "profile": "tabular-data-package",
        "name": format!("leverantorsreskontra-{}-{}", report.kopare_id, report.year),
        "title": format!("Leverantörsreskontra {} {}", report.kopare, report.year),
        "licenses": [{ "path": licence }],
        "sources": [{ "title": "Specifikation för leverantörsreskontra 1.1", "path": spec::SPEC_URL }],
        "resources": [{
            "name": format!("leverantorsreskontra-{}", report.year),
            "path": csv.path,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": csv.bytes,
            "hash": format!("sha256:{}", csv.sha256),
            "dialect": { "delimiter": ",", "header": true, "lineTerminator": "\n", "quoteChar": "\"", "doubleQuote": true },
            "schema": {
                "fields": COLUMNS.iter().map(|c| schema_field(c)).collect::<Vec<_>>(),
                "missingValues": [""],
            },
        }],
    });
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

fn output_entry(staged: &Path, rel: &str, rows: u64) -> Result<DatasetOutput> {
    let (sha256, sha1, bytes) =
        crate::read::sha256_and_sha1_file(staged).map_err(|e| Error::io(staged, e))?;
    Ok(DatasetOutput {
        path: rel.to_string(),
        sha256,
        sha1,
        bytes,
        rows,
    })
}

/// The spec texts of a month's rows, for the Excel copy.
fn month_table(rows: &[csv::StringRecord]) -> SpecTable<'_> {
    let columns = (0..COLUMNS.len())
        .map(|i| {
            SpecColumn::Texts(
                rows.iter()
                    .map(|r| std::borrow::Cow::Borrowed(r.get(i).unwrap_or("")))
                    .collect(),
            )
        })
        .collect();
    SpecTable {
        columns,
        changed: vec![false; COLUMNS.len()],
    }
}

/// Read a written workbook back and fail if a cell holds a personal identity number (the
/// inputs were validated; this is the same independent scan as `convert` runs).
fn scan_workbook(path: &Path, rel: &str) -> Result<()> {
    let hits = crate::scan::personal_number_hits(path)?;
    if hits > 0 {
        return Err(Error::Privacy(format!(
            "{rel} would contain {hits} cells with a personal identity number"
        )));
    }
    Ok(())
}

/// Write the year's CSV, its Excel copy and the month partitions (as `opts.formats` asks) into
/// staging, a month at a time: each month's lines, from the input it comes from, are appended
/// to the CSV and the workbook and written as Parquet.
fn write_year(
    staging: &mut Staging,
    opts: &DatasetOptions,
    kopare_id: &str,
    owner: &MonthOwners,
    monthly: &[MonthlyFile],
    month_files: &mut MonthFiles,
) -> Result<Vec<DatasetOutput>> {
    use std::io::Write;
    let csv_rel = format!("leverantorsreskontra-{}.csv", opts.year);
    let csv_path = staging.path(&csv_rel)?;
    let file = std::fs::File::create(&csv_path).map_err(|e| Error::io(&csv_path, e))?;
    let mut csv = std::io::BufWriter::new(file);
    let csv_error = |e| Error::io(&csv_path, e);
    csv.write_all(spec::HEADER.as_bytes())
        .and_then(|_| csv.write_all(b"\n"))
        .map_err(csv_error)?;
    let xlsx_rel = format!("leverantorsreskontra-{}.xlsx", opts.year);
    let mut xlsx = None;
    if opts.formats.contains(&Format::Xlsx) {
        let path = staging.path(&xlsx_rel)?;
        xlsx = Some((crate::xlsx::XlsxSink::create(&path)?, path));
    }
    let with_parquet = opts.formats.contains(&Format::Parquet);
    let mut parquet = Vec::new();
    let mut month_csvs = Vec::new();
    let mut rows_written = 0u64;
    for (month, (i, _)) in owner {
        opts.progress
            .stage(&format!("writing {}-{month:02}", opts.year));
        let lines = month_files.read(*month, &monthly[*i].months[month].bytes)?;
        csv.write_all(&lines).map_err(csv_error)?;
        let rows = parse_month(&csv_path, &lines)?;
        rows_written += rows.len() as u64;
        month_csvs.push(write_month_csv(
            staging,
            opts.year,
            *month,
            &lines,
            rows.len(),
        )?);
        if let Some((sink, _)) = xlsx.as_mut() {
            sink.write(&month_table(&rows))?;
        }
        if !with_parquet {
            continue;
        }
        let rel = format!(
            "parquet/kopare_id={kopare_id}/ar={}/manad={month:02}/data.parquet",
            opts.year
        );
        let path = staging.path(&rel)?;
        let mut frame = month_frame(&rows)?;
        write::write_parquet(&path, &mut frame)?;
        parquet.push(output_entry(&path, &rel, rows.len() as u64)?);
    }
    let file = csv
        .into_inner()
        .map_err(|e| Error::io(&csv_path, e.into_error()))?;
    file.sync_all().map_err(csv_error)?;
    let mut outputs = vec![output_entry(&csv_path, &csv_rel, rows_written)?];
    if let Some((sink, path)) = xlsx {
        sink.finish()?;
        scan_workbook(&path, &xlsx_rel)?;
        outputs.push(output_entry(&path, &xlsx_rel, rows_written)?);
    }
    outputs.extend(month_csvs);
    outputs.extend(parquet);
    Ok(outputs)
}

/// Write a month's own CSV (`leverantorsreskontra-YYYY-MM.csv`: the header and the month's
/// lines as they are in the year's CSV), the file a publisher links month by month.
fn write_month_csv(
    staging: &mut Staging,
    year: i32,
    month: u32,
    lines: &[u8],
    rows: usize,
) -> Result<DatasetOutput> {
    let rel = format!("leverantorsreskontra-{year}-{month:02}.csv");
    let path = staging.path(&rel)?;
    write::write_file(&path, |f| {
        std::io::Write::write_all(f, spec::HEADER.as_bytes())?;
        std::io::Write::write_all(f, b"\n")?;
        std::io::Write::write_all(f, lines)
    })?;
    output_entry(&path, &rel, rows as u64)
}

/// Build the dataset: nothing is left in the output folder unless every step succeeds.
pub fn build(opts: &DatasetOptions) -> Result<DatasetReport> {
    check_formats(&opts.formats)?;
    let catalogue = catalogue_options(opts)?.filter(|_| opts.catalogue);
    let today = match &opts.date {
        Some(date) => check_date(date)?,
        None => today(),
    };
    let files = collect_files(&opts.inputs)?;
    let issued = match &opts.issued {
        Some(issued) => Some(check_date(issued)?),
        None => prior_issued(&opts.out, opts.year),
    };
    let dates = crate::dcat::Dates {
        issued: issued.unwrap_or_else(|| today.clone()),
        modified: today,
    };
    let mut staging = Staging::new(&opts.out, opts.replace)?;
    let mut report = match build_in(&mut staging, opts, &files, &dates) {
        Ok(report) => {
            let inputs: Vec<String> = report.inputs.iter().map(|i| i.sha256.clone()).collect();
            staging.commit(&inputs)?;
            report
        }
        Err(e) => {
            staging.abandon();
            return Err(e);
        }
    };
    if let Some(catalogue) = catalogue {
        let publication = publication_folder(&opts.out);
        let written = crate::dcat::write_catalogue(&publication, &report.kopare_id, &catalogue)
            .map_err(|e| {
                Error::Usage(format!(
                    "the year dataset {} was written, but not the DCAT catalogue beside it: {e}",
                    opts.out.display()
                ))
            })?;
        report.catalogue = Some(written);
    }
    Ok(report)
}

/// The folder the year's folder lies in: where its catalogue is written.
pub fn publication_folder(out: &Path) -> PathBuf {
    match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The catalogue's options, checked before anything is built; none without a base address.
fn catalogue_options(opts: &DatasetOptions) -> Result<Option<crate::dcat::CatalogueOptions>> {
    let Some(base) = &opts.base_url else {
        if opts.contact_email.is_some() {
            return Err(Error::Usage(
                "--contact-email is for the DCAT catalogue, which needs --base-url too".into(),
            ));
        }
        return Ok(None);
    };
    let contact_email = opts
        .contact_email
        .as_deref()
        .map(crate::dcat::check_email)
        .transpose()?;
    Ok(Some(crate::dcat::CatalogueOptions {
        base_url: crate::dcat::check_base_url(base)?,
        contact_email,
        kind: opts.publisher_kind,
    }))
}

/// A `YYYY-MM-DD` date, checked.
fn check_date(text: &str) -> Result<String> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map(|d| d.format("%Y-%m-%d").to_string())
        .map_err(|_| Error::Usage(format!("--date '{text}' is not a date YYYY-MM-DD")))
}

/// Today's date (UTC).
fn today() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i32::try_from(seconds / 86_400).unwrap_or(0);
    crate::date::date_from_days(days)
        .format("%Y-%m-%d")
        .to_string()
}

/// The issued date of the same year's dataset that the output folder already holds.
fn prior_issued(out: &Path, year: i32) -> Option<String> {
    let text = std::fs::read_to_string(out.join("report.json")).ok()?;
    let prior: crate::dcat::YearReport = serde_json::from_str(&text).ok()?;
    (prior.year == year)
        .then_some(prior.dates)
        .flatten()
        .map(|d| d.issued)
}

/// Build the dataset into `staging`.
fn build_in(
    staging: &mut Staging,
    opts: &DatasetOptions,
    files: &[PathBuf],
    dates: &crate::dcat::Dates,
) -> Result<DatasetReport> {
    let mut outside = 0u64;
    let mut month_files = MonthFiles {
        files: BTreeMap::new(),
    };
    let mut monthly = Vec::new();
    for f in files {
        let input = read_input(
            staging,
            f,
            opts.year,
            &mut outside,
            &mut month_files,
            &opts.progress,
        )?;
        monthly.push(input);
    }
    let (kopare_id, kopare) = the_buyer(opts.year, &monthly)?;
    let (owner, replaced) = month_owners(opts, &monthly)?;
    let mut months = BTreeMap::new();
    let mut total = 0i128;
    let mut rows_in_year = 0u64;
    for (month, (i, ground)) in &owner {
        let stats = &monthly[*i].months[month];
        total += stats.cents;
        rows_in_year += stats.rows;
        months.insert(
            format!("{month:02}"),
            MonthSummary {
                rows: stats.rows,
                amount: ore_text(stats.cents),
                source: monthly[*i].name(),
                path: crate::paths::relative_path(&monthly[*i].path, &opts.out),
                ground: *ground,
            },
        );
    }
    let outputs = write_year(
        staging,
        opts,
        &kopare_id,
        &owner,
        &monthly,
        &mut month_files,
    )?;
    drop(month_files);
    let mut report = DatasetReport {
        tool: "reskontra".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        kopare_id,
        kopare,
        year: opts.year,
        options: DatasetRunOptions {
            replace_months: opts.replace_months,
            prefer: opts
                .prefer
                .iter()
                .map(|p| crate::paths::relative_path(p, &opts.out))
                .collect(),
            formats: sorted_formats(&opts.formats),
            licence: opts.licence.clone(),
            base_url: opts.base_url.clone(),
            contact_email: opts.contact_email.clone(),
            publisher_type: opts.publisher_kind.map(|k| k.key().to_string()),
        },
        inputs: monthly
            .iter()
            .map(|m| DatasetInput {
                path: crate::paths::relative_path(&m.path, &opts.out),
                sha256: m.sha256.clone(),
            })
            .collect(),
        months,
        replaced_months: replaced,
        rows_outside_year: outside,
        rows: rows_in_year,
        amount: ore_text(total),
        outputs: Vec::new(),
        dates: dates.clone(),
        catalogue: None,
    };
    let dp = datapackage(&report, &outputs[0], &opts.licence);
    report.outputs = outputs;
    let dp_path = staging.path("datapackage.json")?;
    write::write_file(&dp_path, |f| std::io::Write::write_all(f, dp.as_bytes()))?;
    report
        .outputs
        .push(output_entry(&dp_path, "datapackage.json", 0)?);
    let json = serde_json::to_string_pretty(&report).unwrap_or_default() + "\n";
    let report_path = staging.path("report.json")?;
    write::write_file(&report_path, |f| {
        std::io::Write::write_all(f, json.as_bytes())
    })?;
    Ok(report)
}

/// Formats in their fixed order, each once (for the report).
fn sorted_formats(formats: &[Format]) -> Vec<Format> {
    let mut sorted = formats.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted
}

/// The one buyer of the inputs' rows in `year` (a dataset is one buyer's).
fn the_buyer(year: i32, monthly: &[MonthlyFile]) -> Result<(String, String)> {
    let mut buyer: Option<(String, String)> = None;
    for m in monthly {
        for this in m.months.values().flat_map(|s| &s.buyers) {
            match &buyer {
                None => buyer = Some(this.clone()),
                Some(b) if b.0 != this.0 => {
                    return Err(Error::Usage(format!(
                        "the inputs hold more than one buyer ({} and {}, in {}): a dataset is one buyer's",
                        b.0, this.0, m.name()
                    )))
                }
                Some(_) => {}
            }
        }
    }
    buyer.ok_or_else(|| Error::Usage(format!("no rows dated {year} in the inputs")))
}

/// Which input (by index) each month comes from, and on what ground when several delivered it.
type MonthOwners = BTreeMap<u32, (usize, Option<crate::republish::Ground>)>;

/// Months (`MM`) delivered more than once, with the inputs that delivered them in order.
type ReplacedMonths = BTreeMap<String, Vec<String>>;

/// Which input each month comes from (with `--replace-months`, the one the rule of
/// [`crate::republish`] chooses among those that deliver it), and the months delivered more
/// than once.
fn month_owners(
    opts: &DatasetOptions,
    monthly: &[MonthlyFile],
) -> Result<(MonthOwners, ReplacedMonths)> {
    let mut deliveries: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, m) in monthly.iter().enumerate() {
        for month in m.months.keys() {
            deliveries.entry(*month).or_default().push(i);
        }
    }
    let mut owner = MonthOwners::new();
    let mut replaced = ReplacedMonths::new();
    for (month, inputs) in deliveries {
        let key = format!("{month:02}");
        if let [only] = inputs[..] {
            owner.insert(month, (only, None));
            continue;
        }
        if !opts.replace_months {
            return Err(Error::Usage(format!(
                "month {}-{key} is delivered twice, in {} and in {}: give --replace-months to take \
                 it from one of them (a file named as a correction wins; see README)",
                opts.year,
                monthly[inputs[0]].name(),
                monthly[inputs[1]].name()
            )));
        }
        let names: Vec<String> = inputs.iter().map(|i| monthly[*i].name()).collect();
        let list: Vec<crate::republish::Delivery> = inputs
            .iter()
            .map(|i| delivery(opts, &monthly[*i], month))
            .collect();
        let (chosen, ground) = crate::republish::choose(&list)
            .ok_or_else(|| Error::Internal("a month without deliveries".into()))?;
        owner.insert(month, (inputs[chosen], Some(ground)));
        replaced.insert(key, names);
    }
    Ok((owner, replaced))
}

/// A monthly input's delivery of a month, as the rule sees it: its file name (the folders of a
/// run's outputs say nothing of the file), the latest month it holds, its rows in the month,
/// its content, and where it stands among the preferred inputs.
fn delivery<'a>(
    opts: &DatasetOptions,
    input: &'a MonthlyFile,
    month: u32,
) -> crate::republish::Delivery<'a> {
    let preferred = opts
        .prefer
        .iter()
        .rposition(|p| crate::paths::same_file(p, &input.path))
        .map_or(0, |at| at + 1);
    crate::republish::Delivery {
        path: input
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default(),
        last_month: input.months.keys().max().map(|m| Period {
            year: opts.year,
            month: *m,
        }),
        rows: input.months.get(&month).map_or(0, |s| s.rows),
        sha256: &input.sha256,
        preferred,
    }
}
