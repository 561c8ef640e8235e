// One-time messages between pages (a secret shown once), kept in memory only.
let pending = null;
export function setFlash(value) { pending = value; }
export function takeFlash() { const v = pending; pending = null; return v; }
