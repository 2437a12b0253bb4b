//! Layouts inferred from a header by synonyms, for exports no layout matches.
//!
//! `mappings/synonyms.toml` lists the names ERPs, BI tools and publishers use for each spec
//! column. A header cell matches a name when their normalised forms ([`normalise_name`]: case,
//! spacing, punctuation and diacritics ignored) are equal, or, at a lower rank, when the cell is
//! a name cut short as BI tools write them (five letters or more that begin the name:
//! `ORGANISATIO`). Each spec column takes its one best candidate; two equally good candidates
//! for a column whose names are no preference (two amount columns) make the export ambiguous,
//! and a missing mandatory column makes it incomplete: then nothing is guessed, and the
//! candidates are listed. An amount column is never chosen by its values; only a composite
//! account cell (`46362 Köp material`) is recognised by its values, to split it.

use crate::error::{Error, Result};
use crate::layout::{
    normalise_name, ColumnRule, DetectRule, Layout, SplitPart, HEADER_SEARCH_ROWS,
};
use crate::read::RawRow;
use crate::spec;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The names one spec column goes by.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSynonyms {
    /// Names, most preferred first.
    pub names: Vec<String>,
    /// Whether the order is a preference (else two matching columns are ambiguous).
    #[serde(default)]
    pub ordered: bool,
    /// A spec column whose source to take when none of the names is there.
    pub otherwise: Option<String>,
}

/// The synonym dictionary.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Synonyms {
    /// Per spec column.
    pub columns: BTreeMap<String, ColumnSynonyms>,
}

const BUILTIN: &str = include_str!("../mappings/synonyms.toml");

impl Synonyms {
    /// The built-in dictionary (`mappings/synonyms.toml`).
    pub fn builtin() -> &'static Synonyms {
        static PARSED: std::sync::OnceLock<Synonyms> = std::sync::OnceLock::new();
        PARSED.get_or_init(|| {
            Synonyms::from_toml(BUILTIN).unwrap_or(Synonyms {
                columns: BTreeMap::new(),
            })
        })
    }

    /// Parse and check a dictionary.
    pub fn from_toml(text: &str) -> Result<Synonyms> {
        let bad = |message: String| Error::Layout {
            name: "synonyms.toml".into(),
            message,
        };
        let synonyms: Synonyms = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for (column, entry) in &synonyms.columns {
            if spec::column_index(column).is_none() {
                return Err(bad(format!("unknown spec column '{column}'")));
            }
            for name in &entry.names {
                match seen.insert(normalise_name(name), column) {
                    Some(other) if other != column => {
                        return Err(bad(format!(
                            "'{name}' is a name of both {other} and {column}"
                        )))
                    }
                    _ => {}
                }
            }
        }
        Ok(synonyms)
    }
}

/// How well a header cell matches a column's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    /// The same name.
    Exact,
    /// A name cut short.
    Truncated,
}

/// A header cell that may be a spec column's source.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Candidate {
    cell: usize,
    tier: Tier,
    /// The matched name's place in the column's list.
    rank: usize,
}

/// The shortest header name that may be a name cut short.
const MIN_TRUNCATED: usize = 5;

fn tier_of(cell: &str, name: &str) -> Option<Tier> {
    if cell.is_empty() {
        None
    } else if cell == name {
        Some(Tier::Exact)
    } else if cell.chars().count() >= MIN_TRUNCATED && name.starts_with(cell) {
        Some(Tier::Truncated)
    } else {
        None
    }
}

/// Every column's candidates among a header's cells (a cell's best tier only).
fn candidates(header: &[String], synonyms: &Synonyms) -> BTreeMap<String, Vec<Candidate>> {
    let cells: Vec<String> = header.iter().map(|c| normalise_name(c)).collect();
    let mut claims: Vec<(String, Candidate)> = Vec::new();
    for (column, entry) in &synonyms.columns {
        for (cell, text) in cells.iter().enumerate() {
            let best = entry
                .names
                .iter()
                .enumerate()
                .filter_map(|(rank, n)| tier_of(text, &normalise_name(n)).map(|t| (t, rank)))
                .min();
            if let Some((tier, rank)) = best {
                claims.push((column.clone(), Candidate { cell, tier, rank }));
            }
        }
    }
    // a cell that is exactly one column's name is no cut-short name of another's
    let exact: Vec<usize> = claims
        .iter()
        .filter(|(_, c)| c.tier == Tier::Exact)
        .map(|(_, c)| c.cell)
        .collect();
    let mut by_column: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
    for (column, c) in claims {
        if c.tier == Tier::Truncated && exact.contains(&c.cell) {
            continue;
        }
        by_column.entry(column).or_default().push(c);
    }
    by_column
}

