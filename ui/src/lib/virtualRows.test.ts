import { describe, expect, it } from 'vitest';
import { keyTarget, pageOf, pagesFor, pagesToForget, rowKeys, rowsToRender, rowWindow, scrollToShow } from './virtualRows';

describe('rowWindow', () => {
  it.each([
    // scrollTop, viewport, rowHeight, total, overscan → first, last; why
    [0, 360, 36, 100_000, 5, { first: 0, last: 15 }, 'the top: 10 rows and 5 more'],
    [3600, 360, 36, 100_000, 5, { first: 95, last: 115 }, 'row 100 at the top'],
    [3618, 360, 36, 100_000, 0, { first: 100, last: 111 }, 'half rows count'],
    [36 * 99_990, 360, 36, 100_000, 5, { first: 99_985, last: 100_000 }, 'the very end'],
    [10_000_000, 360, 36, 20, 5, { first: 14, last: 20 }, 'scrolled past a list that shrank'],
    [0, 360, 36, 3, 5, { first: 0, last: 3 }, 'fewer rows than fit'],
    [0, 360, 36, 0, 5, { first: 0, last: 0 }, 'no rows'],
    [-50, 0, 36, 10, 0, { first: 0, last: 1 }, 'no height yet: one row, never none'],
  ])('scrollTop %d, viewport %d, rows of %d × %d, overscan %d', (scrollTop, viewport, rowHeight, total, overscan, expected, _why) => {
    expect(rowWindow(scrollTop, viewport, rowHeight, total, overscan)).toEqual(expected);
  });

  it('keeps the rendered rows few however far the list scrolls', () => {
    for (let top = 0; top < 36 * 100_000; top += 36 * 7919) {
      const window = rowWindow(top, 600, 36, 100_000, 8);
      expect(window.last - window.first).toBeLessThanOrEqual(Math.ceil(600 / 36) + 1 + 16);
      expect(window.first).toBeGreaterThanOrEqual(Math.floor(top / 36) - 8);
    }
  });
});

describe('rowsToRender', () => {
  it.each([
    [{ first: 10, last: 14 }, -1, 100, [10, 11, 12, 13], 'no active row: the window'],
    [{ first: 10, last: 14 }, 12, 100, [10, 11, 12, 13], 'the active row in the window'],
    [{ first: 10, last: 14 }, 3, 100, [3, 10, 11, 12, 13], 'above the window: first'],
    [{ first: 10, last: 14 }, 90, 100, [10, 11, 12, 13, 90], 'below the window: last'],
    [{ first: 10, last: 14 }, 150, 100, [10, 11, 12, 13], 'past a list that shrank: none'],
  ])('%j with row %d active of %d → %j (%s)', (window, active, total, expected) => {
    expect(rowsToRender(window, active, total)).toEqual(expected);
  });
});

describe('rowKeys', () => {
  const counter = (from: number) => () => from++;
  const keysOf = (entries: [number, number][]) => new Map(entries);

  it('gives every row a new key at first', () => {
    expect([...rowKeys(new Map(), [5, 6, 7], counter(1))]).toEqual([
      [5, 1],
      [6, 2],
      [7, 3],
    ]);
  });

  it('keeps the keys of rows still rendered when most stay (a short scroll)', () => {
    const keys = rowKeys(keysOf([[5, 1], [6, 2], [7, 3], [8, 4]]), [6, 7, 8, 9], counter(10));
    expect([...keys]).toEqual([
      [6, 2],
      [7, 3],
      [8, 4],
      [9, 10],
    ]);
  });

  it('hands the old keys, in order, to the new rows when most are new (a jump)', () => {
    const keys = rowKeys(keysOf([[7, 3], [5, 1], [6, 2]]), [40, 41, 42, 43], counter(10));
    expect([...keys]).toEqual([
      [40, 1],
      [41, 2],
      [42, 3],
      [43, 10],
    ]);
  });

  it('keeps the key of a row still rendered in a jump (the focused row kept in view)', () => {
    const keys = rowKeys(keysOf([[5, 1], [6, 2], [7, 3], [8, 4]]), [7, 40, 41, 42], counter(10));
    expect([...keys]).toEqual([
      [7, 3],
      [40, 1],
      [41, 2],
      [42, 4],
    ]);
  });

  it('never gives two rows one key', () => {
    let previous = new Map<number, number>();
    const fresh = counter(1);
    for (const first of [0, 3, 40, 41, 90, 60, 61, 62, 0]) {
      const rows = Array.from({ length: 20 }, (_, i) => first + i);
      previous = rowKeys(previous, rows, fresh);
      expect(new Set(previous.values()).size).toBe(rows.length);
    }
  });
});

