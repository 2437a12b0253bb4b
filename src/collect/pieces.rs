//! A source's rows written into one Parquet file per partition (a buyer's month), its
//! "piece", as the rows come, in memory that does not grow with the source.
//!
//! Rows wait in a buffer per partition and are written as a row group when the partition has
//! [`ROW_GROUP_ROWS`] of them. When all buffers together hold [`BUFFERED_ROWS`], the fullest
//! one is written out early; at most [`OPEN_WRITERS`] pieces are open at once (the one used
//! longest ago is closed, and the partition goes on in a second file, joined at the end). Every
//! one of these decisions is taken at a row of the source, never at a batch's end, so a
//! piece's bytes depend on the source's rows alone, whatever the batch size.

use super::rows::{DatasetRows, PartKey};
use crate::error::{Error, Result};
use crate::write::SharedFile;
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Rows per row group.
pub use crate::write::ROW_GROUP_ROWS;

/// Rows all partitions' buffers hold at most.
pub const BUFFERED_ROWS: usize = 4 * ROW_GROUP_ROWS;

/// Pieces open for writing at most, per source: a file descriptor each, and sources are
/// collected one per core, so a run needs about `cores × 256` descriptors beside the ones of
/// the files read (Linux's default soft limit is 1,024; raise it with `ulimit -n` on a machine
/// of many cores). A source with more partitions than this at once writes a partition on in
/// a second file, joined at the end.
pub const OPEN_WRITERS: usize = 256;

/// An amount text (point decimals, as the dataset's report writes them) in öre; 0 for none.
pub fn amount_cents(amount: &str) -> i128 {
    crate::amount::parse_amount(amount, crate::amount::DecimalMark::Point)
        .map(|a| crate::amount::to_ore(a.value))
        .unwrap_or(0)
}

/// What a source's piece of a partition holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PieceStats {
    /// Rows.
    pub rows: u64,
    /// The sum of `belopp`.
    pub amount: String,
    /// Per column, the rows that have a value (of the columns that are ever empty).
    pub filled: BTreeMap<String, u64>,
    /// Rows per kind of supplier id.
    pub id_kinds: BTreeMap<String, u64>,
    /// The buyer's names in the rows (`kopare`), with their rows.
    pub names: BTreeMap<String, u64>,
    /// The sum in öre, while it is added up.
    #[serde(skip)]
    cents: i128,
}

impl PieceStats {
    /// Add a slice of the dataset's rows.
    fn add(&mut self, rows: &DataFrame) -> Result<()> {
        self.rows += rows.height() as u64;
        let belopp = rows.column("belopp")?.decimal()?.physical();
        self.cents += belopp.iter().flatten().sum::<i128>();
        for column in rows.columns() {
            let name = column.name().as_str();
            if name == "belopp" || name == "datum" {
                continue;
            }
            *self.filled.entry(name.to_string()).or_insert(0) +=
                (column.len() - column.null_count()) as u64;
        }
        let mut kinds: Vec<(&str, u64)> = Vec::new();
        for kind in rows.column("leverantor_id_typ")?.str()?.iter().flatten() {
            match kinds.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => kinds.push((kind, 1)),
            }
        }
        for (kind, n) in kinds {
            *self.id_kinds.entry(kind.to_string()).or_insert(0) += n;
        }
        let mut last: Option<(&str, &mut u64)> = None;
        for name in rows.column("kopare")?.str()?.iter().flatten() {
            match &mut last {
                Some((seen, n)) if *seen == name => **n += 1,
                _ => {
                    let n = self.names.entry(name.to_string()).or_insert(0);
                    *n += 1;
                    last = Some((name, n));
                }
            }
        }
        Ok(())
    }

    /// The sum in öre (also of stats read back from a report).
    pub fn cents(&self) -> i128 {
        if self.cents != 0 || self.amount.is_empty() {
            return self.cents;
        }
        amount_cents(&self.amount)
    }

    /// Write the sum as text, once every row is in.
    fn close(&mut self) {
        self.amount = crate::amount::ore_text(self.cents);
    }
}

