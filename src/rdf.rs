//! A small RDF graph of named resources and the two ways it is written: RDF/XML (what Sweden's
//! data portal harvests) and Turtle (what people read). Every resource is named by an absolute
//! IRI; only values that are no resources of their own (a period of time, a checksum) are
//! written as nested, unnamed nodes. Resources and their statements are written in the order
//! they were added, so a graph is written the same way every time.

/// The namespaces the writers know, with their prefixes. A predicate or class must lie in one
/// of them (RDF/XML names each element by prefix and local name).
pub const NAMESPACES: &[(&str, &str)] = &[
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("dcatap", "http://data.europa.eu/r5r/"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("vcard", "http://www.w3.org/2006/vcard/ns#"),
    ("spdx", "http://spdx.org/rdf/terms#"),
];

/// The value of a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    /// A resource, by its absolute IRI.
    Iri(String),
    /// A text in a language (`sv`).
    Text(String, &'static str),
    /// A literal of a datatype given by prefixed name (`xsd:date`).
    Typed(String, &'static str),
    /// A plain literal.
    Plain(String),
    /// An unnamed node of a class (prefixed name) with its own statements.
    Nested(&'static str, Vec<(&'static str, Object)>),
}

/// A named resource: its IRI, its class (prefixed name) and its statements (predicate as a
/// prefixed name, value).
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// The resource's absolute IRI.
    pub iri: String,
    /// Its class, as a prefixed name (`dcat:Dataset`).
    pub class: &'static str,
    /// Its statements, in the order written.
    pub statements: Vec<(&'static str, Object)>,
}

impl Resource {
    /// A resource with no statements yet.
    pub fn new(iri: impl Into<String>, class: &'static str) -> Resource {
        Resource {
            iri: iri.into(),
            class,
            statements: Vec::new(),
        }
    }

    /// Add a statement.
    pub fn add(&mut self, predicate: &'static str, object: Object) -> &mut Resource {
        self.statements.push((predicate, object));
        self
    }
}

/// The full IRI of a prefixed name (`dcat:Dataset`), if its prefix is known.
pub fn expand(prefixed: &str) -> Option<String> {
    let (prefix, local) = prefixed.split_once(':')?;
    NAMESPACES
        .iter()
        .find(|(p, _)| *p == prefix)
        .map(|(_, ns)| format!("{ns}{local}"))
}

/// Escape text for XML element content and double-quoted attribute values.
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// The graph as RDF/XML, with `comment` (one line, no `--`) at the top.
pub fn to_rdf_xml(resources: &[Resource], comment: &str) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<!-- {} -->\n<rdf:RDF",
        comment.replace("--", "-")
    ));
    for (prefix, ns) in NAMESPACES {
        out.push_str(&format!("\n    xmlns:{prefix}=\"{ns}\""));
    }
    out.push_str(">\n");
    for resource in resources {
        out.push_str(&format!(
            "\n  <{} rdf:about=\"{}\">\n",
            resource.class,
            xml_escape(&resource.iri)
        ));
        xml_statements(&mut out, &resource.statements, 2);
        out.push_str(&format!("  </{}>\n", resource.class));
    }
    out.push_str("\n</rdf:RDF>\n");
    out
}

