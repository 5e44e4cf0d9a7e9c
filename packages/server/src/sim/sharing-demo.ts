import type { Logger } from 'pino';
import type { PlatformClient } from './platform-client.js';

type Kind = 'department' | 'community' | 'enterprise';

/** The simulated city's departments and enterprises, in English and Chinese. */
const ORGANISATIONS: [id: string, en: string, zh: string, kind: Kind][] = [
  ['environment-bureau', 'Ecology and Environment Bureau', '生态环境局', 'department'],
  ['transport-bureau', 'Transport Bureau', '交通运输局', 'department'],
  ['urban-management', 'Urban Management Bureau', '城市管理局', 'department'],
  ['planning-bureau', 'Planning and Natural Resources Bureau', '规划和自然资源局', 'department'],
  ['health-commission', 'Health Commission', '卫生健康委员会', 'department'],
  ['public-security', 'Public Security Bureau', '公安局', 'department'],
  ['state-grid', 'State Grid Hangzhou Power Supply', '国网杭州供电公司', 'enterprise'],
];

/** Who owns each entity type the simulation writes, and how sensitive it is. */
const DATASETS: [type: string, owner: string, classification: string, title: string][] = [
  ['AirQualityObserved', 'environment-bureau', 'public', 'Air quality stations'],
  ['NoiseLevelObserved', 'environment-bureau', 'public', 'Noise monitors'],
  ['TrafficFlowObserved', 'transport-bureau', 'internal', 'Traffic counters'],
  ['ParkingSpot', 'transport-bureau', 'public', 'Parking spots'],
  ['RoadSegment', 'transport-bureau', 'public', 'Road network'],
  ['WasteContainer', 'urban-management', 'internal', 'Waste containers'],
  ['Streetlight', 'urban-management', 'internal', 'Streetlights'],
  ['District', 'planning-bureau', 'public', 'Districts'],
  ['Community', 'planning-bureau', 'public', 'Communities'],
  ['ThreePhaseAcMeasurement', 'state-grid', 'sensitive', 'Building electricity meters'],
];

const DAY = 86_400_000;

/**
 * Declares the simulated city's organisations and datasets, and two data bridges: the power
 * company lets the health commission read building electricity use in one district for
 * epidemic control (approved), and the police have asked the transport bureau for traffic
 * counts (awaiting a decision). Safe to run at every start.
 */
export async function provisionSharing(
  client: PlatformClient,
  district: string,
  logger: Logger,
): Promise<void> {
  for (const [id, en, zh, kind] of ORGANISATIONS)
    await client.call('PUT', `/api/v1/organisations/${id}`, { id, name: { en, zh }, kind });
  for (const [id, owner, classification, title] of DATASETS)
    await client.call('PUT', `/api/v1/datasets/${id}`, { id, owner, classification, title });
  const existing = (await client.call('GET', '/api/v1/grants')).body as { assignee: string }[];
  if (existing.length > 0) return;
  const now = Date.now();
  const bridge = (assignee: string, extra: Record<string, unknown>) =>
    client.call('POST', '/api/v1/grants', {
      assignee,
      validFrom: new Date(now - DAY).toISOString(),
      validUntil: new Date(now + 90 * DAY).toISOString(),
      duties: [{ action: 'inform', party: 'owner' }],
      ...extra,
    });
  const power = await bridge('health-commission', {
    target: 'ThreePhaseAcMeasurement',
    attributes: ['totalActivePower', 'areaServed', 'location'],
    rowFilter: `areaServed=="${district}"`,
    purpose: 'epidemic-control',
    prohibitions: ['re-identification', 'redistribution'],
  });
  const id = (power.body as { id: string }).id;
  await client.call('POST', `/api/v1/grants/${id}/approve`);
  await bridge('public-security', {
    target: 'TrafficFlowObserved',
    attributes: ['intensity', 'averageVehicleSpeed', 'location'],
    purpose: 'public-safety',
    prohibitions: ['redistribution'],
  });
  logger.info(
    { organisations: ORGANISATIONS.length, datasets: DATASETS.length },
    'data bridges in place',
  );
}
