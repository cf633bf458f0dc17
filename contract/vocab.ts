/** Incident categories: the Open311 service codes of the contract. */
export const INCIDENT_CATEGORIES = [
  'traffic_accident',
  'traffic_jam',
  'flooding',
  'fire',
  'public_order',
  'environment',
  'infrastructure',
  'lighting',
  'waste',
  'other',
] as const;
export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number];

/** Incident lifecycle states, in order. `reopen` goes back to `acknowledged`. */
export const INCIDENT_STATES = ['new', 'acknowledged', 'dispatched', 'resolved', 'closed'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/** Camera analytic event kinds. */
export const CAMERA_EVENT_KINDS = [
  'vehicle_count',
  'congestion',
  'accident',
  'crowd',
  'fire',
  'flood',
  'wrong_way',
  'other',
] as const;
export type CameraEventKind = (typeof CAMERA_EVENT_KINDS)[number];

/** Live layers a browser can subscribe to (`alarms`: contract v1.3, issue 13; `units`: v1.7, issue 15). */
export const LAYERS = ['traffic', 'cameras', 'incidents', 'alerts', 'alarms', 'units'] as const;
export type LayerName = (typeof LAYERS)[number];

/** Reasons a message is rejected at ingest; used as a metrics label and in the reject log. */
export const REJECT_REASONS = [
  'bad_json',
  'not_object',
  'invalid_payload',
  'unknown_topic',
  'unknown_asset',
  'asset_mismatch',
  'out_of_area',
  'oversized',
  /** `ts` further ahead of the server's clock than the skew allowed */
  'future_ts',
  /** `ts` older than ingest keeps (late data within it is stored in its place) */
  'too_old',
  /** valid by the contract, but the database refused the row (isolated from its batch) */
  'store_refused',
  // the indicator feed (contract v1.5): MQTT ioc/kpi/{id}, HTTP batches, CSV imports
  /** no such indicator in the catalogue (or it is disabled) */
  'unknown_indicator',
  /** the value names a unit other than the indicator's */
  'wrong_unit',
  /** a ward that is not a ward of the city */
  'unknown_ward',
  /** an agency that is not in the agency list */
  'unknown_agency',
  /** the sending system (an HTTP source's key) may not send this indicator */
  'not_permitted',
  /** a CSV cell that a spreadsheet would run as a formula (starts with = + - @ and is not a number) */
  'formula_cell',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Maximum MQTT payload accepted, in bytes. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
