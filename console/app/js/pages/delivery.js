// One delivery: its event, every attempt with its answer and trace, Retry when it failed.
import { h } from '../h.js';
import { api } from '../api.js';
import { pageHeader, card, facts, badge, time, link, actionButton, toast, table, mount, channelTag, pre, emptyState, writes } from '../ui.js';
import { duration, relative, fullTime, excerpt } from '../format.js';
import { whyText } from '../delivery-table.js';
import { poll } from '../poll.js';

const SETTLED = new Set(['delivered', 'failed', 'grouped', 'suppressed']);

function attemptsTable(attempts) {
  if (!attempts.length) return emptyState('No attempts yet', 'The first attempt is made as soon as a dispatcher picks the delivery up. This page updates by itself.');
  return table([
    { label: '#', class: 'num', cell: (a) => String(a.number) },
    { label: 'Started', cell: (a) => time(a.started_at) },
    { label: 'Duration', class: 'num', cell: (a) => duration(a.duration_ms) },
    {
      label: 'Answer', cell: (a) => (a.status_code !== null && a.status_code !== undefined
        ? badge(`${a.method ? '' : 'SMTP '}${a.status_code}`, a.status_code < 300 ? 'ok' : a.status_code < 500 ? 'warn' : 'bad')
        : badge(a.error_class || 'no answer', 'bad')),
    },
    {
      label: 'Response / error', class: 'col-wide', cell: (a) => h('div.stack',
        a.error ? h('span.text-bad', a.error) : null,
        a.response_body ? h('details.excerpt', h('summary', h('code', excerpt(a.response_body, 80))), pre(a.response_body, { label: `Response of attempt ${a.number}` })) : null,
        a.destination ? h('span.sub', a.method ? `${a.method} ` : '', h('code.wrap', a.destination)) : null),
    },
    {
      label: 'Trace', cell: (a) => (a.trace_url
        ? h('a', { href: a.trace_url, target: '_blank', rel: 'noopener noreferrer' }, 'Open trace ↗')
        : a.trace_id ? h('code.sub', { title: 'Trace id' }, `${a.trace_id.slice(0, 12)}…`) : h('span.muted', '—')),
    },
  ], attempts, { caption: 'Attempts' });
}

function eventCard(e, d) {
  const open = link(`#/events/${d.event_id}${e ? `?tenant=${e.tenant}` : ''}`, 'Open the event with all its deliveries →');
  if (!e) return card('Event', h('p', open));
  return card('Event',
    facts([
      ['Type', h('span.inline-list', h('code', e.type), badge(e.outcome))],
      ['Source', e.source], ['Subject', e.subject || null], ['Time', time(e.time)], ['Received', time(e.received_at)],
    ]),
    h('details', h('summary', 'The CloudEvent as received'), pre(e.event, { label: 'CloudEvent JSON' })),
    h('p', open));
}

export default async function deliveryPage({ root, args, onLeave, isCurrent }) {
  let d = await api.get(`/v1/deliveries/${args.id}`);
  if (!isCurrent()) return;
  const [sub, event] = await Promise.all([
    api.get(`/v1/subscriptions/${d.subscription_id}`).catch(() => null),
    api.get(`/v1/events/${d.event_id}`).catch(() => null),
  ]);
  if (!isCurrent()) return;
  const body = h('div');

  const draw = () => {
    const retry = d.status === 'failed' ? actionButton('Retry', async () => {
      await api.post(`/v1/deliveries/${d.id}/retry`);
      toast('Queued again; watch the attempts below.');
      d = await api.get(`/v1/deliveries/${d.id}`);
      draw();
    }, { variant: 'primary' }) : null;
    mount(body,
      pageHeader(`${d.event_type} → ${sub?.name || d.subscription_id}`, {
        back: ['#/deliveries', 'Deliveries'],
        subtitle: h('span.inline-list', badge(d.status), channelTag(d.channel), h('code', d.id)),
        actions: [writes(retry)].filter(Boolean),
      }),
      card('Summary', facts([
        ['Status', h('span.inline-list', badge(d.status), whyText(d, { placeholder: false }))],
        ['Event', h('span', link(`#/events/${d.event_id}`, d.event_type), ' ', h('code.sub', d.event_id))],
        ['Subscription', link(`#/subscriptions/${d.subscription_id}`, sub?.name || d.subscription_id)],
        ['Attempts', String(d.attempt_count)],
        ['Next attempt', d.next_attempt_at ? h('span', h('time', { datetime: d.next_attempt_at, title: fullTime(d.next_attempt_at) }, relative(d.next_attempt_at)), ' (', time(d.next_attempt_at), ')') : null],
        ['Why', d.failure_reason || null],
        ['Notice', d.notice ? `${d.notice.kind.replace('_', ' ')} — ${d.notice.failures} failure(s) since ${fullTime(d.notice.since)}` : null],
        ['Grouped into', d.grouped_into ? link(`#/deliveries/${d.grouped_into}`, d.grouped_into) : null],
        ['Fallback of', d.fallback_of ? link(`#/deliveries/${d.fallback_of}`, d.fallback_of) : null],
        ['Fallback reason', d.fallback_reason || null],
        ['Created', time(d.created_at)],
        ['Updated', time(d.updated_at)],
      ])),
      card(`Attempts (${(d.attempts || []).length})`, attemptsTable(d.attempts || [])),
      eventCard(event, d));
  };
  draw();
  root.append(body);
  onLeave(poll(async () => {
    if (SETTLED.has(d.status) && d.status !== 'failed') return;
    const next = await api.get(`/v1/deliveries/${d.id}`);
    if (JSON.stringify(next) !== JSON.stringify(d)) { d = next; draw(); }
  }, 3000));
}

