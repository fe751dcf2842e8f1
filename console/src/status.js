// The polite live region every screen reports its results through ("保存しました", "12件").
/** @type {HTMLDivElement | null} */
let region = null;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;
let count = 0;

export function statusRegion() {
  region = document.createElement('div');
  region.className = 'status-region';
  region.setAttribute('role', 'status');
  region.setAttribute('aria-live', 'polite');
  return region;
}

/** @param {string} text */
export function announce(text) {
  const r = region;
  if (!r) return;
  count += 1;
  clearTimeout(timer);
  r.textContent = '';
  // A fresh text node so screen readers announce the same message twice in a row too.
  timer = setTimeout(() => {
    timer = undefined;
    r.textContent = text;
  }, 50);
}

// How many messages were announced so far: the router compares it before and after a screen to
// tell whether the screen that navigated away said something for the next one.
export function announcements() {
  return count;
}

// Another screen opens: the previous screen's message goes (also one still on its way).
export function clearStatus() {
  if (!region) return;
  clearTimeout(timer);
  timer = undefined;
  region.textContent = '';
}
