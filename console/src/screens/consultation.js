// 相談 (one consultation): what was asked (and its correction), the matching of each need
// (candidates inside the municipality first, then outside with their distance, each marked with
// the referral made to it), referrals and their outcome, follow-ups, and the seed of a regional
// issue it reveals (地域課題のタネ). A referral is recorded, and withdrawn, only after an in-page
// confirmation. Every change sends the consultation's version as expected_version; an ABORTED
// answer reloads it. Forms and buttons show only for the calls the user may make
// (permissions.js) and, but for seeds, status and follow-ups done, while the
// consultation is open (the service refuses changes to an ended one).
import {
  get, post, patch, seg, loadCapabilities, capabilityLabel, ApiError,
} from '../api.js';
import { h, replace } from '../dom.js';
import {
  input, dateInput, dateValue, actionForm, formAlert, submitting, splitList, norm, showError,
} from '../forms.js';
import { addDays, tokyoToday, compareDates, isoDate } from '../dates.js';
import { dateText, timestampText } from '../datetext.js';
import { municipalityName, insideText, outsideText } from '../municipalities.js';
import { requestTable } from './network.js';
import {
  label, labels, CHANNELS, SOURCE_TYPES, CONSULTATION_STATUSES, CARE_LEVELS, CONDITIONS,
  AGE_BANDS, RESOURCE_KINDS, AREA_RELATIONS, REFERRAL_OUTCOMES, DECLINE_REASONS, tagLabels,
} from '../words.js';
import { needRow, detailFields } from './intake_form.js';
import { can } from '../permissions.js';
import { confirmation } from '../confirm.js';
import { cardRows } from '../tables.js';

/** @param {[string, ui.Child][]} pairs */
function dl(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

/** @param {renkei.v1.Candidate} cand */
function distanceText(cand) {
  if (cand.distanceKm === undefined || cand.distanceKm === null) return '—';
  return `${cand.distanceApproximate ? '約' : ''}${Number(cand.distanceKm).toFixed(1)} km`;
}

/** @param {renkei.v1.Need} n */
function needTitle(n) {
  const also = (n.alsoRequires || []).map(capabilityLabel);
  return `${[capabilityLabel(n.capability), ...also].join(' ＋ ')}${n.advice ? ' (助言)' : ''}`;
}

// Where a referral stands: waiting (回答待ち, or 回答期限切れ once its due date has passed
// without an answer) or its outcome. `closed`: it ended without the resource taking the person
// (辞退, 期限内に回答なし, 取り下げ): such a candidate is listed after the others.
/**
 * @typedef {object} ReferralState
 * @property {'pending' | 'overdue' | 'accepted' | 'declined' | 'no-response' | 'withdrawn'} key
 * @property {string} text
 * @property {boolean} waiting no outcome yet
 * @property {boolean} closed
 */
/** @type {{[outcome: string]: ReferralState['key']}} */
const OUTCOME_KEYS = {
  REFERRAL_OUTCOME_ACCEPTED: 'accepted',
  REFERRAL_OUTCOME_DECLINED: 'declined',
  REFERRAL_OUTCOME_NO_RESPONSE: 'no-response',
  REFERRAL_OUTCOME_WITHDRAWN: 'withdrawn',
};

/**
 * @param {renkei.v1.Referral} ref
 * @param {renkei.v1.Date} today
 * @returns {ReferralState}
 */
function referralState(ref, today) {
  const outcome = ref.outcome && ref.outcome !== 'REFERRAL_OUTCOME_UNSPECIFIED' ? ref.outcome : '';
  if (!outcome) {
    const late = !!(ref.responseDue && ref.responseDue.year && compareDates(ref.responseDue, today) < 0);
    return late ? { key: 'overdue', text: '回答期限切れ', waiting: true, closed: false }
      : { key: 'pending', text: '回答待ち', waiting: true, closed: false };
  }
  const key = OUTCOME_KEYS[outcome] || 'accepted';
  return {
    key,
    text: [label(REFERRAL_OUTCOMES, outcome), label(DECLINE_REASONS, ref.declineReason)].filter(Boolean).join('・'),
    waiting: false,
    closed: key !== 'accepted',
  };
}

// Days from a to b (b later: positive).
/**
 * @param {renkei.v1.Date} a
 * @param {renkei.v1.Date} b
 */
function daysBetween(a, b) {
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86400000);
}

