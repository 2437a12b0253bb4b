//! Any export converts without writing code: every header generation, with and without a date
//! column, in every encoding; layouts inferred by synonyms; drafted layouts; a publisher's own
//! layouts detected like the built-in ones.

use crate::common::*;
use reskontra::convert::{convert, ConvertOptions};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug)]
enum Enc {
    Utf8,
    Windows1252,
    Utf16Le,
}

fn encode(text: &str, enc: Enc) -> Vec<u8> {
    match enc {
        Enc::Utf8 => text.as_bytes().to_vec(),
        Enc::Windows1252 => encoding_rs::WINDOWS_1252.encode(text).0.into_owned(),
        Enc::Utf16Le => {
            let mut bytes = vec![0xFF, 0xFE];
            for u in text.encode_utf16() {
                bytes.extend_from_slice(&u.to_le_bytes());
            }
            bytes
        }
    }
}

/// A header generation: its header and one row (`;`-separated), the layout it is detected as
/// with its date column, and without it.
struct Generation {
    name: &'static str,
    header: &'static str,
    row: &'static str,
    date_column: &'static str,
    with_date: &'static str,
    without_date: &'static str,
}

const GENERATIONS: &[Generation] = &[
    Generation {
        name: "city csv",
        header: "forvaltning;leverantor;leverantor_id;faktura_nr;konto_nr;konto_text;belopp;datum",
        row: "Parkförvaltningen;Grönyteproffs AB;556722-3457;77001;4010;Inköp material;12 345,67;2024-05-03",
        date_column: "datum",
        // with a date it has the yearly export's columns exactly, and reads the same
        with_date: "municipality-yearly",
        without_date: "city-csv",
    },
    Generation {
        name: "city csv, older generation",
        header: "förvaltning;leverantör;organisationsnummer;verifikationsnummer;konto;kontotext;belopp exkl moms;datum",
        row: "Parkförvaltningen;Grönyteproffs AB;556722-3457;V77001;4010;Inköp material;12 345,67;2024-05-03",
        date_column: "datum",
        with_date: "city-csv",
        without_date: "city-csv",
    },
    Generation {
        name: "municipality yearly",
        header: "datum;forvaltning;leverantor;leverantor_id;konto_nr;konto_text;belopp;faktura_nr",
        row: "202404;Kommunstyrelsen;Kontorsvaror AB;556610-1233;6110;Kontorsmateriel;1 999,00;F-1",
        date_column: "datum",
        with_date: "municipality-yearly",
        without_date: "city-csv",
    },
    Generation {
        name: "municipality report, later form",
        header: "datum;forvaltning;leverantor;leverantor_id;faktura_nr;konto_nr;belopp",
        row: "2024-05-02;KS Kommunstyrelsen;Kontorsvaror AB;556610-1233;A-501;61100 Kontorsmateriel;899",
        date_column: "datum",
        with_date: "municipality-report-dated",
        without_date: "municipality-report-dated",
    },
    Generation {
        name: "municipality report",
        header: "RN1/FÖRVALTNING;LEVERANTÖR;ORGANISATIO;FAKT NR;KONTO;UTFALL;DATUM",
        row: "KS Kommunstyrelsen;Kontorsvaror AB;556610-1233;A-501;61100 Kontorsmateriel;899;2024-05-02",
        date_column: "DATUM",
        with_date: "municipality-report",
        without_date: "municipality-report",
    },
    Generation {
        name: "spec 1.1",
        header: "kopare_id;kopare;verifikationsnummer;leverantor;leverantor_id;konto_nr;konto_text;belopp;datum;forvaltning;fakturanummer;grund;avtal;kommun_id;s_kod_nr",
        row: "2120000142;Exempelby kommun;V1;Kontorsvaror AB;5566101233;6110;Kontor;1250.00;2024-05-05;KS;F1;;;0180;",
        date_column: "datum",
        with_date: "spec-1.1",
        without_date: "spec-1.1",
    },
    Generation {
        name: "region variant",
        header: "kopare_id;kopare;verifikationsnummer;leverantor;leverantor_id;konto_nr;konto_text;bokforingsdatum;forvaltning;fakturanummer;nettobelopp;grund;avtal;kommun_id;s_kod_nr",
        row: "2120000142;Exempelby region;V1;Kontorsvaror AB;5566101233;6110;Kontor;2024-05-05;KS;-;1250.00;;;;",
        date_column: "bokforingsdatum",
        with_date: "spec-1.1",
        without_date: "spec-1.1",
    },
    Generation {
        name: "spec 1.0",
        header: "kopare;faktura_nr;leverantor;leverantor_id;forvaltning;konto_nr;konto_text;belopp;datum;grund;avtal;kommun_id",
        row: "2120000142;F1;Kontorsvaror AB;5566101233;KS;6110;Kontor;1250.00;2024-05-05;;;0180",
        date_column: "datum",
        with_date: "spec-1.0",
        without_date: "spec-1.0",
    },
    Generation {
        name: "Unit4 Levstat",
        header: "JOURNAL;SUPPLIER_NAME;SUPPLIER_ORGANIZATION_NUMBER;INVOICE_INTERNAL_IDENTITY;ACCOUNT_NUMBER;ACCOUNT_NAME;AMOUNT_DEBITED;VOUCHER_DATE",
        row: "KS;Kontorsvaror AB;5566101233;I-1;6110;Kontor;1250,00;2024-05-05",
        date_column: "VOUCHER_DATE",
        with_date: "unit4-levstat",
        without_date: "unit4-levstat",
    },
    Generation {
        name: "Proceedo",
        header: "Fakturanummer;Leverantör;Leverantörs-Id;Belopp exkl. moms;Valuta;Verifikationsnummer;Leveransdatum;Konto;Kontotext;Förvaltning;Huvudstatus;Sekretess",
        row: "P-1;Kontorsvaror AB;SE556610123301;2 400,00;SEK;LF-1;2024-05-02;6110;Kontor;KS;OK;N",
        date_column: "Leveransdatum",
        with_date: "proceedo",
        without_date: "proceedo",
    },
];

