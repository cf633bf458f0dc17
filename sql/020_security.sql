-- Information-security monitoring (issue 15): the province's SOC on the indicator feed.
--
-- security_events   SIEM events (Wazuh's alert JSON, MQTT ioc/security/event or POST /api/ingest/{source}):
--                   rule level and band, description, groups, the system (agent) and the attacker's address.
--                   A plain table on both databases (a SIEM forwards hundreds a day, not thousands a second);
--                   msg_id (Wazuh's alert id) makes a re-sent alert a no-op. Each event also counts into the
--                   indicators soc_attacks_detected / soc_attacks_blocked (topic = severity-{band}, source = agent).
-- security_systems  the inventory of public systems the IOC probes itself (portals, the public-service
--                   portal, email); admins keep it on /admin. `simulated`: given by the running simulation.
-- security_probes   every availability check: up, HTTP status, response time, certificate expiry.
CREATE TABLE security_events (
  id bigserial PRIMARY KEY,
  time timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  level smallint NOT NULL CHECK (level BETWEEN 0 AND 16),
  band text NOT NULL CHECK (band IN ('low', 'medium', 'high', 'critical')),
  rule_id text,
  description text NOT NULL,
  groups text[] NOT NULL DEFAULT '{}',
  agent text NOT NULL,
  agent_ip text,
  src_ip text,
  blocked boolean NOT NULL DEFAULT false,
  msg_id text,
  via text NOT NULL,
  sender text
);
CREATE UNIQUE INDEX security_events_msg ON security_events (msg_id) WHERE msg_id IS NOT NULL;
CREATE INDEX security_events_time ON security_events (time DESC);
CREATE INDEX security_events_agent ON security_events (agent, time DESC);

CREATE TABLE security_systems (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  name_vi text NOT NULL,
  name_en text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('portal', 'public_service', 'email', 'other')),
  url text NOT NULL,
  agent text,
  simulated boolean NOT NULL DEFAULT false,
  disabled boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text
);

CREATE TABLE security_probes (
  time timestamptz NOT NULL,
  system_id text NOT NULL,
  up boolean NOT NULL,
  status integer,
  response_ms integer,
  cert_expires_at timestamptz,
  error text
);
CREATE INDEX security_probes_system ON security_probes (system_id, time DESC);
CREATE INDEX security_probes_time ON security_probes (time);

-- the indicators SIEM events count into (contract/securityVocab.ts), in a domain of their own
ALTER TABLE indicators DROP CONSTRAINT indicators_domain_check;
ALTER TABLE indicators ADD CONSTRAINT indicators_domain_check
  CHECK (domain IN ('public_services', 'online_information', 'socio_economic', 'information_security'));
INSERT INTO indicators (id, domain, name_vi, name_en, unit, period, scope, good_direction, dimensions,
  min_value, max_value, threshold_basis, threshold_warning, threshold_critical) VALUES
  ('soc_attacks_detected', 'information_security', 'Tấn công phát hiện', 'Attacks detected', 'count', 'event',
    'province', 'down', '{topic,source}', 0, 1000, 'value', NULL, NULL),
  ('soc_attacks_blocked', 'information_security', 'Tấn công đã ngăn chặn', 'Attacks blocked', 'count', 'event',
    'province', 'up', '{topic,source}', 0, 1000, 'value', NULL, NULL)
ON CONFLICT (id) DO NOTHING;
INSERT INTO indicator_labels (dimension, code, name_vi, name_en) VALUES
  ('topic', 'severity-low', 'Mức thấp', 'Low'),
  ('topic', 'severity-medium', 'Mức trung bình', 'Medium'),
  ('topic', 'severity-high', 'Mức cao', 'High'),
  ('topic', 'severity-critical', 'Mức nghiêm trọng', 'Critical')
ON CONFLICT (dimension, code) DO NOTHING;

-- the alarm rules of security (ALARM_RULE_DEFAULTS; a test keeps them equal): a high rule level (threshold:
-- the lowest level, 12), a system down for delay_ms (3 min), a certificate expiring within threshold days (14)
ALTER TABLE alarm_rules DROP CONSTRAINT alarm_rules_rule_check;
ALTER TABLE alarm_rules ADD CONSTRAINT alarm_rules_rule_check CHECK (rule IN ('road_jam', 'camera_offline',
  'asset_silent', 'camera_detection', 'incident_new', 'incident_ack_overdue', 'incident_resolve_overdue',
  'reject_spike', 'system_health', 'indicator_threshold', 'indicator_baseline', 'security_event',
  'system_down', 'cert_expiry'));
INSERT INTO alarm_rules (rule, enabled, priority, latched, threshold, margin, delay_ms, clear_delay_ms) VALUES
  ('security_event', true, 2, true, 12, NULL, 0, 600000),
  ('system_down', true, 2, false, NULL, NULL, 180000, 60000),
  ('cert_expiry', true, 3, false, 14, NULL, 0, 0)
ON CONFLICT (rule) DO NOTHING;
