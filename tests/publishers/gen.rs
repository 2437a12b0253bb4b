//! A journalist's download folder, generated: five publishers' files in the forms real
//! publishers put online (see shared/PUBLISHED.md), with every quirk collect must read, and
//! what a correct dataset of them holds, computed here independently of reskontra.
//!
//! - `region/`: monthly CSV, `;`, bare CR line endings, `bokforingsdatum` and `nettobelopp`
//!   (after `fakturanummer`), `-` for a missing invoice number, a name with U+2028 in it, and
//!   in the first month a sole trader published with a personnummer (a leak);
//! - `stad-a/`: row-store JSON pages (two a month), a byte-order mark inside the first key,
//!   amounts as decimal-comma strings, internal 8-digit supplier numbers, ten columns only;
//! - `stad-b/`: UTF-16 LE with a BOM, `,`, quoted decimal commas, thousands with a space, sole
//!   traders kept with name and id blanked, `SAKNAS` ids;
//! - `kommun/`: spec 1.1 CSV, `[innehåller personuppgifter]` and `*` for masked suppliers, a
//!   personnummer in an invoice text (a leak), and the second month published again corrected
//!   (`…-rattad.csv`: one amount changed, one row added);
//! - `kommun-c/`: the raw monthly XLSX report of an ERP (no buyer columns, no date), with its
//!   buyer named in `sources.toml`.
//!
//! Every name and number is made up; identity numbers are generated with valid check digits.

use std::collections::BTreeMap;
use std::path::Path;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Publishers {
    /// The months, in order (the corrected re-publication is of the second one).
    pub months: Vec<(i32, u32)>,
    /// Rows per publisher and month.
    pub rows: usize,
    /// Changes the amounts, suppliers and dates drawn.
    pub seed: u64,
    /// Also write a copy of one file under another name (the same bytes).
    pub duplicate: bool,
    /// Also write the raw ERP reports (`kommun-c/`, with `sources.toml`).
    pub raw_reports: bool,
}

/// What a correct dataset of the files holds.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    /// Per (buyer, `YYYY-MM`): rows and the sum in öre of the delivery that should be used.
    pub months: BTreeMap<(String, String), (u64, i128)>,
    /// Where a personal number was published: (file relative to the folder, line, column).
    pub leaks: Vec<(String, u64, String)>,
    /// Every file written, relative to the folder.
    pub files: Vec<String>,
    /// The buyers: (organisation number, name).
    pub buyers: Vec<(String, String)>,
    /// The corrected file and the one it corrects.
    pub correction: (String, String),
    /// Every personal number written (none may reach the dataset).
    pub personal_numbers: Vec<String>,
}

/// A Luhn check digit appended to nine digits.
pub fn with_check(nine: &str) -> String {
    let digits: Vec<u8> = nine.bytes().map(|b| b - b'0').collect();
    let mut sum = 0u32;
    for (i, d) in digits.iter().enumerate() {
        let mut v = u32::from(*d) * if i % 2 == 0 { 2 } else { 1 };
        if v > 9 {
            v -= 9;
        }
        sum += v;
    }
    format!("{nine}{}", (10 - sum % 10) % 10)
}

/// A small deterministic generator (splitmix64).
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// An amount in öre: mostly 1–50 000 kr, now and then a credit.
    fn cents(&mut self) -> i128 {
        let v = i128::from(100 + self.below(5_000_000));
        if self.below(20) == 0 {
            -v
        } else {
            v
        }
    }
}

/// An amount in öre as text with a decimal mark and a thousands separator (none: `""`).
fn amount(cents: i128, mark: char, thousands: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let v = cents.unsigned_abs();
    let whole = (v / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push_str(thousands);
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}{mark}{:02}", v % 100)
}

/// The companies every publisher buys from: (name, organisation number).
fn companies() -> Vec<(String, String)> {
    let names = [
        "Nordisk Kontorsvaror AB",
        "Bygg & Mark i Väst AB",
        "IT-Drift Norr AB",
        "Städservice Syd AB",
        "Livsmedel Norr ek. för.",
        "Konsultbolaget Mitt AB",
        "Skolbuss Öst HB",
        "Medicinteknik Syd AB",
    ];
    names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            (
                n.to_string(),
                with_check(&format!("55661{:04}", 1000 + i * 37)),
            )
        })
        .collect()
}

