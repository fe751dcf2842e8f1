// 情報共有 (医療・介護関係者の情報共有の支援, docs/outreach.md): the rules and forms professionals
// share, kept current by versions (a new version supersedes the last; older ones stay readable),
// the 連携窓口一覧 made from the directory and published like any document; notices to
// professionals, mailed to the subscribers (so a notice is confirmed before it goes out); and,
// for municipal, prefecture and national staff, the subscriber list (double opt-in: an address
// added here receives a confirmation mail first). Documents and notices that came down from the
// prefecture or the nation are read-only here. SharingService through the gateway.
import {
  get, post, seg, queryString, japaneseHalf, ApiError,
} from '../api.js';
import { h, replace, uid } from '../dom.js';
import {
  input, dateInput, dateValue, choices, checkbox, actionForm, submitting, formAlert, municipalityInput,
  norm, changeAndRedraw, focusHeading,
} from '../forms.js';
import { dateText, timestampText } from '../datetext.js';
import { municipalityName, prefectureName } from '../municipalities.js';
import {
  label, labels, AUDIENCES, DOCUMENT_KINDS, NOTICE_LINK_KINDS, SUBSCRIBER_STATES,
} from '../words.js';

// Who publishes and withdraws documents and notices (sharing.proto's access options).
const PUBLISHERS = new Set(['ROLE_COORDINATOR', 'ROLE_MUNICIPAL_STAFF', 'ROLE_PREFECTURE_STAFF', 'ROLE_NATIONAL_STAFF']);
// Who reads and keeps the subscriber list (personal data).
const STAFF = new Set(['ROLE_MUNICIPAL_STAFF', 'ROLE_PREFECTURE_STAFF', 'ROLE_NATIONAL_STAFF']);

// Documents and notices are for professionals: residents and families have the events page.
/** @type {ui.Table<renkei.v1.AudienceRole>} */
const PROFESSIONALS = AUDIENCES.filter(([v]) => v !== 'AUDIENCE_ROLE_PERSON_AND_FAMILY' && v !== 'AUDIENCE_ROLE_RESIDENTS');
const EVERY_PROFESSIONAL = '医療・介護関係者のみなさま';

// The files the service accepts (sharing.proto), checked here first so a wrong file is named
// before its bytes are sent.
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const FILE_TYPES = ['pdf', 'xlsx', 'xls', 'docx', 'doc', 'csv'];
const FILE_HINT = 'PDF・Excel (xlsx, xls)・Word (docx, doc)・CSV のファイル、5MBまで';
const LIAISON_FILE_NAME = '連携窓口一覧.csv';
const MAX_LINKS = 10;

/**
 * @typedef {object} SharingEnv
 * @property {ui.ScreenContext} ctx
 * @property {renkei.v1.SharedDocument[]} documents
 * @property {renkei.v1.Subscriber[] | null} subscribers the active and pending ones; null: not readable here
 * @property {boolean} canPublish
 */

/**
 * @param {string} field
 * @param {string} description
 */
function fieldError(field, description) {
  return new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください', [{ field, description }]);
}

// A place for the errors about a request field no control stands for (file_name,
// expected_version), so that they show in words next to the action.
/** @param {string} field */
function errorSlot(field) {
  return h('div', { class: 'error-slot', 'data-field': field },
    h('p', { class: 'field-error', id: uid('slot-err'), hidden: true }));
}

// Who issued it: this instance, or — for a copy — the prefecture (the code's first two digits)
// or the nation.
/** @param {{issuerCode: string, copy: boolean}} x */
export function issuerText(x) {
  const code = x.issuerCode || '';
  if (code === '000000') return '国';
  return x.copy ? prefectureName(code.slice(0, 2)) : municipalityName(code);
}

/** @param {renkei.v1.AudienceRole[] | undefined} audiences */
function audiencesText(audiences) {
  return labels(AUDIENCES, audiences) || EVERY_PROFESSIONAL;
}

/** @param {boolean} open */
function publicText(open) {
  return open ? '公開 (関係者向けページ)' : '関係者のみ';
}

