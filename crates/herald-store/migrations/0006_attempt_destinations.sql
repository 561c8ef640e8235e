-- An attempt names where it went (masked: no token of a chat webhook URL) and, for channels
-- that speak HTTP, its method; an email's attempt has none. Rows from before keep NULL.
ALTER TABLE delivery_attempts ADD COLUMN destination text;
ALTER TABLE delivery_attempts ADD COLUMN method text;
