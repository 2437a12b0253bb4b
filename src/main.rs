//! The `reskontra` command line: a thin layer over the library.

use clap::{Args, Parser, Subcommand};
use reskontra::convert::{
    check_buyer_id, check_kommun_id, check_period, convert, ConvertOptions, Progress, ProgressEvent,
};
use reskontra::layout::{detect, Layout};
use reskontra::map::Overrides;
use reskontra::protect::Policy;
use reskontra::read::{read_table_head, ReadOptions};
use reskontra::write::Format;
use reskontra::{Error, Result};
use std::path::PathBuf;
use std::process::ExitCode;

// mimalloc: faster than glibc's malloc for the many small allocations of a conversion, and it
// returns freed memory to the system, so peak RSS stays lower (docs/performance.md)
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Convert Swedish supplier-ledger exports (leverantörsreskontra) to the national open-data
/// format 1.1 without publishing personal data, and check published files.
#[derive(Parser)]
#[command(name = "reskontra", version, about, long_about = None)]
struct Cli {
    /// Without a command, the publisher's desk starts (`serve`): a program started with a
    /// double click opens the browser.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Convert ERP exports to the files to publish (CSV, Parquet, JSON) plus report.json.
    Convert(Box<ConvertArgs>),
    /// Check published files against the specification (exit 0 valid, 1 invalid, 2 unreadable).
    Validate(ValidateArgs),
    /// Re-run a conversion or a year dataset build from what its report.json recorded and compare the outputs.
    Verify(VerifyArgs),
    /// Many publishers' files (published ones in any form, raw exports with their buyer named
    /// in a sources file) into one typed, Hive-partitioned Parquet dataset, with a report.
    Collect(CollectArgs),
    /// Answer journalists' questions from a dataset (a collected dataset, a year dataset, or
    /// published files): largest suppliers, sums over the direct-procurement limit, possible
    /// split purchases and duplicate payments, one supplier over time, invoices and rows,
    /// coverage and concentration; a CSV per table, analysis.json and a report (rapport.html).
    Analyse(AnalyseArgs),
    /// Calendar-year datasets.
    #[command(subcommand)]
    Dataset(DatasetCommand),
    /// List the built-in layouts.
    Layouts,
    /// Show how an input would be read: encoding, delimiter, header row, layout and why.
    Detect(DetectArgs),
    /// Write a layout for an export, or check how one maps it.
    #[command(subcommand)]
    Layout(LayoutCommand),
    /// The publisher's desk: the whole monthly job in a browser, on this computer only
    /// (http://127.0.0.1; the address with its key is the last line printed).
    #[cfg(feature = "desk")]
    Serve(ServeArgs),
}

#[cfg(feature = "desk")]
#[derive(Args)]
struct ServeArgs {
    /// The port on 127.0.0.1 (default: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The workspace folder: the profile, saved layouts and each month's files (default: a
    /// `reskontra` folder in your data folder).
    #[arg(long)]
    workspace: Option<PathBuf>,
    /// Do not open the browser.
    #[arg(long)]
    no_open: bool,
    /// The largest upload, in MB.
    #[arg(long, default_value_t = reskontra::serve::MAX_UPLOAD_MB)]
    max_upload_mb: u64,
}

