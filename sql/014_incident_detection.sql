-- A camera's detection that opened an incident, kept as data (contract v1.4): the console words it in
-- the reader's language ("Camera phát hiện: Ngập nước (94%)"), where the server used to store a
-- sentence in `description`. Rows stored before keep their description and these stay NULL.
ALTER TABLE incidents ADD COLUMN detection_kind text;
ALTER TABLE incidents ADD COLUMN detection_confidence double precision;
