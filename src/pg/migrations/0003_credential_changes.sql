-- The credential generation, as in the SQLite migration 0006: one counter that the database
-- raises, in the same transaction, on every change that can make a copy of a user's
-- credentials or of a session stale (status, username, password hash or digest secret, a role,
-- a deleted user, an ended session), whoever makes it. Nodes keep what they read with the
-- generation it was read under and serve a copy only while the generation published in Redis
-- is that one (src/security/credential_cache.rs).
CREATE TABLE credential_changes (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    generation bigint NOT NULL
);
INSERT INTO credential_changes (id, generation) VALUES (true, 0);

CREATE FUNCTION credential_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE credential_changes SET generation = generation + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER credentials_updated AFTER UPDATE ON users FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.username IS DISTINCT FROM NEW.username
          OR OLD.password_hash IS DISTINCT FROM NEW.password_hash
          OR OLD.digest_secret IS DISTINCT FROM NEW.digest_secret)
    EXECUTE FUNCTION credential_changed();
CREATE TRIGGER credentials_deleted AFTER DELETE ON users FOR EACH ROW
    EXECUTE FUNCTION credential_changed();
CREATE TRIGGER roles_changed AFTER INSERT OR UPDATE OR DELETE ON user_roles FOR EACH ROW
    EXECUTE FUNCTION credential_changed();
CREATE TRIGGER sessions_ended AFTER UPDATE OR DELETE ON sessions FOR EACH ROW
    EXECUTE FUNCTION credential_changed();