/** @param {number} bytes */
function sizeText(bytes) {
  if (!bytes) return '';
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))}KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)}MB`;
}

// --- files: the gateway answers the file itself (not JSON), so they are fetched here -----------

// The file name of a Content-Disposition header (RFC 6266: filename* first), or `fallback`.
/**
 * @param {string | null} header
 * @param {string} fallback
 */
export function dispositionName(header, fallback) {
  if (!header) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // a malformed encoding: the plain name below
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"/.exec(header) || /filename\s*=\s*([^;]+)/.exec(header);
  return plain && plain[1].trim() ? plain[1].trim() : fallback;
}

// The error of a file route: the gateway's JSON error, as api.js reads it.
/** @param {Response} response */
async function fileError(response) {
  /** @type {Partial<renkei.v1.HttpError>} */
  let e = {};
  try {
    const body = /** @type {Partial<renkei.v1.HttpErrorBody>} */ (await response.json());
    e = body.error || {};
  } catch {
    e = {};
  }
  const text = japaneseHalf(e.message);
  const message = response.status === 403 ? `権限がありません: ${text || 'この操作はできません'}`
    : text || (response.status === 404 ? 'ファイルが見つかりません' : `ファイルを取得できませんでした (HTTP ${response.status})`);
  const err = new ApiError(response.status, e.code || String(response.status), message);
  if (response.status === 401) {
    err.handled = true; // the console goes back to the log-in screen
    window.dispatchEvent(new CustomEvent('renkei:unauthenticated', { detail: err }));
  }
  return err;
}

// GETs a file route: the bytes and the file name the gateway gave.
/**
 * @param {string} path
 * @param {ui.Query} query
 * @param {string} fallbackName
 * @returns {Promise<{blob: Blob, name: string}>}
 */
async function fetchFile(path, query, fallbackName) {
  /** @type {Response} */
  let response;
  try {
    response = await fetch(`${path}${queryString(query)}`, { credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'UNAVAILABLE', 'ゲートウェイに接続できません。ネットワークを確認してください');
  }
  if (!response.ok) throw await fileError(response);
  const blob = await response.blob();
  return { blob, name: dispositionName(response.headers.get('Content-Disposition'), fallbackName) };
}

// Saves bytes as a file through an object URL (download.js does the same for text).
/**
 * @param {Blob} blob
 * @param {string} fileName
 */
function saveBlob(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: fileName, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// The file as base64 (what PublishDocumentRequest.content carries): the data URL's part after
// the comma.
/**
 * @param {Blob} blob
 * @returns {Promise<string>}
 */
function readBase64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result || '');
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(fieldError('content', 'ファイルを読めませんでした。もう一度選んでください'));
    reader.readAsDataURL(blob);
  });
}

// Throws a field error when the file is not one the service accepts.
/** @param {{blob: Blob, name: string}} file */
function checkFile(file) {
  const ext = (/\.([A-Za-z0-9]+)$/.exec(file.name) || ['', ''])[1].toLowerCase();
  if (!FILE_TYPES.includes(ext)) {
    throw fieldError('content', 'PDF・Excel (xlsx, xls)・Word (docx, doc)・CSV のファイルを選んでください');
  }
  if (file.blob.size > MAX_FILE_BYTES) {
    throw fieldError('content', `ファイルは5MBまでです (選んだファイルは ${sizeText(file.blob.size)})`);
  }
  if (file.blob.size === 0) throw fieldError('content', 'ファイルが空です');
}

/**
 * @param {HTMLElement} box where the error shows
 * @param {HTMLElement} alert
 * @param {renkei.v1.SharedDocument} doc
 * @param {renkei.v1.DocumentVersion} v
 * @param {ui.ScreenContext} ctx
 */
function downloadButton(box, alert, doc, v, ctx) {
  const text = `第${v.number}版をダウンロード`;
  const b = h('button', { type: 'button', class: 'small secondary', 'aria-label': `「${doc.title}」${text}` }, text);
  b.addEventListener('click', () => submitting(box, alert, async () => {
    const file = await fetchFile(`/api/v1/documents/${seg(doc.id)}/file`, { version: v.number }, v.fileName || `${doc.title}`);
    saveBlob(file.blob, file.name);
    ctx.announce(`「${doc.title}」第${v.number}版をダウンロードしました`);
  }));
  return b;
}

// --- ルール・様式 --------------------------------------------------------------------------------

/**
 * @param {renkei.v1.DocumentVersion} v
 * @param {boolean} current
 */
function versionText(v, current) {
  return [
    h('strong', {}, `第${v.number}版`),
    current ? null : h('span', { class: 'badge' }, '旧版'),
    v.effectiveOn && v.effectiveOn.year ? [' 施行日 ', dateText(v.effectiveOn)] : null,
    v.publishedAt ? [' ／ 公開 ', timestampText(v.publishedAt, { time: false })] : null,
    v.fileName ? ` ／ ${v.fileName}${Number(v.size) ? ` (${sizeText(Number(v.size))})` : ''}` : null,
    v.changeNote ? h('span', { class: 'change-note' }, ` ／ 変更の内容: ${v.changeNote}`) : null,
  ];
}

/**
 * A document's publish form: a new document (no `doc`) or the next version of one issued here.
 * The new-document form can be handed a prepared file (the 連携窓口一覧): form.prepare().
 * @param {SharingEnv} env
 * @param {renkei.v1.SharedDocument} [doc]
 */
function documentForm(env, doc) {
  const { ctx } = env;
  /** @type {{blob: Blob, name: string} | null} */
  let prepared = null;
  const title = doc ? null : input({ label: '題名', field: 'document.title', required: true, width: 'long', maxlength: 200 });
  const kind = doc ? null : input({ label: '種類', field: 'document.kind', options: DOCUMENT_KINDS, empty: '選択してください', required: true });
  const audiences = doc ? null : choices({
    label: '対象', field: 'document.audiences', options: PROFESSIONALS, multiple: true, columns: true,
    hint: `選ばなければ「${EVERY_PROFESSIONAL}」です。`,
  });
  const open = doc ? null : checkbox({
    label: '公開ページに載せる (関係者向けページで、ログインなしで見られます)', field: 'document.public',
  });
  const description = doc ? null : input({ label: '説明', field: 'document.description', multiline: true, rows: 2, maxlength: 2000 });
  const file = input({ label: 'ファイル', field: 'content', type: 'file', required: true, hint: FILE_HINT });
  const fileControl = /** @type {HTMLInputElement} */ (file.control);
  fileControl.setAttribute('accept', FILE_TYPES.map((x) => `.${x}`).join(','));
  const preparedNote = h('div', { class: 'notice prepared-file', hidden: true, 'aria-live': 'polite' });
  const effective = dateInput({ label: '施行日', field: 'effective_on', hint: '任意。例: 2026-04-01、令和8年4月1日' });
  const note = input({
    label: doc ? '変更の内容' : '版についてのメモ (任意)', field: 'change_note', multiline: true, rows: 2,
    maxlength: 500, required: Boolean(doc),
    hint: doc ? '何を改めたかを書いてください (一覧と関係者向けページに載ります)' : undefined,
  });
  const form = actionForm({
    label: doc ? `「${doc.title}」の新しい版` : 'ルール・様式を新しく公開する',
    submitLabel: doc ? 'この版を公開する' : '公開する',
    children: [
      title, kind ? h('div', { class: 'row' }, kind) : null, audiences, open, description,
      file, errorSlot('file_name'), preparedNote, effective, note, errorSlot('expected_version'),
      doc ? errorSlot('document') : null,
    ],
    onSubmit: async () => {
      const chosen = fileControl.files && fileControl.files[0];
      const source = chosen ? { blob: /** @type {Blob} */ (chosen), name: chosen.name } : prepared;
      if (!source) throw fieldError('content', 'ファイルを選んでください');
      checkFile(source);
      if (doc && !note.control.value.trim()) throw fieldError('change_note', '変更の内容を書いてください');
      const effectiveOn = dateValue(effective);
      /** @type {ui.Body} */
      const body = {
        fileName: source.name,
        content: await readBase64(source.blob),
        changeNote: note.control.value.trim(),
        effectiveOn,
      };
      if (doc) {
        body.document = {
          id: doc.id, title: doc.title, kind: doc.kind, audiences: doc.audiences || [],
          public: Boolean(doc.public), description: doc.description || '',
        };
        body.expectedVersion = doc.version;
      } else {
        if (!title || !kind || !audiences || !open || !description) return;
        if (!title.control.value.trim()) throw fieldError('document.title', '題名を入力してください');
        if (!kind.control.value) throw fieldError('document.kind', '種類を選んでください');
        body.document = {
          title: title.control.value.trim(), kind: kind.control.value, audiences: audiences.values(),
          public: /** @type {HTMLInputElement} */ (open.control).checked, description: description.control.value.trim(),
        };
      }
      const saved = /** @type {renkei.v1.SharedDocument} */ (await post('/api/v1/documents', body));
      const n = (saved.versions || []).length;
      ctx.announce(`「${saved.title}」第${n}版を公開しました`);
      await ctx.rerender();
      focusHeading('docs-h');
    },
  });
  /**
   * Hands the form a file made here (the 連携窓口一覧) and fills in what it is.
   * @param {Blob} blob
   * @param {string} name
   * @param {boolean} internal the list holds contacts for professionals only
   */
  const prepare = (blob, name, internal) => {
    prepared = { blob, name };
    if (title) title.control.value = '連携窓口一覧';
    if (kind) kind.control.value = 'DOCUMENT_KIND_CONTACT_LIST';
    if (open && internal) /** @type {HTMLInputElement} */ (open.control).checked = false;
    file.control.required = false;
    const check = h('button', { type: 'button', class: 'small secondary' }, '作った一覧をダウンロードして確かめる');
    check.addEventListener('click', () => saveBlob(blob, name));
    replace(preparedNote,
      h('p', {}, `作った一覧「${name}」(${sizeText(blob.size)}) を公開します。別のファイルを選ぶと、そちらを公開します。`),
      internal ? h('p', {}, '関係者だけに知らせる窓口を含んでいるため、公開ページには載せないでください。') : null,
      check);
    preparedNote.hidden = false;
  };
  return Object.assign(form, { prepare });
}

/**
 * @param {SharingEnv} env
 * @param {renkei.v1.SharedDocument} doc
 * @param {(path: string, body: ui.Body, done: string, headingId: string) => Promise<void>} change
 */
function documentCard(env, doc, change) {
  const { ctx } = env;
  const versions = doc.versions || [];
  const current = versions[versions.length - 1];
  const older = versions.slice(0, -1).reverse();
  const headingId = uid('doc-h');
  const alert = formAlert();
  const card = h('li', { class: `card document${doc.withdrawn ? ' withdrawn' : ''}` });
  /** @param {renkei.v1.DocumentVersion} v */
  const fileAction = (v) => (doc.copy && !v.fileAvailable
    ? h('span', { class: 'meta' }, ' ファイルを受信中です')
    : downloadButton(card, alert, doc, v, ctx));
  const own = !doc.copy && !doc.withdrawn && env.canPublish;
  /** @type {ui.Child[]} */
  const actions = [];
  if (own) {
    actions.push(h('details', { class: 'new-version' }, h('summary', {}, '新しい版を公開する'), documentForm(env, doc)));
    const withdraw = h('button', { type: 'button', class: 'small secondary', 'aria-label': `「${doc.title}」を取り下げる` }, '取り下げる');
    withdraw.addEventListener('click', () => submitting(card, alert, async () => {
      if (!window.confirm(`「${doc.title}」を取り下げます。一覧と関係者向けページに表示されなくなります。よろしいですか？`)) return;
      await change(`/api/v1/documents/${seg(doc.id)}/withdraw`, { expectedVersion: doc.version },
        `「${doc.title}」を取り下げました`, 'docs-h');
    }));
    actions.push(h('div', { class: 'actions' }, withdraw));
  }
  replace(card,
    h('h3', { id: headingId }, doc.title || '(題名なし)'),
    h('p', { class: 'meta' },
      h('span', { class: 'tag' }, label(DOCUMENT_KINDS, doc.kind) || '種類なし'),
      ` 発信 ${issuerText(doc)} ／ 対象 ${audiencesText(doc.audiences)} ／ ${publicText(doc.public)}`,
      doc.copy ? h('span', { class: 'badge' }, ' 都道府県・国から') : null,
      doc.withdrawn ? h('span', { class: 'badge warn' }, ' 取り下げ済み') : null),
    doc.description ? h('p', { class: 'pre' }, doc.description) : null,
    alert,
    errorSlot('id'), errorSlot('expected_version'),
    current ? h('p', { class: 'current-version' }, versionText(current, true), ' ', fileAction(current)) : h('p', {}, 'ファイルはまだありません。'),
    older.length ? h('ul', { class: 'plain older-versions', 'aria-label': `「${doc.title}」の以前の版` },
      older.map((v) => h('li', {}, versionText(v, false), ' ', fileAction(v)))) : null,
    actions);
  return card;
}

/**
 * The 連携窓口一覧 from the directory: fetched as a CSV, then handed to the publish form.
 * @param {SharingEnv} env
 * @param {ReturnType<typeof documentForm>} publishForm
 * @param {HTMLDetailsElement} publishBox
 */
function liaisonForm(env, publishForm, publishBox) {
  const { ctx } = env;
  const internal = checkbox({
    label: '関係者だけに知らせる窓口も含める (その一覧は公開ページに載せられません)', field: 'include_internal',
  });
  return actionForm({
    label: '連携窓口一覧を作る', className: 'form inline liaison', submitLabel: '連携窓口一覧を作る',
    children: [
      h('p', { class: 'hint' }, '資源の情報から、病院の地域連携室など各事業所の連携窓口 (部署・電話・FAX・メール) の一覧 (CSV) を作ります。作った一覧は、確かめてから公開できます。'),
      internal,
    ],
    onSubmit: async () => {
      const withInternal = /** @type {HTMLInputElement} */ (internal.control).checked;
      const file = await fetchFile('/api/v1/liaison-contacts', { include_internal: withInternal ? 'true' : 'false' }, LIAISON_FILE_NAME);
      publishForm.prepare(file.blob, file.name, withInternal);
      publishBox.open = true;
      ctx.announce('連携窓口一覧を作りました。内容を確かめて公開してください');
      const first = /** @type {HTMLElement | null} */ (publishForm.querySelector('input, select, textarea'));
      if (first) first.focus();
    },
  });
}

/**
 * @param {SharingEnv} env
 * @param {(path: string, body: ui.Body, done: string, headingId: string) => Promise<void>} change
 */
function documentsSection(env, change) {
  const docs = env.documents;
  /** @type {ui.Child[]} */
  const publishing = [];
  if (env.canPublish) {
    const form = documentForm(env);
    const box = h('details', { class: 'add publish-document' }, h('summary', {}, '新しく公開する'), form);
    publishing.push(box, liaisonForm(env, form, box));
  } else {
    publishing.push(h('p', { class: 'hint' }, 'ルール・様式を公開するのは、コーディネーターと自治体の担当者です。'));
  }
  return h('section', { 'aria-labelledby': 'docs-h' },
    h('h2', { id: 'docs-h' }, `ルール・様式 (${docs.length}件)`),
    h('p', {}, '入退院支援ルール・情報共有シートなど、関係者が使うルールや様式です。新しい版を公開すると前の版は旧版になり、旧版もダウンロードできます。'),
    docs.length ? h('ul', { class: 'cards documents' }, docs.map((d) => documentCard(env, d, change)))
      : h('p', { class: 'empty' }, 'まだルール・様式はありません。'),
    publishing);
}

// --- お知らせ ----------------------------------------------------------------------------------

// The id a link names, also out of a pasted console address (#/trainings/trn_…).
/** @param {string} text */
export function linkTarget(text) {
  const t = norm(text);
  const id = /(?:^|[/#=])((?:trn|doc|prac)_[0-9A-Za-z]+)\/?$/.exec(t);
  return id ? id[1] : t;
}

/** @type {{[kind: string]: string}} */
const TARGET_HINTS = {
  NOTICE_LINK_KIND_TRAINING: '研修の画面のアドレス (…#/trainings/trn_…) を貼り付けてください',
  NOTICE_LINK_KIND_PRACTICE: '取組事例の画面のアドレス (…#/practices/…) を貼り付けてください',
  NOTICE_LINK_KIND_WEB: 'https:// で始まるアドレス',
};

/**
 * The links of a notice, row by row: kind, target (a document of the library for kind
 * document), title. Rows are drawn again on add and remove so their labels keep their numbers.
 * @param {renkei.v1.SharedDocument[]} documents
 */
function linksEditor(documents) {
  const docOptions = documents.filter((d) => !d.withdrawn).map((d) => /** @type {const} */ ([d.id, d.title || '(題名なし)']));
  /** @type {{kind: string, target: string, title: string}[]} */
  let rows = [];
  /**
   * @typedef {{kind: string, target: string, title: string}} LinkRow
   * @type {{read(): LinkRow, kind: HTMLElement, name(k: number | null): void}[]}
   */
  let drawn = [];
  const list = h('div', { class: 'link-rows' });
  const add = h('button', { type: 'button', class: 'small secondary' }, 'リンクを追加');
  const box = h('fieldset', { class: 'field links', 'data-field': 'notice.links' },
    h('legend', {}, `関連するリンク (${MAX_LINKS}件まで、任意)`),
    list, h('div', { class: 'actions' }, add),
    h('p', { class: 'field-error', id: uid('links-err'), hidden: true }));

  const read = () => { rows = drawn.map((d) => d.read()); };
  /** @param {number} [focusRow] */
  const draw = (focusRow) => {
    replace(list);
    drawn = rows.map((r, i) => {
      const n = i + 1;
      const kind = input({
        label: `リンク${n}の種類`, field: `notice.links[${i}].kind`, options: NOTICE_LINK_KINDS, value: r.kind,
      });
      const text = input({ label: `リンク${n}の行き先`, field: `notice.links[${i}].target`, width: 'long', value: r.target });
      const doc = input({
        label: `リンク${n}のルール・様式`, field: `notice.links[${i}].target`, options: docOptions,
        empty: docOptions.length ? '選択してください' : '公開中のルール・様式はありません', value: r.target,
      });
      const title = input({ label: `リンク${n}の表示名`, field: `notice.links[${i}].title`, width: 'long', value: r.title, maxlength: 200 });
      const hint = h('p', { class: 'hint' });
      text.append(hint);
      // The row's place in the request (errors name it): its index, or none for a blank row.
      /** @type {number | null} */
      let at = i;
      const remove = h('button', { type: 'button', class: 'small secondary' }, `リンク${n}を削除`);
      remove.addEventListener('click', () => {
        read();
        rows.splice(i, 1);
        draw();
        add.focus();
      });
      // The target control the kind asks for; the other one is hidden and out of error mapping.
      const show = () => {
        const isDoc = kind.control.value === 'NOTICE_LINK_KIND_DOCUMENT';
        const path = at === null ? '' : `notice.links[${at}]`;
        doc.hidden = !isDoc;
        text.hidden = isDoc;
        row.dataset.field = path;
        kind.dataset.field = path && `${path}.kind`;
        doc.dataset.field = isDoc ? path && `${path}.target` : '';
        text.dataset.field = isDoc ? '' : path && `${path}.target`;
        title.dataset.field = path && `${path}.title`;
        hint.textContent = TARGET_HINTS[kind.control.value] || '';
      };
      const row = h('div', { class: 'link-row' },
        h('div', { class: 'row' }, kind, text, doc, title), remove,
        h('p', { class: 'field-error', id: uid('link-err'), hidden: true }));
      kind.control.addEventListener('change', show);
      show();
      list.append(row);
      return {
        kind: kind.control,
        name: (k) => {
          at = k;
          show();
        },
        read: () => ({
          kind: kind.control.value,
          target: kind.control.value === 'NOTICE_LINK_KIND_DOCUMENT' ? doc.control.value : text.control.value,
          title: title.control.value,
        }),
      };
    });
    add.disabled = rows.length >= MAX_LINKS;
    if (focusRow !== undefined && drawn[focusRow]) drawn[focusRow].kind.focus();
  };
  add.addEventListener('click', () => {
    read();
    if (rows.length >= MAX_LINKS) return;
    rows.push({ kind: 'NOTICE_LINK_KIND_WEB', target: '', title: '' });
    draw(rows.length - 1);
  });
  draw();
  // The rows filled in; blank rows are left out and the others take their place in the request
  // as the name of their errors.
  /** @returns {renkei.v1.NoticeLink[]} */
  const values = () => {
    read();
    /** @type {renkei.v1.NoticeLink[]} */
    const links = [];
    rows.forEach((r, i) => {
      const filled = Boolean(r.target.trim() || r.title.trim());
      drawn[i].name(filled ? links.length : null);
      if (!filled) return;
      links.push({
        kind: /** @type {renkei.v1.NoticeLinkKind} */ (r.kind),
        target: r.kind === 'NOTICE_LINK_KIND_WEB' ? norm(r.target) : linkTarget(r.target),
        title: r.title.trim(),
      });
    });
    return links;
  };
  return Object.assign(box, { values });
}

// Who a notice's mail reaches here: the active subscribers whose audiences meet the notice's
// (either side empty: every professional).
/**
 * @param {renkei.v1.Subscriber[]} subscribers
 * @param {string[]} audiences
 */
export function mailedTo(subscribers, audiences) {
  return subscribers.filter((s) => s.state === 'SUBSCRIBER_STATE_ACTIVE'
    && (!(s.audiences || []).length || !audiences.length || s.audiences.some((a) => audiences.includes(a)))).length;
}

/** @param {SharingEnv} env */
function noticeForm(env) {
  const { ctx } = env;
  const level = ctx.session.instance?.level || 'municipality';
  const home = ctx.session.instance?.code || ctx.session.jurisdiction || '';
  const title = input({ label: '件名', field: 'notice.title', required: true, width: 'long', maxlength: 200 });
  const body = input({ label: '本文', field: 'notice.body', required: true, multiline: true, rows: 6, maxlength: 4000 });
  const audiences = choices({
    label: '対象', field: 'notice.audiences', options: PROFESSIONALS, multiple: true, columns: true,
    hint: `選ばなければ「${EVERY_PROFESSIONAL}」です。メールは、選んだ対象を希望した配信先に送られます。`,
  });
  const area = level === 'municipality' ? null : municipalityInput({
    label: 'お知らせの地域', field: 'notice.jurisdiction_code', value: home,
    hint: `空欄なら${municipalityName(home)}全体。市区町村に限るときはその6桁のコード`,
  });
  const open = checkbox({
    label: '公開ページに載せる (関係者向けページとお知らせのフィード、ログインなし)', field: 'notice.public',
  });
  const links = linksEditor(env.documents);
  const form = actionForm({
    label: 'お知らせを出す', submitLabel: 'お知らせを公開する',
    children: [title, body, audiences, area, open, links, errorSlot('notice'), errorSlot('expected_version')],
    onSubmit: async () => {
      if (!title.control.value.trim()) throw fieldError('notice.title', '件名を入力してください');
      if (!body.control.value.trim()) throw fieldError('notice.body', '本文を入力してください');
      const chosen = audiences.values();
      const n = env.subscribers ? mailedTo(env.subscribers, chosen) : null;
      const mail = n === null ? 'お知らせメールの配信先 (確認済みのアドレス) にメールが送られます。'
        : n ? `配信先 ${n}件にメールが送られます。` : '配信先はまだありません (メールは送られません)。';
      if (!window.confirm(`お知らせ「${title.control.value.trim()}」を公開します。${mail}よろしいですか？`)) return;
      const saved = /** @type {renkei.v1.Notice} */ (await post('/api/v1/notices', {
        notice: {
          title: title.control.value.trim(),
          body: body.control.value.trim(),
          audiences: chosen,
          jurisdictionCode: (area ? area.code() : '') || home,
          links: links.values(),
          public: /** @type {HTMLInputElement} */ (open.control).checked,
        },
      }));
      ctx.announce(`お知らせ「${saved.title}」を公開しました (メール ${saved.mailsQueued ?? 0}件)`);
      await ctx.rerender();
      focusHeading('notices-h');
    },
  });
  return form;
}

/**
 * @param {SharingEnv} env
 * @param {renkei.v1.NoticeLink} link
 * @param {HTMLElement} box
 * @param {HTMLElement} alert
 */
function linkItem(env, link, box, alert) {
  const kind = label(NOTICE_LINK_KINDS, link.kind);
  const text = link.title || link.target;
  if (link.kind === 'NOTICE_LINK_KIND_TRAINING') return [`${kind}: `, h('a', { href: `#/trainings/${encodeURIComponent(link.target)}` }, text)];
  if (link.kind === 'NOTICE_LINK_KIND_PRACTICE') return [`${kind}: `, h('a', { href: `#/practices/${encodeURIComponent(link.target)}` }, text)];
  if (link.kind === 'NOTICE_LINK_KIND_WEB') {
    return [`${kind}: `, /^https?:\/\//i.test(link.target)
      ? h('a', { href: link.target, rel: 'noopener noreferrer', target: '_blank' }, text) : text];
  }
  const doc = env.documents.find((d) => d.id === link.target);
  const current = doc && (doc.versions || []).slice(-1)[0];
  return [`${kind}: `, doc ? doc.title : text, ' ',
    doc && current && (!doc.copy || current.fileAvailable) ? downloadButton(box, alert, doc, current, env.ctx) : null];
}

