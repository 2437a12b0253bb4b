//! The desk in a real browser: Debian's chromium driven by chromedriver over the WebDriver
//! protocol (a small client below, over std's TCP). A finance officer's month: the profile,
//! an export of an unknown layout mapped in the editor and saved, the conversion, one masked
//! supplier allowed and another denied, the zip downloaded and checked, then next month's
//! export of the same shape detected without asking.
//!
//! Without chromedriver the test says it is skipped, unless `CI` is set: CI must run it
//! (`.ci/run` installs chromium and chromium-driver). On failure a screenshot of every step
//! so far is in `target/browser-screenshots/`; with `RESKONTRA_SCREENSHOTS=DIR` every step's
//! screenshot is written there (docs/desk-*.png come from it).

use crate::desk::{assert_swedish_only, fake_personnummer, unknown_export, unzip, Desk};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// chromedriver, started on a free port, stopped when dropped.
struct Driver {
    child: std::process::Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|n| {
        std::env::split_paths(&path)
            .map(|d| d.join(n))
            .find(|p| p.is_file())
    })
}

/// One WebDriver call: method, path, JSON body; the answer's `value`.
fn call(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(120))).ok();
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    // read the head, then exactly Content-Length bytes (chromedriver may keep the connection)
    let mut bytes = Vec::new();
    let mut buf = [0u8; 65536];
    let body = loop {
        let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break None;
        }
        bytes.extend_from_slice(&buf[..n]);
        let Some(split) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&bytes[..split]).to_ascii_lowercase();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok());
        match length {
            Some(len) if bytes.len() >= split + 4 + len => {
                break Some(
                    String::from_utf8_lossy(&bytes[split + 4..split + 4 + len]).into_owned(),
                )
            }
            Some(_) => continue,
            None if head.contains("transfer-encoding: chunked")
                && bytes.ends_with(b"0\r\n\r\n") =>
            {
                break Some(dechunk(&String::from_utf8_lossy(&bytes[split + 4..])));
            }
            None => {}
        }
    };
    let body = match body {
        Some(b) => b,
        None => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let (_, b) = text.split_once("\r\n\r\n").ok_or("no response")?;
            b.to_string()
        }
    };
    let v: Value = serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))?;
    if let Some(err) = v["value"].get("error") {
        return Err(format!("{err}: {}", v["value"]["message"]));
    }
    Ok(v["value"].clone())
}

