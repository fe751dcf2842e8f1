// 資源調査 (在宅医療・介護資源調査), reached from 資源検索: municipal staff start a campaign that
// asks the providers of their area what they can do (one answer link per provider, sent as
// printed letters); the campaign's screen shows the response rates, the letters to print, the
// reminders, each invitation's link (revoke, reissue) and, for every submitted answer, the review
// that decides what reaches the directory: accept it, accept it with corrected values, or not
// (with a reason). ResourceSurveyService through the gateway (docs/gateway.md, /resource-surveys).
// A reminder (it mails providers), a reissued or revoked link are asked in the page first; each
// action is offered only to those who may take it.
import {
  get, post, seg, loadCapabilities, capabilityLabel, ApiError,
} from '../api.js';
import { h, replace, uid } from '../dom.js';
import {
  input, dateInput, dateValue, choices, checkbox, actionForm, submitting, formAlert, norm, splitList, changeAndRedraw, focusHeading,
} from '../forms.js';
import { dateText, timestampText } from '../datetext.js';
import { compareDates, tokyoToday } from '../dates.js';
import { municipalityName, outsideText, isKnownMunicipality } from '../municipalities.js';
import { label, labels, RESOURCE_KINDS, ACCEPTANCE, RESOURCE_SURVEY_STATES } from '../words.js';
import { downloadText } from '../download.js';
import { can } from '../permissions.js';
import { askFirst } from '../confirm.js';
import { cardRows } from '../tables.js';

/** @param {ui.ScreenContext} ctx @param {string} rpc "RemindResourceSurvey" */
const allowed = (ctx, rpc) => can(ctx.session, `ResourceSurveyService.${rpc}`);

// The states of an invitation as people read them (words.js).
const SURVEY_STATES = RESOURCE_SURVEY_STATES;

const OPEN = new Set(['RESOURCE_SURVEY_STATE_NOT_ANSWERED', 'RESOURCE_SURVEY_STATE_DRAFT']);
const SUBMITTED = new Set([
  'RESOURCE_SURVEY_STATE_SUBMITTED', 'RESOURCE_SURVEY_STATE_ACCEPTED', 'RESOURCE_SURVEY_STATE_REJECTED',
]);

// The questions besides the capabilities, in the order the answer form asks them.
/** @type {ReadonlyArray<readonly ['acceptingNewPatients' | 'serviceArea' | 'hours' | 'liaison' | 'note', string, string]>} */
const QUESTIONS = [
  ['acceptingNewPatients', 'accepting_new_patients', '新規の受入'],
  ['serviceArea', 'service_area', '訪問・対応地域'],
  ['hours', 'hours', '対応時間'],
  ['liaison', 'liaison', '連携窓口'],
  ['note', 'note', '自由記述'],
];

// The print-ready letters of the last reminder of each campaign (those without an e-mail
// address), kept for the page's life so that the redrawn screen still offers them.
/** @type {Map<string, renkei.v1.ResourceSurveyLetters>} */
const reminderLetters = new Map();

/** @param {number | undefined} rate 0..1 */
function percent(rate) {
  return `${(Math.round((Number(rate) || 0) * 1000) / 10).toFixed(1)}%`;
}

/** @param {Partial<renkei.v1.ResourceSurveyProgress> | undefined} p */
function rateText(p) {
  const invited = p?.invited ?? 0;
  return `${percent(p?.responseRate)} (依頼 ${invited}件のうち回答 ${p?.answered ?? 0}件)`;
}

/** @param {renkei.v1.ResourceSurveyTargets | undefined} t */
function targetsText(t, home = '') {
  if (!t) return 'すべての種別';
  if ((t.resourceIds || []).length) return `指定した資源 ${t.resourceIds.length}件`;
  const kinds = labels(RESOURCE_KINDS, t.kinds) || 'すべての種別';
  const place = home ? municipalityName(home, { withPrefecture: false }) : '市区町村';
  return t.includeServing ? `${kinds} (${place}に所在する資源と、${place}を訪問・対応地域に含む資源)` : `${kinds} (${place}に所在する資源)`;
}

/** @param {renkei.v1.ResourceSurveyQuestions | undefined} q */
function questionsText(q) {
  if (!q) return '';
  const caps = (q.capabilities || []).length ? (q.capabilities || []).map(capabilityLabel).join('、') : 'すべての機能';
  const rest = QUESTIONS.filter(([key]) => q[key]).map(([, , ja]) => ja);
  return [`対応できること (${caps})`, ...rest].join('、');
}