/**
 * @param {SharingEnv} env
 * @param {renkei.v1.Notice} n
 * @param {(path: string, body: ui.Body, done: string, headingId: string) => Promise<void>} change
 */
function noticeCard(env, n, change) {
  const alert = formAlert();
  const card = h('li', { class: `card notice-card${n.withdrawn ? ' withdrawn' : ''}` });
  /** @type {ui.Child} */
  let action = null;
  if (!n.copy && !n.withdrawn && env.canPublish) {
    const withdraw = h('button', { type: 'button', class: 'small secondary', 'aria-label': `お知らせ「${n.title}」を取り下げる` }, '取り下げる');
    withdraw.addEventListener('click', () => submitting(card, alert, async () => {
      if (!window.confirm(`お知らせ「${n.title}」を取り下げます。一覧・関係者向けページ・フィードに表示されなくなります (送ったメールは取り消せません)。よろしいですか？`)) return;
      await change(`/api/v1/notices/${seg(n.id)}/withdraw`, { expectedVersion: n.version },
        `お知らせ「${n.title}」を取り下げました`, 'notices-h');
    }));
    action = h('div', { class: 'actions' }, withdraw);
  }
  const links = n.links || [];
  replace(card,
    h('h3', {}, n.title || '(件名なし)'),
    h('p', { class: 'meta' },
      timestampText(n.publishedAt, { time: false }),
      ` ／ 発信 ${issuerText(n)} ／ 対象 ${audiencesText(n.audiences)} ／ ${publicText(n.public)} ／ メール送信 ${n.mailsQueued ?? 0}件`,
      n.jurisdictionCode && n.jurisdictionCode !== n.issuerCode ? ` ／ 地域 ${municipalityName(n.jurisdictionCode)}` : null,
      n.withdrawn ? h('span', { class: 'badge warn' }, ' 取り下げ済み') : null),
    h('p', { class: 'pre' }, n.body || ''),
    links.length ? h('ul', { class: 'plain notice-links' }, links.map((l) => h('li', {}, linkItem(env, l, card, alert)))) : null,
    alert,
    errorSlot('id'), errorSlot('expected_version'),
    action);
  return card;
}

