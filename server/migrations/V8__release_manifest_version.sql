-- The content revision of a release's signed manifest (shared/manifest.h): Unix milliseconds,
-- stored when what the manifest says changes (published, yanked, an artifact added) as
-- nextManifestVersion(stored, now), so every replica signs the same version for the same
-- content. Releases published before this column existed start at their publication time.
ALTER TABLE releases ADD COLUMN manifest_version BIGINT NOT NULL DEFAULT 0;

UPDATE releases SET manifest_version = published_at * 1000 WHERE published_at IS NOT NULL;
