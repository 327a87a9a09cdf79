import { describe, expect, it } from 'vitest';
import { catchUpNotice, type BillingProgress } from './billingProgress';

const idle: BillingProgress = { running: false, done: 0, total: 0, day: null, paused: false, error: null };

describe('catchUpNotice', () => {
  it('shows nothing for an up-to-date book or the normal one-day run', () => {
    expect(catchUpNotice(idle, 'en-GB')).toBeNull();
    expect(catchUpNotice({ ...idle, running: true, total: 1 }, 'en-GB')).toBeNull();
    expect(catchUpNotice({ ...idle, done: 1, total: 1, day: '2026-11-21' }, 'en-GB')).toBeNull();
  });

  it('counts the days while a catch-up runs', () => {
    expect(catchUpNotice({ ...idle, running: true, total: 160 }, 'en-GB')).toEqual({
      kind: 'running',
      text: 'Billing the days the book was closed: 0 of 160 days…',
    });
    expect(catchUpNotice({ ...idle, running: true, done: 1200, total: 1500, day: '2026-07-02' }, 'en-GB')?.text).toBe(
      'Billing the days the book was closed: 1,200 of 1,500 days, up to 2 Jul 2026…',
    );
  });

  it('says how many days wait after a cancel, and that the figures leave them out', () => {
    expect(catchUpNotice({ ...idle, paused: true, done: 3, total: 41, day: '2025-05-03' }, 'en-GB')).toEqual({
      kind: 'paused',
      text: 'Billing paused after 3 May 2025: 38 days not billed yet. Invoices and figures leave out those days until you resume.',
    });
    expect(catchUpNotice({ ...idle, paused: true, done: 40, total: 41, day: '2025-06-09' }, 'en-GB')?.text).toContain(': 1 day not billed yet.');
  });

  it('reports the end of a catch-up, and a failure before anything else', () => {
    expect(catchUpNotice({ ...idle, done: 41, total: 41, day: '2025-06-10' }, 'en-GB')).toEqual({
      kind: 'finished',
      text: 'Billing caught up: 41 days billed, up to 10 Jun 2025.',
    });
    expect(catchUpNotice({ ...idle, done: 2, total: 41, day: '2025-05-02', error: 'The disk is full.' }, 'en-GB')).toEqual({
      kind: 'failed',
      text: 'The billing run failed after 2 May 2025: The disk is full. It will be tried again at the next daily run.',
    });
  });
});