describe('pagesFor', () => {
  it.each([
    [0, 15, 200, [1]],
    [190, 215, 200, [1, 2]],
    [200, 400, 200, [2]],
    [399, 401, 200, [2, 3]],
    [5, 5, 200, []],
  ])('rows %d–%d in pages of %d → %j', (first, last, size, expected) => {
    expect(pagesFor(first, last, size)).toEqual(expected);
  });

  it('agrees with pageOf', () => {
    expect(pageOf(0, 200)).toEqual({ page: 1, offset: 0 });
    expect(pageOf(199, 200)).toEqual({ page: 1, offset: 199 });
    expect(pageOf(200, 200)).toEqual({ page: 2, offset: 0 });
    expect(pageOf(99_999, 200)).toEqual({ page: 500, offset: 199 });
  });
});

describe('pagesToForget', () => {
  it('keeps everything up to the limit', () => {
    expect(pagesToForget([1, 2, 3], 2, 500, 3)).toEqual([]);
  });

  it('drops the pages farthest from the view first', () => {
    expect(pagesToForget([40, 41, 42, 43, 60], 42, 500, 3).sort((a, b) => a - b)).toEqual([40, 60]);
  });

  it('never drops the first or the last page, where Home and End land', () => {
    const kept = [1, 250, 251, 252, 500];
    expect(pagesToForget(kept, 251, 500, 3).sort((a, b) => a - b)).toEqual([250, 252]);
  });
});

describe('scrollToShow', () => {
  it.each([
    [5, 0, 360, 36, 0, 'already in view'],
    [9, 0, 360, 36, 0, 'the last whole row in view'],
    [10, 0, 360, 36, 36, 'one below: scroll by one row'],
    [3, 200, 360, 36, 108, 'above: its top at the top'],
    [0, 5000, 360, 36, 0, 'the first row'],
  ])('row %d from %d (viewport %d, rows of %d) → %d (%s)', (index, top, viewport, rowHeight, expected, _why) => {
    expect(scrollToShow(index, top, viewport, rowHeight)).toBe(expected);
  });
});

describe('keyTarget', () => {
  it.each([
    ['ArrowDown', -1, 100, 10, 0, 'the first key press activates the first row'],
    ['ArrowDown', 4, 100, 10, 5, ''],
    ['ArrowDown', 99, 100, 10, 99, 'stays on the last row'],
    ['ArrowUp', 0, 100, 10, 0, 'stays on the first row'],
    ['ArrowUp', -1, 100, 10, 0, ''],
    ['PageDown', 0, 100, 10, 9, 'a screenful less one row, so one row stays in sight'],
    ['PageDown', 95, 100, 10, 99, ''],
    ['PageUp', 50, 100, 10, 41, ''],
    ['Home', 50, 100, 10, 0, ''],
    ['End', 3, 100_000, 10, 99_999, ''],
    ['Enter', 3, 100, 10, null, 'Enter opens, it does not move'],
    ['ArrowDown', -1, 0, 10, null, 'no rows'],
  ] as const)('%s from %d of %d (%d per view) → %s', (key, active, total, perView, expected, _why) => {
    expect(keyTarget(key, active, total, perView)).toBe(expected);
  });
});
