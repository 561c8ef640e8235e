// A chat payload (Slack blocks, Discord embeds, Teams cards) drawn as a plain message card,
// so a digest reads as the channel shows it. Text only: markdown stays as written.
import { h } from './h.js';

const text = (t) => (typeof t === 'string' ? t : t && typeof t.text === 'string' ? t.text : '');

function factsList(pairs) {
  const rows = pairs.filter(([k, v]) => k || v);
  return rows.length ? h('dl.chat-facts', rows.map(([k, v]) => h('div', h('dt', k), h('dd', v)))) : null;
}

function slack(p) {
  const blocks = p.blocks || (p.attachments || []).flatMap((a) => a.blocks || []);
  return blocks.map((b) => {
    if (b.type === 'header') return h('p.chat-title', text(b.text));
    if (b.type === 'divider') return h('hr');
    if (b.type === 'context') return h('p.chat-context', (b.elements || []).map(text).join('  '));
    if (b.type === 'section') {
      return h('div', b.text ? h('p.chat-text', text(b.text)) : null,
        b.fields ? h('div.chat-fields', b.fields.map((f) => h('p.chat-text', text(f)))) : null);
    }
    return null;
  }).concat(blocks.length ? [] : [h('p.chat-text', p.text || '')]);
}

function discord(p) {
  return [p.content ? h('p.chat-text', p.content) : null].concat((p.embeds || []).map((e) => h('div.chat-embed', {
    style: { borderColor: e.color ? `#${e.color.toString(16).padStart(6, '0')}` : undefined },
  },
  e.title ? h('p.chat-title', e.title) : null,
  e.description ? h('p.chat-text', e.description) : null,
  factsList((e.fields || []).map((f) => [f.name, f.value])),
  e.footer?.text ? h('p.chat-context', e.footer.text) : null)));
}

function adaptive(items) {
  return (items || []).map((el) => {
    if (el.type === 'TextBlock') return h(el.weight === 'Bolder' || el.size === 'Large' ? 'p.chat-title' : 'p.chat-text', el.text || '');
    if (el.type === 'FactSet') return factsList((el.facts || []).map((f) => [f.title, f.value]));
    if (el.type === 'Container') return h('div', adaptive(el.items));
    if (el.type === 'ColumnSet') return h('div.chat-fields', (el.columns || []).map((c) => h('div', adaptive(c.items))));
    return null;
  });
}

function teams(p) {
  const card = p.attachments?.[0]?.content;
  if (card?.body) return adaptive(card.body);
  return [p.title ? h('p.chat-title', p.title) : null, p.text ? h('p.chat-text', p.text) : null]
    .concat((p.sections || []).map((s) => h('div', s.activityTitle ? h('p.chat-title', s.activityTitle) : null,
      s.text ? h('p.chat-text', s.text) : null, factsList((s.facts || []).map((f) => [f.name, f.value])))));
}

export function chatMessage(channel, payload) {
  const body = channel === 'slack' ? slack(payload) : channel === 'discord' ? discord(payload) : teams(payload);
  return h(`div.chat.chat-${channel}`, h('div.chat-avatar', { 'aria-hidden': 'true' }, 'H'),
    h('div.chat-body', h('p.chat-author', payload.username || 'Herald', h('span.chat-app', 'APP')), body));
}
