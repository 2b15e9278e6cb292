-- Product images (CatalogService SetProductImage / GetProductImage): one row per product
-- with the media type, size and digest, the bytes in chunks of at most 1 MiB so that no
-- statement binds or returns the whole image.
CREATE TABLE product_images (
    product_id   INTEGER PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    bytes        INTEGER NOT NULL CHECK (bytes >= 0),
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    updated_at   INTEGER NOT NULL
);
CREATE TABLE product_image_chunks (
    product_id INTEGER NOT NULL REFERENCES product_images(product_id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    data       BLOB NOT NULL,
    PRIMARY KEY (product_id, seq)
) WITHOUT ROWID;
