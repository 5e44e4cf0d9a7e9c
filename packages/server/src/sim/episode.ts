/** A pollution episode: PM2.5 in one district climbs to `pm25` and stays there for a while. */
export interface EpisodeOptions {
  /** District slug, e.g. `xihu` (default: the city's first district). */
  district?: string;
  /** Seconds after the devices start publishing. */
  startAfterSeconds: number;
  durationSeconds: number;
  /** The PM2.5 level (µg/m³) the district's stations reach and stay above. */
  pm25: number;
}

/** How strongly an episode weighs on a device right now: `intensity` 0..1 of a `pm25` peak. */
export interface EpisodeLevel {
  intensity: number;
  pm25: number;
}

/** The ramp up (and down) time: fast enough for a short demo, never more than 30 s. */
export function episodeRampSeconds(episode: EpisodeOptions): number {
  return Math.min(30, episode.durationSeconds * 0.1);
}

/** The episode's intensity (0..1) at `elapsedSeconds` after start: ramp up, plateau, ramp down. */
export function episodeIntensity(episode: EpisodeOptions, elapsedSeconds: number): number {
  const t = elapsedSeconds - episode.startAfterSeconds;
  if (t < 0 || t > episode.durationSeconds) return 0;
  const ramp = episodeRampSeconds(episode);
  if (ramp <= 0) return 1;
  return Math.min(1, t / ramp, (episode.durationSeconds - t) / ramp);
}

/** The episode's weight on a device in `districtSlug`, or undefined when it is not affected now. */
export function episodeLevel(
  episode: EpisodeOptions | undefined,
  defaultDistrict: string,
  districtSlug: string,
  elapsedSeconds: number,
): EpisodeLevel | undefined {
  if (!episode || (episode.district ?? defaultDistrict) !== districtSlug) return undefined;
  const intensity = episodeIntensity(episode, elapsedSeconds);
  return intensity > 0 ? { intensity, pm25: episode.pm25 } : undefined;
}
