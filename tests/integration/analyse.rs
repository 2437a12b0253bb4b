//! `reskontra analyse`: a generated dataset with planted patterns (suppliers just over and
//! under each direct-procurement limit in each period, split invoices inside and outside the
//! window, duplicate payments of both kinds, a supplier paid by several buyers, masked persons
//! with large sums, a name without an id matched to its organisation number), collected by
//! `reskontra collect`, analysed, and every table compared with what the rows hold, computed
//! here in plain Rust; the DuckDB queries of docs/analyse.md give the same numbers; the
//! report opens in a real browser with no console message and no request; every error path.

use crate::common::*;
use crate::publishers::with_check;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One posting line as the generator writes it, with what it should count as.
#[derive(Debug, Clone)]
struct Row {
    buyer: usize,
    voucher: String,
    supplier: String,
    id: String,
    account: &'static str,
    ore: i128,
    date: (i32, u32, u32),
    invoice: String,
    avtal: String,
    /// The supplier key the analysis must give the row (known from how it was planted).
    key: String,
}

impl Row {
    fn year(&self) -> i32 {
        self.date.0
    }
    fn month(&self) -> u32 {
        self.date.1
    }
    fn day(&self) -> String {
        format!("{}-{:02}-{:02}", self.date.0, self.date.1, self.date.2)
    }
    /// The invoice: its supplier's key and number, else its voucher.
    fn invoice_key(&self) -> String {
        if self.invoice.is_empty() {
            format!("v|{}", self.voucher)
        } else {
            format!("f|{}|{}", self.key, self.invoice)
        }
    }
}

const MASKED: &str = "maskerad";

struct Planted {
    buyers: Vec<(String, String)>,
    rows: Vec<Row>,
    /// The months each buyer delivers.
    months: Vec<BTreeSet<(i32, u32)>>,
    ids: BTreeMap<&'static str, String>,
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
        self.next() % n
    }
}

const BACKGROUND: [&str; 6] = [
    "Nordisk Kontorsvaror AB",
    "Bygg & Mark Väst AB",
    "IT-Drift Norr AB",
    "Städservice Syd AB",
    "Livsmedel Norr ek. för.",
    "Konsultbolaget Mitt AB",
];

const PLANTED: [&str; 16] = [
    "Över Nittonde AB",
    "Under Nittonde AB",
    "Över Tjugoett AB",
    "Under Tjugoett AB",
    "Över Januari AB",
    "Under Januari AB",
    "Över Februari AB",
    "Över Tjugotre AB",
    "Under Tjugotre AB",
    "LUF Över AB",
    "LUF Under AB",
    "Delad Leverans AB",
    "Utspridd AB",
    "Dubbel AB",
    "Samma Dag AB",
    "Gemensam Leverantör AB",
];

