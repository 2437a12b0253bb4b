//! The desk's pages and endpoints. Each handler gathers what the page needs from the
//! workspace and the library, and renders it; the work itself is the library's.

use super::charts;
use super::html::{
    column_label, esc, finding_label, page, reason_label, source_label, table, warning_label,
};
use super::jobs::{JobError, JobStatus};
use super::workspace::{read_report, report_period, RunSettings, Workspace};
use super::{security, Desk};
use crate::convert::{check_buyer_id, check_kommun_id, check_period, ConvertOptions};
use crate::error::{Error, Result};
use crate::infer::Choice;
use crate::layout::{Layout, SplitPart};
use crate::write::Format;
use axum::extract::{DefaultBodyLimit, Multipart, Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use std::path::{Path, PathBuf};
use std::sync::Arc;

type Shared = State<Arc<Desk>>;
type Fields = Form<Vec<(String, String)>>;

const STYLE: &str = include_str!("assets/style.css");
const SCRIPT: &str = include_str!("assets/app.js");

/// Every route, behind the security rules.
pub(crate) fn router(desk: Arc<Desk>) -> Router {
    let limit = usize::try_from(desk.max_upload).unwrap_or(usize::MAX);
    Router::new()
        .route("/", get(home))
        .route("/assets/style.css", get(style))
        .route("/assets/app.js", get(script))
        .route("/profile", get(profile_page).post(profile_save))
        .route("/upload", get(upload_page).post(upload))
        .route("/runs/{id}", get(run_page))
        .route("/runs/{id}/settings", post(run_settings))
        .route("/runs/{id}/convert", post(start_convert))
        .route("/runs/{id}/progress", get(run_progress))
        .route("/runs/{id}/status", get(run_status))
        .route("/runs/{id}/cancel", post(run_cancel))
        .route("/runs/{id}/result", get(run_result))
        .route("/runs/{id}/review", get(review_page).post(review_decide))
        .route("/runs/{id}/mapping", get(mapping_page).post(mapping_submit))
        .route("/runs/{id}/download", get(run_download))
        .route("/validate", get(validate_page).post(validate_upload))
        .route("/year", get(year_page).post(year_build))
        .route("/year/{year}", get(year_result))
        .route("/year/{year}/progress", get(year_progress))
        .route("/year/{year}/status", get(year_status))
        .route("/year/{year}/download", get(year_download))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            desk.clone(),
            security::guard,
        ))
        .with_state(desk)
}

// ---------------------------------------------------------------- helpers

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

fn message_page(status: StatusCode, title: &str, text: &str) -> Response {
    (
        status,
        page(
            title,
            &format!(
                "<h1>{}</h1><p class=\"error\">{}</p><p><a href=\"/\">Till start</a></p>",
                esc(title),
                esc(text)
            ),
            true,
        ),
    )
        .into_response()
}

async fn not_found() -> Response {
    message_page(
        StatusCode::NOT_FOUND,
        "Sidan finns inte",
        "Gå tillbaka till start och välj igen.",
    )
}

fn no_run() -> Response {
    message_page(
        StatusCode::NOT_FOUND,
        "Körningen finns inte",
        "Den månaden finns inte i arbetsmappen. Välj en månad på startsidan.",
    )
}

fn error_box(e: &JobError) -> String {
    format!(
        "<div class=\"errorbox\" id=\"error\"><p><strong>{}</strong></p>\
         <p>Meddelandet från reskontra (samma som på kommandoraden):</p><pre class=\"message\">{}</pre>\
         <p class=\"small\">Avslutskod {}.</p></div>",
        esc(&e.advice),
        esc(&e.message),
        e.exit_code
    )
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn fields_named<'a>(
    fields: &'a [(String, String)],
    name: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    fields
        .iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The options of a run: its inputs and choices, the profile's publisher, as
/// `reskontra convert --policy WORKSPACE/policy.toml -o RUN/out INPUTS` has them.
fn run_options(ws: &Workspace, run: &Path) -> Result<ConvertOptions> {
    let settings = ws.run_settings(run);
    let inputs = Workspace::files_in(&run.join("inputs"));
    let mut opts = ConvertOptions::new(inputs, run.join("out"));
    opts.formats = settings
        .formats
        .iter()
        .filter_map(|f| Format::parse(f))
        .collect();
    if opts.formats.is_empty() {
        opts.formats = vec![Format::Csv, Format::Parquet];
    }
    opts.overrides.period = settings.period.as_deref().map(check_period).transpose()?;
    opts.layout = settings.layout.clone();
    // the same mark `--decimal-mark` gives the command line shown on the result page
    opts.decimal_mark = settings
        .decimal_mark
        .as_deref()
        .and_then(crate::amount::DecimalMark::parse);
    opts.suppliers = Workspace::files_in(&run.join("suppliers"))
        .into_iter()
        .next();
    opts.replace = true;
    opts.use_policy(&ws.policy_path())?;
    Ok(opts)
}

/// The command line that does the same as the desk's conversion of a run.
fn command_line(ws: &Workspace, run: &Path) -> String {
    let settings = ws.run_settings(run);
    let q = |p: &Path| format!("\"{}\"", p.display());
    let mut parts = vec![
        "reskontra convert".to_string(),
        format!("--policy {}", q(&ws.policy_path())),
        format!("-o {}", q(&run.join("out"))),
        format!("--formats {}", settings.formats.join(",")),
    ];
    if let Some(p) = &settings.period {
        parts.push(format!("--period {p}"));
    }
    if let Some(l) = &settings.layout {
        parts.push(format!("--layout {l}"));
    }
    if let Some(m) = &settings.decimal_mark {
        parts.push(format!("--decimal-mark {m}"));
    }
    if let Some(s) = Workspace::files_in(&run.join("suppliers")).first() {
        parts.push(format!("--suppliers {}", q(s)));
    }
    for input in Workspace::files_in(&run.join("inputs")) {
        parts.push(q(&input));
    }
    parts.join(" ")
}

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
        .into_response()
}

// ---------------------------------------------------------------- start

async fn home(State(desk): Shared) -> Response {
    let ws = &desk.workspace;
    let policy = ws.policy();
    let mut body = String::from("<h1>Leverantörsreskontra</h1>");
    body.push_str(
        "<p>Här gör du månadens publicering: ladda upp exporten från ekonomisystemet, \
         kontrollera kolumnmappningen, konvertera, granska och ladda ner filerna att publicera. \
         Personuppgifter publiceras aldrig.</p>",
    );
    match &policy {
        Ok(p) if p.publisher.buyer_id.is_some() && p.publisher.buyer_name.is_some() => {
            body.push_str(&format!(
                "<p class=\"ok\">Köpare: {} ({})</p>",
                esc(p.publisher.buyer_name.as_deref().unwrap_or("")),
                esc(p.publisher.buyer_id.as_deref().unwrap_or(""))
            ));
        }
        Ok(_) => body.push_str(
            "<p class=\"warn\">Fyll i <a href=\"/profile\">profilen</a> först: köparens namn och \
             organisationsnummer används i varje publicering.</p>",
        ),
        Err(e) => body.push_str(&format!(
            "<p class=\"error\">Profilen kunde inte läsas: {}</p>",
            esc(&e.to_string())
        )),
    }
    body.push_str(
        "<ol class=\"steps\"><li>Fyll i <a href=\"/profile\">profilen</a> (en gång).</li>\
         <li>Ladda upp månadens export under <a href=\"/upload\">Ny månad</a>.</li>\
         <li>Kontrollera att kolumnerna hamnar rätt och konvertera.</li>\
         <li>Granska de maskerade leverantörerna och ladda ner zip-filen.</li>\
         <li>Publicera filerna i zip-filen på er webbplats eller dataportal.</li></ol>",
    );
    body.push_str("<p><a class=\"button\" id=\"new-month\" href=\"/upload\">Ny månad</a></p>");
    let runs = ws.runs();
    if runs.is_empty() {
        body.push_str("<p>Inga månader ännu.</p>");
    } else {
        let rows: Vec<Vec<String>> = runs
            .iter()
            .map(|r| {
                vec![
                    format!("<a href=\"/runs/{0}\">{0}</a>", esc(&r.id)),
                    esc(r.period.as_deref().unwrap_or("ej konverterad")),
                    esc(&r.files.join(", ")),
                    r.rows
                        .map(|(read, published)| format!("{read} inlästa, {published} publicerade"))
                        .unwrap_or_default(),
                ]
            })
            .collect();
        body.push_str("<h2>Månader i arbetsmappen</h2>");
        body.push_str(&table(
            "runs",
            &["Körning", "Period", "Filer", "Rader"],
            &rows,
        ));
    }
    body.push_str(&format!(
        "<p class=\"small\">Arbetsmapp: {}</p>",
        esc(&ws.root().display().to_string())
    ));
    page("Start", &body, true).into_response()
}