/// The statements of a node as RDF/XML property elements, indented `depth` levels.
fn xml_statements(out: &mut String, statements: &[(&'static str, Object)], depth: usize) {
    let pad = "  ".repeat(depth);
    for (predicate, object) in statements {
        match object {
            Object::Iri(iri) => out.push_str(&format!(
                "{pad}<{predicate} rdf:resource=\"{}\"/>\n",
                xml_escape(iri)
            )),
            Object::Text(text, lang) => out.push_str(&format!(
                "{pad}<{predicate} xml:lang=\"{lang}\">{}</{predicate}>\n",
                xml_escape(text)
            )),
            Object::Typed(text, datatype) => out.push_str(&format!(
                "{pad}<{predicate} rdf:datatype=\"{}\">{}</{predicate}>\n",
                expand(datatype).unwrap_or_default(),
                xml_escape(text)
            )),
            Object::Plain(text) => out.push_str(&format!(
                "{pad}<{predicate}>{}</{predicate}>\n",
                xml_escape(text)
            )),
            Object::Nested(class, inner) => {
                out.push_str(&format!("{pad}<{predicate}>\n{pad}  <{class}>\n"));
                xml_statements(out, inner, depth + 2);
                out.push_str(&format!("{pad}  </{class}>\n{pad}</{predicate}>\n"));
            }
        }
    }
}

/// A Turtle string literal.
fn turtle_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Turtle IRI reference (the IRIs written are checked to hold no character Turtle escapes).
fn turtle_iri(iri: &str) -> String {
    format!("<{iri}>")
}

/// The graph as Turtle, with `comment` at the top.
pub fn to_turtle(resources: &[Resource], comment: &str) -> String {
    let mut out = format!("# {}\n", comment.replace('\n', " "));
    for (prefix, ns) in NAMESPACES {
        out.push_str(&format!("@prefix {prefix}: <{ns}> .\n"));
    }
    for resource in resources {
        out.push_str(&format!(
            "\n{} a {}",
            turtle_iri(&resource.iri),
            resource.class
        ));
        for (predicate, object) in &resource.statements {
            out.push_str(&format!(" ;\n    {predicate} {}", turtle_object(object)));
        }
        out.push_str(" .\n");
    }
    out
}

/// One value in Turtle.
fn turtle_object(object: &Object) -> String {
    match object {
        Object::Iri(iri) => turtle_iri(iri),
        Object::Text(text, lang) => format!("{}@{lang}", turtle_string(text)),
        Object::Typed(text, datatype) => format!("{}^^{datatype}", turtle_string(text)),
        Object::Plain(text) => turtle_string(text),
        Object::Nested(class, inner) => {
            let mut out = format!("[ a {class}");
            for (predicate, value) in inner {
                out.push_str(&format!(" ; {predicate} {}", turtle_object(value)));
            }
            out.push_str(" ]");
            out
        }
    }
}

/// Whether a text is an absolute http(s) IRI that both writers can write as it is (no
/// space, no control character and none of `<>"{}|\^``).
pub fn is_writable_http_iri(iri: &str) -> bool {
    let scheme_ok = iri.starts_with("https://") || iri.starts_with("http://");
    let host = iri.split_once("://").map_or("", |(_, rest)| rest);
    scheme_ok
        && !host.is_empty()
        && !host.starts_with('/')
        && !iri
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || "<>\"{}|\\^`".contains(c))
}

/// Percent-encode one path segment of an IRI: every byte but the unreserved ones and the
/// delimiters a segment may hold as they are (`=` of a Hive partition stays `=`).
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$()*+,;=:@".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Resource> {
        let mut dataset = Resource::new("https://x.example/a#d", "dcat:Dataset");
        dataset
            .add("dcterms:title", Object::Text("Å & <b> \"q\"".into(), "sv"))
            .add("dcterms:identifier", Object::Plain("a\\b\n".into()))
            .add(
                "dcterms:temporal",
                Object::Nested(
                    "dcterms:PeriodOfTime",
                    vec![(
                        "dcat:startDate",
                        Object::Typed("2024-01-01".into(), "xsd:date"),
                    )],
                ),
            )
            .add(
                "dcterms:publisher",
                Object::Iri("https://x.example/p".into()),
            );
        vec![dataset]
    }

    #[test]
    fn rdf_xml_escapes_and_nests() {
        let xml = to_rdf_xml(&sample(), "written -- by a test");
        assert!(xml.contains("<!-- written - by a test -->"), "{xml}");
        assert!(xml.contains("<dcat:Dataset rdf:about=\"https://x.example/a#d\">"));
        assert!(xml.contains(
            "<dcterms:title xml:lang=\"sv\">Å &amp; &lt;b&gt; &quot;q&quot;</dcterms:title>"
        ));
        assert!(xml.contains("<dcterms:PeriodOfTime>"));
        assert!(xml.contains(
            "rdf:datatype=\"http://www.w3.org/2001/XMLSchema#date\">2024-01-01</dcat:startDate>"
        ));
        assert!(xml.contains("<dcterms:publisher rdf:resource=\"https://x.example/p\"/>"));
    }

    #[test]
    fn turtle_escapes_and_nests() {
        let ttl = to_turtle(&sample(), "t");
        assert!(
            ttl.contains("<https://x.example/a#d> a dcat:Dataset ;"),
            "{ttl}"
        );
        assert!(ttl.contains("dcterms:title \"Å & <b> \\\"q\\\"\"@sv"));
        assert!(ttl.contains("dcterms:identifier \"a\\\\b\\n\""));
        assert!(ttl.contains(
            "dcterms:temporal [ a dcterms:PeriodOfTime ; dcat:startDate \"2024-01-01\"^^xsd:date ]"
        ));
        assert!(ttl.trim_end().ends_with("<https://x.example/p> ."));
    }

    #[test]
    fn http_iris_and_segments() {
        assert!(is_writable_http_iri("https://data.example.se/lev/"));
        assert!(is_writable_http_iri("http://kommun.se/datasets/dcat"));
        for bad in [
            "ftp://x.se/",
            "https://",
            "https:///path",
            "https://x.se/a b",
            "https://x.se/<a>",
            "/relative/",
            "x.se/",
        ] {
            assert!(!is_writable_http_iri(bad), "{bad}");
        }
        assert_eq!(encode_segment("år 2024/å"), "%C3%A5r%202024%2F%C3%A5");
        assert_eq!(encode_segment("manad=03"), "manad=03");
        assert_eq!(encode_segment("a&b'c#d?e"), "a%26b%27c%23d%3Fe");
        assert_eq!(
            encode_segment("leverantorsreskontra-2024.csv"),
            "leverantorsreskontra-2024.csv"
        );
        assert_eq!(
            expand("dcat:Dataset").as_deref(),
            Some("http://www.w3.org/ns/dcat#Dataset")
        );
        assert_eq!(expand("nope:x"), None);
    }
}
