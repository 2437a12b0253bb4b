//! Stage 6: write the published files exactly as `SPEC.md` says (CSV dialect, JSON shape,
//! Parquet types), into a staging folder that is moved into place only when the whole run
//! has succeeded.

use crate::batch::{Batch, Col};
use crate::error::{Error, Result};
use crate::spec::{COLUMNS, HEADER};
use polars::prelude::*;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Spec CSV.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// JSON array of objects.
    Json,
    /// An Excel workbook for spreadsheet users (see [`crate::xlsx`]).
    Xlsx,
}

impl Format {
    /// Parse `csv`, `parquet`, `json` or `xlsx`.
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "parquet" | "pq" => Some(Format::Parquet),
            "json" => Some(Format::Json),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Json => "json",
            Format::Xlsx => "xlsx",
        }
    }

    /// Whether the file is written from the spec texts byte for byte (CSV, JSON), so that the
    /// privacy scan of those texts is the scan of the file; the others (Parquet, xlsx) are read
    /// back from disk.
    pub fn is_spec_text(self) -> bool {
        matches!(self, Format::Csv | Format::Json)
    }
}

/// The formats `--formats` accepts, for messages.
pub const FORMAT_NAMES: &str = "csv, parquet, json, xlsx";

pub use crate::spec::csv_field;
pub use crate::texts::{
    is_formula_like, parquet_texts, spec_table, SpecColumn, SpecTable, SpecTexts,
};

/// The CSV lines of a table's rows (no header).
fn write_csv_rows(table: &SpecTable, out: &mut impl Write) -> std::io::Result<()> {
    let mut line = String::new();
    table.for_each_row(|row| {
        csv_line(&mut line, row);
        out.write_all(line.as_bytes())
    })
}

/// Set `line` to the CSV line of a row's texts (quoted where needed, ending in LF).
pub fn csv_line(line: &mut String, row: &[&str]) {
    line.clear();
    for (j, v) in row.iter().enumerate() {
        if j > 0 {
            line.push(',');
        }
        line.push_str(&csv_field(v));
    }
    line.push('\n');
}

/// The JSON objects of a table's rows, after `before` rows already written: the array opens
/// before the first row, and each further row follows a comma.
fn write_json_rows(table: &SpecTable, out: &mut impl Write, before: u64) -> std::io::Result<()> {
    let mut line = String::new();
    let mut i = before;
    table.for_each_row(|row| {
        line.clear();
        line.push_str(if i == 0 { "[\n" } else { ",\n" });
        i += 1;
        line.push('{');
        for (j, (key, v)) in COLUMNS.iter().zip(row).enumerate() {
            if j > 0 {
                line.push(',');
            }
            line.push('"');
            line.push_str(key);
            line.push_str("\":");
            line.push_str(&serde_json::to_string(v).unwrap_or_else(|_| "\"\"".into()));
        }
        line.push('}');
        out.write_all(line.as_bytes())
    })
}

/// Close the JSON array of `rows` rows.
fn end_json(out: &mut impl Write, rows: u64) -> std::io::Result<()> {
    out.write_all(if rows == 0 { b"[]\n" } else { b"\n]\n" })
}

/// The Parquet frame: the 15 columns, `belopp` Decimal(38, 2), `datum` Date, the rest strings
/// (the frame's own columns, unless the formula guard changed some texts).
pub fn parquet_frame(table: &SpecTable<'_>, df: &DataFrame) -> Result<DataFrame> {
    let mut columns = Vec::with_capacity(COLUMNS.len());
    for (i, c) in Col::SPEC.into_iter().enumerate() {
        let column = match c {
            Col::Belopp | Col::Datum => df.col(c)?.clone(),
            // unchanged and without nulls (nulls are written as empty texts, as in the CSV)
            _ if !table.changed[i] && df.col(c)?.null_count() == 0 => df.col(c)?.clone(),
            _ => {
                let texts: Vec<&str> = table.columns[i].iter().collect();
                crate::batch::column(c, texts)
            }
        };
        columns.push(column);
    }
    Ok(DataFrame::new(table.height(), columns)?)
}

