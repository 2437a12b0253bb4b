//! Every error path: a clear message naming the file (and row and column where there is one),
//! a non-zero exit code, no panic, and an output folder left as it was.

use crate::common::*;
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

const HEADER: &str = "forvaltning;leverantor;leverantor_id;faktura_nr;konto_nr;konto_text;belopp";

#[test]
fn rows_with_more_fields_than_the_header_are_rejected_with_their_line() {
    let dir = temp();
    let input = write(
        dir.path(),
        "wide-2024-01.csv",
        format!(
            "{HEADER}\nKS;A AB;5566101233;1;6110;x;1,00\nKS;B AB;5566101233;2;6110;x;2,00;extra\n"
        )
        .as_bytes(),
    );
    let out = dir.path().join("out");
    convert_ok(&input, &out, BUYER);
    let rejected = std::fs::read_to_string(out.join("internal/rejected.csv")).expect("rejected");
    assert!(
        rejected.contains("wide-2024-01.csv,3,row has 8 fields but the header has 7"),
        "{rejected}"
    );
    let r = report(&out);
    assert_eq!(r["rows"]["rejected"], 1);
    assert_eq!(r["rows"]["published"], 1);
}

#[test]
fn a_hundred_megabyte_line() {
    let dir = temp();
    let mut bytes = format!("{HEADER}\nKS;A AB;5566101233;1;6110;").into_bytes();
    bytes.extend(std::iter::repeat_n(b'x', 100 * 1024 * 1024));
    bytes.extend_from_slice(b";1,00\n");
    let input = write(dir.path(), "long-2024-01.csv", &bytes);
    let out = dir.path().join("out");
    // converted (the cell is long but valid): nothing lost
    convert_ok(&input, &out, &[BUYER, &["--formats", "csv"]].concat());
    assert_eq!(report(&out)["rows"]["published"], 1);
}

/// A header followed only by blank lines, more than the rows read with the file's head: the
/// rows past the head are parsed batch by batch, and the run still fails cleanly.
#[test]
fn a_header_followed_by_blank_lines_only_leaves_no_output() {
    let dir = temp();
    let input = write(
        dir.path(),
        "blank-2024-01.csv",
        format!("{HEADER}\n{}", "\n".repeat(2500)).as_bytes(),
    );
    let out = dir.path().join("out");
    let run = reskontra()
        .arg("convert")
        .arg(&input)
        .args(BUYER)
        .args(["-q", "-o"])
        .arg(&out)
        .output()
        .expect("run");
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("blank-2024-01.csv: the header (line 1) is followed by no data rows"),
        "{stderr}"
    );
    assert!(!out.exists(), "no output folder is left behind");
}

/// A sheet whose rows are out of order far below its head: the sheet is streamed, so the
/// error comes after batches were converted, and the run still fails cleanly, naming the file,
/// the sheet and the rows.
#[test]
fn a_sheet_with_rows_out_of_order_leaves_no_output() {
    use std::io::{Read, Write};
    let dir = temp();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.write_row(0, 0, HEADER.split(';')).expect("header");
    let row = ["KS", "Kontor AB", "5566101233", "1", "4010", "Material"];
    for r in 1..6000u32 {
        sheet.write_row(r, 0, row).expect("row");
        sheet.write(r, row.len() as u16, 10.5).expect("cell");
    }
    let bytes = wb.save_to_buffer().expect("workbook");
    // move row 2 to the end of the sheet's data
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let input = dir.path().join("oordning-2024-01.xlsx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&input).expect("xlsx"));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let name = entry.name().expect("name").to_string();
        let mut text = Vec::new();
        entry.read_to_end(&mut text).expect("read");
        if name == "xl/worksheets/sheet1.xml" {
            let xml = String::from_utf8(text).expect("xml");
            let start = xml.find("<row r=\"2\"").expect("row 2");
            let end = start + xml[start..].find("</row>").expect("end") + "</row>".len();
            let moved = &xml[start..end];
            let rest = format!("{}{}", &xml[..start], &xml[end..]);
            text = rest
                .replace("</sheetData>", &format!("{moved}</sheetData>"))
                .into_bytes();
        }
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("zip");
        zip.write_all(&text).expect("zip");
    }
    zip.finish().expect("zip");
    let out = dir.path().join("out");
    let run = convert_output(
        &input,
        &out,
        &[BUYER, &["-q", "--batch-rows", "500"]].concat(),
    );
    assert_eq!(
        run.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("oordning-2024-01.xlsx")
            && stderr.contains("sheet 'Sheet1': cells of row 2 come after row 6000"),
        "{stderr}"
    );
    assert!(!out.exists(), "no output folder is left behind");
}

