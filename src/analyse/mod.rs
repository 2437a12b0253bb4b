//! `reskontra analyse`: the questions journalists, auditors and researchers ask of supplier
//! ledgers, answered from a dataset: a collected dataset, a year dataset, or published files
//! (collected on the fly into a temporary folder).
//!
//! [`analyse`] reads the dataset lazily (polars over its Parquet partitions, [`data`]) and
//! returns an [`Analysis`]: typed tables, one per question, with the options recorded; a page
//! can call it and show the tables. [`html::render`] makes the report; [`write`] puts every
//! table's CSV, `analysis.json` and `rapport.html` into an output folder, whole or not at all.
//!
//! 1. [`suppliers`]: the largest suppliers per buyer and year;
//! 2. [`over_limit`]: suppliers over the direct-procurement limit ([`limits`]);
//! 3. [`splits`]: possible split purchases;
//! 4. [`duplicates`]: possible duplicate payments;
//! 5. [`over_time`]: one supplier over time, at every buyer;
//! 6. [`invoices`]: invoices and rows;
//! 7. [`coverage`]: coverage and concentration.

pub mod common;
pub mod coverage;
pub mod data;
pub mod duplicates;
pub mod html;
pub mod invoices;
pub mod limits;
pub mod over_limit;
pub mod over_time;
pub mod splits;
pub mod suppliers;

use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::staging::Staging;
use common::{kr, Context, Table};
use data::{Collected, Dataset, SupplierKeys};
use polars::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use splits::SplitOptions;

/// The files an analysis writes, with what each holds (in Swedish, as the report lists them).
pub const TABLE_FILES: [(&str, &str); 13] = [
    (
        suppliers::SupplierRow::FILE,
        "1. största leverantörer per köpare och år",
    ),
    (
        over_limit::OverLimitRow::FILE,
        "2. leverantörer över direktupphandlingsgränsen",
    ),
    (
        splits::SplitLine::FILE,
        "3. möjliga uppdelade köp, med fakturorna",
    ),
    (
        duplicates::DuplicateRow::FILE,
        "4. möjliga dubbelbetalningar, med verifikationerna",
    ),
    (
        over_time::OverTimeRow::FILE,
        "5. en leverantör per månad och köpare",
    ),
    (
        invoices::InvoiceRow::FILE,
        "6. rader, fakturor och verifikationer per köpare och månad",
    ),
    (coverage::MonthsRow::FILE, "7. månader med rader per köpare"),
    (
        coverage::FillRow::FILE,
        "7. andel ifyllda värden per köpare och kolumn",
    ),
    (
        coverage::ConcentrationRow::FILE,
        "7. koncentration per köpare och år",
    ),
    (
        coverage::NewSupplierRow::FILE,
        "7. nya leverantörer sedan året före",
    ),
    (ANALYSIS_JSON, "alla tabeller och valen, för program"),
    (REPORT_HTML, "rapporten (den här sidan)"),
    (REPORT_JSON, "körningens filer och deras SHA-256"),
];

/// The tables and options as JSON.
pub const ANALYSIS_JSON: &str = "analysis.json";
/// The report.
pub const REPORT_HTML: &str = "rapport.html";
/// The run's record (its outputs with their SHA-256), as every command writes one.
pub const REPORT_JSON: &str = "report.json";
/// The kind of run in `report.json`.
pub const KIND: &str = "analyse";

/// What to analyse, and how.
#[derive(Debug, Clone, Default)]
pub struct AnalyseOptions {
    /// A collected dataset, a year dataset (or a folder of several), or published files.
    pub inputs: Vec<PathBuf>,
    /// Only this buyer (its organisation number).
    pub buyer: Option<String>,
    /// Only this year.
    pub year: Option<i32>,
    /// The supplier analysis 5 follows (an organisation number or a name; default the
    /// largest).
    pub supplier: Option<String>,
    /// The split-purchase analysis' window, limit and fewest invoices.
    pub split: SplitOptions,
    /// Stage names for a progress display.
    pub progress: Progress,
}