/// Write one file, mapping I/O errors to the path.
pub fn write_file(
    path: &Path,
    write: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> Result<()> {
    let mut file = fs::File::create(path).map_err(|e| Error::io(path, e))?;
    write(&mut file).map_err(|e| Error::io(path, e))?;
    file.sync_all().map_err(|e| Error::io(path, e))
}

/// A writer that takes the SHA-256 of what passes through it.
pub struct Sha256Writer<W> {
    inner: W,
    hasher: sha2::Sha256,
}

impl<W: Write> Write for Sha256Writer<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A text file written through a buffer and hashed on the way (no second read).
type HashedText = std::io::BufWriter<Sha256Writer<fs::File>>;

fn create_hashed(path: &Path) -> Result<HashedText> {
    use sha2::Digest;
    let file = fs::File::create(path).map_err(|e| Error::io(path, e))?;
    Ok(std::io::BufWriter::with_capacity(
        1 << 16,
        Sha256Writer {
            inner: file,
            hasher: sha2::Sha256::new(),
        },
    ))
}

/// Flush and sync a hashed text file; returns its SHA-256 as lower-case hex.
fn finish_hashed(path: &Path, out: HashedText) -> Result<String> {
    use sha2::Digest;
    let hashing = out
        .into_inner()
        .map_err(|e| Error::io(path, e.into_error()))?;
    hashing.inner.sync_all().map_err(|e| Error::io(path, e))?;
    Ok(crate::read::hex(&hashing.hasher.finalize()))
}

/// A text file written a piece at a time, through a buffer, and hashed on the way.
pub struct HashedFile {
    path: PathBuf,
    out: HashedText,
}

impl HashedFile {
    /// Create the file.
    pub fn create(path: &Path) -> Result<HashedFile> {
        Ok(HashedFile {
            path: path.to_path_buf(),
            out: create_hashed(path)?,
        })
    }

    /// Append text.
    pub fn write_str(&mut self, text: &str) -> Result<()> {
        self.write_bytes(text.as_bytes())
    }

    /// Append bytes (of text written elsewhere first).
    pub fn write_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        self.out
            .write_all(bytes)
            .map_err(|e| Error::io(&self.path, e))
    }

    /// Flush and sync the file; returns its SHA-256 as lower-case hex.
    pub fn finish(self) -> Result<String> {
        finish_hashed(&self.path, self.out)
    }
}

/// A file written through a buffer, for a writer that owns what it writes to and never hands
/// it back (polars' batched Parquet writer): its many small writes go to the buffer, and the
/// buffer is flushed and the file synced through a clone of the handle.
#[derive(Clone)]
pub struct SharedFile(std::sync::Arc<std::sync::Mutex<std::io::BufWriter<fs::File>>>);

impl SharedFile {
    /// Create the file.
    pub fn create(path: &Path) -> Result<SharedFile> {
        let file = fs::File::create(path).map_err(|e| Error::io(path, e))?;
        Ok(SharedFile(std::sync::Arc::new(std::sync::Mutex::new(
            std::io::BufWriter::with_capacity(1 << 16, file),
        ))))
    }

    /// Flush what the buffer holds and sync the file to disk.
    pub fn finish(&self, path: &Path) -> Result<()> {
        let mut out = self
            .0
            .lock()
            .map_err(|_| Error::Internal("a file's writer failed".into()))?;
        out.flush()
            .and_then(|()| out.get_ref().sync_all())
            .map_err(|e| Error::io(path, e))
    }
}

impl Write for SharedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.lock() {
            Ok(mut out) => out.write(buf),
            Err(_) => Err(std::io::Error::other("a file's writer failed")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.0.lock() {
            Ok(mut out) => out.flush(),
            Err(_) => Err(std::io::Error::other("a file's writer failed")),
        }
    }
}

/// Write the Parquet file.
pub fn write_parquet(path: &Path, frame: &mut DataFrame) -> Result<()> {
    let file = fs::File::create(path).map_err(|e| Error::io(path, e))?;
    ParquetWriter::new(file).finish(frame)?;
    Ok(())
}

/// A published file written batch by batch: the same bytes as writing all rows at once.
pub struct PublishedWriter {
    path: PathBuf,
    rows: u64,
    sink: Sink,
}

enum Sink {
    Csv(HashedText),
    Json(HashedText),
    Parquet(Box<ParquetSink>),
    Xlsx(Box<crate::xlsx::XlsxSink>),
}

/// Rows per Parquet row group: 65,536 (polars' default is 262,144; a smaller group holds less
/// in memory while it is encoded, for a file of about the same size).
pub const ROW_GROUP_ROWS: usize = 1 << 16;

