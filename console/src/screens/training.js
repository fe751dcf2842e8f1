// 研修 (one training): its sessions, registration (participant, name, role; confirmed or on the
// waitlist with its position), the registrations with attendance per session and the survey
// after the training, survey results, the training's .ics, new sessions and cancellation.
import {
  get, post, seg, ApiError, loadSkillNames, skillLabel, japaneseHalf,
} from '../api.js';
import { h, replace } from '../dom.js';
import {
  input, choices, checkbox, actionForm, formAlert, submitting, municipalityInput, norm,
} from '../forms.js';
import { formatTime } from '../dates.js';
import { timestampText } from '../datetext.js';
import { municipalityName } from '../municipalities.js';
import {
  label, labels, AUDIENCES, REGISTRATION_STATUSES, TRAINING_STATUSES, SKILL_LEVELS, LIKERT,
} from '../words.js';
import {
  organizerText, downloadCalendar, sessionFields,
} from './trainings.js';

/** @param {renkei.v1.Session} s */
function sessionWhen(s) {
  return [timestampText(s.startsAt, { time: false }), ` ${formatTime(s.startsAt)}〜${formatTime(s.endsAt)}`];
}

/** @param {renkei.v1.Registration} reg */
function statusText(reg) {
  const base = label(REGISTRATION_STATUSES, reg.status);
  const status = reg.status === 'REGISTRATION_STATUS_WAITLISTED' && reg.waitlistPosition
    ? `${base} (${reg.waitlistPosition}番目)` : base;
  // A registration sent up to the organizer: the organizer's reason for waitlisting or refusing.
  return reg.organizerReason ? `${status}: ${japaneseHalf(reg.organizerReason)}` : status;
}

/**
 * @param {renkei.v1.Training} training
 * @param {renkei.v1.Registration} reg
 * @param {(message: string) => Promise<void>} onDone
 */