fn plant(seed: u64) -> Planted {
    let mut draw = Draw(seed);
    let buyers = vec![
        (with_check("212000981"), "Planteby kommun".to_string()),
        (with_check("212000982"), "Dubbelstad".to_string()),
        (with_check("212000983"), "Namnköping kommun".to_string()),
    ];
    let mut ids: BTreeMap<&'static str, String> = BTreeMap::new();
    for (i, name) in BACKGROUND.iter().chain(PLANTED.iter()).enumerate() {
        ids.insert(name, with_check(&format!("55670{:04}", 1000 + i * 13)));
    }
    let mut all_months: Vec<(i32, u32)> = vec![(2019, 1), (2019, 2), (2021, 1), (2021, 2)];
    all_months.extend([(2022, 1), (2022, 2), (2022, 3)]);
    all_months.extend((1..=6).map(|m| (2023, m)));
    let mut months = Vec::new();
    for b in 0..buyers.len() {
        let set: BTreeSet<(i32, u32)> = all_months
            .iter()
            .copied()
            .filter(|m| !(b == 1 && *m == (2023, 3)))
            .collect();
        months.push(set);
    }
    let mut rows = Vec::new();
    // the background: six vouchers a month, each one invoice on two accounts, small sums
    for (b, set) in months.iter().enumerate() {
        for &(y, m) in set {
            for n in 0..6 {
                let supplier = BACKGROUND[draw.below(6) as usize];
                let day = 1 + draw.below(28) as u32;
                let voucher = format!("V{}{m:02}-{b}{n}", y % 100);
                let invoice = if b == 2 {
                    String::new()
                } else {
                    format!("F{}{m:02}-{n}", y % 100)
                };
                for account in ["6110", "6540"] {
                    rows.push(Row {
                        buyer: b,
                        voucher: voucher.clone(),
                        supplier: supplier.into(),
                        id: ids[supplier].clone(),
                        account,
                        ore: 10_000 + i128::from(draw.below(490_000)),
                        date: (y, m, day),
                        invoice: invoice.clone(),
                        avtal: String::new(),
                        key: ids[supplier].clone(),
                    });
                }
            }
        }
    }
    let mut invoice =
        |b: usize, name: &'static str, ore: i128, date: (i32, u32, u32), no: &str, avtal: &str| {
            // one invoice booked on two accounts: two rows
            let half = ore / 2;
            for (account, part) in [("7010", half), ("7020", ore - half)] {
                rows.push(Row {
                    buyer: b,
                    voucher: format!("P-{no}"),
                    supplier: name.into(),
                    id: ids[name].clone(),
                    account,
                    ore: part,
                    date,
                    invoice: no.into(),
                    avtal: avtal.into(),
                    key: ids[name].clone(),
                });
            }
        };
    // just over and just under each limit, one invoice each
    invoice(0, "Över Nittonde AB", 58_690_701, (2019, 2, 5), "O19", "");
    invoice(0, "Under Nittonde AB", 58_690_700, (2019, 2, 5), "U19", "");
    invoice(0, "Över Tjugoett AB", 61_531_201, (2021, 2, 5), "O21", "");
    invoice(0, "Under Tjugoett AB", 61_531_200, (2021, 2, 5), "U21", "");
    invoice(0, "Över Januari AB", 62_628_401, (2022, 1, 20), "O22", "");
    invoice(0, "Under Januari AB", 62_628_400, (2022, 1, 20), "U22", "");
    invoice(0, "Över Februari AB", 70_000_001, (2022, 3, 10), "O22F", "");
    invoice(0, "Över Tjugotre AB", 70_000_001, (2023, 2, 20), "O23", "");
    invoice(0, "Under Tjugotre AB", 70_000_000, (2023, 2, 20), "U23", "");
    invoice(0, "LUF Över AB", 120_000_001, (2023, 2, 21), "L1", "AVT-1");
    invoice(0, "LUF Under AB", 120_000_000, (2023, 2, 21), "L2", "");
    // a split purchase: three invoices of 250 000 kr within 20 days
    invoice(0, "Delad Leverans AB", 25_000_000, (2023, 3, 1), "S-1", "");
    invoice(0, "Delad Leverans AB", 25_000_000, (2023, 3, 10), "S-2", "");
    invoice(0, "Delad Leverans AB", 25_000_000, (2023, 3, 20), "S-3", "");
    // two invoices of 400 000 kr 73 days apart: outside a 30-day window
    invoice(0, "Utspridd AB", 40_000_000, (2023, 2, 1), "U-1", "");
    invoice(0, "Utspridd AB", 40_000_000, (2023, 4, 15), "U-2", "");
    let single = |b: usize,
                  name: &'static str,
                  voucher: &str,
                  invoice: &str,
                  ore: i128,
                  date: (i32, u32, u32)| Row {
        buyer: b,
        voucher: voucher.into(),
        supplier: name.into(),
        id: ids[name].clone(),
        account: "6110",
        ore,
        date,
        invoice: invoice.into(),
        avtal: String::new(),
        key: ids[name].clone(),
    };
    // duplicate payments: the same invoice under two vouchers; the same day and amount
    rows.push(single(
        1,
        "Dubbel AB",
        "D-1",
        "F-77",
        1_234_567,
        (2023, 4, 3),
    ));
    rows.push(single(
        1,
        "Dubbel AB",
        "D-2",
        "F-77",
        1_234_567,
        (2023, 5, 10),
    ));
    rows.push(single(
        1,
        "Samma Dag AB",
        "E-1",
        "E-1",
        500_000,
        (2023, 4, 12),
    ));
    rows.push(single(
        1,
        "Samma Dag AB",
        "E-2",
        "E-2",
        500_000,
        (2023, 4, 12),
    ));
    // a supplier every buyer pays
    for b in 0..3 {
        for m in [1, 2, 4] {
            rows.push(single(
                b,
                "Gemensam Leverantör AB",
                &format!("G-{b}-{m}"),
                &format!("G{b}{m}"),
                (b as i128 + 1) * 1_000_000 + i128::from(m) * 100,
                (2023, m, 15),
            ));
        }
    }
    // masked persons with large sums: the publisher's marker, and a sole trader by number
    for n in 0..40 {
        rows.push(Row {
            buyer: 0,
            voucher: format!("M-{n}"),
            supplier: "[innehåller personuppgifter]".into(),
            id: String::new(),
            account: "4630",
            ore: 10_000_000,
            date: (2023, 5, 1 + n % 28),
            invoice: String::new(),
            avtal: String::new(),
            key: MASKED.into(),
        });
    }
    rows.push(Row {
        buyer: 0,
        voucher: "M-pnr".into(),
        supplier: "Fotvård Andersson".into(),
        id: personnummer(),
        account: "4630",
        ore: 90_000_000,
        date: (2023, 5, 2),
        invoice: "FA-1".into(),
        avtal: String::new(),
        key: MASKED.into(),
    });
    // a name without an id, matched to its organisation number; a name alone
    for n in 0..3 {
        rows.push(Row {
            buyer: 2,
            voucher: format!("N-{n}"),
            supplier: "NORDISK KONTORSVAROR AB".into(),
            id: String::new(),
            account: "6110",
            ore: 77_700 + n,
            date: (2023, 1, 10 + n as u32),
            invoice: String::new(),
            avtal: String::new(),
            key: ids["Nordisk Kontorsvaror AB"].clone(),
        });
    }
    rows.push(single(
        2,
        "Nordisk Kontorsvaror AB",
        "N-id",
        "",
        55_500,
        (2023, 1, 9),
    ));
    for n in 0..2 {
        rows.push(Row {
            buyer: 1,
            voucher: format!("NB-{n}"),
            supplier: "Namnbolaget AB".into(),
            id: String::new(),
            account: "6110",
            ore: 33_300,
            date: (2023, 2, 3 + 14 * n as u32),
            invoice: format!("NB{n}"),
            avtal: String::new(),
            key: "namn:namnbolaget ab".into(),
        });
    }
    Planted {
        buyers,
        rows,
        months,
        ids,
    }
}

/// A made-up personnummer with a valid check digit (born 1978-03-12).
fn personnummer() -> String {
    with_check("780312123")
}

