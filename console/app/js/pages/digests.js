// Digests: preview any day's report of a digest subscription as the recipient sees it; send it now.
import { h } from '../h.js';
import { request, all, tenantParam } from '../api.js';
import { replaceParams } from '../router.js';
import { pageHeader, card, emptyState, actionButton, toast, mount, errorBox, pre, link, writes } from '../ui.js';
import { mailFrame } from '../preview-view.js';
import { chatMessage } from '../chat-render.js';
import { yesterday } from '../format.js';

export default async function digestsPage({ root, params, isCurrent }) {
  const digests = (await all('/v1/subscriptions', tenantParam())).filter((s) => s.digest);
  if (!isCurrent()) return;
  root.append(pageHeader('Digests', { subtitle: 'One summary a day per digest subscription, covering the local day before.' }));
  if (!digests.length) {
    root.append(emptyState('No digest subscriptions',
      'Create an email, Slack, Discord or Teams subscription with the "Daily digest" channel, then preview any day here.',
      h('a.btn.btn-primary', { href: '#/subscriptions/new' }, 'New subscription')));
    return;
  }
  const chosen = digests.find((s) => s.id === params.subscription_id) || digests[0];
  const sub = h('select#d-sub', digests.map((s) => h('option', { value: s.id, selected: s === chosen }, `${s.name} (${s.channel})`)));
  const date = h('input#d-date', { type: 'date', value: params.date || yesterday(), max: new Date().toISOString().slice(0, 10) });
  const out = h('div', { 'aria-live': 'polite' });
  const note = h('div');
  const current = () => digests.find((s) => s.id === sub.value);

  const show = async () => {
    replaceParams('/digests', { subscription_id: sub.value, date: date.value });
    mount(out, h('p.loading', 'Rendering…'));
    try {
      const { data, type } = await request('GET', `/v1/digests/${sub.value}/preview`, { params: { date: date.value }, accept: 'text/html, application/json' });
      const s = current();
      if (type.includes('html') || typeof data === 'string') {
        mount(out, mailFrame(String(data), `Digest of ${date.value}`));
      } else {
        mount(out, chatMessage(s.channel, data), h('details', h('summary', 'The JSON payload'), pre(data, { label: 'Digest payload' })));
      }
    } catch (err) {
      mount(out, errorBox(err));
    }
  };
  const send = actionButton('Send now', async () => {
    const { data: r } = await request('POST', `/v1/digests/${sub.value}/send`, { params: { date: date.value } });
    toast(`Queued the digest of ${r.date}.`);
    mount(note, h('div.alert.alert-ok', { role: 'status' }, 'Queued as delivery ', link(`#/deliveries/${r.delivery_id}`, r.delivery_id), ' — follow it there.'));
  });
  const form = h('form.filters', { onsubmit: (ev) => { ev.preventDefault(); show(); }, onchange: show },
    h('div.field', h('label', { for: 'd-sub' }, 'Subscription'), sub),
    h('div.field', h('label', { for: 'd-date' }, 'Day'), date),
    h('div.field.field-button', h('button.btn', { type: 'submit' }, 'Preview')),
    writes(h('div.field.field-button', send)));
  root.append(form, note, card(null, out));
  await show();
}
