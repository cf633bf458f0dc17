-- The year's plan (kế hoạch năm) of an indicator (issue 14): the target the province set for it, which the
-- socio-economic tab measures the year against (yearAggregation in contract/servicesApi.ts: flows sum the
-- year so far; rates and indices compare the latest period). Plans come in on the same feed as values: a
-- value with "kind": "plan" and "period": "2026" (MQTT ioc/kpi/{id}, HTTP batch, CSV import); sending the
-- year's plan again replaces it.
CREATE TABLE indicator_plans (
  indicator_id text NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
  year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  target float8 NOT NULL,
  via text NOT NULL,
  sender text,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (indicator_id, year)
);