/// Write each buyer's months as spec 1.1 CSV files under `dir`.
fn write_files(p: &Planted, dir: &Path) {
    for (b, (id, name)) in p.buyers.iter().enumerate() {
        for &(y, m) in &p.months[b] {
            let mut text = format!("{}\n", reskontra::spec::HEADER);
            for r in p
                .rows
                .iter()
                .filter(|r| r.buyer == b && r.year() == y && r.month() == m)
            {
                text.push_str(&format!(
                    "{id},{name},{},\"{}\",{},{},Konto {},{},{},Nämnd,{},,{},0180,\n",
                    r.voucher,
                    r.supplier,
                    r.id,
                    r.account,
                    r.account,
                    reskontra::amount::ore_text(r.ore),
                    r.day(),
                    r.invoice,
                    r.avtal
                ));
            }
            let path = dir.join(format!("kopare-{b}/leverantorsreskontra-{y}-{m:02}.csv"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = reskontra();
    cmd.current_dir(dir).args(args);
    cmd.output().expect("run reskontra")
}

fn run_ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A CSV table as rows of column → value.
fn table(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The chosen columns of a table's rows, joined by `|`, in the table's order.
fn columns(rows: &[BTreeMap<String, String>], names: &[&str]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            names
                .iter()
                .map(|n| {
                    r.get(*n)
                        .cloned()
                        .unwrap_or_else(|| panic!("no column {n}"))
                })
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

/// `part / whole` in per cent, rounded half away from zero to two decimals, as text.
fn percent_text(part: i128, whole: i128) -> String {
    if whole == 0 {
        return "0.00".into();
    }
    let num = part * 10_000;
    let mut q = num / whole;
    let r = num % whole;
    if 2 * r.abs() >= whole.abs() {
        q += if (num < 0) != (whole < 0) { -1 } else { 1 };
    }
    reskontra::amount::ore_text(q)
}

/// A supplier's year at a buyer: its sum, rows and invoices.
type Tally = (i128, u64, BTreeSet<String>);

/// What the rows hold per buyer, year and supplier key.
fn supplier_years(p: &Planted) -> BTreeMap<(String, i32, String), Tally> {
    let mut out: BTreeMap<(String, i32, String), Tally> = BTreeMap::new();
    for r in &p.rows {
        let e = out
            .entry((p.buyers[r.buyer].0.clone(), r.year(), r.key.clone()))
            .or_default();
        e.0 += r.ore;
        e.1 += 1;
        e.2.insert(r.invoice_key());
    }
    out
}

fn expected_largest(p: &Planted) -> Vec<String> {
    let years = supplier_years(p);
    let mut by: BTreeMap<(String, i32), Vec<(&String, &Tally)>> = BTreeMap::new();
    for ((b, y, k), v) in &years {
        by.entry((b.clone(), *y)).or_default().push((k, v));
    }
    let mut out = Vec::new();
    for ((b, y), mut list) in by {
        let total: i128 = list.iter().map(|(_, v)| v.0).sum();
        list.sort_by(|a, c| {
            (a.0 == MASKED, std::cmp::Reverse(a.1 .0), a.0).cmp(&(
                c.0 == MASKED,
                std::cmp::Reverse(c.1 .0),
                c.0,
            ))
        });
        for (rank, (k, v)) in list.iter().enumerate() {
            let rang = if *k == MASKED {
                String::new()
            } else {
                (rank + 1).to_string()
            };
            out.push(format!(
                "{b}|{y}|{rang}|{k}|{}|{}|{}|{}",
                reskontra::amount::ore_text(v.0),
                v.1,
                v.2.len(),
                percent_text(v.0, total)
            ));
        }
    }
    out
}

/// The lowest LOU and LUF limits of a year, in öre (the table of the issue).
fn limits_of(year: i32) -> Option<(i128, i128)> {
    match year {
        2018 | 2019 => Some((58_690_700, 109_243_600)),
        2020 | 2021 => Some((61_531_200, 114_272_300)),
        2022 => Some((62_628_400, 116_580_400)),
        y if y >= 2023 => Some((70_000_000, 120_000_000)),
        _ => None,
    }
}

fn expected_over_limit(p: &Planted) -> Vec<String> {
    let mut out = Vec::new();
    let avtal: BTreeMap<&String, usize> =
        p.rows
            .iter()
            .filter(|r| !r.avtal.is_empty())
            .fold(BTreeMap::new(), |mut m, r| {
                *m.entry(&r.key).or_default() += 1;
                m
            });
    for ((b, y, k), (ore, rows, _)) in supplier_years(p) {
        let Some((lou, luf)) = limits_of(y) else {
            continue;
        };
        if k == MASKED || ore <= lou {
            continue;
        }
        out.push(format!(
            "{b}|{y}|{k}|{}|{}|{}|{}|{rows}|{}",
            reskontra::amount::ore_text(ore),
            reskontra::amount::ore_text(lou),
            if ore > luf { "ja" } else { "nej" },
            if y == 2022 { "ja" } else { "nej" },
            avtal.get(&k).copied().unwrap_or(0)
        ));
    }
    out.sort();
    out
}

/// Per buyer and month: rows, invoices, vouchers, sum.
fn expected_invoices(p: &Planted) -> Vec<String> {
    // rows, invoices, vouchers, sum
    type Month = (u64, BTreeSet<String>, BTreeSet<String>, i128);
    let mut by: BTreeMap<(String, i32, u32), Month> = BTreeMap::new();
    for r in &p.rows {
        let e = by
            .entry((p.buyers[r.buyer].0.clone(), r.year(), r.month()))
            .or_default();
        e.0 += 1;
        e.1.insert(r.invoice_key());
        e.2.insert(r.voucher.clone());
        e.3 += r.ore;
    }
    by.into_iter()
        .map(|((b, y, m), (n, inv, ver, ore))| {
            format!(
                "{b}|{y}|{m:02}|{n}|{}|{}|{}",
                inv.len(),
                ver.len(),
                reskontra::amount::ore_text(ore)
            )
        })
        .collect()
}

fn expected_new_suppliers(p: &Planted) -> Vec<String> {
    let years = supplier_years(p);
    let mut out = Vec::new();
    for ((b, y, k), (ore, _, _)) in &years {
        let had_year_before = years.keys().any(|(b2, y2, _)| b2 == b && *y2 == y - 1);
        let known = years.contains_key(&(b.clone(), y - 1, k.clone()));
        if had_year_before && !known && k != MASKED {
            out.push(format!("{b}|{y}|{k}|{}", reskontra::amount::ore_text(*ore)));
        }
    }
    out
}

/// Per buyer and year: the sum, the masked sum, the suppliers above 0, the Herfindahl index
/// (exact until rounded half away from zero to two decimals).
fn expected_concentration(p: &Planted) -> Vec<String> {
    let years = supplier_years(p);
    let mut by: BTreeMap<(String, i32), Vec<(String, i128)>> = BTreeMap::new();
    for ((b, y, k), (ore, _, _)) in years {
        by.entry((b, y)).or_default().push((k, ore));
    }
    by.into_iter()
        .map(|((b, y), list)| {
            let total: i128 = list.iter().map(|(_, s)| s).sum();
            let masked: i128 = list
                .iter()
                .filter(|(k, _)| k == MASKED)
                .map(|(_, s)| s)
                .sum();
            let positive: Vec<i128> = list
                .iter()
                .filter(|(k, s)| k != MASKED && *s > 0)
                .map(|(_, s)| *s)
                .collect();
            let whole: i128 = positive.iter().sum();
            let squares: i128 = positive.iter().map(|s| s * s).sum();
            // 10 000 × Σ s² / S², to two decimals
            let num = squares * 10_000 * 100;
            let den = whole * whole;
            let mut q = num / den;
            if 2 * (num % den) >= den {
                q += 1;
            }
            format!(
                "{b}|{y}|{}|{}|{}|{}",
                reskontra::amount::ore_text(total),
                reskontra::amount::ore_text(masked),
                positive.len(),
                reskontra::amount::ore_text(q)
            )
        })
        .collect()
}

/// Collect the planted files into a dataset; returns (folder, dataset, files).
fn collected(seed: u64) -> (tempfile::TempDir, Planted) {
    let dir = temp();
    let p = plant(seed);
    write_files(&p, &dir.path().join("pub"));
    run_ok(dir.path(), &["collect", "pub", "-q", "-o", "dataset"]);
    (dir, p)
}

#[test]
fn every_table_holds_what_the_planted_rows_hold() {
    let (dir, p) = collected(7);
    let d = dir.path();
    run_ok(
        d,
        &[
            "analyse",
            "dataset",
            "-o",
            "out",
            "--supplier",
            "Gemensam Leverantör AB",
        ],
    );
    let out = d.join("out");
    // 1. the largest suppliers, every one ranked, the masked persons one line, never ranked
    let largest = table(&out.join("storsta-leverantorer.csv"));
    assert_eq!(
        columns(
            &largest,
            &[
                "kopare_id",
                "ar",
                "rang",
                "leverantor_nyckel",
                "summa",
                "rader",
                "fakturor",
                "andel_procent"
            ]
        ),
        expected_largest(&p)
    );
    let masked: Vec<_> = largest
        .iter()
        .filter(|r| r["leverantor_nyckel"] == MASKED)
        .collect();
    assert!(!masked.is_empty());
    for r in &masked {
        assert_eq!(
            r["leverantor"],
            "privatpersoner och enskilda firmor (maskerade)"
        );
        assert_eq!(r["rang"], "");
    }
    // the masked persons are the largest sum at Planteby 2023, and still not rank 1
    let planteby = &p.buyers[0].0;
    let first = largest
        .iter()
        .find(|r| &r["kopare_id"] == planteby && r["ar"] == "2023" && r["rang"] == "1")
        .unwrap();
    assert_ne!(first["leverantor_nyckel"], MASKED);
    // a name without an id counted under its organisation number, and flagged
    let nordisk = largest
        .iter()
        .find(|r| {
            r["kopare_id"] == p.buyers[2].0
                && r["ar"] == "2023"
                && r["leverantor_id"] == p.ids["Nordisk Kontorsvaror AB"]
        })
        .unwrap();
    assert_eq!(
        nordisk["matchning"], "organisationsnummer och namn",
        "{nordisk:?}"
    );
    assert_eq!(nordisk["rader_namnmatchade"], "3");
    assert!(largest
        .iter()
        .any(|r| r["leverantor_nyckel"] == "namn:namnbolaget ab" && r["matchning"] == "namn"));
    // no personal number and no sole trader's name anywhere
    for (rel, bytes) in files_below(&out) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&personnummer()), "{rel}");
        assert!(!text.contains("780312"), "{rel}");
        assert!(!text.contains("Fotvård Andersson"), "{rel}");
    }

    // 2. over the limit: just over is listed, just under (the limit itself) is not
    let over = table(&out.join("over-direktupphandlingsgransen.csv"));
    let mut got = columns(
        &over,
        &[
            "kopare_id",
            "ar",
            "leverantor_nyckel",
            "summa",
            "grans_lou",
            "over_luf",
            "tva_granser",
            "rader",
            "rader_med_avtal",
        ],
    );
    got.sort();
    assert_eq!(got, expected_over_limit(&p));
    let listed: BTreeSet<&str> = over.iter().map(|r| r["leverantor"].as_str()).collect();
    for name in [
        "Över Nittonde AB",
        "Över Tjugoett AB",
        "Över Januari AB",
        "Över Februari AB",
        "Över Tjugotre AB",
        "LUF Över AB",
        "LUF Under AB",
        "Delad Leverans AB",
        "Utspridd AB",
    ] {
        assert!(listed.contains(name), "{name} missing: {listed:?}");
    }
    for name in [
        "Under Nittonde AB",
        "Under Tjugoett AB",
        "Under Januari AB",
        "Under Tjugotre AB",
    ] {
        assert!(!listed.contains(name), "{name} listed");
    }
    assert!(!over.iter().any(|r| r["leverantor_nyckel"] == MASKED));
    let jan = over
        .iter()
        .find(|r| r["leverantor"] == "Över Januari AB")
        .unwrap();
    assert_eq!(
        jan["granser_under_aret"],
        "626284.00 (2022-01-01–2022-01-31); 700000.00 (2022-02-01–)"
    );

    // 3. split purchases: the three invoices within 20 days, not the two 73 days apart
    let splits = table(&out.join("mojliga-uppdelade-kop.csv"));
    let delad = &p.ids["Delad Leverans AB"];
    assert_eq!(
        columns(&splits, &["grupp", "kopare_id", "leverantor_nyckel", "grupp_fran", "grupp_till", "grupp_fakturor", "grupp_summa", "grans", "fakturanummer", "datum", "belopp"]),
        ["S-1|2023-03-01", "S-2|2023-03-10", "S-3|2023-03-20"]
            .iter()
            .map(|i| {
                let (no, day) = i.split_once('|').unwrap();
                format!("1|{planteby}|{delad}|2023-03-01|2023-03-20|3|750000.00|700000.00|{no}|{day}|250000.00")
            })
            .collect::<Vec<_>>()
    );

    // 4. duplicate payments: one group of each kind, each with its two vouchers
    let dups = table(&out.join("mojliga-dubbelbetalningar.csv"));
    let dubbelstad = &p.buyers[1].0;
    assert_eq!(
        columns(
            &dups,
            &[
                "grupp",
                "typ",
                "kopare_id",
                "leverantor",
                "belopp",
                "verifikationsnummer",
                "fakturanummer",
                "datum"
            ]
        ),
        [
            format!("1|samma fakturanummer|{dubbelstad}|Dubbel AB|12345.67|D-1|F-77|2023-04-03"),
            format!("1|samma fakturanummer|{dubbelstad}|Dubbel AB|12345.67|D-2|F-77|2023-05-10"),
            format!("2|samma datum|{dubbelstad}|Samma Dag AB|5000.00|E-1|E-1|2023-04-12"),
            format!("2|samma datum|{dubbelstad}|Samma Dag AB|5000.00|E-2|E-2|2023-04-12"),
        ]
    );

    // 5. the supplier every buyer pays, month by month at each buyer
    let time = table(&out.join("leverantor-over-tid.csv"));
    let gemensam = &p.ids["Gemensam Leverantör AB"];
    let mut want = Vec::new();
    for (b, (id, _)) in p.buyers.iter().enumerate() {
        for m in [1u32, 2, 4] {
            let ore = (b as i128 + 1) * 1_000_000 + i128::from(m) * 100;
            want.push(format!(
                "{gemensam}|{id}|2023|{m:02}|{}|1|1",
                reskontra::amount::ore_text(ore)
            ));
        }
    }
    assert_eq!(
        columns(
            &time,
            &[
                "leverantor_nyckel",
                "kopare_id",
                "ar",
                "manad",
                "summa",
                "rader",
                "fakturor"
            ]
        ),
        want
    );

    // 6. invoices and rows per buyer and month
    let invoices = table(&out.join("fakturor-och-rader.csv"));
    assert_eq!(
        columns(
            &invoices,
            &[
                "kopare_id",
                "ar",
                "manad",
                "rader",
                "fakturor",
                "verifikationer",
                "summa"
            ]
        ),
        expected_invoices(&p)
    );
    assert!(invoices.iter().all(|r| r["rader_utan_nummer"] == "0"));

    // 7. coverage and concentration
    let months = table(&out.join("tackning-manader.csv"));
    let gaps = |b: usize| -> String {
        let set = &p.months[b];
        let (first, last) = (*set.first().unwrap(), *set.last().unwrap());
        let mut missing = Vec::new();
        let mut at = first;
        while at <= last {
            if !set.contains(&at) {
                missing.push(format!("{}-{:02}", at.0, at.1));
            }
            at = if at.1 == 12 {
                (at.0 + 1, 1)
            } else {
                (at.0, at.1 + 1)
            };
        }
        missing.join(" ")
    };
    assert_eq!(
        columns(
            &months,
            &["kopare_id", "manader_med_rader", "saknade_manader"]
        ),
        (0..3)
            .map(|b| format!("{}|{}|{}", p.buyers[b].0, p.months[b].len(), gaps(b)))
            .collect::<Vec<_>>()
    );
    assert!(months[1]["saknade_manader"].contains("2023-03"));
    let concentration = table(&out.join("koncentration.csv"));
    assert_eq!(
        columns(
            &concentration,
            &[
                "kopare_id",
                "ar",
                "summa",
                "maskerad_summa",
                "leverantorer",
                "hhi"
            ]
        ),
        expected_concentration(&p)
    );
    let news = table(&out.join("nya-leverantorer.csv"));
    let mut got = columns(&news, &["kopare_id", "ar", "leverantor_nyckel", "summa"]);
    got.sort();
    let mut want = expected_new_suppliers(&p);
    want.sort();
    assert_eq!(got, want);
    let fill = table(&out.join("tackning-kolumner.csv"));
    let avtal_b0 = fill
        .iter()
        .find(|r| &r["kopare_id"] == planteby && r["kolumn"] == "avtal")
        .unwrap();
    assert_eq!(avtal_b0["ifyllda"], "2");
    let lev_id_b0 = fill
        .iter()
        .find(|r| &r["kopare_id"] == planteby && r["kolumn"] == "leverantor_id")
        .unwrap();
    let b0_rows = p.rows.iter().filter(|r| r.buyer == 0).count();
    let b0_masked = p
        .rows
        .iter()
        .filter(|r| r.buyer == 0 && r.key == MASKED)
        .count();
    assert_eq!(lev_id_b0["rader"], b0_rows.to_string());
    assert_eq!(lev_id_b0["ifyllda"], (b0_rows - b0_masked).to_string());

    // analysis.json: the same tables, typed, with the options
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("analysis.json")).unwrap()).unwrap();
    assert_eq!(json["options"]["split"]["window_days"], 30);
    assert_eq!(json["options"]["supplier"], "Gemensam Leverantör AB");
    assert_eq!(
        json["largest_suppliers"].as_array().unwrap().len(),
        largest.len()
    );
    assert_eq!(json["dataset"]["kind"], "insamlad datamängd");
    assert_eq!(json["dataset"]["rows"], p.rows.len());
    let total: i128 = p.rows.iter().map(|r| r.ore).sum();
    assert_eq!(
        json["dataset"]["amount"],
        reskontra::amount::ore_text(total)
    );
    assert_eq!(json["limits"].as_array().unwrap().len(), 8);

    // the same run again gives the same bytes
    run_ok(
        d,
        &[
            "analyse",
            "dataset",
            "-o",
            "again",
            "--supplier",
            "Gemensam Leverantör AB",
        ],
    );
    let strip = |files: Vec<(String, Vec<u8>)>| -> Vec<(String, Vec<u8>)> {
        files
            .into_iter()
            .filter(|(n, _)| n != "report.json")
            .collect()
    };
    assert_eq!(
        strip(files_below(&out)),
        strip(files_below(&d.join("again")))
    );

    // the published files themselves, collected on the fly: the same tables
    run_ok(
        d,
        &[
            "analyse",
            "pub",
            "-o",
            "direct",
            "--supplier",
            "Gemensam Leverantör AB",
        ],
    );
    for (rel, bytes) in files_below(&out) {
        if rel.ends_with(".csv") {
            assert_eq!(
                std::fs::read(d.join("direct").join(&rel)).unwrap(),
                bytes,
                "{rel}"
            );
        }
    }

    // one buyer and year: its rows of the whole run, and nothing else
    run_ok(
        d,
        &[
            "analyse",
            "dataset",
            "-o",
            "one",
            "--buyer",
            &p.buyers[0].0,
            "--year",
            "2023",
        ],
    );
    let one = table(&d.join("one/storsta-leverantorer.csv"));
    let whole: Vec<_> = largest
        .iter()
        .filter(|r| &r["kopare_id"] == planteby && r["ar"] == "2023")
        .cloned()
        .collect();
    assert_eq!(one, whole);
    // the new suppliers of 2023 still know 2022
    let news_one = table(&d.join("one/nya-leverantorer.csv"));
    assert_eq!(
        news_one,
        news.iter()
            .filter(|r| &r["kopare_id"] == planteby && r["ar"] == "2023")
            .cloned()
            .collect::<Vec<_>>()
    );

    // a wider window finds the invoices 73 days apart; a fixed limit applies to every day
    run_ok(
        d,
        &[
            "analyse",
            "dataset",
            "-o",
            "wide",
            "--year",
            "2023",
            "--split-window",
            "75",
            "--split-limit",
            "450000",
        ],
    );
    let wide = table(&d.join("wide/mojliga-uppdelade-kop.csv"));
    let groups: BTreeSet<(String, String)> = wide
        .iter()
        .map(|r| (r["leverantor"].clone(), r["grans"].clone()))
        .collect();
    assert!(
        groups.contains(&("Utspridd AB".to_string(), "450000.00".to_string())),
        "{groups:?}"
    );
    assert!(
        groups.contains(&("Delad Leverans AB".to_string(), "450000.00".to_string())),
        "{groups:?}"
    );

    // the DuckDB queries of docs/analyse.md give the same numbers
    let check = std::process::Command::new("python3")
        .arg(root().join("scripts/check_analyse.py"))
        .arg(d.join("dataset"))
        .arg(&out)
        .arg(root().join("docs/analyse.md"))
        .output();
    match check {
        Ok(c) if c.status.success() || std::env::var_os("CI").is_some() => {
            let stdout = String::from_utf8_lossy(&c.stdout);
            assert!(
                c.status.success(),
                "{stdout}{}",
                String::from_utf8_lossy(&c.stderr)
            );
            assert!(stdout.contains(" 0 failed"), "{stdout}");
            assert!(stdout.contains("ok   storsta-leverantorer.csv"), "{stdout}");
        }
        Ok(c) if String::from_utf8_lossy(&c.stderr).contains("No module named 'duckdb'") => {
            eprintln!("skipped: python3 with duckdb is not installed");
        }
        Ok(c) => panic!(
            "{}{}",
            String::from_utf8_lossy(&c.stdout),
            String::from_utf8_lossy(&c.stderr)
        ),
        Err(_) => eprintln!("skipped: python3 is not installed"),
    }
}

#[test]
fn the_report_opens_in_a_browser_with_no_request_and_no_console_message() {
    let (dir, _) = collected(3);
    run_ok(dir.path(), &["analyse", "dataset", "-q", "-o", "out"]);
    let page = dir.path().join("out/rapport.html");
    let html = std::fs::read_to_string(&page).unwrap();
    // nothing to fetch: no address in any src or href, no script, no external style
    for needle in [
        "src=\"http",
        "href=\"http",
        "<script",
        "<link",
        "@import",
        "url(",
    ] {
        assert!(!html.contains(needle), "the report holds {needle}");
    }
    assert!(html.contains("Detta är en sållning, inte ett fynd"));
    assert!(html.contains("privatpersoner och enskilda firmor (maskerade)"));
    let Some(opened) = crate::browser::open_from_disk(&page) else {
        return;
    };
    assert_eq!(opened.title, "Granskning av leverantörsreskontra");
    assert!(opened.console.is_empty(), "console: {:?}", opened.console);
    assert!(
        opened.resources.is_empty(),
        "requests: {:?}",
        opened.resources
    );
    assert!(
        opened.links.iter().all(|l| l.starts_with('#')),
        "links: {:?}",
        opened.links
    );
    assert_eq!(opened.headings.len(), 8, "{:?}", opened.headings);
    assert!(opened.charts >= 4, "{} charts", opened.charts);
}

/// An output folder from an earlier run that a failed analysis must leave as it was.
fn prepared_out(dir: &Path) -> PathBuf {
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "earlier").unwrap();
    out
}

