DROP TABLE state_log;
