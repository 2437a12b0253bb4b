#!/usr/bin/env python3
"""DuckDB running the queries of docs/analyse.md over a collected dataset: the peer that
`scripts/bench analyse` times `reskontra analyse` against. Prints one line per query (its
table, seconds, rows) and the total.

Usage: analyse_peer.py DATASET_DIR [docs/analyse.md] [--supplier KEY]
"""
import argparse
import re
import time
from pathlib import Path

import duckdb

root = Path(__file__).resolve().parent.parent
parser = argparse.ArgumentParser()
parser.add_argument("dataset", type=Path)
parser.add_argument("page", type=Path, nargs="?", default=root / "docs" / "analyse.md")
parser.add_argument("--supplier", help="the supplier key the supplier-over-time query follows")
args = parser.parse_args()
dataset, page, supplier = args.dataset, args.page, args.supplier
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
