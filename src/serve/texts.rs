//! The desk's one catalogue of Swedish texts: every kind of error the library can stop with,
//! every rule a validation finding or a rejected row names, every warning a run can give,
//! every reason a supplier is masked, and the stages a job goes through. Each text says what
//! happened in plain Swedish and what to do next; the library's English words are shown only
//! in a closed "Tekniska detaljer" box.

use crate::error::Error;
use crate::rules::{Rule, RULES};

/// What a page says about an error: a heading, what to do, the buttons that help, and the
/// library's own message for the details box.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// What happened (a heading).
    pub title: String,
    /// What to do next.
    pub advice: String,
    /// The buttons that can help, one click away.
    pub links: Vec<Link>,
    /// The library's message (English), with file names but no folders.
    pub details: String,
}

/// A button: where it goes, its words, its element id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    /// The address.
    pub href: String,
    /// The words.
    pub label: String,
    /// The element id.
    pub id: String,
}

/// A button on an error box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Open the profile.
    Profile,
    /// Upload another file.
    Upload,
    /// Open the mapping editor of the run.
    Mapping,
    /// Open the run's choices (month, layout).
    Settings,
    /// Try the same again.
    Retry,
}

impl Action {
    /// The button's words.
    pub fn label(self) -> &'static str {
        match self {
            Action::Profile => "Fyll i profilen",
            Action::Upload => "Ladda upp en annan fil",
            Action::Mapping => "Koppla kolumnerna",
            Action::Settings => "Ändra valen för månaden",
            Action::Retry => "Försök igen",
        }
    }

    /// The element id of the button.
    pub fn id(self) -> &'static str {
        match self {
            Action::Profile => "fix-profile",
            Action::Upload => "fix-upload",
            Action::Mapping => "fix-mapping",
            Action::Settings => "fix-settings",
            Action::Retry => "fix-retry",
        }
    }

    /// Where the button goes, for the run `id` (if any).
    pub fn href(self, run: Option<&str>) -> String {
        match (self, run) {
            (Action::Profile, _) => "/profile".into(),
            (Action::Upload, _) => "/upload".into(),
            (Action::Mapping, Some(id)) => format!("/runs/{id}/mapping"),
            (Action::Settings, Some(id)) => format!("/runs/{id}#settings"),
            (Action::Retry, Some(id)) => format!("/runs/{id}"),
            (_, None) => "/".into(),
        }
    }
}

/// The kinds of error a finance officer meets, each with one Swedish text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// The buyer's name or organisation number is missing (the profile is not filled in).
    NoProfile,
    /// The export has no dates and its name no month.
    NoPeriod,
    /// Several layouts fit equally well.
    AmbiguousLayout,
    /// No layout fits and the column names do not tell the columns.
    UnknownLayout,
    /// The file is empty, or has a header and no rows.
    EmptyFile,
    /// The file is a PDF (whatever its name says).
    Pdf,
    /// The file is not a table this tool reads (binary, a damaged workbook).
    NotATable,
    /// One cell stops the run.
    BadCell,
    /// The file was read but something in it stops the run.
    BadInput,
    /// A choice of the run is wrong.
    BadChoice,
    /// A saved mapping is malformed.
    BadLayout,
    /// The profile file is malformed.
    BadProfile,
    /// Another run writes to the same folder.
    Busy,
    /// The privacy check stopped the run.
    Privacy,
    /// Rows or sums did not reconcile.
    Reconciliation,
    /// The run was cancelled.
    Cancelled,
    /// A file could not be read or written.
    Disk,
    /// A bug.
    Internal,
}

