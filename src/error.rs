//! The library's error type: every message names the file and, where it can, the row and column.

use std::path::{Path, PathBuf};

/// Everything that can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A file exists but is not something this tool can read (empty, binary, encrypted, ...).
    #[error("{}: {message}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A file was read but does not hold a table this tool can convert.
    #[error("{}: {message}", path.display())]
    Input {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// One cell is wrong in a way that stops the run.
    #[error("{}: row {row}, column {column}: {message}", path.display())]
    Cell {
        /// The file.
        path: PathBuf,
        /// Line (delimited text) or sheet row (workbooks), 1-based.
        row: u64,
        /// The column's header name.
        column: String,
        /// What is wrong.
        message: String,
    },
    /// A layout file is malformed.
    #[error("layout {name}: {message}")]
    Layout {
        /// Layout name or path.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// A policy file is malformed.
    #[error("policy {}: {message}", path.display())]
    Policy {
        /// The policy file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An option has a bad value or options contradict each other.
    #[error("{0}")]
    Usage(String),
    /// The output folder cannot take this run: another run is writing there, or it holds
    /// another run's outputs or files no report describes.
    #[error("{}: {message}", path.display())]
    OutputFolder {
        /// The output folder.
        path: PathBuf,
        /// Why, and what to do.
        message: String,
    },
    /// A published output would carry personal data; nothing was written.
    #[error("privacy check failed: {0}; no output was written")]
    Privacy(String),
    /// Row counts or sums do not reconcile; nothing was written.
    #[error("reconciliation failed: {0}; no output was written")]
    Reconciliation(String),
    /// The caller cancelled the run ([`crate::progress::Progress::cancel`]); nothing was written.
    #[error("the run was cancelled; no output was written")]
    Cancelled,
    /// A failure inside the dataframe engine (a bug, not bad input).
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The exit code for this error: 2 for bad usage or unreadable input, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::Unreadable { .. } | Error::OutputFolder { .. } => 2,
            Error::Io { .. } => 2,
            _ => 1,
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// An unreadable-input error on `path`.
    pub fn unreadable(path: &Path, message: impl Into<String>) -> Error {
        Error::Unreadable {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    /// A content error on `path`.
    pub fn input(path: &Path, message: impl Into<String>) -> Error {
        Error::Input {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

#[cfg(feature = "pipeline")]
impl From<polars::prelude::PolarsError> for Error {
    fn from(e: polars::prelude::PolarsError) -> Self {
        Error::Internal(e.to_string())
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How many calls into third-party readers that may panic on damaged input are running.
static GUARDED_CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Run third-party code fed with untrusted bytes (calamine reading a workbook, polars reading a
/// Parquet file), turning a panic in it (on this thread or a pool thread it waits for) into the
/// error `on_panic` makes of the panic's message: a damaged file must never take the process
/// down. While it runs, [`panics_are_guarded`] is true, so a panic hook can stay quiet.
pub fn catch_panics<T>(
    f: impl FnOnce() -> Result<T>,
    on_panic: impl FnOnce(String) -> Error,
) -> Result<T> {
    use std::sync::atomic::Ordering;
    GUARDED_CALLS.fetch_add(1, Ordering::SeqCst);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDED_CALLS.fetch_sub(1, Ordering::SeqCst);
    result.unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_string());
        Err(on_panic(message))
    })
}

/// Whether a panic now would be caught by [`catch_panics`] (for a quiet panic hook).
pub fn panics_are_guarded() -> bool {
    GUARDED_CALLS.load(std::sync::atomic::Ordering::SeqCst) > 0
}
