-- Slot search keeps the doctors, weekly rosters, overrides and leave in memory on each worker and reloads them
-- only when this counter has moved: every statement that changes one of those tables moves it, in the same
-- transaction, so a worker that reads the counter before reloading can never keep a stale copy.
CREATE TABLE roster_generation (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    value    bigint NOT NULL
);
INSERT INTO roster_generation (only_row, value) VALUES (true, 1);

CREATE FUNCTION bump_roster_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE roster_generation SET value = value + 1;
    RETURN NULL;
END
$$;
-- Resolve the counter in this schema whatever the search_path of the session that changes a roster.
ALTER FUNCTION bump_roster_generation() SET search_path FROM CURRENT;

CREATE TRIGGER doctors_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON doctors
    FOR EACH STATEMENT EXECUTE FUNCTION bump_roster_generation();
CREATE TRIGGER roster_days_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON roster_days
    FOR EACH STATEMENT EXECUTE FUNCTION bump_roster_generation();
CREATE TRIGGER roster_overrides_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON roster_overrides
    FOR EACH STATEMENT EXECUTE FUNCTION bump_roster_generation();
CREATE TRIGGER leave_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON leave
    FOR EACH STATEMENT EXECUTE FUNCTION bump_roster_generation();
