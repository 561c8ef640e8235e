-- notify: transitions (issue 12). What each subscription knows of each job it follows: whether
-- it is failing, since when and how often, and when it last said so. Every time is the
-- event's own CloudEvents time, so replicas that see a job's events in different orders agree.
-- Written only by ingest, in the transaction that stores and routes the events, under a row
-- lock taken in (subscription_id, job_key) order. No foreign key, as in 0004; the trigger
-- below drops the rows of a deleted subscription.
CREATE TABLE job_states (
    subscription_id uuid        NOT NULL,
    job_key         text        NOT NULL,
    failing         boolean     NOT NULL DEFAULT false,
    failures        integer     NOT NULL DEFAULT 0,
    failing_since   timestamptz,
    last_failure_at timestamptz,
    last_success_at timestamptz,
    last_notice_at  timestamptz,
    PRIMARY KEY (subscription_id, job_key)
);

CREATE FUNCTION forget_job_states() RETURNS trigger AS $$
BEGIN
    DELETE FROM job_states WHERE subscription_id = OLD.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER subscription_deleted_job_states
    AFTER DELETE ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION forget_job_states();

-- What a transitions delivery says beyond its event: {"kind": "failing" | "still_failing" |
-- "recovered", "failures": N, "since": RFC 3339, "down_for_seconds": S}. NULL for every
-- other delivery, so the usual insert and the pending -> delivered update stay as they were.
ALTER TABLE deliveries ADD COLUMN notice jsonb;
