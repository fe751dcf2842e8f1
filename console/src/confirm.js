// An in-page confirmation before a change that commits or notifies others (ending a session,
// disabling an account, a referral, an escalation, a publication): what will happen, the
// change's button and やめる — in the page, not window.confirm, so it is read in order, styled, and
// testable. The focus moves into it; やめる and Escape close it and put the focus back on the
// button that opened it; a refusal is shown inside it.
import { h, uid } from './dom.js';
import { formAlert, submitting } from './forms.js';

/**
 * The panel itself, for callers that place it.
 * @param {object} opts
 * @param {string} opts.title
 * @param {ui.Child[]} opts.lines
 * @param {string} opts.confirmLabel
 * @param {ui.Child} [opts.extra] more controls (a note)
 * @param {(box: HTMLElement, alert: HTMLElement) => void} opts.onConfirm
 * @param {() => void} opts.onCancel
 */
export function confirmation({ title, lines, confirmLabel, extra, onConfirm, onCancel }) {
  const titleId = uid('confirm-title');
  const textId = uid('confirm-text');
  const alert = formAlert();
  const yes = h('button', { type: 'button', class: 'primary' }, confirmLabel);
  const no = h('button', { type: 'button', class: 'secondary' }, 'やめる');
  const box = h('div', {
    class: 'confirm-inline', role: 'dialog', 'aria-labelledby': titleId, 'aria-describedby': textId, tabindex: '-1',
  },
  h('p', { class: 'confirm-title', id: titleId }, title),
  h('div', { id: textId }, lines.map((l) => h('p', {}, l))),
  alert,
  extra || null,
  h('div', { class: 'actions' }, yes, no));
  no.addEventListener('click', onCancel);
  box.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onCancel();
    }
  });
  yes.addEventListener('click', () => onConfirm(box, alert));
  return box;
}

/**
 * Opens a confirmation right after `opener` (one at a time per opener) and runs `action` when it
 * is confirmed; resolves with the action's result, or undefined when cancelled or refused (the
 * refusal stays shown in the panel).
 * @template T
 * @param {HTMLElement} opener
 * @param {{title: string, lines: ui.Child[], confirmLabel: string, extra?: ui.Child, action: () => Promise<T>}} opts
 * @returns {Promise<T | undefined>}
 */
export function confirmThen(opener, { title, lines, confirmLabel, extra, action }) {
  const open = /** @type {HTMLElement | null} */ (opener.nextElementSibling);
  if (open && open.classList.contains('confirm-inline')) {
    open.focus();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const close = () => {
      box.remove();
      opener.focus();
    };
    const box = confirmation({
      title,
      lines,
      confirmLabel,
      extra,
      onCancel: () => {
        close();
        resolve(undefined);
      },
      onConfirm: async (panel, alert) => {
        const result = await submitting(panel, alert, action);
        if (result === undefined) return; // refused: the panel says why
        panel.remove();
        resolve(result);
      },
    });
    opener.after(box);
    box.focus();
  });
}
