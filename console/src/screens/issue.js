// 地域課題 (one issue): the seven PDCA steps (advance, return, new cycle, escalate), the
// worksheet of worked example 2 (問1–問3 in worksheet.js; 問4 countermeasures and 問5 expected
// changes with their indicators below), its export as Markdown or CSV, the meetings that
// discussed it, and its history. Escalating to the prefecture and publishing as a practice are
// asked in the page first (what leaves the municipality, and to whom); the forms are offered only
// to those who may use them (a prefecture's staff reading the issue see it without them).
import {
  get, post, patch, seg, ApiError,
} from '../api.js';
import { h, replace } from '../dom.js';
import {
  input, dateInput, dateValue, choices, actionForm, formAlert, normNumber, norm, submitting,
} from '../forms.js';
import { timestampText, dateText } from '../datetext.js';
import { downloadText } from '../download.js';
import { municipalityName, prefectureName } from '../municipalities.js';
import { compareDates, tokyoToday } from '../dates.js';
import {
  label, labels, STEPS, ISSUE_SCOPES, ISSUE_STATUSES, AUDIENCES, COUNTERMEASURE_STATUSES,
  INDICATOR_KINDS, METHODS, FREQUENCIES, DIRECTIONS,
} from '../words.js';
import { formatValue } from '../charts.js';
import { worksheetForm, worksheetPrint } from './worksheet.js';
import { meetingsSection } from './meetings.js';
import { can } from '../permissions.js';
import { askFirst } from '../confirm.js';

// A countermeasure past its due date and neither done nor cancelled.
/** @param {renkei.v1.Countermeasure} cm */
function overdue(cm) {
  return !!cm.due && !!cm.due.year && compareDates(cm.due, tokyoToday()) < 0
    && cm.status !== 'COUNTERMEASURE_STATUS_DONE' && cm.status !== 'COUNTERMEASURE_STATUS_CANCELLED';
}

/** @param {renkei.v1.RegionalIssue} issue */
function stepper(issue) {
  const current = issue.currentStep || 1;
  const evaluated = issue.status !== 'ISSUE_STATUS_OPEN';
  return h('ol', { class: 'stepper', 'aria-label': 'PDCAの7ステップ' }, STEPS.map((name, i) => {
    const n = i + 1;
    const state = evaluated || n < current ? 'done' : (n === current ? 'current' : 'todo');
    // Done is said with a mark as well as the colour (and in words to a screen reader).
    return h('li', { class: state, 'aria-current': state === 'current' ? 'step' : null },
      state === 'done' ? h('span', { class: 'mark', 'aria-hidden': 'true' }, '✓') : null,
      h('span', { class: 'n' }, String(n)), ` ${name}`,
      h('span', { class: 'sr-only' }, state === 'done' ? ' (完了)' : state === 'current' ? ' (いまのステップ)' : ''));
  }));
}

