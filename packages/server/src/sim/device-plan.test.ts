import { describe, expect, it } from 'vitest';
import { parseEntity, type Entity } from '../core/index.js';
import { communityAt, districtAt } from './city-lookup.js';
import { generateCity } from './city.js';
import { DEVICE_KINDS } from './device-kinds.js';
import { planDevices, type SimulatedDevice } from './device-plan.js';

const city = generateCity({ seed: 42 });
const devices = planDevices({ city, devicesPerKind: 12, seed: 42 });
const entityOf = (d: SimulatedDevice): Entity => ({
  id: `urn:ngsi-ld:${d.entityType}:${d.id}`,
  type: d.entityType,
  ...d.attributes,
});
const pointOf = (d: SimulatedDevice): number[] =>
  d.attributes.location?.type === 'GeoProperty' && d.attributes.location.value.type === 'Point'
    ? d.attributes.location.value.coordinates
    : [];

describe('planDevices', () => {
  it('numbers devices per kind: aq-0001 … and covers at least six Smart Data Model types', () => {
    expect(devices).toHaveLength(12 * DEVICE_KINDS.length);
    const ids = devices.map((d) => d.id);
    for (const prefix of ['aq', 'traffic', 'parking', 'waste', 'light', 'meter'])
      expect(ids).toContain(`${prefix}-0001`);
    expect(ids).toContain('aq-0012');
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(devices.map((d) => d.entityType))).toEqual(
      new Set([
        'AirQualityObserved',
        'TrafficFlowObserved',
        'ParkingSpot',
        'WasteContainer',
        'Streetlight',
        'ThreePhaseAcMeasurement',
        'NoiseLevelObserved',
      ]),
    );
  });

  it('is deterministic for a seed', () => {
    const again = planDevices({ city, devicesPerKind: 12, seed: 42 });
    expect(again.map((d) => d.attributes)).toEqual(devices.map((d) => d.attributes));
    const other = planDevices({ city, devicesPerKind: 12, seed: 43 });
    expect(other.map((d) => d.attributes)).not.toEqual(devices.map((d) => d.attributes));
  });

  it('gives every device a valid entity with location, name, areaServed and refs to where it stands', () => {
    for (const device of devices) {
      const entity = entityOf(device);
      expect(parseEntity(entity)).toEqual(entity);
      const { areaServed, refDistrict, refCommunity, name } = device.attributes;
      expect(name).toEqual({ type: 'Property', value: device.name });
      expect(areaServed).toEqual({ type: 'Property', value: device.district });
      expect(refDistrict).toEqual({
        type: 'Relationship',
        object: `urn:ngsi-ld:District:${device.district}`,
      });
      const community = city.communities.find(
        (c) => refCommunity?.type === 'Relationship' && c.id === refCommunity.object,
      );
      expect(community?.refDistrict.object).toBe(`urn:ngsi-ld:District:${device.district}`);
    }
  });

  it('places community devices inside their community and road devices on a road in their district', () => {
    for (const device of devices) {
      const p = pointOf(device);
      expect(districtAt(city, p)?.id).toBe(`urn:ngsi-ld:District:${device.district}`);
      if (['TrafficFlowObserved', 'Streetlight'].includes(device.entityType)) continue;
      const ref = device.attributes.refCommunity;
      expect(communityAt(city, p)?.id).toBe(ref?.type === 'Relationship' ? ref.object : '');
    }
    const traffic = devices.filter((d) => d.entityType === 'TrafficFlowObserved');
    for (const t of traffic) expect(t.attributes.refRoadSegment?.type).toBe('Relationship');
  });

  it('spreads the first devices of a kind over every district', () => {
    const aq = devices.filter((d) => d.entityType === 'AirQualityObserved').slice(0, 6);
    expect(new Set(aq.map((d) => d.district)).size).toBe(6);
    expect(aq[0]?.district).toBe('shangcheng');
  });

  it('registers the unit codes of the reported attributes', () => {
    const unitsOf = (type: string) => devices.find((d) => d.entityType === type)?.units;
    expect(unitsOf('AirQualityObserved')).toEqual({
      pm25: 'GQ',
      pm10: 'GQ',
      no2: 'GQ',
      temperature: 'CEL',
      relativeHumidity: 'P1',
    });
    expect(unitsOf('TrafficFlowObserved')).toEqual({ averageVehicleSpeed: 'KMH' });
    expect(unitsOf('ThreePhaseAcMeasurement')).toEqual({
      totalActivePower: 'KWT',
      totalActiveEnergyImport: 'KWH',
    });
    expect(unitsOf('NoiseLevelObserved')).toMatchObject({ LAeq: '2N' });
  });
});
