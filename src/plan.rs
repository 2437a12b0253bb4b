//! The plan of a conversion: what `convert` will do, known before any row is converted.
//!
//! [`plan`] checks the options, reads the head of every input, detects (or loads) the layout,
//! sorts the inputs into main exports and lookup tables, and resolves which source column
//! fills each of the 15 spec columns. The [`Plan`] it describes can be printed, serialised and
//! shown (a web page shows it before the run); [`crate::convert::run`] then executes it.

use crate::amount::DecimalMark;
use crate::date::Period;
use crate::error::{Error, Result};
use crate::ident::{classify_id, IdKind};
use crate::layout::{detect, find_column, find_header, DetectRule, Detection, Layout, SplitPart};
use crate::map::Overrides;
use crate::progress::Progress;
use crate::protect::Policy;
use crate::read::{file_name, read_table_head, RawRow, RawTable, ReadOptions, SourceFormat};
use crate::spec;
use crate::spec::COLUMNS;
use crate::write::Format;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Rows parsed when a file is read (enough to find the header and the layout); the rest of
/// a delimited file is parsed batch by batch.
pub const HEAD_ROWS: usize = 1000;

/// Rows per batch through map → normalise → protect → write: a batch's memory stays small
/// while the writer threads keep the second core busy.
pub const BATCH_ROWS: usize = 1 << 14;

/// Everything `convert` needs.
#[derive(Debug, Clone)]
pub struct ConvertOptions {
    /// Input files: the main export(s) and any lookup tables the layout joins.
    pub inputs: Vec<PathBuf>,
    /// Output folder.
    pub out: PathBuf,
    /// Layout name or path; detected when `None`.
    pub layout: Option<String>,
    /// Buyer, municipality and period values.
    pub overrides: Overrides,
    /// Encoding and sheet.
    pub read: ReadOptions,
    /// Formats to publish.
    pub formats: Vec<Format>,
    /// The publisher's policy.
    pub policy: Policy,
    /// Where the policy came from.
    pub policy_path: Option<PathBuf>,
    /// Guard text cells against formula injection.
    pub formula_guard: bool,
    /// A supplier register joined on the supplier number (`--suppliers`).
    pub suppliers: Option<PathBuf>,
    /// Stage names for a progress display.
    pub progress: Progress,
    /// Rows per batch ([`BATCH_ROWS`]): fewer use less memory; the outputs do not depend on it.
    pub batch_rows: usize,
    /// Rows read before the layout is detected ([`HEAD_ROWS`]): the header (searched for in the
    /// first [`crate::layout::HEADER_SEARCH_ROWS`] rows) must be among them; the outputs do not
    /// depend on it otherwise.
    pub head_rows: usize,
    /// The decimal mark of amounts (`--decimal-mark`), instead of the layout's.
    pub decimal_mark: Option<DecimalMark>,
    /// Replace the outputs of another run that the output folder holds (`--replace`).
    pub replace: bool,
    /// A folder of the publisher's own layout files, detected like the built-in ones
    /// (`--layouts`, or `layouts` in the policy's `[publisher]`).
    pub layouts_dir: Option<PathBuf>,
}

impl ConvertOptions {
    /// Options with defaults for the given inputs and output folder.
    pub fn new(inputs: Vec<PathBuf>, out: PathBuf) -> ConvertOptions {
        ConvertOptions {
            inputs,
            out,
            layout: None,
            overrides: Overrides::default(),
            read: ReadOptions::default(),
            formats: vec![Format::Csv, Format::Parquet],
            policy: Policy::default(),
            policy_path: None,
            formula_guard: true,
            suppliers: None,
            progress: Progress::default(),
            batch_rows: BATCH_ROWS,
            head_rows: HEAD_ROWS,
            decimal_mark: None,
            replace: false,
            layouts_dir: None,
        }
    }

