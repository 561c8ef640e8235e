// Shared pieces of every page: badges, tables, toasts, dialogs, empty states.
import { h, clear } from './h.js';
import { formatTime, fullTime, relative } from './format.js';
import { session } from './session.js';

const STATUS_TONE = {
  delivered: 'ok', failed: 'bad', retrying: 'warn', pending: 'info', held: 'muted', grouped: 'muted',
  suppressed: 'muted', active: 'ok', failing: 'bad', disabled: 'muted', success: 'ok', failure: 'bad',
  warning: 'warn', started: 'info', info: 'muted',
};
const ICON = { ok: '●', bad: '▲', warn: '◆', info: '◌', muted: '○' };

/** A control that changes something: left out for a read-only token (it would get 403). */
export function writes(el) {
  return session.me?.readOnly ? null : el;
}

/** A status as colour and text, never colour alone. */
export function badge(text, tone = STATUS_TONE[text] || 'muted', title) {
  return h(`span.badge.badge-${tone}`, { title }, h('span.badge-dot', { 'aria-hidden': 'true' }, ICON[tone] || '●'), text);
}

const CHANNEL_LABEL = { webhook: 'Webhook', slack: 'Slack', discord: 'Discord', teams: 'Teams', email: 'Email' };
export function channelLabel(channel) { return CHANNEL_LABEL[channel] || channel; }
export function channelTag(sub) {
  const label = typeof sub === 'string' ? channelLabel(sub) : channelLabel(sub.channel);
  return h('span.tag', label, typeof sub === 'object' && sub.digest ? h('span.tag-extra', ' · digest') : null);
}

export function time(iso, { rel = false } = {}) {
  if (!iso) return h('span.muted', '—');
  return h('time', { datetime: iso, title: fullTime(iso) }, rel ? relative(iso) : formatTime(iso));
}

export function code(text) { return h('code', text); }

export function link(href, ...children) { return h('a', { href }, ...children); }

export function button(label, onclick, { variant = '', type = 'button', ...attrs } = {}) {
  return h(`button.btn${variant ? `.btn-${variant}` : ''}`, { type, onclick, ...attrs }, label);
}

/** Runs an async click handler with the button busy meanwhile. */
export function busy(btn, fn) {
  return async (ev) => {
    if (btn.disabled) return;
    btn.disabled = true;
    btn.setAttribute('aria-busy', 'true');
    try { await fn(ev); } catch (err) { toast(err.message, 'bad'); } finally {
      btn.disabled = false;
      btn.removeAttribute('aria-busy');
    }
  };
}

export function actionButton(label, fn, opts) {
  const btn = button(label, null, opts);
  btn.addEventListener('click', busy(btn, fn));
  return btn;
}

export function pageHeader(title, { subtitle, actions = [], back } = {}) {
  return h('header.page-header',
    h('div.page-title',
      back ? h('a.back', { href: back[0] }, '← ', back[1]) : null,
      h('h1', title),
      subtitle ? h('p.subtitle', subtitle) : null),
    actions.length ? h('div.actions', actions) : null);
}

export function card(title, ...body) {
  return h('section.card', title ? h('h2', title) : null, ...body);
}

export function emptyState(title, text, action) {
  return h('div.empty', h('div.empty-icon', { 'aria-hidden': 'true' }, '∅'), h('h2', title), h('p', text), action || null);
}

export function loading(text = 'Loading…') {
  return h('p.loading', { role: 'status' }, h('span.spinner', { 'aria-hidden': 'true' }), text);
}

export function errorBox(err, retry) {
  return h('div.alert.alert-bad', { role: 'alert' },
    h('strong', err.status === 404 ? 'Not found. ' : err.status === 403 ? 'Not allowed. ' : 'Something went wrong. '),
    err.message,
    retry ? h('span', ' ', button('Try again', retry, { variant: 'link' })) : null);
}

/**
 * A table that becomes a list of cards at phone width: every cell carries its column's
 * name in data-label, shown by the CSS when the header row is hidden.
 */
export function table(columns, rows, { caption, rowKey } = {}) {
  return h('div.table-wrap',
    h('table.table',
      caption ? h('caption.visually-hidden', caption) : null,
      h('thead', h('tr', columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)))),
      h('tbody', rows.map((row) => h('tr', { dataset: rowKey ? { key: rowKey(row) } : {} },
        columns.map((c) => h('td', { class: c.class, dataset: { label: c.label } }, c.cell(row))))))));
}

/** A definition list from [label, value] pairs; null values are left out. */
export function facts(pairs) {
  return h('dl.facts', pairs.filter((p) => p && p[1] !== null && p[1] !== undefined && p[1] !== '')
    .map(([k, v]) => h('div', h('dt', k), h('dd', v))));
}

export function pre(value, { label } = {}) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return h('pre.code', { tabindex: '0', 'aria-label': label || 'Code' }, text);
}

export function copyButton(text, label = 'Copy') {
  const btn = button(label, async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = h('textarea', { style: { position: 'fixed', opacity: '0' } }, text);
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    btn.textContent = 'Copied';
    toast('Copied to the clipboard.');
    setTimeout(() => { btn.textContent = label; }, 2000);
  }, { variant: 'small' });
  return btn;
}

/** A secret shown this once, with a copy button. */
export function secretOnce(secret, note) {
  return h('div.alert.alert-secret', { role: 'alert' },
    h('p', h('strong', 'Signing secret — shown only this once. '), note || 'Copy it now; afterwards Herald shows only its mask.'),
    h('div.secret-row', h('code.secret', secret), copyButton(secret)));
}

export function toast(message, tone = 'ok') {
  const region = document.getElementById('toasts');
  const el = h(`div.toast.toast-${tone}`, message);
  region.append(el);
  setTimeout(() => el.remove(), tone === 'bad' ? 8000 : 4000);
}

/** A modal question; resolves true when confirmed. Escape or Cancel resolves false. */
export function confirmDialog({ title, text, confirm = 'Confirm', danger = false }) {
  return new Promise((resolve) => {
    const dialog = h('dialog.dialog', { 'aria-labelledby': 'dialog-title' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'dialog-title' }, title),
        h('p', text),
        h('div.actions',
          h('button.btn', { value: 'cancel', type: 'submit' }, 'Cancel'),
          h(`button.btn.${danger ? 'btn-danger' : 'btn-primary'}`, { value: 'ok', type: 'submit' }, confirm))));
    document.body.append(dialog);
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok');
      dialog.remove();
    });
    dialog.showModal();
    dialog.querySelector('.btn-danger, .btn-primary').focus();
  });
}

export function mount(container, ...children) {
  clear(container);
  container.append(...children.flat().filter(Boolean));
}

/** The JSON of an object minus the keys given, for pretty display. */
export function without(obj, keys) {
  const copy = { ...obj };
  for (const k of keys) delete copy[k];
  return copy;
}
