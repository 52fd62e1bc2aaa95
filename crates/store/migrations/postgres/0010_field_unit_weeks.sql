-- The log's figures, one row per plan and unit with the unit's weeks packed (see src/field.rs and
-- src/unit_weeks.rs): a batch spread over the whole campaign touched one row per village and week
-- (about one per record); it now reads and rewrites one row per unit it counts in.
-- * tallies: "<reporting day>:<n>,<n>,…;…", the counts in the order of
--   hocvuso_core::field::TALLY_ITEMS (records, people, full, teams, golden, skill_1 … skill_8, vneid,
--   app, signature, domain); a village fills only its activity (records … golden).
-- * inclusion: the same for the people newly guided per group, in the order of the dropped
--   field_inclusion's columns (age band × gender × ethnic minority, each possibly not known); empty
--   for a village, whose cells are too small to show.
CREATE TABLE field_unit_weeks (
    plan_code TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    tallies   TEXT NOT NULL,
    inclusion TEXT NOT NULL,
    PRIMARY KEY (plan_code, unit_code)
);
INSERT INTO field_unit_weeks (plan_code, unit_code, tallies, inclusion)
SELECT plan_code, unit_code, string_agg(week || ':' || concat_ws(',',
        records, people, full_records, teams, golden, skill_1, skill_2, skill_3, skill_4, skill_5,
        skill_6, skill_7, skill_8, vneid, app, signature, domain), ';'), ''
FROM field_weeks GROUP BY plan_code, unit_code;
UPDATE field_unit_weeks SET inclusion = (
    SELECT string_agg(week || ':' || concat_ws(',',
        g_u_u_u, g_u_u_n, g_u_u_y, g_u_m_u, g_u_m_n, g_u_m_y, g_u_f_u, g_u_f_n, g_u_f_y,
        g_duoi_18_u_u, g_duoi_18_u_n, g_duoi_18_u_y, g_duoi_18_m_u, g_duoi_18_m_n, g_duoi_18_m_y,
        g_duoi_18_f_u, g_duoi_18_f_n, g_duoi_18_f_y, g_18_34_u_u, g_18_34_u_n, g_18_34_u_y,
        g_18_34_m_u, g_18_34_m_n, g_18_34_m_y, g_18_34_f_u, g_18_34_f_n, g_18_34_f_y, g_35_59_u_u,
        g_35_59_u_n, g_35_59_u_y, g_35_59_m_u, g_35_59_m_n, g_35_59_m_y, g_35_59_f_u, g_35_59_f_n,
        g_35_59_f_y, g_tu_60_u_u, g_tu_60_u_n, g_tu_60_u_y, g_tu_60_m_u, g_tu_60_m_n, g_tu_60_m_y,
        g_tu_60_f_u, g_tu_60_f_n, g_tu_60_f_y), ';')
    FROM field_inclusion i
    WHERE i.plan_code = field_unit_weeks.plan_code AND i.unit_code = field_unit_weeks.unit_code)
WHERE EXISTS (SELECT 1 FROM field_inclusion i
              WHERE i.plan_code = field_unit_weeks.plan_code AND i.unit_code = field_unit_weeks.unit_code);
DROP TABLE field_weeks;
DROP TABLE field_inclusion;
