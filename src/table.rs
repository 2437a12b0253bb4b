//! Stage 2: find the table in a read file — the header row below any title lines, then the
//! data rows, with blank and totals rows recognised and counted.

use crate::layout::{find_column, Layout};
use crate::read::{RawRow, RawTable, RowSource};
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
#[derive(Debug)]
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
    /// Rows not parsed yet, and how to sort them (large delimited files).
    pub rest: Option<(Box<dyn RowSource>, RowSorter)>,
}

/// What a row below the header is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sorted {
    /// A data row.
    Data(RawRow),
    /// A row with the wrong number of fields.
    Broken(BrokenRow),
    /// A line that is not a posting, with the reason.
    Skipped(&'static str),
}

/// Sorts the rows below a header into data rows, broken rows and skipped lines.
#[derive(Debug, Clone)]
pub struct RowSorter {
    header_width: usize,
    /// The header up to its last named column.
    named_width: usize,
    name_col: Option<usize>,
    id_col: Option<usize>,
    normalised_header: Vec<String>,
    /// Whether the rows are a sheet's: they end at their last cell holding text, so a shorter
    /// row has empty cells at its end and a longer one a note beside the table (neither is
    /// broken).
    sheet: bool,
}

impl RowSorter {
    /// A sorter for rows below `header`.
    pub fn new(header: &[String], layout: &Layout) -> RowSorter {
        let rule_names = |target: &str| {
            layout
                .columns
                .get(target)
                .filter(|r| r.lookup.is_none())
                .map(|r| r.names.clone())
                .unwrap_or_default()
        };
        RowSorter {
            header_width: header.len(),
            // the header may have empty trailing columns; data rows may be that wide or just
            // as wide as the named part
            named_width: header
                .iter()
                .rposition(|h| !h.is_empty())
                .map_or(0, |p| p + 1),
            name_col: find_column(header, &rule_names("leverantor")),
            id_col: find_column(header, &rule_names("leverantor_id")),
            normalised_header: crate::layout::normalise_header(header),
            sheet: false,
        }
    }

    /// The sorter for the rows of a workbook sheet: they end at their last cell holding text.
    pub fn for_sheet(self) -> RowSorter {
        RowSorter {
            sheet: true,
            ..self
        }
    }

    /// Sort one row.
    pub fn sort(&self, mut row: RawRow) -> Sorted {
        if row.is_blank() {
            return Sorted::Skipped(skip::BLANK);
        }
        if is_repeated_header(&row, &self.normalised_header) {
            return Sorted::Skipped(skip::REPEATED_HEADER);
        }
        if is_total_row(&row, self.name_col, self.id_col) {
            return Sorted::Skipped(skip::TOTAL);
        }
        // drop empty cells beyond the named header
        while row.cells.len() > self.named_width
            && row.cells.last().is_some_and(|c| c.trim().is_empty())
        {
            row.cells.pop();
        }
        if self.sheet {
            while row.cells.len() < self.named_width {
                row.cells.push("");
            }
            return Sorted::Data(row);
        }
        let too_wide = row.cells.len() > self.header_width.max(self.named_width);
        if too_wide || row.cells.len() < self.named_width {
            let reason = format!(
                "row has {} fields but the header has {}",
                row.cells.len(),
                self.named_width
            );
            return Sorted::Broken(BrokenRow { row, reason });
        }
        Sorted::Data(row)
    }
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
    // the words are ASCII: compared ignoring ASCII case, without a lower-cased copy
    let text = cell.trim().as_bytes();
    TOTAL_WORDS.iter().any(|w| {
        text.len() >= w.len()
            && text[..w.len()].eq_ignore_ascii_case(w.as_bytes())
            && matches!(text.get(w.len()), None | Some(b' ' | b':' | b'-' | b'.'))
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

/// Split a read file into header, data rows and skipped lines, given the header's index. Rows
/// still in the file's stream are sorted later, batch by batch, with the returned sorter.
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
    let sorter = RowSorter::new(&header, layout);
    let sorter = if table.format.kind == "workbook" {
        sorter.for_sheet()
    } else {
        sorter
    };
    let mut data = Vec::with_capacity(rows.len());
    let mut broken = Vec::new();
    for row in rows {
        match sorter.sort(row) {
            Sorted::Data(row) => data.push(row),
            Sorted::Broken(b) => broken.push(b),
            Sorted::Skipped(reason) => bump(reason),
        }
    }
    SourceTable {
        path: table.path,
        header,
        header_line: header_row.line,
        rows: data,
        broken,
        skipped,
        rest: table.rest.map(|stream| (stream, sorter)),
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
