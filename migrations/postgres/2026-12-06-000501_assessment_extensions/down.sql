DROP TABLE assessment_extensions;
