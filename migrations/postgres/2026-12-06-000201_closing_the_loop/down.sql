DROP TABLE acknowledgements;
DROP TABLE unit_feedback;
DROP TABLE iv_responses;
