import { describe, expect, it } from 'vitest';
import { CityError } from '../../core/index.js';
import { decodeEvents, encodeEvents } from './event-codec.js';

const event = (i: number) => ({
  topic: 'entity.changed',
  key: 'urn:a.b/c',
  time: i,
  payload: { x: [i, 'é'] },
});

describe('event codec', () => {
  it('round-trips events with JSON payloads, in order, in one message', () => {
    const events = [event(1), event(2), { ...event(3), payload: undefined }];
    const messages = encodeEvents(events);
    expect(messages).toHaveLength(1);
    expect(decodeEvents(messages[0]!)).toEqual(events);
  });

  it('splits what does not fit in one message, keeping the order', () => {
    const events = Array.from({ length: 100 }, (_, i) => event(i));
    const messages = encodeEvents(events, 1000);
    expect(messages.length).toBeGreaterThan(5);
    for (const m of messages) expect(m.byteLength).toBeLessThanOrEqual(1000);
    expect(messages.flatMap((m) => decodeEvents(m))).toEqual(events);
  });

  it('sends an event larger than the limit alone (the server then refuses it)', () => {
    const big = { ...event(0), payload: 'x'.repeat(2000) };
    const messages = encodeEvents([event(1), big, event(2)], 1000);
    expect(messages.map((m) => decodeEvents(m).length)).toEqual([1, 1, 1]);
  });

  it('reads a message of one event object, as streams written before batching hold', () => {
    expect(decodeEvents(Buffer.from(JSON.stringify(event(7))))).toEqual([event(7)]);
  });

  it('refuses what is not an event with a BadRequestData error', () => {
    for (const text of [
      'nope',
      '[]',
      'null',
      '[1]',
      '[{"topic":"t","key":"k","time":0},{"topic":"t"}]',
      '{"topic":"t","key":1,"time":0}',
      '{"topic":"t","key":"k"}',
    ]) {
      const err = (() => {
        try {
          decodeEvents(Buffer.from(text));
        } catch (e) {
          return e;
        }
      })();
      expect(err, text).toBeInstanceOf(CityError);
      expect((err as CityError).code).toBe('BadRequestData');
    }
  });

  it('refuses to encode a payload that is not JSON', () => {
    expect(() => encodeEvents([{ topic: 't', key: 'k', time: 0, payload: { n: 1n } }])).toThrow(
      /cannot be sent as JSON/,
    );
  });
});
