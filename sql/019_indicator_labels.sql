-- Names of breakdown codes (issue 14): media monitoring tags a mention with a topic and a source as codes
-- ("giao-thong", "facebook"); the dashboard, the console's panel and the alarm titles show these names in
-- the reader's language instead. Admins add and rename them on /admin (PUT /api/admin/indicator-labels/
-- {dimension}/{code}); a code without a name still shows as sent. Seeded with the codes the simulated
-- media monitor sends (simulators/servicesModel.ts MENTION_TOPICS, MENTION_SOURCES).
CREATE TABLE indicator_labels (
  dimension text NOT NULL CHECK (dimension IN ('topic', 'source')),
  code text NOT NULL CHECK (char_length(code) BETWEEN 1 AND 64),
  name_vi text NOT NULL,
  name_en text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dimension, code)
);

INSERT INTO indicator_labels (dimension, code, name_vi, name_en) VALUES
  ('topic', 'giao-thong', 'Giao thông', 'Traffic'),
  ('topic', 'moi-truong', 'Môi trường', 'Environment'),
  ('topic', 'y-te', 'Y tế', 'Health'),
  ('topic', 'giao-duc', 'Giáo dục', 'Education'),
  ('topic', 'an-ninh', 'An ninh, trật tự', 'Security and public order'),
  ('topic', 'dich-vu-cong', 'Dịch vụ công', 'Public services'),
  ('topic', 'du-lich', 'Du lịch', 'Tourism'),
  ('topic', 'dat-dai', 'Đất đai', 'Land'),
  ('source', 'facebook', 'Facebook', 'Facebook'),
  ('source', 'news', 'Báo điện tử', 'Online news'),
  ('source', 'youtube', 'YouTube', 'YouTube'),
  ('source', 'tiktok', 'TikTok', 'TikTok'),
  ('source', 'forum', 'Diễn đàn', 'Forums')
ON CONFLICT DO NOTHING;
