//! A new month: the upload form, the upload itself (streamed into the run's folder), and the
//! question when the same file, or the same month, is already in the workspace.

use super::{disk_full, has_profile, message, no_run, render, show, Shared};
use crate::serve::workspace::{RunSummary, Workspace};
use crate::serve::Desk;
use askama::Template;
use axum::extract::{Multipart, Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use std::path::PathBuf;

#[derive(Template)]
#[template(path = "desk/upload.html")]
struct UploadPage {
    has_profile: bool,
    max_mb: u64,
}

pub(super) async fn page(State(desk): Shared) -> Response {
    show(&UploadPage {
        has_profile: has_profile(&desk.workspace),
        max_mb: desk.max_upload / (1024 * 1024),
    })
}

fn too_large(desk: &Desk) -> Response {
    message(
        StatusCode::PAYLOAD_TOO_LARGE,
        "Filen är för stor",
        &format!(
            "Filerna är större än {} MB, som är gränsen. Ta ut en månad i taget ur ekonomisystemet och ladda upp den.",
            desk.max_upload / (1024 * 1024)
        ),
    )
}

fn failed_upload() -> Response {
    message(
        StatusCode::BAD_REQUEST,
        "Uppladdningen misslyckades",
        "Filen kom inte fram hela. Ladda upp den igen.",
    )
}

/// Store the uploaded fields of `kinds` into `folder/<kind folder>/SAFE_NAME`, streaming each;
/// returns how many files were stored, or the response for a failed upload.
pub(super) async fn store_upload(
    desk: &Desk,
    multipart: &mut Multipart,
    folder_of: impl Fn(&str) -> Option<PathBuf>,
) -> std::result::Result<usize, Response> {
    use tokio::io::AsyncWriteExt;
    let mut stored = 0;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large(desk)),
            Err(_) => return Err(failed_upload()),
        };
        let Some(dir) = field.name().and_then(&folder_of) else {
            continue;
        };
        let Some(raw_name) = field
            .file_name()
            .map(str::to_string)
            .filter(|n| !n.is_empty())
        else {
            continue;
        };
        let name = crate::serve::safe_file_name(&raw_name);
        if tokio::fs::create_dir_all(&dir).await.is_err() {
            return Err(disk_full());
        }
        let path = dir.join(&name);
        let Ok(mut file) = tokio::fs::File::create(&path).await else {
            return Err(disk_full());
        };
        loop {
            match field.chunk().await {
                Ok(Some(bytes)) => {
                    if file.write_all(&bytes).await.is_err() {
                        let _ = tokio::fs::remove_file(&path).await;
                        return Err(disk_full());
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    drop(file);
                    let _ = tokio::fs::remove_file(&path).await;
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        return Err(too_large(desk));
                    }
                    return Err(failed_upload());
                }
            }
        }
        if file.flush().await.is_err() {
            return Err(disk_full());
        }
        stored += 1;
    }
    Ok(stored)
}

pub(super) async fn receive(State(desk): Shared, mut multipart: Multipart) -> Response {
    let Ok(id) = desk.workspace.new_run() else {
        return disk_full();
    };
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    let stored = store_upload(&desk, &mut multipart, |name| match name {
        "export" => Some(run.join("inputs")),
        "suppliers" => Some(run.join("suppliers")),
        _ => None,
    })
    .await;
    let exports = Workspace::files_in(&run.join("inputs")).len();
    match stored {
        Ok(_) if exports > 0 => {}
        Ok(_) => {
            let _ = std::fs::remove_dir_all(&run);
            return message(
                StatusCode::BAD_REQUEST,
                "Ingen fil",
                "Välj exportfilen (eller filerna) och ladda upp igen.",
            );
        }
        Err(response) => {
            let _ = std::fs::remove_dir_all(&run);
            return response;
        }
    }
    let d = desk.clone();
    let r = run.clone();
    let hashes = super::blocking(move || d.workspace.record_hashes(&r)).await;
    match hashes {
        Ok(hashes)
            if !same_files(&desk, &id, &hashes).is_empty()
                || !same_month_by_name(&desk, &id).is_empty() =>
        {
            Redirect::to(&format!("/runs/{id}/duplicate")).into_response()
        }
        Ok(_) => Redirect::to(&format!("/runs/{id}")).into_response(),
        Err(_) => {
            let _ = std::fs::remove_dir_all(&run);
            disk_full()
        }
    }
}

