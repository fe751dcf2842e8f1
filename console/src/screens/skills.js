// スキルの枠組み (段階別): the national skill framework coordinators' trainings aim at — its
// skills by group, each with what a person can do at each level (初任者, 実践者, 指導者) — for
// everyone, any published version; and, for those who may publish it (national staff and lead
// coordinators, at the national instance only: PublishSkillFramework), an editor of the next
// version, published after an in-page confirmation that says what changes. Reached at
// #/trainings/skills (training.js), ?version=2 for an older version.
import { get, put, ApiError } from '../api.js';
import { sha256Hex } from '../proof.js';
import { h, replace } from '../dom.js';
import { input, formAlert, clearErrors } from '../forms.js';
import { timestampText } from '../datetext.js';
import { SKILL_LEVELS } from '../words.js';
import { ENUMS } from '../vocabulary.gen.js';
import { can } from '../permissions.js';
import { confirmThen } from '../confirm.js';

// The groups of DOMAIN.md, in the proto's order (renkei.v1.SkillGroup's labels).
/** @type {ui.Table<renkei.v1.SkillGroup>} */
const SKILL_GROUPS = (ENUMS['renkei.v1.SkillGroup'] || [])
  .map(([value, ja]) => /** @type {const} */ ([/** @type {renkei.v1.SkillGroup} */ (value), ja]));

const MAX_SKILLS = 200;

// A new skill's code from its name: "s" and 12 hex digits of the SHA-256 of the name as people
// would write it again (NFKC, spaces folded), so it fits [a-z0-9_]{2,40} and nobody types a code.
/** @param {string} name */
export function skillCodeOf(name) {
  return `s${sha256Hex(name.normalize('NFKC').replace(/\s+/g, ' ').trim()).slice(0, 12)}`;
}

/** @param {renkei.v1.SkillFramework} f */
function versionText(f) {
  return [`第${f.version}版`, f.publishedAt ? [' ／ 公開 ', timestampText(f.publishedAt, { time: false })] : ' ／ 組み込みの版'];
}

// One skill as people read it: its name, what it is, and what a person can do at each level.
/** @param {renkei.v1.Skill} skill */
function skillCard(skill) {
  const levels = SKILL_LEVELS.map(([lv, name]) => [name, (skill.levels || []).find((d) => d.level === lv)])
    .filter(([, d]) => d);
  return h('li', { class: 'card skill' },
    h('h3', {}, skill.name || 'スキル'),
    skill.description ? h('p', {}, skill.description) : null,
    h('dl', { class: 'facts skill-levels' }, levels.map(([name, d]) => [
      h('dt', {}, /** @type {string} */ (name)),
      h('dd', {}, /** @type {renkei.v1.SkillLevelDefinition} */ (d).description || '—'),
    ])));
}

/** @param {renkei.v1.SkillFramework} f */
function frameworkView(f) {
  const skills = f.skills || [];
  const known = new Set(SKILL_GROUPS.map(([g]) => g));
  /** @type {[string, renkei.v1.Skill[]][]} */
  const groups = SKILL_GROUPS.map(([g, name]) => [name, skills.filter((s) => s.group === g)]);
  const other = skills.filter((s) => !known.has(s.group));
  if (other.length) groups.push(['その他', other]);
  return groups.filter(([, list]) => list.length).map(([name, list], i) => h('section', {
    class: 'skill-group', 'aria-labelledby': `skill-group-${i}`,
  },
  h('h2', { id: `skill-group-${i}` }, `${name} (${list.length})`),
  h('ul', { class: 'cards skills' }, list.map(skillCard))));
}

