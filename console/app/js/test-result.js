// What a receiver answered to "Send test".
import { h } from './h.js';
import { badge, facts, pre } from './ui.js';
import { duration } from './format.js';

export function testResult(r) {
  return h('div.test-result', { 'data-testid': 'test-result' },
    h('p.test-verdict', r.delivered ? badge('delivered', 'ok') : badge('not delivered', 'bad'),
      ' ', r.status_code !== null && r.status_code !== undefined ? h('strong', `HTTP ${r.status_code}`) : h('span.muted', 'no answer'),
      ' in ', duration(r.duration_ms)),
    facts([
      ['Destination', h('code.wrap', r.destination || '—')],
      ['Error', r.error ? h('span.text-bad', r.error) : null],
    ]),
    r.response_body ? h('div', h('h3.small-title', 'Response body'), pre(r.response_body, { label: 'Response body' })) : h('p.muted', 'The receiver sent no body.'));
}
