// Data tables that become one card per row on a narrow screen (app.css, "Tables, cards, badges":
// table.card-rows): the header row is left to screen readers, and each cell is preceded by its
// column's heading, which it carries as data-label.

/**
 * Labels each body cell of `table` with its column's heading (data-label) and marks the table
 * `card-rows`. A cell that has a label already keeps it; a cell spanning several columns gets
 * none; nor does a column whose heading is `th.action` (a cell of buttons that name themselves).
 * Rows added later are labelled by calling it again. Returns the table.
 * @template {HTMLTableElement} T
 * @param {T} table
 * @returns {T}
 */
export function cardRows(table) {
  /** @type {(string | null)[]} */
  const heads = [];
  for (const th of /** @type {NodeListOf<HTMLTableCellElement>} */ (table.querySelectorAll(':scope > thead > tr:first-child > th'))) {
    const text = th.classList.contains('action') ? '' : (th.textContent || '').trim();
    for (let i = 0; i < th.colSpan; i += 1) heads.push(th.colSpan === 1 && text ? text : null);
  }
  for (const row of /** @type {NodeListOf<HTMLTableRowElement>} */ (table.querySelectorAll(':scope > tbody > tr'))) {
    let column = 0;
    for (const cell of row.cells) {
      const head = heads[column];
      if (cell.colSpan === 1 && head && !cell.hasAttribute('data-label')) cell.setAttribute('data-label', head);
      column += cell.colSpan;
    }
  }
  table.classList.add('card-rows');
  return table;
}
