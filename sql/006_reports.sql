-- Field reports: photos, merging of duplicate incidents, Open311 addresses.

-- Set when an operator merges this incident into another (it is then closed with action 'merged');
-- its reports and photos are shown under the target.
ALTER TABLE incidents ADD COLUMN merged_into bigint REFERENCES incidents (id);
-- Open311 `address_string`, as the reporter wrote it.
ALTER TABLE incidents ADD COLUMN address text;
CREATE INDEX incidents_merged_into ON incidents (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX incidents_open_rank ON incidents (severity DESC, created_at) WHERE status <> 'closed';

-- The incident an audit event refers to besides its own (merge: the target, or the merged one).
ALTER TABLE incident_events ADD COLUMN ref_incident_id bigint REFERENCES incidents (id);

-- Photo files live under DATA_DIR/photos/<id>.jpg (and <id>.thumb.jpg), outside the web root;
-- this is their metadata. Files are re-encoded on upload, so content_type is what is served.
CREATE TABLE photos (
  id uuid PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id),
  content_type text NOT NULL,
  bytes integer NOT NULL,
  width integer NOT NULL,
  height integer NOT NULL,
  thumb_bytes integer NOT NULL,
  -- the type the upload's bytes were (image/jpeg, image/png, image/webp) and its size
  original_type text NOT NULL,
  original_bytes integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX photos_incident ON photos (incident_id, created_at);
