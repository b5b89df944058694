-- Tells every instance that a platform moved to a new version, at commit (never for a rolled-back
-- transaction), so that each drops older copies from its read cache. The payload is
-- "<schema> <platform id> <version>": instances of other schemas in the same database ignore it.
-- Only version changes notify: key rotation rewrites ciphertexts without changing what a read
-- shows. A change made by hand in SQL must bump "version" (and set "updated_at" = now(), which
-- instances read at start-up to catch up), or caches keep the old view until their entries expire.
CREATE FUNCTION "service_platform_changed_notify"() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify(
        'service_platform_changed',
        TG_TABLE_SCHEMA || ' ' || NEW.id::text || ' ' || NEW.version::text
    );
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "service_platforms_changed_notify"
    AFTER UPDATE ON "service_platforms"
    FOR EACH ROW
    WHEN (OLD.version IS DISTINCT FROM NEW.version)
    EXECUTE FUNCTION "service_platform_changed_notify"();
