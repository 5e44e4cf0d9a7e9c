/** A seeded source of pseudo-random numbers in [0, 1) (mulberry32): same seed, same city. */
export type Random = () => number;

/** Creates a mulberry32 generator; tiny, fast and good enough for a simulation. */
export function createRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Derives an independent seed from a base seed and a label (FNV-1a over the label). */
export function deriveSeed(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** A uniform number in [min, max). */
export function uniform(rng: Random, min: number, max: number): number {
  return min + (max - min) * rng();
}

/** A uniform integer in [min, max]. */
export function integer(rng: Random, min: number, max: number): number {
  return Math.floor(uniform(rng, min, max + 1));
}

/** A standard normal deviate (Box–Muller). */
export function gaussian(rng: Random): number {
  const u = Math.max(rng(), Number.EPSILON);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Keeps `value` within [min, max]. */
export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Rounds to `digits` decimals, so payloads stay short and readable. */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * One step of a mean-reverting random walk (Ornstein–Uhlenbeck around 0): after `dtSeconds`
 * the value has forgotten its past on a time scale `tauSeconds`, and its spread stays `sd`.
 */
export function meanReverting(
  rng: Random,
  value: number,
  dtSeconds: number,
  tauSeconds: number,
  sd: number,
): number {
  const keep = Math.exp(-Math.max(0, dtSeconds) / tauSeconds);
  return value * keep + sd * Math.sqrt(1 - keep * keep) * gaussian(rng);
}

/** True with the probability that an event of mean interval `meanSeconds` happens within `dtSeconds`. */
export function happens(rng: Random, dtSeconds: number, meanSeconds: number): boolean {
  return rng() < 1 - Math.exp(-Math.max(0, dtSeconds) / meanSeconds);
}
