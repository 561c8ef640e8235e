// Routing by URL hash: '#/deliveries?status=failed' -> route '/deliveries', params {status}.

const routes = [];

export function route(pattern, load) {
  const names = [];
  const re = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, n) => { names.push(n); return '([^/]+)'; })}$`);
  routes.push({ re, names, load });
}

export function current() {
  const raw = location.hash.replace(/^#/, '') || '/subscriptions';
  const [path, qs = ''] = raw.split('?');
  return { path, params: Object.fromEntries(new URLSearchParams(qs)) };
}

export function match(path) {
  for (const r of routes) {
    const m = r.re.exec(path);
    if (m) {
      const args = {};
      r.names.forEach((n, i) => { args[n] = decodeURIComponent(m[i + 1]); });
      return { load: r.load, args };
    }
  }
  return null;
}

export function href(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v) q.set(k, v);
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

export function go(path, params) {
  location.hash = href(path, params);
}

/** Change the hash's query without a new history entry or a re-render. */
export function replaceParams(path, params) {
  history.replaceState(null, '', href(path, params));
}

/** Renders the current page again. */
export function reload() {
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
