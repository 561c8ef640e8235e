-- Deliveries a subscription's noise controls keep back (issue 12): `held` while they wait for
-- their group's one message or for quiet hours to end, then `grouped` into that message's
-- delivery; `suppressed` when quiet hours drop them.
--
-- The old CHECK goes and a wider one comes NOT VALID: every existing row passed the old one,
-- so there is nothing to scan, and new rows are checked all the same.
ALTER TABLE deliveries DROP CONSTRAINT IF EXISTS deliveries_status_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check
    CHECK (status IN ('pending', 'retrying', 'delivered', 'failed', 'held', 'grouped',
                      'suppressed')) NOT VALID;

-- `hold_key` names what a held delivery waits for: its group (the JSON array of the group's
-- values) or `quiet`. It is set while the delivery is held and cleared when it is released,
-- so the index below holds only what waits now. The index is on hold_key, not on
-- status = 'held': a column in an index's predicate makes every update of it touch the index,
-- and the usual pending -> delivered update must stay heap-only (0003).
ALTER TABLE deliveries ADD COLUMN hold_key text;
-- The delivery of the grouped message that covered this one.
ALTER TABLE deliveries ADD COLUMN grouped_into uuid;
-- IF NOT EXISTS, as in 0007: an operator may build it beforehand, CONCURRENTLY.
CREATE INDEX IF NOT EXISTS deliveries_held ON deliveries (subscription_id, hold_key, created_at)
    WHERE hold_key IS NOT NULL;

-- When each group last had its message, so the next waits for the group's `interval`. Its row
-- is also what a releaser locks (FOR UPDATE SKIP LOCKED), so replicas never both send one
-- group. No foreign key, as in 0004: the releaser drops rows older than the longest interval.
CREATE TABLE group_sends (
    subscription_id uuid        NOT NULL,
    hold_key        text        NOT NULL,
    last_sent_at    timestamptz,
    PRIMARY KEY (subscription_id, hold_key)
);
