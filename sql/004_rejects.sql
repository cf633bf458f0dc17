-- The reject log operators read. A plain table everywhere: the app prunes it (age and row cap,
-- rejectsRepo.pruneRejects), so a flood of bad messages cannot fill the disk.
CREATE TABLE ingest_rejects (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  time timestamptz NOT NULL,
  topic text NOT NULL,
  reason text NOT NULL,
  detail text NOT NULL DEFAULT '',
  payload text NOT NULL DEFAULT ''
);
CREATE INDEX ingest_rejects_time ON ingest_rejects (time DESC, id DESC);
CREATE INDEX ingest_rejects_reason_time ON ingest_rejects (reason, time DESC, id DESC);
