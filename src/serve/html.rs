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
