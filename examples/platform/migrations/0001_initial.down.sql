DROP TABLE platform_settings;
DROP TABLE jobs;
DROP TABLE items;