// ---------------------------------------------------------------- profile

async fn profile_page(State(desk): Shared) -> Response {
    profile_form(&desk, None, None).into_response()
}

fn profile_form(desk: &Desk, error: Option<&str>, saved: Option<&str>) -> Html<String> {
    let policy = desk.workspace.policy().unwrap_or_default();
    let p = &policy.publisher;
    let licence = desk.workspace.settings().licence;
    let kommun = p
        .kommun_id
        .as_deref()
        .map(|code| {
            let name = crate::spec::municipalities()
                .find(|(c, _)| *c == code)
                .map_or("", |(_, n)| n);
            format!("{code} {name}")
        })
        .unwrap_or_default();
    let mut options = String::new();
    for (code, name) in crate::spec::municipalities() {
        options.push_str(&format!("<option value=\"{code} {}\"></option>", esc(name)));
    }
    let licences = [
        (crate::dataset::CC0, "CC0 1.0 (rekommenderas)"),
        ("https://creativecommons.org/licenses/by/4.0/", "CC BY 4.0"),
    ];
    let mut licence_options = String::new();
    for (uri, label) in licences {
        let selected = if uri == licence { " selected" } else { "" };
        licence_options.push_str(&format!(
            "<option value=\"{uri}\"{selected}>{label}</option>"
        ));
    }
    let mut body = String::from(
        "<h1>Profil</h1><p>Uppgifterna om köparen används i varje månads publicering.</p>",
    );
    if let Some(e) = error {
        body.push_str(&format!("<p class=\"error\" id=\"error\">{}</p>", esc(e)));
    }
    if let Some(s) = saved {
        body.push_str(&format!("<p class=\"ok\" id=\"saved\">{}</p>", esc(s)));
    }
    body.push_str(&format!(
        "<form method=\"post\" action=\"/profile\" class=\"form\">\
         <label>Köparens namn (kommunen eller regionen)<input name=\"buyer_name\" id=\"buyer_name\" value=\"{}\" required></label>\
         <label>Organisationsnummer<input name=\"buyer_id\" id=\"buyer_id\" value=\"{}\" placeholder=\"212000-0142\" data-orgnr required>\
         <span class=\"hint\" id=\"buyer_id_hint\"></span></label>\
         <label>Kommun (sök på namn eller kod; lämna tomt för en region)<input name=\"kommun\" id=\"kommun\" list=\"kommuner\" value=\"{}\" autocomplete=\"off\"></label>\
         <datalist id=\"kommuner\">{options}</datalist>\
         <label>Licens för årsdatamängden<select name=\"licence\" id=\"licence\">{licence_options}</select></label>\
         <button type=\"submit\" id=\"save-profile\">Spara profilen</button></form>",
        esc(p.buyer_name.as_deref().unwrap_or("")),
        esc(p.buyer_id.as_deref().unwrap_or("")),
        esc(&kommun),
    ));
    page("Profil", &body, true)
}

async fn profile_save(State(desk): Shared, Form(fields): Fields) -> Response {
    let name = field(&fields, "buyer_name")
        .unwrap_or("")
        .trim()
        .to_string();
    let id = field(&fields, "buyer_id").unwrap_or("").trim().to_string();
    let kommun = field(&fields, "kommun").unwrap_or("").trim().to_string();
    let licence = field(&fields, "licence")
        .unwrap_or(crate::dataset::CC0)
        .to_string();
    if name.is_empty() {
        return profile_form(&desk, Some("Skriv köparens namn."), None).into_response();
    }
    let Ok(buyer_id) = check_buyer_id(&id) else {
        return profile_form(
            &desk,
            Some("Organisationsnumret är inte giltigt: kontrollera siffrorna (tio siffror, den sista är en kontrollsiffra)."),
            None,
        )
        .into_response();
    };
    let code = kommun.split_whitespace().next().unwrap_or("");
    let kommun_id = if code.is_empty() {
        None
    } else {
        match check_kommun_id(code) {
            Ok(k) => Some(k),
            Err(_) => {
                return profile_form(
                    &desk,
                    Some("Välj kommunen i listan (eller lämna fältet tomt för en region)."),
                    None,
                )
                .into_response()
            }
        }
    };
    let saved = desk.workspace.update_policy(|policy| {
        policy.publisher.buyer_name = Some(name);
        policy.publisher.buyer_id = Some(buyer_id);
        policy.publisher.kommun_id = kommun_id;
        if policy.publisher.layouts.is_none() {
            policy.publisher.layouts = Some(PathBuf::from("layouts"));
        }
        Ok(())
    });
    let licence_ok = [
        "http://creativecommons.org/publicdomain/zero/1.0/",
        "https://creativecommons.org/licenses/by/4.0/",
    ]
    .contains(&licence.as_str());
    let settings = super::workspace::DeskSettings {
        licence: if licence_ok {
            licence
        } else {
            crate::dataset::CC0.into()
        },
    };
    match saved.and_then(|()| desk.workspace.save_settings(&settings)) {
        Ok(()) => profile_form(&desk, None, Some("Profilen är sparad.")).into_response(),
        Err(e) => profile_form(&desk, Some(&e.to_string()), None).into_response(),
    }
}

// ---------------------------------------------------------------- upload

async fn upload_page(State(desk): Shared) -> Response {
    let body = format!(
        "<h1>Ny månad</h1><p>Ladda upp månadens export från ekonomisystemet: en eller flera filer \
         (Excel, CSV/text eller SIE). En Raindance-export är tre filer; ladda upp alla tre.</p>\
         <form method=\"post\" action=\"/upload\" enctype=\"multipart/form-data\" class=\"form\" id=\"upload-form\">\
         <div class=\"drop\" id=\"drop\">Dra filerna hit, eller välj dem:\
         <input type=\"file\" name=\"export\" id=\"files\" multiple required></div>\
         <label>Leverantörsregister (valfritt; behövs för en SIE-fil som bara har leverantörsnummer)\
         <input type=\"file\" name=\"suppliers\" id=\"suppliers\"></label>\
         <button type=\"submit\" id=\"upload\">Ladda upp</button></form>\
         <p class=\"small\">Största tillåtna storlek: {} MB. Filerna sparas bara i arbetsmappen på den här datorn.</p>",
        desk.max_upload / (1024 * 1024)
    );
    page("Ny månad", &body, true).into_response()
}

fn too_large(desk: &Desk) -> Response {
    message_page(
        StatusCode::PAYLOAD_TOO_LARGE,
        "Filen är för stor",
        &format!(
            "Filerna är större än {} MB, som är gränsen. Dela upp exporten per månad, eller starta \
             reskontra serve med --max-upload-mb och ett större tal.",
            desk.max_upload / (1024 * 1024)
        ),
    )
}

/// Store the uploaded fields of `kinds` into `folder/<kind folder>/SAFE_NAME`, streaming each;
/// returns how many files were stored, or the response for a failed upload.
async fn store_upload(
    desk: &Desk,
    multipart: &mut Multipart,
    folder_of: impl Fn(&str) -> Option<PathBuf>,
) -> std::result::Result<usize, Response> {
    use tokio::io::AsyncWriteExt;
    let mut stored = 0;
    loop {
        let next = multipart.next_field().await;
        let mut field = match next {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large(desk)),
            Err(_) => {
                return Err(message_page(
                    StatusCode::BAD_REQUEST,
                    "Uppladdningen misslyckades",
                    "Försök igen.",
                ))
            }
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
        let name = super::safe_file_name(&raw_name);
        if tokio::fs::create_dir_all(&dir).await.is_err() {
            return Err(message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Kunde inte spara",
                "Kontrollera att disken inte är full.",
            ));
        }
        let path = dir.join(&name);
        let Ok(mut file) = tokio::fs::File::create(&path).await else {
            return Err(message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Kunde inte spara",
                "Kontrollera att disken inte är full.",
            ));
        };
        loop {
            match field.chunk().await {
                Ok(Some(bytes)) => {
                    if file.write_all(&bytes).await.is_err() {
                        let _ = tokio::fs::remove_file(&path).await;
                        return Err(message_page(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "Kunde inte spara",
                            "Kontrollera att disken inte är full.",
                        ));
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    drop(file);
                    let _ = tokio::fs::remove_file(&path).await;
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        return Err(too_large(desk));
                    }
                    return Err(message_page(
                        StatusCode::BAD_REQUEST,
                        "Uppladdningen misslyckades",
                        "Försök igen.",
                    ));
                }
            }
        }
        if file.flush().await.is_err() {
            return Err(message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Kunde inte spara",
                "Kontrollera att disken inte är full.",
            ));
        }
        stored += 1;
    }
    Ok(stored)
}

