// コーディネーターのネットワーク: my profile (what I share, and how far), my inbox and what I sent,
// asking a coordinator, a prefecture's lead coordinators or the national network, finding
// coordinators (docs/network.md), and the coordinators met at trainings (TrainingService.ListPeers:
// who attended the same trainings as a participant). #/network?consultation=con_... starts a
// request about that consultation (&to=coo_...: to that coordinator, as matching an advice need
// proposes); #/network?participant=... shows that participant's peers.
import { get, post, seg, ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import {
  input, dateInput, dateValue, choices, checkbox, actionForm, norm,
} from '../forms.js';
import { timestampText, dateText } from '../datetext.js';
import { municipalityName } from '../municipalities.js';
import {
  label, BUILT_IN_CAPABILITIES, BUILT_IN_SKILLS, NETWORK_ROLES, SHARE_LEVELS,
  PEER_RECIPIENT_KINDS, PEER_REQUEST_STATUSES, PEER_STEP_KINDS, PEER_URGENCIES,
} from '../words.js';
import { can } from '../permissions.js';
import { cardRows } from '../tables.js';
import { peerTable } from './training.js';

// The expertise a profile or a request names: capabilities and skills, by their labels.
const EXPERTISE = [...BUILT_IN_CAPABILITIES, ...BUILT_IN_SKILLS];

/** @param {string[] | undefined} codes */
export function expertiseText(codes) {
  return (codes || []).map((c) => (EXPERTISE.find(([x]) => x === c) || [c, c])[1]).join('、');
}

/** @param {string | undefined} code */
function whereText(code) {
  return code ? municipalityName(code) : '';
}

/** @param {renkei.v1.PeerParty | undefined} p */
export function partyText(p) {
  if (!p) return '';
  const where = whereText(p.jurisdictionCode);
  return p.name ? `${p.name}（${where}）` : where;
}

/** @param {renkei.v1.PeerRequest} r */
export function recipientText(r) {
  const to = /** @type {Partial<renkei.v1.PeerRecipient>} */ (r.recipient || {});
  if (to.kind === 'PEER_RECIPIENT_KIND_COORDINATOR') {
    return `${r.recipientName || 'コーディネーター'}（${whereText(to.jurisdictionCode)}）`;
  }
  if (to.kind === 'PEER_RECIPIENT_KIND_PREFECTURE_LEADS') {
    return `${whereText(to.prefectureCode)}の統括コーディネーター`;
  }
  const wanted = expertiseText(to.expertise);
  return `${label(PEER_RECIPIENT_KINDS, to.kind)}${wanted ? `（${wanted}）` : ''}`;
}

/** @param {renkei.v1.PeerRequest} r */
export function statusText(r) {
  const taken = r.takenBy && r.takenBy.profileId && r.status !== 'PEER_REQUEST_STATUS_WITHDRAWN'
    ? `（${partyText(r.takenBy)}）` : '';
  return `${label(PEER_REQUEST_STATUSES, r.status)}${taken}`;
}

/** @param {renkei.v1.PeerRequest[]} requests */
export function requestTable(requests) {
  if (!requests.length) return h('p', {}, 'ありません。');
  return cardRows(h('table', { class: 'data list requests' },
    h('thead', {}, h('tr', {}, ['依頼日', 'テーマ', '依頼した人', '宛先', '状態', '回答期限']
      .map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, requests.map((r) => h('tr', { class: r.overdue ? 'overdue' : '' },
      h('td', {}, timestampText(r.askedAt, { time: false })),
      h('td', {}, h('a', { href: `#/network/${encodeURIComponent(r.id)}` }, r.theme || '(テーマなし)')),
      h('td', {}, partyText(r.asker)),
      h('td', {}, recipientText(r)),
      h('td', {}, statusText(r), r.overdue ? h('strong', { class: 'badge warn' }, ' 回答期限超過') : null),
      h('td', {}, r.answerBy && r.answerBy.year ? dateText(r.answerBy) : '—'))))));
}

// My profile: created or changed here, with what I share, field by field.
/**
 * @param {ui.ScreenContext} ctx
 * @param {renkei.v1.CoordinatorProfile | undefined} mine
 */
function profileForm(ctx, mine) {
  const p = mine || /** @type {Partial<renkei.v1.CoordinatorProfile>} */ ({});
  const sharing = /** @type {Partial<renkei.v1.ProfileSharing>} */ (p.sharing || {});
  const name = input({ label: '氏名', field: 'profile.name', required: true, value: p.name || ctx.session.displayName || '' });
  const affiliation = input({ label: '所属', field: 'profile.affiliation', width: 'long', value: p.affiliation || '' });
  const role = input({ label: '役割', field: 'profile.role', options: NETWORK_ROLES, value: p.role || 'NETWORK_ROLE_COORDINATOR' });
  const expertise = choices({ label: '専門 (対応内容・スキル)', field: 'profile.expertise', options: EXPERTISE, multiple: true, columns: true, value: p.expertise || [] });
  const takes = checkbox({ label: 'ほかのコーディネーターからの相談を受け付ける', field: 'profile.takes_peer_consultations', value: Boolean(p.takesPeerConsultations) });
  const contact = input({ label: '仕事の連絡先 (電話・メール)', field: 'profile.work_contact', value: p.workContact || '' });
  const level = input({ label: '共有の範囲', field: 'profile.sharing.level', options: SHARE_LEVELS, value: sharing.level || 'SHARE_LEVEL_LOCAL' });
  const shared = choices({
    label: '共有する項目 (役割・地域・相談の受付はいつも共有されます)', field: 'profile.sharing', multiple: true,
    options: [['name', '氏名'], ['affiliation', '所属'], ['expertise', '専門'], ['workContact', '連絡先']],
    value: ['name', 'affiliation', 'expertise', 'workContact'].filter((k) => /** @type {Record<string, unknown>} */ (sharing)[k]),
  });
  return actionForm({
    label: mine ? 'プロフィールを更新する' : 'プロフィールを作る', submitLabel: mine ? '更新する' : '作る',
    children: [h('div', { class: 'row' }, name, role), affiliation, expertise, takes, contact, level, shared],
    onSubmit: async () => {
      const on = new Set(shared.values());
      await post('/api/v1/coordinator-profiles', {
        profile: {
          id: p.id, name: name.control.value.trim(), affiliation: affiliation.control.value.trim(),
          role: role.control.value, expertise: expertise.values(),
          takesPeerConsultations: /** @type {HTMLInputElement} */ (takes.control).checked,
          workContact: norm(contact.control.value), account: ctx.session.login,
          sharing: {
            level: level.control.value, name: on.has('name'), affiliation: on.has('affiliation'),
            expertise: on.has('expertise'), workContact: on.has('workContact'),
          },
        },
        expectedVersion: p.version,
      });
      ctx.announce(mine ? 'プロフィールを更新しました' : 'プロフィールを作りました');
      await ctx.rerender();
    },
  });
}

// Asking: a named coordinator, a prefecture's leads, or the national network.
/**
 * @param {ui.ScreenContext} ctx
 * @param {renkei.v1.CoordinatorProfile} mine
 * @param {renkei.v1.CoordinatorProfile[]} known
 */
function askForm(ctx, mine, known) {
  const takers = known.filter((p) => p.takesPeerConsultations && p.id !== mine.id);
  const kind = input({ label: '宛先', field: 'recipient.kind', options: PEER_RECIPIENT_KINDS, value: 'PEER_RECIPIENT_KIND_COORDINATOR' });
  const whom = input({
    label: 'コーディネーター', field: 'recipient.profile_id', empty: '選択してください',
    value: takers.some((p) => p.id === ctx.query.get('to')) ? ctx.query.get('to') || '' : '',
    options: takers.map((p) => /** @type {const} */ ([p.id, `${p.name || '(氏名非公開)'}（${whereText(p.jurisdictionCode)}）${expertiseText(p.expertise) ? ` ${expertiseText(p.expertise)}` : ''}`])),
  });
  const pref = input({ label: '都道府県コード (統括コーディネーター宛て)', field: 'recipient.prefecture_code', width: 'short', value: /^\d{6}$/.test(ctx.session.jurisdiction || '') && ctx.session.jurisdiction !== '000000' ? (ctx.session.jurisdiction || '').slice(0, 2) : '', hint: '2桁 (例: 13) または6桁のコード' });
  const wanted = choices({ label: '求める専門 (全国のネットワーク宛て、5つまで)', field: 'recipient.expertise', options: EXPERTISE, multiple: true, columns: true });
  const theme = input({ label: 'テーマ', field: 'theme', required: true, width: 'long' });
  const question = input({ label: '質問', field: 'question', required: true, multiline: true, rows: 4 });
  const context = input({ label: '背景', field: 'context', multiline: true, rows: 3 });
  const urgent = checkbox({ label: '至急', field: 'urgency' });
  const by = dateInput({ label: '回答期限', field: 'answer_by' });
  const consultation = ctx.query.get('consultation') || '';
  const show = () => {
    whom.hidden = kind.control.value !== 'PEER_RECIPIENT_KIND_COORDINATOR';
    pref.hidden = kind.control.value !== 'PEER_RECIPIENT_KIND_PREFECTURE_LEADS';
    wanted.hidden = kind.control.value !== 'PEER_RECIPIENT_KIND_NATIONAL_NETWORK';
  };
  kind.control.addEventListener('change', show);
  show();
  const form = actionForm({
    label: 'コーディネーターに相談する', submitLabel: '相談を送る',
    children: [
      h('p', { class: 'notice' }, '質問と背景はほかの市区町村に届きます。利用者の氏名・住所・生年月日など、個人が分かることは書かないでください。',
        consultation ? ` この依頼は相談 ${consultation} に記録されます (相談の内容は送られません)。` : ''),
      ctx.query.get('to') && !takers.some((p) => p.id === ctx.query.get('to'))
        ? h('p', { class: 'notice' }, '照合で提案されたコーディネーターは宛先に選べません (ご自身か、相談の受付をやめた人です)。宛先を選んでください。') : null,
      kind, whom, pref, wanted, theme, question, context, h('div', { class: 'row' }, urgent, by),
    ],
    onSubmit: async () => {
      const k = kind.control.value;
      const r = /** @type {renkei.v1.PeerRequest} */ (await post('/api/v1/peer-requests', {
        askerProfileId: mine.id,
        recipient: {
          kind: k,
          profileId: k === 'PEER_RECIPIENT_KIND_COORDINATOR' ? whom.control.value : undefined,
          prefectureCode: k === 'PEER_RECIPIENT_KIND_PREFECTURE_LEADS' ? norm(pref.control.value) : undefined,
          expertise: k === 'PEER_RECIPIENT_KIND_NATIONAL_NETWORK' ? wanted.values() : undefined,
        },
        theme: theme.control.value.trim(), question: question.control.value.trim(),
        context: context.control.value.trim(),
        urgency: /** @type {HTMLInputElement} */ (urgent.control).checked ? 'PEER_URGENCY_URGENT' : 'PEER_URGENCY_NORMAL',
        answerBy: dateValue(by), consultationId: consultation || undefined,
      }));
      ctx.announce('相談を送りました');
      ctx.navigate(`#/network/${encodeURIComponent(r.id)}`);
    },
  });
  return form;
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  const [mineList, known] = /** @type {[renkei.v1.ListProfilesResponse, renkei.v1.ListProfilesResponse]} */ (
    await Promise.all([
      get('/api/v1/coordinator-profiles', { account: ctx.session.login }),
      get('/api/v1/coordinator-profiles', { text: ctx.query.get('text') || '' }),
    ]));
  const mine = (mineList.profiles || [])[0];
  const profiles = known.profiles || [];
  /** @type {renkei.v1.PeerRequest[]} */
  let inbox = [];
  /** @type {renkei.v1.PeerRequest[]} */
  let sent = [];
  if (mine) {
    const [i, s] = /** @type {renkei.v1.ListPeerRequestsResponse[]} */ (await Promise.all([
      get('/api/v1/peer-requests', { box: 'PEER_BOX_INBOX', profile_id: mine.id }),
      get('/api/v1/peer-requests', { box: 'PEER_BOX_SENT', profile_id: mine.id }),
    ]));
    inbox = i.requests || [];
    sent = s.requests || [];
  }
  const search = input({ label: '氏名・所属・専門で探す', field: 'text', value: ctx.query.get('text') || '' });
  const searchForm = actionForm({
    label: 'コーディネーターを探す', className: 'form inline', submitLabel: '探す', children: [search],
    onSubmit: async () => ctx.navigate(`#/network?text=${encodeURIComponent(search.control.value.trim())}`),
  });
  replace(main,
    h('h1', {}, 'コーディネーターのネットワーク'),
    h('p', {}, 'ほかの市区町村のコーディネーターや、都道府県・全国の統括コーディネーターに相談できます。'),
    mine ? h('section', { 'aria-labelledby': 'inbox-h' },
      h('h2', { id: 'inbox-h' }, `受信した相談 (${inbox.length}件)`), requestTable(inbox)) : null,
    mine ? h('section', { 'aria-labelledby': 'sent-h' },
      h('h2', { id: 'sent-h' }, `送った相談 (${sent.length}件)`), requestTable(sent)) : null,
    mine ? h('section', { 'aria-labelledby': 'ask-h' },
      h('h2', { id: 'ask-h' }, '相談する'), askForm(ctx, mine, profiles)) : null,
    h('section', { 'aria-labelledby': 'me-h' },
      h('h2', { id: 'me-h' }, 'わたしのプロフィール'),
      mine ? h('p', {}, `${mine.name}（${label(NETWORK_ROLES, mine.role)}）専門: ${expertiseText(mine.expertise) || 'なし'}・共有: ${label(SHARE_LEVELS, mine.sharing?.level || 'SHARE_LEVEL_LOCAL')}`)
        : h('p', {}, '相談を送ったり受けたりするには、まずプロフィールを作ってください。'),
      mine ? h('details', {}, h('summary', {}, 'プロフィールを更新する'), profileForm(ctx, mine)) : profileForm(ctx, undefined)),
    h('section', { 'aria-labelledby': 'people-h' },
      h('h2', { id: 'people-h' }, `コーディネーター (${profiles.length}人)`),
      searchForm,
      cardRows(h('table', { class: 'data list people' },
        h('caption', { class: 'sr-only' }, 'コーディネーター'),
        h('thead', {}, h('tr', {}, ['氏名', '地域', '役割', '専門', '相談'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, profiles.map((p) => h('tr', {},
          h('td', {}, p.name || '(氏名非公開)'), h('td', {}, whereText(p.jurisdictionCode)),
          h('td', {}, label(NETWORK_ROLES, p.role)), h('td', {}, expertiseText(p.expertise) || '—'),
          h('td', {}, p.takesPeerConsultations ? '受付中' : '受け付けていない'))))))),
    await peersSection(ctx));
}

// The coordinators a participant met at trainings (ListPeers by participant): who attended the
// same trainings, their names where they agreed, and those trainings. The participant ID is the
// one given when registering (a staff number); 表示 draws the list in place, keeps the ID in the
// URL (?participant=) and moves the focus to the list's summary.
/** @param {ui.ScreenContext} ctx */
async function peersSection(ctx) {
  if (!can(ctx.session, 'TrainingService.ListPeers')) return null;
  const asked = norm(ctx.query.get('participant') || '');
  const box = h('div', { class: 'peers-result' });
  const pid = input({
    label: '参加者ID', field: 'participant_id', value: asked,
    hint: '研修に申し込んだときの参加者ID (職員番号など)。同じ研修に出席したコーディネーターを表示します。',
  });
  /** @param {string} id */
  const load = async (id) => {
    const r = /** @type {renkei.v1.ListPeersResponse} */ (await get('/api/v1/peers', { participant_id: id }));
    const peers = r.peers || [];
    // The shared trainings' titles (each read once; one that cannot be read stays 研修).
    const ids = [...new Set(peers.flatMap((p) => p.trainingIds || []))].slice(0, 50);
    const titles = new Map(await Promise.all(ids.map(async (tid) => {
      try {
        const t = /** @type {renkei.v1.Training} */ (await get(`/api/v1/trainings/${seg(tid)}`));
        return /** @type {[string, string]} */ ([tid, t.title]);
      } catch (err) {
        if (!(err instanceof ApiError) || err.status === 401) throw err;
        return /** @type {[string, string]} */ ([tid, '研修']);
      }
    })));
    replace(box,
      h('p', { class: 'summary', id: 'peers-result', tabindex: '-1' }, `参加者ID「${id}」と同じ研修に出席したコーディネーター: ${peers.length}人`),
      peers.length ? peerTable(peers, titles) : h('p', {}, '出席が記録された研修で一緒だったコーディネーターはいません。'));
    return peers.length;
  };
  const form = actionForm({
    label: '研修で一緒だったコーディネーターを探す', className: 'form inline', submitLabel: '表示', children: [pid],
    onSubmit: async () => {
      const id = norm(pid.control.value);
      if (!id) {
        throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください', [{ field: 'participant_id', description: '参加者IDを入力してください' }]);
      }
      const n = await load(id);
      const q = new URLSearchParams(ctx.query);
      q.set('participant', id);
      if (ctx.isCurrent()) history.replaceState(history.state, '', `#/network?${q}`);
      ctx.announce(`研修で一緒だったコーディネーター: ${n}人`);
      document.getElementById('peers-result')?.focus();
    },
  });
  if (asked) {
    try {
      await load(asked);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 401) throw err;
      replace(box, h('p', { class: 'form-alert', role: 'alert' }, err.message));
    }
  }
  return h('section', { 'aria-labelledby': 'peers-h' },
    h('h2', { id: 'peers-h' }, '研修で一緒だったコーディネーター'),
    form, box,
    h('p', { class: 'hint' }, '出席した回がある参加確定の方です。氏名は、申込のときに知らせることに同意した方だけ表示されます。'));
}

// One request: its question, its steps with their times, and what I can do now.
/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function renderItem(main, ctx) {
  const [r, mineList] = /** @type {[renkei.v1.PeerRequest, renkei.v1.ListProfilesResponse]} */ (
    await Promise.all([
      get(`/api/v1/peer-requests/${seg(ctx.id)}`),
      get('/api/v1/coordinator-profiles', { account: ctx.session.login }),
    ]));
  const mine = (mineList.profiles || [])[0];
  const settled = ['PEER_REQUEST_STATUS_ANSWERED', 'PEER_REQUEST_STATUS_DECLINED', 'PEER_REQUEST_STATUS_WITHDRAWN'].includes(r.status);
  const asker = mine && r.asker && r.asker.profileId === mine.id;
  /**
   * @param {renkei.v1.PeerStepKind} kind
   * @param {string} submitLabel
   * @param {string} [textLabel]
   */
  const step = (kind, submitLabel, textLabel) => {
    const text = textLabel ? input({ label: textLabel, field: 'text', multiline: true, rows: 3, required: true }) : null;
    return actionForm({
      label: submitLabel, className: 'form inline', submitLabel, children: text ? [text] : [],
      onSubmit: async () => {
        await post(`/api/v1/peer-requests/${seg(r.id)}/steps`, {
          id: r.id, profileId: mine?.id, kind, text: text ? text.control.value.trim() : '',
        });
        ctx.announce(`${submitLabel}を送りました`);
        await ctx.rerender();
      },
    });
  };
  const actions = [];
  if (mine && !settled) {
    if (asker) {
      if (r.status === 'PEER_REQUEST_STATUS_ASKED_BACK') actions.push(step('PEER_STEP_KIND_REPLIED', '確認に答える', '返答'));
      actions.push(h('details', {}, h('summary', {}, '取り下げる'), step('PEER_STEP_KIND_WITHDRAWN', '取り下げる')));
    } else if (!r.takenBy?.profileId || r.takenBy.profileId === mine.id) {
      // Taken here already, though the asker's instance has not confirmed it yet.
      const takenHere = (r.steps || []).some((s) => s.pending && s.kind === 'PEER_STEP_KIND_TAKEN' && s.by?.profileId === mine.id);
      if (!r.takenBy?.profileId && !takenHere) actions.push(step('PEER_STEP_KIND_TAKEN', '引き受ける'));
      actions.push(step('PEER_STEP_KIND_ANSWERED', '回答する', '回答'));
      actions.push(h('details', {}, h('summary', {}, '確認の質問をする'), step('PEER_STEP_KIND_ASKED_BACK', '質問を送る', '確認したいこと')));
      actions.push(h('details', {}, h('summary', {}, 'お断りする'), step('PEER_STEP_KIND_DECLINED', 'お断りする', '理由')));
    } else {
      actions.push(h('p', {}, `${partyText(r.takenBy)}が対応しています。`));
    }
  }
  replace(main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/network' }, 'ネットワーク'), ' › 相談依頼'),
    h('h1', {}, r.theme || '相談依頼'),
    h('dl', { class: 'facts' },
      h('dt', {}, '依頼した人'), h('dd', {}, partyText(r.asker)),
      h('dt', {}, '宛先'), h('dd', {}, recipientText(r)),
      h('dt', {}, '状態'), h('dd', {}, statusText(r), r.overdue ? h('strong', { class: 'badge warn' }, ' 回答期限超過') : null),
      h('dt', {}, '緊急度'), h('dd', {}, label(PEER_URGENCIES, r.urgency)),
      h('dt', {}, '回答期限'), h('dd', {}, r.answerBy && r.answerBy.year ? dateText(r.answerBy) : '—'),
      r.consultationId ? [h('dt', {}, '相談'), h('dd', {}, h('a', { href: `#/intake/${encodeURIComponent(r.consultationId)}` }, '相談を開く'))] : null,
      h('dt', {}, '質問'), h('dd', {}, h('p', { class: 'pre' }, r.question || '')),
      r.context ? [h('dt', {}, '背景'), h('dd', {}, h('p', { class: 'pre' }, r.context))] : null),
    h('section', { 'aria-labelledby': 'steps-h' },
      h('h2', { id: 'steps-h' }, '経過'),
      h('ol', { class: 'timeline' }, (r.steps || []).map((s) => h('li', {},
        h('p', { class: 'meta' }, timestampText(s.at), ' ', label(PEER_STEP_KINDS, s.kind), ' — ', partyText(s.by),
        s.pending ? h('span', { class: 'badge' }, ' 送信中 (依頼元の確認待ち)') : null),
        s.text ? h('p', { class: 'pre' }, s.text) : null)))),
    actions.length ? h('section', { 'aria-labelledby': 'act-h' }, h('h2', { id: 'act-h' }, '対応する'), ...actions) : null,
    h('p', {}, h('a', { href: '#/network' }, '受信した相談・送った相談の一覧へ')));
}
