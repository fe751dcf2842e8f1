// The provider's answer form of a resource survey (docs/directory.md, "Resource surveys"): opened
// from the link in the municipality's letter, /survey/#t=<token>, without an account. It shows
// what the directory holds, saves drafts, and submits once, through the gateway's public routes
// (docs/gateway.md, "Public pages"); the token never leaves the page except in those calls' bodies.
import { municipalitiesOf, municipalityName, prefectureOf } from '../municipalities.js';
import { japaneseHalf } from '../api.js';
import { formatDate } from '../dates.js';
import { h } from '../dom.js';

const main = /** @type {HTMLElement} */ (document.getElementById('survey'));
const token = new URLSearchParams(location.hash.replace(/^#/, '')).get('t') || '';
// Another link pasted into the same tab: a fresh page for it.
window.addEventListener('hashchange', () => location.reload());

/** The Japanese half of a service's message ("日本語 / English"). @param {string | undefined} m */
const ja = (m) => japaneseHalf(m) || '';


/**
 * POSTs to a public route; the answer's JSON, or throws {status, code, message, fields}.
 * @param {string} path
 * @param {object} body
 */
async function post(path, body) {
  const r = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    credentials: 'omit',
  });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) {
    const e = json.error || {};
    // A refused link names the field "token": its description says what happened.
    const tokenField = (e.fields || []).find((/** @type {{field: string}} */ f) => f.field === 'token');
    throw Object.assign(new Error(ja(tokenField ? tokenField.description : e.message) || '送信できませんでした'), {
      status: r.status, code: e.code || '', fields: e.fields || [],
    });
  }
  return json;
}

/** @param {string} message @param {boolean} [error] */
function notice(message, error = false) {
  main.replaceChildren(
    h('h1', {}, '在宅医療・介護資源調査'),
    h('div', { class: error ? 'notice error-box' : 'notice', role: error ? 'alert' : 'status' }, [message]),
  );
}

/** @param {renkei.v1.ResourceSurveyForm} form */
function submittedView(form) {
  const a = form.answer || /** @type {renkei.v1.ResourceSurveyAnswer} */ ({});
  const labels = new Map((form.capabilityChoices || []).map((c) => [c.code, c.labelJa]));
  const items = [
    ['対応できること', (a.capabilities || []).map((c) => labels.get(c) || c).join('、') || '（なし）'],
  ];
  main.replaceChildren(
    h('h1', {}, form.campaignName),
    h('div', { class: 'notice', role: 'status' }, [
      `${form.resource?.name || ''} の回答は送信済みです。ご協力ありがとうございました。内容を変えるときは ${form.municipalityName} の担当窓口にご連絡ください。`,
    ]),
    h('dl', { class: 'summary' }, items.flatMap(([t, d]) => [h('dt', {}, t), h('dd', {}, d)])),
  );
}

