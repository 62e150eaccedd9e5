DROP TABLE question_answers;
DROP TABLE question_requests;
DROP TABLE question_set_items;
DROP TABLE question_sets;
