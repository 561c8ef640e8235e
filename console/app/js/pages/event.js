// One event: the CloudEvent as received, every delivery it made, and Replay.
import { h } from '../h.js';
import { api, all } from '../api.js';
import { session } from '../session.js';
import { reload } from '../router.js';
import { pageHeader, card, facts, badge, time, pre, actionButton, toast, emptyState, code, writes } from '../ui.js';
import { deliveryTable } from '../delivery-table.js';

function previewLinks(e, subsList) {
  if (!subsList.length) return null;
  return h('p.preview-links', 'See the exact message it makes for ',
    subsList.slice(0, 8).map((s, i) => [i ? ', ' : '', h('a', { href: `#/subscriptions/${s.id}?event=${e.id}` }, s.name)]), '.');
}

export default async function eventPage({ root, args, params, isCurrent }) {
  const e = await api.get(`/v1/events/${encodeURIComponent(args.id)}`, session.admin && params.tenant ? { tenant: params.tenant } : {});
  if (!isCurrent()) return;
  const subsList = await all('/v1/subscriptions', session.admin ? { tenant: e.tenant } : {}).catch(() => []);
  if (!isCurrent()) return;
  const subs = new Map(subsList.map((s) => [s.id, s]));
  const replayable = subsList.filter((s) => s.enabled && !s.digest);
  const target = h('select#replay-target', h('option', { value: '' }, 'every subscription it matches now'),
    replayable.map((s) => h('option', { value: s.id }, `only ${s.name}`)));
  const replay = actionButton('Replay', async () => {
    const answer = await api.post(`/v1/events/${e.id}/replay`, target.value ? { subscription_id: target.value } : {});
    const n = (answer.deliveries || []).length;
    toast(n ? `Replayed: ${n} new deliver${n === 1 ? 'y' : 'ies'}.` : 'No subscription matches this event now.');
    reload();
  }, { variant: 'primary' });
  const deliveries = e.deliveries || [];
  root.append(
    pageHeader(e.type, {
      back: ['#/events', 'Events'],
      subtitle: h('span.inline-list', badge(e.outcome), h('span', e.tenant), code(e.id)),
    }),
    writes(card('Replay', h('form.inline-form', { onsubmit: (ev) => { ev.preventDefault(); replay.click(); } },
      h('div.field', h('label', { for: 'replay-target' }, 'Fan it out again to'), target),
      h('div.field.field-button', replay)))),
    card(`Deliveries (${deliveries.length})`, deliveries.length ? deliveryTable(deliveries, subs, { showEvent: false })
      : emptyState('No deliveries', 'No subscription matched this event when it arrived. Replay it after adding one.'),
    previewLinks(e, subsList.filter((s) => !s.digest))),
    h('div.grid-2.cards',
      card('Event', facts([
        ['Publisher id', code(e.event_id)], ['Source', e.source], ['Subject', e.subject || null],
        ['Time', time(e.time)], ['Received', time(e.received_at)], ['Trace id', e.trace_id ? code(e.trace_id) : null],
      ])),
      card('CloudEvent as received', pre(e.event, { label: 'CloudEvent JSON' }))));
}
