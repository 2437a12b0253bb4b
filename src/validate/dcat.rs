//! A DCAT catalogue (RDF/XML) checked as Sweden's data portal harvests it (DCAT-AP-SE 3.0.1):
//! a `dcat:Catalog`; no blank node for a catalogue, dataset, distribution, publisher or contact
//! point; absolute IRIs; the mandatory properties of each, and the recommended ones as
//! warnings. The full SHACL shapes (`data/dcat/`) check more; this is what `validate` can say
//! without Python.

use super::findings::Findings;
use crate::rules::{
    Rule, DCAT_BLANK_NODE, DCAT_EXACTLY_ONE, DCAT_MANDATORY, DCAT_NO_CATALOG, DCAT_RECOMMENDED,
    DCAT_RELATIVE_IRI, DCAT_SYNTAX,
};
use oxrdf::{NamedOrBlankNode, Term};
use std::collections::{BTreeMap, BTreeSet};

/// A base no catalogue uses: an IRI that starts with it was relative in the file.
const SENTINEL: &str = "http://relative-iri.reskontra.invalid/";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const DCAT: &str = "http://www.w3.org/ns/dcat#";
const DCT: &str = "http://purl.org/dc/terms/";
const FOAF: &str = "http://xmlns.com/foaf/0.1/";
const VCARD: &str = "http://www.w3.org/2006/vcard/ns#";
const CC0: &str = "http://creativecommons.org/publicdomain/zero/1.0/";

/// A node or value of the graph: an IRI, a blank node (`_:id`) or a literal's text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Value {
    Iri(String),
    Blank(String),
    Literal(String),
}

impl Value {
    fn shown(&self) -> String {
        match self {
            Value::Iri(iri) => format!("<{}>", iri.strip_prefix(SENTINEL).unwrap_or(iri)),
            Value::Blank(id) => format!("_:{id}"),
            Value::Literal(text) => format!("\"{text}\""),
        }
    }
}

/// The statements of the file, by subject and predicate.
#[derive(Default)]
struct Graph {
    statements: BTreeMap<Value, BTreeMap<String, Vec<Value>>>,
    iris: BTreeSet<String>,
}

impl Graph {
    fn values(&self, subject: &Value, predicate: &str) -> &[Value] {
        self.statements
            .get(subject)
            .and_then(|p| p.get(predicate))
            .map_or(&[], Vec::as_slice)
    }

    fn has_type(&self, subject: &Value, class: &str) -> bool {
        self.values(subject, RDF_TYPE)
            .iter()
            .any(|t| *t == Value::Iri(class.to_string()))
    }

    /// The nodes typed `class`.
    fn typed(&self, class: &str) -> BTreeSet<Value> {
        self.statements
            .keys()
            .filter(|s| self.has_type(s, class))
            .cloned()
            .collect()
    }

    /// The nodes that are the object of `predicate`.
    fn linked_by(&self, predicate: &str) -> BTreeSet<Value> {
        self.statements
            .values()
            .flat_map(|by_predicate| by_predicate.get(predicate).into_iter().flatten())
            .cloned()
            .collect()
    }

    /// The nodes typed `class` or the object of `predicate`.
    fn typed_or_linked(&self, class: &str, predicate: &str) -> BTreeSet<Value> {
        let mut nodes = self.typed(class);
        nodes.extend(self.linked_by(predicate));
        nodes
    }
}

/// Read the RDF/XML, or say why not.
fn parse(bytes: &[u8]) -> Result<Graph, String> {
    let parser = oxrdfxml::RdfXmlParser::new()
        .with_base_iri(SENTINEL)
        .map_err(|e| e.to_string())?;
    let mut graph = Graph::default();
    for triple in parser.for_slice(bytes) {
        let triple = triple.map_err(|e| e.to_string())?;
        let subject = match triple.subject {
            NamedOrBlankNode::NamedNode(n) => Value::Iri(n.into_string()),
            NamedOrBlankNode::BlankNode(b) => Value::Blank(b.into_string()),
        };
        let object = match triple.object {
            Term::NamedNode(n) => Value::Iri(n.into_string()),
            Term::BlankNode(b) => Value::Blank(b.into_string()),
            Term::Literal(l) => Value::Literal(l.value().to_string()),
        };
        for value in [&subject, &object] {
            if let Value::Iri(iri) = value {
                graph.iris.insert(iri.clone());
            }
        }
        graph.iris.insert(triple.predicate.as_str().to_string());
        graph
            .statements
            .entry(subject)
            .or_default()
            .entry(triple.predicate.into_string())
            .or_default()
            .push(object);
    }
    Ok(graph)
}

