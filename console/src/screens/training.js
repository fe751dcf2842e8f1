// 研修 (one training): where it stands (申込受付中, 満席, 申込締切済み, 中止) in words, its
// sessions, registration (participant, name, role; confirmed or on the waitlist with its
// position), the registrations with attendance per session and the survey after the training,
// survey results, the coordinators who attended it (peers), the training's .ics; for those who
// may: its outline changed, sessions added and changed, and the training cancelled after an
// in-page confirmation. A public event for residents also shows its public page, the
// questionnaire's links for the venue, the seats per session (a resident's registration takes its
// party size) and the awareness questionnaire's results before and after, with the entry of
// paper answer sheets. #/trainings/skills is the skill framework (skills.js).
import {
  get, post, patch, seg, ApiError, loadSkillNames, skillLabel, japaneseHalf,
} from '../api.js';
import { h, replace, uid } from '../dom.js';
import {
  input, dateInput, choices, checkbox, actionForm, formAlert, submitting, municipalityInput, norm, normNumber,
  showError, clearErrors,
} from '../forms.js';
import { formatTime, tokyoDateTime } from '../dates.js';
import { timestampText } from '../datetext.js';
import { municipalityName } from '../municipalities.js';
import {
  label, labels, AUDIENCES, REGISTRATION_STATUSES, TRAINING_STATUSES, SKILL_LEVELS, LIKERT, AWARENESS_PHASES,
} from '../words.js';
import {
  organizerText, downloadCalendar, sessionFields, timestampOf, ownCode, trainingStates, stateBadges,
} from './trainings.js';
import { can } from '../permissions.js';
import { cardRows } from '../tables.js';
import { confirmThen } from '../confirm.js';
import { render as renderSkills } from './skills.js';

// #/trainings/skills: the skill framework, under 研修 (no training has this id: theirs are trn_…).
export const SKILLS_ID = 'skills';

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

// A session's seats in words: 中止, 開催済み, 満席 (with the seats waiting) or the seats left.
/** @param {renkei.v1.Session} s */
export function sessionState(s) {
  if (s.cancelled) return '中止';
  if (s.held) return '開催済み';
  const capacity = s.capacity ?? 0;
  const taken = s.seatsTaken ?? s.confirmed ?? 0;
  const waiting = s.seatsWaiting ?? s.waitlisted ?? 0;
  if (capacity > 0 && taken >= capacity) return waiting > 0 ? `満席 (キャンセル待ち ${waiting}席)` : '満席';
  return `残り ${Math.max(0, capacity - taken)}席`;
}

// The training as the list summarizes it (trainings.js trainingStates): one course, the fullest
// session decides; dates to choose, the sessions together.
/**
 * @param {renkei.v1.Training} t
 * @returns {renkei.v1.TrainingSummary}
 */
function summaryOf(t) {
  const open = (t.sessions || []).filter((s) => !s.cancelled);
  const all = t.sessions || [];
  const starts = all.map((s) => s.startsAt).filter(Boolean).sort();
  const ends = all.map((s) => s.endsAt).filter(Boolean).sort();
  const capacities = open.map((s) => s.capacity ?? 0);
  const confirmed = open.map((s) => s.confirmed ?? 0);
  const waiting = open.map((s) => s.waitlisted ?? 0);
  const sum = (/** @type {number[]} */ xs) => xs.reduce((a, b) => a + b, 0);
  return /** @type {renkei.v1.TrainingSummary} */ ({
    id: t.id, title: t.title, status: t.status,
    firstStartsAt: starts[0], lastEndsAt: ends[ends.length - 1],
    registrationDeadline: t.registrationDeadline,
    capacity: t.sessionsAreOneCourse ? (capacities.length ? Math.min(...capacities) : 0) : sum(capacities),
    confirmed: t.sessionsAreOneCourse ? Math.max(0, ...confirmed) : sum(confirmed),
    waitlisted: t.sessionsAreOneCourse ? Math.max(0, ...waiting) : sum(waiting),
  });
}