impl ErrorKind {
    /// Every kind, for the catalogue's test.
    #[cfg(test)]
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::NoProfile,
        ErrorKind::NoPeriod,
        ErrorKind::AmbiguousLayout,
        ErrorKind::UnknownLayout,
        ErrorKind::EmptyFile,
        ErrorKind::Pdf,
        ErrorKind::NotATable,
        ErrorKind::BadCell,
        ErrorKind::BadInput,
        ErrorKind::BadChoice,
        ErrorKind::BadLayout,
        ErrorKind::BadProfile,
        ErrorKind::Busy,
        ErrorKind::Privacy,
        ErrorKind::Reconciliation,
        ErrorKind::Cancelled,
        ErrorKind::Disk,
        ErrorKind::Internal,
    ];

    /// The heading, what to do, and the buttons that help.
    pub fn text(self) -> (&'static str, &'static str, &'static [Action]) {
        use Action::*;
        match self {
            ErrorKind::NoProfile => (
                "Profilen är inte ifylld",
                "Köparens namn och organisationsnummer står i varje publicerad rad. Fyll i profilen, spara den och konvertera sedan igen.",
                &[Profile],
            ),
            ErrorKind::NoPeriod => (
                "Månaden går inte att se i exporten",
                "Exporten har inga datum och filnamnet ingen månad. Skriv månaden (ÅÅÅÅ-MM) under Val för månaden, spara valen och konvertera igen.",
                &[Settings],
            ),
            ErrorKind::AmbiguousLayout => (
                "Flera kolumnmappningar passar lika bra",
                "Välj vilken mappning exporten ska läsas med under Val för månaden och spara valen.",
                &[Settings],
            ),
            ErrorKind::UnknownLayout => (
                "Kolumnerna i exporten känns inte igen",
                "Koppla exportens kolumner till specifikationens kolumner och spara mappningen. Nästa månads export i samma form känns då igen av sig själv.",
                &[Mapping, Upload],
            ),
            ErrorKind::EmptyFile => (
                "Filen innehåller inga rader",
                "Filen är tom eller har bara en rubrikrad. Ta en ny export ur ekonomisystemet, kontrollera att den innehåller månadens fakturor och ladda upp den.",
                &[Upload],
            ),
            ErrorKind::Pdf => (
                "Filen är en PDF",
                "En PDF kan inte läsas som en tabell. Ta ut exporten ur ekonomisystemet som Excel eller CSV och ladda upp den.",
                &[Upload],
            ),
            ErrorKind::NotATable => (
                "Filen kan inte läsas som en tabell",
                "Filen är varken en Excel-fil, en textfil eller en SIE-fil som går att läsa, eller så är den skadad. Ta ut exporten igen som Excel eller CSV och ladda upp den.",
                &[Upload],
            ),
            ErrorKind::BadCell => (
                "Ett värde i exporten stoppade konverteringen",
                "Rätta värdet i ekonomisystemet eller i exporten och ladda upp filen igen.",
                &[Upload],
            ),
            ErrorKind::BadInput => (
                "Exporten kunde inte konverteras",
                "Kontrollera att det är hela exporten från ekonomisystemet, med rubrikraden, och ladda upp den igen. Om kolumnerna hamnat fel: koppla dem själv.",
                &[Upload, Mapping],
            ),
            ErrorKind::BadChoice => (
                "Ett val för månaden är fel",
                "Öppna valen för månaden, rätta dem och spara.",
                &[Settings],
            ),
            ErrorKind::BadLayout => (
                "Den sparade kolumnmappningen är felaktig",
                "Öppna mappningen, kontrollera kolumnerna och spara den igen.",
                &[Mapping],
            ),
            ErrorKind::BadProfile => (
                "Profilen kunde inte läsas",
                "Öppna profilen, kontrollera uppgifterna och spara den igen.",
                &[Profile],
            ),
            ErrorKind::Busy => (
                "En annan körning arbetar med samma månad",
                "Vänta tills den är klar och försök igen.",
                &[Retry],
            ),
            ErrorKind::Privacy => (
                "Kontrollen av personuppgifter stoppade körningen",
                "Inget publicerades. Kontakta den som ansvarar för reskontra hos er och visa de tekniska detaljerna.",
                &[],
            ),
            ErrorKind::Reconciliation => (
                "Raderna eller beloppen gick inte ihop",
                "Inget publicerades. Kontakta den som ansvarar för reskontra hos er och visa de tekniska detaljerna.",
                &[],
            ),
            ErrorKind::Cancelled => (
                "Konverteringen avbröts",
                "Inget ändrades. Konvertera igen när du vill.",
                &[Retry],
            ),
            ErrorKind::Disk => (
                "En fil kunde inte läsas eller sparas",
                "Kontrollera att disken inte är full och försök igen.",
                &[Retry],
            ),
            ErrorKind::Internal => (
                "Ett internt fel inträffade",
                "Inget publicerades. Försök igen; om felet kommer tillbaka, kontakta den som ansvarar för reskontra hos er och visa de tekniska detaljerna.",
                &[Retry],
            ),
        }
    }

    /// The kind of a library error.
    pub fn of(e: &Error) -> ErrorKind {
        let text = e.to_string();
        let has = |s: &str| text.contains(s);
        match e {
            Error::Input { .. } | Error::Cell { .. } | Error::Usage(_)
                if has("is not in the data") && (has("--buyer-id") || has("--buyer-name")) =>
            {
                ErrorKind::NoProfile
            }
            _ if has("no period was found") => ErrorKind::NoPeriod,
            _ if has("equally well") => ErrorKind::AmbiguousLayout,
            Error::Input { .. } | Error::Cell { .. }
                if has("no built-in layout matches")
                    || has("no header row")
                    || has("this is not a table") =>
            {
                ErrorKind::UnknownLayout
            }
            Error::Input { .. } | Error::Unreadable { .. }
                if has("is empty")
                    || has("holds no")
                    || has("no data rows")
                    || has("has no sheet")
                    || has("no rows") =>
            {
                ErrorKind::EmptyFile
            }
            Error::Unreadable { .. } => ErrorKind::NotATable,
            Error::Cell { .. } => ErrorKind::BadCell,
            Error::Input { .. } => ErrorKind::BadInput,
            Error::Usage(_) => ErrorKind::BadChoice,
            Error::Layout { .. } => ErrorKind::BadLayout,
            Error::Policy { .. } => ErrorKind::BadProfile,
            Error::OutputFolder { .. } => ErrorKind::Busy,
            Error::Privacy(_) => ErrorKind::Privacy,
            Error::Reconciliation(_) => ErrorKind::Reconciliation,
            Error::Cancelled => ErrorKind::Cancelled,
            Error::Io { .. } => ErrorKind::Disk,
            Error::Internal(_) => ErrorKind::Internal,
        }
    }
}