/// One partition's piece while it is written.
#[derive(Default)]
struct Piece {
    /// Rows waiting for their row group.
    pending: Vec<DataFrame>,
    pending_rows: usize,
    /// The open file, with when it was last written to.
    writer: Option<(polars::io::parquet::write::BatchedWriter<SharedFile>, u64)>,
    /// The open file's buffer, flushed when it closes.
    file: Option<SharedFile>,
    /// The piece's files, in order (the open one last).
    files: Vec<PathBuf>,
    stats: PieceStats,
}

/// The pieces of one source, written into `dir`.
pub struct Pieces {
    dir: PathBuf,
    pieces: BTreeMap<PartKey, Piece>,
    buffered: usize,
    open: usize,
    clock: u64,
    /// [`BUFFERED_ROWS`], or less under test.
    max_buffered: usize,
    /// [`OPEN_WRITERS`], or less under test.
    max_open: usize,
}

impl Pieces {
    /// Pieces to be written into `dir` (which exists).
    pub fn new(dir: &Path) -> Pieces {
        Pieces::with_limits(dir, BUFFERED_ROWS, OPEN_WRITERS)
    }

    /// Pieces with other limits than [`BUFFERED_ROWS`] and [`OPEN_WRITERS`].
    fn with_limits(dir: &Path, max_buffered: usize, max_open: usize) -> Pieces {
        Pieces {
            dir: dir.to_path_buf(),
            pieces: BTreeMap::new(),
            buffered: 0,
            open: 0,
            clock: 0,
            max_buffered: max_buffered.max(1),
            max_open: max_open.max(1),
        }
    }

    /// Add a batch of the dataset's rows, run by run of rows of one partition.
    pub fn add(&mut self, rows: &DatasetRows) -> Result<()> {
        let n = rows.part_of.len();
        let mut start = 0;
        while start < n {
            let part = rows.part_of[start];
            let end = (start..n).find(|&i| rows.part_of[i] != part).unwrap_or(n);
            let key = &rows.parts[part as usize];
            let mut run = rows.frame.slice(start as i64, end - start);
            loop {
                let room = self.max_buffered - self.buffered;
                if run.height() <= room {
                    self.append(key, run)?;
                    break;
                }
                if room > 0 {
                    self.append(key, run.slice(0, room))?;
                }
                run = run.slice(room as i64, run.height() - room);
                self.flush_fullest()?;
            }
            start = end;
        }
        Ok(())
    }

    /// Buffer rows of one partition, writing every full row group.
    fn append(&mut self, key: &PartKey, rows: DataFrame) -> Result<()> {
        let piece = self.pieces.entry(key.clone()).or_default();
        piece.stats.add(&rows)?;
        piece.pending_rows += rows.height();
        self.buffered += rows.height();
        piece.pending.push(rows);
        while self
            .pieces
            .get(key)
            .is_some_and(|p| p.pending_rows >= ROW_GROUP_ROWS)
        {
            self.write_group(key, ROW_GROUP_ROWS)?;
        }
        Ok(())
    }

    /// Write the fullest buffer (the first partition of the fullest, by key) as a row group.
    fn flush_fullest(&mut self) -> Result<()> {
        let fullest = self
            .pieces
            .iter()
            .filter(|(_, p)| p.pending_rows > 0)
            .fold(None::<(&PartKey, usize)>, |best, (k, p)| match best {
                Some((_, rows)) if rows >= p.pending_rows => best,
                _ => Some((k, p.pending_rows)),
            })
            .map(|(k, rows)| (k.clone(), rows));
        match fullest {
            Some((key, rows)) => self.write_group(&key, rows),
            None => Err(Error::Internal("no rows to write out".into())),
        }
    }

