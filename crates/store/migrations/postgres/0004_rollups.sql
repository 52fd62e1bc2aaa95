-- Roll-ups kept in step with the reports (see src/rollups.rs): per plan, unit, indicator and reporting
-- day ('' = before the first one), the summed steps of the contributions of the subjects below the unit.
CREATE TABLE rollups (
    plan_code           TEXT NOT NULL REFERENCES plans(code),
    unit_code           TEXT NOT NULL REFERENCES units(code),
    indicator_code      TEXT NOT NULL,
    week                TEXT NOT NULL,
    expected            DOUBLE PRECISION NOT NULL,
    counted             DOUBLE PRECISION NOT NULL,
    reported            DOUBLE PRECISION NOT NULL,
    fresh               DOUBLE PRECISION NOT NULL,
    numerator           DOUBLE PRECISION NOT NULL,
    denominator         DOUBLE PRECISION NOT NULL,
    total               DOUBLE PRECISION NOT NULL,
    without_denominator DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (plan_code, unit_code, indicator_code, week)
);