#[derive(Args)]
struct CollectArgs {
    /// Files and folders to collect (a folder is searched with the folders below it).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// The dataset's folder: created, or added to when it holds a dataset collected before.
    #[arg(short, long, default_value = "dataset")]
    out: PathBuf,
    /// A sources file naming the buyer (and layout, supplier register) of files without buyer
    /// columns (default: sources.toml at the top of a folder given).
    #[arg(long, value_name = "FILE")]
    sources: Option<PathBuf>,
    /// A file whose months win when several files deliver a month (repeatable; the one
    /// named last wins).
    #[arg(long, value_name = "FILE")]
    prefer: Vec<PathBuf>,
    /// A privacy policy (markers, allow and deny lists); every run into a dataset uses the same.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Collect the other files when one cannot be read (it is named, also with -q, and the
    /// exit code is 1).
    #[arg(long)]
    keep_going: bool,
    /// Rows converted per batch (the dataset does not depend on it).
    #[arg(long, default_value_t = reskontra::plan::BATCH_ROWS, hide = true)]
    batch_rows: usize,
    /// No progress bar and no summary.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Args)]
struct AnalyseArgs {
    /// A dataset made by `reskontra collect` or `reskontra dataset build` (or a folder holding
    /// several), or published files and folders of them (collected on the fly).
    #[arg(required = true, value_name = "DATASET")]
    inputs: Vec<PathBuf>,
    /// The output folder: a CSV per table, analysis.json, rapport.html.
    #[arg(short, long, default_value = "analys")]
    out: PathBuf,
    /// Only this buyer (its organisation number).
    #[arg(long, value_name = "ID")]
    buyer: Option<String>,
    /// Only this year (the year before is read for the new suppliers).
    #[arg(long, value_name = "YYYY")]
    year: Option<String>,
    /// The supplier to follow over time, across every buyer (an organisation number or a
    /// name; default: the largest supplier).
    #[arg(long, value_name = "ID_OR_NAME")]
    supplier: Option<String>,
    /// Possible split purchases: the window in days.
    #[arg(long, default_value_t = 30, value_name = "DAYS")]
    split_window: u32,
    /// Possible split purchases: the limit in kronor each invoice is below and the group above
    /// (default: the direct-procurement limit, LOU, in force on the window's first day).
    #[arg(long, value_name = "KR")]
    split_limit: Option<String>,
    /// Possible split purchases: the fewest invoices in a group.
    #[arg(long, default_value_t = 2, value_name = "N")]
    split_min: u32,
    /// Replace the outputs of another analysis that the output folder holds.
    #[arg(long)]
    replace: bool,
    /// No summary.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Subcommand)]
enum LayoutCommand {
    /// Write a complete layout file for an export: detection keys from its header, the
    /// mapping the synonyms give, every unmapped column in a comment; ready to edit.
    Draft(DraftArgs),
    /// Show how a layout maps an export: which source column becomes which spec column, and
    /// the first rows as they would be published.
    Check(CheckArgs),
}

#[derive(Args)]
struct DraftArgs {
    /// The export.
    input: PathBuf,
    /// Where to write the layout (default: standard output).
    #[arg(short, long)]
    out: Option<PathBuf>,
    /// Force the text encoding.
    #[arg(long)]
    encoding: Option<String>,
    /// Read this sheet of a workbook.
    #[arg(long)]
    sheet: Option<String>,
}

#[derive(Args)]
struct CheckArgs {
    /// The export.
    input: PathBuf,
    /// The layout file (or a built-in layout's name).
    #[arg(long)]
    layout: String,
    /// Rows to show.
    #[arg(long, default_value_t = 10)]
    rows: usize,
    /// The buyer's organisation number, if the export does not carry it.
    #[arg(long)]
    buyer_id: Option<String>,
    /// The buyer's name, if the export does not carry it.
    #[arg(long)]
    buyer_name: Option<String>,
    /// The month, if the export has no date column and its name no YYYY-MM.
    #[arg(long)]
    period: Option<String>,
    /// The publisher's policy file.
    #[arg(long)]
    policy: Option<PathBuf>,
}

#[derive(Args)]
struct ConvertArgs {
    /// The export(s) to convert, and any lookup tables the layout joins (e.g. a supplier table).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output folder.
    #[arg(short, long, default_value = "out")]
    out: PathBuf,
    /// A built-in layout name or a layout TOML file (default: detected from the header).
    #[arg(long)]
    layout: Option<String>,
    /// A folder of your own layout files, detected like the built-in ones (also `layouts`
    /// in the policy's [publisher]).
    #[arg(long)]
    layouts: Option<PathBuf>,
    /// The buyer's organisation number (kopare_id); its check digit is verified.
    #[arg(long)]
    buyer_id: Option<String>,
    /// The buyer's name (kopare).
    #[arg(long)]
    buyer_name: Option<String>,
    /// The SCB municipality code (kommun_id), one of the 290, e.g. 0180.
    #[arg(long)]
    kommun_id: Option<String>,
    /// The month of inputs without dates, YYYY-MM (else taken from the file name).
    #[arg(long)]
    period: Option<String>,
    /// Formats to publish, comma separated: csv, parquet, json, xlsx (an Excel copy).
    #[arg(long, default_value = "csv,parquet", value_delimiter = ',')]
    formats: Vec<String>,
    /// Force the text encoding: utf-8, utf-16le, utf-16be, windows-1252, cp437, cp850.
    #[arg(long)]
    encoding: Option<String>,
    /// Read this sheet of a workbook (default: the first visible sheet whose header a layout
    /// or the synonyms recognise).
    #[arg(long)]
    sheet: Option<String>,
    /// The publisher's policy file (TOML): allow/deny lists, markers, buyer defaults.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// A supplier register (CSV or Excel: supplier number, name, organisation number) joined on
    /// the supplier number, for SIE files and exports that carry internal numbers only.
    #[arg(long)]
    suppliers: Option<PathBuf>,
    /// Do not prefix formula-like text cells with a quote.
    #[arg(long)]
    no_formula_guard: bool,
    /// Replace the outputs of another run that the output folder holds (only the files its
    /// report.json lists); a re-run with the same inputs replaces its own without it.
    #[arg(long)]
    replace: bool,
    /// The decimal mark of amounts, instead of the layout's: auto (each value as written, an
    /// ambiguous one like 1,234 by the file's other values), comma or point.
    #[arg(long, value_parser = ["auto", "comma", "point"])]
    decimal_mark: Option<String>,
    /// Rows converted per batch: fewer use less memory (the outputs do not depend on it).
    #[arg(long, default_value_t = reskontra::convert::BATCH_ROWS, value_parser = clap::value_parser!(usize))]
    batch_rows: usize,
    /// Rows read before the layout is detected (a test knob: no output depends on it as long
    /// as the header is among them).
    #[arg(long, hide = true, default_value_t = reskontra::convert::HEAD_ROWS)]
    head_rows: usize,
    /// Bytes read at a time (a test knob: no output depends on it).
    #[arg(long, hide = true)]
    read_bytes: Option<usize>,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Args)]
struct ValidateArgs {
    /// Published files (CSV, JSON, or the Parquet and xlsx files this tool writes, year-dataset
    /// partitions included), or folders of them (searched below; internal/ and the run's metadata left out).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print a machine-readable JSON report instead of the summary.
    #[arg(long)]
    json: bool,
    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Args)]