// The editor of the next version: one fieldset per skill (name, group, description, what a person
// can do at each level; a level left blank is not defined), rows added and removed, drawn again
// so their labels keep their numbers. Codes stay with their skills; a new skill's comes from its
// name.
/** @param {renkei.v1.Skill[]} start */
function skillsEditor(start) {
  /** @typedef {{code: string, group: string, name: string, description: string, levels: Record<string, string>}} Row */
  /** @type {Row[]} */
  let rows = start.map((s) => ({
    code: s.code,
    group: s.group,
    name: s.name,
    description: s.description,
    levels: Object.fromEntries((s.levels || []).map((d) => [d.level, d.description])),
  }));
  /** @type {{row: Row, name: ui.Field, group: ui.Field, description: ui.Field, levels: [string, ui.Field][]}[]} */
  let drawn = [];
  const list = h('div', { class: 'skill-rows' });
  const add = h('button', { type: 'button', class: 'secondary' }, 'スキルを追加');
  const read = () => {
    rows = drawn.map((d) => ({
      code: d.row.code,
      group: d.group.control.value,
      name: d.name.control.value,
      description: d.description.control.value,
      levels: Object.fromEntries(d.levels.map(([lv, f]) => [lv, f.control.value])),
    }));
  };
  /** @param {number} [focusRow] */
  const draw = (focusRow) => {
    replace(list);
    drawn = rows.map((row, i) => {
      const n = i + 1;
      const name = input({ label: `スキル${n}の名前`, field: `skills[${i}].name`, value: row.name, required: true, width: 'long', maxlength: 100 });
      const group = input({ label: `スキル${n}のグループ`, field: `skills[${i}].group`, options: SKILL_GROUPS, value: row.group || SKILL_GROUPS[0][0] });
      const description = input({ label: `スキル${n}の説明`, field: `skills[${i}].description`, value: row.description, multiline: true, rows: 2 });
      /** @type {[string, ui.Field][]} */
      const levels = SKILL_LEVELS.map(([lv, lname]) => [lv, input({
        label: `スキル${n}: ${lname}の段階でできること`, field: `skills[${i}].levels`, value: row.levels[lv] || '', multiline: true, rows: 2, maxlength: 500,
      })]);
      const remove = h('button', { type: 'button', class: 'small secondary' }, `スキル${n}を削除`);
      remove.addEventListener('click', () => {
        read();
        rows.splice(i, 1);
        draw();
        const next = drawn[Math.min(i, drawn.length - 1)];
        if (next) next.name.control.focus(); else add.focus();
      });
      list.append(h('fieldset', { class: 'skill-row', 'data-field': `skills[${i}]` },
        h('legend', {}, `スキル${n}`),
        h('div', { class: 'row' }, name, group), description,
        h('div', { class: 'skill-level-fields' }, levels.map(([, f]) => f)),
        h('p', { class: 'field-error', id: `skill-row-${i}-err`, hidden: true }),
        h('div', { class: 'actions' }, remove)));
      return { row, name, group, description, levels };
    });
    add.disabled = rows.length >= MAX_SKILLS;
    if (focusRow !== undefined && drawn[focusRow]) drawn[focusRow].name.control.focus();
  };
  add.addEventListener('click', () => {
    read();
    rows.push({ code: '', group: SKILL_GROUPS[0][0], name: '', description: '', levels: {} });
    draw(rows.length - 1);
  });
  draw();
  /** @returns {renkei.v1.Skill[]} */
  const values = () => drawn.map((d) => {
    const name = d.name.control.value.trim();
    return {
      code: d.row.code || skillCodeOf(name),
      group: /** @type {renkei.v1.SkillGroup} */ (d.group.control.value),
      name,
      description: d.description.control.value.trim(),
      levels: d.levels.filter(([, f]) => f.control.value.trim())
        .map(([lv, f]) => ({ level: /** @type {renkei.v1.SkillLevel} */ (lv), description: f.control.value.trim() })),
    };
  });
  return Object.assign(h('div', { class: 'skills-editor' }, list, h('div', { class: 'actions' }, add)), { values });
}

// What the next version changes against the latest: skills added, removed and changed, by name.
/**
 * @param {renkei.v1.Skill[]} before
 * @param {renkei.v1.Skill[]} after
 */
export function frameworkChanges(before, after) {
  const old = new Map(before.map((s) => [s.code, s]));
  const now = new Map(after.map((s) => [s.code, s]));
  const same = (/** @type {renkei.v1.Skill} */ a, /** @type {renkei.v1.Skill} */ b) => a.name === b.name && a.group === b.group
    && (a.description || '') === (b.description || '')
    && JSON.stringify((a.levels || []).map((d) => [d.level, d.description]))
      === JSON.stringify((b.levels || []).map((d) => [d.level, d.description]));
  return {
    added: after.filter((s) => !old.has(s.code)).map((s) => s.name),
    removed: before.filter((s) => !now.has(s.code)).map((s) => s.name),
    changed: after.filter((s) => old.has(s.code) && !same(/** @type {renkei.v1.Skill} */ (old.get(s.code)), s)).map((s) => s.name),
  };
}

/**
 * @param {ui.ScreenContext} ctx
 * @param {renkei.v1.SkillFramework} latest
 */
