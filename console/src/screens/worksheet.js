// The worksheet of worked example 2, questions 1–3 and the step content around them, as one form
// saved with PATCH /api/v1/issues/{id} (UpdateIssueRequest): 問1 テーマ → theme, 問2 目指す姿 →
// target_state, 現状 and its evidence (step 2) → current_state + replace_evidence/evidence,
// 課題の選定 (step 3) → replace_issue_options/issue_options + chosen_issue, 問3 原因 (step 4) →
// replace_causes/causes (at most 4, exactly one main) + root_cause. Only what changed is sent,
// and a list only with its replace_* flag, as the proto asks. Sections of steps the issue has
// not reached are disabled: the service accepts content for the current step and those before
// it (services/issues/worksheet.cc renders the same mapping). Shown read-only (every section
// disabled, no buttons) to those who may not change the issue. For paper, worksheetPrint() gives
// the same questions as text (the form's fields do not print well; app.css shows
// .worksheet-print in print only).
import { h } from '../dom.js';
import { input, choices, actionForm, submitting } from '../forms.js';
import { EVIDENCE_KINDS, STEPS, label } from '../words.js';

/**
 * One row of a rowList: its value read back, its labels numbered, its fields named.
 * @template V
 * @typedef {HTMLDivElement & {
 *   setIndex(i: number): void, value(): V, isEmpty(): boolean, setField(f: string): void,
 *   focusFirst(): void,
 * }} Row
 */

// A list of rows that can grow and shrink; each row is built by make(value, index).
/**
 * @template T, V
 * @param {object} opts
 * @param {string} opts.legend
 * @param {string} opts.addLabel
 * @param {T[]} opts.values
 * @param {(value: T | undefined, index: number, onRemove: () => void) => Row<V>} opts.make
 * @param {number} opts.max
 */
function rowList({ legend, addLabel, values, make, max }) {
  const box = h('div', { class: 'row-list' });
  /** @type {Row<V>[]} */
  const rows = [];
  const add = h('button', { type: 'button', class: 'secondary small' }, addLabel);
  const refresh = () => {
    rows.forEach((r, i) => r.setIndex(i));
    add.disabled = rows.length >= max;
  };
  /** @param {T | undefined} value */
  const push = (value) => {
    const row = make(value, rows.length, () => {
      rows.splice(rows.indexOf(row), 1);
      row.remove();
      refresh();
      add.focus();
    });
    rows.push(row);
    box.append(row);
    refresh();
    return row;
  };
  add.addEventListener('click', () => push(undefined).focusFirst());
  values.forEach((v) => push(v));
  const fs = h('fieldset', { class: 'rows' }, h('legend', {}, legend), box, add);
  return Object.assign(fs, { rows });
}

/**
 * @param {string} text
 * @param {() => void} onRemove
 */
function removeButton(text, onRemove) {
  const b = h('button', { type: 'button', class: 'secondary small' }, text);
  b.addEventListener('click', onRemove);
  return b;
}

// The label of a control made by input().
const labelOf = (/** @type {ui.Field} */ wrap) => /** @type {HTMLLabelElement} */ (wrap.querySelector('label'));

/**
 * @param {renkei.v1.Evidence | undefined} value
 * @param {number} index
 * @param {() => void} onRemove
 * @returns {Row<{kind: string, summary: string, reference: string}>}
 */
function evidenceRow(value, index, onRemove) {
  /** @type {Partial<renkei.v1.Evidence>} */
  const v = value || {};
  const kind = input({ label: '', field: '', options: EVIDENCE_KINDS, empty: '種類を選ぶ', value: v.kind });
  const summary = input({ label: '', field: '', value: v.summary, width: 'long' });
  const reference = input({ label: '', field: '', value: v.reference });
  const remove = removeButton('', onRemove);
  const row = h('div', { class: 'evidence-row' }, kind, summary, reference, remove);
  const read = () => ({ kind: kind.control.value, summary: summary.control.value.trim(), reference: reference.control.value.trim() });
  return Object.assign(row, {
    setIndex: (/** @type {number} */ i) => {
      labelOf(kind).textContent = `根拠${i + 1}の種類`;
      labelOf(summary).textContent = `根拠${i + 1}の内容`;
      labelOf(reference).textContent = `根拠${i + 1}の出典 (資料名・URL・ID)`;
      remove.textContent = `根拠${i + 1}を削除`;
    },
    value: read,
    isEmpty: () => !read().summary && !read().reference,
    setField: (/** @type {string} */ f) => {
      row.dataset.field = f;
      kind.dataset.field = `${f}.kind`;
      summary.dataset.field = `${f}.summary`;
      reference.dataset.field = `${f}.reference`;
    },
    focusFirst: () => kind.control.focus(),
  });
}

/**
 * @param {string | undefined} value
 * @param {number} index
 * @param {() => void} onRemove
 * @returns {Row<string>}
 */