struct VerifyArgs {
    /// The report.json of the run to reproduce.
    report: PathBuf,
    /// Look for the inputs in this folder (by file name) instead of the recorded paths.
    #[arg(long)]
    inputs: Option<PathBuf>,
}

#[derive(Subcommand)]
enum DatasetCommand {
    /// Gather one buyer's monthly files into the calendar-year dataset.
    Build(DatasetArgs),
}

#[derive(Args)]
struct DatasetArgs {
    /// Monthly outputs (or any spec 1.1 CSV files), or folders holding them.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// The calendar year.
    #[arg(long)]
    year: i32,
    /// Output folder.
    #[arg(short, long, default_value = "dataset")]
    out: PathBuf,
    /// When several inputs deliver a month, take it from one of them (a file named as a
    /// correction, else the one reaching later months, else the fuller one; else it is an
    /// error).
    #[arg(long)]
    replace_months: bool,
    /// An input whose months win over the others' (repeatable; the one named last wins).
    #[arg(long, value_name = "FILE")]
    prefer: Vec<PathBuf>,
    /// Replace the outputs of another run that the output folder holds (only the files its
    /// report.json lists).
    #[arg(long)]
    replace: bool,
    /// Licence URI for the metadata.
    #[arg(long, default_value = reskontra::dataset::CC0)]
    licence: String,
    /// The address the publication folder (the folder above -o) will have, e.g.
    /// https://www.kommun.se/oppnadata/leverantorsreskontra/: with it the DCAT catalogue of
    /// every year in that folder is written there (dcat.rdf, dcat.ttl).
    #[arg(long)]
    base_url: Option<String>,
    /// The e-mail address for questions about the data (the catalogue's contact point).
    #[arg(long)]
    contact_email: Option<String>,
    /// The publisher's type in the catalogue: kommun or region (default: from the buyer's
    /// name).
    #[arg(long)]
    publisher_type: Option<String>,
    /// The date of this build, YYYY-MM-DD (the dataset's modified date; default today).
    #[arg(long)]
    date: Option<String>,
    /// The publisher's policy file: its [publisher] base_url, contact_email and
    /// publisher_type fill what the options leave unset.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Formats to write, comma separated: csv (the year's CSV and each month's, always),
    /// parquet (the month partitions), xlsx (an Excel copy of the year).
    #[arg(long, default_value = "csv,parquet", value_delimiter = ',')]
    formats: Vec<String>,
    /// No progress bar and no summary.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Args)]
struct DetectArgs {
    /// The file to inspect.
    input: PathBuf,
    /// A folder of layout files to detect besides the built-in ones.
    #[arg(long)]
    layouts: Option<PathBuf>,
    /// Force the text encoding.
    #[arg(long)]
    encoding: Option<String>,
    /// Read this sheet of a workbook.
    #[arg(long)]
    sheet: Option<String>,
}

fn main() -> ExitCode {
    // a damaged input that makes a third-party reader panic becomes an error naming the file;
    // the panic itself is not printed
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !reskontra::error::panics_are_guarded() {
            default_hook(info);
        }
    }));
    let cli = Cli::parse();
    let Some(command) = cli.command else {
        return no_command();
    };
    let result = match command {
        Command::Convert(args) => run_convert(*args).map(|()| 0),
        Command::Validate(args) => run_validate(args),
        Command::Verify(args) => run_verify(args),
        Command::Collect(args) => run_collect(args),
        Command::Analyse(args) => run_analyse(args).map(|()| 0),
        Command::Dataset(DatasetCommand::Build(args)) => run_dataset(args).map(|()| 0),
        Command::Layouts => run_layouts().map(|()| 0),
        Command::Detect(args) => run_detect(args).map(|()| 0),
        Command::Layout(LayoutCommand::Draft(args)) => run_draft(args).map(|()| 0),
        Command::Layout(LayoutCommand::Check(args)) => run_check(args).map(|()| 0),
        #[cfg(feature = "desk")]
        Command::Serve(args) => run_serve(args).map(|()| 0),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            to_stderr(&format!("error: {e}\n"));
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}

