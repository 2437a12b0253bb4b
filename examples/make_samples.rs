//! Writes the synthetic sample exports in `samples/`: `cargo run --example make_samples`.
//!
//! Every supplier, person and number here is made up; identity numbers are generated with a
//! valid Luhn check digit so that the privacy rules have something real to catch.

// an example: a failed step may stop it with a message (Cargo.toml's [lints] deny this in the library)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use reskontra::ident::luhn_check_digit;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::fs;
use std::path::Path;

fn with_check(nine: &str) -> String {
    format!("{nine}{}", luhn_check_digit(nine.as_bytes()) as char)
}

/// A Luhn-valid organisation number from a group digit and seven more digits (digits 3-4 ≥ 20).
fn org(nine: &str) -> String {
    with_check(nine)
}

fn hyphen(ten: &str) -> String {
    format!("{}-{}", &ten[..6], &ten[6..])
}

/// A fake personnummer (YYMMDD + serial + check digit).
fn pnr(yymmdd: &str, serial: &str) -> String {
    with_check(&format!("{yymmdd}{serial}"))
}

struct Ids {
    buyer: String,
    kontor: String,
    bygg: String,
    it: String,
    stad: String,
    mat: String,
    konsult: String,
    hb: String,
    region_buyer: String,
}

fn ids() -> Ids {
    Ids {
        buyer: org("212000014"),
        kontor: org("556610123"),
        bygg: org("556722345"),
        it: org("559034567"),
        stad: org("556845678"),
        mat: org("769612345"),
        konsult: org("556901234"),
        hb: org("969712345"),
        region_buyer: org("232100016"),
    }
}

fn write(path: &str, bytes: &[u8]) {
    let p = Path::new(path);
    if let Some(dir) = p.parent() {
        fs::create_dir_all(dir).expect("create sample folder");
    }
    fs::write(p, bytes).expect("write sample");
    println!("wrote {path}");
}

fn cp1252(text: &str) -> Vec<u8> {
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    bytes.into_owned()
}

fn utf16le_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        out.extend_from_slice(&u.to_le_bytes());
    }
    out
}

fn spec_11(i: &Ids) {
    let sole = pnr("780312", "123");
    let coord = pnr("850671", "234");
    let in_text = pnr("690101", "345");
    let rows = [
        String::from("{b},Exempelby kommun,V2024-0001,Nordisk Kontorsvaror AB,{k},6110,Kontorsmateriel,1250.00,2024-01-05,Kommunstyrelsen,F-1001,Ramavtal,KS-2021-12,0180,S11001"),
        String::from("{b},Exempelby kommun,V2024-0001,Nordisk Kontorsvaror AB,{k},6120,Trycksaker,312.50,2024-01-05,Kommunstyrelsen,F-1001,Ramavtal,KS-2021-12,0180,S11001"),
        String::from("{b},Exempelby kommun,V2024-0002,\"Bygg, Mark & Anläggning AB\",{g},7010,Entreprenad,48000.00,2024-01-09,Tekniska nämnden,5521,Upphandling,TN-2022-3,0180,S11001"),
        String::from("{b},Exempelby kommun,V2024-0003,Snickare Holm,{s},7010,Entreprenad,8200.00,2024-01-12,Tekniska nämnden,17,Direktupphandling,,0180,S14"),
        String::from("{b},Exempelby kommun,V2024-0004,Tolk Ali Hassan,19{c},6590,Tolktjänster,1900.00,2024-01-15,Socialnämnden,2024-07,Direktupphandling,,0180,S14"),
        String::from("{b},Exempelby kommun,V2024-0005,IT-Drift Norr AB,{it},6540,IT-tjänster,-2500.00,2024-01-20,Kommunstyrelsen,CR-88,Ramavtal,KS-2020-7,0180,S11001"),
        String::from("{b},Exempelby kommun,V2024-0006,Stadservice i Norr AB,{st},4630,Städtjänster,9800.00,2024-01-22,Utbildningsnämnden,\"Avser elev {t}\",Upphandling,UN-2019-1,0180,S11001"),
        String::from("{b},Exempelby kommun,V2024-0007,Dansk Leverandør ApS,DK12345678,4010,Inköp material,4410.40,2024-01-25,Tekniska nämnden,DK-551,Upphandling,,0180,S2"),
    ];
    let text = format!("{}\n{}\n", reskontra::spec::HEADER, rows.join("\n"));
    let text = text
        .replace("{b}", &i.buyer)
        .replace("{k}", &i.kontor)
        .replace("{g}", &i.bygg)
        .replace("{s}", &hyphen(&sole))
        .replace("{c}", &coord)
        .replace("{it}", &i.it)
        .replace("{st}", &i.stad)
        .replace("{t}", &hyphen(&in_text));
    write(
        "samples/spec-1.1/leverantorsreskontra-2024-01.csv",
        text.as_bytes(),
    );
}

