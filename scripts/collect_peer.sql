-- The peer of `reskontra collect` in scripts/bench: the SQL a journalist writes by hand to read
-- four publishers' published files into one Hive-partitioned Parquet dataset with DuckDB.
-- scripts/bench replaces {{DIR}} (the download folder, as tests/publishers/gen.rs writes it)
-- and {{OUT}} (the dataset folder). It does what the journalist needs to get the rows in: each
-- publisher's encoding, delimiter, line endings, names, decimal commas, '-' for empty, the byte-
-- order mark inside a JSON key, and leaving out a month that a corrected file replaces. It does
-- not do what collect does besides: no privacy scan, no id kinds, no conflict report.

SET preserve_insertion_order = false;

CREATE TEMP MACRO sek(t) AS CAST(replace(replace(trim(t), ' ', ''), ',', '.') AS DECIMAL(38, 2));
CREATE TEMP MACRO txt(t) AS nullif(nullif(trim(t), '-'), '');

-- the region: ';', bare CR, bokforingsdatum and nettobelopp, '-' for no invoice number
CREATE TEMP VIEW region AS
SELECT kopare_id, kopare, verifikationsnummer, leverantor, leverantor_id, konto_nr, konto_text,
       sek(nettobelopp) AS belopp, CAST(bokforingsdatum AS DATE) AS datum, txt(forvaltning) AS forvaltning,
       txt(fakturanummer) AS fakturanummer, txt(grund) AS grund, txt(avtal) AS avtal,
       txt(kommun_id) AS kommun_id, txt(s_kod_nr) AS s_kod_nr, filename
FROM read_csv('{{DIR}}/region/*.csv', delim = ';', new_line = '\r', header = true,
              all_varchar = true, filename = true, quote = '"');

-- the row-store city: pages of {"results": [...]}, a BOM inside the first key, decimal commas
CREATE TEMP VIEW stad_a AS
WITH pages AS (
  SELECT unnest(results) AS r, filename
  FROM read_json('{{DIR}}/stad-a/*.json', format = 'auto', maximum_object_size = 1000000000,
                 filename = true)
)
SELECT coalesce(r."kopare_id", r[chr(65279) || 'kopare_id']) AS kopare_id, r.kopare,
       r.verifikationsnummer, r.leverantor, r.leverantor_id, r.konto_nr, r.konto_text,
       sek(r.belopp) AS belopp, CAST(r.datum AS DATE) AS datum, NULL AS forvaltning,
       NULL AS fakturanummer, NULL AS grund, NULL AS avtal, r.kommun_id, NULL AS s_kod_nr, filename
FROM pages;

-- the UTF-16 city: ',', quoted decimal commas with spaces between thousands
CREATE TEMP VIEW stad_b AS
SELECT kopare_id, kopare, verifikationsnummer, txt(leverantor) AS leverantor,
       txt(leverantor_id) AS leverantor_id, konto_nr, konto_text, sek(belopp) AS belopp,
       CAST(datum AS DATE) AS datum, txt(forvaltning) AS forvaltning, txt(fakturanummer) AS fakturanummer,
       txt(grund) AS grund, txt(avtal) AS avtal, txt(kommun_id) AS kommun_id, txt(s_kod_nr) AS s_kod_nr, filename
FROM read_csv('{{DIR}}/stad-b/*.csv', encoding = 'utf-16', header = true, all_varchar = true,
              filename = true);

-- the small municipality: the spec's own CSV, and a corrected month that replaces the original
CREATE TEMP VIEW kommun_all AS
SELECT kopare_id, kopare, verifikationsnummer, txt(leverantor) AS leverantor,
       txt(leverantor_id) AS leverantor_id, konto_nr, konto_text, sek(belopp) AS belopp,
       CAST(datum AS DATE) AS datum, txt(forvaltning) AS forvaltning, txt(fakturanummer) AS fakturanummer,
       txt(grund) AS grund, txt(avtal) AS avtal, txt(kommun_id) AS kommun_id, txt(s_kod_nr) AS s_kod_nr, filename
FROM read_csv('{{DIR}}/kommun/*.csv', header = true, all_varchar = true, filename = true);
CREATE TEMP VIEW kommun AS
SELECT * FROM kommun_all
WHERE filename NOT IN (SELECT DISTINCT replace(filename, '-rattad', '') FROM kommun_all
                       WHERE filename LIKE '%-rattad.csv');

COPY (
  SELECT *, year(datum) AS ar, lpad(CAST(month(datum) AS VARCHAR), 2, '0') AS manad
  FROM (SELECT * FROM region UNION ALL BY NAME SELECT * FROM stad_a
        UNION ALL BY NAME SELECT * FROM stad_b UNION ALL BY NAME SELECT * FROM kommun)
) TO '{{OUT}}' (FORMAT parquet, PARTITION_BY (kopare_id, ar, manad), OVERWRITE_OR_IGNORE);