    /// Read the policy file and take from its `[publisher]` whatever the options leave
    /// unset: the buyer's organisation number (checked), name and municipality code, and the
    /// folder of the publisher's own layouts (relative to the policy file). This is how a
    /// monthly run needs no options: the CLI and the desk both call it.
    pub fn use_policy(&mut self, path: &std::path::Path) -> Result<()> {
        self.policy = Policy::load(path)?;
        self.policy_path = Some(path.to_path_buf());
        self.apply_publisher();
        let o = &mut self.overrides;
        o.buyer_id = o.buyer_id.as_deref().map(check_buyer_id).transpose()?;
        o.kommun_id = o.kommun_id.as_deref().map(check_kommun_id).transpose()?;
        Ok(())
    }

    /// Fill the unset options from the policy's `[publisher]` (unchecked: see [`Self::use_policy`]).
    fn apply_publisher(&mut self) {
        let p = &self.policy.publisher;
        let o = &mut self.overrides;
        o.buyer_id = o.buyer_id.take().or_else(|| p.buyer_id.clone());
        o.buyer_name = o.buyer_name.take().or_else(|| p.buyer_name.clone());
        o.kommun_id = o.kommun_id.take().or_else(|| p.kommun_id.clone());
        if self.layouts_dir.is_none() {
            if let Some(dir) = &p.layouts {
                let base = self
                    .policy_path
                    .as_deref()
                    .and_then(std::path::Path::parent);
                self.layouts_dir = Some(base.map_or(dir.clone(), |b| b.join(dir)));
            }
        }
    }
}

/// Check and normalise a buyer id given as an option: a valid organisation number.
pub fn check_buyer_id(raw: &str) -> Result<String> {
    match classify_id(raw) {
        IdKind::Organisation(ten) => Ok(ten),
        IdKind::Personal(_) => Err(Error::Usage(
            "--buyer-id is a personal identity number, not an organisation number".into(),
        )),
        _ => Err(Error::Usage(format!(
            "--buyer-id '{raw}' is not a valid organisation number (10 digits, digits 3-4 ≥ 20, \
             valid check digit)"
        ))),
    }
}

/// Check a municipality code given as an option.
pub fn check_kommun_id(raw: &str) -> Result<String> {
    spec::normalise_municipality_code(raw).ok_or_else(|| {
        Error::Usage(format!(
            "--kommun-id '{raw}' is not one of the 290 SCB municipality codes (e.g. 0180)"
        ))
    })
}

/// Check a period given as an option.
pub fn check_period(raw: &str) -> Result<Period> {
    Period::parse(raw)
        .ok_or_else(|| Error::Usage(format!("--period '{raw}' is not a month: use YYYY-MM")))
}

/// Sample values shown per spec column.
pub const SAMPLE_ROWS: usize = 5;

/// How a sample shows a supplier whose rows are withheld from the published files.
pub const WITHHELD: &str = "(undantas från publicering)";

/// What a conversion will do, in terms a person can check before it runs.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Plan {
    /// The layout's name.
    pub layout: String,
    /// Its one-line description.
    pub layout_description: String,
    /// Why it was chosen (given, detected, or inferred from the synonyms).
    pub reason: String,
    /// Whether no layout matched and the synonyms inferred one.
    pub inferred: bool,
    /// Every input and its role.
    pub inputs: Vec<PlannedInput>,
    /// The 15 spec columns in order, each with its source.
    pub columns: Vec<PlannedColumn>,
}

/// One input of a plan.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlannedInput {
    /// The file's name.
    pub file: String,
    /// `main` or `lookup:NAME`.
    pub role: String,
    /// How it is read (encoding, delimiter, sheet...).
    pub format: SourceFormat,
    /// The header's line (0: the reader made the column names, as for SIE).
    pub header_line: u64,
    /// The header's cells.
    pub header: Vec<String>,
    /// The file's size in bytes.
    pub bytes: u64,
}

