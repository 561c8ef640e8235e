-- A delivery made because another failed for good (issue 12, `fallback_subscription_id`): the
-- delivery it stands in for, and why, in the words the fallback's message shows ("Slack 'ops'
-- failed: HTTP 500 after 5 attempts"). NULL for every other delivery, so the usual insert and
-- the pending -> delivered update stay as they were. A fallback delivery gets no fallback of
-- its own: the chain stops after one step.
ALTER TABLE deliveries ADD COLUMN fallback_of uuid;
ALTER TABLE deliveries ADD COLUMN fallback_reason text;
