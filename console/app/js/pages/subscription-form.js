// Create or edit a subscription: one form per channel, the API's 422 errors at their fields.
import { h, clear, append } from '../h.js';
import { api, all } from '../api.js';
import { session } from '../session.js';
import { go } from '../router.js';
import { pageHeader, toast } from '../ui.js';
import { FieldSet, mergeDiff } from '../forms/fields.js';
import { TARGETS } from '../forms/targets.js';
import { matching, retryOptions, noiseOptions, fallbackOption, digestOptions } from '../forms/options.js';
import { setFlash } from '../flash.js';

const MODES = [
  ['webhook', 'Webhook'], ['slack', 'Slack'], ['discord', 'Discord'], ['teams', 'Teams'], ['email', 'Email'], ['digest', 'Daily digest'],
];
const FORM_KEYS = ['name', 'enabled', 'event_types', 'condition', 'filter', 'target', 'retry', 'rate_limit_per_second',
  'notify', 'group_key', 'repeat_interval', 'group', 'quiet_hours', 'fallback_subscription_id', 'digest'];

function section(title, description, ...body) {
  return h('section.form-section', h('div.form-section-head', h('h2', title), description ? h('p.help', description) : null), h('div.form-section-body', ...body));
}

export default async function subscriptionForm({ root, args, isCurrent }) {
  const editing = Boolean(args.id);
  const sub = editing ? await api.get(`/v1/subscriptions/${args.id}`) : { enabled: true, event_types: ['*'], condition: 'always' };
  const tenant = editing ? sub.tenant : session.tenant;
  const candidates = tenant ? await all('/v1/subscriptions', { tenant: session.admin ? tenant : undefined }).catch(() => []) : [];
  if (!isCurrent()) return;

  const fs = new FieldSet();
  let mode = editing ? (sub.digest ? 'digest' : sub.channel) : 'webhook';
  let via = sub.digest ? sub.channel : 'email';

  const targetPanels = {};
  for (const channel of Object.keys(TARGETS)) {
    targetPanels[channel] = h('div.target-panel', { dataset: { channel } },
      TARGETS[channel](fs, sub.channel === channel ? sub.target || {} : {}, { editing }));
  }
  const viaField = fs.select('channel_via', 'Send the digest by', [['email', 'Email'], ['slack', 'Slack'], ['discord', 'Discord'], ['teams', 'Teams']], via, {
    onchange: (ev) => { via = ev.target.value; update(); }, read: () => undefined,
  });
  const digestSection = section('Daily digest', 'One summary a day instead of a message per event, covering the local day before.',
    digestOptions(fs, sub));
  const noiseSection = section('Less noise', 'State changes only, grouped bursts and quiet hours.', noiseOptions(fs, sub));

  const channelOf = () => (mode === 'digest' ? via : mode);
  const update = () => {
    for (const [channel, panel] of Object.entries(targetPanels)) panel.hidden = channel !== channelOf();
    viaField.hidden = mode !== 'digest';
    digestSection.hidden = mode !== 'digest';
    noiseSection.hidden = mode === 'digest';
    for (const radio of modeRadios) radio.checked = radio.value === mode;
  };

  const modeRadios = [];
  const modePicker = h('fieldset.segmented', { disabled: editing },
    h('legend', 'Channel'),
    MODES.map(([value, label]) => {
      const input = h('input', { type: 'radio', name: 'mode', value, id: `mode-${value}`, checked: value === mode });
      input.addEventListener('change', () => { mode = value; update(); });
      modeRadios.push(input);
      return h('label.segment', { for: `mode-${value}` }, input, h('span', label));
    }));

  const summary = h('div.alert.alert-bad', { role: 'alert', hidden: true, tabindex: '-1' });
  const submit = h('button.btn.btn-primary', { type: 'submit' }, editing ? 'Save changes' : 'Create subscription');

  const tenantField = session.admin && !editing
    ? fs.text('tenant', 'Tenant', tenant, { required: true, placeholder: 'acme', help: 'a-z, 0-9, _ and -; up to 64.' })
    : null;

  const form = h('form.sub-form', { novalidate: true, onsubmit: (ev) => { ev.preventDefault(); save(); } },
    summary,
    section('Basics', editing ? `Channel: ${channelOf()}${sub.digest ? ' (digest)' : ''}. The channel of a subscription is fixed.` : 'Pick a channel, then say where its messages go.',
      modePicker,
      h('div.grid-2', fs.text('name', 'Name', sub.name, { required: true, placeholder: 'ops alerts' }), tenantField),
      fs.checkbox('enabled', 'Enabled', sub.enabled !== false, { help: 'A disabled subscription gets no deliveries.' })),
    section('Target', 'Where the messages go.', viaField, Object.values(targetPanels)),
    digestSection,
    section('Which events', null, matching(fs, sub)),
    section('Retries and pace', 'Defaults: 8 attempts after 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h.', retryOptions(fs, sub)),
    noiseSection,
    section('Fallback', null, fallbackOption(fs, sub, candidates)),
    h('div.form-actions', submit, h('a.btn', { href: editing ? `#/subscriptions/${sub.id}` : '#/subscriptions' }, 'Cancel')));

  root.append(pageHeader(editing ? `Edit “${sub.name}”` : 'New subscription', {
    back: editing ? [`#/subscriptions/${sub.id}`, sub.name] : ['#/subscriptions', 'Subscriptions'],
  }), form);
  update();

  async function save() {
    const doc = fs.collect();
    doc.channel = channelOf();
    if (mode !== 'digest') delete doc.digest;
    if (doc.notify !== 'transitions') { delete doc.group_key; delete doc.repeat_interval; }
    summary.hidden = true;
    submit.disabled = true;
    try {
      if (editing) {
        const before = {};
        for (const key of FORM_KEYS) if (sub[key] !== undefined) before[key] = sub[key];
        if (before.target) { before.target = { ...before.target }; delete before.target.secret; delete before.target.previous_secret; }
        if (before.notify === 'every_event') { delete before.group_key; delete before.repeat_interval; }
        const want = {};
        for (const key of FORM_KEYS) if (doc[key] !== undefined) want[key] = doc[key];
        const patch = mergeDiff(before, want);
        if (!patch) { toast('Nothing changed.'); go(`/subscriptions/${sub.id}`); return; }
        await api.patch(`/v1/subscriptions/${sub.id}`, patch);
        toast('Saved.');
        go(`/subscriptions/${sub.id}`);
      } else {
        if (!session.admin) delete doc.tenant;
        if (!session.admin && session.tenant) doc.tenant = session.tenant;
        const created = await api.post('/v1/subscriptions', doc);
        if (created.secret || created.target?.secret?.startsWith?.('whsec_') && !created.target.secret.includes('*')) {
          setFlash({ id: created.id, secret: created.secret || created.target.secret });
        }
        toast(`Created “${created.name}”.`);
        go(`/subscriptions/${created.id}`);
      }
    } catch (err) {
      const { unplaced, first } = fs.showErrors(err.fields);
      summary.hidden = false;
      const placed = Object.keys(err.fields || {}).length - unplaced.length;
      clear(summary);
      append(summary, [
        h('strong', placed ? `Please fix the ${placed === 1 ? 'field' : `${placed} fields`} marked below.` : 'Not saved.'),
        placed && !unplaced.length ? null : ` ${err.message}`,
        unplaced.length ? h('ul', unplaced.map(([p, m]) => h('li', h('code', p), ': ', m))) : null,
      ]);
      if (first?.input) first.input.focus(); else summary.focus();
      if (!err.fields || !Object.keys(err.fields).length) summary.scrollIntoView({ block: 'center' });
    } finally {
      submit.disabled = false;
    }
  }
}

