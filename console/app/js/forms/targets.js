// The target fields of each channel, with every option the API has.
import { h } from '../h.js';
import { parsePairs, formatPairs, splitList } from './fields.js';

const MASK_HELP = 'Shown masked; leave as is to keep it.';

export function webhookTarget(fs, t = {}, { editing }) {
  const auth = t.auth || {};
  const authParts = {
    basic: h('div.grid-2',
      fs.text('target.auth.username', 'Username', auth.username),
      fs.text('target.auth.password', 'Password', auth.password, { type: 'password', help: editing ? MASK_HELP : null })),
    bearer: h('div', fs.text('target.auth.token', 'Bearer token', auth.token, { type: 'password', help: editing ? MASK_HELP : null })),
    api_key: h('div.grid-2',
      fs.text('target.auth.header', 'Header', auth.header, { placeholder: 'X-Api-Key' }),
      fs.text('target.auth.value', 'Value', auth.value, { type: 'password', help: editing ? MASK_HELP : null })),
  };
  const showAuth = (type) => Object.entries(authParts).forEach(([k, el]) => { el.hidden = k !== type; });
  const authSelect = fs.select('target.auth.type', 'Authentication',
    [['', 'None'], ['basic', 'Basic (username and password)'], ['bearer', 'Bearer token'], ['api_key', 'API key header']],
    auth.type || '', { onchange: (ev) => showAuth(ev.target.value) });
  showAuth(auth.type || '');
  return h('div',
    fs.text('target.url', 'URL', t.url, { type: 'url', required: true, placeholder: 'https://example.com/hooks/herald', wide: true }),
    h('div.grid-3',
      fs.select('target.method', 'Method', [['POST', 'POST'], ['PUT', 'PUT'], ['PATCH', 'PATCH']], (t.method || 'POST').toUpperCase()),
      fs.text('target.content_type', 'Content type', t.content_type || 'application/json', {
        list: 'content-types', help: 'JSON sends the CloudEvent; XML sends it as XML; any other type needs a template.',
      }),
      fs.number('target.timeout_ms', 'Timeout (ms)', t.timeout_ms ?? 10000, { min: 100, max: 120000, step: 100 })),
    h('datalist#content-types', h('option', { value: 'application/json' }), h('option', { value: 'application/xml' }), h('option', { value: 'text/plain' })),
    fs.textarea('target.headers', 'Extra headers', formatPairs(t.headers, ':'), {
      placeholder: 'X-Team: ops', code: true, rows: 3, help: 'One "Name: value" a line.',
      read: (v) => parsePairs(v, ':'),
    }),
    authSelect,
    Object.values(authParts),
    fs.textarea('target.template', 'Body template (MiniJinja, optional)', t.template, {
      code: true, rows: 5, placeholder: '{"text": "{{ type }} {{ data.name }}"}',
      help: 'Replaces the CloudEvent body. Checked against sample events when you save.',
    }),
    editing ? null : fs.text('target.secret', 'Signing secret (optional)', '', {
      type: 'password', placeholder: 'whsec_…', help: 'Leave empty and Herald generates one, shown once after saving.',
    }));
}

function chatCommon(fs, t, extra) {
  return [
    fs.text('target.webhook_url', 'Webhook URL', t.webhook_url, { type: 'url', required: true, wide: true, ...extra }),
  ];
}

export function slackTarget(fs, t = {}) {
  return h('div',
    chatCommon(fs, t, { placeholder: 'https://hooks.slack.com/services/…' }),
    h('div.grid-3',
      fs.text('target.username', 'Username', t.username, { placeholder: 'Herald' }),
      fs.text('target.icon_emoji', 'Icon emoji', t.icon_emoji, { placeholder: ':bell:' }),
      fs.text('target.mention_on_failure', 'Mention on failure', t.mention_on_failure, { placeholder: '<!here>' })),
    templateField(fs, t));
}

export function discordTarget(fs, t = {}) {
  return h('div',
    chatCommon(fs, t, { placeholder: 'https://discord.com/api/webhooks/…' }),
    h('div.grid-3',
      fs.text('target.username', 'Username', t.username, { placeholder: 'Herald' }),
      fs.text('target.avatar_url', 'Avatar URL', t.avatar_url, { type: 'url' }),
      fs.text('target.mention_on_failure', 'Mention on failure', t.mention_on_failure, { placeholder: '<@&role id>' })),
    templateField(fs, t));
}

export function teamsTarget(fs, t = {}) {
  return h('div',
    chatCommon(fs, t, { placeholder: 'https://…/workflows/…' }),
    fs.select('target.format', 'Format',
      [['adaptive_card', 'Adaptive card (Workflows)'], ['message_card', 'Message card (legacy connector)']], t.format || 'adaptive_card'),
    templateField(fs, t));
}

export function emailTarget(fs, t = {}) {
  const list = (v) => { const items = splitList(v); return items.length ? items : undefined; };
  return h('div',
    h('div.grid-2',
      fs.text('target.to', 'To', (t.to || []).join(', '), { required: true, placeholder: 'ops@example.com', help: 'Comma-separated addresses.', read: list }),
      fs.text('target.cc', 'Cc', (t.cc || []).join(', '), { read: list })),
    fs.text('target.subject_template', 'Subject template (optional)', t.subject_template, {
      wide: true, placeholder: '{{ type }}: {{ data.name }}', help: 'MiniJinja; the default names the outcome and the job.',
    }));
}

function templateField(fs, t) {
  return fs.textarea('target.template', 'Payload template (MiniJinja, optional)', t.template, {
    code: true, rows: 4, help: 'Replaces the whole payload; must render to a JSON object.',
  });
}

export const TARGETS = {
  webhook: webhookTarget, slack: slackTarget, discord: discordTarget, teams: teamsTarget, email: emailTarget,
};
