// The dashboard's attention cards: which engine figure, its words, and the invoice list it opens.

import type { Dashboard } from './api/types';

export type AttentionKey = 'to_review' | 'past_due' | 'overdue' | 'failed' | 'credits_due';

export interface AttentionCard {
  key: AttentionKey;
  label: string;
  hint: string;
  href: string;
  /** Nothing to act on: shown quietly. */
  calm: boolean;
}

/** The invoice list of one card (see invoiceFilters.ts `view`). */
export function attentionHref(key: AttentionKey): string {
  switch (key) {
    case 'to_review':
      return '#/invoices?view=review';
    case 'past_due':
      return '#/invoices?view=past_due';
    case 'overdue':
      return '#/invoices?state=unpaid';
    case 'failed':
      return '#/invoices?state=failed';
    case 'credits_due':
      return '#/invoices?view=credits';
  }
}

export function reviewListHref(): string {
  return attentionHref('to_review');
}

const CARDS: readonly Omit<AttentionCard, 'href' | 'calm'>[] = [
  { key: 'to_review', label: 'To review', hint: 'Open and finalized: still editable, not issued yet.' },
  { key: 'past_due', label: 'Past due', hint: 'Issued, not paid, and past their due date.' },
  { key: 'overdue', label: 'Unpaid', hint: 'A charge failed; the run retries every 3 days.' },
  { key: 'failed', label: 'Failed', hint: 'Charging gave up: collect these by hand.' },
  { key: 'credits_due', label: 'Credits due', hint: 'Issued with a negative total: owed to buyers.' },
];

/** The cards in reading order, each calm when its count is 0. */
export function attentionCards(board: Dashboard): AttentionCard[] {
  return CARDS.map((card) => ({
    ...card,
    href: attentionHref(card.key),
    calm: board[card.key].count === 0,
  }));
}
