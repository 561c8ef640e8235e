-- A manual retry (POST /v1/deliveries/{id}/retry) grants a fresh set of attempts: the policy's
-- max_attempts counts from here.
ALTER TABLE deliveries ADD COLUMN attempts_base integer NOT NULL DEFAULT 0;

CREATE INDEX deliveries_created ON deliveries (created_at);
