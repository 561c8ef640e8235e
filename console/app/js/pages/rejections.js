// Events Herald refused, each with its reason.
import { h } from '../h.js';
import { api, tenantParam } from '../api.js';
import { session } from '../session.js';
import { pageHeader, emptyState, table, time, badge, mount, button, code } from '../ui.js';
import { bytes } from '../format.js';

export default async function rejectionsPage({ root }) {
  const list = h('div');
  const more = h('div.more');
  let items = [];
  let cursor = null;
  const draw = () => {
    mount(list, items.length ? table([
      { label: 'Received', class: 'col-main', cell: (r) => h('div.stack', time(r.received_at), h('span.sub.mono', r.id)) },
      { label: 'Reason', class: 'col-wide', cell: (r) => h('div.stack', badge(r.reason_code, 'bad'), h('span', r.reason)) },
      { label: 'Event id', cell: (r) => (r.event_id ? code(r.event_id) : h('span.muted', 'unreadable')) },
      { label: 'Subject', cell: (r) => h('code.wrap', r.subject) },
      { label: 'Size', class: 'num', cell: (r) => bytes(r.size_bytes) },
      session.admin && !session.tenant ? { label: 'Tenant', cell: (r) => r.tenant } : null,
    ].filter(Boolean), items, { caption: 'Rejected events' })
      : emptyState('No rejected events', 'Every event Herald received so far was valid. A refused one shows here with its reason, and is kept whole in the HERALD_REJECTED stream.'));
    mount(more, cursor ? button('Load more', async () => {
      const page = await api.get('/v1/rejections', { ...tenantParam(), limit: 50, cursor });
      items = items.concat(page.items || []);
      cursor = page.next_cursor;
      draw();
    }) : null);
  };
  const page = await api.get('/v1/rejections', { ...tenantParam(), limit: 50 });
  items = page.items || [];
  cursor = page.next_cursor;
  root.append(pageHeader('Rejections', { subtitle: 'Events Herald refused, newest first, with the reason.' }), list, more);
  draw();
}
