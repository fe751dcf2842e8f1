// 相談受付 (new consultation): who called and how, the person concerned, what was asked, and the
// needs (a capability of the directory vocabulary, plus what the same resource must also offer).
// POST /api/v1/consultations, then the consultation's page.
import { get, post, loadCapabilities, ApiError } from '../api.js';
import { municipalityName } from '../municipalities.js';
import { h, replace, uid } from '../dom.js';
import {
  input, dateInput, dateValue, choices, checkbox, actionForm, norm,
} from '../forms.js';
import { parseTimeInput, tokyoTimestamp } from '../dates.js';
import { can } from '../permissions.js';
import {
  label, CHANNELS, SOURCE_TYPES, CARE_LEVELS, CONDITIONS, RESOURCE_KINDS, AREA_PREFERENCES,
} from '../words.js';

/**
 * @typedef {HTMLFieldSetElement & {
 *   renumber(i: number): void, value(): Partial<renkei.v1.NewNeed>, firstControl: ui.Control,
 * }} NeedRow
 */

// One need's controls. `prefix` names its fields: "needs[0]" in a new consultation, "need" in
// AddNeed; `onRemove` (optional) adds a remove button.
/**
 * @param {renkei.v1.Capability[]} capabilities
 * @param {string} prefix
 * @param {(row: NeedRow) => void} [onRemove]
 */
export function needRow(capabilities, prefix, onRemove) {
  /** @type {ui.Table} */
  const caps = capabilities.map((c) => [c.code, c.labelJa]);
  const capability = input({
    label: '必要な機能', field: `${prefix}.capability`, options: caps, empty: '選択してください', required: true,
  });
  const also = choices({
    label: 'あわせて必要な機能 (同じ資源に、5つまで)', field: `${prefix}.also_requires`,
    options: caps, multiple: true, columns: true,
  });
  const kind = input({ label: '資源の種別 (任意)', field: `${prefix}.kind`, options: RESOURCE_KINDS, empty: '指定なし' });
  const area = input({ label: '探す範囲', field: `${prefix}.area_preference`, options: AREA_PREFERENCES, empty: `${label(AREA_PREFERENCES, 'AREA_PREFERENCE_INSIDE_FIRST')} (既定)` });
  const note = input({ label: 'ニーズのメモ', field: `${prefix}.note`, multiline: true, rows: 2 });
  // An advice need: matching proposes coordinators who know the field, not resources.
  const advice = checkbox({
    label: '資源ではなく、この分野に詳しいコーディネーターの助言を求める', field: `${prefix}.advice`,
    hint: '照合すると、相談を受け付けているコーディネーターを提案します (資源の空白にはなりません)。',
  });
  const adviceBox = /** @type {HTMLInputElement} */ (advice.control);
  const kindAndArea = h('div', { class: 'row' }, kind, area);
  const alsoLegend = /** @type {HTMLElement} */ (also.querySelector('legend'));
  adviceBox.addEventListener('change', () => {
    kindAndArea.hidden = adviceBox.checked;
    alsoLegend.textContent = adviceBox.checked
      ? 'あわせて求める専門 (4つまで)' : 'あわせて必要な機能 (同じ資源に、5つまで)';
  });
  const number = () => Number((prefix.match(/\[(\d+)\]/) || [0, 0])[1]) + 1;
  const heading = h('legend', {}, onRemove ? `ニーズ ${number()}` : '追加するニーズ');
  const remove = onRemove ? h('button', { type: 'button', class: 'secondary small' }, `ニーズ ${number()} を削除`) : null;
  const errId = uid('need-err');
  const row = h('fieldset', { class: 'need-row', 'data-field': prefix },
    heading, capability, also, advice, kindAndArea, note, remove,
    h('p', { class: 'field-error', id: errId, hidden: true }));
  /** @param {number} i */
  const renumber = (i) => {
    for (const el of /** @type {NodeListOf<HTMLElement>} */ (row.querySelectorAll('[data-field]'))) {
      el.dataset.field = (el.dataset.field ?? '').replace(/^needs\[\d+\]/, `needs[${i}]`);
    }
    row.dataset.field = `needs[${i}]`;
    heading.textContent = `ニーズ ${i + 1}`;
    if (remove) remove.textContent = `ニーズ ${i + 1} を削除`;
  };
  const value = () => {
    /** @type {Partial<renkei.v1.NewNeed>} */
    const n = { capability: capability.control.value };
    const a = also.values();
    if (a.length) n.alsoRequires = a;
    if (adviceBox.checked) {
      n.advice = true;
    } else {
      if (kind.control.value) n.kind = /** @type {renkei.v1.ResourceKind} */ (kind.control.value);
      if (area.control.value) n.areaPreference = /** @type {renkei.v1.AreaPreference} */ (area.control.value);
    }
    if (note.control.value.trim()) n.note = note.control.value.trim();
    return n;
  };
  /** @type {NeedRow} */
  const need = Object.assign(row, { renumber, value, firstControl: capability.control });
  if (remove && onRemove) remove.addEventListener('click', () => onRemove(need));
  return need;
}