fn dechunk(mut data: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = data.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        data = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// A browser session.
struct Browser {
    driver: Driver,
    session: String,
    shots: Vec<(String, Vec<u8>)>,
    step: String,
}

impl Browser {
    fn start(chromedriver: &Path, chromium: &Path, downloads: &Path, profile: &Path) -> Browser {
        let port = free_port();
        let child = std::process::Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while call(port, "GET", "/status", None).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not answer");
            std::thread::sleep(Duration::from_millis(100));
        }
        // the flags that keep Chromium off the (closed) network
        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1280,1600".into(),
            format!("--user-data-dir={}", profile.display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": chromium.display().to_string(),
                "args": args,
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false,
                    "safebrowsing.enabled": false
                }
            }
        }}});
        let session = call(port, "POST", "/session", Some(&caps)).expect("a browser session");
        let id = session["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        let browser = Browser {
            driver,
            session: id,
            shots: Vec::new(),
            step: "start".into(),
        };
        let _ = browser.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(json!({"cmd": "Browser.setDownloadBehavior", "params": {"behavior": "allow", "downloadPath": downloads.display().to_string()}})),
        );
        browser
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        call(
            self.driver.port,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        )
    }

    fn step(&mut self, name: &str) {
        self.shoot();
        self.step = name.to_string();
    }

    fn shoot(&mut self) {
        if let Ok(v) = self.cmd("GET", "/screenshot", None) {
            if let Some(png) = v.as_str().and_then(base64_decode) {
                let n = self.shots.len() + 1;
                self.shots.push((format!("{n:02}-{}", self.step), png));
            }
        }
    }

    fn go(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })))
            .expect("navigate");
    }

    fn url(&self) -> String {
        self.cmd("GET", "/url", None)
            .unwrap()
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn source(&self) -> String {
        self.cmd("GET", "/source", None)
            .unwrap()
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match self.cmd(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            ) {
                Ok(v) => return v[ELEMENT].as_str().unwrap().to_string(),
                Err(e) if Instant::now() > deadline => {
                    panic!("[{}] no element {css}: {e}", self.step)
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    fn find_xpath(&self, xpath: &str) -> String {
        let v = self
            .cmd(
                "POST",
                "/element",
                Some(json!({"using": "xpath", "value": xpath})),
            )
            .unwrap_or_else(|e| panic!("[{}] no element {xpath}: {e}", self.step));
        v[ELEMENT].as_str().unwrap().to_string()
    }

    fn click(&self, css: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/click"), Some(json!({})))
            .unwrap_or_else(|err| panic!("[{}] click {css}: {err}", self.step));
    }

    fn click_element(&self, e: &str) {
        self.cmd("POST", &format!("/element/{e}/click"), Some(json!({})))
            .expect("click");
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/clear"), Some(json!({})))
            .expect("clear");
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({ "text": text })),
        )
        .expect("type");
    }

    /// Choose a file in a file input (typed as its path, as WebDriver does).
    fn choose_file(&self, css: &str, path: &Path) {
        let e = self.find(css);
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({ "text": path.display().to_string() })),
        )
        .unwrap_or_else(|err| panic!("[{}] choose {}: {err}", self.step, path.display()));
    }

    fn select(&self, select_css: &str, value: &str) {
        self.click(&format!("{select_css} option[value='{value}']"));
    }

    fn text(&self, css: &str) -> String {
        let e = self.find(css);
        self.cmd("GET", &format!("/element/{e}/text"), None)
            .unwrap()
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Wait until the page's address ends with `suffix`.
    fn wait_for_url(&self, suffix: &str) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while !self.url().ends_with(suffix) {
            assert!(
                Instant::now() < deadline,
                "[{}] still at {}, not {suffix}",
                self.step,
                self.url()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Wait until the page shows `text`.
    fn wait_for_text(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.source().contains(text) {
            assert!(
                Instant::now() < deadline,
                "[{}] the page never showed {text:?}",
                self.step
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.cmd("DELETE", "", None);
    }
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let clean: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= value(*c)? << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    Some(out)
}

fn write_shots(shots: &[(String, Vec<u8>)], dir: &Path) {
    let _ = std::fs::create_dir_all(dir);
    for (name, png) in shots {
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
}

/// Wait for a downloaded file to be complete.
fn downloaded(dir: &Path, name: &str) -> Vec<u8> {
    let path = dir.join(name);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let partial = std::fs::read_dir(dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .any(|e| e.file_name().to_string_lossy().ends_with(".crdownload"))
            })
            .unwrap_or(false);
        if path.exists() && !partial {
            return std::fs::read(&path).unwrap();
        }
        assert!(Instant::now() < deadline, "{name} was not downloaded");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// What a page opened from disk did in the browser: the console's messages, the resources it
/// loaded (`performance` entries), the `src` and `href` values it holds, and its title and
/// headings; none when there is no browser on this machine (outside CI).
pub struct OfflinePage {
    /// Every console message (level and text).
    pub console: Vec<String>,
    /// The addresses of the resources the page loaded.
    pub resources: Vec<String>,
    /// Every `src` and `href` value in the page.
    pub links: Vec<String>,
    /// The document's title.
    pub title: String,
    /// The text of its `h2` headings.
    pub headings: Vec<String>,
    /// How many `svg` charts it draws.
    pub charts: u64,
}

/// Open an HTML file in Chromium (from disk, no server) and tell what it did.
pub fn open_from_disk(page: &Path) -> Option<OfflinePage> {
    let chromedriver = find_program(&["chromedriver"]);
    let chromium = find_program(&["chromium", "chromium-browser"]);
    let (Some(chromedriver), Some(chromium)) = (chromedriver, chromium) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the browser test: install chromium and chromium-driver (.ci/run does)"
        );
        eprintln!("skipped: no chromium/chromedriver on this machine (apt-get install chromium chromium-driver)");
        return None;
    };
    let dir = crate::common::temp();
    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let b = Browser::start(
        &chromedriver,
        &chromium,
        &downloads,
        &dir.path().join("chromium-profile"),
    );
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    b.go(&url);
    b.find("h1");
    let facts = b
        .cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": "return {
                resources: performance.getEntriesByType('resource').map(e => e.name),
                links: Array.from(document.querySelectorAll('[src],[href]')).map(e => e.getAttribute('src') || e.getAttribute('href')),
                title: document.title,
                headings: Array.from(document.querySelectorAll('h2')).map(e => e.textContent),
                charts: document.querySelectorAll('svg').length
            };", "args": []})),
        )
        .expect("the page's facts");
    let console = b
        .cmd("POST", "/se/log", Some(json!({"type": "browser"})))
        .unwrap_or_else(|_| json!([]));
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .map(|x| x.as_str().unwrap_or_default().to_string())
            .collect()
    };
    Some(OfflinePage {
        console: console
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| format!("{}: {}", m["level"], m["message"]))
            .collect(),
        resources: strings(&facts["resources"]),
        links: strings(&facts["links"]),
        title: facts["title"].as_str().unwrap_or_default().to_string(),
        headings: strings(&facts["headings"]),
        charts: facts["charts"].as_u64().unwrap_or(0),
    })
}