/// The generation's file with or without its date column.
fn generation_text(g: &Generation, with_date: bool) -> String {
    let header: Vec<&str> = g.header.split(';').collect();
    let row: Vec<&str> = g.row.split(';').collect();
    let keep: Vec<usize> = (0..header.len())
        .filter(|i| with_date || header[*i] != g.date_column)
        .collect();
    let pick = |cells: &[&str]| keep.iter().map(|i| cells[*i]).collect::<Vec<_>>().join(";");
    format!("{}\r\n{}\r\n", pick(&header), pick(&row))
}

fn options(input: PathBuf, out: PathBuf) -> ConvertOptions {
    let mut opts = ConvertOptions::new(vec![input], out);
    opts.overrides.buyer_id = Some("2120000142".into());
    opts.overrides.buyer_name = Some("Exempelby kommun".into());
    opts.formats = vec![reskontra::write::Format::Csv];
    opts
}

fn published_rows(out: &Path) -> Vec<csv::StringRecord> {
    let text = std::fs::read_to_string(published(out, "csv")).expect("csv");
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("row"))
        .collect()
}

#[test]
fn every_header_generation_converts_with_and_without_a_date_in_every_encoding() {
    let dir = temp();
    for g in GENERATIONS {
        for with_date in [true, false] {
            for enc in [Enc::Utf8, Enc::Windows1252, Enc::Utf16Le] {
                let label = format!("{} (date: {with_date}, {enc:?})", g.name);
                let case = dir.path().join(format!(
                    "{}-{with_date}-{enc:?}",
                    g.name.replace([' ', ','], "_")
                ));
                std::fs::create_dir_all(&case).expect("mkdir");
                let input = case.join("export-2024-05.csv");
                std::fs::write(&input, encode(&generation_text(g, with_date), enc)).expect("write");
                let out = case.join("out");
                let report = convert(&options(input, out.clone()))
                    .unwrap_or_else(|e| panic!("{label}: {e}"));
                let want = if with_date {
                    g.with_date
                } else {
                    g.without_date
                };
                assert_eq!(report.layout.name, want, "{label}");
                let rows = published_rows(&out);
                assert_eq!(rows.len(), 1, "{label}");
                // the date column when there is one, else the first day of the file name's month
                let datum = &rows[0][8];
                if with_date {
                    assert_ne!(datum, "2024-05-01", "{label}: the date column was not used");
                    assert!(datum.starts_with("2024-0"), "{label}: {datum}");
                } else {
                    assert_eq!(datum, "2024-05-01", "{label}");
                }
                assert_eq!(
                    rows[0][4].len(),
                    10,
                    "{label}: leverantor_id {}",
                    &rows[0][4]
                );
                assert!(!rows[0][7].is_empty(), "{label}: belopp");
            }
        }
    }
}

