-- The door-to-door log, reshaped for bulk writes (see src/field.rs):
-- * who sent a batch, from where and when is kept once per batch (field_batches), not per record;
-- * field_records keeps only what recognises a retry and what the record counted, with no foreign
--   keys and no secondary index: villages are checked before a batch is written, and no page reads
--   records (they read the tallies);
-- * the weekly tallies become one row per unit and week with a column per tally item
--   (hocvuso_core::field::TALLY_ITEMS), so that a batch updates one row per village and week.
CREATE TABLE field_batches (
    id          BIGSERIAL PRIMARY KEY,
    plan_code   TEXT NOT NULL REFERENCES plans(code),
    source      TEXT NOT NULL,           -- 'app' or the imported file's name
    user_id     BIGINT,
    received_at TEXT NOT NULL,
    records     BIGINT NOT NULL          -- records stored by the batch
);
INSERT INTO field_batches (plan_code, source, user_id, received_at, records)
SELECT plan_code, source, user_id, received_at, COUNT(*) FROM field_records
GROUP BY plan_code, source, user_id, received_at;

CREATE TABLE field_records_by_batch (
    id           TEXT PRIMARY KEY,       -- UUID made on the phone: a retry is recognised
    batch_id     BIGINT NOT NULL,
    village_code TEXT NOT NULL,
    day          TEXT NOT NULL,
    items        BIGINT NOT NULL,        -- what the visit covered (hocvuso_core::field::Items)
    added        BIGINT NOT NULL         -- what it counted, new for the person
);
INSERT INTO field_records_by_batch (id, batch_id, village_code, day, items, added)
SELECT r.id, b.id, r.village_code, r.day, r.items, r.added
FROM field_records r JOIN field_batches b
  ON b.plan_code = r.plan_code AND b.source = r.source AND b.user_id IS NOT DISTINCT FROM r.user_id
 AND b.received_at = r.received_at;
DROP TABLE field_records;
ALTER TABLE field_records_by_batch RENAME TO field_records;

-- Weekly increases per unit (the village and every unit above it): a village fills only its
-- activity (records, people, full_records, teams, golden); skills and flags start at the commune.
-- Cumulative figures are sums over weeks.
CREATE TABLE field_weeks (
    plan_code    TEXT NOT NULL,
    unit_code    TEXT NOT NULL,
    week         TEXT NOT NULL,
    records      BIGINT NOT NULL DEFAULT 0,
    people       BIGINT NOT NULL DEFAULT 0,
    full_records BIGINT NOT NULL DEFAULT 0,
    teams        BIGINT NOT NULL DEFAULT 0,
    golden       BIGINT NOT NULL DEFAULT 0,
    skill_1      BIGINT NOT NULL DEFAULT 0,
    skill_2      BIGINT NOT NULL DEFAULT 0,
    skill_3      BIGINT NOT NULL DEFAULT 0,
    skill_4      BIGINT NOT NULL DEFAULT 0,
    skill_5      BIGINT NOT NULL DEFAULT 0,
    skill_6      BIGINT NOT NULL DEFAULT 0,
    skill_7      BIGINT NOT NULL DEFAULT 0,
    skill_8      BIGINT NOT NULL DEFAULT 0,
    vneid        BIGINT NOT NULL DEFAULT 0,
    app          BIGINT NOT NULL DEFAULT 0,
    signature    BIGINT NOT NULL DEFAULT 0,
    domain       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (plan_code, unit_code, week)
);
INSERT INTO field_weeks (plan_code, unit_code, week, records, people, full_records, teams, golden, skill_1, skill_2, skill_3, skill_4, skill_5, skill_6, skill_7, skill_8, vneid, app, signature, domain)
SELECT plan_code, unit_code, week,
    SUM(CASE WHEN item = 'records' THEN n ELSE 0 END),
    SUM(CASE WHEN item = 'people' THEN n ELSE 0 END),
    SUM(CASE WHEN item = 'full' THEN n ELSE 0 END),
    SUM(CASE WHEN item = 'teams' THEN n ELSE 0 END),
    SUM(CASE WHEN item = 'golden' THEN n ELSE 0 END),
    SUM(CASE WHEN item = 'skill_1' THEN n ELSE 0 END),
    SUM(CASE WHEN item = 'skill_2' THEN n ELSE 0 END),
    SUM(CASE WHEN item = 'skill_3' THEN n ELSE 0 END),
    SUM(CASE WHEN item = 'skill_4' THEN n ELSE 0 END),
    SUM(CASE WHEN item = 'skill_5' THEN n ELSE 0 END),
    SUM(CASE WHEN item = 'skill_6' THEN n ELSE 0 END),
    SUM(CASE WHEN item = 'skill_7' THEN n ELSE 0 END),
    SUM(CASE WHEN item = 'skill_8' THEN n ELSE 0 END),
    SUM(CASE WHEN item = 'vneid' THEN n ELSE 0 END),
    SUM(CASE WHEN item = 'app' THEN n ELSE 0 END),
    SUM(CASE WHEN item = 'signature' THEN n ELSE 0 END),
    SUM(CASE WHEN item = 'domain' THEN n ELSE 0 END)
