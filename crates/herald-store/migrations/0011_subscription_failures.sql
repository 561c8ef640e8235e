-- Subscriptions whose deliveries failed for good since their last delivered one: the next
-- delivery that goes through ends the row and publishes herald.subscription.recovered (once,
-- however many dispatcher replicas race: only one DELETE gets the row). Kept apart from
-- `subscriptions`, whose every change bumps subscriptions_version and so empties every
-- replica's routing cache. No foreign key, as in 0004; the trigger below clears the row of a
-- deleted subscription.
CREATE TABLE subscription_failures (
    subscription_id uuid        PRIMARY KEY,
    since           timestamptz NOT NULL DEFAULT now(),
    failed          integer     NOT NULL,
    last_error      text
);

-- A subscription enabled again through the API has had its recovery notice from the API;
-- the count starts afresh. A deleted one has nothing left to recover.
CREATE FUNCTION forget_subscription_failures() RETURNS trigger AS $$
BEGIN
    DELETE FROM subscription_failures WHERE subscription_id = OLD.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER subscription_enabled_again
    AFTER UPDATE OF enabled ON subscriptions
    FOR EACH ROW WHEN (NEW.enabled AND NOT OLD.enabled)
    EXECUTE FUNCTION forget_subscription_failures();

CREATE TRIGGER subscription_deleted
    AFTER DELETE ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION forget_subscription_failures();
