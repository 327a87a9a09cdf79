// The desktop's billing catch-up as the window shows it. A book opened after days closed has
// every missed day billed first, one day at a time (src-tauri/billing.rs); the window shows
// "n of N days" with Cancel, and after a cancel the days still to bill with Resume. In a
// browser the server bills on its own and none of this shows.

import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { ApiError } from './api';
import { countOf, formatCalendarDate, formatCount } from './format';

/** Where the catch-up stands, as `billing_progress` and the `billing-progress` event give it. */
export interface BillingProgress {
  running: boolean;
  done: number;
  total: number;
  /** The day billed last, YYYY-MM-DD. */
  day: string | null;
  paused: boolean;
  error: string | null;
}

/** The event name src-tauri/billing.rs sends each change under. */
export const PROGRESS_EVENT = 'billing-progress';

/** What the window shows for a state of the catch-up, or null for nothing. */
export interface CatchUpNotice {
  kind: 'running' | 'paused' | 'failed' | 'finished';
  text: string;
}

/**
 * The notice for `progress`. One day's job is the normal daily run and shows nothing; a
 * catch-up of several days shows while it runs and once it is done.
 */
export function catchUpNotice(progress: BillingProgress, locale?: string): CatchUpNotice | null {
  const days = (count: number) => countOf(count, 'day', 'days', locale);
  const day = progress.day ? formatCalendarDate(progress.day, locale) : null;
  if (progress.error) {
    return {
      kind: 'failed',
      text: `The billing run failed${day ? ` after ${day}` : ''}: ${progress.error} It will be tried again at the next daily run.`,
    };
  }
  if (progress.paused) {
    const left = progress.total - progress.done;
    return {
      kind: 'paused',
      text: `Billing paused${day ? ` after ${day}` : ''}: ${days(left)} not billed yet. Invoices and figures leave out those days until you resume.`,
    };
  }
  if (progress.total < 2) return null;
  if (progress.running) {
    return {
      kind: 'running',
      text: `Billing the days the book was closed: ${formatCount(progress.done, locale)} of ${days(progress.total)}${day ? `, up to ${day}` : ''}…`,
    };
  }
  return { kind: 'finished', text: `Billing caught up: ${days(progress.done)} billed${day ? `, up to ${day}` : ''}.` };
}

/** The desktop's commands for the catch-up (Tauri's IPC; replaced in tests). */
export interface BillingCommands {
  current(): Promise<BillingProgress>;
  cancel(): Promise<void>;
  resume(): Promise<void>;
  /** Calls `onchange` on every change until the returned function is called. */
  follow(onchange: (progress: BillingProgress) => void): Promise<() => void>;
}

export function billingCommands(): BillingCommands {
  async function command<T>(name: string): Promise<T> {
    try {
      return (await invoke(name)) as T;
    } catch (error) {
      throw ApiError.from(error);
    }
  }
  return {
    current: () => command<BillingProgress>('billing_progress'),
    cancel: () => command<void>('cancel_billing'),
    resume: () => command<void>('resume_billing'),
    follow: (onchange) => listen<BillingProgress>(PROGRESS_EVENT, (event) => onchange(event.payload)),
  };
}
