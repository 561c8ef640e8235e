// A subscription's state and 24 h success rate, from `health` when the API has it.
import { h } from './h.js';
import { badge } from './ui.js';
import { relative, fullTime, percent } from './format.js';

export function stateOf(sub) {
  const health = sub.health || {};
  return health.state || (sub.enabled === false ? 'disabled' : 'active');
}

export function stateBadge(sub, { detail = true } = {}) {
  const health = sub.health || {};
  const state = stateOf(sub);
  const b = badge(state);
  if (!detail) return b;
  if (state === 'failing' && health.failing_since) {
    return h('span.state', b, h('span.state-note', { title: fullTime(health.failing_since) }, `since ${relative(health.failing_since)}`));
  }
  if (state === 'disabled' && health.disabled_reason) {
    return h('span.state', b, h('span.state-note', health.disabled_reason));
  }
  return b;
}

export function successRate(sub) {
  const health = sub.health;
  if (!health) return h('span.muted', '—');
  const delivered = health.delivered_24h || 0;
  const failed = health.failed_24h || 0;
  const rate = health.success_rate_24h;
  if (rate === null || rate === undefined || delivered + failed === 0) {
    return h('span.muted', { title: 'No deliveries in the last 24 hours' }, 'no traffic');
  }
  const p = rate <= 1 ? rate * 100 : rate;
  const tone = p >= 99 ? 'ok' : p >= 90 ? 'warn' : 'bad';
  return h('span.rate',
    h(`span.rate-value.rate-${tone}`, percent(rate)),
    h('span.meter', { 'aria-hidden': 'true' }, h(`span.meter-fill.rate-${tone}`, { style: { width: `${Math.max(2, p)}%` } })),
    h('span.rate-counts', `${delivered} ok · ${failed} failed`));
}