/// Where an inferred column comes from, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    /// The spec column.
    pub column: String,
    /// The source header cell, when one.
    pub source: Option<String>,
    /// Why, in words.
    pub why: String,
}

/// A layout inferred for a header.
#[derive(Debug, Clone)]
pub struct Inference {
    /// The layout (name `inferred`).
    pub layout: Layout,
    /// The header row's index among the rows.
    pub header_index: usize,
    /// Spec column by spec column.
    pub mapping: Vec<Mapped>,
    /// Source columns no spec column takes.
    pub unmapped: Vec<String>,
}

impl Inference {
    /// One line per spec column: `belopp ← 'Belopp exkl moms' (name: belopp exkl moms)`.
    pub fn explanation(&self) -> Vec<String> {
        self.mapping
            .iter()
            .map(|m| match &m.source {
                Some(s) => format!("{} <- '{s}' ({})", m.column, m.why),
                None => format!("{} <- {}", m.column, m.why),
            })
            .collect()
    }
}

/// Why no layout could be inferred.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotInferred {
    /// Mandatory columns no header cell names, with the unmapped cells as candidates.
    pub missing: Vec<String>,
    /// Columns with more than one equally good candidate, and the candidates.
    pub ambiguous: Vec<(String, Vec<String>)>,
    /// What was found.
    pub found: Vec<String>,
    /// Header cells no column takes.
    pub unmapped: Vec<String>,
}

impl NotInferred {
    /// The explanation in one paragraph.
    pub fn message(&self) -> String {
        let mut parts = Vec::new();
        if !self.ambiguous.is_empty() {
            let a: Vec<String> = self
                .ambiguous
                .iter()
                .map(|(c, cands)| {
                    let quoted: Vec<String> = cands.iter().map(|s| format!("'{s}'")).collect();
                    format!("{c} could be {}", quoted.join(" or "))
                })
                .collect();
            parts.push(format!("ambiguous: {}", a.join("; ")));
        }
        if !self.missing.is_empty() {
            parts.push(format!("no column for {}", self.missing.join(", ")));
        }
        if !self.unmapped.is_empty() {
            let quoted: Vec<String> = self.unmapped.iter().map(|s| format!("'{s}'")).collect();
            parts.push(format!("columns not used: {}", quoted.join(", ")));
        }
        if !self.found.is_empty() {
            parts.push(format!("found {}", self.found.join(", ")));
        }
        parts.join("; ")
    }
}

/// The spec columns an export must give (the buyer may come from options instead, the date
/// from the period).
const MANDATORY: &[&str] = &[
    "verifikationsnummer",
    "leverantor",
    "leverantor_id",
    "konto_nr",
    "konto_text",
    "belopp",
];

/// A column with more than one equally good candidate cell.
type Unresolved = (String, Vec<usize>);

/// Choose each column's source: repeatedly the column with one best candidate, whose cell
/// then serves no other column.
fn resolve(
    mut cands: BTreeMap<String, Vec<Candidate>>,
    synonyms: &Synonyms,
) -> (BTreeMap<String, Candidate>, Vec<Unresolved>) {
    let mut chosen: BTreeMap<String, Candidate> = BTreeMap::new();
    loop {
        let pick = cands.iter().find_map(|(column, list)| {
            let ordered = synonyms.columns.get(column).is_some_and(|e| e.ordered);
            let best = list
                .iter()
                .min_by_key(|c| (c.tier, if ordered { c.rank } else { 0 }))?;
            let ties = list
                .iter()
                .filter(|c| c.tier == best.tier && (!ordered || c.rank == best.rank))
                .count();
            (ties == 1).then(|| (column.clone(), best.clone()))
        });
        let Some((column, best)) = pick else {
            break;
        };
        cands.remove(&column);
        for list in cands.values_mut() {
            list.retain(|c| c.cell != best.cell);
        }
        cands.retain(|_, list| !list.is_empty());
        chosen.insert(column, best);
    }
    let ambiguous = cands
        .into_iter()
        .map(|(column, list)| (column, list.into_iter().map(|c| c.cell).collect()))
        .collect();
    (chosen, ambiguous)
}

