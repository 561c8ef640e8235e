-- A replay (POST /v1/events/{id}/replay) stores a copy of the event under a new id and the
-- publisher id `{original}:replay:{n}`: deliveries stay unique per (event, subscription), the
-- key ingest's fan-out relies on, so a second delivery to the same subscription needs another
-- event row. `replay_of` links the copy to the event it repeats; NULL for every real event.
ALTER TABLE events ADD COLUMN replay_of uuid;
CREATE INDEX IF NOT EXISTS events_replays ON events (replay_of) WHERE replay_of IS NOT NULL;
-- GET /v1/events pages one tenant's events newest first by id (UUIDv7, so received order).
CREATE INDEX IF NOT EXISTS events_tenant_id ON events (tenant, id);
