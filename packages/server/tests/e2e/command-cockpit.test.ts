import { crc32, deflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PM25_HIGH_RULE } from '../../src/brain/index.js';
import { ARTIFACTS, CHROMIUM, hasChromium, launchCockpitBrowser } from '../helpers/browser.js';
import { api, startCitybrain } from '../helpers/start-server.js';

// The cockpit's command screens against the real server in Debian's Chromium: the operator
// sees a PM2.5 alert arrive live, acknowledges it with a note, reads its evidence, dispatches
// a task from its incident; the assignee's key completes the task with a report and a photo;
// a task dispatched through the API shows live on the assignee's open screen and follows its
// status; the operator edits the rule (refused, then saved as a new version), backtests a
// draft, and reads the screens in Chinese.

// The rule starts paused: it is switched on once the command view is open, to see the alert arrive.
const RULE = { ...PM25_HIGH_RULE, forSeconds: 3, status: 'paused' as const };
const config = {
  demo: {
    devicesPerKind: 5,
    intervalMs: 500,
    episode: { startAfterSeconds: 1, durationSeconds: 1800, pm25: 180 },
  },
  rules: [RULE],
};
const COMMANDER = { id: 'environment-bureau', name: 'Ecology and Environment Bureau' };
const ASSIGNEE = { id: 'urban-management', name: 'Urban Management Bureau' };
const NOTE = 'Station checked: real pollution, not a sensor fault';
const TASK_TITLE = 'Inspect the construction sites near station 0001';
const REPORT = 'Two sites stopped dust-raising work; water spraying in place.';
const LIVE_TITLE = 'Close the lane by the school gate';
/** A task pushed live shows within this; the lists are read whole only every 60 s. */
const LIVE_WITHIN_MS = 5_000;
const CJK = /[\u4e00-\u9fff]/;
/** How long the page may take to show a change (software rendering on a busy machine is slow). */
const WAIT = { timeout: 20_000 };

