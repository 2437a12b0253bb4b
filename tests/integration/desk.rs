//! The publisher's desk (`reskontra serve`) over HTTP: every endpoint, every security rule,
//! and outputs byte for byte those of `reskontra convert`.

use crate::common::{files_below, reskontra, root, temp};
use reskontra::ident::{find_personal_numbers, luhn_check_digit};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

/// The bundled city export the desk's tests upload.
const CITY_EXPORT: &str = "samples/city-csv/leverantorsfakturor-202405.csv";

/// The first line a child process writes to its standard output.
fn first_line(stdout: &mut impl Read) -> String {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    String::from_utf8(line).expect("utf-8 line")
}

/// A running `reskontra serve`, stopped when dropped.
pub struct Desk {
    child: Child,
    /// The rest of the server's standard output, after the address.
    stdout: Option<std::process::ChildStdout>,
    /// The printed address, with the token.
    pub url: String,
    pub port: u16,
    pub token: String,
    pub workspace: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Desk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Where a redirect goes (path).
    pub fn location(&self) -> String {
        self.header("location").unwrap_or("").to_string()
    }
}

impl Desk {
    /// Start a desk on a fresh workspace.
    pub fn start(extra: &[&str]) -> Desk {
        let dir = temp();
        let ws = dir.path().join("ws");
        let mut desk = Desk::start_in(&ws, extra);
        desk._dir = Some(dir);
        desk
    }

    /// Start a desk on this workspace.
    pub fn start_in(workspace: &Path, extra: &[&str]) -> Desk {
        let bin = assert_cmd::cargo::cargo_bin("reskontra");
        let mut child = std::process::Command::new(bin)
            .current_dir(root())
            .args(["serve", "--no-open", "--workspace"])
            .arg(workspace)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let mut stdout = child.stdout.take().expect("stdout");
        let url = first_line(&mut stdout);
        assert!(url.starts_with("http://127.0.0.1:"), "printed {url:?}");
        let rest = url.trim_start_matches("http://127.0.0.1:");
        let port: u16 = rest.split('/').next().unwrap().parse().unwrap();
        let token = url
            .split("?t=")
            .nth(1)
            .expect("token in the address")
            .to_string();
        assert_eq!(token.len(), 64, "a 32-byte token");
        Desk {
            child,
            stdout: Some(stdout),
            url,
            port,
            token,
            workspace: workspace.to_path_buf(),
            _dir: None,
        }
    }

    /// Stop the server; everything it printed (standard output after the address, and
    /// standard error).
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut printed = String::new();
        if let Some(mut out) = self.stdout.take() {
            let _ = out.read_to_string(&mut printed);
        }
        if let Some(mut err) = self.child.stderr.take() {
            let _ = err.read_to_string(&mut printed);
        }
        printed
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn cookie(&self) -> String {
        format!("reskontra_token_{}={}", self.port, self.token)
    }

