//! Layouts: declarative TOML files that map an export's columns to the 15 spec columns.
//!
//! The format is documented in `mappings/README.md`. Built-in layouts are the files in
//! `mappings/`, embedded in the binary; `--layout PATH` reads any other.

use crate::amount::DecimalMark;
use crate::error::{Error, Result};
use crate::read::RawRow;
use crate::spec;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// How a target column gets its value.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ColumnRule {
    /// Source header names accepted, first present wins (matched ignoring case, spacing,
    /// punctuation and diacritics).
    #[serde(default)]
    pub names: Vec<String>,
    /// Source header names used, per row, when the first column's cell is empty.
    #[serde(default)]
    pub fallback: Vec<String>,
    /// A constant value.
    pub constant: Option<String>,
    /// Take the part of an `NNNNN text` cell: `code` (the leading number) or `text` (the rest).
    pub split: Option<SplitPart>,
    /// The value comes from the period (`--period` or the file name): the first day of the
    /// month. Also used as the fallback when the named columns are absent.
    #[serde(default)]
    pub from_period: bool,
    /// The value is looked up in a second input, by the layout's lookup of this name;
    /// `names` are then the lookup table's columns.
    pub lookup: Option<String>,
    /// Cell values that mean "no value" for this column (e.g. `-`).
    #[serde(default)]
    pub empty_values: Vec<String>,
}

/// Which part of a composite `NNNNN text` cell.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SplitPart {
    /// The leading code.
    Code,
    /// The text after the code.
    Text,
}

/// How a layout is recognised from a header row.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DetectRule {
    /// Header names that must all be present; `a|b` accepts either.
    #[serde(default)]
    pub required: Vec<String>,
    /// Header names that must not be present.
    #[serde(default)]
    pub absent: Vec<String>,
}

/// A secrecy column: rows with one of the secret values are withheld.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SecrecyRule {
    /// Source header names of the secrecy flag.
    pub names: Vec<String>,
    /// Values meaning secret (compared ignoring case).
    #[serde(default = "default_secret_values")]
    pub secret_values: Vec<String>,
}

fn default_secret_values() -> Vec<String> {
    ["J", "JA", "Y", "YES", "1", "TRUE", "SANT", "X"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// A status filter: rows whose value is not one of `keep` are rejected with a reason.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FilterRule {
    /// Source header names of the status column.
    pub names: Vec<String>,
    /// Values kept (compared ignoring case).
    pub keep: Vec<String>,
}

/// A second input joined on a key (a supplier or account table).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LookupRule {
    /// Header names that identify the lookup file (all present).
    pub required: Vec<String>,
    /// The key column's names in the lookup file.
    pub key: Vec<String>,
    /// The key column's names in the main file.
    pub main_key: Vec<String>,
    /// Whether the run fails when no input matches this lookup (default true).
    #[serde(default = "yes")]
    pub mandatory: bool,
}

fn yes() -> bool {
    true
}

/// Options for reading the cells of a layout.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReadRule {
    /// The decimal mark of amounts: `auto` reads each value as written and an ambiguous one
    /// (`1,234`) by the file's other values; `comma` or `point` is a promise, checked.
    #[serde(default)]
    pub decimal_mark: DecimalMark,
    /// With a declared `decimal_mark`, read a value written plainly with the other mark
    /// (`1234.56` in a comma layout) as written, and count it, instead of rejecting it.
    #[serde(default)]
    pub mixed_decimal_marks: bool,
    /// A bare number in the date column (`45292`) is an Excel serial day number, also in a
    /// text file (it always is in a workbook).
    #[serde(default)]
    pub serial_dates: bool,
    /// Cell values meaning "no value" in every column.
    #[serde(default)]
    pub empty_values: Vec<String>,
}

/// A layout.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Short name (`city-csv`).
    pub name: String,
    /// One line for `reskontra layouts`.
    pub description: String,
    /// How to recognise it.
    #[serde(default)]
    pub detect: DetectRule,
    /// Cell reading options.
    #[serde(default)]
    pub read: ReadRule,
    /// Rules per spec column.
    #[serde(default)]
    pub columns: BTreeMap<String, ColumnRule>,
    /// Secrecy column.
    pub secrecy: Option<SecrecyRule>,
    /// Status filters.
    #[serde(default)]
    pub filter: Vec<FilterRule>,
    /// Lookup tables by name.
    #[serde(default)]
    pub lookup: BTreeMap<String, LookupRule>,
    /// Account ranges for SIE files.
    pub sie: Option<crate::read::sie::SieAccounts>,
}