/// The error cases of docs/errors.md's `analyse` table: each exits as it says, with its
/// message, and leaves the output folder as it was.
#[test]
fn docs_analyse_error_table_is_true() {
    let (dir, p) = collected(5);
    let d = dir.path();
    std::fs::create_dir_all(d.join("tom")).unwrap();
    let doc = std::fs::read_to_string(root().join("docs/errors.md")).unwrap();
    let section = doc
        .split("`reskontra analyse`")
        .nth(1)
        .expect("an analyse section");
    let mut checked = 0;
    for line in section
        .lines()
        .skip_while(|l| !l.starts_with("| case"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
    {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        let (case, code, message) = (cells[0], cells[1], cells[2].trim_matches('`'));
        let buyer = &p.buyers[0].0;
        let args: Vec<&str> = match case {
            "a dataset that does not exist" => vec!["analyse", "saknas"],
            "a folder with no dataset and no published files" => vec!["analyse", "tom"],
            "a buyer not in the dataset" => vec!["analyse", "dataset", "--buyer", "2120000142"],
            "a year that is no year" => vec!["analyse", "dataset", "--year", "20x3"],
            "a year without rows" => vec!["analyse", "dataset", "--year", "2018"],
            "a year without rows for the buyer" => {
                vec!["analyse", "dataset", "--buyer", buyer, "--year", "2020"]
            }
            "a supplier not in the dataset" => {
                vec!["analyse", "dataset", "--supplier", "Finns Inte AB"]
            }
            "a split limit that is no amount" => {
                vec!["analyse", "dataset", "--split-limit", "mycket"]
            }
            "a split minimum below 2" => vec!["analyse", "dataset", "--split-min", "1"],
            "a buyer's month in two datasets under one folder" => {
                let from = d.join("dataset/parquet");
                for copy in ["two/a/parquet", "two/b/parquet"] {
                    for (rel, bytes) in files_below(&from) {
                        let to = d.join(copy).join(rel);
                        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                        std::fs::write(to, bytes).unwrap();
                    }
                }
                vec!["analyse", "two"]
            }
            "the output folder holds another analysis" => {
                run_ok(
                    d,
                    &["analyse", "dataset", "-q", "-o", "other", "--year", "2023"],
                );
                vec!["analyse", "dataset", "-o", "other"]
            }
            other => panic!("docs/errors.md names a case the test does not know: {other}"),
        };
        let out = prepared_out(d);
        let mut args = args;
        if !args.contains(&"-o") {
            args.extend(["-o", "out"]);
        }
        let run = run(d, &args);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(
            run.status.code().map(|c| c.to_string()).as_deref(),
            Some(code),
            "{case}: {stderr}"
        );
        assert!(
            stderr.contains(message),
            "{case}: expected `{message}` in {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{case}");
        let left: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 1, "{case}: the output folder changed: {left:?}");
        checked += 1;
    }
    assert_eq!(checked, 11);
    // --replace replaces the other analysis
    run_ok(d, &["analyse", "dataset", "-q", "-o", "other", "--replace"]);
}

/// A year dataset (`dataset build` of `convert`'s monthly outputs) is analysed as the collected
/// dataset is: the masked persons, who have no id kind there, are still one line.
#[test]
fn a_year_dataset_gives_the_tables_of_the_collected_one() {
    let (dir, p) = collected(9);
    let d = dir.path();
    let buyer = p.buyers[0].0.clone();
    for m in 1..=6 {
        let input = format!("pub/kopare-0/leverantorsreskontra-2023-{m:02}.csv");
        let out = format!("converted/{m:02}");
        run_ok(d, &["convert", &input, "-q", "-o", &out]);
    }
    run_ok(
        d,
        &[
            "dataset",
            "build",
            "converted",
            "--year",
            "2023",
            "-q",
            "-o",
            "year",
        ],
    );
    let args = ["--buyer", buyer.as_str(), "--year", "2023"];
    run_ok(
        d,
        &[&["analyse", "year", "-q", "-o", "from-year"][..], &args].concat(),
    );
    run_ok(
        d,
        &[
            &["analyse", "dataset", "-q", "-o", "from-collected"][..],
            &args,
        ]
        .concat(),
    );
    for file in [
        "storsta-leverantorer.csv",
        "over-direktupphandlingsgransen.csv",
        "mojliga-uppdelade-kop.csv",
        "mojliga-dubbelbetalningar.csv",
        "fakturor-och-rader.csv",
        "koncentration.csv",
    ] {
        assert_eq!(
            std::fs::read_to_string(d.join("from-year").join(file)).unwrap(),
            std::fs::read_to_string(d.join("from-collected").join(file)).unwrap(),
            "{file}"
        );
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("from-year/analysis.json")).unwrap())
            .unwrap();
    assert_eq!(json["dataset"]["kind"], "årsdatamängd");
    let largest = table(&d.join("from-year/storsta-leverantorer.csv"));
    let masked = largest
        .iter()
        .find(|r| r["leverantor_nyckel"] == MASKED)
        .expect("the masked persons' line");
    // 40 × 100 000 kr and the sole trader's 900 000 kr
    assert_eq!(masked["summa"], "4900000.00");
    assert_eq!(masked["rang"], "");
}

