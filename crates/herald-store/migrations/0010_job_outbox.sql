-- Jobs of deliveries written outside ingest (a replay, a retry, a digest) until JetStream has
-- acknowledged them. Ingest needs no such row: its NATS message is redelivered until its jobs
-- are published. A row goes when its publish is acknowledged; the dispatcher publishes again
-- the rows of pending deliveries left longer than a minute (a crash or a NATS outage between
-- the write and the publish), so no delivery waits for a job that never comes. No foreign key,
-- as in 0004: the sweep drops rows whose delivery is gone.
CREATE TABLE job_outbox (
    delivery_id uuid        PRIMARY KEY,
    msg_id      text        NOT NULL,
    queued_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_outbox_queued ON job_outbox (queued_at);