/// The built-in layouts: (file name, TOML text), every `mappings/*.toml` but the synonym
/// dictionary, in file-name order (found by build.rs: adding a layout is adding a file).
const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_layouts.rs"));

impl Layout {
    /// Parse and check a layout from TOML text.
    pub fn from_toml(origin: &str, text: &str) -> Result<Layout> {
        let layout: Layout = toml::from_str(text).map_err(|e| Error::Layout {
            name: origin.to_string(),
            message: e.to_string(),
        })?;
        layout.check(origin)?;
        Ok(layout)
    }

    fn check(&self, origin: &str) -> Result<()> {
        let fail = |message: String| {
            Err(Error::Layout {
                name: origin.to_string(),
                message,
            })
        };
        if self.detect.required.is_empty() {
            return fail("[detect] required must name at least one header".into());
        }
        for (target, rule) in &self.columns {
            if spec::column_index(target).is_none() {
                return fail(format!(
                    "unknown target column '{target}'; the columns are: {}",
                    spec::COLUMNS.join(", ")
                ));
            }
            let sources =
                usize::from(!rule.names.is_empty()) + usize::from(rule.constant.is_some());
            if sources > 1 {
                return fail(format!("column {target}: give names or constant, not both"));
            }
            if sources == 0 && !rule.from_period {
                return fail(format!(
                    "column {target}: give names, constant or from_period"
                ));
            }
            if let Some(l) = &rule.lookup {
                if !self.lookup.contains_key(l) {
                    return fail(format!("column {target}: no [lookup.{l}] defined"));
                }
            }
        }
        Ok(())
    }

    /// All built-in layouts, in a fixed order.
    pub fn builtin() -> Vec<Layout> {
        static PARSED: std::sync::OnceLock<Vec<Layout>> = std::sync::OnceLock::new();
        PARSED
            .get_or_init(|| {
                BUILTIN
                    .iter()
                    .filter_map(|(file, text)| Layout::from_toml(file, text).ok())
                    .collect()
            })
            .clone()
    }

    /// The layout files (`*.toml`) of a folder, by file name: a publisher's own layouts,
    /// detected like the built-in ones.
    pub fn from_dir(dir: &Path) -> Result<Vec<Layout>> {
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        let mut paths: Vec<std::path::PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?;
                Layout::from_toml(&p.display().to_string(), &text)
            })
            .collect()
    }

    /// A built-in layout by name, or a layout file by path.
    pub fn load(name_or_path: &str) -> Result<Layout> {
        Layout::load_among(name_or_path, &[])
    }

    /// A layout by name among the built-in ones and `more` (a publisher's), or a layout file
    /// by path.
    pub fn load_among(name_or_path: &str, more: &[Layout]) -> Result<Layout> {
        if let Some(l) = Layout::builtin()
            .into_iter()
            .chain(more.iter().cloned())
            .find(|l| l.name == name_or_path)
        {
            return Ok(l);
        }
        let path = Path::new(name_or_path);
        if path.exists() {
            let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            return Layout::from_toml(name_or_path, &text);
        }
        let names: Vec<String> = Layout::builtin().into_iter().map(|l| l.name).collect();
        Err(Error::Usage(format!(
            "no layout named '{name_or_path}' and no such file; built-in layouts: {}",
            names.join(", ")
        )))
    }
}

/// Normalise a header name for matching: lower case, diacritics folded, only letters and digits.
pub fn normalise_name(name: &str) -> String {
    normalised_chars(name).collect()
}

/// Whether a cell's normalised name is `normalised` (without building it).
pub fn has_normalised_name(cell: &str, normalised: &str) -> bool {
    normalised_chars(cell).eq(normalised.chars())
}

/// The characters of a normalised name.
fn normalised_chars(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars().flat_map(char::to_lowercase).filter_map(|c| {
        Some(match c {
            'å' | 'ä' | 'á' | 'à' | 'â' | 'ã' => 'a',
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' | 'õ' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' | 'ù' | 'û' => 'u',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'æ' => 'a',
            c if c.is_alphanumeric() => c,
            _ => return None,
        })
    })
}

