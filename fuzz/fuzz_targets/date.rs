#![no_main]
//! The date parser: never panics; a parsed date lies in 1900-2100, formats as YYYY-MM-DD and
//! re-parses to itself; a bare number is a date only where serials are allowed.
use libfuzzer_sys::fuzz_target;
use reskontra::date::{parse_date, parse_date_with, DateRules, Period, YEARS};

fuzz_target!(|text: &str| {
    for rules in [DateRules::default(), DateRules { serials: true }] {
        if let Ok(d) = parse_date_with(text, rules) {
            let iso = d.date.to_string();
            assert!(iso[..4].parse().is_ok_and(|y: i32| YEARS.contains(&y)));
            assert_eq!(parse_date(&iso).expect("iso re-parses").date, d.date);
        }
    }
    if text.trim().bytes().all(|b| b.is_ascii_digit()) && (1..=5).contains(&text.trim().len()) {
        assert!(parse_date(text).is_err());
    }
    let _ = Period::from_file_name(text);
});
