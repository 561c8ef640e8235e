-- Herald's schema. Ids are uuid v7 (time-ordered); the API shows them prefixed (evt_, sub_, dlv_, rej_).

CREATE TABLE subscriptions (
    id            uuid PRIMARY KEY,
    tenant        text        NOT NULL,
    name          text        NOT NULL,
    channel       text        NOT NULL,
    enabled       boolean     NOT NULL,
    -- The whole subscription spec with every secret masked, for listing and display.
    spec_masked   jsonb       NOT NULL,
    -- The whole spec, secrets included, sealed with XChaCha20-Poly1305 under HERALD_ENCRYPTION_KEY.
    spec_sealed   bytea       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_tenant ON subscriptions (tenant, id);

-- Bumped by a trigger on every subscription change, so every ingest replica can tell with one
-- cheap read per batch whether its cached subscriptions are stale.
CREATE TABLE subscriptions_version (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version   bigint  NOT NULL
);
INSERT INTO subscriptions_version (version) VALUES (0);

CREATE FUNCTION bump_subscriptions_version() RETURNS trigger AS $$
BEGIN
    UPDATE subscriptions_version SET version = version + 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER subscriptions_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON subscriptions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_subscriptions_version();

CREATE TABLE events (
    id           uuid PRIMARY KEY,
    tenant       text        NOT NULL,
    -- The publisher's CloudEvents id: an event is stored once per tenant and id.
    ce_id        text        NOT NULL,
    type         text        NOT NULL,
    source       text        NOT NULL,
    subject      text,
    outcome      text        NOT NULL,
    time         timestamptz NOT NULL,
    received_at  timestamptz NOT NULL,
    trace_id     text,
    -- The canonical CloudEvents JSON, data as received.
    cloudevent   jsonb       NOT NULL,
    UNIQUE (tenant, ce_id)
);
CREATE INDEX events_tenant_time ON events (tenant, received_at DESC);

CREATE TABLE deliveries (
    id               uuid PRIMARY KEY,
    event_id         uuid        NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    -- No foreign key: a delivery's history outlives the subscription it was made for.
    subscription_id  uuid        NOT NULL,
    tenant           text        NOT NULL,
    channel          text        NOT NULL,
    event_type       text        NOT NULL,
    status           text        NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'retrying', 'delivered', 'failed')),
    attempt_count    integer     NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_id, subscription_id)
);
CREATE INDEX deliveries_subscription ON deliveries (subscription_id, id);
CREATE INDEX deliveries_status ON deliveries (status, id);

CREATE TABLE delivery_attempts (
    delivery_id      uuid        NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    number           integer     NOT NULL,
    started_at       timestamptz NOT NULL,
    duration_ms      integer     NOT NULL,
    status_code      integer,
    response_headers jsonb,
    response_body    text,
    error_class      text,
    error            text,
    trace_id         text,
    span_id          text,
    PRIMARY KEY (delivery_id, number)
);

CREATE TABLE rejections (
    id           uuid PRIMARY KEY,
    tenant       text        NOT NULL,
    subject      text        NOT NULL,
    reason_code  text        NOT NULL,
    reason       text        NOT NULL,
    event_id     text,
    size_bytes   integer     NOT NULL,
    received_at  timestamptz NOT NULL,
    -- Where the original message sat, so a redelivered rejection is recorded once.
    stream       text        NOT NULL,
    stream_seq   bigint      NOT NULL,
    body         bytea       NOT NULL,
    UNIQUE (stream, stream_seq)
);
CREATE INDEX rejections_tenant ON rejections (tenant, id DESC);
