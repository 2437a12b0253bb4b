//! Stage 2: find the table in a read file — the header row below any title lines, then the
//! data rows, with blank and totals rows recognised and counted.

use crate::layout::{find_column, Layout};
use crate::read::{RawRow, RawTable};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Why a line was skipped (not a data row). Skipped lines are not postings and carry no amount.
pub mod skip {
    /// Lines above the header row.
    pub const TITLE: &str = "title line above the header";
    /// Empty lines.
    pub const BLANK: &str = "blank line";
    /// Totals and subtotal lines.
    pub const TOTAL: &str = "totals or subtotal line";
    /// A repeated header line (concatenated exports).
    pub const REPEATED_HEADER: &str = "repeated header line";
}

/// A data row that cannot be mapped because its shape is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenRow {
    /// The row as read.
    pub row: RawRow,
    /// Why.
    pub reason: String,
}

/// The table found in a file.
#[derive(Debug, Clone)]
pub struct SourceTable {
    /// The file.
    pub path: PathBuf,
    /// The header cells (BOM removed, trimmed).
    pub header: Vec<String>,
    /// The header's line or sheet row.
    pub header_line: u64,
    /// Data rows, in order.
    pub rows: Vec<RawRow>,
    /// Rows with the wrong number of fields.
    pub broken: Vec<BrokenRow>,
    /// Skipped lines by reason.
    pub skipped: BTreeMap<String, u64>,
}

const TOTAL_WORDS: [&str; 9] = [
    "summa",
    "delsumma",
    "totalsumma",
    "totalt",
    "total",
    "sum",
    "subtotal",
    "grand total",
    "slutsumma",
];

fn is_total_word(cell: &str) -> bool {
    // a totals label is short and starts with one of a few letters: most cells are ruled out
    // without lower-casing them
    if cell.len() > 100
        || !cell
            .trim_start()
            .starts_with(['s', 'S', 't', 'T', 'd', 'D', 'g', 'G'])
    {
        return false;
    }
    let lower = cell.trim().to_lowercase();
    TOTAL_WORDS.iter().any(|w| {
        lower == *w
            || lower
                .strip_prefix(w)
                .is_some_and(|rest| rest.starts_with([' ', ':', '-', '.']))
    })
}

/// Whether a row is a totals row: a cell starts with a totals word and the row names no
/// supplier (its supplier name is empty or is that word, its supplier id is empty).
fn is_total_row(row: &RawRow, name_col: Option<usize>, id_col: Option<usize>) -> bool {
    let Some(word_at) = row.cells.iter().position(is_total_word) else {
        return false;
    };
    let empty = |col: Option<usize>| {
        col.is_none_or(|i| row.cells.get(i).is_none_or(|c| c.trim().is_empty()))
    };
    let name_ok = empty(name_col) || name_col == Some(word_at);
    let filled = row.cells.iter().filter(|c| !c.trim().is_empty()).count();
    match (name_col, id_col) {
        (None, None) => filled <= 3,
        _ => name_ok && empty(id_col),
    }
}

/// Whether a row repeats the header (as in concatenated exports). Cheap for data rows: long
/// cells are never normalised.
fn is_repeated_header(row: &RawRow, normalised_header: &[String]) -> bool {
    row.cells.len() == normalised_header.len()
        && row.cells.iter().all(|c| c.len() <= 200)
        && row
            .cells
            .iter()
            .zip(normalised_header)
            .all(|(c, h)| crate::layout::has_normalised_name(c, h))
}

/// Split a read file into header, data rows and skipped lines, given the header's index.
pub fn extract(table: RawTable, header_index: usize, layout: &Layout) -> SourceTable {
    let mut rows = table.rows.into_iter();
    let mut skipped: BTreeMap<String, u64> = table.pre_skipped;
    let mut bump = |reason: &str| *skipped.entry(reason.to_string()).or_insert(0) += 1;
    let mut header_row = None;
    for (i, row) in rows.by_ref().enumerate() {
        if i == header_index {
            header_row = Some(row);
            break;
        }
        bump(if row.is_blank() {
            skip::BLANK
        } else {
            skip::TITLE
        });
    }
    let header_row = header_row.unwrap_or(RawRow {
        line: 0,
        cells: crate::read::Cells::new(),
    });
    let header: Vec<String> = header_row
        .cells
        .iter()
        .map(|c| {
            c.trim_matches(|ch: char| ch == '\u{feff}' || ch.is_whitespace())
                .to_string()
        })
        .collect();
    // the header may have empty trailing columns; data rows may be that wide or just as wide
    // as the named part
    let named_width = header
        .iter()
        .rposition(|h| !h.is_empty())
        .map_or(0, |p| p + 1);
    let rule_names = |target: &str| {
        layout
            .columns
            .get(target)
            .filter(|r| r.lookup.is_none())
            .map(|r| r.names.clone())
            .unwrap_or_default()
    };
    let name_col = find_column(&header, &rule_names("leverantor"));
    let id_col = find_column(&header, &rule_names("leverantor_id"));
    let normalised_header = crate::layout::normalise_header(&header);

    let mut data = Vec::new();
    let mut broken = Vec::new();
    for mut row in rows {
        if row.is_blank() {
            bump(skip::BLANK);
            continue;
        }
        if is_repeated_header(&row, &normalised_header) {
            bump(skip::REPEATED_HEADER);
            continue;
        }
        if is_total_row(&row, name_col, id_col) {
            bump(skip::TOTAL);
            continue;
        }
        // drop empty cells beyond the named header
        while row.cells.len() > named_width && row.cells.last().is_some_and(|c| c.trim().is_empty())
        {
            row.cells.pop();
        }
        if row.cells.len() > header.len().max(named_width) {
            let reason = format!(
                "row has {} fields but the header has {}",
                row.cells.len(),
                named_width
            );
            broken.push(BrokenRow { row, reason });
            continue;
        }
        if row.cells.len() < named_width {
            let reason = format!(
                "row has {} fields but the header has {}",
                row.cells.len(),
                named_width
            );
            broken.push(BrokenRow { row, reason });
            continue;
        }
        data.push(row);
    }
    SourceTable {
        path: table.path,
        header,
        header_line: header_row.line,
        rows: data,
        broken,
        skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_words() {
        assert!(is_total_word("Summa"));
        assert!(is_total_word("TOTALT: "));
        assert!(is_total_word("Sum"));
        assert!(is_total_word("Delsumma förvaltning"));
        assert!(!is_total_word("Summit Consulting AB"));
        assert!(!is_total_word("Totalentreprenad AB"));
    }

    #[test]
    fn total_rows_need_an_empty_supplier() {
        let row = |cells: &[&str]| RawRow {
            line: 1,
            cells: cells.iter().map(|s| s.to_string()).collect(),
        };
        assert!(is_total_row(
            &row(&["Summa", "", "", "100"]),
            Some(1),
            Some(2)
        ));
        assert!(is_total_row(
            &row(&["", "Totalt", "", "100"]),
            Some(1),
            Some(2)
        ));
        assert!(!is_total_row(
            &row(&["Summa", "Summa AB", "5566778899", "100"]),
            Some(1),
            Some(2)
        ));
    }
}
