#!/usr/bin/env python3
"""Run the DuckDB queries of docs/analyse.md over a collected dataset and compare their rows
with the CSV tables `reskontra analyse` wrote of it.

Usage: check_analyse.py DATASET_DIR ANALYSIS_DIR [docs/analyse.md]

Each ```sql block of the page whose first line is `-- FILE.csv: col, col, ...` is a query; the
block whose first line is `-- setup` runs first. The dataset's path replaces
`dataset/parquet/...`, the repository's limits file `data/limits/...`, and the suppliers that
analysis.json says were followed replace the example key of the supplier-over-time query. The
rows are compared as multisets on the named columns: sums, counts, dates and keys exactly (as
decimals), shares and indexes (computed here in floating point) to the hundredth.
Prints one line per query and a closing "N passed, N failed"; exits 1 on any failure.
"""
import json
import re
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb

dataset, out = Path(sys.argv[1]), Path(sys.argv[2])
root = Path(__file__).resolve().parent.parent
page = Path(sys.argv[3]) if len(sys.argv) > 3 else root / "docs" / "analyse.md"
text = page.read_text(encoding="utf-8")
blocks = re.findall(r"```sql\n(.*?)```", text, re.S)
analysis = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
# shares and indexes: exact decimals in reskontra, floating point in these queries
APPROXIMATE = {"andel_procent", "topp10_andel_procent", "hhi", "rader_per_faktura"}

glob = str(dataset / "parquet" / "*" / "*" / "*" / "*.parquet")


def localised(sql):
    sql = sql.replace("dataset/parquet/*/*/*/*.parquet", glob)
    sql = sql.replace("data/limits/direktupphandling.csv", str(root / "data" / "limits" / "direktupphandling.csv"))
    keys = ", ".join("'" + c["key"].replace("'", "''") + "'" for c in analysis["chosen_suppliers"])
    return re.sub(r"lev_nyckel IN \('[^)]*'\)", f"lev_nyckel IN ({keys or 'NULL'})", sql)


def canonical(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    text = str(value)
    try:
        return format(Decimal(text).normalize(), "f") if re.fullmatch(r"-?\d+(\.\d+)?", text) else text
    except InvalidOperation:
        return text


def rows_equal(a, b, columns):
    for x, y, c in zip(a, b, columns):
        if c in APPROXIMATE:
            try:
                if abs(Decimal(x or "0") - Decimal(y or "0")) > Decimal("0.0100001"):
                    return False
            except InvalidOperation:
                return False
        elif x != y:
            return False
    return True


con = duckdb.connect()
passed = failed = 0
setup = [b for b in blocks if b.startswith("-- setup")]
for b in setup:
    con.execute(localised(b))
for block in blocks:
    first = block.splitlines()[0]
    m = re.match(r"-- (\S+\.csv): (.*)", first)
    if not m:
        continue
    name, columns = m.group(1), [c.strip() for c in m.group(2).split(",")]
    exact = [i for i, c in enumerate(columns) if c not in APPROXIMATE]
    try:
        cursor = con.execute(localised(block))
        names = [d[0] for d in cursor.description]
        got = [tuple(canonical(r[names.index(c)]) for c in columns) for r in cursor.fetchall()]
    except Exception as e:  # a query that does not run is a failure of the page
        failed += 1
        print(f"FAIL {name}: the query failed: {e}")
        continue
    import csv

    with open(out / name, newline="", encoding="utf-8") as f:
        want = [tuple(canonical(r[c]) for c in columns) for r in csv.DictReader(f)]
    key = lambda row: tuple(row[i] for i in exact)
    got.sort(key=key)
    want.sort(key=key)
    same = len(got) == len(want) and all(rows_equal(a, b, columns) for a, b in zip(got, want))
    if same:
        passed += 1
        print(f"ok   {name} ({len(want)} rows)")
    else:
        failed += 1
        diff = [(a, b) for a, b in zip(got, want) if not rows_equal(a, b, columns)][:3]
        print(f"FAIL {name}: DuckDB {len(got)} rows, reskontra {len(want)}; first differences {diff}")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