/// Without a command: the desk, for a person who started the program with a double click; or,
/// without the desk feature, the list of commands.
fn no_command() -> ExitCode {
    #[cfg(feature = "desk")]
    {
        to_stderr("no command given: starting the publisher's desk (`reskontra --help` lists the commands)\n");
        let args = ServeArgs {
            port: 0,
            workspace: None,
            no_open: false,
            max_upload_mb: reskontra::serve::MAX_UPLOAD_MB,
        };
        match run_serve(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                to_stderr(&format!("error: {e}\n"));
                ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
            }
        }
    }
    #[cfg(not(feature = "desk"))]
    {
        use clap::CommandFactory as _;
        let _ = Cli::command().print_help();
        ExitCode::from(2)
    }
}

/// Write to standard output. A reader that has gone away (`| head`) ends the output quietly:
/// the command's exit code stays what the run decided.
fn to_stdout(text: &str) -> Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::io(std::path::Path::new("standard output"), e))
        }
        _ => Ok(()),
    }
}

/// Write to standard error (messages and summaries); if it is closed, there is nowhere left to
/// say so, and the exit code still tells.
fn to_stderr(text: &str) {
    use std::io::Write as _;
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

fn convert_options(args: ConvertArgs) -> Result<ConvertOptions> {
    let period = args.period.as_deref().map(check_period).transpose()?;
    let formats = parse_formats(&args.formats)?;
    let mut opts = ConvertOptions::new(args.inputs, args.out);
    opts.layout = args.layout;
    opts.layouts_dir = args.layouts;
    opts.overrides = Overrides {
        buyer_id: args.buyer_id,
        buyer_name: args.buyer_name,
        kommun_id: args.kommun_id,
        period,
    };
    // the options win; the policy's [publisher] fills what they leave unset
    if let Some(path) = &args.policy {
        opts.use_policy(path)?;
    }
    let o = &mut opts.overrides;
    o.buyer_id = o.buyer_id.as_deref().map(check_buyer_id).transpose()?;
    o.kommun_id = o.kommun_id.as_deref().map(check_kommun_id).transpose()?;
    if o.buyer_name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(Error::Usage("--buyer-name is empty".into()));
    }
    opts.read = ReadOptions {
        encoding: args.encoding,
        sheet: args.sheet,
        ..ReadOptions::default()
    };
    opts.formats = formats;
    opts.formula_guard = !args.no_formula_guard;
    opts.replace = args.replace;
    opts.decimal_mark = args
        .decimal_mark
        .as_deref()
        .and_then(reskontra::amount::DecimalMark::parse);
    opts.suppliers = args.suppliers;
    if args.batch_rows == 0 {
        return Err(Error::Usage("--batch-rows must be at least 1".into()));
    }
    opts.batch_rows = args.batch_rows;
    opts.head_rows = args.head_rows;
    opts.read.piece_bytes = args.read_bytes;
    Ok(opts)
}

