import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PM25_HIGH_RULE } from '../../src/brain/index.js';
import { ARTIFACTS, CHROMIUM, hasChromium, launchCockpitBrowser } from '../helpers/browser.js';
import { startCitybrain } from '../helpers/start-server.js';

// The cockpit against the real server in Debian's Chromium: live devices, a PM2.5 alert
// from a demo pollution episode, the Chinese UI, and a device chart.
const config = {
  demo: {
    devicesPerKind: 5,
    intervalMs: 500,
    episode: { startAfterSeconds: 1, durationSeconds: 600, pm25: 180 },
  },
  rules: [{ ...PM25_HIGH_RULE, forSeconds: 3 }],
};

const CJK = /[\u4e00-\u9fff]/;

describe.skipIf(!hasChromium)(
  `cockpit in Chromium${hasChromium ? '' : ` (skipped: ${CHROMIUM} not found)`}`,
  () => {
    let server: Awaited<ReturnType<typeof startCitybrain>>;
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      server = await startCitybrain({ args: ['--demo'], config });
      ({ browser, page } = await launchCockpitBrowser());
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('logs in from the URL and draws the city and its live devices on the map', async () => {
      await page.goto(`${server.url}/#token=${server.token}`);
      await page.waitForFunction('window.__cockpit && window.__cockpit.deviceCount() > 0', null, {
        timeout: 30_000,
      });
      expect(page.url()).not.toContain(server.token);
      await page.waitForFunction('window.__cockpit.map && window.__cockpit.map.loaded()', null, {
        timeout: 20_000,
      });
      const canvas = await page.locator('[data-testid=map] canvas.maplibregl-canvas').boundingBox();
      expect(canvas?.width).toBeGreaterThan(400);
      // Rendered features, not just data: the map has drawn device circles carrying their entity ids.
      const ids = await page.evaluate<string[]>(
        `window.__cockpit.map.queryRenderedFeatures({ layers: ['device-dot'] }).map((f) => f.properties.id)`,
      );
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.every((id) => id.startsWith('urn:ngsi-ld:'))).toBe(true);
    }, 60_000);

    it('shows a PM2.5 alert in the feed within 60 s', async () => {
      const item = page.locator('[data-testid=alert-item]').first();
      await item.waitFor({ state: 'visible', timeout: 60_000 });
      await expect.poll(() => item.innerText(), { timeout: 10_000 }).toMatch(/PM2\.5/i);
      expect(await page.evaluate<number>('window.__cockpit.alertCount()')).toBeGreaterThan(0);
    }, 75_000);

    it('switches the header and the alert feed to Chinese', async () => {
      await page.locator('[data-testid=language-switch] button[data-lang=zh]').click();
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('zh-CN');
      expect(await page.locator('[data-testid=header]').innerText()).toMatch(/设备/);
      expect(await page.locator('[data-testid=alert-feed]').innerText()).toMatch(/告警/);
      expect(await page.locator('[data-testid=alert-item]').first().innerText()).toMatch(CJK);
    });

    it('opens the alert source device with a live chart', async () => {
      await page.locator('[data-testid=alert-item]').first().click();
      const panel = page.locator('[data-testid=device-panel]');
      await panel.waitFor({ state: 'visible', timeout: 10_000 });
      expect(await panel.innerText()).toMatch(/PM2\.5/);
      await panel
        .locator('[data-testid=device-chart] canvas')
        .waitFor({ state: 'visible', timeout: 10_000 });
      // The history has loaded once the chart's status line ("loading…") is gone.
      await expect.poll(() => panel.locator('.chart__status').count(), { timeout: 15_000 }).toBe(0);
      await page.screenshot({ path: `${ARTIFACTS}cockpit-zh.png` });
    }, 40_000);
  },
);
