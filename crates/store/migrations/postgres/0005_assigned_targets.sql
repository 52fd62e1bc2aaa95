-- Per-unit assigned targets (the plan's appendix; see hocvuso_core::assigned). `milestone` is the date
-- of the plan milestone it replaces, '' for all of them. Loading a table replaces the plan's whole set.
CREATE TABLE unit_targets (
    plan_code      TEXT NOT NULL REFERENCES plans(code),
    unit_code      TEXT NOT NULL REFERENCES units(code),
    indicator_code TEXT NOT NULL,
    milestone      TEXT NOT NULL,
    target         DOUBLE PRECISION NOT NULL CHECK (target >= 0),
    source         TEXT NOT NULL,
    loaded_at      TEXT NOT NULL,
    PRIMARY KEY (plan_code, unit_code, indicator_code, milestone)
);