/// Normalise the cells of a candidate header row; long cells (data, not names) become empty
/// so that scanning rows for a header stays cheap.
pub fn normalise_header(cells: &[String]) -> Vec<String> {
    cells
        .iter()
        .map(|c| {
            if c.len() <= 120 {
                normalise_name(c)
            } else {
                String::new()
            }
        })
        .collect()
}

/// Find the index of the first header cell matching any of `names`.
pub fn find_column(header: &[String], names: &[String]) -> Option<usize> {
    let normalised = normalise_header(header);
    names.iter().find_map(|n| {
        let want = normalise_name(n);
        normalised.iter().position(|h| *h == want)
    })
}

/// A detection rule's names, normalised once: per required entry (and per forbidden name)
/// its alternatives.
struct NormalisedRule<'a> {
    rule: &'a DetectRule,
    required: Vec<Vec<String>>,
    absent: Vec<Vec<String>>,
}

impl<'a> NormalisedRule<'a> {
    fn new(rule: &'a DetectRule) -> NormalisedRule<'a> {
        let alternatives = |entries: &[String]| -> Vec<Vec<String>> {
            entries
                .iter()
                .map(|e| e.split('|').map(normalise_name).collect())
                .collect()
        };
        NormalisedRule {
            rule,
            required: alternatives(&rule.required),
            absent: alternatives(&rule.absent),
        }
    }

    /// How a normalised header row fits the rule.
    fn fit(&self, normalised: &[String]) -> Fit {
        let has_any = |alternatives: &[String]| alternatives.iter().any(|a| normalised.contains(a));
        let (mut present, mut missing) = (Vec::new(), Vec::new());
        for (entry, alternatives) in self.rule.required.iter().zip(&self.required) {
            if has_any(alternatives) {
                present.push(entry.clone());
            } else {
                missing.push(entry.clone());
            }
        }
        let forbidden = self
            .rule
            .absent
            .iter()
            .zip(&self.absent)
            .filter(|(_, alternatives)| has_any(alternatives))
            .map(|(name, _)| name.clone())
            .collect();
        Fit {
            present,
            missing,
            forbidden,
        }
    }

    /// Whether a normalised header row fits the rule (without listing what it has).
    fn matches(&self, normalised: &[String]) -> bool {
        let has_any = |alternatives: &[String]| alternatives.iter().any(|a| normalised.contains(a));
        self.required.iter().all(|a| has_any(a)) && !self.absent.iter().any(|a| has_any(a))
    }
}

/// The rows a header is searched in, each normalised once for every layout tried (none for a
/// blank row).
struct HeaderRows(Vec<Option<Vec<String>>>);

impl HeaderRows {
    fn of(rows: &[RawRow]) -> HeaderRows {
        HeaderRows(
            rows.iter()
                .take(HEADER_SEARCH_ROWS)
                .map(|r| {
                    (!r.is_blank()).then(|| {
                        r.cells
                            .iter()
                            .map(|c| {
                                if c.len() <= 120 {
                                    normalise_name(c)
                                } else {
                                    String::new()
                                }
                            })
                            .collect()
                    })
                })
                .collect(),
        )
    }

    /// The first row that fits `rule`.
    fn find(&self, rule: &NormalisedRule) -> Option<usize> {
        self.0
            .iter()
            .position(|r| r.as_ref().is_some_and(|r| rule.matches(r)))
    }