/// Where one spec column's values come from.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlannedColumn {
    /// The spec column (`leverantor`).
    pub column: &'static str,
    /// Whether the spec requires it.
    pub mandatory: bool,
    /// Its source, in words (`column 'Leverantör'`, `option --buyer-id`, `none`).
    pub source: String,
    /// Whether it has a source at all.
    pub filled: bool,
    /// Values of the first data rows of the first main input, as read (personal numbers in
    /// them replaced by the policy's marker).
    pub samples: Vec<String>,
}

/// A plan with what running it needs: the inputs already read up to their heads.
pub struct Planned {
    /// The plan.
    pub plan: Plan,
    /// The layout and the inputs sorted by role.
    pub assignment: Assignment,
    /// Per input: how it is read, its SHA-256 and its size.
    pub formats: BTreeMap<PathBuf, (SourceFormat, String, u64)>,
    /// The supplier register (`--suppliers`), loaded.
    pub register: Option<crate::map::SupplierRegister>,
}

/// Check the options, read the head of every input and decide how it will be converted.
pub fn plan(opts: &ConvertOptions) -> Result<Planned> {
    if opts.inputs.is_empty() {
        return Err(Error::Usage("give at least one INPUT file".into()));
    }
    if opts.formats.is_empty() {
        return Err(Error::Usage(
            "--formats needs at least one of csv, parquet, json, xlsx".into(),
        ));
    }
    let extra = match &opts.layouts_dir {
        Some(dir) => Layout::from_dir(dir)?,
        None => Vec::new(),
    };
    let chosen = opts
        .layout
        .as_deref()
        .map(|l| Layout::load_among(l, &extra))
        .transpose()?;
    let read_options = read_options(opts, chosen.as_ref(), &extra);
    let mut tables = Vec::with_capacity(opts.inputs.len());
    for path in &opts.inputs {
        opts.progress.stage(&format!("reading {}", file_name(path)));
        // large delimited files: the rows beyond the head are parsed batch by batch later
        tables.push(read_table_head(path, &read_options, opts.head_rows.max(1))?);
    }
    let register = match &opts.suppliers {
        Some(p) => Some(crate::map::SupplierRegister::load(
            p,
            &ReadOptions::default(),
        )?),
        None => None,
    };
    refuse_repeated_inputs(&tables)?;
    let formats: BTreeMap<PathBuf, (SourceFormat, String, u64)> = tables
        .iter()
        .map(|t| (t.path.clone(), (t.format.clone(), t.sha256.clone(), t.size)))
        .collect();
    let inferred = chosen.is_none();
    let assignment = assign(tables, chosen, &extra)?;
    let inferred = inferred && assignment.reason.starts_with("no layout matches");
    let plan = describe(&assignment, opts, inferred);
    Ok(Planned {
        plan,
        assignment,
        formats,
        register,
    })
}

/// The same file given twice (by two names, or the same bytes downloaded twice) would count
/// every row twice: refused, naming both.
fn refuse_repeated_inputs(tables: &[RawTable]) -> Result<()> {
    let mut seen: BTreeMap<&str, &RawTable> = BTreeMap::new();
    for table in tables {
        if let Some(first) = seen.insert(table.sha256.as_str(), table) {
            return Err(Error::Usage(format!(
                "{} and {} are the same file (the same content): give it once, or every row \
                 would be counted twice",
                first.path.display(),
                table.path.display()
            )));
        }
    }
    Ok(())
}

/// How the inputs are read: the options', with the layout's SIE accounts, the progress of the
/// first pass, and which sheet of a workbook to take.
fn read_options(opts: &ConvertOptions, chosen: Option<&Layout>, extra: &[Layout]) -> ReadOptions {
    let mut read_options = opts.read.clone();
    // the first pass over a large file (hash, encoding) moves the progress bar too
    let progress = opts.progress.clone();
    read_options.progress =
        crate::read::ReadProgress::new(move |part, whole| progress.done(part, whole));
    if let Some(sie) = chosen.and_then(|l| l.sie.clone()) {
        read_options.sie = sie;
    }
    // a workbook's sheet: the first visible one whose header a layout (or the synonyms) knows
    match chosen.cloned() {
        None => {
            let mut layouts = Layout::builtin();
            layouts.extend(extra.iter().cloned());
            read_options.recognise =
                crate::read::Recogniser::new(move |rows| recognised_by(rows, &layouts));
        }
        Some(layout) => {
            read_options.recognise = crate::read::Recogniser::new(move |rows| {
                find_header(rows, &layout.detect).map(|_| format!("layout {}", layout.name))
            });
        }
    }
    read_options
}