/// Whether a column's first values look like composite account cells (`46362 Köp material`).
pub fn is_composite_account(rows: &[RawRow], header_index: usize, cell: usize) -> bool {
    let values: Vec<&str> = rows
        .iter()
        .skip(header_index + 1)
        .filter(|r| !r.is_blank())
        .take(20)
        .filter_map(|r| r.cells.get(cell))
        .filter(|v| !v.trim().is_empty())
        .collect();
    let composite = |v: &&str| {
        let t = v.trim();
        let digits = t.chars().take_while(char::is_ascii_digit).count();
        digits >= 3
            && t[digits..].starts_with(' ')
            && t[digits..].trim().chars().any(char::is_alphabetic)
    };
    !values.is_empty() && values.iter().filter(|v| composite(v)).count() * 5 >= values.len() * 4
}

/// Infer a layout for one header row: the mapping found, and what is missing or ambiguous.
fn infer_row(
    rows: &[RawRow],
    header_index: usize,
    synonyms: &Synonyms,
) -> (Inference, Option<NotInferred>) {
    let header = rows[header_index].cells.to_vec();
    let (chosen, ambiguous) = resolve(candidates(&header, synonyms), synonyms);
    let found = Found {
        rows,
        header_index,
        header: &header,
        synonyms,
        chosen: &chosen,
        ambiguous: &ambiguous,
    };
    let mut mapped = MappedColumns::default();
    for column in spec::COLUMNS {
        found.map_column(column, &mut mapped);
    }
    let unmapped = found.unmapped();
    let problems = found.problems(&mapped, &unmapped);
    let layout = found.layout(mapped.columns);
    let inference = Inference {
        layout,
        header_index,
        mapping: mapped.mapping,
        unmapped,
    };
    (inference, problems)
}

/// What a header row's cells name: the rows around it, and each spec column's chosen cell or
/// its equally good candidates.
struct Found<'a> {
    rows: &'a [RawRow],
    header_index: usize,
    header: &'a [String],
    synonyms: &'a Synonyms,
    chosen: &'a BTreeMap<String, Candidate>,
    ambiguous: &'a [Unresolved],
}

/// The spec columns mapped so far: their rules, the explanation of each, and the mandatory
/// ones found nowhere.
#[derive(Default)]
struct MappedColumns {
    columns: BTreeMap<String, ColumnRule>,
    mapping: Vec<Mapped>,
    missing: Vec<String>,
}

impl MappedColumns {
    /// Map `column` by `rule`, from `source`, for the reason `why`.
    fn add(&mut self, column: &str, rule: ColumnRule, source: Option<String>, why: String) {
        self.columns.insert(column.to_string(), rule);
        self.mapping.push(Mapped {
            column: column.to_string(),
            source,
            why,
        });
    }
}