// Opens print-ready HTML of the directory (the letters) in a new tab. The console's
// Content-Security-Policy (default-src 'self') is inherited by a tab it opens, so the letters'
// own <style> would be refused: their rules go in as a constructed style sheet instead (not
// subject to it), and the rest of the page is parsed as an inert document and imported. Returns
// false when the browser blocked the new tab.
/**
 * @param {string} html
 * @returns {boolean}
 */
function openPrintable(html) {
  let css = '';
  const rest = html.replace(/<style[^>]*>([\s\S]*?)<\/style>/gi, (_, rules) => {
    css += rules;
    return '';
  });
  const w = window.open('', '_blank');
  if (!w) return false;
  const parsed = new DOMParser().parseFromString(rest, 'text/html');
  const doc = w.document;
  doc.replaceChild(doc.importNode(parsed.documentElement, true), doc.documentElement);
  const Sheet = /** @type {typeof CSSStyleSheet} */ (/** @type {any} */ (w).CSSStyleSheet);
  const sheet = new Sheet();
  sheet.replaceSync(css);
  doc.adoptedStyleSheets = [sheet];
  w.focus();
  return true;
}

// A place for the errors the service gives about the request as a whole ("invitation_id": only a
// submitted answer can be reviewed; "campaign_id": nothing left to remind), so that they show in
// words next to the action, never under the request field's name.
/** @param {string} field */
function errorSlot(field) {
  return h('div', { class: 'error-slot', 'data-field': field },
    h('p', { class: 'field-error', id: uid('slot-err'), hidden: true }));
}

// A file name for the letters: the campaign's name without characters file systems refuse.
/**
 * @param {string} name
 * @param {string} what
 */
function lettersFileName(name, what) {
  return `${(name || '資源調査').replace(/[\\/:*?"<>|\s]+/g, '_')}_${what}.html`;
}

// ---------------------------------------------------------------------------------------------
// #/surveys: the campaigns, and the form that starts one.

/**
 * @param {ui.ScreenContext} ctx
 * @param {renkei.v1.Capability[]} capabilities
 */
