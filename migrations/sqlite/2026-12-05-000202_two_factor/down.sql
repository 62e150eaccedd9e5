DROP TABLE org_security;
DROP TABLE recovery_codes;
DROP TABLE two_factor;
