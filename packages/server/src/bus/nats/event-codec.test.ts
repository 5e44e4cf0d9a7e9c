import { describe, expect, it } from 'vitest';
import { CityError } from '../../core/index.js';
import { decodeEvent, encodeEvent } from './event-codec.js';

describe('event codec', () => {
  it('round-trips an event with a JSON payload', () => {
    const event = { topic: 'entity.changed', key: 'urn:a.b/c', time: 1, payload: { x: [1, 'é'] } };
    expect(decodeEvent(encodeEvent(event))).toEqual(event);
    expect(decodeEvent(encodeEvent({ ...event, payload: undefined }))).toEqual({
      ...event,
      payload: undefined,
    });
  });

  it('refuses what is not an event with a BadRequestData error', () => {
    for (const text of [
      'nope',
      '[]',
      'null',
      '{"topic":"t","key":1,"time":0}',
      '{"topic":"t","key":"k"}',
    ]) {
      const err = (() => {
        try {
          decodeEvent(Buffer.from(text));
        } catch (e) {
          return e;
        }
      })();
      expect(err, text).toBeInstanceOf(CityError);
      expect((err as CityError).code).toBe('BadRequestData');
    }
  });

  it('refuses to encode a payload that is not JSON', () => {
    expect(() => encodeEvent({ topic: 't', key: 'k', time: 0, payload: { n: 1n } })).toThrow(
      /cannot be sent as JSON/,
    );
  });
});
