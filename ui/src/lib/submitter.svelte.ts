// One form's submit, the same on every screen: one request at a time (busy), the engine's error
// split between the fields and the banner (describeFailure), and the focus moved to the first
// control marked invalid, so that a keyboard user lands on what to correct.

import {
  describeFailure,
  fieldError,
  focusFirstInvalid,
  localFailure,
  NO_FAILURE,
  type Failure,
  type FieldErrors,
} from './forms';

export interface SubmitOptions {
  /** The fields this submit shows errors next to; the form's own (the constructor's) if not
   * given. `[]` sends every error to the banner (e.g. "Delete account" beside the form). */
  fields?: readonly string[];
  /** Looks at a failure first: true when it dealt with it (the form then shows nothing and the
   * focus stays), false to show it on the form as usual. Runs while still busy. */
  handle?: (error: unknown) => boolean | Promise<boolean>;
}

export class Submitter {
  /** True while a submit runs; a second submit meanwhile is ignored. */
  busy = $state(false);
  /** What the form shows: messages next to fields and the banner's. */
  failure = $state<Failure>(NO_FAILURE);
  /** The form (`bind:this`); after a failure the focus moves to its first invalid control.
   * Left unset, the focus stays where it is. */
  element = $state<HTMLElement>();

  readonly #fields: readonly string[];

  /** `fields`: the field paths the form shows errors next to (describeFailure). */
  constructor(fields: readonly string[]) {
    this.#fields = fields;
  }

  /** The message for the control named `field`, if any. */
  readonly error = (field: string): string | undefined => fieldError(this.failure, field);

  /** Shows errors found before calling the engine (e.g. "not a whole number") and focuses the
   * first of them; ignored while a submit runs, as that submit would have been. */
  reject(fields: FieldErrors): void {
    if (this.busy) return;
    this.failure = localFailure(fields);
    void focusFirstInvalid(this.element);
  }

  clear(): void {
    this.failure = NO_FAILURE;
  }

  /**
   * Runs `send` (the engine call) unless a submit is running. When it succeeds, the errors shown
   * are cleared and `then` gets its result, still busy (e.g. to reload or to close the dialog).
   * When either fails, the failure is shown and focused. True when both succeeded.
   */
  async submit<T>(
    send: () => Promise<T>,
    then?: (result: T) => unknown,
    options: SubmitOptions = {},
  ): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    try {
      const result = await send();
      this.failure = NO_FAILURE;
      await then?.(result);
      return true;
    } catch (error) {
      if (!(await options.handle?.(error))) {
        this.failure = describeFailure(error, options.fields ?? this.#fields);
        void focusFirstInvalid(this.element);
      }
      return false;
    } finally {
      this.busy = false;
    }
  }
}