/// An export no layout knows, with names from the synonyms.
const UNKNOWN: &str = "Leverantörsnamn;Org.nr;Verifikationsnr;Kontonr;Kontobenämning;Belopp SEK;Bokföringsdatum;Fakturadatum;Projekt\n\
Kontorsvaror AB;556610-1233;V1;6110;Kontorsmateriel;1 234,50;2024-05-02;2024-04-28;P1\n\
Grönyteproffs AB;556722-3457;V2;4010;Material;99,00;2024-05-03;2024-05-01;P2\n";

#[test]
fn an_unknown_export_is_mapped_by_synonyms_and_says_how() {
    let dir = temp();
    let input = dir.path().join("ekonomi-export-2024-05.csv");
    std::fs::write(&input, UNKNOWN).expect("write");
    let out = dir.path().join("out");
    let run = convert_output(&input, &out, BUYER);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("layout inferred: no layout matches ekonomi-export-2024-05.csv; inferred from its header (row 1)"), "{stderr}");
    let report = report(&out);
    let reason = report["layout"]["reason"].as_str().expect("reason");
    for part in [
        "belopp <- 'Belopp SEK' (named like belopp sek)",
        "datum <- 'Bokföringsdatum' (named like bokföringsdatum)",
        "leverantor_id <- 'Org.nr' (named like orgnr)",
    ] {
        assert!(reason.contains(part), "{part} not in {reason}");
    }
    let rows = published_rows(&out);
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (&rows[0][4], &rows[0][7], &rows[0][8]),
        ("5566101233", "1234.50", "2024-05-02")
    );
    // detect shows the same mapping
    let detect = reskontra()
        .arg("detect")
        .arg(&input)
        .output()
        .expect("detect");
    let text = String::from_utf8_lossy(&detect.stdout);
    assert!(
        text.contains("inferred:") && text.contains("belopp <- 'Belopp SEK'"),
        "{text}"
    );
    assert!(text.contains("not used: 'Fakturadatum'"), "{text}");
}

#[test]
fn an_ambiguous_or_incomplete_export_is_refused_with_the_candidates() {
    let dir = temp();
    let ambiguous = dir.path().join("a-2024-05.csv");
    std::fs::write(
        &ambiguous,
        "Leverantör;Orgnr;Vernr;Konto;Kontotext;Belopp;Nettobelopp\nA AB;5566101233;V1;6110;x;10;8\n",
    )
    .expect("write");
    let run = convert_output(&ambiguous, &dir.path().join("out"), BUYER);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("no built-in layout matches the header"),
        "{stderr}"
    );
    assert!(
        stderr.contains("ambiguous: belopp could be 'Belopp' or 'Nettobelopp'"),
        "{stderr}"
    );
    assert!(stderr.contains("reskontra layout draft FILE"), "{stderr}");
    let missing = dir.path().join("m-2024-05.csv");
    std::fs::write(
        &missing,
        "Leverantör;Orgnr;Vernr;Konto;Belopp;Projekt\nA AB;5566101233;V1;6110;10;P\n",
    )
    .expect("write");
    let run = convert_output(&missing, &dir.path().join("out"), BUYER);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("no column for konto_text")
            && stderr.contains("columns not used: 'Projekt'"),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_drafted_layout_converts_its_export_to_the_same_rows_and_check_shows_them() {
    let dir = temp();
    let input = dir.path().join("ekonomi-export-2024-05.csv");
    std::fs::write(&input, UNKNOWN).expect("write");
    let draft = dir.path().join("my-erp.toml");
    let run = reskontra()
        .args(["layout", "draft"])
        .arg(&input)
        .arg("-o")
        .arg(&draft)
        .output()
        .expect("draft");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = std::fs::read_to_string(&draft).expect("draft");
    assert!(text.contains("name = \"ekonomi-export-2024-05\""), "{text}");
    assert!(
        text.contains("belopp = { names = [\"Belopp SEK\"] }"),
        "{text}"
    );
    assert!(
        text.contains("#   Fakturadatum") && text.contains("#   Projekt"),
        "{text}"
    );
    reskontra::layout::Layout::load(&draft.display().to_string())
        .expect("the draft is a valid layout");
    let inferred = dir.path().join("inferred");
    let drafted = dir.path().join("drafted");
    convert_ok(&input, &inferred, BUYER);
    let mut args = BUYER.to_vec();
    let draft_arg = draft.display().to_string();
    args.extend(["--layout", &draft_arg]);
    convert_ok(&input, &drafted, &args);
    assert_eq!(
        std::fs::read(published(&inferred, "csv")).expect("csv"),
        std::fs::read(published(&drafted, "csv")).expect("csv")
    );
    let check = reskontra()
        .args(["layout", "check"])
        .arg(&input)
        .args(["--layout", &draft_arg])
        .args(BUYER)
        .output()
        .expect("check");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let shown = String::from_utf8_lossy(&check.stdout);
    assert!(shown.contains("the first 10 rows as published:"), "{shown}");
    assert!(
        shown.contains(
            "2120000142,T,V1,Kontorsvaror AB,5566101233,6110,Kontorsmateriel,1234.50,2024-05-02"
        ),
        "{shown}"
    );
    assert!(shown.contains("rows:     2 read = 2 published"), "{shown}");
}