/// A made-up personnummer (born in the 1970s or 80s).
fn personnummer(draw: &mut Draw) -> String {
    let year = 70 + draw.below(20);
    let month = 1 + draw.below(12);
    let day = 1 + draw.below(28);
    with_check(&format!(
        "{year:02}{month:02}{day:02}{:03}",
        draw.below(1000)
    ))
}

/// One posting line of a generated month.
#[derive(Clone)]
struct Line {
    voucher: String,
    supplier: String,
    id: String,
    account: String,
    account_text: String,
    cents: i128,
    day: u32,
    admin: String,
    invoice: String,
}

fn month_lines(draw: &mut Draw, prefix: &str, rows: usize) -> Vec<Line> {
    let companies = companies();
    let accounts = [
        ("6110", "Kontorsmateriel"),
        ("7010", "Entreprenad"),
        ("6540", "IT-tjänster"),
        ("4630", "Städtjänster"),
    ];
    let admins = ["Kommunstyrelsen", "Tekniska nämnden", "Socialnämnden"];
    (0..rows)
        .map(|i| {
            let (name, id) = &companies[draw.below(companies.len() as u64) as usize];
            let (account, text) = accounts[draw.below(accounts.len() as u64) as usize];
            Line {
                voucher: format!("{prefix}{:05}", i / 2 + 1),
                supplier: name.clone(),
                id: id.clone(),
                account: account.into(),
                account_text: text.into(),
                cents: draw.cents(),
                day: 1 + draw.below(28) as u32,
                admin: admins[draw.below(3) as usize].into(),
                invoice: format!("F{}", 1000 + draw.below(9000)),
            }
        })
        .collect()
}

fn write(dir: &Path, rel: &str, bytes: &[u8], expected: &mut Expected) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(&path, bytes).expect("write");
    expected.files.push(rel.to_string());
}

fn tally(expected: &mut Expected, buyer: &str, (y, m): (i32, u32), lines: &[Line]) {
    let entry = expected
        .months
        .entry((buyer.to_string(), format!("{y}-{m:02}")))
        .or_insert((0, 0));
    entry.0 += lines.len() as u64;
    entry.1 += lines.iter().map(|l| l.cents).sum::<i128>();
}