/// The options as `analysis.json` records them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionsRecord {
    /// The inputs, as given.
    pub dataset: Vec<String>,
    /// `--buyer`.
    pub buyer: Option<String>,
    /// `--year`.
    pub year: Option<i32>,
    /// `--supplier`.
    pub supplier: Option<String>,
    /// The split-purchase settings.
    pub split: SplitOptions,
}

/// A buyer of the dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuyerRecord {
    /// Its organisation number.
    pub id: String,
    /// Its name (the one most rows carry).
    pub name: String,
}

/// What the dataset analysed holds (after `--buyer` and `--year`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatasetRecord {
    /// What it is: `insamlad datamängd`, `årsdatamängd`, `publicerade filer (insamlade för
    /// analysen)` or `partitioner`.
    pub kind: String,
    /// Partition files read.
    pub partitions: usize,
    /// Rows analysed.
    pub rows: u64,
    /// Their sum, kronor.
    pub amount: Decimal,
    /// The buyers analysed.
    pub buyers: Vec<BuyerRecord>,
    /// The years analysed.
    pub years: Vec<i32>,
}

/// A supplier analysis 5 follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChosenSupplier {
    /// Its key.
    pub key: String,
    /// Its name.
    pub name: String,
}

/// The tables of an analysis, one per question.
#[derive(Debug, Clone, Serialize)]
pub struct Tables {
    /// Years the table of limits does not reach (analysis 2 leaves them out).
    pub years_without_limit: Vec<i32>,
    /// The suppliers analysis 5 follows.
    pub chosen_suppliers: Vec<ChosenSupplier>,
    /// 1. The largest suppliers.
    pub largest_suppliers: Vec<suppliers::SupplierRow>,
    /// 2. Over the direct-procurement limit.
    pub over_limit: Vec<over_limit::OverLimitRow>,
    /// 3. Possible split purchases.
    pub splits: Vec<splits::SplitGroup>,
    /// 4. Possible duplicate payments.
    pub duplicates: Vec<duplicates::DuplicateRow>,
    /// 5. One supplier over time.
    pub over_time: Vec<over_time::OverTimeRow>,
    /// 6. Invoices and rows.
    pub invoices: Vec<invoices::InvoiceRow>,
    /// 7. Months covered.
    pub months: Vec<coverage::MonthsRow>,
    /// 7. Fill rates.
    pub fill: Vec<coverage::FillRow>,
    /// 7. Concentration.
    pub concentration: Vec<coverage::ConcentrationRow>,
    /// 7. New suppliers.
    pub new_suppliers: Vec<coverage::NewSupplierRow>,
}

/// Every table of an analysis, with the options and the dataset described.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// `reskontra`.
    pub tool: String,
    /// The program's version.
    pub version: String,
    /// The options.
    pub options: OptionsRecord,
    /// The dataset.
    pub dataset: DatasetRecord,
    /// The direct-procurement limits used, with their sources.
    pub limits: Vec<limits::Limit>,
    /// Per table, its file.
    pub files: BTreeMap<String, String>,
    /// The tables.
    #[serde(flatten)]
    pub tables: Tables,
    /// A digest of the partitions read (their paths and sizes), for the run's record.
    #[serde(skip)]
    pub input_digest: String,
}

/// The dataset to read, and the temporary folder it was collected into (published files).
struct Opened {
    dataset: Dataset,
    kind: String,
    _scratch: Option<tempfile::TempDir>,
}

