//! The export quirks of LAYOUTS.md, each on a small hand-made file.

use crate::common::*;
use std::path::Path;

/// Write `bytes` as `name` in `dir` and convert it; returns (success, stderr, out folder).
fn convert_bytes(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    args: &[&str],
) -> (bool, String, std::path::PathBuf) {
    let input = dir.join(name);
    std::fs::write(&input, bytes).expect("write input");
    let out = dir.join("out");
    let run = reskontra()
        .arg("convert")
        .arg(&input)
        .args([
            "--buyer-id",
            "2120000142",
            "--buyer-name",
            "Testkommun",
            "-o",
        ])
        .arg(&out)
        .args(["--formats", "csv", "--quiet"])
        .args(args)
        .output()
        .expect("run");
    (
        run.status.success(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
        out,
    )
}

fn published_csv(out: &Path) -> String {
    std::fs::read_to_string(published(out, "csv")).expect("csv")
}

const CITY_HEADER: &str =
    "forvaltning;leverantor;leverantor_id;faktura_nr;konto_nr;konto_text;belopp";

#[test]
fn period_from_option_when_the_file_name_has_none() {
    let dir = temp();
    let text = format!("{CITY_HEADER}\nKS;Kontor AB;5566101233;1;6110;Kontor;10,00\n");
    let (ok, err, out) = convert_bytes(
        dir.path(),
        "export.csv",
        text.as_bytes(),
        &["--period", "2024-11"],
    );
    assert!(ok, "{err}");
    assert!(published_csv(&out).contains(",10.00,2024-11-01,"));
    assert!(out.join("leverantorsreskontra-2024-11.csv").exists());
}

#[test]
fn no_period_anywhere_is_a_clear_error() {
    let dir = temp();
    let text = format!("{CITY_HEADER}\nKS;Kontor AB;5566101233;1;6110;Kontor;10,00\n");
    let (ok, err, out) = convert_bytes(dir.path(), "export.csv", text.as_bytes(), &[]);
    assert!(!ok);
    assert!(
        err.contains("export.csv") && err.contains("--period"),
        "{err}"
    );
    assert!(!out.exists(), "no output folder after a failed run");
}

#[test]
fn utf16_big_endian_with_bom() {
    let dir = temp();
    let text = format!("{CITY_HEADER}\nKS;Kåre Möbler AB;5566101233;1;6110;Möbler;1 000,50\n");
    let mut bytes = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_be_bytes());
    }
    let (ok, err, out) = convert_bytes(dir.path(), "lev-2024-01.csv", &bytes, &[]);
    assert!(ok, "{err}");
    assert!(published_csv(&out).contains("Kåre Möbler AB,5566101233,6110,Möbler,1000.50"));
    assert_eq!(report(&out)["inputs"][0]["format"]["encoding"], "UTF-16BE");
}

#[test]
fn bom_glued_to_the_first_header_name() {
    let dir = temp();
    // a BOM, then a second BOM that ends up inside the first header name
    let text =
        format!("\u{feff}\u{feff}{CITY_HEADER}\nKS;Kontor AB;5566101233;1;6110;Kontor;10,00\n");
    let (ok, err, out) = convert_bytes(dir.path(), "lev-2024-01.csv", text.as_bytes(), &[]);
    assert!(ok, "{err}");
    assert!(published_csv(&out).contains("Kontor AB"));
    assert_eq!(report(&out)["layout"]["name"], "city-csv");
}

#[test]
fn semicolon_inside_a_quoted_name_and_bare_cr() {
    let dir = temp();
    let text = format!("{CITY_HEADER}\r\"KS;X\";\"MÅLERI NORD;AB\";5566101233;1;6110;Måleri;5,5\r");
    let (ok, err, out) = convert_bytes(dir.path(), "lev-2024-01.csv", text.as_bytes(), &[]);
    assert!(ok, "{err}");
    let csv = published_csv(&out);
    assert!(
        csv.contains("MÅLERI NORD AB,5566101233,6110,Måleri,5.50"),
        "{csv}"
    );
    assert!(csv.contains("KS;X"), "{csv}");
    assert_eq!(report(&out)["inputs"][0]["format"]["line_endings"], "CR");
}