/// The plan of an assignment: the inputs' roles and each spec column's source and samples.
fn describe(assignment: &Assignment, opts: &ConvertOptions, inferred: bool) -> Plan {
    let layout = &assignment.layout;
    let mut inputs = Vec::new();
    let roles = assignment
        .main
        .iter()
        .map(|(t, i)| ("main".to_string(), t, *i))
        .chain(
            assignment
                .lookups
                .iter()
                .map(|(name, (t, i))| (format!("lookup:{name}"), t, *i)),
        );
    for (role, table, index) in roles {
        let header = table.rows.get(index);
        inputs.push(PlannedInput {
            file: table.file_name(),
            role,
            format: table.format.clone(),
            header_line: header.map_or(0, |h| h.line),
            header: header.map_or_else(Vec::new, |h| h.cells.iter().map(str::to_string).collect()),
            bytes: table.size,
        });
    }
    let first = assignment.main.first();
    let columns = COLUMNS
        .iter()
        .map(|&column| planned_column(column, layout, first, assignment, opts))
        .collect();
    Plan {
        layout: layout.name.clone(),
        layout_description: layout.description.clone(),
        reason: assignment.reason.clone(),
        inferred,
        inputs,
        columns,
    }
}

/// One spec column's source and sample values.
fn planned_column(
    column: &'static str,
    layout: &Layout,
    first: Option<&(RawTable, usize)>,
    assignment: &Assignment,
    opts: &ConvertOptions,
) -> PlannedColumn {
    let mandatory = crate::spec::is_mandatory(column);
    let done = |source: String, samples: Vec<String>| PlannedColumn {
        column,
        mandatory,
        filled: source != "none",
        source,
        samples,
    };
    let o = &opts.overrides;
    let option = match column {
        "kopare_id" => o.buyer_id.as_ref().map(|v| ("--buyer-id", v)),
        "kopare" => o.buyer_name.as_ref().map(|v| ("--buyer-name", v)),
        "kommun_id" => o.kommun_id.as_ref().map(|v| ("--kommun-id", v)),
        _ => None,
    };
    if let Some((flag, value)) = option {
        return done(
            format!("option {flag} (or the profile)"),
            vec![value.clone()],
        );
    }
    let Some(rule) = layout.columns.get(column) else {
        return done("none".into(), Vec::new());
    };
    if let Some(c) = &rule.constant {
        return done(format!("constant '{c}'"), vec![c.clone()]);
    }
    if let Some(name) = &rule.lookup {
        let found = assignment.lookups.get(name).and_then(|(t, i)| {
            let header = header_of(t, *i);
            find_column(&header, &rule.names).map(|c| (t, *i, c, header))
        });
        return match found {
            Some((t, i, c, header)) => done(
                format!("lookup {name}: column '{}'", header[c]),
                samples(
                    t,
                    i,
                    c,
                    None,
                    opts,
                    supplier_columns(column, layout, &header),
                ),
            ),
            None => done("none".into(), Vec::new()),
        };
    }
    let Some((table, index)) = first else {
        return done("none".into(), Vec::new());
    };
    let header = header_of(table, *index);
    match find_column(&header, &rule.names) {
        Some(c) => {
            let mut source = format!("column '{}'", header[c]);
            match rule.split {
                Some(SplitPart::Code) => source.push_str(" (leading code)"),
                Some(SplitPart::Text) => source.push_str(" (text after the code)"),
                None => {}
            }
            let suppliers = supplier_columns(column, layout, &header);
            done(
                source,
                samples(table, *index, c, rule.split, opts, suppliers),
            )
        }
        None if rule.from_period => done("period (first day of the month)".into(), Vec::new()),
        None => done("none".into(), Vec::new()),
    }
}

