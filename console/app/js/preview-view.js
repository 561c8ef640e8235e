// A message as it would be sent: an HTTP request (webhook, chat) or a mail in a sandbox.
import { h } from './h.js';
import { facts, pre, table, code } from './ui.js';
import { chatMessage } from './chat-render.js';

const CHAT = new Set(['slack', 'discord', 'teams']);

/** Mail HTML goes into a sandboxed iframe: no scripts, no same origin, no remote loads (CSP). */
export function mailFrame(html, title) {
  return h('iframe.mail-frame', { sandbox: '', srcdoc: html, title, referrerpolicy: 'no-referrer', loading: 'lazy' });
}

export function previewView(p) {
  if (p.html !== undefined || p.subject !== undefined) {
    return h('div.preview',
      facts([
        ['From', p.from], ['To', (p.to || []).join(', ')], ['Cc', (p.cc || []).join(', ') || null],
        ['Subject', h('strong', p.subject)],
      ]),
      h('div.tabs-note', 'As the recipient sees it:'),
      mailFrame(p.html || '', `Mail preview: ${p.subject}`),
      h('details', h('summary', 'Plain-text part'), pre(p.text || '', { label: 'Plain text' })));
  }
  const headers = Object.entries(p.headers || {});
  return h('div.preview',
    h('p.request-line', h('span.method', p.method), ' ', h('code.wrap', p.url)),
    headers.length ? h('details', h('summary', `Headers (${headers.length})`),
      table([{ label: 'Header', cell: ([k]) => code(k) }, { label: 'Value', cell: ([, v]) => h('code.wrap', v) }], headers, { caption: 'Headers' })) : null,
    CHAT.has(p.channel) && p.body && typeof p.body === 'object' ? h('div', h('div.tabs-note', 'Roughly as the channel shows it:'), chatMessage(p.channel, p.body)) : null,
    h('h3.small-title', 'Body'),
    pre(p.body, { label: 'Request body' }));
}