function surveyForm(training, reg, onDone) {
  const items = training.surveyItems || [];
  const fields = items.map((item, i) => (item.kind === 'SURVEY_ITEM_KIND_FREE_TEXT'
    ? input({ label: item.question, field: `answers[${i}]`, multiline: true, rows: 2, required: item.required })
    : choices({ label: item.question, field: `answers[${i}]`, options: LIKERT, required: item.required, name: `${reg.id}-${item.id}` })));
  return actionForm({
    label: `${reg.participantName || reg.participantId} のアンケート`, submitLabel: 'アンケートを送信',
    children: fields,
    onSubmit: async () => {
      /** @type {Partial<renkei.v1.SurveyAnswer>[]} */
      const answers = [];
      items.forEach((item, i) => {
        if (item.kind === 'SURVEY_ITEM_KIND_FREE_TEXT') {
          const text = /** @type {ui.Field} */ (fields[i]).control.value.trim();
          if (text) answers.push({ itemId: item.id, text });
        } else {
          const v = /** @type {ui.Choices} */ (fields[i]).value();
          if (v) answers.push({ itemId: item.id, likert: Number(v) });
        }
      });
      await post(`/api/v1/registrations/${seg(reg.id)}/survey`, { registrationId: reg.id, answers });
      await onDone('アンケートを受け付けました');
    },
  });
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  // The skills' names: people read 研修の企画, not the framework's code plan_training (read once
  // a session; a framework that cannot be read leaves the built-in names, never fails the screen).
  const [first] = await Promise.all([get(`/api/v1/trainings/${seg(ctx.id)}`), loadSkillNames()]);
  let training = /** @type {renkei.v1.Training} */ (first);
  const pageAlert = formAlert();
  const resultBox = h('div', { class: 'result-box', 'aria-live': 'polite' });
  /** @type {renkei.v1.Registration[]} */
  let registrations = [];
  let registrationsError = '';

  async function reload() {
    training = /** @type {renkei.v1.Training} */ (await get(`/api/v1/trainings/${seg(training.id)}`));
    try {
      const r = /** @type {renkei.v1.ListRegistrationsResponse} */ (
        await get('/api/v1/registrations', { training_id: training.id }));
      registrations = r.registrations || [];
      registrationsError = '';
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 401) throw err;
      registrations = [];
      registrationsError = err.message;
    }
  }

  /**
   * @param {string} message
   * @param {string} focusId
   */
  async function after(message, focusId) {
    await reload();
    draw();
    ctx.announce(message);
    const el = focusId && document.getElementById(focusId);
    if (el) { el.setAttribute('tabindex', '-1'); el.focus(); }
  }

  function infoSection() {
    const t = training;
    return h('section', { 'aria-labelledby': 'info-h' },
      h('h2', { id: 'info-h' }, '研修の概要'),
      h('dl', { class: 'facts' },
        h('dt', {}, '主催'), h('dd', {}, organizerText(t)),
        h('dt', {}, '状態'), h('dd', {}, label(TRAINING_STATUSES, t.status) + (t.cancellationReason ? ` (${t.cancellationReason})` : '')),
        t.description ? [h('dt', {}, '説明'), h('dd', { class: 'pre' }, t.description)] : null,
        h('dt', {}, '対象'), h('dd', {}, labels(AUDIENCES, t.audiences)),
        (t.targetSkills || []).length ? [h('dt', {}, '目標とするスキル'), h('dd', {},
          t.targetSkills.map((s) => `${skillLabel(s.skillCode)} (${label(SKILL_LEVELS, s.level)})`).join('、'))] : null,
        h('dt', {}, '申込締切'), h('dd', {}, t.registrationDeadline ? timestampText(t.registrationDeadline) : '最初の回の開始まで'),
        h('dt', {}, '1市区町村あたりの上限'), h('dd', {}, t.quotaPerMunicipality ? `${t.quotaPerMunicipality}人` : 'なし'),
        h('dt', {}, '受講のしかた'), h('dd', {}, t.sessionsAreOneCourse ? '全回セット' : '回を選んで受講'),
        t.countermeasure && t.countermeasure.issueId ? [h('dt', {}, '地域課題の対策'), h('dd', {},
          h('a', { href: `#/issues/${encodeURIComponent(t.countermeasure.issueId)}` }, t.countermeasure.label || t.countermeasure.issueId))] : null,
        (t.materials || []).length ? [h('dt', {}, '資料'), h('dd', {}, t.materials.map((m) => m.title).join('、'))] : null));
  }

  function sessionsSection() {
    const sessions = training.sessions || [];
    const add = sessionFields('session');
    const addForm = actionForm({
      label: '回を追加する', submitLabel: '回を追加',
      children: [add],
      onSubmit: async () => {
        await post(`/api/v1/trainings/${seg(training.id)}/sessions`, { expectedVersion: training.version, session: add.value() });
        await after('回を追加しました', 'sessions-h');
      },
    });
    const icsAlert = formAlert();
    const icsBox = h('div', { class: 'actions' }, icsAlert);
    const ics = h('button', { type: 'button', class: 'secondary' }, 'この研修の予定 (.ics) をダウンロード');
    ics.addEventListener('click', () => submitting(icsBox, icsAlert, () => downloadCalendar({ training_id: training.id }, ctx.announce)));
    icsBox.append(ics);
    return h('section', { 'aria-labelledby': 'sessions-h' },
      h('h2', { id: 'sessions-h' }, `回 (${sessions.length}回)`),
      h('table', { class: 'data sessions' },
        h('caption', { class: 'sr-only' }, '研修の回'),
        h('thead', {}, h('tr', {}, ['回', '日時', '会場', '定員', '参加確定', 'キャンセル待ち', '講師'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, sessions.map((s, i) => h('tr', { class: s.cancelled ? 'cancelled' : '' },
          h('th', { scope: 'row' }, `第${i + 1}回${s.cancelled ? ' (中止)' : ''}`),
          h('td', {}, sessionWhen(s)),
          h('td', {}, [s.venue, s.online ? `オンライン${s.onlineUrl ? ` ${s.onlineUrl}` : ''}` : ''].filter(Boolean).join(' ＋ ') || '—'),
          h('td', { class: 'num' }, String(s.capacity ?? 0)),
          h('td', { class: 'num' }, String(s.confirmed ?? 0)),
          h('td', { class: 'num' }, String(s.waitlisted ?? 0)),
          h('td', {}, (s.lecturers || []).map((l) => [l.name, l.affiliation].filter(Boolean).join(' ')).join('、')))))),
      icsBox,
      training.status !== 'TRAINING_STATUS_CANCELLED' ? h('details', { class: 'add' }, h('summary', {}, '回を追加する'), addForm) : null);
  }

  function registerSection() {
    const sessions = (training.sessions || []).filter((s) => !s.cancelled);
    const pid = input({ label: '参加者ID', field: 'registration.participant_id', required: true, hint: '職員番号など、所属先で決めている英数字のID (例: inagi-0042)' });
    const name = input({ label: '参加者の氏名', field: 'registration.participant_name', required: true });
    const contact = input({ label: '参加者の連絡先 (メール・電話)', field: 'registration.participant_contact' });
    const muni = municipalityInput({ label: '所属の市区町村コード', field: 'registration.municipality_code', value: /^\d{6}$/.test(ctx.session.jurisdiction || '') ? ctx.session.jurisdiction : '' });
    const role = input({ label: '参加者の役割', field: 'registration.role', options: AUDIENCES, empty: '選択してください', required: true });
    const pick = !training.sessionsAreOneCourse && sessions.length > 1
      ? choices({ label: '受講する回', field: 'registration.session_ids', multiple: true, options: sessions.map((s, i) => [s.id, `第${i + 1}回`]) })
      : null;
    const consent = checkbox({ label: '同じ研修に参加したコーディネーターに氏名を知らせてよい', field: 'registration.network_consent' });
    const form = actionForm({
      label: '研修に申し込む', submitLabel: '申し込む',
      children: [h('div', { class: 'row' }, pid, name), contact, h('div', { class: 'row' }, muni, role), pick, consent],
      onSubmit: async () => {
        const reg = /** @type {renkei.v1.Registration} */ (await post('/api/v1/registrations', {
          registration: {
            trainingId: training.id,
            participantId: norm(pid.control.value),
            participantName: name.control.value.trim(),
            participantContact: norm(contact.control.value),
            municipalityCode: muni.code(),
            role: role.control.value || undefined,
            sessionIds: pick ? pick.values() : [],
            networkConsent: consent.control.checked,
          },
        }));
        await reload();
        draw();
        replace(resultBox, h('p', { class: `notice reg-${String(reg.status).toLowerCase()}`, id: 'registration-result' },
          `${reg.participantName || reg.participantId} さんの申込を受け付けました: `, h('strong', { class: 'reg-status' }, statusText(reg))));
        ctx.announce(`申込を受け付けました: ${statusText(reg)}`);
        document.getElementById('registration-result')?.setAttribute('tabindex', '-1');
        document.getElementById('registration-result')?.focus();
      },
    });
    return h('section', { 'aria-labelledby': 'register-h' },
      h('h2', { id: 'register-h' }, '申込'),
      resultBox,
      training.status === 'TRAINING_STATUS_CANCELLED' ? h('p', {}, 'この研修は中止されました。') : form);
  }

  function registrationsSection() {
    const sessions = training.sessions || [];
    if (registrationsError) {
      return h('section', { 'aria-labelledby': 'regs-h' }, h('h2', { id: 'regs-h' }, '申込の一覧'), h('p', {}, registrationsError));
    }
    const rows = registrations.map((reg) => {
      const alert = formAlert();
      const cell = h('td', { class: 'ops' }, alert);
      if (reg.status !== 'REGISTRATION_STATUS_CANCELLED') {
        const cancel = h('button', { type: 'button', class: 'secondary small', 'aria-label': `${reg.participantName || reg.participantId} の申込を取り消す` }, '取消');
        cancel.addEventListener('click', () => submitting(cell, alert, async () => {
          await post(`/api/v1/registrations/${seg(reg.id)}/cancel`, { reason: '' });
          await after('申込を取り消しました', 'regs-h');
        }));
        cell.append(cancel);
      }
      const attended = (reg.attendance || []).some((a) => a.attended);
      if (attended && !reg.surveySubmitted && (training.surveyItems || []).length) {
        cell.append(h('details', {}, h('summary', {}, 'アンケートを入力'), surveyForm(training, reg, (m) => after(m, 'regs-h'))));
      }
      return h('tr', {},
        h('th', { scope: 'row' }, reg.participantName || '—'),
        h('td', {}, reg.participantId),
        h('td', {}, municipalityName(reg.municipalityCode, { withPrefecture: false })),
        h('td', {}, label(AUDIENCES, reg.role)),
        h('td', { class: 'reg-status' }, statusText(reg)),
        h('td', {}, sessions.map((s, i) => {
          const a = (reg.attendance || []).find((x) => x.sessionId === s.id);
          return a ? `第${i + 1}回 ${a.attended ? '出席' : '欠席'}` : '';
        }).filter(Boolean).join('、') || '—'),
        h('td', {}, reg.surveySubmitted ? '回答済み' : '未回答'),
        cell);
    });
    return h('section', { 'aria-labelledby': 'regs-h' },
      h('h2', { id: 'regs-h' }, `申込の一覧 (${registrations.length}件)`),
      registrations.length === 0 ? h('p', {}, 'まだ申込はありません。') : h('table', { class: 'data registrations' },
        h('caption', { class: 'sr-only' }, '申込の一覧'),
        h('thead', {}, h('tr', {}, ['氏名', '参加者ID', '市区町村', '役割', '状態', '出欠', 'アンケート', '操作'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, rows)));
  }

  function attendanceSection() {
    const sessions = (training.sessions || []).filter((s) => !s.cancelled);
    const confirmed = registrations.filter((r) => r.status === 'REGISTRATION_STATUS_CONFIRMED');
    if (confirmed.length === 0) return null;
    return h('section', { 'aria-labelledby': 'attendance-h' },
      h('h2', { id: 'attendance-h' }, '出欠の記録'),
      sessions.map((s, i) => {
        const takers = confirmed.filter((r) => (r.sessionIds || []).includes(s.id) || training.sessionsAreOneCourse);
        if (takers.length === 0) return null;
        const boxes = takers.map((r) => checkbox({
          label: `${r.participantName || r.participantId} (${r.participantId}) 第${i + 1}回に出席`, field: 'entries',
          value: (r.attendance || []).some((a) => a.sessionId === s.id && a.attended),
        }));
        return actionForm({
          label: `第${i + 1}回の出欠`, submitLabel: `第${i + 1}回の出欠を記録`,
          children: [h('fieldset', {}, h('legend', {}, `第${i + 1}回 `, sessionWhen(s)), boxes)],
          onSubmit: async () => {
            const r = /** @type {renkei.v1.RecordAttendanceResponse} */ (await post(`/api/v1/trainings/${seg(training.id)}/sessions/${seg(s.id)}/attendance`, {
              entries: takers.map((reg, k) => ({ registrationId: reg.id, attended: boxes[k].control.checked })),
            }));
            await after(`第${i + 1}回の出欠を記録しました (出席 ${r.attended ?? 0}人)`, 'attendance-h');
          },
        });
      }));
  }

  async function resultsSection() {
    /** @type {renkei.v1.SurveyResults} */
    let results;
    try {
      results = /** @type {renkei.v1.SurveyResults} */ (await get(`/api/v1/trainings/${seg(training.id)}/survey-results`));
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 401) throw err;
      return null;
    }
    /** @type {Partial<renkei.v1.SurveyGroupResults>} */
    const o = results.overall || {};
    if (!o.responses) {
      return h('section', { 'aria-labelledby': 'results-h' }, h('h2', { id: 'results-h' }, 'アンケート結果'),
        h('p', {}, `参加確定 ${o.registered ?? 0}人、出席 ${o.attended ?? 0}人、回答はまだありません。`));
    }
    return h('section', { 'aria-labelledby': 'results-h' },
      h('h2', { id: 'results-h' }, 'アンケート結果'),
      h('p', {}, `参加確定 ${o.registered ?? 0}人、出席 ${o.attended ?? 0}人、回答 ${o.responses}人`),
      h('table', { class: 'data' },
        h('caption', { class: 'sr-only' }, '設問ごとの結果'),
        h('thead', {}, h('tr', {}, ['設問', '回答数', '平均', '1', '2', '3', '4', '5'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, (o.items || []).map((it) => h('tr', {},
          h('th', { scope: 'row' }, it.question),
          h('td', { class: 'num' }, String(it.responses ?? 0)),
          h('td', { class: 'num' }, Number(it.mean || 0).toFixed(2)),
          [0, 1, 2, 3, 4].map((k) => h('td', { class: 'num' }, String((it.distribution || [])[k] ?? 0))))))));
  }

  function cancelSection() {
    if (training.status === 'TRAINING_STATUS_CANCELLED') return null;
    const reason = input({ label: '中止の理由', field: 'reason', required: true });
    return h('section', { 'aria-labelledby': 'cancel-h' },
      h('h2', { id: 'cancel-h' }, '研修の中止'),
      h('details', {}, h('summary', {}, 'この研修を中止する'), actionForm({
        label: '研修を中止する', submitLabel: '研修を中止する',
        children: [reason],
        onSubmit: async () => {
          await post(`/api/v1/trainings/${seg(training.id)}/cancel`, { expectedVersion: training.version, reason: reason.control.value.trim() });
          await after('研修を中止しました', 'info-h');
        },
      })));
  }

  // Survey results load after the rest of the page (they need a second call).
  const resultsBox = h('div', { class: 'survey-results' });

  function draw() {
    pageAlert.hidden = true;
    replace(main,
      h('p', { class: 'breadcrumb' }, h('a', { href: '#/trainings' }, '研修'), ' › 研修'),
      h('h1', {}, training.title),
      h('p', { class: 'meta' }, `主催: ${organizerText(training)} ／ 版 ${training.version}`),
      pageAlert,
      infoSection(),
      sessionsSection(),
      registerSection(),
      registrationsSection(),
      attendanceSection(),
      resultsBox,
      cancelSection());
    resultsSection().then((section) => replace(resultsBox, section));
  }

  await reload();
  draw();
}
