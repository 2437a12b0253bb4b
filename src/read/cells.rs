//! The cells of one row, stored compactly: all texts in one string plus the end offset of each
//! cell. A row costs two allocations instead of one per cell, which is what keeps reading a
//! million-row export fast and its memory small.

use std::fmt;

/// The text cells of one row.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Cells {
    /// The cells' texts, one after the other.
    text: String,
    /// Where each cell ends in `text` (cell `i` is `text[ends[i-1]..ends[i]]`).
    ends: Vec<u32>,
}

impl Cells {
    /// No cells.
    pub fn new() -> Cells {
        Cells::default()
    }

    /// Remove every cell, keeping the room (to be filled again).
    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    /// Make room for `cells` more cells of `bytes` more bytes in all.
    pub fn reserve(&mut self, cells: usize, bytes: usize) {
        self.text.reserve(bytes);
        self.ends.reserve(cells);
    }

    /// Append a cell. A row's texts are limited to 4 GiB in all; longer cells are cut at a
    /// character boundary (no export has such rows; the limit keeps offsets at 4 bytes).
    pub fn push(&mut self, cell: &str) {
        let room = (u32::MAX as usize).saturating_sub(self.text.len());
        let mut take = cell.len().min(room);
        while !cell.is_char_boundary(take) {
            take -= 1;
        }
        self.text.push_str(&cell[..take]);
        self.ends
            .push(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
    }

    /// The number of cells.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the row has no cells.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn start(&self, i: usize) -> usize {
        if i == 0 {
            0
        } else {
            self.ends[i - 1] as usize
        }
    }

    /// Cell `i`, if the row has it.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        self.text.get(self.start(i)..end)
    }

    /// The last cell.
    pub fn last(&self) -> Option<&str> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    /// Remove the last cell.
    pub fn pop(&mut self) {
        if self.ends.pop().is_some() {
            let end = self.ends.last().map_or(0, |e| *e as usize);
            self.text.truncate(end);
        }
    }

    /// The cells in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator + '_ {
        (0..self.len()).map(|i| self.get(i).unwrap_or_default())
    }

    /// The cells as owned strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }

    /// Whether every cell is empty or white space.
    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// Release unused capacity (rows are kept for the whole run).
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

impl fmt::Debug for Cells {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<S: AsRef<str>> FromIterator<S> for Cells {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Cells {
        let mut cells = Cells::new();
        for s in iter {
            cells.push(s.as_ref());
        }
        cells
    }
}

impl From<Vec<String>> for Cells {
    fn from(v: Vec<String>) -> Cells {
        v.into_iter().collect()
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for Cells {
    fn eq(&self, other: &Vec<S>) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn push_get_pop() {
        let mut c: Cells = ["a", "", "åäö"].into_iter().collect();
        assert_eq!(c.len(), 3);
        assert_eq!(c.get(0), Some("a"));
        assert_eq!(c.get(1), Some(""));
        assert_eq!(c.get(2), Some("åäö"));
        assert_eq!(c.get(3), None);
        assert_eq!(c.last(), Some("åäö"));
        c.pop();
        assert_eq!(c, vec!["a", ""]);
        c.pop();
        c.pop();
        c.pop();
        assert!(c.is_empty());
        assert_eq!(c.last(), None);
        assert!(c.is_blank());
        assert_eq!(
            format!("{:?}", Cells::from(vec!["x".to_string()])),
            "[\"x\"]"
        );
    }

    proptest! {
        #[test]
        fn round_trips_any_texts(texts in proptest::collection::vec(".{0,12}", 0..20)) {
            let cells: Cells = texts.iter().collect();
            prop_assert_eq!(cells.len(), texts.len());
            prop_assert_eq!(cells.to_vec(), texts.clone());
            prop_assert_eq!(cells.iter().rev().count(), texts.len());
            prop_assert_eq!(cells.is_blank(), texts.iter().all(|t| t.trim().is_empty()));
        }
    }
}
