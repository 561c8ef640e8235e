// Boot: sign-in gate, the shell (header, navigation, tenant picker) and the page router.
import { h, clear } from './h.js';
import { api, request, whenUnauthorized, ApiError } from './api.js';
import { session } from './session.js';
import { route, current, match } from './router.js';
import { loading, errorBox, toast } from './ui.js';
import { signInPage } from './pages/signin.js';

route('/subscriptions', () => import('./pages/subscriptions.js'));
route('/subscriptions/new', () => import('./pages/subscription-form.js'));
route('/subscriptions/:id/edit', () => import('./pages/subscription-form.js'));
route('/subscriptions/:id', () => import('./pages/subscription.js'));
route('/deliveries', () => import('./pages/deliveries.js'));
route('/deliveries/:id', () => import('./pages/delivery.js'));
route('/events', () => import('./pages/events.js'));
route('/events/:id', () => import('./pages/event.js'));
route('/rejections', () => import('./pages/rejections.js'));
route('/digests', () => import('./pages/digests.js'));

const NAV = [
  ['/subscriptions', 'Subscriptions'],
  ['/deliveries', 'Deliveries'],
  ['/events', 'Events'],
  ['/rejections', 'Rejections'],
  ['/digests', 'Digests'],
];

const app = document.getElementById('app');
let cleanups = [];
let renderSeq = 0;
let tenants = null;
let tenantsAt = 0;

/** Who the token is: GET /v1/me, or (older API) whether it may list tokens. */
export async function whoAmI(token) {
  try {
    const { data } = await request('GET', '/v1/me', { token });
    return { admin: Boolean(data.admin), tenant: data.tenant || null, readOnly: Boolean(data.read_only) };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    try {
      await request('GET', '/v1/tokens', { token, params: { limit: 1 } });
      return { admin: true, tenant: null };
    } catch (e) {
      if (e.status === 403) return { admin: false, tenant: null };
      throw e;
    }
  }
}

async function loadTenants() {
  if (!session.admin) return [];
  if (tenants && Date.now() - tenantsAt < 30000) return tenants;
  tenantsAt = Date.now();
  try {
    const page = await api.get('/v1/tenants');
    tenants = (page.items || []).map((t) => t.tenant);
  } catch {
    tenants = []; // older API: the admin types a tenant instead
  }
  return tenants;
}

function tenantPicker(list) {
  const id = 'tenant-picker';
  const onChange = (ev) => {
    session.tenant = ev.target.value.trim();
    render();
  };
  const control = list.length
    ? h('select', { id, onchange: onChange },
      h('option', { value: '' }, 'All tenants'),
      list.map((t) => h('option', { value: t, selected: t === session.tenant }, t)),
      session.tenant && !list.includes(session.tenant) ? h('option', { value: session.tenant, selected: true }, session.tenant) : null)
    : h('input', { id, value: session.tenant, placeholder: 'all tenants', size: 12, onchange: onChange });
  return h('div.tenant-picker', h('label', { for: id }, 'Tenant'), control);
}

function shell(path, list) {
  const main = h('main#main', { tabindex: '-1' });
  const header = h('header.topbar',
    h('div.topbar-inner',
      h('a.brand', { href: '#/subscriptions' }, h('span.brand-mark', { 'aria-hidden': 'true' }, 'H'), 'Herald'),
      h('nav.nav', { 'aria-label': 'Main' },
        NAV.map(([p, label]) => h('a', {
          href: `#${p}`, 'aria-current': path === p || path.startsWith(`${p}/`) ? 'page' : null,
        }, label))),
      h('div.who',
        session.admin ? tenantPicker(list) : h('span.tag', { title: 'Signed in with a tenant token' }, `tenant ${session.tenant}`),
        session.admin ? h('span.tag.tag-admin', 'admin') : null,
        session.me?.readOnly ? h('span.tag', { title: 'This token can look but not change anything' }, 'read-only') : null,
        h('button.btn.btn-small', { type: 'button', onclick: signOut }, 'Sign out'))));
  clear(app);
  app.append(header, main);
  const nav = header.querySelector('.nav');
  const active = nav.querySelector('[aria-current="page"]');
  if (active && nav.scrollWidth > nav.clientWidth) nav.scrollLeft = active.offsetLeft - nav.offsetLeft - 16;
  return main;
}

function signOut() {
  session.signOut();
  tenants = null;
  history.replaceState(null, '', '#/subscriptions');
  render();
  toast('Signed out.');
}

async function render() {
  const seq = ++renderSeq;
  cleanups.forEach((fn) => fn());
  cleanups = [];
  if (!session.token) {
    clear(app);
    const main = h('main#main', { tabindex: '-1' });
    app.append(main);
    signInPage(main, { onSignedIn: render, whoAmI });
    return;
  }
  if (!session.me) {
    clear(app);
    const main = h('main#main', { tabindex: '-1' }, loading('Signing in…'));
    app.append(main);
    try {
      session.me = await whoAmI(session.token);
    } catch (err) {
      if (err.status === 401) { session.signOut(); render(); return; }
      clear(main).append(errorBox(err, render));
      return;
    }
  }
  const { path, params } = current();
  if (path === '/subscriptions') tenants = null; // a new tenant may have its first subscription
  const list = await loadTenants();
  if (seq !== renderSeq) return;
  const main = shell(path, list);
  const found = match(path);
  if (!found) {
    main.append(errorBox(Object.assign(new Error(`There is no page at ${path}.`), { status: 404 })));
    return;
  }
  main.append(loading());
  try {
    const mod = await found.load();
    if (seq !== renderSeq) return;
    clear(main);
    await mod.default({
      root: main, args: found.args, params, path,
      onLeave: (fn) => cleanups.push(fn),
      isCurrent: () => seq === renderSeq,
      refreshTenants: () => { tenants = null; },
    });
  } catch (err) {
    if (seq !== renderSeq) return;
    clear(main).append(errorBox(err, render));
  }
}

whenUnauthorized(() => {
  if (!session.token) return;
  session.signOut();
  toast('Your token was not accepted any more. Sign in again.', 'bad');
  render();
});

let lastPath = current().path;
window.addEventListener('hashchange', () => {
  const { path } = current();
  const samePage = path === lastPath;
  lastPath = path;
  render().then(() => {
    if (!samePage) document.getElementById('main')?.focus({ preventScroll: true });
  });
  if (!samePage) window.scrollTo(0, 0);
});
render();