#[test]
fn a_month_in_a_real_browser() {
    let chromedriver = find_program(&["chromedriver"]);
    let chromium = find_program(&["chromium", "chromium-browser"]);
    let (Some(chromedriver), Some(chromium)) = (chromedriver, chromium) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the browser test: install chromium and chromium-driver (.ci/run does)"
        );
        eprintln!("skipped: no chromium/chromedriver on this machine (apt-get install chromium chromium-driver)");
        return;
    };
    let dir = crate::common::temp();
    let downloads = dir.path().join("downloads");
    let exports = dir.path().join("exports");
    std::fs::create_dir_all(&downloads).unwrap();
    std::fs::create_dir_all(&exports).unwrap();
    let may = exports.join("ekonomi-2024-05.csv");
    let june = exports.join("ekonomi-2024-06.csv");
    std::fs::write(&may, unknown_export(5)).unwrap();
    std::fs::write(&june, unknown_export(6)).unwrap();
    let desk = Desk::start_in(&dir.path().join("ws"), &[]);
    let mut b = Browser::start(
        &chromedriver,
        &chromium,
        &downloads,
        &dir.path().join("chromium-profile"),
    );
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        month(&mut b, &desk, &may, &june, &downloads);
    }));
    b.shoot();
    let shots = std::mem::take(&mut b.shots);
    if let Some(docs) = std::env::var_os("RESKONTRA_SCREENSHOTS") {
        write_shots(&shots, Path::new(&docs));
    }
    if let Err(panic) = result {
        let dir = crate::common::root().join("target/browser-screenshots");
        write_shots(&shots, &dir);
        eprintln!("screenshots of each step: {}", dir.display());
        std::panic::resume_unwind(panic);
    }
}

