// The polite live region every screen reports its results through ("保存しました", "12件").
let region = null;

export function statusRegion() {
  region = document.createElement('div');
  region.className = 'status-region';
  region.setAttribute('role', 'status');
  region.setAttribute('aria-live', 'polite');
  return region;
}

let announcedAt = 0;

// A message stays until the next one, or until a screen opens more than a few seconds later.
export function clearStaleStatus() {
  if (region && Date.now() - announcedAt > 3000) region.textContent = '';
}

export function announce(text) {
  if (!region) return;
  announcedAt = Date.now();
  region.textContent = '';
  // A fresh text node so screen readers announce the same message twice in a row too.
  setTimeout(() => { region.textContent = text; }, 50);
}
