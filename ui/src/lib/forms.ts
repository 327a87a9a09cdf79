// Where an error goes on a form: a validation error naming a field the form shows goes next to
// that control; everything else goes into the form's banner.

import { tick } from 'svelte';
import { ApiError } from './api';

/** Messages by field path (`org_name`, `legal_address.country`, `card.last4`, ...). */
export type FieldErrors = Record<string, string>;

export interface Failure {
  fields: FieldErrors;
  banner: string | null;
}

export const SCREEN_FAILURE = 'Something went wrong on this screen. Reload it (Ctrl+R) and try again.';

export const NO_FAILURE: Failure = { fields: {}, banner: null };

/** Splits an error between the controls named in `shownFields` and the banner. */
export function describeFailure(error: unknown, shownFields: readonly string[]): Failure {
  if (error instanceof Error && !(error instanceof ApiError)) {
    console.error(error);
    return { fields: {}, banner: SCREEN_FAILURE };
  }
  const apiError = ApiError.from(error);
  if (apiError.code === 'validation' && apiError.errors.length > 0) {
    // Several fields at once: each next to its control, the others together in the banner.
    const fields: FieldErrors = {};
    const rest: string[] = [];
    for (const { field, message } of apiError.errors) {
      if (shownFields.includes(field) && !Object.hasOwn(fields, field)) fields[field] = message;
      else rest.push(message);
    }
    return { fields, banner: rest.length > 0 ? rest.join(' ') : null };
  }
  if (apiError.code === 'validation' && apiError.field && shownFields.includes(apiError.field)) {
    return { fields: { [apiError.field]: apiError.message }, banner: null };
  }
  return { fields: {}, banner: apiError.message };
}

/** The message for the control named `field`, if any. */
export function fieldError(failure: Failure, field: string): string | undefined {
  return Object.hasOwn(failure.fields, field) ? failure.fields[field] : undefined;
}

/** A failure found before calling the engine (e.g. "not a whole number"). */
export function localFailure(fields: FieldErrors): Failure {
  return { fields, banner: null };
}

export function hasErrors(failure: Failure): boolean {
  return failure.banner !== null || Object.keys(failure.fields).length > 0;
}

/**
 * After a failed submit: moves the focus to the first control marked invalid in `container`
 * and scrolls it (with its message) into view. Runs after the DOM shows the new errors.
 */
export async function focusFirstInvalid(container: HTMLElement | undefined | null): Promise<void> {
  await tick();
  const control = container?.querySelector<HTMLElement>('[aria-invalid="true"]');
  if (!control) return;
  control.focus({ preventScroll: true });
  const box = control.closest('.field') ?? control;
  box.scrollIntoView({ block: 'nearest' });
}
