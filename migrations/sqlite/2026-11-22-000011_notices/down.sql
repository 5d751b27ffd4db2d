DROP TABLE certificates;
DROP TABLE notices;
