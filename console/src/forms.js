// Form controls with their labels, hints and error slots, and the mapping of the gateway's field
// errors ({field: "person.birth_date", description}) to the control they concern: every control
// sits in a wrapper carrying data-field="<proto path of the request field>".
import { ApiError, post } from './api.js';
import { h, uid } from './dom.js';
import { parseDateInput, isoDate } from './dates.js';
import { municipalityName, isKnownMunicipality } from './municipalities.js';

// Numbers, dates, codes and ids are read through NFKC, so "１３２２５０" is "132250".
/** @param {unknown} value */
export function norm(value) {
  return String(value ?? '').normalize('NFKC').trim();
}

// A number typed in any width, with or without thousands separators; undefined when empty,
// NaN when not a number.
/**
 * @param {unknown} value
 * @returns {number | undefined}
 */
export function normNumber(value) {
  const s = norm(value).replace(/[,，]/g, '');
  if (s === '') return undefined;
  return /^[-+]?(\d+\.?\d*|\.\d+)$/.test(s) ? Number(s) : NaN;
}

// "パーキンソン病、専門医連携" / "a, b" / one per line → ["パーキンソン病", "専門医連携"].
/**
 * @param {unknown} value
 * @param {{lines?: boolean}} [options]
 */
export function splitList(value, { lines = false } = {}) {
  const pattern = lines ? /\r?\n/ : /[,、，\n]+/;
  return String(value ?? '').split(pattern).map((s) => s.trim()).filter(Boolean);
}

/**
 * @param {Element} control
 * @param {(string | null)[]} ids
 */
function describedBy(control, ids) {
  const list = ids.filter(Boolean).join(' ');
  if (list) control.setAttribute('aria-describedby', list);
  else control.removeAttribute('aria-describedby');
}

/**
 * @param {string} field
 * @param {string | undefined} extraClass
 * @param {ui.Child[]} children
 */
function wrapper(field, extraClass, children) {
  return h('div', { class: `field ${extraClass || ''}`.trim(), 'data-field': field }, children);
}

// A labelled text input, textarea or select. Options: label, field (proto path), value, hint,
// required, placeholder, type, inputmode, autocomplete, multiline, rows, options ([[v, label]]),
// empty (label of the empty choice of a select; none when absent), width ('short'|'long').
/**
 * @typedef {object} InputOptions
 * @property {string} label
 * @property {string} field
 * @property {string} [id]
 * @property {unknown} [value]
 * @property {string} [hint]
 * @property {boolean} [required]
 * @property {string} [placeholder]
 * @property {string} [type]
 * @property {string} [inputmode]
 * @property {string} [autocomplete]
 * @property {boolean} [multiline]
 * @property {number} [rows]
 * @property {number} [maxlength]
 * @property {ui.Table<unknown>} [options]
 * @property {string} [empty]
 * @property {string} [width]
 * @property {string} [class]
 */
/**
 * @param {InputOptions} opts
 * @returns {ui.Field}
 */
export function input(opts) {
  const id = opts.id || uid('in');
  const hintId = opts.hint ? `${id}-hint` : null;
  const errId = `${id}-err`;
  /** @type {ui.Control} */
  let control;
  if (opts.options) {
    control = h('select', { id, name: opts.field, required: opts.required },
      opts.empty !== undefined ? h('option', { value: '' }, opts.empty) : null,
      opts.options.map(([v, l]) => h('option', { value: v, selected: String(v) === String(opts.value ?? '') }, l)));
  } else if (opts.multiline) {
    control = h('textarea', {
      id, name: opts.field, rows: opts.rows || 3, required: opts.required,
      placeholder: opts.placeholder, maxlength: opts.maxlength,
    });
    control.value = String(opts.value ?? '');
  } else {
    control = h('input', {
      id, name: opts.field, type: opts.type || 'text', value: opts.value ?? '',
      required: opts.required, placeholder: opts.placeholder, inputmode: opts.inputmode,
      autocomplete: opts.autocomplete || 'off', maxlength: opts.maxlength,
      class: opts.width ? `w-${opts.width}` : null,
    });
  }
  const wrap = wrapper(opts.field, opts.class, [
    h('label', { for: id }, opts.label, opts.required ? h('span', { class: 'req' }, ' (必須)') : null),
    control,
    opts.hint ? h('p', { class: 'hint', id: hintId }, opts.hint) : null,
    h('p', { class: 'field-error', id: errId, hidden: true }),
  ]);
  describedBy(control, [hintId]);
  return Object.assign(wrap, { control, hintId, errId });
}

