-- Weekly report workflow: the first submission decides on time or late (a resubmission after a return
-- does not make a report late); the latest return reason is shown to the unit.
ALTER TABLE reports ADD COLUMN first_submitted_at TEXT;
ALTER TABLE reports ADD COLUMN review_note TEXT;
CREATE INDEX reports_unit_week ON reports(unit_code, week);