/** @param {ui.Field} wrap */
function numberField(wrap) {
  const n = normNumber(wrap.control.value);
  if (Number.isNaN(n)) {
    throw new ApiError(0, 'INVALID_ARGUMENT', '入力内容を確認してください',
      [{ field: wrap.dataset.field ?? '', description: '数値を入力してください' }]);
  }
  return n;
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  /** @type {(path: string) => Promise<[renkei.v1.IssueWithHistory, renkei.v1.RegionalIssue]>} */
  const load = async (p) => {
    const d = /** @type {renkei.v1.IssueWithHistory} */ (await get(p));
    return [d, /** @type {renkei.v1.RegionalIssue} */ (d.issue)]; // always set
  };
  let [data, issue] = await load(`/api/v1/issues/${seg(ctx.id)}`);
  const pageAlert = formAlert();
  const path = () => `/api/v1/issues/${seg(issue.id)}`;
  /** @param {string} method "UpdateIssue" */
  const allowed = (method) => can(ctx.session, `IssuesService.${method}`);
  const meetings = await meetingsSection(issue.id, ctx.announce, {
    record: allowed('RecordMeeting'), update: allowed('UpdateMeeting'),
  });

  async function reload() {
    [data, issue] = await load(path());
  }

  // One change with the issue's version; ABORTED reloads and says so.
  /**
   * @param {import('../api.js').Send} method
   * @param {string} suffix
   * @param {object} body
   * @param {string} done
   * @param {string} focusId
   * @param {{redraw?: boolean}} [options]
   */
  async function change(method, suffix, body, done, focusId, { redraw = true } = {}) {
    try {
      await method(`${path()}${suffix}`, { ...body, expectedVersion: issue.version });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'ABORTED') {
        await reload();
        draw();
        pageAlert.textContent = '他の人が先にこの課題を変更しました。最新の内容を表示しています。もう一度操作してください。';
        pageAlert.hidden = false;
        pageAlert.focus();
        throw new ApiError(409, 'ABORTED', '最新の内容を読み込みました');
      }
      throw err;
    }
    await reload();
    if (!redraw) return;
    draw();
    ctx.announce(done);
    const target = focusId && document.getElementById(focusId);
    if (target) {
      target.setAttribute('tabindex', '-1');
      target.focus();
    }
  }

  function stepsSection() {
    const current = issue.currentStep || 1;
    const open = issue.status === 'ISSUE_STATUS_OPEN';
    const forms = [];
    if (open && allowed('AdvanceStep')) {
      forms.push(actionForm({
        label: '次のステップへ進める', className: 'form inline',
        submitLabel: current < 7 ? `ステップ${current}「${STEPS[current - 1]}」を完了して次へ` : 'ステップ7「効果確認」を完了する',
        children: [h('div', { 'data-field': 'step' }, h('p', { class: 'field-error', id: 'step-err', hidden: true }))],
        onSubmit: () => change(post, '/advance', {}, 'ステップを進めました', 'steps-h'),
      }));
    }
    if (open && current > 1 && allowed('ReturnToStep')) {
      const to = input({ label: '戻るステップ', field: 'step', options: STEPS.slice(0, current - 1).map((n, i) => [String(i + 1), `${i + 1}. ${n}`]) });
      const reason = input({ label: '戻す理由', field: 'reason', required: true });
      forms.push(h('details', {}, h('summary', {}, '前のステップへ戻す'), actionForm({
        label: '前のステップへ戻す', className: 'form inline', submitLabel: '戻す',
        children: [to, reason],
        onSubmit: () => change(post, '/return', { step: Number(to.control.value), reason: reason.control.value.trim() },
          'ステップを戻しました', 'steps-h'),
      })));
    }
    if (issue.status === 'ISSUE_STATUS_EVALUATED' && allowed('StartNewCycle')) {
      forms.push(actionForm({
        label: '新しいサイクルを始める', className: 'form inline', submitLabel: '新しいサイクルを始める',
        children: [],
        onSubmit: () => change(post, '/new-cycle', {}, '新しいサイクルを始めました', 'steps-h'),
      }));
    }
    const prefecture = prefectureName(issue.municipalityCode || ctx.session.jurisdiction || '');
    // Only a municipality's issue goes up (a prefecture's own is already where it would go).
    const municipal = (ctx.session.instance?.level ?? 'municipality') === 'municipality';
    if (issue.scope === 'ISSUE_SCOPE_WIDE_AREA' && !issue.escalatedAt && issue.status !== 'ISSUE_STATUS_CLOSED'
      && municipal && allowed('EscalateIssue')) {
      forms.push(h('details', { class: 'escalate' }, h('summary', {}, `${prefecture}へ上げる (広域)`), escalateForm(prefecture)));
    }
    const escalated = issue.escalatedAt ? h('p', { class: 'state-note escalated' },
      h('strong', {}, `${prefecture}へ広域の課題として上げました`), ' (', timestampText(issue.escalatedAt, { time: false }), ')',
      issue.wideArea && issue.wideArea.prefectureIssueId
        ? `。${prefecture}の広域の課題は、いまステップ${issue.wideArea.currentStep || 1}「${STEPS[(issue.wideArea.currentStep || 1) - 1]}」です。`
        : `。${prefecture}が受け取ると、広域の課題として関係する市区町村と検討します。`) : null;
    return h('section', { 'aria-labelledby': 'steps-h' },
      h('h2', { id: 'steps-h' }, 'PDCAのステップ'),
      stepper(issue),
      h('p', {}, open ? `いまはステップ${current}「${STEPS[current - 1]}」です (第${issue.cycle || 1}サイクル)。`
        : `${label(ISSUE_STATUSES, issue.status)} (第${issue.cycle || 1}サイクル)`),
      escalated,
      forms);
  }

  // 都道府県へ上げる: the note, then the question naming the prefecture and what it receives.
  /** @param {string} prefecture */
  function escalateForm(prefecture) {
    const note = input({ label: `${prefecture}への申し送り (個人情報は書かない)`, field: 'note', multiline: true, rows: 2, maxlength: 1000 });
    const question = h('div', { class: 'ask-slot' });
    const form = actionForm({
      label: `${prefecture}へ上げる`, submitLabel: `${prefecture}へ上げる`,
      children: [note],
      onSubmit: (f) => {
        const related = (issue.relatedMunicipalityCodes || []).map((c) => municipalityName(c, { withPrefecture: false }));
        askFirst({
          slot: question,
          opener: /** @type {HTMLButtonElement} */ (f.querySelector('button[type="submit"]')),
          title: `この課題を${prefecture}へ広域の課題として上げますか？`,
          details: h('ul', {},
            h('li', {}, `テーマ「${issue.theme}」、目指す姿、タグ、いまのステップ${related.length ? `、関係する市区町村 (${related.join('、')})` : ''}と申し送りが${prefecture}に送られます。`),
            h('li', {}, `${prefecture}の地域課題になり、${prefecture}が関係する市区町村と検討します。送った内容は取り消せません。`),
            h('li', {}, '相談の記録や個人に関わる内容は送られません。')),
          confirmLabel: `${prefecture}へ上げる`,
          action: () => change(post, '/escalate', { note: note.control.value.trim() }, `${prefecture}へ上げました`, 'steps-h'),
        });
      },
    });
    form.append(question);
    return form;
  }

  /** @param {string} format */
  async function exportWorksheet(format) {
    const w = /** @type {renkei.v1.Worksheet} */ (await get(`${path()}/worksheet`, { format }));
    const type = format === 'WORKSHEET_FORMAT_CSV' ? 'text/csv; charset=utf-8' : 'text/markdown; charset=utf-8';
    downloadText(w.fileName || `worksheet_${issue.id}.${format === 'WORKSHEET_FORMAT_CSV' ? 'csv' : 'md'}`, w.content || '', type);
    ctx.announce(`ワークシートを出力しました: ${w.fileName}`);
  }

  function worksheetSection() {
    const editable = allowed('UpdateIssue');
    const form = worksheetForm(issue, async (body, andAdvance) => {
      const changed = Object.keys(body).length > 0;
      if (changed) {
        await change(patch, '', body, 'ワークシートを保存しました', 'worksheet-h', { redraw: !andAdvance });
      } else if (!andAdvance) {
        ctx.announce('変更はありません');
      }
      if (andAdvance) await change(post, '/advance', {}, '保存してステップを進めました', 'worksheet-h');
    }, { editable, advance: allowed('AdvanceStep') });
    const exportAlert = formAlert();
    const exportBox = h('div', { class: 'actions export no-print' }, exportAlert);
    for (const [format, text] of [['WORKSHEET_FORMAT_MARKDOWN', 'Markdownで出力'], ['WORKSHEET_FORMAT_CSV', 'CSVで出力 (Excel)']]) {
      const b = h('button', { type: 'button', class: 'secondary' }, text);
      b.addEventListener('click', async () => {
        // (the button, disabled while the file was made, gets the focus back: submitting)
        await submitting(exportBox, exportAlert, () => exportWorksheet(format));
      });
      exportBox.append(b);
    }
    const print = h('button', { type: 'button', class: 'secondary' }, '印刷');
    print.addEventListener('click', () => window.print());
    exportBox.append(print);
    return h('section', { 'aria-labelledby': 'worksheet-h', class: 'worksheet-section' },
      h('h2', { id: 'worksheet-h' }, '地域課題ワークシート'),
      exportBox,
      editable ? null : h('p', { class: 'hint no-print' }, 'ワークシートは閲覧のみです (この画面から変更する権限がありません)。'),
      form,
      worksheetPrint(issue));
  }

  /**
   * @param {renkei.v1.Countermeasure} cm
   * @param {number} i
   */
  function countermeasureItem(cm, i) {
    const status = input({ label: `${cm.label || `対策${i + 1}`}の状況`, field: 'status', options: COUNTERMEASURE_STATUSES, value: cm.status });
    const owner = input({ label: `${cm.label || `対策${i + 1}`}の担当`, field: 'owner', value: cm.owner });
    const due = dateInput({ label: `${cm.label || `対策${i + 1}`}の期限`, field: 'due', value: cm.due, hint: '' });
    const training = input({ label: `${cm.label || `対策${i + 1}`}を実施する研修のID`, field: 'training_id', value: cm.trainingId, hint: 'trn_… (任意)' });
    const form = actionForm({
      label: `${cm.label || `対策${i + 1}`}を更新する`, className: 'form inline', submitLabel: '更新',
      children: [status, owner, due, training],
      onSubmit: () => {
        /** @type {ui.Body} */
        const body = { status: status.control.value, owner: owner.control.value.trim() };
        const d = dateValue(due);
        if (d) body.due = d;
        const t = norm(training.control.value);
        if (t !== (cm.trainingId || '')) body.trainingId = t;
        return change(patch, `/countermeasures/${seg(cm.id)}`, body, '対策を更新しました', 'cm-h');
      },
    });
    const late = overdue(cm);
    return h('li', { class: `card countermeasure${late ? ' overdue' : ''}` },
      h('h3', {}, `${cm.label || `対策${i + 1}`}: `, h('span', { class: 'content' }, cm.content)),
      h('dl', { class: 'facts compact' },
        h('dt', {}, '誰に'), h('dd', { class: 'audiences' }, labels(AUDIENCES, cm.audiences)),
        h('dt', {}, '担当'), h('dd', {}, cm.owner || '—'),
        h('dt', {}, '状況'), h('dd', {}, label(COUNTERMEASURE_STATUSES, cm.status) || '計画'),
        h('dt', {}, '期限'), h('dd', { class: 'due' }, cm.due && cm.due.year ? dateText(cm.due) : '—',
          late ? [' ', h('strong', { class: 'badge overdue' }, '期限切れ')] : null),
        cm.trainingId ? [h('dt', {}, '研修'), h('dd', {}, h('a', { href: `#/trainings/${encodeURIComponent(cm.trainingId)}` }, cm.trainingId))] : null),
      allowed('UpdateCountermeasure') ? h('details', {}, h('summary', {}, '状況・担当・期限を更新する'), form) : null);
  }

  function countermeasuresSection() {
    const list = issue.countermeasures || [];
    const reached = issue.status !== 'ISSUE_STATUS_OPEN' || (issue.currentStep || 1) >= 5;
    const lbl = input({ label: '対策のラベル', field: 'countermeasure.label', value: `M${list.length + 1}`, width: 'short' });
    const aud = choices({ label: '誰に (対象)', field: 'countermeasure.audiences', options: AUDIENCES, multiple: true, columns: true, required: true });
    const content = input({ label: '対策の内容', field: 'countermeasure.content', multiline: true, rows: 2, required: true });
    const owner = input({ label: '対策の担当', field: 'countermeasure.owner' });
    const due = dateInput({ label: '対策の期限', field: 'countermeasure.due', hint: '' });
    const training = input({ label: '実施する研修のID (任意)', field: 'countermeasure.training_id' });
    const form = actionForm({
      label: '対策を追加する', submitLabel: '対策を追加',
      children: [lbl, aud, content, h('div', { class: 'row' }, owner, due), training],
      onSubmit: () => {
        /** @type {ui.Body} */
        const cm = {
          label: lbl.control.value.trim(), audiences: aud.values(), content: content.control.value.trim(),
          owner: owner.control.value.trim(),
        };
        const d = dateValue(due);
        if (d) cm.due = d;
        const t = norm(training.control.value);
        if (t) cm.trainingId = t;
        return change(post, '/countermeasures', { countermeasure: cm }, '対策を追加しました', 'cm-h');
      },
    });
    return h('section', { 'aria-labelledby': 'cm-h' },
      h('h2', { id: 'cm-h' }, '問4 対策 (誰に対する対策か・対策の内容)'),
      list.length ? h('ol', { class: 'cards countermeasures' }, list.map(countermeasureItem)) : h('p', {}, '対策はまだありません。'),
      !allowed('AddCountermeasure') ? null : reached ? h('details', { class: 'add', open: list.length === 0 }, h('summary', {}, '対策を追加する'), form)
        : h('p', { class: 'hint' }, 'ステップ4「要因分析」を完了すると (主たる原因を決めてから) 対策を追加できます。'));
  }

  /**
   * @param {renkei.v1.ExpectedChange} e
   * @param {number} i
   */
  function expectedItem(e, i) {
    /** @type {Partial<renkei.v1.IndicatorSpec>} */
    const ind = e.indicator || {};
    const name = e.label || `E${i + 1}`;
    const baseline = input({ label: `${name}のベースライン`, field: 'baseline', value: ind.baseline ?? '', width: 'short', inputmode: 'decimal' });
    const period = input({ label: `${name}のベースラインの時期`, field: 'baseline_period', value: ind.baselinePeriod || '', width: 'short', hint: '例: 2026-11、FY2026' });
    const target = input({ label: `${name}の目標`, field: 'target', value: ind.target ?? '', width: 'short', inputmode: 'decimal' });
    const form = actionForm({
      label: `${name}のベースラインと目標を更新する`, className: 'form inline', submitLabel: '更新',
      children: [baseline, period, target],
      onSubmit: () => {
        /** @type {ui.Body} */
        const body = {};
        const b = numberField(baseline);
        const t = numberField(target);
        if (b !== undefined) body.baseline = b;
        if (t !== undefined) body.target = t;
        const p = norm(period.control.value);
        if (p) body.baselinePeriod = p;
        return change(patch, `/expected-changes/${seg(e.id)}`, body, '期待値を更新しました', 'exp-h');
      },
    });
    return h('li', { class: 'card expected-change' },
      h('h3', {}, `${name}: `, h('span', { class: 'content' }, e.description)),
      h('dl', { class: 'facts compact' },
        h('dt', {}, '何の指標で測るか'), h('dd', { class: 'indicator-name' }, [ind.nameJa, ind.description].filter(Boolean).join(': ')),
        h('dt', {}, '測定方法'), h('dd', {}, labels(METHODS, ind.methods, '・') || '—'),
        h('dt', {}, '頻度'), h('dd', {}, label(FREQUENCIES, ind.frequency) || '—'),
        h('dt', {}, 'ベースライン'), h('dd', {}, ind.baseline !== undefined && ind.baseline !== null
          ? `${formatValue(ind.baseline, ind)}${ind.baselinePeriod ? ` (${ind.baselinePeriod})` : ''}` : '未測定'),
        h('dt', {}, '目標'), h('dd', {}, ind.target !== undefined && ind.target !== null ? formatValue(ind.target, ind) : '—'),
        ind.code ? [h('dt', {}, '指標の推移'), h('dd', {}, h('a', { href: `#/indicators?code=${encodeURIComponent(ind.code)}` }, '指標の画面で見る'))] : null),
      allowed('UpdateExpectedChange') ? h('details', {}, h('summary', {}, 'ベースラインと目標を更新する'), form) : null);
  }

  function expectedSection() {
    const list = issue.expectedChanges || [];
    const reached = issue.status !== 'ISSUE_STATUS_OPEN' || (issue.currentStep || 1) >= 5;
    const lbl = input({ label: '期待値のラベル', field: 'expected_change.label', value: `E${list.length + 1}`, width: 'short' });
    const desc = input({ label: '何がどうなることを期待するか', field: 'expected_change.description', multiline: true, rows: 2, required: true });
    const name = input({ label: '何の指標で測るか (指標の名前)', field: 'expected_change.indicator.name_ja', required: true, width: 'long' });
    const idesc = input({ label: '指標の説明 (何を測るか)', field: 'expected_change.indicator.description' });
    const unit = input({ label: '単位', field: 'expected_change.indicator.unit', width: 'short', placeholder: '点、%、件' });
    const kind = input({ label: '指標の種類', field: 'expected_change.indicator.kind', options: INDICATOR_KINDS, value: 'INDICATOR_KIND_SURVEY_SCORE' });
    const methods = choices({ label: '測定方法', field: 'expected_change.indicator.methods', options: METHODS, multiple: true, required: true });
    const freq = input({ label: '測定の頻度', field: 'expected_change.indicator.frequency', options: FREQUENCIES, value: 'MEASUREMENT_FREQUENCY_YEARLY' });
    const dir = input({ label: '良い方向', field: 'expected_change.indicator.direction', options: DIRECTIONS, value: 'DIRECTION_HIGHER_IS_BETTER' });
    const baseline = input({ label: 'ベースライン (分かれば)', field: 'expected_change.indicator.baseline', width: 'short', inputmode: 'decimal' });
    const period = input({ label: 'ベースラインの時期', field: 'expected_change.indicator.baseline_period', width: 'short', hint: '例: FY2026、2026-11' });
    const target = input({ label: '目標', field: 'expected_change.indicator.target', width: 'short', inputmode: 'decimal' });
    const form = actionForm({
      label: '期待値を追加する', submitLabel: '期待値を追加',
      children: [lbl, desc, name, idesc, h('div', { class: 'row' }, unit, kind), methods,
        h('div', { class: 'row' }, freq, dir), h('div', { class: 'row' }, baseline, period, target)],
      onSubmit: () => {
        /** @type {ui.Body} */
        const indicator = {
          nameJa: name.control.value.trim(), description: idesc.control.value.trim(), unit: unit.control.value.trim(),
          kind: kind.control.value, methods: methods.values(), frequency: freq.control.value, direction: dir.control.value,
        };
        const b = numberField(baseline);
        const t = numberField(target);
        if (b !== undefined) indicator.baseline = b;
        if (t !== undefined) indicator.target = t;
        const p = norm(period.control.value);
        if (p) indicator.baselinePeriod = p;
        return change(post, '/expected-changes', {
          expectedChange: { label: lbl.control.value.trim(), description: desc.control.value.trim(), indicator },
        }, '期待値を追加しました', 'exp-h');
      },
    });
    return h('section', { 'aria-labelledby': 'exp-h' },
      h('h2', { id: 'exp-h' }, '問5 期待すること (期待値) と測る指標'),
      list.length ? h('p', {}, h('a', { href: `#/indicators?issue=${encodeURIComponent(issue.id)}` }, 'この課題の指標の推移を見る')) : null,
      list.length ? h('ol', { class: 'cards expected' }, list.map(expectedItem)) : h('p', {}, '期待値はまだありません。'),
      !allowed('AddExpectedChange') ? null : reached ? h('details', { class: 'add', open: list.length === 0 }, h('summary', {}, '期待値を追加する'), form)
        : h('p', { class: 'hint' }, '期待値と指標は、対策と一緒にステップ5から決めます。'));
  }

  function historySection() {
    const hist = data.history || [];
    return h('section', { 'aria-labelledby': 'hist-h' },
      h('h2', { id: 'hist-h' }, '履歴'),
      h('details', {}, h('summary', {}, `変更の履歴 (${hist.length}件)`),
        h('ol', { class: 'plain history' }, hist.map((x) => h('li', {}, timestampText(x.at), ` ${x.detail || '変更'}`)))));
  }

  // 取組事例: publishing the issue to the prefecture or the nation (renkei-network), with the
  // coordinator's own profile as the contact.
  function practiceSection() {
    if (!can(ctx.session, 'NetworkService.PublishPractice')) return null;
    const prefecture = prefectureName(issue.municipalityCode || ctx.session.jurisdiction || '');
    const share = input({
      label: '公開の範囲', field: 'share_level',
      options: [['SHARE_LEVEL_PREFECTURE', `${prefecture}内の市区町村まで`], ['SHARE_LEVEL_NATIONAL', '全国']],
      value: 'SHARE_LEVEL_NATIONAL',
    });
    const question = h('div', { class: 'ask-slot' });
    const form = actionForm({
      label: '取組事例として公開する', className: 'form inline', submitLabel: '公開する', children: [share],
      onSubmit: async (f) => {
        // The contact first: without a profile there is nothing to ask.
        const mine = /** @type {renkei.v1.ListProfilesResponse} */ (
          await get('/api/v1/coordinator-profiles', { account: ctx.session.login }));
        const contact = (mine.profiles || [])[0];
        if (!contact) {
          throw new ApiError(0, 'FAILED_PRECONDITION', 'まず「ネットワーク」の画面でプロフィールを作ってください');
        }
        const national = share.control.value === 'SHARE_LEVEL_NATIONAL';
        const where = national ? '全国' : `${prefecture}内`;
        askFirst({
          slot: question,
          opener: /** @type {HTMLButtonElement} */ (f.querySelector('button[type="submit"]')),
          title: `この課題を取組事例として${where}に公開しますか？`,
          details: h('ul', {},
            h('li', {}, `ワークシートの写し (テーマ・目指す姿・現状・課題・原因・対策・期待される変化と評価の値) が、${national ? '全国の市区町村・都道府県・国' : `${prefecture}と${prefecture}内の市区町村`}で読めるようになります。`),
            h('li', {}, `連絡先として「${contact.name}」のプロフィールが載ります。`),
            h('li', {}, '根拠の記録や個人に関わる内容は含まれません。公開は取組事例の画面からやめられます。')),
          confirmLabel: `${where}に公開する`,
          action: async () => {
            const p = /** @type {renkei.v1.Practice} */ (await post('/api/v1/practices', {
              issueId: issue.id, shareLevel: share.control.value, contactProfileId: contact.id,
            }));
            ctx.announce(`取組事例として${where}に公開しました`);
            ctx.navigate(`#/practices/${encodeURIComponent(p.id)}`);
          },
        });
      },
    });
    form.append(question);
    share.control.addEventListener('change', () => replace(question));
    return h('section', { 'aria-labelledby': 'practice-h', class: 'no-print' },
      h('h2', { id: 'practice-h' }, '取組事例として公開'),
      h('p', {}, 'ワークシートの写し (目指す姿・現状・課題・原因・対策・期待される変化と評価の値) を、ほかの市区町村が参考にできるよう公開します。根拠の記録や個人に関わる内容は含まれません。公開後も課題の更新に合わせて内容が更新されます。'),
      form);
  }

  function draw() {
    pageAlert.hidden = true;
    replace(main,
      h('p', { class: 'breadcrumb' }, h('a', { href: '#/issues' }, '地域課題'), ' › 課題'),
      h('h1', {}, issue.theme || '(テーマ未記入)'),
      h('p', { class: 'meta' },
        `${municipalityName(issue.municipalityCode)} ／ 範囲: ${label(ISSUE_SCOPES, issue.scope) || label(ISSUE_SCOPES, 'ISSUE_SCOPE_MUNICIPAL')}`,
        (issue.relatedMunicipalityCodes || []).length
          ? ` (${issue.relatedMunicipalityCodes.map((c) => municipalityName(c, { withPrefecture: false })).join('、')})` : '',
        issue.escalatedAt ? ` ／ ${prefectureName(issue.municipalityCode || '')}へ上げ済み` : '',
        ` ／ 作成 `, timestampText(issue.createdAt, { time: false }), ` ／ 版 ${issue.version}`),
      pageAlert,
      stepsSection(),
      worksheetSection(),
      countermeasuresSection(),
      expectedSection(),
      meetings,
      practiceSection(),
      historySection());
  }

  draw();
}
