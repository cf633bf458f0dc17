-- Alarm rules on the indicator catalogue's thresholds (issue 14): `indicator_threshold` (basis `value`: a
-- figure, or an event count of the last hour, past an indicator's warning or critical threshold) and
-- `indicator_baseline` (basis `baseline_ratio`: the last hour's bad events against the same hour's mean
-- of the previous 7 days). The thresholds themselves are each indicator's (indicators.threshold_*); the
-- rows below are the rules' own settings (ALARM_RULE_DEFAULTS in contract/alarmVocab.ts; a test keeps
-- them equal): priority, deadband (margin), delays, and for the baseline the fewest events that may alarm.
ALTER TABLE alarm_rules DROP CONSTRAINT alarm_rules_rule_check;
ALTER TABLE alarm_rules ADD CONSTRAINT alarm_rules_rule_check CHECK (rule IN ('road_jam', 'camera_offline',
  'asset_silent', 'camera_detection', 'incident_new', 'incident_ack_overdue', 'incident_resolve_overdue',
  'reject_spike', 'system_health', 'indicator_threshold', 'indicator_baseline'));
INSERT INTO alarm_rules (rule, enabled, priority, latched, threshold, margin, delay_ms, clear_delay_ms) VALUES
  ('indicator_threshold', true, 2, false, NULL, 0.02, 0, 600000),
  ('indicator_baseline', true, 2, false, 10, 0.1, 0, 600000)
ON CONFLICT (rule) DO NOTHING;