function startForm(ctx, capabilities) {
  const home = ctx.session.jurisdiction || '';
  const town = isKnownMunicipality(home) ? municipalityName(home, { withPrefecture: false }) : '市区町村';
  const name = input({
    label: '調査の名称', field: 'name', required: true, width: 'long', maxlength: 100,
    placeholder: '例: 令和8年度 在宅医療・介護資源調査',
  });
  const deadline = dateInput({ label: '回答期限', field: 'deadline', required: true });
  const expires = dateInput({
    label: '回答用リンクの有効期限', field: 'links_expire_on',
    hint: '空欄なら回答期限の14日後。回答期限以降、1年以内 (例: 2026-11-24、令和8年11月24日)',
  });
  const kinds = choices({
    label: '対象の種別', field: 'targets.kinds', multiple: true, columns: true, options: RESOURCE_KINDS,
    hint: `${town}に所在する、選んだ種別の資源に依頼します。選ばなければすべての種別です。`,
  });
  const serving = checkbox({
    label: `${outsideText(home)}に所在し、${town}を訪問・対応地域に含む資源にも依頼する`, field: 'targets.include_serving',
  });
  const caps = choices({
    label: '対応できるかを尋ねる機能', field: 'questions.capabilities', multiple: true, columns: true,
    options: capabilities.map((c) => [c.code, c.labelJa]),
    hint: '選ばなければすべての機能を尋ねます。',
  });
  const asked = QUESTIONS.map(([key, field, ja]) => /** @type {const} */ (
    [key, checkbox({ label: ja, field: `questions.${field}`, value: true })]));
  const questionsErr = uid('questions-err');
  const questions = h('fieldset', { class: 'field', 'data-field': 'questions' },
    h('legend', {}, '尋ねる項目'),
    caps,
    asked.map(([, box]) => box),
    h('p', { class: 'field-error', id: questionsErr, hidden: true }));
  const contact = input({
    label: '依頼状に載せる問い合わせ先', field: 'contact_text', multiline: true, rows: 2, maxlength: 300,
    hint: '例: 稲城市 福祉部 高齢福祉課 在宅医療・介護連携担当 042-378-2111',
  });
  return actionForm({
    label: '資源調査を始める', submitLabel: '資源調査を始める',
    children: [
      name,
      h('div', { class: 'row' }, deadline, expires),
      h('fieldset', { class: 'field', 'data-field': 'targets' },
        h('legend', {}, '依頼する資源'), kinds, serving,
        h('p', { class: 'field-error', id: uid('targets-err'), hidden: true })),
      questions,
      contact,
    ],
    onSubmit: async () => {
      /** @type {ui.Body} */
      const questionsBody = { capabilities: caps.values() };
      for (const [key, box] of asked) questionsBody[key] = box.control.checked;
      const campaign = /** @type {renkei.v1.ResourceSurveyCampaign} */ (await post('/api/v1/resource-surveys', {
        name: name.control.value.trim(),
        deadline: dateValue(deadline),
        linksExpireOn: dateValue(expires),
        targets: { kinds: kinds.values(), includeServing: serving.control.checked },
        questions: questionsBody,
        contactText: contact.control.value.trim(),
      }));
      ctx.announce(`資源調査を始めました (依頼 ${campaign.progress?.invited ?? 0}件)。依頼状を印刷して送ってください`);
      ctx.navigate(`#/surveys/${encodeURIComponent(campaign.id)}`);
    },
  });
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  const [list, capabilities] = await Promise.all([
    /** @type {Promise<renkei.v1.ListResourceSurveysResponse>} */ (get('/api/v1/resource-surveys')),
    loadCapabilities(),
  ]);
  const campaigns = list.campaigns || [];
  // Campaigns are a municipality's: started by its staff on its own instance.
  const municipalInstance = ctx.session.instance?.level === 'municipality';
  const staff = ctx.session.role === 'ROLE_MUNICIPAL_STAFF' && municipalInstance && allowed(ctx, 'StartResourceSurvey');
  replace(main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/resources' }, '資源検索'), ' › 資源調査'),
    h('h1', {}, '資源調査 (在宅医療・介護資源調査)'),
    h('p', {}, '地域の事業所・医療機関に、対応できることを尋ねます。事業所は依頼状のリンクから、アカウントなしで回答します。'
      + '回答は、コーディネーターまたは市町村担当者が確認してから資源の情報に反映されます。'),
    h('section', { 'aria-labelledby': 'surveys-h' },
      h('h2', { id: 'surveys-h' }, `資源調査の一覧 (${campaigns.length}件)`),
      campaigns.length ? cardRows(h('table', { class: 'data surveys' },
        h('caption', { class: 'sr-only' }, '資源調査の一覧 (新しい順)'),
        h('thead', {}, h('tr', {}, ['調査', '回答期限', '回答用リンクの有効期限', '回答率', '確認待ち'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, campaigns.map((c) => h('tr', {},
          h('th', { scope: 'row' }, h('a', { href: `#/surveys/${encodeURIComponent(c.id)}` }, c.name || '名称なし')),
          h('td', {}, dateText(c.deadline)),
          h('td', {}, dateText(c.linksExpireOn)),
          h('td', {}, rateText(c.progress)),
          h('td', { class: 'num' }, `${c.progress?.awaitingReview ?? 0}件`))))))
        : h('p', { class: 'empty' }, 'まだ資源調査はありません。')),
    h('section', { 'aria-labelledby': 'start-h' },
      h('h2', { id: 'start-h' }, '資源調査を始める'),
      staff ? [
        h('p', {}, '対象の資源ごとに回答用リンクを作ります。始めたあと、調査の画面から依頼状を印刷して送ってください。'),
        startForm(ctx, capabilities),
      ] : h('p', {}, municipalInstance
        ? '資源調査を始めるのは市町村担当者です。届いた回答の確認と反映、催促はこの画面からできます。'
        : '資源調査は市区町村のインスタンスで行います。')));
}

// ---------------------------------------------------------------------------------------------
// #/surveys/<id>: one campaign.

/**
 * @param {string} caption
 * @param {string} head
 * @param {renkei.v1.ResourceSurveyRate[]} rates
 * @param {(r: renkei.v1.ResourceSurveyRate) => string} name
 */
function rateTable(caption, head, rates, name) {
  if (!rates.length) return null;
  return cardRows(h('table', { class: 'data compact survey-rates' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, [head, '依頼', '回答', '回答率'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rates.map((r) => h('tr', {},
      h('th', { scope: 'row' }, name(r)),
      h('td', { class: 'num' }, `${r.invited ?? 0}件`),
      h('td', { class: 'num' }, `${r.answered ?? 0}件`),
      h('td', { class: 'num' }, percent(r.rate)))))));
}

// The fields of an answer as the review edits them: only what the campaign asked.
/**
 * @param {renkei.v1.ResourceSurveyInvitation} inv
 * @param {renkei.v1.ResourceSurveyQuestions} q
 * @param {renkei.v1.Capability[]} capabilities
 */
function answerFields(inv, q, capabilities) {
  /** @type {Partial<renkei.v1.ResourceSurveyAnswer>} */
  const a = inv.answer || {};
  const askedCaps = (q.capabilities || []).length ? q.capabilities : capabilities.map((c) => c.code);
  const caps = choices({
    label: '対応できること', field: 'edited.capabilities', multiple: true, columns: true,
    options: askedCaps.map((code) => [code, capabilityLabel(code)]), value: a.capabilities || [],
  });
  const accepting = q.acceptingNewPatients ? input({
    label: '新規の受入', field: 'edited.accepting_new_patients', options: ACCEPTANCE, empty: '未回答',
    value: a.acceptingNewPatients && a.acceptingNewPatients !== 'ACCEPTANCE_UNSPECIFIED' ? a.acceptingNewPatients : '',
  }) : null;
  const area = q.serviceArea ? input({
    label: '訪問・対応地域 (市区町村コード、読点区切り)', field: 'edited.service_area', width: 'long',
    value: (a.serviceArea || []).join('、'),
    hint: (a.serviceArea || []).length ? `回答: ${(a.serviceArea || []).map((c) => municipalityName(c, { withPrefecture: false })).join('、')}` : '回答なし',
  }) : null;
  const hours = q.hours ? input({ label: '対応時間', field: 'edited.hours', width: 'long', value: a.hours || '' }) : null;
  /** @type {Partial<renkei.v1.LiaisonContact>} */
  const l = a.liaison || {};
  const liaison = q.liaison ? {
    department: input({ label: '部署名', field: 'edited.liaison.department', value: l.department || '' }),
    phone: input({ label: '電話番号', field: 'edited.liaison.phone', value: l.phone || '', type: 'tel' }),
    fax: input({ label: 'FAX番号', field: 'edited.liaison.fax', value: l.fax || '', type: 'tel' }),
    email: input({ label: 'メールアドレス', field: 'edited.liaison.email', value: l.email || '', type: 'email', autocomplete: 'email' }),
    internal: checkbox({ label: '関係者だけに知らせる (公開の地図には載せない)', field: 'edited.liaison.internal', value: !!l.internal }),
  } : null;
  const note = q.note ? input({ label: '自由記述', field: 'edited.note', multiline: true, value: a.note || '' }) : null;
  const nodes = [
    caps, accepting, area, hours,
    liaison ? h('fieldset', { class: 'field', 'data-field': 'edited.liaison' },
      h('legend', {}, '連携窓口'),
      h('div', { class: 'row' }, liaison.department, liaison.phone, liaison.fax, liaison.email), liaison.internal,
      h('p', { class: 'field-error', id: uid('liaison-err'), hidden: true })) : null,
    note,
  ];
  /** @returns {ui.Body} */
  const values = () => {
    /** @type {ui.Body} */
    const edited = { capabilities: caps.values() };
    if (accepting) edited.acceptingNewPatients = accepting.control.value || 'ACCEPTANCE_UNSPECIFIED';
    if (area) edited.serviceArea = splitList(norm(area.control.value));
    if (hours) edited.hours = hours.control.value.trim();
    if (liaison) {
      const contact = {
        department: liaison.department.control.value.trim(),
        phone: norm(liaison.phone.control.value),
        fax: norm(liaison.fax.control.value),
        email: norm(liaison.email.control.value),
        internal: liaison.internal.control.checked,
      };
      if (contact.department || contact.phone || contact.fax || contact.email) edited.liaison = contact;
    }
    if (note) edited.note = note.control.value.trim();
    return edited;
  };
  return { nodes, values };
}

/**
 * @param {renkei.v1.ResourceSurveyInvitation} inv
 * @param {renkei.v1.ResourceSurveyQuestions} q
 * @param {renkei.v1.Capability[]} capabilities
 * @param {(path: string, body: ui.Body, done: string, headingId?: string) => Promise<void>} change
 * @param {boolean} canReview false: the comparison only
 */
function reviewPanel(inv, q, capabilities, change, canReview) {
  const name = inv.resourceName || '名称なし';
  const headingId = uid('review-h');
  const path = `/api/v1/resource-survey-invitations/${seg(inv.id)}/review`;
  const rows = inv.comparison || [];
  const acceptNote = input({ label: 'メモ (任意)', field: 'note', multiline: true, rows: 2, maxlength: 1000 });
  const accept = actionForm({
    label: `${name}の回答を反映する`, submitLabel: '回答どおり反映する',
    children: [errorSlot('invitation_id'), acceptNote],
    onSubmit: () => change(path, {
      expectedVersion: inv.version, decision: 'RESOURCE_SURVEY_DECISION_ACCEPT', note: acceptNote.control.value.trim(),
    }, `${name}の回答を資源の情報に反映しました`, 'review-h'),
  });
  const fields = answerFields(inv, q, capabilities);
  const editNote = input({ label: 'メモ (修正の理由など)', field: 'note', multiline: true, rows: 2, maxlength: 1000 });
  const edit = actionForm({
    label: `${name}の回答を修正して反映する`, submitLabel: '修正した内容で反映する',
    children: [errorSlot('invitation_id'), errorSlot('edited'),
      h('p', { class: 'hint' }, '回答の内容から始めています。直してから反映してください。尋ねた項目はすべてこの内容で置き換わります。'),
      fields.nodes, editNote],
    onSubmit: () => change(path, {
      expectedVersion: inv.version, decision: 'RESOURCE_SURVEY_DECISION_ACCEPT',
      edited: fields.values(), note: editNote.control.value.trim(),
    }, `${name}の回答を修正して資源の情報に反映しました`, 'review-h'),
  });
  const reason = input({ label: '反映しない理由', field: 'note', required: true, multiline: true, rows: 2, maxlength: 1000 });
  const reject = actionForm({
    label: `${name}の回答を反映しない`, submitLabel: '反映しない',
    children: [errorSlot('invitation_id'), reason],
    onSubmit: () => {
      if (!reason.control.value.trim()) {
        throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください',
          [{ field: 'note', description: '反映しない理由を入力してください' }]);
      }
      return change(path, {
        expectedVersion: inv.version, decision: 'RESOURCE_SURVEY_DECISION_REJECT', note: reason.control.value.trim(),
      }, `${name}の回答は反映しないことにしました`, 'review-h');
    },
  });
  return h('section', { class: 'card review', 'aria-labelledby': headingId },
    h('h3', { id: headingId }, name),
    h('p', { class: 'meta' }, label(RESOURCE_KINDS, inv.resourceKind), '・', municipalityName(inv.resourceMunicipalityCode, { withPrefecture: false }),
      inv.answer?.submittedAt ? ['・回答 ', timestampText(inv.answer.submittedAt)] : null),
    cardRows(h('table', { class: 'data compact comparison' },
      h('caption', {}, '資源の情報と回答の比較'),
      h('thead', {}, h('tr', {}, ['項目', '資源の情報 (いま)', '回答', '違い'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((r) => h('tr', { class: r.differs ? 'differs' : '' },
        h('th', { scope: 'row' }, r.label),
        h('td', {}, r.directoryValue || '（なし）'),
        h('td', {}, r.answerValue || '（なし）'),
        h('td', {}, r.differs ? h('strong', { class: 'badge changed' }, '変更あり') : '同じ')))))),
    canReview ? [
      accept,
      h('details', { class: 'review-edit' }, h('summary', {}, '修正して反映する'), edit),
      h('details', { class: 'review-reject' }, h('summary', {}, '反映しない'), reject),
    ] : null);
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function renderItem(main, ctx) {
  const base = `/api/v1/resource-surveys/${seg(ctx.id)}`;
  const [campaign, list, capabilities] = await Promise.all([
    /** @type {Promise<renkei.v1.ResourceSurveyCampaign>} */ (get(base)),
    /** @type {Promise<renkei.v1.ListResourceSurveyInvitationsResponse>} */ (get(`${base}/invitations`)),
    loadCapabilities(),
  ]);
  const invitations = list.invitations || [];
  /** @type {Partial<renkei.v1.ResourceSurveyProgress>} */
  const p = campaign.progress || {};
  /** @type {renkei.v1.ResourceSurveyQuestions} */
  const q = campaign.questions || {
    capabilities: [], acceptingNewPatients: false, serviceArea: false, hours: false, liaison: false, note: false,
  };
  const today = tokyoToday();

  // One change, then the screen drawn again with the result in the status line. When someone
  // changed the invitation first (ABORTED), the screen is reloaded and the user asked to retry.
  /** @param {string} path @param {ui.Body} body @param {string} done @param {string} [headingId] */
  const change = (path, body, done, headingId = 'invitations-h') => changeAndRedraw(ctx, path, body, done, headingId);

  // --- letters and reminders
  const lettersBox = h('div', { class: 'survey-letters' });
  const lettersAlert = formAlert();
  /** @param {ui.Query} [query] */
  const fetchLetters = async (query) => /** @type {renkei.v1.ResourceSurveyLetters} */ (await get(`${base}/letters`, query));
  /**
   * @param {renkei.v1.ResourceSurveyLetters} letters
   * @param {'open' | 'download'} how
   * @param {string} what
   */
  const deliver = (letters, how, what) => {
    if (!letters.letters) {
      ctx.announce('印刷する依頼状はありません (回答用リンクが有効な未回答の依頼がありません)');
      return;
    }
    if (how === 'open' && openPrintable(letters.html)) {
      ctx.announce(`${what} ${letters.letters}通を新しいタブで開きました。そこから印刷してください`);
      return;
    }
    downloadText(lettersFileName(campaign.name, what), letters.html, 'text/html; charset=utf-8');
    ctx.announce(`${what} ${letters.letters}通をダウンロードしました。ブラウザで開いて印刷してください`);
  };
  /**
   * @param {string} text
   * @param {() => Promise<void> | void} action
   * @param {string} [className]
   */
  const button = (text, action, className = 'secondary') => {
    const b = h('button', { type: 'button', class: className }, text);
    b.addEventListener('click', async () => {
      // (disabled while it ran, it gets the focus back unless the action moved it on: submitting)
      await submitting(lettersBox, lettersAlert, action);
    });
    return b;
  };
  const open = OPEN.has.bind(OPEN);
  const openCount = invitations.filter((i) => open(i.state)).length;
  const printable = reminderLetters.get(campaign.id);
  const remindQuestion = h('div', { class: 'ask-slot' });
  const letters = allowed(ctx, 'RenderResourceSurveyLetters');
  const remindButton = allowed(ctx, 'RemindResourceSurvey') ? button('未回答の事業所に催促する', () => {
    if (!openCount) {
      ctx.announce('催促する依頼はありません (すべて回答済みか、回答用リンクが無効です)');
      return;
    }
    askFirst({
      slot: remindQuestion,
      opener: remindButton || lettersBox,
      title: `未回答の${openCount}件の事業所に催促しますか？`,
      details: h('ul', {},
        h('li', {}, 'メールアドレスが登録されている事業所には、いまメールを送ります (取り消せません)。'),
        h('li', {}, 'それ以外の事業所の分は、印刷用の催促状になります。')),
      confirmLabel: `${openCount}件に催促する`,
      action: async () => {
        const r = /** @type {renkei.v1.RemindResourceSurveyResponse} */ (await post(`${base}/reminders`, {}));
        if (r.printable && r.printable.letters) reminderLetters.set(campaign.id, r.printable);
        else reminderLetters.delete(campaign.id);
        ctx.announce(`催促しました: メール ${r.emailed ?? 0}件${r.emailFailed ? ` (送れなかったメール ${r.emailFailed}件は催促状に)` : ''}、印刷用の催促状 ${r.letters ?? 0}件`);
        await ctx.rerender();
        focusHeading('letters-h');
      },
    });
  }) : null;
  replace(lettersBox, lettersAlert, errorSlot('campaign_id'),
    h('p', {}, `回答用リンクが有効な未回答の依頼: ${openCount}件。依頼状は A4 で1事業所1枚、回答用リンクと QR コードを載せています。`),
    h('div', { class: 'actions' },
      letters ? button('依頼状を開く (印刷用)', async () => deliver(await fetchLetters(), 'open', '依頼状'), 'primary') : null,
      letters ? button('依頼状をダウンロード', async () => deliver(await fetchLetters(), 'download', '依頼状')) : null,
      remindButton),
    remindQuestion,
    printable && printable.letters ? h('p', { class: 'notice' }, `前回の催促で、メールを送れなかった事業所の催促状が ${printable.letters}通あります。`,
      ' ', button('催促状を開く (印刷用)', () => deliver(printable, 'open', '催促状')),
      ' ', button('催促状をダウンロード', () => deliver(printable, 'download', '催促状'))) : null);

  // --- invitations
  /** @param {renkei.v1.ResourceSurveyInvitation} inv */
  const invitationActions = (inv) => {
    const name = inv.resourceName || '名称なし';
    const cell = h('td', { class: 'invitation-actions' });
    const alert = formAlert();
    /**
     * @param {string} text
     * @param {string} aria
     * @param {(b: HTMLButtonElement) => Promise<void>} action
     */
    const act = (text, aria, action) => {
      const b = h('button', { type: 'button', class: 'small secondary', 'aria-label': aria }, text);
      b.addEventListener('click', async () => {
        await submitting(cell, alert, () => action(b));
      });
      return b;
    };
    const invitationPath = `/api/v1/resource-survey-invitations/${seg(inv.id)}`;
    replace(cell, alert, errorSlot('invitation_id'), errorSlot('invitation_ids'), errorSlot('expires_on'),
      open(inv.state) && letters ? act('依頼状', `${name}の依頼状を開く`, async () => deliver(await fetchLetters({ invitation_ids: [inv.id] }), 'open', `${name}の依頼状`)) : null,
      !SUBMITTED.has(inv.state) && allowed(ctx, 'ReissueResourceSurveyLink') ? act('リンクを出し直す', `${name}の回答用リンクを出し直す`, async (b) => {
        askFirst({
          slot: invitationQuestion,
          opener: b,
          title: `${name}の回答用リンクを出し直しますか？`,
          details: h('ul', {},
            h('li', {}, 'これまでのリンク (送った依頼状のもの) は使えなくなります。'),
            h('li', {}, '出し直したあと、新しい依頼状を開いて送ってください。')),
          confirmLabel: 'リンクを出し直す',
          action: async () => {
            reminderLetters.delete(campaign.id);  // their links are about to change
            await change(`${invitationPath}/reissue`, { expectedVersion: inv.version },
              `${name}の回答用リンクを出し直しました。新しい依頼状を開いて送ってください`);
          },
        });
      }) : null,
      open(inv.state) && allowed(ctx, 'RevokeResourceSurveyLink') ? act('リンクを無効にする', `${name}の回答用リンクを無効にする`, async (b) => {
        askFirst({
          slot: invitationQuestion,
          opener: b,
          title: `${name}の回答用リンクを無効にしますか？`,
          details: h('ul', {},
            h('li', {}, 'この事業所は、リンクから回答できなくなります (下書きも開けなくなります)。'),
            h('li', {}, 'あとで回答してもらうには、リンクを出し直します。')),
          confirmLabel: 'リンクを無効にする',
          danger: true,
          action: async () => {
            reminderLetters.delete(campaign.id);  // their links are about to change
            await change(`${invitationPath}/revoke`, { expectedVersion: inv.version }, `${name}の回答用リンクを無効にしました`);
          },
        });
      }) : null);
    return cell;
  };
  const expired = (/** @type {renkei.v1.ResourceSurveyInvitation} */ inv) => open(inv.state)
    && !!inv.linksExpireOn && !!inv.linksExpireOn.year && compareDates(inv.linksExpireOn, today) < 0;
  // The question about one invitation's link, above the table (the focus goes there).
  const invitationQuestion = h('div', { class: 'ask-slot' });
  const invitationTable = invitations.length ? cardRows(h('table', { class: 'data compact invitations' },
    h('caption', { class: 'sr-only' }, '依頼と回答の一覧 (事業所名順)'),
    h('thead', {}, h('tr', {}, ['事業所・医療機関', '種別', '所在地', '状態', '回答用リンクの有効期限', '催促', '操作'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, invitations.map((inv) => h('tr', { class: inv.state === 'RESOURCE_SURVEY_STATE_SUBMITTED' ? 'awaiting' : '' },
      h('th', { scope: 'row' }, inv.resourceName || '名称なし'),
      h('td', {}, label(RESOURCE_KINDS, inv.resourceKind)),
      h('td', { class: 'municipality' }, municipalityName(inv.resourceMunicipalityCode, { withPrefecture: false })),
      h('td', { class: 'state' }, label(SURVEY_STATES, inv.state),
        inv.reviewNote ? h('span', { class: 'meta review-note' }, `メモ: ${inv.reviewNote}`) : null),
      h('td', {}, dateText(inv.linksExpireOn), expired(inv) ? [' ', h('span', { class: 'badge open' }, '期限切れ')] : null,
        inv.linkGeneration ? h('span', { class: 'meta' }, ` (出し直し ${inv.linkGeneration}回)`) : null),
      h('td', { class: 'num' }, inv.reminders ? `${inv.reminders}回` : '—'),
      invitationActions(inv)))))) : h('p', { class: 'empty' }, '依頼はありません。');

  const queue = invitations.filter((i) => i.state === 'RESOURCE_SURVEY_STATE_SUBMITTED');
  const home = campaign.municipalityCode || ctx.session.jurisdiction || '';
  replace(main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/resources' }, '資源検索'), ' › ', h('a', { href: '#/surveys' }, '資源調査'), ' › ', campaign.name || ''),
    h('h1', {}, campaign.name || '資源調査'),
    h('dl', { class: 'facts' },
      h('dt', {}, '回答期限'), h('dd', {}, dateText(campaign.deadline)),
      h('dt', {}, '回答用リンクの有効期限'), h('dd', {}, dateText(campaign.linksExpireOn)),
      h('dt', {}, '依頼する資源'), h('dd', {}, targetsText(campaign.targets, home)),
      h('dt', {}, '尋ねる項目'), h('dd', {}, questionsText(q)),
      campaign.contactText ? [h('dt', {}, '問い合わせ先'), h('dd', {}, campaign.contactText)] : null,
      h('dt', {}, '開始'), h('dd', {}, timestampText(campaign.startedAt))),
    h('section', { 'aria-labelledby': 'progress-h' },
      h('h2', { id: 'progress-h' }, '回答状況'),
      h('p', { class: 'summary survey-rate' }, `回答率 ${rateText(p)}`),
      h('ul', { class: 'survey-counts' },
        h('li', {}, `確認待ち ${p.awaitingReview ?? 0}件`),
        h('li', {}, `反映済み ${p.accepted ?? 0}件`),
        h('li', {}, `反映しない ${p.rejected ?? 0}件`),
        h('li', {}, `回答中 (下書き) ${p.drafts ?? 0}件`),
        h('li', {}, `回答用リンク無効 ${p.revoked ?? 0}件`)),
      h('div', { class: 'survey-rate-tables' },
        rateTable('種別ごとの回答率', '種別', p.byKind || [], (r) => r.label || '種別なし'),
        rateTable('所在地ごとの回答率', '所在地', p.byArea || [], (r) => r.label || municipalityName(r.key, { withPrefecture: false })))),
    h('section', { 'aria-labelledby': 'letters-h' },
      h('h2', { id: 'letters-h' }, '依頼状と催促'),
      lettersBox),
    h('section', { 'aria-labelledby': 'review-h' },
      h('h2', { id: 'review-h' }, `回答の確認 (確認待ち ${queue.length}件)`),
      queue.length ? [
        h('p', {}, '資源の情報と回答を項目ごとに比べ、反映するかを決めます。反映すると、尋ねた項目が回答の内容になり、機能の出典は「資源調査の回答」になります。'),
        h('div', { class: 'review-queue' }, queue.map((inv) => reviewPanel(inv, q, capabilities, change, allowed(ctx, 'ReviewResourceSurveyAnswer')))),
      ] : h('p', { class: 'empty' }, '確認待ちの回答はありません。')),
    h('section', { 'aria-labelledby': 'invitations-h' },
      h('h2', { id: 'invitations-h' }, `依頼と回答 (${invitations.length}件)`),
      invitationQuestion,
      invitationTable));
}
