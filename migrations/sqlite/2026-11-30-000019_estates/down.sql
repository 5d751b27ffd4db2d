DROP TABLE estates;