fn header_of(table: &RawTable, index: usize) -> Vec<String> {
    table.rows.get(index).map_or_else(Vec::new, |h| {
        h.cells.iter().map(|c| c.trim().to_string()).collect()
    })
}

/// For the supplier's name or id column, where this table holds the name and the id (by the
/// layout's names), so that a sample is shown as the privacy rules publish it.
fn supplier_columns(
    column: &str,
    layout: &Layout,
    header: &[String],
) -> Option<(Option<usize>, Option<usize>)> {
    if column != "leverantor" && column != "leverantor_id" {
        return None;
    }
    let find = |c: &str| {
        layout
            .columns
            .get(c)
            .and_then(|r| find_column(header, &r.names))
    };
    Some((find("leverantor"), find("leverantor_id")))
}

/// The first values of a column below the header: personal numbers masked, and a supplier's
/// name and id as the privacy rules publish them (`suppliers`: the name and id columns).
fn samples(
    table: &RawTable,
    index: usize,
    column: usize,
    split: Option<SplitPart>,
    opts: &ConvertOptions,
    suppliers: Option<(Option<usize>, Option<usize>)>,
) -> Vec<String> {
    let policy = &opts.policy;
    table
        .rows
        .iter()
        .skip(index + 1)
        .filter(|r| !r.is_blank())
        .take(SAMPLE_ROWS)
        .map(|r| {
            let cell_at = |i: Option<usize>| i.and_then(|i| r.cells.get(i)).map(str::trim);
            if let Some((name, id)) = suppliers {
                let decision = crate::protect::decide(cell_at(name), cell_at(id), policy);
                if !matches!(decision, crate::protect::Decision::Publish { .. }) {
                    let is_name = name == Some(column);
                    let withheld = matches!(decision, crate::protect::Decision::Withhold(_));
                    return match (is_name, withheld, policy.masked_name()) {
                        (true, false, Some(shown)) => shown.to_string(),
                        (true, _, _) => WITHHELD.to_string(),
                        (false, _, _) => String::new(),
                    };
                }
            }
            let cell = r.cells.get(column).unwrap_or("").trim();
            let part = match split {
                Some(SplitPart::Code) => crate::map::split_code_text(cell).0.unwrap_or_default(),
                Some(SplitPart::Text) => crate::map::split_code_text(cell).1.unwrap_or_default(),
                None => cell.to_string(),
            };
            mask_numbers(&part, &policy.number_marker)
        })
        .collect()
}

/// A text with every personal number in it replaced by `marker`.
pub fn mask_numbers(text: &str, marker: &str) -> String {
    let found = crate::ident::find_personal_numbers(text);
    if found.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for m in found {
        out.push_str(&text[at..m.range.start]);
        out.push_str(marker);
        at = m.range.end;
    }
    out.push_str(&text[at..]);
    out
}

impl Plan {
    /// The plan in lines of text (what `reskontra detect` prints after the file's format).
    pub fn describe(&self) -> String {
        let mut lines = vec![
            format!("layout:       {}", self.layout),
            format!("why:          {}", self.reason),
        ];
        for input in &self.inputs {
            lines.push(format!(
                "input:        {} ({}, header on line {})",
                input.file, input.role, input.header_line
            ));
        }
        lines.push("mapping:".into());
        for c in &self.columns {
            let samples = if c.samples.is_empty() {
                String::new()
            } else {
                format!("   e.g. {}", c.samples.join(" | "))
            };
            lines.push(format!("  {:<20} <- {}{samples}", c.column, c.source));
        }
        lines.join("\n") + "\n"
    }
}

