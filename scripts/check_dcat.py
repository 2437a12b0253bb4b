#!/usr/bin/env python3
"""Check a DCAT catalogue against DCAT-AP-SE 3.0.1 the way Sweden's data portal harvests it.

    check_dcat.py CATALOGUE.rdf [--shapes data/dcat/dcat-ap-se-3.0.1-shapes.ttl]

The catalogue is read with rdflib (.rdf/.xml/.owl as RDF/XML, .ttl as Turtle, .nt as
N-Triples, .jsonld as JSON-LD) and validated with pyshacl against the shapes (no inference).
Checks that the shapes do not make (or cannot, on a parsed graph) are made here as well,
from the profile's docs/harvesting.md:

  * no blank node may be a catalogue, dataset, distribution, publisher or contact point
    (typed dcat:Catalog, dcat:Dataset, dcat:Distribution, foaf:Agent/Organization/Person,
    vcard:Kind/Organization/Individual, or the object of dcat:dataset, dcat:distribution,
    dcterms:publisher, dcat:contactPoint);
  * the file must hold a dcat:Catalog and no dcat:CatalogRecord (violations; the latter from
    docs/changes.md), and every dcat:Dataset should be listed by a catalogue (warning);
  * every IRI must be absolute (and a valid RFC 3987 IRI: no spaces, <, >, ", {, }, |, \\, ^, `).
    To see relative IRIs the file is parsed with a base that cannot occur in a real
    catalogue; an xml:base or @base in the file itself makes its relative IRIs absolute,
    as it does for the portal.

Prints one line per violation ("VIOLATION ...") and per warning ("WARNING ..."), then a
summary line; exits 1 if there is any violation, 0 otherwise (warnings alone: 0), 2 if the
file cannot be read. Needs: python3 -m pip install rdflib pyshacl
"""

import argparse
import os
import re
import sys

try:
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import RDF
    from pyshacl import validate
except ImportError as e:  # pragma: no cover
    sys.stderr.write(f"check_dcat.py: {e}; install with: python3 -m pip install rdflib pyshacl\n")
    sys.exit(2)

SH = Namespace("http://www.w3.org/ns/shacl#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

# A base no catalogue uses: an IRI that starts with it was relative in the file.
SENTINEL_BASE = "http://relative-iri.check-dcat.invalid/"

FORMATS = {
    ".rdf": "xml", ".xml": "xml", ".owl": "xml",
    ".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld",
}

CLASSES = {
    DCAT.Catalog: "catalogue", DCAT.Dataset: "dataset", DCAT.Distribution: "distribution",
    FOAF.Agent: "publisher/agent", FOAF.Organization: "publisher/agent", FOAF.Person: "publisher/agent",
    VCARD.Kind: "contact point", VCARD.Organization: "contact point", VCARD.Individual: "contact point",
}
LINKS = {
    DCAT.dataset: "dataset", DCAT.distribution: "distribution",
    DCTERMS.publisher: "publisher", DCAT.contactPoint: "contact point",
}

SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
BAD_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')

DEFAULT_SHAPES = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "data", "dcat", "dcat-ap-se-3.0.1-shapes.ttl"
)


def short(g, term):
    """A readable name for a term: prefixed name where known, <IRI>, _:bnode or "literal"."""
    if isinstance(term, URIRef):
        s = str(term)
        if s.startswith(SENTINEL_BASE):
            return "<" + s[len(SENTINEL_BASE):] + "> (relative)"
        try:
            return g.namespace_manager.normalizeUri(term)
        except Exception:
            return f"<{s}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return repr(str(term))
    return str(term)


def path_text(g, sg, path):
    if isinstance(path, URIRef):
        return short(g, path)
    alts = sg.value(path, SH.alternativePath)
    if alts is not None:
        return "|".join(short(g, p) for p in sg.items(alts))
    inv = sg.value(path, SH.inversePath)
    if inv is not None:
        return "^" + short(g, inv)
    return "(path)"


def blank_node_findings(g):
    found = []
    for cls, what in CLASSES.items():
        for s in g.subjects(RDF.type, cls):
            if isinstance(s, BNode):
                found.append(f"blank node _:{s} is a {what} (typed {short(g, cls)}); it must be an IRI (docs/harvesting.md)")
    for prop, what in LINKS.items():
        for s, o in g.subject_objects(prop):
            if isinstance(o, BNode):
                found.append(f"blank node _:{o} is the {what} of {short(g, s)} via {short(g, prop)}; it must be an IRI (docs/harvesting.md)")
    return sorted(set(found))