/// The report names the line endings that end records: a CRLF inside a quoted field of an LF
/// file is part of a value (and is kept as one), so the file's line endings are LF.
#[test]
fn line_breaks_inside_quoted_fields_are_not_the_files_line_endings() {
    let dir = temp();
    let text = format!("{CITY_HEADER}\nKS;\"Kontor\r\nAB\";5566101233;1;6110;Kontor;5,5\n");
    let (ok, err, out) = convert_bytes(dir.path(), "lev-2024-01.csv", text.as_bytes(), &[]);
    assert!(ok, "{err}");
    assert_eq!(report(&out)["inputs"][0]["format"]["line_endings"], "LF");
    // records that end in both LF and CRLF are mixed
    let text = format!("{CITY_HEADER}\r\nKS;Kontor AB;5566101233;1;6110;Kontor;5,5\n");
    let dir = temp();
    let (ok, err, out) = convert_bytes(dir.path(), "lev-2024-01.csv", text.as_bytes(), &[]);
    assert!(ok, "{err}");
    assert_eq!(report(&out)["inputs"][0]["format"]["line_endings"], "mixed");
}

#[test]
fn windows_1252_and_forced_encoding() {
    let dir = temp();
    let text = format!("{CITY_HEADER}\nKS;Åkeri Öst AB;5566101233;1;6110;Frakt;10,00\n");
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    let (ok, err, out) = convert_bytes(
        dir.path(),
        "lev-2024-01.csv",
        &bytes,
        &["--encoding", "iso-8859-1"],
    );
    assert!(ok, "{err}");
    assert!(published_csv(&out).contains("Åkeri Öst AB"));
}

#[test]
fn amounts_in_every_written_form() {
    let dir = temp();
    let rows = [
        ("3270,50", "3270.50"),
        ("3 214,32", "3214.32"),
        ("3\u{a0}214,32", "3214.32"),
        ("-1 234,5", "-1234.50"),
        ("0,005", "0.01"),
        ("12", "12.00"),
    ];
    let mut text = format!("{CITY_HEADER}\n");
    for (i, (raw, _)) in rows.iter().enumerate() {
        text.push_str(&format!(
            "KS;Kontor AB;5566101233;{i};6110;Kontor;\"{raw}\"\n"
        ));
    }
    let (ok, err, out) = convert_bytes(dir.path(), "lev-2024-01.csv", text.as_bytes(), &[]);
    assert!(ok, "{err}");
    let csv = published_csv(&out);
    for (raw, want) in rows {
        assert!(csv.contains(&format!(",{want},")), "{raw} -> {want}\n{csv}");
    }
    assert_eq!(report(&out)["normalise"]["amounts_rounded"], 1);
}

#[test]
fn title_lines_blank_rows_and_sum_row_are_counted() {
    let dir = temp();
    let text = format!(
        "Leverantörsfakturor\nUtskrivet 2024-02-01\n\n{CITY_HEADER}\nKS;Kontor AB;5566101233;1;6110;Kontor;10,00\n\nKS;Kontor AB;5566101233;2;6110;Kontor;5,00\nSumma;;;;;;15,00\n"
    );
    let (ok, err, out) = convert_bytes(dir.path(), "lev-2024-01.csv", text.as_bytes(), &[]);
    assert!(ok, "{err}");
    let r = report(&out);
    assert_eq!(r["rows"]["read"], 2);
    assert_eq!(r["amount"]["read"], "15.00");
    assert_eq!(r["skipped_lines"]["title line above the header"], 2);
    assert_eq!(r["skipped_lines"]["blank line"], 2);
    assert_eq!(r["skipped_lines"]["totals or subtotal line"], 1);
    assert_eq!(r["inputs"][0]["header_line"], 4);
}

#[test]
fn a_supplier_named_like_a_total_is_kept() {
    let dir = temp();
    let text = format!("{CITY_HEADER}\nKS;Summa Konsult AB;5566101233;1;6110;Kontor;10,00\n");
    let (ok, err, out) = convert_bytes(dir.path(), "lev-2024-01.csv", text.as_bytes(), &[]);
    assert!(ok, "{err}");
    assert!(published_csv(&out).contains("Summa Konsult AB"));
}

