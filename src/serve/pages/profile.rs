//! The profile: the buyer (name, organisation number, municipality, kind of organisation),
//! where the files are published and who answers questions, how sole traders and private
//! persons are published, and the year dataset's licence. A form with an error keeps what was
//! typed.

use super::{field, render, Opt, Shared};
use crate::convert::check_buyer_id;
use crate::protect::{MaskedSuppliers, Policy};
use crate::serve::workspace::DeskSettings;
use crate::serve::Desk;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use std::path::PathBuf;

const BY: &str = "https://creativecommons.org/licenses/by/4.0/";

#[derive(Template)]
#[template(path = "desk/profile.html")]
struct ProfilePage {
    form: ProfileForm,
    error: Option<String>,
    saved: Option<String>,
    municipalities: Vec<String>,
    publisher_types: Vec<Opt>,
    masked_choices: Vec<Opt>,
    licences: Vec<Opt>,
}

/// The profile's fields as the form shows them.
#[derive(Debug, Clone, Default, PartialEq)]
struct ProfileForm {
    buyer_name: String,
    buyer_id: String,
    kommun: String,
    publisher_type: String,
    base_url: String,
    contact_email: String,
    masked_suppliers: String,
    licence: String,
}

/// `Örebro (1880)`: how a municipality is shown and offered.
fn municipality_label(code: &str, name: &str) -> String {
    format!("{name} ({code})")
}

/// The municipality code of what was typed: a code, a name (any case, with or without
/// `kommun`), or the offered `Name (code)`.
fn find_municipality(typed: &str) -> Option<&'static str> {
    let fold = |s: &str| crate::chars::fold(s.trim()).to_lowercase();
    let typed = typed.trim();
    let code_in = typed
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 4);
    if let Some(code) = code_in {
        return crate::spec::municipalities()
            .find(|(c, _)| *c == code)
            .map(|(c, _)| c);
    }
    let wanted = fold(typed);
    let wanted = wanted
        .strip_suffix(" kommun")
        .or_else(|| wanted.strip_suffix(" stad"))
        .unwrap_or(&wanted)
        .trim()
        .to_string();
    crate::spec::municipalities()
        .find(|(_, n)| fold(n) == wanted)
        .map(|(c, _)| c)
}

impl ProfileForm {
    fn of(policy: &Policy, settings: &DeskSettings) -> ProfileForm {
        let p = &policy.publisher;
        let kommun = p
            .kommun_id
            .as_deref()
            .map(|code| {
                let name = crate::spec::municipalities()
                    .find(|(c, _)| *c == code)
                    .map_or("", |(_, n)| n);
                municipality_label(code, name)
            })
            .unwrap_or_default();
        let default_type = if p.kommun_id.is_some() || p.buyer_id.is_none() {
            "kommun"
        } else {
            "region"
        };
        ProfileForm {
            buyer_name: p.buyer_name.clone().unwrap_or_default(),
            buyer_id: p.buyer_id.clone().unwrap_or_default(),
            kommun,
            publisher_type: p
                .publisher_type
                .clone()
                .unwrap_or_else(|| default_type.into()),
            base_url: p.base_url.clone().unwrap_or_default(),
            contact_email: p.contact_email.clone().unwrap_or_default(),
            masked_suppliers: masked_key(policy.masked_suppliers).into(),
            licence: settings.licence.clone(),
        }
    }

    fn typed(fields: &[(String, String)]) -> ProfileForm {
        let get = |k: &str| field(fields, k).unwrap_or("").trim().to_string();
        ProfileForm {
            buyer_name: get("buyer_name"),
            buyer_id: get("buyer_id"),
            kommun: get("kommun"),
            publisher_type: get("publisher_type"),
            base_url: get("base_url"),
            contact_email: get("contact_email"),
            masked_suppliers: get("masked_suppliers"),
            licence: get("licence"),
        }
    }
}

fn masked_key(m: MaskedSuppliers) -> &'static str {
    match m {
        MaskedSuppliers::Marker => "marker",
        MaskedSuppliers::Blank => "blank",
        MaskedSuppliers::Withhold => "withhold",
    }
}

fn form_page(form: ProfileForm, error: Option<String>, saved: Option<String>) -> ProfilePage {
    let opts = |pairs: &[(&str, &str)], chosen: &str| {
        pairs
            .iter()
            .map(|(v, l)| Opt::new(v, l, *v == chosen))
            .collect::<Vec<_>>()
    };
    ProfilePage {
        publisher_types: opts(
            &[("kommun", "Kommun"), ("region", "Region")],
            &form.publisher_type,
        ),
        masked_choices: opts(
            &[
                (
                    "marker",
                    "Namnet ersätts med en markering, raden publiceras (rekommenderas)",
                ),
                ("blank", "Namn och nummer lämnas tomma, raden publiceras"),
                ("withhold", "Raden publiceras inte (räknas som undantagen)"),
            ],
            &form.masked_suppliers,
        ),
        licences: opts(
            &[
                (crate::dataset::CC0, "CC0 1.0 (rekommenderas)"),
                (BY, "CC BY 4.0"),
            ],
            &form.licence,
        ),
        municipalities: crate::spec::municipalities()
            .map(|(c, n)| municipality_label(c, n))
            .collect(),
        form,
        error,
        saved,
    }
}

pub(super) async fn page(State(desk): Shared) -> Response {
    let policy = desk.workspace.policy().unwrap_or_default();
    let form = ProfileForm::of(&policy, &desk.workspace.settings());
    render(StatusCode::OK, &form_page(form, None, None))
}

