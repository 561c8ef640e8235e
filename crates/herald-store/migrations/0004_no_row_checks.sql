-- Foreign keys are checked row by row, and each check also locks the parent row (a WAL record
-- per attempt): bench B ran ~8 % faster without them. Herald writes children only for
-- parents it has just written or read in the same pipeline (deliveries in the very statement
-- that inserts their events; attempts for deliveries loaded for the attempt), so the keys
-- guarded nothing the code does not already guarantee. What deletes events later (retention)
-- deletes their deliveries and attempts itself.
ALTER TABLE delivery_attempts DROP CONSTRAINT delivery_attempts_delivery_id_fkey;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_event_id_fkey;