/// Run one case of docs/errors.md by its name; returns (exit code, stderr, input path).
fn run_doc_case(case: &str, dir: &Path) -> (i32, String, String) {
    let good = format!("{HEADER}\nKS;A AB;5566101233;1;6110;x;1,00\n");
    let mut args: Vec<String> = vec!["convert".into()];
    let mut defaults = true;
    let input: PathBuf = match case {
        "missing file" => dir.join("missing.csv"),
        "empty file" => write(dir, "empty.csv", b""),
        "header only" => write(dir, "h.csv", format!("{HEADER}\n").as_bytes()),
        "binary garbage" => write(
            dir,
            "g.csv",
            &(0..4096u32)
                .map(|i| (i * 7919 % 251) as u8)
                .collect::<Vec<u8>>(),
        ),
        "truncated xlsx" => {
            let full = std::fs::read(
                root().join("samples/municipality-report-dated/leverantorsfakturor-2024-04.xlsx"),
            )
            .expect("sample");
            write(dir, "cut.xlsx", &full[..full.len() / 2])
        }
        "password-protected xlsx" => root().join("tests/fixtures/locked-2024-04.xlsx"),
        "encrypted or OLE xlsx" => {
            let mut b = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
            b.extend(std::iter::repeat_n(0u8, 1024));
            write(dir, "locked.xlsx", &b)
        }
        "wrong --encoding" => {
            let text = format!("{HEADER}\nKS;Åkeri AB;5566101233;1;6110;x;1,00\n");
            let (latin, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
            args.extend(["--encoding".into(), "utf-8".into()]);
            write(dir, "latin.csv", &latin)
        }
        "unknown --encoding" => {
            args.extend(["--encoding".into(), "klingon".into()]);
            write(dir, "x.csv", good.as_bytes())
        }
        "no layout matches" => write(dir, "odd.csv", b"foo;bar\n1;2\n"),
        "missing mandatory source column" => {
            let layout = "name = \"t\"\ndescription = \"t\"\n[detect]\nrequired = [\"lev\"]\n[columns]\nleverantor = { names = [\"lev\"] }\nbelopp = { names = [\"belopp\"] }\ndatum = { from_period = true }\nverifikationsnummer = { names = [\"ver\"] }\nkonto_nr = { names = [\"konto\"] }\nkonto_text = { names = [\"kontotext\"] }\n";
            let lp = write(dir, "t.toml", layout.as_bytes());
            args.extend(["--layout".into(), lp.display().to_string()]);
            write(dir, "m.csv", b"lev;ver;konto;kontotext\nA AB;1;2;x\n")
        }
        "duplicate source columns" => write(
            dir,
            "dup.csv",
            format!("{HEADER};belopp\nKS;A AB;5566101233;1;6110;x;1,00;2,00\n").as_bytes(),
        ),
        "no date and no period" => {
            defaults = false;
            args.extend([
                "--buyer-id".into(),
                "2120000142".into(),
                "--buyer-name".into(),
                "T".into(),
            ]);
            write(dir, "export.csv", good.as_bytes())
        }
        "no buyer" => {
            defaults = false;
            args.extend(["--period".into(), "2024-01".into()]);
            write(dir, "export.csv", good.as_bytes())
        }
        "the same file twice" => {
            let input = write(dir, "x.csv", good.as_bytes());
            args.push(input.display().to_string());
            input
        }
        "rows of two buyers" => {
            defaults = false;
            args.push(
                root()
                    .join("samples/spec-1.1/leverantorsreskontra-2024-01.csv")
                    .display()
                    .to_string(),
            );
            root().join("samples/region/region-exempel-2024-02.csv")
        }
        "a buyer given that contradicts the rows" => {
            root().join("samples/region/region-exempel-2024-02.csv")
        }
        "invalid --buyer-id" => {
            defaults = false;
            args.extend(["--buyer-id".into(), "2120000143".into()]);
            write(dir, "x.csv", good.as_bytes())
        }
        "personal number as --buyer-id" => {
            defaults = false;
            args.extend(["--buyer-id".into(), "780312-1230".into()]);
            write(dir, "x.csv", good.as_bytes())
        }
        "invalid --kommun-id" => {
            args.extend(["--kommun-id".into(), "9999".into()]);
            write(dir, "x.csv", good.as_bytes())
        }
        "invalid --period" => {
            defaults = false;
            args.extend(["--period".into(), "2024-13".into()]);
            write(dir, "x.csv", good.as_bytes())
        }
        "unknown --formats" => {
            args.extend(["--formats".into(), "xml".into()]);
            write(dir, "x.csv", good.as_bytes())
        }
        "unknown --layout" => {
            args.extend(["--layout".into(), "nope".into()]);
            write(dir, "x.csv", good.as_bytes())
        }
        "lookup table missing" => {
            root().join("samples/raindance/rk-fakta-levfakt-verifikat-2024-08.csv")
        }
        "unwritable output folder" => {
            let blocker = write(dir, "blocker", b"");
            args.extend(["-o".into(), blocker.join("out").display().to_string()]);
            write(dir, "x.csv", good.as_bytes())
        }
        "SIE file without supplier invoices" => write(
            dir,
            "ledger.se",
            b"#FLAGGA 0\n#FORMAT PC8\n#SIETYP 4\n\
#VER A 1 20240102 \"Faktura\"\n{\n#TRANS 2410 {} -10.00\n#TRANS 4010 {} 10.00\n}\n\
#VER A 2 20240103 \"Faktura\"\n{\n#TRANS 2410 {} -20.00\n#TRANS 4010 {} 20.00\n}\n\
#VER L 1 20240125 \"L\x94ner\"\n{\n#TRANS 7010 {} 30.00\n#TRANS 1930 {} -30.00\n}\n",
        ),
        "SIE invoices without cost lines" => write(
            dir,
            "assets.se",
            b"#SIETYP 4\n#VER A 1 20240102 \"Faktura\"\n{\n#TRANS 2440 {} -10.00\n\
#TRANS 1220 {} 10.00\n}\n",
        ),
        "SIE file without vouchers" => write(
            dir,
            "balances.se",
            b"#FLAGGA 0\n#FORMAT PC8\n#SIETYP 2\n#KONTO 1930 \"Bank\"\n#IB 0 1930 100.00\n",
        ),
        other => panic!("docs/errors.md names a case the test does not know: {other}"),
    };
    args.insert(1, input.display().to_string());
    if defaults {
        args.extend(
            BUYER
                .iter()
                .chain(&["--period", "2024-01"])
                .map(|a| a.to_string()),
        );
    }
    if !args.iter().any(|a| a == "-o") {
        args.extend(["-o".into(), dir.join("out").display().to_string()]);
    }
    let run = reskontra().args(&args).output().expect("run");
    (
        run.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&run.stderr).into_owned(),
        input.display().to_string(),
    )
}