/// Find the dataset among the inputs, or collect the published files given into a
/// temporary folder.
fn open(opts: &AnalyseOptions) -> Result<Opened> {
    if opts.inputs.is_empty() {
        return Err(Error::Usage("give the dataset to analyse".into()));
    }
    if let Some(missing) = opts.inputs.iter().find(|p| !p.exists()) {
        return Err(Error::Usage(format!(
            "{}: no such file or folder; give a dataset made by reskontra collect or \
             reskontra dataset build, or published files",
            missing.display()
        )));
    }
    if let [only] = opts.inputs.as_slice() {
        if only.is_dir() {
            let dataset = Dataset::find(only)?;
            if !dataset.parts.is_empty() {
                return Ok(Opened {
                    dataset,
                    kind: dataset_kind(only),
                    _scratch: None,
                });
            }
        }
    }
    collect_published(opts)
}

/// Collect the published files given into a temporary folder, as `reskontra collect` would.
fn collect_published(opts: &AnalyseOptions) -> Result<Opened> {
    opts.progress.stage("collecting the published files");
    let scratch = tempfile::tempdir().map_err(|e| Error::io(Path::new("temp"), e))?;
    let out = scratch.path().join("dataset");
    let mut collect = crate::collect::CollectOptions::new(opts.inputs.clone(), out.clone());
    collect.progress = opts.progress.clone();
    match crate::collect::collect(&collect) {
        Ok(_) => Ok(Opened {
            dataset: Dataset::find(&out)?,
            kind: "publicerade filer (insamlade för analysen)".into(),
            _scratch: Some(scratch),
        }),
        Err(Error::Usage(m)) if m.starts_with("no files to collect") => {
            let given: Vec<String> = opts
                .inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            Err(Error::Usage(format!(
                "{}: holds no dataset (no parquet/kopare_id=…/ar=…/manad=… partitions) and no \
                 published files; give a folder made by reskontra collect or reskontra dataset \
                 build, or published files",
                given.join(", ")
            )))
        }
        Err(e) => Err(e),
    }
}

/// What kind of dataset a folder holds, by its report.
fn dataset_kind(dir: &Path) -> String {
    let report: Option<serde_json::Value> = std::fs::read_to_string(dir.join(REPORT_JSON))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    match report {
        Some(r) if r["kind"] == crate::collect::report::KIND => "insamlad datamängd".into(),
        Some(r) if r["year"].is_i64() => "årsdatamängd".into(),
        _ => "partitioner".into(),
    }
}

/// A buyer's organisation number as given (`212000-0142`) in the dataset's form.
fn buyer_key(given: &str) -> String {
    given.chars().filter(|c| c.is_ascii_digit()).collect()
}

/// The partitions `--buyer` and `--year` choose (the year before too, for the new suppliers);
/// an error saying what the dataset holds when they choose none.
fn chosen_parts(dataset: &Dataset, opts: &AnalyseOptions) -> Result<Dataset> {
    let mut parts = dataset.parts.clone();
    if let Some(given) = &opts.buyer {
        let buyer = buyer_key(given);
        if !dataset.buyers().contains(&buyer) {
            return Err(Error::Usage(format!(
                "--buyer {given} is not a buyer in the dataset; its buyers are {}",
                listed(dataset.buyers().into_iter())
            )));
        }
        parts.retain(|p| p.buyer == buyer);
    }
    if let Some(year) = opts.year {
        let years: std::collections::BTreeSet<i32> = parts.iter().map(|p| p.year).collect();
        if !years.contains(&year) {
            return Err(Error::Usage(format!(
                "--year {year}: the dataset has no rows from {year}{}; its years are {}",
                if opts.buyer.is_some() {
                    " for that buyer"
                } else {
                    ""
                },
                listed(years.into_iter().map(|y| y.to_string()))
            )));
        }
        parts.retain(|p| p.year == year || p.year == year - 1);
    }
    Ok(Dataset {
        root: dataset.root.clone(),
        parts,
    })
}

/// Up to ten items, `a, b, c` (`and N more`).
fn listed(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    let mut text = items
        .iter()
        .take(10)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > 10 {
        text.push_str(&format!(" and {} more", items.len() - 10));
    }
    text
}