impl Found<'_> {
    /// A header cell's name, trimmed.
    fn name_of(&self, cell: usize) -> String {
        self.header[cell].trim().to_string()
    }

    /// How a candidate's name matched the column's synonyms.
    fn matched_name(&self, column: &str, c: &Candidate) -> String {
        let names = &self.synonyms.columns[column].names;
        let name = names.get(c.rank).map_or("", String::as_str);
        match c.tier {
            Tier::Exact => format!("named like {name}"),
            Tier::Truncated => format!("a cut-short {name}"),
        }
    }

    /// A rule reading a header cell by its name (a part of it with `split`).
    fn rule(&self, cell: usize, split: Option<SplitPart>) -> ColumnRule {
        ColumnRule {
            names: vec![self.name_of(cell)],
            split,
            ..ColumnRule::default()
        }
    }

    /// Map one spec column: from a column of its own; the account text from a composite
    /// account column; from another column its synonyms name; or without a column.
    fn map_column(&self, column: &str, mapped: &mut MappedColumns) {
        if let Some(c) = self.chosen.get(column) {
            self.map_by_own_column(column, c, mapped);
        } else if !self.map_by_composite_account(column, mapped)
            && !self.map_by_other_column(column, mapped)
            && !self.ambiguous.iter().any(|(a, _)| a == column)
        {
            self.map_without_column(column, mapped);
        }
    }

    /// The column's own cell; an account number in `NNNNN text` cells is read as its code.
    fn map_by_own_column(&self, column: &str, c: &Candidate, mapped: &mut MappedColumns) {
        let composite = column == "konto_nr"
            && !self.chosen.contains_key("konto_text")
            && is_composite_account(self.rows, self.header_index, c.cell);
        let split = composite.then_some(SplitPart::Code);
        let why = match split {
            Some(_) => format!(
                "{}; the code of its 'NNNNN text' cells",
                self.matched_name(column, c)
            ),
            None => self.matched_name(column, c),
        };
        mapped.add(
            column,
            self.rule(c.cell, split),
            Some(self.name_of(c.cell)),
            why,
        );
    }

    /// The account text from the text of a composite account column.
    fn map_by_composite_account(&self, column: &str, mapped: &mut MappedColumns) -> bool {
        if column != "konto_text" {
            return false;
        }
        let Some(source) = mapped
            .columns
            .get("konto_nr")
            .filter(|r| r.split.is_some())
            .map(|r| r.names[0].clone())
        else {
            return false;
        };
        let rule = ColumnRule {
            names: vec![source.clone()],
            split: Some(SplitPart::Text),
            ..ColumnRule::default()
        };
        let why = "the text of the account column's 'NNNNN text' cells".to_string();
        mapped.add(column, rule, Some(source), why);
        true
    }

    /// The column another spec column's cell gives when it has none of its own (the synonyms'
    /// `otherwise`).
    fn map_by_other_column(&self, column: &str, mapped: &mut MappedColumns) -> bool {
        let otherwise = self
            .synonyms
            .columns
            .get(column)
            .and_then(|e| e.otherwise.as_ref());
        let Some((other, c)) = otherwise.and_then(|o| self.chosen.get(o).map(|c| (o, c))) else {
            return false;
        };
        let why = format!("no column of its own: the {other} column");
        mapped.add(
            column,
            self.rule(c.cell, None),
            Some(self.name_of(c.cell)),
            why,
        );
        true
    }

    /// A column the export does not have: the date from the period, the buyer from the
    /// options, a mandatory one missing.
    fn map_without_column(&self, column: &str, mapped: &mut MappedColumns) {
        match column {
            "datum" => {
                let rule = ColumnRule {
                    from_period: true,
                    ..ColumnRule::default()
                };
                let why = "no date column: the first day of the period (--period or the file name)";
                mapped.add(column, rule, None, why.into());
            }
            "kopare_id" | "kopare" => mapped.mapping.push(Mapped {
                column: column.to_string(),
                source: None,
                why: "not in the export: from --buyer-id/--buyer-name or the policy's [publisher]"
                    .into(),
            }),
            c if MANDATORY.contains(&c) => mapped.missing.push(column.to_string()),
            _ => {}
        }
    }

    /// The header's named cells that no spec column takes.
    fn unmapped(&self) -> Vec<String> {
        let used: Vec<usize> = self.chosen.values().map(|c| c.cell).collect();
        (0..self.header.len())
            .filter(|i| !used.contains(i) && !self.header[*i].trim().is_empty())
            .map(|i| self.name_of(i))
            .collect()
    }

    /// What keeps the header from being mapped: mandatory columns missing, columns with
    /// several candidates (none when it maps).
    fn problems(&self, mapped: &MappedColumns, unmapped: &[String]) -> Option<NotInferred> {
        if mapped.missing.is_empty() && self.ambiguous.is_empty() {
            return None;
        }
        Some(NotInferred {
            missing: mapped.missing.clone(),
            ambiguous: self
                .ambiguous
                .iter()
                .map(|(c, cells)| (c.clone(), cells.iter().map(|i| self.name_of(*i)).collect()))
                .collect(),
            found: mapped
                .mapping
                .iter()
                .filter_map(|m| m.source.as_ref().map(|s| format!("{} <- '{s}'", m.column)))
                .collect(),
            unmapped: unmapped.to_vec(),
        })
    }

    /// The inferred layout: detected by the cells it takes, mapping the columns as found.
    fn layout(&self, columns: BTreeMap<String, ColumnRule>) -> Layout {
        let required: Vec<String> = self
            .chosen
            .values()
            .map(|c| self.name_of(c.cell))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        Layout {
            name: "inferred".into(),
            description:
                "inferred from the export's header by the synonyms of mappings/synonyms.toml".into(),
            detect: DetectRule {
                required,
                absent: Vec::new(),
            },
            read: Default::default(),
            columns,
            secrecy: None,
            filter: Vec::new(),
            lookup: BTreeMap::new(),
            sie: None,
        }
    }
}

/// Infer a layout from a table's first rows: the header is the row (among the first
/// [`HEADER_SEARCH_ROWS`]) whose cells name the most spec columns.
pub fn infer(rows: &[RawRow], synonyms: &Synonyms) -> std::result::Result<Inference, NotInferred> {
    match attempt(rows, synonyms) {
        Some((inference, None)) => Ok(inference),
        Some((_, Some(problems))) => Err(problems),
        None => Err(NotInferred {
            missing: MANDATORY.iter().map(|s| s.to_string()).collect(),
            ambiguous: Vec::new(),
            found: Vec::new(),
            unmapped: Vec::new(),
        }),
    }
}

