// Forms being typed when the session ends survive the log-in that follows. The fields of every
// form on the screen (not passwords) are kept in sessionStorage — this tab only, gone when it
// closes — under the user's login and the screen's route, put back when the same user opens the
// same screen again, and dropped for anyone else, at log-out, and once restored.

const KEY = 'renkei.draft';

/**
 * @typedef {{name: string, value: string, checked: boolean | null}} DraftField
 * @typedef {{label: string, fields: DraftField[]}} DraftForm
 * @typedef {{login: string, route: string, forms: DraftForm[]}} Draft
 */

/** @param {Element} el */
function isControl(el) {
  return el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement;
}

// Keeps the forms of `root` that hold anything typed; true when something was kept.
/**
 * @param {string} login
 * @param {string} route
 * @param {ParentNode} root
 */
export function saveDrafts(login, route, root) {
  /** @type {DraftForm[]} */
  const forms = [];
  for (const form of root.querySelectorAll('form')) {
    /** @type {DraftField[]} */
    const fields = [];
    let typed = false;
    for (const el of form.querySelectorAll('input, select, textarea')) {
      if (!isControl(el)) continue;
      const c = /** @type {HTMLInputElement} */ (el);
      if (!c.name || c.type === 'password' || c.type === 'hidden' || c.type === 'file') continue;
      const checkable = c.type === 'checkbox' || c.type === 'radio';
      fields.push({ name: c.name, value: c.value, checked: checkable ? c.checked : null });
      if (checkable ? c.checked !== c.defaultChecked : c.value !== c.defaultValue) typed = true;
    }
    if (typed) forms.push({ label: form.getAttribute('aria-label') || '', fields });
  }
  if (!forms.length) return false;
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ login, route, forms }));
  } catch {
    return false; // storage full or refused: nothing kept
  }
  return true;
}

// Puts back what saveDrafts kept for this user and screen; true when it did. Another user's
// draft is dropped unread.
/**
 * @param {string} login
 * @param {string} route
 * @param {ParentNode} root
 */
export function restoreDrafts(login, route, root) {
  /** @type {Draft | null} */
  let draft = null;
  try {
    draft = JSON.parse(sessionStorage.getItem(KEY) || 'null');
  } catch {
    draft = null;
  }
  if (!draft) return false;
  if (draft.login !== login) {
    dropDrafts();
    return false;
  }
  if (draft.route !== route) return false;
  dropDrafts();
  const forms = [...root.querySelectorAll('form')];
  let restored = false;
  for (const kept of draft.forms) {
    const form = forms.find((f) => (f.getAttribute('aria-label') || '') === kept.label);
    if (!form) continue;
    /** @type {Map<string, number>} */
    const seen = new Map();
    for (const field of kept.fields) {
      // The n-th control of that name (repeated rows share names).
      const n = seen.get(field.name) || 0;
      seen.set(field.name, n + 1);
      const el = [...form.querySelectorAll('input, select, textarea')]
        .filter((c) => /** @type {HTMLInputElement} */ (c).name === field.name)[n];
      if (!el || !isControl(el)) continue;
      const c = /** @type {HTMLInputElement} */ (el);
      if (field.checked !== null) c.checked = field.checked;
      else c.value = field.value;
      c.dispatchEvent(new Event('input', { bubbles: true }));
      c.dispatchEvent(new Event('change', { bubbles: true }));
      restored = true;
    }
  }
  return restored;
}

export function dropDrafts() {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing kept
  }
}
