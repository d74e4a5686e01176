-- PostgreSQL partitions the history by month in this version; SQLite
-- keeps one table. The file keeps the version numbers of both in step.
SELECT 1;
