//! The downloads: a month's files to publish, a year's dataset, each one deterministic zip
//! holding no `internal/` file.

use super::{blocking, message, no_run, Shared};
use crate::error::{Error, Result};
use crate::serve::report::read_year_report;
use crate::serve::workspace::read_report;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::path::PathBuf;

/// A zip of files (by their names), deterministic: sorted, fixed times.
fn zip_of(files: &[(String, PathBuf)]) -> Result<Vec<u8>> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let mut sorted = files.to_vec();
    sorted.sort();
    for (name, path) in sorted {
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        zip.start_file(name, options)
            .map_err(|e| Error::Internal(format!("zip: {e}")))?;
        zip.write_all(&bytes).map_err(|e| Error::io(&path, e))?;
    }
    let cursor = zip
        .finish()
        .map_err(|e| Error::Internal(format!("zip: {e}")))?;
    Ok(cursor.into_inner())
}

fn zip_response(name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

fn not_packed() -> Response {
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Kunde inte packa filerna",
        "Kontrollera att disken inte är full och försök igen.",
    )
}

pub(super) async fn run_zip(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    let out = run.join("out");
    let Some(report) = read_report(&out) else {
        return message(
            StatusCode::NOT_FOUND,
            "Inte konverterad ännu",
            "Konvertera månaden först: öppna den på startsidan och tryck Konvertera.",
        );
    };
    let mut files: Vec<(String, PathBuf)> = report
        .published_files(&out)
        .into_iter()
        .map(|p| (crate::read::file_name(&p), p))
        .collect();
    files.push(("report.json".into(), out.join("report.json")));
    let stem = report
        .period()
        .map_or("leverantorsreskontra".to_string(), |p| {
            format!("leverantorsreskontra-{}", p.replace(" – ", "_"))
        });
    match blocking(move || zip_of(&files)).await {
        Ok(bytes) => zip_response(&format!("{stem}.zip"), bytes),
        Err(_) => not_packed(),
    }
}

pub(super) async fn year_zip(State(desk): Shared, UrlPath(year): UrlPath<String>) -> Response {
    let Some(dir) = super::year::year_dir(&desk.workspace, &year) else {
        return super::not_found().await;
    };
    let Some(report) = read_year_report(&dir) else {
        return message(
            StatusCode::NOT_FOUND,
            "Årsdatamängden är inte byggd",
            "Bygg årsdatamängden först under Årsdatamängd.",
        );
    };
    // laid out as the publication folder: the year's files in a folder named by the year (the
    // addresses the catalogue gives them), the catalogue of every year at the top
    let mut files: Vec<(String, PathBuf)> = report
        .outputs
        .iter()
        .filter(|o| !o.path.starts_with("internal"))
        .map(|o| (format!("{year}/{}", o.path), dir.join(&o.path)))
        .collect();
    files.push((format!("{year}/report.json"), dir.join("report.json")));
    let publication = crate::dataset::publication_folder(&dir);
    for name in [crate::dcat::RDF_XML, crate::dcat::TURTLE] {
        if publication.join(name).is_file() {
            files.push((name.to_string(), publication.join(name)));
        }
    }
    match blocking(move || zip_of(&files)).await {
        Ok(bytes) => zip_response(&format!("leverantorsreskontra-{year}.zip"), bytes),
        Err(_) => not_packed(),
    }
}
