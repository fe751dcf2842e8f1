// Council and working-group meetings (協議会・作業部会・定例ミーティング) that discussed an issue:
// the record (date, body, agenda, pre-meeting notes, materials, minutes, opinions with their
// weight, decisions) and the minutes updated afterwards (PATCH replaces the meeting, version
// included). The forms are offered only to those who may record or update a meeting.
import { get, post, patch, seg } from '../api.js';
import { h, replace } from '../dom.js';
import {
  input, dateInput, dateValue, choices, actionForm, splitList,
} from '../forms.js';
import { tokyoToday } from '../dates.js';
import { dateText } from '../datetext.js';
import {
  label, labels, MEETING_BODIES, OPINION_WEIGHTS, AUDIENCES,
} from '../words.js';

/** @param {string} text */
function materialsFrom(text) {
  return splitList(text, { lines: true }).map((line) => {
    const [title, reference] = line.split(/\s*[|｜]\s*/);
    return reference ? { title, reference } : { title };
  });
}

/** @param {number} n */
function opinionRow(n) {
  const summary = input({ label: `意見${n}`, field: `meeting.opinions[${n - 1}].summary`, multiline: true, rows: 2 });
  const weight = input({ label: `意見${n}の重み`, field: `meeting.opinions[${n - 1}].weight`, options: OPINION_WEIGHTS, empty: '選ぶ' });
  const roles = choices({
    label: `意見${n}を述べた職種`, field: `meeting.opinions[${n - 1}].from_roles`, options: AUDIENCES, multiple: true, columns: true,
  });
  const row = h('div', { class: 'opinion-row' }, summary, weight, roles);
  return Object.assign(row, { value: () => {
    const s = summary.control.value.trim();
    if (!s) return null;
    /** @type {Partial<renkei.v1.Opinion>} */
    const o = { summary: s, fromRoles: /** @type {renkei.v1.AudienceRole[]} */ (roles.values()) };
    if (weight.control.value) o.weight = /** @type {renkei.v1.OpinionWeight} */ (weight.control.value);
    return o;
  } });
}

/**
 * @param {renkei.v1.Meeting} m
 * @param {((m: renkei.v1.Meeting) => Promise<void>) | null} onUpdate null: no update form
 */
function meetingCard(m, onUpdate) {
  const minutes = input({ label: '議事録', field: 'meeting.minutes', value: m.minutes, multiline: true, rows: 5 });
  const decisions = input({ label: '決定事項 (1行に1つ)', field: 'meeting.decisions', value: (m.decisions || []).join('\n'), multiline: true, rows: 3 });
  const form = actionForm({
    label: `${m.title} の議事録を更新する`, submitLabel: '議事録を更新',
    children: [minutes, decisions],
    onSubmit: () => onUpdate && onUpdate({
      ...m, minutes: minutes.control.value, decisions: splitList(decisions.control.value, { lines: true }),
    }),
  });
  return h('li', { class: 'card meeting' },
    h('h3', {}, dateText(m.date), ` ${label(MEETING_BODIES, m.body)}「${m.title}」`),
    (m.agenda || []).length ? h('p', {}, '議題: ', m.agenda.join('／')) : null,
    m.preMeetingNotes ? h('p', { class: 'pre' }, `事前の打合せ: ${m.preMeetingNotes}`) : null,
    (m.materials || []).length ? h('p', {}, '資料: ', m.materials.map((x) => (x.reference ? `${x.title} (${x.reference})` : x.title)).join('、')) : null,
    m.minutes ? h('div', { class: 'minutes' }, h('h4', {}, '議事録'), h('p', { class: 'pre' }, m.minutes)) : null,
    (m.opinions || []).length ? h('div', {}, h('h4', {}, '意見'), h('ul', {}, m.opinions.map((o) => h('li', {},
      o.weight ? h('span', { class: 'badge' }, label(OPINION_WEIGHTS, o.weight)) : null, ` ${o.summary}`,
      (o.fromRoles || []).length ? ` (${labels(AUDIENCES, o.fromRoles)})` : '')))) : null,
    (m.decisions || []).length ? h('div', {}, h('h4', {}, '決定事項'), h('ul', {}, m.decisions.map((d) => h('li', {}, d)))) : null,
    onUpdate ? h('details', {}, h('summary', {}, '議事録を更新する'), form) : null);
}

