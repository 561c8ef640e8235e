// A real Herald for the browser tests: its own Postgres database and NATS subject prefix,
// local receivers whose answers the test controls, and Debian's chromium via playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, mkdirSync, rmSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHOTS = join(ROOT, 'target', 'console-shots');
const BIN = process.env.HERALD_BIN || join(ROOT, 'target', 'debug', 'herald');
const PG = { host: process.env.PGHOST || '127.0.0.1', port: process.env.PGPORT || '5432', user: process.env.PGUSER || 'postgres' };
const ENCRYPTION_KEY = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
    srv.on('error', reject);
  });
}

function psql(sql) {
  execFileSync('psql', ['-h', PG.host, '-p', PG.port, '-U', PG.user, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qc', sql], { stdio: 'pipe' });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts `herald serve --target all` against a fresh database; `stop()` ends it and drops it. */
export async function startHerald() {
  const id = randomBytes(5).toString('hex');
  const db = `herald_console_${id}`;
  psql(`CREATE DATABASE ${db}`);
  const port = await freePort();
  const adminToken = `console-test-admin-${id}`;
  const env = {
    ...process.env,
    HERALD_DATABASE_URL: `postgres://${PG.user}@${PG.host}:${PG.port}/${db}`,
    HERALD_NATS_URL: process.env.HERALD_TEST_NATS_URL || 'nats://127.0.0.1:4222',
    HERALD_SUBJECT_PREFIX: `console${id}`,
    HERALD_API_ADDR: `127.0.0.1:${port}`,
    HERALD_ADMIN_ADDR: '127.0.0.1:0',
    HERALD_ADMIN_TOKEN: adminToken,
    HERALD_ENCRYPTION_KEY: ENCRYPTION_KEY,
    HERALD_ALLOW_PRIVATE_TARGETS: 'true',
    HERALD_LOG_FORMAT: 'json',
    HERALD_TRANSITIONS_SETTLE_SECS: '0',
    RUST_LOG: process.env.RUST_LOG || 'warn',
  };
  const config = readFileSync(join(ROOT, 'crates', 'herald', 'src', 'config.rs'), 'utf8');
  if (config.includes('trace_url_template')) {
    env.HERALD_TRACE_URL_TEMPLATE = 'http://127.0.0.1:3000/explore?trace={trace_id}';
  }
  execFileSync(BIN, ['migrate'], { env, stdio: 'pipe' });
  const logs = [];
  const child = spawn(BIN, ['serve', '--target', 'all'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk) => { logs.push(chunk.toString()); if (logs.length > 400) logs.shift(); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  child.on('exit', (code) => { exited = code; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30000;
  for (;;) {
    if (exited !== null) throw new Error(`herald exited with ${exited}:\n${logs.join('')}`);
    try {
      const res = await fetch(`${base}/v1/me`, { headers: { Authorization: `Bearer ${adminToken}` } });
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`herald did not answer within 30 s:\n${logs.join('')}`);
    await sleep(150);
  }
  const herald = {
    base, adminToken, db, logs,
    async api(method, path, body, token = adminToken) {
      const res = await fetch(base + path, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      const data = text ? JSON.parse(text) : null;
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return data;
    },
    /** Publishes a CloudEvent with POST /v1/events as the admin. */
    publish(tenant, type, data = {}, extra = {}) {
      return herald.api('POST', '/v1/events', {
        specversion: '1.0', id: `evt-${randomBytes(6).toString('hex')}`, source: 'console-test', type, tenant, data, ...extra,
      });
    },
    /** Publishes a file on NATS as it is, as a publisher would (ingest checks it there). */
    publishRaw(event) {
      const file = join(mkdtempSync(join(tmpdir(), 'herald-event-')), 'event.json');
      writeFileSync(file, JSON.stringify(event));
      execFileSync(BIN, ['publish', '--file', file], { env, stdio: 'pipe' });
      rmSync(dirname(file), { recursive: true, force: true });
    },
    async tenantToken(tenant, name = 'console test', readOnly = false) {
      return (await herald.api('POST', '/v1/tokens', { tenant, name, read_only: readOnly })).token;
    },
    async stop() {
      if (exited === null) {
        child.kill('SIGTERM');
        for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
        if (exited === null) child.kill('SIGKILL');
      }
      await sleep(200);
      try { psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`); } catch (err) { console.error(`could not drop ${db}: ${err.message}`); }
    },
  };
  return herald;
}

/** A webhook receiver on loopback: set `status` and `body` to choose its answer. */
export async function startReceiver() {
  const receiver = { status: 200, body: '{"ok":true}', requests: [] };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      receiver.requests.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(receiver.status, { 'Content-Type': 'application/json' });
      res.end(receiver.body);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  receiver.url = (path = '/hook') => `http://127.0.0.1:${server.address().port}${path}`;
  receiver.stop = () => new Promise((r) => { server.close(r); server.closeAllConnections(); });
  return receiver;
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Chromium with a fresh profile; every page fails its test on a console error or page error. */
export async function startBrowser() {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`${executablePath} is missing: apt-get install -y chromium`);
  const profile = mkdtempSync(join(tmpdir(), 'herald-console-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 },
  });
  const errors = [];
  const urls = [];
  context.on('request', (req) => urls.push(req.url()));
  const watch = (page) => {
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(`console: ${msg.text()}`); });
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  };
  context.on('page', watch);
  context.pages().forEach(watch);
  mkdirSync(SHOTS, { recursive: true });
  return {
    context, errors, urls,
    async newPage(opts = {}) {
      const page = await context.newPage();
      if (opts.colorScheme) await page.emulateMedia({ colorScheme: opts.colorScheme });
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in through the sign-in form. */
export async function signIn(page, base, token) {
  await page.goto(`${base}/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Screenshots of the page as it is, at desktop and at phone width. */
export async function shoot(page, name) {
  await page.evaluate(() => { window.scrollTo(0, 0); document.getElementById('toasts')?.replaceChildren(); });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.waitForTimeout(120);
  await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(120);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  return { overflow };
}