fn region(i: &Ids) {
    let sole = pnr("700823", "456");
    let header = "kopare_id;kopare;verifikationsnummer;leverantor;leverantor_id;konto_nr;konto_text;bokforingsdatum;forvaltning;fakturanummer;nettobelopp;grund;avtal;kommun_id;s_kod_nr";
    let rows = [
        String::from("{rb};Region Exempel;R-77001;Medicinteknik Syd AB;{k};46362;Köp medicinskt material;2024-02-02;Hälso- och sjukvård;88121;1499.90;Upphandling;RS-2021-44;;S11001"),
        String::from("{rb};Region Exempel;R-77001;Medicinteknik Syd AB;{k};46363;Förbrukningsmaterial vård;2024-02-02;Hälso- och sjukvård;88121;250.10;Upphandling;RS-2021-44;;S11001"),
        String::from("{rb};Region Exempel;R-77002;Fotvård Lind;SE{p}01;46510;Köpt vård;2024-02-07;Hälso- och sjukvård;-;3600.00;Direktupphandling;-;;S14"),
        String::from("{rb};Region Exempel;R-77003;Konsultbolaget Mitt AB;{c};65900;Konsulttjänster;2024-02-14;Regionledning;K-2024-2;125000.00;Ramavtal;RS-2023-1;;S11001"),
        String::from("{rb};Region Exempel;R-77004;Livsmedel Norr ek. för.;{m};49100;Livsmedel;2024-02-29;Kost;-;-845.25;Upphandling;;;S11001"),
    ];
    let text = format!("{header}\r{}\r", rows.join("\r"))
        .replace("{rb}", &i.region_buyer)
        .replace("{k}", &hyphen(&i.kontor))
        .replace("{p}", &sole)
        .replace("{c}", &i.konsult)
        .replace("{m}", &i.mat);
    write("samples/region/region-exempel-2024-02.csv", text.as_bytes());
}

fn spec_10(i: &Ids) {
    let sole = pnr("620415", "567");
    let header = "kopare,kopare_text,faktura_nr,leverantor,leverantor_id,forvaltning,konto_nr,konto_text,belopp,valuta,datum,grund,avtal,kommun_id";
    let rows = [
        String::from("{b},Exempelby kommun,900101,Nordisk Kontorsvaror AB,{k},Kommunstyrelsen,6110,Kontorsmateriel,1999.00,SEK,2019-05-03,Ramavtal,KS-2017-2,0180"),
        String::from("{b},Exempelby kommun,900102,Måleri Berg,{s},Tekniska nämnden,7010,Entreprenad,14500.00,SEK,2019-05-10,Direktupphandling,,0180"),
        String::from("{b},Exempelby kommun,900103,IT-Drift Norr AB,{it},Kommunstyrelsen,6540,IT-tjänster,7800.50,SEK,2019-05-28,Ramavtal,KS-2016-9,180"),
    ];
    let text = format!("{header}\n{}\n", rows.join("\n"))
        .replace("{b}", &hyphen(&i.buyer))
        .replace("{k}", &hyphen(&i.kontor))
        .replace("{s}", &hyphen(&sole))
        .replace("{it}", &hyphen(&i.it));
    write(
        "samples/spec-1.0/leverantorsfakturor-2019-05.csv",
        text.as_bytes(),
    );
}

