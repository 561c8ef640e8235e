-- The daily digest reads one tenant's events by their own time (a local day), and
-- events_tenant_time (0001) is on received_at: a late or replayed event belongs to the day it
-- happened, not the day it arrived.
CREATE INDEX IF NOT EXISTS events_tenant_event_time ON events (tenant, time);

-- The digest lists a day's first failures and warnings. Read off the index above, finding
-- them means visiting the day's rows until enough turn up (all of them on a quiet day); here
-- they come in order, a few rows each. Only failures and warnings are indexed, so the usual
-- insert (a success, a start) does not touch it.
CREATE INDEX IF NOT EXISTS events_tenant_trouble ON events (tenant, outcome, time, id)
    WHERE outcome IN ('failure', 'warning');
-- IF NOT EXISTS on both: on a large events table an operator can build them beforehand with
-- CREATE INDEX CONCURRENTLY under these names, since here, inside the migration's
-- transaction, each build holds off ingest's inserts until it is done.

-- One digest per subscription and local day, however many replicas run the scheduler: the
-- replica whose INSERT ... ON CONFLICT DO NOTHING creates the row sends it. The delivery and
-- event ids are fixed with the claim, so whoever finishes a claimed digest after a crash
-- publishes under the same ids and JetStream drops a duplicate; published records that the
-- delivery job was handed over.
CREATE TABLE digest_claims (
    subscription_id uuid        NOT NULL,
    day             date        NOT NULL,
    claimed_at      timestamptz NOT NULL DEFAULT now(),
    delivery_id     uuid        NOT NULL,
    event_id        uuid        NOT NULL,
    published       boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (subscription_id, day)
);