/// How long a run goes before its progress bar appears: quicker runs never show one.
const PROGRESS_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// A progress bar naming the stage, on a terminal: drawn only once the run has taken
/// [`PROGRESS_AFTER`], so that quick runs stay quiet.
fn progress_bar(inputs: &[PathBuf], quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return None;
    }
    let bytes: u64 = inputs
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    // the length becomes the current input's bytes (or rows) once its first batch is done
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(bytes),
        indicatif::ProgressDrawTarget::hidden(),
    );
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] [{bar:30}] {percent:>3}%  {wide_msg}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner());
    bar.set_style(style);
    let shown = bar.clone();
    std::thread::spawn(move || {
        std::thread::sleep(PROGRESS_AFTER);
        if !shown.is_finished() {
            shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            shown.enable_steady_tick(std::time::Duration::from_millis(120));
        }
    });
    Some(bar)
}

/// What a run tells its progress: stage times with `RESKONTRA_TIMINGS` (for benchmarking),
/// else the bar, if there is one.
fn progress_of(bar: Option<&indicatif::ProgressBar>) -> Progress {
    if std::env::var_os("RESKONTRA_TIMINGS").is_some() {
        let start = std::time::Instant::now();
        return Progress::new(move |event| {
            if let ProgressEvent::Stage(stage) = event {
                to_stderr(&format!(
                    "{:>8.3} s  {stage}\n",
                    start.elapsed().as_secs_f64()
                ));
            }
        });
    }
    let Some(bar) = bar else {
        return Progress::default();
    };
    let b = bar.clone();
    Progress::new(move |event| match event {
        ProgressEvent::Stage(stage) => b.set_message(stage.to_string()),
        ProgressEvent::Done { part, whole } => {
            b.set_length(whole);
            b.set_position(part);
        }
    })
}

fn run_convert(args: ConvertArgs) -> Result<()> {
    let quiet = args.quiet;
    let mut opts = convert_options(args)?;
    let bar = progress_bar(&opts.inputs, quiet);
    opts.progress = progress_of(bar.as_ref());
    let result = convert(&opts);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let report = result?;
    if !quiet {
        to_stderr(&report.summary());
    }
    Ok(())
}

fn run_validate(args: ValidateArgs) -> Result<u8> {
    let files = reskontra::validate::files_to_validate(&args.files)?;
    if files.is_empty() {
        return Err(reskontra::error::Error::Usage(
            "no CSV, JSON or Parquet files among the inputs".into(),
        ));
    }
    let bar = progress_bar(&files, args.quiet);
    let outcome = reskontra::validate::validate_files_telling(&files, &progress_of(bar.as_ref()));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let outcome = outcome?;
    if args.json {
        to_stdout(&(outcome.to_json() + "\n"))?;
    } else {
        to_stdout(&outcome.summary())?;
    }
    Ok(outcome.exit_code())
}

fn run_verify(args: VerifyArgs) -> Result<u8> {
    let v = reskontra::verify::verify(&args.report, args.inputs.as_deref())?;
    to_stdout(&v.summary())?;
    Ok(if v.identical() { 0 } else { 1 })
}

/// The formats of `--formats`.
fn parse_formats(names: &[String]) -> Result<Vec<Format>> {
    names
        .iter()
        .map(|f| {
            Format::parse(f).ok_or_else(|| {
                Error::Usage(format!(
                    "unknown format '{f}' in --formats; use {}",
                    reskontra::write::FORMAT_NAMES
                ))
            })
        })
        .collect()
}