// A date typed Japanese style or ISO; read with dateValue().
/**
 * @param {InputOptions} opts value: a renkei.v1.Date or text
 * @returns {ui.Field}
 */
export function dateInput(opts) {
  return input({
    ...opts,
    value: opts.value && typeof opts.value === 'object' ? isoDate(/** @type {renkei.v1.Date} */ (opts.value)) : opts.value,
    inputmode: 'numeric',
    width: 'date',
    hint: opts.hint ?? '例: 2026-11-24、2026/11/24、令和8年11月24日',
  });
}

// Reads a date control: a renkei.v1.Date, undefined when empty; throws a field error when the
// text is not a date.
/**
 * @param {ui.Field} wrap
 * @returns {renkei.v1.Date | undefined}
 */
export function dateValue(wrap) {
  const text = norm(wrap.control.value);
  if (!text) return undefined;
  const d = parseDateInput(text);
  if (!d) {
    throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください', [
      { field: wrap.dataset.field ?? '', description: '日付として読めません (例: 2026-11-24、令和8年11月24日)' },
    ]);
  }
  return d;
}

// A fieldset of checkboxes (multiple: true) or radio buttons. wrap.values() / wrap.value().
/**
 * @param {object} opts
 * @param {string} opts.label
 * @param {string} opts.field
 * @param {ui.Table<unknown>} opts.options
 * @param {string} [opts.id]
 * @param {string} [opts.name]
 * @param {string} [opts.hint]
 * @param {unknown} [opts.value] a value, or the values when multiple
 * @param {boolean} [opts.multiple]
 * @param {boolean} [opts.columns]
 * @param {boolean} [opts.required]
 * @param {string} [opts.class]
 * @returns {ui.Choices}
 */
export function choices(opts) {
  const id = opts.id || uid('ch');
  const name = opts.name || id;
  const errId = `${id}-err`;
  const hintId = opts.hint ? `${id}-hint` : null;
  const selected = new Set((Array.isArray(opts.value) ? opts.value : [opts.value]).map(String));
  const boxes = opts.options.map(([v, l], i) => {
    const boxId = `${id}-${i}`;
    const box = h('input', {
      type: opts.multiple ? 'checkbox' : 'radio', id: boxId, name, value: v,
      checked: selected.has(String(v)),
    });
    return h('span', { class: 'choice' }, box, h('label', { for: boxId }, l));
  });
  const fs = h('fieldset', {
    class: `field choices ${opts.columns ? 'cols' : ''} ${opts.class || ''}`.trim(),
    'data-field': opts.field, id,
  },
  h('legend', {}, opts.label, opts.required ? h('span', { class: 'req' }, ' (必須)') : null),
  opts.hint ? h('p', { class: 'hint', id: hintId }, opts.hint) : null,
  h('div', { class: 'choice-list' }, boxes),
  h('p', { class: 'field-error', id: errId, hidden: true }));
  if (hintId) fs.setAttribute('aria-describedby', hintId);
  const inputs = () => [...fs.querySelectorAll('input')];
  const values = () => inputs().filter((b) => b.checked).map((b) => b.value);
  return Object.assign(fs, {
    values, value: () => values()[0] ?? '', control: inputs()[0], errId, hintId,
  });
}

// A single checkbox with its label.
/**
 * @param {{label: string, field: string, id?: string, value?: boolean, hint?: string}} opts
 * @returns {ui.Checkbox}
 */
export function checkbox(opts) {
  const id = opts.id || uid('cb');
  const box = h('input', { type: 'checkbox', id, name: opts.field, checked: opts.value });
  const wrap = wrapper(opts.field, 'check', [
    box, h('label', { for: id }, opts.label),
    opts.hint ? h('p', { class: 'hint', id: `${id}-hint` }, opts.hint) : null,
    h('p', { class: 'field-error', id: `${id}-err`, hidden: true }),
  ]);
  if (opts.hint) box.setAttribute('aria-describedby', `${id}-hint`);
  return Object.assign(wrap, {
    control: box, errId: `${id}-err`, hintId: opts.hint ? `${id}-hint` : null,
  });
}