async fn upload(State(desk): Shared, mut multipart: Multipart) -> Response {
    let id = match desk.workspace.new_run() {
        Ok(id) => id,
        Err(e) => {
            return message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Kunde inte skapa månaden",
                &e.to_string(),
            )
        }
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
        Ok(_) if exports > 0 => Redirect::to(&format!("/runs/{id}")).into_response(),
        Ok(_) => {
            let _ = std::fs::remove_dir_all(&run);
            message_page(
                StatusCode::BAD_REQUEST,
                "Ingen fil",
                "Välj exportfilen (eller filerna) och ladda upp igen.",
            )
        }
        Err(response) => {
            let _ = std::fs::remove_dir_all(&run);
            response
        }
    }
}

// ---------------------------------------------------------------- a run: plan

async fn run_page(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    let status = desk.jobs.status(&id);
    if status.as_ref().is_some_and(|s| s.state == "running") {
        return Redirect::to(&format!("/runs/{id}/progress")).into_response();
    }
    let d = desk.clone();
    let run2 = run.clone();
    let planned = blocking(move || {
        let opts = run_options(&d.workspace, &run2)?;
        crate::plan::plan(&opts).map(|p| p.plan)
    })
    .await;
    let settings = desk.workspace.run_settings(&run);
    let mut body = format!("<h1>Månad {}</h1>", esc(&id));
    if let Some(JobStatus { error: Some(e), .. }) = &status {
        body.push_str("<h2>Senaste konverteringen misslyckades</h2>");
        body.push_str(&error_box(e));
    }
    let inputs = Workspace::files_in(&run.join("inputs"));
    body.push_str(&format!(
        "<p>Filer: {}</p>",
        esc(&inputs
            .iter()
            .map(|p| crate::read::file_name(p))
            .collect::<Vec<_>>()
            .join(", "))
    ));
    match &planned {
        Ok(plan) => body.push_str(&plan_html(plan)),
        Err(e) => {
            body.push_str("<h2>Exporten kan inte konverteras ännu</h2>");
            body.push_str(&error_box(&JobError::of(e)));
        }
    }
    body.push_str(&format!(
        "<p><a class=\"button secondary\" id=\"open-mapping\" href=\"/runs/{id}/mapping\">{}</a></p>",
        if planned.is_ok() { "Ändra kolumnmappningen" } else { "Koppla kolumnerna" }
    ));
    body.push_str(&settings_form(&desk, &id, &settings));
    if planned.is_ok() {
        body.push_str(&format!(
            "<form method=\"post\" action=\"/runs/{id}/convert\"><button type=\"submit\" id=\"convert\">Konvertera</button></form>"
        ));
    }
    if read_report(&run.join("out")).is_some() {
        body.push_str(&format!(
            "<p><a href=\"/runs/{id}/result\" id=\"last-result\">Senaste resultatet</a></p>"
        ));
    }
    page("Månad", &body, true).into_response()
}

fn plan_html(plan: &crate::plan::Plan) -> String {
    let mut out = String::from("<h2>Så läses exporten</h2>");
    let input_rows: Vec<Vec<String>> = plan
        .inputs
        .iter()
        .map(|i| {
            let f = &i.format;
            let mut how = vec![f.kind.clone()];
            if let Some(e) = &f.encoding {
                how.push(format!(
                    "teckenkodning {e}{}",
                    if f.bom { " (med BOM)" } else { "" }
                ));
            }
            if let Some(d) = &f.delimiter {
                how.push(format!("avgränsare {d}"));
            }
            if let Some(s) = &f.sheet {
                how.push(format!("blad {s}"));
            }
            vec![
                esc(&i.file),
                esc(&if i.role == "main" {
                    "export".to_string()
                } else {
                    i.role.replace("lookup:", "uppslagstabell ")
                }),
                esc(&how.join(", ")),
                if i.header_line == 0 {
                    "skapas av läsaren".into()
                } else {
                    i.header_line.to_string()
                },
            ]
        })
        .collect();
    out.push_str(&table(
        "inputs",
        &["Fil", "Roll", "Format", "Rubrikrad"],
        &input_rows,
    ));
    out.push_str(&format!(
        "<p id=\"layout\">Kolumnmappning: <strong>{}</strong> – {}</p><p class=\"small\" id=\"layout-reason\">{}</p>",
        esc(&plan.layout),
        esc(&plan.layout_description),
        esc(&plan.reason)
    ));
    let rows: Vec<Vec<String>> = plan
        .columns
        .iter()
        .map(|c| {
            let class = if c.mandatory && !c.filled {
                " class=\"error\""
            } else {
                ""
            };
            vec![
                format!(
                    "{}<br><span class=\"small\">{}</span>",
                    esc(column_label(c.column)),
                    c.column
                ),
                format!("<span{class}>{}</span>", esc(&source_label(&c.source))),
                esc(&c.samples.join(" · ")),
            ]
        })
        .collect();
    out.push_str(&table(
        "mapping",
        &["Kolumn i specifikationen", "Källa", "Exempel"],
        &rows,
    ));
    out
}

fn settings_form(desk: &Desk, id: &str, s: &RunSettings) -> String {
    let formats = [
        ("csv", "CSV"),
        ("parquet", "Parquet"),
        ("json", "JSON"),
        ("xlsx", "Excel"),
    ];
    let mut checks = String::new();
    for (f, label) in formats {
        let on = if s.formats.iter().any(|x| x == f) {
            " checked"
        } else {
            ""
        };
        checks.push_str(&format!(
            "<label class=\"inline\"><input type=\"checkbox\" name=\"format\" value=\"{f}\"{on}> {label}</label>"
        ));
    }
    let mut layouts = String::from("<option value=\"\">känns igen automatiskt</option>");
    let mut all = Layout::builtin();
    all.extend(Layout::from_dir(&desk.workspace.layouts_dir()).unwrap_or_default());
    for l in all {
        let sel = if s.layout.as_deref() == Some(l.name.as_str()) {
            " selected"
        } else {
            ""
        };
        layouts.push_str(&format!(
            "<option value=\"{0}\"{sel}>{0}</option>",
            esc(&l.name)
        ));
    }
    let mut marks = String::new();
    for (v, label) in [
        ("", "som mappningen säger"),
        ("auto", "avgör per fil"),
        ("comma", "komma"),
        ("point", "punkt"),
    ] {
        let sel = if s.decimal_mark.as_deref().unwrap_or("") == v {
            " selected"
        } else {
            ""
        };
        marks.push_str(&format!("<option value=\"{v}\"{sel}>{label}</option>"));
    }
    format!(
        "<details><summary>Val för körningen</summary><form method=\"post\" action=\"/runs/{id}/settings\" class=\"form\">\
         <fieldset><legend>Format att publicera</legend>{checks}</fieldset>\
         <label>Månad (ÅÅÅÅ-MM), om exporten saknar datum<input name=\"period\" id=\"period\" value=\"{}\" placeholder=\"2024-05\"></label>\
         <label>Kolumnmappning<select name=\"layout\" id=\"layout-choice\">{layouts}</select></label>\
         <label>Decimaltecken i beloppen<select name=\"decimal_mark\">{marks}</select></label>\
         <button type=\"submit\" class=\"secondary\" id=\"save-settings\">Spara valen</button></form></details>",
        esc(s.period.as_deref().unwrap_or(""))
    )
}

