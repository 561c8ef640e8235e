#!/usr/bin/env node
// Herald chat-preview: render a chat webhook payload (the exact JSON body Herald POSTs)
// the way Slack / Discord / Teams would show it, and screenshot it with headless Chromium.
//
//   node tools/chat-preview/render.mjs --platform slack|discord|teams --payload payload.json --out out.png
//        [--width 800] [--height N] [--dark|--light] [--scale 2] [--now 2023-11-14T22:13:20Z]
//        [--tz Europe/Berlin] [--names names.json] [--html out.html] [--keep]
//
// No npm dependencies: plain Node 20 + Debian's `chromium`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const USAGE = `usage: node ${join('tools', 'chat-preview', 'render.mjs')} --platform slack|discord|teams --payload payload.json --out out.png
  [--width 800] [--height N (default: fit the content)] [--dark | --light] [--scale 1]
  [--now ISO-time (the "posted at" time; default: now)] [--tz IANA-zone (default: $TZ or UTC)]
  [--names names.json ({"U024BE7LH":"alice","123456":"on-call"}: shown for mentions)]
  [--channel alerts] [--html keep-the-page.html] [--keep (keep the temp dir)] [--chromium /path/to/chromium]`;

function die(msg, code = 2) { process.stderr.write(`chat-preview: ${msg}\n`); process.exit(code); }

function parseArgs(argv) {
  const flags = new Set(['dark', 'light', 'keep', 'help']);
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) die(`unexpected argument "${a}"\n${USAGE}`);
    const [k, inline] = a.slice(2).split(/=(.*)/s);
    if (flags.has(k)) { o[k] = true; continue; }
    const v = inline ?? argv[++i];
    if (v === undefined) die(`--${k} needs a value\n${USAGE}`);
    o[k] = v;
  }
  return o;
}

const o = parseArgs(process.argv.slice(2));
if (o.help) { console.log(USAGE); process.exit(0); }
const platform = o.platform;
if (!['slack', 'discord', 'teams'].includes(platform)) die(`--platform must be slack, discord or teams\n${USAGE}`);
if (!o.payload) die(`--payload is required\n${USAGE}`);
if (!o.out) die(`--out is required\n${USAGE}`);
const width = parseInt(o.width ?? '800', 10);
if (!(width >= 200 && width <= 4000)) die('--width must be a number of pixels between 200 and 4000');
const scale = Number(o.scale ?? '1');
if (!(scale > 0 && scale <= 4)) die('--scale must be between 0 and 4');

let payload;
try {
  const raw = o.payload === '-' ? readFileSync(0, 'utf8') : readFileSync(o.payload, 'utf8');
  payload = JSON.parse(raw);
} catch (e) { die(`cannot read payload ${o.payload}: ${e.message}`); }

let names = {};
if (o.names) {
  try { names = JSON.parse(readFileSync(o.names, 'utf8')); } catch (e) { die(`cannot read --names ${o.names}: ${e.message}`); }
}
let now = Date.now();
if (o.now) { now = Date.parse(o.now); if (Number.isNaN(now)) die(`--now: cannot parse "${o.now}" as a date`); }
const theme = o.dark ? 'dark' : o.light ? 'light' : (platform === 'discord' ? 'dark' : 'light');

// Find chromium.
function findChromium() {
  const cands = o.chromium ? [o.chromium] : [process.env.CHROMIUM, 'chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'].filter(Boolean);
  for (const c of cands) {
    const r = spawnSync(c, ['--version'], { encoding: 'utf8' });
    if (!r.error && r.status === 0) return c;
  }
  return null;
}
const chromium = findChromium();
if (!chromium) die((o.chromium ? `cannot run --chromium ${o.chromium}. ` : '') + 'chromium not found. Install it with:  apt-get update && apt-get install -y chromium\n' +
  '(and for colour emoji: apt-get install -y fonts-noto-color-emoji), or pass --chromium /path/to/chrome', 3);

// Build the page: the platform template with the payload inlined at <!--PAYLOAD-->.
const template = readFileSync(join(HERE, `${platform}.html`), 'utf8');
const safe = (v) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
const preview = { theme, now, names, channel: o.channel };
// The explicit page width keeps the measuring pass (whose window Chromium may widen to its minimum) and the screenshot identical.
const inject = `<style>html{width:${width}px}</style><script>window.PAYLOAD = ${safe(payload)};\nwindow.PREVIEW = ${safe(preview)};</script>`;
if (!template.includes('<!--PAYLOAD-->')) die(`${platform}.html has no <!--PAYLOAD--> marker`);
const html = template.replace('<script src="payload.js"></script>', '').replace('<!--PAYLOAD-->', () => inject);

const tmp = mkdtempSync(join(tmpdir(), 'chat-preview-'));
const page = join(tmp, `${platform}.html`);
writeFileSync(page, html);
if (o.html) writeFileSync(o.html, html);
const url = pathToFileURL(page).href;
const env = { ...process.env, TZ: o.tz || process.env.TZ || 'UTC' };
const base = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run',
  '--disable-extensions', '--disable-background-networking', '--mute-audio', `--force-device-scale-factor=${scale}`,
  `--user-data-dir=${join(tmp, 'profile')}`];

function run(args) {
  const r = spawnSync(chromium, [...base, ...args, url], { encoding: 'utf8', env, timeout: 60_000, maxBuffer: 64 << 20 });
  if (r.error) die(`running ${chromium} failed: ${r.error.message}`, 4);
  return r;
}

// Height: --height, or measure the rendered content (the page publishes it as <html data-height>).
let height = o.height ? parseInt(o.height, 10) : NaN;
if (o.height && !(height >= 50 && height <= 20000)) die('--height must be between 50 and 20000');
if (!o.height) {
  const r = run(['--dump-dom', `--window-size=${width},200`]);
  const m = /<html[^>]*\sdata-height="(\d+)"/.exec(r.stdout || '');
  height = m ? Math.max(120, Math.min(20000, parseInt(m[1], 10))) : 900;
  if (!m) process.stderr.write('chat-preview: could not measure the page, using height 900\n');
}

const out = resolve(o.out);
mkdirSync(dirname(out), { recursive: true });
rmSync(out, { force: true });
const r = run([`--screenshot=${out}`, `--window-size=${width},${height}`]);
if (!o.keep) rmSync(tmp, { recursive: true, force: true });
if (!existsSync(out)) die(`chromium did not write ${out}:\n${(r.stderr || '').split('\n').filter((l) => !/dbus|Fontconfig/i.test(l)).join('\n')}`, 4);
console.log(`${out} (${platform}, ${theme}, ${width}x${height}${scale !== 1 ? ` @${scale}x` : ''})`);
