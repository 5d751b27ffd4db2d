DROP TABLE actor_keys;
DROP TABLE counties;
DROP TABLE checkpoints;
DROP TABLE tree_tiles;
DROP TABLE log_entries;