// The comparable shape of recorded details (the edit form sends a part only when it changed).
/** @param {Partial<renkei.v1.Requester> | undefined} r */
function requesterKey(r) {
  const x = r || {};
  return JSON.stringify([x.name || '', x.organization || '', x.contact || '', x.institutionResourceId || ''].map((v) => String(v).trim()));
}
/** @param {Partial<renkei.v1.PersonConcerned> | undefined} p */
function personKey(p) {
  const x = p || {};
  const care = x.careLevel && x.careLevel !== 'CARE_LEVEL_UNSPECIFIED' ? x.careLevel : '';
  return JSON.stringify([x.name || '', x.birthDate && x.birthDate.year ? isoDate(x.birthDate) : '',
    x.address || '', care, [...(x.conditions || [])].sort().join(',')].map((v) => String(v).trim()));
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  const capabilities = await loadCapabilities();
  let c = /** @type {renkei.v1.Consultation} */ (await get(`/api/v1/consultations/${seg(ctx.id)}`));
  const may = (/** @type {string} */ method) => can(ctx.session, method);
  // What the coordinator asked other coordinators about this consultation (renkei-network; none
  // when the instance runs no network service).
  const peers = /** @type {renkei.v1.ListPeerRequestsResponse} */ (await get('/api/v1/peer-requests',
    { consultation_id: c.id }).catch(() => ({ requests: [] })));
  const pageAlert = formAlert();
  const path = () => `/api/v1/consultations/${seg(c.id)}`;
  const isOpen = () => c.status !== 'CONSULTATION_STATUS_CLOSED' && c.status !== 'CONSULTATION_STATUS_UNRESOLVED';
  const today = tokyoToday();

  // Sends one change; the answer (a Consultation, or MatchResourcesResponse) replaces `c`. Then
  // the page is drawn again, the change said in the status line and the focus put on `focus` (an
  // element's id, or one named from the answer: the new referral's heading).
  /**
   * @param {string} suffix
   * @param {object} body
   * @param {string} done
   * @param {string | ((c: renkei.v1.Consultation) => string)} focus
   * @param {(path: string, body?: unknown) => Promise<unknown>} [send]
   */
  async function change(suffix, body, done, focus, send = post) {
    try {
      const r = /** @type {renkei.v1.Consultation & {consultation?: renkei.v1.Consultation}} */ (
        await send(`${path()}${suffix}`, { ...body, expectedVersion: c.version }));
      c = r.consultation || r;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'ABORTED') {
        c = /** @type {renkei.v1.Consultation} */ (await get(path()));
        draw();
        pageAlert.textContent = '他の人が先にこの相談を変更しました。最新の内容を表示しています。もう一度操作してください。';
        pageAlert.hidden = false;
        pageAlert.focus();
        return;
      }
      throw err;
    }
    draw();
    ctx.announce(done);
    const focusId = typeof focus === 'function' ? focus(c) : focus;
    const target = focusId && document.getElementById(focusId);
    if (target) {
      if (!target.matches('a[href], button, input, select, textarea')) target.setAttribute('tabindex', '-1');
      target.focus();
    }
  }

  // The form correcting what was recorded at intake (UpdateConsultation): each part sent only
  // when it changed (a part sent replaces the recorded one), field errors next to their fields.
  function editDetails() {
    const f = detailFields(c);
    const form = actionForm({
      label: '記録した内容を修正する', submitLabel: '修正を保存',
      children: [
        h('fieldset', {}, h('legend', {}, '受付'), f.channel, f.source),
        f.requesterSet, f.personSet, f.narrative,
      ],
      onSubmit: async () => {
        /** @type {ui.Body} */
        const body = {};
        if (f.channel.control.value && f.channel.control.value !== c.channel) body.channel = f.channel.control.value;
        if (f.source.value() && f.source.value() !== c.sourceType) body.sourceType = f.source.value();
        const requester = f.requester();
        if (requesterKey(requester) !== requesterKey(c.requester)) body.requester = requester;
        const person = f.person();
        if (personKey(person) !== personKey(c.person)) body.person = person;
        const narrative = f.narrative.control.value.trim();
        if (narrative !== (c.narrative || '').trim()) body.narrative = narrative;
        if (Object.keys(body).length === 0) {
          ctx.announce('変更はありません');
          return;
        }
        await change('', body, '相談の内容を修正しました', 'summary-h', patch);
      },
    });
    return h('details', { class: 'add edit-details' }, h('summary', {}, '記録した内容を修正する'), form);
  }

  function summarySection() {
    /** @type {Partial<renkei.v1.PersonConcerned>} */
    const p = c.person || {};
    /** @type {Partial<renkei.v1.Requester>} */
    const r = c.requester || {};
    let statusForm = null;
    if (may('IntakeService.ChangeStatus') && c.status !== 'CONSULTATION_STATUS_CLOSED') {
      const status = input({ label: '新しい状態', field: 'status', options: CONSULTATION_STATUSES, value: c.status });
      const reason = input({ label: '理由 (任意)', field: 'reason' });
      statusForm = actionForm({
        label: '相談の状態を変える', className: 'form inline', submitLabel: '状態を変える',
        children: [status, reason],
        onSubmit: () => change('/status', { status: status.control.value, reason: reason.control.value.trim() },
          '状態を変えました', 'summary-h'),
      });
    }
    const ended = isOpen() ? null : h('p', { class: 'notice ended' },
      c.status === 'CONSULTATION_STATUS_CLOSED'
        ? 'この相談は終結しています。記録の修正・照合・紹介・フォローアップの追加はできません (地域課題のタネは記録できます)。'
        : `この相談は「${label(CONSULTATION_STATUSES, c.status)}」です。記録の修正・照合・紹介・フォローアップの追加は、状態を「評価中」に戻すとできます。`);
    return h('section', { 'aria-labelledby': 'summary-h' },
      h('h2', { id: 'summary-h' }, '相談の内容'),
      ended,
      dl([
        ['受付日時', timestampText(c.receivedAt)],
        ['経路', label(CHANNELS, c.channel)],
        ['相談元', label(SOURCE_TYPES, c.sourceType)],
        ['状態', h('span', { class: 'badge' }, label(CONSULTATION_STATUSES, c.status))],
        ['相談者', [r.name, r.organization, r.contact].filter(Boolean).join(' ／ ')],
        ['相談者の機関', r.institutionResourceId
          ? `${r.institutionName || r.institutionResourceId}（${municipalityName(r.institutionMunicipalityCode)}）` : ''],
        ['本人', p.name],
        ['生年月日', p.birthDate && p.birthDate.year
          ? h('span', {}, dateText(p.birthDate), ` (${label(AGE_BANDS, c.ageBand)})`) : ''],
        ['要介護度', label(CARE_LEVELS, p.careLevel)],
        ['疾患・状態', labels(CONDITIONS, p.conditions)],
        ['住所', p.address],
        ['相談内容', c.narrative ? h('p', { class: 'pre' }, c.narrative) : ''],
      ]),
      may('IntakeService.UpdateConsultation') && isOpen() ? editDetails() : null,
      statusForm);
  }

  // The latest referral of this need to this resource, with its number in the list.
  /**
   * @param {string} needId
   * @param {string} resourceId
   * @returns {{ref: renkei.v1.Referral, n: number} | null}
   */
  function referralOf(needId, resourceId) {
    const refs = c.referrals || [];
    for (let k = refs.length - 1; k >= 0; k -= 1) {
      if (refs[k].needId === needId && refs[k].resourceId === resourceId) return { ref: refs[k], n: k + 1 };
    }
    return null;
  }

  /**
   * @param {renkei.v1.Need} n
   * @param {number} i
   */
  function needBlock(n, i) {
    if (n.advice) return adviceBlock(n, i);
    const canRefer = may('IntakeService.Refer') && isOpen();
    const due = canRefer ? dateInput({
      label: `ニーズ ${i + 1} の紹介の回答期限`, field: 'response_due', value: addDays(tokyoToday(), 7), hint: '',
    }) : null;
    const alert = formAlert();
    const block = h('div', { class: 'need-block' });
    const heads = ['名称', '種別', '所在地', '区分', '距離', '紹介の状況', '操作'];
    // Candidates already referred and turned down (or withdrawn, or never answered) after the
    // others; otherwise the service's order (inside first, then by distance).
    const rows = (n.candidates || []).map((cand, k) => {
      const referral = referralOf(n.id, cand.resourceId);
      return { cand, k, referral, state: referral ? referralState(referral.ref, today) : null };
    }).sort((a, b) => (Number(!!a.state && a.state.closed) - Number(!!b.state && b.state.closed)) || a.k - b.k);

    /** @type {HTMLTableRowElement | null} */
    let confirmRow = null;
    /** @param {HTMLElement | null} back */
    const closeConfirm = (back) => {
      if (confirmRow) confirmRow.remove();
      confirmRow = null;
      if (back) back.focus();
    };
    /**
     * @param {typeof rows[number]} row
     * @param {HTMLTableRowElement} tr
     * @param {HTMLButtonElement} origin
     */
    const askRefer = (row, tr, origin) => {
      closeConfirm(null);
      const { cand, referral, state } = row;
      /** @type {renkei.v1.Date | undefined} */
      let responseDue;
      try {
        responseDue = due ? dateValue(due) : undefined;
        if (!responseDue) {
          throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください',
            [{ field: 'response_due', description: '回答期限を入力してください' }]);
        }
      } catch (err) {
        if (err instanceof ApiError) showError(block, alert, err);
        return;
      }
      const dueDate = responseDue;
      const where = [municipalityName(cand.municipalityCode), cand.distanceKm !== undefined ? distanceText(cand) : '']
        .filter(Boolean).join('、');
      const box = confirmation({
        title: state ? `${cand.name} にもう一度紹介しますか` : `${cand.name} に紹介しますか`,
        lines: [
          `${cand.name} (${where}) に、ニーズ ${i + 1}「${needTitle(n)}」を紹介します。`,
          ['回答期限: ', dateText(dueDate)],
          state && referral ? `この資源には紹介 ${referral.n} で紹介済みです (${state.text})。` : null,
        ],
        confirmLabel: state ? 'もう一度紹介する' : '紹介する',
        onConfirm: (panel, panelAlert) => submitting(block, panelAlert, () => change('/referrals', {
          needId: n.id, resourceId: cand.resourceId, responseDue: dueDate,
        }, `${cand.name} に紹介しました`, (after) => {
          const refs = after.referrals || [];
          return refs.length ? `referral-${refs[refs.length - 1].id}-h` : 'referrals-h';
        })),
        onCancel: () => closeConfirm(origin),
      });
      confirmRow = h('tr', { class: 'confirm-row' }, h('td', { colspan: String(heads.length) }, box));
      tr.after(confirmRow);
      box.focus();
    };
    // A confirmation shows the due date it will send: another date typed closes it.
    if (due) due.control.addEventListener('input', () => closeConfirm(null));

    const table = rows.length ? cardRows(h('table', { class: 'data candidates' },
      h('caption', {}, `ニーズ ${i + 1} の候補 (${rows.length}件)`),
      h('thead', {}, h('tr', {}, heads.map((t) => h('th', { scope: 'col', class: t === '操作' ? 'action' : null },
        t === '操作' ? h('span', { class: 'sr-only' }, t) : t)))),
      h('tbody', {}, rows.map((row) => {
        const { cand, referral, state } = row;
        const tr = h('tr', {
          class: `${cand.relation === 'AREA_RELATION_OUTSIDE' ? 'outside' : 'inside'}${state ? ` referred ref-${state.key}` : ''}`,
        });
        /** @type {HTMLButtonElement | null} */
        let button = null;
        if (canRefer && (!state || state.closed)) {
          // Again after a decline (or a withdrawal, or no answer): a quieter button, below the
          // others, whose confirmation recalls the earlier answer.
          button = state
            ? h('button', { type: 'button', class: 'small secondary again', 'aria-label': `${cand.name} にもう一度紹介する` }, 'もう一度紹介する')
            : h('button', { type: 'button', class: 'small', 'aria-label': `${cand.name} に紹介する` }, '紹介する');
          const b = button;
          b.addEventListener('click', () => askRefer(row, tr, b));
        }
        return replace(tr,
          h('th', { scope: 'row' }, cand.name),
          h('td', { class: 'kind' }, label(RESOURCE_KINDS, cand.kind)),
          h('td', { class: 'municipality' }, municipalityName(cand.municipalityCode)),
          h('td', { class: 'relation' }, label(AREA_RELATIONS, cand.relation)),
          h('td', { class: 'num distance' }, distanceText(cand)),
          h('td', { class: 'ref-state' }, state && referral
            ? [h('span', { class: `referral-state rs-${state.key}` }, state.text), ` (紹介 ${referral.n})`] : '未紹介'),
          h('td', { class: 'action' }, button));
      })))) : null;

    replace(block,
      h('h3', { id: `need-${i}-h` }, `ニーズ ${i + 1}: ${needTitle(n)}`),
      alert,
      n.note ? h('p', { class: 'pre' }, n.note) : null,
      n.matchedAt ? h('p', { class: 'meta' }, '照合: ', timestampText(n.matchedAt)) : h('p', { class: 'meta' }, 'まだ照合していません。'),
      n.resourceGap ? h('p', { class: 'notice gap' },
        `${municipalityName(c.municipalityCode, { withPrefecture: false })}内に該当する資源がありません (資源の空白)。${outsideText(c.municipalityCode)}の候補を距離の近い順に示します。`) : null,
      table ? [due, table] : (n.matchedAt ? h('p', {}, '候補が見つかりませんでした。') : null));
    return block;
  }

  // An advice need: the coordinators matching proposes, each with a link that starts a request to
  // them about this consultation (only its theme and question travel, not its contents).
  /**
   * @param {renkei.v1.Need} n
   * @param {number} i
   */
  function adviceBlock(n, i) {
    const people = n.coordinators || [];
    const heads = ['氏名', '所属', '地域', '役割', '操作'];
    const ask = may('NetworkService.AskPeer');
    return h('div', { class: 'need-block' },
      h('h3', { id: `need-${i}-h` }, `ニーズ ${i + 1}: ${needTitle(n)}`),
      n.note ? h('p', { class: 'pre' }, n.note) : null,
      n.matchedAt ? h('p', { class: 'meta' }, '照合: ', timestampText(n.matchedAt)) : h('p', { class: 'meta' }, 'まだ照合していません。'),
      people.length ? cardRows(h('table', { class: 'data candidates coordinators' },
        h('caption', {}, `ニーズ ${i + 1} で相談できるコーディネーター (${people.length}人)`),
        h('thead', {}, h('tr', {}, heads.map((t) => h('th', { scope: 'col', class: t === '操作' ? 'action' : null },
          t === '操作' ? h('span', { class: 'sr-only' }, t) : t)))),
        h('tbody', {}, people.map((p) => h('tr', {},
          h('th', { scope: 'row' }, p.name || '(氏名非公開)'),
          h('td', {}, p.affiliation || '—'),
          h('td', { class: 'municipality' }, municipalityName(p.jurisdictionCode || '')),
          h('td', {}, p.leadCoordinator ? '統括コーディネーター' : 'コーディネーター'),
          h('td', { class: 'action' }, ask ? h('a', {
            class: 'button small',
            href: `#/network?consultation=${encodeURIComponent(c.id)}&to=${encodeURIComponent(p.profileId || '')}`,
            'aria-label': `${p.name || `${p.affiliation || municipalityName(p.jurisdictionCode || '')} のコーディネーター`} に相談する`,
          }, '相談する') : null))))))
        : (n.matchedAt ? h('p', {}, 'この分野で相談を受け付けているコーディネーターは見つかりませんでした。ネットワーク画面から都道府県や全国の統括コーディネーターに相談できます。') : null));
  }

  function needsSection() {
    const open = isOpen();
    let matchForm = null;
    if (open && may('IntakeService.MatchResources') && (c.needs || []).length) {
      const perNeed = input({ label: 'ニーズごとの候補の数', field: 'candidates_per_need', value: '5', width: 'short', inputmode: 'numeric' });
      matchForm = actionForm({
        label: '資源を照合する', className: 'form inline', submitLabel: '資源を照合する',
        children: [perNeed],
        onSubmit: () => {
          const n = Number(norm(perNeed.control.value) || 5);
          return change('/match', { candidatesPerNeed: Number.isFinite(n) ? n : 5 },
            '資源を照合しました', 'needs-h');
        },
      });
    }
    let addForm = null;
    if (open && may('IntakeService.AddNeed')) {
      const add = needRow(capabilities, 'need');
      addForm = h('details', { class: 'add' }, h('summary', {}, 'ニーズを追加する'), actionForm({
        label: 'ニーズを追加する', submitLabel: 'ニーズを追加',
        children: [add],
        onSubmit: () => change('/needs', { need: add.value() }, 'ニーズを追加しました', 'needs-h'),
      }));
    }
    return h('section', { 'aria-labelledby': 'needs-h' },
      h('h2', { id: 'needs-h' }, 'ニーズと資源の照合'),
      (c.needs || []).length ? matchForm : h('p', {}, addForm ? 'ニーズがまだありません。下で追加してください。' : 'ニーズはありません。'),
      (c.needs || []).map(needBlock),
      addForm);
  }

  /**
   * @param {renkei.v1.Referral} ref
   * @param {number} i
   * @param {ReferralState} state
   */
  function outcomeForm(ref, i, state) {
    // 取り下げ has its own button (with a confirmation); 期限内に回答なし only once the due date
    // has passed (the service refuses it before).
    const offered = REFERRAL_OUTCOMES.filter(([v]) => v !== 'REFERRAL_OUTCOME_WITHDRAWN'
      && (v !== 'REFERRAL_OUTCOME_NO_RESPONSE' || state.key === 'overdue'));
    const outcome = input({ label: `紹介 ${i + 1} の結果`, field: 'outcome', options: offered, empty: '選択してください' });
    const reason = input({ label: `紹介 ${i + 1} の辞退の理由`, field: 'decline_reason', options: DECLINE_REASONS, empty: '(辞退のとき選ぶ)' });
    const note = input({ label: `紹介 ${i + 1} の結果のメモ`, field: 'note' });
    return actionForm({
      label: `紹介 ${i + 1} の結果を記録する`, className: 'form inline', submitLabel: '結果を記録',
      children: [outcome, reason, note],
      onSubmit: () => {
        /** @type {ui.Body} */
        const body = { outcome: outcome.control.value || undefined, note: note.control.value.trim() };
        if (reason.control.value) body.declineReason = reason.control.value;
        return change(`/referrals/${seg(ref.id)}/outcome`, body, '紹介の結果を記録しました', `referral-${ref.id}-h`);
      },
    });
  }

  // 取り下げる: a referral the provider has not answered yet, taken back after a confirmation
  // (RecordReferralOutcome with 取り下げ; the service refuses it once an outcome is recorded).
  /**
   * @param {renkei.v1.Referral} ref
   * @param {number} i
   * @param {HTMLElement} card
   */
  function withdrawControl(ref, i, card) {
    const slot = h('div', { class: 'ask-slot' });
    const button = h('button', {
      type: 'button', class: 'small secondary withdraw', 'aria-label': `紹介 ${i + 1} (${ref.resourceName}) を取り下げる`,
    }, '取り下げる');
    button.addEventListener('click', () => {
      const note = input({ label: `紹介 ${i + 1} の取り下げの理由 (任意)`, field: 'note' });
      const box = confirmation({
        title: `紹介 ${i + 1} を取り下げますか`,
        lines: [
          `${ref.resourceName} への紹介を取り下げます。取り下げた紹介は「取り下げ」として残ります。`,
          '紹介先から回答があったときは、取り下げずに結果を記録してください。',
        ],
        extra: note,
        confirmLabel: '取り下げる',
        onConfirm: (panel, alert) => submitting(card, alert, () => change(`/referrals/${seg(ref.id)}/outcome`, {
          outcome: 'REFERRAL_OUTCOME_WITHDRAWN', note: note.control.value.trim(),
        }, `紹介 ${i + 1} (${ref.resourceName}) を取り下げました`, `referral-${ref.id}-h`)),
        onCancel: () => {
          replace(slot);
          button.hidden = false;
          button.focus();
        },
      });
      button.hidden = true;
      replace(slot, box);
      box.focus();
    });
    return h('div', { class: 'withdraw-row' },
      h('p', { class: 'hint' }, '間違えて紹介したときなど、回答の前なら取り下げられます。'), button, slot);
  }

  function referralsSection() {
    const refs = c.referrals || [];
    const needs = c.needs || [];
    const mayRecord = may('IntakeService.RecordReferralOutcome') && isOpen();
    return h('section', { 'aria-labelledby': 'referrals-h' },
      h('h2', { id: 'referrals-h' }, '紹介'),
      refs.length === 0 ? h('p', {}, 'まだ紹介していません。') : h('ol', { class: 'cards referrals' }, refs.map((ref, i) => {
        const state = referralState(ref, today);
        const k = needs.findIndex((n) => n.id === ref.needId);
        const card = h('li', { class: `card referral ref-${state.key}` });
        const late = state.key === 'overdue' && ref.responseDue
          ? ` (${daysBetween(ref.responseDue, today)}日過ぎています)` : '';
        return replace(card,
          h('h3', { id: `referral-${ref.id}-h` }, `紹介 ${i + 1}: ${ref.resourceName}`),
          dl([
            ['結果', h('span', { class: `outcome referral-state rs-${state.key}` }, state.text)],
            ['ニーズ', k >= 0 ? `ニーズ ${k + 1}: ${needTitle(needs[k])}` : ''],
            ['所在地', `${municipalityName(ref.resourceMunicipalityCode)}${ref.outsideMunicipality ? ` (${outsideText(c.municipalityCode)})` : ''}`],
            ['紹介日時', timestampText(ref.referredAt)],
            ['回答期限', h('span', {}, dateText(ref.responseDue), late)],
            ['メモ', ref.outcomeNote],
            ['記録日時', ref.outcomeAt ? timestampText(ref.outcomeAt) : ''],
          ]),
          state.waiting && mayRecord ? [outcomeForm(ref, i, state), withdrawControl(ref, i, card)] : null);
      })));
  }

  function followUpsSection() {
    const list = c.followUps || [];
    let addForm = null;
    if (isOpen() && may('IntakeService.AddFollowUp')) {
      const task = input({ label: 'フォローアップの内容', field: 'task', required: true, width: 'long',
        placeholder: '例: ケアマネジャーに一般の訪問診療医で対応できるか確認する' });
      const owner = input({ label: '担当', field: 'owner' });
      const due = dateInput({ label: '期限', field: 'due', value: addDays(tokyoToday(), 7), required: true, hint: '' });
      addForm = actionForm({
        label: 'フォローアップを追加する', submitLabel: 'フォローアップを追加',
        children: [task, h('div', { class: 'row' }, owner, due)],
        onSubmit: () => change('/follow-ups', {
          task: task.control.value.trim(), owner: owner.control.value.trim(), due: dateValue(due),
        }, 'フォローアップを追加しました', 'followups-h'),
      });
    }
    const mayComplete = may('IntakeService.CompleteFollowUp');
    return h('section', { 'aria-labelledby': 'followups-h' },
      h('h2', { id: 'followups-h' }, 'フォローアップ'),
      list.length === 0 ? h('p', {}, 'フォローアップはありません。') : h('ul', { class: 'cards follow-ups' }, list.map((f) => {
        const alert = formAlert();
        const item = h('li', { class: `card follow-up ${f.done ? 'done' : ''}` });
        const button = f.done || !mayComplete ? null : h('button', { type: 'button', class: 'small', 'aria-label': `「${f.task}」を完了にする` }, '完了にする');
        if (button) {
          button.addEventListener('click', () => submitting(item, alert, () => change(`/follow-ups/${seg(f.id)}/done`, {},
            'フォローアップを完了にしました', 'followups-h')));
        }
        const late = !f.done && f.due && f.due.year && compareDates(f.due, today) < 0;
        return replace(item, alert,
          h('p', { class: 'task' }, f.task),
          h('p', { class: 'meta' }, '期限 ', dateText(f.due), f.owner ? `　担当 ${f.owner}` : '',
            f.done ? h('span', { class: 'badge done' }, '完了 ', timestampText(f.doneAt))
              : h('span', { class: `badge open${late ? ' late' : ''}` }, late ? '未完了・期限切れ' : '未完了')),
          button);
      })),
      addForm);
  }

  function seedsSection() {
    const seeds = c.seeds || [];
    let form = null;
    if (may('IntakeService.RaiseIssueSeed')) {
      const theme = input({
        label: '地域課題のテーマ', field: 'theme', required: true, width: 'long',
        hint: `起きたことの報告ではなく、地域として解決すべきテーマを書きます (例: パーキンソン病に対応できる訪問診療医が${insideText(c.municipalityCode)}にいない)`,
      });
      const tags = input({ label: 'タグ (読点・カンマ区切り)', field: 'tags', placeholder: '例: パーキンソン病、専門医連携' });
      /** @type {ui.Table} */
      const caps = capabilities.map((x) => [x.code, x.labelJa]);
      const firstNeed = (c.needs || [])[0];
      const capability = input({ label: '関連する機能 (任意)', field: 'capability', options: caps, empty: '指定なし', value: firstNeed ? firstNeed.capability : '' });
      form = actionForm({
        label: '地域課題のタネとして記録する', submitLabel: '地域課題のタネとして記録',
        children: [theme, h('div', { class: 'row' }, tags, capability)],
        onSubmit: () => change('/seed', {
          theme: theme.control.value.trim(), tags: splitList(tags.control.value), capability: capability.control.value,
        }, '地域課題のタネを記録しました', 'seeds-h'),
      });
    }
    return h('section', { 'aria-labelledby': 'seeds-h' },
      h('h2', { id: 'seeds-h' }, '地域課題のタネ'),
      seeds.length === 0 ? h('p', {}, 'まだ記録していません。') : h('ul', { class: 'cards seeds' }, seeds.map((s) => h('li', { class: 'card seed' },
        h('p', { class: 'theme' }, s.theme || '(テーマなし)'),
        h('p', { class: 'meta' },
          s.automatic ? h('span', { class: 'badge' }, '自動 (資源の空白)') : null,
          // An automatic seed's resource_gap tag is what its badge says already.
          tagLabels((s.tags || []).filter((t) => !(s.automatic && t === 'resource_gap'))).map((t) => h('span', { class: 'tag' }, t)),
          s.capability ? ` 機能: ${capabilityLabel(s.capability)} ` : '',
          ' 記録 ', timestampText(s.raisedAt))))),
      form);
  }

  function historySection() {
    const hist = c.history || [];
    return h('section', { 'aria-labelledby': 'history-h' },
      h('h2', { id: 'history-h' }, '経過'),
      hist.length === 0 ? h('p', {}, '状態の変更はまだありません。') : h('ol', { class: 'plain' }, hist.map((x) => h('li', {},
        timestampText(x.at), ` ${label(CONSULTATION_STATUSES, x.from) || '—'} → ${label(CONSULTATION_STATUSES, x.to)}`,
        x.reason ? ` (${x.reason})` : ''))));
  }

  function draw() {
    pageAlert.hidden = true;
    replace(main,
      h('p', { class: 'breadcrumb' }, h('a', { href: '#/intake' }, '相談受付'), ' › 相談'),
      h('h1', {}, '相談 ', timestampText(c.receivedAt)),
      h('p', { class: 'meta' }, `ID ${c.id} ／ 版 ${c.version}`),
      pageAlert,
      summarySection(),
      needsSection(),
      referralsSection(),
      followUpsSection(),
      seedsSection(),
      h('section', { 'aria-labelledby': 'peers-h' },
        h('h2', { id: 'peers-h' }, 'コーディネーターへの相談'),
        requestTable(peers.requests || []),
        may('NetworkService.AskPeer') ? h('p', {}, h('a', { href: `#/network?consultation=${encodeURIComponent(c.id)}` },
          'ほかのコーディネーターに相談する (相談の内容は送られません)')) : null),
      historySection());
  }

  draw();
}
