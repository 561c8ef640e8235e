-- The common life of a delivery is one UPDATE, pending -> delivered. Keeping that UPDATE
-- "heap-only" (HOT: no index touched) took a quarter of Postgres's CPU off bench B. It stays
-- HOT when no indexed column changes and the page has room, so:
-- * no index on status: deliveries that ever had trouble (an attempt that was not delivered,
--   or failed without one) are marked once, never unmarked, and only they are indexed for the
--   API's status=retrying|failed lists; pending and delivered ones are the newest or the
--   most, and a newest-first walk of the primary key finds them;
-- * no index on created_at: ids are UUIDv7, so "since" is a range of the primary key;
-- * pages keep 30 % free for the new row versions.
DROP INDEX deliveries_status;
DROP INDEX deliveries_created;
ALTER TABLE deliveries ADD COLUMN troubled boolean NOT NULL DEFAULT false;
UPDATE deliveries SET troubled = true WHERE status IN ('retrying', 'failed') OR attempt_count > 1;
CREATE INDEX deliveries_troubled ON deliveries (id) WHERE troubled;
ALTER TABLE deliveries SET (fillfactor = 70);
