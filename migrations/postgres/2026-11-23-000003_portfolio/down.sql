DROP TABLE approved_witnesses;
DROP TABLE evidence;
DROP TABLE files;
DROP TABLE enrolments;