async fn run_settings(
    State(desk): Shared,
    UrlPath(id): UrlPath<String>,
    Form(fields): Fields,
) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    let formats: Vec<String> = fields_named(&fields, "format")
        .filter(|f| Format::parse(f).is_some())
        .map(str::to_string)
        .collect();
    let period = field(&fields, "period")
        .map(str::trim)
        .filter(|p| !p.is_empty());
    if let Some(p) = period {
        if check_period(p).is_err() {
            return message_page(
                StatusCode::BAD_REQUEST,
                "Fel månad",
                "Skriv månaden som ÅÅÅÅ-MM, till exempel 2024-05.",
            );
        }
    }
    let settings = RunSettings {
        formats: if formats.is_empty() {
            RunSettings::default().formats
        } else {
            formats
        },
        period: period.map(str::to_string),
        layout: field(&fields, "layout")
            .filter(|l| !l.is_empty())
            .map(str::to_string),
        decimal_mark: field(&fields, "decimal_mark")
            .filter(|m| ["auto", "comma", "point"].contains(m))
            .map(str::to_string),
    };
    match desk.workspace.save_run_settings(&run, &settings) {
        Ok(()) => Redirect::to(&format!("/runs/{id}")).into_response(),
        Err(e) => message_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Kunde inte spara",
            &e.to_string(),
        ),
    }
}

// ---------------------------------------------------------------- a run: convert

fn start_run(desk: &Arc<Desk>, id: &str, run: PathBuf) -> Response {
    let d = desk.clone();
    let started = desk.jobs.start(id, "convert", move |progress| {
        let mut opts = run_options(&d.workspace, &run)?;
        opts.progress = progress.clone();
        crate::convert::convert(&opts).map(|_| ())
    });
    match started {
        Ok(()) => Redirect::to(&format!("/runs/{id}/progress")).into_response(),
        Err(_) => message_page(
            StatusCode::CONFLICT,
            "En konvertering pågår redan",
            "Vänta tills den är klar; sidan visar hur långt den har kommit.",
        ),
    }
}

async fn start_convert(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    start_run(&desk, &id, run)
}

fn progress_html(
    status_url: &str,
    done_url: &str,
    failed_url: &str,
    cancel: Option<&str>,
) -> String {
    let cancel = cancel
        .map(|c| format!("<form method=\"post\" action=\"{c}\"><button class=\"secondary\" type=\"submit\" id=\"cancel\">Avbryt</button></form>"))
        .unwrap_or_default();
    format!(
        "<h1>Konverterar</h1><div id=\"job\" data-status=\"{status_url}\" data-done=\"{done_url}\" data-failed=\"{failed_url}\">\
         <progress id=\"bar\" max=\"100\" value=\"0\"></progress> <span id=\"percent\">0 %</span>\
         <p id=\"stage\">startar</p></div>{cancel}\
         <p class=\"small\">Sidan går vidare av sig själv. <a href=\"{done_url}\">Till resultatet</a></p>"
    )
}

async fn run_progress(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    if desk.workspace.run_dir(&id).is_none() {
        return no_run();
    }
    let body = progress_html(
        &format!("/runs/{id}/status"),
        &format!("/runs/{id}/result"),
        &format!("/runs/{id}"),
        Some(&format!("/runs/{id}/cancel")),
    );
    page("Konverterar", &body, true).into_response()
}

async fn run_status(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    match desk.jobs.status(&id) {
        Some(s) => Json(s).into_response(),
        None => Json(serde_json::json!({"state": "none"})).into_response(),
    }
}

async fn run_cancel(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    desk.jobs.cancel(&id);
    Redirect::to(&format!("/runs/{id}")).into_response()
}

// ---------------------------------------------------------------- a run: result

fn published_csv(out: &Path, report: &serde_json::Value) -> Option<PathBuf> {
    report["outputs"].as_array()?.iter().find_map(|o| {
        let path = o["path"].as_str()?;
        (o["published"].as_bool() == Some(true) && path.ends_with(".csv")).then(|| out.join(path))
    })
}

fn published_files(out: &Path, report: &serde_json::Value) -> Vec<PathBuf> {
    report["outputs"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|o| o["published"].as_bool() == Some(true))
                .filter_map(|o| o["path"].as_str())
                .filter(|p| !p.starts_with("internal"))
                .map(|p| out.join(p))
                .collect()
        })
        .unwrap_or_default()
}

fn reconciliation_html(report: &serde_json::Value) -> String {
    let n = |k: &str| report["rows"][k].as_u64().unwrap_or(0);
    let a = |k: &str| {
        report["amount"][k]
            .as_str()
            .and_then(|s| s.parse::<rust_decimal::Decimal>().ok())
            .map(charts::kronor)
            .unwrap_or_default()
    };
    let rows = vec![
        vec![
            "Rader".into(),
            n("read").to_string(),
            n("published").to_string(),
            n("withheld").to_string(),
            n("rejected").to_string(),
        ],
        vec![
            "Kronor".into(),
            a("read"),
            a("published"),
            a("withheld"),
            a("rejected"),
        ],
    ];
    let mut out = String::from("<h2>Avstämning: inläst = publicerat + undantaget + avvisat</h2>");
    out.push_str(&table(
        "reconciliation",
        &["", "Inläst", "Publiceras", "Undantas", "Avvisas"],
        &rows,
    ));
    out.push_str("<p class=\"ok\" id=\"reconciled\">Raderna och beloppen stämmer på öret.</p>");
    out
}

fn validation_html(outcome: &crate::validate::Outcome) -> String {
    let mut out = String::new();
    for f in &outcome.files {
        let name = crate::read::file_name(&f.file);
        if let Some(why) = &f.unreadable {
            out.push_str(&format!(
                "<p class=\"error\">{}: filen kunde inte läsas ({}).</p>",
                esc(&name),
                esc(why)
            ));
            continue;
        }
        if f.findings.is_empty() {
            out.push_str(&format!(
                "<p class=\"ok no-errors\">{}: Inga fel hittades ({} rader kontrollerade).</p>",
                esc(&name),
                f.rows
            ));
            continue;
        }
        let rows: Vec<Vec<String>> = f
            .findings
            .iter()
            .map(|x| {
                let severity = match x.severity {
                    crate::validate::Severity::Error => "fel",
                    crate::validate::Severity::Warning => "varning",
                };
                let lines: Vec<String> = x.rows.iter().map(u64::to_string).collect();
                vec![
                    severity.to_string(),
                    format!(
                        "{}<br><span class=\"small\">{}: {}</span>",
                        esc(finding_label(&x.check)),
                        esc(&x.check),
                        esc(&x.message)
                    ),
                    x.count.to_string(),
                    esc(&lines.join(", ")),
                ]
            })
            .collect();
        let errors = f
            .findings
            .iter()
            .filter(|x| x.severity == crate::validate::Severity::Error)
            .count();
        let warnings = f.findings.len() - errors;
        if errors == 0 {
            out.push_str(&format!(
                "<p class=\"ok no-errors\">{}: Inga fel hittades ({} rader kontrollerade). {} att känna till:</p>",
                esc(&name),
                f.rows,
                if warnings == 1 { "En varning".to_string() } else { format!("{warnings} varningar") }
            ));
        } else {
            out.push_str(&format!(
                "<p class=\"error\">{}: {errors} fel och {warnings} varningar. Filen följer inte specifikationen: publicera den inte förrän felen är rättade.</p>",
                esc(&name)
            ));
        }
        out.push_str(&table(
            "findings",
            &["", "Vad", "Antal", "Första raderna"],
            &rows,
        ));
    }
    out
}