fn municipality_report(i: &Ids) {
    let coord = pnr("910264", "678");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Rapport").expect("sheet name");
    ws.write(0, 0, "Leverantörsfakturor mars 2024")
        .expect("cell");
    ws.write(1, 0, "Utdrag ur BI, Exempelby kommun")
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
        ws.write(3, c as u16, *h).expect("cell");
    }
    let kontor_num: f64 = i.kontor.parse().expect("digits");
    type ReportRow<'a> = (&'a str, &'a str, Option<f64>, Option<String>, &'a str, f64);
    let rows: Vec<ReportRow> = vec![
        (
            "KS Kommunstyrelsen",
            "NORDISK KONTORSVAROR;AB",
            Some(kontor_num),
            None,
            "61100 Kontorsmateriel",
            3270.5,
        ),
        (
            "KS Kommunstyrelsen",
            "NORDISK KONTORSVAROR;AB",
            None,
            Some(hyphen(&i.kontor)),
            "61200 Trycksaker",
            0.1 + 0.2,
        ),
        (
            "TN Tekniska nämnden",
            "BYGG, MARK & ANLÄGGNING AB  ",
            None,
            Some(i.bygg.clone()),
            "70100 Entreprenad",
            125000.0,
        ),
        (
            "SN Socialnämnden",
            "SVENSSON;ANNA",
            None,
            Some("SAKNAS".into()),
            "65900 Arvoden",
            4500.0,
        ),
        (
            "SN Socialnämnden",
            "Dödsbo efter Karl Berg",
            None,
            Some("NULL".into()),
            "49900 Övrigt",
            1200.0,
        ),
        (
            "SN Socialnämnden",
            "God Man Tjänster",
            None,
            Some(coord.clone()),
            "65900 Arvoden",
            2100.0,
        ),
        (
            "UN Utbildningsnämnden",
            "STADSERVICE I NORR;AB",
            None,
            Some(hyphen(&i.stad)),
            "46300 Städtjänster",
            15400.255,
        ),
        (
            "UN Utbildningsnämnden",
            "Skolbuss Öst HB",
            None,
            Some("*".into()),
            "75100 Skolskjuts",
            -1500.0,
        ),
    ];
    for (r, (forv, lev, idnum, idtext, konto, amount)) in rows.iter().enumerate() {
        let row = 4 + r as u32;
        ws.write(row, 0, *forv).expect("cell");
        ws.write(row, 1, *lev).expect("cell");
        if let Some(n) = idnum {
            ws.write(row, 2, *n).expect("cell");
        }
        if let Some(t) = idtext {
            ws.write(row, 2, t.as_str()).expect("cell");
        }
        ws.write(row, 3, (7_100_000 + r) as f64).expect("cell");
        ws.write(row, 4, *konto).expect("cell");
        ws.write(row, 5, *amount).expect("cell");
    }
    // a blank padding row, then the report's total
    let total: f64 = rows.iter().map(|r| r.5).sum();
    let last = 4 + rows.len() as u32 + 1;
    ws.write(last, 0, "Summa").expect("cell");
    ws.write(last, 5, total).expect("cell");
    wb.save("samples/municipality-report/Leverantörsfakturor 2024-03.xlsx")
        .expect("save");
    println!("wrote samples/municipality-report/Leverantörsfakturor 2024-03.xlsx");
}

