//! How a run advances, told to whoever drives it (the CLI's progress bar, a web page): a
//! callback the caller supplies, called with each stage and with how much of an input is done.

/// A callback told how the run advances (for a progress display).
#[derive(Clone, Default)]
pub struct Progress(Option<std::sync::Arc<StageCallback>>);

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
        Progress(Some(std::sync::Arc::new(f)))
    }

    /// Tell that a stage starts.
    pub(crate) fn stage(&self, name: &str) {
        if let Some(f) = &self.0 {
            f(ProgressEvent::Stage(name));
        }
    }

    /// Tell how much of the current input is done.
    pub(crate) fn done(&self, part: u64, whole: u64) {
        if let Some(f) = &self.0 {
            f(ProgressEvent::Done { part, whole });
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(on)"
        } else {
            "Progress(off)"
        })
    }
}