async fn run_result(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    let out = run.join("out");
    let Some(report) = read_report(&out) else {
        if let Some(JobStatus { error: Some(_), .. }) = desk.jobs.status(&id) {
            return Redirect::to(&format!("/runs/{id}")).into_response();
        }
        return message_page(
            StatusCode::NOT_FOUND,
            "Inte konverterad ännu",
            "Konvertera månaden först.",
        );
    };
    let files = published_files(&out, &report);
    let csv = published_csv(&out, &report);
    let (outcome, sums) = blocking(move || {
        (
            crate::validate::validate_files(&files),
            csv.as_deref().and_then(charts::month_sums),
        )
    })
    .await;
    let period = report_period(&report).unwrap_or_else(|| "utan period".into());
    let mut body = format!("<h1>Resultat {}</h1>", esc(&period));
    body.push_str(&reconciliation_html(&report));
    if let Some(w) = report["warnings"].as_array().filter(|w| !w.is_empty()) {
        body.push_str("<h2>Att känna till</h2><ul class=\"warnings\">");
        for x in w {
            body.push_str(&format!(
                "<li>{}</li>",
                esc(&warning_label(x.as_str().unwrap_or("")))
            ));
        }
        body.push_str("</ul>");
    }
    let masked: u64 = report["privacy"]["by_reason"]
        .as_object()
        .map(|m| m.values().filter_map(|v| v["rows"].as_u64()).sum())
        .unwrap_or(0);
    body.push_str(&format!(
        "<p><a class=\"button\" id=\"download\" href=\"/runs/{id}/download\">Ladda ner filerna att publicera (zip)</a> \
         <a class=\"button secondary\" id=\"review\" href=\"/runs/{id}/review\">Granska maskerade och undantagna ({masked} rader)</a></p>\
         <p class=\"small\">Zip-filen innehåller bara filerna att publicera och report.json (räkningar och summor, inga personuppgifter): \
         lägg ut dem på er webbplats eller dataportal. Granskningslistan (internal/) är endast för internt bruk – publicera den inte.</p>"
    ));
    body.push_str("<h2>Kontroll mot specifikationen</h2><div id=\"validation\">");
    match &outcome {
        Ok(o) => body.push_str(&validation_html(o)),
        Err(e) => body.push_str(&format!("<p class=\"error\">{}</p>", esc(&e.to_string()))),
    }
    body.push_str("</div>");
    if let Some(s) = sums {
        body.push_str("<h2>Månaden i siffror</h2><p>Jämför med huvudboken: summa per förvaltning, de tio största leverantörerna och summa per dag.</p>");
        body.push_str(&charts::bars(
            "Summa per förvaltning",
            &charts::largest(&s.per_unit, 15),
        ));
        body.push_str(&charts::bars(
            "De tio största leverantörerna",
            &charts::largest(&s.per_supplier, 10),
        ));
        let days: Vec<(String, rust_decimal::Decimal)> =
            s.per_day.iter().map(|(k, v)| (k.clone(), *v)).collect();
        body.push_str(&charts::bars("Summa per dag", &days));
    }
    body.push_str(&format!(
        "<details><summary>Samma körning på kommandoraden</summary><pre class=\"message\">{}</pre></details>",
        esc(&command_line(&desk.workspace, &run))
    ));
    page("Resultat", &body, true).into_response()
}

// ---------------------------------------------------------------- a run: review

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

async fn review_page(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    let internal = run.join("out").join("internal");
    let review = csv_rows(&internal.join("review.csv"), 5000);
    let rejected = csv_rows(&internal.join("rejected.csv"), 500);
    let mut body = String::from(
        "<h1>Granskning</h1><p class=\"warn\">Granskningslista – endast för internt bruk, publicera inte. \
         Sidan visar leverantörernas namn och nummer som de står i exporten.</p>",
    );
    body.push_str("<h2>Maskerade och undantagna leverantörer</h2>");
    if review.is_empty() {
        body.push_str("<p class=\"ok\">Inga leverantörer maskerades eller undantogs.</p>");
    }
    let rows: Vec<Vec<String>> = review
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let get = |k: usize| r.get(k).map(String::as_str).unwrap_or("");
            let (reason, action, name, sid, n, sum) = (get(0), get(1), get(2), get(3), get(4), get(5));
            let hidden = format!(
                "<input type=\"hidden\" name=\"name\" value=\"{}\"><input type=\"hidden\" name=\"id\" value=\"{}\"><input type=\"hidden\" name=\"reason\" value=\"{}\">",
                esc(name),
                esc(sid),
                esc(reason)
            );
            let allow = if may_allow(reason, name, sid) && action == "masked" {
                format!("<button name=\"action\" value=\"allow\" id=\"allow-{i}\" class=\"secondary\">Tillåt publicering</button>")
            } else {
                String::new()
            };
            let deny = if reason != "deny_list" {
                format!("<button name=\"action\" value=\"deny\" id=\"deny-{i}\" class=\"secondary\">Undanta alltid</button>")
            } else {
                format!("<button name=\"action\" value=\"forget\" id=\"forget-{i}\" class=\"secondary\">Ta bort ur listan</button>")
            };
            vec![
                format!("<span class=\"supplier\">{}</span>", esc(name)),
                esc(sid),
                esc(&reason_label(reason)),
                if action == "withheld" { "undantas".into() } else { "maskeras".into() },
                esc(n),
                esc(&sum.parse::<rust_decimal::Decimal>().map(charts::kronor).unwrap_or_default()),
                format!("<form method=\"post\" action=\"/runs/{id}/review\" class=\"inline\">{hidden}{allow}{deny}</form>"),
            ]
        })
        .collect();
    if !rows.is_empty() {
        body.push_str(&table(
            "review",
            &[
                "Leverantör",
                "Nummer",
                "Skäl",
                "Åtgärd",
                "Rader",
                "Summa",
                "",
            ],
            &rows,
        ));
        body.push_str("<p class=\"small\">Tillåt publicering sparar leverantören i profilens lista och konverterar om. En leverantör med personnummer kan aldrig publiceras med namn.</p>");
    }
    body.push_str(&lists_html(&desk, &id));
    body.push_str("<h2>Avvisade rader</h2>");
    if rejected.is_empty() {
        body.push_str("<p class=\"ok\">Inga rader avvisades.</p>");
    } else {
        let rows: Vec<Vec<String>> = rejected
            .iter()
            .map(|r| r.iter().map(|c| esc(c)).collect())
            .collect();
        body.push_str(&table(
            "rejected",
            &["Fil", "Rad", "Skäl", "Värden i exporten"],
            &rows,
        ));
    }
    body.push_str(&format!(
        "<p><a href=\"/runs/{id}/result\">Tillbaka till resultatet</a></p>"
    ));
    page("Granskning", &body, true).into_response()
}

/// The profile's allow and deny lists, each entry with a button to take it out, and a form to
/// withhold one more supplier (a protected identity the rules cannot see).
fn lists_html(desk: &Desk, id: &str) -> String {
    let policy = desk.workspace.policy().unwrap_or_default();
    let forget = |name: &str, sid: &str| {
        format!(
            "<form method=\"post\" action=\"/runs/{id}/review\" class=\"inline\">\
             <input type=\"hidden\" name=\"name\" value=\"{}\"><input type=\"hidden\" name=\"id\" value=\"{}\">\
             <button name=\"action\" value=\"forget\" class=\"secondary\">Ta bort ur listan</button></form>",
            esc(name),
            esc(sid)
        )
    };
    let mut rows = Vec::new();
    for n in &policy.allow.names {
        rows.push(vec!["tillåts publicering".into(), esc(n), forget(n, "")]);
    }
    for n in &policy.deny.names {
        rows.push(vec!["undantas alltid".into(), esc(n), forget(n, "")]);
    }
    for i in &policy.deny.ids {
        rows.push(vec!["undantas alltid".into(), esc(i), forget("", i)]);
    }
    let mut out = String::from("<h2>Profilens listor</h2>");
    if rows.is_empty() {
        out.push_str("<p>Inga leverantörer är tillåtna eller undantagna i profilen.</p>");
    } else {
        out.push_str(&table(
            "lists",
            &["Lista", "Leverantör eller nummer", ""],
            &rows,
        ));
    }
    out.push_str(&format!(
        "<form method=\"post\" action=\"/runs/{id}/review\" class=\"form\" id=\"deny-form\">\
         <p>Undanta en leverantör till från varje publicering (till exempel en skyddad identitet som reglerna inte ser):</p>\
         <label>Namn<input name=\"name\" id=\"deny-name\"></label>\
         <label>Organisationsnummer eller annat nummer (valfritt)<input name=\"id\" id=\"deny-id\"></label>\
         <button name=\"action\" value=\"deny\" id=\"deny-other\">Undanta alltid och konvertera om</button></form>"
    ));
    out
}

