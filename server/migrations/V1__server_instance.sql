-- One row identifying this Toolhub installation (shared by all replicas of one database).
CREATE TABLE server_instance (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    instance_id VARCHAR(64) NOT NULL,
    created_at VARCHAR(40) NOT NULL
);