FROM field_tallies GROUP BY plan_code, unit_code, week;
DROP TABLE field_tallies;
-- The villages that have done their Golden Week (few rows: checked for every batch).
CREATE INDEX field_weeks_golden ON field_weeks (plan_code, unit_code) WHERE golden > 0;

-- Purging person keys is rare (end of the campaign) and may scan; every batch would pay for the index.
DROP INDEX field_people_last_day;

-- People newly guided per commune and above and week, one row per unit and week with a column per
-- group g_<age band>_<gender>_<ethnic minority> (u: not known; m/f; n/y), so that a batch updates
-- one row per commune and week.
CREATE TABLE field_inclusion_weeks (
    plan_code        TEXT NOT NULL,
    unit_code        TEXT NOT NULL,
    week             TEXT NOT NULL,
    g_u_u_u          BIGINT NOT NULL DEFAULT 0,
    g_u_u_n          BIGINT NOT NULL DEFAULT 0,
    g_u_u_y          BIGINT NOT NULL DEFAULT 0,
    g_u_m_u          BIGINT NOT NULL DEFAULT 0,
    g_u_m_n          BIGINT NOT NULL DEFAULT 0,
    g_u_m_y          BIGINT NOT NULL DEFAULT 0,
    g_u_f_u          BIGINT NOT NULL DEFAULT 0,
    g_u_f_n          BIGINT NOT NULL DEFAULT 0,
    g_u_f_y          BIGINT NOT NULL DEFAULT 0,
    g_duoi_18_u_u    BIGINT NOT NULL DEFAULT 0,
    g_duoi_18_u_n    BIGINT NOT NULL DEFAULT 0,
    g_duoi_18_u_y    BIGINT NOT NULL DEFAULT 0,
    g_duoi_18_m_u    BIGINT NOT NULL DEFAULT 0,
    g_duoi_18_m_n    BIGINT NOT NULL DEFAULT 0,
    g_duoi_18_m_y    BIGINT NOT NULL DEFAULT 0,
    g_duoi_18_f_u    BIGINT NOT NULL DEFAULT 0,
    g_duoi_18_f_n    BIGINT NOT NULL DEFAULT 0,
    g_duoi_18_f_y    BIGINT NOT NULL DEFAULT 0,
    g_18_34_u_u      BIGINT NOT NULL DEFAULT 0,
    g_18_34_u_n      BIGINT NOT NULL DEFAULT 0,
    g_18_34_u_y      BIGINT NOT NULL DEFAULT 0,
    g_18_34_m_u      BIGINT NOT NULL DEFAULT 0,
    g_18_34_m_n      BIGINT NOT NULL DEFAULT 0,
    g_18_34_m_y      BIGINT NOT NULL DEFAULT 0,
    g_18_34_f_u      BIGINT NOT NULL DEFAULT 0,
    g_18_34_f_n      BIGINT NOT NULL DEFAULT 0,
    g_18_34_f_y      BIGINT NOT NULL DEFAULT 0,
    g_35_59_u_u      BIGINT NOT NULL DEFAULT 0,
    g_35_59_u_n      BIGINT NOT NULL DEFAULT 0,
    g_35_59_u_y      BIGINT NOT NULL DEFAULT 0,
    g_35_59_m_u      BIGINT NOT NULL DEFAULT 0,
    g_35_59_m_n      BIGINT NOT NULL DEFAULT 0,
    g_35_59_m_y      BIGINT NOT NULL DEFAULT 0,
    g_35_59_f_u      BIGINT NOT NULL DEFAULT 0,
    g_35_59_f_n      BIGINT NOT NULL DEFAULT 0,
    g_35_59_f_y      BIGINT NOT NULL DEFAULT 0,
    g_tu_60_u_u      BIGINT NOT NULL DEFAULT 0,
    g_tu_60_u_n      BIGINT NOT NULL DEFAULT 0,
    g_tu_60_u_y      BIGINT NOT NULL DEFAULT 0,
    g_tu_60_m_u      BIGINT NOT NULL DEFAULT 0,
    g_tu_60_m_n      BIGINT NOT NULL DEFAULT 0,
    g_tu_60_m_y      BIGINT NOT NULL DEFAULT 0,
    g_tu_60_f_u      BIGINT NOT NULL DEFAULT 0,
    g_tu_60_f_n      BIGINT NOT NULL DEFAULT 0,
    g_tu_60_f_y      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (plan_code, unit_code, week)
);
INSERT INTO field_inclusion_weeks (plan_code, unit_code, week, g_u_u_u, g_u_u_n, g_u_u_y, g_u_m_u, g_u_m_n, g_u_m_y, g_u_f_u, g_u_f_n, g_u_f_y, g_duoi_18_u_u, g_duoi_18_u_n, g_duoi_18_u_y, g_duoi_18_m_u, g_duoi_18_m_n, g_duoi_18_m_y, g_duoi_18_f_u, g_duoi_18_f_n, g_duoi_18_f_y, g_18_34_u_u, g_18_34_u_n, g_18_34_u_y, g_18_34_m_u, g_18_34_m_n, g_18_34_m_y, g_18_34_f_u, g_18_34_f_n, g_18_34_f_y, g_35_59_u_u, g_35_59_u_n, g_35_59_u_y, g_35_59_m_u, g_35_59_m_n, g_35_59_m_y, g_35_59_f_u, g_35_59_f_n, g_35_59_f_y, g_tu_60_u_u, g_tu_60_u_n, g_tu_60_u_y, g_tu_60_m_u, g_tu_60_m_n, g_tu_60_m_y, g_tu_60_f_u, g_tu_60_f_n, g_tu_60_f_y)
SELECT plan_code, unit_code, week,
    SUM(CASE WHEN age_band = '' AND gender = '' AND minority = -1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '' AND gender = '' AND minority = 0 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '' AND gender = '' AND minority = 1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '' AND gender = 'male' AND minority = -1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '' AND gender = 'male' AND minority = 0 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '' AND gender = 'male' AND minority = 1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '' AND gender = 'female' AND minority = -1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '' AND gender = 'female' AND minority = 0 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '' AND gender = 'female' AND minority = 1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = 'duoi_18' AND gender = '' AND minority = -1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = 'duoi_18' AND gender = '' AND minority = 0 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = 'duoi_18' AND gender = '' AND minority = 1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = 'duoi_18' AND gender = 'male' AND minority = -1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = 'duoi_18' AND gender = 'male' AND minority = 0 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = 'duoi_18' AND gender = 'male' AND minority = 1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = 'duoi_18' AND gender = 'female' AND minority = -1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = 'duoi_18' AND gender = 'female' AND minority = 0 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = 'duoi_18' AND gender = 'female' AND minority = 1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '18_34' AND gender = '' AND minority = -1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '18_34' AND gender = '' AND minority = 0 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '18_34' AND gender = '' AND minority = 1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '18_34' AND gender = 'male' AND minority = -1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '18_34' AND gender = 'male' AND minority = 0 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '18_34' AND gender = 'male' AND minority = 1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '18_34' AND gender = 'female' AND minority = -1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '18_34' AND gender = 'female' AND minority = 0 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '18_34' AND gender = 'female' AND minority = 1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '35_59' AND gender = '' AND minority = -1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '35_59' AND gender = '' AND minority = 0 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '35_59' AND gender = '' AND minority = 1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '35_59' AND gender = 'male' AND minority = -1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '35_59' AND gender = 'male' AND minority = 0 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '35_59' AND gender = 'male' AND minority = 1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '35_59' AND gender = 'female' AND minority = -1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '35_59' AND gender = 'female' AND minority = 0 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = '35_59' AND gender = 'female' AND minority = 1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = 'tu_60' AND gender = '' AND minority = -1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = 'tu_60' AND gender = '' AND minority = 0 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = 'tu_60' AND gender = '' AND minority = 1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = 'tu_60' AND gender = 'male' AND minority = -1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = 'tu_60' AND gender = 'male' AND minority = 0 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = 'tu_60' AND gender = 'male' AND minority = 1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = 'tu_60' AND gender = 'female' AND minority = -1 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = 'tu_60' AND gender = 'female' AND minority = 0 THEN n ELSE 0 END),
    SUM(CASE WHEN age_band = 'tu_60' AND gender = 'female' AND minority = 1 THEN n ELSE 0 END)
FROM field_inclusion GROUP BY plan_code, unit_code, week;
DROP TABLE field_inclusion;
ALTER TABLE field_inclusion_weeks RENAME TO field_inclusion;
