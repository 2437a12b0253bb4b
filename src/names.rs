//! What a supplier's name says about it: a legal form (a company, an association, an
//! authority) or a person's name written `SURNAME;FIRSTNAME`. No I/O; the privacy stage
//! (`protect`) and the validator both ask.

/// Legal forms that show a supplier is not a natural person (compared as lower-case words).
const LEGAL_FORM_WORDS: &[&str] = &[
    "ab",
    "(publ)",
    "publ",
    "hb",
    "kb",
    "aktiebolag",
    "aktiebolaget",
    "handelsbolag",
    "handelsbolaget",
    "kommanditbolag",
    "kommanditbolaget",
    "ekonomisk",
    "förening",
    "föreningen",
    "ef",
    "ideell",
    "stiftelse",
    "stiftelsen",
    "kommun",
    "kommuns",
    "region",
    "regionen",
    "landsting",
    "landstinget",
    "myndighet",
    "myndigheten",
    "verket",
    "styrelse",
    "styrelsen",
    "universitet",
    "universitetet",
    "högskola",
    "högskolan",
    "brf",
    "bostadsrättsförening",
    "bostadsrättsföreningen",
    "samfällighetsförening",
    "församling",
    "församlingen",
    "kyrka",
    "kyrkan",
    "akademi",
    "akademin",
    "förbund",
    "förbundet",
    "kooperativ",
    "sällskap",
    "sällskapet",
    "trossamfund",
    "klubb",
    "klubben",
    "idrottsförening",
    // foreign forms
    "ltd",
    "limited",
    "gmbh",
    "mbh",
    "oy",
    "oyj",
    "as",
    "asa",
    "a/s",
    "aps",
    "bv",
    "b.v",
    "nv",
    "n.v",
    "sa",
    "s.a",
    "sarl",
    "srl",
    "spa",
    "s.p.a",
    "inc",
    "incorporated",
    "llc",
    "llp",
    "plc",
    "ag",
    "kg",
    "corp",
    "corporation",
    "co",
    "company",
    "sas",
    "oü",
    "uab",
    "sia",
    "kft",
    "zrt",
    "o.o",
    "sro",
    "s.r.o",
    "ehf",
    "hf",
    "pty",
    "gbr",
    "ug",
    "ohg",
    "se",
];

fn words(name: &str) -> impl Iterator<Item = String> + '_ {
    name.split(|c: char| c.is_whitespace() || matches!(c, ';' | ',' | '(' | ')' | '&'))
        .map(|w| {
            w.trim_matches(|c: char| c == '.' || c == ':')
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
}

/// Whether a name shows a legal form (Swedish or common foreign), also after a `;`.
pub fn has_legal_form(name: &str) -> bool {
    let name = crate::chars::fold(name);
    let name = name.as_ref();
    words(name).any(|w| LEGAL_FORM_WORDS.contains(&w.as_str()))
        || name.to_lowercase().contains("ekonomisk förening")
        || name.to_lowercase().contains("ek. för")
        || name.to_lowercase().contains("ek.för")
        || name.to_lowercase().contains("ek för")
        || name.to_lowercase().contains("sp. z o")
        || name.to_lowercase().contains("sp z o")
}

/// Whether a name is written as a person's: `SURNAME;FIRSTNAME` or `Surname, Firstname`,
/// with no legal form.
pub fn is_person_shaped(name: &str) -> bool {
    // full-width `；` and `，`, typographic dashes and apostrophes read as their ASCII forms
    let name = crate::chars::fold(name);
    let name = name.as_ref();
    if has_legal_form(name) {
        return false;
    }
    let split = name.split_once(';').or_else(|| name.split_once(','));
    match split {
        Some((a, b)) => {
            let is_name_part = |s: &str| {
                let t = s.trim();
                !t.is_empty()
                    && t.split_whitespace().count() <= 3
                    && t.chars()
                        .all(|c| c.is_alphabetic() || c == '-' || c == ' ' || c == '\'')
            };
            is_name_part(a) && is_name_part(b)
        }
        None => false,
    }
}

/// Words that, written alone as a supplier's name, are a publisher's mark for a masked person
/// (compared as lower-case letters with everything else left out).
const MASKING_WORDS: &[&str] = &[
    "anonym",
    "anonymerad",
    "anonymiserad",
    "anonymiserat",
    "maskerad",
    "maskerat",
    "dold",
    "dolt",
    "borttagen",
    "borttaget",
    "privatperson",
    "privatpersoner",
    "enskildperson",
    "skyddadidentitet",
    "sekretess",
    "sekretessmarkerad",
    "uppgiftsaknas",
    "uppgiftborttagen",
];

/// Whether a supplier's name is a publisher's placeholder for a masked person rather than a
/// supplier: `[innehåller personuppgifter]`, `[Kan innehålla personuppgifter]`, `ANONYMERAD`,
/// `*`, `xxx`, `-` and the like (any text about personuppgifter, or one of the masking words
/// alone). An empty name is not one: the caller decides by the id.
pub fn is_masking_placeholder(name: &str) -> bool {
    let folded = crate::chars::fold(name);
    let lower = folded.trim().to_lowercase();
    if lower.is_empty() {
        return false;
    }
    // marks made of stars, crosses, dashes or dots only
    if lower
        .chars()
        .all(|c| matches!(c, '*' | 'x' | '-' | '.' | '#' | '?') || c.is_whitespace())
    {
        return true;
    }
    if lower.contains("personuppgift") {
        return true;
    }
    let letters: String = lower.chars().filter(|c| c.is_alphabetic()).collect();
    MASKING_WORDS.contains(&letters.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishers_masking_marks_are_placeholders_and_names_are_not() {
        for mark in [
            "[innehåller personuppgifter]",
            "[Kan innehålla personuppgifter]",
            "INNEHÅLLER PERSONUPPGIFTER",
            "ANONYMERAD",
            "(anonymiserad)",
            "*",
            "*****",
            " ** ",
            "xxx",
            "-",
            "Skyddad identitet",
            "Privatperson",
            "［innehåller personuppgifter］",
        ] {
            assert!(is_masking_placeholder(mark), "{mark}");
        }
        for name in [
            "",
            "Anna Svensson",
            "Maskin & Verktyg AB",
            "Dolt Kapital AB",
            "Anonyma Alkoholister Sverige",
            "X-Ray Konsult AB",
        ] {
            assert!(!is_masking_placeholder(name), "{name}");
        }
    }
}
