-- Postgres's jsonb (and text) cannot hold U+0000, which JSON can ("\u0000"). An event whose
-- data or extensions carry it keeps a jsonb copy with U+FFFD in its place, for queries, and
-- its exact JSON text here, for deliveries and the API. NULL for every other event, so the
-- common insert writes nothing more.
ALTER TABLE events ADD COLUMN cloudevent_exact json;

-- Why a delivery failed when no attempt says it: its subscription was deleted or disabled,
-- or the dispatcher could not load it. Written only on those paths (no index: the usual
-- pending -> delivered update stays HOT).
ALTER TABLE deliveries ADD COLUMN failure_reason text;