function publishForm(ctx, latest) {
  const editor = skillsEditor(latest.skills || []);
  const alert = formAlert();
  const next = latest.version + 1;
  const submit = h('button', { type: 'submit', class: 'primary' }, `第${next}版として公開する`);
  const form = h('form', { class: 'form', 'aria-label': 'スキルの枠組みの新しい版', novalidate: true },
    alert,
    h('p', { class: 'hint' }, `いまの第${latest.version}版をもとに、次の版を作ります。段階の欄を空にすると、そのスキルはその段階では定義しません (どれか1つは必要です)。`),
    h('div', { 'data-field': 'skills' }, editor, h('p', { class: 'field-error', id: 'skills-err', hidden: true })),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form, alert);
    const skills = editor.values();
    const { added, removed, changed } = frameworkChanges(latest.skills || [], skills);
    /** @param {string[]} names */
    const some = (names) => names.map((n) => `「${n || '名前のないスキル'}」`).join('');
    const f = await confirmThen(submit, {
      title: `スキルの枠組み 第${next}版を公開しますか`,
      lines: [
        `スキル ${skills.length}件 (追加 ${added.length}件・削除 ${removed.length}件・変更 ${changed.length}件)。`,
        added.length ? `追加: ${some(added)}` : null,
        changed.length ? `変更: ${some(changed)}` : null,
        removed.length ? `削除: ${some(removed)}。このスキルを目標にしている研修は、次に変更するときに選び直しが必要です。` : null,
        '全国のインスタンスに届き、各地の研修の目標スキルとアンケートは、この版で確かめられます。',
        '公開した版は取り消せません。直すときは、その次の版を公開します。',
      ].filter(Boolean),
      confirmLabel: '公開する',
      danger: true,
      action: async () => /** @type {renkei.v1.SkillFramework} */ (
        await put('/api/v1/skill-framework', { skills, expectedVersion: latest.version })),
    });
    if (!f) return;
    ctx.announce(`スキルの枠組み 第${f.version}版を公開しました`);
    ctx.navigate('#/trainings/skills');
  });
  return form;
}

/**
 * @param {HTMLElement} main
 * @param {ui.ScreenContext} ctx
 */
export async function render(main, ctx) {
  const asked = Number(ctx.query.get('version')) || 0;
  const latest = /** @type {renkei.v1.SkillFramework} */ (await get('/api/v1/skill-framework'));
  /** @type {renkei.v1.SkillFramework} */
  let shown = latest;
  /** @type {string} */
  let missing = '';
  if (asked && asked !== latest.version) {
    try {
      shown = /** @type {renkei.v1.SkillFramework} */ (await get('/api/v1/skill-framework', { version: asked }));
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 401) throw err;
      missing = `第${asked}版は見つかりませんでした。最新の版を表示しています。`;
    }
  }
  const versions = Array.from({ length: latest.version }, (_, i) => latest.version - i);
  const pick = h('select', { id: 'skill-version' }, versions.map((v) => h('option', { value: String(v), selected: v === shown.version },
    v === latest.version ? `第${v}版 (最新)` : `第${v}版`)));
  const chooser = h('form', { class: 'toolbar no-print', 'aria-label': '表示する版' },
    h('label', { for: 'skill-version' }, '版'), pick, h('button', { type: 'submit' }, '表示'));
  chooser.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.navigate(pick.value === String(latest.version) ? '#/trainings/skills' : `#/trainings/skills?version=${pick.value}`);
  });
  // Publishing: the national instance only (the service refuses it elsewhere), for those allowed.
  const level = ctx.session.instance && ctx.session.instance.level;
  const publishing = level === 'national' && can(ctx.session, 'TrainingService.PublishSkillFramework');
  const count = (shown.skills || []).length;
  replace(main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/trainings' }, '研修'), ' › スキルの枠組み'),
    h('h1', {}, 'スキルの枠組み'),
    h('p', {}, 'コーディネーターに求められるスキルを、段階 (', SKILL_LEVELS.map(([, n]) => n).join('・'),
      ') ごとに国が定めたものです。研修は、目標とするスキルと段階をここから選びます。'),
    h('p', { class: 'meta' }, versionText(shown), ` ／ スキル ${count}件`),
    missing ? h('p', { class: 'notice' }, missing) : null,
    versions.length > 1 ? chooser : null,
    shown.version !== latest.version ? h('p', { class: 'notice' }, `これは以前の版です。いまの研修は第${latest.version}版で確かめられます。`) : null,
    count ? frameworkView(shown) : h('p', { class: 'empty' }, 'この版にはスキルがありません。'),
    publishing ? h('section', { class: 'no-print', 'aria-labelledby': 'publish-h' },
      h('h2', { id: 'publish-h' }, '新しい版を公開する'),
      h('details', { class: 'add' }, h('summary', {}, `第${latest.version + 1}版を作る`), publishForm(ctx, latest))) : null);
}
