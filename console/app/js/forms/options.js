// The channel-independent options of a subscription: what it receives, retries, less noise,
// fallback and the daily digest.
import { h, uid } from '../h.js';
import { parsePairs, formatPairs, splitList } from './fields.js';

const OUTCOMES = ['success', 'failure', 'warning', 'started', 'info'];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function timezones() {
  try { return Intl.supportedValuesOf('timeZone'); } catch { return ['UTC', 'Europe/Berlin', 'America/New_York']; }
}

export function timezoneList() {
  return h('datalist#timezones', timezones().map((z) => h('option', { value: z })));
}

function checkGroup(name, legend, values, chosen) {
  const boxes = values.map((v) => {
    const id = uid('chk');
    return h('label.check.check-inline', { for: id }, h('input', { type: 'checkbox', id, value: v, checked: chosen.includes(v), name }), h('span', v));
  });
  const el = h('fieldset.checks', h('legend', legend), boxes);
  el.read = () => boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
  return el;
}

export function matching(fs, sub) {
  const cond = sub.condition ?? 'always';
  const custom = Array.isArray(cond);
  const outcomes = checkGroup('condition-outcomes', 'Outcomes', OUTCOMES, custom ? cond : ['failure']);
  outcomes.hidden = !custom;
  const select = fs.select('condition', 'Condition',
    [['always', 'Always'], ['on_success', 'On success'], ['on_failure', 'On failure'], ['custom', 'These outcomes…']],
    custom ? 'custom' : cond,
    {
      onchange: (ev) => { outcomes.hidden = ev.target.value !== 'custom'; },
      read: (v) => (v === 'custom' ? outcomes.read() : v),
      help: 'An outcome comes from the type\'s last segment: failed is failure, completed is success.',
    });
  const filter = sub.filter || {};
  return h('div',
    h('div.grid-2',
      fs.list('event_types', 'Event types', sub.event_types || ['*'], {
        help: 'Exact types (backup.failed), families (transfer.*) or *; comma-separated.',
      }),
      h('div', select, fs.errorTarget('condition', outcomes, outcomes.querySelector('input')))),
    h('details.sub-options', { open: Boolean(Object.keys(filter.labels || {}).length || filter.source_prefix || filter.destination_prefix) },
      h('summary', 'Filter by labels, source or destination'),
      h('div.grid-2',
        fs.text('filter.source_prefix', 'Source prefix', filter.source_prefix, { placeholder: 's3:/archive' }),
        fs.text('filter.destination_prefix', 'Destination prefix', filter.destination_prefix)),
      fs.textarea('filter.labels', 'Labels', formatPairs(filter.labels, '='), {
        rows: 2, code: true, placeholder: 'env=prod', help: 'One key=value a line; each must equal the event\'s data.labels.',
        read: (v) => parsePairs(v, '='),
      })));
}

export function retryOptions(fs, sub) {
  const retry = sub.retry || {};
  return h('div.grid-3',
    fs.number('retry.max_attempts', 'Max attempts', retry.max_attempts ?? '', { min: 1, max: 100, placeholder: '8' }),
    fs.text('retry.delays_seconds', 'Delays (seconds)', (retry.delays_seconds || []).join(', '), {
      placeholder: '5, 30, 120, 600', help: 'Between attempts; the last one repeats.',
      read: (v) => { const items = splitList(v).map(Number); return items.length ? items : undefined; },
    }),
    fs.number('rate_limit_per_second', 'Rate limit (per second)', sub.rate_limit_per_second ?? '', { min: 1, placeholder: 'none' }));
}

function windowRow(fs, index, w, onRemove) {
  const days = checkGroup(`days-${index}`, 'Days', DAYS, w.days || DAYS);
  const from = h('input', { type: 'time', value: w.from || '22:00', 'aria-label': `Window ${index + 1} from` });
  const to = h('input', { type: 'time', value: w.to || '07:00', 'aria-label': `Window ${index + 1} to` });
  const row = h('div.window-row', days,
    h('div.window-times', h('span', 'from'), from, h('span', 'to'), to,
      h('button.btn.btn-small', { type: 'button', onclick: () => onRemove(row), 'aria-label': `Remove window ${index + 1}` }, 'Remove')));
  row.read = () => {
    const chosen = days.read();
    return { from: from.value, to: to.value, ...(chosen.length === 7 ? {} : { days: chosen }) };
  };
  fs.errorTarget(`quiet_hours.windows[${index}]`, row, from);
  return row;
}

