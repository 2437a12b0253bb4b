//! Long work off the request threads: one job per run at a time, its progress kept for the
//! page that follows it.

use super::texts::Problem;
use crate::error::Error;
use crate::progress::{Progress, ProgressEvent};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What a page shows of a job.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct JobStatus {
    /// `convert` or `year`.
    pub kind: &'static str,
    /// `running`, `done` or `failed`.
    pub state: &'static str,
    /// The stage the run is in.
    pub stage: String,
    /// Percent done of the current input (0-100).
    pub percent: u8,
    /// Why it failed: what to do, in Swedish, and the library's message.
    pub error: Option<JobError>,
}

/// A failed job's error.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct JobError {
    /// What happened and what to do, in Swedish, with the library's message for the details
    /// box.
    pub problem: Problem,
    /// The exit code `reskontra convert` ends with for the same input (for scripts; never
    /// shown on a page).
    pub exit_code: i32,
}

impl JobError {
    /// The page's words for an error of the library in the job `key` (a run's id, or
    /// `year-YYYY`).
    pub fn of(e: &Error, key: &str) -> JobError {
        let run = (!key.starts_with("year-")).then_some(key);
        JobError {
            problem: super::texts::problem(e, run),
            exit_code: e.exit_code(),
        }
    }
}

struct Job {
    status: JobStatus,
    progress: Progress,
}

/// Every run's current or last job.
#[derive(Default)]
pub struct Jobs(Arc<Mutex<HashMap<String, Job>>>);

/// Why a job could not start.
#[derive(Debug, PartialEq, Eq)]
pub struct Busy;

impl Jobs {
    /// Start `work` for `key` on a blocking thread, unless a job for it is running. `work`
    /// gets the progress to tell and to check for cancelling.
    pub fn start(
        &self,
        key: &str,
        kind: &'static str,
        work: impl FnOnce(&Progress) -> crate::Result<()> + Send + 'static,
    ) -> Result<(), Busy> {
        let jobs = self.0.clone();
        let progress = {
            let key = key.to_string();
            let jobs = jobs.clone();
            Progress::new(move |event| {
                let mut map = jobs.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(job) = map.get_mut(&key) {
                    match event {
                        ProgressEvent::Stage(stage) => {
                            job.status.stage = super::texts::stage_text(stage)
                        }
                        ProgressEvent::Done { part, whole } => {
                            job.status.percent =
                                (part.saturating_mul(100) / whole.max(1)).min(100) as u8;
                        }
                    }
                }
            })
        };
        {
            let mut map = jobs.lock().unwrap_or_else(|e| e.into_inner());
            if map.get(key).is_some_and(|j| j.status.state == "running") {
                return Err(Busy);
            }
            map.insert(
                key.to_string(),
                Job {
                    status: JobStatus {
                        kind,
                        state: "running",
                        stage: "startar".into(),
                        percent: 0,
                        error: None,
                    },
                    progress: progress.clone(),
                },
            );
        }
        let key = key.to_string();
        tokio::task::spawn_blocking(move || {
            let result = crate::error::catch_panics(
                || work(&progress),
                |m| Error::Internal(format!("the run stopped: {m}")),
            );
            let mut map = jobs.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(job) = map.get_mut(&key) {
                match result {
                    Ok(()) => {
                        job.status.state = "done";
                        job.status.percent = 100;
                    }
                    Err(e) => {
                        job.status.state = "failed";
                        job.status.error = Some(JobError::of(&e, &key));
                    }
                }
            }
        });
        Ok(())
    }

    /// The status of `key`'s job, if it had one.
    pub fn status(&self, key: &str) -> Option<JobStatus> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key).map(|j| j.status.clone())
    }

    /// Ask `key`'s running job to stop.
    pub fn cancel(&self, key: &str) {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(job) = map.get(key) {
            job.progress.cancel();
        }
    }
}