/**
 * @param {SharingEnv} env
 * @param {renkei.v1.Notice[]} notices
 * @param {(path: string, body: ui.Body, done: string, headingId: string) => Promise<void>} change
 */
function noticesSection(env, notices, change) {
  return h('section', { 'aria-labelledby': 'notices-h' },
    h('h2', { id: 'notices-h' }, `お知らせ (${notices.length}件)`),
    h('p', {}, '医療・介護関係者へのお知らせです。公開すると、お知らせメールの配信先にメールが送られます。'),
    notices.length ? h('ul', { class: 'cards notices' }, notices.map((n) => noticeCard(env, n, change)))
      : h('p', { class: 'empty' }, 'まだお知らせはありません。'),
    env.canPublish ? h('details', { class: 'add publish-notice' }, h('summary', {}, 'お知らせを出す'), noticeForm(env))
      : h('p', { class: 'hint' }, 'お知らせを出すのは、コーディネーターと自治体の担当者です。'));
}

// --- お知らせメールの配信先 --------------------------------------------------------------------

/** @param {ui.ScreenContext} ctx */
function subscribeForm(ctx) {
  const email = input({
    label: 'メールアドレス', field: 'email', type: 'email', autocomplete: 'off', width: 'long', required: true, maxlength: 254,
  });
  const audiences = choices({
    label: '受け取るお知らせの対象', field: 'audiences', options: PROFESSIONALS, multiple: true, columns: true,
    hint: '選ばなければ、すべてのお知らせを受け取ります。',
  });
  return actionForm({
    label: '配信先を追加する', submitLabel: '確認メールを送る',
    children: [
      h('p', { class: 'hint' }, 'このアドレスに確認のメールを送ります。メールのリンクが開かれると配信が始まります (それまでは「確認待ち」です)。本人の了解を得たアドレスだけを追加してください。'),
      email, audiences,
    ],
    onSubmit: async () => {
      const address = norm(email.control.value);
      if (!address) throw fieldError('email', 'メールアドレスを入力してください');
      await post('/api/v1/subscribers', { email: address, audiences: audiences.values() });
      ctx.announce(`${address} に確認のメールを送りました。リンクが開かれると配信が始まります`);
      await ctx.rerender();
      focusHeading('subscribers-h');
    },
  });
}

