// The arithmetic of a virtual table: which rows a scroll position shows (only those are in the
// DOM), which pages of the server's list they need, and where keys move the active row. Pure,
// so the window math is tested without a browser.

export interface RowWindow {
  /** The first row rendered (0-based). */
  first: number;
  /** One past the last row rendered. */
  last: number;
}

/**
 * The rows to render for a viewport of `viewportHeight` pixels scrolled to `scrollTop` (both
 * measured below the table's header), `total` rows of `rowHeight` pixels, and `overscan` more
 * on each side so that a short scroll shows rows already there.
 */
export function rowWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan = 8,
): RowWindow {
  if (total <= 0 || rowHeight <= 0) return { first: 0, last: 0 };
  const top = Math.max(0, scrollTop);
  const firstVisible = Math.min(total - 1, Math.floor(top / rowHeight));
  const lastVisible = Math.min(total, Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight));
  const first = Math.max(0, firstVisible - overscan);
  const last = Math.min(total, Math.max(lastVisible, firstVisible + 1) + overscan);
  return { first, last };
}

/**
 * The rows to render, in order: the window's, and the active row (the keyboard's, which may
 * hold the focus) wherever it is, so that scrolling it out of view does not drop the focus.
 */
export function rowsToRender({ first, last }: RowWindow, active: number, total: number): number[] {
  const rows = Array.from({ length: last - first }, (_, i) => first + i);
  if (active < 0 || active >= total || (active >= first && active < last)) return rows;
  return active < first ? [active, ...rows] : [...rows, active];
}

/**
 * Which rendered row element shows each row: a key per row index, handed to a keyed `each`.
 * Rows still rendered always keep their keys: their elements are left alone (and a focused
 * link keeps showing its own row). When most rows stay, as in a short scroll, the new rows
 * get new keys: only they are made. When most are new (a jump), the new rows take the keys
 * of the rows gone, in order, so those elements are rewritten in place, which costs the
 * browser less than making as many new ones.
 */
export function rowKeys(previous: ReadonlyMap<number, number>, rows: readonly number[], fresh: () => number): Map<number, number> {
  const keys = new Map<number, number>();
  const arriving = rows.filter((row) => !previous.has(row));
  const jump = arriving.length * 2 > rows.length;
  const gone = jump
    ? [...previous.entries()]
        .filter(([row]) => !rows.includes(row))
        .sort((a, b) => a[0] - b[0])
        .map(([, key]) => key)
    : [];
  let next = 0;
  for (const row of rows) keys.set(row, previous.get(row) ?? gone[next++] ?? fresh());
  return keys;
}

/** The 1-based pages of `pageSize` rows that hold rows `first` to `last` (exclusive). */
export function pagesFor(first: number, last: number, pageSize: number): number[] {
  if (last <= first) return [];
  const pages: number[] = [];
  for (let page = Math.floor(first / pageSize) + 1; page <= Math.floor((last - 1) / pageSize) + 1; page++) {
    pages.push(page);
  }
  return pages;
}

/** Where row `index` sits in the list's pages: its page (1-based) and its place on it. */
export function pageOf(index: number, pageSize: number): { page: number; offset: number } {
  return { page: Math.floor(index / pageSize) + 1, offset: index % pageSize };
}

/**
 * The pages to drop when more than `max` are kept: the farthest from the page in view
 * (`middle`) first, but never the first or the last page: Home and End land there, and a page
 * already here draws in one frame rather than as loading rows and again when it arrives.
 */
export function pagesToForget(kept: Iterable<number>, middle: number, lastPage: number, max: number): number[] {
  const pages = [...kept];
  if (pages.length <= max) return [];
  return pages
    .filter((page) => page !== 1 && page !== lastPage)
    .sort((a, b) => Math.abs(b - middle) - Math.abs(a - middle))
    .slice(0, pages.length - max);
}

/**
 * The scroll position that shows row `index` whole, moving as little as possible; `scrollTop`
 * when it is already in view.
 */
export function scrollToShow(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}

/**
 * The row a key moves the active row to (arrows by one, Page Up/Down by a screenful, Home and
 * End to the ends), or null for a key that does not move it. `active` is -1 when no row is.
 */
export function keyTarget(key: string, active: number, total: number, rowsPerView: number): number | null {
  if (total <= 0) return null;
  const page = Math.max(1, rowsPerView - 1);
  const from = active < 0 ? -1 : active;
  let to: number;
  switch (key) {
    case 'ArrowDown':
      to = from + 1;
      break;
    case 'ArrowUp':
      to = from < 0 ? 0 : from - 1;
      break;
    case 'PageDown':
      to = from < 0 ? page : from + page;
      break;
    case 'PageUp':
      to = from - page;
      break;
    case 'Home':
      to = 0;
      break;
    case 'End':
      to = total - 1;
      break;
    default:
      return null;
  }
  return Math.min(total - 1, Math.max(0, to));
}
