//! HTML pieces: escaping, the page frame, and the Swedish words the pages use.

/// Escape text for HTML (element content and quoted attribute values).
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page: the frame with the menu (when `menu`) around `body`.
pub(crate) fn page(title: &str, body: &str, menu: bool) -> axum::response::Html<String> {
    let nav = if menu {
        "<nav><a href=\"/\">Start</a><a href=\"/profile\">Profil</a><a href=\"/upload\">Ny månad</a>\
         <a href=\"/year\">Årsdatamängd</a><a href=\"/validate\">Kontrollera en fil</a></nav>"
    } else {
        ""
    };
    axum::response::Html(format!(
        "<!DOCTYPE html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} – reskontra</title><link rel=\"stylesheet\" href=\"/assets/style.css\">\
         <script src=\"/assets/app.js\" defer></script></head><body>\
         <header><span class=\"brand\">reskontra</span>{nav}</header><main>{body}</main>\
         <footer>reskontra {} · allt körs på den här datorn; exporten lämnar den inte</footer>\
         </body></html>\n",
        esc(title),
        env!("CARGO_PKG_VERSION")
    ))
}

/// A table: header cells and rows of (already escaped) cells.
pub(crate) fn table(class: &str, head: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("<table class=\"{class}\"><thead><tr>");
    for h in head {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td>{cell}</td>"));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// The Swedish name of a spec column.
pub(crate) fn column_label(column: &str) -> &'static str {
    match column {
        "kopare_id" => "Köparens organisationsnummer",
        "kopare" => "Köpare",
        "verifikationsnummer" => "Verifikationsnummer",
        "leverantor" => "Leverantör",
        "leverantor_id" => "Leverantörens organisationsnummer",
        "konto_nr" => "Konto",
        "konto_text" => "Kontobenämning",
        "belopp" => "Belopp exkl. moms",
        "datum" => "Datum",
        "forvaltning" => "Förvaltning",
        "fakturanummer" => "Fakturanummer",
        "grund" => "Grund",
        "avtal" => "Avtal",
        "kommun_id" => "Kommunkod",
        "s_kod_nr" => "S-kod",
        _ => "",
    }
}

/// A review reason (internal/review.csv, report.json) in Swedish.
pub(crate) fn reason_label(reason: &str) -> String {
    let text = match reason {
        "personnummer" => "leverantörens id är ett personnummer",
        "samordningsnummer" => "leverantörens id är ett samordningsnummer",
        "person_name" => "namnet ser ut som en privatpersons",
        "unidentified" => {
            "leverantören saknar organisationsnummer och namnet visar ingen bolagsform"
        }
        "deny_list" => "undantas alltid (din lista)",
        "secret" | "secrecy" => "markerad som sekretess i exporten",
        "sole_trader" => "enskild firma (organisationsnumret är ett personnummer)",
        _ => return reason.replace('_', " "),
    };
    text.to_string()
}

/// A validation finding's key in Swedish: what is wrong and what to do.
pub(crate) fn finding_label(check: &str) -> &'static str {
    match check {
        "personal_number" => "Ett personnummer eller samordningsnummer står i filen. Filen får inte publiceras.",
        "person_name" => "En leverantör utan organisationsnummer ser ut att vara en privatperson.",
        "belopp_format" => "Belopp är inte skrivna som specifikationen kräver (punkt som decimaltecken, två decimaler).",
        "datum" | "datum_range" => "Datum är inte skrivna ÅÅÅÅ-MM-DD eller ligger utanför 1900–2100.",
        "datum_outside_period" => "Några datum ligger långt från periodens månad.",
        "header" => "Kolumnrubrikerna är inte specifikationens 15 kolumner i rätt ordning.",
        "field_count" => "Några rader har fel antal fält.",
        "encoding" => "Filen är inte UTF-8.",
        "bom" | "bom_in_name" => "Filen börjar med en BOM-markering som inte ska finnas där.",
        "delimiter" => "Fälten är inte åtskilda med kommatecken.",
        "line_endings" => "Radslutet är inte enhetligt.",
        "kopare_id_format" => "Köparens organisationsnummer är inte tio siffror med giltig kontrollsiffra.",
        "buyer_not_constant" => "Filen har flera köpare; en fil ska ha en köpare.",
        "leverantor_id_format" => "Några leverantörers organisationsnummer är felskrivna.",
        "leverantor_id_empty" => "Några rader saknar leverantörens organisationsnummer.",
        "kommun_id" => "Kommunkoden är inte en av de 290.",
        "formula_like" => "Några textceller börjar som en Excel-formel.",
        "json_keys" | "json_shape" => "JSON-filen har inte specifikationens form.",
        "convertible" => "Filen kan göras om till specifikationens form med reskontra convert.",
        "mandatory" | "mandatory_empty" => "Obligatoriska fält är tomma.",
        _ => "Avvikelse från specifikationen.",
    }
}