/// A year as `--year` gives it: four digits, 1900-2100.
pub fn check_year(text: &str) -> Result<i32> {
    text.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (1900..=2100).contains(y) && text.trim().len() == 4)
        .ok_or_else(|| {
            Error::Usage(format!(
                "--year '{text}' is not a year: use YYYY, e.g. 2024"
            ))
        })
}

/// The buyers' names: per buyer, the name most of its rows carry.
fn buyer_names(rows: &LazyFrame) -> Result<BTreeMap<String, String>> {
    let df = rows
        .clone()
        .group_by([col("kopare_id"), col("kopare")])
        .agg([len().alias("rader")])
        .collected()?;
    let ids = data::texts(&df, "kopare_id")?;
    let names = data::strings(&df, "kopare")?;
    let n = data::counts(&df, "rader")?;
    let mut best: BTreeMap<String, (u64, String)> = BTreeMap::new();
    for ((id, name), n) in ids.into_iter().zip(names).zip(n) {
        let Some(name) = name else { continue };
        let entry = best.entry(id).or_insert((0, String::new()));
        if n > entry.0 || (n == entry.0 && name < entry.1) {
            *entry = (n, name);
        }
    }
    Ok(best.into_iter().map(|(id, (_, name))| (id, name)).collect())
}

/// A digest of the partitions read: their paths below the dataset and sizes.
fn digest(dataset: &Dataset) -> String {
    let mut text = String::new();
    for part in &dataset.parts {
        let rel = part
            .path
            .strip_prefix(&dataset.root)
            .unwrap_or(&part.path)
            .to_string_lossy()
            .replace('\\', "/");
        let size = std::fs::metadata(&part.path).map(|m| m.len()).unwrap_or(0);
        text.push_str(&format!("{rel}\t{size}\n"));
    }
    crate::read::sha256_hex(text.as_bytes())
}

/// The rows an analysis reads, keyed.
struct Frames {
    /// Every row of the dataset (the supplier over time reads every buyer and year).
    all: LazyFrame,
    /// The rows `--buyer` and `--year` choose (and the year before).
    chosen: LazyFrame,
    /// The same, keyed.
    keyed: LazyFrame,
    /// Their partitions.
    dataset: Dataset,
}

/// Run every analysis over the dataset the options name.
pub fn analyse(opts: &AnalyseOptions) -> Result<Analysis> {
    let opened = open(opts)?;
    let chosen = chosen_parts(&opened.dataset, opts)?;
    let limits = limits::Limits::builtin()?;
    let all_rows = opened.dataset.rows()?;
    opts.progress.stage("reading the suppliers");
    let keys = SupplierKeys::build(&all_rows)?;
    let buyers = buyer_names(&all_rows)?;
    opts.progress.check()?;
    let chosen_rows = chosen.rows()?;
    let frames = Frames {
        all: all_rows,
        keyed: keys.keyed(chosen_rows.clone()),
        chosen: chosen_rows,
        dataset: chosen.clone(),
    };
    let ctx = Context {
        keys: &keys,
        buyers: &buyers,
        limits: &limits,
        year: opts.year,
    };
    let tables = tables(&frames, &ctx, opts)?;
    let dataset = dataset_record(&opened, &chosen, &tables, &ctx, opts);
    if dataset.rows == 0 {
        return Err(Error::input(
            &opened.dataset.root,
            "the dataset holds no rows to analyse",
        ));
    }
    Ok(Analysis {
        tool: "reskontra".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        options: options_record(opts),
        dataset,
        limits: limits.0.clone(),
        files: table_files(),
        tables,
        input_digest: digest(&chosen),
    })
}

