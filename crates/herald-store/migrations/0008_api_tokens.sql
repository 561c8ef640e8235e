-- Tenant tokens of the API. Only a SHA-256 of each token is kept (tokens are 256 random bits,
-- so a fast hash is enough: nothing to guess); the token itself is shown once, at creation.
-- Every request looks its token up here, so a deleted token stops working at once on every
-- API replica.
CREATE TABLE api_tokens (
    id          uuid PRIMARY KEY,
    tenant      text        NOT NULL,
    name        text        NOT NULL,
    read_only   boolean     NOT NULL,
    token_hash  bytea       NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_tokens_tenant ON api_tokens (tenant, id);