/// The inference for the best header row, complete or not; `None` when no row of the first
/// [`HEADER_SEARCH_ROWS`] names at least three mandatory columns.
fn attempt(rows: &[RawRow], synonyms: &Synonyms) -> Option<(Inference, Option<NotInferred>)> {
    let score = |row: &RawRow| {
        let cands = candidates(&row.cells.to_vec(), synonyms);
        MANDATORY.iter().filter(|c| cands.contains_key(**c)).count() * 100 + cands.len()
    };
    let best = rows
        .iter()
        .enumerate()
        .take(HEADER_SEARCH_ROWS)
        .filter(|(_, r)| !r.is_blank())
        .map(|(i, r)| (score(r), std::cmp::Reverse(i)))
        .max();
    match best {
        // at least three of the mandatory columns, else it is no header of a ledger
        Some((score, std::cmp::Reverse(i))) if score >= 300 => Some(infer_row(rows, i, synonyms)),
        _ => None,
    }
}

/// Quote a text as a TOML basic string.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A file name as a layout name: lower case letters, digits and hyphens.
fn slug(stem: &str) -> String {
    let mut out = String::new();
    for c in normalise_name_keep_spaces(stem).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "my-layout".into()
    } else {
        out
    }
}

/// Lower case with diacritics folded, other characters kept.
fn normalise_name_keep_spaces(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .map(normalise_name)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A complete layout file for an export, ready to edit: detection keys from its header, the
/// mapping the synonyms give (with why, as comments), what is missing or ambiguous as TODO
/// comments, and every source column no spec column takes. `file` names the export.
pub fn draft(
    rows: &[RawRow],
    file: &str,
    synonyms: &Synonyms,
) -> std::result::Result<String, String> {
    let Some((inference, problems)) = attempt(rows, synonyms) else {
        return Err("no row of the first 50 names three of the columns a ledger export has (supplier, organisation number, voucher, account, account text, amount); reskontra cannot draft a layout for it".into());
    };
    let line = rows[inference.header_index].line;
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let mut out = String::new();
    out.push_str(&format!(
        "# Layout drafted by `reskontra layout draft` from {file} (header on row {line}).\n\
         # Check each mapping below, edit what is wrong, and try it with\n\
         #   reskontra layout check {file} --layout THIS.toml\n\
         # Then convert with --layout THIS.toml, or put it in a folder given with --layouts DIR\n\
         # (or `layouts = \"DIR\"` in the policy's [publisher]) so that exports of this shape are\n\
         # detected without asking. The format: mappings/README.md.\n\n"
    ));
    out.push_str(&format!("name = {}\n", toml_string(&slug(stem))));
    out.push_str(&format!(
        "description = {}\n\n",
        toml_string(&format!("Drafted from {file}"))
    ));
    out.push_str("[detect]\n# the header names that identify this export (all must be present)\n");
    let required: Vec<String> = inference
        .layout
        .detect
        .required
        .iter()
        .map(|r| toml_string(r))
        .collect();
    out.push_str(&format!("required = [{}]\n\n", required.join(", ")));
    out.push_str(
        "[read]\ndecimal_mark = \"auto\"    # auto | comma | point (a promise, checked)\n\n",
    );
    out.push_str("[columns]\n");
    for m in &inference.mapping {
        let Some(rule) = inference.layout.columns.get(&m.column) else {
            out.push_str(&format!("# {}: {}\n", m.column, m.why));
            continue;
        };
        let mut parts = Vec::new();
        if !rule.names.is_empty() {
            let names: Vec<String> = rule.names.iter().map(|n| toml_string(n)).collect();
            parts.push(format!("names = [{}]", names.join(", ")));
        }
        match rule.split {
            Some(SplitPart::Code) => parts.push("split = \"code\"".into()),
            Some(SplitPart::Text) => parts.push("split = \"text\"".into()),
            None => {}
        }
        if rule.from_period {
            parts.push("from_period = true".into());
        }
        out.push_str(&format!(
            "{} = {{ {} }}    # {}\n",
            m.column,
            parts.join(", "),
            m.why
        ));
    }
    if let Some(p) = &problems {
        for (column, candidates) in &p.ambiguous {
            let quoted: Vec<String> = candidates.iter().map(|c| format!("'{c}'")).collect();
            out.push_str(&format!(
                "# TODO {column}: more than one column fits ({}); keep the right one:\n# {column} = {{ names = [{}] }}\n",
                quoted.join(", "),
                candidates.first().map(|c| toml_string(c)).unwrap_or_default()
            ));
        }
        for column in &p.missing {
            out.push_str(&format!(
                "# TODO {column}: no column is named like it; name the source column:\n# {column} = {{ names = [\"...\"] }}\n"
            ));
        }
    }
    if !inference.unmapped.is_empty() {
        out.push_str("\n# Source columns no spec column takes (map one above if it should be):\n");
        for u in &inference.unmapped {
            out.push_str(&format!("#   {u}\n"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::cells::Cells;

    fn rows(lines: &[&[&str]]) -> Vec<RawRow> {
        lines
            .iter()
            .enumerate()
            .map(|(i, cells)| RawRow {
                line: i as u64 + 1,
                cells: cells.iter().copied().collect::<Cells>(),
            })
            .collect()
    }

    #[test]
    fn the_dictionary_parses_and_names_no_column_twice() {
        let s = Synonyms::from_toml(BUILTIN).expect("synonyms.toml");
        assert!(s.columns.len() >= 14);
        let twice = "[columns.belopp]\nnames = ['x']\n[columns.konto_nr]\nnames = ['X']\n";
        assert!(Synonyms::from_toml(twice).is_err());
    }

    #[test]
    fn an_unambiguous_header_maps_with_its_reasons() {
        let r = rows(&[
            &["Rapport"],
            &[
                "Förvaltning",
                "Leverantör",
                "Orgnr",
                "Verifikationsnummer",
                "Konto",
                "Kontotext",
                "Belopp exkl. moms",
                "Bokföringsdatum",
                "Fakturadatum",
                "Projekt",
            ],
            &[
                "KS",
                "Kontor AB",
                "5566101233",
                "V1",
                "6110",
                "Kontor",
                "1 234,50",
                "2024-05-02",
                "2024-04-30",
                "P1",
            ],
        ]);
        let inf = infer(&r, Synonyms::builtin()).expect("inferred");
        assert_eq!(inf.header_index, 1);
        let lines = inf.explanation();
        assert!(
            lines.contains(
                &"belopp <- 'Belopp exkl. moms' (named like belopp exkl moms)".to_string()
            ),
            "{lines:?}"
        );
        assert!(
            lines.contains(&"datum <- 'Bokföringsdatum' (named like bokföringsdatum)".to_string()),
            "{lines:?}"
        );
        assert!(lines
            .iter()
            .any(|l| l.starts_with("kopare_id <- not in the export")));
        assert_eq!(inf.unmapped, ["Fakturadatum", "Projekt"]);
        assert_eq!(inf.layout.columns["leverantor_id"].names, ["Orgnr"]);
    }

    #[test]
    fn two_amount_columns_are_ambiguous_and_a_missing_column_is_named() {
        let r = rows(&[
            &[
                "Leverantör",
                "Orgnr",
                "Vernr",
                "Konto",
                "Kontotext",
                "Belopp",
                "Nettobelopp",
            ],
            &["Kontor AB", "5566101233", "V1", "6110", "Kontor", "10", "8"],
        ]);
        let err = infer(&r, Synonyms::builtin()).unwrap_err();
        assert_eq!(
            err.ambiguous,
            [(
                "belopp".to_string(),
                vec!["Belopp".to_string(), "Nettobelopp".to_string()]
            )]
        );
        assert!(
            err.message()
                .contains("belopp could be 'Belopp' or 'Nettobelopp'"),
            "{}",
            err.message()
        );
        let r = rows(&[
            &[
                "Leverantör",
                "Orgnr",
                "Vernr",
                "Konto",
                "Belopp",
                "Ansvar",
                "Projekt",
            ],
            &["A AB", "1", "V1", "6110", "1", "x", "y"],
        ]);
        let err = infer(&r, Synonyms::builtin()).unwrap_err();
        assert_eq!(err.missing, ["konto_text"]);
        assert!(
            err.message().contains("columns not used: 'Projekt'"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn a_column_named_for_the_voucher_number_wins_over_the_invoice_number() {
        for name in ["Verifnr", "Ver.nr", "Verifikation", "Verif nr"] {
            let r = rows(&[
                &[
                    "Datum",
                    "Leverantör",
                    "Orgnr",
                    "Konto",
                    "Kontotext",
                    "Belopp",
                    "Fakturanr",
                    name,
                    "Projekt",
                ],
                &[
                    "2024-05-02",
                    "A AB",
                    "1",
                    "4010",
                    "Mat",
                    "1",
                    "F1",
                    "V1",
                    "P",
                ],
            ]);
            let inferred = infer(&r, Synonyms::builtin()).unwrap();
            let lines = inferred.explanation();
            assert!(
                lines
                    .iter()
                    .any(|l| l.starts_with(&format!("verifikationsnummer <- '{name}'"))),
                "{name}: {lines:?}"
            );
            assert!(
                lines
                    .iter()
                    .any(|l| l.starts_with("fakturanummer <- 'Fakturanr'")),
                "{lines:?}"
            );
            assert_eq!(inferred.unmapped, ["Projekt"], "{name}");
        }
    }

    #[test]
    fn cut_short_names_composite_accounts_and_fallbacks() {
        let r = rows(&[
            &[
                "RN1/FÖRVALTNING",
                "LEVERANTÖR",
                "ORGANISATIO",
                "FAKT NR",
                "KONTO",
                "UTFALL",
            ],
            &[
                "KS",
                "Kontor AB",
                "556610-1233",
                "F1",
                "61100 Kontorsmateriel",
                "100",
            ],
            &[
                "KS",
                "Kontor AB",
                "556610-1233",
                "F2",
                "61200 Trycksaker",
                "50",
            ],
        ]);
        let inf = infer(&r, Synonyms::builtin()).expect("inferred");
        let lines = inf.explanation();
        assert!(
            lines.contains(
                &"leverantor_id <- 'ORGANISATIO' (a cut-short organisationsnummer)".to_string()
            ),
            "{lines:?}"
        );
        assert!(lines.contains(&"verifikationsnummer <- 'FAKT NR' (no column of its own: the fakturanummer column)".to_string()), "{lines:?}");
        assert_eq!(
            inf.layout.columns["konto_text"].split,
            Some(SplitPart::Text)
        );
        assert!(lines
            .iter()
            .any(|l| l.starts_with("datum <- no date column")));
    }

    #[test]
    fn no_ledger_header_is_no_inference() {
        let r = rows(&[&["a", "b"], &["1", "2"]]);
        assert!(infer(&r, Synonyms::builtin()).is_err());
    }
    #[test]
    fn the_editor_starts_from_the_synonyms_or_the_first_table_row() {
        let known = rows(&[
            &["Rapport maj"],
            &[
                "Leverantör",
                "Organisationsnummer",
                "Konto",
                "Kontotext",
                "Belopp",
                "Verifikationsnummer",
            ],
            &["A AB", "5567223457", "4010", "Mat", "1,00", "1"],
        ]);
        let s = suggest(&known, Synonyms::builtin()).unwrap();
        assert_eq!(s.header_index, 1);
        assert_eq!(s.header[0], "Leverantör");
        assert_eq!(s.rules["leverantor"].names, vec!["Leverantör".to_string()]);
        let unknown = rows(&[&["x"], &["Mottagare", "Summa"], &["A", "1"]]);
        let s = suggest(&unknown, Synonyms::builtin()).unwrap();
        assert_eq!((s.header_index, s.rules.len()), (1, 0));
        assert!(suggest(&rows(&[&["only one cell"]]), Synonyms::builtin()).is_none());
    }

    #[test]
    fn a_layout_from_the_editor_reads_back_and_detects_its_header() {
        let header: Vec<String> = ["Mottagare", "Id", "Dag", "Nr", "Kontering", "Kronor"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let choices = vec![
            ("leverantor".to_string(), Choice::Column(0)),
            ("leverantor_id".to_string(), Choice::Column(1)),
            ("datum".to_string(), Choice::Column(2)),
            ("verifikationsnummer".to_string(), Choice::Column(3)),
            ("konto_nr".to_string(), Choice::Split(4, SplitPart::Code)),
            ("konto_text".to_string(), Choice::Split(4, SplitPart::Text)),
            ("belopp".to_string(), Choice::Column(5)),
            (
                "grund".to_string(),
                Choice::Constant("Upphandling \"x\"".into()),
            ),
            ("avtal".to_string(), Choice::Nothing),
        ];
        let (layout, text) = layout_from_choices("min", "från editorn", &header, &choices).unwrap();
        assert_eq!(
            layout.detect.required,
            vec!["Mottagare", "Id", "Dag", "Nr", "Kontering", "Kronor"]
        );
        assert_eq!(layout.columns["konto_nr"].split, Some(SplitPart::Code));
        assert_eq!(
            layout.columns["grund"].constant.as_deref(),
            Some("Upphandling \"x\"")
        );
        assert!(!layout.columns.contains_key("avtal"));
        assert_eq!(Layout::from_toml("again", &text).unwrap(), layout);
        let table = rows(&[&["Mottagare", "Id", "Dag", "Nr", "Kontering", "Kronor"]]);
        assert_eq!(crate::layout::find_header(&table, &layout.detect), Some(0));
        // errors: an index beyond the header, a column that is not the spec's, nothing chosen
        let beyond = vec![("belopp".to_string(), Choice::Column(9))];
        assert!(layout_from_choices("x", "", &header, &beyond).is_err());
        let foreign = vec![("pris".to_string(), Choice::Column(0))];
        assert!(layout_from_choices("x", "", &header, &foreign).is_err());
        let none = vec![("grund".to_string(), Choice::Constant("x".into()))];
        assert!(layout_from_choices("x", "", &header, &none).is_err());
    }
}

/// Where the mapping editor starts: the header row, and the rule the synonyms suggest for
/// each spec column they can name.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The header row's index among the rows.
    pub header_index: usize,
    /// Its cells, trimmed.
    pub header: Vec<String>,
    /// Per spec column, the suggested rule.
    pub rules: BTreeMap<String, ColumnRule>,
}

/// The editor's starting point for these rows: the synonyms' header and mapping when they
/// name at least three ledger columns, else the first row of the first 50 with two or more
/// cells and no suggestion. `None` when no row has two cells.
pub fn suggest(rows: &[RawRow], synonyms: &Synonyms) -> Option<Suggestion> {
    if let Some((inference, _)) = attempt(rows, synonyms) {
        let header = rows[inference.header_index]
            .cells
            .iter()
            .map(|c| c.trim().to_string())
            .collect();
        return Some(Suggestion {
            header_index: inference.header_index,
            header,
            rules: inference.layout.columns,
        });
    }
    let index = rows
        .iter()
        .take(crate::layout::HEADER_SEARCH_ROWS)
        .position(|r| r.cells.iter().filter(|c| !c.trim().is_empty()).count() >= 2)?;
    Some(Suggestion {
        header_index: index,
        header: rows[index]
            .cells
            .iter()
            .map(|c| c.trim().to_string())
            .collect(),
        rules: BTreeMap::new(),
    })
}

/// Where one spec column takes its value from, as a person chose it in the mapping editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// No source: the column is left empty (or an option fills it).
    Nothing,
    /// The source column at this index of the header.
    Column(usize),
    /// A part of a composite `NNNNN text` cell in the column at this index.
    Split(usize, SplitPart),
    /// The same value on every row.
    Constant(String),
    /// The first day of the month (`datum` of an export without dates).
    Period,
}

/// A complete layout file from the editor's choices: detected by the header names it uses,
/// each spec column from its choice. The text is checked by reading it back as a layout.
pub fn layout_from_choices(
    name: &str,
    description: &str,
    header: &[String],
    choices: &[(String, Choice)],
) -> Result<(Layout, String)> {
    let name_of = |i: usize| {
        header
            .get(i)
            .filter(|h| !h.trim().is_empty())
            .cloned()
            .ok_or_else(|| Error::Usage(format!("column {} of the header has no name", i + 1)))
    };
    let mut required: Vec<String> = Vec::new();
    let mut lines = Vec::new();
    for (column, choice) in choices {
        if !spec::COLUMNS.contains(&column.as_str()) {
            return Err(Error::Usage(format!("'{column}' is not a spec column")));
        }
        let rule = match choice {
            Choice::Nothing => continue,
            Choice::Column(i) => {
                let n = name_of(*i)?;
                let rule = format!("names = [{}]", toml_string(&n));
                if !required.contains(&n) {
                    required.push(n);
                }
                rule
            }
            Choice::Split(i, part) => {
                let n = name_of(*i)?;
                let part = match part {
                    SplitPart::Code => "code",
                    SplitPart::Text => "text",
                };
                let rule = format!("names = [{}], split = \"{part}\"", toml_string(&n));
                if !required.contains(&n) {
                    required.push(n);
                }
                rule
            }
            Choice::Constant(c) if c.trim().is_empty() => continue,
            Choice::Constant(c) => format!("constant = {}", toml_string(c.trim())),
            Choice::Period => "from_period = true".to_string(),
        };
        lines.push(format!("{column} = {{ {rule} }}"));
    }
    if required.is_empty() {
        return Err(Error::Usage(
            "no spec column takes a source column: choose at least the columns of the export"
                .into(),
        ));
    }
    let quoted: Vec<String> = required.iter().map(|r| toml_string(r)).collect();
    let text = format!(
        "# Saved from the mapping editor of reskontra's desk; the format: mappings/README.md.\n\
         name = {}\ndescription = {}\n\n[detect]\nrequired = [{}]\n\n[columns]\n{}\n",
        toml_string(name),
        toml_string(description),
        quoted.join(", "),
        lines.join("\n")
    );
    let layout = Layout::from_toml(name, &text)?;
    Ok((layout, text))
}