fn run_dataset(args: DatasetArgs) -> Result<()> {
    let formats = parse_formats(&args.formats)?;
    let publisher = match &args.policy {
        Some(path) => reskontra::protect::Policy::load(path)?.publisher,
        None => reskontra::protect::Publisher::default(),
    };
    let bar = progress_bar(&dataset_files(&args.inputs), args.quiet);
    let opts = reskontra::dataset::DatasetOptions {
        progress: progress_of(bar.as_ref()),
        inputs: args.inputs,
        year: args.year,
        out: args.out,
        replace_months: args.replace_months || !args.prefer.is_empty(),
        prefer: args.prefer,
        licence: args.licence,
        base_url: args.base_url.or_else(|| publisher.base_url.clone()),
        contact_email: args
            .contact_email
            .or_else(|| publisher.contact_email.clone()),
        publisher_kind: args
            .publisher_type
            .or_else(|| publisher.publisher_type.clone())
            .map(|k| reskontra::dcat::PublisherKind::parse(&k))
            .transpose()?,
        date: args.date,
        issued: None,
        catalogue: true,
        replace: args.replace,
        formats,
    };
    let report = reskontra::dataset::build(&opts);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let report = report?;
    if !args.quiet {
        to_stderr(&report.summary());
    }
    Ok(())
}

fn run_layouts() -> Result<()> {
    let lines: Vec<String> = Layout::builtin()
        .iter()
        .map(|layout| format!("{:<28} {}\n", layout.name, layout.description))
        .collect();
    to_stdout(&lines.concat())
}

fn run_collect(args: CollectArgs) -> Result<u8> {
    let bar = progress_bar(&args.inputs, args.quiet);
    let mut opts = reskontra::collect::CollectOptions::new(args.inputs, args.out);
    if let Some(policy) = &args.policy {
        opts.use_policy(policy)?;
    }
    opts.sources = args.sources;
    opts.prefer = args.prefer;
    opts.keep_going = args.keep_going;
    opts.batch_rows = args.batch_rows.max(1);
    opts.progress = progress_of(bar.as_ref());
    let run = reskontra::collect::collect(&opts);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let run = run?;
    if !args.quiet {
        to_stderr(&run.summary());
    }
    // the sources left out with --keep-going: said even with -q, and the exit code is 1
    if run.failed.is_empty() {
        return Ok(0);
    }
    if args.quiet {
        for (source, why) in &run.failed {
            to_stderr(&format!("not collected: {source}: {why}\n"));
        }
    }
    Ok(1)
}

/// The options of `analyse`, checked.
fn analyse_options(args: &AnalyseArgs) -> Result<reskontra::analyse::AnalyseOptions> {
    let split_limit = match args.split_limit.as_deref() {
        None => None,
        Some(text) => Some(
            reskontra::amount::parse_amount(text, reskontra::amount::DecimalMark::Auto)
                .ok()
                .map(|a| a.value)
                .filter(|v| v.is_sign_positive() && !v.is_zero())
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "--split-limit '{text}' is not an amount in kronor above 0, e.g. 100000"
                    ))
                })?,
        ),
    };
    if args.split_window == 0 {
        return Err(Error::Usage("--split-window must be at least 1 day".into()));
    }
    if args.split_min < 2 {
        return Err(Error::Usage(
            "--split-min must be at least 2 (one invoice is not a split purchase)".into(),
        ));
    }
    Ok(reskontra::analyse::AnalyseOptions {
        inputs: args.inputs.clone(),
        buyer: args.buyer.clone(),
        year: args
            .year
            .as_deref()
            .map(reskontra::analyse::check_year)
            .transpose()?,
        supplier: args.supplier.clone(),
        split: reskontra::analyse::SplitOptions {
            window_days: args.split_window,
            limit: split_limit,
            min_invoices: args.split_min,
        },
        progress: reskontra::progress::Progress::default(),
    })
}

fn run_analyse(args: AnalyseArgs) -> Result<()> {
    let mut opts = analyse_options(&args)?;
    let bar = progress_bar(&[], args.quiet);
    opts.progress = progress_of(bar.as_ref());
    let analysis = reskontra::analyse::run(&opts, &args.out, args.replace);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let analysis = analysis?;
    if !args.quiet {
        to_stderr(&analysis.summary());
        to_stderr(&format!("wrote {}\n", args.out.display()));
    }
    Ok(())
}

