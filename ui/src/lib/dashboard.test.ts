import { describe, expect, it } from 'vitest';
import type { Dashboard } from './api/types';
import { attentionCards } from './dashboard';
import { parseFilters } from './invoiceFilters';

const group = (count: number, total = '0.00') => ({ count, total });

const board: Dashboard = {
  today: '2025-02-03',
  to_review: group(2, '240.00'),
  to_review_items: [],
  past_due: group(0),
  overdue: group(1, '120.00'),
  failed: group(0),
  credits_due: group(1, '-25.00'),
  last_run: null,
  next_run: '2025-02-04T08:00:00Z',
};

describe('attentionCards', () => {
  it('lists every group in reading order, quiet when there is nothing to do', () => {
    const cards = attentionCards(board);
    expect(cards.map((c) => c.key)).toEqual(['to_review', 'past_due', 'overdue', 'failed', 'credits_due']);
    expect(cards.map((c) => c.calm)).toEqual([false, true, false, true, false]);
  });

  it('opens the invoice list filtered to exactly that group', () => {
    const hrefs = Object.fromEntries(attentionCards(board).map((c) => [c.key, c.href]));
    const filtersOf = (href: string) => parseFilters(href.split('?')[1] ?? '');
    expect(filtersOf(hrefs.overdue).state).toBe('unpaid');
    expect(filtersOf(hrefs.failed).state).toBe('failed');
    expect(filtersOf(hrefs.to_review).view).toBe('review');
    expect(filtersOf(hrefs.past_due).view).toBe('past_due');
    expect(filtersOf(hrefs.credits_due).view).toBe('credits');
  });
});
