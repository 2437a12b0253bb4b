//! How a run tells its progress: a callback the caller supplies (the CLI's bar, a web page's
//! job), and whether the caller has asked it to stop.

/// A callback told how the run advances (for a progress display).
#[derive(Clone, Default)]
pub struct Progress {
    callback: Option<std::sync::Arc<StageCallback>>,
    cancelled: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// How a run advances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressEvent<'a> {
    /// A stage starts (its name).
    Stage(&'a str),
    /// This much of the current input is converted (or checked), out of `whole` (bytes of a
    /// delimited or JSON file, else rows).
    Done {
        /// Converted so far.
        part: u64,
        /// All of it.
        whole: u64,
    },
}

/// The function a [`Progress`] calls with each event.
pub type StageCallback = dyn Fn(ProgressEvent<'_>) + Send + Sync;

impl Progress {
    /// A progress callback.
    pub fn new(f: impl Fn(ProgressEvent<'_>) + Send + Sync + 'static) -> Progress {
        Progress {
            callback: Some(std::sync::Arc::new(f)),
            cancelled: Default::default(),
        }
    }

    /// Ask the run to stop: it ends with [`crate::Error::Cancelled`] at the next batch, and
    /// leaves its output folder as it was. Every clone of this progress sees it.
    pub fn cancel(&self) {
        self.cancelled
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether [`Progress::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// An error when the run was cancelled, to stop it with `?`.
    pub fn check(&self) -> crate::Result<()> {
        if self.is_cancelled() {
            Err(crate::Error::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Tell that a stage starts.
    pub fn stage(&self, name: &str) {
        if let Some(f) = &self.callback {
            f(ProgressEvent::Stage(name));
        }
    }

    /// Tell how much of the current input is done.
    pub fn done(&self, part: u64, whole: u64) {
        if let Some(f) = &self.callback {
            f(ProgressEvent::Done { part, whole });
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.callback.is_some() {
            "Progress(on)"
        } else {
            "Progress(off)"
        })
    }
}
