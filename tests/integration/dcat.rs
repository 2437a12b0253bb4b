//! The publisher's DCAT-AP-SE 3.0.1 catalogue (`dcat.rdf`, `dcat.ttl` in the publication
//! folder), checked as the data portal checks it: by the SHACL shapes in data/dcat/ through
//! scripts/check_dcat.py (rdflib + pyshacl), and by `reskontra validate`.

use crate::common::{reskontra, root, sample_months, temp};
use std::path::Path;

const BASE: &str = "https://data.exempelby.se/oppnadata/lev";
const EMAIL: &str = "oppnadata@exempelby.se";

/// `dataset build` of a year into `publication/<year>`.
fn build_year(
    monthly: &Path,
    publication: &Path,
    year: &str,
    extra: &[&str],
) -> std::process::Output {
    reskontra()
        .args(["dataset", "build"])
        .arg(monthly)
        .args(["--year", year, "-o"])
        .arg(publication.join(year))
        .args(extra)
        .output()
        .expect("run")
}

fn ok(run: &std::process::Output) -> String {
    let err = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(run.status.success(), "{err}");
    err
}

/// scripts/check_dcat.py on a file: its exit code and output; none when python3 with rdflib
/// and pyshacl is missing and CI is unset (.ci/run installs them).
fn check_dcat(file: &Path) -> Option<(i32, String)> {
    let run = std::process::Command::new("python3")
        .arg(root().join("scripts/check_dcat.py"))
        .arg(file)
        .output();
    match run {
        Ok(r) if r.status.code() != Some(2) || std::env::var_os("CI").is_some() => Some((
            r.status.code().unwrap_or(-1),
            format!(
                "{}{}",
                String::from_utf8_lossy(&r.stdout),
                String::from_utf8_lossy(&r.stderr)
            ),
        )),
        _ => {
            eprintln!("skipped: python3 with rdflib and pyshacl is not installed");
            None
        }
    }
}

fn sha1_hex(path: &Path) -> String {
    use sha1::Digest;
    sha1::Sha1::digest(std::fs::read(path).expect("read"))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_catalogue_of_one_and_of_several_years_passes_the_portals_shapes() {
    let dir = temp();
    let monthly = sample_months(dir.path(), &["2024-01", "2024-02", "2025-01"]);
    let publication = dir.path().join("publicering");
    let common = ["--base-url", BASE, "--contact-email", EMAIL, "-q"];
    ok(&build_year(
        &monthly,
        &publication,
        "2024",
        &[&common[..], &["--date", "2025-01-10"]].concat(),
    ));
    let rdf = publication.join("dcat.rdf");
    let one_year = std::fs::read_to_string(&rdf).expect("catalogue");
    assert!(publication.join("dcat.ttl").is_file());
    if let Some((code, text)) = check_dcat(&rdf) {
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("0 violation(s)"), "{text}");
    }
    ok(&build_year(
        &monthly,
        &publication,
        "2025",
        &[&common[..], &["--date", "2025-02-10"]].concat(),
    ));
    let text = std::fs::read_to_string(&rdf).expect("catalogue");
    assert_ne!(text, one_year);
    for (file, _) in [(&rdf, "xml"), (&publication.join("dcat.ttl"), "turtle")] {
        if let Some((code, out)) = check_dcat(file) {
            assert_eq!(code, 0, "{out}");
        }
    }
    // one catalogue, two datasets, every IRI absolute under the base (or a vocabulary's)
    assert_eq!(text.matches("<dcat:Catalog rdf:about=").count(), 1);
    assert_eq!(text.matches("<dcat:Dataset rdf:about=").count(), 2);
    for needle in [
        &format!("<dcat:Dataset rdf:about=\"{BASE}/2024/#dataset\">"),
        &format!("<dcat:Dataset rdf:about=\"{BASE}/2025/#dataset\">"),
        "<dcterms:type rdf:resource=\"http://purl.org/adms/publishertype/LocalAuthority\"/>",
        "<foaf:Organization rdf:about=\"http://dataportal.se/organisation/SE2120000142\">",
        &format!("<vcard:hasEmail rdf:resource=\"mailto:{EMAIL}\"/>"),
        "<dcterms:conformsTo rdf:resource=\"https://lankadedata.se/spec/leverantorsreskontra/\"/>",
        "<dcterms:accrualPeriodicity rdf:resource=\"http://publications.europa.eu/resource/authority/frequency/MONTHLY\"/>",
        "<dcterms:license rdf:resource=\"http://creativecommons.org/publicdomain/zero/1.0/\"/>",
        "<dcterms:format>text/csv</dcterms:format>",
        "<dcterms:format>application/vnd.apache.parquet</dcterms:format>",
    ] {
        assert!(text.contains(needle), "dcat.rdf lacks {needle}\n{text}");
    }
    assert!(!text.contains("rdf:nodeID"), "no named blank nodes");
    // each month's CSV, the year's and the partitions are distributions whose size and SHA-1
    // are their files'
    for (year, files) in [
        (
            "2024",
            vec![
                "leverantorsreskontra-2024.csv",
                "leverantorsreskontra-2024-01.csv",
                "leverantorsreskontra-2024-02.csv",
                "parquet/kopare_id=2120000142/ar=2024/manad=02/data.parquet",
            ],
        ),
        ("2025", vec!["leverantorsreskontra-2025-01.csv"]),
    ] {
        for file in files {
            let path = publication.join(year).join(file);
            let url = format!("{BASE}/{year}/{file}");
            assert!(
                text.contains(&format!("<dcat:accessURL rdf:resource=\"{url}\"/>")),
                "{url}"
            );
            let block = text
                .split(&format!("rdf:about=\"{url}#distribution\">"))
                .nth(1)
                .expect("distribution")
                .split("</dcat:Distribution>")
                .next()
                .expect("block");
            assert!(block.contains(&sha1_hex(&path)), "{file} SHA-1");
            let size = std::fs::metadata(&path).expect("meta").len();
            assert!(
                block.contains(&format!(">{size}</dcat:byteSize>")),
                "{file} size"
            );
        }
    }
    // 2024 built again later: issued stays the first build's date, modified moves
    ok(&build_year(
        &monthly,
        &publication,
        "2024",
        &[&common[..], &["--date", "2025-03-01", "--replace"]].concat(),
    ));
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(publication.join("2024/report.json")).expect("report"),
    )
    .expect("json");
    assert_eq!(report["dates"]["issued"], "2025-01-10");
    // the SHA-1 the catalogue gives is recorded with each file (not read again by later builds)
    assert_eq!(
        report["outputs"][0]["sha1"].as_str(),
        Some(sha1_hex(&publication.join("2024/leverantorsreskontra-2024.csv")).as_str())
    );
    assert_eq!(report["dates"]["modified"], "2025-03-01");
    let text = std::fs::read_to_string(&rdf).expect("catalogue");
    assert!(
        text.contains(">2025-01-10</dcterms:issued>")
            && text.contains(">2025-03-01</dcterms:modified>")
    );
    // and reskontra validate reads the catalogue as the portal's rules say
    let run = reskontra()
        .arg("validate")
        .arg(&publication)
        .output()
        .expect("run");
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{out}");
    assert!(
        out.contains("dcat.rdf: valid (2 datasets, 0 errors, 0 warnings)"),
        "{out}"
    );
}