async fn review_decide(
    State(desk): Shared,
    UrlPath(id): UrlPath<String>,
    Form(fields): Fields,
) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    let name = field(&fields, "name").unwrap_or("").trim().to_string();
    let sid = field(&fields, "id").unwrap_or("").trim().to_string();
    let reason = field(&fields, "reason").unwrap_or("");
    let action = field(&fields, "action").unwrap_or("");
    if name.is_empty() && sid.is_empty() {
        return message_page(
            StatusCode::BAD_REQUEST,
            "Ingen leverantör",
            "Välj en leverantör i listan.",
        );
    }
    let changed = match action {
        "allow" if !may_allow(reason, &name, &sid) => {
            return message_page(
                StatusCode::FORBIDDEN,
                "Kan inte publiceras med namn",
                "Leverantörens nummer är ett personnummer, raden är sekretessmarkerad, eller leverantören maskeras av en regel som profilens lista inte ändrar (till exempel ett dödsbo eller en enskild firma). Den maskeras alltid.",
            )
        }
        // the lists are changed by the keys the policy matches them by
        "allow" => desk.workspace.update_policy(|p| {
            p.allow.insert(&name, "");
            p.deny.remove(&name, "");
            Ok(())
        }),
        "deny" => desk.workspace.update_policy(|p| {
            p.deny.insert(&name, &sid);
            p.allow.remove(&name, "");
            Ok(())
        }),
        "forget" => desk.workspace.update_policy(|p| {
            p.allow.remove(&name, "");
            p.deny.remove(&name, &sid);
            Ok(())
        }),
        _ => return message_page(StatusCode::BAD_REQUEST, "Okänt val", "Välj Tillåt eller Undanta."),
    };
    if let Err(e) = changed {
        return message_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Profilen kunde inte sparas",
            &e.to_string(),
        );
    }
    start_run(&desk, &id, run)
}

// ---------------------------------------------------------------- a run: mapping editor

struct EditorModel {
    /// A note on what the editor cannot change.
    note: Option<String>,
    header: Vec<String>,
    samples: Vec<Vec<String>>,
    rules: std::collections::BTreeMap<String, crate::layout::ColumnRule>,
    file: String,
}

fn editor_model(ws: &Workspace, run: &Path) -> Result<EditorModel> {
    let inputs = Workspace::files_in(&run.join("inputs"));
    let first = inputs
        .first()
        .ok_or_else(|| Error::Usage("the run has no export".into()))?;
    let policy = ws.policy().unwrap_or_default();
    // the layout the run would use, when one is found: the editor starts from its mapping
    let planned = run_options(ws, run)
        .and_then(|opts| crate::plan::plan(&opts))
        .ok();
    let (rows, header_index, header, rules, note) = match planned {
        Some(p) => {
            let layout = p.assignment.layout;
            let (table, index) = p
                .assignment
                .main
                .into_iter()
                .next()
                .ok_or_else(|| Error::Usage("the run has no export".into()))?;
            let header = table.rows[index]
                .cells
                .iter()
                .map(|c| c.trim().to_string())
                .collect();
            let note = (!layout.lookup.is_empty() || layout.sie.is_some()).then(|| {
                format!(
                    "Exporten läses med den inbyggda mappningen {}, som använder uppslagstabeller eller SIE-konton.                      Den kan inte ändras här; spara en egen mappning bara om exporten är en enda tabell.",
                    layout.name
                )
            });
            (table.rows, index, header, layout.columns, note)
        }
        None => {
            let table = crate::read::read_table_head(
                first,
                &crate::read::ReadOptions::default(),
                crate::convert::HEAD_ROWS,
            )?;
            let s = crate::infer::suggest(&table.rows, crate::infer::Synonyms::builtin())
                .ok_or_else(|| {
                    Error::input(
                        first,
                        "no row of the first 50 has two or more cells: this is not a table",
                    )
                })?;
            (table.rows, s.header_index, s.header, s.rules, None)
        }
    };
    let samples = rows
        .iter()
        .skip(header_index + 1)
        .filter(|r| !r.is_blank())
        .take(3)
        .map(|r| {
            r.cells
                .iter()
                .map(|c| {
                    // the editor cannot know the name column yet: a person-shaped cell is masked
                    if crate::protect::is_person_shaped(c) {
                        policy.person_marker.clone()
                    } else {
                        crate::plan::mask_numbers(c.trim(), &policy.number_marker)
                    }
                })
                .collect()
        })
        .collect();
    Ok(EditorModel {
        header,
        samples,
        rules,
        file: crate::read::file_name(first),
        note,
    })
}

/// The editor's choice for a column, as its select's value: `col:I`, `code:I`, `text:I`,
/// `const`, `period` or empty.
fn choice_value(rule: Option<&crate::layout::ColumnRule>, header: &[String]) -> (String, String) {
    let Some(rule) = rule else {
        return (String::new(), String::new());
    };
    if let Some(c) = &rule.constant {
        return ("const".into(), c.clone());
    }
    if let Some(i) = crate::layout::find_column(header, &rule.names) {
        let v = match rule.split {
            Some(SplitPart::Code) => format!("code:{i}"),
            Some(SplitPart::Text) => format!("text:{i}"),
            None => format!("col:{i}"),
        };
        return (v, String::new());
    }
    if rule.from_period {
        return ("period".into(), String::new());
    }
    (String::new(), String::new())
}

fn parse_choice(value: &str, constant: &str) -> Choice {
    let index = |s: &str| s.parse::<usize>().ok();
    match value.split_once(':') {
        Some(("col", i)) => index(i).map_or(Choice::Nothing, Choice::Column),
        Some(("code", i)) => {
            index(i).map_or(Choice::Nothing, |i| Choice::Split(i, SplitPart::Code))
        }
        Some(("text", i)) => {
            index(i).map_or(Choice::Nothing, |i| Choice::Split(i, SplitPart::Text))
        }
        _ if value == "const" => Choice::Constant(constant.to_string()),
        _ if value == "period" => Choice::Period,
        _ => Choice::Nothing,
    }
}

fn editor_html(
    id: &str,
    model: &EditorModel,
    chosen: &dyn Fn(&str) -> (String, String),
    name: &str,
    notice: &str,
    preview: &str,
) -> String {
    let mut body = format!(
        "<h1>Kolumnmappning</h1><p>Välj för varje kolumn i specifikationen var värdet finns i exporten \
         <strong>{}</strong>: en kolumn, en del av en sammansatt cell (<em>46362 Köp material</em> → koden eller texten), \
         eller samma värde på varje rad. Köparens namn, organisationsnummer och kommunkod tas från profilen om du lämnar dem tomma.</p>{}{notice}",
        esc(&model.file),
        model.note.as_deref().map(|n| format!("<p class=\"warn\">{}</p>", esc(n))).unwrap_or_default()
    );
    body.push_str(&format!(
        "<form method=\"post\" action=\"/runs/{id}/mapping\" class=\"form\" id=\"mapping-form\">"
    ));
    let mut rows = Vec::new();
    for column in crate::spec::COLUMNS {
        let (value, constant) = chosen(column);
        let mut options = String::from("<option value=\"\">(ingen)</option>");
        for (i, h) in model.header.iter().enumerate() {
            if h.is_empty() {
                continue;
            }
            let sample = model
                .samples
                .first()
                .and_then(|r| r.get(i))
                .map(String::as_str)
                .unwrap_or("");
            let shown: String = sample.chars().take(24).collect();
            for (prefix, label) in [("col", ""), ("code", " – koden"), ("text", " – texten")] {
                let v = format!("{prefix}:{i}");
                let sel = if v == value { " selected" } else { "" };
                let ex = if prefix == "col" && !shown.is_empty() {
                    format!(" (t.ex. {shown})")
                } else {
                    String::new()
                };
                options.push_str(&format!(
                    "<option value=\"{v}\"{sel}>{}{label}{}</option>",
                    esc(h),
                    esc(&ex)
                ));
            }
        }
        for (v, label) in [
            ("const", "samma värde på varje rad…"),
            ("period", "första dagen i månaden"),
        ] {
            if v == "period" && column != "datum" {
                continue;
            }
            let sel = if v == value { " selected" } else { "" };
            options.push_str(&format!("<option value=\"{v}\"{sel}>{label}</option>"));
        }
        let must = if crate::spec::is_mandatory(column) {
            " *"
        } else {
            ""
        };
        rows.push(vec![
            format!("{}{must}<br><span class=\"small\">{column}</span>", esc(column_label(column))),
            format!("<select name=\"src_{column}\" id=\"src_{column}\">{options}</select>"),
            format!("<input name=\"const_{column}\" id=\"const_{column}\" value=\"{}\" placeholder=\"värde\">", esc(&constant)),
        ]);
    }
    body.push_str(&table(
        "editor",
        &["Kolumn (* obligatorisk)", "Källa i exporten", "Fast värde"],
        &rows,
    ));
    body.push_str(&format!(
        "<label>Namn på mappningen<input name=\"layout_name\" id=\"layout_name\" value=\"{}\" required></label>\
         <button type=\"submit\" name=\"action\" value=\"preview\" class=\"secondary\" id=\"preview\">Förhandsgranska</button> \
         <button type=\"submit\" name=\"action\" value=\"save\" id=\"save-layout\">Spara mappningen</button></form>{preview}",
        esc(name)
    ));
    body
}

