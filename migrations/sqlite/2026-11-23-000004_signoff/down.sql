DROP TABLE statements;
DROP TABLE samples;
DROP TABLE sampling_plans;
DROP TABLE org_settings;
DROP TABLE assessor_risk;
DROP TABLE sign_offs;