/// Every table, analysis by analysis.
fn tables(frames: &Frames, ctx: &Context<'_>, opts: &AnalyseOptions) -> Result<Tables> {
    let stage = |name: &str| -> Result<()> {
        opts.progress.check()?;
        opts.progress.stage(name);
        Ok(())
    };
    stage("1. largest suppliers")?;
    let years = suppliers::supplier_years(&frames.keyed)?;
    let largest_suppliers = suppliers::largest_suppliers(&years, ctx);
    stage("2. over the direct-procurement limit")?;
    let over_limit = over_limit::over_limit(&years, ctx);
    stage("3. possible split purchases")?;
    let buyers: Vec<String> = frames.dataset.buyers().into_iter().collect();
    let rows_of = |buyer: &str| Ok(ctx.keys.keyed(frames.dataset.of_buyer(buyer).rows()?));
    let splits = splits::splits(&buyers, rows_of, ctx, &opts.split)?;
    stage("4. possible duplicate payments")?;
    let duplicates = duplicates::duplicates(&frames.keyed, ctx)?;
    stage("5. one supplier over time")?;
    let followed = over_time::chosen_suppliers(opts.supplier.as_deref(), &years, ctx)?;
    let over_time = over_time::over_time(&frames.all, &followed, ctx)?;
    stage("6. invoices and rows")?;
    let invoices = invoices::invoices_and_rows(&frames.keyed, ctx)?;
    stage("7. coverage and concentration")?;
    Ok(Tables {
        years_without_limit: over_limit::years_without_limit(&years, ctx),
        chosen_suppliers: followed
            .iter()
            .map(|k| ChosenSupplier {
                key: k.clone(),
                name: ctx.keys.name(k),
            })
            .collect(),
        largest_suppliers,
        over_limit,
        splits,
        duplicates,
        over_time,
        months: coverage::months_covered(&invoices, ctx),
        invoices,
        fill: coverage::fill_rates(&frames.chosen, ctx)?,
        concentration: coverage::concentration(&years, ctx),
        new_suppliers: coverage::new_suppliers(&years, ctx),
    })
}

/// The options as recorded.
fn options_record(opts: &AnalyseOptions) -> OptionsRecord {
    OptionsRecord {
        dataset: opts
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        buyer: opts.buyer.as_deref().map(buyer_key),
        year: opts.year,
        supplier: opts.supplier.clone(),
        split: opts.split.clone(),
    }
}

/// What was analysed: the rows and sum (of the invoices table, which counts every row chosen),
/// the buyers and years.
fn dataset_record(
    opened: &Opened,
    chosen: &Dataset,
    tables: &Tables,
    ctx: &Context<'_>,
    opts: &AnalyseOptions,
) -> DatasetRecord {
    let rows = &tables.invoices;
    let buyers: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.kopare_id.as_str()).collect();
    let years: std::collections::BTreeSet<i32> = rows.iter().map(|r| r.ar).collect();
    DatasetRecord {
        kind: opened.kind.clone(),
        partitions: chosen
            .parts
            .iter()
            .filter(|p| opts.year.is_none_or(|y| p.year == y))
            .count(),
        rows: rows.iter().map(|r| r.rader).sum(),
        amount: kr(rows.iter().map(|r| crate::amount::to_ore(r.summa)).sum()),
        buyers: buyers
            .into_iter()
            .map(|b| BuyerRecord {
                id: b.to_string(),
                name: ctx.buyer_name(b),
            })
            .collect(),
        years: years.into_iter().collect(),
    }
}

