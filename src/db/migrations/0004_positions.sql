-- Repeated values keep the order the client sent them in: each role of a user and each tag of
-- a product gets its position in the request. Existing rows get the order they were returned
-- in until now (roles in schema order, tags by name).
ALTER TABLE user_roles ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE user_roles SET position = CASE role
    WHEN 'admin' THEN 0 WHEN 'clerk' THEN 1 WHEN 'customer' THEN 2 ELSE 3 END;

ALTER TABLE product_tags ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE product_tags SET position = (
    SELECT count(*) FROM product_tags other JOIN tags t ON t.id = other.tag_id
    WHERE other.product_id = product_tags.product_id
      AND t.name < (SELECT name FROM tags WHERE id = product_tags.tag_id)
);