/// The profile's values checked, or what to correct (in Swedish).
struct Checked {
    buyer_id: String,
    kommun_id: Option<String>,
    masked: MaskedSuppliers,
}

fn check(form: &ProfileForm) -> Result<Checked, String> {
    if form.buyer_name.is_empty() {
        return Err("Skriv köparens namn.".into());
    }
    let Ok(buyer_id) = check_buyer_id(&form.buyer_id) else {
        return Err("Organisationsnumret är inte giltigt: kontrollera siffrorna (tio siffror, den sista är en kontrollsiffra).".into());
    };
    let kommun_id = if form.kommun.is_empty() {
        None
    } else {
        Some(find_municipality(&form.kommun).ok_or(
            "Kommunen finns inte i listan: skriv kommunens namn (till exempel Örebro) eller dess kod (1880), eller lämna fältet tomt för en region.",
        )?)
    };
    if !form.base_url.is_empty() && !is_web_address(&form.base_url) {
        return Err("Publiceringsadressen ska vara en hel webbadress som börjar med https:// (eller http://), till exempel https://www.exempelby.se/oppna-data/.".into());
    }
    if !form.contact_email.is_empty() && !is_email(&form.contact_email) {
        return Err("E-postadressen ser inte ut som en e-postadress: kontrollera den (till exempel oppnadata@exempelby.se).".into());
    }
    let masked = match form.masked_suppliers.as_str() {
        "blank" => MaskedSuppliers::Blank,
        "withhold" => MaskedSuppliers::Withhold,
        _ => MaskedSuppliers::Marker,
    };
    Ok(Checked {
        buyer_id,
        kommun_id: kommun_id.map(str::to_string),
        masked,
    })
}

/// An absolute http(s) address with a host and no spaces.
fn is_web_address(text: &str) -> bool {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split('/').next().unwrap_or("");
        host.contains('.') && !host.starts_with('.') && !r.contains(char::is_whitespace)
    })
}

/// `name@domain.tld`, no spaces.
fn is_email(text: &str) -> bool {
    let Some((user, domain)) = text.split_once('@') else {
        return false;
    };
    !user.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.contains(char::is_whitespace)
        && !domain.contains('@')
}

pub(super) async fn save(State(desk): Shared, Form(fields): super::Fields) -> Response {
    let form = ProfileForm::typed(&fields);
    match check(&form) {
        Ok(checked) => store(&desk, form, checked),
        Err(e) => render(StatusCode::BAD_REQUEST, &form_page(form, Some(e), None)),
    }
}

fn store(desk: &Desk, form: ProfileForm, checked: Checked) -> Response {
    let optional = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let saved = desk.workspace.update_policy(|policy| {
        let p = &mut policy.publisher;
        p.buyer_name = Some(form.buyer_name.clone());
        p.buyer_id = Some(checked.buyer_id.clone());
        p.kommun_id = checked.kommun_id.clone();
        p.publisher_type = Some(if form.publisher_type == "region" {
            "region".into()
        } else {
            "kommun".into()
        });
        p.base_url = optional(&form.base_url);
        p.contact_email = optional(&form.contact_email);
        if p.layouts.is_none() {
            p.layouts = Some(PathBuf::from("layouts"));
        }
        policy.masked_suppliers = checked.masked;
        Ok(())
    });
    let licence = if form.licence == BY {
        BY.to_string()
    } else {
        crate::dataset::CC0.to_string()
    };
    let settings = DeskSettings { licence };
    match saved.and_then(|()| desk.workspace.save_settings(&settings)) {
        Ok(()) => {
            let policy = desk.workspace.policy().unwrap_or_default();
            let form = ProfileForm::of(&policy, &settings);
            render(
                StatusCode::OK,
                &form_page(form, None, Some("Profilen är sparad.".into())),
            )
        }
        Err(_) => render(
            StatusCode::INTERNAL_SERVER_ERROR,
            &form_page(
                form,
                Some("Profilen kunde inte sparas. Kontrollera att disken inte är full och försök igen.".into()),
                None,
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_municipality_is_found_by_name_or_code() {
        assert_eq!(find_municipality("Örebro"), Some("1880"));
        assert_eq!(find_municipality("örebro kommun"), Some("1880"));
        assert_eq!(find_municipality("1880"), Some("1880"));
        assert_eq!(find_municipality("Örebro (1880)"), Some("1880"));
        assert_eq!(find_municipality("1880 Örebro"), Some("1880"));
        assert_eq!(find_municipality("Upplands Väsby"), Some("0114"));
        assert_eq!(find_municipality("Ingenstans"), None);
        assert_eq!(find_municipality("9999"), None);
        // every one of the 290, by its name, its code and the label the list offers
        for (code, name) in crate::spec::municipalities() {
            assert_eq!(find_municipality(name), Some(code), "{name}");
            assert_eq!(
                find_municipality(&name.to_uppercase()),
                Some(code),
                "{name}"
            );
            assert_eq!(find_municipality(code), Some(code), "{code}");
            assert_eq!(
                find_municipality(&municipality_label(code, name)),
                Some(code),
                "{name}"
            );
        }
    }

    #[test]
    fn addresses_are_checked() {
        assert!(is_web_address("https://www.exempelby.se/oppna-data/"));
        assert!(is_web_address("http://exempelby.se"));
        assert!(!is_web_address("www.exempelby.se"));
        assert!(!is_web_address("https://"));
        assert!(!is_web_address("ftp://x.se/"));
        assert!(!is_web_address("https://x.se/a b"));
        assert!(is_email("oppnadata@exempelby.se"));
        assert!(!is_email("oppnadata"));
        assert!(!is_email("a@b"));
        assert!(!is_email("a @b.se"));
    }
}
