import { describe, expect, it } from 'vitest';
import { keyTarget, pageOf, pagesFor, rowWindow, scrollToShow } from './virtualRows';

describe('rowWindow', () => {
  it.each([
    // scrollTop, viewport, rowHeight, total, overscan → first, last, above, below; why
    [0, 360, 36, 100_000, 5, { first: 0, last: 15, above: 0, below: (100_000 - 15) * 36 }, 'the top: 10 rows and 5 more'],
    [3600, 360, 36, 100_000, 5, { first: 95, last: 115, above: 95 * 36, below: (100_000 - 115) * 36 }, 'row 100 at the top'],
    [3618, 360, 36, 100_000, 0, { first: 100, last: 111, above: 3600, below: (100_000 - 111) * 36 }, 'half rows count'],
    [36 * 99_990, 360, 36, 100_000, 5, { first: 99_985, last: 100_000, above: 99_985 * 36, below: 0 }, 'the very end'],
    [10_000_000, 360, 36, 20, 5, { first: 14, last: 20, above: 14 * 36, below: 0 }, 'scrolled past a list that shrank'],
    [0, 360, 36, 3, 5, { first: 0, last: 3, above: 0, below: 0 }, 'fewer rows than fit'],
    [0, 360, 36, 0, 5, { first: 0, last: 0, above: 0, below: 0 }, 'no rows'],
    [-50, 0, 36, 10, 0, { first: 0, last: 1, above: 0, below: 9 * 36 }, 'no height yet: one row, never none'],
  ])('scrollTop %d, viewport %d, rows of %d × %d, overscan %d', (scrollTop, viewport, rowHeight, total, overscan, expected, _why) => {
    expect(rowWindow(scrollTop, viewport, rowHeight, total, overscan)).toEqual(expected);
  });

  it('keeps the rendered rows few however far the list scrolls', () => {
    for (let top = 0; top < 36 * 100_000; top += 36 * 7919) {
      const window = rowWindow(top, 600, 36, 100_000, 8);
      expect(window.last - window.first).toBeLessThanOrEqual(Math.ceil(600 / 36) + 1 + 16);
      expect(window.above + (window.last - window.first) * 36 + window.below).toBe(36 * 100_000);
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