/// A plan's source of a column (`column 'Belopp'`, `option --buyer-id (or the profile)`) in
/// Swedish.
pub(crate) fn source_label(source: &str) -> String {
    if let Some(rest) = source.strip_prefix("column ") {
        let rest = rest
            .replace(" (leading code)", " (koden i början)")
            .replace(" (text after the code)", " (texten efter koden)");
        return format!("kolumnen {rest}");
    }
    if let Some(rest) = source.strip_prefix("lookup ") {
        return format!(
            "uppslagstabellen {}",
            rest.replace(": column ", ", kolumnen ")
        );
    }
    if let Some(rest) = source.strip_prefix("constant ") {
        return format!("fast värde {rest}");
    }
    match source {
        "none" => "ingen (lämnas tom)".into(),
        "period (first day of the month)" => "månaden (första dagen)".into(),
        s if s.starts_with("option --buyer-id") => "profilen (organisationsnummer)".into(),
        s if s.starts_with("option --buyer-name") => "profilen (köparens namn)".into(),
        s if s.starts_with("option --kommun-id") => "profilen (kommun)".into(),
        s => s.to_string(),
    }
}

/// A run's warning (report.json, English) in Swedish where its form is known; else as it is.
pub(crate) fn warning_label(warning: &str) -> String {
    let words: Vec<&str> = warning.splitn(2, ' ').collect();
    let count = words
        .first()
        .filter(|w| w.bytes().all(|b| b.is_ascii_digit()));
    if let (Some(n), Some(rest)) = (count, words.get(1)) {
        let known = [
            (
                "rows were rejected: see internal/rejected.csv",
                "rader avvisades; se Granskning (avvisade rader).",
            ),
            (
                "kommun_id values were not municipality codes and were left empty",
                "kommunkoder var inte någon av de 290 och lämnades tomma.",
            ),
            (
                "rows had a supplier number not found in the supplier register",
                "rader hade ett leverantörsnummer som saknas i leverantörsregistret.",
            ),
        ];
        for (english, swedish) in known {
            if *rest == english {
                return format!("{n} {swedish}");
            }
        }
    }
    if let Some((file, period)) =
        warning.split_once(" has no date column: datum is the first day of ")
    {
        return format!("{file} saknar datumkolumn: datum blir första dagen i {period}.");
    }
    if warning.starts_with("the buyer looks like a municipality") {
        return "Köparen ser ut att vara en kommun: välj kommunen i profilen (specifikationen säger att kommunkoden ska anges).".into();
    }
    if let Some((file, rest)) = warning.split_once(": ") {
        if let Some((count, _)) = rest.split_once(" rows are dated more than a year from ") {
            return format!("{file}: {count} rader har ett datum mer än ett år från perioden. Kontrollera datumkolumnen. ({warning})");
        }
    }
    warning.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn known_sources_and_warnings_are_swedish() {
        assert_eq!(source_label("column 'Belopp'"), "kolumnen 'Belopp'");
        assert_eq!(
            source_label("column 'Konto' (leading code)"),
            "kolumnen 'Konto' (koden i början)"
        );
        assert_eq!(source_label("none"), "ingen (lämnas tom)");
        assert_eq!(
            source_label("option --buyer-id (or the profile)"),
            "profilen (organisationsnummer)"
        );
        assert_eq!(
            warning_label("3 rows were rejected: see internal/rejected.csv"),
            "3 rader avvisades; se Granskning (avvisade rader)."
        );
        assert_eq!(
            warning_label("a.csv has no date column: datum is the first day of 2024-05"),
            "a.csv saknar datumkolumn: datum blir första dagen i 2024-05."
        );
        assert_eq!(warning_label("something new"), "something new");
    }
}