#[test]
fn docs_error_table_is_true() {
    let doc = std::fs::read_to_string(root().join("docs/errors.md")).expect("docs/errors.md");
    let table = doc
        .split("| case | exit | message (excerpt) |")
        .nth(1)
        .expect("table");
    let mut checked = 0;
    for line in table.lines().skip(2) {
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        let (case, code, message) = (cells[0], cells[1], cells[2].trim_matches('`'));
        let dir = temp();
        // an output folder from an earlier run must be left exactly as it was
        let out = dir.path().join("out");
        std::fs::create_dir_all(&out).expect("out");
        std::fs::write(out.join("keep.txt"), "previous run").expect("keep");
        let (got_code, stderr, input) = run_doc_case(case, dir.path());
        let left: Vec<_> = std::fs::read_dir(&out).expect("out").collect();
        assert_eq!(
            left.len(),
            1,
            "{case}: the output folder changed (or a staging folder was left)"
        );
        assert!(
            !stderr.contains("780312"),
            "{case}: a personal number was echoed"
        );
        assert_eq!(got_code.to_string(), code, "{case}: {stderr}");
        let expected = message.replace("FILE", &input);
        assert!(
            stderr.contains(&expected),
            "{case}: expected `{expected}` in: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{case}");
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} cases checked");
}