// The message slot at the top of a form.
export function formAlert() {
  return h('div', { class: 'form-alert', role: 'alert', tabindex: '-1', hidden: true });
}

/** @param {unknown} path */
function key(path) {
  return String(path).replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

// The wrapper inside `root` whose data-field is the error's field or the longest prefix of it
// ("needs[0].capability" lands on needs[0].capability, else needs[0], else needs).
/**
 * @param {ParentNode} root
 * @param {string} field
 * @returns {HTMLElement | null}
 */
export function wrapperFor(root, field) {
  const k = key(field);
  /** @type {HTMLElement | null} */
  let best = null;
  for (const el of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll('[data-field]'))) {
    const d = key(el.dataset.field);
    if (!d) continue;
    if (k === d || k.startsWith(`${d}.`) || k.startsWith(`${d}[`)) {
      if (!best || d.length > key(best.dataset.field).length) best = el;
    }
  }
  return best;
}

/**
 * @param {ParentNode} root
 * @param {HTMLElement | null | undefined} alert
 */
export function clearErrors(root, alert) {
  for (const el of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll('.field-error'))) {
    el.textContent = '';
    el.hidden = true;
  }
  for (const el of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll('[aria-invalid]'))) {
    el.removeAttribute('aria-invalid');
    const ids = (el.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && !x.endsWith('-err'));
    describedBy(el, ids);
  }
  if (alert) {
    alert.textContent = '';
    alert.hidden = true;
  }
}

/**
 * @param {ParentNode} wrap
 * @returns {ui.Control[]}
 */
function controlsOf(wrap) {
  return /** @type {ui.Control[]} */ ([...wrap.querySelectorAll('input, select, textarea')]);
}

// Shows an error: the message at the top (role="alert"), each field's description next to its
// control (aria-invalid, aria-describedby), the rest listed in the alert.
/**
 * @param {ParentNode} root
 * @param {HTMLElement | null | undefined} alert
 * @param {ApiError} err
 */
