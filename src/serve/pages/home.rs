//! The start page: the buyer, the steps, and every month in the workspace by period.

use super::{show, Shared};
use crate::serve::texts;
use askama::Template;
use axum::extract::State;
use axum::response::Response;

#[derive(Template)]
#[template(path = "desk/home.html")]
struct HomePage {
    buyer: Option<String>,
    runs: Vec<RunRow>,
    workspace: String,
}

/// A month on the start page.
struct RunRow {
    id: String,
    name: String,
    files: String,
    rows: String,
    state: String,
}

pub(super) async fn page(State(desk): Shared) -> Response {
    let ws = &desk.workspace;
    let buyer = ws.policy().ok().and_then(|p| {
        let name = p.publisher.buyer_name?;
        let id = p.publisher.buyer_id?;
        // an organisation number as it is written: NNNNNN-NNNN
        let shown = match (id.get(..6), id.get(6..)) {
            (Some(a), Some(b)) if id.len() == 10 => format!("{a}-{b}"),
            _ => id,
        };
        Some(format!("{name} ({shown})"))
    });
    let all = ws.runs_by_period();
    let runs = all
        .iter()
        .enumerate()
        .map(|(i, r)| {
            // a month uploaded again: the newest upload is the one the year takes
            let replaced = r.period.is_some() && all[..i].iter().any(|o| o.period == r.period);
            let failed = desk.jobs.status(&r.id).is_some_and(|s| s.state == "failed");
            let state = match (&r.rows, replaced, failed) {
                (_, _, true) => "konverteringen stoppades",
                (Some(_), true, _) => "konverterad; en senare uppladdning av samma månad finns",
                (Some(_), false, _) => "konverterad",
                (None, _, _) => "inte konverterad",
            };
            RunRow {
                id: r.id.clone(),
                name: r.name(),
                files: r.files.join(", "),
                rows: r
                    .rows
                    .map(|(read, published)| {
                        format!(
                            "{} inlästa, {} publicerade",
                            texts::number(read),
                            texts::number(published)
                        )
                    })
                    .unwrap_or_default(),
                state: state.into(),
            }
        })
        .collect();
    show(&HomePage {
        buyer,
        runs,
        workspace: ws.root().display().to_string(),
    })
}
