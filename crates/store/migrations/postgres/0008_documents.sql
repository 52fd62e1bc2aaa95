-- Official documents (issue 7): what the secretariat edits without a rebuild.

-- Who issues a unit's documents and who signs them: JSON of hocvuso_core::official::Letterhead.
CREATE TABLE document_letterheads (
    plan_code   TEXT NOT NULL,
    unit_code   TEXT NOT NULL,
    letterhead  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (plan_code, unit_code)
);

-- The officer's "next week's tasks" of a unit's weekly report, one task per line.
CREATE TABLE document_notes (
    plan_code   TEXT NOT NULL,
    unit_code   TEXT NOT NULL,
    week        TEXT NOT NULL,
    next_tasks  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (plan_code, unit_code, week)
);