/// The library's message without any folder: a path becomes its file name.
pub(crate) fn details_of(e: &Error) -> String {
    let name = |p: &std::path::Path| crate::read::file_name(p);
    match e {
        Error::Io { path, source } => format!("{}: {source}", name(path)),
        Error::Unreadable { path, message } | Error::Input { path, message } => {
            format!("{}: {message}", name(path))
        }
        Error::Cell {
            path,
            row,
            column,
            message,
        } => format!("{}: row {row}, column {column}: {message}", name(path)),
        Error::Policy { path, message } => format!("policy {}: {message}", name(path)),
        Error::OutputFolder { path, message } => format!("{}: {message}", name(path)),
        other => other.to_string(),
    }
}

/// The page's words for a library error (the buttons for the run `run`, if any).
pub(crate) fn problem(e: &Error, run: Option<&str>) -> Problem {
    problem_of_kind(ErrorKind::of(e), e, run)
}

/// The page's words for an error of a known kind.
pub(crate) fn problem_of_kind(kind: ErrorKind, e: &Error, run: Option<&str>) -> Problem {
    let (title, advice, actions) = kind.text();
    let mut advice = advice.to_string();
    if let Error::Cell {
        path, row, column, ..
    } = e
    {
        advice = format!(
            "Rad {row}, kolumnen {column} i {}. {advice}",
            crate::read::file_name(path)
        );
    }
    Problem {
        title: title.into(),
        advice,
        links: actions
            .iter()
            // a run's own buttons only where there is a run
            .filter(|a| run.is_some() || matches!(a, Action::Profile | Action::Upload))
            .map(|a| Link {
                href: a.href(run),
                label: a.label().into(),
                id: a.id().into(),
            })
            .collect(),
        details: details_of(e),
    }
}

/// A finding's or a rule's key without its column: `belopp_missing` → (`{column}_missing`,
/// `belopp`).
fn rule_of(key: &str) -> Option<(&'static Rule, String)> {
    RULES.iter().find_map(|r| {
        if r.key == key {
            return Some((*r, String::new()));
        }
        let suffix = r.key.strip_prefix("{column}")?;
        let column = key.strip_suffix(suffix)?;
        crate::spec::COLUMNS
            .contains(&column)
            .then(|| (*r, column.to_string()))
    })
}

/// A rule in Swedish: what is wrong and what to do (`{kolumn}` becomes the column's name).
pub(crate) fn rule_text(rule: &Rule) -> &'static str {
    match rule.key {
        "{column}_missing" => "Obligatoriska värden saknas i kolumnen {kolumn}. Fyll i dem i exporten, eller koppla rätt kolumn i mappningen.",
        "leverantor_id_empty" => "Några rader saknar leverantörens organisationsnummer. Det är tillåtet, men kontrollera att det stämmer.",
        "leverantor_blanked" => "Några rader har varken leverantörens namn eller nummer (maskerade enskilda firmor eller privatpersoner). Det är väntat om profilen lämnar dem tomma.",
        "kopare_id_format" => "Köparens organisationsnummer är inte tio siffror med rätt kontrollsiffra. Rätta det i profilen.",
        "leverantor_id_format" => "Några leverantörers organisationsnummer är felskrivna. Kontrollera dem i ekonomisystemet.",
        "belopp_decimals" => "Belopp har fler eller färre än två decimaler. Filen ska skrivas om med reskontra.",
        "belopp_format" => "Belopp är inte skrivna som tal med punkt och två decimaler. Filen ska skrivas om med reskontra.",
        "datum_format" => "Datum är inte skrivna ÅÅÅÅ-MM-DD. Filen ska skrivas om med reskontra.",
        "datum_range" => "Datum ligger före 1900 eller efter 2100. Kontrollera datumen i exporten.",
        "datum_outside_period" => "Några datum ligger långt från filens månad. Kontrollera att rätt period togs ut ur ekonomisystemet.",
        "kommun_id" => "Kommunkoden är inte en av landets 290. Välj kommunen i profilen.",
        "buyer_not_constant" => "Filen har flera köpare; en fil ska ha en köpare. Dela upp exporten per köpare.",
        "personal_number" => "Ett personnummer eller samordningsnummer står i filen. Publicera den inte; konvertera exporten med reskontra, som tar bort dem.",
        "formula_like" => "Några textceller börjar som en Excel-formel. Filen ska skrivas om med reskontra, som skyddar dem.",
        "person_name" => "En leverantör utan organisationsnummer ser ut att vara en privatperson. Granska raden innan filen publiceras.",
        "duplicate_row" => "Några rader är exakt likadana som en annan rad i filen. Det kan vara riktiga upprepade konteringar; kontrollera i ekonomisystemet att de inte är dubbletter.",
        "field_count" => "Några rader har fel antal fält. Ta ut exporten igen och kontrollera att inga rader är avhuggna.",
        "status_filter" => "Rader med en status som inte ska publiceras (till exempel makulerade) är kvar. Filen ska skrivas om med reskontra.",
        "bom" => "Filen börjar med ett osynligt BOM-tecken som inte ska finnas där. Filen ska skrivas om med reskontra.",
        "encoding" => "Filen är inte sparad som UTF-8. Filen ska skrivas om med reskontra.",
        "line_endings" => "Radsluten i filen är inte enhetliga. Filen ska skrivas om med reskontra.",
        "delimiter" => "Fälten är inte åtskilda med kommatecken. Filen ska skrivas om med reskontra.",
        "header" => "Kolumnrubrikerna är inte specifikationens 15 kolumner i rätt ordning. Filen ska skrivas om med reskontra.",
        "json_shape" => "JSON-filen har inte specifikationens form (en lista av rader). Filen ska skrivas om med reskontra.",
        "json_keys" => "JSON-filens fält har inte specifikationens namn. Filen ska skrivas om med reskontra.",
        "json_type" => "Några värden i JSON-filen har fel typ (tal i stället för text eller tvärtom). Filen ska skrivas om med reskontra.",
        "dcat_syntax" => "Katalogfilen går inte att läsa som RDF/XML. Bygg årsdatamängden igen, så skrivs katalogen om.",
        "dcat_no_catalog" => "Filen innehåller ingen katalog (dcat:Catalog). Fyll i publiceringsadressen i profilen och bygg årsdatamängden igen.",
        "dcat_blank_node" => "Något i katalogen saknar en egen adress, som dataportalen kräver. Bygg årsdatamängden igen, så skrivs katalogen om.",
        "dcat_relative_iri" => "Katalogen innehåller en ofullständig adress. Kontrollera publiceringsadressen i profilen och bygg igen.",
        "dcat_mandatory" => "Katalogen saknar en uppgift som dataportalen kräver. Fyll i profilen (publiceringsadress, typ av organisation) och bygg årsdatamängden igen.",
        "dcat_exactly_one" => "En fil i katalogen har mer än en adress eller mer än ett format. Bygg årsdatamängden igen, så skrivs katalogen om.",
        "dcat_recommended" => "Katalogen saknar en uppgift som dataportalen rekommenderar, till exempel e-post för frågor. Fyll i den i profilen och bygg igen.",
        _ => "",
    }
}