fn municipality_report_dated(i: &Ids) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let header = [
        "datum",
        "forvaltning",
        "leverantor",
        "leverantor_id",
        "faktura_nr",
        "konto_nr",
        "belopp",
        "",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write(0, c as u16, *h).expect("cell");
    }
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let sole = pnr("800229", "789");
    let rows: Vec<(u8, &str, &str, String, &str, &str, f64)> = vec![
        (
            2,
            "KS Kommunstyrelsen",
            "Nordisk Kontorsvaror AB",
            hyphen(&i.kontor),
            "A-501",
            "61100 Kontorsmateriel",
            899.0,
        ),
        (
            9,
            "TN Tekniska nämnden",
            "Bygg, Mark & Anläggning AB",
            i.bygg.clone(),
            "A-502",
            "70100 Entreprenad",
            56000.75,
        ),
        (
            16,
            "SN Socialnämnden",
            "Hemtjänst Lindqvist",
            format!("{} ", hyphen(&sole)),
            "A-503",
            "46510 Köpt vård",
            12500.0,
        ),
        (
            23,
            "KS Kommunstyrelsen",
            "IT-Drift Norr AB",
            i.it.clone(),
            "A-504",
            "65400 IT-tjänster",
            4999.99,
        ),
        (
            30,
            "UN Utbildningsnämnden",
            "=HYPERLINK(\"x\") Läromedel AB",
            i.konsult.clone(),
            "A-505",
            "46100 Läromedel",
            720.0,
        ),
    ];
    for (r, (day, forv, lev, id, fakt, konto, amount)) in rows.iter().enumerate() {
        let row = 1 + r as u32;
        if r == 3 {
            // a date typed as a plain number (an Excel serial without date format)
            let serial = 45385.0 + f64::from(*day) - 3.0; // 2024-04-23
            ws.write(row, 0, serial).expect("cell");
        } else {
            let d = ExcelDateTime::from_ymd(2024, 4, *day).expect("date");
            ws.write_with_format(row, 0, &d, &date_format)
                .expect("cell");
        }
        ws.write(row, 1, *forv).expect("cell");
        ws.write(row, 2, *lev).expect("cell");
        ws.write(row, 3, id.as_str()).expect("cell");
        ws.write(row, 4, *fakt).expect("cell");
        ws.write(row, 5, *konto).expect("cell");
        ws.write(row, 6, *amount).expect("cell");
    }
    wb.save("samples/municipality-report-dated/leverantorsfakturor-2024-04.xlsx")
        .expect("save");
    println!("wrote samples/municipality-report-dated/leverantorsfakturor-2024-04.xlsx");
}

fn city_csv(i: &Ids) {
    let coord = pnr("720185", "890");
    let text_pnr = pnr("550505", "901");
    let header = "forvaltning;leverantor;leverantor_id;faktura_nr;konto_nr;konto_text;belopp";
    let rows = [
        String::from("Park- och naturförvaltningen;\"GRÖNYTEPROFFS;AB\";{g};77001;4010;Inköp material;12\u{a0}345,67"),
        String::from("Park- och naturförvaltningen;\"GRÖNYTEPROFFS;AB\";{g};77001;4020;Förbrukningsinventarier;1\u{a0}000,00"),
        String::from("Stadsledningskontoret;Nordisk Kontorsvaror AB;{k};77002;6110;Kontorsmateriel;3 214,32"),
        String::from("Socialförvaltningen;\"ANDERSSON;SVEN\";;77003;4590;Ersättning uppdragstagare;2 500,00"),
        String::from("Socialförvaltningen;\"ANDERSSON;SVEN\";{hb};77004;4590;Hyra lokal;9 000,00"),
        String::from("Socialförvaltningen;Familjehem Ek;{c};77005;4590;Ersättning familjehem;18 250,00"),
        String::from("Kulturförvaltningen;Konsultbolaget Mitt AB;{kk};77006;6590;Föreläsning pnr {t};6 000,00"),
        String::from("Kulturförvaltningen;Okänd mottagare;10045678;77007;6590;Arvode;1 200,00"),
        String::from("Fastighetsförvaltningen;Stadservice i Norr AB;{st};77008;4630;Städtjänster;-420,50"),
        String::from("Fastighetsförvaltningen;Stadservice i Norr AB;{st};77009;4630;Städtjänster;saknas"),
        String::from("Socialförvaltningen;Skyddat Boende AB;{m};77010;4590;Köpt boende;22 000,00"),
    ];
    let text = format!("{header}\r\n{}\r\n", rows.join("\r\n"))
        .replace("{g}", &hyphen(&i.bygg))
        .replace("{k}", &i.kontor)
        .replace("{hb}", &hyphen(&i.hb))
        .replace("{c}", &hyphen(&coord))
        .replace("{kk}", &i.konsult)
        .replace("{t}", &text_pnr)
        .replace("{st}", &hyphen(&i.stad))
        .replace("{m}", &i.mat);
    write(
        "samples/city-csv/leverantorsfakturor-202405.csv",
        &cp1252(&text),
    );
}