#[test]
fn layout_from_a_toml_file() {
    let dir = temp();
    let layout = r#"
name = "my-erp"
description = "test"
[detect]
required = ["Lev", "Belopp SEK"]
[columns]
leverantor = { names = ["Lev"] }
leverantor_id = { names = ["Orgnr"] }
verifikationsnummer = { names = ["Ver"] }
konto_nr = { constant = "4010" }
konto_text = { constant = "Inköp" }
belopp = { names = ["Belopp SEK"] }
datum = { names = ["Datum"], from_period = true }
"#;
    std::fs::write(dir.path().join("my.toml"), layout).expect("layout");
    let text = "Lev,Orgnr,Ver,Belopp SEK\nKontor AB,5566101233,V1,99.5\n";
    let layout_path = dir.path().join("my.toml");
    let (ok, err, out) = convert_bytes(
        dir.path(),
        "x-2024-02.csv",
        text.as_bytes(),
        &["--layout", layout_path.to_str().expect("utf8")],
    );
    assert!(ok, "{err}");
    let csv = published_csv(&out);
    assert!(
        csv.contains("V1,Kontor AB,5566101233,4010,Inköp,99.50,2024-02-01"),
        "{csv}"
    );
}

#[test]
fn formula_guard_and_its_switch() {
    let dir = temp();
    let text = format!("{CITY_HEADER}\nKS;=cmd|' /C calc'!A0 AB;5566101233;1;6110;@SUM(1);10,00\n");
    let (ok, err, out) = convert_bytes(dir.path(), "lev-2024-01.csv", text.as_bytes(), &[]);
    assert!(ok, "{err}");
    let csv = published_csv(&out);
    assert!(csv.contains(",'=cmd|' /C calc'!A0 AB,"), "{csv}");
    assert!(csv.contains(",'@SUM(1),"), "{csv}");
    assert_eq!(report(&out)["formula_guarded_cells"], 2);
    let dir = temp();
    let (ok, _, out) = convert_bytes(
        dir.path(),
        "lev-2024-01.csv",
        text.as_bytes(),
        &["--no-formula-guard"],
    );
    assert!(ok);
    assert!(published_csv(&out).contains(",=cmd|' /C calc'!A0 AB,"));
}

#[test]
fn detect_explains_the_choice() {
    let run = reskontra()
        .args(["detect", "samples/unit4-levstat/levstat-2024-06.txt"])
        .output()
        .expect("run");
    assert!(run.status.success());
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.contains("encoding:     Windows-1252"), "{text}");
    assert!(text.contains("delimiter:    tab"), "{text}");
    assert!(text.contains("header row:   4"), "{text}");
    assert!(text.contains("layout:       unit4-levstat"), "{text}");
}

#[test]
fn layouts_lists_every_builtin() {
    let run = reskontra().arg("layouts").output().expect("run");
    let text = String::from_utf8_lossy(&run.stdout);
    for sample in SAMPLES.iter() {
        assert!(
            text.contains(sample.layout.as_str()),
            "{} listed",
            sample.layout
        );
    }
}

#[test]
fn sheet_option_picks_a_sheet_or_names_the_sheets() {
    let dir = temp();
    let out = dir.path().join("out");
    let input = "samples/municipality-report/Leverantörsfakturor 2024-03.xlsx";
    convert_ok(
        Path::new(input),
        &out,
        &["--sheet", "Rapport", "--policy", "samples/policy.toml"],
    );
    assert_eq!(report(&out)["inputs"][0]["format"]["sheet"], "Rapport");
    let run = reskontra()
        .args([
            "convert",
            input,
            "--sheet",
            "Blad9",
            "--policy",
            "samples/policy.toml",
            "-o",
        ])
        .arg(dir.path().join("out2"))
        .output()
        .expect("run");
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("no sheet named 'Blad9'; the sheets are: Rapport"),
        "{stderr}"
    );
}

#[test]
fn excel_float_amounts_are_exact() {
    let dir = temp();
    let out = dir.path().join("out");
    let sample = sample("municipality-report");
    assert!(convert_sample(sample, &out).status.success());
    let csv = published_csv(&out);
    // 0.1 + 0.2 as an Excel float is 0.30000000000000004: 0.30, not 0.31 or 0.29
    assert!(csv.contains(",Trycksaker,0.30,"), "{csv}");
    // 15400.255 rounds half away from zero on its decimal text, not on the binary float
    assert!(csv.contains(",Städtjänster,15400.26,"), "{csv}");
    // account number and text split from one cell
    assert!(csv.contains(",61100,Kontorsmateriel,3270.50,"), "{csv}");
}