    /// A raw request: exactly these headers (plus Content-Length and Connection: close).
    pub fn raw(&self, method: &str, path: &str, headers: &[(&str, String)], body: &[u8]) -> Resp {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(120)))
            .unwrap();
        let mut head = format!("{method} {path} HTTP/1.1\r\n");
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        ));
        // a server that answers before reading the whole body (413) may close early
        let _ = stream
            .write_all(head.as_bytes())
            .and_then(|()| stream.write_all(body));
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        parse_response(&bytes)
    }

    /// A request as the desk's own page sends it: right Host, the cookie, and for changes the
    /// page's Origin.
    pub fn request(&self, method: &str, path: &str, extra: &[(&str, String)], body: &[u8]) -> Resp {
        let mut headers = vec![("Host", self.host()), ("Cookie", self.cookie())];
        if method != "GET" {
            headers.push(("Origin", self.origin()));
        }
        headers.extend(extra.iter().cloned());
        self.raw(method, path, &headers, body)
    }

    pub fn get(&self, path: &str) -> Resp {
        self.request("GET", path, &[], b"")
    }

    pub fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = form_body(fields);
        self.request(
            "POST",
            path,
            &[("Content-Type", "application/x-www-form-urlencoded".into())],
            body.as_bytes(),
        )
    }

    pub fn post_files(&self, path: &str, files: &[(&str, &str, &[u8])]) -> Resp {
        let (content_type, body) = multipart(files);
        self.request("POST", path, &[("Content-Type", content_type)], &body)
    }

    /// Save the profile of the fictional buyer.
    pub fn save_profile(&self) {
        let r = self.post_form(
            "/profile",
            &[
                ("buyer_name", "Exempelby kommun"),
                ("buyer_id", "212000-0142"),
                ("kommun", "0180 Stockholm"),
                (
                    "licence",
                    "http://creativecommons.org/publicdomain/zero/1.0/",
                ),
            ],
        );
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(r.text().contains("Profilen är sparad"), "{}", r.text());
    }

    /// Upload exports; the new run's id.
    pub fn upload(&self, files: &[(&str, &[u8])]) -> String {
        let parts: Vec<(&str, &str, &[u8])> =
            files.iter().map(|(n, b)| ("export", *n, *b)).collect();
        let r = self.post_files("/upload", &parts);
        assert_eq!(r.status, 303, "{}", r.text());
        let to = r.location();
        // the same file uploaded again asks first (the run is there all the same)
        let to = to.trim_end_matches("/duplicate");
        to.trim_start_matches("/runs/").to_string()
    }

    /// Convert a run and wait for its job to end; its final status.
    pub fn convert(&self, id: &str) -> serde_json::Value {
        let r = self.request("POST", &format!("/runs/{id}/convert"), &[], b"");
        assert_eq!(r.status, 303, "{}", r.text());
        assert_eq!(r.location(), format!("/runs/{id}/progress"));
        self.wait(&format!("/runs/{id}/status"))
    }

    /// Wait for a job's status to leave `running`.
    pub fn wait(&self, status_path: &str) -> serde_json::Value {
        for _ in 0..1200 {
            let s: serde_json::Value = serde_json::from_slice(&self.get(status_path).body).unwrap();
            if s["state"] != "running" {
                return s;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("the job did not end");
    }

    /// Upload the bundled city export (May 2024) as `name`; the run's id.
    pub fn upload_city(&self, name: &str) -> String {
        let export = std::fs::read(root().join(CITY_EXPORT)).unwrap();
        self.upload(&[(name, &export)])
    }

    /// Save the layout of [`unknown_export`] from run `id`'s mapping editor.
    pub fn save_unknown_layout(&self, id: &str) -> Resp {
        let mut fields = unknown_mapping_fields();
        fields.push(("action", "save"));
        self.post_form(&format!("/runs/{id}/mapping"), &fields)
    }

    pub fn run_dir(&self, id: &str) -> PathBuf {
        self.workspace.join("runs").join(id)
    }
}

fn parse_response(bytes: &[u8]) -> Resp {
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP response: {:?}", String::from_utf8_lossy(bytes)));
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = bytes[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Resp {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
}

pub fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

pub fn multipart(files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----reskontra-test-boundary-7d1f";
    let mut body = Vec::new();
    for (field, name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

// ---------------------------------------------------------------- synthetic exports

/// Ten digits with a valid check digit.
fn with_check(nine: &str) -> String {
    format!("{nine}{}", luhn_check_digit(nine.as_bytes()) as char)
}

/// A fake personnummer (YYMMDD-NNNC) with a valid check digit.
pub fn fake_personnummer(seed: u32) -> String {
    // 198S-0M-1D, a valid date
    let ten = with_check(&format!(
        "8{}0{}1{}{:03}",
        seed % 10,
        1 + seed % 9,
        seed % 9,
        100 + seed % 800
    ));
    format!("{}-{}", &ten[..6], &ten[6..])
}

/// A fake organisation number (NNNNNN-NNNC) with a valid check digit.
pub fn fake_orgnr(seed: u32) -> String {
    let ten = with_check(&format!("5566{:05}", 10000 + seed % 89999));
    format!("{}-{}", &ten[..6], &ten[6..])
}

/// An export of a layout no built-in one (and no synonym) knows: `;`, decimal comma, a
/// composite account cell. Month `month` of 2024. The suppliers: two companies, a private
/// person with a personnummer, an association without a number (masked until allowed), and
/// a company to withhold.
pub fn unknown_export(month: u32) -> String {
    let person = fake_personnummer(month);
    let rows = [
        (
            "Byggmästarna i Norr AB",
            fake_orgnr(1),
            "Tekniska förvaltningen",
            "4010 Inköp material",
            "12 500,00",
        ),
        (
            "Lisa Berg",
            person,
            "Socialförvaltningen",
            "4590 Ersättning uppdragstagare",
            "3 000,00",
        ),
        (
            "Gröna Vännerna i Norr",
            String::new(),
            "Kulturförvaltningen",
            "6110 Kontorsmateriel",
            "800,50",
        ),
        (
            "Hemliga Skyddet AB",
            fake_orgnr(2),
            "Socialförvaltningen",
            "4590 Ersättning uppdragstagare",
            "4 200,00",
        ),
        (
            "Nordisk Papper AB",
            fake_orgnr(3),
            "Kulturförvaltningen",
            "6110 Kontorsmateriel",
            "-150,25",
        ),
    ];
    let mut text = String::from(
        "Betalningsmottagare;Mottagarens id;Händelsedag;Löpnummer;Enhet;Kontering;Kronor\n",
    );
    for (i, (name, id, unit, account, amount)) in rows.iter().enumerate() {
        text.push_str(&format!(
            "{name};{id};2024-{month:02}-{:02};{}{:03};{unit};{account};{amount}\n",
            3 + i,
            month,
            i + 1
        ));
    }
    text
}

/// The mapping of [`unknown_export`] as the editor's form fields.
pub fn unknown_mapping_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("src_verifikationsnummer", "col:3"),
        ("src_leverantor", "col:0"),
        ("src_leverantor_id", "col:1"),
        ("src_konto_nr", "code:5"),
        ("src_konto_text", "text:5"),
        ("src_belopp", "col:6"),
        ("src_datum", "col:2"),
        ("src_forvaltning", "col:4"),
        ("src_grund", "const"),
        ("const_grund", "Upphandling"),
        ("layout_name", "Vår ekonomi"),
    ]
}

/// Whether any text of these files holds a personal number (the NFKC-folded scanner).
pub fn personal_numbers_in(files: &[(String, Vec<u8>)]) -> Vec<String> {
    files
        .iter()
        .filter(|(name, bytes)| {
            !name.ends_with(".parquet")
                && !find_personal_numbers(&String::from_utf8_lossy(bytes)).is_empty()
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// The files of a zip.
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

fn page_message(html: &str) -> String {
    let start =
        html.find("<pre class=\"message\">").expect("a message") + "<pre class=\"message\">".len();
    let end = start + html[start..].find("</pre>").unwrap();
    html[start..end]
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#96;", "`")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

// ---------------------------------------------------------------- security

#[test]
fn the_address_is_loopback_with_a_fresh_token_and_nothing_opens_without_it() {
    let desk = Desk::start(&[]);
    let other = Desk::start(&[]);
    assert_ne!(
        desk.token, other.token,
        "a token is made fresh for each run"
    );
    // no token, a wrong token, a token of another run
    let host = ("Host", format!("127.0.0.1:{}", desk.port));
    assert_eq!(
        desk.raw("GET", "/", std::slice::from_ref(&host), b"")
            .status,
        401
    );
    let wrong = (
        "Cookie",
        format!("reskontra_token_{}={}", desk.port, "0".repeat(64)),
    );
    assert_eq!(
        desk.raw("GET", "/", &[host.clone(), wrong], b"").status,
        401
    );
    let others = (
        "Cookie",
        format!("reskontra_token_{}={}", desk.port, other.token),
    );
    assert_eq!(
        desk.raw("GET", "/", &[host.clone(), others], b"").status,
        401
    );
    for path in [
        "/profile",
        "/runs/1/download",
        "/assets/app.js",
        "/year/2024/download",
    ] {
        assert_eq!(
            desk.raw("GET", path, std::slice::from_ref(&host), b"")
                .status,
            401,
            "{path}"
        );
    }
    let r = desk.raw("GET", "/", std::slice::from_ref(&host), b"");
    assert!(
        r.text().contains("Öppna den med hela adressen"),
        "{}",
        r.text()
    );
    // the printed address sets the cookie and leaves the token out of the address bar
    let first = desk.raw(
        "GET",
        &format!("/?t={}", desk.token),
        std::slice::from_ref(&host),
        b"",
    );
    assert_eq!(first.status, 303);
    assert_eq!(first.location(), "/");
    let cookie = first.header("set-cookie").unwrap();
    assert!(
        cookie.contains(&desk.token)
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert_eq!(desk.get("/").status, 200);
    // the server listens on loopback only
    let addr = format!(
        "{}:{}",
        desk.url
            .split("//")
            .nth(1)
            .unwrap()
            .split(':')
            .next()
            .unwrap(),
        desk.port
    );
    assert_eq!(addr, format!("127.0.0.1:{}", desk.port));
}

#[test]
fn a_host_other_than_this_server_is_refused() {
    let desk = Desk::start(&[]);
    let cookie = (
        "Cookie",
        format!("reskontra_token_{}={}", desk.port, desk.token),
    );
    for host in [
        format!("evil.example:{}", desk.port),
        format!("127.0.0.1:{}", desk.port + 1),
        "127.0.0.1".to_string(),
        format!("localhost.evil.example:{}", desk.port),
    ] {
        let r = desk.raw("GET", "/", &[("Host", host.clone()), cookie.clone()], b"");
        assert_eq!(r.status, 403, "{host}");
    }
    // even the token in the address does not pass with another Host (DNS rebinding)
    let r = desk.raw(
        "GET",
        &format!("/?t={}", desk.token),
        &[("Host", format!("evil.example:{}", desk.port))],
        b"",
    );
    assert_eq!(r.status, 403);
    assert!(r.header("set-cookie").is_none());
    let localhost = desk.raw(
        "GET",
        "/",
        &[("Host", format!("localhost:{}", desk.port)), cookie],
        b"",
    );
    assert_eq!(localhost.status, 200);
}

#[test]
fn a_change_from_another_origin_or_without_the_token_is_refused() {
    let desk = Desk::start(&[]);
    let host = ("Host", format!("127.0.0.1:{}", desk.port));
    let cookie = (
        "Cookie",
        format!("reskontra_token_{}={}", desk.port, desk.token),
    );
    let form = (
        "Content-Type",
        "application/x-www-form-urlencoded".to_string(),
    );
    let body = form_body(&[
        ("buyer_name", "Ond AB"),
        ("buyer_id", "212000-0142"),
        ("kommun", ""),
    ]);
    let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
        (
            "another origin",
            vec![
                host.clone(),
                cookie.clone(),
                form.clone(),
                ("Origin", "http://evil.example".into()),
            ],
        ),
        (
            "a look-alike origin",
            vec![
                host.clone(),
                cookie.clone(),
                form.clone(),
                (
                    "Origin",
                    format!("http://127.0.0.1:{}.evil.example", desk.port),
                ),
            ],
        ),
        (
            "no origin nor referer",
            vec![host.clone(), cookie.clone(), form.clone()],
        ),
        (
            "another referer",
            vec![
                host.clone(),
                cookie.clone(),
                form.clone(),
                ("Referer", "http://evil.example/x".into()),
            ],
        ),
        (
            "no token",
            vec![host.clone(), form.clone(), ("Origin", desk.origin())],
        ),
    ];
    for (what, headers) in cases {
        let r = desk.raw("POST", "/profile", &headers, body.as_bytes());
        assert!(r.status == 403 || r.status == 401, "{what}: {}", r.status);
    }
    // nothing changed
    let policy = std::fs::read_to_string(desk.workspace.join("policy.toml")).unwrap();
    assert!(!policy.contains("Ond AB"), "{policy}");
    // a GET never changes anything: the profile is saved by POST only
    let r = desk.get("/profile?buyer_name=Ond+AB&buyer_id=2120000142");
    assert_eq!(r.status, 200);
    assert!(!std::fs::read_to_string(desk.workspace.join("policy.toml"))
        .unwrap()
        .contains("Ond AB"));
    // the page's own Origin passes
    desk.save_profile();
}

#[test]
fn every_response_forbids_loading_from_elsewhere_and_every_asset_is_embedded() {
    let desk = Desk::start(&[]);
    for path in [
        "/",
        "/profile",
        "/upload",
        "/validate",
        "/year",
        "/assets/style.css",
        "/assets/app.js",
        "/nowhere",
    ] {
        let r = desk.get(path);
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
            "{path}: {csp}"
        );
        assert_eq!(r.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(r.header("cache-control"), Some("no-store"), "{path}");
        let text = r.text();
        // no address of another host in any page or asset
        for bad in ["https://", "http://", "//cdn", "@import", "fonts.g"] {
            let found = text.match_indices(bad).any(|(i, _)| {
                let rest = &text[i..];
                // the licence URIs are text in an option value, not loaded
                !rest.starts_with("http://creativecommons.org")
                    && !rest.starts_with("https://creativecommons.org")
                    && !rest.starts_with("http://www.w3.org/2000/svg")
                    // the profile's example of a publishing address, a placeholder
                    && !rest.starts_with("https://www.exempelby.se/")
            });
            assert!(!found, "{path} names {bad}");
        }
    }
    assert_eq!(desk.get("/nowhere").status, 404);
    let css = desk.get("/assets/style.css");
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    let js = desk.get("/assets/app.js");
    assert!(js.text().contains("orgnrHint"));
}

#[test]
fn uploaded_names_never_become_paths_and_an_oversized_upload_is_refused() {
    let desk = Desk::start(&["--max-upload-mb", "1"]);
    let id = desk.upload_city("../../../../escaped-202405.csv");
    let inputs = desk.run_dir(&id).join("inputs");
    let names: Vec<String> = std::fs::read_dir(&inputs)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, vec!["escaped-202405.csv".to_string()]);
    assert!(!desk
        .workspace
        .parent()
        .unwrap()
        .join("escaped-202405.csv")
        .exists());
    for (bad, safe) in [
        ("..\\..\\win.ini", "win.ini"),
        ("..", "fil"),
        ("/etc/passwd", "passwd"),
    ] {
        let id = desk.upload_city(bad);
        let stored: Vec<PathBuf> = std::fs::read_dir(desk.run_dir(&id).join("inputs"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(stored.len(), 1, "{bad}");
        assert!(
            stored[0].starts_with(desk.run_dir(&id).join("inputs")),
            "{bad}: {stored:?}"
        );
        assert_eq!(stored[0].file_name().unwrap(), safe, "{bad}");
    }
    // a run id from the address never becomes a path either
    for path in [
        "/runs/..%2F..%2Fpolicy.toml",
        "/runs/../policy.toml",
        "/runs/x/download",
        "/year/..%2F/download",
    ] {
        let r = desk.get(path);
        assert!(r.status == 404 || r.status == 400, "{path}: {}", r.status);
    }
    // 2 MB against a 1 MB limit
    let big = vec![b'x'; 2 * 1024 * 1024];
    let runs_before = std::fs::read_dir(desk.workspace.join("runs"))
        .unwrap()
        .count();
    let r = desk.post_files("/upload", &[("export", "stor-202405.csv", &big)]);
    assert_eq!(r.status, 413);
    assert!(
        r.text().contains("Filen är för stor") && !r.text().contains("--max-upload-mb"),
        "{}",
        r.text()
    );
    let runs_after = std::fs::read_dir(desk.workspace.join("runs"))
        .unwrap()
        .count();
    assert_eq!(
        runs_before, runs_after,
        "a refused upload leaves no run behind"
    );
}

// ---------------------------------------------------------------- the month's job

#[test]
fn a_month_through_the_desk_is_byte_for_byte_the_command_line_conversion() {
    let desk = Desk::start(&[]);
    desk.save_profile();
    let id = desk.upload_city("leverantorsfakturor-202405.csv");
    // the plan: format, layout and why, the mapping with samples
    let plan = desk.get(&format!("/runs/{id}")).text();
    for want in [
        "Windows-1252",
        "avgränsare ;",
        "Stadens CSV-export",
        "rubrikraden är rad 1",
        "kolumnen &#39;belopp&#39;",
        "345,67",
        "Konvertera",
    ] {
        assert!(plan.contains(want), "{want} in {plan}");
    }
    let status = desk.convert(&id);
    assert_eq!(status["state"], "done", "{status}");
    // the same conversion on the command line, into a sibling folder
    let run = desk.run_dir(&id);
    let cli_out = run.join("cli-out");
    let out = reskontra()
        .arg("convert")
        .arg("--policy")
        .arg(desk.workspace.join("policy.toml"))
        .arg("-o")
        .arg(&cli_out)
        .arg(run.join("inputs/leverantorsfakturor-202405.csv"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let desk_files = files_below(&run.join("out"));
    let cli_files = files_below(&cli_out);
    assert_eq!(
        desk_files.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        cli_files.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    for ((name, a), (_, b)) in desk_files.iter().zip(&cli_files) {
        assert!(
            a == b,
            "{name} differs between the desk and the command line"
        );
    }
    // the result: reconciliation, validation, charts, the command line
    let result = desk.get(&format!("/runs/{id}/result")).text();
    for want in [
        "Avstämning",
        "75\u{a0}089,49",
        "Raderna och beloppen stämmer på öret",
        "Summa per förvaltning",
        "De tio största leverantörerna",
        "<svg",
        "reskontra convert --policy",
    ] {
        assert!(result.contains(want), "{want} in result");
    }
    // the download: the published files and report.json only, no personal number
    let zip = desk.get(&format!("/runs/{id}/download"));
    assert_eq!(zip.status, 200);
    assert_eq!(zip.header("content-type"), Some("application/zip"));
    assert!(zip
        .header("content-disposition")
        .unwrap()
        .contains("leverantorsreskontra-2024-05.zip"));
    let files = unzip(&zip.body);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "leverantorsreskontra-2024-05.csv",
            "leverantorsreskontra-2024-05.parquet",
            "report.json"
        ]
    );
    assert!(personal_numbers_in(&files).is_empty());
    for (name, bytes) in &files {
        let (_, cli) = cli_files.iter().find(|(n, _)| n == name).unwrap();
        assert!(bytes == cli, "{name} in the zip is not the converted file");
    }
    // the same download twice is the same bytes
    assert!(desk.get(&format!("/runs/{id}/download")).body == zip.body);
}

#[test]
fn review_decisions_update_the_profile_and_re_run_and_a_personal_number_is_never_allowed() {
    let desk = Desk::start(&[]);
    desk.save_profile();
    let id = desk.upload_city("leverantorsfakturor-202405.csv");
    assert_eq!(desk.convert(&id)["state"], "done");
    let review = desk.get(&format!("/runs/{id}/review")).text();
    assert!(review.contains("endast för internt bruk"));
    assert!(review.contains("Okänd mottagare"), "{review}");
    assert!(review.contains("Avvisade rader"));
    // a samordningsnummer cannot be allowed, whatever the form says
    let refused = desk.post_form(
        &format!("/runs/{id}/review"),
        &[
            ("name", "Familjehem Ek"),
            ("id", "720185-8904"),
            ("reason", "unidentified"),
            ("action", "allow"),
        ],
    );
    assert_eq!(refused.status, 403);
    let policy = std::fs::read_to_string(desk.workspace.join("policy.toml")).unwrap();
    assert!(!policy.contains("Familjehem"), "{policy}");
    // allow one, deny another
    let r = desk.post_form(
        &format!("/runs/{id}/review"),
        &[
            ("name", "Okänd mottagare"),
            ("id", "10045678"),
            ("reason", "unidentified"),
            ("action", "allow"),
        ],
    );
    // a person-like name is published only once the publisher confirms it
    assert_eq!(r.status, 200);
    assert!(r.text().contains("Publicera namnet?"), "{}", r.text());
    assert!(!std::fs::read_to_string(desk.workspace.join("policy.toml"))
        .unwrap()
        .contains("Okänd mottagare"));
    let r = desk.post_form(
        &format!("/runs/{id}/review"),
        &[
            ("name", "Okänd mottagare"),
            ("id", "10045678"),
            ("reason", "unidentified"),
            ("confirmed", "yes"),
            ("action", "allow"),
        ],
    );
    assert_eq!(r.status, 303);
    assert_eq!(desk.wait(&format!("/runs/{id}/status"))["state"], "done");
    let r = desk.post_form(
        &format!("/runs/{id}/review"),
        &[
            ("name", "Nordisk Kontorsvaror AB"),
            ("id", "5566101233"),
            ("reason", ""),
            ("action", "deny"),
        ],
    );
    assert_eq!(r.status, 303);
    assert_eq!(desk.wait(&format!("/runs/{id}/status"))["state"], "done");
    let policy = reskontra::protect::Policy::load(&desk.workspace.join("policy.toml")).unwrap();
    assert!(policy.allow.names.contains(&"Okänd mottagare".to_string()));
    // one decision, one entry: the number, not the name as well
    assert_eq!(policy.deny.ids, vec!["5566101233".to_string()]);
    assert!(policy.deny.names.is_empty(), "{:?}", policy.deny.names);
    let csv = std::fs::read_to_string(crate::common::published(
        &desk.run_dir(&id).join("out"),
        "csv",
    ))
    .unwrap();
    assert!(
        csv.contains("Okänd mottagare"),
        "allowed: published by name"
    );
    assert!(!csv.contains("Nordisk Kontorsvaror"), "denied: withheld");
    let report = crate::common::report(&desk.run_dir(&id).join("out"));
    assert!(report["rows"]["withheld"].as_u64().unwrap() >= 1);
}

#[test]
fn a_malformed_export_says_what_to_do_in_swedish_and_keeps_the_command_lines_message_in_the_details(
) {
    let desk = Desk::start(&[]);
    desk.save_profile();
    let bad = b"this is not;a ledger\nat all;\n";
    let id = desk.upload(&[("trasig-202405.csv", bad)]);
    let page = desk.get(&format!("/runs/{id}")).text();
    assert!(
        page.contains("Exporten kan inte konverteras ännu"),
        "{page}"
    );
    let shown = page_message(&page);
    let out = reskontra()
        .arg("convert")
        .arg("--policy")
        .arg(desk.workspace.join("policy.toml"))
        .arg("-o")
        .arg(desk.run_dir(&id).join("cli-out"))
        .arg(desk.run_dir(&id).join("inputs/trasig-202405.csv"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // the details box holds the command line's message, its folders left out
    let folder = desk.run_dir(&id).join("inputs").display().to_string();
    assert_eq!(
        stderr.trim().replace(&format!("{folder}/"), ""),
        format!("error: {shown}")
    );
    assert!(
        page.contains("Kolumnerna i exporten känns inte igen"),
        "{page}"
    );
    assert!(!page.contains("Avslutskod"), "{page}");
    assert!(
        page.contains("Koppla kolumnerna") && page.contains("id=\"open-mapping\""),
        "the page offers the mapping editor"
    );
}

#[test]
fn an_unknown_layout_is_mapped_saved_and_detected_next_month() {
    let desk = Desk::start(&[]);
    desk.save_profile();
    let may = unknown_export(5);
    let id = desk.upload(&[("ekonomi-2024-05.csv", may.as_bytes())]);
    let editor = desk.get(&format!("/runs/{id}/mapping")).text();
    assert!(
        editor.contains("Betalningsmottagare") && editor.contains("Kontering – koden"),
        "{editor}"
    );
    assert!(
        !editor.contains(&fake_personnummer(5)),
        "the editor's samples mask personal numbers"
    );
    let mut fields = unknown_mapping_fields();
    // a missing mandatory column is named
    let without_amount: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| *k != "src_belopp")
        .cloned()
        .collect();
    let r = desk.post_form(
        &format!("/runs/{id}/mapping"),
        &[without_amount.as_slice(), &[("action", "preview")]].concat(),
    );
    assert!(
        r.text().contains("Välj en källa för: Belopp exkl. moms"),
        "{}",
        r.text()
    );
    // the preview shows the rows as published, masked
    let preview = desk.post_form(
        &format!("/runs/{id}/mapping"),
        &[fields.as_slice(), &[("action", "preview")]].concat(),
    );
    let text = preview.text();
    assert!(
        text.contains("Så publiceras de första raderna") && text.contains("Byggmästarna i Norr AB"),
        "{text}"
    );
    assert!(text.contains("Inköp material") && text.contains("Upphandling"));
    assert!(
        !text.contains(&fake_personnummer(5)) && !text.contains("Lisa Berg"),
        "{text}"
    );
    fields.push(("action", "save"));
    let saved = desk.post_form(&format!("/runs/{id}/mapping"), &fields);
    assert_eq!(saved.status, 303, "{}", saved.text());
    let layout = desk.workspace.join("layouts/var-ekonomi.toml");
    assert!(layout.exists());
    assert!(
        reskontra::layout::Layout::from_toml("x", &std::fs::read_to_string(&layout).unwrap())
            .is_ok()
    );
    // the name is kept as written; only the file's name is folded
    assert!(desk
        .get(&format!("/runs/{id}"))
        .text()
        .contains("<strong>Vår ekonomi</strong>"));
    assert_eq!(desk.convert(&id)["state"], "done");
    // next month, same shape: detected without asking
    let june = unknown_export(6);
    let next = desk.upload(&[("ekonomi-2024-06.csv", june.as_bytes())]);
    let plan = desk.get(&format!("/runs/{next}")).text();
    assert!(plan.contains("<strong>Vår ekonomi</strong>"), "{plan}");
    assert_eq!(desk.convert(&next)["state"], "done");
    let report = crate::common::report(&desk.run_dir(&next).join("out"));
    assert_eq!(report["layout"]["name"], "Vår ekonomi");
    assert_eq!(report["rows"]["read"], 5);
    // the year dataset of both months
    let r = desk.post_form("/year", &[("year", "2024"), ("run", &id), ("run", &next)]);
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(desk.wait("/year/2024/status")["state"], "done");
    let year = desk.get("/year/2024").text();
    assert!(
        year.contains("maj 2024") && year.contains("juni 2024"),
        "{year}"
    );
    let zip = desk.get("/year/2024/download");
    assert_eq!(zip.status, 200);
    let files = unzip(&zip.body);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"2024/leverantorsreskontra-2024.csv")
            && names.contains(&"2024/datapackage.json"),
        "{names:?}"
    );
    assert!(names.iter().all(|n| !n.contains("internal")));
    assert!(personal_numbers_in(&files).is_empty());
    // no publication address in the profile: no catalogue, and the page says where to give it
    assert!(year.contains("id=\"catalogue-missing\""), "{year}");
    assert!(!names.contains(&"dcat.rdf"));
}

#[test]
fn validate_any_file_in_plain_swedish() {
    let desk = Desk::start(&[]);
    let good = std::fs::read(
        root().join("tests/golden/city-csv/expected/leverantorsreskontra-2024-05.csv"),
    )
    .unwrap();
    let r = desk.post_files("/validate", &[("file", "god.csv", &good)]);
    assert_eq!(r.status, 200);
    assert!(r.text().contains("Kontroll mot specifikationen"));
    let mut leaked = String::from_utf8(good).unwrap();
    let line = format!(
        "2120000142,Exempelby kommun,9,X AB,{},4010,Mat,1.00,2024-05-01,,,,,0180,\n",
        fake_personnummer(1)
    );
    leaked.push_str(&line);
    let r = desk.post_files("/validate", &[("file", "lacka.csv", leaked.as_bytes())]);
    let text = r.text();
    assert!(
        text.contains("personnummer eller samordningsnummer") && text.contains("fel"),
        "{text}"
    );
    // a clean file says so explicitly
    let clean = format!("{}\n2120000142,Exempelby kommun,1,Bygg AB,5567223457,4010,Material,100.00,2024-05-02,Teknik,,,,0180,\n", reskontra::spec::HEADER);
    let r = desk.post_files("/validate", &[("file", "ren.csv", clean.as_bytes())]);
    assert!(r.text().contains("Inga fel hittades"), "{}", r.text());
}

#[test]
fn two_runs_at_once_in_one_workspace_both_finish_and_a_second_start_of_one_is_refused() {
    let desk = Desk::start(&[]);
    desk.save_profile();
    let a = desk.upload(&[("ekonomi-2024-05.csv", unknown_export(5).as_bytes())]);
    let b = desk.upload_city("leverantorsfakturor-202405.csv");
    // a's layout first, so that both convert
    assert_eq!(desk.save_unknown_layout(&a).status, 303);
    let ra = desk.request("POST", &format!("/runs/{a}/convert"), &[], b"");
    let rb = desk.request("POST", &format!("/runs/{b}/convert"), &[], b"");
    assert_eq!((ra.status, rb.status), (303, 303));
    assert_eq!(desk.wait(&format!("/runs/{a}/status"))["state"], "done");
    assert_eq!(desk.wait(&format!("/runs/{b}/status"))["state"], "done");
    for id in [&a, &b] {
        let report = crate::common::report(&desk.run_dir(id).join("out"));
        assert!(report["rows"]["read"].as_u64().unwrap() > 0);
    }
    // the settings of a run are saved and used
    let r = desk.post_form(
        &format!("/runs/{b}/settings"),
        &[
            ("format", "csv"),
            ("format", "json"),
            ("period", ""),
            ("layout", ""),
            ("decimal_mark", ""),
        ],
    );
    assert_eq!(r.status, 303);
    assert_eq!(desk.convert(&b)["state"], "done");
    let names: Vec<String> = files_below(&desk.run_dir(&b).join("out"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert!(
        names
            .iter()
            .any(|n| n.ends_with(".json") && n != "report.json"),
        "{names:?}"
    );
    // each decimal mark chosen is the one `--decimal-mark` gives (the command the page shows)
    for (mark, recorded) in [("auto", "auto"), ("comma", "comma"), ("", "null")] {
        let r = desk.post_form(
            &format!("/runs/{b}/settings"),
            &[("format", "csv"), ("decimal_mark", mark)],
        );
        assert_eq!(r.status, 303);
        assert_eq!(desk.convert(&b)["state"], "done");
        let report = crate::common::report(&desk.run_dir(&b).join("out"));
        assert_eq!(
            report["options"]["decimal_mark"]
                .to_string()
                .trim_matches('"'),
            recorded,
            "{mark}"
        );
        let shown = desk.get(&format!("/runs/{b}/result")).text();
        assert_eq!(
            shown.contains(&format!("--decimal-mark {mark}")),
            !mark.is_empty(),
            "{mark}"
        );
    }
    let bad = desk.post_form(&format!("/runs/{b}/settings"), &[("period", "maj")]);
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("ÅÅÅÅ-MM"));
}

#[test]
fn the_pages_show_no_personal_data_outside_review_and_the_server_logs_none() {
    let dir = temp();
    let ws = dir.path().join("ws");
    let desk = Desk::start_in(&ws, &[]);
    desk.save_profile();
    let export = unknown_export(5);
    let id = desk.upload(&[("ekonomi-2024-05.csv", export.as_bytes())]);
    assert_eq!(desk.save_unknown_layout(&id).status, 303);
    assert_eq!(desk.convert(&id)["state"], "done");
    let number = fake_personnummer(5);
    for path in [
        "/",
        format!("/runs/{id}").as_str(),
        &format!("/runs/{id}/result"),
        &format!("/runs/{id}/mapping"),
        "/year",
    ] {
        let text = desk.get(path).text();
        assert!(
            !text.contains(&number) && !text.contains(&number.replace('-', "")),
            "{path} shows a personal number"
        );
        assert!(
            !text.contains("Lisa Berg"),
            "{path} shows a private person's name"
        );
    }
    // the review page is the publisher's: it shows them
    let review = desk.get(&format!("/runs/{id}/review")).text();
    assert!(review.contains("Lisa Berg"));
    // no address on any page carries personal data: every link and form target
    for path in [
        "/",
        format!("/runs/{id}").as_str(),
        &format!("/runs/{id}/result"),
        &format!("/runs/{id}/review"),
        &format!("/runs/{id}/mapping"),
    ] {
        let text = desk.get(path).text();
        for attr in ["href=\"", "action=\"", "src=\""] {
            for part in text.split(attr).skip(1) {
                let address = part.split('"').next().unwrap_or("");
                assert!(
                    find_personal_numbers(address).is_empty() && !address.contains("Lisa"),
                    "{path}: {address}"
                );
                assert!(
                    address.starts_with('/') || address.starts_with('#'),
                    "{path}: a link elsewhere: {address}"
                );
            }
        }
    }
    let row = review
        .split("<tr>")
        .find(|r| r.contains("Lisa Berg"))
        .expect("her row");
    assert!(
        !row.contains("value=\"allow\""),
        "no allow button for a personnummer: {row}"
    );
    assert!(row.contains("value=\"deny\""), "{row}");
    let company = review
        .split("<tr>")
        .find(|r| r.contains("Gröna Vännerna i Norr"))
        .expect("the association without a number is masked");
    assert!(company.contains("value=\"allow\""), "{company}");
    // what the server that handled every request above printed
    assert!(desk.url.contains("http://127.0.0.1:"));
    let printed = desk.stop();
    assert!(printed.contains("desk is running"), "{printed}");
    assert!(
        !printed.contains("Lisa") && find_personal_numbers(&printed).is_empty(),
        "{printed}"
    );
}

#[test]
fn every_page_of_a_run_answers_and_an_unknown_run_is_not_found() {
    let desk = Desk::start(&[]);
    desk.save_profile();
    let id = desk.upload_city("leverantorsfakturor-202405.csv");
    assert_eq!(
        desk.get(&format!("/runs/{id}/result")).status,
        404,
        "not converted yet"
    );
    assert_eq!(desk.get(&format!("/runs/{id}/download")).status, 404);
    assert_eq!(desk.convert(&id)["state"], "done");
    for (path, want) in [
        ("/".to_string(), "Månader i arbetsmappen"),
        ("/profile".to_string(), "Exempelby kommun"),
        ("/upload".to_string(), "Dra filerna hit"),
        ("/validate".to_string(), "id=\"check-file\""),
        ("/year".to_string(), "maj 2024"),
        (format!("/runs/{id}"), "Senaste resultatet"),
        (format!("/runs/{id}/progress"), "data-status"),
        (format!("/runs/{id}/result"), "Resultat maj 2024"),
        (format!("/runs/{id}/review"), "Granskning"),
        (format!("/runs/{id}/mapping"), "id=\"mapping-form\""),
        (format!("/runs/{id}/status"), "\"done\""),
        ("/year/2024/progress".to_string(), "/year/2024/status"),
        ("/year/2024".to_string(), "Ingen årsdatamängd är byggd"),
        ("/year/2024/status".to_string(), "none"),
    ] {
        let r = desk.get(&path);
        assert_eq!(r.status, 200, "{path}");
        assert!(r.text().contains(want), "{path}: {want}");
    }
    for path in [
        "/runs/19990101-000000",
        "/runs/19990101-000000/result",
        "/runs/19990101-000000/review",
        "/year/abcd",
    ] {
        assert_eq!(desk.get(path).status, 404, "{path}");
    }
    let r = desk.request("POST", "/runs/19990101-000000/convert", &[], b"");
    assert_eq!(r.status, 404);
    // a profile with a wrong check digit is refused with what to do
    let r = desk.post_form(
        "/profile",
        &[
            ("buyer_name", "X"),
            ("buyer_id", "212000-0143"),
            ("kommun", ""),
        ],
    );
    assert!(r.text().contains("kontrollsiffra"), "{}", r.text());
    let r = desk.post_form(
        "/profile",
        &[
            ("buyer_name", "X"),
            ("buyer_id", "212000-0142"),
            ("kommun", "9999 Ingenstans"),
        ],
    );
    let text = r.text();
    assert!(text.contains("Kommunen finns inte i listan"), "{text}");
    assert!(
        text.contains("value=\"9999 Ingenstans\"") && text.contains("value=\"X\""),
        "the form keeps what was typed: {text}"
    );
    // a municipality is found by its name too
    let r = desk.post_form(
        "/profile",
        &[
            ("buyer_name", "Exempelby kommun"),
            ("buyer_id", "212000-0142"),
            ("kommun", "örebro"),
        ],
    );
    assert!(r.text().contains("Profilen är sparad"), "{}", r.text());
    assert!(r.text().contains("value=\"Örebro (1880)\""), "{}", r.text());
    // cancelling a finished run changes nothing
    let r = desk.request("POST", &format!("/runs/{id}/cancel"), &[], b"");
    assert_eq!(r.status, 303);
    assert!(desk
        .get(&format!("/runs/{id}/status"))
        .text()
        .contains("done"));
}

#[test]
fn the_fake_numbers_are_what_they_claim() {
    use reskontra::ident::{classify_id, IdKind};
    for seed in 0..20 {
        assert!(
            matches!(classify_id(&fake_personnummer(seed)), IdKind::Personal(_)),
            "{}",
            fake_personnummer(seed)
        );
        assert!(
            matches!(classify_id(&fake_orgnr(seed)), IdKind::Organisation(_)),
            "{}",
            fake_orgnr(seed)
        );
    }
}

#[test]
fn every_sample_through_the_desk_publishes_its_golden_csv() {
    // the workspace's profile is the samples' policy: the desk's runs are then the golden cases
    let dir = temp();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::copy(root().join("samples/policy.toml"), ws.join("policy.toml")).unwrap();
    let desk = Desk::start_in(&ws, &[]);
    let mut checked = 0;
    for case in std::fs::read_dir(root().join("tests/golden")).unwrap() {
        let case = case.unwrap().path();
        let spec: toml::Value =
            toml::from_str(&std::fs::read_to_string(case.join("case.toml")).unwrap()).unwrap();
        let args: Vec<&str> = spec["args"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a.as_str())
            .collect();
        if args != ["--policy", "samples/policy.toml"] {
            continue;
        }
        let inputs: Vec<(String, Vec<u8>)> = spec["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let path = root().join(i.as_str().unwrap());
                (
                    reskontra::read::file_name(&path),
                    std::fs::read(&path).unwrap(),
                )
            })
            .collect();
        let files: Vec<(&str, &[u8])> = inputs
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        let id = desk.upload(&files);
        let status = desk.convert(&id);
        assert_eq!(status["state"], "done", "{}: {status}", case.display());
        let expected = files_below(&case.join("expected"));
        let (name, want) = expected
            .iter()
            .find(|(n, _)| n.starts_with("leverantorsreskontra-") && n.ends_with(".csv"))
            .unwrap();
        let got = std::fs::read(desk.run_dir(&id).join("out").join(name)).unwrap();
        assert!(
            &got == want,
            "{}: the desk's {name} is not the golden one",
            case.display()
        );
        checked += 1;
    }
    assert!(checked >= 7, "only {checked} cases");
}

#[test]
fn an_export_without_dates_asks_for_the_month_and_converts_once_it_is_given() {
    let desk = Desk::start(&[]);
    desk.save_profile();
    let id = desk.upload_city("leverantorsfakturor.csv");
    let status = desk.convert(&id);
    assert_eq!(status["state"], "failed", "{status}");
    assert_eq!(status["error"]["exit_code"], 1);
    let page = desk.get(&format!("/runs/{id}")).text();
    assert!(page.contains("Skriv månaden (ÅÅÅÅ-MM)"), "{page}");
    assert!(
        page.contains("<details id=\"settings\" open>"),
        "the choices are open: {page}"
    );
    assert!(page.contains("id=\"fix-settings\""), "{page}");
    assert!(page_message(&page).contains("give --period YYYY-MM"));
    let r = desk.post_form(
        &format!("/runs/{id}/settings"),
        &[
            ("format", "csv"),
            ("format", "parquet"),
            ("period", "2024-05"),
            ("layout", ""),
            ("decimal_mark", ""),
        ],
    );
    assert_eq!(r.status, 303);
    assert_eq!(desk.convert(&id)["state"], "done");
    assert!(desk
        .get(&format!("/runs/{id}/result"))
        .text()
        .contains("Resultat maj 2024"));
}

#[test]
fn a_saved_layout_is_detected_even_when_the_profile_did_not_name_the_layouts_folder() {
    let dir = temp();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    // a profile copied from elsewhere, without `layouts`
    std::fs::copy(root().join("samples/policy.toml"), ws.join("policy.toml")).unwrap();
    let desk = Desk::start_in(&ws, &[]);
    let id = desk.upload(&[("ekonomi-2024-05.csv", unknown_export(5).as_bytes())]);
    assert_eq!(desk.save_unknown_layout(&id).status, 303);
    let policy = reskontra::protect::Policy::load(&ws.join("policy.toml")).unwrap();
    assert_eq!(
        policy.publisher.layouts.as_deref(),
        Some(Path::new("layouts"))
    );
    assert_eq!(
        policy.allow.names,
        vec!["Skolbuss Öst HB".to_string()],
        "the rest of the profile stays"
    );
    let next = desk.upload(&[("ekonomi-2024-06.csv", unknown_export(6).as_bytes())]);
    assert!(desk
        .get(&format!("/runs/{next}"))
        .text()
        .contains("<strong>Vår ekonomi</strong>"));
}

#[test]
fn without_a_command_the_desk_starts_in_the_users_data_folder() {
    let home = temp();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("reskontra"))
        .env("HOME", home.path())
        .env_remove("XDG_DATA_HOME")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let url = first_line(&mut stdout);
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.contains("/?t="),
        "{url}"
    );
    let ws = home.path().join(".local/share/reskontra");
    assert!(
        ws.join("policy.toml").exists(),
        "the default workspace is in the data folder"
    );
}

#[test]
fn any_supplier_can_be_withheld_by_hand_and_a_decision_taken_back() {
    let desk = Desk::start(&[]);
    desk.save_profile();
    let id = desk.upload_city("leverantorsfakturor-202405.csv");
    assert_eq!(desk.convert(&id)["state"], "done");
    let csv_of = || {
        std::fs::read_to_string(crate::common::published(
            &desk.run_dir(&id).join("out"),
            "csv",
        ))
        .unwrap()
    };
    assert!(csv_of().contains("Konsultbolaget Mitt AB"));
    let review = desk.get(&format!("/runs/{id}/review")).text();
    assert!(
        review.contains("Profilens listor") && review.contains("id=\"deny-other\""),
        "{review}"
    );
    // a published company, withheld by hand (a protected identity the rules cannot see)
    let r = desk.post_form(
        &format!("/runs/{id}/review"),
        &[
            ("name", "Konsultbolaget Mitt AB"),
            ("id", ""),
            ("action", "deny"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(desk.wait(&format!("/runs/{id}/status"))["state"], "done");
    assert!(!csv_of().contains("Konsultbolaget Mitt AB"), "withheld");
    let review = desk.get(&format!("/runs/{id}/review")).text();
    let lists = review
        .split("<table class=\"lists\">")
        .nth(1)
        .expect("the profile's lists");
    let row = lists
        .split("<tr>")
        .find(|r| r.contains("Konsultbolaget Mitt AB"))
        .expect("listed");
    assert!(
        row.contains("undantas alltid") && row.contains("value=\"forget\""),
        "{row}"
    );
    let listed = review.split("<table class=\"review").nth(1).unwrap();
    let row = listed
        .split("<tr>")
        .find(|r| r.contains("Konsultbolaget Mitt AB"))
        .expect("in the review list");
    assert!(
        row.contains("value=\"forget\"") && !row.contains("value=\"deny\""),
        "{row}"
    );
    // taken back: published again
    let r = desk.post_form(
        &format!("/runs/{id}/review"),
        &[
            ("name", "Konsultbolaget Mitt AB"),
            ("id", ""),
            ("action", "forget"),
        ],
    );
    assert_eq!(r.status, 303);
    assert_eq!(desk.wait(&format!("/runs/{id}/status"))["state"], "done");
    assert!(
        csv_of().contains("Konsultbolaget Mitt AB"),
        "published again"
    );
    let policy = reskontra::protect::Policy::load(&desk.workspace.join("policy.toml")).unwrap();
    assert!(!policy
        .deny
        .names
        .contains(&"Konsultbolaget Mitt AB".to_string()));
    // an empty form is refused with what to do
    let r = desk.post_form(
        &format!("/runs/{id}/review"),
        &[("name", ""), ("id", ""), ("action", "deny")],
    );
    assert_eq!(r.status, 400);
    assert!(r.text().contains("Välj en leverantör"));
}

/// English words a finance officer must not meet outside the "Tekniska detaljer" box.
const ENGLISH: &[&str] = &[
    "inferred",
    "municipality",
    "yearly",
    "delimited",
    "error",
    "file",
    "files",
    "row",
    "rows",
    "column",
    "columns",
    "not",
    "the",
    "workbook",
    "converting",
    "detected",
    "mandatory",
    "empty",
    "give",
    "layout",
    "header",
    "no",
    "is",
    "failed",
    "warning",
    "amount",
];

/// The words of a page a finance officer reads: the HTML without the details boxes, the
/// scripts and the tags (attribute values are not read).
fn readable_text(html: &str) -> String {
    let mut text = html.to_string();
    while let Some(start) = text.find("<details class=\"technical\">") {
        let end = text[start..]
            .find("</details>")
            .map_or(text.len(), |e| start + e + "</details>".len());
        text.replace_range(start..end, " ");
    }
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// A page says nothing in English, no option flag, no folder and no exit code outside its
/// details box.
pub fn assert_swedish_only(desk: &Desk, what: &str, html: &str) {
    let text = readable_text(html);
    for word in text.split(|c: char| !c.is_alphanumeric() && c != '-') {
        let lower = word.to_lowercase();
        assert!(
            !ENGLISH.contains(&lower.as_str()),
            "{what}: the English word {word:?} in: {text}"
        );
    }
    assert!(!text.contains("--"), "{what}: an option flag in: {text}");
    assert!(
        !text.contains("Avslutskod"),
        "{what}: an exit code in: {text}"
    );
    let root = desk.workspace.display().to_string();
    for path in [root.as_str(), "/tmp", "/home", "inputs/", "internal/"] {
        assert!(!text.contains(path), "{what}: the path {path} in: {text}");
    }
}

/// An xlsx-named zip without a workbook in it.
fn empty_workbook() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "[Content_Types].xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(b"<Types/>").unwrap();
    zip.finish().unwrap().into_inner()
}

/// The export of an unknown header with both an invoice and a voucher number column.
pub fn voucher_export() -> String {
    format!(
        "Datum;Leverantör;Orgnr;Konto;Kontotext;Belopp;Fakturanr;Verifnr;Projekt\n\
         2024-05-02;Byggmästarna i Norr AB;{};4010;Material;1234,50;F-100;V-900;P1\n\
         2024-05-03;Kontorsvaror AB;{};6110;Papper;99,00;F-101;V-901;P2\n",
        fake_orgnr(1),
        fake_orgnr(2)
    )
}

#[test]
fn every_page_and_error_path_speaks_plain_swedish() {
    let desk = Desk::start(&[]);
    // a first visit: no profile; the start and the upload page say so, with the button
    for path in ["/", "/upload"] {
        let page = desk.get(path).text();
        assert!(page.contains("id=\"fill-profile\""), "{path}: {page}");
        assert_swedish_only(&desk, path, &page);
    }
    // a conversion without a profile says to fill it in, not to give a flag
    let city = std::fs::read(root().join(CITY_EXPORT)).unwrap();
    let id = desk.upload(&[("leverantorsfakturor-202405.csv", &city)]);
    assert_eq!(desk.convert(&id)["state"], "failed");
    let page = desk.get(&format!("/runs/{id}")).text();
    assert!(page.contains("Profilen är inte ifylld"), "{page}");
    assert!(page.contains("id=\"fix-profile\""), "{page}");
    assert!(!page.contains("Exporten kunde inte läsas"), "{page}");
    assert_swedish_only(&desk, "no profile", &page);
    // a profile with a mistake keeps what was typed
    let r = desk.post_form(
        "/profile",
        &[
            ("buyer_name", "Exempelby kommun"),
            ("buyer_id", "212000-0143"),
            ("kommun", "Örebro"),
        ],
    );
    assert_eq!(r.status, 400);
    assert!(r.text().contains("value=\"Örebro\""), "{}", r.text());
    assert_swedish_only(&desk, "profile error", &r.text());
    desk.save_profile();
    // bad files: each its own words and the button that helps
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        ("tom-202405.csv", Vec::new(), "Filen innehåller inga rader", "fix-upload"),
        (
            "rubrik-202405.csv",
            b"Leverant\xc3\xb6r;Organisationsnummer;Fakturanr;Konto;Kontotext;Belopp;F\xc3\xb6rvaltning\n".to_vec(),
            "Filen innehåller inga rader",
            "fix-upload",
        ),
        ("rapport-202405.xlsx", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n".to_vec(), "Filen är en PDF", "fix-upload"),
        ("tom-202405.xlsx", empty_workbook(), "Filen kan inte läsas som en tabell", "fix-upload"),
        // (its own cells in Swedish: the walk looks for the desk's English, not the export's)
        ("trasig-202405.csv", "det här är inte;en reskontra\nalls;\n".as_bytes().to_vec(), "Kolumnerna i exporten känns inte igen", "open-mapping"),
    ];
    for (name, bytes, title, button) in &cases {
        let id = desk.upload(&[(name, bytes)]);
        if name.starts_with("rubrik") {
            // the header is read fine; the conversion finds no rows
            assert_eq!(desk.convert(&id)["state"], "failed");
        }
        let page = desk.get(&format!("/runs/{id}")).text();
        assert!(page.contains(title), "{name}: {page}");
        assert!(page.contains(&format!("id=\"{button}\"")), "{name}: {page}");
        if *button == "fix-upload" {
            assert!(
                !page.contains("Koppla kolumnerna"),
                "{name}: no editor for it: {page}"
            );
        }
        assert!(page.contains("Tekniska detaljer"), "{name}");
        assert_swedish_only(&desk, name, &page);
        let mapping = desk.get(&format!("/runs/{id}/mapping")).text();
        assert_swedish_only(&desk, &format!("{name} mapping"), &mapping);
    }
    // an export without dates: the month is asked for
    let undated = desk.upload(&[("leverantorsfakturor.csv", &city)]);
    assert_eq!(desk.convert(&undated)["state"], "failed");
    let page = desk.get(&format!("/runs/{undated}")).text();
    assert_swedish_only(&desk, "no period", &page);
    // the unknown header: the voucher number column is taken, the unused one named
    let voucher = desk.upload(&[("verif-202405.csv", voucher_export().as_bytes())]);
    let page = desk.get(&format!("/runs/{voucher}")).text();
    assert!(page.contains("kolumnen &#39;Verifnr&#39;"), "{page}");
    assert!(page.contains("inte används: Projekt"), "{page}");
    assert_swedish_only(&desk, "voucher plan", &page);
    let mapping = desk.get(&format!("/runs/{voucher}/mapping")).text();
    assert!(mapping.contains("inte används: Projekt"), "{mapping}");
    assert_swedish_only(&desk, "voucher mapping", &mapping);
    // other forms read well: a workbook, three Raindance files, an SIE file, each month's page
    for files in [
        vec!["samples/municipality-report/Leverantörsfakturor 2024-03.xlsx"],
        vec![
            "samples/raindance/rk-dim-konto.csv",
            "samples/raindance/rk-dim-lev.csv",
            "samples/raindance/rk-fakta-levfakt-verifikat-2024-08.csv",
        ],
        vec!["samples/sie4/exempelby-2024-09.se"],
        vec!["samples/proceedo/proceedo-fakturor-2024-07.txt"],
    ] {
        let bytes: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|f| {
                let name = Path::new(f)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .to_string();
                (name, std::fs::read(root().join(f)).unwrap())
            })
            .collect();
        let parts: Vec<(&str, &[u8])> = bytes
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        let run = desk.upload(&parts);
        let page = desk.get(&format!("/runs/{run}")).text();
        assert!(page.contains("id=\"convert\""), "{files:?}: {page}");
        assert_swedish_only(&desk, files[0], &page);
        if files[0].contains("proceedo") {
            // a status and a secrecy column choose rows: said so, not listed as unused
            let choosing = page.split("id=\"choosing\"").nth(1).unwrap_or("");
            assert!(choosing.contains("Huvudstatus"), "{page}");
            let unused = page.split("id=\"unused\"").nth(1).unwrap_or("");
            let unused = unused.split("</p>").next().unwrap_or("");
            assert!(
                !unused.contains("Huvudstatus") && !unused.contains("Sekretess"),
                "{unused}"
            );
        }
        let state = desk.convert(&run)["state"].clone();
        let pages: Vec<String> = if state == "done" {
            vec![format!("/runs/{run}/result"), format!("/runs/{run}/review")]
        } else {
            vec![format!("/runs/{run}")]
        };
        for path in pages {
            assert_swedish_only(&desk, &path, &desk.get(&path).text());
        }
    }
    // a converted month: every page of it
    assert_eq!(desk.convert(&id)["state"], "done");
    for path in [
        "/".to_string(),
        "/profile".to_string(),
        "/upload".to_string(),
        "/validate".to_string(),
        "/year".to_string(),
        "/year?year=2023".to_string(),
        "/year/2024".to_string(),
        "/year/2024/progress".to_string(),
        format!("/runs/{id}"),
        format!("/runs/{id}/progress"),
        format!("/runs/{id}/result"),
        format!("/runs/{id}/review"),
        format!("/runs/{id}/mapping"),
        format!("/runs/{id}/delete"),
        "/runs/19990101-000000".to_string(),
        "/nowhere".to_string(),
    ] {
        let r = desk.get(&path);
        assert_swedish_only(&desk, &path, &r.text());
    }
    // the forms' error paths
    let empty_year = desk.post_form("/year", &[("year", "2023")]);
    assert_eq!(empty_year.status, 400);
    assert_swedish_only(&desk, "empty year", &empty_year.text());
    let bad_month = desk.post_form(&format!("/runs/{id}/settings"), &[("period", "maj")]);
    assert_swedish_only(&desk, "bad month", &bad_month.text());
    let confirm = desk.post_form(
        &format!("/runs/{id}/review"),
        &[
            ("name", "ANDERSSON;SVEN"),
            ("reason", "person_name"),
            ("action", "allow"),
        ],
    );
    assert!(
        confirm.text().contains("id=\"confirm-allow\""),
        "{}",
        confirm.text()
    );
    assert_swedish_only(&desk, "confirm", &confirm.text());
    let nothing = desk.post_form(&format!("/runs/{id}/review"), &[("action", "deny-many")]);
    assert_eq!(nothing.status, 400);
    assert_swedish_only(&desk, "nothing picked", &nothing.text());
    let checked = desk.post_files("/validate", &[("file", "x.csv", b"not;a;spec\n1;2;3\n")]);
    assert_swedish_only(&desk, "validate", &checked.text());
    let unlocked = desk.raw(
        "GET",
        "/",
        &[("Host", format!("127.0.0.1:{}", desk.port))],
        b"",
    );
    assert_eq!(unlocked.status, 401);
    assert_swedish_only(&desk, "locked", &unlocked.text());
}

#[test]
fn a_file_uploaded_twice_asks_and_a_run_can_be_deleted() {
    let desk = Desk::start(&[]);
    desk.save_profile();
    let first = desk.upload_city("leverantorsfakturor-202405.csv");
    assert_eq!(desk.convert(&first)["state"], "done");
    let city = std::fs::read(root().join(CITY_EXPORT)).unwrap();
    let r = desk.post_files(
        "/upload",
        &[("export", "kopia-202405.csv", city.as_slice())],
    );
    assert_eq!(r.status, 303);
    let second = r
        .location()
        .trim_start_matches("/runs/")
        .strip_suffix("/duplicate")
        .expect("the same file asks first")
        .to_string();
    let ask = desk.get(&format!("/runs/{second}/duplicate")).text();
    assert!(
        ask.contains("Filen är redan uppladdad") && ask.contains("maj 2024"),
        "{ask}"
    );
    assert_swedish_only(&desk, "duplicate", &ask);
    // the same month converted twice: the result page offers to replace the earlier one
    assert_eq!(desk.convert(&second)["state"], "done");
    let result = desk.get(&format!("/runs/{second}/result")).text();
    assert!(result.contains("id=\"same-month\""), "{result}");
    // the year ticks only the newest upload of the month and says why not the other
    let year = desk.get("/year?year=2024").text();
    assert!(
        year.contains(&format!("value=\"{second}\" id=\"month-{second}\" checked")),
        "{year}"
    );
    assert!(
        !year.contains(&format!("value=\"{first}\" id=\"month-{first}\" checked")),
        "{year}"
    );
    assert!(
        year.contains("en senare uppladdning av samma månad används i stället"),
        "{year}"
    );
    // replace: the earlier run is gone
    let r = desk.post_form(
        &format!("/runs/{second}/replace"),
        &[("old", first.as_str())],
    );
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), format!("/runs/{second}/result"));
    assert!(!desk.run_dir(&first).exists());
    assert_eq!(desk.get(&format!("/runs/{first}")).status, 404);
    // a failed upload can be deleted after asking
    let bad = desk.upload(&[("trasig-202405.csv", b"x;y\n1;2\n")]);
    let ask = desk.get(&format!("/runs/{bad}/delete")).text();
    assert!(ask.contains("id=\"confirm-delete\""), "{ask}");
    let r = desk.request("POST", &format!("/runs/{bad}/delete"), &[], b"");
    assert_eq!((r.status, r.location().as_str()), (303, "/"));
    assert!(!desk.run_dir(&bad).exists());
    let home = desk.get("/").text();
    assert!(
        !home.contains(&format!("id=\"run-{bad}\"")) && !home.contains("trasig-202405.csv"),
        "{home}"
    );
    assert!(home.contains("maj 2024"), "{home}");
    // another year's month is not offered for this year, and is named
    let other = desk.upload_city("leverantorsfakturor-202312.csv");
    assert_eq!(desk.convert(&other)["state"], "done");
    let year = desk.get("/year?year=2024").text();
    assert!(!year.contains(&format!("id=\"month-{other}\"")), "{year}");
    assert!(
        year.contains("december 2023") && year.contains("ett annat år"),
        "{year}"
    );
}

#[test]
fn two_desks_on_different_ports_keep_their_own_cookies() {
    let a = Desk::start(&[]);
    let b = Desk::start(&[]);
    // the browser holds both cookies; each desk reads its own
    let both = format!(
        "reskontra_token_{}={}; reskontra_token_{}={}",
        a.port, a.token, b.port, b.token
    );
    for desk in [&a, &b] {
        let r = desk.raw(
            "GET",
            "/",
            &[
                ("Host", format!("127.0.0.1:{}", desk.port)),
                ("Cookie", both.clone()),
            ],
            b"",
        );
        assert_eq!(r.status, 200);
    }
    let first = a.raw(
        "GET",
        &format!("/?t={}", a.token),
        &[("Host", format!("127.0.0.1:{}", a.port))],
        b"",
    );
    let cookie = first.header("set-cookie").unwrap_or("");
    assert!(
        cookie.starts_with(&format!("reskontra_token_{}=", a.port)),
        "{cookie}"
    );
}

#[test]
fn the_profile_keeps_the_publishing_address_the_contact_and_the_choice_for_sole_traders() {
    let desk = Desk::start(&[]);
    let typed = [
        ("buyer_name", "Region Exempel"),
        ("buyer_id", "212000-0142"),
        ("publisher_type", "region"),
        ("kommun", ""),
        ("base_url", "www.exempel.se/data"),
        ("contact_email", "data@exempel.se"),
        ("masked_suppliers", "withhold"),
    ];
    // an address without https:// is refused, and the form keeps everything typed
    let r = desk.post_form("/profile", &typed);
    assert_eq!(r.status, 400);
    let page = r.text();
    assert!(page.contains("börjar med https://"), "{page}");
    for kept in [
        "value=\"Region Exempel\"",
        "value=\"www.exempel.se/data\"",
        "value=\"data@exempel.se\"",
        "value=\"withhold\" checked",
        "value=\"region\" selected",
    ] {
        assert!(page.contains(kept), "{kept} in {page}");
    }
    let mut fixed = typed.to_vec();
    fixed[4] = ("base_url", "https://www.exempel.se/data/");
    let r = desk.post_form("/profile", &fixed);
    assert_eq!(r.status, 200, "{}", r.text());
    let policy = reskontra::protect::Policy::load(&desk.workspace.join("policy.toml")).unwrap();
    assert_eq!(
        policy.publisher.base_url.as_deref(),
        Some("https://www.exempel.se/data/")
    );
    assert_eq!(
        policy.publisher.contact_email.as_deref(),
        Some("data@exempel.se")
    );
    assert_eq!(policy.publisher.publisher_type.as_deref(), Some("region"));
    assert_eq!(policy.publisher.kommun_id, None);
    assert_eq!(
        policy.masked_suppliers,
        reskontra::protect::MaskedSuppliers::Withhold
    );
    let mut bad_mail = fixed.clone();
    bad_mail[5] = ("contact_email", "data at exempel");
    let r = desk.post_form("/profile", &bad_mail);
    assert_eq!(r.status, 400);
    assert!(r.text().contains("e-postadress"), "{}", r.text());
    // withheld sole traders: the city export's masked rows are counted as withheld
    let id = desk.upload_city("leverantorsfakturor-202405.csv");
    assert_eq!(desk.convert(&id)["state"], "done");
    let report = crate::common::report(&desk.run_dir(&id).join("out"));
    assert!(
        report["rows"]["withheld"].as_u64().unwrap() >= 1,
        "{report}"
    );
    // the year page writes the catalogue for the data portal and shows what it will read
    let r = desk.post_form("/year", &[("year", "2024"), ("run", &id)]);
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(desk.wait("/year/2024/status")["state"], "done");
    let year = desk.get("/year/2024").text();
    assert!(
        year.contains("https://www.exempel.se/data/dcat.rdf"),
        "{year}"
    );
    assert!(year.contains("id=\"catalogue-ok\""), "{year}");
    assert_swedish_only(&desk, "the year with its catalogue", &year);
    let rdf = desk.get("/year/dcat.rdf").text();
    assert!(
        rdf.contains("publishertype/RegionalAuthority")
            && rdf.contains("mailto:data@exempel.se")
            && rdf.contains("https://www.exempel.se/data/2024/leverantorsreskontra-2024.csv"),
        "{rdf}"
    );
    let files = unzip(&desk.get("/year/2024/download").body);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"dcat.rdf")
            && names.contains(&"dcat.ttl")
            && names.contains(&"2024/leverantorsreskontra-2024-05.csv"),
        "{names:?}"
    );
}

#[test]
fn a_cancelled_conversion_is_told_plainly_not_as_a_failure() {
    let desk = Desk::start(&[]);
    desk.save_profile();
    let mut export = String::from(
        "forvaltning;leverantor;leverantor_id;faktura_nr;konto_nr;konto_text;belopp\n",
    );
    for i in 0..60_000u32 {
        export.push_str(&format!(
            "Skolförvaltningen;Leverantör {} AB;{};{};4010;Material;{},50\n",
            i % 300,
            fake_orgnr(i % 300),
            70_000 + i,
            100 + i % 9000
        ));
    }
    let id = desk.upload(&[("leverantorsfakturor-202405.csv", export.as_bytes())]);
    let r = desk.request("POST", &format!("/runs/{id}/convert"), &[], b"");
    assert_eq!(r.status, 303);
    let r = desk.request("POST", &format!("/runs/{id}/cancel"), &[], b"");
    assert_eq!((r.status, r.location()), (303, format!("/runs/{id}")));
    let status = desk.wait(&format!("/runs/{id}/status"));
    let page = desk.get(&format!("/runs/{id}")).text();
    if status["state"] == "failed" {
        assert!(page.contains("id=\"cancelled\""), "{page}");
        assert!(!page.contains("id=\"error\""), "no error box: {page}");
        assert!(
            !desk.run_dir(&id).join("out/report.json").exists(),
            "nothing written"
        );
    } else {
        // the conversion ended before the cancel reached it: the month is converted
        assert_eq!(status["state"], "done", "{status}");
        assert!(!page.contains("id=\"cancelled\""), "{page}");
    }
    assert_swedish_only(&desk, "cancelled", &page);
}

/// "Granska utgifter": published files of two publishers uploaded, analysed as a job; the page
/// shows the largest suppliers (the masked persons as one unranked line), the screening over
/// the limit, a chart and every table to download, in Swedish only and without a personal
/// number; a filter runs it again; unknown analyses and files are not found.
#[test]
fn published_files_are_analysed_on_a_page_of_their_own() {
    let desk = Desk::start(&[]);
    let start = desk.get("/analyse").text();
    assert!(start.contains("id=\"analyse-files\""), "{start}");
    assert!(!start.contains("id=\"analyse-years\""), "no year built yet");
    assert_swedish_only(&desk, "the analysis start page", &start);
    let region = std::fs::read(root().join("samples/region/region-exempel-2024-02.csv")).unwrap();
    let spec = std::fs::read_dir(root().join("samples/spec-1.1"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "csv"))
        .expect("a spec 1.1 sample");
    let spec_bytes = std::fs::read(&spec).unwrap();
    let r = desk.post_files(
        "/analyse",
        &[
            ("data", "region-exempel-2024-02.csv", &region),
            ("data", "kommun-2024.csv", &spec_bytes),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.location(), "/analyse/a1/progress");
    assert_eq!(desk.wait("/analyse/a1/status")["state"], "done");
    let page = desk.get("/analyse/a1").text();
    for needle in [
        "id=\"largest\"",
        "Över direktupphandlingsgränsen",
        "en sållning, inte ett fynd",
        "/analyse/a1/files/storsta-leverantorer.csv",
        "id=\"report\"",
        "Region Exempel",
    ] {
        assert!(page.contains(needle), "{needle} in {page}");
    }
    assert_swedish_only(&desk, "the analysis", &page);
    assert!(personal_numbers_in(&[("page".into(), page.clone().into_bytes())]).is_empty());
    let csv = desk.get("/analyse/a1/files/storsta-leverantorer.csv");
    assert_eq!(csv.status, 200);
    assert!(csv
        .header("content-disposition")
        .unwrap_or("")
        .contains("attachment"));
    assert!(csv.text().lines().count() > 1);
    let report = desk.get("/analyse/a1/files/rapport.html");
    assert_eq!(report.status, 200);
    assert!(report.text().contains("<html"));
    assert_eq!(desk.get("/analyse/a1/files/..%2Fdesk.json").status, 404);
    assert_eq!(desk.get("/analyse/a1/files/other.csv").status, 404);
    assert_eq!(desk.get("/analyse/a9").status, 404);
    assert_eq!(desk.get("/analyse/..").status, 404);
    // filtered to the region: the page says so and lists only its rows
    let r = desk.post_form(
        "/analyse/a1",
        &[("kopare", "2321000164"), ("ar", ""), ("leverantor", "")],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(desk.wait("/analyse/a1/status")["state"], "done");
    let page = desk.get("/analyse/a1").text();
    assert!(page.contains("value=\"2321000164\" selected"), "{page}");
    // a year that is no year: the job fails and the page says what to do, in Swedish
    let r = desk.post_form(
        "/analyse/a1",
        &[("kopare", ""), ("ar", "20x3"), ("leverantor", "")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(desk.wait("/analyse/a1/status")["state"], "failed");
    let page = desk.get("/analyse/a1").text();
    assert_swedish_only(&desk, "a failed analysis", &page);
    assert!(desk.get("/analyse").text().contains("/analyse/a1"));
}