    /// The row that has the most of the rule's required entries, and how it fits.
    fn closest(&self, rule: &NormalisedRule) -> Option<Fit> {
        self.0
            .iter()
            .map(|r| rule.fit(r.as_deref().unwrap_or_default()))
            .max_by_key(|f| f.present.len())
    }
}

/// How well a header row fits a layout.
#[derive(Debug, Clone)]
pub struct Fit {
    /// Required entries present.
    pub present: Vec<String>,
    /// Required entries missing.
    pub missing: Vec<String>,
    /// Forbidden names present.
    pub forbidden: Vec<String>,
}

impl Fit {
    /// Whether the layout matches.
    pub fn matches(&self) -> bool {
        self.missing.is_empty() && self.forbidden.is_empty()
    }
}

/// Check a header row against a detection rule.
pub fn fit(rule: &DetectRule, header: &[String]) -> Fit {
    NormalisedRule::new(rule).fit(&normalise_header(header))
}

pub use crate::read::HEADER_SEARCH_ROWS;

/// A layout matched to a header row of a table.
#[derive(Debug, Clone)]
pub struct Detection {
    /// The layout.
    pub layout: Layout,
    /// Index into the table's rows of the header row.
    pub header_index: usize,
    /// Why it was chosen.
    pub reason: String,
    /// Layouts that almost matched, with what they missed.
    pub near_misses: Vec<String>,
    /// Other layouts that match as well and are as specific (a clash: the export cannot say
    /// which it is).
    pub ties: Vec<String>,
}

/// Find the header row for one layout: the first row in the search window that fits.
pub fn find_header(rows: &[RawRow], rule: &DetectRule) -> Option<usize> {
    HeaderRows::of(rows).find(&NormalisedRule::new(rule))
}

/// Detect the layout of a table among `layouts`: the most specific layout (most required
/// headers) whose header row is found; near misses are reported for explanations.
pub fn detect(rows: &[RawRow], layouts: &[Layout]) -> std::result::Result<Detection, Vec<String>> {
    let mut best: Option<Detection> = None;
    let mut near: Vec<(usize, String)> = Vec::new();
    let header_rows = HeaderRows::of(rows);
    for layout in layouts {
        let rule = NormalisedRule::new(&layout.detect);
        match header_rows.find(&rule) {
            Some(idx) => {
                let specificity = layout.detect.required.len();
                let better = best
                    .as_ref()
                    .is_none_or(|b| specificity > b.layout.detect.required.len());
                if better {
                    if let Some(prev) = best.take() {
                        near.push((
                            0,
                            format!("{} (also matches, less specific)", prev.layout.name),
                        ));
                    }
                    let at = match rows[idx].line {
                        0 => "the column names have".to_string(),
                        line => format!("header on row {line} has"),
                    };
                    let reason = format!(
                        "{at} all {} required columns of layout {}: {}",
                        specificity,
                        layout.name,
                        layout.detect.required.join(", ")
                    );
                    best = Some(Detection {
                        layout: layout.clone(),
                        header_index: idx,
                        reason,
                        near_misses: Vec::new(),
                        ties: Vec::new(),
                    });
                } else if best
                    .as_ref()
                    .is_some_and(|b| b.layout.detect.required.len() == specificity)
                {
                    if let Some(b) = best.as_mut() {
                        b.ties.push(layout.name.clone());
                    }
                } else {
                    near.push((0, format!("{} (also matches, less specific)", layout.name)));
                }
            }
            None => {
                // the closest row for this layout
                if let Some(f) = header_rows.closest(&rule) {
                    if !f.present.is_empty() {
                        let mut why = Vec::new();
                        if !f.missing.is_empty() {
                            why.push(format!("missing {}", f.missing.join(", ")));
                        }
                        if !f.forbidden.is_empty() {
                            why.push(format!("has {}", f.forbidden.join(", ")));
                        }
                        near.push((
                            f.missing.len() + f.forbidden.len(),
                            format!("{}: {}", layout.name, why.join("; ")),
                        ));
                    }
                }
            }
        }
    }
    near.sort_by_key(|(distance, _)| *distance);
    let near: Vec<String> = near.into_iter().map(|(_, s)| s).take(5).collect();
    match best {
        Some(mut d) => {
            d.near_misses = near;
            Ok(d)
        }
        None => Err(near),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_layouts_parse() {
        let n = BUILTIN.len();
        for (file, text) in BUILTIN {
            Layout::from_toml(file, text).unwrap_or_else(|e| panic!("{file}: {e}"));
        }
        assert_eq!(Layout::builtin().len(), n);
    }

    #[test]
    fn names_normalise() {
        assert_eq!(normalise_name("RN1/FÖRVALTNING"), "rn1forvaltning");
        assert_eq!(normalise_name("\u{feff}Leverantörs-Id"), "leverantorsid");
        assert_eq!(normalise_name("Belopp exkl. moms"), "beloppexklmoms");
        assert_eq!(normalise_name("leverantor_id"), "leverantorid");
    }

    #[test]
    fn bad_layouts_are_explained() {
        let e = Layout::from_toml("x", "name = 'x'\ndescription = 'd'\n[detect]\nrequired=['a']\n[columns.nope]\nnames=['a']\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown target column 'nope'"), "{e}");
        let e = Layout::from_toml("x", "name = 'x'\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("layout x"), "{e}");
    }
}
