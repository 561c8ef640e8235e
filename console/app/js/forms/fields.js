// Form fields that know their API path: they read their value into the request document
// and show the API's 422 field errors (`target.url`, `event_types[1]`) next to themselves.
import { h, uid } from '../h.js';

export class FieldSet {
  constructor() {
    this.fields = []; // {path, wrapper, input, error, read}
  }

  /** A field wrapper: label, control, help and the error slot, linked by ids. */
  field(path, label, control, { help, read, wide = false } = {}) {
    const inputId = control.id || uid('in');
    control.id = inputId;
    const helpId = help ? uid('help') : null;
    const error = h('p.field-error', { id: uid('err'), hidden: true });
    if (helpId) control.setAttribute('aria-describedby', helpId);
    const wrapper = h(`div.field${wide ? '.field-wide' : ''}`,
      h('label', { for: inputId }, label),
      control,
      help ? h('p.help', { id: helpId }, help) : null,
      error);
    this.fields.push({ path, wrapper, input: control, error, helpId, read: read || (() => control.value.trim() || undefined) });
    return wrapper;
  }

  text(path, label, value, opts = {}) {
    const input = h('input', {
      type: opts.type || 'text', name: path, value: value ?? '', placeholder: opts.placeholder,
      required: opts.required, autocomplete: 'off', spellcheck: 'false', inputmode: opts.inputmode,
      list: opts.list, min: opts.min, max: opts.max, step: opts.step,
    });
    const read = opts.read ? () => opts.read(input.value) : undefined;
    return this.field(path, label, input, { ...opts, read });
  }

  number(path, label, value, opts = {}) {
    return this.text(path, label, value, {
      ...opts, type: 'number',
      read: (v) => (v.trim() === '' ? undefined : Number(v)),
    });
  }

  /** A comma-separated list. */
  list(path, label, values, opts = {}) {
    return this.text(path, label, (values || []).join(', '), {
      ...opts, read: (v) => { const items = splitList(v); return items.length ? items : undefined; },
    });
  }

  textarea(path, label, value, opts = {}) {
    const area = h('textarea', {
      name: path, rows: opts.rows || 4, placeholder: opts.placeholder, spellcheck: 'false',
      class: opts.code ? 'mono' : null,
    });
    area.value = value ?? '';
    return this.field(path, label, area, {
      ...opts, read: opts.read ? () => opts.read(area.value) : () => (area.value.trim() ? area.value : undefined),
    });
  }

  select(path, label, options, value, opts = {}) {
    const select = h('select', { name: path },
      options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
    if (opts.onchange) select.addEventListener('change', opts.onchange);
    return this.field(path, label, select, { ...opts, read: opts.read ? () => opts.read(select.value) : () => select.value || undefined });
  }

  checkbox(path, label, checked, opts = {}) {
    const input = h('input', { type: 'checkbox', name: path, checked: Boolean(checked) });
    if (opts.onchange) input.addEventListener('change', opts.onchange);
    const id = uid('in');
    input.id = id;
    const error = h('p.field-error', { id: uid('err'), hidden: true });
    const wrapper = h('div.field.field-check', h('label.check', { for: id }, input, h('span', label)),
      opts.help ? h('p.help', opts.help) : null, error);
    this.fields.push({ path, wrapper, input, error, read: opts.read || (() => input.checked) });
    return wrapper;
  }

  /** A field that only shows errors (its parts are read by a composite reader). */
  errorTarget(path, wrapper, input, read = null) {
    const error = h('p.field-error', { id: uid('err'), hidden: true });
    wrapper.append(error);
    this.fields.push({ path, wrapper, input, error, read });
    return wrapper;
  }

  /** Reads every visible field into a new document, leaving out empty values. */
  collect() {
    const doc = {};
    for (const f of this.fields) {
      if (!f.read || f.wrapper.closest('[hidden]')) continue;
      const value = f.read();
      if (value !== undefined) setPath(doc, f.path, value);
    }
    return doc;
  }

  clearErrors() {
    for (const f of this.fields) {
      f.error.hidden = true;
      f.error.textContent = '';
      f.input?.removeAttribute('aria-invalid');
      if (f.input) {
        if (f.helpId) f.input.setAttribute('aria-describedby', f.helpId);
        else f.input.removeAttribute('aria-describedby');
      }
    }
  }

  /** Shows each error at the visible field whose path is the longest prefix of its path. */
  showErrors(fields) {
    this.clearErrors();
    const unplaced = [];
    let first = null;
    for (const [path, message] of Object.entries(fields || {})) {
      const target = this.fieldFor(path);
      if (!target) { unplaced.push([path, message]); continue; }
      target.error.hidden = false;
      target.error.textContent = target.error.textContent ? `${target.error.textContent} ${message}` : message;
      if (target.input) {
        target.input.setAttribute('aria-invalid', 'true');
        target.input.setAttribute('aria-describedby', [target.helpId, target.error.id].filter(Boolean).join(' '));
      }
      first = first || target;
    }
    return { unplaced, first };
  }

  fieldFor(path) {
    let best = null;
    for (const f of this.fields) {
      if (f.wrapper.closest('[hidden]')) continue;
      const p = f.path;
      const prefix = path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`);
      if (prefix && (!best || p.length > best.path.length)) best = f;
    }
    return best;
  }
}

export function splitList(v) {
  return String(v || '').split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
}

/** "key=value" (or "Key: value") lines into an object, and back. */
export function parsePairs(text, sep) {
  const out = {};
  for (const line of String(text || '').split('\n')) {
    if (!line.trim()) continue;
    const at = line.indexOf(sep);
    if (at < 0) out[line.trim()] = '';
    else out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return Object.keys(out).length ? out : undefined;
}

export function formatPairs(obj, sep) {
  return Object.entries(obj || {}).map(([k, v]) => `${k}${sep}${sep === ':' ? ' ' : ''}${v}`).join('\n');
}

export function setPath(doc, path, value) {
  const keys = path.split('.');
  let node = doc;
  keys.slice(0, -1).forEach((k) => { node[k] = node[k] && typeof node[k] === 'object' ? node[k] : {}; node = node[k]; });
  node[keys[keys.length - 1]] = value;
}

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The JSON merge patch that turns `from` into `to` (undefined when they are equal). */
export function mergeDiff(from, to) {
  if (isObj(from) && isObj(to)) {
    const patch = {};
    for (const key of new Set([...Object.keys(from), ...Object.keys(to)])) {
      if (!(key in to)) {
        if (from[key] !== undefined && from[key] !== null) patch[key] = null;
      } else {
        const d = mergeDiff(from[key], to[key]);
        if (d !== undefined) patch[key] = d;
      }
    }
    return Object.keys(patch).length ? patch : undefined;
  }
  return JSON.stringify(from) === JSON.stringify(to) ? undefined : to;
}