fn month(b: &mut Browser, desk: &Desk, may: &Path, june: &Path, downloads: &Path) {
    // the printed address: the cookie is set and the token leaves the address bar
    b.go(&desk.url);
    b.wait_for_text("Leverantörsreskontra");
    assert!(
        !b.url().contains(&desk.token),
        "the token stays out of the address bar"
    );
    // a first visit: the profile is missing, and the page says so with the button
    assert!(b.source().contains("id=\"fill-profile\""));
    assert_swedish_only(desk, "start", &b.source());

    b.step("profil");
    b.click("nav a[href='/profile']");
    b.type_into("#buyer_name", "Exempelby kommun");
    b.type_into("#buyer_id", "212000-0143");
    assert!(
        b.text("#buyer_id_hint").contains("stämmer inte"),
        "the check digit is checked as typed"
    );
    b.type_into("#buyer_id", "212000-0142");
    assert!(b.text("#buyer_id_hint").contains("Kontrollsiffran stämmer"));
    b.type_into("#kommun", "Stockholm");
    b.click("#save-profile");
    b.wait_for_text("Profilen är sparad");
    assert!(
        b.source().contains("value=\"Stockholm (0180)\""),
        "found by its name"
    );

    b.step("fel-filer");
    let (empty, pdf) = (
        may.with_file_name("tom-2024-05.csv"),
        may.with_file_name("rapport-2024-05.xlsx"),
    );
    std::fs::write(&empty, b"").unwrap();
    std::fs::write(&pdf, b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n").unwrap();
    for (file, title) in [
        (&empty, "Filen innehåller inga rader"),
        (&pdf, "Filen är en PDF"),
    ] {
        b.click("nav a[href='/upload']");
        b.choose_file("#files", file);
        b.click("#upload");
        b.wait_for_text(title);
        b.step("felruta");
        let page = b.source();
        assert!(
            page.contains("id=\"fix-upload\"") && !page.contains("Koppla kolumnerna"),
            "{page}"
        );
        assert_swedish_only(desk, title, &page);
        // the failed upload is deleted, after asking
        b.click("#delete");
        b.wait_for_text("Ta bort");
        b.click("#confirm-delete");
        b.wait_for_text("Leverantörsreskontra");
        assert!(
            !b.source()
                .contains(&file.file_name().unwrap().to_string_lossy().to_string()),
            "deleted"
        );
    }

    b.step("okand-rubrik");
    let voucher = may.with_file_name("verif-2024-05.csv");
    std::fs::write(&voucher, crate::desk::voucher_export()).unwrap();
    b.click("nav a[href='/upload']");
    b.choose_file("#files", &voucher);
    b.click("#upload");
    b.wait_for_text("Kolumnmappning");
    let plan = b.source();
    assert!(
        plan.contains("kolumnen &#39;Verifnr&#39;") || plan.contains("kolumnen 'Verifnr'"),
        "{plan}"
    );
    assert!(
        b.text("#unused").contains("Projekt"),
        "the unused column is named"
    );
    assert_swedish_only(desk, "unknown header", &plan);
    b.click("#delete");
    b.click("#confirm-delete");
    b.wait_for_text("Leverantörsreskontra");

    b.step("ladda-upp");
    b.click("nav a[href='/upload']");
    b.choose_file("#files", may);
    b.click("#upload");
    b.wait_for_text("Exporten kan inte konverteras ännu");
    assert!(b.source().contains("Koppla kolumnerna"));

    b.step("mappning");
    b.click("#open-mapping");
    b.wait_for_text("Kolumnmappning");
    for (select, value) in [
        ("#src_verifikationsnummer", "col:3"),
        ("#src_leverantor", "col:0"),
        ("#src_leverantor_id", "col:1"),
        ("#src_konto_nr", "code:5"),
        ("#src_konto_text", "text:5"),
        ("#src_belopp", "col:6"),
        ("#src_datum", "col:2"),
        ("#src_forvaltning", "col:4"),
        ("#src_grund", "const"),
    ] {
        b.select(select, value);
    }
    b.type_into("#const_grund", "Upphandling");
    b.type_into("#layout_name", "Vår ekonomi");
    b.click("#preview");
    b.wait_for_text("Så publiceras de första raderna");
    let preview = b.source();
    assert!(preview.contains("Byggmästarna i Norr AB") && preview.contains("Inköp material"));
    assert!(!preview.contains("Lisa Berg"), "the preview is masked");

    b.step("spara-mappning");
    b.click("#save-layout");
    b.wait_for_text("<strong>Vår ekonomi</strong>");

    b.step("konvertera");
    b.click("#convert");
    b.wait_for_url("/result");
    b.wait_for_text("Raderna och beloppen stämmer på öret");
    assert!(b.source().contains("De tio största leverantörerna"));

    b.step("granska");
    b.click("#review");
    b.wait_for_text("Maskerade och undantagna leverantörer");
    assert_swedish_only(desk, "review", &b.source());
    b.step("granskningslista");
    let allow = b.find_xpath("//tr[contains(., 'Gröna Vännerna i Norr')]//button[@value='allow']");
    b.click_element(&allow);
    // a person-like name is published only after a confirmation
    b.wait_for_text("Publicera namnet?");
    b.step("bekrafta");
    b.click("#confirm-allow");
    b.wait_for_url("/result");
    b.wait_for_text("Raderna och beloppen stämmer på öret");
    assert!(
        b.text("#allowed-names").contains("Gröna Vännerna i Norr"),
        "the result names it"
    );
    assert!(
        b.text("#changed").contains("tillåts publiceras"),
        "the change is told"
    );
    b.click("#review");
    b.wait_for_text("Maskerade och undantagna leverantörer");
    let lisa = b.source();
    let row = lisa
        .split("<tr>")
        .find(|r| r.contains("Lisa Berg"))
        .expect("the private person is listed");
    assert!(
        !row.contains("value=\"allow\""),
        "a personnummer can never be allowed"
    );
    let deny = b.find_xpath("//tr[contains(., 'Lisa Berg')]//button[@value='deny']");
    b.click_element(&deny);
    b.wait_for_url("/result");
    b.wait_for_text("Raderna och beloppen stämmer på öret");
    assert!(
        b.text("#changed")
            .contains("flyttades från publicerade till undantagna"),
        "the rows moved are told"
    );
    assert_swedish_only(desk, "result", &b.source());

    b.step("ladda-ner");
    b.click("#download");
    let zip = downloaded(downloads, "leverantorsreskontra-2024-05.zip");
    let files = unzip(&zip);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "leverantorsreskontra-2024-05.csv",
            "leverantorsreskontra-2024-05.parquet",
            "report.json"
        ]
    );
    assert!(
        crate::desk::personal_numbers_in(&files).is_empty(),
        "no personal number in the zip"
    );
    let csv = String::from_utf8(files[0].1.clone()).unwrap();
    assert!(!csv.contains(&fake_personnummer(5)) && !csv.contains("Lisa Berg"));
    assert!(
        csv.contains("Gröna Vännerna i Norr"),
        "allowed: published by name"
    );
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(
        rows.len(),
        4,
        "five rows read, the denied one withheld: {csv}"
    );
    let report: Value = serde_json::from_slice(&files[2].1).unwrap();
    assert_eq!(report["rows"]["read"], 5);
    assert_eq!(report["rows"]["withheld"], 1);
    assert_eq!(report["amount"]["published"], "17350.25");

    b.step("nasta-manad");
    b.click("nav a[href='/upload']");
    b.choose_file("#files", june);
    b.click("#upload");
    b.wait_for_text("<strong>Vår ekonomi</strong>");
    assert!(
        !b.source().contains("Exporten kan inte konverteras"),
        "detected without asking"
    );
    b.click("#convert");
    b.wait_for_url("/result");
    b.wait_for_text("Resultat juni 2024");

    b.step("dubblett");
    b.click("nav a[href='/upload']");
    b.choose_file("#files", june);
    b.click("#upload");
    b.wait_for_text("Filen är redan uppladdad");
    assert_swedish_only(desk, "duplicate", &b.source());
    b.click("#drop-new");
    b.wait_for_text("Leverantörsreskontra");
    let home = b.source();
    assert!(
        home.contains("juni 2024") && home.contains("maj 2024"),
        "months by name"
    );

    b.step("arsdatamangd");
    b.click("nav a[href='/year']");
    b.wait_for_text("Årsdatamängd 2024");
    let ticked = b.source().matches("checked").count();
    assert_eq!(ticked, 2, "the year's two months are ticked");
    assert_swedish_only(desk, "year", &b.source());
    b.step("arsval");
    b.click("#build-year");
    b.wait_for_url("/year/2024");
    b.wait_for_text("Årsdatamängden är byggd");
    b.step("klar");
}