fn municipality_yearly(i: &Ids) {
    let sole = pnr("660606", "012");
    let header = "datum;forvaltning;leverantor;leverantor_id;konto_nr;konto_text;belopp;faktura_nr";
    let rows = [
        String::from(
            "202301;Kommunstyrelsen;Nordisk Kontorsvaror AB;{k};6110;Kontorsmateriel;1 999,00;F-1",
        ),
        String::from("202302;Kommunstyrelsen;*;*;4590;Arvoden;2 000,00;F-2"),
        String::from(
            "202303;Tekniska nämnden;Bygg, Mark & Anläggning AB;{g};7010;Entreprenad;88 000,00;F-3",
        ),
        String::from(
            "202306;Socialnämnden;Trädgård Nilsson;{s};7010;Trädgårdsskötsel;3 500,00;F-4",
        ),
        String::from(
            "202309;Utbildningsnämnden;Stadservice i Norr AB;{st};4630;Städtjänster;12 100,10;F-5",
        ),
        String::from("202312;Kommunstyrelsen;IT-Drift Norr AB;{it};6540;IT-tjänster;-1 000,00;F-6"),
    ];
    let text = format!("\u{feff}{header}\n{}\n", rows.join("\n"))
        .replace("{k}", &hyphen(&i.kontor))
        .replace("{g}", &i.bygg)
        .replace("{s}", &hyphen(&sole))
        .replace("{st}", &i.stad)
        .replace("{it}", &i.it);
    write(
        "samples/municipality-yearly/leverantorsfakturor-helar-2023.csv",
        text.as_bytes(),
    );
}

fn unit4(i: &Ids) {
    let sole = pnr("581130", "123");
    let header = "JOURNAL\tSUPPLIER_NAME\tSUPPLIER_ORGANIZATION_NUMBER\tINVOICE_INTERNAL_IDENTITY\tACCOUNT_NUMBER\tACCOUNT_NAME\tAMOUNT_DEBITED";
    let rows = [
        String::from("Barn- och utbildning\tNordisk Kontorsvaror AB\t{k}\t4400123\t6110\tKontorsmateriel\t1250,00"),
        String::from("Barn- och utbildning\tLäromedel Öst AB\t{kk}\t4400124\t4610\tLäromedel\t8 900,00"),
        String::from("Vård och omsorg\tFrisör Åsa Lund\t{s}\t4400125\t4990\tÖvriga tjänster\t650,00"),
        String::from("Vård och omsorg\tMedicinteknik Syd AB\t{k}/{m}\t4400126\t4636\tMedicinskt material\t2 345,55"),
        String::from("Samhällsbyggnad\tBygg, Mark & Anläggning AB\t{g}\t4400127\t7010\tEntreprenad\t60 000,00"),
        "Sum\t\t\t\t\t\t73 145,55".to_string(),
    ];
    let text = format!(
        "Levstat - leverantörsstatistik\r\nPeriod: 202406\r\n\r\n{header}\r\n{}\r\n",
        rows.join("\r\n")
    )
    .replace("{k}", &hyphen(&i.kontor))
    .replace("{kk}", &i.konsult)
    .replace("{s}", &hyphen(&sole))
    .replace("{m}", &i.mat)
    .replace("{g}", &hyphen(&i.bygg));
    write("samples/unit4-levstat/levstat-2024-06.txt", &cp1252(&text));
}

fn proceedo(i: &Ids) {
    let protected = pnr("811111", "234");
    let header = "Fakturanummer\tLeverantör\tLeverantörs-Id\tBelopp exkl. moms\tValuta\tVerifikationsnummer\tLeveransdatum\tKonto\tKontotext\tFörvaltning\tHuvudstatus\tSekretess";
    let rows = [
        String::from("P-9001\tNordisk Kontorsvaror AB\tSE{k}01\t2 400,00\tSEK\tLF-3001\t2024-07-02\t6110\tKontorsmateriel\tKommunstyrelsen\tOK\tN"),
        String::from("P-9002\tJourhem Väst AB\t{st}\t31 000,00\tSEK\tLF-3002\t2024-07-05\t4590\tKöpt boende\tSocialnämnden\tOK\tJ"),
        String::from("P-9003\tKonsultbolaget Mitt AB\t{kk}\t9 999,00\tSEK\tLF-3003\t2024-07-09\t6590\tKonsulttjänster\tKommunstyrelsen\tMakulerad\tN"),
        String::from("P-9004\tLindgren, Petra\t{p}\t1 500,00\tSEK\tLF-3004\t2024-07-12\t4590\tArvoden\tSocialnämnden\tOK\tN"),
        String::from("P-9005\tIT-Drift Norr AB\t{it}\t12 000,00\tSEK\tLF-3005\t2024-07-31\t6540\tIT-tjänster\tKommunstyrelsen\tOK\tN"),
    ];
    let text = format!("{header}\r\n{}\r\n", rows.join("\r\n"))
        .replace("{k}", &i.kontor)
        .replace("{st}", &i.stad)
        .replace("{kk}", &i.konsult)
        .replace("{p}", &hyphen(&protected))
        .replace("{it}", &i.it);
    write(
        "samples/proceedo/proceedo-fakturor-2024-07.txt",
        &utf16le_bom(&text),
    );
}