// Who registered, as the lists name them: a resident's registration from the public page has no
// participant id of its own to show, and after the event its name is erased.
/** @param {renkei.v1.Registration} reg */
function whoText(reg) {
  if (reg.participantName) return reg.participantName;
  if (!reg.publicRegistration) return reg.participantId;
  return reg.personalErased ? '氏名消去済みの申込' : '住民の申込';
}

/** @param {number | undefined} share 0..1 */
function percent(share) {
  return `${(Math.round((Number(share) || 0) * 1000) / 10).toFixed(1)}%`;
}

// The change of the share agreeing, in points: "+12.5ポイント".
/** @param {number | undefined} change after − before, as shares */
function pointsText(change) {
  const p = Math.round((Number(change) || 0) * 1000) / 10;
  return `${p > 0 ? '+' : p < 0 ? '−' : '±'}${Math.abs(p).toFixed(1)}ポイント`;
}

/**
 * @param {renkei.v1.LikertSummary | undefined} summary
 * @param {number} agree
 */
function agreeText(summary, agree) {
  const n = summary?.responses ?? 0;
  return n ? `${percent(agree)} (回答 ${n}件)` : '— (回答 0件)';
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

// Peers as a table (a card each on a phone): the name only where they agreed, where they work,
// their role, and the trainings shared (a list of links, when `titles` names them).
/**
 * @param {renkei.v1.Peer[]} peers
 * @param {Map<string, string>} [titles] training id → title
 */
export function peerTable(peers, titles) {
  return cardRows(h('table', { class: 'data peers' },
    h('caption', { class: 'sr-only' }, 'コーディネーター'),
    h('thead', {}, h('tr', {}, ['氏名', '市区町村', '役割', ...(titles ? ['一緒に出席した研修'] : [])].map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, peers.map((p) => h('tr', {},
      h('th', { scope: 'row' }, p.name || '氏名は非公開'),
      h('td', {}, p.municipalityCode ? municipalityName(p.municipalityCode) : '—'),
      h('td', {}, label(AUDIENCES, p.role) || '—'),
      titles ? h('td', {}, h('ul', { class: 'plain shared-trainings' }, (p.trainingIds || []).map((id) => h('li', {},
        h('a', { href: `#/trainings/${encodeURIComponent(id)}` }, titles.get(id) || '研修'))))) : null)))));
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  if (ctx.id === SKILLS_ID) {
    await renderSkills(main, ctx);
    return;
  }
  const may = (/** @type {string} */ method) => can(ctx.session, method);
  // The skills' names: people read 研修の企画, not the framework's code plan_training (read once
  // a session; a framework that cannot be read leaves the built-in names, never fails the screen).
  // The framework itself (its skills and their levels) for the outline's form.
  const [first, , framework] = await Promise.all([
    get(`/api/v1/trainings/${seg(ctx.id)}`),
    loadSkillNames(),
    get('/api/v1/skill-framework').catch((err) => {
      if (err instanceof ApiError && err.status !== 401) return null;
      throw err;
    }),
  ]);
  let training = /** @type {renkei.v1.Training} */ (first);
  const skills = framework ? /** @type {renkei.v1.SkillFramework} */ (framework).skills || [] : [];
  const pageAlert = formAlert();
  const resultBox = h('div', { class: 'result-box', 'aria-live': 'polite' });
  /** @type {renkei.v1.Registration[]} */
  let registrations = [];
  let registrationsError = '';

  // What this user may change here: a training this instance organizes, not cancelled.
  const changeable = () => training.status !== 'TRAINING_STATUS_CANCELLED'
    && (!training.organizerCode || training.organizerCode === ownCode(ctx.session));

  async function reload() {
    training = /** @type {renkei.v1.Training} */ (await get(`/api/v1/trainings/${seg(training.id)}`));
    registrations = [];
    registrationsError = '';
    if (!may('TrainingService.ListRegistrations')) return;
    try {
      const r = /** @type {renkei.v1.ListRegistrationsResponse} */ (
        await get('/api/v1/registrations', { training_id: training.id }));
      registrations = r.registrations || [];
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 401) throw err;
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

  // Where the training stands, in words, under its title.
  function stateLine() {
    const t = training;
    return h('p', { class: 'state-line training-state', id: 'training-state' },
      h('span', { class: 'sr-only' }, '状態: '),
      stateBadges(trainingStates(summaryOf(t))),
      t.status === 'TRAINING_STATUS_CANCELLED' && t.cancellationReason ? ` 中止の理由: ${t.cancellationReason}` : null);
  }

  // The outline's form (UpdateTraining): what the training is about. UpdateTraining replaces
  // every editable field, so what the form does not show is sent as it is.
  function editForm() {
    const t = training;
    const title = input({ label: '研修のテーマ', field: 'training.title', required: true, width: 'long', value: t.title, maxlength: 200 });
    const description = input({ label: '研修の説明', field: 'training.description', multiline: true, rows: 4, value: t.description, maxlength: 4000 });
    const audiences = choices({ label: '対象', field: 'training.audiences', options: AUDIENCES, multiple: true, columns: true, required: true, value: t.audiences || [] });
    const levelOf = new Map((t.targetSkills || []).map((x) => [x.skillCode, x.level]));
    const targets = skills.map((sk) => ({
      code: sk.code,
      field: input({
        label: sk.name || skillLabel(sk.code), field: 'training.target_skills', empty: '目標にしない', value: levelOf.get(sk.code) || '',
        options: SKILL_LEVELS.filter(([lv]) => (sk.levels || []).some((d) => d.level === lv)),
      }),
    }));
    const deadline = t.registrationDeadline ? tokyoDateTime(new Date(t.registrationDeadline)) : null;
    const deadlineDay = dateInput({ label: '申込締切日 (任意)', field: 'training.registration_deadline', value: deadline ? deadline.date : '', hint: '空欄なら最初の回の開始まで' });
    const deadlineTime = input({ label: '申込締切の時刻', field: 'training.registration_deadline.time', value: t.registrationDeadline ? formatTime(t.registrationDeadline) : '17:00', width: 'short', inputmode: 'numeric' });
    const quota = input({ label: '1市区町村あたりの申込上限 (0は上限なし)', field: 'training.quota_per_municipality', value: String(t.quotaPerMunicipality ?? 0), width: 'short', inputmode: 'numeric' });
    return actionForm({
      label: '研修の概要を変更する', submitLabel: '変更を保存',
      children: [title, description, audiences,
        targets.length ? h('fieldset', { class: 'skill-targets', 'data-field': 'training.target_skills' },
          h('legend', {}, '目標とするスキルと段階'), h('div', { class: 'skill-target-grid' }, targets.map((x) => x.field)),
          h('p', { class: 'field-error', id: uid('targets-err'), hidden: true })) : null,
        h('div', { class: 'row' }, deadlineDay, deadlineTime), quota],
      onSubmit: async () => {
        const q = normNumber(quota.control.value);
        if (q === undefined || Number.isNaN(q)) {
          throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください', [{ field: 'training.quota_per_municipality', description: '数値を入力してください (上限なしは0)' }]);
        }
        /** @type {ui.Body} */
        const body = {
          id: t.id, version: t.version,
          title: title.control.value.trim(),
          description: description.control.value.trim(),
          audiences: audiences.values(),
          targetSkills: targets.length
            ? targets.filter((x) => x.field.control.value).map((x) => ({ skillCode: x.code, level: x.field.control.value }))
            : t.targetSkills || [],
          materials: t.materials || [],
          quotaPerMunicipality: q,
          surveyItems: t.surveyItems || [],
          publicEvent: Boolean(t.publicEvent),
          themeTags: t.themeTags || [],
          awarenessItems: t.awarenessItems || [],
        };
        if (t.countermeasure) body.countermeasure = t.countermeasure;
        const until = timestampOf(deadlineDay, deadlineTime, 'training.registration_deadline');
        if (until) body.registrationDeadline = until;
        await patch(`/api/v1/trainings/${seg(t.id)}`, { training: body });
        await after('研修の概要を変更しました', 'info-h');
      },
    });
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
        (t.materials || []).length ? [h('dt', {}, '資料'), h('dd', {}, t.materials.map((m) => m.title).join('、'))] : null),
      changeable() && may('TrainingService.UpdateTraining')
        ? h('details', { class: 'add edit-training' }, h('summary', {}, '研修の概要を変更する'), editForm()) : null);
  }

  // The form of one session's change (UpdateSession), in the slot under the table; やめる closes
  // it and the focus goes back to the row's button.
  /**
   * @param {HTMLElement} slot
   * @param {renkei.v1.Session} session
   * @param {number} i
   * @param {HTMLButtonElement} opener
   */
  function openSessionEditor(slot, session, i, opener) {
    const n = i + 1;
    const fields = sessionFields('session', { session, legend: `第${n}回の日時・会場・定員` });
    const close = h('button', { type: 'button', class: 'secondary' }, 'やめる');
    const form = actionForm({
      label: `第${n}回を変更する`, submitLabel: `第${n}回の変更を保存`,
      children: [fields],
      extraButtons: close,
      onSubmit: async () => {
        await patch(`/api/v1/trainings/${seg(training.id)}/sessions/${seg(session.id)}`, {
          expectedVersion: training.version, session: { id: session.id, ...fields.value() },
        });
        await after(`第${n}回を変更しました`, 'sessions-h');
      },
    });
    close.addEventListener('click', () => {
      replace(slot);
      opener.setAttribute('aria-expanded', 'false');
      opener.focus();
    });
    for (const b of slot.ownerDocument.querySelectorAll('button.edit-session')) b.setAttribute('aria-expanded', 'false');
    opener.setAttribute('aria-expanded', 'true');
    replace(slot, h('div', { class: 'session-editor' }, h('h3', { id: 'session-edit-h' }, `第${n}回を変更する`), form));
    fields.first.focus();
  }

  function sessionsSection() {
    const sessions = training.sessions || [];
    const editing = changeable() && may('TrainingService.UpdateSession');
    const editSlot = h('div', { class: 'session-edit-slot' });
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
    const head = ['回', '日時', '会場', '定員', '参加確定', 'キャンセル待ち', '状態', '講師', ...(editing ? ['操作'] : [])];
    return h('section', { 'aria-labelledby': 'sessions-h' },
      h('h2', { id: 'sessions-h' }, `回 (${sessions.length}回)`),
      cardRows(h('table', { class: 'data sessions' },
        h('caption', { class: 'sr-only' }, '研修の回'),
        h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, sessions.map((s, i) => {
          /** @type {HTMLButtonElement | null} */
          let edit = null;
          if (editing && !s.cancelled) {
            const button = h('button', {
              type: 'button', class: 'small secondary edit-session', 'aria-expanded': 'false', 'aria-label': `第${i + 1}回を変更する`,
            }, '変更');
            button.addEventListener('click', () => openSessionEditor(editSlot, s, i, button));
            edit = button;
          }
          return h('tr', { class: s.cancelled ? 'cancelled' : '' },
            h('th', { scope: 'row' }, `第${i + 1}回${s.cancelled ? ' (中止)' : ''}`),
            h('td', {}, sessionWhen(s)),
            h('td', {}, [s.venue, s.online ? `オンライン${s.onlineUrl ? ` ${s.onlineUrl}` : ''}` : ''].filter(Boolean).join(' ＋ ') || '—'),
            h('td', { class: 'num' }, String(s.capacity ?? 0)),
            h('td', { class: 'num' }, String(s.confirmed ?? 0)),
            h('td', { class: 'num' }, String(s.waitlisted ?? 0)),
            h('td', { class: 'session-state' }, sessionState(s)),
            h('td', {}, (s.lecturers || []).map((l) => [l.name, l.affiliation].filter(Boolean).join(' ')).join('、') || '—'),
            editing ? h('td', { class: 'ops' }, edit) : null);
        })))),
      editSlot,
      icsBox,
      changeable() && may('TrainingService.AddSession') ? h('details', { class: 'add' }, h('summary', {}, '回を追加する'), addForm) : null);
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
      label: '研修に申し込む', submitLabel: '申し込む', className: 'form wrap-checks',
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
    const deadline = training.registrationDeadline || summaryOf(training).firstStartsAt;
    const closed = deadline && Date.parse(deadline) <= Date.now();
    const full = trainingStates(summaryOf(training)).some(([, cls]) => cls === 'full');
    return h('section', { 'aria-labelledby': 'register-h' },
      h('h2', { id: 'register-h' }, '申込'),
      resultBox,
      training.status === 'TRAINING_STATUS_CANCELLED' ? h('p', {}, 'この研修は中止されました。')
        : [
          closed ? h('p', { class: 'notice' }, '申込締切を過ぎています。申し込んでも受け付けられません。') : null,
          !closed && full ? h('p', { class: 'notice' }, '満席です。いま申し込むとキャンセル待ちになり、取消が出た順に参加確定になります。') : null,
          form,
        ]);
  }

  function registrationsSection() {
    const sessions = training.sessions || [];
    if (!may('TrainingService.ListRegistrations')) return null;
    if (registrationsError) {
      return h('section', { 'aria-labelledby': 'regs-h' }, h('h2', { id: 'regs-h' }, '申込の一覧'), h('p', {}, registrationsError));
    }
    const rows = registrations.map((reg) => {
      const alert = formAlert();
      const cell = h('td', { class: 'ops' }, alert);
      if (reg.status !== 'REGISTRATION_STATUS_CANCELLED' && may('TrainingService.CancelRegistration')) {
        const cancel = h('button', { type: 'button', class: 'secondary small', 'aria-label': `${whoText(reg)} の申込を取り消す` }, '取消');
        cancel.addEventListener('click', () => submitting(cell, alert, async () => {
          await post(`/api/v1/registrations/${seg(reg.id)}/cancel`, { reason: '' });
          await after('申込を取り消しました', 'regs-h');
        }));
        cell.append(cancel);
      }
      const attended = (reg.attendance || []).some((a) => a.attended);
      if (attended && !reg.surveySubmitted && (training.surveyItems || []).length && may('TrainingService.SubmitSurvey')) {
        cell.append(h('details', {}, h('summary', {}, 'アンケートを入力'), surveyForm(training, reg, (m) => after(m, 'regs-h'))));
      }
      return h('tr', { class: reg.publicRegistration ? 'resident' : '' },
        h('th', { scope: 'row' }, reg.participantName || '—',
          reg.personalErased ? [' ', h('span', { class: 'badge erased' }, '消去済み')] : null),
        h('td', {}, reg.publicRegistration ? '公開ページから' : reg.participantId),
        h('td', {}, municipalityName(reg.municipalityCode, { withPrefecture: false })),
        h('td', {}, label(AUDIENCES, reg.role)),
        h('td', { class: 'num party-size' }, `${reg.partySize || 1}人`),
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
      registrations.length === 0 ? h('p', {}, 'まだ申込はありません。') : cardRows(h('table', { class: 'data registrations' },
        h('caption', { class: 'sr-only' }, '申込の一覧'),
        h('thead', {}, h('tr', {}, ['氏名', '参加者ID', '市区町村', '役割', '人数', '状態', '出欠', 'アンケート', '操作'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, rows))),
      registrations.some((r) => r.personalErased)
        ? h('p', { class: 'hint' }, '消去済み: 公開ページからの申込の氏名と連絡先は、イベントの後に消去されます。') : null);
  }

  function attendanceSection() {
    const sessions = (training.sessions || []).filter((s) => !s.cancelled);
    const confirmed = registrations.filter((r) => r.status === 'REGISTRATION_STATUS_CONFIRMED');
    if (confirmed.length === 0 || !may('TrainingService.RecordAttendance')) return null;
    return h('section', { 'aria-labelledby': 'attendance-h' },
      h('h2', { id: 'attendance-h' }, '出欠の記録'),
      sessions.map((s, i) => {
        const takers = confirmed.filter((r) => (r.sessionIds || []).includes(s.id) || training.sessionsAreOneCourse);
        if (takers.length === 0) return null;
        const boxes = takers.map((r) => checkbox({
          label: r.publicRegistration ? `${whoText(r)} (公開ページ・${r.partySize || 1}人) 第${i + 1}回に出席`
            : `${r.participantName || r.participantId} (${r.participantId}) 第${i + 1}回に出席`, field: 'entries',
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
    if (!may('TrainingService.GetSurveyResults')) return null;
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
      cardRows(h('table', { class: 'data survey-results' },
        h('caption', { class: 'sr-only' }, '設問ごとの結果'),
        h('thead', {}, h('tr', {}, ['設問', '回答数', '平均', '1', '2', '3', '4', '5'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, (o.items || []).map((it) => h('tr', {},
          h('th', { scope: 'row' }, it.question),
          h('td', { class: 'num' }, String(it.responses ?? 0)),
          h('td', { class: 'num' }, Number(it.mean || 0).toFixed(2)),
          [0, 1, 2, 3, 4].map((k) => h('td', { class: 'num' }, String((it.distribution || [])[k] ?? 0)))))))));
  }

  // The public event: its page, the questionnaire's links for the venue, the seats.
  function publicEventSection() {
    if (!training.publicEvent) return null;
    const id = encodeURIComponent(training.id);
    /** @param {string} path */
    const link = (path) => h('a', { href: path, target: '_blank', rel: 'noopener' }, `${location.origin}${path}`);
    const hasQuestionnaire = (training.awarenessItems || []).length > 0;
    const residents = registrations.filter((r) => r.publicRegistration && r.status !== 'REGISTRATION_STATUS_CANCELLED');
    const people = residents.reduce((n, r) => n + (r.partySize || 1), 0);
    const sessions = training.sessions || [];
    return h('section', { 'aria-labelledby': 'public-h' },
      h('h2', { id: 'public-h' }, '住民向けの公開イベント'),
      h('dl', { class: 'facts' },
        h('dt', {}, '公開ページ'), h('dd', {}, link(`/events/#event=${id}`)),
        h('dt', {}, 'テーマ'), h('dd', {}, (training.themeTags || []).length
          ? (training.themeTags || []).map((t) => h('span', { class: 'tag' }, t)) : 'なし'),
        hasQuestionnaire ? [
          h('dt', {}, '意識調査 (参加前)'), h('dd', {}, link(`/events/#awareness=${id}&phase=before`)),
          h('dt', {}, '意識調査 (参加後)'), h('dd', {}, link(`/events/#awareness=${id}&phase=after`)),
        ] : null,
        h('dt', {}, '公開ページからの申込'), h('dd', {}, `${residents.length}件 (${people}人)`)),
      hasQuestionnaire ? h('p', { class: 'hint' }, '意識調査のページは、会場で画面に映すか、アドレスを印刷して掲示してください。回答は匿名です。紙の回答票は「参加前・参加後の意識調査」から入力できます。') : null,
      cardRows(h('table', { class: 'data compact seats' },
        h('caption', {}, '回ごとの席 (住民の申込は人数分の席を使います)'),
        h('thead', {}, h('tr', {}, ['回', '日時', '申込の席', 'キャンセル待ちの席', '開催'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, sessions.map((s, i) => h('tr', { class: s.cancelled ? 'cancelled' : '' },
          h('th', { scope: 'row' }, `第${i + 1}回${s.cancelled ? ' (中止)' : ''}`),
          h('td', {}, sessionWhen(s)),
          h('td', { class: 'num' }, `${s.seatsTaken ?? 0}／${s.capacity ?? 0}席`),
          h('td', { class: 'num' }, `${s.seatsWaiting ?? 0}席`),
          h('td', {}, s.held ? '開催済み' : '—')))))));
  }

  // The awareness results: per item, the share agreeing (4 or 5) before and after, and the change.
  async function awarenessResults() {
    /** @type {renkei.v1.AwarenessResults} */
    let r;
    try {
      r = /** @type {renkei.v1.AwarenessResults} */ (await get(`/api/v1/trainings/${seg(training.id)}/awareness`));
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 401) throw err;
      return h('p', {}, err.message);
    }
    const items = r.items || [];
    return [
      h('p', { class: 'summary awareness-counts' },
        `回答票 参加前 ${r.beforeSheets ?? 0}枚・参加後 ${r.afterSheets ?? 0}枚 ／ 開催済みの回 ${r.sessionsHeld ?? 0}回・出席 ${r.participants ?? 0}人`),
      cardRows(h('table', { class: 'data awareness-results' },
        h('caption', {}, '項目ごとの「そう思う」以上 (4・5) の割合'),
        h('thead', {}, h('tr', {}, ['項目', '参加前', '参加後', '変化'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, items.map((it) => h('tr', {},
          h('th', { scope: 'row' }, it.statement),
          h('td', { class: 'num' }, agreeText(it.before, it.beforeAgree)),
          h('td', { class: 'num' }, agreeText(it.after, it.afterAgree)),
          h('td', { class: 'num' }, (it.before?.responses ?? 0) && (it.after?.responses ?? 0) ? pointsText(it.change) : '—')))))),
    ];
  }

  // One paper answer sheet, entered by staff: its phase and a 1–5 answer per item (blank items
  // are left out). After saving, the answers are cleared for the next sheet (the phase stays).
  /** @param {HTMLElement} resultsArea */
  function sheetForm(resultsArea) {
    const items = training.awarenessItems || [];
    const phase = input({ label: '回答票の時期', field: 'phase', options: AWARENESS_PHASES, empty: '選択してください', required: true });
    const groups = items.map((item, i) => choices({ label: item.statement, field: `sheet[${i}]`, options: LIKERT, class: 'likert' }));
    const form = actionForm({
      label: '紙の回答票を入力する', submitLabel: '登録',
      children: [
        h('p', { class: 'hint' }, '回答票1枚ずつ入力します。空欄の項目は選ばずにおいてください。'),
        phase, groups,
        h('div', { class: 'error-slot', 'data-field': 'answers' }, h('p', { class: 'field-error', id: uid('answers-err'), hidden: true })),
      ],
      onSubmit: async () => {
        const when = phase.control.value;
        if (!when) {
          throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください', [{ field: 'phase', description: '参加前か参加後かを選んでください' }]);
        }
        /** @type {renkei.v1.AwarenessAnswer[]} */
        const answers = [];
        groups.forEach((g, i) => {
          const v = g.value();
          // The service names an answer by its place in the request: each group takes that name.
          g.dataset.field = v ? `answers[${answers.length}]` : `sheet[${i}]`;
          if (v) answers.push({ itemId: items[i].id, likert: Number(v) });
        });
        if (!answers.length) {
          throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください', [{ field: 'answers', description: '少なくとも1つの項目で回答を選んでください' }]);
        }
        await post(`/api/v1/trainings/${seg(training.id)}/awareness`, { phase: when, answers });
        form.reset();
        phase.control.value = when;
        ctx.announce(`${label(AWARENESS_PHASES, when)}の回答票を登録しました (${answers.length}項目)`);
        replace(resultsArea, await awarenessResults());
        groups[0]?.control?.focus();
      },
    });
    return form;
  }

  function awarenessSection() {
    if (!(training.awarenessItems || []).length) return null;
    const resultsArea = h('div', { class: 'awareness-box' });
    awarenessResults().then((nodes) => replace(resultsArea, nodes));
    return h('section', { 'aria-labelledby': 'awareness-h' },
      h('h2', { id: 'awareness-h' }, '参加前・参加後の意識調査'),
      resultsArea,
      may('TrainingService.SubmitAwarenessAnswers') ? [
        h('h3', { id: 'sheet-h' }, '紙の回答票を入力する'),
        sheetForm(resultsArea),
      ] : null);
  }

  // Cancelling: the reason, then the in-page confirmation (confirm.js) that says what follows (it
  // cannot be taken back), then CancelTraining. The focus lands on the training's state, which now reads 中止.
  function cancelSection() {
    if (!changeable() || !may('TrainingService.CancelTraining')) return null;
    const reason = input({ label: '中止の理由', field: 'reason', required: true, maxlength: 500, width: 'long', hint: '研修の画面と一覧に表示されます' });
    const alert = formAlert();
    const submit = h('button', { type: 'submit', class: 'danger' }, '研修を中止する');
    const form = h('form', { class: 'form', 'aria-label': '研修を中止する', novalidate: true },
      alert, reason, h('div', { class: 'actions' }, submit));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form, alert);
      const why = reason.control.value.trim();
      if (!why) {
        showError(form, alert, new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください', [{ field: 'reason', description: '中止の理由を入力してください' }]));
        return;
      }
      const active = registrations.filter((r) => r.status !== 'REGISTRATION_STATUS_CANCELLED');
      const waiting = active.filter((r) => r.status === 'REGISTRATION_STATUS_WAITLISTED').length;
      const done = await confirmThen(submit, {
        title: `「${training.title}」を中止しますか`,
        lines: [
          '中止すると元に戻せません。すべての回が中止になり、新しい申込は受け付けなくなります。',
          may('TrainingService.ListRegistrations')
            ? `いまの申込 ${active.length}件 (参加確定 ${active.length - waiting}件・キャンセル待ち ${waiting}件) は記録として残ります。参加予定の方への連絡は、必要に応じて別にしてください。`
            : null,
          'この研修を見られる市区町村の研修カレンダーと一覧に「中止」と表示されます。',
          training.publicEvent ? '住民向けの公開ページにも「中止」と表示されます。' : null,
          `中止の理由「${why}」が表示されます。`,
        ].filter(Boolean),
        confirmLabel: '中止する',
        danger: true,
        action: async () => {
          await post(`/api/v1/trainings/${seg(training.id)}/cancel`, { expectedVersion: training.version, reason: why });
          return true;
        },
      });
      if (done) await after('研修を中止しました', 'training-state');
    });
    return h('section', { 'aria-labelledby': 'cancel-h' },
      h('h2', { id: 'cancel-h' }, '研修の中止'),
      h('details', {}, h('summary', {}, 'この研修を中止する'), form));
  }

  // The coordinators who attended this training (ListPeers): their names where they agreed.
  async function peersSection() {
    if (!may('TrainingService.ListPeers')) return null;
    /** @type {renkei.v1.ListPeersResponse} */
    let r;
    try {
      r = /** @type {renkei.v1.ListPeersResponse} */ (await get('/api/v1/peers', { training_id: training.id }));
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 401) throw err;
      return null;
    }
    const peers = r.peers || [];
    return h('section', { 'aria-labelledby': 'peers-h' },
      h('h2', { id: 'peers-h' }, `この研修に出席したコーディネーター (${peers.length}人)`),
      peers.length === 0 ? h('p', {}, '出席が記録されたコーディネーターはまだいません。')
        : peerTable(peers),
      h('p', { class: 'hint' }, '出席した回がある参加確定の方です。氏名は、申込のときに知らせることに同意した方だけ表示されます。コーディネーター同士の相談は「ネットワーク」からできます。'));
  }

  // Survey results and peers load after the rest of the page (they need calls of their own).
  const resultsBox = h('div', { class: 'survey-results' });
  const peersBox = h('div', { class: 'peers-box' });

  function draw() {
    pageAlert.hidden = true;
    replace(main,
      h('p', { class: 'breadcrumb' }, h('a', { href: '#/trainings' }, '研修'), ' › 研修'),
      h('h1', {}, training.title),
      stateLine(),
      h('p', { class: 'meta' }, `主催: ${organizerText(training)} ／ 版 ${training.version}`),
      pageAlert,
      infoSection(),
      publicEventSection(),
      sessionsSection(),
      registerSection(),
      registrationsSection(),
      attendanceSection(),
      resultsBox,
      peersBox,
      awarenessSection(),
      cancelSection());
    resultsSection().then((section) => replace(resultsBox, section));
    peersSection().then((section) => replace(peersBox, section));
  }

  await reload();
  draw();
}