/// A Parquet file written in row groups of [`ROW_GROUP_ROWS`] rows, however the rows arrive, so
/// that its bytes do not depend on the batch size.
struct ParquetSink {
    file: SharedFile,
    writer: Option<polars::io::parquet::write::BatchedWriter<SharedFile>>,
    /// Rows waiting for a full row group.
    pending: Option<DataFrame>,
}

impl ParquetSink {
    fn append(&mut self, frame: DataFrame) -> Result<()> {
        if self.writer.is_none() {
            let file = self.file.clone();
            self.writer = Some(ParquetWriter::new(file).batched(frame.schema())?);
        }
        let mut pending = match self.pending.take() {
            None => frame,
            Some(mut pending) => {
                pending.vstack_mut(&frame)?;
                pending
            }
        };
        while pending.height() >= ROW_GROUP_ROWS {
            self.write_group(pending.slice(0, ROW_GROUP_ROWS))?;
            let rest = pending.height() - ROW_GROUP_ROWS;
            pending = pending.slice(ROW_GROUP_ROWS as i64, rest);
        }
        self.pending = Some(pending);
        Ok(())
    }

    fn write_group(&mut self, mut group: DataFrame) -> Result<()> {
        group.rechunk_mut();
        if let (Some(writer), true) = (self.writer.as_mut(), group.height() > 0) {
            writer.write_batch(&group)?;
        }
        Ok(())
    }

    /// Write the last row group and the footer; returns the file's SHA-256.
    fn finish(mut self, path: &Path) -> Result<String> {
        if let Some(pending) = self.pending.take() {
            self.write_group(pending)?;
        }
        let Some(writer) = self.writer else {
            return Err(Error::Internal(
                "no batch reached the Parquet writer".into(),
            ));
        };
        writer.finish()?;
        self.file.finish(path)?;
        let (sha256, _) = crate::read::sha256_file(path).map_err(|e| Error::io(path, e))?;
        Ok(sha256)
    }
}

impl PublishedWriter {
    /// Create the file (a CSV gets its header now).
    pub fn create(format: Format, path: &Path) -> Result<PublishedWriter> {
        let sink = match format {
            Format::Csv => {
                let mut out = create_hashed(path)?;
                out.write_all(HEADER.as_bytes())
                    .and_then(|()| out.write_all(b"\n"))
                    .map_err(|e| Error::io(path, e))?;
                Sink::Csv(out)
            }
            Format::Json => Sink::Json(create_hashed(path)?),
            Format::Parquet => Sink::Parquet(Box::new(ParquetSink {
                file: SharedFile::create(path)?,
                writer: None,
                pending: None,
            })),
            Format::Xlsx => Sink::Xlsx(Box::new(crate::xlsx::XlsxSink::create(path)?)),
        };
        Ok(PublishedWriter {
            path: path.to_path_buf(),
            rows: 0,
            sink,
        })
    }

    /// Append a batch: its spec texts (for xlsx with amounts and dates as texts, see
    /// [`spec_table`]) and (for Parquet) its published frame.
    pub fn write(&mut self, table: &SpecTable, published: &DataFrame) -> Result<()> {
        let path = &self.path;
        match &mut self.sink {
            Sink::Csv(out) => write_csv_rows(table, out).map_err(|e| Error::io(path, e))?,
            Sink::Json(out) => {
                write_json_rows(table, out, self.rows).map_err(|e| Error::io(path, e))?
            }
            Sink::Parquet(sink) => sink.append(parquet_frame(table, published)?)?,
            Sink::Xlsx(sink) => sink.write(table)?,
        }
        self.rows += table.height() as u64;
        Ok(())
    }

    /// Close the file; returns its SHA-256 as lower-case hex.
    pub fn finish(self) -> Result<String> {
        let path = &self.path;
        match self.sink {
            Sink::Csv(out) => finish_hashed(path, out),
            Sink::Json(mut out) => {
                end_json(&mut out, self.rows).map_err(|e| Error::io(path, e))?;
                finish_hashed(path, out)
            }
            Sink::Parquet(sink) => sink.finish(path),
            Sink::Xlsx(sink) => sink.finish(),
        }
    }
}

pub use crate::staging::Staging;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("a;b"), "a;b");
    }
}
