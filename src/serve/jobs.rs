//! Long work off the request threads: one job per run at a time, its progress kept for the
//! page that follows it.

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
    /// Why it failed: a Swedish sentence on what to do, then the command line's message.
    pub error: Option<JobError>,
}

/// A failed job's error.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct JobError {
    /// What happened and what to do, in Swedish.
    pub advice: String,
    /// The message `reskontra convert` prints for the same input.
    pub message: String,
    /// The exit code `reskontra convert` ends with.
    pub exit_code: i32,
}

impl JobError {
    /// The page's words for an error of the library.
    pub fn of(e: &Error) -> JobError {
        JobError {
            advice: advice(e),
            message: e.to_string(),
            exit_code: e.exit_code(),
        }
    }
}

/// What to do next, in Swedish, by the kind of error.
pub fn advice(e: &Error) -> String {
    let text = e.to_string();
    if text.contains("no period was found") {
        return "Exporten har inga datum och filnamnet ingen månad. Ange månaden (ÅÅÅÅ-MM) under \
                Val för körningen, spara valen och konvertera igen."
            .into();
    }
    if text.contains("equally well") {
        return "Flera sparade eller inbyggda mappningar passar exporten lika bra. Välj vilken under \
                Val för körningen och spara valen."
            .into();
    }
    let s = match e {
        Error::Input { .. } | Error::Cell { .. }
            if text.contains("no built-in layout matches") || text.contains("no header row") =>
        {
            "Ingen känd kolumnmappning passar exporten. Koppla kolumnerna själv i mappningen \
             (knappen nedan) och spara den; nästa månads export i samma form känns då igen."
        }
        Error::Input { .. } | Error::Cell { .. } | Error::Unreadable { .. } => {
            "Exporten kunde inte läsas. Kontrollera att det är rätt fil från ekonomisystemet \
             (hela exporten, med rubrikraden) och ladda upp den igen. Meddelandet nedan säger \
             vilken rad och kolumn det gäller."
        }
        Error::Usage(_) if text.contains("period") => {
            "Exporten har inga datum och filnamnet ingen månad. Ange månaden (ÅÅÅÅ-MM) och \
             konvertera igen."
        }
        Error::Usage(_) => {
            "Ett val saknas eller är fel. Rätta det i profilen eller nedan och försök igen."
        }
        Error::Layout { .. } => {
            "Den sparade mappningen är felaktig. Öppna mappningen och spara den igen."
        }
        Error::Policy { .. } => "Profilen kunde inte läsas. Öppna profilen och spara den igen.",
        Error::OutputFolder { .. } => {
            "En annan körning använder samma mapp just nu. Vänta tills den är klar och försök igen."
        }
        Error::Privacy(_) => {
            "Kontrollen av personuppgifter stoppade körningen, och inget publicerades. \
             Kontakta den som ansvarar för reskontra hos er."
        }
        Error::Reconciliation(_) => {
            "Raderna eller beloppen gick inte ihop, och inget publicerades. Kontakta den som \
             ansvarar för reskontra hos er."
        }
        Error::Cancelled => "Körningen avbröts. Inget ändrades.",
        Error::Io { .. } => {
            "En fil kunde inte läsas eller skrivas. Kontrollera att disken inte är full."
        }
        Error::Internal(_) => "Ett internt fel inträffade. Inget publicerades.",
    };
    s.to_string()
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
                        ProgressEvent::Stage(stage) => job.status.stage = stage_label(stage),
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
                        job.status.error = Some(JobError::of(&e));
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

/// A stage's name in Swedish (a file name in it is kept).
fn stage_label(stage: &str) -> String {
    if let Some(file) = stage.strip_prefix("reading ") {
        return format!("läser {file}");
    }
    match stage {
        "writing the report" => "skriver rapporten".into(),
        s if s.starts_with("convert") => format!("konverterar ({s})"),
        s => s.to_string(),
    }
}
