#!/usr/bin/env python3
"""Query a year dataset's Hive-partitioned Parquet with DuckDB and check it against report.json.

Usage: check_duckdb.py DATASET_DIR
Prints one line per check and a closing "N passed, N failed" line; exits 1 on any failure.
"""
import json
import sys
from decimal import Decimal
from pathlib import Path

import duckdb

out = Path(sys.argv[1])
report = json.loads((out / "report.json").read_text(encoding="utf-8"))
glob = str(out / "parquet" / "*" / "*" / "*" / "*.parquet")
con = duckdb.connect()
# partition values are typed as text: kopare_id and manad keep their leading zeros
source = f"read_parquet('{glob}', hive_partitioning = true, hive_types = {{'kopare_id': VARCHAR, 'ar': INTEGER, 'manad': VARCHAR}})"

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


rows, total = con.execute(f"SELECT count(*), sum(belopp) FROM {source}").fetchone()
check("row count equals report.json", rows == report["rows"], f"{rows} != {report['rows']}")
check("sum of belopp equals report.json", Decimal(total) == Decimal(report["amount"]), f"{total} != {report['amount']}")
buyers = con.execute(f"SELECT DISTINCT kopare_id FROM {source}").fetchall()
check("one buyer, as in report.json", buyers == [(report["kopare_id"],)], str(buyers))
by_month = dict(
    (m, (n, s)) for m, n, s in con.execute(f"SELECT manad, count(*), sum(belopp) FROM {source} GROUP BY manad").fetchall()
)
for month, summary in report["months"].items():
    n, s = by_month.get(month, (0, 0))
    check(f"month {month}", n == summary["rows"] and Decimal(s) == Decimal(summary["amount"]), f"{n} {s} vs {summary}")
types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {source})").fetchall())
check("belopp is DECIMAL(38,2)", types.get("belopp") == "DECIMAL(38,2)", str(types.get("belopp")))
check("datum is DATE", types.get("datum") == "DATE", str(types.get("datum")))

try:
    import rdflib
except ImportError:
    rdflib = None
catalogue = out.parent / "dcat.ttl"
if rdflib is not None and catalogue.exists():
    g = rdflib.Graph()
    g.parse(catalogue, format="turtle")
    DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    DCT = rdflib.Namespace("http://purl.org/dc/terms/")
    datasets = [d for d in g.subjects(rdflib.RDF.type, DCAT.Dataset) if str(d).endswith(f"/{out.name}/#dataset")]
    check("the catalogue beside the year (dcat.ttl) parses as Turtle with the year's dcat:Dataset", len(datasets) == 1)
    spec = rdflib.URIRef("https://lankadedata.se/spec/leverantorsreskontra/")
    check("the dataset conforms to the specification", (datasets[0], DCT.conformsTo, spec) in g)
    distributions = list(g.objects(datasets[0], DCAT.distribution))
    check("one distribution per data file", len(distributions) == len([o for o in report["outputs"] if o["path"].endswith((".csv", ".parquet", ".xlsx"))]))

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
