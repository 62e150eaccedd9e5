DROP TABLE audit_log;
DROP TABLE iv_assignments;
DROP TABLE role_grants;
DROP TABLE users;
DROP TABLE sites;
DROP TABLE organisations;
