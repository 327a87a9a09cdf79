import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './api';
import { NO_FAILURE, SCREEN_FAILURE } from './forms';
import { Submitter } from './submitter.svelte';

const FIELDS = ['name', 'legal_address.city'];

/** A form holding one control marked invalid (or none), counting where the focus went. */
function fakeForm(invalid: boolean) {
  const control = {
    focus: vi.fn(),
    closest: () => null,
    scrollIntoView: vi.fn(),
  };
  const form = { querySelector: vi.fn(() => (invalid ? control : null)) };
  return { form: form as unknown as HTMLElement, control };
}

/** Waits for the focus, which moves once the DOM shows the errors (after a tick). */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A call that stays pending until `finish` or `fail` is called. */
function pending<T>() {
  let finish!: (value: T) => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { promise, finish, fail };
}

describe('Submitter.submit', () => {
  it.each([
    {
      why: 'a validation error on a field of the form goes next to it and is focused',
      error: new ApiError('validation', 'Enter a city.', 'legal_address.city'),
      fields: { 'legal_address.city': 'Enter a city.' },
      banner: null,
      focused: true,
    },
    {
      why: 'an error naming no field of the form goes to the banner; the focus stays',
      error: new ApiError('conflict', 'The account changed meanwhile.', 'name'),
      fields: {},
      banner: 'The account changed meanwhile.',
      focused: false,
    },
  ])('$why', async ({ error, fields, banner, focused }) => {
    const { form, control } = fakeForm(focused);
    const submitter = new Submitter(FIELDS);
    submitter.element = form;
    const then = vi.fn();

    const done = await submitter.submit(() => Promise.reject(error), then);
    await settled();

    expect(done).toBe(false);
    expect(then).not.toHaveBeenCalled();
    expect(submitter.failure).toEqual({ fields, banner });
    expect(submitter.error('legal_address.city')).toBe(focused ? 'Enter a city.' : undefined);
    expect(control.focus).toHaveBeenCalledTimes(focused ? 1 : 0);
    expect(submitter.busy).toBe(false);
  });

  it('is busy while the call runs and ignores a second submit meanwhile', async () => {
    const submitter = new Submitter(FIELDS);
    const call = pending<string>();
    const send = vi.fn(() => call.promise);

    const first = submitter.submit(send);
    expect(submitter.busy).toBe(true);
    expect(await submitter.submit(send)).toBe(false);
    expect(send).toHaveBeenCalledTimes(1);

    call.finish('saved');
    expect(await first).toBe(true);
    expect(submitter.busy).toBe(false);
  });

  it('clears the errors shown once the call succeeds, then hands over its result, still busy', async () => {
    const submitter = new Submitter(FIELDS);
    await submitter.submit(() => Promise.reject(new ApiError('validation', 'Enter a name.', 'name')));
    expect(submitter.error('name')).toBe('Enter a name.');

    const seen: unknown[] = [];
    const done = await submitter.submit(
      () => Promise.resolve({ id: '7' }),
      (result) => seen.push(result, submitter.failure, submitter.busy),
    );

    expect(done).toBe(true);
    expect(seen).toEqual([{ id: '7' }, NO_FAILURE, true]);
    expect(submitter.failure).toEqual(NO_FAILURE);
  });

  it('shows a failure of what follows the call (e.g. the reload) like a failure of the call', async () => {
    const submitter = new Submitter(FIELDS);
    const done = await submitter.submit(
      () => Promise.resolve(1),
      () => Promise.reject(new ApiError('not_found', 'This account no longer exists.')),
    );
    expect(done).toBe(false);
    expect(submitter.failure).toEqual({ fields: {}, banner: 'This account no longer exists.' });
  });

  it('shows a bug as the plain sentence and logs it', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const submitter = new Submitter(FIELDS);
    await submitter.submit(() => Promise.reject(new TypeError('x is undefined')));
    expect(submitter.failure).toEqual({ fields: {}, banner: SCREEN_FAILURE });
    expect(log).toHaveBeenCalledTimes(1);
    log.mockRestore();
  });

  it('sends every error to the banner when a submit shows no fields', async () => {
    const submitter = new Submitter(FIELDS);
    const error = new ApiError('validation', 'Enter a name.', 'name');
    await submitter.submit(() => Promise.reject(error), undefined, { fields: [] });
    expect(submitter.failure).toEqual({ fields: {}, banner: 'Enter a name.' });
  });

  it('leaves a failure its handler dealt with off the form, unfocused', async () => {
    const { form, control } = fakeForm(true);
    const submitter = new Submitter(FIELDS);
    submitter.element = form;
    await submitter.submit(() => Promise.reject(new ApiError('validation', 'Enter a name.', 'name')));
    await settled();
    expect(control.focus).toHaveBeenCalledTimes(1);

    const busyInHandler: boolean[] = [];
    const handle = vi.fn((error: unknown) => {
      busyInHandler.push(submitter.busy);
      submitter.clear();
      return error instanceof ApiError && error.code === 'invalid_state';
    });
    await submitter.submit(() => Promise.reject(new ApiError('invalid_state', 'The invoice was issued.')), undefined, {
      handle,
    });
    await settled();

    expect(handle).toHaveBeenCalledTimes(1);
    expect(busyInHandler).toEqual([true]);
    expect(submitter.failure).toEqual(NO_FAILURE);
    expect(control.focus).toHaveBeenCalledTimes(1);

    // A failure the handler leaves is shown as usual.
    await submitter.submit(() => Promise.reject(new ApiError('validation', 'Enter a name.', 'name')), undefined, {
      handle,
    });
    expect(submitter.error('name')).toBe('Enter a name.');
  });
});

describe('Submitter.reject', () => {
  it('shows errors found before the call and focuses the first of them', async () => {
    const { form, control } = fakeForm(true);
    const submitter = new Submitter(FIELDS);
    submitter.element = form;

    submitter.reject({ name: 'Enter a whole number.' });
    await settled();

    expect(submitter.failure).toEqual({ fields: { name: 'Enter a whole number.' }, banner: null });
    expect(control.focus).toHaveBeenCalledTimes(1);
  });

  it('is ignored while a submit runs, as the submit itself would be', async () => {
    const submitter = new Submitter(FIELDS);
    const call = pending<void>();
    const running = submitter.submit(() => call.promise);

    submitter.reject({ name: 'Enter a whole number.' });
    expect(submitter.failure).toEqual(NO_FAILURE);

    call.finish();
    await running;
  });

  it('shows the errors of a form that keeps the focus where it is (no element)', async () => {
    const submitter = new Submitter(FIELDS);
    submitter.reject({ name: 'Enter a whole number.' });
    await settled();
    expect(submitter.error('name')).toBe('Enter a whole number.');
  });
});
