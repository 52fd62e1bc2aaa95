-- Foundation schema (SQLite). Dates are ISO-8601 text ('2025-09-05'), instants RFC 3339 UTC text
-- ('2025-09-05T16:59:00Z'), so the same SQL and the same Rust types serve SQLite and PostgreSQL.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Official hierarchy and attached bodies. `path` is the chain of codes from the root ('/VN/66/24121/'),
-- so a subtree is one index range. Merged or split units keep their row with `valid_to` set.
CREATE TABLE units (
    code           TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    full_name      TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('country','province','commune','village','department','school','enterprise')),
    unit_type      TEXT NOT NULL,
    parent_code    TEXT REFERENCES units(code),
    path           TEXT NOT NULL UNIQUE,
    search_key     TEXT NOT NULL,
    match_key      TEXT NOT NULL,
    full_match_key TEXT NOT NULL,
    synthetic      INTEGER NOT NULL DEFAULT 0,
    valid_from     TEXT NOT NULL,
    valid_to       TEXT,
    successor_code TEXT REFERENCES units(code)
);
CREATE INDEX units_parent ON units(parent_code);
CREATE INDEX units_kind_path ON units(kind, path);
CREATE INDEX units_match ON units(match_key);
CREATE INDEX units_full_match ON units(full_match_key);

-- Denominators (adults, officials, …) per unit, with their source and date; several dates may coexist.
CREATE TABLE unit_denominators (
    unit_code TEXT NOT NULL REFERENCES units(code),
    key       TEXT NOT NULL,
    value     REAL NOT NULL CHECK (value >= 0),
    source    TEXT NOT NULL,
    as_of     TEXT NOT NULL,
    synthetic INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_code, key, as_of)
);

-- Plans as loaded: the file text is kept verbatim, the active one drives the site.
CREATE TABLE plans (
    code      TEXT PRIMARY KEY,
    source    TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    active    INTEGER NOT NULL DEFAULT 0
);

-- One report per plan, unit and week (identified by its reporting day).
CREATE TABLE reports (
    id           INTEGER PRIMARY KEY,
    plan_code    TEXT NOT NULL REFERENCES plans(code),
    unit_code    TEXT NOT NULL REFERENCES units(code),
    week         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft','submitted','approved','returned')),
    difficulties TEXT NOT NULL DEFAULT '',
    proposals    TEXT NOT NULL DEFAULT '',
    submitted_at TEXT,
    synthetic    INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (plan_code, unit_code, week)
);
CREATE INDEX reports_week ON reports(plan_code, week);

-- Cumulative values of a report. `subject_code` is the unit the figure is about: the reporting unit
-- itself, or each commune when Công an tỉnh reports on their behalf.
CREATE TABLE report_values (
    report_id      INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    indicator_code TEXT NOT NULL,
    subject_code   TEXT NOT NULL REFERENCES units(code),
    numerator      REAL NOT NULL CHECK (numerator >= 0),
    denominator    REAL CHECK (denominator >= 0),
    done_on        TEXT,
    comment        TEXT,
    PRIMARY KEY (report_id, indicator_code, subject_code)
);
CREATE INDEX report_values_subject ON report_values(subject_code, indicator_code);

-- Status history of reports (draft → submitted → approved / returned → resubmitted).
CREATE TABLE report_events (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    reason      TEXT,
    at          TEXT NOT NULL
);
CREATE INDEX report_events_report ON report_events(report_id);
