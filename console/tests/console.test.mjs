// Browser tests of the console against a real Herald (NATS, Postgres, local receivers).
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startHerald, startReceiver, startBrowser, signIn, shoot, SHOTS } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const WAIT = { timeout: 15000 };

let herald;
let browser;
let receiver;
let failing;
let page;
const ids = {};
let allowed = [];
/** An API error answer the test provokes shows in Chromium's log; allow it by pattern. */
const expectHttpError = (status) => allowed.push(`the server responded with a status of ${status}`);

async function axeCheck(p, name) {
  await p.evaluate(AXE); // through the DevTools protocol: the page's CSP forbids inline scripts
  const result = await p.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious.map((v) => `${name}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), []);
}

async function visit(hash) {
  await page.goto(`${herald.base}/${hash}`);
  await page.locator('main h1').first().waitFor(WAIT);
  await page.locator('main .loading').waitFor({ state: 'detached', timeout: 10000 }).catch(() => {});
}

async function until(fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('console', { concurrency: false }, () => {
  before(async () => {
    [herald, receiver, failing] = await Promise.all([startHerald(), startReceiver(), startReceiver()]);
    browser = await startBrowser();
    page = await browser.newPage();
    page.setDefaultTimeout(10000);
  });

  after(async () => {
    await browser?.close();
    await receiver?.stop();
    await failing?.stop();
    if (herald) {
      const leaked = herald.logs.join('').includes(herald.adminToken);
      await herald.stop();
      assert.equal(leaked, false, 'the admin token appeared in Herald\'s logs');
    }
  });

  afterEach(() => {
    const errors = browser.errors.splice(0).filter((e) => !allowed.some((a) => e.includes(a)));
    allowed = [];
    assert.deepEqual(errors, [], 'the browser logged errors');
    const withToken = browser.urls.filter((u) => u.includes(herald.adminToken) || u.includes('hrd_'));
    assert.deepEqual(withToken, [], 'a URL carried a token');
  });

  it('signs in with the admin token, keeps it in sessionStorage only, and signs out', async () => {
    const started = Date.now();
    await page.goto(`${herald.base}/`);
    await page.getByLabel('API token').waitFor();
    const interactive = Date.now() - started;
    assert.ok(interactive < 1000, `the sign-in page took ${interactive} ms to be usable`);
    const bytes = await page.evaluate(() => performance.getEntriesByType('resource').reduce((n, r) => n + r.encodedBodySize, 0));
    assert.ok(bytes < 150000, `the first page loaded ${bytes} bytes`);
    await shoot(page, 'signin');
    expectHttpError(401);
    await page.getByLabel('API token').fill('wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Herald did not accept this token.').waitFor();
    await signIn(page, herald.base, herald.adminToken);
    await page.getByRole('heading', { name: 'Subscriptions', exact: true }).waitFor();
    await page.getByText('No subscriptions yet').waitFor();
    await shoot(page, 'subscriptions-empty');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('herald.token')), herald.adminToken);
    assert.equal(await page.evaluate(() => localStorage.length), 0);
    assert.ok(!page.url().includes(herald.adminToken));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('herald.token')), null);
    await signIn(page, herald.base, herald.adminToken);
  });

  it('shows the API\'s field error on a Discord subscription, then saves it', async () => {
    await visit('#/subscriptions/new');
    await page.locator('label.segment', { hasText: 'Discord' }).click();
    const form = page.locator('form.sub-form');
    await form.getByLabel('Name', { exact: true }).fill('discord alerts');
    await form.getByLabel('Tenant', { exact: true }).fill('acme');
    const url = page.getByLabel('Webhook URL').locator('visible=true');
    expectHttpError(422);
    await url.fill('not a url');
    await page.getByRole('button', { name: 'Create subscription' }).click();
    const error = page.locator('.target-panel[data-channel="discord"] .field-error').first();
    await error.waitFor(WAIT);
    assert.match(await error.textContent(), /not a valid URL/);
    assert.equal(await url.getAttribute('aria-invalid'), 'true');
    assert.ok((await url.getAttribute('aria-describedby')).includes(await error.getAttribute('id')));
    assert.ok(await url.evaluate((el) => el === document.activeElement), 'the bad field has the focus');
    await shoot(page, 'subscription-form-error');
    await url.fill(receiver.url('/api/webhooks/1/abc'));
    await page.getByRole('button', { name: 'Create subscription' }).click();
    await page.getByRole('heading', { name: 'discord alerts' }).waitFor(WAIT);
    ids.discord = page.url().split('/').pop();
    assert.match(ids.discord, /^sub_/);
  });

  it('sends a test and shows what the receiver answered', async () => {
    receiver.status = 200;
    receiver.body = '{"ok":true,"note":"hello from the receiver"}';
    await page.getByRole('button', { name: 'Send test' }).first().click();
    const result = page.getByTestId('test-result');
    await result.waitFor(WAIT);
    const text = await result.textContent();
    assert.match(text, /HTTP 200/);
    assert.match(text, /hello from the receiver/);
    assert.match(text, /delivered/);
    assert.ok(receiver.requests.length >= 1);
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.locator('.preview .request-line').waitFor(WAIT);
    assert.match(await page.locator('.preview .request-line').textContent(), /POST/);
    await shoot(page, 'subscription');
  });

  it('shows a published event in the delivery log without a reload', async () => {
    await visit('#/deliveries');
    await page.evaluate(() => { window.notReloaded = true; });
    await herald.publish('acme', 'demo.job.completed', { name: 'nightly-sync' });
    await page.locator('tbody tr', { hasText: 'demo.job.completed' }).first().waitFor(WAIT);
    assert.equal(await page.evaluate(() => window.notReloaded), true);
    await page.locator('tbody tr', { hasText: 'delivered' }).first().waitFor(WAIT);
  });

  it('shows a failing delivery\'s attempts and next retry, then Retry delivers it', async () => {
    failing.status = 503;
    failing.body = 'upstream is down for maintenance';
    const sub = await herald.api('POST', '/v1/subscriptions', {
      tenant: 'acme', name: 'flaky receiver', channel: 'webhook', event_types: ['job.*'],
      target: { url: failing.url('/flaky') }, retry: { max_attempts: 2, delays_seconds: [4] },
    });
    ids.flaky = sub.id;
    await herald.publish('acme', 'job.failed', { name: 'nightly-backup', error: { message: 'disk full' } });
    const delivery = await until(async () => (await herald.api('GET', `/v1/deliveries?subscription_id=${sub.id}`)).items[0]);
    ids.delivery = delivery.id;
    await visit(`#/deliveries/${delivery.id}`);
    const attempts = page.locator('section.card', { hasText: 'Attempts (' });
    await attempts.locator('tbody tr').first().waitFor(WAIT);
    await page.getByText('next try').first().waitFor(WAIT);
    assert.match(await attempts.textContent(), /503/);
    assert.match(await attempts.textContent(), /upstream is down/);
    await shoot(page, 'delivery-retrying');
    await page.locator('.page-header .badge', { hasText: 'failed' }).waitFor({ timeout: 20000 });
    assert.equal(await attempts.locator('tbody tr').count(), 2);
    if (await page.getByRole('link', { name: 'Open trace ↗' }).count()) {
      assert.match(await page.getByRole('link', { name: 'Open trace ↗' }).first().getAttribute('href'), /trace=/);
    }
    await shoot(page, 'delivery-failed');
    failing.status = 200;
    failing.body = '{"received":true}';
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.locator('.page-header .badge', { hasText: 'delivered' }).waitFor({ timeout: 20000 });
    await shoot(page, 'delivery');
  });

  it('counts a bulk retry first and asks before retrying', async () => {
    failing.status = 500;
    await herald.publish('acme', 'job.failed', { name: 'second-run' });
    await until(async () => (await herald.api('GET', `/v1/deliveries?subscription_id=${ids.flaky}&status=failed`)).items.length > 0, 25000);
    await visit(`#/deliveries?status=failed&subscription_id=${ids.flaky}`);
    await page.locator('tbody tr', { hasText: 'failed' }).first().waitFor(WAIT);
    await shoot(page, 'deliveries-failed');
    failing.status = 200;
    await page.getByRole('button', { name: 'Retry failed…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /Retry 1 failed delivery\?/);
    await dialog.getByRole('button', { name: 'Retry 1' }).click();
    await page.getByText('Queued 1 delivery again.').waitFor();
  });

  it('creates a subscription of every other channel through its form', async () => {
    const cases = [
      ['Webhook', 'webhook with auth', async (form) => {
        await form.locator('input[name="target.url"]').fill(receiver.url('/auth'));
        await form.getByLabel('Authentication').selectOption('bearer');
        await form.getByLabel('Bearer token').fill('s3cret-token');
        await form.getByLabel('Extra headers').fill('X-Team: ops');
      }, (sub) => sub.target.auth?.type === 'bearer' && 'X-Team' in sub.target.headers],
      ['Slack', 'slack ops', async (form) => {
        await form.locator('.target-panel[data-channel="slack"] input[name="target.webhook_url"]').fill(receiver.url('/slack-ops'));
        await form.getByLabel('Icon emoji').fill(':bell:');
        await form.getByLabel('Condition').selectOption('custom');
        await form.locator('input[name="condition-outcomes"][value="failure"]').check();
        await form.locator('input[name="condition-outcomes"][value="warning"]').check();
      }, (sub) => sub.channel === 'slack' && sub.target.icon_emoji === ':bell:' && Array.isArray(sub.condition)],
      ['Teams', 'teams ops', async (form) => {
        await form.locator('.target-panel[data-channel="teams"] input[name="target.webhook_url"]').fill(receiver.url('/teams'));
        await form.getByLabel('Format').selectOption('message_card');
        await form.getByLabel('Notify').selectOption('transitions');
        await form.getByLabel('Reminder every').fill('2h');
      }, (sub) => sub.target.format === 'message_card' && sub.notify === 'transitions' && sub.repeat_interval === '2h'],
      ['Email', 'email ops', async (form) => {
        await form.getByLabel('To', { exact: true }).fill('ops@example.com, oncall@example.com');
        await form.getByLabel('Group bursts of similar events into one message').check();
      }, (sub) => sub.target.to.length === 2 && sub.group?.wait === '30s'],
      ['Daily digest', 'morning digest', async (form) => {
        await form.getByLabel('Send the digest by').selectOption('discord');
        await form.locator('.target-panel[data-channel="discord"] input[name="target.webhook_url"]').fill(receiver.url('/api/webhooks/2/x'));
        await form.getByLabel('Hour (0–23)').fill('6');
      }, (sub) => sub.channel === 'discord' && sub.digest?.hour === 6],
    ];
    for (const [mode, name, fill, check] of cases) {
      await visit('#/subscriptions/new');
      const form = page.locator('form.sub-form');
      await page.locator('label.segment', { hasText: mode }).click();
      await form.getByLabel('Name', { exact: true }).fill(name);
      await form.getByLabel('Tenant', { exact: true }).fill('acme');
      await fill(form);
      await page.getByRole('button', { name: 'Create subscription' }).click();
      await page.getByRole('heading', { name, exact: true }).waitFor(WAIT);
      const sub = await herald.api('GET', `/v1/subscriptions/${page.url().split('/').pop()}`);
      assert.ok(check(sub), `${mode}: ${JSON.stringify(sub)}`);
      if (mode === 'Webhook') {
        await page.locator('.alert-secret code.secret').waitFor();
        assert.equal(sub.target.auth.token, '****');
      }
    }
  });

  it('edits a subscription with a merge patch and rotates its secret once', async () => {
    await visit(`#/subscriptions/${ids.flaky}/edit`);
    const form = page.locator('form.sub-form');
    await form.getByLabel('Name', { exact: true }).fill('flaky receiver (edited)');
    await form.getByLabel('Quiet hours').check();
    await form.locator('input[name="quiet_hours.timezone"]').fill('Europe/Berlin');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'flaky receiver (edited)' }).waitFor(WAIT);
    const sub = await herald.api('GET', `/v1/subscriptions/${ids.flaky}`);
    assert.equal(sub.quiet_hours.timezone, 'Europe/Berlin');
    assert.equal(sub.quiet_hours.windows.length, 1);
    assert.equal(sub.retry.max_attempts, 2, 'fields the form did not change stay');
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate' }).click();
    const secret = page.locator('.alert-secret code.secret');
    await secret.waitFor(WAIT);
    assert.match(await secret.textContent(), /^whsec_/);
    await page.locator('.alert-secret').getByRole('button', { name: 'Copy' }).waitFor();
    await shoot(page, 'subscription-rotated');
    await visit(`#/subscriptions/${ids.flaky}/edit`);
    await form.getByLabel('Quiet hours').uncheck();
    await form.getByLabel('Name', { exact: true }).fill('flaky receiver');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'flaky receiver', exact: true }).waitFor(WAIT);
    assert.equal((await herald.api('GET', `/v1/subscriptions/${ids.flaky}`)).quiet_hours, undefined);
    assert.doesNotMatch(await page.locator('main').textContent(), /whsec_(?!\*)/, 'the secret is masked elsewhere');
  });

  it('keeps a tenant token to its own tenant', async () => {
    const other = await herald.api('POST', '/v1/subscriptions', {
      tenant: 'globex', name: 'globex secret hook', channel: 'webhook', target: { url: receiver.url('/globex') },
    });
    const token = await herald.tenantToken('acme');
    const tenantPage = await browser.newPage();
    await signIn(tenantPage, herald.base, token);
    await tenantPage.getByRole('link', { name: 'discord alerts', exact: true }).waitFor(WAIT);
    assert.equal(await tenantPage.getByText('globex secret hook').count(), 0);
    assert.match(await tenantPage.locator('.topbar').textContent(), /tenant acme/);
    expectHttpError(404);
    await tenantPage.goto(`${herald.base}/#/subscriptions/${other.id}`);
    await tenantPage.getByText('Not found.').waitFor(WAIT);
    assert.equal(await tenantPage.getByText('globex secret hook').count(), 0);
    await tenantPage.close();
    const readOnlyPage = await browser.newPage();
    await signIn(readOnlyPage, herald.base, await herald.tenantToken('acme', 'viewer', true));
    await readOnlyPage.getByRole('link', { name: 'discord alerts', exact: true }).waitFor(WAIT);
    assert.match(await readOnlyPage.locator('.topbar').textContent(), /read-only/);
    assert.equal(await readOnlyPage.getByRole('link', { name: 'New subscription' }).count(), 0);
    assert.equal(await readOnlyPage.getByRole('button', { name: /Send test/ }).count(), 0);
    await readOnlyPage.close();
  });

  it('shows every page at desktop and phone width, in dark mode, with no serious axe violations', async () => {
    const digestMail = await herald.api('POST', '/v1/subscriptions', {
      tenant: 'acme', name: 'daily report', channel: 'email', target: { to: ['ops@example.com'] }, digest: { hour: 8, timezone: 'Europe/Berlin' },
    });
    await herald.api('POST', '/v1/subscriptions', {
      tenant: 'acme', name: 'slack digest', channel: 'slack', target: { webhook_url: receiver.url('/slack') }, digest: { hour: 7 },
    });
    herald.publishRaw({ specversion: '1.0', id: 'bad-2', source: 'console-test', type: 'transfer.failed', tenant: 'acme', data: { note: 'no transfer fields' } });
    herald.publishRaw({ specversion: '1.0', id: 'bad-3', source: 'console-test', type: 'backup.completed', tenant: 'acme', data_base64: 'aGVsbG8=' });
    failing.status = 502;
    failing.body = 'bad gateway';
    await herald.publish('acme', 'job.warning', { name: 'weekly-archive' });
    await herald.publish('acme', 'demo.report.completed', { name: 'nightly-report' });
    await until(async () => (await herald.api('GET', `/v1/deliveries?subscription_id=${ids.flaky}&status=failed`)).items.length > 0);
    const event = (await herald.api('GET', '/v1/events?tenant=acme')).items[0];
    const pages = [
      ['subscriptions', '#/subscriptions'],
      ['subscription-form', '#/subscriptions/new'],
      ['subscription-edit', `#/subscriptions/${ids.flaky}/edit`],
      ['deliveries', '#/deliveries'],
      ['events', '#/events'],
      ['event', `#/events/${event.id}?tenant=acme`],
      ['rejections', '#/rejections'],
      ['digests', `#/digests?subscription_id=${digestMail.id}&date=${new Date().toISOString().slice(0, 10)}`],
    ];
    for (const [name, hash] of pages) {
      await visit(hash);
      if (name === 'digests') await page.locator('iframe.mail-frame').waitFor(WAIT);
      if (name === 'rejections') {
        await page.locator('tbody tr').first().waitFor(WAIT);
      }
      const { overflow } = await shoot(page, name);
      assert.ok(overflow <= 0, `${name} scrolls sideways at phone width (${overflow}px)`);
      await axeCheck(page, name);
    }
    await visit(`#/events/${event.id}?tenant=acme`);
    await page.locator('.preview-links a').first().click();
    await page.locator('.preview').waitFor(WAIT);
    assert.equal(await page.locator('#preview-event').inputValue(), event.id);
    await page.setViewportSize({ width: 390, height: 844 });
    await visit('#/subscriptions');
    await page.screenshot({ path: join(SHOTS, 'phone-screen.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
    await visit(`#/digests?subscription_id=${digestMail.id}`);
    await page.locator('#d-sub').selectOption({ label: 'slack digest (slack)' });
    await page.locator('.chat').waitFor(WAIT);
    await shoot(page, 'digests-slack');
    const dark = await browser.newPage({ colorScheme: 'dark' });
    for (const [name, hash] of [['subscriptions', '#/subscriptions'], ['delivery', `#/deliveries/${ids.delivery}`], ['subscription-form', '#/subscriptions/new']]) {
      await dark.goto(`${herald.base}/${hash}`);
      if (!(await dark.getByRole('navigation', { name: 'Main' }).count())) {
        await dark.getByLabel('API token').fill(herald.adminToken);
        await dark.getByRole('button', { name: 'Sign in' }).click();
      }
      await dark.locator('main h1').first().waitFor(WAIT);
      await dark.waitForTimeout(300);
      await shoot(dark, `dark-${name}`);
      await axeCheck(dark, `dark-${name}`);
    }
    await dark.close();
  });
});
