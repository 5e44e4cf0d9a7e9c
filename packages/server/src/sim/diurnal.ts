/** Hangzhou is UTC+8 all year (no daylight saving time). */
const CITY_UTC_OFFSET_HOURS = 8;

/** The wall-clock hour of day in the city (0 ≤ h < 24, fractional), whatever the host's time zone. */
export function cityHour(now: Date): number {
  const utc = now.getUTCHours() + now.getUTCMinutes() / 60 + now.getUTCSeconds() / 3600;
  return (utc + CITY_UTC_OFFSET_HOURS) % 24;
}

/** A bell-shaped bump of height 1 at `centre` hours with spread `width` hours, wrapping at midnight. */
export function bump(hour: number, centre: number, width: number): number {
  const d = Math.abs(hour - centre) % 24;
  const distance = Math.min(d, 24 - d);
  return Math.exp(-(distance * distance) / (2 * width * width));
}

/** Road traffic demand (0..1): quiet at night, peaks in the morning and evening rush hours. */
export function trafficDemand(hour: number): number {
  const day = 0.55 * bump(hour, 13, 4.5);
  const rush = Math.max(bump(hour, 8, 1.1), 0.95 * bump(hour, 18, 1.3));
  return Math.min(1, 0.06 + Math.max(day, rush));
}

/** Outdoor air temperature (°C): coolest before dawn, warmest mid-afternoon. */
export function ambientTemperature(hour: number): number {
  return 17 + 5.5 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
}
