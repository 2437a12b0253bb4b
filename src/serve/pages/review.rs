//! The review of a month (internal: it shows suppliers' names and numbers as the export has
//! them): the masked and withheld suppliers with search, sort and a choice for many at once,
//! the profile's allow and deny lists, the rejected rows. A decision changes the profile's
//! lists (one decision, one entry) and converts the month again; publishing a person-like
//! name is confirmed first.

use super::progress::{last_change, start_run};
use super::{field, fields_named, message, no_run, render, show, Shared};
use crate::serve::charts;
use crate::serve::texts;
use askama::Template;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use std::path::Path;

#[derive(Template)]
#[template(path = "desk/review.html")]
struct ReviewPage {
    id: String,
    name: String,
    change: Option<String>,
    suppliers: Vec<SupplierView>,
    lists: Vec<ListEntry>,
    rejected: Vec<RejectedView>,
}

/// A masked or withheld supplier (a line of `internal/review.csv`).
struct SupplierView {
    index: usize,
    name: String,
    id: String,
    reason: &'static str,
    reason_key: String,
    action: &'static str,
    rows: u64,
    rows_text: String,
    sum: String,
    sum_text: String,
    may_allow: bool,
    may_deny: bool,
}

/// An entry of the profile's allow or deny list.
struct ListEntry {
    list: &'static str,
    entry: String,
    name: String,
    number: String,
}

/// A rejected row (a line of `internal/rejected.csv`).
struct RejectedView {
    file: String,
    row: String,
    reason: String,
    reason_raw: String,
    values: String,
}

/// The rows of a CSV file as string records (none when it cannot be read).
fn csv_rows(path: &Path, max: usize) -> Vec<Vec<String>> {
    let Ok(mut reader) = csv::ReaderBuilder::new().from_path(path) else {
        return Vec::new();
    };
    reader
        .records()
        .filter_map(|r| r.ok())
        .take(max)
        .map(|r| r.iter().map(str::to_string).collect())
        .collect()
}

/// Whether a supplier may be published by name: only where the profile's allow list decides
/// (a person-shaped name, or a supplier without a usable id) and it has a name; never when its
/// id is a personal number.
fn may_allow(reason: &str, name: &str, id: &str) -> bool {
    use crate::protect::Reason;
    let personal = matches!(
        crate::ident::classify_id(id),
        crate::ident::IdKind::Personal(_)
    );
    // only these reasons are decided after the allow list (an estate, a name masked in the
    // source or a nameless supplier stays masked whatever the list says)
    !personal
        && !name.trim().is_empty()
        && [Reason::PersonName.key(), Reason::Unidentified.key()].contains(&reason)
}

fn suppliers(internal: &Path) -> Vec<SupplierView> {
    csv_rows(&internal.join("review.csv"), 5000)
        .iter()
        .enumerate()
        .map(|(index, r)| {
            let get = |k: usize| r.get(k).map(String::as_str).unwrap_or("");
            let (reason, action, name, sid) = (get(0), get(1), get(2), get(3));
            let rows = get(4).parse::<u64>().unwrap_or(0);
            let sum = get(5).parse::<rust_decimal::Decimal>().ok();
            SupplierView {
                index,
                name: name.into(),
                id: sid.into(),
                reason: texts::reason_text(reason),
                reason_key: reason.into(),
                action: if action == "withheld" {
                    "undantas"
                } else {
                    "maskeras"
                },
                rows,
                rows_text: texts::number(rows),
                sum: sum.map(|s| s.to_string()).unwrap_or_default(),
                sum_text: sum.map(charts::kronor).unwrap_or_default(),
                // a person-like name is decided by the allow list whether the profile masks or
                // withholds such rows
                may_allow: may_allow(reason, name, sid),
                may_deny: reason != "deny_list",
            }
        })
        .collect()
}

fn lists(policy: &crate::protect::Policy) -> Vec<ListEntry> {
    let entry = |list, name: &str, number: &str| ListEntry {
        list,
        entry: if name.is_empty() { number } else { name }.to_string(),
        name: name.into(),
        number: number.into(),
    };
    let mut out = Vec::new();
    for n in &policy.allow.names {
        out.push(entry("tillåts publicering", n, ""));
    }
    for n in &policy.deny.names {
        out.push(entry("undantas alltid", n, ""));
    }
    for i in &policy.deny.ids {
        out.push(entry("undantas alltid", "", i));
    }
    out
}

fn rejected(internal: &Path) -> Vec<RejectedView> {
    csv_rows(&internal.join("rejected.csv"), 500)
        .into_iter()
        .map(|r| {
            let get = |k: usize| r.get(k).cloned().unwrap_or_default();
            RejectedView {
                file: get(0),
                row: get(1),
                reason: texts::rejection_text(&get(2)),
                reason_raw: get(2),
                values: get(3),
            }
        })
        .collect()
}

