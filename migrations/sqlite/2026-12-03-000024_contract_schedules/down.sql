DROP TABLE contract_schedules;
