#!/usr/bin/env python3
"""Query a collected dataset's Hive-partitioned Parquet with DuckDB and check it against its
report.json, as a journalist's own query would read it.

Usage: check_collect.py DATASET_DIR
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
source = (
    f"read_parquet('{glob}', hive_partitioning = true, "
    "hive_types = {'kopare_id': VARCHAR, 'ar': INTEGER, 'manad': VARCHAR})"
)

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
check("rows equal report.json", rows == report["dataset"]["rows"], f"{rows} != {report['dataset']['rows']}")
check(
    "sum of belopp equals report.json",
    Decimal(total) == Decimal(report["dataset"]["amount"]),
    f"{total} != {report['dataset']['amount']}",
)
found = {
    (k, f"{y}-{m}"): (n, s)
    for k, y, m, n, s in con.execute(
        f"SELECT kopare_id, ar, manad, count(*), sum(belopp) FROM {source} GROUP BY ALL"
    ).fetchall()
}
expected = {
    (k, month): (m["rows"], Decimal(m["amount"]))
    for k, buyer in report["buyers"].items()
    for month, m in buyer["months"].items()
}
check("the same buyers' months as report.json", set(found) == set(expected), f"{sorted(found)} != {sorted(expected)}")
for key, (n, s) in sorted(expected.items()):
    got = found.get(key, (0, 0))
    check(f"month {key[0]} {key[1]}", got[0] == n and Decimal(got[1]) == s, f"{got} vs {(n, s)}")
types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {source})").fetchall())
check("belopp is DECIMAL(38,2)", types.get("belopp") == "DECIMAL(38,2)", str(types.get("belopp")))
check("datum is DATE", types.get("datum") == "DATE", str(types.get("datum")))
check("kalla_rad is BIGINT", types.get("kalla_rad") == "BIGINT", str(types.get("kalla_rad")))
texts = [c for c, t in types.items() if t == "VARCHAR" and c not in ("kopare_id", "manad")]
empty = con.execute(
    f"SELECT count(*) FROM {source} WHERE " + " OR ".join(f"{c} = ''" for c in texts)
).fetchone()[0]
check("no text is '' (missing values are NULL)", empty == 0, str(empty))
no_origin = con.execute(
    f"SELECT count(*) FROM {source} WHERE kalla_fil IS NULL OR kalla_rad IS NULL OR kalla_sha256 IS NULL"
).fetchone()[0]
check("every row names its file, line and the file's SHA-256", no_origin == 0, str(no_origin))
kinds = {
    k for (k,) in con.execute(f"SELECT DISTINCT leverantor_id_typ FROM {source}").fetchall()
}
allowed = {"organisationsnummer", "utlandskt_id", "internt_nummer", "maskerad", "saknas", "ogiltigt"}
check("every id kind is one of the six", kinds <= allowed, str(kinds - allowed))
numbers_elsewhere = con.execute(
    f"SELECT count(*) FROM {source} WHERE leverantor_nr IS NOT NULL AND leverantor_id_typ <> 'internt_nummer'"
).fetchone()[0]
check("a supplier number is kept only for an internal id", numbers_elsewhere == 0, str(numbers_elsewhere))

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