/// A validation finding's key in Swedish (its column, if it has one, named in Swedish).
pub(crate) fn finding_text(key: &str) -> Option<String> {
    let (rule, column) = rule_of(key)?;
    let text = rule_text(rule);
    (!text.is_empty()).then(|| text.replace("{kolumn}", column_label(&column)))
}

/// A rejected row's reason (`rejected.csv`) in Swedish.
pub(crate) fn rejection_text(reason: &str) -> String {
    use crate::rules::*;
    let column_of = |r: &str| r.split_once(':').map(|(c, _)| c.trim().to_string());
    let known = [
        (&REJECT_FIELD_COUNT, "Raden har ett annat antal fält än rubrikraden. Kontrollera raden i exporten."),
        (&REJECT_STATUS, "Radens status ska inte publiceras (till exempel makulerad)."),
        (&REJECT_EMPTY_AMOUNT, "Beloppet saknas. Fyll i beloppet i ekonomisystemet och ta ut exporten igen."),
        (&REJECT_AMOUNT_PERSONAL_NUMBER, "Beloppet ser ut som ett personnummer och publiceras inte. Kontrollera raden."),
        (&REJECT_AMOUNT, "Beloppet går inte att läsa som ett tal. Rätta beloppet i exporten."),
        (&REJECT_EMPTY_DATE, "Datumet saknas. Fyll i datumet eller ange månaden för körningen."),
        (&REJECT_DATE_RANGE, "Datumet ligger före 1900 eller efter 2100. Rätta datumet i exporten."),
        (&REJECT_DATE, "Datumet går inte att läsa. Rätta datumet i exporten."),
        (&REJECT_BUYER_ID, "Köparens organisationsnummer i raden är inte giltigt. Rätta det i exporten eller i profilen."),
    ];
    for (rejection, text) in known {
        if matches_template(rejection.text, reason) {
            return text.to_string();
        }
    }
    if matches_template(REJECT_EMPTY_MANDATORY.text, reason) {
        let column = column_of(reason).unwrap_or_default();
        return format!(
            "Ett obligatoriskt värde saknas: {}. Fyll i det i exporten.",
            column_label(&column)
        );
    }
    "Raden kunde inte läsas. Kontrollera den i exporten.".into()
}