/// Write the folder; returns what a correct dataset of it holds.
pub fn write_publishers(dir: &Path, p: &Publishers) -> Expected {
    let mut draw = Draw(p.seed);
    let mut e = Expected::default();
    let region = (with_check("232100994"), "Region Exempelland".to_string());
    let stad_a = (with_check("212000991"), "Exempelstad A".to_string());
    let stad_b = (with_check("212000992"), "Exempelstad B".to_string());
    let kommun = (with_check("212000993"), "Exempelby kommun".to_string());
    let kommun_c = (with_check("212000995"), "Exempelö kommun".to_string());
    e.buyers = vec![
        region.clone(),
        stad_a.clone(),
        stad_b.clone(),
        kommun.clone(),
        kommun_c.clone(),
    ];
    for (i, &(y, m)) in p.months.iter().enumerate() {
        let ym = format!("{y}-{m:02}");
        // the region
        let mut lines = month_lines(&mut draw, "R", p.rows);
        if let Some(l) = lines.get_mut(1) {
            l.supplier = "Bygg\u{2028}Service Väst AB".into();
        }
        let rel = format!("region/region-{ym}.csv");
        if i == 0 {
            let pnr = personnummer(&mut draw);
            if let Some(l) = lines.get_mut(2) {
                l.supplier = "Fotvård Lind".into();
                l.id = format!("{}-{}", &pnr[..6], &pnr[6..]);
            }
            e.personal_numbers.push(pnr);
            e.leaks.push((rel.clone(), 4, "leverantor_id".into()));
        }
        let mut text = String::from("kopare_id;kopare;verifikationsnummer;leverantor;leverantor_id;konto_nr;konto_text;bokforingsdatum;forvaltning;fakturanummer;nettobelopp;grund;avtal;kommun_id;s_kod_nr");
        for l in &lines {
            text.push('\r');
            text.push_str(&format!(
                "{};{};{};{};{};{};{};{y}-{m:02}-{:02};{};-;{};;;;S11001",
                region.0,
                region.1,
                l.voucher,
                l.supplier,
                l.id,
                l.account,
                l.account_text,
                l.day,
                l.admin,
                amount(l.cents, '.', "")
            ));
        }
        text.push('\r');
        write(dir, &rel, text.as_bytes(), &mut e);
        tally(&mut e, &region.0, (y, m), &lines);

        // the row-store city: two pages a month
        let lines = month_lines(&mut draw, "A", p.rows);
        let half = lines.len().div_ceil(2);
        for (page, chunk) in lines.chunks(half.max(1)).enumerate() {
            let objects: Vec<String> = chunk
                .iter()
                .enumerate()
                .map(|(k, l)| {
                    let number = 10_000_000 + (l.id.as_bytes()[7] as u64) * 1_111;
                    let bom = if k == 0 { "\u{feff}" } else { "" };
                    format!(
                        "{{\"{bom}kopare_id\":\"{}\",\"kopare\":\"{}\",\"verifikationsnummer\":\"{}\",\"leverantor\":\"{}\",\"leverantor_id\":\"{number}\",\"konto_nr\":\"{}\",\"konto_text\":\"{}\",\"belopp\":\"{}\",\"datum\":\"{y}-{m:02}-{:02}\",\"kommun_id\":\"1980\"}}",
                        stad_a.0, stad_a.1, l.voucher, l.supplier, l.account, l.account_text,
                        amount(l.cents, ',', ""), l.day
                    )
                })
                .collect();
            let text = format!(
                "{{\"next\":null,\"resultCount\":{},\"offset\":{},\"limit\":{half},\"queryTime\":3,\"results\":[{}]}}",
                lines.len(),
                page * half,
                objects.join(",")
            );
            let rel = format!("stad-a/leverantorsreskontra-{ym}-sida{}.json", page + 1);
            write(dir, &rel, text.as_bytes(), &mut e);
        }
        tally(&mut e, &stad_a.0, (y, m), &lines);

        // the UTF-16 city
        let mut lines = month_lines(&mut draw, "B", p.rows);
        let mut text = String::from("\u{feff}kopare_id,kopare,verifikationsnummer,leverantor,leverantor_id,konto_nr,konto_text,belopp,datum,forvaltning,fakturanummer,grund,avtal,kommun_id,s_kod_nr\r\n");
        for (k, l) in lines.iter_mut().enumerate() {
            if k % 7 == 3 {
                // a sole trader: the row kept, name and id blanked
                l.supplier = String::new();
                l.id = String::new();
            } else if k % 11 == 5 {
                l.id = "SAKNAS".into();
            }
            text.push_str(&format!(
                "{},{},{},\"{}\",{},{},{},\"{}\",{y}-{m:02}-{:02},{},{},,,1480,\r\n",
                stad_b.0,
                stad_b.1,
                l.voucher,
                l.supplier,
                l.id,
                l.account,
                l.account_text,
                amount(l.cents, ',', " "),
                l.day,
                l.admin,
                l.invoice
            ));
        }
        let mut bytes = Vec::with_capacity(text.len() * 2);
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        write(
            dir,
            &format!("stad-b/leverantorsreskontra-{ym}.csv"),
            &bytes,
            &mut e,
        );
        tally(&mut e, &stad_b.0, (y, m), &lines);

        // the small municipality, in the spec's own form
        let mut lines = month_lines(&mut draw, "K", p.rows);
        if let Some(l) = lines.get_mut(0) {
            l.supplier = "[innehåller personuppgifter]".into();
            l.id = String::new();
        }
        if let Some(l) = lines.get_mut(1) {
            l.supplier = "*".into();
            l.id = "*".into();
        }
        let rel = format!("kommun/leverantorsreskontra-{ym}.csv");
        if i == 0 {
            let pnr = personnummer(&mut draw);
            if let Some(l) = lines.get_mut(3) {
                l.invoice = format!("Avser {}-{}", &pnr[..6], &pnr[6..]);
            }
            e.personal_numbers.push(pnr);
            e.leaks.push((rel.clone(), 5, "fakturanummer".into()));
        }
        let spec_csv = |lines: &[Line]| {
            let mut text = String::from("kopare_id,kopare,verifikationsnummer,leverantor,leverantor_id,konto_nr,konto_text,belopp,datum,forvaltning,fakturanummer,grund,avtal,kommun_id,s_kod_nr\n");
            for l in lines {
                text.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{y}-{m:02}-{:02},{},{},Upphandling,,0180,S11001\n",
                    kommun.0,
                    kommun.1,
                    l.voucher,
                    l.supplier,
                    l.id,
                    l.account,
                    l.account_text,
                    amount(l.cents, '.', ""),
                    l.day,
                    l.admin,
                    l.invoice
                ));
            }
            text
        };
        write(dir, &rel, spec_csv(&lines).as_bytes(), &mut e);
        if p.duplicate && i == 0 {
            let copy = format!("kommun/kopia/leverantorsreskontra-{ym}.csv");
            write(dir, &copy, spec_csv(&lines).as_bytes(), &mut e);
        }
        if i == 1 {
            // the corrected re-publication: one amount changed, one row added
            let mut corrected = lines.clone();
            if let Some(l) = corrected.get_mut(2) {
                l.cents += 10_000;
            }
            let mut extra = corrected[0].clone();
            extra.voucher = "K99999".into();
            extra.supplier = "Nordisk Kontorsvaror AB".into();
            extra.id = companies()[0].1.clone();
            extra.cents = 123_456;
            corrected.push(extra);
            let fixed = format!("kommun/leverantorsreskontra-{ym}-rattad.csv");
            write(dir, &fixed, spec_csv(&corrected).as_bytes(), &mut e);
            e.correction = (fixed, rel.clone());
            tally(&mut e, &kommun.0, (y, m), &corrected);
        } else {
            tally(&mut e, &kommun.0, (y, m), &lines);
        }

        // the raw ERP report without buyer columns or dates
        if !p.raw_reports {
            continue;
        }
        let lines = month_lines(&mut draw, "C", p.rows);
        let mut wb = rust_xlsxwriter::Workbook::new();
        // a fixed creation time: the same folder gives the same bytes
        let created = rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1).expect("date");
        wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
        let ws = wb.add_worksheet();
        ws.write(0, 0, format!("Leverantörsfakturor {ym}"))
            .expect("cell");
        let header = [
            "RN1/FÖRVALTNING",
            "LEVERANTÖR",
            "ORGANISATIO",
            "FAKT NR",
            "KONTO",
            "UTFALL",
        ];
        for (c, h) in header.iter().enumerate() {
            ws.write(2, c as u16, *h).expect("cell");
        }
        for (r, l) in lines.iter().enumerate() {
            let row = 3 + r as u32;
            ws.write(row, 0, format!("KS {}", l.admin)).expect("cell");
            ws.write(row, 1, l.supplier.to_uppercase()).expect("cell");
            ws.write(row, 2, l.id.as_str()).expect("cell");
            ws.write(row, 3, l.invoice.as_str()).expect("cell");
            ws.write(row, 4, format!("{} {}", l.account, l.account_text))
                .expect("cell");
            ws.write(row, 5, l.cents as f64 / 100.0).expect("cell");
        }
        let rel = format!("kommun-c/Leverantörsfakturor {ym}.xlsx");
        let path = dir.join(&rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        wb.save(&path).expect("save");
        e.files.push(rel);
        tally(&mut e, &kommun_c.0, (y, m), &lines);
    }
    if !p.raw_reports {
        e.buyers.pop();
        return e;
    }
    let sources = format!(
        "# The raw reports of Exempelö kommun carry no buyer: name it here.\n\
         [[source]]\npath = \"kommun-c\"\nkopare_id = \"{}\"\nkopare = \"{}\"\nkommun_id = \"1880\"\n",
        kommun_c.0, kommun_c.1
    );
    write(dir, "sources.toml", sources.as_bytes(), &mut e);
    e
}
