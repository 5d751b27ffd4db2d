DROP TABLE surrenders;
DROP TABLE transferee_reviews;
