-- The credential generation: one counter that the database itself raises, in the same
-- transaction, on every change that can make a copy of a user's credentials or of a session
-- stale (status, username, password hash or digest secret, a role, a deleted user, an ended
-- session), whichever connection or process makes it. Authentication keeps what it read
-- with the generation it read it under, and serves a copy only while the counter still has
-- that value (src/security/credential_cache.rs).
CREATE TABLE credential_changes (
    id         INTEGER PRIMARY KEY CHECK (id = 0),
    generation INTEGER NOT NULL
) STRICT;
INSERT INTO credential_changes (id, generation) VALUES (0, 0);

CREATE TRIGGER credentials_updated AFTER UPDATE ON users
WHEN old.status IS NOT new.status OR old.username IS NOT new.username
  OR old.password_hash IS NOT new.password_hash OR old.digest_secret IS NOT new.digest_secret
BEGIN
    UPDATE credential_changes SET generation = generation + 1;
END;
CREATE TRIGGER credentials_deleted AFTER DELETE ON users
BEGIN
    UPDATE credential_changes SET generation = generation + 1;
END;
CREATE TRIGGER roles_added AFTER INSERT ON user_roles
BEGIN
    UPDATE credential_changes SET generation = generation + 1;
END;
CREATE TRIGGER roles_updated AFTER UPDATE ON user_roles
BEGIN
    UPDATE credential_changes SET generation = generation + 1;
END;
CREATE TRIGGER roles_removed AFTER DELETE ON user_roles
BEGIN
    UPDATE credential_changes SET generation = generation + 1;
END;
CREATE TRIGGER sessions_updated AFTER UPDATE ON sessions
BEGIN
    UPDATE credential_changes SET generation = generation + 1;
END;
CREATE TRIGGER sessions_ended AFTER DELETE ON sessions
BEGIN
    UPDATE credential_changes SET generation = generation + 1;
END;
