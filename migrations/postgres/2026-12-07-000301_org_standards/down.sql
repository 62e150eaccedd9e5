DROP TABLE org_standards;
