//! The checks of the header and of each row against the spec's rules.

use super::findings::Findings;
use crate::batch::Col;
use crate::date::Period;
use crate::ident::{classify_id, contains_personal_number, is_organisation_number, IdKind};
use crate::names::is_person_shaped;
use crate::read::RawRow;
use crate::rules;
use crate::spec::{self, COLUMNS};
use crate::write::is_formula_like;
use std::collections::HashSet;

/// A data row: its number for messages and its 15 values (missing ones `None`).
pub(super) struct Row {
    pub(super) number: u64,
    pub(super) values: Vec<Option<String>>,
}

/// When a header that is not the spec's matches a built-in layout, say that `convert` turns the
/// file into the spec (a warning: the header finding already makes the file invalid).
pub(super) fn suggest_layout(header: &RawRow, findings: &mut Findings) {
    let layouts = crate::layout::Layout::builtin();
    if let Ok(found) = crate::layout::detect(std::slice::from_ref(header), &layouts) {
        findings.warning(
            "convertible",
            &format!(
                "the columns match the built-in layout {}: reskontra convert turns the file into \
                 spec 1.1, and reskontra collect reads it with other publishers' files into one dataset",
                found.layout.name
            ),
            None,
        );
    }
}

/// Check the header; returns, per spec column, its position in the file (if present).
pub(super) fn check_header(header: &[&str], findings: &mut Findings) -> Vec<Option<usize>> {
    check_columns(header, &[], Some(1), findings)
}

/// Check that a file's columns are the spec's in order, but for those its path gives (Hive
/// partition keys); returns, per spec column, its position in the file (if present).
pub(super) fn check_columns(
    header: &[&str],
    from_path: &[&str],
    row: Option<u64>,
    findings: &mut Findings,
) -> Vec<Option<usize>> {
    // a byte-order mark inside a name (not the file's first bytes, which the reader takes):
    // say so, and read the name it hides
    let cleaned: Vec<String> = header.iter().map(|h| h.replace('\u{feff}', "")).collect();
    for (raw, clean) in header.iter().zip(&cleaned) {
        if raw.len() != clean.len() && COLUMNS.contains(&clean.as_str()) {
            findings.error(
                "bom_in_name",
                &format!("the header name {clean} holds a byte-order mark (U+FEFF), so readers do not find the column under its name: remove the mark"),
                row,
            );
        }
    }
    let cleaned_refs: Vec<&str> = cleaned.iter().map(String::as_str).collect();
    let header: &[&str] = if cleaned_refs.iter().zip(header).any(|(a, b)| a != b) {
        &cleaned_refs
    } else {
        header
    };
    let expected: Vec<&str> = COLUMNS
        .iter()
        .filter(|c| !from_path.contains(c))
        .copied()
        .collect();
    // a spec column under a name publishers use for it (`nettobelopp`): its values are
    // checked as the column's, and the header finding says which name it goes by
    let positions: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|c| {
            header.iter().position(|h| h == c).or_else(|| {
                header
                    .iter()
                    .position(|h| variant_of(h) == Some(*c) && !header.contains(c))
            })
        })
        .collect();
    if header != expected.as_slice() {
        let renamed: Vec<(&str, &str)> = header
            .iter()
            .filter_map(|h| {
                let column = variant_of(h)?;
                let at = COLUMNS.iter().position(|c| *c == column)?;
                (positions[at].and_then(|p| header.get(p)) == Some(h)).then_some((*h, column))
            })
            .collect();
        let missing: Vec<&str> = expected
            .iter()
            .filter(|c| !header.contains(c) && !renamed.iter().any(|(_, r)| r == *c))
            .copied()
            .collect();
        let extra: Vec<&str> = header
            .iter()
            .filter(|h| !COLUMNS.contains(h) && !renamed.iter().any(|(n, _)| n == *h))
            .copied()
            .collect();
        let mut parts = Vec::new();
        for (name, column) in &renamed {
            parts.push(format!(
                "{name} holds {column} (the spec's name is {column})"
            ));
        }
        if !missing.is_empty() {
            parts.push(format!("missing {}", missing.join(", ")));
        }
        if !extra.is_empty() {
            parts.push(format!("unknown {}", extra.join(", ")));
        }
        if parts.is_empty() {
            parts.push("columns out of order or repeated".to_string());
        } else if renamed.len() == parts.len() {
            let order_differs = expected
                .iter()
                .map(|c| {
                    COLUMNS
                        .iter()
                        .position(|x| x == c)
                        .and_then(|i| positions[i])
                })
                .collect::<Vec<_>>()
                .windows(2)
                .any(|w| w[0] > w[1]);
            if order_differs {
                parts.push("columns out of order".to_string());
            }
        }
        findings.rule_with(&rules::HEADER, &[("detail", &parts.join("; "))], row);
    }
    positions
}