/** @param {renkei.v1.ResourceSurveyForm} form */
function formView(form) {
  const q = form.questions || /** @type {renkei.v1.ResourceSurveyQuestions} */ ({});
  const a = form.answer || /** @type {renkei.v1.ResourceSurveyAnswer} */ ({});
  const r = form.resource || /** @type {renkei.v1.Resource} */ ({});
  const status = h('p', { id: 'status', role: 'status' });
  /** @type {HTMLElement[]} */
  const parts = [
    h('h1', {}, form.campaignName),
    h('p', { class: 'meta' }, `${form.municipalityName}からの調査です。回答期限: ${formatDate(form.deadline)}`),
    h('p', { class: 'meta' }, `このページは貴事業所専用です (${formatDate(form.linksExpireOn)}まで有効)。「下書きを保存」で途中まで保存でき、送信するまで何度でも直せます。`),
    h('h2', {}, r.name || ''),
    h('p', { class: 'meta' }, r.address || ''),
  ];
  const form_ = h('form', { novalidate: true });
  const chosen = new Set(a.capabilities || []);
  const caps = h('fieldset', { id: 'f-capabilities' }, [h('legend', {}, '対応できること (当てはまるものすべて)')]);
  for (const c of form.capabilityChoices || []) {
    caps.append(h('label', { class: 'choice' }, [
      h('input', { type: 'checkbox', name: 'capabilities', value: c.code, checked: chosen.has(c.code) }),
      c.labelJa,
    ]));
  }
  form_.append(caps);
  if (q.acceptingNewPatients) {
    const fs = h('fieldset', { id: 'f-accepting_new_patients' }, [h('legend', {}, '新しい利用者・患者の受入')]);
    for (const [value, label] of [['ACCEPTANCE_ACCEPTING', '受け入れられる'], ['ACCEPTANCE_NOT_ACCEPTING', '今は受け入れられない'], ['ACCEPTANCE_UNSPECIFIED', 'わからない']]) {
      fs.append(h('label', { class: 'choice' }, [
        h('input', { type: 'radio', name: 'accepting', value, checked: (a.acceptingNewPatients || 'ACCEPTANCE_UNSPECIFIED') === value }),
        label,
      ]));
    }
    form_.append(fs);
  }
  if (q.serviceArea) {
    const own = r.municipalityCode || '';
    const area = new Set(a.serviceArea || []);
    const list = h('div', { class: 'areas' });
    for (const [code, name] of municipalitiesOf(prefectureOf(own))) {
      if (code === own) continue;
      list.append(h('label', { class: 'choice' }, [
        h('input', { type: 'checkbox', name: 'service_area', value: code, checked: area.has(code) }), name,
      ]));
    }
    form_.append(h('fieldset', { id: 'f-service_area' }, [
      h('legend', {}, `訪問・対応できる地域 (${municipalityName(own, { withPrefecture: false })}のほか)`),
      list,
    ]));
  }
  /** @param {string} id @param {string} label @param {string} value @param {string} [type] @param {string} [hint] */
  const text = (id, label, value, type = 'text', hint = '') => [
    h('label', { class: 'field', for: id }, label),
    ...(hint ? [h('p', { class: 'hint', id: `${id}-hint` }, hint)] : []),
    h('input', { id, type, value: value || '', ...(hint ? { 'aria-describedby': `${id}-hint` } : {}) }),
  ];
  if (q.hours) form_.append(...text('f-hours', '対応時間', a.hours || '', 'text', '例: 平日 9:00〜17:00、土曜午前'));
  if (q.liaison) {
    const l = a.liaison || /** @type {renkei.v1.LiaisonContact} */ ({});
    form_.append(h('fieldset', { id: 'f-liaison' }, [
      h('legend', {}, '連携窓口 (医療・介護関係者からの連絡先)'),
      h('p', { class: 'hint' }, '部署の連絡先をお書きください (個人のお名前は不要です)。'),
      ...text('f-liaison-department', '部署名', l.department || '', 'text', '例: 地域連携室'),
      ...text('f-liaison-phone', '電話番号', l.phone || '', 'tel'),
      ...text('f-liaison-fax', 'FAX番号', l.fax || '', 'tel'),
      ...text('f-liaison-email', 'メールアドレス', l.email || '', 'email'),
      h('label', { class: 'choice' }, [
        h('input', { type: 'checkbox', id: 'f-liaison-internal', checked: !!l.internal }),
        'この連絡先は関係者だけに知らせる (住民向けの資源マップには載せない)',
      ]),
    ]));
  }
  if (q.note) {
    form_.append(
      h('label', { class: 'field', for: 'f-note' }, '自由記述 (市区町村への連絡事項など)'),
      h('textarea', { id: 'f-note' }, [a.note || '']),
    );
  }
  const save = h('button', { type: 'button' }, '下書きを保存');
  const submit = h('button', { type: 'submit', class: 'primary' }, '回答を送信する');
  form_.append(h('div', { class: 'actions' }, [save, submit]), status);
  parts.push(form_);
  main.replaceChildren(...parts);

  /** @param {string} id */
  const value = (id) => /** @type {HTMLInputElement | null} */ (document.getElementById(id))?.value.trim() || '';
  const answer = () => {
    /** @type {Record<string, unknown>} */
    const out = {
      capabilities: [...form_.querySelectorAll('input[name=capabilities]:checked')].map((i) => /** @type {HTMLInputElement} */ (i).value),
    };
    const accepting = /** @type {HTMLInputElement | null} */ (form_.querySelector('input[name=accepting]:checked'));
    if (accepting) out.acceptingNewPatients = accepting.value;
    if (q.serviceArea) out.serviceArea = [...form_.querySelectorAll('input[name=service_area]:checked')].map((i) => /** @type {HTMLInputElement} */ (i).value);
    if (q.hours) out.hours = value('f-hours');
    if (q.liaison) {
      out.liaison = {
        department: value('f-liaison-department'), phone: value('f-liaison-phone'),
        fax: value('f-liaison-fax'), email: value('f-liaison-email'),
        internal: /** @type {HTMLInputElement} */ (document.getElementById('f-liaison-internal')).checked,
      };
    }
    if (q.note) out.note = /** @type {HTMLTextAreaElement} */ (document.getElementById('f-note')).value;
    return out;
  };
  // A field error next to its field: "answer.liaison.email" → #f-liaison-email.
  const clearErrors = () => {
    for (const e of form_.querySelectorAll('.error')) e.remove();
    for (const e of form_.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
  };
  /** @param {{field: string, description: string}[]} fields */
  const showErrors = (fields) => {
    for (const f of fields) {
      const id = `f-${f.field.replace(/^answer\./, '').replace(/\[\d+\]$/, '').replace(/\./g, '-')}`;
      const target = document.getElementById(id) || caps;
      const message = h('p', { class: 'error', id: `${id}-error` }, ja(f.description));
      target.setAttribute('aria-invalid', 'true');
      target.setAttribute('aria-describedby', `${id}-error`);
      target.after(message);
    }
  };
  /** @param {boolean} final */
  const send = async (final) => {
    clearErrors();
    status.textContent = final ? '送信しています…' : '保存しています…';
    try {
      const saved = await post('/public/v1/survey/answer', {
        token, answer: answer(), submit: final, requestId: `req_${crypto.randomUUID()}`,
      });
      if (final) return submittedView(saved);
      status.textContent = `下書きを保存しました (${new Date().toLocaleTimeString('ja-JP', { hour: '2-digit', minute: '2-digit' })})。送信するまで何度でも直せます。`;
    } catch (e) {
      const err = /** @type {any} */ (e);
      const answerFields = (err.fields || []).filter((/** @type {{field: string}} */ f) => f.field.startsWith('answer'));
      if (answerFields.length) {
        showErrors(answerFields);
        status.textContent = '入力を確かめてください。印の付いた項目に誤りがあります。';
      } else if (['UNAUTHENTICATED', 'FAILED_PRECONDITION', 'INVALID_ARGUMENT', 'RESOURCE_EXHAUSTED'].includes(err.code)) {
        // The link no longer works, the answer was already sent, or too many tries: nothing to
        // correct on this page.
        notice(err.message, true);
      } else {
        status.textContent = `${err.message || '送信できませんでした'}。時間をおいてもう一度お試しください (入力した内容はこのページに残っています)。`;
      }
    }
  };
  save.addEventListener('click', () => send(false));
  form_.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (confirm('この内容で回答を送信します。送信後は変更できません。よろしいですか？')) send(true);
  });
}

async function start() {
  if (!token) {
    notice('回答用リンクが正しくありません。お手元の依頼状のリンクか QR コードから開いてください。', true);
    return;
  }
  try {
    const form = await post('/public/v1/survey/form', { token });
    if (['RESOURCE_SURVEY_STATE_SUBMITTED', 'RESOURCE_SURVEY_STATE_ACCEPTED', 'RESOURCE_SURVEY_STATE_REJECTED'].includes(form.state)) {
      submittedView(form);
    } else {
      formView(form);
    }
  } catch (e) {
    notice(/** @type {Error} */ (e).message || '回答フォームを開けませんでした。', true);
  }
}

start();