export function noiseOptions(fs, sub) {
  const group = sub.group || null;
  const quiet = sub.quiet_hours || null;
  const transitions = (sub.notify || 'every_event') === 'transitions';

  const transitionsFields = h('div.grid-2',
    fs.text('group_key', 'Job key (group_key)', sub.group_key, { placeholder: 'data.schedule.id', help: 'Optional: type, source, subject, tenant or data.<field>.' }),
    fs.text('repeat_interval', 'Reminder every', sub.repeat_interval, { placeholder: '4h', help: '1m to 30d, e.g. 30m, 4h, 1d.' }));
  transitionsFields.hidden = !transitions;
  const notify = fs.select('notify', 'Notify', [['every_event', 'On every event'], ['transitions', 'On state changes only']],
    transitions ? 'transitions' : 'every_event', { onchange: (ev) => { transitionsFields.hidden = ev.target.value !== 'transitions'; } });

  const groupFields = h('div.grid-3',
    fs.list('group.by', 'Group by', group?.by || ['type'], { help: '1 to 5 field paths.' }),
    fs.text('group.wait', 'Wait', group?.wait || '30s', { help: '1s to 1h.' }),
    fs.text('group.interval', 'Then at most every', group?.interval || '5m'));
  groupFields.hidden = !group;
  const groupToggle = fs.checkbox('group', 'Group bursts of similar events into one message', Boolean(group), {
    onchange: (ev) => { groupFields.hidden = !ev.target.checked; }, read: () => undefined,
  });

  const windows = h('div.windows');
  const rows = [];
  const remove = (row) => { rows.splice(rows.indexOf(row), 1); row.remove(); };
  const addWindow = (w = {}) => { const row = windowRow(fs, rows.length, w, remove); rows.push(row); windows.append(row); };
  (quiet?.windows || [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '22:00', to: '07:00' }]).forEach(addWindow);
  const except = checkGroup('quiet-except', 'Send at once anyway', OUTCOMES, quiet?.except || []);
  const windowsField = fs.errorTarget('quiet_hours.windows', h('div.field', h('p.label', 'Windows')), null, () => rows.map((r) => r.read()));
  const quietFields = h('div',
    h('div.grid-2',
      fs.text('quiet_hours.timezone', 'Time zone', quiet?.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone, { list: 'timezones' }),
      fs.select('quiet_hours.during', 'During a window', [['hold', 'Hold, then send one grouped message'], ['drop', 'Drop (leave to the digest)']], quiet?.during || 'hold')),
    windowsField, windows,
    h('button.btn.btn-small', { type: 'button', onclick: () => addWindow({}) }, 'Add a window'),
    fs.errorTarget('quiet_hours.except', h('div.field', except), except.querySelector('input'), () => { const v = except.read(); return v.length ? v : undefined; }));
  quietFields.hidden = !quiet;
  const quietToggle = fs.checkbox('quiet_hours', 'Quiet hours', Boolean(quiet), {
    onchange: (ev) => { quietFields.hidden = !ev.target.checked; }, read: () => undefined,
  });

  return h('div', notify, transitionsFields, groupToggle, groupFields, quietToggle, quietFields, timezoneList());
}

export function fallbackOption(fs, sub, candidates) {
  const options = [['', 'None']].concat(candidates.filter((c) => c.id !== sub.id && !c.digest).map((c) => [c.id, `${c.name} (${c.channel})`]));
  if (sub.fallback_subscription_id && !options.some(([v]) => v === sub.fallback_subscription_id)) {
    options.push([sub.fallback_subscription_id, sub.fallback_subscription_id]);
  }
  return fs.select('fallback_subscription_id', 'Fallback subscription', options, sub.fallback_subscription_id || '', {
    help: 'Gets the event once when this one fails for good or is disabled.',
  });
}

export function digestOptions(fs, sub) {
  const d = sub.digest || {};
  return h('div.grid-3',
    fs.number('digest.hour', 'Hour (0–23)', d.hour ?? 8, { min: 0, max: 23 }),
    fs.text('digest.timezone', 'Time zone', d.timezone, { list: 'timezones', placeholder: 'HERALD_TIMEZONE' }),
    fs.checkbox('digest.skip_empty', 'Skip days without events', d.skip_empty));
}