function optionRow(value, index, onRemove) {
  const text = input({ label: '', field: '', value: value || '', width: 'long' });
  const remove = removeButton('', onRemove);
  const row = h('div', { class: 'option-row' }, text, remove);
  const rowValue = () => text.control.value.trim();
  return Object.assign(row, {
    setIndex: (/** @type {number} */ i) => {
      labelOf(text).textContent = `課題案${i + 1}`;
      remove.textContent = `課題案${i + 1}を削除`;
    },
    value: rowValue,
    isEmpty: () => !rowValue(),
    setField: (/** @type {string} */ f) => { text.dataset.field = f; },
    focusFirst: () => text.control.focus(),
  });
}

// Step `n`'s section: a fieldset disabled until the issue reaches the step.
/**
 * @param {renkei.v1.RegionalIssue} issue
 * @param {number} step
 * @param {string} title
 * @param {ui.Child[]} children
 * @param {boolean} editable
 */
function stepSection(issue, step, title, children, editable) {
  const open = issue.status !== 'ISSUE_STATUS_OPEN' || (issue.currentStep || 1) >= step;
  const closed = issue.status === 'ISSUE_STATUS_CLOSED';
  return h('fieldset', { class: `worksheet-q step-${step}`, disabled: !open || closed || !editable },
    h('legend', {}, title),
    !open && editable ? h('p', { class: 'hint' }, `ステップ${step}「${STEPS[step - 1]}」に進むと記入できます。`) : null,
    children);
}

/** @type {(a: unknown, b: unknown) => boolean} */
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// The form; submit(body, andAdvance) sends the PATCH (body may be empty: nothing changed) and,
// for 保存して次のステップへ, the AdvanceStep after it. editable: false shows it read-only;
// advance: false leaves out 保存して次のステップへ.
/**
 * @param {renkei.v1.RegionalIssue} issue
 * @param {(body: {[field: string]: unknown}, andAdvance: boolean) => Promise<void>} submit
 * @param {{editable?: boolean, advance?: boolean}} [options]
 */
export function worksheetForm(issue, submit, { editable = true, advance = true } = {}) {
  const theme = input({ label: '問1 取り組みたい具体的なテーマ', field: 'theme', value: issue.theme, required: true, width: 'long' });
  const target = input({ label: '問2 テーマの「目指す姿」', field: 'target_state', value: issue.targetState, multiline: true, rows: 3 });
  const current = input({ label: '現状', field: 'current_state', value: issue.currentState, multiline: true, rows: 4 });
  const evidence = rowList({
    legend: '現状を示す根拠 (データ・調査・ヒアリング)', addLabel: '根拠を追加', values: issue.evidence || [], make: evidenceRow, max: 20,
  });
  evidence.dataset.field = 'evidence';
  const options = rowList({
    legend: '課題案 (いくつか挙げて1つを選ぶ)', addLabel: '課題案を追加', values: issue.issueOptions || [], make: optionRow, max: 10,
  });
  options.dataset.field = 'issue_options';
  const chosen = input({ label: '選んだ課題', field: 'chosen_issue', value: issue.chosenIssue, multiline: true, rows: 2 });

  const causes = issue.causes || [];
  const causeInputs = [0, 1, 2, 3].map((i) => input({
    label: `原因${i + 1}`, field: `causes[${i}].text`, value: causes[i] ? causes[i].text : '', width: 'long',
  }));
  const mainIndex = causes.findIndex((c) => c.main);
  const main = choices({
    label: '主たる原因 (最も大きな原因を1つ)', field: 'causes', name: 'main-cause',
    options: [0, 1, 2, 3].map((i) => [String(i), `原因${i + 1}を主たる原因にする`]),
    value: mainIndex >= 0 ? String(mainIndex) : '',
  });
  const root = input({ label: '根本原因 (主たる原因の背景)', field: 'root_cause', value: issue.rootCause, multiline: true, rows: 3 });

  function body() {
    /** @type {{[field: string]: unknown}} */
    const b = {};
    const step = issue.status === 'ISSUE_STATUS_OPEN' ? issue.currentStep || 1 : 7;
    const t = theme.control.value.trim();
    if (t !== (issue.theme || '')) b.theme = t;
    const ts = target.control.value.trim();
    if (step >= 1 && ts !== (issue.targetState || '')) b.targetState = ts;
    if (step >= 2) {
      const cs = current.control.value.trim();
      if (cs !== (issue.currentState || '')) b.currentState = cs;
      const rows = evidence.rows.filter((r) => !r.isEmpty());
      evidence.rows.forEach((r) => r.setField('evidence-unused'));
      rows.forEach((r, i) => r.setField(`evidence[${i}]`));
      const ev = rows.map((r) => {
        const v = r.value();
        /** @type {ui.Body} */
        const out = { summary: v.summary };
        if (v.kind) out.kind = v.kind;
        if (v.reference) out.reference = v.reference;
        return out;
      });
      const before = (issue.evidence || []).map((e) => {
        /** @type {ui.Body} */
        const out = { summary: e.summary || '' };
        if (e.kind && e.kind !== 'EVIDENCE_KIND_UNSPECIFIED') out.kind = e.kind;
        if (e.reference) out.reference = e.reference;
        return out;
      });
      if (!same(ev, before)) Object.assign(b, { replaceEvidence: true, evidence: ev });
    }
    if (step >= 3) {
      const rows = options.rows.filter((r) => !r.isEmpty());
      options.rows.forEach((r) => r.setField('issue_options-unused'));
      rows.forEach((r, i) => r.setField(`issue_options[${i}]`));
      const opts = rows.map((r) => r.value());
      if (!same(opts, issue.issueOptions || [])) Object.assign(b, { replaceIssueOptions: true, issueOptions: opts });
      const ch = chosen.control.value.trim();
      if (ch !== (issue.chosenIssue || '')) b.chosenIssue = ch;
    }
    if (step >= 4) {
      const picked = main.value();
      /** @type {ui.Body[]} */
      const list = [];
      causeInputs.forEach((w, i) => {
        const text = w.control.value.trim();
        w.dataset.field = 'causes-unused';
        if (!text) return;
        w.dataset.field = `causes[${list.length}].text`;
        /** @type {ui.Body} */
        const cause = { text, main: picked === String(i) };
        if (causes[i] && causes[i].id) cause.id = causes[i].id;
        list.push(cause);
      });
      const before = causes.map((c) => ({ text: c.text, main: Boolean(c.main), ...(c.id ? { id: c.id } : {}) }));
      const now = list.map((c) => ({ text: c.text, main: c.main, ...(c.id ? { id: c.id } : {}) }));
      if (!same(now, before)) Object.assign(b, { replaceCauses: true, causes: list });
      const rc = root.control.value.trim();
      if (rc !== (issue.rootCause || '')) b.rootCause = rc;
    }
    return b;
  }

  const saveAndAdvance = h('button', { type: 'button', class: 'secondary', id: 'save-advance' }, '保存して次のステップへ');
  const form = actionForm({
    label: '地域課題ワークシート (問1〜問3)',
    className: 'form worksheet',
    submitLabel: editable ? 'ワークシートを保存' : undefined,
    extraButtons: editable && advance && issue.status === 'ISSUE_STATUS_OPEN' && (issue.currentStep || 1) < 7 ? saveAndAdvance : null,
    children: [
      stepSection(issue, 1, '問1・問2 テーマと目指す姿 (ステップ1)', [theme, target], editable),
      stepSection(issue, 2, '現状把握 (ステップ2)', [current, evidence], editable),
      stepSection(issue, 3, '課題の選定 (ステップ3)', [options, chosen], editable),
      stepSection(issue, 4, '問3 考えられる原因 (最大4つ) と最も大きな原因 (ステップ4)',
        [h('div', { class: 'causes' }, causeInputs, main), root], editable),
    ],
    onSubmit: () => submit(body(), false),
  });
  saveAndAdvance.addEventListener('click', () => submitting(form, form.alert, () => submit(body(), true)));
  // Read-only: the rows' add and remove buttons go too (the sections are disabled already).
  if (!editable) form.querySelectorAll('button').forEach((b) => b.remove());
  return form;
}