/// The input files of a dataset build, for the progress bar's size.
fn dataset_files(inputs: &[PathBuf]) -> Vec<PathBuf> {
    reskontra::validate::published_files(inputs, &["csv"]).unwrap_or_default()
}

fn run_detect(args: DetectArgs) -> Result<()> {
    let mut layouts = Layout::builtin();
    if let Some(dir) = &args.layouts {
        layouts.extend(Layout::from_dir(dir)?);
    }
    let known = layouts.clone();
    let mut plan_options = ConvertOptions::new(vec![args.input.clone()], PathBuf::from("."));
    plan_options.read.encoding = args.encoding.clone();
    plan_options.read.sheet = args.sheet.clone();
    plan_options.layouts_dir = args.layouts.clone();
    // the rows convert detects the layout from: a large file is not read whole
    let table = read_table_head(
        &args.input,
        &ReadOptions {
            encoding: args.encoding,
            sheet: args.sheet,
            recognise: reskontra::read::Recogniser::new(move |rows| {
                reskontra::convert::recognised_by(rows, &known)
            }),
            ..ReadOptions::default()
        },
        reskontra::convert::HEAD_ROWS,
    )?;
    let f = &table.format;
    let mut lines = vec![
        format!("file:         {}", args.input.display()),
        format!("kind:         {}", f.kind),
    ];
    if let Some(e) = &f.encoding {
        lines.push(format!(
            "encoding:     {e}{}",
            if f.bom { " (with BOM)" } else { "" }
        ));
    }
    if let Some(d) = &f.delimiter {
        lines.push(format!("delimiter:    {d}"));
    }
    if let Some(l) = &f.line_endings {
        lines.push(format!("line endings: {l}"));
    }
    if let Some(s) = &f.sheet {
        lines.push(format!("sheet:        {s}"));
    }
    if let Some(why) = &f.sheet_reason {
        lines.push(format!("sheet why:    {why}"));
    }
    if !f.other_sheets.is_empty() {
        lines.push(format!("other sheets: {}", f.other_sheets.join(", ")));
    }
    match detect(&table.rows, &layouts) {
        Ok(d) if !d.ties.is_empty() => {
            lines.push(format!("header row:   {}", table.rows[d.header_index].line));
            lines.push(format!(
                "layout:       none: {} and {} match equally well (give --layout)",
                d.layout.name,
                d.ties.join(" and ")
            ));
        }
        Ok(d) => {
            // an SIE file has no header: the reader makes its columns
            if f.kind != "sie" {
                lines.push(format!("header row:   {}", table.rows[d.header_index].line));
            }
            lines.push(format!("layout:       {}", d.layout.name));
            lines.push(format!("why:          {}", d.reason));
            for n in &d.near_misses {
                lines.push(format!("near miss:    {n}"));
            }
        }
        Err(near) => {
            lines.push("layout:       none of the layouts matches".into());
            for n in &near {
                lines.push(format!("near miss:    {n}"));
            }
            let synonyms = reskontra::infer::Synonyms::builtin();
            match reskontra::infer::infer(&table.rows, synonyms) {
                Ok(inference) => {
                    let line = table.rows[inference.header_index].line;
                    lines.push(format!("header row:   {line}"));
                    lines.push(
                        "inferred:     by the synonyms of mappings/synonyms.toml (convert uses it)"
                            .into(),
                    );
                    for m in inference.explanation() {
                        lines.push(format!("  {m}"));
                    }
                    for u in &inference.unmapped {
                        lines.push(format!("  not used: '{u}'"));
                    }
                }
                Err(not) => lines.push(format!(
                    "inferred:     no ({}); write a layout with `reskontra layout draft FILE`",
                    not.message()
                )),
            }
        }
    }
    // the plan convert would make: each spec column's source, with samples masked as convert masks them
    if let Ok(planned) = reskontra::plan::plan(&plan_options) {
        lines.push(
            "mapping:      (as convert maps it; samples as read, masked as convert masks them)"
                .into(),
        );
        for c in &planned.plan.columns {
            let samples = if c.samples.is_empty() {
                String::new()
            } else {
                format!("   e.g. {}", c.samples.join(" | "))
            };
            lines.push(format!("  {:<20} <- {}{samples}", c.column, c.source));
        }
    }
    to_stdout(&(lines.join("\n") + "\n"))
}

