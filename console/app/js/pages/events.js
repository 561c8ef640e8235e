// Recent events, newest first, filtered by type and time.
import { h } from '../h.js';
import { api, tenantParam } from '../api.js';
import { replaceParams } from '../router.js';
import { session } from '../session.js';
import { pageHeader, emptyState, table, time, badge, link, mount, button } from '../ui.js';
import { poll } from '../poll.js';

export default async function eventsPage({ root, params, onLeave }) {
  const type = h('input#e-type', { value: params.type || '', placeholder: 'backup.failed', spellcheck: 'false' });
  const list = h('div');
  const more = h('div.more');
  let items = [];
  let cursor = null;
  const query = () => ({ ...tenantParam(), type: type.value.trim(), limit: 50 });
  const draw = () => {
    if (!items.length) {
      mount(list, emptyState(type.value ? 'No events of this type' : 'No events yet',
        'Events arrive on NATS or by POST /v1/events. Try `herald publish --sample transfer.failed --tenant acme`.'));
    } else {
      mount(list, table([
        { label: 'Received', class: 'col-main', cell: (e) => h('div.stack', link(`#/events/${e.id}${session.admin ? `?tenant=${e.tenant}` : ''}`, time(e.received_at)), h('span.sub.mono', e.id)) },
        { label: 'Type', cell: (e) => h('code', e.type) },
        { label: 'Outcome', cell: (e) => badge(e.outcome) },
        { label: 'Source', cell: (e) => h('span.wrap', e.source) },
        { label: 'Subject', cell: (e) => e.subject || h('span.muted', '—') },
        session.admin && !session.tenant ? { label: 'Tenant', cell: (e) => e.tenant } : null,
      ].filter(Boolean), items, { caption: 'Events', rowKey: (e) => e.id }));
    }
    mount(more, cursor ? button('Load more', async () => {
      const page = await api.get('/v1/events', { ...query(), cursor });
      items = items.concat(page.items || []);
      cursor = page.next_cursor;
      draw();
    }) : null);
  };
  const load = async () => {
    const page = await api.get('/v1/events', query());
    items = page.items || [];
    cursor = page.next_cursor;
    draw();
  };
  const form = h('form.filters', {
    onsubmit: (ev) => { ev.preventDefault(); replaceParams('/events', { type: type.value.trim() }); load(); },
  }, h('div.field', h('label', { for: 'e-type' }, 'Event type'), type), h('div.field.field-button', h('button.btn', { type: 'submit' }, 'Apply')));
  root.append(pageHeader('Events', { subtitle: 'What publishers sent, newest first; open one to see its deliveries and replay it.' }), form, list, more);
  await load();
  onLeave(poll(async () => {
    if (items.length > 50) return;
    const page = await api.get('/v1/events', query());
    if (JSON.stringify(page.items) !== JSON.stringify(items)) { items = page.items || []; cursor = page.next_cursor; draw(); }
  }, 5000));
}
