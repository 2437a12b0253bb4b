//! `reskontra serve`: the publisher's desk, a local web page over the same library.
//!
//! The server listens on 127.0.0.1 only. Every request must carry the run's secret token (in
//! the address printed at start, then in a cookie), name this server in its `Host` header (no
//! DNS rebinding) and, when it changes anything, come from this server's own pages (`Origin`).
//! The pages are Swedish, server-rendered HTML with a little JavaScript; every asset is
//! embedded in the binary. Long work (a conversion, a year dataset) runs on a blocking thread
//! and the page follows it. No conversion, privacy or validation logic lives here: the
//! handlers call [`crate::plan`], [`crate::convert`], [`crate::validate`] and
//! [`crate::dataset`], exactly as the command line does.
//!
//! The pages are rendered from askama templates (`templates/desk/`, one per page over a base
//! layout), chosen because askama escapes HTML by default, checks each template against the
//! typed struct that fills it when the binary is built (a missing field is a build error, not
//! a blank on a page), and compiles the templates into the binary, so nothing is read from
//! disk at run time. Every word a finance officer reads comes from [`texts`], one catalogue
//! of plain Swedish; the library's English appears only in a closed "Tekniska detaljer" box.

mod charts;
mod jobs;
mod pages;
mod report;
mod security;
mod texts;
mod workspace;

/// The version the pages' footer names.
pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

pub use workspace::{safe_file_name, Workspace};

use crate::error::{Error, Result};
use std::path::PathBuf;
use std::sync::Arc;

/// The largest upload accepted by default (all files of one request), in MB.
pub const MAX_UPLOAD_MB: u64 = 1024;

/// How `reskontra serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The port on 127.0.0.1 (0: any free port).
    pub port: u16,
    /// The workspace folder (profile, layouts, each month's run).
    pub workspace: PathBuf,
    /// Open the default browser at start.
    pub open_browser: bool,
    /// The largest upload, in bytes.
    pub max_upload: u64,
}

/// The state every handler shares.
pub(crate) struct Desk {
    pub(crate) workspace: Workspace,
    pub(crate) jobs: jobs::Jobs,
    pub(crate) token: String,
    pub(crate) port: u16,
    pub(crate) max_upload: u64,
}

/// A default workspace: `reskontra` in the user's data folder.
pub fn default_workspace() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        env("LOCALAPPDATA").or_else(|| env("APPDATA"))
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Application Support"))
    } else {
        env("XDG_DATA_HOME").or_else(|| env("HOME").map(|h| h.join(".local/share")))
    };
    base.unwrap_or_else(|| PathBuf::from(".")).join("reskontra")
}

/// A fresh secret token: 32 random bytes as hex.
fn new_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Internal(format!("no random numbers for the token: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Serve the desk until the process is stopped. `started` is told the address to open (with
/// the token) once the server listens.
pub fn serve(opts: &ServeOptions, started: impl FnOnce(&str)) -> Result<()> {
    let workspace = Workspace::open(&opts.workspace)?;
    let token = new_token()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the server: {e}")))?;
    runtime.block_on(async move {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], opts.port));
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            Error::Usage(format!(
                "cannot listen on 127.0.0.1:{}: {e}; give another --port",
                opts.port
            ))
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::Internal(e.to_string()))?
            .port();
        let desk = Arc::new(Desk {
            workspace,
            jobs: jobs::Jobs::default(),
            token: token.clone(),
            port,
            max_upload: opts.max_upload,
        });
        let app = pages::router(desk);
        let url = format!("http://127.0.0.1:{port}/?t={token}");
        if opts.open_browser {
            open_browser(&url);
        }
        started(&url);
        axum::serve(listener, app)
            .await
            .map_err(|e| Error::Internal(format!("the server stopped: {e}")))
    })
}

/// Open the default browser, where there is a display; a failure is not an error (the
/// address is printed).
fn open_browser(url: &str) {
    let has_display = cfg!(any(windows, target_os = "macos"))
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some();
    if !has_display {
        return;
    }
    let mut command = if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", "", url]);
        c
    } else if cfg!(target_os = "macos") {
        let mut c = std::process::Command::new("open");
        c.arg(url);
        c
    } else {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(url);
        c
    };
    let _ = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
