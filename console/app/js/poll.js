// Calls `fn` every `ms` while the page is open and the tab visible; returns a stop function.
export function poll(fn, ms = 3000) {
  let timer = null;
  let stopped = false;
  let running = false;
  const tick = async () => {
    if (stopped) return;
    if (document.visibilityState === 'visible' && !running) {
      running = true;
      try { await fn(); } catch { /* the next tick tries again */ } finally { running = false; }
    }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  const onVisible = () => { if (document.visibilityState === 'visible' && !stopped) { clearTimeout(timer); tick(); } };
  document.addEventListener('visibilitychange', onVisible);
  timer = setTimeout(tick, ms);
  return () => {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisible);
  };
}