/**
 * @param {ui.Field} dateWrap
 * @param {ui.Field} timeWrap
 */
function receivedAt(dateWrap, timeWrap) {
  const d = dateValue(dateWrap);
  const timeText = norm(timeWrap.control.value);
  if (!d && !timeText) return undefined;
  const t = timeText ? parseTimeInput(timeText) : { hour: 0, minute: 0 };
  if (!t) {
    throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください',
      [{ field: 'received_at.time', description: '時刻として読めません (例: 14:05)' }]);
  }
  if (!d) {
    throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください',
      [{ field: 'received_at', description: '受付日を入力してください' }]);
  }
  return tokyoTimestamp(d, t);
}

/**
 * @param {{[key: string]: unknown}} obj
 */
function nonEmpty(obj) {
  /** @type {{[key: string]: unknown}} */
  const out = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * 相談者の機関: a directory resource (e.g. a hospital's discharge unit in the next city), found
 * by typing part of its name and picking it from the suggestions. Its id is public data; it lets
 * the seeds of repeated consultations from one hospital propose a wide-area issue. `initial`: the
 * institution recorded already (shown by its name, kept unless the text changes).
 * @param {{id: string, name: string} | null} [initial]
 * @returns {{field: ui.Field, id(): string | undefined}}
 */
function institutionPicker(initial) {
  const listId = uid('institutions');
  const field = input({
    label: '相談者の機関 (病院の地域連携室・事業所など、名簿から選ぶ)', field: 'requester.institution_resource_id',
    hint: '名称の一部を入力し、候補から選んでください', width: 'long',
  });
  const control = /** @type {HTMLInputElement} */ (field.control);
  control.setAttribute('list', listId);
  const suggestions = h('datalist', { id: listId });
  field.append(suggestions);
  /** @type {Map<string, string>} the text of a suggestion → the resource id */
  const picked = new Map();
  if (initial && initial.id) {
    picked.set(initial.name, initial.id);
    control.value = initial.name;
  }
  let timer = 0;
  control.addEventListener('input', () => {
    window.clearTimeout(timer);
    const text = control.value.trim();
    if (text.length < 2 || picked.has(text)) return;
    timer = window.setTimeout(async () => {
      const r = /** @type {renkei.v1.SearchResourcesResponse | null} */ (
        await get('/api/v1/resources', { text, page_size: 10 }).catch(() => null));
      if (!r || control.value.trim() !== text) return;
      replace(suggestions, ...(r.hits || []).map((hit) => {
        const res = /** @type {Partial<renkei.v1.Resource>} */ (hit.resource || {});
        const shown = `${res.name}（${municipalityName(res.municipalityCode)}）`;
        picked.set(shown, res.id || '');
        return h('option', { value: shown });
      }));
    }, 250);
  });
  return {
    field,
    id() {
      const text = control.value.trim();
      if (!text) return undefined;
      const id = picked.get(text);
      if (!id) {
        throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください', [
          { field: 'requester.institution_resource_id', description: '名簿の候補から選んでください' },
        ]);
      }
      return id;
    },
  };
}

/**
 * @typedef {object} DetailFields
 * @property {ui.Field} channel
 * @property {ui.Choices} source
 * @property {HTMLFieldSetElement} requesterSet 相談者
 * @property {HTMLFieldSetElement} personSet 本人
 * @property {ui.Field} narrative
 * @property {() => Partial<renkei.v1.Requester>} requester what the fields say, empty ones left out
 * @property {() => Partial<renkei.v1.PersonConcerned>} person
 */

// The recorded details of a consultation — how it came, who called, the person concerned, what
// was asked — as the new-consultation form and the consultation's edit form both ask them, with
// the request's field paths (an error of "person.birth_date" lands next to 本人の生年月日).
// `c`: the consultation whose details fill the fields (the edit form); none for a new one.
/**
 * @param {renkei.v1.Consultation} [c]
 * @returns {DetailFields}
 */