/// The spec column a header name holds when it is not the spec's own name but one that
/// publishers use for it (`nettobelopp` for belopp, `bokforingsdatum` for datum): the names
/// the built-in layout spec-1.1 accepts.
pub fn variant_of(name: &str) -> Option<&'static str> {
    static VARIANTS: std::sync::OnceLock<Vec<(String, &'static str)>> = std::sync::OnceLock::new();
    let variants = VARIANTS.get_or_init(|| {
        let layouts = crate::layout::Layout::builtin();
        let Some(spec) = layouts.iter().find(|l| l.name == "spec-1.1") else {
            return Vec::new();
        };
        COLUMNS
            .iter()
            .filter_map(|c| Some((*c, spec.columns.get(*c)?)))
            .flat_map(|(c, rule)| {
                rule.names
                    .iter()
                    .filter(move |n| n.as_str() != c)
                    .map(move |n| (n.to_lowercase(), c))
            })
            .collect()
    });
    let name = name.trim().to_lowercase();
    variants
        .iter()
        .find(|(variant, _)| *variant == name)
        .map(|(_, c)| *c)
}

pub(super) fn is_amount(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    match body.split_once('.') {
        Some((int, dec)) => {
            !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && dec.len() == 2
                && dec.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

pub(super) fn has_many_decimals(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    body.split_once('.').is_some_and(|(int, dec)| {
        !int.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && dec.len() > 2
            && dec.bytes().all(|b| b.is_ascii_digit())
    })
}

pub(super) fn is_iso_date(s: &str) -> Option<chrono::NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(number(&b[..4])?).ok()?;
    chrono::NaiveDate::from_ymd_opt(year, number(&b[5..7])?, number(&b[8..])?)
}

/// Whether a value is empty or white space only (most values start with a visible character).
pub(super) fn is_blank(value: &str) -> bool {
    match value.as_bytes().first() {
        None => true,
        Some(b) if b.is_ascii_graphic() => false,
        Some(_) => value.trim().is_empty(),
    }
}

/// Row-level checks, one row at a time (so that large files stream).
pub(super) struct RowChecker {
    pub(super) period: Option<(Period, Period)>,
    pub(super) buyer: Option<(String, String)>,
    /// A 64-bit hash of each row so far (a fixed seed: the same findings on every run).
    pub(super) seen: HashSet<u64, foldhash::fast::FixedState>,
    /// The buffer [`RowChecker::row_hash`] writes a row into.
    row_bytes: Vec<u8>,
    /// The last supplier name checked for a person's shape, and whether it has one.
    last_name: Option<(String, bool)>,
    /// Which columns the formula guard covers (looked up once, not by name for every value).
    is_text: [bool; COLUMNS.len()],
}

impl RowChecker {
    pub(super) fn new(period: Option<(Period, Period)>) -> RowChecker {
        RowChecker {
            period,
            buyer: None,
            seen: HashSet::default(),
            row_bytes: Vec::new(),
            last_name: None,
            is_text: COLUMNS.map(spec::is_guarded_text),
        }
    }

    /// [`is_person_shaped`], remembered for the last name asked about (a supplier's rows
    /// often come together).
    fn person_shaped(&mut self, name: &str) -> bool {
        match &self.last_name {
            Some((last, shaped)) if last == name => *shaped,
            _ => {
                let shaped = is_person_shaped(name);
                self.last_name = Some((name.to_string(), shaped));
                shaped
            }
        }
    }

    /// A 64-bit hash of a row's values, taken over one buffer that writes each value with its
    /// length (so that no two rows write the same bytes), instead of value by value.
    fn row_hash(&mut self, values: &[Option<&str>]) -> u64 {
        let bytes = &mut self.row_bytes;
        bytes.clear();
        for value in values {
            match value {
                None => bytes.push(0),
                Some(v) => {
                    bytes.push(1);
                    bytes.extend_from_slice(&(v.len() as u64).to_le_bytes());
                    bytes.extend_from_slice(v.as_bytes());
                }
            }
        }
        std::hash::BuildHasher::hash_one(&foldhash::quality::FixedState::default(), &bytes[..])
    }

    /// Check a row read from JSON.
    pub(super) fn check_row(&mut self, row: &Row, findings: &mut Findings) {
        let values: Vec<Option<&str>> = row.values.iter().map(Option::as_deref).collect();
        self.check(row.number, &values, findings);
    }

    /// Check a row's values (one per spec column, in order; `None` where the file has none);
    /// a duplicate is a row whose values repeat an earlier row's.
    pub(super) fn check(&mut self, number: u64, values: &[Option<&str>], findings: &mut Findings) {
        self.check_values(number, values, findings);
        self.check_duplicate(number, values, findings);
    }

    /// Whether a row repeats an earlier one: `cells` are all of the row's cells as the file
    /// has them (its real columns, not only the spec's).
    pub(super) fn check_duplicate(
        &mut self,
        number: u64,
        cells: &[Option<&str>],
        findings: &mut Findings,
    ) {
        let hash = self.row_hash(cells);
        if !self.seen.insert(hash) {
            findings.rule(&rules::DUPLICATE_ROW, "", Some(number));
        }
    }

    /// Check a row's values against the rules (everything but the duplicate check).
    pub(super) fn check_values(
        &mut self,
        number: u64,
        values: &[Option<&str>],
        findings: &mut Findings,
    ) {
        let period = self.period;
        let n = Some(number);
        let get = |column: Col| values[column.position()].unwrap_or("");
        let blank = |c: Col| values[c.position()].is_none_or(is_blank);
        // a supplier masked by leaving its name and id out: one warning, not two findings
        let blanked = blank(Col::Leverantor) && blank(Col::LeverantorId);
        if blanked {
            findings.rule(&rules::LEVERANTOR_BLANKED, "leverantor", n);
        }
        for (i, column) in COLUMNS.iter().enumerate().take(spec::MANDATORY_COUNT) {
            if values[i].is_none_or(is_blank) {
                match *column {
                    "leverantor" | "leverantor_id" if blanked => {}
                    "leverantor_id" => findings.rule(&rules::LEVERANTOR_ID_EMPTY, column, n),
                    _ => findings.rule(&rules::MISSING, column, n),
                }
            }
        }
        let kopare_id = get(Col::KopareId);
        // (a plain valid organisation number, the usual case, needs no classifying)
        if !kopare_id.is_empty()
            && !is_organisation_number(kopare_id)
            && !matches!(classify_id(kopare_id), IdKind::Organisation(ref t) if t == kopare_id)
        {
            findings.rule(&rules::KOPARE_ID_FORMAT, "kopare_id", n);
        }
        let lev_id = get(Col::LeverantorId);
        if !lev_id.is_empty() && !is_organisation_number(lev_id) {
            match classify_id(lev_id) {
                IdKind::Organisation(ref t) if t == lev_id => {}
                IdKind::Foreign(ref f) if f == lev_id => {}
                IdKind::Personal(_) => {} // reported by the privacy check below
                _ => findings.rule(&rules::LEVERANTOR_ID_FORMAT, "leverantor_id", n),
            }
        }
        let belopp = get(Col::Belopp);
        if !belopp.is_empty() {
            if has_many_decimals(belopp) {
                findings.rule(&rules::BELOPP_DECIMALS, "belopp", n);
            } else if !is_amount(belopp) {
                findings.rule(&rules::BELOPP_FORMAT, "belopp", n);
            }
        }
        let datum = get(Col::Datum);
        if !datum.is_empty() {
            match is_iso_date(datum) {
                None => findings.rule(&rules::DATUM_FORMAT, "datum", n),
                Some(d) if !crate::date::YEARS.contains(&chrono::Datelike::year(&d)) => {
                    findings.rule(&rules::DATUM_RANGE, "datum", n)
                }
                Some(d) => {
                    if let Some((first, last)) = period {
                        let p = Period::of(d);
                        if p < first || p > last {
                            findings.rule(&rules::DATUM_OUTSIDE_PERIOD, "datum", n);
                        }
                    }
                }
            }
        }
        let kommun = get(Col::KommunId);
        if !kommun.is_empty() && !spec::is_municipality_code(kommun) {
            findings.rule(&rules::KOMMUN_ID, "kommun_id", n);
        }
        let kopare = get(Col::Kopare);
        match &self.buyer {
            None => self.buyer = Some((kopare_id.to_string(), kopare.to_string())),
            Some((id, name)) if id != kopare_id || name != kopare => {
                findings.rule(&rules::BUYER_NOT_CONSTANT, "kopare", n)
            }
            Some(_) => {}
        }
        for (i, value) in values.iter().enumerate() {
            let Some(v) = value else { continue };
            if contains_personal_number(v) {
                findings.rule(&rules::PERSONAL_NUMBER, COLUMNS[i], n);
            }
            // a lone `-` (a placeholder for "none") runs nothing in a spreadsheet
            if self.is_text[i] && is_formula_like(v) && v.trim() != "-" {
                findings.rule(&rules::FORMULA_LIKE, COLUMNS[i], n);
            }
        }
        let name = get(Col::Leverantor);
        if lev_id.is_empty() && self.person_shaped(name) {
            findings.rule(&rules::PERSON_NAME, "leverantor", n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The duplicate-row hash writes each value with its length and whether it is there: rows
    /// whose values join to the same text, or differ only in a missing against an empty value,
    /// are different rows; the same values are the same row.
    #[test]
    fn rows_hash_by_their_values_not_their_joined_text() {
        let mut checker = RowChecker::new(None);
        let rows: [&[Option<&str>]; 5] = [
            &[Some("ab"), Some("c")],
            &[Some("a"), Some("bc")],
            &[Some("abc"), Some("")],
            &[Some("abc"), None],
            &[None, Some("abc")],
        ];
        let hashes: std::collections::BTreeSet<u64> =
            rows.iter().map(|r| checker.row_hash(r)).collect();
        assert_eq!(hashes.len(), rows.len());
        assert_eq!(
            checker.row_hash(&[Some("a"), Some("bc")]),
            checker.row_hash(&[Some("a"), Some("bc")])
        );
    }
}
