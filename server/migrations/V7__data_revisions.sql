-- Change counters for cached reads (storage module). A module whose data others cache bumps
-- its counter in the same transaction as every write (bumpRevision); readers compare the sum
-- of all counters (Database::dataRevision) with the one they cached under. The sum only grows,
-- so an unchanged sum means unchanged data, across threads, processes and replicas.
CREATE TABLE data_revisions (
    name VARCHAR(64) PRIMARY KEY,
    revision BIGINT NOT NULL
);

INSERT INTO data_revisions (name, revision) VALUES ('catalog', 0);
INSERT INTO data_revisions (name, revision) VALUES ('licensing', 0);
