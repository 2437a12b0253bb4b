#!/usr/bin/env python3
"""Make the legacy-workbook test fixtures in tests/fixtures/ from the xlsx samples.

- An Excel 97-2003 (.xls, BIFF8) copy of each xlsx sample: the same sheet name, cells, cell
  types and date formats (tests convert both and expect the same published CSV).
- A password-protected copy of the dated xlsx sample (ECMA-376 agile encryption, as Excel
  writes it when a finance department sets "Encrypt with password"; its salt is random, so its
  bytes differ each time it is made). Tests expect a clear error, exit 2.

The fixtures are committed, so the tests need no Python. To make them again:

    pip install openpyxl xlwt msoffcrypto-tool
    python3 scripts/make_legacy_fixtures.py

Everything in them is synthetic (the samples are made by examples/make_samples.rs).
"""
import io
import os
import sys

import msoffcrypto
import msoffcrypto.format.ooxml
import openpyxl
import xlwt

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
SAMPLES = [
    ("samples/municipality-report/Leverantörsfakturor 2024-03.xlsx", "Leverantörsfakturor 2024-03.xls"),
    ("samples/municipality-report-dated/leverantorsfakturor-2024-04.xlsx", "leverantorsfakturor-2024-04.xls"),
]
ENCRYPTED = ("samples/municipality-report-dated/leverantorsfakturor-2024-04.xlsx", "locked-2024-04.xlsx")
PASSWORD = "Exempel-2024"


def to_xls(src, dst):
    book = openpyxl.load_workbook(src)
    out = xlwt.Workbook(encoding="utf-8")
    styles = {}
    for ws in book.worksheets:
        sheet = out.add_sheet(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                fmt = cell.number_format
                if fmt not in styles:
                    styles[fmt] = xlwt.easyxf(num_format_str=fmt)
                value = cell.value  # a datetime is written as a serial with its date format
                sheet.write(cell.row - 1, cell.column - 1, value, styles[fmt])
    out.save(dst)


def encrypt(src, dst):
    with open(src, "rb") as f:
        plain = io.BytesIO(f.read())
    locked = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(plain).encrypt(PASSWORD, locked)
    with open(dst, "wb") as f:
        f.write(locked.getvalue())


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    for src, name in SAMPLES:
        dst = os.path.join(FIXTURES, name)
        to_xls(os.path.join(ROOT, src), dst)
        print("wrote", os.path.relpath(dst, ROOT))
    src, name = ENCRYPTED
    dst = os.path.join(FIXTURES, name)
    encrypt(os.path.join(ROOT, src), dst)
    print("wrote", os.path.relpath(dst, ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