/// A warning template (the library's English, `{n}` and the other braced words for its parts)
/// and its Swedish text (the same braced words filled in).
const WARNINGS: &[(&str, &str)] = &[
    (
        "{n} rows were rejected: see {file}",
        "{n} avvisades. De står under Granskning (avvisade rader), med skälet för varje rad.",
    ),
    (
        "{n} kommun_id values were not municipality codes and were left empty",
        "{n} hade en kommunkod som inte är någon av landets 290; den lämnades tom.",
    ),
    (
        "{file} has no date column: datum is the first day of {period}",
        "{file} har ingen datumkolumn. Varje rad får datumet första dagen i månaden ({period}).",
    ),
    (
        "{n} rows had a supplier number not found in the supplier register",
        "{n} hade ett leverantörsnummer som saknas i leverantörsregistret. Ladda upp ett nyare register om namnen ska med.",
    ),
    (
        "{n} rows had a key not found in lookup {name}",
        "{n} hade en nyckel som saknas i uppslagstabellen {name}. Kontrollera att alla filer i exporten är från samma uttag.",
    ),
    (
        "{n} rows had a buyer of their own that is no organisation number (a name or a code); the buyer given replaced it",
        "{n} hade en egen köpare som inte är ett organisationsnummer (ett namn eller en kod); köparen i profilen ersatte den. Kontrollera att exporten bara gäller er organisation.",
    ),
    (
        "the buyer looks like a municipality: give --kommun-id (the spec says it should be given)",
        "Köparen ser ut att vara en kommun. Välj kommunen i profilen; specifikationen säger att kommunkoden ska anges.",
    ),
    (
        "{n} amounts were written with the other decimal mark than the layout declares and read as written (mixed_decimal_marks)",
        "{n} belopp var skrivna med det andra decimaltecknet och lästes som de var skrivna. Kontrollera några av dem.",
    ),
    (
        "{file}: amounts are written with a decimal comma ({comma}) and with a decimal point ({point}); ambiguous ones after the first of the other kind are rejected",
        "{file}: beloppen är skrivna både med decimalkomma och decimalpunkt. Tvetydiga belopp avvisades; kontrollera exporten.",
    ),
    (
        "{file}: {n} ambiguous amounts (one mark and three digits, like 1,234) were read with the file's decimal {mark}",
        "{file}: {n} tvetydiga belopp (som 1,234) lästes med filens decimaltecken. Kontrollera några av dem.",
    ),
    (
        "{file}: {n} rows are dated more than a year from {reference}",
        "{file}: {n} har ett datum mer än ett år från månaden. Kontrollera datumkolumnen och att rätt period togs ut.",
    ),
];

/// The parts of `text` that `template`'s braced words stand for, when it matches (a text
/// longer than the template's end is allowed where the template ends with a braced word).
fn captures(template: &str, text: &str) -> Option<Vec<(String, String)>> {
    let Some((start, rest)) = template.split_once('{') else {
        return (template == text || text.starts_with(&format!("{template} "))).then(Vec::new);
    };
    let text = text.strip_prefix(start)?;
    let (name, after) = rest.split_once('}')?;
    if after.is_empty() {
        return (!text.is_empty()).then(|| vec![(name.to_string(), text.to_string())]);
    }
    text.char_indices().skip(1).find_map(|(at, _)| {
        let mut more = captures(after, &text[at..])?;
        more.insert(0, (name.to_string(), text[..at].to_string()));
        Some(more)
    })
}

/// A run's warning in Swedish; none when its form is not known (the page then says so and
/// shows the English in the details box).
pub(crate) fn warning_text(warning: &str) -> Option<String> {
    WARNINGS.iter().find_map(|(english, swedish)| {
        // a warning may go on after its template ends (the far dates name their rows)
        let english_head = english.trim_end_matches("{reference}");
        let parts = captures(english, warning).or_else(|| {
            (english_head != *english)
                .then(|| captures(&format!("{english_head}{{reference}}"), warning))
                .flatten()
        })?;
        let mut out = swedish.to_string();
        for (name, value) in parts {
            let value = if name == "n" {
                rows_phrase(&value)
            } else {
                value
            };
            out = out.replace(&format!("{{{name}}}"), &value);
        }
        Some(out)
    })
}

/// `3` → `3 rader`, `1` → `1 rad` (with thousands separated), for a count at a sentence's start.
fn rows_phrase(count: &str) -> String {
    match count.parse::<u64>() {
        Ok(n) => count_of(n, "rad", "rader"),
        Err(_) => count.to_string(),
    }
}

/// A count with its noun in the right number: `1 rad`, `1 611 rader`.
pub(crate) fn count_of(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", number(n), if n == 1 { one } else { many })
}

/// A whole number with a thin space between thousands (`68 021`), as kronor are written.
pub(crate) fn number(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}

/// A masking reason (`internal/review.csv`, report.json) in Swedish.
pub(crate) fn reason_text(reason: &str) -> &'static str {
    match reason {
        "personnummer" => "leverantörens nummer är ett personnummer",
        "samordningsnummer" => "leverantörens nummer är ett samordningsnummer",
        "estate" => "dödsbo (en avliden persons namn)",
        "sole_trader" => "enskild firma (en persons namn)",
        "person_name" => "namnet ser ut som en privatpersons",
        "unidentified" => "organisationsnummer saknas och namnet visar ingen bolagsform",
        "masked_in_source" => "redan maskerad i exporten",
        "deny_list" => "undantas alltid (profilens lista)",
        "secret" | "secrecy" => "markerad som sekretess i exporten",
        _ => "maskerad av en regel för personuppgifter",
    }
}

