// One subscription: its health and settings, Send test, Preview, secret rotation, delete.
import { h } from '../h.js';
import { api } from '../api.js';
import { go, reload } from '../router.js';
import {
  pageHeader, card, facts, channelTag, actionButton, writes, toast, confirmDialog, mount, secretOnce, code, time, errorBox,
} from '../ui.js';
import { stateBadge, successRate } from '../health.js';
import { testResult } from '../test-result.js';
import { previewView } from '../preview-view.js';
import { takeFlash } from '../flash.js';
import { formatTime } from '../format.js';

const SAMPLES = ['transfer.failed', 'transfer.completed', 'backup.failed', 'backup.succeeded', 'backup.warning',
  'snapshot.created', 'restore.failed', 'verify.failed', 'gc.completed'];

export function hasFilter(f) {
  return Boolean(f && (f.source_prefix || f.destination_prefix || Object.keys(f.labels || {}).length));
}

function conditionText(c) {
  if (Array.isArray(c)) return c.join(', ');
  return { always: 'always', on_success: 'on success', on_failure: 'on failure' }[c] || String(c);
}

const TARGET_ORDER = ['url', 'webhook_url', 'to', 'cc', 'method', 'content_type', 'format', 'username', 'icon_emoji',
  'avatar_url', 'mention_on_failure', 'headers', 'auth', 'timeout_ms', 'secret', 'template', 'subject_template'];

function targetFacts(sub) {
  const t = sub.target || {};
  const rank = (k) => (TARGET_ORDER.includes(k) ? TARGET_ORDER.indexOf(k) : 99);
  const pairs = Object.entries(t)
    .filter(([k, v]) => k !== 'previous_secret' && v !== null && !(typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length))
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([k, v]) => {
      let shown;
      if (Array.isArray(v)) shown = v.join(', ') || '—';
      else if (k === 'headers') shown = h('code.wrap', Object.entries(v).map(([n, x]) => `${n}: ${x}`).join('\n'));
      else if (v && typeof v === 'object') shown = h('code.wrap', JSON.stringify(v));
      else if (k === 'template' || k === 'subject_template') shown = h('pre.code.code-small', v);
      else shown = h('code.wrap', String(v));
      const label = k.replace(/_/g, ' ').replace('url', 'URL').replace('ms', '(ms)');
      return [label.charAt(0).toUpperCase() + label.slice(1), shown];
    });
  if (t.previous_secret) pairs.push(['Previous secret', h('span', code(t.previous_secret.secret), ' until ', formatTime(t.previous_secret.expires_at))]);
  return facts(pairs);
}

export default async function subscriptionPage({ root, args, params, isCurrent }) {
  const sub = await api.get(`/v1/subscriptions/${args.id}`);
  if (!isCurrent()) return;
  const flash = takeFlash();
  const secretSlot = h('div');
  if (flash && flash.id === sub.id) secretSlot.append(secretOnce(flash.secret));

  const testSlot = h('div', { 'aria-live': 'polite' });
  const testBtn = actionButton('Send test', async () => {
    mount(testSlot, h('p.loading', 'Sending a test message…'));
    try {
      const result = await api.post(`/v1/subscriptions/${sub.id}/test`);
      mount(testSlot, testResult(result));
    } catch (err) {
      mount(testSlot, errorBox(err));
    }
  }, { variant: 'primary' });

  const toggle = actionButton(sub.enabled ? 'Disable' : 'Enable', async () => {
    await api.patch(`/v1/subscriptions/${sub.id}`, { enabled: !sub.enabled });
    toast(sub.enabled ? 'Disabled.' : 'Enabled.');
    reload();
  });
  const rotate = sub.channel === 'webhook' ? actionButton('Rotate secret', async () => {
    const ok = await confirmDialog({
      title: 'Rotate the signing secret?',
      text: 'Herald makes a new secret and signs with both the old and the new one for a while, so receivers can switch over.',
      confirm: 'Rotate',
    });
    if (!ok) return;
    const r = await api.post(`/v1/subscriptions/${sub.id}/rotate-secret`);
    mount(secretSlot, secretOnce(r.secret, `The old secret keeps signing until ${formatTime(r.previous_secret_expires_at)}.`));
    secretSlot.scrollIntoView({ block: 'nearest' });
  }) : null;
  const del = actionButton('Delete', async () => {
    const ok = await confirmDialog({
      title: `Delete “${sub.name}”?`,
      text: 'It stops getting deliveries at once. Its past deliveries stay listed. This cannot be undone.',
      confirm: 'Delete', danger: true,
    });
    if (!ok) return;
    await api.del(`/v1/subscriptions/${sub.id}`);
    toast(`Deleted “${sub.name}”.`);
    go('/subscriptions');
  }, { variant: 'danger' });

  const health = sub.health;
  root.append(
    pageHeader(sub.name, {
      back: ['#/subscriptions', 'Subscriptions'],
      subtitle: h('span.inline-list', channelTag(sub), stateBadge(sub), h('code', sub.id)),
      actions: [testBtn, h('a.btn', { href: `#/subscriptions/${sub.id}/edit` }, 'Edit'), toggle, rotate, del].map(writes).filter(Boolean),
    }),
    secretSlot,
    writes(card('Send test', h('p.help', 'Sends a herald.test event through the real channel now — template, signing and headers included — and shows what the receiver answered. Nothing is stored or retried.'), testSlot)),
    h('div.grid-2.cards',
      card('Health',
        facts([
          ['State', stateBadge(sub)],
          ['Last 24 h', successRate(sub)],
          ['Failing since', health?.failing_since ? time(health.failing_since) : null],
          ['Last error', health?.last_error ? h('span.text-bad', health.last_error) : null],
          ['Disabled because', health?.disabled_reason || null],
        ]),
        h('p', h('a', { href: `#/deliveries?subscription_id=${sub.id}` }, 'See its deliveries →'))),
      card('Settings',
        facts([
          ['Tenant', sub.tenant],
          ['Event types', (sub.event_types || []).join(', ')],
          ['Condition', conditionText(sub.condition)],
          ['Filter', hasFilter(sub.filter) ? h('code.wrap', JSON.stringify(sub.filter)) : null],
          ['Retry', sub.retry ? `${sub.retry.max_attempts} attempts; ${sub.retry.delays_seconds.join(', ')} s` : null],
          ['Rate limit', sub.rate_limit_per_second ? `${sub.rate_limit_per_second}/s` : null],
          ['Notify', sub.notify === 'transitions' ? `state changes${sub.group_key ? ` by ${sub.group_key}` : ''}${sub.repeat_interval ? `, reminder every ${sub.repeat_interval}` : ''}` : null],
          ['Group', sub.group ? `by ${sub.group.by.join(', ')}; wait ${sub.group.wait}, then every ${sub.group.interval}` : null],
          ['Quiet hours', sub.quiet_hours ? `${sub.quiet_hours.windows.map((w) => `${(w.days || []).join(' ')} ${w.from}–${w.to}`).join('; ')} (${sub.quiet_hours.timezone}, ${sub.quiet_hours.during})` : null],
          ['Fallback', sub.fallback_subscription_id ? h('a', { href: `#/subscriptions/${sub.fallback_subscription_id}` }, sub.fallback_subscription_id) : null],
          ['Digest', sub.digest ? h('span', `daily at ${sub.digest.hour}:00 ${sub.digest.timezone || '(Herald\'s zone)'} `, h('a', { href: `#/digests?subscription_id=${sub.id}` }, 'preview →')) : null],
          ['Created', time(sub.created_at)],
          ['Updated', time(sub.updated_at)],
        ]))),
    card('Target', targetFacts(sub)),
    previewCard(sub, params));
}

