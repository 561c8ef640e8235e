// The delivery log: filtered by status, event type, subscription and time, live while open.
import { h } from '../h.js';
import { api, all, tenantParam } from '../api.js';
import { replaceParams } from '../router.js';
import { pageHeader, emptyState, actionButton, toast, confirmDialog, mount, button, writes } from '../ui.js';
import { deliveryTable } from '../delivery-table.js';
import { poll } from '../poll.js';
import { toLocalInput, fromLocalInput } from '../format.js';

const STATUSES = ['', 'pending', 'retrying', 'delivered', 'failed', 'held', 'grouped', 'suppressed'];
const FILTERS = ['status', 'event_type', 'subscription_id', 'since', 'until'];

export default async function deliveriesPage({ root, params, onLeave, isCurrent }) {
  const subsList = await all('/v1/subscriptions', tenantParam()).catch(() => []);
  if (!isCurrent()) return;
  const subs = new Map(subsList.map((s) => [s.id, s]));
  const filter = Object.fromEntries(FILTERS.map((k) => [k, params[k] || '']));

  const status = h('select#f-status', { name: 'status' }, STATUSES.map((s) => h('option', { value: s, selected: s === filter.status }, s || 'any status')));
  const eventType = h('input#f-type', { name: 'event_type', value: filter.event_type, placeholder: 'transfer.failed', spellcheck: 'false' });
  const subscription = h('select#f-sub', { name: 'subscription_id' },
    h('option', { value: '' }, 'any subscription'),
    subsList.map((s) => h('option', { value: s.id, selected: s.id === filter.subscription_id }, s.name)),
    filter.subscription_id && !subs.has(filter.subscription_id) ? h('option', { value: filter.subscription_id, selected: true }, filter.subscription_id) : null);
  const since = h('input#f-since', { type: 'datetime-local', name: 'since', value: toLocalInput(filter.since) });
  const until = h('input#f-until', { type: 'datetime-local', name: 'until', value: toLocalInput(filter.until) });

  const readFilter = () => ({
    status: status.value, event_type: eventType.value.trim(), subscription_id: subscription.value,
    since: fromLocalInput(since.value), until: fromLocalInput(until.value),
  });

  const list = h('div.list-slot');
  const more = h('div.more');
  const liveDot = h('span.live', { role: 'status' }, h('span.live-dot', { 'aria-hidden': 'true' }), 'Live');
  let items = [];
  let cursor = null;
  let paused = false;

  const apiParams = () => ({ ...tenantParam(), ...readFilter(), limit: 50 });
  const draw = () => {
    const focused = document.activeElement?.closest?.('tr')?.dataset?.key;
    if (!items.length) {
      const filtered = Object.values(readFilter()).some(Boolean);
      mount(list, emptyState(filtered ? 'No deliveries match' : 'No deliveries yet',
        filtered ? 'Change or clear the filter above. The list updates by itself while it is open.'
          : 'A delivery appears here when a published event matches a subscription. Publish one with POST /v1/events or `herald publish --sample transfer.failed`.',
        filtered ? button('Clear the filter', () => { [eventType, since, until].forEach((i) => { i.value = ''; }); status.value = ''; subscription.value = ''; apply(); }) : null));
    } else {
      mount(list, deliveryTable(items, subs));
      if (focused) list.querySelector(`tr[data-key="${focused}"] a`)?.focus();
    }
    mount(more, cursor ? button('Load more', loadMore) : null);
  };
  const load = async () => {
    const page = await api.get('/v1/deliveries', apiParams());
    items = page.items || [];
    cursor = page.next_cursor || null;
    draw();
  };
  const loadMore = async () => {
    const page = await api.get('/v1/deliveries', { ...apiParams(), cursor });
    items = items.concat(page.items || []);
    cursor = page.next_cursor || null;
    draw();
  };
  const refresh = async () => {
    if (paused) return;
    const page = await api.get('/v1/deliveries', apiParams());
    const fresh = page.items || [];
    const ids = new Set(fresh.map((d) => d.id));
    const older = items.slice(50).filter((d) => !ids.has(d.id));
    const next = fresh.concat(older);
    if (JSON.stringify(next) !== JSON.stringify(items)) { items = next; draw(); }
    if (items.length <= 50) cursor = page.next_cursor || null;
  };
  const apply = async () => {
    replaceParams('/deliveries', readFilter());
    await load();
  };

  const pause = button('Pause', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(paused));
    liveDot.classList.toggle('paused', paused);
    liveDot.lastChild.textContent = paused ? 'Paused' : 'Live';
  }, { variant: 'small', 'aria-pressed': 'false' });

  const bulk = actionButton('Retry failed…', async () => {
    const f = readFilter();
    if (f.status && f.status !== 'failed') { toast('Only failed deliveries can be retried; set the status to failed or any.', 'bad'); return; }
    const body = { ...tenantParam(), status: 'failed', event_type: f.event_type || null, subscription_id: f.subscription_id || null, since: f.since || null, until: f.until || null };
    const count = await api.post('/v1/deliveries/retry', { ...body, dry_run: true });
    if (!count.count) { toast('No failed deliveries match this filter.'); return; }
    const ok = await confirmDialog({
      title: `Retry ${count.count}${count.more ? '+' : ''} failed deliver${count.count === 1 ? 'y' : 'ies'}?`,
      text: `Every failed delivery matching the current filter gets a fresh set of attempts.${count.more ? ' More match than one call takes (10,000); run it again afterwards.' : ''}`,
      confirm: `Retry ${count.count}`,
    });
    if (!ok) return;
    const done = await api.post('/v1/deliveries/retry', body);
    toast(`Queued ${done.count} deliver${done.count === 1 ? 'y' : 'ies'} again.`);
    await load();
  });

  const form = h('form.filters', { onsubmit: (ev) => { ev.preventDefault(); apply(); }, onchange: () => apply() },
    h('div.field', h('label', { for: 'f-status' }, 'Status'), status),
    h('div.field', h('label', { for: 'f-type' }, 'Event type'), eventType),
    h('div.field', h('label', { for: 'f-sub' }, 'Subscription'), subscription),
    h('div.field', h('label', { for: 'f-since' }, 'From'), since),
    h('div.field', h('label', { for: 'f-until' }, 'Until'), until),
    h('div.field.field-button', h('button.btn', { type: 'submit' }, 'Apply')));

  root.append(
    pageHeader('Deliveries', { subtitle: h('span.inline-list', 'Every event sent to every subscription, newest first.', liveDot), actions: [pause, writes(bulk)].filter(Boolean) }),
    form, list, more);
  list.append(h('p.loading', 'Loading…'));
  await load();
  onLeave(poll(refresh, 3000));
}
