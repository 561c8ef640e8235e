// Who is signed in. The token lives in sessionStorage only (gone when the tab closes) and
// travels only in the Authorization header, never in a URL.

const TOKEN_KEY = 'herald.token';
const TENANT_KEY = 'herald.tenant';

export const session = {
  me: null, // {admin: bool, tenant: string|null}
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
  /** The tenant the pages show: a tenant token's own, or the admin's pick ('' = all). */
  get tenant() {
    if (this.me && !this.me.admin) return this.me.tenant || '';
    return sessionStorage.getItem(TENANT_KEY) || '';
  },
  set tenant(value) {
    if (value) sessionStorage.setItem(TENANT_KEY, value);
    else sessionStorage.removeItem(TENANT_KEY);
  },
  get admin() { return Boolean(this.me && this.me.admin); },
  signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(TENANT_KEY);
    this.me = null;
  },
};
