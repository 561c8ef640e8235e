-- What the console shows beside each subscription and delivery (issue: web console).
--
-- Why a subscription is off, in words for people: "disabled through the API", or what the
-- receiver said when the dispatcher switched it off ("Slack answered 404 no_service"). Set by
-- the update that turns `enabled` off, kept while it stays off, cleared by the one that turns
-- it on again. NULL for every enabled subscription, and for one disabled before this column.
ALTER TABLE subscriptions ADD COLUMN disabled_reason text;

-- When the dispatcher tries a retrying delivery next: the NAK delay of its last attempt
-- counted from when that attempt was recorded (docs/adr/0004). NULL once it is delivered or
-- failed, and for every delivery that never retried. Not indexed: the update that records an
-- attempt must stay HOT (0003), and nothing looks deliveries up by it.
ALTER TABLE deliveries ADD COLUMN next_attempt_at timestamptz;
