-- The door-to-door log of community digital teams (see src/field.rs and hocvuso_core::field).
-- Privacy: no table holds a citizen number. The person's keyed pseudonym lives only in field_people
-- (removed by `hocvuso purge person-keys`); age band, gender and ethnic-minority status live only in
-- the aggregate field_inclusion, never beside a record.
CREATE TABLE field_records (
    id           TEXT PRIMARY KEY,        -- UUID made on the phone: a retry is recognised
    plan_code    TEXT NOT NULL REFERENCES plans(code),
    village_code TEXT NOT NULL REFERENCES units(code),
    day          TEXT NOT NULL,
    week         TEXT NOT NULL,           -- reporting day of the week the day falls in
    items        BIGINT NOT NULL,         -- what the visit covered (hocvuso_core::field::Items)
    added        BIGINT NOT NULL,        -- what it counted, new for the person
    identified   BIGINT NOT NULL,        -- 1 when a CCCD was given
    source       TEXT NOT NULL,           -- 'app' or the imported file's name
    user_id      BIGINT,
    received_at  TEXT NOT NULL
);
CREATE INDEX field_records_village ON field_records (plan_code, village_code, week);

-- What each identified person already counts for, to count them once per skill and flag.
CREATE TABLE field_people (
    plan_code  TEXT NOT NULL,
    person_key TEXT NOT NULL,
    items      BIGINT NOT NULL,
    last_day   TEXT NOT NULL,
    PRIMARY KEY (plan_code, person_key)
);
CREATE INDEX field_people_last_day ON field_people (plan_code, last_day);

-- Weekly increases per unit (the village and every unit above it) and tally item, kept up to date
-- as records arrive; cumulative figures are sums over weeks.
CREATE TABLE field_tallies (
    plan_code TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    item      TEXT NOT NULL,
    week      TEXT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (plan_code, unit_code, item, week)
);

-- People newly guided per commune and above, week and group ('' / -1: not known).
CREATE TABLE field_inclusion (
    plan_code TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    week      TEXT NOT NULL,
    age_band  TEXT NOT NULL,
    gender    TEXT NOT NULL,
    minority  BIGINT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (plan_code, unit_code, week, age_band, gender, minority)
);