/// A job's stage (the library's English) in Swedish.
pub(crate) fn stage_text(stage: &str) -> String {
    let file_after = |prefix: &str| stage.strip_prefix(prefix).map(str::to_string);
    if let Some(file) = file_after("reading ") {
        return format!("läser {file}");
    }
    if let Some(rest) = file_after("converting ") {
        let file = rest.split(": rows").next().unwrap_or(&rest);
        return format!("konverterar {file}");
    }
    if let Some(file) = file_after("validating ") {
        return format!("kontrollerar {file}");
    }
    if let Some(month) = file_after("writing ") {
        if month.starts_with(|c: char| c.is_ascii_digit()) {
            return format!("skriver {month}");
        }
    }
    match stage {
        "writing the report" => "skriver rapporten".into(),
        "writing internal review files" => "skriver granskningslistan".into(),
        "startar" => "startar".into(),
        _ => "arbetar".into(),
    }
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
        _ => "okänd kolumn",
    }
}

/// A plan's source of a column (`column 'Belopp'`, `option --buyer-id (or the profile)`) in
/// Swedish.
pub(crate) fn source_text(source: &str) -> String {
    if let Some(rest) = source.strip_prefix("column ") {
        let rest = rest
            .replace(" (leading code)", " (koden i början)")
            .replace(" (text after the code)", " (texten efter koden)")
            .replace(
                " (no column of its own: the fakturanummer column)",
                " (samma som fakturanumret)",
            );
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
        s if s.starts_with("option --period") => "månaden (första dagen)".into(),
        s if s.starts_with("SIE") || s.contains("#TRANS") => "SIE-filens konteringar".into(),
        _ => "beräknas ur exporten".into(),
    }
}

/// How a file is read (`delimited`, `workbook`, ...) in Swedish.
pub(crate) fn format_text(kind: &str) -> &'static str {
    match kind {
        "delimited" => "textfil (CSV)",
        "workbook" => "kalkylblad (Excel eller ODS)",
        "json" => "JSON",
        "parquet" => "Parquet",
        "sie" => "SIE-fil",
        _ => "fil",
    }
}

/// A layout's name on a page: a built-in one's Swedish title, a saved one's name as written.
pub(crate) fn layout_title(name: &str) -> String {
    let title = match name {
        "inferred" => "kopplad efter kolumnnamnen",
        "city-csv" => "Stadens CSV-export",
        "municipality-report" => "Kommunens rapport (Excel)",
        "municipality-report-dated" => "Kommunens rapport med datum",
        "municipality-yearly" => "Kommunens årsfil",
        "proceedo" => "Visma Proceedo",
        "raindance" => "Raindance (tre filer)",
        "sie4" => "SIE 4",
        "spec-1.0" => "Nationella formatet 1.0",
        "spec-1.1" => "Nationella formatet 1.1",
        "unit4-levstat" => "Unit4 Levstat",
        other => other,
    };
    title.to_string()
}

/// A built-in layout's description in Swedish (a saved one: the publisher's own).
pub(crate) fn layout_text(name: &str) -> &'static str {
    match name {
        "city-csv" => "CSV-export från en stad: semikolon, decimalkomma; datum från datumkolumnen eller månaden i filnamnet.",
        "municipality-report" => "Kommunens rapport ur beslutsstödet (Excel): förvaltning, leverantör, organisationsnummer, fakturanummer, konto med nummer och namn i samma cell, utfall.",
        "municipality-report-dated" => "Senare form av kommunens rapport, med datum.",
        "municipality-yearly" => "Kommunens årsfil (CSV): datum som ÅÅÅÅMM, redan anonymiserade leverantörer markerade med *.",
        "proceedo" => "Fakturarapport ur Visma Proceedo: sekretessmarkerade rader undantas, bara rader med status OK tas med.",
        "raindance" => "Raindance: konteringarna tillsammans med leverantörstabellen och kontotabellen (tre filer).",
        "sie4" => "SIE 4 från vilket ekonomisystem som helst: leverantörsfakturornas konteringar.",
        "spec-1.0" => "Det nationella formatet version 1.0, uppgraderat till 1.1.",
        "spec-1.1" => "Det nationella formatet version 1.1 självt.",
        "unit4-levstat" => "Unit4 Business World (Agresso), rapporten Levstat.",
        "inferred" => "Ingen sparad mappning passade exporten.",
        _ => "Din sparade kolumnmappning.",
    }
}

