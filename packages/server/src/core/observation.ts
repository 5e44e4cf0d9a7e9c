/** One measured attribute value of an observation. */
export interface ObservedValue {
  value: number | string | boolean | Record<string, unknown> | unknown[];
  unitCode?: string;
}

/** What a device reported at one instant: the unit of ingest. */
export interface Observation {
  /** Entity the device feeds (e.g. urn:ngsi-ld:AirQualityObserved:aq-0001). */
  entityId: string;
  entityType: string;
  deviceId: string;
  /** Event time, epoch milliseconds. */
  observedAt: number;
  attrs: Record<string, ObservedValue>;
}

/** One point of an attribute's time series. */
export interface SeriesPoint {
  attr: string;
  observedAt: number;
  value: unknown;
}