    /// Write a partition's first `rows` buffered rows as one row group.
    fn write_group(&mut self, key: &PartKey, rows: usize) -> Result<()> {
        self.ensure_open(key)?;
        self.clock += 1;
        let clock = self.clock;
        let piece = self
            .pieces
            .get_mut(key)
            .ok_or_else(|| Error::Internal("a piece went missing".into()))?;
        let mut all = concat(std::mem::take(&mut piece.pending))?;
        let mut group = all.slice(0, rows);
        let rest = all.height() - rows;
        all = all.slice(rows as i64, rest);
        piece.pending = if rest > 0 { vec![all] } else { Vec::new() };
        piece.pending_rows = rest;
        self.buffered -= rows;
        group.rechunk_mut();
        if let Some((writer, last_use)) = piece.writer.as_mut() {
            writer.write_batch(&group)?;
            *last_use = clock;
        }
        Ok(())
    }

    /// Open the partition's piece for writing, closing the one used longest ago if too many
    /// are open (the partition then goes on in a file of its own).
    fn ensure_open(&mut self, key: &PartKey) -> Result<()> {
        if self.pieces.get(key).is_some_and(|p| p.writer.is_some()) {
            return Ok(());
        }
        if self.open >= self.max_open {
            let oldest = self
                .pieces
                .iter()
                .filter_map(|(k, p)| p.writer.as_ref().map(|(_, used)| (*used, k.clone())))
                .min();
            if let Some((_, old)) = oldest {
                self.close(&old)?;
            }
        }
        let dir = self.dir.clone();
        let piece = self.pieces.entry(key.clone()).or_default();
        let path = dir.join(format!(
            "{}_{}_{}.parquet",
            key.buyer,
            key.month,
            piece.files.len()
        ));
        let file = SharedFile::create(&path)?;
        let schema = piece
            .pending
            .first()
            .map(|df| df.schema().clone())
            .ok_or_else(|| Error::Internal("a piece opened without rows".into()))?;
        let writer = ParquetWriter::new(file.clone()).batched(&schema)?;
        piece.writer = Some((writer, 0));
        piece.file = Some(file);
        piece.files.push(path);
        self.open += 1;
        Ok(())
    }

    /// Finish a partition's open file.
    fn close(&mut self, key: &PartKey) -> Result<()> {
        let Some(piece) = self.pieces.get_mut(key) else {
            return Ok(());
        };
        if let (Some((writer, _)), Some(file)) = (piece.writer.take(), piece.file.take()) {
            writer.finish()?;
            let path = piece.files.last().cloned().unwrap_or_default();
            file.finish(&path)?;
            self.open -= 1;
        }
        Ok(())
    }

    /// Write every buffered row and close every piece: per partition, its piece's file and what
    /// it holds. A partition written in several files is joined into one.
    pub fn finish(mut self) -> Result<BTreeMap<PartKey, (PathBuf, PieceStats)>> {
        let keys: Vec<PartKey> = self.pieces.keys().cloned().collect();
        for key in &keys {
            let rows = self.pieces.get(key).map_or(0, |p| p.pending_rows);
            if rows > 0 {
                self.write_group(key, rows)?;
            }
            self.close(key)?;
        }
        let mut done = BTreeMap::new();
        for (key, mut piece) in std::mem::take(&mut self.pieces) {
            piece.stats.close();
            let path = match piece.files.as_slice() {
                [one] => one.clone(),
                files => join(
                    files,
                    &self
                        .dir
                        .join(format!("{}_{}.parquet", key.buyer, key.month)),
                )?,
            };
            done.insert(key, (path, piece.stats));
        }
        Ok(done)
    }
}

/// Frames one after the other.
fn concat(frames: Vec<DataFrame>) -> Result<DataFrame> {
    let mut frames = frames.into_iter();
    let mut all = frames
        .next()
        .ok_or_else(|| Error::Internal("no rows to join".into()))?;
    for frame in frames {
        all.vstack_mut(&frame)?;
    }
    Ok(all)
}

