// The polite live region every screen reports its results through ("保存しました", "12件").
let region = null;
let timer = null;
let count = 0;

export function statusRegion() {
  region = document.createElement('div');
  region.className = 'status-region';
  region.setAttribute('role', 'status');
  region.setAttribute('aria-live', 'polite');
  return region;
}

export function announce(text) {
  if (!region) return;
  count += 1;
  clearTimeout(timer);
  region.textContent = '';
  // A fresh text node so screen readers announce the same message twice in a row too.
  timer = setTimeout(() => {
    timer = null;
    region.textContent = text;
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
  timer = null;
  region.textContent = '';
}
