import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MATRIX } from '../../brain/command/test-fixture.js';
import {
  enc,
  putMatrix,
  raiseInXihu,
  startCommandTestApp,
  type CommandTestApp,
} from './command-test-app.js';

let t: CommandTestApp;

beforeEach(async () => {
  t = await startCommandTestApp();
});
afterEach(() => t.close());

describe('responsibility routes', () => {
  it('lets the operator configure the matrix that routes new alerts', async () => {
    await putMatrix(t);
    const refused = await t.call('env-xihu', 'PUT', '/api/v1/responsibility/x', {
      ...MATRIX[0],
      id: 'x',
    });
    expect(refused.statusCode).toBe(403);
    const invalid = await t.call('operator', 'PUT', '/api/v1/responsibility/y', {
      id: 'y',
      category: 'a',
      area: '*',
      chain: [],
    });
    expect(invalid.statusCode).toBe(400);
    expect((await t.call('env-xihu', 'GET', '/api/v1/responsibility')).json()).toHaveLength(2);
    const route = await t.call(
      'operator',
      'GET',
      '/api/v1/responsibility/route?category=environment&area=xihu',
    );
    expect(route.json().id).toBe('env-xihu');
    const fallback = await t.call(
      'operator',
      'GET',
      '/api/v1/responsibility/route?category=environment&area=binjiang',
    );
    expect(fallback.json().id).toBe('env-any');

    const { alertId } = await raiseInXihu(t);
    const alert = (await t.call('operator', 'GET', `/api/v1/alerts/${enc(alertId)}`)).json();
    expect(alert).toMatchObject({
      responsibleOrganisation: 'env-xihu',
      responsibility: 'env-xihu',
    });

    expect((await t.call('operator', 'DELETE', '/api/v1/responsibility/env-xihu')).statusCode).toBe(
      204,
    );
    expect((await t.call('operator', 'GET', '/api/v1/responsibility/env-xihu')).statusCode).toBe(
      404,
    );
  });
});