/// A row of a hand-made partition: voucher, supplier, id, invoice, öre, day (since 1970).
type PartRow<'a> = (&'a str, &'a str, &'a str, &'a str, i128, i32);

/// Write a partition of a year dataset's form (every spec column but the buyer's, texts, with
/// `belopp` decimal and `datum` a date) holding these rows.
fn write_partition(path: &Path, rows: &[PartRow<'_>]) {
    use polars::prelude::*;
    let text = |name: &str, f: &dyn Fn(&PartRow<'_>) -> String| {
        Column::new(name.into(), rows.iter().map(f).collect::<Vec<String>>())
    };
    let mut columns = vec![
        text("kopare", &|_| "Testkommun".into()),
        text("verifikationsnummer", &|r| r.0.into()),
        text("leverantor", &|r| r.1.into()),
        text("leverantor_id", &|r| r.2.into()),
        text("konto_nr", &|_| "6110".into()),
        text("konto_text", &|_| "Material".into()),
    ];
    let ore: Vec<Option<i128>> = rows.iter().map(|r| Some(r.4)).collect();
    columns.push(reskontra::normalise::amount_column("belopp".into(), &ore).unwrap());
    let days: Vec<Option<i32>> = rows.iter().map(|r| Some(r.5)).collect();
    columns.push(reskontra::normalise::date_column("datum".into(), &days));
    for name in [
        "forvaltning",
        "fakturanummer",
        "grund",
        "avtal",
        "kommun_id",
        "s_kod_nr",
    ] {
        columns.push(if name == "fakturanummer" {
            text(name, &|r| r.3.into())
        } else {
            text(name, &|_| String::new())
        });
    }
    let mut df = DataFrame::new(rows.len(), columns).unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = std::fs::File::create(path).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
}

#[test]
fn a_dataset_without_rows_and_a_personal_number_in_a_table_stop_the_run() {
    let dir = temp();
    let d = dir.path();
    let out = prepared_out(d);
    let part = "parquet/kopare_id=2120000142/ar=2024/manad=01/data.parquet";
    // partitions without rows
    write_partition(&d.join("tom").join(part), &[]);
    let empty = run(d, &["analyse", "tom", "-o", "out"]);
    let stderr = String::from_utf8_lossy(&empty.stderr);
    assert_eq!(empty.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("tom: the dataset holds no rows to analyse"),
        "{stderr}"
    );
    // a dataset not made by reskontra, with a personal number in an invoice number that two
    // payments share: the table would carry it, so nothing is written
    let pnr = personnummer();
    let invoice = format!("Avser {pnr}");
    let acme = with_check("556610123");
    let day = 19_723; // 2024-01-01
    write_partition(
        &d.join("lack").join(part),
        &[
            ("V1", "Acme AB", &acme, &invoice, 10_000, day),
            ("V2", "Acme AB", &acme, &invoice, 10_000, day + 3),
        ],
    );
    let leak = run(d, &["analyse", "lack", "-o", "out"]);
    let stderr = String::from_utf8_lossy(&leak.stderr);
    assert_eq!(leak.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "privacy check failed: mojliga-dubbelbetalningar.csv, column fakturanummer, would carry a personal identity number"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains(&pnr[..6]), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().flatten().collect();
    assert_eq!(left.len(), 1, "the output folder changed");
    // the same dataset without the number: analysed, and the supplier followed by its number
    // written with a hyphen
    write_partition(
        &d.join("ren").join(part),
        &[
            ("V1", "Acme AB", &acme, "F-1", 10_000, day),
            ("V2", "Acme AB", &acme, "F-1", 10_000, day + 3),
        ],
    );
    let hyphen = format!("{}-{}", &acme[..6], &acme[6..]);
    run_ok(
        d,
        &[
            "analyse",
            "ren",
            "-q",
            "-o",
            "ren-out",
            "--supplier",
            &hyphen,
        ],
    );
    let time = table(&d.join("ren-out/leverantor-over-tid.csv"));
    assert_eq!(
        columns(
            &time,
            &[
                "leverantor_nyckel",
                "leverantor",
                "summa",
                "rader",
                "fakturor"
            ]
        ),
        [format!("{acme}|Acme AB|200.00|2|1")]
    );
    let dups = table(&d.join("ren-out/mojliga-dubbelbetalningar.csv"));
    assert_eq!(
        columns(&dups, &["grupp", "typ", "verifikationsnummer"]),
        ["1|samma fakturanummer|V1", "1|samma fakturanummer|V2"]
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("ren-out/analysis.json")).unwrap())
            .unwrap();
    assert_eq!(json["dataset"]["kind"], "partitioner");
}