fn raindance(i: &Ids) {
    let sole = pnr("750909", "345");
    let postings = [
        "VERNR;VERRAD;VERDATUM;REGDATUM;FAKTURADATUM;LEVID;KONTO_ID;KST_ID;BELOPP_SEK;MOMS_SEK;EXTERNNR;AVTALID;FAKTSTATUS",
        "610001;1;20240805;20240806;20240801;L100;4010;1100;1500,00;375,00;INV-77;AV-12;BETALD",
        "610001;2;20240805;20240806;20240801;L100;4020;1100;500,00;125,00;INV-77;AV-12;BETALD",
        "610002;1;;20240812;20240810;L200;6590;2100;7 200,00;1 800,00;88;;BETALD",
        "610003;1;20240815;20240816;20240814;L300;4590;3100;950,00;0,00;2024-15;;BETALD",
        "610004;1;20240820;20240821;20240819;L999;4010;1100;300,00;75,00;X1;;BETALD",
    ];
    let suppliers = [
        "LEVID;LEVID_TEXT;ORGNR;LAND;ENGANG".to_string(),
        format!("L100;GRÖNYTEPROFFS AB;{};SE;N", hyphen(&i.bygg)),
        format!("L200;Konsultbolaget Mitt AB;{};SE;N", i.konsult),
        format!("L300;Hantverkare Olsson;{};SE;J", hyphen(&sole)),
    ];
    let accounts = [
        "KONTO_ID;KONTO_ID_TEXT",
        "4010;Inköp material",
        "4020;Förbrukningsinventarier",
        "4590;Övriga köpta tjänster",
        "6590;Konsulttjänster",
    ];
    write(
        "samples/raindance/rk-fakta-levfakt-verifikat-2024-08.csv",
        (postings.join("\n") + "\n").as_bytes(),
    );
    write(
        "samples/raindance/rk-dim-lev.csv",
        (suppliers.join("\n") + "\n").as_bytes(),
    );
    write(
        "samples/raindance/rk-dim-konto.csv",
        (accounts.join("\n") + "\n").as_bytes(),
    );
}

