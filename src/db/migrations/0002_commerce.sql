-- Catalog and orders. Money is INTEGER hundredths of the currency unit (exact);
-- times are milliseconds since the Unix epoch, UTC.

CREATE TABLE products (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    sku         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT,
    unit_price  INTEGER NOT NULL CHECK (unit_price >= 0),
    currency    TEXT NOT NULL CHECK (length(currency) = 3),
    stock       INTEGER NOT NULL CHECK (stock >= 0),
    status      TEXT NOT NULL CHECK (status IN ('active', 'discontinued')),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

-- One index per SearchProducts sort (and the price range filter).
CREATE INDEX products_by_name ON products (name, id);
CREATE INDEX products_by_price ON products (unit_price, id);
CREATE INDEX products_by_created ON products (created_at, id);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE product_tags (
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags (id),
    PRIMARY KEY (product_id, tag_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX product_tags_by_tag ON product_tags (tag_id, product_id);

-- Every AdjustStock, with its reason.
CREATE TABLE stock_adjustments (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    delta       INTEGER NOT NULL,
    stock_after INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX stock_adjustments_by_product ON stock_adjustments (product_id, id);

-- Full-text search over name and description.
CREATE VIRTUAL TABLE products_fts USING fts5 (
    name, description, content = 'products', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER products_fts_ai AFTER INSERT ON products BEGIN
    INSERT INTO products_fts (rowid, name, description)
    VALUES (new.id, new.name, coalesce(new.description, ''));
END;
CREATE TRIGGER products_fts_ad AFTER DELETE ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, name, description)
    VALUES ('delete', old.id, old.name, coalesce(old.description, ''));
END;
CREATE TRIGGER products_fts_au AFTER UPDATE OF name, description ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, name, description)
    VALUES ('delete', old.id, old.name, coalesce(old.description, ''));
    INSERT INTO products_fts (rowid, name, description)
    VALUES (new.id, new.name, coalesce(new.description, ''));
END;

CREATE TABLE orders (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id      INTEGER NOT NULL REFERENCES users (id),
    status           TEXT NOT NULL CHECK (status IN ('placed', 'shipped', 'cancelled')),
    client_reference TEXT,
    currency         TEXT NOT NULL CHECK (length(currency) = 3),
    total            INTEGER NOT NULL CHECK (total >= 0),
    ship_name        TEXT NOT NULL,
    ship_street      TEXT NOT NULL,
    ship_city        TEXT NOT NULL,
    ship_postal_code TEXT NOT NULL,
    ship_country     TEXT NOT NULL,
    cancel_reason    TEXT,
    placed_at        INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (customer_id, client_reference)
) STRICT;

-- ListOrders filters (newest first); SalesReport reads ranges from a covering index.
CREATE INDEX orders_by_placed ON orders (placed_at, id);
CREATE INDEX orders_for_report ON orders (placed_at, status, currency, customer_id);
CREATE INDEX orders_by_customer ON orders (customer_id, placed_at, id);
CREATE INDEX orders_by_status ON orders (status, placed_at, id);

CREATE TABLE order_lines (
    order_id   INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no    INTEGER NOT NULL,
    product_id INTEGER NOT NULL REFERENCES products (id),
    quantity   INTEGER NOT NULL CHECK (quantity >= 1),
    unit_price INTEGER NOT NULL CHECK (unit_price >= 0),
    PRIMARY KEY (order_id, line_no)
) STRICT, WITHOUT ROWID;
CREATE INDEX order_lines_by_product ON order_lines (product_id, order_id);