async fn mapping_page(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    let d = desk.clone();
    let model = blocking(move || editor_model(&d.workspace, &run)).await;
    let model = match model {
        Ok(m) => m,
        Err(e) => {
            let body = format!("<h1>Kolumnmappning</h1>{}", error_box(&JobError::of(&e)));
            return page("Kolumnmappning", &body, true).into_response();
        }
    };
    let chosen = |c: &str| choice_value(model.rules.get(c), &model.header);
    let stem = model
        .file
        .rsplit_once('.')
        .map_or(model.file.as_str(), |(s, _)| s);
    let name = super::workspace::safe_stem(stem);
    page(
        "Kolumnmappning",
        &editor_html(&id, &model, &chosen, &name, "", ""),
        true,
    )
    .into_response()
}

async fn mapping_submit(
    State(desk): Shared,
    UrlPath(id): UrlPath<String>,
    Form(fields): Fields,
) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    let d = desk.clone();
    let r = run.clone();
    let model = match blocking(move || editor_model(&d.workspace, &r)).await {
        Ok(m) => m,
        Err(e) => {
            return message_page(
                StatusCode::BAD_REQUEST,
                "Exporten kan inte läsas",
                &e.to_string(),
            )
        }
    };
    let name = layout_name(&fields);
    let chosen = |c: &str| {
        let v = field(&fields, &format!("src_{c}"))
            .unwrap_or("")
            .to_string();
        let k = field(&fields, &format!("const_{c}"))
            .unwrap_or("")
            .to_string();
        (v, k)
    };
    let text = match drafted_layout(&desk, &model, &fields, &name) {
        Ok(text) => text,
        Err(notice) => {
            return page(
                "Kolumnmappning",
                &editor_html(&id, &model, &chosen, &name, &notice, ""),
                true,
            )
            .into_response()
        }
    };
    if field(&fields, "action") == Some("save") {
        return save_mapping(&desk, &run, &id, &name, &text);
    }
    let d = desk.clone();
    let preview = blocking(move || preview_rows(&d.workspace, &run, &text)).await;
    page(
        "Kolumnmappning",
        &editor_html(&id, &model, &chosen, &name, "", &preview_html(preview)),
        true,
    )
    .into_response()
}

/// The name the mapping is saved under: the one typed, made safe for a file name (a default
/// when none is typed).
fn layout_name(fields: &[(String, String)]) -> String {
    let typed = field(fields, "layout_name")
        .unwrap_or("")
        .trim()
        .to_string();
    super::workspace::safe_stem(if typed.is_empty() {
        "min-export"
    } else {
        &typed
    })
}

/// The layout file the editor's choices make, or the notice (an HTML paragraph) saying why
/// there is none: a choice the layout cannot use, or a mandatory column without a source (the
/// buyer may come from the profile, the supplier's id may be missing).
fn drafted_layout(
    desk: &Desk,
    model: &EditorModel,
    fields: &[(String, String)],
    name: &str,
) -> std::result::Result<String, String> {
    let choices: Vec<(String, Choice)> = crate::spec::COLUMNS
        .iter()
        .map(|c| {
            let v = field(fields, &format!("src_{c}")).unwrap_or("");
            let k = field(fields, &format!("const_{c}")).unwrap_or("");
            (c.to_string(), parse_choice(v, k))
        })
        .collect();
    let policy = desk.workspace.policy().unwrap_or_default();
    let from_profile = |c: &str| match c {
        "kopare_id" => policy.publisher.buyer_id.is_some(),
        "kopare" => policy.publisher.buyer_name.is_some(),
        _ => false,
    };
    let missing: Vec<&str> = crate::spec::COLUMNS
        .iter()
        .zip(&choices)
        .filter(|(c, (_, ch))| {
            crate::spec::is_mandatory(c)
                && *ch == Choice::Nothing
                && !from_profile(c)
                && **c != "leverantor_id"
        })
        .map(|(c, _)| column_label(c))
        .collect();
    let description = format!("Sparad i skrivbordet från {}", model.file);
    let built = crate::infer::layout_from_choices(name, &description, &model.header, &choices);
    let notice_of = |text: &str| format!("<p class=\"error\" id=\"notice\">{}</p>", esc(text));
    match (built, missing.is_empty()) {
        (Err(e), _) => Err(notice_of(&format!("Mappningen går inte att använda: {e}"))),
        (Ok(_), false) => Err(notice_of(&format!(
            "Välj en källa för: {}.",
            missing.join(", ")
        ))),
        (Ok((_, text)), true) => Ok(text),
    }
}

/// Save the mapping as a layout of the workspace (and name the layouts folder in the profile,
/// or the saved layout is never detected); the run then detects it again.
fn save_mapping(desk: &Desk, run: &Path, id: &str, name: &str, text: &str) -> Response {
    let named = desk.workspace.update_policy(|p| {
        if p.publisher.layouts.is_none() {
            p.publisher.layouts = Some(PathBuf::from("layouts"));
        }
        Ok(())
    });
    match named.and_then(|()| desk.workspace.save_layout(name, text)) {
        Ok(_) => {
            let mut settings = desk.workspace.run_settings(run);
            settings.layout = None;
            let _ = desk.workspace.save_run_settings(run, &settings);
            Redirect::to(&format!("/runs/{id}")).into_response()
        }
        Err(e) => message_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Kunde inte spara mappningen",
            &e.to_string(),
        ),
    }
}

/// The preview of the first rows as they will be published, or why there is none.
fn preview_html(preview: Result<(Vec<String>, Vec<Vec<String>>, String)>) -> String {
    match preview {
        Ok((head, rows, summary)) => {
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|r| r.iter().map(|c| esc(c)).collect())
                .collect();
            let head: Vec<&str> = head.iter().map(String::as_str).collect();
            format!(
                "<h2>Så publiceras de första raderna</h2><p id=\"preview-summary\">{}</p>{}",
                esc(&summary),
                table("preview", &head, &rows)
            )
        }
        Err(e) => format!(
            "<h2>Förhandsgranskning</h2>{}",
            error_box(&JobError::of(&e))
        ),
    }
}

/// Convert the run with a draft layout into a scratch folder and return the published
/// header, first rows and the reconciliation line.
fn preview_rows(
    ws: &Workspace,
    run: &Path,
    layout_text: &str,
) -> Result<(Vec<String>, Vec<Vec<String>>, String)> {
    let scratch = tempfile::tempdir().map_err(|e| Error::io(Path::new("temp"), e))?;
    let layout_path = scratch.path().join("draft.toml");
    std::fs::write(&layout_path, layout_text).map_err(|e| Error::io(&layout_path, e))?;
    let mut opts = run_options(ws, run)?;
    opts.out = scratch.path().join("out");
    opts.layout = Some(layout_path.display().to_string());
    opts.formats = vec![Format::Csv];
    let report = crate::convert::convert(&opts)?;
    let csv = report
        .outputs
        .iter()
        .find(|o| o.published && o.path.ends_with(".csv"))
        .map(|o| opts.out.join(&o.path))
        .ok_or_else(|| Error::Internal("no CSV was written".into()))?;
    let mut reader = csv::Reader::from_path(&csv).map_err(|e| Error::input(&csv, e.to_string()))?;
    let head = reader
        .headers()
        .map_err(|e| Error::input(&csv, e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .filter_map(|r| r.ok())
        .take(10)
        .map(|r| r.iter().map(str::to_string).collect())
        .collect();
    let r = &report.rows;
    let summary = format!(
        "{} rader inlästa: {} publiceras, {} undantas, {} avvisas.",
        r.read, r.published, r.withheld, r.rejected
    );
    Ok((head, rows, summary))
}

// ---------------------------------------------------------------- a run: download

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

async fn run_download(State(desk): Shared, UrlPath(id): UrlPath<String>) -> Response {
    let Some(run) = desk.workspace.run_dir(&id) else {
        return no_run();
    };
    let out = run.join("out");
    let Some(report) = read_report(&out) else {
        return message_page(
            StatusCode::NOT_FOUND,
            "Inte konverterad ännu",
            "Konvertera månaden först.",
        );
    };
    let mut files: Vec<(String, PathBuf)> = published_files(&out, &report)
        .into_iter()
        .map(|p| (crate::read::file_name(&p), p))
        .collect();
    files.push(("report.json".into(), out.join("report.json")));
    let stem = report_period(&report).map_or("leverantorsreskontra".to_string(), |p| {
        format!("leverantorsreskontra-{}", p.replace(" – ", "_"))
    });
    match blocking(move || zip_of(&files)).await {
        Ok(bytes) => zip_response(&format!("{stem}.zip"), bytes),
        Err(e) => message_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Kunde inte packa filerna",
            &e.to_string(),
        ),
    }
}

// ---------------------------------------------------------------- validate any file

async fn validate_page() -> Response {
    let body = "<h1>Kontrollera en fil</h1><p>Kontrollera en publicerad leverantörsreskontra mot \
                specifikationen (version 1.1): CSV, JSON, Parquet eller Excel. Filen sparas inte.</p>\
                <form method=\"post\" action=\"/validate\" enctype=\"multipart/form-data\" class=\"form\">\
                <input type=\"file\" name=\"file\" id=\"check-file\" multiple required>\
                <button type=\"submit\" id=\"check\">Kontrollera</button></form>";
    page("Kontrollera en fil", body, true).into_response()
}

async fn validate_upload(State(desk): Shared, mut multipart: Multipart) -> Response {
    let Ok(scratch) = tempfile::tempdir() else {
        return message_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Kunde inte ta emot filen",
            "Försök igen.",
        );
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
        return message_page(
            StatusCode::BAD_REQUEST,
            "Ingen fil",
            "Välj filen att kontrollera.",
        );
    }
    let outcome = blocking(move || {
        let o = crate::validate::validate_files(&files);
        drop(scratch);
        o
    })
    .await;
    let mut body = String::from("<h1>Kontroll mot specifikationen</h1><div id=\"validation\">");
    match &outcome {
        Ok(o) => body.push_str(&validation_html(o)),
        Err(e) => body.push_str(&format!("<p class=\"error\">{}</p>", esc(&e.to_string()))),
    }
    body.push_str("</div><p><a href=\"/validate\">Kontrollera en fil till</a></p>");
    page("Kontroll", &body, true).into_response()
}