/// Per table (its field in `analysis.json`), its file.
fn table_files() -> BTreeMap<String, String> {
    [
        ("largest_suppliers", suppliers::SupplierRow::FILE),
        ("over_limit", over_limit::OverLimitRow::FILE),
        ("splits", splits::SplitLine::FILE),
        ("duplicates", duplicates::DuplicateRow::FILE),
        ("over_time", over_time::OverTimeRow::FILE),
        ("invoices", invoices::InvoiceRow::FILE),
        ("months", coverage::MonthsRow::FILE),
        ("fill", coverage::FillRow::FILE),
        ("concentration", coverage::ConcentrationRow::FILE),
        ("new_suppliers", coverage::NewSupplierRow::FILE),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// The texts of an analysis that come from the dataset (names, invoice numbers, vouchers),
/// each with the table and column it is in.
fn dataset_texts(a: &Analysis) -> Vec<(&'static str, &'static str, &str)> {
    let mut out: Vec<(&'static str, &'static str, &str)> = Vec::new();
    for r in &a.tables.largest_suppliers {
        out.push((suppliers::SupplierRow::FILE, "leverantor", &r.leverantor));
        out.push((suppliers::SupplierRow::FILE, "kopare", &r.kopare));
        out.push((
            suppliers::SupplierRow::FILE,
            "leverantor_nyckel",
            &r.leverantor_nyckel,
        ));
    }
    for r in a.tables.splits.iter().flat_map(|g| &g.fakturor) {
        out.push((
            splits::SplitLine::FILE,
            "fakturanummer",
            r.fakturanummer.as_deref().unwrap_or(""),
        ));
        out.push((
            splits::SplitLine::FILE,
            "verifikationsnummer",
            r.verifikationsnummer.as_deref().unwrap_or(""),
        ));
    }
    for r in &a.tables.duplicates {
        out.push((
            duplicates::DuplicateRow::FILE,
            "fakturanummer",
            r.fakturanummer.as_deref().unwrap_or(""),
        ));
        out.push((
            duplicates::DuplicateRow::FILE,
            "verifikationsnummer",
            &r.verifikationsnummer,
        ));
    }
    for c in &a.tables.chosen_suppliers {
        out.push((over_time::OverTimeRow::FILE, "leverantor", &c.name));
    }
    for r in &a.tables.over_time {
        out.push((over_time::OverTimeRow::FILE, "kopare", &r.kopare));
    }
    out
}

/// Refuse an analysis whose texts would carry a personal identity number (a dataset that was
/// not made by reskontra may hold one): the table and column are named, never the value.
pub fn check_privacy(a: &Analysis) -> Result<()> {
    for (file, column, value) in dataset_texts(a) {
        if crate::ident::contains_personal_number(value) {
            return Err(Error::Privacy(format!(
                "{file}, column {column}, would carry a personal identity number from the \
                 dataset; collect the published files with reskontra collect (which masks them) \
                 and analyse that dataset"
            )));
        }
    }
    Ok(())
}

/// What `write` put where.
#[derive(Debug, Clone)]
pub struct Written {
    /// The files, in the output folder.
    pub files: Vec<PathBuf>,
}

/// Write an analysis into `out`: every table's CSV, `analysis.json`, `rapport.html` and
/// `report.json`, moved into place together once all are written (a folder holding another
/// run's outputs is refused unless `replace`).
pub fn write(analysis: &Analysis, out: &Path, replace: bool) -> Result<Written> {
    check_privacy(analysis)?;
    let mut staging = Staging::new(out, replace)?;
    let inputs = vec![analysis.input_digest.clone()];
    if let Err(e) = staging.check_prior(&inputs) {
        staging.abandon();
        return Err(e);
    }
    match stage(&mut staging, analysis) {
        Ok(()) => Ok(Written {
            files: staging.commit(&inputs)?,
        }),
        Err(e) => {
            staging.abandon();
            Err(e)
        }
    }
}

/// Stage every output: the tables, analysis.json, the report, then report.json.
fn stage(staging: &mut Staging, a: &Analysis) -> Result<()> {
    let mut outputs = write_tables(staging, &a.tables)?;
    let path = staging.path(ANALYSIS_JSON)?;
    write_json(&path, a)?;
    outputs.push(ANALYSIS_JSON);
    let page = html::render(a)?;
    let path = staging.path(REPORT_HTML)?;
    std::fs::write(&path, page).map_err(|e| Error::io(&path, e))?;
    outputs.push(REPORT_HTML);
    let report = run_record(staging, a, &outputs)?;
    let path = staging.path(REPORT_JSON)?;
    std::fs::write(&path, report + "\n").map_err(|e| Error::io(&path, e))
}

/// Write `analysis.json` as it is serialised (a large table is never held as text whole).
fn write_json(path: &Path, a: &Analysis) -> Result<()> {
    use std::io::Write as _;
    let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut out = std::io::BufWriter::new(file);
    serde_json::to_writer_pretty(&mut out, a)
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
    out.write_all(b"\n")
        .and_then(|()| out.flush())
        .map_err(|e| Error::io(path, e))
}

/// Write each table's CSV into the staging folder; returns their files.
fn write_tables(staging: &mut Staging, t: &Tables) -> Result<Vec<&'static str>> {
    fn one<T: Table>(
        staging: &mut Staging,
        rows: impl IntoIterator<Item = T>,
        files: &mut Vec<&'static str>,
    ) -> Result<()> {
        common::write_csv(&staging.path(T::FILE)?, rows)?;
        files.push(T::FILE);
        Ok(())
    }
    let mut files = Vec::new();
    one(staging, &t.largest_suppliers, &mut files)?;
    one(staging, &t.over_limit, &mut files)?;
    one(staging, splits::lines(&t.splits), &mut files)?;
    one(staging, &t.duplicates, &mut files)?;
    one(staging, &t.over_time, &mut files)?;
    one(staging, &t.invoices, &mut files)?;
    one(staging, &t.months, &mut files)?;
    one(staging, &t.fill, &mut files)?;
    one(staging, &t.concentration, &mut files)?;
    one(staging, &t.new_suppliers, &mut files)?;
    Ok(files)
}

/// `report.json`: the run's kind, the dataset read (a digest of its partitions), the options
/// and every output with its SHA-256 (what the next run into the folder reads).
fn run_record(staging: &Staging, a: &Analysis, outputs: &[&str]) -> Result<String> {
    let mut records = Vec::new();
    for file in outputs {
        let path = staging.dir().join(file);
        let (sha256, bytes) = crate::read::sha256_file(&path).map_err(|e| Error::io(&path, e))?;
        records.push(
            serde_json::json!({"path": file, "sha256": sha256, "bytes": bytes, "published": true}),
        );
    }
    let report = serde_json::json!({
        "tool": "reskontra",
        "kind": KIND,
        "version": env!("CARGO_PKG_VERSION"),
        "inputs": [{"path": a.options.dataset.join(" "), "sha256": a.input_digest, "role": "dataset"}],
        "options": a.options,
        "outputs": records,
    });
    serde_json::to_string_pretty(&report).map_err(|e| Error::Internal(format!("report.json: {e}")))
}

/// Analyse and write: `reskontra analyse`.
pub fn run(opts: &AnalyseOptions, out: &Path, replace: bool) -> Result<Analysis> {
    let analysis = analyse(opts)?;
    opts.progress.stage("writing the tables and the report");
    write(&analysis, out, replace)?;
    Ok(analysis)
}

impl Analysis {
    /// A few lines for the terminal.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "analysed {} rows ({} SEK) of {} buyers, years {}\n",
            self.dataset.rows,
            self.dataset.amount,
            self.dataset.buyers.len(),
            self.dataset
                .years
                .iter()
                .map(|y| y.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let groups = |rows: Vec<u32>| {
            let mut g = rows;
            g.dedup();
            g.len()
        };
        s.push_str(&format!(
            "  {} suppliers over the direct-procurement limit (a screening, not a finding)\n",
            self.tables.over_limit.len()
        ));
        s.push_str(&format!(
            "  {} groups of possible split purchases, {} groups of possible duplicate payments\n",
            self.tables.splits.len(),
            groups(self.tables.duplicates.iter().map(|r| r.grupp).collect())
        ));
        s.push_str("  the report: rapport.html; every table as CSV beside it\n");
        s
    }
}