/// Inputs sorted into the main tables and the lookup tables of a layout.
pub struct Assignment {
    /// The layout.
    pub layout: Layout,
    /// Why it was chosen.
    pub reason: String,
    /// Main inputs: (table, header index).
    pub main: Vec<(RawTable, usize)>,
    /// Lookup inputs by lookup name.
    pub lookups: BTreeMap<String, (RawTable, usize)>,
}

fn near_miss_text(near: &[String]) -> String {
    if near.is_empty() {
        String::new()
    } else {
        format!("; closest layouts: {}", near.join(" | "))
    }
}

/// Choose the layout (given or detected) and sort the inputs into main and lookup tables.
pub fn assign(
    tables: Vec<RawTable>,
    chosen: Option<Layout>,
    extra: &[Layout],
) -> Result<Assignment> {
    let (layout, reason) = match chosen {
        Some(l) => {
            let reason = format!("chosen with --layout ({})", l.name);
            (l, reason)
        }
        None => detect_layout(&tables, extra)?,
    };
    let mut main = Vec::new();
    let mut lookups = BTreeMap::new();
    for table in tables {
        if let Some(idx) = find_header(&table.rows, &layout.detect) {
            main.push((table, idx));
            continue;
        }
        let lookup = layout.lookup.iter().find_map(|(name, rule)| {
            let rule = DetectRule {
                required: rule.required.clone(),
                absent: Vec::new(),
            };
            if lookups.contains_key(name) {
                return None;
            }
            find_header(&table.rows, &rule).map(|idx| (name.clone(), idx))
        });
        match lookup {
            Some((name, idx)) => {
                lookups.insert(name, (table, idx));
            }
            None => {
                let near = match detect(&table.rows, std::slice::from_ref(&layout)) {
                    Ok(_) => Vec::new(),
                    Err(near) => near,
                };
                return Err(Error::input(
                    &table.path,
                    format!(
                        "no header row of layout {} found in the first {} rows{}",
                        layout.name,
                        crate::layout::HEADER_SEARCH_ROWS,
                        near_miss_text(&near)
                    ),
                ));
            }
        }
    }
    if main.is_empty() {
        return Err(Error::Usage(format!(
            "none of the inputs is a main export of layout {} (only lookup tables were given)",
            layout.name
        )));
    }
    Ok(Assignment {
        layout,
        reason,
        main,
        lookups,
    })
}

/// What recognises a header among these rows: a layout's name, or the synonyms.
pub fn recognised_by(rows: &[RawRow], layouts: &[Layout]) -> Option<String> {
    match detect(rows, layouts) {
        Ok(d) => Some(format!("layout {}", d.layout.name)),
        Err(_) => crate::infer::infer(rows, crate::infer::Synonyms::builtin())
            .ok()
            .map(|_| "the synonyms".to_string()),
    }
}

