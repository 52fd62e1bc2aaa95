-- Units within an area are found by their path's range (`units::subtree_range`); with this index a
-- province's units are read without scanning the country's.
CREATE INDEX units_path ON units(path);
