#!/usr/bin/env python3
"""DuckDB running the queries of docs/analyse.md over a collected dataset: the peer that
`scripts/bench analyse` times `reskontra analyse` against. Prints one line per query (its
table, seconds, rows) and the total.

Usage: analyse_peer.py DATASET_DIR [docs/analyse.md] [--supplier KEY]
"""
import re
import sys
import time
from pathlib import Path

import duckdb

args = [a for a in sys.argv[1:] if not a.startswith("--")]
dataset = Path(args[0])
root = Path(__file__).resolve().parent.parent
page = Path(args[1]) if len(args) > 1 else root / "docs" / "analyse.md"
supplier = sys.argv[sys.argv.index("--supplier") + 1] if "--supplier" in sys.argv else None
blocks = re.findall(r"```sql\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
glob = str(dataset / "parquet" / "*" / "*" / "*" / "*.parquet")


def localised(sql):
    sql = sql.replace("dataset/parquet/*/*/*/*.parquet", glob)
    sql = sql.replace("data/limits/direktupphandling.csv", str(root / "data" / "limits" / "direktupphandling.csv"))
    if supplier:
        sql = re.sub(r"lev_nyckel IN \('[^)]*'\)", f"lev_nyckel IN ('{supplier}')", sql)
    return sql


con = duckdb.connect()
start = time.perf_counter()
for block in blocks:
    first = block.splitlines()[0]
    if first.startswith("-- setup"):
        con.execute(localised(block))
        continue
    m = re.match(r"-- (\S+\.csv):", first)
    if not m:
        continue
    t = time.perf_counter()
    rows = con.execute(localised(block)).fetchall()
    print(f"{m.group(1)}\t{time.perf_counter() - t:.2f}\t{len(rows)}", flush=True)
print(f"total\t{time.perf_counter() - start:.2f}")