fn sie(i: &Ids) {
    use reskontra::read::sie::{format_record, ksumma, tokenize_line, Record};
    let sole = pnr("790505", "321");
    let lines = [
        "#FLAGGA 0",
        "#PROGRAM \"Exempel Ekonomi\" 4.2",
        "#FORMAT PC8",
        "#GEN 20240901",
        "#SIETYP 4",
        "#FNAMN \"Exempelby kommun\"",
        "#ORGNR {buyer}",
        "#RAR 0 20240101 20241231",
        "#KONTO 1930 \"Bank\"",
        "#KONTO 2440 \"Leverantörsskulder\"",
        "#KONTO 2641 \"Debiterad ingående moms\"",
        "#KONTO 4010 \"Inköp material och varor\"",
        "#KONTO 4020 \"Förbrukningsinventarier\"",
        "#KONTO 7010 \"Löner och entreprenad\"",
        "#DIM 1 \"Kostnadsställe\"",
        "#DIM 9 \"Leverantör\"",
        "#DIM 10 \"Faktura\"",
        "#OBJEKT 1 \"100\" \"Kommunstyrelsen\"",
        "#OBJEKT 1 \"200\" \"Tekniska nämnden\"",
        "#OBJEKT 9 \"1001\" \"Nordisk Kontorsvaror AB\"",
        "#OBJEKT 9 \"1002\" \"Snickare Holm\"",
        "#OBJEKT 9 \"1003\" \"Bygg, Mark & Anläggning AB\"",
        "#OBJEKT 9 \"1004\" \"Okänd Leverantör\"",
        "#VER A 1 20240902 \"Faktura F-1 Nordisk Kontorsvaror\" 20240903",
        "{",
        "#TRANS 2440 {9 \"1001\" 10 \"F-1\"} -15625.00",
        "#TRANS 4010 {1 \"100\" 9 \"1001\" 10 \"F-1\"} 8000.00 20240902 \"Papper och pärmar\"",
        "#TRANS 4020 {1 \"100\"} 4500.00",
        "#BTRANS 4020 {1 \"200\"} 4500.00 20240902 \"Fel kostnadsställe\" 0 \"Anna\"",
        "#TRANS 2641 {} 3125.00",
        "}",
        "#VER A 2 20240910 \"Kreditnota K-9\"",
        "{",
        "#TRANS 2440 {9 \"1001\" 10 \"K-9\"} 1250.00",
        "#TRANS 4010 {1 \"100\"} -1000.00",
        "#TRANS 2641 {} -250.00",
        "}",
        "#VER A 3 20240915 \"Faktura 17 Snickare Holm\"",
        "{",
        "#TRANS 2440 {9 \"1002\" 10 \"17\"} -5000.00",
        "#RTRANS 7010 {1 \"200\" 9 \"1002\"} 5000.00 20240914",
        "#TRANS 7010 {1 \"200\" 9 \"1002\"} 5000.00 20240914",
        "}",
        "#VER A 4 20240920 \"Faktura 88 (obalanserad)\"",
        "{",
        "#TRANS 2440 {9 \"1003\" 10 \"88\"} -1000.00",
        "#TRANS 4010 {1 \"200\"} 900.00",
        "}",
        "#VER A 5 20240925 \"Faktura 5 Okänd\"",
        "{",
        "#TRANS\t2440\t{9 \"1004\" 10 \"5\"}\t-300.00",
        "#TRANS\t4010\t{1 \"100\"}\t300.00",
        "}",
        "#VER B 1 20240930 \"Betalning F-1\"",
        "{",
        "#TRANS 2440 {9 \"1001\"} 15625.00",
        "#TRANS 1930 {} -15625.00",
        "}",
        "#VER L 1 20240925 \"Löner september\"",
        "{",
        "#TRANS 7010 {1 \"100\"} 30000.00",
        "#TRANS 1930 {} -30000.00",
        "}",
    ];
    let records: Vec<Record> = lines
        .iter()
        .map(|l| tokenize_line(&l.replace("{buyer}", &hyphen(&i.buyer))).expect("record"))
        .collect();
    let sum = ksumma(&records, reskontra::read::encoding::TextEncoding::Cp437);
    let mut text = String::from("#KSUMMA\r\n");
    for (r, l) in records.iter().zip(lines) {
        // keep the hand-written spacing (tabs) but the generated quoting of the buyer number
        if l.contains("{buyer}") {
            text.push_str(&format_record(r));
        } else {
            text.push_str(l);
        }
        text.push_str("\r\n");
    }
    text.push_str(&format!("#KSUMMA {sum}\r\n"));
    let bytes = oem_cp::encode_string_checked(&text, &oem_cp::code_table::ENCODING_TABLE_CP437)
        .expect("CP437 text");
    write("samples/sie4/exempelby-2024-09.se", &bytes);
    let register = format!(
        "leverantorsnummer;namn;organisationsnummer\n1001;Nordisk Kontorsvaror AB;{}\n1002;Snickare Holm;{}\n1003;Bygg, Mark & Anläggning AB;{}\n",
        hyphen(&i.kontor),
        hyphen(&sole),
        i.bygg
    );
    write("samples/sie4/leverantorsregister.csv", register.as_bytes());
}

