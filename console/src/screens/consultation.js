// 相談 (one consultation): what was asked, the matching of each need (candidates inside the
// municipality first, then outside with their distance), referrals and their outcome, follow-ups,
// and the seed of a regional issue it reveals (地域課題のタネ). Every change sends the
// consultation's version as expected_version; an ABORTED answer reloads it.
import {
  get, post, seg, loadCapabilities, capabilityLabel, ApiError,
} from '../api.js';
import { h, replace } from '../dom.js';
import {
  input, dateInput, dateValue, actionForm, formAlert, submitting, splitList, norm,
} from '../forms.js';
import { addDays, tokyoToday } from '../dates.js';
import { dateText, timestampText } from '../datetext.js';
import { municipalityName, insideText, outsideText } from '../municipalities.js';
import { requestTable } from './network.js';
import {
  label, labels, CHANNELS, SOURCE_TYPES, CONSULTATION_STATUSES, CARE_LEVELS, CONDITIONS,
  AGE_BANDS, RESOURCE_KINDS, AREA_RELATIONS, REFERRAL_OUTCOMES, DECLINE_REASONS, tagLabels,
} from '../words.js';
import { needRow } from './intake_form.js';

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

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  const capabilities = await loadCapabilities();
  let c = /** @type {renkei.v1.Consultation} */ (await get(`/api/v1/consultations/${seg(ctx.id)}`));
  // What the coordinator asked other coordinators about this consultation (renkei-network; none
  // when the instance runs no network service).
  const peers = /** @type {renkei.v1.ListPeerRequestsResponse} */ (await get('/api/v1/peer-requests',
    { consultation_id: c.id }).catch(() => ({ requests: [] })));
  const pageAlert = formAlert();
  const path = () => `/api/v1/consultations/${seg(c.id)}`;

  // Sends one change; the answer (a Consultation, or MatchResourcesResponse) replaces `c`.
  /**
   * @param {string} suffix
   * @param {object} body
   * @param {string} done
   * @param {string} focusId
   */
  async function change(suffix, body, done, focusId) {
    try {
      const r = /** @type {renkei.v1.Consultation & {consultation?: renkei.v1.Consultation}} */ (
        await post(`${path()}${suffix}`, { ...body, expectedVersion: c.version }));
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
    const target = focusId && document.getElementById(focusId);
    if (target) {
      target.setAttribute('tabindex', '-1');
      target.focus();
    }
  }

  function summarySection() {
    /** @type {Partial<renkei.v1.PersonConcerned>} */
    const p = c.person || {};
    /** @type {Partial<renkei.v1.Requester>} */
    const r = c.requester || {};
    const status = input({ label: '新しい状態', field: 'status', options: CONSULTATION_STATUSES, value: c.status });
    const reason = input({ label: '理由 (任意)', field: 'reason' });
    const statusForm = actionForm({
      label: '相談の状態を変える', className: 'form inline', submitLabel: '状態を変える',
      children: [status, reason],
      onSubmit: () => change('/status', { status: status.control.value, reason: reason.control.value.trim() },
        '状態を変えました', 'summary-h'),
    });
    return h('section', { 'aria-labelledby': 'summary-h' },
      h('h2', { id: 'summary-h' }, '相談の内容'),
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
      statusForm);
  }

  /**
   * @param {renkei.v1.Need} n
   * @param {number} i
   */
  function needBlock(n, i) {
    if (n.advice) return adviceBlock(n, i);
    const due = dateInput({
      label: `ニーズ ${i + 1} の紹介の回答期限`, field: 'response_due', value: addDays(tokyoToday(), 7), hint: '',
    });
    const alert = formAlert();
    const block = h('div', { class: 'need-block' });
    const cands = n.candidates || [];
    /** @param {renkei.v1.Candidate} cand */
    const refer = (cand) => submitting(block, alert, () => change('/referrals', {
      needId: n.id, resourceId: cand.resourceId, responseDue: dateValue(due),
    }, `${cand.name} に紹介しました`, 'referrals-h'));
    replace(block,
      h('h3', { id: `need-${i}-h` }, `ニーズ ${i + 1}: ${needTitle(n)}`),
      alert,
      n.note ? h('p', { class: 'pre' }, n.note) : null,
      n.matchedAt ? h('p', { class: 'meta' }, '照合: ', timestampText(n.matchedAt)) : h('p', { class: 'meta' }, 'まだ照合していません。'),
      n.resourceGap ? h('p', { class: 'notice gap' },
        `${municipalityName(c.municipalityCode, { withPrefecture: false })}内に該当する資源がありません (資源の空白)。${outsideText(c.municipalityCode)}の候補を距離の近い順に示します。`) : null,
      cands.length ? [
        due,
        h('table', { class: 'data candidates' },
          h('caption', {}, `ニーズ ${i + 1} の候補 (${cands.length}件)`),
          h('thead', {}, h('tr', {}, ['名称', '種別', '所在地', '区分', '距離', ''].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, cands.map((cand) => {
            const button = h('button', { type: 'button', class: 'small', 'aria-label': `${cand.name} に紹介する` }, '紹介する');
            button.addEventListener('click', () => refer(cand));
            return h('tr', { class: cand.relation === 'AREA_RELATION_OUTSIDE' ? 'outside' : 'inside' },
              h('th', { scope: 'row' }, cand.name),
              h('td', {}, label(RESOURCE_KINDS, cand.kind)),
              h('td', { class: 'municipality' }, municipalityName(cand.municipalityCode)),
              h('td', { class: 'relation' }, label(AREA_RELATIONS, cand.relation)),
              h('td', { class: 'num distance' }, distanceText(cand)),
              h('td', {}, button));
          })))] : (n.matchedAt ? h('p', {}, '候補が見つかりませんでした。') : null));
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
    return h('div', { class: 'need-block' },
      h('h3', { id: `need-${i}-h` }, `ニーズ ${i + 1}: ${needTitle(n)}`),
      n.note ? h('p', { class: 'pre' }, n.note) : null,
      n.matchedAt ? h('p', { class: 'meta' }, '照合: ', timestampText(n.matchedAt)) : h('p', { class: 'meta' }, 'まだ照合していません。'),
      people.length ? h('table', { class: 'data candidates coordinators' },
        h('caption', {}, `ニーズ ${i + 1} で相談できるコーディネーター (${people.length}人)`),
        h('thead', {}, h('tr', {}, ['氏名', '所属', '地域', '役割', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, people.map((p) => h('tr', {},
          h('th', { scope: 'row' }, p.name || '(氏名非公開)'),
          h('td', {}, p.affiliation || '—'),
          h('td', { class: 'municipality' }, municipalityName(p.jurisdictionCode || '')),
          h('td', {}, p.leadCoordinator ? '統括コーディネーター' : 'コーディネーター'),
          h('td', {}, h('a', {
            class: 'button small',
            href: `#/network?consultation=${encodeURIComponent(c.id)}&to=${encodeURIComponent(p.profileId || '')}`,
            'aria-label': `${p.name || `${p.affiliation || municipalityName(p.jurisdictionCode || '')} のコーディネーター`} に相談する`,
          }, '相談する'))))))
        : (n.matchedAt ? h('p', {}, 'この分野で相談を受け付けているコーディネーターは見つかりませんでした。ネットワーク画面から都道府県や全国の統括コーディネーターに相談できます。') : null));
  }

  function needsSection() {
    const perNeed = input({ label: 'ニーズごとの候補の数', field: 'candidates_per_need', value: '5', width: 'short', inputmode: 'numeric' });
    const matchForm = actionForm({
      label: '資源を照合する', className: 'form inline', submitLabel: '資源を照合する',
      children: [perNeed],
      onSubmit: () => {
        const n = Number(norm(perNeed.control.value) || 5);
        return change('/match', { candidatesPerNeed: Number.isFinite(n) ? n : 5 },
          '資源を照合しました', 'needs-h');
      },
    });
    const add = needRow(capabilities, 'need');
    const addForm = actionForm({
      label: 'ニーズを追加する', submitLabel: 'ニーズを追加',
      children: [add],
      onSubmit: () => change('/needs', { need: add.value() }, 'ニーズを追加しました', 'needs-h'),
    });
    return h('section', { 'aria-labelledby': 'needs-h' },
      h('h2', { id: 'needs-h' }, 'ニーズと資源の照合'),
      (c.needs || []).length ? matchForm : h('p', {}, 'ニーズがまだありません。下で追加してください。'),
      (c.needs || []).map(needBlock),
      h('details', { class: 'add' }, h('summary', {}, 'ニーズを追加する'), addForm));
  }

  /**
   * @param {renkei.v1.Referral} ref
   * @param {number} i
   */
  function outcomeForm(ref, i) {
    const outcome = input({ label: `紹介 ${i + 1} の結果`, field: 'outcome', options: REFERRAL_OUTCOMES, empty: '選択してください' });
    const reason = input({ label: `紹介 ${i + 1} の辞退の理由`, field: 'decline_reason', options: DECLINE_REASONS, empty: '(辞退のとき選ぶ)' });
    const note = input({ label: `紹介 ${i + 1} の結果のメモ`, field: 'note' });
    return actionForm({
      label: `紹介 ${i + 1} の結果を記録する`, className: 'form inline', submitLabel: '結果を記録',
      children: [outcome, reason, note],
      onSubmit: () => {
        /** @type {ui.Body} */
        const body = { outcome: outcome.control.value || undefined, note: note.control.value.trim() };
        if (reason.control.value) body.declineReason = reason.control.value;
        return change(`/referrals/${seg(ref.id)}/outcome`, body, '紹介の結果を記録しました', 'referrals-h');
      },
    });
  }

  function referralsSection() {
    const refs = c.referrals || [];
    return h('section', { 'aria-labelledby': 'referrals-h' },
      h('h2', { id: 'referrals-h' }, '紹介'),
      refs.length === 0 ? h('p', {}, 'まだ紹介していません。') : h('ol', { class: 'cards referrals' }, refs.map((ref, i) => {
        const pending = !ref.outcome || ref.outcome === 'REFERRAL_OUTCOME_UNSPECIFIED';
        return h('li', { class: 'card referral' },
          h('h3', {}, `紹介 ${i + 1}: ${ref.resourceName}`),
          dl([
            ['所在地', `${municipalityName(ref.resourceMunicipalityCode)}${ref.outsideMunicipality ? ` (${outsideText(c.municipalityCode)})` : ''}`],
            ['紹介日時', timestampText(ref.referredAt)],
            ['回答期限', dateText(ref.responseDue)],
            ['結果', h('span', { class: 'outcome' }, pending ? '回答待ち'
              : [label(REFERRAL_OUTCOMES, ref.outcome), label(DECLINE_REASONS, ref.declineReason)].filter(Boolean).join('・'))],
            ['メモ', ref.outcomeNote],
            ['記録日時', ref.outcomeAt ? timestampText(ref.outcomeAt) : ''],
          ]),
          pending ? outcomeForm(ref, i) : null);
      })));
  }

  function followUpsSection() {
    const list = c.followUps || [];
    const task = input({ label: 'フォローアップの内容', field: 'task', required: true, width: 'long',
      placeholder: '例: ケアマネジャーに一般の訪問診療医で対応できるか確認する' });
    const owner = input({ label: '担当', field: 'owner' });
    const due = dateInput({ label: '期限', field: 'due', value: addDays(tokyoToday(), 7), required: true, hint: '' });
    const addForm = actionForm({
      label: 'フォローアップを追加する', submitLabel: 'フォローアップを追加',
      children: [task, h('div', { class: 'row' }, owner, due)],
      onSubmit: () => change('/follow-ups', {
        task: task.control.value.trim(), owner: owner.control.value.trim(), due: dateValue(due),
      }, 'フォローアップを追加しました', 'followups-h'),
    });
    return h('section', { 'aria-labelledby': 'followups-h' },
      h('h2', { id: 'followups-h' }, 'フォローアップ'),
      list.length === 0 ? h('p', {}, 'フォローアップはありません。') : h('ul', { class: 'cards follow-ups' }, list.map((f) => {
        const alert = formAlert();
        const item = h('li', { class: `card follow-up ${f.done ? 'done' : ''}` });
        const button = f.done ? null : h('button', { type: 'button', class: 'small', 'aria-label': `「${f.task}」を完了にする` }, '完了にする');
        if (button) {
          button.addEventListener('click', () => submitting(item, alert, () => change(`/follow-ups/${seg(f.id)}/done`, {},
            'フォローアップを完了にしました', 'followups-h')));
        }
        return replace(item, alert,
          h('p', { class: 'task' }, f.task),
          h('p', { class: 'meta' }, '期限 ', dateText(f.due), f.owner ? `　担当 ${f.owner}` : '',
            f.done ? h('span', { class: 'badge done' }, '完了 ', timestampText(f.doneAt)) : h('span', { class: 'badge open' }, '未完了')),
          button);
      })),
      addForm);
  }

  function seedsSection() {
    const seeds = c.seeds || [];
    const theme = input({
      label: '地域課題のテーマ', field: 'theme', required: true, width: 'long',
      hint: `起きたことの報告ではなく、地域として解決すべきテーマを書きます (例: パーキンソン病に対応できる訪問診療医が${insideText(c.municipalityCode)}にいない)`,
    });
    const tags = input({ label: 'タグ (読点・カンマ区切り)', field: 'tags', placeholder: '例: パーキンソン病、専門医連携' });
    /** @type {ui.Table} */
    const caps = capabilities.map((x) => [x.code, x.labelJa]);
    const firstNeed = (c.needs || [])[0];
    const capability = input({ label: '関連する機能 (任意)', field: 'capability', options: caps, empty: '指定なし', value: firstNeed ? firstNeed.capability : '' });
    const form = actionForm({
      label: '地域課題のタネとして記録する', submitLabel: '地域課題のタネとして記録',
      children: [theme, h('div', { class: 'row' }, tags, capability)],
      onSubmit: () => change('/seed', {
        theme: theme.control.value.trim(), tags: splitList(tags.control.value), capability: capability.control.value,
      }, '地域課題のタネを記録しました', 'seeds-h'),
    });
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
        h('p', {}, h('a', { href: `#/network?consultation=${encodeURIComponent(c.id)}` },
          'ほかのコーディネーターに相談する (相談の内容は送られません)'))),
      historySection());
  }

  draw();
}
