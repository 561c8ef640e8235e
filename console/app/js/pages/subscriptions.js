// Subscriptions: every one of the tenant with its channel, state and 24 h success rate.
import { h } from '../h.js';
import { api, all, tenantParam } from '../api.js';
import { session } from '../session.js';
import { pageHeader, table, emptyState, channelTag, link, actionButton, toast, mount, card, writes } from '../ui.js';
import { stateBadge, successRate } from '../health.js';
import { testResult } from '../test-result.js';

function eventsText(types = ['*']) {
  return types.length === 1 && types[0] === '*' ? 'all events' : types.join(', ');
}

export default async function subscriptionsPage({ root, params, isCurrent }) {
  const items = await all('/v1/subscriptions', { ...tenantParam(), channel: params.channel });
  if (!isCurrent()) return;
  const newLink = h('a.btn.btn-primary', { href: '#/subscriptions/new' }, 'New subscription');
  root.append(pageHeader('Subscriptions', {
    subtitle: session.tenant ? `Where ${session.tenant}'s events go.` : 'Where every tenant\'s events go.',
    actions: [writes(newLink)].filter(Boolean),
  }));
  if (!items.length) {
    root.append(emptyState('No subscriptions yet',
      'A subscription sends a tenant\'s events to a webhook, Slack, Discord, Teams or email. Create one, then use "Send test" to check the receiver answers.',
      h('a.btn.btn-primary', { href: '#/subscriptions/new' }, 'Create the first subscription')));
    return;
  }
  const resultSlot = h('div');
  const columns = [
    { label: 'Name', class: 'col-main', cell: (s) => h('div.stack', link(`#/subscriptions/${s.id}`, s.name), h('span.sub', session.admin && !session.tenant ? `${s.tenant} · ` : '', eventsText(s.event_types))) },
    { label: 'Channel', cell: (s) => channelTag(s) },
    { label: 'State', cell: (s) => stateBadge(s) },
    { label: 'Success (24 h)', cell: (s) => successRate(s) },
    {
      label: 'Actions', class: 'col-actions', cell: (s) => h('div.row-actions',
        writes(actionButton('Send test', async () => {
          const result = await api.post(`/v1/subscriptions/${s.id}/test`);
          mount(resultSlot, card(`Test of “${s.name}”`, testResult(result)));
          resultSlot.scrollIntoView({ block: 'nearest' });
          toast(result.delivered ? 'The receiver took the test message.' : 'The receiver did not take the test message.', result.delivered ? 'ok' : 'bad');
        }, { variant: 'small', 'aria-label': `Send test to ${s.name}` })),
        h('a.btn.btn-small', { href: `#/deliveries?subscription_id=${s.id}`, 'aria-label': `Deliveries of ${s.name}` }, 'Deliveries')),
    },
  ];
  root.append(resultSlot, table(columns, items, { caption: 'Subscriptions', rowKey: (s) => s.id }));
}