fn rowstore(i: &Ids) {
    let keys = reskontra::spec::COLUMNS;
    let row = |vals: [&str; 15]| {
        let pairs: Vec<String> = keys
            .iter()
            .zip(vals)
            .map(|(k, v)| format!("\"{k}\":{}", serde_json::to_string(v).expect("json")))
            .collect();
        format!("{{{}}}", pairs.join(","))
    };
    let b = i.buyer.as_str();
    let r1 = [
        b,
        "Exempelby kommun",
        "V-501",
        "Nordisk Kontorsvaror AB",
        "10000017",
        "6110",
        "Kontorsmateriel",
        "1250,00",
        "2024-10-03",
        "Kommunstyrelsen",
        "F-31",
        "",
        "",
        "0180",
        "",
    ];
    let r2 = [
        b,
        "Exempelby kommun",
        "V-502",
        "Bygg, Mark & Anläggning AB",
        "10000025",
        "7010",
        "Entreprenad",
        "48 000,50",
        "2024-10-09",
        "Tekniska nämnden",
        "F-32",
        "Upphandling",
        "",
        "0180",
        "",
    ];
    let r3 = [
        b,
        "Exempelby kommun",
        "V-503",
        "Ekonomikonsult Lind",
        "10000033",
        "6590",
        "Konsulttjänster",
        "3 600,00",
        "2024-10-15",
        "Kommunstyrelsen",
        "F-33",
        "",
        "",
        "0180",
        "",
    ];
    let r4 = [
        b,
        "Exempelby kommun",
        "V-504",
        "Okänd mottagare",
        "10000041",
        "4590",
        "Ersättningar",
        "900,00",
        "2024-10-20",
        "Socialnämnden",
        "F-34",
        "",
        "",
        "0180",
        "",
    ];
    let r5 = [
        b,
        "Exempelby kommun",
        "V-505",
        "IT-Drift Norr AB",
        "10000058",
        "6540",
        "IT-tjänster",
        "-200,00",
        "2024-10-31",
        "Kommunstyrelsen",
        "F-35",
        "",
        "",
        "0180",
        "",
    ];
    let page1 = format!(
        "{{\"next\":\"https://example.invalid/store/1/rows?offset=3\",\"resultCount\":5,\"offset\":0,\"limit\":3,\"results\":[{},{},{}]}}",
        row(r1).replacen("\"kopare_id\"", "\"\u{feff}kopare_id\"", 1),
        row(r2),
        row(r3)
    );
    let page2 = format!(
        "{{\"next\":null,\"resultCount\":5,\"offset\":3,\"limit\":3,\"results\":[{},{}]}}",
        row(r4),
        row(r5)
    );
    write(
        "samples/rowstore/leverantorsreskontra-2024-10-sida1.json",
        page1.as_bytes(),
    );
    write(
        "samples/rowstore/leverantorsreskontra-2024-10-sida2.json",
        page2.as_bytes(),
    );
    let consultant = pnr("700707", "070");
    let register = format!(
        "Leverantörsnummer,Namn,Orgnr\n10000017,Nordisk Kontorsvaror AB,{}\n10000025,\"Bygg, Mark & Anläggning AB\",{}\n10000033,Ekonomikonsult Lind,{}\n10000058,IT-Drift Norr AB,{}\n",
        i.kontor, hyphen(&i.bygg), hyphen(&consultant), i.it
    );
    write(
        "samples/rowstore/leverantorsregister.csv",
        register.as_bytes(),
    );
}

fn policy(i: &Ids) {
    let text = format!(
        "# Example publisher policy for the fictional Exempelby kommun (see README).\n\
         mask_unidentified = true\n\
         person_marker = \"[innehåller personuppgifter]\"\n\
         number_marker = \"[personnummer borttaget]\"\n\n\
         [publisher]\n\
         buyer_id = \"{}\"\n\
         buyer_name = \"Exempelby kommun\"\n\
         kommun_id = \"0180\"\n\n\
         [allow]\n\
         # suppliers without an organisation number that may be published by name\n\
         names = [\"Skolbuss Öst HB\"]\n\n\
         [deny]\n\
         # withheld from every published file (e.g. protected identities)\n\
         names = [\"Skyddat Boende AB\"]\n\
         ids = []\n",
        hyphen(&i.buyer)
    );
    write("samples/policy.toml", text.as_bytes());
}

fn main() {
    for dir in ["municipality-report", "municipality-report-dated"] {
        fs::create_dir_all(format!("samples/{dir}")).expect("create sample folder");
    }
    let i = ids();
    spec_11(&i);
    region(&i);
    spec_10(&i);
    municipality_report(&i);
    municipality_report_dated(&i);
    city_csv(&i);
    municipality_yearly(&i);
    unit4(&i);
    proceedo(&i);
    raindance(&i);
    sie(&i);
    rowstore(&i);
    policy(&i);
}