/// Why a layout was chosen (the plan's English reason) in Swedish.
pub(crate) fn layout_reason_text(reason: &str, inferred: bool) -> String {
    if inferred {
        return "Ingen sparad mappning passade, så kolumnerna kopplades efter sina namn. Kontrollera kopplingarna nedan; spara mappningen om de stämmer.".into();
    }
    if reason.starts_with("chosen with --layout") {
        return "Mappningen är vald under Val för månaden.".into();
    }
    if let Some(rest) = reason.strip_prefix("detected from ") {
        let file = rest.split(": ").next().unwrap_or(rest);
        let line = rest
            .split("header on row ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .map(|n| format!(" (rubrikraden är rad {n})"))
            .unwrap_or_default();
        return format!("Känns igen på kolumnrubrikerna i {file}{line}.");
    }
    "Känns igen på exportens form.".into()
}

/// A month (`2024-05`) by name (`maj 2024`); a span (`2024-01 – 2024-03`) month by month.
pub(crate) fn month_name(period: &str) -> String {
    let one = |p: &str| {
        let (y, m) = p.trim().split_once('-')?;
        let name = crate::date::swedish_month(m.parse().ok()?)?;
        (y.len() == 4).then(|| format!("{name} {y}"))
    };
    if let Some((a, b)) = period.split_once(" – ") {
        if let (Some(a), Some(b)) = (one(a), one(b)) {
            return format!("{a} – {b}");
        }
    }
    one(period).unwrap_or_else(|| period.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// One error of each variant of the library's error type (a new variant fails to compile
    /// here until it is given a kind and a text).
    fn one_of_each() -> Vec<Error> {
        let p = PathBuf::from("/home/x/ws/runs/1/inputs/a.csv");
        let all = vec![
            Error::io(&p, std::io::Error::other("disk")),
            Error::unreadable(&p, "binary content"),
            Error::input(&p, "no built-in layout matches the header"),
            Error::Cell {
                path: p.clone(),
                row: 7,
                column: "Belopp".into(),
                message: "bad".into(),
            },
            Error::Layout {
                name: "x".into(),
                message: "bad".into(),
            },
            Error::Policy {
                path: p.clone(),
                message: "bad".into(),
            },
            Error::Usage("bad".into()),
            Error::OutputFolder {
                path: p.clone(),
                message: "busy".into(),
            },
            Error::Privacy("x".into()),
            Error::Reconciliation("x".into()),
            Error::Cancelled,
            Error::Internal("x".into()),
        ];
        for e in &all {
            // exhaustive: a new variant must be added above
            match e {
                Error::Io { .. }
                | Error::Unreadable { .. }
                | Error::Input { .. }
                | Error::Cell { .. }
                | Error::Layout { .. }
                | Error::Policy { .. }
                | Error::Usage(_)
                | Error::OutputFolder { .. }
                | Error::Privacy(_)
                | Error::Reconciliation(_)
                | Error::Cancelled
                | Error::Internal(_) => {}
            }
        }
        all
    }

    #[test]
    fn every_error_kind_has_a_swedish_text_and_every_error_a_kind() {
        for kind in ErrorKind::ALL {
            let (title, advice, _) = kind.text();
            assert!(!title.is_empty() && advice.len() > 20, "{kind:?}");
            assert!(!advice.contains("--"), "{kind:?}");
        }
        for e in one_of_each() {
            let p = problem(&e, Some("1"));
            assert!(ErrorKind::ALL.contains(&ErrorKind::of(&e)));
            assert!(!p.details.contains("/home"), "{}", p.details);
            assert!(!p.advice.contains("/home"), "{}", p.advice);
        }
    }

    #[test]
    fn the_cases_a_finance_officer_meets_have_their_own_kind() {
        let p = PathBuf::from("a.csv");
        let kind = |e: Error| ErrorKind::of(&e);
        assert_eq!(
            kind(Error::input(
                &p,
                "the buyer's organisation number (kopare_id) is not in the data: give --buyer-id"
            )),
            ErrorKind::NoProfile
        );
        assert_eq!(
            kind(Error::unreadable(&p, "the file is empty")),
            ErrorKind::EmptyFile
        );
        assert_eq!(
            kind(Error::input(
                &p,
                "the header (line 1) is followed by no data rows"
            )),
            ErrorKind::EmptyFile
        );
        assert_eq!(
            kind(Error::input(
                &p,
                "the layout has no date column and no period was found: give --period YYYY-MM"
            )),
            ErrorKind::NoPeriod
        );
        assert_eq!(
            kind(Error::unreadable(
                &p,
                "this is not a text file or workbook (binary content)"
            )),
            ErrorKind::NotATable
        );
        let cell = problem(
            &Error::Cell {
                path: PathBuf::from("/x/y/lev.csv"),
                row: 12,
                column: "Belopp".into(),
                message: "not an amount".into(),
            },
            None,
        );
        assert!(
            cell.advice
                .starts_with("Rad 12, kolumnen Belopp i lev.csv."),
            "{}",
            cell.advice
        );
    }

    #[test]
    fn every_rule_has_a_swedish_text() {
        for rule in RULES {
            let text = rule_text(rule);
            assert!(text.len() > 20, "{}", rule.key);
            let key = rule.key_for("belopp");
            let shown = finding_text(&key).unwrap_or_default();
            assert!(!shown.is_empty() && !shown.contains('{'), "{key}");
        }
        assert_eq!(
            finding_text("belopp_missing").as_deref(),
            Some("Obligatoriska värden saknas i kolumnen Belopp exkl. moms. Fyll i dem i exporten, eller koppla rätt kolumn i mappningen.")
        );
        assert!(finding_text("nothing_like_it").is_none());
    }

    #[test]
    fn every_rejection_has_a_swedish_text() {
        let cases = [
            "row has 8 fields but the header has 7",
            "Huvudstatus is 'Makulerad', not OK",
            "belopp: empty amount",
            "belopp: not an amount",
            "belopp: looks like a personal identity number",
            "datum: empty date",
            "datum: not a date",
            "kopare_id: not a valid organisation number",
            "konto_text: empty mandatory value",
        ];
        let mut texts: Vec<String> = cases.iter().map(|c| rejection_text(c)).collect();
        assert_eq!(
            texts[3],
            "Beloppet går inte att läsa som ett tal. Rätta beloppet i exporten."
        );
        assert_eq!(
            texts[8],
            "Ett obligatoriskt värde saknas: Kontobenämning. Fyll i det i exporten."
        );
        texts.sort();
        texts.dedup();
        assert_eq!(texts.len(), cases.len(), "each case its own text");
        assert_eq!(
            crate::rules::REJECTIONS.len(),
            10,
            "a new rejection needs a text above"
        );
    }

    #[test]
    fn every_known_warning_is_swedish() {
        let cases = [
            ("3 rows were rejected: see internal/rejected.csv", "3 rader avvisades."),
            ("1 rows were rejected: see internal/rejected.csv", "1 rad avvisades."),
            ("1611 kommun_id values were not municipality codes and were left empty", "1\u{a0}611 rader hade en kommunkod"),
            ("a.csv has no date column: datum is the first day of 2024-05", "a.csv har ingen datumkolumn. Varje rad får datumet första dagen i månaden (2024-05)."),
            ("the buyer looks like a municipality: give --kommun-id (the spec says it should be given)", "Köparen ser ut att vara en kommun."),
            ("a.csv: 4 rows are dated more than a year from 2024-05 (the period); the first at lines/rows 2, 3", "a.csv: 4 rader har ett datum"),
            ("2 rows had a key not found in lookup leverantorer", "2 rader hade en nyckel som saknas i uppslagstabellen leverantorer."),
        ];
        for (english, want) in cases {
            let got = warning_text(english).unwrap_or_default();
            assert!(got.starts_with(want), "{english}: {got}");
            assert!(!got.contains("--"), "{got}");
        }
        assert!(warning_text("something new").is_none());
        for (english, swedish) in WARNINGS {
            assert!(!english.is_empty() && !swedish.contains("rows"));
        }
    }

    proptest::proptest! {
        #[test]
        fn any_warning_or_stage_gets_words_without_a_placeholder(text in "\\PC{0,80}") {
            if let Some(w) = warning_text(&text) {
                proptest::prop_assert!(!w.contains("{n}") && !w.contains("{file}"), "{}", w);
            }
            let stage = stage_text(&text);
            proptest::prop_assert!(!stage.is_empty());
            let _ = rejection_text(&text);
            let _ = month_name(&text);
        }

        #[test]
        fn a_known_warning_with_any_count_and_file_is_swedish(n in 0u64..10_000_000, file in "[a-zåäö0-9_-]{1,20}\\.csv") {
            let w = warning_text(&format!("{n} rows were rejected: see internal/rejected.csv")).unwrap_or_default();
            proptest::prop_assert!(w.starts_with(&count_of(n, "rad", "rader")), "{}", w);
            let w = warning_text(&format!("{file} has no date column: datum is the first day of 2024-05")).unwrap_or_default();
            proptest::prop_assert!(w.starts_with(&format!("{file} har ingen datumkolumn")), "{}", w);
        }
    }

    #[test]
    fn every_reason_and_stage_is_swedish() {
        for reason in &crate::protect::Reason::ALL {
            assert_ne!(
                reason_text(reason.key()),
                reason_text("unknown"),
                "{reason:?}"
            );
        }
        assert_eq!(
            stage_text("converting a.csv: rows 1-999"),
            "konverterar a.csv"
        );
        assert_eq!(stage_text("reading a.csv"), "läser a.csv");
        assert_eq!(stage_text("writing the report"), "skriver rapporten");
        assert_eq!(stage_text("something new"), "arbetar");
    }

    #[test]
    fn months_have_names_and_counts_their_grammar() {
        assert_eq!(month_name("2016-03"), "mars 2016");
        assert_eq!(month_name("2024-01 – 2024-03"), "januari 2024 – mars 2024");
        assert_eq!(month_name("utan period"), "utan period");
        assert_eq!(count_of(1, "rad", "rader"), "1 rad");
        assert_eq!(count_of(68021, "rad", "rader"), "68\u{a0}021 rader");
        assert_eq!(number(1000000), "1\u{a0}000\u{a0}000");
    }

    #[test]
    fn sources_and_layouts_are_swedish() {
        assert_eq!(source_text("column 'Belopp'"), "kolumnen 'Belopp'");
        assert_eq!(source_text("none"), "ingen (lämnas tom)");
        assert_eq!(
            source_text("option --buyer-id (or the profile)"),
            "profilen (organisationsnummer)"
        );
        assert!(!source_text("something new").contains("something"));
        assert!(layout_reason_text(
            "detected from a.csv: header on row 1 has all 7 required columns",
            false
        )
        .contains("rad 1"));
        for l in crate::layout::Layout::builtin() {
            assert_ne!(layout_text(&l.name), layout_text("mine"), "{}", l.name);
            assert_ne!(layout_title(&l.name), l.name, "{}", l.name);
        }
        assert_eq!(layout_title("Vår ekonomi"), "Vår ekonomi");
        for kind in ["delimited", "workbook", "json", "parquet", "sie"] {
            assert_ne!(format_text(kind), format_text("other"), "{kind}");
        }
    }
}