#[test]
fn a_publishers_layout_folder_is_detected_and_a_clash_named() {
    let dir = temp();
    let layouts = dir.path().join("layouts");
    std::fs::create_dir_all(&layouts).expect("mkdir");
    let layout = "name = \"vart-erp\"\ndescription = \"Vårt ERP\"\n[detect]\nrequired = [\"LevNamn\", \"LevOrg\", \"VerNo\", \"Kto\", \"KtoText\", \"Summa\"]\n[read]\ndecimal_mark = \"comma\"\n[columns]\nleverantor = { names = [\"LevNamn\"] }\nleverantor_id = { names = [\"LevOrg\"] }\nverifikationsnummer = { names = [\"VerNo\"] }\nkonto_nr = { names = [\"Kto\"] }\nkonto_text = { names = [\"KtoText\"] }\nbelopp = { names = [\"Summa\"] }\ndatum = { from_period = true }\n";
    std::fs::write(layouts.join("vart-erp.toml"), layout).expect("layout");
    let input = dir.path().join("export-2024-05.csv");
    std::fs::write(&input, "LevNamn;LevOrg;VerNo;Kto;KtoText;Summa\nKontorsvaror AB;556610-1233;V1;6110;Kontor;12,50\n").expect("write");
    let out = dir.path().join("out");
    let dir_arg = layouts.display().to_string();
    let mut args = BUYER.to_vec();
    args.extend(["--layouts", &dir_arg]);
    convert_ok(&input, &out, &args);
    assert_eq!(report(&out)["layout"]["name"], "vart-erp");
    // the same through the policy's [publisher]
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[publisher]\nbuyer_id = \"2120000142\"\nbuyer_name = \"T\"\nlayouts = \"layouts\"\n",
    )
    .expect("policy");
    let out2 = dir.path().join("out2");
    convert_ok(&input, &out2, &["--policy", &policy.display().to_string()]);
    assert_eq!(report(&out2)["layout"]["name"], "vart-erp");
    // a second layout that matches as well: an error naming both
    std::fs::write(
        layouts.join("copy.toml"),
        layout.replace("vart-erp", "kopia"),
    )
    .expect("layout");
    let run = convert_output(&input, &dir.path().join("out3"), &args);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("matches the layouts kopia and vart-erp equally well"),
        "{stderr}"
    );
}

/// The header of the workbook tests' sheets (city-csv's), and a row of it without the amount.
const SHEET_HEADER: [&str; 7] = [
    "forvaltning",
    "leverantor",
    "leverantor_id",
    "faktura_nr",
    "konto_nr",
    "konto_text",
    "belopp",
];
const SHEET_ROW: [&str; 6] = [
    "KS",
    "Kontorsvaror AB",
    "556610-1233",
    "F1",
    "6110",
    "Kontor",
];

#[test]
fn a_workbook_is_read_from_its_first_visible_sheet_with_a_known_header() {
    use rust_xlsxwriter::Workbook;
    let dir = temp();
    let path = dir.path().join("leverantorsfakturor-2024-05.xlsx");
    let mut wb = Workbook::new();
    let params = wb.add_worksheet().set_name("Parametrar").expect("name");
    params.write(0, 0, "Period").expect("cell");
    params.write(0, 1, "202405").expect("cell");
    params.set_hidden(true);
    let info = wb.add_worksheet().set_name("Info").expect("name");
    info.write(0, 0, "Uttag ur ekonomisystemet").expect("cell");
    let data = wb.add_worksheet().set_name("Fakturor").expect("name");
    data.write_row(0, 0, SHEET_HEADER).expect("header");
    data.write_row(1, 0, SHEET_ROW).expect("row");
    data.write(1, 6, 1250.5).expect("cell");
    // the active sheet cannot be hidden: the data sheet is the active one
    data.set_active(true);
    wb.save(&path).expect("save");

    let out = dir.path().join("out");
    convert_ok(&path, &out, BUYER);
    let report = report(&out);
    let format = &report["inputs"][0]["format"];
    assert_eq!(format["sheet"], "Fakturor");
    assert_eq!(
        format["sheet_reason"],
        "the first visible sheet whose header layout city-csv recognises"
    );
    assert_eq!(
        format["other_sheets"],
        serde_json::json!(["Parametrar (hidden)", "Info"])
    );
    assert_eq!(published_rows(&out)[0][7].to_string(), "1250.50");
    let detect = reskontra()
        .arg("detect")
        .arg(&path)
        .output()
        .expect("detect");
    let text = String::from_utf8_lossy(&detect.stdout);
    assert!(
        text.contains("sheet:        Fakturor")
            && text.contains("other sheets: Parametrar (hidden), Info"),
        "{text}"
    );
}

