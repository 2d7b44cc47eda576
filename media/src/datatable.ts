// A sortable, filterable table on vscode-table whose rows are patched by key (no rebuild, no
// flicker). Cells are plain text; rows may carry classes (added / removed / current / problem).
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-header/index.js';
import '@vscode-elements/elements/dist/vscode-table-header-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';
import { h, patchKeyed, setText } from './dom';
import { filterRows, sortRows, type SortDir } from './lib/table';

export interface Column {
  label: string;
  /** Initial width in percent of the table for vscode-table's `columns` (e.g. "8%"); pixel widths
   * would be resolved against the component's width before it is laid out. */
  width?: string;
  mono?: boolean;
}

export interface Row {
  key: string;
  cells: string[];
  classes?: string[];
  /** Tooltip for the whole row. */
  title?: string;
}

export interface DataTableOptions {
  onRowClick?: (key: string) => void;
  empty?: string;
  sort?: { col: number; dir: SortDir };
  onSort?: (col: number, dir: SortDir) => void;
}

export class DataTable {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private readonly heads: HTMLElement[];
  private readonly emptyEl: HTMLElement;
  private rows: Row[] = [];
  private query = '';
  private sort: { col: number; dir: SortDir } | undefined;

  constructor(private readonly columns: Column[], private readonly opts: DataTableOptions = {}) {
    this.sort = opts.sort;
    const table = h('vscode-table', { 'zebra': true, 'bordered-rows': true, 'class': 'data-table' });
    (table as unknown as { columns: string[] }).columns = columns.map((c) => c.width ?? 'auto');
    const header = h('vscode-table-header', { slot: 'header' });
    this.heads = columns.map((c, i) => {
      const cell = h('vscode-table-header-cell', { class: 'sortable', tabindex: 0, role: 'columnheader' }, c.label);
      cell.addEventListener('click', () => this.toggleSort(i));
      cell.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          this.toggleSort(i);
        }
      });
      header.appendChild(cell);
      return cell;
    });
    this.body = h('vscode-table-body', { slot: 'body' });
    table.append(header, this.body);
    this.emptyEl = h('p', { class: 'muted table-empty', hidden: true }, opts.empty ?? 'Nothing to show.');
    this.el = h('div', { class: 'table-wrap' }, table, this.emptyEl);
    this.body.addEventListener('click', (e) => {
      const row = (e.target as Element).closest('vscode-table-row') as HTMLElement | null;
      if (row?.dataset.key !== undefined) opts.onRowClick?.(row.dataset.key);
    });
    this.body.addEventListener('keydown', (e) => {
      const row = (e.target as Element).closest('vscode-table-row') as HTMLElement | null;
      if (row?.dataset.key !== undefined && e.key === 'Enter') opts.onRowClick?.(row.dataset.key);
    });
  }

  setRows(rows: Row[]): void {
    this.rows = rows;
    this.render();
  }

  setFilter(q: string): void {
    this.query = q;
    this.render();
  }

  private toggleSort(col: number): void {
    const dir: SortDir = this.sort?.col === col && this.sort.dir === 'asc' ? 'desc' : 'asc';
    this.sort = { col, dir };
    this.opts.onSort?.(col, dir);
    this.render();
  }

  private render(): void {
    this.heads.forEach((cell, i) => {
      const mark = this.sort?.col === i ? (this.sort.dir === 'asc' ? ' ▲' : ' ▼') : '';
      setText(cell, this.columns[i].label + mark);
      cell.setAttribute('aria-sort', this.sort?.col === i ? (this.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
    });
    let rows = filterRows(this.rows, this.query);
    if (this.sort) rows = sortRows(rows, this.sort.col, this.sort.dir);
    patchKeyed(
      this.body,
      rows,
      (r) => r.key,
      (r) => {
        const row = h('vscode-table-row', { tabindex: this.opts.onRowClick ? 0 : undefined });
        r.cells.forEach((_, i) => row.appendChild(h('vscode-table-cell', { class: this.columns[i]?.mono ? 'mono' : undefined })));
        return row;
      },
      (el, r) => {
        el.className = ['row', ...(r.classes ?? [])].join(' ');
        if (r.title) el.setAttribute('title', r.title);
        else el.removeAttribute('title');
        const cells = el.children;
        r.cells.forEach((c, i) => cells[i] && setText(cells[i], c));
      },
    );
    // vscode-table sizes the body from its first row's cells, and only when its body slot
    // changes; rows come and go here, so give the current first row the column widths.
    const first = this.body.firstElementChild;
    this.heads.forEach((c, i) => (c.style.width = this.columns[i].width ?? ''));
    if (first) Array.from(first.children).forEach((c, i) => ((c as HTMLElement).style.width = this.columns[i]?.width ?? ''));
    this.emptyEl.hidden = rows.length > 0;
    this.el.dataset.rows = String(rows.length);
  }
}
