import type { FeatureCollection } from 'geojson';
import type { LayerSpecification, StyleSpecification } from 'maplibre-gl';

/** Map background: the night sky of the control room. */
export const BACKGROUND = '#060a13';

const empty = (): FeatureCollection => ({ type: 'FeatureCollection', features: [] });

/**
 * The whole map style: a background and GeoJSON sources only. No tiles, no sprite and
 * no glyphs, so the cockpit works offline; labels are HTML markers instead.
 */
export function cockpitStyle(): StyleSpecification {
  return {
    version: 8,
    sources: {
      districts: { type: 'geojson', data: empty() },
      communities: { type: 'geojson', data: empty() },
      roads: { type: 'geojson', data: empty() },
      devices: { type: 'geojson', data: empty(), promoteId: 'id' },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': BACKGROUND } },
      ...cityLayers(),
      ...deviceLayers(),
    ],
  };
}

function cityLayers(): LayerSpecification[] {
  // Trunk roads are drawn wider than primary, primary wider than the rest.
  const byClass = (w: number) => [
    'match',
    ['get', 'roadClass'],
    'trunk',
    w * 1.8,
    'primary',
    w * 1.3,
    w,
  ];
  const zoomWidth = (a: number, b: number) =>
    [
      'interpolate',
      ['exponential', 1.6],
      ['zoom'],
      9,
      byClass(a),
      16,
      byClass(b),
    ] as unknown as number;
  return [
    {
      id: 'district-fill',
      type: 'fill',
      source: 'districts',
      paint: { 'fill-color': ['get', 'fill'], 'fill-opacity': ['get', 'fillOpacity'] },
    },
    {
      id: 'community-line',
      type: 'line',
      source: 'communities',
      paint: {
        'line-color': '#27476f',
        'line-width': 0.6,
        'line-opacity': 0.7,
        'line-dasharray': [3, 2],
      },
    },
    {
      id: 'road-casing',
      type: 'line',
      source: 'roads',
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': '#0d1a2e', 'line-width': zoomWidth(1.6, 9) },
    },
    {
      id: 'road-line',
      type: 'line',
      source: 'roads',
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: {
        'line-color': ['match', ['get', 'roadClass'], 'trunk', '#4d6f96', '#33506f'],
        'line-width': zoomWidth(0.6, 4.5),
        'line-opacity': 0.9,
      },
    },
    {
      id: 'district-glow',
      type: 'line',
      source: 'districts',
      paint: {
        'line-color': ['get', 'edge'],
        'line-width': 6,
        'line-blur': 5,
        'line-opacity': 0.35,
      },
    },
    {
      id: 'district-line',
      type: 'line',
      source: 'districts',
      paint: { 'line-color': ['get', 'edge'], 'line-width': 1.3, 'line-opacity': 0.85 },
    },
  ];
}

function deviceLayers(): LayerSpecification[] {
  const radius = (a: number, b: number) =>
    ['interpolate', ['linear'], ['zoom'], 10, a, 16, b] as unknown as number;
  return [
    {
      id: 'device-halo',
      type: 'circle',
      source: 'devices',
      paint: {
        'circle-color': ['get', 'color'],
        'circle-radius': radius(9, 18),
        'circle-blur': 1,
        'circle-opacity': 0.4,
      },
    },
    {
      id: 'device-dot',
      type: 'circle',
      source: 'devices',
      paint: {
        'circle-color': ['get', 'color'],
        'circle-radius': radius(4, 8),
        'circle-stroke-color': '#050912',
        'circle-stroke-width': 1.2,
      },
    },
    {
      id: 'device-selected',
      type: 'circle',
      source: 'devices',
      filter: ['==', ['get', 'id'], ''],
      paint: {
        'circle-color': 'rgba(0,0,0,0)',
        'circle-radius': radius(9, 15),
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
      },
    },
  ];
}