/**
 * @param {SharingEnv} env
 * @param {renkei.v1.ListSubscribersResponse | null} list
 * @param {string} error
 * @param {(path: string, body: ui.Body, done: string, headingId: string) => Promise<void>} change
 */
function subscribersSection(env, list, error, change) {
  const { ctx } = env;
  const heading = h('h2', { id: 'subscribers-h' }, 'お知らせメールの配信先');
  if (!list) {
    return h('section', { 'aria-labelledby': 'subscribers-h' }, heading, h('p', {}, error));
  }
  const subscribers = list.subscribers || [];
  const rows = subscribers.map((s) => {
    const alert = formAlert();
    const cell = h('td', { class: 'ops' }, alert, errorSlot('id'));
    if (s.state !== 'SUBSCRIBER_STATE_REMOVED') {
      const remove = h('button', { type: 'button', class: 'small secondary', 'aria-label': `${s.email} を配信先から削除する` }, '削除');
      remove.addEventListener('click', () => submitting(cell, alert, async () => {
        if (!window.confirm(`${s.email} を配信先から削除します。このアドレスにはお知らせのメールが届かなくなります。よろしいですか？`)) return;
        await change(`/api/v1/subscribers/${seg(s.id)}/remove`, {}, `${s.email} を配信先から削除しました`, 'subscribers-h');
      }));
      cell.append(remove);
    }
    return h('tr', {},
      h('th', { scope: 'row' }, s.email),
      h('td', {}, labels(AUDIENCES, s.audiences) || 'すべてのお知らせ'),
      h('td', {}, label(SUBSCRIBER_STATES, s.state)),
      h('td', {}, timestampText(s.requestedAt, { time: false })),
      h('td', {}, s.confirmedAt ? timestampText(s.confirmedAt, { time: false }) : '—'),
      h('td', { class: 'num' }, `${s.mailsSent ?? 0}件`),
      cell);
  });
  return h('section', { 'aria-labelledby': 'subscribers-h' },
    heading,
    h('p', { class: 'summary subscriber-counts' }, `配信中 ${list.active ?? 0}件 ／ 確認待ち ${list.pending ?? 0}件`),
    h('p', {}, '関係者は関係者向けページから自分で登録することもできます (確認のメールのリンクを開くと配信が始まります)。どのメールにも配信停止のリンクが付きます。'),
    subscribers.length ? h('table', { class: 'data compact subscribers' },
      h('caption', { class: 'sr-only' }, 'お知らせメールの配信先'),
      h('thead', {}, h('tr', {}, ['メールアドレス', '対象', '状態', '申込', '確認', '送ったメール', '操作'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows)) : h('p', { class: 'empty' }, 'まだ配信先はありません。'),
    ctx.session.role === 'ROLE_MUNICIPAL_STAFF'
      ? h('details', { class: 'add subscribe' }, h('summary', {}, '配信先を追加する'), subscribeForm(ctx))
      : null);
}

// --- the screen ---------------------------------------------------------------------------------

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  const withdrawn = ctx.query.get('withdrawn') === '1';
  const role = ctx.session.role;
  const staff = STAFF.has(role);
  // The subscriber list is personal data for staff only; when it cannot be read the rest of the
  // screen still shows (with the reason in its section).
  /** @type {Promise<{list: renkei.v1.ListSubscribersResponse | null, error: string}>} */
  const subscribersRead = staff ? get('/api/v1/subscribers').then(
    (r) => ({ list: /** @type {renkei.v1.ListSubscribersResponse} */ (r), error: '' }),
    (err) => {
      if (!(err instanceof ApiError) || err.status === 401) throw err;
      return { list: null, error: err.message };
    }) : Promise.resolve({ list: null, error: '' });
  const [docList, noticeList, subscribers] = await Promise.all([
    /** @type {Promise<renkei.v1.ListDocumentsResponse>} */ (get('/api/v1/documents', { include_withdrawn: withdrawn ? 'true' : '' })),
    /** @type {Promise<renkei.v1.ListNoticesResponse>} */ (get('/api/v1/notices', { include_withdrawn: withdrawn ? 'true' : '', limit: 200 })),
    subscribersRead,
  ]);
  /** @type {SharingEnv} */
  const env = {
    ctx,
    documents: docList.documents || [],
    subscribers: subscribers.list ? subscribers.list.subscribers || [] : null,
    canPublish: PUBLISHERS.has(role),
  };

  // One change, then the screen drawn again with the result in the status line. When someone
  // changed the record first (ABORTED), the screen is reloaded and the user asked to retry.
  /** @param {string} path @param {ui.Body} body @param {string} done @param {string} headingId */
  const change = (path, body, done, headingId) => changeAndRedraw(ctx, path, body, done, headingId);

  const showWithdrawn = checkbox({ label: '取り下げたものも表示する', field: 'include_withdrawn', value: withdrawn });
  const filter = actionForm({
    label: '表示するもの', className: 'form inline', submitLabel: '表示', children: [showWithdrawn],
    onSubmit: async () => ctx.navigate(/** @type {HTMLInputElement} */ (showWithdrawn.control).checked ? '#/sharing?withdrawn=1' : '#/sharing'),
  });
  replace(main,
    h('h1', {}, '情報共有'),
    h('p', {}, '医療・介護関係者が共有するルール・様式とお知らせを、ここで公開します。都道府県・国が出したものもここに届きます (この画面では変更できません)。'),
    h('p', { class: 'public-pages' }, '公開中のものは、ログインなしで見られます: ',
      h('a', { href: '/board/' }, '関係者向けページ'), '・',
      h('a', { href: '/public/v1/notices.atom' }, 'お知らせのフィード (Atom)')),
    filter,
    documentsSection(env, change),
    noticesSection(env, noticeList.notices || [], change),
    staff ? subscribersSection(env, subscribers.list, subscribers.error, change) : null);
}