/// Write a minimal OpenDocument spreadsheet with the given rows (floats where a cell parses).
fn write_ods(path: &Path, rows: &[&[&str]]) {
    use std::io::Write;
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Blad1">"#,
    );
    for row in rows {
        xml.push_str("<table:table-row>");
        for cell in *row {
            match cell.parse::<f64>() {
                Ok(v) if !cell.starts_with('0') => xml.push_str(&format!(
                    r#"<table:table-cell office:value-type="float" office:value="{v}"><text:p>{cell}</text:p></table:table-cell>"#
                )),
                _ => xml.push_str(&format!(
                    r#"<table:table-cell office:value-type="string"><text:p>{cell}</text:p></table:table-cell>"#
                )),
            }
        }
        xml.push_str("</table:table-row>");
    }
    xml.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let file = std::fs::File::create(path).expect("ods");
    let mut zip = zip::ZipWriter::new(file);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).expect("zip");
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .expect("zip");
    zip.start_file("META-INF/manifest.xml", stored)
        .expect("zip");
    zip.write_all(manifest.as_bytes()).expect("zip");
    zip.start_file("content.xml", stored).expect("zip");
    zip.write_all(xml.as_bytes()).expect("zip");
    zip.finish().expect("zip");
}

#[test]
fn ods_workbooks_are_read() {
    let dir = temp();
    let input = dir.path().join("leverantorsfakturor-2024-02.ods");
    write_ods(
        &input,
        &[
            &["Leverantörsfakturor februari"],
            &[
                "RN1/FÖRVALTNING",
                "LEVERANTÖR",
                "ORGANISATIO",
                "FAKT NR",
                "KONTO",
                "UTFALL",
            ],
            &[
                "KS Kommunstyrelsen",
                "Kontor AB",
                "5566101233",
                "501",
                "61100 Kontorsmateriel",
                "3270.5",
            ],
            &["Summa", "", "", "", "", "3270.5"],
        ],
    );
    let out = dir.path().join("out");
    convert_ok(&input, &out, &[BUYER, &["--formats", "csv"]].concat());
    let csv = published_csv(&out);
    assert!(
        csv.contains("501,Kontor AB,5566101233,61100,Kontorsmateriel,3270.50,2024-02-01"),
        "{csv}"
    );
    let r = report(&out);
    assert_eq!(r["layout"]["name"], "municipality-report");
    assert_eq!(r["skipped_lines"]["totals or subtotal line"], 1);
    assert_eq!(r["inputs"][0]["format"]["kind"], "workbook");
}

/// The progress events of a run: stage names, and how much of the input is converted, rising
/// to the whole of it (bytes past the first 1000 rows of a delimited file).
#[test]
fn progress_reaches_the_whole_input() {
    use reskontra::convert::{convert, ConvertOptions, Progress, ProgressEvent};
    use std::sync::{Arc, Mutex};
    let dir = temp();
    let mut text = String::from(
        "forvaltning;leverantor;leverantor_id;faktura_nr;konto_nr;konto_text;belopp\n",
    );
    for i in 0..5000 {
        text.push_str(&format!("KS;A AB;5566101233;{i};6110;Kontor;1,00\n"));
    }
    let input = dir.path().join("progress-2024-01.csv");
    std::fs::write(&input, &text).expect("write");
    let mut opts = ConvertOptions::new(vec![input], dir.path().join("out"));
    opts.overrides.buyer_id = Some("2120000142".into());
    opts.overrides.buyer_name = Some("T".into());
    opts.batch_rows = 1000;
    // read in pieces, so that the position rises while the rows are converted
    opts.read.piece_bytes = Some(4096);
    let events: Arc<Mutex<Vec<(String, u64, u64)>>> = Arc::default();
    let seen = Arc::clone(&events);
    opts.progress = Progress::new(move |event| {
        let entry = match event {
            ProgressEvent::Stage(name) => (name.to_string(), 0, 0),
            ProgressEvent::Done { part, whole } => (String::new(), part, whole),
        };
        seen.lock().expect("lock").push(entry);
    });
    let report = convert(&opts).expect("convert");
    assert_eq!(report.rows.published, 5000);
    let events = events.lock().expect("lock");
    // what is told while converting (the first pass over the file tells its own progress)
    let converting = events
        .iter()
        .position(|(name, ..)| name.starts_with("converting"))
        .expect("a converting stage");
    let done: Vec<(u64, u64)> = events[converting..]
        .iter()
        .filter(|(name, ..)| name.is_empty())
        .map(|(_, part, whole)| (*part, *whole))
        .collect();
    assert!(done.len() >= 4, "{done:?}");
    assert!(
        done.windows(2).all(|w| w[0].0 <= w[1].0),
        "rising: {done:?}"
    );
    assert_eq!(done.last(), Some(&(text.len() as u64, text.len() as u64)));
    assert!(
        done[0].0 < text.len() as u64,
        "the position rises: {done:?}"
    );
    assert!(events
        .iter()
        .any(|(name, ..)| name.starts_with("reading progress-2024-01.csv")));
    assert!(events
        .iter()
        .any(|(name, ..)| name == "converting progress-2024-01.csv: rows 1000-1999"));
}