/// A catalogue with a mandatory property removed fails the shapes and `validate`.
#[test]
fn a_catalogue_without_a_mandatory_property_fails() {
    let dir = temp();
    let monthly = sample_months(dir.path(), &["2024-03"]);
    let publication = dir.path().join("pub");
    ok(&build_year(
        &monthly,
        &publication,
        "2024",
        &[
            "--base-url",
            BASE,
            "--contact-email",
            EMAIL,
            "--date",
            "2025-01-01",
            "-q",
        ],
    ));
    let text = std::fs::read_to_string(publication.join("dcat.rdf")).expect("catalogue");
    let cases = [
        // the publisher's type, mandatory from 3.0.1 on
        ("publisher-type", "<dcterms:type rdf:resource=\"http://purl.org/adms/publishertype/LocalAuthority\"/>", "", "dcterms:type"),
        // a distribution's one format
        ("format", "<dcterms:format>text/csv</dcterms:format>", "", "dcterms:format"),
        // the catalogue's CC0 licence
        ("licence", "<dcterms:license rdf:resource=\"http://creativecommons.org/publicdomain/zero/1.0/\"/>\n    <dcterms:language", "<dcterms:language", "dcterms:license"),
    ];
    for (name, remove, put, property) in cases {
        assert!(text.contains(remove), "{name}: {remove}");
        let broken = dir.path().join(format!("{name}.rdf"));
        std::fs::write(&broken, text.replacen(remove, put, 1)).expect("write");
        if let Some((code, out)) = check_dcat(&broken) {
            assert_eq!(code, 1, "{name}: {out}");
            assert!(out.contains("VIOLATION"), "{out}");
        }
        let run = reskontra()
            .arg("validate")
            .arg(&broken)
            .output()
            .expect("run");
        let out = String::from_utf8_lossy(&run.stdout);
        assert_eq!(run.status.code(), Some(1), "{name}: {out}");
        assert!(
            out.contains("[dcat_mandatory]") && out.contains(property),
            "{name}: {out}"
        );
    }
    // a dataset as a blank node, and a relative IRI
    let blank = text.replacen(
        &format!("<dcat:Dataset rdf:about=\"{BASE}/2024/#dataset\">"),
        "<dcat:Dataset>",
        1,
    );
    let relative = text.replacen(
        &format!("{BASE}/2024/leverantorsreskontra-2024.csv\"/>"),
        "leverantorsreskontra-2024.csv\"/>",
        1,
    );
    for (name, broken, key) in [
        ("blank", blank, "dcat_blank_node"),
        ("relative", relative, "dcat_relative_iri"),
    ] {
        let path = dir.path().join(format!("{name}.rdf"));
        std::fs::write(&path, broken).expect("write");
        let run = reskontra()
            .arg("validate")
            .arg(&path)
            .output()
            .expect("run");
        let out = String::from_utf8_lossy(&run.stdout);
        assert_eq!(run.status.code(), Some(1), "{name}: {out}");
        assert!(out.contains(&format!("[{key}]")), "{name}: {out}");
        if let Some((code, out)) = check_dcat(&path) {
            assert_eq!(code, 1, "{name}: {out}");
        }
    }
    // not RDF/XML at all
    let path = dir.path().join("broken.rdf");
    std::fs::write(
        &path,
        "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><oops",
    )
    .expect("write");
    let run = reskontra()
        .arg("validate")
        .arg(&path)
        .output()
        .expect("run");
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stdout).contains("[dcat_syntax]"));
}

