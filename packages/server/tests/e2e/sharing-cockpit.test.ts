import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, CHROMIUM, hasChromium, launchCockpitBrowser } from '../helpers/browser.js';
import { api, startCitybrain } from '../helpers/start-server.js';

// The cockpit's data-sharing view against the real server in Debian's Chromium: a transport
// department requests one district's air-quality stations through the form, the environment
// department's owner approves it, the transport department sees them on its map once it states
// the grant's purpose (and none without), the owner reads who read its data page by page, then
// revokes the grant, and the screen reads in Chinese.
const config = { demo: { devicesPerKind: 2, intervalMs: 1000 } };
const CJK = /[\u4e00-\u9fff]/;
const DATASET = { id: 'AirQualityObserved', title: 'Air quality stations' };
const PURPOSE = { id: 'environmental-protection', label: 'Environmental protection' };
/** A device type the demo declares public: every signed-in user reads it. */
const PUBLIC_KIND = 'NoiseLevelObserved';
/** Reads the grantee makes beyond one page of the owner's access log (50 records). */
const READS = 60;

describe.skipIf(!hasChromium)(
  `data sharing in the cockpit${hasChromium ? '' : ` (skipped: ${CHROMIUM} not found)`}`,
  () => {
    let server: Awaited<ReturnType<typeof startCitybrain>>;
    let browser: Browser;
    let page: Page;
    let requesterKey: string;
    let ownerKey: string;
    /** The district the grant's row filter keeps, and its stations out of all of them. */
    let district: string;
    let granted: string[];

    const sharing = () => page.locator('[data-testid=sharing-view]');
    const grantRow = () => page.locator('[data-testid=grant-row]').first();
    const form = () => page.locator('[data-testid=request-form]');
    const picker = () => page.locator('[data-testid=purpose-picker] select');
    const accessRows = () => page.locator('[data-testid=access-row]');
    const deviceCount = (kind: string) =>
      page.evaluate<number>(`window.__cockpit?.deviceCount(${JSON.stringify(kind)}) ?? -1`);
    const storedPurpose = () =>
      page.evaluate<string | null>("sessionStorage.getItem('citybrain.purpose')");

    async function put(path: string, json: unknown): Promise<void> {
      const res = await api(server, path, { method: 'PUT', json });
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    }
    async function createKey(organisation: string, roles: string[]): Promise<string> {
      const res = await api(server, '/api/v1/api-keys', {
        method: 'POST',
        json: { name: `${organisation} platform`, organisation, roles },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.key as string;
    }
    async function openSharing(): Promise<void> {
      await page.locator('[data-testid=view-switch] button[data-view=sharing]').click();
      await sharing().waitFor({ state: 'visible' });
      await expect
        .poll(() => page.locator('[data-testid=sharing-datasets]').innerText(), {
          timeout: 10_000,
        })
        .toContain(DATASET.title);
    }
    async function signInWithCard(token: string): Promise<void> {
      await page.getByRole('button', { name: 'Sign out' }).click();
      const card = page.locator('[data-testid=login-card]');
      await card.locator('input').fill(token);
      await card.locator('button[type=submit]').click();
      await page.locator('[data-testid=header]').waitFor({ state: 'visible', timeout: 15_000 });
    }

    /** The demo's air-quality stations once they all reported, by district (`areaServed`). */
    async function stationsByDistrict(): Promise<Map<string, string[]>> {
      const path = `/ngsi-ld/v1/entities?type=${DATASET.id}&options=keyValues`;
      let stations: { id: string; areaServed: string }[] = [];
      for (let tries = 0; stations.length < config.demo.devicesPerKind; tries++) {
        if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 250));
        if (tries > 80) throw new Error(`the demo's ${DATASET.id} stations did not report`);
        stations = (await api(server, path)).body;
      }
      const out = new Map<string, string[]>();
      for (const s of stations) out.set(s.areaServed, [...(out.get(s.areaServed) ?? []), s.id]);
      return out;
    }

    beforeAll(async () => {
      server = await startCitybrain({ args: ['--demo'], config });
      await put('/api/v1/organisations/environment', {
        id: 'environment',
        name: { en: 'Environment Bureau', zh: '生态环境局' },
        kind: 'department',
      });
      await put('/api/v1/organisations/transport', {
        id: 'transport',
        name: { en: 'Transport Bureau', zh: '交通运输局' },
        kind: 'department',
      });
      await put(`/api/v1/datasets/${DATASET.id}`, {
        ...DATASET,
        owner: 'environment',
        classification: 'internal',
      });
      requesterKey = await createKey('transport', ['analyst']);
      ownerKey = await createKey('environment', ['owner']);
      const districts = await stationsByDistrict();
      // The row filter must leave stations out: the demo spreads them over the districts.
      expect(districts.size).toBeGreaterThan(1);
      [district, granted] = [...districts][0]!;
      ({ browser, page } = await launchCockpitBrowser());
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('shows the datasets with their owner and classification in the sharing tab', async () => {
      await page.goto(`${server.url}/#token=${requesterKey}`);
      await page.locator('[data-testid=header]').waitFor({ state: 'visible', timeout: 30_000 });
      await openSharing();
      const datasets = await page.locator('[data-testid=sharing-datasets]').innerText();
      expect(datasets).toContain('Environment Bureau');
      expect(datasets).toContain('Internal');
      // The grants load on their own: the list says "Loading…" until they are in.
      await expect.poll(() => sharing().innerText(), { timeout: 10_000 }).toContain('No grant yet');
    }, 45_000);

    it('requests access through the form, showing what is wrong first', async () => {
      await form().locator('button[type=submit]').click();
      await expect
        .poll(() => form().locator('[data-testid=request-error]').innerText())
        .toContain('Choose the dataset');

      await form().locator('select[name=target]').selectOption(DATASET.id);
      await page.locator('#request-attributes').fill('pm25,');
      await page.locator('#request-attributes').fill('no2,');
      // Where the stations stand, so that the grantee's map can draw them.
      await page.locator('#request-attributes').fill('location');
      await form().locator('input[name=rowFilter]').fill('pm25>>>');
      await form().locator('select[name=purpose]').selectOption('environmental-protection');
      await form().getByText('No commercial use').click();
      await form().locator('button[type=submit]').click();
      // The server's own words about the row filter, next to the form.
      await expect
        .poll(() => form().locator('[data-testid=request-error]').innerText(), { timeout: 10_000 })
        .toMatch(/rowFilter/);

      // One district's stations: the grantee's map shows those, not the others.
      await form().locator('input[name=rowFilter]').fill(`areaServed=="${district}"`);
      await form().locator('button[type=submit]').click();
      await expect
        .poll(() => form().locator('[data-testid=request-sent]').innerText(), { timeout: 10_000 })
        .toContain('Environment Bureau');
      const row = await grantRow().innerText();
      expect(row).toContain('Requested');
      expect(row).toContain('Transport Bureau');
      expect(row).toContain('Environmental protection');
      expect(row).toMatch(/pm25[\s\S]*no2[\s\S]*location/);
      expect(row).toContain(`areaServed=="${district}"`);
      expect(row).toContain('No commercial use');
      expect(row).toContain('Inform the owner of each access');
      // The requester is no owner of the dataset: it is offered no way to approve its own request.
      expect(await grantRow().locator('button[data-action=approve]').count()).toBe(0);
    }, 30_000);

    it('lets the owner approve the request and shows it in force with its ODRL agreement', async () => {
      await signInWithCard(ownerKey);
      await openSharing();
      await expect.poll(() => grantRow().innerText(), { timeout: 10_000 }).toContain('Requested');
      await grantRow().locator('button[data-action=approve]').click();
      await expect
        .poll(() => page.locator('[data-testid=grant-message]').innerText(), { timeout: 10_000 })
        .toContain('Approved');
      await expect.poll(() => grantRow().innerText(), { timeout: 10_000 }).toContain('In force');
      expect(await grantRow().innerText()).toMatch(/Expires in \d+ days/);

      await grantRow().locator('button[data-action=details]').click();
      const drawer = page.locator('[data-testid=grant-drawer]');
      await expect
        .poll(() => drawer.locator('[data-testid=odrl]').innerText(), { timeout: 10_000 })
        .toContain('"Agreement"');
      expect(await drawer.innerText()).toContain(PURPOSE.id);
      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'detached' });
    }, 45_000);

    it("shows the grantee the granted stations on its map once it states the grant's purpose, and none without", async () => {
      await signInWithCard(requesterKey);
      await page.waitForFunction('window.__cockpit !== undefined', null, { timeout: 15_000 });
      expect(await picker().inputValue()).toBe('');

      const entities = (withPurpose: boolean) =>
        page.waitForResponse(
          (r) =>
            r.url().includes(`/ngsi-ld/v1/entities?type=${DATASET.id}`) &&
            (r.request().headers()['citybrain-purpose'] === PURPOSE.id) === withPurpose,
        );
      const stream = (withPurpose: boolean) =>
        page.waitForRequest(
          (r) =>
            r.url().includes('/api/v1/events?') &&
            r.url().includes(`purpose=${PURPOSE.id}`) === withPurpose,
        );

      // The demo's noise monitors are public: drawn with or without a purpose (the map is loaded).
      const mapShows = () =>
        Promise.all([deviceCount(DATASET.id), deviceCount(PUBLIC_KIND)]).then(
          ([mine, open]) => `${mine} granted, ${open} public`,
        );
      const withGrant = `${granted.length} granted, ${config.demo.devicesPerKind} public`;
      const withoutGrant = `0 granted, ${config.demo.devicesPerKind} public`;
      await expect.poll(mapShows, { timeout: 15_000 }).toBe(withoutGrant);

      const read = entities(true);
      const live = stream(true);
      await picker().selectOption(PURPOSE.id);
      expect((await read).status()).toBe(200);
      await live;
      await expect.poll(mapShows, { timeout: 15_000 }).toBe(withGrant);

      // Kept for the tab, like the token.
      await page.reload();
      await page.waitForFunction('window.__cockpit !== undefined', null, { timeout: 15_000 });
      expect(await picker().inputValue()).toBe(PURPOSE.id);
      expect(await storedPurpose()).toBe(PURPOSE.id);
      await expect.poll(mapShows, { timeout: 15_000 }).toBe(withGrant);
      // Live updates keep to the grant's rows.
      await page.waitForTimeout(2500);
      expect(await mapShows()).toBe(withGrant);
      await page.screenshot({ path: `${ARTIFACTS}sharing-purpose-map.png` });

      const bare = entities(false);
      const bareLive = stream(false);
      await picker().selectOption('');
      const answer = (await (await bare).json()) as { type: string }[];
      expect(answer.filter((e) => e.type === DATASET.id)).toEqual([]);
      await bareLive;
      await expect.poll(mapShows, { timeout: 15_000 }).toBe(withoutGrant);
      // A few live batches later, still nothing of the other organisation's data.
      await page.waitForTimeout(2500);
      expect(await mapShows()).toBe(withoutGrant);
      expect(await storedPurpose()).toBeNull();
    }, 60_000);

    it('shows the owner who read its data and why, page by page, without its own reads', async () => {
      // The grantee's cockpit closes (its live stream no longer reads), the owner's opens.
      await signInWithCard(ownerKey);
      // More reads than a page holds, after the map's, so that those are on the second page.
      for (let i = 0; i < READS; i++) {
        const res = await api(server, `/ngsi-ld/v1/entities/${encodeURIComponent(granted[0]!)}`, {
          headers: { authorization: `Bearer ${requesterKey}`, 'citybrain-purpose': PURPOSE.id },
        });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
      }
      const others = page.waitForRequest(
        (r) => r.url().includes('/api/v1/access-log?') && r.url().includes('others=true'),
      );
      await openSharing();
      await others;
      // A full page of the grantee's reads: the owner's own (its cockpit reads all the time)
      // are left out by the server, not from the page on screen.
      await expect.poll(() => accessRows().count(), { timeout: 10_000 }).toBe(50);
      for (const text of await accessRows().allInnerTexts()) {
        expect(text).toContain('Transport Bureau');
        expect(text).toContain(PURPOSE.label);
      }
      const mapRead = accessRows()
        .filter({ hasText: 'Transport Bureau' })
        .filter({ hasText: 'Query' })
        .filter({ hasText: PURPOSE.label });
      expect(await mapRead.count()).toBe(0);

      const older = page.waitForRequest(
        (r) => r.url().includes('/api/v1/access-log?') && /[?&]before=\d+/.test(r.url()),
      );
      await page.locator('[data-testid=log-more]').click();
      await older;
      await expect.poll(() => accessRows().count(), { timeout: 10_000 }).toBeGreaterThan(50);
      // Each second of the grantee's live map left a record too: read on until the map's query.
      for (let pages = 2; (await mapRead.count()) === 0 && pages < 5; pages++) {
        const shown = await accessRows().count();
        await page.locator('[data-testid=log-more]').click();
        await expect.poll(() => accessRows().count(), { timeout: 10_000 }).toBeGreaterThan(shown);
      }
      // The pages joined newest first, each record once.
      const seqs = await accessRows().evaluateAll((rows) =>
        rows.map((r) => Number(r.getAttribute('data-seq'))),
      );
      expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => b - a));
      // The map's read under the grant: who, why, under which grant, how many stations.
      const row = mapRead.first();
      await expect.poll(() => row.innerText(), { timeout: 10_000 }).toContain('Allowed');
      expect(await row.locator('td.num').innerText()).toBe(String(granted.length));
      expect(await row.locator('.attr-chip').count()).toBe(1);
      expect(
        await accessRows()
          .filter({ hasText: 'Live stream' })
          .filter({ hasText: PURPOSE.label })
          .count(),
      ).toBeGreaterThan(0);
      // …and the map's read without a purpose, refused.
      const refused = accessRows()
        .filter({ hasText: 'Transport Bureau' })
        .filter({ hasText: 'Query' })
        .filter({ hasText: 'no purpose stated' })
        .first();
      expect(await refused.innerText()).toContain('Denied');
      await page.screenshot({ path: `${ARTIFACTS}sharing-en.png` });

      const everyone = page.waitForRequest(
        (r) => r.url().includes('/api/v1/access-log?') && !r.url().includes('others='),
      );
      await page.locator('[data-testid=log-filter] button[data-others=false]').click();
      await everyone;
      await expect
        .poll(() => accessRows().filter({ hasText: 'Environment Bureau' }).count(), {
          timeout: 10_000,
        })
        .toBeGreaterThan(0);
      await page.locator('[data-testid=log-filter] button[data-others=true]').click();
      await expect
        .poll(() => accessRows().filter({ hasText: 'Environment Bureau' }).count(), {
          timeout: 10_000,
        })
        .toBe(0);
    }, 60_000);

    it('asks before revoking, then revokes', async () => {
      const dialog = page.locator('[data-testid=confirm-dialog]');
      await grantRow().locator('button[data-action=revoke]').click();
      expect(await dialog.innerText()).toContain('Transport Bureau will lose access');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await grantRow().innerText()).toContain('In force');

      await grantRow().locator('button[data-action=revoke]').click();
      await dialog.locator('button[data-action=confirm]').click();
      await expect.poll(() => grantRow().innerText(), { timeout: 10_000 }).toContain('Revoked');
      expect(await grantRow().locator('button[data-action=revoke]').count()).toBe(0);
    }, 30_000);

    it('reads in Chinese, with no English label or message key left', async () => {
      await page.locator('[data-testid=language-switch] button[data-lang=zh]').click();
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('zh-CN');
      const text = await sharing().innerText();
      for (const label of [
        '数据共享',
        '数据集',
        '授权',
        '申请访问',
        '已撤销',
        '生态环境局',
        '内部',
      ])
        expect(text).toContain(label);
      expect(text).toMatch(CJK);
      for (const english of [
        'Datasets',
        'Grants',
        'Request access',
        'Who read',
        'Revoked',
        'Purpose',
        'Valid from',
        'Send request',
        'Environmental protection',
        'Environment Bureau',
        'Internal',
      ])
        expect(text).not.toContain(english);
      expect(text).not.toMatch(
        /\b(share|phase|purpose|validity|duty|class|prohibition|view)\.[a-z]/,
      );
      // (A header that also holds the purpose picker names its tabs by their titles only.)
      const mapTab = page.locator('[data-testid=view-switch] button[data-view=map]');
      expect(await mapTab.getAttribute('title')).toBe('城市地图');
      // The purpose picker in the header speaks Chinese too (signing in again stated none).
      expect(await picker().inputValue()).toBe('');
      expect(await picker().locator('option[value=""]').textContent()).toBe('未说明用途');
      expect(await picker().locator(`option[value=${PURPOSE.id}]`).textContent()).toBe('环境保护');
      await page.screenshot({ path: `${ARTIFACTS}sharing-zh.png` });
    });

    it('goes back to the live map as it was', async () => {
      await page.locator('[data-testid=view-switch] button[data-view=map]').click();
      await sharing().waitFor({ state: 'hidden' });
      await page.waitForFunction('window.__cockpit && window.__cockpit.deviceCount() > 0', null, {
        timeout: 30_000,
      });
      expect(await page.evaluate<string>('window.__cockpit.view()')).toBe('map');
      await page.locator('[data-testid=alert-feed]').waitFor({ state: 'visible' });
    }, 40_000);
  },
);
