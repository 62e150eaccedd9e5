DROP TABLE plan_draws;