/// Without a publication address no catalogue is written, and the summary says what to give;
/// a bad address or e-mail address stops the build before anything is written; a catalogue
/// file reskontra did not write is left alone; the policy's [publisher] gives the address.
#[test]
fn the_catalogue_needs_an_address_and_leaves_other_files_alone() {
    let dir = temp();
    let monthly = sample_months(dir.path(), &["2024-05"]);
    let publication = dir.path().join("pub");
    let err = ok(&build_year(&monthly, &publication, "2024", &[]));
    assert!(
        err.contains("no DCAT catalogue written: give --base-url"),
        "{err}"
    );
    assert!(!publication.join("dcat.rdf").exists());
    assert!(
        !publication.join("2024/dcat.ttl").exists(),
        "no relative-IRI Turtle any more"
    );
    for (args, says) in [
        (
            vec!["--base-url", "data.exempelby.se/lev"],
            "not an absolute http(s) address",
        ),
        (
            vec!["--base-url", BASE, "--contact-email", "oppnadata"],
            "is not an e-mail address",
        ),
        (vec!["--contact-email", EMAIL], "needs --base-url"),
        (
            vec!["--base-url", BASE, "--publisher-type", "landsting"],
            "neither 'kommun' nor 'region'",
        ),
        (
            vec!["--base-url", BASE, "--date", "2025-13-01"],
            "is not a date",
        ),
    ] {
        let run = build_year(&monthly, &publication, "2023", &args);
        assert_eq!(run.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&run.stderr).contains(says),
            "{args:?}"
        );
        assert!(
            !publication.join("2023").exists(),
            "{args:?}: nothing written"
        );
    }
    // a catalogue somebody else wrote is not overwritten (the year itself is written, and the
    // message says the catalogue was not)
    std::fs::write(publication.join("dcat.rdf"), "<rdf:RDF/>").expect("write");
    let run = build_year(
        &monthly,
        &publication,
        "2024",
        &["--base-url", BASE, "--replace"],
    );
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("was not written by reskontra")
            && err.contains("was written, but not the DCAT catalogue"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(publication.join("dcat.rdf")).expect("read"),
        "<rdf:RDF/>"
    );
    std::fs::remove_file(publication.join("dcat.rdf")).expect("rm");
    // the policy's [publisher] gives address, e-mail and type
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        format!("[publisher]\nbase_url = \"{BASE}\"\ncontact_email = \"{EMAIL}\"\npublisher_type = \"region\"\n"),
    )
    .expect("write");
    let policy_arg = policy.to_string_lossy().into_owned();
    ok(&build_year(
        &monthly,
        &publication,
        "2024",
        &["--policy", &policy_arg, "--replace", "-q"],
    ));
    let text = std::fs::read_to_string(publication.join("dcat.rdf")).expect("catalogue");
    assert!(text.contains("publishertype/RegionalAuthority"), "{text}");
    assert!(text.contains(&format!("mailto:{EMAIL}")));
    // verify builds the year again (without touching the catalogue) and finds it identical
    let before = std::fs::read(publication.join("dcat.rdf")).expect("read");
    let run = reskontra()
        .arg("verify")
        .arg(publication.join("2024/report.json"))
        .output()
        .expect("run");
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.status.success(), "{out}");
    assert!(out.contains("verified: every output is identical"), "{out}");
    assert_eq!(
        std::fs::read(publication.join("dcat.rdf")).expect("read"),
        before
    );
    // one year in two folders of one publication: refused, the catalogue left as it was
    let run = reskontra()
        .args(["dataset", "build"])
        .arg(&monthly)
        .args(["--year", "2024", "--base-url", BASE, "-o"])
        .arg(publication.join("ar-2024"))
        .output()
        .expect("run");
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("holds the year 2024 twice (2024 and ar-2024)"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(publication.join("dcat.rdf")).expect("read"),
        before
    );
}
