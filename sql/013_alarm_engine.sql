-- The alarm engine on several instances (issue 13). One instance at a time runs the rules, holding a
-- lease it renews every second; every instance reads back the alarms changed since its last look (by
-- updated_at) so that an acknowledgement made on one reaches the consoles of all within 2 s.
CREATE INDEX alarms_updated ON alarms (updated_at);

CREATE TABLE alarm_engine_lease (
  name text PRIMARY KEY,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);