#[test]
fn docs_rejection_table_is_true() {
    let dir = temp();
    // one file holding every rejected-row case of the table (the yearly layout has dates)
    let header = "datum;forvaltning;leverantor;leverantor_id;konto_nr;konto_text;belopp;faktura_nr";
    let rows = [
        "202401;KS;A AB;5566101233;6110;x;1,00;1",
        "202401;KS;A AB;5566101233;6110;x;;4",
        "202401;KS;A AB;5566101233;6110;x;tusen;5",
        "202401;KS;A AB;5566101233;6110;x;7803121230;6",
        "20240230;KS;A AB;5566101233;6110;x;1,00;7",
        "igår;KS;A AB;5566101233;6110;x;1,00;8",
        "202401;KS;A AB;5566101233;6110;;1,00;9",
        "202401;KS;A AB;5566101233;6110;x;1234.56;10",
        "202401;KS;A AB;5566101233;6110;x;12.34.56;11",
        "12 maj;KS;A AB;5566101233;6110;x;1,00;12",
        "18991231;KS;A AB;5566101233;6110;x;1,00;13",
        "45292;KS;A AB;5566101233;6110;x;1,00;14",
    ];
    let yearly = write(
        dir.path(),
        "hostile-2024.csv",
        format!("{header}\n{}\n", rows.join("\n")).as_bytes(),
    );
    let spec_file = write(
        dir.path(),
        "bad-buyer-2024-01.csv",
        format!(
            "{}\n2120000143,K,V1,A AB,5566101233,6110,x,1.00,2024-01-05,,,,,,\n",
            reskontra::spec::HEADER
        )
        .as_bytes(),
    );
    // an amount no other value of its file resolves
    let ambiguous = write(
        dir.path(),
        "ambiguous-2024-01.csv",
        format!(
            "{}\n2120000142,K,V1,A AB,5566101233,6110,x,\"1,234\",2024-01-05,,,,,,\n",
            reskontra::spec::HEADER
        )
        .as_bytes(),
    );
    // the field counts of the table are those of the 7-column city layout
    let city = write(
        dir.path(),
        "ragged-2024-01.csv",
        format!(
            "{HEADER}\nKS;A AB;5566101233;1;6110;x;1,00\nKS;A AB;5566101233;2;6110;x;1,00;extra\nKS;A AB;5566101233;3;6110;x\n"
        )
        .as_bytes(),
    );
    let mut reasons = String::new();
    for (input, args) in [
        (yearly, BUYER.to_vec()),
        (city, BUYER.to_vec()),
        (spec_file, vec![]),
        (ambiguous, vec![]),
        (
            root().join("samples/proceedo/proceedo-fakturor-2024-07.txt"),
            vec!["--policy", "samples/policy.toml"],
        ),
    ] {
        let out = dir.path().join(format!("out-{}", reasons.len()));
        convert_ok(&input, &out, &args);
        reasons.push_str(
            &std::fs::read_to_string(out.join("internal/rejected.csv")).expect("rejected"),
        );
    }
    let doc = std::fs::read_to_string(root().join("docs/errors.md")).expect("docs/errors.md");
    let table = doc
        .split("| row | reason in `rejected.csv` |")
        .nth(1)
        .expect("table");
    let mut checked = 0;
    for line in table.lines().skip(2).take_while(|l| l.starts_with('|')) {
        let reason = line
            .trim_matches('|')
            .split(" | ")
            .nth(1)
            .expect("reason")
            .trim()
            .trim_matches('`');
        assert!(
            reasons.contains(reason),
            "documented reason not produced: {reason}\n{reasons}"
        );
        checked += 1;
    }
    assert_eq!(checked, 16);
}

/// A reader that stops reading (`reskontra validate ... | head -1`) ends the output quietly:
/// no panic, and the exit code is still the command's own.
#[test]
fn a_closed_standard_output_is_no_panic() {
    let sample = root().join("samples/city-csv/leverantorsfakturor-202405.csv");
    let runs: [&[&str]; 4] = [
        &["validate"],
        &["validate", "--json"],
        &["detect"],
        &["layouts"],
    ];
    for args in runs {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_reskontra"));
        command.args(args);
        if args[0] != "layouts" {
            command.arg(&sample);
        }
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run");
        // the reading end is closed before the child has started to write
        drop(child.stdout.take());
        let run = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        // the sample is not spec CSV: validate says invalid (1), the others succeed (0)
        let want = if args[0] == "validate" { 1 } else { 0 };
        assert_eq!(run.status.code(), Some(want), "{args:?}: {stderr}");
    }
}

/// docs/errors.md's table of rules is the catalogue (`reskontra::rules::RULES`), row for row,
/// and each rejected-row reason of its rejection table is a text of the catalogue under the
/// rule the table names.
#[test]
fn docs_rule_tables_are_the_catalogue() {
    use reskontra::rules::{matches_template, REJECTIONS, RULES};
    let doc = std::fs::read_to_string(root().join("docs/errors.md")).expect("docs/errors.md");
    let cells = |line: &str| -> Vec<String> {
        line.trim()
            .trim_matches('|')
            .split(" | ")
            .map(|c| c.trim().trim_matches('`').to_string())
            .collect()
    };
    let table_after = |head: &str| -> Vec<Vec<String>> {
        doc.split(head)
            .nth(1)
            .expect(head)
            .lines()
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .map(cells)
            .collect()
    };
    let documented = table_after("| key | severity | message `validate` reports |");
    let catalogue: Vec<Vec<String>> = RULES
        .iter()
        .map(|r| vec![r.key.into(), r.severity.key().into(), r.message.into()])
        .collect();
    assert_eq!(documented, catalogue, "docs/errors.md's table of rules");
    let rejections = table_after("| row | reason in `rejected.csv` | rule |");
    assert_eq!(rejections.len(), 16);
    for row in &rejections {
        let (reason, rule) = (&row[1], &row[2]);
        assert!(
            REJECTIONS
                .iter()
                .any(|r| matches_template(r.text, reason) && matches_template(r.rule.key, rule)),
            "no rejection of the catalogue gives '{reason}' under the rule {rule}"
        );
    }
}