// The section for the issue `issueId`; `announce` reports results; `allowed` says which forms
// to offer (recording a meeting, updating one's minutes).
/**
 * @param {string} issueId
 * @param {(text: string) => void} announce
 * @param {{record?: boolean, update?: boolean}} [allowed]
 */
export async function meetingsSection(issueId, announce, { record = true, update: canUpdate = true } = {}) {
  const section = h('section', { 'aria-labelledby': 'meetings-h' });
  async function draw() {
    const r = /** @type {renkei.v1.ListMeetingsResponse} */ (await get('/api/v1/meetings', { issue_id: issueId }));
    const meetings = r.meetings || [];
    const date = dateInput({ label: '会議の日付', field: 'meeting.date', value: tokyoToday(), required: true, hint: '' });
    const body = input({ label: '会議体', field: 'meeting.body', options: MEETING_BODIES, value: 'MEETING_BODY_COUNCIL' });
    const title = input({ label: '会議の名称', field: 'meeting.title', required: true, width: 'long', placeholder: '例: 令和8年度 第2回 在宅医療・介護連携推進協議会' });
    const agenda = input({ label: '議題 (1行に1つ)', field: 'meeting.agenda', multiline: true, rows: 2 });
    const pre = input({ label: '事前の打合せメモ', field: 'meeting.pre_meeting_notes', multiline: true, rows: 2 });
    const materials = input({ label: '資料 (1行に1つ、「名称 | ファイル名・URL」)', field: 'meeting.materials', multiline: true, rows: 2 });
    const minutes = input({ label: '議事録', field: 'meeting.minutes', multiline: true, rows: 5 });
    const opinions = h('div', { class: 'opinions' });
    const opinionRows = [opinionRow(1)];
    opinions.append(opinionRows[0]);
    const addOpinion = h('button', { type: 'button', class: 'secondary small' }, '意見を追加');
    addOpinion.addEventListener('click', () => {
      const row = opinionRow(opinionRows.length + 1);
      opinionRows.push(row);
      opinions.append(row);
      row.querySelector('textarea')?.focus();
    });
    const decisions = input({ label: '決定事項 (1行に1つ)', field: 'meeting.decisions', multiline: true, rows: 2 });
    const form = actionForm({
      label: '会議を記録する', submitLabel: '会議を記録',
      children: [h('div', { class: 'row' }, date, body), title, agenda, pre, materials, minutes,
        h('fieldset', { 'data-field': 'meeting.opinions' }, h('legend', {}, '出された意見'), opinions, addOpinion), decisions],
      onSubmit: async () => {
        await post('/api/v1/meetings', {
          meeting: {
            date: dateValue(date),
            body: body.control.value,
            title: title.control.value.trim(),
            agenda: splitList(agenda.control.value, { lines: true }),
            preMeetingNotes: pre.control.value.trim(),
            materials: materialsFrom(materials.control.value),
            minutes: minutes.control.value.trim(),
            opinions: opinionRows.map((row) => row.value()).filter(Boolean),
            decisions: splitList(decisions.control.value, { lines: true }),
            issueIds: [issueId],
          },
        });
        announce('会議を記録しました');
        await draw();
        document.getElementById('meetings-h')?.focus();
      },
    });
    /** @param {renkei.v1.Meeting} m */
    const update = async (m) => {
      await patch(`/api/v1/meetings/${seg(m.id)}`, { meeting: m });
      announce('議事録を更新しました');
      await draw();
      document.getElementById('meetings-h')?.focus();
    };
    replace(section,
      h('h2', { id: 'meetings-h', tabindex: '-1' }, `会議と議事録 (${meetings.length}件)`),
      meetings.length ? h('ul', { class: 'cards meetings' }, meetings.map((m) => meetingCard(m, canUpdate ? update : null)))
        : h('p', {}, 'この課題を扱った会議の記録はまだありません。'),
      record ? h('details', { class: 'add' }, h('summary', {}, '会議を記録する'), form) : null);
  }
  await draw();
  return section;
}