/// The other runs holding one of these files (by SHA-256).
fn same_files(desk: &Desk, id: &str, hashes: &[String]) -> Vec<RunSummary> {
    desk.workspace
        .runs_by_period()
        .into_iter()
        .filter(|r| r.id != id && r.hashes.iter().any(|h| hashes.contains(h)))
        .collect()
}

/// The month of a run not converted yet, as its choices or its first file's name give it
/// (`lev-2024-05.csv`).
fn month_by_name(desk: &Desk, id: &str) -> Option<String> {
    let run = desk.workspace.run_dir(id)?;
    if let Some(p) = desk.workspace.run_settings(&run).period {
        return Some(p);
    }
    let first = Workspace::files_in(&run.join("inputs"))
        .into_iter()
        .next()?;
    crate::date::Period::from_file_name(&crate::read::file_name(&first)).map(|p| p.to_string())
}

/// The converted runs of the month a new upload's name (or its choices) gives.
fn same_month_by_name(desk: &Desk, id: &str) -> Vec<RunSummary> {
    let Some(month) = month_by_name(desk, id) else {
        return Vec::new();
    };
    desk.workspace
        .runs_by_period()
        .into_iter()
        .filter(|r| r.id != id && r.period.as_deref() == Some(month.as_str()))
        .collect()
}

/// The other converted runs of the same month and buyer as the run `id`.
pub(super) fn same_month(desk: &Desk, id: &str) -> Vec<RunSummary> {
    let runs = desk.workspace.runs_by_period();
    let Some(this) = runs.iter().find(|r| r.id == id) else {
        return Vec::new();
    };
    if this.period.is_none() {
        return Vec::new();
    }
    runs.iter()
        .filter(|r| r.id != id && r.period == this.period && r.buyer_id == this.buyer_id)
        .cloned()
        .collect()
}

/// Another run, as the question lists it.
pub(super) struct Other {
    pub id: String,
    pub name: String,
    pub files: String,
}

impl Other {
    pub fn of(r: &RunSummary) -> Other {
        Other {
            id: r.id.clone(),
            name: r.name(),
            files: r.files.join(", "),
        }
    }
}

#[derive(Template)]
#[template(path = "desk/duplicate.html")]
struct DuplicatePage {
    id: String,
    heading: String,
    text: String,
    others: Vec<Other>,
    keep_href: String,
}

pub(super) async fn duplicate(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    let hashes: Vec<String> = std::fs::read_to_string(run.join("inputs.sha256"))
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default();
    let files = same_files(&desk, &id, &hashes);
    let (heading, text, others) = if !files.is_empty() {
        (
            "Filen är redan uppladdad".to_string(),
            "Samma fil finns redan i arbetsmappen. Vill du ersätta den tidigare uppladdningen med den nya, behålla båda, eller ta bort den nya?".to_string(),
            files,
        )
    } else {
        let months = same_month_by_name(&desk, &id);
        let Some(month) = months.first().map(RunSummary::name) else {
            return Redirect::to(&format!("/runs/{id}")).into_response();
        };
        (
            format!("{month} är redan konverterad"),
            format!("Filnamnet säger {month}, och den månaden finns redan i arbetsmappen. Vill du ersätta den tidigare uppladdningen med den nya, behålla båda (årsdatamängden tar bara med den senaste), eller ta bort den nya?"),
            months,
        )
    };
    show(&DuplicatePage {
        keep_href: format!("/runs/{id}"),
        heading,
        text,
        id,
        others: others.iter().map(Other::of).collect(),
    })
}

/// Take out the earlier runs named in the form (`old`) and go on with the run `id`.
pub(super) async fn replace(
    State(desk): Shared,
    UrlPath(id): UrlPath<String>,
    Form(fields): super::Fields,
) -> Response {
    if desk.workspace.run_dir(&id).is_none() {
        return no_run();
    }
    for old in super::fields_named(&fields, "old").filter(|o| *o != id) {
        if desk.jobs.status(old).is_some_and(|s| s.state == "running") {
            return render(
                StatusCode::CONFLICT,
                &super::MessagePage {
                    title: "Den tidigare månaden konverteras just nu",
                    text: "Vänta tills konverteringen är klar och försök igen.",
                    problem: None,
                    link: None,
                },
            );
        }
        if desk.workspace.delete_run(old).is_err() {
            return disk_full();
        }
    }
    let to = if desk
        .workspace
        .run_dir(&id)
        .is_some_and(|r| r.join("out/report.json").exists())
    {
        format!("/runs/{id}/result")
    } else {
        format!("/runs/{id}")
    };
    Redirect::to(&to).into_response()
}
