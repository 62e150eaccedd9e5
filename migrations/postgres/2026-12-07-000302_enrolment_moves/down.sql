DROP TABLE enrolment_moves;
DROP TABLE standard_mappings;
