// The deliveries table, shared by the log, an event's page and a subscription's page.
import { h } from './h.js';
import { badge, table, time, channelTag, link } from './ui.js';
import { relative, fullTime } from './format.js';

export function whyText(d, { placeholder = true } = {}) {
  if (d.status === 'retrying' && d.next_attempt_at) {
    return h('span', 'next try ', h('time', { datetime: d.next_attempt_at, title: fullTime(d.next_attempt_at) }, relative(d.next_attempt_at)));
  }
  if (d.grouped_into) return h('span', 'grouped into ', link(`#/deliveries/${d.grouped_into}`, d.grouped_into.slice(0, 12), '…'));
  if (d.failure_reason) return h('span.why', d.failure_reason);
  if (d.fallback_of) return h('span', 'fallback of ', link(`#/deliveries/${d.fallback_of}`, d.fallback_of.slice(0, 12), '…'));
  if (d.notice) return h('span', d.notice.kind.replace('_', ' '));
  return placeholder ? h('span.muted', '—') : null;
}

export function deliveryTable(items, subs = new Map(), { showEvent = true } = {}) {
  const columns = [
    { label: 'Created', class: 'col-main', cell: (d) => h('div.stack', link(`#/deliveries/${d.id}`, time(d.created_at)), h('span.sub.mono', d.id)) },
    { label: 'Status', cell: (d) => badge(d.status) },
    showEvent ? { label: 'Event', cell: (d) => link(`#/events/${d.event_id}`, d.event_type) } : null,
    {
      label: 'Subscription',
      cell: (d) => h('div.stack', link(`#/subscriptions/${d.subscription_id}`, subs.get(d.subscription_id)?.name || d.subscription_id), channelTag(d.channel)),
    },
    { label: 'Attempts', class: 'num', cell: (d) => String(d.attempt_count) },
    { label: 'Note', cell: whyText },
  ].filter(Boolean);
  return table(columns, items, { caption: 'Deliveries', rowKey: (d) => d.id });
}