/// A sheet is read as a delimited file is: row n is line n, cells from column A, a row ends at
/// its last text. A table that starts in column B, rows shorter than the header (an empty last
/// column) and a note beside the table are all rows of it; a sheet of thousands of rows is
/// streamed in batches and gives every row.
#[test]
fn a_sheet_is_read_from_column_a_and_streamed_to_its_last_row() {
    use rust_xlsxwriter::Workbook;
    let dir = temp();
    let path = dir.path().join("leverantorsfakturor-2024-05.xlsx");
    let mut wb = Workbook::new();
    let data = wb.add_worksheet().set_name("Fakturor").expect("name");
    data.write(0, 1, "Leverantörsfakturor maj").expect("cell");
    data.write_row(2, 1, SHEET_HEADER).expect("header");
    data.write(2, 8, "anteckning").expect("cell");
    let rows = 5000u32;
    for i in 0..rows {
        let r = 3 + i + u32::from(i >= 10);
        data.write_row(r, 1, SHEET_ROW).expect("row");
        // every amount 1.25; the 'anteckning' column is empty
        data.write(r, 7, 1.25).expect("cell");
    }
    // a note beside the table, and a row whose amount is text
    data.write(5, 10, "kontrollera").expect("cell");
    data.write(7, 7, "saknas").expect("cell");
    wb.save(&path).expect("save");

    let out = dir.path().join("out");
    let mut args = BUYER.to_vec();
    args.extend(["--batch-rows", "700"]);
    convert_ok(&path, &out, &args);
    let report = report(&out);
    let published = published_rows(&out);
    assert_eq!(published.len(), rows as usize - 1);
    let rejected = std::fs::read_to_string(out.join("internal/rejected.csv")).expect("rejected");
    let lines: Vec<&str> = rejected.lines().collect();
    assert_eq!(lines.len(), 2, "{rejected}");
    // sheet row 8, its cells from column A (empty) up to the amount
    assert!(
        lines[1].starts_with("leverantorsfakturor-2024-05.xlsx,8,belopp: not an amount, | KS | "),
        "{rejected}"
    );
    // and padded to the header's width (the empty 'anteckning')
    assert!(lines[1].ends_with("| Kontor | saknas | "), "{rejected}");
    // the title, the blank row after the tenth data row
    assert_eq!(
        report["skipped_lines"]["title line above the header"], 1,
        "{report:#}"
    );
    assert_eq!(report["skipped_lines"]["blank line"], 2, "{report:#}");
    let total: rust_decimal::Decimal = published
        .iter()
        .map(|r| r[7].parse::<rust_decimal::Decimal>().expect("amount"))
        .sum();
    assert_eq!(
        total.to_string(),
        format!("{:.2}", f64::from(rows - 1) * 1.25)
    );
}

#[test]
fn detect_prints_the_plan_with_samples_masked_as_convert_masks_them() {
    let dir = temp();
    let nine = "811218987";
    let number = format!(
        "811218-987{}",
        reskontra::ident::luhn_check_digit(nine.as_bytes()) as char
    );
    let input = dir.path().join("lev-2024-05.csv");
    std::fs::write(
        &input,
        format!(
            "forvaltning;leverantor;leverantor_id;faktura_nr;konto_nr;konto_text;belopp\n\
             KS;Bygg AB;5566101233;1;4010;Material;10,00\n\
             KS;Privat Person;{number};2;4010;Material;20,00\n"
        ),
    )
    .unwrap();
    let out = reskontra().arg("detect").arg(&input).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("mapping:"), "{text}");
    assert!(
        text.contains("belopp               <- column 'belopp'   e.g. 10,00 | 20,00"),
        "{text}"
    );
    assert!(
        text.contains("Bygg AB | [innehåller personuppgifter]"),
        "{text}"
    );
    assert!(
        !text.contains("Privat Person") && !text.contains("811218"),
        "{text}"
    );
}
