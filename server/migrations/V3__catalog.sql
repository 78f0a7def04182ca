-- The vendor's catalog (catalog module): products, their tools, the tools' releases, the
-- releases' downloadable artifacts, and the products' documents and tutorials.
-- Ids are 32 lower-case hex characters made by the server (storage/ids.h); times are Unix
-- seconds (UTC); booleans are SMALLINT 0/1.
CREATE TABLE products (
    id VARCHAR(32) PRIMARY KEY,
    slug VARCHAR(64) NOT NULL UNIQUE,
    name VARCHAR(200) NOT NULL,
    summary VARCHAR(1000) NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

-- Tool slugs are unique within their product; tools_slug_idx serves routes that name a tool
-- without its product.
CREATE TABLE tools (
    id VARCHAR(32) PRIMARY KEY,
    product_id VARCHAR(32) NOT NULL REFERENCES products (id),
    slug VARCHAR(64) NOT NULL,
    name VARCHAR(200) NOT NULL,
    summary VARCHAR(1000) NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (product_id, slug)
);

CREATE INDEX tools_slug_idx ON tools (slug);

-- `version` is the SemVer text as given (build metadata kept); `version_key` is the same
-- without build metadata, so a tool has one release per precedence and a version looks up
-- unambiguously. The numeric columns let SQL order by MAJOR.MINOR.PATCH (final releases above
-- their prereleases); the exact SemVer precedence of prerelease identifiers is settled in C++.
-- A release is offered only when published, and only to licenses whose maintenance end is after
-- published_at.
CREATE TABLE releases (
    id VARCHAR(32) PRIMARY KEY,
    tool_id VARCHAR(32) NOT NULL REFERENCES tools (id),
    version VARCHAR(256) NOT NULL,
    version_key VARCHAR(256) NOT NULL,
    version_major BIGINT NOT NULL,
    version_minor BIGINT NOT NULL,
    version_patch BIGINT NOT NULL,
    version_final SMALLINT NOT NULL CHECK (version_final IN (0, 1)),
    channel VARCHAR(16) NOT NULL CHECK (channel IN ('stable', 'beta')),
    status VARCHAR(16) NOT NULL CHECK (status IN ('draft', 'published', 'yanked')),
    published_at BIGINT,
    notes TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (tool_id, version_key)
);

CREATE INDEX releases_order_idx
    ON releases (tool_id, version_major, version_minor, version_patch, version_final);

-- storage_key: the file's path relative to the artifact store (never absolute, no "..").
CREATE TABLE artifacts (
    id VARCHAR(32) PRIMARY KEY,
    release_id VARCHAR(32) NOT NULL REFERENCES releases (id),
    platform VARCHAR(16) NOT NULL CHECK (platform IN ('linux', 'windows', 'macos')),
    arch VARCHAR(16) NOT NULL CHECK (arch IN ('x86_64', 'arm64')),
    size BIGINT NOT NULL CHECK (size >= 0),
    sha256 CHAR(64) NOT NULL,
    file_name VARCHAR(255) NOT NULL,
    storage_key VARCHAR(1024) NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (release_id, platform, arch)
);

-- A document or tutorial of a product, optionally of one of its releases (then visible only
-- with that release). Its content is an external url or a stored file, never both.
CREATE TABLE resources (
    id VARCHAR(32) PRIMARY KEY,
    product_id VARCHAR(32) NOT NULL REFERENCES products (id),
    release_id VARCHAR(32) REFERENCES releases (id),
    kind VARCHAR(16) NOT NULL CHECK (kind IN ('document', 'tutorial')),
    title VARCHAR(200) NOT NULL,
    locale VARCHAR(35) NOT NULL,
    url VARCHAR(2048),
    file_name VARCHAR(255),
    size BIGINT,
    storage_key VARCHAR(1024),
    created_at BIGINT NOT NULL,
    CHECK ((url IS NOT NULL AND file_name IS NULL AND size IS NULL AND storage_key IS NULL)
        OR (url IS NULL AND file_name IS NOT NULL AND size IS NOT NULL
            AND storage_key IS NOT NULL))
);

CREATE INDEX resources_product_idx ON resources (product_id, kind);
CREATE INDEX resources_release_idx ON resources (release_id);