/** A small real PNG (a blue-green gradient), so that the browser can draw it back. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      rows.set(
        [40, 120 + (x * 100) / width, 160 + (y * 80) / height],
        y * (width * 3 + 1) + 1 + x * 3,
      );
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe.skipIf(!hasChromium)(
  `command screens in the cockpit${hasChromium ? '' : ` (skipped: ${CHROMIUM} not found)`}`,
  () => {
    let server: Awaited<ReturnType<typeof startCitybrain>>;
    let browser: Browser;
    let page: Page;
    let assigneeKey: string;
    let alertId: string;
    let taskId: string;
    const photo = png(48, 32);

    const view = () => page.locator('[data-testid=command-view]');
    const alertRows = () => page.locator('[data-testid=command-alert-row]');
    const alertDrawer = () => page.locator('[data-testid=alert-drawer]');
    const taskDrawer = () => page.locator('[data-testid=task-drawer]');
    const editor = () => page.locator('[data-testid=rule-editor]');
    const ruleText = () => editor().locator('[data-testid=rule-text]');

    async function openCommand(tab: 'alerts' | 'incidents' | 'tasks' | 'rules'): Promise<void> {
      await page.locator('[data-testid=view-switch] button[data-view=command]').click();
      await view().waitFor({ state: 'visible' });
      await page.locator(`[data-testid=command-tabs] button[data-tab=${tab}]`).click();
      await expect.poll(() => view().getAttribute('data-tab'), WAIT).toBe(tab);
    }
    /** A screenshot with animations finished (a drawer slides in; frames are rare under load). */
    async function shot(name: string): Promise<void> {
      await page.screenshot({ path: `${ARTIFACTS}${name}.png`, animations: 'disabled' });
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
      // Air pollution anywhere goes to the environment bureau first, then urban management.
      const row = await api(server, '/api/v1/responsibility/air-pollution', {
        method: 'PUT',
        json: {
          id: 'air-pollution',
          category: 'environment',
          subCategory: 'airPollution',
          area: '*',
          chain: [
            { organisation: COMMANDER.id, acknowledgeWithinSeconds: 900 },
            { organisation: ASSIGNEE.id },
          ],
        },
      });
      expect(row.status, JSON.stringify(row.body)).toBe(204);
      const key = await api(server, '/api/v1/api-keys', {
        method: 'POST',
        json: {
          name: 'urban management field team',
          organisation: ASSIGNEE.id,
          roles: ['responder'],
        },
      });
      expect(key.status, JSON.stringify(key.body)).toBe(201);
      assigneeKey = key.body.key as string;
      ({ browser, page } = await launchCockpitBrowser());
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('shows an alert raised live in the command view, routed to its responsible bureau', async () => {
      await page.goto(`${server.url}/#token=${server.token}`);
      await page.locator('[data-testid=header]').waitFor({ state: 'visible', timeout: 30_000 });
      await openCommand('alerts');
      await expect
        .poll(() => page.locator('[data-testid=alert-board]').innerText(), WAIT)
        .toContain('No alert matches these filters');

      const on = await api(server, `/api/v1/rules/${RULE.id}`, {
        method: 'PUT',
        json: { ...RULE, status: 'active' },
      });
      expect(on.status, JSON.stringify(on.body)).toBe(200);

      const row = alertRows().first();
      await row.waitFor({ state: 'visible', timeout: 60_000 });
      expect(await view().getAttribute('data-tab')).toBe('alerts');
      alertId = (await row.getAttribute('data-alert-id'))!;
      expect(alertId).toMatch(/^urn:ngsi-ld:Alert:pm25-high:/);
      const text = await row.innerText();
      expect(text).toMatch(/PM2\.5 > 75/);
      expect(text).toContain(COMMANDER.name);
      expect(text).toContain('Raised');
      expect(await page.locator('[data-testid=command-tabs]').innerText()).toMatch(/Alerts\s*\d/);
      await shot('command-alerts-en');
    }, 120_000);

    it('acknowledges the alert with a note, and its history says who did it and why', async () => {
      await alertRows().first().locator('.arow__title').click();
      const drawer = alertDrawer();
      await drawer.waitFor({ state: 'visible' });
      expect(await drawer.locator('[data-testid=alert-description]').innerText()).toMatch(/PM2\.5/);
      expect(await drawer.locator('[data-testid=alert-responsible]').innerText()).toBe(
        COMMANDER.name,
      );
      expect(await drawer.locator('[data-testid=alert-level]').innerText()).toBe('Level 1 of 2');

      await drawer.locator('[data-testid=alert-actions] textarea[name=note]').fill(NOTE);
      await drawer.locator('[data-testid=alert-actions] button[data-action=acknowledge]').click();
      await expect
        .poll(() => drawer.locator('[data-testid=alert-action-notice]').innerText(), WAIT)
        .toContain('now Acknowledged');
      const entry = drawer.locator('[data-testid=history] li[data-action=acknowledged]');
      await entry.waitFor({ state: 'visible' });
      const said = await entry.innerText();
      expect(said).toContain(NOTE);
      expect(said).toContain('Operator');
      expect(said).toContain('Raised → Acknowledged');
      // The list follows: the same alert, acknowledged, without reloading the page.
      await expect
        .poll(() => alertRows().first().getAttribute('data-status'), WAIT)
        .toBe('acknowledged');
      const stored = await api(server, `/api/v1/alerts/${encodeURIComponent(alertId)}`);
      expect(stored.body.status).toBe('acknowledged');
      expect(stored.body.history.at(-1)).toMatchObject({ action: 'acknowledged', note: NOTE });
    }, 120_000);

    it("charts the evidence: the station's PM2.5 over the alert's period", async () => {
      const chart = alertDrawer().locator('[data-testid=evidence-chart]');
      await chart.locator('canvas').first().waitFor({ state: 'visible', timeout: 10_000 });
      expect(await chart.getAttribute('data-attr')).toBe('pm25');
      // The history has loaded once the chart's status line is gone.
      await expect.poll(() => chart.locator('.chart__status').count(), WAIT).toBe(0);
      const history = page.waitForResponse((r) =>
        r.url().includes('/ngsi-ld/v1/temporal/entities/'),
      );
      // Drawn again on opening: the chart asks for the period between the alert's bounds.
      await page.keyboard.press('Escape');
      await alertRows().first().locator('.arow__title').click();
      const url = new URL((await history).url());
      expect(url.searchParams.get('timerel')).toBe('between');
      expect(url.searchParams.get('attrs')).toBe('pm25');
      expect(Date.parse(url.searchParams.get('endTimeAt')!)).toBeGreaterThan(
        Date.parse(url.searchParams.get('timeAt')!),
      );
      await expect.poll(() => chart.locator('.chart__status').count(), WAIT).toBe(0);
      expect(
        await alertDrawer().locator('[data-testid=evidence-table] tbody tr').count(),
      ).toBeGreaterThan(0);
      await chart.scrollIntoViewIfNeeded();
      await shot('command-alert-drawer-en');
    }, 120_000);

    it("dispatches a task from the alert's incident", async () => {
      await alertDrawer().getByRole('button', { name: 'Open the incident' }).click();
      const detail = page.locator('[data-testid=incident-detail]');
      await detail.waitFor({ state: 'visible' });
      await expect
        .poll(
          () =>
            detail.locator(`[data-testid=incident-alerts] [data-alert-id="${alertId}"]`).count(),
          WAIT,
        )
        .toBe(1);
      await expect.poll(() => detail.innerText(), WAIT).toContain(COMMANDER.name);

      await detail.locator('button[data-action=dispatch]').click();
      const dialog = page.locator('[data-testid=dispatch-dialog]');
      await dialog.waitFor({ state: 'visible' });
      await dialog.locator('button[data-action=dispatch-submit]').click();
      expect(await dialog.locator('.form__error').innerText()).toContain('Choose the organisation');
      await dialog.locator('select[name=assignee]').selectOption(ASSIGNEE.id);
      await dialog.locator('input[name=title]').fill(TASK_TITLE);
      await dialog
        .locator('textarea[name=description]')
        .fill('Check for dust-raising work upwind.');
      await dialog.locator('button[data-priority=high]').click();
      await dialog.locator('button[data-action=dispatch-submit]').click();
      await dialog.waitFor({ state: 'detached', timeout: 10_000 });

      // The new task opens; the incident lists it.
      const drawer = taskDrawer();
      await drawer.waitFor({ state: 'visible' });
      taskId = (await drawer.getAttribute('data-task-id'))!;
      await expect.poll(() => drawer.innerText(), WAIT).toContain(TASK_TITLE);
      expect(await drawer.innerText()).toContain('Dispatched');
      await page.keyboard.press('Escape');
      await expect
        .poll(
          () => detail.locator(`[data-testid=task-line][data-task-id="${taskId}"]`).count(),
          WAIT,
        )
        .toBe(1);
      const task = await api(server, `/api/v1/tasks/${encodeURIComponent(taskId)}`);
      expect(task.body).toMatchObject({
        assignee: ASSIGNEE.id,
        priority: 'high',
        status: 'dispatched',
      });
      expect(task.body.incident).toMatch(/^urn:ngsi-ld:Incident:/);
      await shot('command-incident-en');
    }, 120_000);

    it("completes the task as the assignee's key, with a written report and a photo", async () => {
      await signInWithCard(assigneeKey);
      await openCommand('tasks');
      const row = page.locator(`[data-testid=task-row][data-task-id="${taskId}"]`);
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      expect(await row.innerText()).toContain('High');
      await row.click();
      const drawer = taskDrawer();
      await drawer.waitFor({ state: 'visible' });
      await drawer.locator('button[data-action=accept]').click();
      await expect
        .poll(() => drawer.locator('[data-testid=task-notice]').innerText(), WAIT)
        .toContain('now Accepted');

      await drawer.locator('button[data-action=complete]').click();
      const form = drawer.locator('[data-testid=task-report-form]');
      await form.locator('textarea[name=report]').fill(REPORT);
      await form
        .locator('input[name=photos]')
        .setInputFiles({ name: 'site.png', mimeType: 'image/png', buffer: photo });
      await form.locator('[data-testid=report-previews] img').waitFor({ state: 'visible' });
      await form.locator('button[data-action=submit-report]').click();
      await expect
        .poll(() => drawer.locator('[data-testid=task-notice]').innerText(), WAIT)
        .toContain('completed, report sent');
      expect(await drawer.locator('[data-testid=task-report]').innerText()).toContain(REPORT);
      // The photo comes back from its URL, drawn from the bytes the server keeps.
      const img = drawer.locator('[data-testid=task-photo] img');
      await img.waitFor({ state: 'visible', timeout: 10_000 });
      await expect
        .poll(
          () => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth),
          WAIT,
        )
        .toBe(48);
      expect(await drawer.locator('.status').first().innerText()).toBe('Completed');
      await shot('command-task-completed-en');

      const task = await api(server, `/api/v1/tasks/${encodeURIComponent(taskId)}`);
      expect(task.body).toMatchObject({ status: 'completed', progress: 100 });
      expect(task.body.report).toMatchObject({ text: REPORT, photos: [task.body.photos[0].id] });
      const bytes = await fetch(`${server.url}${task.body.photos[0].url}`, {
        headers: { authorization: `Bearer ${server.token}` },
      });
      expect(bytes.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await bytes.arrayBuffer()).equals(photo)).toBe(true);
    }, 120_000);

    it('shows a task dispatched through the API live, without a reload, and follows its status', async () => {
      // The assignee's tasks screen is open; the list is read whole only every minute, so a
      // row that appears within seconds, with no list read in between, came from the stream.
      await page.keyboard.press('Escape');
      await taskDrawer().waitFor({ state: 'detached' });
      await openCommand('tasks');
      await page.evaluate(
        () => ((globalThis as unknown as { __sameDocument: boolean }).__sameDocument = true),
      );
      const listReads: string[] = [];
      const countListReads = (r: { url(): string }) => {
        if (new URL(r.url()).pathname === '/api/v1/tasks') listReads.push(r.url());
      };
      page.on('request', countListReads);
      const { incident } = (await api(server, `/api/v1/tasks/${encodeURIComponent(taskId)}`)).body;
      const dispatched = await api(server, '/api/v1/tasks', {
        method: 'POST',
        json: {
          title: LIVE_TITLE,
          priority: 'urgent',
          due: new Date(Date.now() + 3_600_000).toISOString(),
          assignee: ASSIGNEE.id,
          incident,
        },
      });
      expect(dispatched.status, JSON.stringify(dispatched.body)).toBe(201);
      const liveId = dispatched.body.id as string;
      const row = page.locator(`[data-testid=task-row][data-task-id="${liveId}"]`);
      await row.waitFor({ state: 'visible', timeout: LIVE_WITHIN_MS });
      expect(await row.innerText()).toContain(LIVE_TITLE);
      expect(await row.getAttribute('data-status')).toBe('dispatched');

      // Accepted with the assignee's key elsewhere: the open screen follows.
      const accepted = await api(server, `/api/v1/tasks/${encodeURIComponent(liveId)}/accept`, {
        method: 'POST',
        headers: { authorization: `Bearer ${assigneeKey}` },
        json: {},
      });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
      await expect
        .poll(() => row.getAttribute('data-status'), { timeout: LIVE_WITHIN_MS })
        .toBe('accepted');
      page.off('request', countListReads);
      expect(listReads).toEqual([]);
      expect(
        await page.evaluate(
          () => (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument,
        ),
      ).toBe(true);
      await shot('command-task-live-en');

      // The frames sent and the read of the task they led to are in the audit chain.
      const log = await api(server, '/api/v1/access-log?limit=500');
      const about = (
        log.body.records as { action: string; resource: string; organisation?: string }[]
      )
        .filter((r) => r.resource === liveId && r.organisation === ASSIGNEE.id)
        .map((r) => r.action);
      expect(about).toContain('cockpit.stream');
      expect(about).toContain('task.read');
    }, 120_000);

    it("shows the server's message for an invalid rule, and saves a valid change as a new version", async () => {
      await signInWithCard(server.token);
      await openCommand('rules');
      await editor().waitFor({ state: 'visible' });
      await expect
        .poll(() => editor().locator('[data-testid=rule-version]').innerText(), WAIT)
        .toBe('v2');
      const original = await ruleText().inputValue();
      expect(JSON.parse(original)).toMatchObject({ id: RULE.id, status: 'active', value: 75 });

      await ruleText().fill(original.replace('"operator": ">"', '"operator": ">>"'));
      await editor().locator('button[data-action=save-rule]').click();
      const problem = editor().locator('[data-testid=rule-error]');
      await problem.waitFor({ state: 'visible', timeout: 10_000 });
      // The server's own words (the schema's message), whichever it is: it names the field.
      expect(await problem.innerText()).toMatch(/body\/operator must be /);

      await ruleText().fill(original.replace('"value": 75', '"value": 80'));
      await editor().locator('button[data-action=save-rule]').click();
      await expect
        .poll(() => editor().locator('[data-testid=rule-saved]').innerText(), WAIT)
        .toBe('Saved as version 3.');
      expect(await editor().locator('[data-testid=rule-version]').innerText()).toBe('v3');
      expect(await problem.count()).toBe(0);
      await expect.poll(() => page.locator('[data-testid=rule-versions] li').count(), WAIT).toBe(3);
      const stored = await api(server, `/api/v1/rules/${RULE.id}`);
      expect(stored.body).toMatchObject({ version: 3, value: 80, updatedBy: 'operator' });
    }, 120_000);

    it('backtests the unsaved draft over the last hour and counts the alerts it would raise', async () => {
      // A draft in YAML, not saved: the backtest runs what is typed.
      await editor().locator('button[data-format=yaml]').click();
      await expect.poll(() => ruleText().inputValue(), WAIT).toContain('attribute: pm25');
      await ruleText().fill((await ruleText().inputValue()).replace('value: 80', 'value: 120'));
      expect(await editor().locator('[data-testid=rule-dirty]').count()).toBe(1);
      const panel = page.locator('[data-testid=backtest]');
      await panel.locator('button[data-period="1h"]').click();
      const sent = page.waitForRequest((r) =>
        r.url().endsWith(`/api/v1/rules/${RULE.id}/backtest`),
      );
      await panel.locator('button[data-action=backtest]').click();
      const request = await sent;
      expect(request.headers()['content-type']).toBe('application/yaml');
      expect(request.postData()).toContain('value: 120');
      const result = panel.locator('[data-testid=backtest-result]');
      await result.waitFor({ state: 'visible', timeout: 20_000 });
      const count = Number(await result.locator('[data-testid=backtest-count]').innerText());
      expect(count).toBeGreaterThan(0);
      expect(await result.innerText()).toContain('alerts would have been raised');
      // Nothing was saved by trying.
      expect((await api(server, `/api/v1/rules/${RULE.id}`)).body).toMatchObject({
        version: 3,
        value: 80,
      });
      await shot('command-rules-en');
    }, 120_000);

    it('reads in Chinese', async () => {
      await page.locator('[data-testid=language-switch] button[data-lang=zh]').click();
      await expect.poll(() => page.locator('html').getAttribute('lang'), WAIT).toBe('zh-CN');
      expect(await page.locator('[data-testid=view-switch]').innerText()).toContain('指挥调度');
      const tabs = await page.locator('[data-testid=command-tabs]').innerText();
      for (const word of ['告警', '事件', '工单', '规则']) expect(tabs).toContain(word);
      expect(await editor().innerText()).toContain('保存为新版本');
      expect(await page.locator('[data-testid=backtest]').innerText()).toContain('条告警将被触发');
      await shot('command-rules-zh');

      await page.locator('[data-testid=command-tabs] button[data-tab=alerts]').click();
      const row = alertRows().first();
      await row.waitFor({ state: 'visible' });
      expect(await row.innerText()).toContain('已确认');
      expect(await row.innerText()).toContain('生态环境局');
      const headings = await page.locator('[data-testid=command-alerts] thead').innerText();
      for (const word of ['级别', '告警', '责任单位', '状态']) expect(headings).toContain(word);
      await row.locator('.arow__title').click();
      const drawer = alertDrawer();
      await drawer.waitFor({ state: 'visible' });
      const text = await drawer.innerText();
      expect(text).toContain('处置历史');
      expect(text).toContain(NOTE);
      expect(await drawer.locator('[data-testid=alert-description]').innerText()).toMatch(CJK);
      await expect.poll(() => drawer.locator('.chart__status').count(), WAIT).toBe(0);
      await shot('command-alerts-zh');
    }, 120_000);
  },
);
