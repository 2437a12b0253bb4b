#![no_main]
//! The identifier classifier and the free-text scan: never panic; after redaction no personal
//! number is left; a cell the scan finds a personal number in is classified personal.
use libfuzzer_sys::fuzz_target;
use reskontra::ident::{classify_id, find_personal_numbers, redact_personal_numbers, IdKind};

fuzz_target!(|text: &str| {
    let kind = classify_id(text);
    let found = find_personal_numbers(text);
    if !found.is_empty() && !matches!(kind, IdKind::Organisation(_)) {
        assert!(kind.is_personal(), "{text:?} holds a personal number but is {kind:?}");
    }
    let (clean, n) = redact_personal_numbers(text, "[X]");
    assert_eq!(n, found.len());
    assert!(find_personal_numbers(&clean).is_empty(), "left in {clean:?}");
});