/// Make a named pipe at `fifo`, write `bytes` into it from a thread, and run `cmd` (which reads
/// it) with a time limit, so that a run that opens the pipe twice fails instead of hanging.
#[cfg(unix)]
fn run_reading_a_pipe(
    fifo: &Path,
    bytes: Vec<u8>,
    cmd: &mut assert_cmd::Command,
) -> std::process::Output {
    let made = std::process::Command::new("mkfifo")
        .arg(fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let writer = std::thread::spawn({
        let fifo = fifo.to_path_buf();
        move || std::fs::write(&fifo, bytes)
    });
    let run = cmd
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("run");
    if !writer.is_finished() {
        // the run never opened the pipe: let the writer finish
        let _ = std::fs::read(fifo);
    }
    writer.join().expect("writer").expect("written");
    run
}

/// An input that can be read only once (a named pipe, or `<(iconv ...)` in a shell) is read
/// whole into memory and converted like the file itself.
#[cfg(unix)]
#[test]
fn an_input_from_a_pipe_is_read_once() {
    let dir = temp();
    let fifo = dir.path().join("leverantorsfakturor-202405.csv");
    let bytes = std::fs::read(&sample("city-csv").inputs[0]).expect("sample");
    let out = dir.path().join("out");
    let mut cmd = reskontra();
    cmd.arg("convert").arg(&fifo);
    cmd.args([
        "--policy",
        "samples/policy.toml",
        "--formats",
        "csv",
        "-q",
        "-o",
    ]);
    let run = run_reading_a_pipe(&fifo, bytes, cmd.arg(&out));
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let golden = root().join("tests/golden/city-csv/expected/leverantorsreskontra-2024-05.csv");
    assert_eq!(
        published_csv(&out),
        std::fs::read_to_string(golden).expect("golden")
    );
}

/// `validate` reads a pipe once too: a CSV, a JSON and a Parquet file given as named pipes are
/// checked like the files themselves (the Parquet reader reads the bytes in memory, not the
/// pipe again, which would wait for a writer for ever).
#[cfg(unix)]
#[test]
fn validate_reads_a_pipe_once() {
    let dir = temp();
    let out = dir.path().join("out");
    assert!(convert_sample(sample("city-csv"), &out).status.success());
    for ext in ["csv", "json", "parquet"] {
        let bytes = std::fs::read(published(&out, ext)).expect("published");
        let fifo = dir.path().join(format!("pipe.{ext}"));
        let mut cmd = reskontra();
        cmd.args(["validate", "--json"]).arg(&fifo);
        let run = run_reading_a_pipe(&fifo, bytes, &mut cmd);
        let report: serde_json::Value = serde_json::from_slice(&run.stdout).expect("a JSON report");
        assert_eq!(run.status.code(), Some(0), "{ext}: {report}");
        assert_eq!(report["files"][0]["rows"], 9, "{ext}");
    }
}

/// An Excel 97-2003 (.xls) export converts to the same published files as the same sheet saved
/// as .xlsx (the fixtures are the xlsx samples written as BIFF8 by
/// scripts/make_legacy_fixtures.py: title lines, numbers as ids, float amounts, date cells and a
/// date typed as a plain serial).
#[test]
fn legacy_xls_converts_like_its_xlsx() {
    for (name, xls) in [
        (
            "municipality-report",
            "tests/fixtures/Leverantörsfakturor 2024-03.xls",
        ),
        (
            "municipality-report-dated",
            "tests/fixtures/leverantorsfakturor-2024-04.xls",
        ),
    ] {
        let dir = temp();
        let (from_xlsx, from_xls) = (dir.path().join("xlsx"), dir.path().join("xls"));
        assert!(convert_sample(sample(name), &from_xlsx).status.success());
        let args = [
            "--policy",
            "samples/policy.toml",
            "--formats",
            "csv,json,parquet",
        ];
        convert_ok(&root().join(xls), &from_xls, &args);
        let (a, b) = (files_below(&from_xlsx), files_below(&from_xls));
        let names = |files: &[(String, Vec<u8>)]| -> Vec<String> {
            files.iter().map(|(n, _)| n.clone()).collect()
        };
        assert_eq!(names(&a), names(&b), "{name}");
        for ((name, x), (_, y)) in a.iter().zip(&b) {
            if name != "report.json" {
                assert!(x == y, "{name}: {name} differs between .xlsx and .xls");
            }
        }
        let (ra, rb) = (report(&from_xlsx), report(&from_xls));
        assert_eq!(ra["rows"], rb["rows"], "{name}");
        assert_eq!(ra["amount"], rb["amount"], "{name}");
        assert_eq!(rb["layout"]["name"], name, "{name}");
    }
}

/// A UTF-16 export is read a piece at a time like any other (code units and surrogate pairs
/// cut between pieces): its outputs are those of the same text in UTF-8, whatever the piece.
#[test]
fn utf16_streams_and_publishes_what_its_utf8_text_does() {
    let mut text = format!("{CITY_HEADER}\r\n");
    for i in 0..300 {
        text.push_str(&format!(
            "KS;Kåre Möbler 𝄞 AB {i};5566101233;{i};6110;Möbler € {i};1 000,{:02}\r\n",
            i % 100
        ));
    }
    let utf8_dir = temp();
    let (ok, err, utf8_out) =
        convert_bytes(utf8_dir.path(), "lev-2024-01.csv", text.as_bytes(), &[]);
    assert!(ok, "{err}");
    let want = published_csv(&utf8_out);
    for (little, bom) in [(true, true), (true, false), (false, true)] {
        let mut bytes = Vec::new();
        if bom {
            bytes.extend_from_slice(if little { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
        }
        for u in text.encode_utf16() {
            bytes.extend_from_slice(&if little {
                u.to_le_bytes()
            } else {
                u.to_be_bytes()
            });
        }
        for piece in ["7", "4096"] {
            let dir = temp();
            let (ok, err, out) = convert_bytes(
                dir.path(),
                "lev-2024-01.csv",
                &bytes,
                &[
                    "--read-bytes",
                    piece,
                    "--head-rows",
                    "20",
                    "--batch-rows",
                    "64",
                ],
            );
            assert!(ok, "little {little}, bom {bom}, piece {piece}: {err}");
            assert_eq!(
                published_csv(&out),
                want,
                "little {little}, bom {bom}, piece {piece}"
            );
            let r = report(&out);
            let enc = if little { "UTF-16LE" } else { "UTF-16BE" };
            assert_eq!(r["inputs"][0]["format"]["encoding"], enc);
            assert_eq!(r["inputs"][0]["format"]["line_endings"], "CRLF");
            assert_eq!(r["inputs"][0]["bytes"], bytes.len() as u64);
        }
    }
    // a lone surrogate far into the file is an error naming the encoding, with no output
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let at = bytes.len() - 40;
    bytes[at..at + 2].copy_from_slice(&0xD834u16.to_le_bytes());
    let dir = temp();
    let (ok, err, out) = convert_bytes(
        dir.path(),
        "lev-2024-01.csv",
        &bytes,
        &["--read-bytes", "7"],
    );
    assert!(!ok);
    assert!(err.contains("not valid UTF-16LE"), "{err}");
    assert!(!out.exists());
}