export function detailFields(c) {
  /** @type {Partial<renkei.v1.Requester>} */
  const r = (c && c.requester) || {};
  /** @type {Partial<renkei.v1.PersonConcerned>} */
  const p = (c && c.person) || {};
  const channel = input({
    label: '相談の経路', field: 'channel', options: CHANNELS, empty: c ? undefined : '選択してください',
    required: true, value: c ? c.channel : '',
  });
  const source = choices({
    label: '相談元', field: 'source_type', options: SOURCE_TYPES, required: true, value: c ? c.sourceType : '',
  });

  const reqName = input({ label: '相談者の氏名', field: 'requester.name', autocomplete: 'off', value: r.name });
  const reqOrg = input({ label: '相談者の所属 (事業所など)', field: 'requester.organization', value: r.organization });
  const reqContact = input({ label: '相談者の連絡先 (電話・メール)', field: 'requester.contact', inputmode: 'tel', value: r.contact });
  const institution = institutionPicker(r.institutionResourceId ? {
    id: r.institutionResourceId,
    name: r.institutionName
      ? `${r.institutionName}（${municipalityName(r.institutionMunicipalityCode || '')}）` : '名簿の機関 (登録済み)',
  } : null);

  const personName = input({ label: '本人の氏名', field: 'person.name', value: p.name });
  const birth = dateInput({
    label: '本人の生年月日', field: 'person.birth_date', hint: '例: 1948-03-12、昭和23年3月12日',
    value: p.birthDate && p.birthDate.year ? p.birthDate : '',
  });
  const address = input({ label: '本人の住所', field: 'person.address', width: 'long', value: p.address });
  const careLevel = input({ label: '要介護度', field: 'person.care_level', options: CARE_LEVELS, empty: '未記録', value: p.careLevel });
  const conditions = choices({
    label: '疾患・状態', field: 'person.conditions', options: CONDITIONS, multiple: true, columns: true, value: p.conditions || [],
  });

  const narrative = input({ label: '相談内容', field: 'narrative', multiline: true, rows: 5, value: c ? c.narrative : '' });

  return {
    channel,
    source,
    requesterSet: h('fieldset', {}, h('legend', {}, '相談者'), reqName, reqOrg, institution.field, reqContact),
    personSet: h('fieldset', {}, h('legend', {}, '本人 (相談の対象となる方)'), personName,
      h('div', { class: 'row' }, birth, careLevel), address, conditions),
    narrative,
    requester: () => /** @type {Partial<renkei.v1.Requester>} */ (nonEmpty({
      name: reqName.control.value.trim(),
      organization: reqOrg.control.value.trim(),
      contact: norm(reqContact.control.value),
      institutionResourceId: institution.id(),
    }) || {}),
    person: () => /** @type {Partial<renkei.v1.PersonConcerned>} */ (nonEmpty({
      name: personName.control.value.trim(),
      birthDate: dateValue(birth),
      address: address.control.value.trim(),
      careLevel: careLevel.control.value,
      conditions: conditions.values(),
    }) || {}),
  };
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  if (!can(ctx.session, 'IntakeService.CreateConsultation')) {
    replace(main,
      h('p', { class: 'breadcrumb' }, h('a', { href: '#/intake' }, '相談受付'), ' › 新しい相談'),
      h('h1', {}, '新しい相談を受け付ける'),
      h('p', { class: 'notice' }, 'この役割では相談を受け付けられません (権限がありません)。相談の一覧と記録は閲覧できます。'),
      h('p', {}, h('a', { href: '#/intake' }, '相談受付に戻る')));
    return;
  }
  const capabilities = await loadCapabilities();
  const recDate = dateInput({ label: '受付日 (空欄なら今)', field: 'received_at' });
  const recTime = input({ label: '受付時刻', field: 'received_at.time', width: 'short', inputmode: 'numeric', hint: '例: 14:05' });
  const details = detailFields();

  const needsBox = h('div', { class: 'needs' });
  /** @type {NeedRow[]} */
  const rows = [];
  /** @param {NeedRow} row */
  const removeRow = (row) => {
    rows.splice(rows.indexOf(row), 1);
    row.remove();
    rows.forEach((r, i) => r.renumber(i));
    addNeed.focus();
  };
  const addNeed = h('button', { type: 'button', class: 'secondary' }, 'ニーズを追加');
  addNeed.addEventListener('click', () => {
    const row = needRow(capabilities, `needs[${rows.length}]`, removeRow);
    rows.push(row);
    needsBox.append(row);
    row.firstControl.focus();
  });
  rows.push(needRow(capabilities, 'needs[0]', removeRow));
  needsBox.append(rows[0]);

  const form = actionForm({
    label: '相談受付票',
    submitLabel: '相談を受け付ける',
    children: [
      h('fieldset', {}, h('legend', {}, '受付'), h('div', { class: 'row' }, recDate, recTime), details.channel, details.source),
      details.requesterSet,
      details.personSet,
      details.narrative,
      h('section', { class: 'needs-section', 'aria-labelledby': 'needs-h' },
        h('h2', { id: 'needs-h' }, 'ニーズ (必要な資源)'), needsBox, addNeed),
    ],
    onSubmit: async () => {
      const request = nonEmpty({
        receivedAt: receivedAt(recDate, recTime),
        channel: details.channel.control.value,
        sourceType: details.source.value(),
        requester: nonEmpty(details.requester()),
        person: nonEmpty(details.person()),
        narrative: details.narrative.control.value.trim(),
        needs: rows.map((r) => r.value()).filter((n) => n.capability || n.alsoRequires || n.note),
      }) || {};
      const c = /** @type {renkei.v1.Consultation} */ (await post('/api/v1/consultations', request));
      ctx.announce('相談を受け付けました');
      ctx.navigate(`#/intake/${encodeURIComponent(c.id)}`);
    },
  });

  replace(main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/intake' }, '相談受付'), ' › 新しい相談'),
    h('h1', {}, '新しい相談を受け付ける'),
    h('p', {}, '相談者から聞き取った内容を記録します。本人の氏名・生年月日・住所・相談内容は市町村の外に出ません。'),
    form);
}