/// `reskontra layout draft`: a layout file for an export.
fn run_draft(args: DraftArgs) -> Result<()> {
    let table = read_table_head(
        &args.input,
        &ReadOptions {
            encoding: args.encoding,
            sheet: args.sheet,
            ..ReadOptions::default()
        },
        reskontra::convert::HEAD_ROWS,
    )?;
    let text = reskontra::infer::draft(
        &table.rows,
        &table.file_name(),
        reskontra::infer::Synonyms::builtin(),
    )
    .map_err(|message| Error::input(&args.input, message))?;
    match &args.out {
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| Error::io(path, e))?;
            to_stderr(&format!("wrote {}\n", path.display()));
            Ok(())
        }
        None => to_stdout(&text),
    }
}

/// `reskontra layout check`: how a layout maps an export, shown on its first rows as they
/// would be published (converted into a temporary folder, then removed).
fn run_check(args: CheckArgs) -> Result<()> {
    let scratch = tempfile::tempdir().map_err(|e| Error::io(std::path::Path::new("temp"), e))?;
    let out = scratch.path().join("out");
    let policy = match &args.policy {
        Some(p) => Policy::load(p)?,
        None => Policy::default(),
    };
    let mut opts = ConvertOptions::new(vec![args.input.clone()], out.clone());
    opts.layout = Some(args.layout.clone());
    opts.overrides = Overrides {
        buyer_id: args
            .buyer_id
            .or_else(|| policy.publisher.buyer_id.clone())
            .map(|b| check_buyer_id(&b))
            .transpose()?,
        buyer_name: args
            .buyer_name
            .or_else(|| policy.publisher.buyer_name.clone()),
        kommun_id: None,
        period: args.period.as_deref().map(check_period).transpose()?,
    };
    opts.policy = policy;
    opts.formats = vec![Format::Csv];
    let report = reskontra::convert::convert(&opts)?;
    let mut lines = vec![
        format!(
            "layout:   {} ({})",
            report.layout.name, report.layout.reason
        ),
        "mapping:".to_string(),
    ];
    for (column, source) in &report.layout.sources {
        lines.push(format!("  {column:<20} <- {source}"));
    }
    lines.push(format!(
        "rows:     {} read = {} published + {} withheld + {} rejected",
        report.rows.read, report.rows.published, report.rows.withheld, report.rows.rejected
    ));
    for (reason, n) in &report.rejected_by_reason {
        lines.push(format!("  rejected {n}: {reason}"));
    }
    let published = report
        .outputs
        .iter()
        .find(|o| o.published && o.path.ends_with(".csv"))
        .map(|o| out.join(&o.path));
    if let Some(csv) = published {
        let text = std::fs::read_to_string(&csv).map_err(|e| Error::io(&csv, e))?;
        lines.push(format!("the first {} rows as published:", args.rows));
        lines.extend(text.lines().take(args.rows + 1).map(|l| format!("  {l}")));
    }
    to_stdout(&(lines.join("\n") + "\n"))
}

/// `reskontra serve`: the desk, until the process is stopped.
#[cfg(feature = "desk")]
fn run_serve(args: ServeArgs) -> Result<()> {
    let workspace = args
        .workspace
        .unwrap_or_else(reskontra::serve::default_workspace);
    if args.max_upload_mb == 0 {
        return Err(Error::Usage("--max-upload-mb must be at least 1".into()));
    }
    let opts = reskontra::serve::ServeOptions {
        port: args.port,
        workspace,
        open_browser: !args.no_open,
        max_upload: args.max_upload_mb.saturating_mul(1024 * 1024),
    };
    reskontra::serve::serve(&opts, |url| {
        to_stderr(&format!(
            "reskontra's desk is running; workspace {}\nopen this address (Ctrl+C stops it):\n",
            opts.workspace.display()
        ));
        let _ = to_stdout(&format!("{url}\n"));
    })
}