/// Detect the layout among the built-in ones and `extra` (a publisher's own); when none
/// matches, infer one from the first input's header by the synonyms.
fn detect_layout(tables: &[RawTable], extra: &[Layout]) -> Result<(Layout, String)> {
    let mut layouts = Layout::builtin();
    layouts.extend(extra.iter().cloned());
    let mut first_near = Vec::new();
    for table in tables {
        match detect(&table.rows, &layouts) {
            Ok(Detection { layout, ties, .. }) if !ties.is_empty() => {
                return Err(Error::input(
                    &table.path,
                    format!(
                        "the header matches the layouts {} and {} equally well; give --layout NAME|PATH to choose",
                        layout.name,
                        ties.join(" and ")
                    ),
                ));
            }
            Ok(Detection {
                layout,
                reason,
                near_misses,
                ..
            }) => {
                let mut why = format!("detected from {}: {reason}", table.file_name());
                let also: Vec<&String> = near_misses
                    .iter()
                    .filter(|n| n.contains("also matches"))
                    .collect();
                if !also.is_empty() {
                    why.push_str(&format!(
                        " (other candidates: {})",
                        also.iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join("; ")
                    ));
                }
                return Ok((layout, why));
            }
            Err(near) if first_near.is_empty() => first_near = near,
            Err(_) => {}
        }
    }
    let Some(first) = tables.first() else {
        return Err(Error::Usage("give at least one INPUT file".into()));
    };
    let inferred = crate::infer::infer(&first.rows, crate::infer::Synonyms::builtin());
    match inferred {
        Ok(inference) => {
            let line = first.rows[inference.header_index].line;
            Ok((
                inference.layout.clone(),
                format!(
                    "no layout matches {}; inferred from its header (row {line}) by the synonyms of mappings/synonyms.toml: {}",
                    first.file_name(),
                    inference.explanation().join("; ")
                ),
            ))
        }
        Err(not) => Err(Error::input(
            &first.path,
            format!(
                "no built-in layout matches the header (searched the first {} rows){}; \
                 the synonyms cannot map it either ({}); give --layout NAME|PATH (see `reskontra layouts`), \
                 or write a layout with `reskontra layout draft FILE`",
                crate::layout::HEADER_SEARCH_ROWS,
                near_miss_text(&first_near),
                not.message()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(path: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
    }

    fn city_options(out: &std::path::Path) -> ConvertOptions {
        let mut opts = ConvertOptions::new(
            vec![sample("samples/city-csv/leverantorsfakturor-202405.csv")],
            out.to_path_buf(),
        );
        opts.use_policy(&sample("samples/policy.toml")).unwrap();
        opts
    }

    #[test]
    fn a_plan_names_the_layout_and_each_columns_source_before_any_row_is_converted() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let planned = plan(&city_options(&out)).unwrap();
        let p = &planned.plan;
        assert_eq!(p.layout, "city-csv");
        assert!(!p.inferred);
        assert_eq!(p.inputs.len(), 1);
        assert_eq!(p.inputs[0].role, "main");
        assert_eq!(p.inputs[0].format.delimiter.as_deref(), Some(";"));
        assert_eq!(p.columns.len(), 15);
        let col = |c: &str| p.columns.iter().find(|x| x.column == c).unwrap();
        assert_eq!(col("belopp").source, "column 'belopp'");
        assert_eq!(
            col("kopare_id").source,
            "option --buyer-id (or the profile)"
        );
        assert_eq!(col("kopare_id").samples, vec!["2120000142".to_string()]);
        assert_eq!(col("datum").source, "period (first day of the month)");
        assert!(col("avtal").source == "none" && !col("avtal").filled);
        // a supplier is shown as published: a masked one by the marker, its id empty
        let names = &col("leverantor").samples;
        let ids = &col("leverantor_id").samples;
        assert_eq!(names.len(), SAMPLE_ROWS);
        for (name, id) in names.iter().zip(ids) {
            if name == crate::protect::PERSON_MARKER {
                assert!(id.is_empty());
            }
            assert!(crate::ident::find_personal_numbers(id).is_empty(), "{id}");
        }
        assert!(!out.exists(), "planning writes nothing");
        let json = serde_json::to_string(p).unwrap();
        assert!(json.contains("\"layout\":\"city-csv\""));
        assert!(p.describe().contains("belopp"));
    }

    #[test]
    fn the_policy_fills_what_the_options_leave_unset() {
        let mut opts = ConvertOptions::new(vec![], PathBuf::from("out"));
        opts.overrides.buyer_name = Some("Annan kommun".into());
        opts.use_policy(&sample("samples/policy.toml")).unwrap();
        assert_eq!(opts.overrides.buyer_name.as_deref(), Some("Annan kommun"));
        assert_eq!(opts.overrides.buyer_id.as_deref(), Some("2120000142"));
        assert_eq!(opts.overrides.kommun_id.as_deref(), Some("0180"));
        assert!(opts.policy_path.is_some());
        assert!(plan(&opts).is_err(), "no inputs");
    }
}