export function showError(root, alert, err) {
  clearErrors(root, alert);
  /** @type {ui.FieldError[]} */
  const unplaced = [];
  /** @type {ui.Control | null} */
  let first = null;
  for (const f of err.fields || []) {
    const wrap = f.field ? wrapperFor(root, f.field) : null;
    const slot = wrap && /** @type {HTMLElement | null} */ (wrap.querySelector(':scope > .field-error'));
    if (!slot) {
      unplaced.push(f);
      continue;
    }
    slot.textContent = slot.textContent ? `${slot.textContent} / ${f.description}` : f.description;
    slot.hidden = false;
    for (const c of controlsOf(wrap)) {
      c.setAttribute('aria-invalid', 'true');
      const ids = (c.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
      if (!ids.includes(slot.id)) ids.push(slot.id);
      describedBy(c, ids);
    }
    if (!first) first = controlsOf(wrap)[0] ?? null;
  }
  if (alert) {
    alert.textContent = '';
    alert.append(h('p', {}, err.message || 'エラーが発生しました'));
    if (unplaced.length) {
      alert.append(h('ul', {}, unplaced.map((f) => h('li', {}, fieldText(root, f)))));
    }
    alert.hidden = false;
  }
  if (first) first.focus();
  else if (alert) alert.focus();
}

// A field error with no place on the form, as people read it: the description after the label of
// a control of that name when the form has one, else the description alone — never the API's
// field path (needs[0].capability).
/**
 * @param {ParentNode} root
 * @param {ui.FieldError} f
 */
function fieldText(root, f) {
  const control = f.field ? root.querySelector(`[name="${CSS.escape(key(f.field))}"]`) : null;
  const labels = control && 'labels' in control ? /** @type {ui.Control} */ (control).labels : null;
  const text = labels && labels.length ? (labels[0].textContent || '').replace(/\s*\(必須\)\s*$/, '').trim() : '';
  return text ? `${text}: ${f.description}` : f.description;
}

// Runs a form's action: clears old errors, disables the submit buttons while it runs, shows an
// ApiError on the form. Returns the action's result, or undefined when it failed. A disabled
// button loses the focus (to <body>): the one that had it gets it back afterwards, unless the
// focus has moved on meanwhile (an error's field, a redrawn screen's heading) or the button is
// gone from the page.
/**
 * @template T
 * @param {HTMLElement} root
 * @param {HTMLElement | null | undefined} alert
 * @param {() => T | Promise<T>} action
 * @returns {Promise<T | undefined>}
 */
export async function submitting(root, alert, action) {
  const buttons = [...root.querySelectorAll('button')];
  const focused = buttons.find((b) => b === document.activeElement);
  clearErrors(root, alert);
  buttons.forEach((b) => { b.disabled = true; });
  root.setAttribute('aria-busy', 'true');
  try {
    return await action();
  } catch (err) {
    if (!(err instanceof ApiError)) {
      // The browser's own words (a script error) are for the console log, not for people.
      showError(root, alert, new ApiError(0, 'INTERNAL', '予期しないエラーが発生しました。画面を読み込み直してからやり直してください'));
      throw err;
    }
    if (!err.handled) showError(root, alert, err);
    return undefined;
  } finally {
    root.removeAttribute('aria-busy');
    buttons.forEach((b) => { if (b.isConnected) b.disabled = false; });
    if (focused && focused.isConnected && document.activeElement === document.body) focused.focus();
  }
}

// A form element whose submit runs `action` through submitting(); returns {form, alert}.
/**
 * @param {object} opts
 * @param {string} opts.label
 * @param {string} [opts.className]
 * @param {(form: HTMLFormElement) => unknown} opts.onSubmit
 * @param {ui.Child} opts.children
 * @param {string} [opts.submitLabel]
 * @param {ui.Child} [opts.extraButtons]
 * @returns {ui.ActionForm}
 */
export function actionForm({ label, className, onSubmit, children, submitLabel, extraButtons }) {
  const alert = formAlert();
  const form = h('form', { class: className || 'form', 'aria-label': label, novalidate: true },
    alert, children,
    h('div', { class: 'actions' },
      submitLabel ? h('button', { type: 'submit', class: 'primary' }, submitLabel) : null,
      extraButtons || null));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submitting(form, alert, () => onSubmit(form));
  });
  return Object.assign(form, { alert });
}

// A local government code input that names the municipality as it is typed (full-width digits
// accepted). The service checks the code; this only helps reading it.
/**
 * @param {InputOptions} opts
 * @returns {ui.MunicipalityField}
 */
export function municipalityInput(opts) {
  const wrap = input({ ...opts, inputmode: 'numeric', width: 'code', hint: opts.hint ?? '6桁の地方公共団体コード (例: 132250)' });
  const name = h('span', { class: 'code-name', 'aria-live': 'polite' });
  const update = () => {
    const code = norm(wrap.control.value);
    // Only a municipality's code: a prefecture's name for any other 6 digits of its range
    // (132251, a wrong check digit) would read as if the code were right.
    name.textContent = isKnownMunicipality(code) ? `→ ${municipalityName(code)}` : '';
  };
  wrap.control.addEventListener('input', update);
  wrap.control.after(name);
  update();
  return Object.assign(wrap, { code: () => norm(wrap.control.value) });
}

// After a redraw, the keyboard goes on from the section the action was in.
/** @param {string} id */
export function focusHeading(id) {
  const heading = document.getElementById(id);
  if (!heading) return;
  heading.setAttribute('tabindex', '-1');
  heading.focus();
}

// A change made from a screen's list (withdraw, revoke, remove): sent, said, the screen drawn
// again and the focus back on the section's heading. One someone else changed first (ABORTED) is
// shown as it is now, with a word to try again; other refusals go to the caller.
/**
 * @param {ui.ScreenContext} ctx
 * @param {string} path
 * @param {ui.Body} body
 * @param {string} done
 * @param {string} headingId
 */
export async function changeAndRedraw(ctx, path, body, done, headingId) {
  try {
    await post(path, body);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'ABORTED') {
      ctx.announce('他の人が先に変更しました。最新の内容を表示しています。もう一度操作してください');
      await ctx.rerender();
      focusHeading(headingId);
      return;
    }
    throw err;
  }
  ctx.announce(done);
  await ctx.rerender();
  focusHeading(headingId);
}