function previewCard(sub, params) {
  const types = (sub.event_types || []).filter((t) => !t.includes('*'));
  const samples = [...new Set([...types, ...SAMPLES])];
  const out = h('div', { 'aria-live': 'polite' });
  const source = h('select#preview-source', { 'aria-label': 'What to preview' },
    h('option', { value: 'sample' }, 'A sample event'), h('option', { value: 'event', selected: Boolean(params.event) }, 'A recorded event'));
  const sample = h('select#preview-sample', samples.map((t) => h('option', { value: t }, t)));
  const eventId = h('input#preview-event', { value: params.event || '', placeholder: 'evt_… or the publisher\'s id', spellcheck: 'false' });
  const groupOf = h('input#preview-group', { type: 'number', min: 1, max: 500, placeholder: '1', inputmode: 'numeric' });
  const notice = h('select#preview-notice', h('option', { value: '' }, 'none'),
    h('option', { value: 'failing' }, 'first failure'), h('option', { value: 'still_failing' }, 'still failing'), h('option', { value: 'recovered' }, 'recovered'));
  const sampleField = h('div.field', h('label', { for: 'preview-sample' }, 'Sample type'), sample);
  const eventField = h('div.field', h('label', { for: 'preview-event' }, 'Event id'), eventId);
  const sync = () => { sampleField.hidden = source.value !== 'sample'; eventField.hidden = source.value !== 'event'; };
  source.addEventListener('change', sync);
  sync();
  const run = actionButton('Preview', async () => {
    const body = source.value === 'sample' ? { sample: sample.value } : { event_id: eventId.value.trim() };
    if (groupOf.value) body.group_of = Number(groupOf.value);
    if (notice.value) body.notice = { kind: notice.value };
    try {
      mount(out, previewView(await api.post(`/v1/subscriptions/${sub.id}/preview`, body)));
    } catch (err) {
      mount(out, errorBox(err));
    }
  });
  if (sub.digest) {
    return card('Preview', h('p', 'A digest subscription sends one summary a day. ', h('a', { href: `#/digests?subscription_id=${sub.id}` }, 'Preview its digest →')));
  }
  const form = h('form.inline-form', { onsubmit: (ev) => { ev.preventDefault(); run.click(); } },
    h('div.field', h('label', { for: 'preview-source' }, 'Event'), source), sampleField, eventField,
    h('div.field', h('label', { for: 'preview-group' }, 'Grouped, of'), groupOf),
    sub.notify === 'transitions' ? h('div.field', h('label', { for: 'preview-notice' }, 'As notice'), notice) : null,
    h('div.field.field-button', run));
  if (params.event) setTimeout(() => run.click(), 0);
  return card('Preview', h('p.help', 'The exact request or mail a recorded or sample event would produce. Nothing is sent; secrets are masked.'), form, out);
}
