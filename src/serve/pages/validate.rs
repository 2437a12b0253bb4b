//! Check any file against the spec (nothing is kept).

use super::upload::store_upload;
use super::{blocking, message, show, Shared};
use crate::serve::report::{file_checks, FileCheck};
use crate::serve::texts::{self, Problem};
use crate::serve::workspace::Workspace;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "desk/validate.html")]
struct ValidatePage {
    checks: Option<Result<Vec<FileCheck>, Problem>>,
}

pub(super) async fn page() -> Response {
    show(&ValidatePage { checks: None })
}

pub(super) async fn upload(State(desk): Shared, mut multipart: Multipart) -> Response {
    let Ok(scratch) = tempfile::tempdir() else {
        return super::disk_full();
    };
    let dir = scratch.path().to_path_buf();
    if let Err(response) = store_upload(&desk, &mut multipart, |name| {
        (name == "file").then(|| dir.clone())
    })
    .await
    {
        return response;
    }
    let files = Workspace::files_in(&dir);
    if files.is_empty() {
        return message(
            StatusCode::BAD_REQUEST,
            "Ingen fil",
            "Välj filen att kontrollera och försök igen.",
        );
    }
    let outcome = blocking(move || {
        let o = crate::validate::validate_files(&files);
        drop(scratch);
        o
    })
    .await;
    show(&ValidatePage {
        checks: Some(
            outcome
                .map(|o| file_checks(&o))
                .map_err(|e| texts::problem(&e, None)),
        ),
    })
}
