-- Roll-ups kept in step with the reports (see src/rollups.rs): per plan, unit, indicator and reporting
-- day ('' = before the first one), the summed steps of the contributions of the subjects below the unit.
CREATE TABLE rollups (
    plan_code           TEXT NOT NULL REFERENCES plans(code),
    unit_code           TEXT NOT NULL REFERENCES units(code),
    indicator_code      TEXT NOT NULL,
    week                TEXT NOT NULL,
    expected            REAL NOT NULL,
    counted             REAL NOT NULL,
    reported            REAL NOT NULL,
    fresh               REAL NOT NULL,
    numerator           REAL NOT NULL,
    denominator         REAL NOT NULL,
    total               REAL NOT NULL,
    without_denominator REAL NOT NULL,
    PRIMARY KEY (plan_code, unit_code, indicator_code, week)
);
