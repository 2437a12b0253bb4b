#![no_main]
//! The date parser: never panics; a parsed date formats as YYYY-MM-DD and re-parses to itself.
use libfuzzer_sys::fuzz_target;
use reskontra::date::{parse_date, Period};

fuzz_target!(|text: &str| {
    if let Ok(d) = parse_date(text) {
        let iso = d.date.to_string();
        if (1000..=9999).contains(&chrono_year(&iso)) {
            assert_eq!(parse_date(&iso).expect("iso re-parses").date, d.date);
        }
    }
    let _ = Period::from_file_name(text);
});

fn chrono_year(iso: &str) -> i32 {
    iso.split('-').next().and_then(|y| y.parse().ok()).unwrap_or(0)
}
