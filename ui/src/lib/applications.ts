// How applications (a buyer's subscriptions) are shown and what they offer: the state as a
// finance user reads it, the actions the engine accepts in that state, the plans a change may
// go to, and the usage form's time field (local time in, RFC 3339 UTC out).

import type { Application, Plan } from './api/types';

export interface ApplicationStatus {
  label: string;
  /** The badge class, as lib/invoices.ts stateBadge. */
  badge: string;
  /** A longer explanation for a title/tooltip. */
  detail: string;
}

/**
 * Cancelled, suspended, in its trial (at `now`, the book's clock) or live, the first that is
 * true: a cancelled application is billed no more whatever else is true of it.
 */
export function applicationStatus(app: Application, now: string): ApplicationStatus {
  if (app.state === 'cancelled') {
    return { label: 'Cancelled', badge: 'badge gone', detail: 'Cancelled: billed no more.' };
  }
  if (app.suspended) {
    return {
      label: 'Suspended',
      badge: 'badge warn',
      detail: 'Suspended: its requests are refused, but billing continues until it is cancelled.',
    };
  }
  if (app.trial_ends_at && Date.parse(app.trial_ends_at) > Date.parse(now)) {
    return {
      label: 'In trial',
      badge: 'badge accent',
      detail: 'In its trial: nothing is billed until the trial ends.',
    };
  }
  return { label: 'Live', badge: 'badge on', detail: 'Live: billed monthly.' };
}

export interface ApplicationActions {
  changePlan: boolean;
  recordUsage: boolean;
  cancel: boolean;
  /** Give it its own copy of its plan (customize_plan). */
  customize: boolean;
  /** Return it from its custom plan to the plan that was copied (decustomize_plan). */
  goBack: boolean;
}

/**
 * What the engine accepts for the application on `plan` (its plan, when known): nothing once
 * it is cancelled; a custom plan is made once, and left to go back.
 */
export function applicationActions(app: Application, plan?: Plan): ApplicationActions {
  const live = app.state === 'live';
  return {
    changePlan: live,
    recordUsage: live,
    cancel: live,
    customize: live && plan !== undefined && plan.custom == null,
    goBack: live && plan?.custom != null,
  };
}

/**
 * The plans an application may change to: its service's other plans, published first, then
 * by name. Hidden plans stay choosable (a provider may move a buyer onto one); custom plans
 * are their own application's.
 */
export function planChoices(plans: readonly Plan[], current: Plan): Plan[] {
  return plans
    .filter((plan) => plan.service_id === current.service_id && plan.id !== current.id && plan.custom == null)
    .sort(
      (a, b) =>
        Number(a.state !== 'published') - Number(b.state !== 'published') || a.name.localeCompare(b.name),
    );
}

/** A plan as a choice: its name, price and trial, "(hidden)" when buyers cannot see it. */
export function planLabel(plan: Plan, money: (amount: string) => string): string {
  const parts = [`${plan.name} — ${money(plan.cost_per_month)} per month`];
  if (plan.trial_period_days > 0) parts.push(`${plan.trial_period_days}-day trial`);
  if (plan.state !== 'published') parts.push('hidden');
  return parts.join(', ');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An instant as a datetime-local control shows it: local time, to the minute. */
export function toLocalInput(instant: string | Date): string {
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  if (Number.isNaN(date.getTime())) return '';
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

/**
 * A datetime-local value (local time, `YYYY-MM-DDTHH:mm[:ss]`) as the engine takes it
 * (RFC 3339, UTC); null when it is not a date and time.
 */
export function fromLocalInput(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!match) return null;
  const [year, month, day, hour, minute, second = '0'] = match.slice(1).map((part) => part ?? '0');
  const date = new Date(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  // Reject rolled-over values such as 31 February.
  if (Number.isNaN(date.getTime()) || date.getDate() !== Number(day) || date.getMonth() !== Number(month) - 1) {
    return null;
  }
  return date.toISOString().replace('.000Z', 'Z');
}
