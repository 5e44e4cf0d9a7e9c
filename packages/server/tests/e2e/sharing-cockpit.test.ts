import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startCitybrain } from '../helpers/start-server.js';

// The cockpit's data-sharing view against the real server in Debian's Chromium: a transport
// department requests air-quality data through the form, the environment department's owner
// approves it and then revokes it, and the screen reads in Chinese.
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

const config = { demo: { devicesPerKind: 2, intervalMs: 1000 } };
const CJK = /[\u4e00-\u9fff]/;
const DATASET = { id: 'AirQualityObserved', title: 'Air quality stations' };

describe.skipIf(!hasChromium)(
  `data sharing in the cockpit${hasChromium ? '' : ` (skipped: ${CHROMIUM} not found)`}`,
  () => {
    let server: Awaited<ReturnType<typeof startCitybrain>>;
    let browser: Browser;
    let page: Page;
    let requesterKey: string;
    let ownerKey: string;

    const sharing = () => page.locator('[data-testid=sharing-view]');
    const grantRow = () => page.locator('[data-testid=grant-row]').first();
    const form = () => page.locator('[data-testid=request-form]');

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
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          '--use-gl=angle',
          '--use-angle=swiftshader',
          '--enable-unsafe-swiftshader',
        ],
      });
      page = await browser.newPage({ viewport: { width: 1600, height: 900 }, locale: 'en-US' });
      mkdirSync(ARTIFACTS, { recursive: true });
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
      expect(await sharing().innerText()).toContain('No grant yet');
    }, 45_000);

    it('requests access through the form, showing what is wrong first', async () => {
      await form().locator('button[type=submit]').click();
      await expect
        .poll(() => form().locator('[data-testid=request-error]').innerText())
        .toContain('Choose the dataset');

      await form().locator('select[name=target]').selectOption(DATASET.id);
      await page.locator('#request-attributes').fill('pm25,');
      await page.locator('#request-attributes').fill('no2');
      await form().locator('input[name=rowFilter]').fill('pm25>>>');
      await form().locator('select[name=purpose]').selectOption('environmental-protection');
      await form().getByText('No commercial use').click();
      await form().locator('button[type=submit]').click();
      // The server's own words about the row filter, next to the form.
      await expect
        .poll(() => form().locator('[data-testid=request-error]').innerText(), { timeout: 10_000 })
        .toMatch(/rowFilter/);

      // Every station passes this filter, so that the read below returns rows to log.
      await form().locator('input[name=rowFilter]').fill('pm25>=0');
      await form().locator('button[type=submit]').click();
      await expect
        .poll(() => form().locator('[data-testid=request-sent]').innerText(), { timeout: 10_000 })
        .toContain('Environment Bureau');
      const row = await grantRow().innerText();
      expect(row).toContain('Requested');
      expect(row).toContain('Transport Bureau');
      expect(row).toContain('Environmental protection');
      expect(row).toMatch(/pm25[\s\S]*no2/);
      expect(row).toContain('pm25>=0');
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

      // The transport department reads under the grant: the owner sees who, why and under what.
      const read = await api(server, `/ngsi-ld/v1/entities?type=${DATASET.id}`, {
        headers: {
          authorization: `Bearer ${requesterKey}`,
          'citybrain-purpose': 'environmental-protection',
        },
      });
      expect(read.status, JSON.stringify(read.body)).toBe(200);
      await page.getByRole('button', { name: 'Refresh' }).click();
      const access = page
        .locator('[data-testid=access-row]')
        .filter({ hasText: 'Transport Bureau' })
        .filter({ hasText: 'Environmental protection' })
        .first();
      await expect.poll(() => access.innerText(), { timeout: 10_000 }).toContain('Allowed');
      await page.screenshot({ path: `${ARTIFACTS}sharing-en.png` });

      await grantRow().locator('button[data-action=details]').click();
      const drawer = page.locator('[data-testid=grant-drawer]');
      await expect
        .poll(() => drawer.locator('[data-testid=odrl]').innerText(), { timeout: 10_000 })
        .toContain('"Agreement"');
      expect(await drawer.innerText()).toContain('environmental-protection');
      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'detached' });
    }, 45_000);

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
      expect(await page.locator('[data-testid=view-switch]').innerText()).toMatch(/城市地图/);
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
