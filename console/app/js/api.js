// The console's only way to Herald: the public /v1 API with the signed-in token.
import { session } from './session.js';

export class ApiError extends Error {
  constructor(status, body) {
    const detail = (body && body.error) || {};
    super(detail.message || `HTTP ${status}`);
    this.status = status;
    this.code = detail.code || String(status);
    this.fields = detail.fields || {};
  }
}

let onUnauthorized = () => {};
export function whenUnauthorized(fn) { onUnauthorized = fn; }

/** Query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function request(method, path, { body, params, token, accept } = {}) {
  const headers = { Accept: accept || 'application/json' };
  const bearer = token || session.token;
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path + query(params), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit', cache: 'no-store',
    });
  } catch (err) {
    throw new ApiError(0, { error: { code: 'network', message: 'Herald did not answer. Is it running?' } });
  }
  const type = res.headers.get('content-type') || '';
  let data = null;
  if (res.status !== 204) {
    data = type.includes('json') ? await res.json().catch(() => null) : await res.text();
  }
  if (!res.ok) {
    if (res.status === 401 && !token) onUnauthorized();
    throw new ApiError(res.status, typeof data === 'object' ? data : null);
  }
  return { data, type, status: res.status };
}

export const api = {
  get: async (path, params) => (await request('GET', path, { params })).data,
  post: async (path, body = {}, params) => (await request('POST', path, { body, params })).data,
  patch: async (path, body) => (await request('PATCH', path, { body })).data,
  del: async (path) => (await request('DELETE', path)).data,
};

/** Every page of a list, up to `max` items. */
export async function all(path, params = {}, max = 1000) {
  const items = [];
  let cursor;
  do {
    const page = await api.get(path, { ...params, limit: 200, cursor });
    items.push(...(page.items || []));
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

/** The tenant parameter of a list call: the admin's pick, nothing for a tenant token. */
export function tenantParam() {
  return session.admin && session.tenant ? { tenant: session.tenant } : {};
}
