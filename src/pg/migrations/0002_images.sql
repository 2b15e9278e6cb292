-- Product images (CatalogService SetProductImage / GetProductImage): one row per product
-- with the media type, size and digest, the bytes in chunks of at most 1 MiB so that no
-- statement binds or returns the whole image.
CREATE TABLE product_images (
    product_id   bigint PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
    content_type text NOT NULL,
    bytes        bigint NOT NULL CHECK (bytes >= 0),
    sha256       text NOT NULL CHECK (length(sha256) = 64),
    updated_at   timestamptz NOT NULL
);
CREATE TABLE product_image_chunks (
    product_id bigint NOT NULL REFERENCES product_images(product_id) ON DELETE CASCADE,
    seq        integer NOT NULL,
    data       bytea NOT NULL,
    PRIMARY KEY (product_id, seq)
);
