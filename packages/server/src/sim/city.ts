import {
  lineLocation,
  polygonLocation,
  property,
  relationship,
  type CommunityEntity,
  type DistrictEntity,
  type RoadEntity,
} from './city-entities.js';
import { DISTRICTS, ROADS, type RoadPlan } from './city-names.js';
import { offsetMetres, roundPosition, type LonLat } from './geometry.js';
import { createRandom, deriveSeed, integer, uniform, type Random } from './random.js';

/** The seed the demo uses unless told otherwise. */
export const DEFAULT_CITY_SEED = 20261123;

/** How to generate the city. */
export interface CityOptions {
  /** Same seed, same city (default {@link DEFAULT_CITY_SEED}). */
  seed?: number;
  /** Centre [lon, lat] (default Hangzhou, [120.16, 30.27]). */
  center?: LonLat;
  /** Size of the city rectangle in km (default 16 × 12). */
  widthKm?: number;
  heightKm?: number;
}

/** A generated city: its frame and its places as NGSI-LD entities in normalized form. */
export interface City {
  name: string;
  center: LonLat;
  /** [minLon, minLat, maxLon, maxLat] */
  bbox: [number, number, number, number];
  districts: DistrictEntity[];
  communities: CommunityEntity[];
  roads: RoadEntity[];
}

const COLUMNS = 3;
const ROWS = 2;
type Quad = [nw: LonLat, ne: LonLat, se: LonLat, sw: LonLat];

/** Bilinear interpolation in a quad: u runs west→east, v north→south. Iso-lines are straight. */
function bilinear([nw, ne, se, sw]: Quad, u: number, v: number): LonLat {
  const w = [(1 - u) * (1 - v), u * (1 - v), u * v, (1 - u) * v] as const;
  const corners = [nw, ne, se, sw];
  const x = corners.reduce((s, c, i) => s + c[0] * (w[i] ?? 0), 0);
  const y = corners.reduce((s, c, i) => s + c[1] * (w[i] ?? 0), 0);
  return roundPosition([x, y]);
}

/** A counter-clockwise closed ring (GeoJSON exterior) from a quad. */
const ringOfQuad = ([nw, ne, se, sw]: Quad): LonLat[] => [nw, sw, se, ne, nw];

/** Grid vertices in metres: the outer rectangle stays straight, inner vertices are jittered. */
function gridVertices(rng: Random, width: number, height: number): [number, number][][] {
  const cellW = width / COLUMNS;
  const cellH = height / ROWS;
  const rows: [number, number][][] = [];
  for (let r = 0; r <= ROWS; r++) {
    const row: [number, number][] = [];
    for (let c = 0; c <= COLUMNS; c++) {
      const jx = c > 0 && c < COLUMNS ? uniform(rng, -0.12, 0.12) * cellW : 0;
      const jy = r > 0 && r < ROWS ? uniform(rng, -0.12, 0.12) * cellH : 0;
      row.push([-width / 2 + c * cellW + jx, height / 2 - r * cellH + jy]);
    }
    rows.push(row);
  }
  return rows;
}

function roadLine(rng: Random, plan: RoadPlan, width: number, height: number): [number, number][] {
  const ns = plan.direction === 'north-south';
  const length = ns ? height : width;
  const across = (plan.at - 0.5) * (ns ? width : height);
  const steps = Math.max(2, Math.round(length / 2000));
  const points: [number, number][] = [];
  for (let i = 0; i <= steps; i++) {
    const along = -length / 2 + (i * length) / steps;
    const wiggle = i === 0 || i === steps ? 0 : uniform(rng, -180, 180);
    points.push(ns ? [across + wiggle, along] : [along, across + wiggle]);
  }
  return points;
}

/** Generates the simulated city deterministically from its seed. */
export function generateCity(options: CityOptions = {}): City {
  const seed = options.seed ?? DEFAULT_CITY_SEED;
  const center = options.center ?? [120.16, 30.27];
  const width = (options.widthKm ?? 16) * 1000;
  const height = (options.heightKm ?? 12) * 1000;
  const at = ([east, north]: [number, number]): LonLat =>
    roundPosition(offsetMetres(center, east, north));
  const grid = gridVertices(createRandom(deriveSeed(seed, 'grid')), width, height).map((row) =>
    row.map(at),
  );
  const vertex = (c: number, r: number): LonLat => grid[r]?.[c] ?? center;

  const districts: DistrictEntity[] = [];
  const communities: CommunityEntity[] = [];
  for (const plan of DISTRICTS) {
    const rng = createRandom(deriveSeed(seed, plan.slug));
    const { column: c, row: r } = plan;
    const quad: Quad = [vertex(c, r), vertex(c + 1, r), vertex(c + 1, r + 1), vertex(c, r + 1)];
    const id = `urn:ngsi-ld:District:${plan.slug}`;
    districts.push({
      id,
      type: 'District',
      name: property(plan.en),
      alternateName: property(plan.zh),
      location: polygonLocation(ringOfQuad(quad)),
    });
    // Four communities per district: a jittered 2 × 2 split, with a thin gap (streets) between.
    const su = uniform(rng, 0.4, 0.6);
    const sv = uniform(rng, 0.4, 0.6);
    const cuts = [
      [0.02, su - 0.01, su + 0.01, 0.98],
      [0.02, sv - 0.01, sv + 0.01, 0.98],
    ] as const;
    plan.communities.forEach((name, i) => {
      const [u0, u1] = i % 2 === 0 ? [cuts[0][0], cuts[0][1]] : [cuts[0][2], cuts[0][3]];
      const [v0, v1] = i < 2 ? [cuts[1][0], cuts[1][1]] : [cuts[1][2], cuts[1][3]];
      const sub: Quad = [
        bilinear(quad, u0, v0),
        bilinear(quad, u1, v0),
        bilinear(quad, u1, v1),
        bilinear(quad, u0, v1),
      ];
      communities.push({
        id: `urn:ngsi-ld:Community:${plan.slug}-${name.slug}`,
        type: 'Community',
        name: property(name.en),
        alternateName: property(name.zh),
        location: polygonLocation(ringOfQuad(sub)),
        refDistrict: relationship(id),
        population: property(integer(rng, 8, 45) * 1000 + integer(rng, 0, 999)),
      });
    });
  }

  const roadRng = createRandom(deriveSeed(seed, 'roads'));
  const roads: RoadEntity[] = ROADS.map((plan) => ({
    id: `urn:ngsi-ld:RoadSegment:${plan.slug}`,
    type: 'RoadSegment',
    name: property(plan.en),
    alternateName: property(plan.zh),
    location: lineLocation(roadLine(roadRng, plan, width, height).map(at)),
    roadClass: property(plan.roadClass),
  }));

  const [sw, ne] = [at([-width / 2, -height / 2]), at([width / 2, height / 2])];
  return {
    name: 'Hangzhou',
    center,
    bbox: [sw[0], sw[1], ne[0], ne[1]],
    districts,
    communities,
    roads,
  };
}
