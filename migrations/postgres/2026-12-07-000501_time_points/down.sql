DROP TABLE evidence_time_points;