// The worksheet's 問1–問3 as text, for print (hidden on screen: the form above is what people
// edit; the countermeasures and expected changes print from their own cards). Hidden from
// assistive technology too: on screen the form says the same.
/** @param {renkei.v1.RegionalIssue} issue */
export function worksheetPrint(issue) {
  const none = '（未記入）';
  /** @param {string} term @param {ui.Child} text */
  const item = (term, text) => [h('dt', {}, term), h('dd', {}, text || none)];
  const evidence = issue.evidence || [];
  const options = issue.issueOptions || [];
  const causes = issue.causes || [];
  return h('div', { class: 'worksheet-print', 'aria-hidden': 'true' },
    h('dl', {},
      item('問1 取り組みたい具体的なテーマ', issue.theme),
      item('問2 テーマの「目指す姿」', issue.targetState && h('span', { class: 'pre' }, issue.targetState)),
      item('現状', issue.currentState && h('span', { class: 'pre' }, issue.currentState)),
      item('現状を示す根拠', evidence.length ? h('ul', {}, evidence.map((e) => h('li', {},
        e.kind && e.kind !== 'EVIDENCE_KIND_UNSPECIFIED' ? `【${label(EVIDENCE_KINDS, e.kind)}】` : '', e.summary,
        e.reference && e.kind !== 'EVIDENCE_KIND_SEED' && e.kind !== 'EVIDENCE_KIND_CONSULTATION' ? ` (${e.reference})` : ''))) : ''),
      item('課題案', options.length ? h('ol', {}, options.map((o) => h('li', {}, o))) : ''),
      item('選んだ課題', issue.chosenIssue),
      item('問3 考えられる原因', causes.length ? h('ol', {}, causes.map((c) => h('li', {},
        c.main ? h('strong', {}, `◎ 主たる原因: ${c.text}`) : c.text))) : ''),
      item('根本原因', issue.rootCause && h('span', { class: 'pre' }, issue.rootCause))));
}