/// Join the files of a piece into one, in row groups of [`ROW_GROUP_ROWS`].
fn join(files: &[PathBuf], to: &Path) -> Result<PathBuf> {
    let mut frames = Vec::with_capacity(files.len());
    for path in files {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        frames.push(ParquetReader::new(file).finish()?);
        let _ = std::fs::remove_file(path);
    }
    let all = concat(frames)?;
    let file = SharedFile::create(to)?;
    let mut writer = ParquetWriter::new(file.clone()).batched(all.schema())?;
    let mut at = 0;
    while at < all.height() {
        let n = ROW_GROUP_ROWS.min(all.height() - at);
        let mut group = all.slice(at as i64, n);
        group.rechunk_mut();
        writer.write_batch(&group)?;
        at += n;
    }
    writer.finish()?;
    file.finish(to)?;
    Ok(to.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Period;

    /// A frame of `n` rows with the columns the statistics read and a row number.
    fn frame(from: i64, n: usize) -> DataFrame {
        let numbers: Vec<i64> = (from..from + n as i64).collect();
        let cents: Vec<Option<i128>> = numbers.iter().map(|i| Some(i128::from(*i) * 100)).collect();
        DataFrame::new(
            n,
            vec![
                Column::new("kopare".into(), vec!["K"; n]),
                crate::normalise::amount_column("belopp".into(), &cents).unwrap(),
                Column::new("leverantor_id_typ".into(), vec!["saknas"; n]),
                Column::new("n".into(), numbers),
            ],
        )
        .unwrap()
    }

    /// Rows of five partitions, interleaved, written with small limits in batches of any
    /// size: each piece holds its partition's rows in order, and its bytes do not depend on
    /// the batch size.
    #[test]
    fn pieces_hold_their_rows_in_order_whatever_the_batches() {
        let parts: Vec<PartKey> = (1..=5)
            .map(|m| PartKey {
                buyer: "2120000142".into(),
                month: Period {
                    year: 2024,
                    month: m,
                },
            })
            .collect();
        // runs of 1 to 6 rows of one partition, in a fixed scramble
        let mut part_of = Vec::new();
        for i in 0..60u32 {
            let p = (i * 7 + i / 3) % 5;
            part_of.extend(std::iter::repeat_n(p, (i % 6 + 1) as usize));
        }
        let total = part_of.len();
        let mut first: Option<Vec<Vec<u8>>> = None;
        for batch in [1, 3, 7, 64, total] {
            let dir = tempfile::tempdir().unwrap();
            let mut pieces = Pieces::with_limits(dir.path(), 10, 2);
            let mut at = 0;
            while at < total {
                let n = batch.min(total - at);
                pieces
                    .add(&DatasetRows {
                        frame: frame(at as i64, n),
                        part_of: part_of[at..at + n].to_vec(),
                        parts: parts.clone(),
                        leaks: Vec::new(),
                    })
                    .unwrap();
                at += n;
            }
            let done = pieces.finish().unwrap();
            let mut bytes = Vec::new();
            for (p, key) in parts.iter().enumerate() {
                let (path, stats) = &done[key];
                let want: Vec<i64> = (0..total)
                    .filter(|i| part_of[*i] == p as u32)
                    .map(|i| i as i64)
                    .collect();
                let df = ParquetReader::new(std::fs::File::open(path).unwrap())
                    .finish()
                    .unwrap();
                let got: Vec<i64> = df
                    .column("n")
                    .unwrap()
                    .i64()
                    .unwrap()
                    .iter()
                    .flatten()
                    .collect();
                assert_eq!(got, want, "batch {batch}, partition {p}");
                assert_eq!(stats.rows, want.len() as u64);
                assert_eq!(
                    stats.cents(),
                    want.iter().map(|i| i128::from(*i) * 100).sum::<i128>()
                );
                bytes.push(std::fs::read(path).unwrap());
            }
            match &first {
                None => first = Some(bytes),
                Some(f) => assert!(f == &bytes, "batch {batch}: other bytes"),
            }
        }
    }
}