pub(super) async fn page(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    let internal = run.join("out").join("internal");
    let policy = desk.workspace.policy().unwrap_or_default();
    show(&ReviewPage {
        name: super::run::run_name(&desk, &id),
        change: last_change(&run),
        suppliers: suppliers(&internal),
        lists: lists(&policy),
        rejected: rejected(&internal),
        id,
    })
}

#[derive(Template)]
#[template(path = "desk/confirm.html")]
struct ConfirmPage {
    id: String,
    name: String,
    number: String,
    reason: &'static str,
    reason_key: String,
}

pub(super) async fn decide(
    State(desk): Shared,
    UrlPath(id): UrlPath<String>,
    Form(fields): super::Fields,
) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    let name = field(&fields, "name").unwrap_or("").trim().to_string();
    let sid = field(&fields, "id").unwrap_or("").trim().to_string();
    let reason = field(&fields, "reason").unwrap_or("");
    let action = field(&fields, "action").unwrap_or("");
    let confirmed = field(&fields, "confirmed") == Some("yes");
    if action == "deny-many" {
        let picked: Vec<usize> = fields_named(&fields, "pick")
            .filter_map(|p| p.parse().ok())
            .collect();
        return deny_many(&desk, &id, &run, &picked);
    }
    if name.is_empty() && sid.is_empty() {
        return message(
            StatusCode::BAD_REQUEST,
            "Ingen leverantör",
            "Välj en leverantör i listan, eller skriv ett namn eller nummer.",
        );
    }
    let decision = match action {
        "allow" if !may_allow(reason, &name, &sid) => {
            return message(
                StatusCode::FORBIDDEN,
                "Kan inte publiceras med namn",
                "Leverantörens nummer är ett personnummer, raden är sekretessmarkerad, eller leverantören maskeras av en regel som profilens lista inte ändrar (till exempel ett dödsbo eller en enskild firma). Den maskeras alltid.",
            )
        }
        "allow" if !confirmed => {
            return show(&ConfirmPage {
                id,
                reason: texts::reason_text(reason),
                reason_key: reason.into(),
                name,
                number: sid,
            })
        }
        // the lists are changed by the keys the policy matches them by
        "allow" => desk
            .workspace
            .update_policy(|p| {
                p.allow.insert(&name, "");
                p.deny.remove(&name, "");
                Ok(())
            })
            .map(|()| "Namnet tillåts publiceras."),
        // one decision, one entry: the number when there is one, else the name
        "deny" => desk
            .workspace
            .update_policy(|p| {
                if sid.is_empty() {
                    p.deny.insert(&name, "");
                } else {
                    p.deny.insert("", &sid);
                }
                p.allow.remove(&name, "");
                Ok(())
            })
            .map(|()| "Leverantören undantas från varje publicering."),
        "forget" => desk
            .workspace
            .update_policy(|p| {
                p.allow.remove(&name, "");
                p.deny.remove(&name, &sid);
                Ok(())
            })
            .map(|()| "Leverantören är borttagen ur profilens lista."),
        _ => {
            return message(
                StatusCode::BAD_REQUEST,
                "Okänt val",
                "Välj Tillåt publicering eller Undanta alltid i listan.",
            )
        }
    };
    match decision {
        Ok(text) => start_run(&desk, &id, run, Some(text.into())),
        Err(_) => profile_not_saved(),
    }
}

fn profile_not_saved() -> Response {
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Profilen kunde inte sparas",
        "Kontrollera att disken inte är full och försök igen.",
    )
}

/// Withhold every picked supplier (by its line in review.csv), one entry each.
fn deny_many(
    desk: &std::sync::Arc<crate::serve::Desk>,
    id: &str,
    run: &Path,
    picked: &[usize],
) -> Response {
    let all = suppliers(&run.join("out").join("internal"));
    let chosen: Vec<&SupplierView> = all
        .iter()
        .filter(|s| picked.contains(&s.index) && s.may_deny)
        .collect();
    if chosen.is_empty() {
        return message(
            StatusCode::BAD_REQUEST,
            "Inga markerade leverantörer",
            "Markera leverantörerna i listan först och tryck sedan Undanta alla markerade.",
        );
    }
    let saved = desk.workspace.update_policy(|p| {
        for s in &chosen {
            if s.id.is_empty() {
                p.deny.insert(&s.name, "");
            } else {
                p.deny.insert("", &s.id);
            }
            p.allow.remove(&s.name, "");
        }
        Ok(())
    });
    match saved {
        Ok(()) => {
            let text = format!(
                "{} undantas från varje publicering.",
                texts::count_of(chosen.len() as u64, "leverantör", "leverantörer")
            );
            start_run(desk, id, run.to_path_buf(), Some(text))
        }
        Err(_) => render(
            StatusCode::INTERNAL_SERVER_ERROR,
            &super::MessagePage {
                title: "Profilen kunde inte sparas",
                text: "Kontrollera att disken inte är full och försök igen.",
                problem: None,
                link: None,
            },
        ),
    }
}
