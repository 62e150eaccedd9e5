DROP TABLE standard_versions;