/// Check a catalogue's bytes; returns the findings and the number of datasets.
pub(super) fn check_catalogue(bytes: &[u8]) -> (Findings, u64) {
    let mut findings = Findings::default();
    let graph = match parse(bytes) {
        Ok(graph) => graph,
        Err(detail) => {
            findings.rule_with(&DCAT_SYNTAX, &[("detail", &detail)], None);
            return (findings, 0);
        }
    };
    for iri in graph.iris.iter().filter(|i| i.starts_with(SENTINEL)) {
        let shown = Value::Iri(iri.clone()).shown();
        findings.rule_with(&DCAT_RELATIVE_IRI, &[("iri", &shown)], None);
    }
    let catalogs = graph.typed(&format!("{DCAT}Catalog"));
    if catalogs.is_empty() {
        findings.rule(&DCAT_NO_CATALOG, "", None);
    }
    let datasets = graph.typed_or_linked(&format!("{DCAT}Dataset"), &format!("{DCAT}dataset"));
    let dataset_count = datasets.len() as u64;
    let kinds = [
        ("dcat:Catalog", catalogs),
        ("dcat:Dataset", datasets),
        (
            "dcat:Distribution",
            graph.typed_or_linked(
                &format!("{DCAT}Distribution"),
                &format!("{DCAT}distribution"),
            ),
        ),
        ("publisher", graph.linked_by(&format!("{DCT}publisher"))),
        (
            "contact point",
            graph.linked_by(&format!("{DCAT}contactPoint")),
        ),
    ];
    let mut check = Checker {
        graph: &graph,
        findings: &mut findings,
    };
    for (class, nodes) in &kinds {
        for _ in nodes.iter().filter(|n| matches!(n, Value::Blank(_))) {
            check
                .findings
                .rule_with(&DCAT_BLANK_NODE, &[("class", class)], None);
        }
    }
    for node in &kinds[0].1 {
        check.catalog(node);
    }
    for node in &kinds[1].1 {
        check.dataset(node);
    }
    for node in &kinds[2].1 {
        check.distribution(node);
    }
    for node in &kinds[3].1 {
        check.publisher(node);
    }
    for node in &kinds[4].1 {
        check.contact(node);
    }
    (findings, dataset_count)
}

/// The checks of each kind of resource.
struct Checker<'a> {
    graph: &'a Graph,
    findings: &'a mut Findings,
}

impl Checker<'_> {
    /// `node` has `predicate` (full IRI, shown as `shown`) at least once, else a finding of
    /// `rule`.
    fn needs(&mut self, rule: &Rule, node: &Value, predicate: &str, shown: &str) {
        if self.graph.values(node, predicate).is_empty() {
            let resource = node.shown();
            self.findings
                .rule_with(rule, &[("resource", &resource), ("property", shown)], None);
        }
    }

    fn mandatory(&mut self, node: &Value, prefixed: &str) {
        self.needs(&DCAT_MANDATORY, node, &expand(prefixed), prefixed);
    }

    fn recommended(&mut self, node: &Value, prefixed: &str) {
        self.needs(&DCAT_RECOMMENDED, node, &expand(prefixed), prefixed);
    }

    fn exactly_one(&mut self, node: &Value, prefixed: &str) {
        let count = self.graph.values(node, &expand(prefixed)).len();
        if count == 0 {
            self.mandatory(node, prefixed);
        } else if count > 1 {
            let (resource, count) = (node.shown(), count.to_string());
            self.findings.rule_with(
                &DCAT_EXACTLY_ONE,
                &[
                    ("resource", &resource),
                    ("count", &count),
                    ("property", prefixed),
                ],
                None,
            );
        }
    }

    fn catalog(&mut self, node: &Value) {
        for p in [
            "dcterms:title",
            "dcterms:description",
            "dcterms:publisher",
            "dcat:dataset",
        ] {
            self.mandatory(node, p);
        }
        let licences = self.graph.values(node, &format!("{DCT}license"));
        if !licences.contains(&Value::Iri(CC0.into())) {
            let (resource, property) = (node.shown(), format!("dcterms:license <{CC0}>"));
            self.findings.rule_with(
                &DCAT_MANDATORY,
                &[("resource", &resource), ("property", &property)],
                None,
            );
        }
    }

    fn dataset(&mut self, node: &Value) {
        for p in ["dcterms:title", "dcterms:description", "dcterms:publisher"] {
            self.mandatory(node, p);
        }
        for p in [
            "dcat:contactPoint",
            "dcat:keyword",
            "dcat:theme",
            "dcterms:conformsTo",
            "dcterms:temporal",
            "dcterms:issued",
        ] {
            self.recommended(node, p);
        }
    }

    fn distribution(&mut self, node: &Value) {
        self.exactly_one(node, "dcat:accessURL");
        self.exactly_one(node, "dcterms:format");
        self.recommended(node, "dcterms:license");
    }

    fn publisher(&mut self, node: &Value) {
        self.mandatory(node, "foaf:name");
        self.mandatory(node, "dcterms:type");
    }

    fn contact(&mut self, node: &Value) {
        let typed = self.graph.has_type(node, &format!("{VCARD}Organization"))
            || self.graph.has_type(node, &format!("{VCARD}Individual"));
        if !typed {
            let resource = node.shown();
            self.findings.rule_with(
                &DCAT_MANDATORY,
                &[
                    ("resource", &resource),
                    (
                        "property",
                        "rdf:type vcard:Organization or vcard:Individual",
                    ),
                ],
                None,
            );
        }
        self.mandatory(node, "vcard:fn");
        let mailto = self
            .graph
            .values(node, &format!("{VCARD}hasEmail"))
            .iter()
            .any(|v| matches!(v, Value::Iri(i) if i.starts_with("mailto:")));
        if !mailto {
            let resource = node.shown();
            self.findings.rule_with(
                &DCAT_MANDATORY,
                &[
                    ("resource", &resource),
                    ("property", "vcard:hasEmail <mailto:…>"),
                ],
                None,
            );
        }
    }
}

/// The full IRI of `dcat:`, `dcterms:`, `foaf:` and `vcard:` names.
fn expand(prefixed: &str) -> String {
    let (prefix, local) = prefixed.split_once(':').unwrap_or(("", prefixed));
    let ns = match prefix {
        "dcat" => DCAT,
        "dcterms" => DCT,
        "foaf" => FOAF,
        "vcard" => VCARD,
        _ => "",
    };
    format!("{ns}{local}")
}
