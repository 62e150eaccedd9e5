DROP TABLE audit_checkpoints;
DROP TABLE status_lists;
DROP TABLE credentials;
DROP TABLE signing_keys;