def catalogue_findings(g):
    """The portal harvests one catalogue document: without a dcat:Catalog there is nothing to
    harvest, and a dataset that no catalogue lists via dcat:dataset is not reached."""
    violations, warnings = [], []
    if not any(True for _ in g.subjects(RDF.type, DCAT.Catalog)):
        violations.append("no dcat:Catalog in the file: the portal harvests a catalogue (docs/harvesting.md)")
    for r in sorted(set(g.subjects(RDF.type, DCAT.CatalogRecord)), key=str):
        violations.append(f"{short(g, r)}: dcat:CatalogRecord is not allowed in DCAT-AP-SE (docs/changes.md)")
    listed = set(g.objects(None, DCAT.dataset))
    for d in sorted(set(g.subjects(RDF.type, DCAT.Dataset)) - listed, key=str):
        warnings.append(f"{short(g, d)}: dataset is not listed by any catalogue (dcat:dataset)")
    return violations, warnings


def iri_findings(g):
    found = set()
    for triple in g:
        for t in triple:
            if not isinstance(t, URIRef):
                continue
            s = str(t)
            if s.startswith(SENTINEL_BASE):
                found.add(f"relative IRI <{s[len(SENTINEL_BASE):]}>: every IRI must be absolute (docs/harvesting.md)")
            elif not SCHEME.match(s):
                found.add(f"IRI <{s}> has no scheme: every IRI must be absolute (docs/harvesting.md)")
            elif BAD_IRI_CHARS.search(s):
                found.add(f"IRI <{s}> has characters that must be percent-encoded (RFC 3987, docs/harvesting.md)")
    return sorted(found)


def shacl_findings(data, shapes):
    conforms, results, _text = validate(
        data, shacl_graph=shapes, inference="none", advanced=False, abort_on_first=False,
        allow_warnings=True, meta_shacl=False,
    )
    out = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        sev = results.value(r, SH.resultSeverity)
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        value = results.value(r, SH.value)
        msgs = sorted(str(m) for m in results.objects(r, SH.resultMessage))
        # prefer the shape's own sh:message (the first non-generic one)
        msg = msgs[0] if msgs else str(results.value(r, SH.sourceConstraintComponent))
        where = short(data, focus)
        if path is not None:
            where += " " + path_text(data, results, path)
        if value is not None and value != focus:
            where += " = " + short(data, value)
        kind = "VIOLATION" if sev == SH.Violation else "WARNING" if sev == SH.Warning else "INFO"
        out.append((kind, f"{where}: {msg}"))
    return sorted(set(out))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("catalogue", help="the catalogue file (.rdf/.xml RDF/XML, .ttl Turtle)")
    ap.add_argument("--shapes", default=DEFAULT_SHAPES, help="SHACL shapes in Turtle (default: %(default)s)")
    args = ap.parse_args(argv)

    ext = os.path.splitext(args.catalogue)[1].lower()
    fmt = FORMATS.get(ext)
    if fmt is None:
        sys.stderr.write(f"check_dcat.py: unknown extension {ext!r}; use one of {', '.join(sorted(FORMATS))}\n")
        return 2
    data = Graph()
    try:
        with open(args.catalogue, "rb") as f:
            data.parse(f, format=fmt, publicID=SENTINEL_BASE)
    except Exception as e:
        sys.stderr.write(f"check_dcat.py: cannot parse {args.catalogue} as {fmt}: {e}\n")
        return 2
    shapes = Graph()
    try:
        shapes.parse(args.shapes, format="turtle")
    except Exception as e:
        sys.stderr.write(f"check_dcat.py: cannot parse shapes {args.shapes}: {e}\n")
        return 2

    cat_v, cat_w = catalogue_findings(data)
    findings = [("VIOLATION", t) for t in cat_v] + [("WARNING", t) for t in cat_w]
    findings += [("VIOLATION", t) for t in blank_node_findings(data)]
    findings += [("VIOLATION", t) for t in iri_findings(data)]
    findings += shacl_findings(data, shapes)

    order = {"VIOLATION": 0, "WARNING": 1, "INFO": 2}
    findings.sort(key=lambda f: (order[f[0]], f[1]))
    for kind, text in findings:
        print(f"{kind} {text}")
    nv = sum(1 for k, _ in findings if k == "VIOLATION")
    nw = sum(1 for k, _ in findings if k == "WARNING")
    print(f"{args.catalogue}: {len(data)} triples, {nv} violation(s), {nw} warning(s)"
          f" -> {'FAIL' if nv else 'PASS'}")
    return 1 if nv else 0


if __name__ == "__main__":
    sys.exit(main())
