-- Licenses (licensing module): a serial number for a product held by an organization.
-- Times are Unix seconds (UTC). A license is in force while expires_at is NULL (perpetual) or
-- later than now. maintenance_end is an exclusive bound: the license covers the releases
-- published before it (NULL: all releases). product_id and organization_id reference only the
-- owners' primary keys, so a license can never name a product or organization that does not
-- exist, and neither can be deleted while licensed.
CREATE TABLE licenses (
    id VARCHAR(32) PRIMARY KEY,
    serial VARCHAR(128) NOT NULL UNIQUE,
    product_id VARCHAR(32) NOT NULL REFERENCES products (id),
    organization_id VARCHAR(32) NOT NULL REFERENCES organizations (id),
    seats BIGINT NOT NULL CHECK (seats >= 1),
    expires_at BIGINT,
    maintenance_end BIGINT,
    order_ref VARCHAR(128) NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

CREATE INDEX licenses_organization_idx ON licenses (organization_id, product_id);
CREATE INDEX licenses_product_idx ON licenses (product_id);
