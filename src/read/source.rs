//! Where a text file's bytes come from, and reading them a piece at a time: the survey pass
//! (hash, encoding facts, line endings) and the decoded text handed out piece by piece.

use super::encoding::{EncodingPlan, Survey, TextDecoder};
use super::ReadProgress;
use crate::error::{Error, Result};
use std::path::Path;

/// Bytes of a file read at a time when its text is read a piece at a time.
pub const CHUNK_BYTES: usize = 8 << 20;

/// Where a file's bytes come from: the file itself (read more than once, a piece at a time:
/// once to survey it, then to parse it), or bytes already in memory (an input that cannot be
/// read twice, such as a pipe, or bytes given by a caller).
pub(crate) enum ByteSource {
    /// The file at the path given to [`ByteSource::open`].
    File,
    /// Bytes in memory.
    Memory(std::sync::Arc<[u8]>),
}

impl ByteSource {
    /// How many bytes there are (as the file system says; 0 when it cannot tell).
    pub(crate) fn size(&self, path: &Path) -> u64 {
        match self {
            ByteSource::File => std::fs::metadata(path).map_or(0, |m| m.len()),
            ByteSource::Memory(bytes) => bytes.len() as u64,
        }
    }

    /// A reader from the start of the bytes.
    pub(crate) fn open(&self, path: &Path) -> Result<Box<dyn std::io::Read + Send + Sync>> {
        match self {
            ByteSource::File => Ok(Box::new(
                std::fs::File::open(path).map_err(|e| Error::io(path, e))?,
            )),
            ByteSource::Memory(bytes) => Ok(Box::new(std::io::Cursor::new(bytes.clone()))),
        }
    }
}

/// Read into `buf` until it is full or the reader ends; returns the bytes read.
pub(crate) fn read_full(
    path: &Path,
    reader: &mut dyn std::io::Read,
    buf: &mut [u8],
) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    Ok(n)
}

/// Survey a file (its first bytes already read) while a second thread hashes it; returns
/// the survey and the SHA-256.
pub(super) fn survey_and_hash(
    path: &Path,
    plan: &EncodingPlan,
    head: Vec<u8>,
    mut reader: Box<dyn std::io::Read + Send + Sync>,
    piece: usize,
    (progress, size): (&ReadProgress, u64),
) -> Result<(Survey, String)> {
    use sha2::Digest;
    let mut survey = Survey::new(plan);
    let sha256 = std::thread::scope(|s| -> Result<String> {
        let (pieces, received) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
        let hasher = s.spawn(move || {
            let mut hasher = sha2::Sha256::new();
            for piece in received {
                hasher.update(&piece);
            }
            super::hex(&hasher.finalize())
        });
        let mut read = head.len() as u64;
        survey.feed(&head);
        // a send fails only if the hasher is gone; its join then says why
        let _ = pieces.send(head);
        loop {
            let mut buf = vec![0; piece.min(1 << 20)];
            let n = read_full(path, &mut *reader, &mut buf)?;
            if n == 0 {
                break;
            }
            buf.truncate(n);
            read += n as u64;
            progress.tell(read, size.max(read));
            survey.feed(&buf);
            if pieces.send(buf).is_err() {
                break;
            }
        }
        drop(pieces);
        hasher
            .join()
            .map_err(|_| Error::Internal("the hashing thread failed".into()))
    })?;
    Ok((survey, sha256))
}

/// A text read a piece at a time: the bytes of each piece decoded (UTF-8 as it is, single-byte
/// encodings through a table) and appended after the text not used yet.
pub(super) struct TextPieces {
    source: Box<dyn std::io::Read + Send + Sync>,
    decoder: TextDecoder,
    /// Whether bare CR line breaks are turned into LF (files with no other line breaks).
    cr_to_lf: bool,
    /// Text read (as UTF-8); the part from `at` is not used yet.
    text: Vec<u8>,
    at: usize,
    /// Whether the source has no more bytes.
    ended: bool,
    /// Bytes read from the source, and how many it holds (as surveyed).
    read: u64,
    pub(super) size: u64,
    /// Bytes to read at a time (doubled while the unused text stays long).
    piece: usize,
    raw: Vec<u8>,
}

impl TextPieces {
    /// The text of `source`, which holds `size` bytes, read `piece` bytes at a time.
    pub(super) fn new(
        source: Box<dyn std::io::Read + Send + Sync>,
        decoder: TextDecoder,
        cr_to_lf: bool,
        size: u64,
        piece: usize,
    ) -> TextPieces {
        TextPieces {
            source,
            decoder,
            cr_to_lf,
            text: Vec::new(),
            at: 0,
            ended: false,
            read: 0,
            size,
            piece,
            raw: Vec::new(),
        }
    }

    /// Step over the first `n` bytes of the source (a byte-order mark).
    pub(super) fn skip(&mut self, path: &Path, n: usize) -> Result<()> {
        let mut skipped = [0u8; 4];
        let n = n.min(skipped.len());
        self.read += read_full(path, &mut *self.source, &mut skipped[..n])? as u64;
        Ok(())
    }

    /// How far reading has come: bytes read and bytes in all.
    pub(super) fn position(&self) -> (u64, u64) {
        (self.read, self.size)
    }

    /// The text read and not used yet.
    pub(super) fn unread(&self) -> &[u8] {
        &self.text[self.at..]
    }

    /// Mark the first `n` bytes of the unread text as used, and return them.
    pub(super) fn take(&mut self, n: usize) -> &[u8] {
        let from = self.at;
        self.consume(n);
        &self.text[from..self.at]
    }

    /// Mark the first `n` bytes of the unread text as used.
    pub(super) fn consume(&mut self, n: usize) {
        self.at = (self.at + n).min(self.text.len());
    }

    /// Whether the source has no more bytes (the unread text is all there is).
    pub(super) fn ended(&self) -> bool {
        self.ended
    }

    /// Read the next piece of the source, after the unread text. A file whose size is not the
    /// surveyed one (it changed in between) is an error.
    pub(super) fn read_more(&mut self, path: &Path) -> Result<()> {
        if self.text.len() - self.at >= self.piece / 2 {
            // a record or line as long as half a piece: read more at a time, so that a very
            // long one is not parsed again and again
            self.piece = self.piece.saturating_mul(2);
        }
        self.text.drain(..self.at);
        self.at = 0;
        self.raw.resize(self.piece, 0);
        let n = read_full(path, &mut *self.source, &mut self.raw)?;
        self.read += n as u64;
        let from = self.text.len();
        self.decoder.decode_into(&self.raw[..n], &mut self.text);
        if self.cr_to_lf {
            for b in &mut self.text[from..] {
                if *b == b'\r' {
                    *b = b'\n';
                }
            }
        }
        if n < self.piece {
            self.ended = true;
            if self.read != self.size {
                return Err(Error::unreadable(
                    path,
                    "the file changed while it was being read; convert it again once it is \
                     complete",
                ));
            }
        }
        Ok(())
    }
}
