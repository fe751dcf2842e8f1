// An in-page confirmation before a change that commits or notifies others (ending a session,
// disabling an account, a referral, an escalation, a publication, a deletion): what will happen,
// the change's button and やめる — in the page, not window.confirm, so it is read in order, styled,
// and testable. The focus moves into it; やめる and Escape close it and put the focus back on the
// button that opened it; a refusal is shown inside it.
//
// Three ways in, one panel: confirmation() (the caller places it and decides what a yes does),
// confirmThen() (right after its opener, resolving with the change's result) and askFirst() (in a
// slot the screen keeps for its questions).
import { h, replace, uid } from './dom.js';
import { formAlert, submitting } from './forms.js';

/**
 * The panel: named by its question, described by what will happen.
 * @param {object} opts
 * @param {'dialog' | 'group'} opts.role
 * @param {string} opts.title
 * @param {ui.Child} opts.description
 * @param {ui.Child} [opts.extra]
 * @param {string} opts.confirmLabel
 * @param {string} opts.cancelLabel
 * @param {boolean} opts.danger
 * @param {(box: HTMLElement, alert: HTMLElement) => void} opts.onConfirm
 * @param {() => void} opts.onCancel
 */
function panel({
  role, title, description, extra, confirmLabel, cancelLabel, danger, onConfirm, onCancel,
}) {
  const titleId = uid('confirm-title');
  const textId = description ? uid('confirm-text') : null;
  const alert = formAlert();
  const yes = h('button', { type: 'button', class: 'primary confirm-yes' }, confirmLabel);
  const no = h('button', { type: 'button', class: 'secondary confirm-no' }, cancelLabel);
  const box = h('div', {
    class: danger ? 'confirm-inline danger' : 'confirm-inline',
    role,
    'aria-labelledby': titleId,
    'aria-describedby': textId,
    tabindex: '-1',
  },
  h('p', { class: 'confirm-title', id: titleId }, title),
  description ? h('div', { class: 'confirm-text', id: textId }, description) : null,
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
 * The panel itself, for callers that place it (a dialog of the page: role="dialog").
 * @param {object} opts
 * @param {string} opts.title
 * @param {ui.Child[]} opts.lines
 * @param {string} opts.confirmLabel
 * @param {ui.Child} [opts.extra] more controls (a note)
 * @param {boolean} [opts.danger] the change cannot be taken back (its button in red)
 * @param {(box: HTMLElement, alert: HTMLElement) => void} opts.onConfirm
 * @param {() => void} opts.onCancel
 */
export function confirmation({
  title, lines, confirmLabel, extra, danger = false, onConfirm, onCancel,
}) {
  return panel({
    role: 'dialog',
    title,
    description: lines.map((l) => h('p', {}, l)),
    extra,
    confirmLabel,
    cancelLabel: 'やめる',
    danger,
    onConfirm,
    onCancel,
  });
}

/**
 * Opens a confirmation right after `opener` (one at a time per opener) and runs `action` when it
 * is confirmed; resolves with the action's result, or undefined when cancelled or refused (the
 * refusal stays shown in the panel).
 * @template T
 * @param {HTMLElement} opener
 * @param {{title: string, lines: ui.Child[], confirmLabel: string, extra?: ui.Child, danger?: boolean, action: () => Promise<T>}} opts
 * @returns {Promise<T | undefined>}
 */
export function confirmThen(opener, {
  title, lines, confirmLabel, extra, danger, action,
}) {
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
      danger,
      onCancel: () => {
        close();
        resolve(undefined);
      },
      onConfirm: async (panelBox, alert) => {
        const result = await submitting(panelBox, alert, action);
        if (result === undefined) return; // refused: the panel says why
        panelBox.remove();
        resolve(result);
      },
    });
    opener.after(box);
    box.focus();
  });
}

/**
 * Asks in `slot` (emptied first) before an action others will see or that cannot be undone: a
 * labelled group (role="group"), so a screen reader reads the question when the focus lands on it.
 * やめる or Escape empties the slot and puts the focus back on `opener`. The action runs through
 * submitting(): a refusal shows in the question's own alert. Returns the question's element.
 * @param {object} opts
 * @param {HTMLElement} opts.slot
 * @param {HTMLElement} opts.opener
 * @param {string} opts.title the question, e.g. 「…」を削除しますか？
 * @param {ui.Child} [opts.details] what will happen, in a sentence or a list
 * @param {string} opts.confirmLabel names the action (削除する), never OK
 * @param {string} [opts.cancelLabel]
 * @param {boolean} [opts.danger] the action removes something (its button in red)
 * @param {() => unknown} opts.action
 */
export function askFirst({
  slot, opener, title, details, confirmLabel, cancelLabel = 'やめる', danger = false, action,
}) {
  const box = panel({
    role: 'group',
    title,
    description: details,
    confirmLabel,
    cancelLabel,
    danger,
    onConfirm: (question, alert) => submitting(question, alert, action),
    onCancel: () => {
      replace(slot);
      opener.focus();
    },
  });
  replace(slot, box);
  box.focus();
  return box;
}