// ---------------------------------------------------------------- year dataset

fn year_dir(ws: &Workspace, year: &str) -> Option<PathBuf> {
    let ok = year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| ws.root().join("years").join(year))
}

async fn year_page(State(desk): Shared) -> Response {
    let runs: Vec<_> = desk
        .workspace
        .runs()
        .into_iter()
        .filter(|r| r.period.is_some())
        .collect();
    let mut body = String::from(
        "<h1>Årsdatamängd</h1><p>Välj de konverterade månaderna och bygg årets datamängd: en CSV-fil för året, \
         Parquet per månad, datapackage.json och DCAT-metadata.</p>",
    );
    if runs.is_empty() {
        body.push_str("<p>Inga konverterade månader ännu.</p>");
        return page("Årsdatamängd", &body, true).into_response();
    }
    let this_year = runs
        .iter()
        .filter_map(|r| r.period.as_deref()?.get(..4).map(str::to_string))
        .max()
        .unwrap_or_default();
    body.push_str("<form method=\"post\" action=\"/year\" class=\"form\">");
    for r in runs.iter().rev() {
        body.push_str(&format!(
            "<label class=\"inline\"><input type=\"checkbox\" name=\"run\" value=\"{0}\" checked> {1} ({0})</label><br>",
            esc(&r.id),
            esc(r.period.as_deref().unwrap_or(""))
        ));
    }
    body.push_str(&format!(
        "<label>År<input name=\"year\" id=\"year\" value=\"{}\" required></label>\
         <button type=\"submit\" id=\"build-year\">Bygg årsdatamängden</button></form>",
        esc(&this_year)
    ));
    page("Årsdatamängd", &body, true).into_response()
}

async fn year_build(State(desk): Shared, Form(fields): Fields) -> Response {
    let year = field(&fields, "year").unwrap_or("").trim().to_string();
    let (Some(out), Ok(y)) = (year_dir(&desk.workspace, &year), year.parse::<i32>()) else {
        return message_page(
            StatusCode::BAD_REQUEST,
            "Fel år",
            "Skriv året med fyra siffror, till exempel 2024.",
        );
    };
    let mut ids: Vec<String> = fields_named(&fields, "run").map(str::to_string).collect();
    ids.sort();
    let inputs: Vec<PathBuf> = ids
        .iter()
        .filter_map(|id| desk.workspace.run_dir(id))
        .map(|r| r.join("out"))
        .collect();
    if inputs.is_empty() {
        return message_page(
            StatusCode::BAD_REQUEST,
            "Inga månader",
            "Välj minst en konverterad månad.",
        );
    }
    let licence = desk.workspace.settings().licence;
    let key = format!("year-{year}");
    let started = desk.jobs.start(&key, "year", move |progress| {
        let opts = crate::dataset::DatasetOptions {
            prefer: inputs.clone(),
            inputs,
            year: y,
            out,
            // the months are given in the order they were uploaded: a later upload of a month wins
            replace_months: true,
            licence,
            base_url: None,
            contact_email: None,
            publisher_kind: None,
            date: None,
            issued: None,
            catalogue: true,
            progress: progress.clone(),
            replace: true,
            formats: crate::dataset::DEFAULT_FORMATS.to_vec(),
        };
        crate::dataset::build(&opts).map(|_| ())
    });
    match started {
        Ok(()) => Redirect::to(&format!("/year/{year}/progress")).into_response(),
        Err(_) => message_page(
            StatusCode::CONFLICT,
            "Bygget pågår redan",
            "Vänta tills det är klart.",
        ),
    }
}

async fn year_progress(UrlPath(year): UrlPath<String>) -> Response {
    let body = progress_html(
        &format!("/year/{year}/status"),
        &format!("/year/{year}"),
        &format!("/year/{year}"),
        None,
    );
    page("Årsdatamängd", &body, true).into_response()
}

async fn year_status(State(desk): Shared, UrlPath(year): UrlPath<String>) -> Response {
    match desk.jobs.status(&format!("year-{year}")) {
        Some(s) => Json(s).into_response(),
        None => Json(serde_json::json!({"state": "none"})).into_response(),
    }
}

fn year_report(dir: &Path) -> Option<serde_json::Value> {
    read_report(dir)
}

async fn year_result(State(desk): Shared, UrlPath(year): UrlPath<String>) -> Response {
    let Some(dir) = year_dir(&desk.workspace, &year) else {
        return not_found().await;
    };
    let mut body = format!("<h1>Årsdatamängd {}</h1>", esc(&year));
    if let Some(JobStatus {
        state: "failed",
        error: Some(e),
        ..
    }) = desk.jobs.status(&format!("year-{year}"))
    {
        body.push_str(&error_box(&e));
    }
    match year_report(&dir) {
        Some(r) => {
            let months: Vec<String> = r["months"]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            body.push_str(&format!(
                "<p class=\"ok\" id=\"year-done\">{} rader, {} kronor, månaderna {}.</p>",
                r["rows"].as_u64().unwrap_or(0),
                esc(&r["amount"]
                    .as_str()
                    .and_then(|a| a.parse().ok())
                    .map(charts::kronor)
                    .unwrap_or_default()),
                esc(&months.join(", "))
            ));
            body.push_str(&format!("<p><a class=\"button\" id=\"download-year\" href=\"/year/{year}/download\">Ladda ner årsdatamängden (zip)</a></p>"));
        }
        None => body.push_str("<p>Ingen årsdatamängd är byggd för året.</p>"),
    }
    page("Årsdatamängd", &body, true).into_response()
}

async fn year_download(State(desk): Shared, UrlPath(year): UrlPath<String>) -> Response {
    let Some(dir) = year_dir(&desk.workspace, &year) else {
        return not_found().await;
    };
    let Some(report) = year_report(&dir) else {
        return message_page(
            StatusCode::NOT_FOUND,
            "Inte byggd",
            "Bygg årsdatamängden först.",
        );
    };
    let mut files: Vec<(String, PathBuf)> = report["outputs"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|o| o["path"].as_str())
                .filter(|p| !p.starts_with("internal"))
                .map(|p| (p.to_string(), dir.join(p)))
                .collect()
        })
        .unwrap_or_default();
    files.push(("report.json".into(), dir.join("report.json")));
    match blocking(move || zip_of(&files)).await {
        Ok(bytes) => zip_response(&format!("leverantorsreskontra-{year}.zip"), bytes),
        Err(e) => message_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Kunde inte packa filerna",
            &e.to_string(),
        ),
    }
}
