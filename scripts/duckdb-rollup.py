#!/usr/bin/env python3
"""The same roll-up as hocvuso's progress API, computed by DuckDB from the raw tables that
`hocvuso export` writes, for `hocvuso bench progress` (which runs it and compares).

Usage: duckdb-rollup.py DIR AS_OF LAST_REPORTING_DAY SCOPE_PATH
DIR holds the exported CSV files and indicators.json (written by the benchmark): for each ratio or
total indicator, its kind, denominator key and the unit kinds that report it. Prints one JSON object:
load time, the median query time over 5 runs, and per indicator numerator, denominator and value.
"""
import json
import statistics
import sys
import time

import duckdb

directory, as_of, last_day, scope = sys.argv[1:5]
indicators = json.load(open(f"{directory}/indicators.json"))

con = duckdb.connect()
started = time.perf_counter()
for table in ["units", "unit_denominators", "reports", "report_values"]:
    con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv_auto('{directory}/{table}.csv', header=true, all_varchar=true)")
load_seconds = time.perf_counter() - started

QUERY = """
WITH subjects AS (
    SELECT code, kind FROM units
    WHERE starts_with(path, $scope) AND valid_to IS NULL
),
counted AS (  -- the latest submission of each report week
    SELECT v.indicator_code, v.subject_code, r.week,
           CAST(v.numerator AS DOUBLE) AS numerator, TRY_CAST(v.denominator AS DOUBLE) AS denominator,
           row_number() OVER (PARTITION BY v.indicator_code, v.subject_code, r.week ORDER BY r.submitted_at DESC) AS rn
    FROM report_values v JOIN reports r ON r.id = v.report_id
    WHERE r.status IN ('submitted', 'approved') AND r.week <= $last_day
),
latest AS (  -- last value carried forward: the latest week on or before the date
    SELECT indicator_code, subject_code, numerator, denominator,
           row_number() OVER (PARTITION BY indicator_code, subject_code ORDER BY week DESC) AS rn
    FROM counted WHERE rn = 1
),
registered AS (  -- the registered denominator on the date, else the earliest
    SELECT unit_code, key, CAST(value AS DOUBLE) AS value,
           row_number() OVER (PARTITION BY unit_code, key
                              ORDER BY (as_of <= $as_of) DESC, CASE WHEN as_of <= $as_of THEN as_of END DESC, as_of) AS rn
    FROM unit_denominators
),
wanted AS (
    SELECT * FROM (VALUES {wanted}) AS w(indicator_code, kind, denominator_key, subject_kind)
),
figures AS (
    SELECT w.indicator_code, w.kind, s.code,
           l.numerator, coalesce(l.denominator, g.value) AS denominator
    FROM wanted w
    JOIN subjects s ON s.kind = w.subject_kind
    LEFT JOIN latest l ON l.rn = 1 AND l.indicator_code = w.indicator_code AND l.subject_code = s.code
    LEFT JOIN registered g ON g.rn = 1 AND g.unit_code = s.code AND g.key = w.denominator_key
)
SELECT indicator_code, any_value(kind) AS kind,
       sum(CASE WHEN kind = 'ratio' THEN least(coalesce(numerator, 0), denominator) ELSE numerator END) AS numerator,
       sum(denominator) AS denominator,
       count(numerator) AS reported
FROM figures
WHERE kind = 'total' OR denominator IS NOT NULL
GROUP BY indicator_code ORDER BY indicator_code
"""
wanted = ", ".join(
    f"('{code}', '{i['kind']}', '{i.get('denominator') or ''}', '{k}')"
    for code, i in indicators.items() for k in i["subject_kinds"]
)
sql = QUERY.replace("{wanted}", wanted)
params = {"scope": scope, "as_of": as_of, "last_day": last_day}
timings, rows = [], None
for _ in range(5):
    started = time.perf_counter()
    rows = con.execute(sql, params).fetchall()
    timings.append(time.perf_counter() - started)
out = {}
for code, kind, numerator, denominator, reported in rows:
    value = numerator if kind == "total" else (numerator / denominator * 100 if denominator else None)
    out[code] = {"numerator": numerator, "denominator": denominator if kind == "ratio" else None, "value": value}
print(json.dumps({"load_seconds": load_seconds, "query_seconds": statistics.median(timings), "indicators": out}))
