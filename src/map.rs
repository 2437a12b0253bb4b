//! Stage 3: map source columns to the 15 spec columns by a layout, into a polars DataFrame
//! of raw text (typing happens in the normalise stage).

use crate::batch::{column, Col, Reject};
use crate::date::Period;
use crate::error::{Error, Result};
use crate::layout::{find_column, ColumnRule, Layout, SplitPart};
use crate::read::{file_name, Cells, RawRow};
use crate::spec::COLUMNS;
use crate::table::SourceTable;
use crate::workers::parallel_map;
use polars::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Values that come from options (or the policy file) rather than from the data.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--buyer-id`.
    pub buyer_id: Option<String>,
    /// `--buyer-name`.
    pub buyer_name: Option<String>,
    /// `--kommun-id`.
    pub kommun_id: Option<String>,
    /// `--period`.
    pub period: Option<Period>,
}

/// Where one target column's values come from, for one input.
#[derive(Debug, Clone)]
enum Source {
    Column {
        index: usize,
        fallback: Option<usize>,
        split: Option<SplitPart>,
    },
    Constant(String),
    Lookup {
        table: String,
        main_key: usize,
        value: usize,
    },
    Missing,
}

/// A supplier register (`--suppliers`): supplier number → (name, organisation number).
#[derive(Debug, Clone, Default)]
pub struct SupplierRegister {
    entries: HashMap<String, (String, String)>,
}

const REGISTER_NUMBER: &[&str] = &[
    "leverantorsnummer",
    "leverantor_nr",
    "leverantorsnr",
    "levnr",
    "lev_nr",
    "levid",
    "supplier_id",
    "supplier_number",
    "supplier_no",
    "nummer",
    "nr",
    "id",
    "objekt",
];
const REGISTER_NAME: &[&str] = &[
    "namn",
    "name",
    "leverantor",
    "leverantorsnamn",
    "supplier_name",
    "levid_text",
];
const REGISTER_ORGNR: &[&str] = &[
    "organisationsnummer",
    "orgnr",
    "org_nr",
    "organisation_number",
    "organization_number",
    "leverantor_id",
];

impl SupplierRegister {
    /// Read a register (CSV or Excel) with a supplier-number column and a name and/or
    /// organisation-number column.
    pub fn load(
        path: &std::path::Path,
        options: &crate::read::ReadOptions,
    ) -> Result<SupplierRegister> {
        let table = crate::read::read_table(path, options)?;
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (number, name, orgnr) = (
            names(REGISTER_NUMBER),
            names(REGISTER_NAME),
            names(REGISTER_ORGNR),
        );
        let header_at = table
            .rows
            .iter()
            .take(crate::layout::HEADER_SEARCH_ROWS)
            .position(|r| {
                let cells = r.cells.to_vec();
                find_column(&cells, &number).is_some()
                    && (find_column(&cells, &name).is_some()
                        || find_column(&cells, &orgnr).is_some())
            });
        let Some(h) = header_at else {
            return Err(Error::input(
                path,
                format!(
                    "not a supplier register: need a supplier-number column ({}) and a name ({}) or organisation-number ({}) column",
                    REGISTER_NUMBER.join(", "),
                    REGISTER_NAME.join(", "),
                    REGISTER_ORGNR.join(", ")
                ),
            ));
        };
        let header = &table.rows[h].cells.to_vec();
        let number_col = find_column(header, &number);
        let name_col = find_column(header, &name);
        let orgnr_col = find_column(header, &orgnr);
        let cell = |r: &RawRow, c: Option<usize>| {
            c.and_then(|i| r.cells.get(i))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let mut entries = HashMap::new();
        for r in &table.rows[h + 1..] {
            let key = cell(r, number_col);
            if !key.is_empty() {
                entries
                    .entry(key)
                    .or_insert_with(|| (cell(r, name_col), cell(r, orgnr_col)));
            }
        }
        Ok(SupplierRegister { entries })
    }

    /// Number of suppliers in the register.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the register is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// How the supplier register matched (counts only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RegisterCounts {
    /// Rows whose supplier number was found.
    pub matched: u64,
    /// Rows whose supplier number was not found (they follow the rules for suppliers
    /// without a usable id).
    pub unmatched: u64,
}

/// What the map stage tells the report.
#[derive(Debug, Clone, Default)]
pub struct MapInfo {
    /// Supplier register matches, when a register was given.
    pub register: Option<RegisterCounts>,
    /// Where each target column came from, in words.
    pub sources: BTreeMap<String, String>,
    /// Periods used for inputs without a date column, by file.
    pub periods: BTreeMap<String, String>,
    /// Lookup keys not found, by lookup name (counts only, never values).
    pub lookup_misses: BTreeMap<String, u64>,
    /// Cells holding a placeholder the layout reads as empty (`-`), by target column.
    pub placeholders: BTreeMap<String, u64>,
    /// Rows whose own buyer value (not an organisation number: a name, an internal code) was
    /// replaced by the buyer given.
    pub buyer_replaced: u64,
}

impl MapInfo {
    /// Add what mapping another batch of rows told.
    pub fn merge(&mut self, other: MapInfo) {
        for (target, source) in other.sources {
            self.sources.entry(target).or_insert(source);
        }
        self.periods.extend(other.periods);
        for (name, n) in other.lookup_misses {
            *self.lookup_misses.entry(name).or_insert(0) += n;
        }
        for (target, n) in other.placeholders {
            *self.placeholders.entry(target).or_insert(0) += n;
        }
        self.buyer_replaced += other.buyer_replaced;
        if let Some(r) = other.register {
            let mine = self.register.get_or_insert_with(RegisterCounts::default);
            mine.matched += r.matched;
            mine.unmatched += r.unmatched;
        }
    }
}

/// The lookup tables a layout joins, keyed for the map stage (built once per run).
pub struct Lookups(BTreeMap<String, LookupTable>);

impl Lookups {
    /// Key the lookup inputs by the layout's key columns; a mandatory lookup without an input
    /// is a usage error.
    pub fn prepare(
        lookup_tables: &BTreeMap<String, SourceTable>,
        layout: &Layout,
    ) -> Result<Lookups> {
        let mut lookups = BTreeMap::new();
        for (name, rule) in &layout.lookup {
            match lookup_tables.get(name) {
                Some(t) => {
                    lookups.insert(name.clone(), build_lookup(t, &rule.key, name)?);
                }
                None if rule.mandatory => {
                    return Err(Error::Usage(format!(
                        "layout {} needs a second input for lookup '{name}' (a file with the \
                         columns {}); give it as another INPUT",
                        layout.name,
                        rule.required.join(", ")
                    )))
                }
                None => {}
            }
        }
        Ok(Lookups(lookups))
    }
}

/// A lookup table: key → row cells.
struct LookupTable {
    header: Vec<String>,
    rows: HashMap<String, Cells>,
}

fn build_lookup(table: &SourceTable, rule_key: &[String], name: &str) -> Result<LookupTable> {
    let key = find_column(&table.header, rule_key).ok_or_else(|| {
        Error::input(
            &table.path,
            format!("lookup {name}: no key column ({})", rule_key.join(", ")),
        )
    })?;
    let mut rows = HashMap::new();
    for row in &table.rows {
        if let Some(k) = row.cells.get(key) {
            rows.entry(k.trim().to_string())
                .or_insert_with(|| row.cells.clone());
        }
    }
    Ok(LookupTable {
        header: table.header.clone(),
        rows,
    })
}

fn rule_for<'a>(layout: &'a Layout, target: &str) -> Option<&'a ColumnRule> {
    layout.columns.get(target)
}

/// Resolve the source of every target for one input table.
fn resolve_sources(
    table: &SourceTable,
    layout: &Layout,
    lookups: &BTreeMap<String, LookupTable>,
    info: &mut MapInfo,
) -> Result<Vec<(Source, Option<&'static str>)>> {
    let mut out = Vec::with_capacity(COLUMNS.len());
    for target in COLUMNS {
        let Some(rule) = rule_for(layout, target) else {
            out.push((Source::Missing, None));
            continue;
        };
        let source = if let Some(c) = &rule.constant {
            Source::Constant(c.clone())
        } else if let Some(lname) = &rule.lookup {
            let lrule = &layout.lookup[lname];
            match lookups.get(lname) {
                Some(lt) => {
                    let main_key =
                        find_column(&table.header, &lrule.main_key).ok_or_else(|| {
                            Error::input(
                                &table.path,
                                format!(
                                    "no column for the {lname} key ({})",
                                    lrule.main_key.join(", ")
                                ),
                            )
                        })?;
                    let value = find_column(&lt.header, &rule.names).ok_or_else(|| {
                        Error::input(
                            &table.path,
                            format!(
                                "lookup {lname} has no column for {target} ({})",
                                rule.names.join(", ")
                            ),
                        )
                    })?;
                    Source::Lookup {
                        table: lname.clone(),
                        main_key,
                        value,
                    }
                }
                None => Source::Missing,
            }
        } else {
            match find_column(&table.header, &rule.names) {
                Some(index) => {
                    check_unique(table, index)?;
                    Source::Column {
                        index,
                        fallback: find_column(&table.header, &rule.fallback),
                        split: rule.split,
                    }
                }
                None => Source::Missing,
            }
        };
        let describe = match &source {
            Source::Column { index, split, .. } => {
                let mut s = format!("column '{}'", table.header[*index]);
                if let Some(p) = split {
                    s.push_str(match p {
                        SplitPart::Code => " (leading code)",
                        SplitPart::Text => " (text after the code)",
                    });
                }
                s
            }
            Source::Constant(_) => "layout constant".to_string(),
            Source::Lookup { table, value, .. } => {
                format!("lookup {table}: column '{}'", lookups[table].header[*value])
            }
            Source::Missing if rule.from_period => "period (first day of the month)".to_string(),
            Source::Missing => "none".to_string(),
        };
        info.sources.entry(target.to_string()).or_insert(describe);
        out.push((source, Some(target)));
    }
    Ok(out)
}

/// A column the layout uses must appear once in the header.
fn check_unique(table: &SourceTable, index: usize) -> Result<()> {
    let names = crate::layout::normalise_header(&table.header);
    if names.iter().filter(|n| **n == names[index]).count() > 1 {
        return Err(Error::input(
            &table.path,
            format!("the header has the column '{}' twice", table.header[index]),
        ));
    }
    Ok(())
}

fn is_empty_value(value: &str, column_empty: &[String], global_empty: &[String]) -> bool {
    let v = value.trim();
    v.is_empty()
        || column_empty
            .iter()
            .chain(global_empty)
            .any(|e| e.eq_ignore_ascii_case(v))
}

/// Split `46362 Köp medicinskt material` into code and text.
pub fn split_code_text(cell: &str) -> (Option<String>, Option<String>) {
    let t = cell.trim();
    let code_len = t.bytes().take_while(u8::is_ascii_digit).count();
    if code_len == 0 {
        return (None, (!t.is_empty()).then(|| t.to_string()));
    }
    let code = t[..code_len].to_string();
    let rest = t[code_len..]
        .trim_start_matches([' ', '-', '–', ':', '.', '\t'])
        .trim();
    (Some(code), (!rest.is_empty()).then(|| rest.to_string()))
}

/// The value of one target in one row, before the supplier register and the period.
fn cell_value<'a>(
    row: &'a RawRow,
    source: &'a Source,
    rule: Option<&ColumnRule>,
    global_empty: &[String],
    lookups: &'a BTreeMap<String, LookupTable>,
) -> Option<Cow<'a, str>> {
    let column_empty: &[String] = rule.map_or(&[], |r| r.empty_values.as_slice());
    let get = |i: usize| {
        row.cells
            .get(i)
            .filter(|v| !is_empty_value(v, column_empty, global_empty))
            .map(Cow::Borrowed)
    };
    match source {
        Source::Column {
            index,
            fallback,
            split,
        } => {
            let v = get(*index).or_else(|| fallback.and_then(get))?;
            let Some(split) = split else {
                return Some(v);
            };
            // a personal number must not be cut in two by the split
            let v = crate::ident::redact_personal_numbers(&v, crate::ident::NUMBER_MARKER).0;
            match split {
                SplitPart::Code => split_code_text(&v).0.map(Cow::Owned),
                SplitPart::Text => split_code_text(&v).1.map(Cow::Owned),
            }
        }
        Source::Constant(c) => Some(Cow::Borrowed(c.as_str())),
        Source::Lookup {
            table,
            main_key,
            value,
        } => {
            let key = row.cells.get(*main_key)?.trim();
            if key.is_empty() {
                return None;
            }
            lookups
                .get(table)
                .and_then(|t| t.rows.get(key))
                .and_then(|cells| cells.get(*value))
                .filter(|v| !is_empty_value(v, column_empty, global_empty))
                .map(Cow::Borrowed)
        }
        Source::Missing => None,
    }
}

/// Where the period for an input comes from: the option, else the file name.
fn period_for(table: &SourceTable, overrides: &Overrides) -> Result<Period> {
    overrides
        .period
        .or_else(|| Period::from_file_name(&file_name(&table.path)))
        .ok_or_else(|| {
            Error::input(
                &table.path,
                "the layout has no date column and no period was found: give --period YYYY-MM \
                 or put YYYY-MM (or YYYYMM) in the file name",
            )
        })
}

/// How one input table fills the target columns.
struct TablePlan<'a> {
    table: &'a SourceTable,
    /// Per target, its source and rule; `None` when an option sets the whole column.
    targets: Vec<Option<(Source, Option<&'a ColumnRule>)>>,
    /// The date for rows of a layout without a date column.
    period_day: Option<String>,
}

impl TablePlan<'_> {
    fn height(&self) -> usize {
        self.table.rows.len() + self.table.broken.len()
    }
}

/// The bookkeeping columns, filled row by row.
#[derive(Default)]
struct Meta<'a> {
    /// Index into `files` per row.
    file: Vec<u32>,
    files: Vec<String>,
    row: Vec<u64>,
    secret: Vec<bool>,
    reject: Vec<Option<String>>,
    /// The register entry matched by each row's supplier number.
    register_hit: Vec<Option<&'a (String, String)>>,
}

impl Meta<'_> {
    fn push(&mut self, line: u64, secret: bool, reject: Option<String>) {
        let file = u32::try_from(self.files.len().saturating_sub(1)).unwrap_or(u32::MAX);
        self.file.push(file);
        self.row.push(line);
        self.secret.push(secret);
        self.reject.push(reject);
    }
}

/// Build one target column over every table's rows (broken rows get null); with the number
/// of cells a placeholder of the layout (`-`) made empty.
fn build_column(
    ti: usize,
    plans: &[TablePlan<'_>],
    layout: &Layout,
    lookups: &BTreeMap<String, LookupTable>,
    register_hit: &[Option<&(String, String)>],
) -> (StringChunked, u64) {
    let height = plans.iter().map(TablePlan::height).sum();
    let mut builder = StringChunkedBuilder::new(COLUMNS[ti].into(), height);
    let (is_date, is_id, is_name) = (ti == DATUM, ti == LEVERANTOR_ID, ti == LEVERANTOR);
    let mut at = 0usize;
    let mut placeholders = 0u64;
    for plan in plans {
        let Some((source, rule)) = &plan.targets[ti] else {
            continue;
        };
        let column_at = match source {
            Source::Column { index, .. } => Some(*index),
            _ => None,
        };
        for row in &plan.table.rows {
            let mut value = cell_value(row, source, *rule, &layout.read.empty_values, lookups);
            if value.is_none() {
                let raw = column_at.and_then(|i| row.cells.get(i));
                placeholders += u64::from(raw.is_some_and(|v| !v.trim().is_empty()));
            }
            if is_date && value.is_none() {
                value = plan.period_day.as_deref().map(Cow::Borrowed);
            }
            if let Some(Some((name, orgnr))) = register_hit.get(at) {
                if is_id {
                    value = Some(Cow::Borrowed(orgnr.as_str()));
                } else if is_name && !name.is_empty() {
                    value = Some(Cow::Borrowed(name.as_str()));
                }
            }
            builder.append_option(value.as_deref());
            at += 1;
        }
        for _ in &plan.table.broken {
            builder.append_null();
            at += 1;
        }
    }
    (builder.finish(), placeholders)
}

/// Build the target columns, on two threads (each column is independent of the others);
/// `constants` (options such as `--buyer-id`) fill whole columns.
fn build_columns(
    plans: &[TablePlan<'_>],
    layout: &Layout,
    lookups: &BTreeMap<String, LookupTable>,
    register_hit: &[Option<&(String, String)>],
    constants: &[(usize, &str)],
    info: &mut MapInfo,
) -> Result<Vec<Column>> {
    let height: usize = plans.iter().map(TablePlan::height).sum();
    let built: Vec<usize> = (0..COLUMNS.len())
        .filter(|ti| !constants.iter().any(|(at, _)| at == ti))
        .collect();
    let built = parallel_map(&built, |ti| {
        (*ti, build_column(*ti, plans, layout, lookups, register_hit))
    })
    .map_err(|_| Error::Internal("a column builder thread failed".into()))?;
    let mut columns: BTreeMap<usize, StringChunked> = BTreeMap::new();
    for (ti, (values, placeholders)) in built {
        if placeholders > 0 {
            *info
                .placeholders
                .entry(COLUMNS[ti].to_string())
                .or_insert(0) += placeholders;
        }
        columns.insert(ti, values);
    }
    for (ti, value) in constants {
        columns.insert(*ti, StringChunked::full(COLUMNS[*ti].into(), value, height));
    }
    Ok(columns.into_values().map(IntoColumn::into_column).collect())
}

/// Positions of the targets that the map stage treats specially.
const KOPARE_ID: usize = Col::KopareId.position();
const LEVERANTOR: usize = Col::Leverantor.position();
const LEVERANTOR_ID: usize = Col::LeverantorId.position();
const DATUM: usize = Col::Datum.position();

/// The raw cells of a row joined for review files.
pub fn raw_line(cells: &Cells) -> String {
    cells.iter().collect::<Vec<_>>().join(" | ")
}

fn secrecy_index(table: &SourceTable, layout: &Layout) -> Option<(usize, Vec<String>)> {
    let rule = layout.secrecy.as_ref()?;
    let idx = find_column(&table.header, &rule.names)?;
    Some((idx, rule.secret_values.clone()))
}

fn filter_indexes(table: &SourceTable, layout: &Layout) -> Vec<(usize, String, Vec<String>)> {
    layout
        .filter
        .iter()
        .filter_map(|f| {
            let idx = find_column(&table.header, &f.names)?;
            Some((idx, table.header[idx].clone(), f.keep.clone()))
        })
        .collect()
}

/// Map the main tables to a DataFrame with the 15 columns (raw text) and bookkeeping columns.
pub fn map_tables<'a>(
    tables: &'a [SourceTable],
    lookups: &Lookups,
    layout: &'a Layout,
    overrides: &'a Overrides,
    register: Option<&'a SupplierRegister>,
) -> Result<(DataFrame, MapInfo)> {
    let mut info = MapInfo::default();
    let lookups = &lookups.0;
    let constants = override_constants(overrides, &mut info);
    let mut plans = Vec::with_capacity(tables.len());
    for table in tables {
        let sources = resolve_sources(table, layout, lookups, &mut info)?;
        check_mandatory_sources(table, layout, &sources, overrides)?;
        info.buyer_replaced +=
            check_buyer_agrees(table, &sources[KOPARE_ID].0, layout, overrides, lookups)?;
        let period = needs_period(layout, &sources)
            .then(|| period_for(table, overrides))
            .transpose()?;
        if let Some(p) = period {
            info.periods.insert(file_name(&table.path), p.to_string());
        }
        let targets = sources
            .into_iter()
            .enumerate()
            .map(|(ti, (source, target))| {
                let constant = constants.iter().any(|(at, _)| *at == ti);
                (!constant).then(|| (source, target.and_then(|t| rule_for(layout, t))))
            })
            .collect();
        plans.push(TablePlan {
            table,
            targets,
            period_day: period.map(|p| p.first_day().to_string()),
        });
    }
    let meta = row_meta(&plans, layout, lookups, register, &mut info);
    let mut columns: Vec<Column> = Vec::with_capacity(COLUMNS.len() + 4);
    let files = &meta.files;
    let file: StringChunked = meta
        .file
        .iter()
        .map(|i| files.get(*i as usize).map(String::as_str))
        .collect();
    columns.push(file.with_name(Col::File.named()).into_column());
    columns.push(column(Col::Row, &meta.row));
    columns.extend(build_columns(
        &plans,
        layout,
        lookups,
        &meta.register_hit,
        &constants,
        &mut info,
    )?);
    columns.push(column(Col::Secret, &meta.secret));
    columns.push(column(Col::Reject, &meta.reject));
    Ok((DataFrame::new(meta.row.len(), columns)?, info))
}

/// The bookkeeping of every row (file, line, secrecy, filter rejections), the supplier
/// register's matches, and the rows whose lookup key was not found.
fn row_meta<'a>(
    plans: &[TablePlan<'_>],
    layout: &Layout,
    lookups: &BTreeMap<String, LookupTable>,
    register: Option<&'a SupplierRegister>,
    info: &mut MapInfo,
) -> Meta<'a> {
    let mut meta = Meta::default();
    let mut counts = RegisterCounts::default();
    for plan in plans {
        let table = plan.table;
        meta.files.push(file_name(&table.path));
        let secrecy = secrecy_index(table, layout);
        let filters = filter_indexes(table, layout);
        // the lookups the table's columns use, by table name and key column
        let used: BTreeSet<(&str, usize)> = plan
            .targets
            .iter()
            .flatten()
            .filter_map(|(source, _)| match source {
                Source::Lookup {
                    table, main_key, ..
                } => Some((table.as_str(), *main_key)),
                _ => None,
            })
            .collect();
        let id_source = plan.targets[LEVERANTOR_ID].as_ref();
        for row in &table.rows {
            let secret = secrecy.as_ref().is_some_and(|(i, values)| {
                row.cells
                    .get(*i)
                    .is_some_and(|v| values.iter().any(|s| s.eq_ignore_ascii_case(v.trim())))
            });
            let reject = filters.iter().find_map(|(i, name, keep)| {
                let v = row.cells.get(*i).map_or("", |v| v.trim());
                (!keep.iter().any(|k| k.eq_ignore_ascii_case(v))).then(|| {
                    // a status value is shown, but never a personal number in it
                    let shown: String = v.chars().take(40).collect();
                    let (shown, _) =
                        crate::ident::redact_personal_numbers(&shown, crate::ident::NUMBER_MARKER);
                    Reject::Filtered {
                        column: name.to_string(),
                        shown,
                        kept: keep.join("/"),
                    }
                    .to_string()
                })
            });
            let mut missed: Option<&str> = None;
            for (name, key_at) in &used {
                let key = row.cells.get(*key_at).map_or("", str::trim);
                let found = lookups.get(*name).is_some_and(|t| t.rows.contains_key(key));
                if !key.is_empty() && !found && missed != Some(name) {
                    *info.lookup_misses.entry(name.to_string()).or_insert(0) += 1;
                    missed = Some(name);
                }
            }
            let hit = register
                .zip(id_source)
                .and_then(|(register, (source, rule))| {
                    let id = cell_value(row, source, *rule, &layout.read.empty_values, lookups)?;
                    register_entry(register, &id, &mut counts)
                });
            meta.register_hit.push(hit);
            meta.push(row.line, secret, reject);
        }
        for broken in &table.broken {
            meta.register_hit.push(None);
            meta.push(
                broken.row.line,
                false,
                Some(Reject::Broken(broken.reason.clone()).to_string()),
            );
        }
    }
    info.register = register.map(|_| counts);
    meta
}

/// The register's entry (name, organisation number) for a supplier number, counted.
fn register_entry<'a>(
    register: &'a SupplierRegister,
    id: &str,
    counts: &mut RegisterCounts,
) -> Option<&'a (String, String)> {
    let key = id.trim();
    if key.is_empty() {
        return None;
    }
    let entry = register.entries.get(key);
    match entry {
        Some(_) => counts.matched += 1,
        None => counts.unmatched += 1,
    }
    entry
}

fn needs_period(layout: &Layout, sources: &[(Source, Option<&'static str>)]) -> bool {
    matches!(sources[DATUM].0, Source::Missing)
        && rule_for(layout, Col::Datum.name()).is_some_and(|r| r.from_period)
}

/// The columns that options set for every row, by column index.
fn override_constants<'a>(overrides: &'a Overrides, info: &mut MapInfo) -> Vec<(usize, &'a str)> {
    let set = [
        ("kopare_id", &overrides.buyer_id, "option --buyer-id"),
        ("kopare", &overrides.buyer_name, "option --buyer-name"),
        ("kommun_id", &overrides.kommun_id, "option --kommun-id"),
    ];
    let mut constants = Vec::new();
    for (target, value, how) in set {
        if let (Some(v), Some(i)) = (value, COLUMNS.iter().position(|c| *c == target)) {
            constants.push((i, v.as_str()));
            info.sources.insert(target.to_string(), how.to_string());
        }
    }
    constants
}

/// A buyer given by an option or the profile fills the buyer's column; it must not relabel
/// rows that carry another buyer's organisation number of their own. Returns how many rows
/// carry a buyer value that is no organisation number (replaced by the buyer given, and said).
fn check_buyer_agrees(
    table: &SourceTable,
    source: &Source,
    layout: &Layout,
    overrides: &Overrides,
    lookups: &BTreeMap<String, LookupTable>,
) -> Result<u64> {
    let (Some(given), Source::Column { index, .. }) = (&overrides.buyer_id, source) else {
        return Ok(0);
    };
    let rule = rule_for(layout, Col::KopareId.name());
    let mut last = String::new();
    let mut last_was_other = false;
    let mut replaced = 0;
    for row in &table.rows {
        let Some(value) = cell_value(row, source, rule, &layout.read.empty_values, lookups) else {
            continue;
        };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        if value == last {
            replaced += u64::from(last_was_other);
            continue;
        }
        let kind = crate::ident::classify_id(value);
        last_was_other = !matches!(kind, crate::ident::IdKind::Organisation(_));
        replaced += u64::from(last_was_other);
        if let crate::ident::IdKind::Organisation(ten) = kind {
            if ten != *given {
                return Err(Error::Cell {
                    path: table.path.clone(),
                    row: row.line,
                    column: table.header.get(*index).cloned().unwrap_or_default(),
                    message: format!(
                        "the row's buyer is {ten}, but the buyer given (the profile or --buyer-id) \
                         is {given}: the rows would be published as another buyer's. Correct the \
                         buyer given, or convert without it (the rows carry their own)"
                    ),
                });
            }
        }
        last = value.to_string();
    }
    Ok(replaced)
}

/// Every mandatory target needs a source: a column, a lookup, a period or an option.
fn check_mandatory_sources(
    table: &SourceTable,
    layout: &Layout,
    sources: &[(Source, Option<&'static str>)],
    overrides: &Overrides,
) -> Result<()> {
    for (i, (source, _)) in sources.iter().enumerate() {
        let target = Col::SPEC[i];
        // leverantor_id may be absent: the privacy rules decide from the name
        if !matches!(source, Source::Missing)
            || !crate::spec::is_mandatory(target.name())
            || target == Col::LeverantorId
        {
            continue;
        }
        let rule = rule_for(layout, target.name());
        let covered = match target {
            Col::KopareId => overrides.buyer_id.is_some(),
            Col::Kopare => overrides.buyer_name.is_some(),
            Col::Datum => rule.is_some_and(|r| r.from_period),
            // lookups that were not given are reported in map_tables
            _ => rule.is_some_and(|r| r.lookup.is_some()),
        };
        if covered {
            continue;
        }
        let message = match (target, rule) {
            (Col::KopareId, _) => {
                "the buyer's organisation number (kopare_id) is not in the data: give --buyer-id"
                    .to_string()
            }
            (Col::Kopare, _) => {
                "the buyer's name (kopare) is not in the data: give --buyer-name".to_string()
            }
            (_, Some(r)) if !r.names.is_empty() => format!(
                "no column for {target} (layout {} accepts: {})",
                layout.name,
                r.names.join(", ")
            ),
            _ => format!(
                "layout {} gives no source for the mandatory column {target}",
                layout.name
            ),
        };
        return Err(Error::input(&table.path, message));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_target_positions() {
        assert_eq!(COLUMNS[LEVERANTOR], "leverantor");
        assert_eq!(COLUMNS[LEVERANTOR_ID], "leverantor_id");
        assert_eq!(COLUMNS[DATUM], "datum");
    }

    #[test]
    fn composite_account_cells() {
        assert_eq!(
            split_code_text("46362 Köp medicinskt material"),
            (Some("46362".into()), Some("Köp medicinskt material".into()))
        );
        assert_eq!(
            split_code_text("4010 - Inköp"),
            (Some("4010".into()), Some("Inköp".into()))
        );
        assert_eq!(split_code_text("4010"), (Some("4010".into()), None));
        assert_eq!(split_code_text("Inköp"), (None, Some("Inköp".into())));
        assert_eq!(split_code_text(""), (None, None));
    }
}
