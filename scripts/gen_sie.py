#!/usr/bin/env python3
"""Write a synthetic SIE 4 file of N supplier-invoice vouchers (for scripts/bench).

    scripts/gen_sie.py N OUT.se

Each voucher has a supplier-debt line, a cost line and a VAT line (CP437, as `#FORMAT PC8`
says); the suppliers are the fictitious companies of the bundled sample. Seeded: the same N
gives the same file.
"""
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
random.seed(1)
head = """#FLAGGA 0
#PROGRAM "Exempel Ekonomi" 4.2
#FORMAT PC8
#GEN 20240901
#SIETYP 4
#FNAMN "Exempelby kommun"
#ORGNR 212000-0142
#RAR 0 20240101 20241231
#KONTO 2440 "Leverantörsskulder"
#KONTO 2641 "Debiterad ingående moms"
#KONTO 4010 "Inköp material och varor"
#DIM 1 "Kostnadsställe"
#DIM 9 "Leverantör"
#DIM 10 "Faktura"
#OBJEKT 1 "100" "Kommunstyrelsen"
#OBJEKT 9 "1001" "Nordisk Kontorsvaror AB"
#OBJEKT 9 "1003" "Bygg, Mark & Anläggning AB"
"""
parts = [head]
for i in range(1, n + 1):
    supplier = random.choice(["1001", "1003"])
    amount = random.randint(100, 100000)
    day = 20240901 + random.randint(0, 28)
    parts.append(
        f'#VER A {i} {day} "Faktura F-{i}" {day}\n{{\n'
        f'#TRANS 2440 {{9 "{supplier}" 10 "F-{i}"}} -{amount}.00\n'
        f'#TRANS 4010 {{1 "100" 9 "{supplier}" 10 "F-{i}"}} {amount * 0.8:.2f} {day} "Papper"\n'
        f'#TRANS 2641 {{}} {amount * 0.2:.2f}\n}}\n'
    )
with open(out, "w", encoding="cp437", newline="\n") as f:
    f.write("".join(parts))
