// The one way the UI talks to the engine. Inside the desktop window the call goes through
// Tauri's IPC (`call` command); in a browser served by `counterfoil serve` it goes to
// `POST /rpc/<operation>`. Either way it resolves with the operation's output or rejects with
// an ApiError carrying one of the engine's error codes.

import { invoke } from '@tauri-apps/api/core';
import { ERROR_CODES, type ErrorCode, type FieldError, type Operations } from './types';

export type { Operations } from './types';

// The engine's error codes, generated with its types (`unauthorized` and `forbidden` come only
// from the HTTP server when sign-in is required: no session, or an operation the signed-in
// user may not call; docs/access.md).
export type { ErrorCode } from './types';

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** The code an HTTP status stands for when the body does not say. */
function codeForStatus(status: number): ErrorCode {
  if (status === 422 || status === 400) return 'validation';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  return 'internal';
}

export const UNREACHABLE_MESSAGE =
  'Counterfoil could not be reached. Check that it is still running, then try again.';
export const UNREADABLE_MESSAGE =
  'Counterfoil sent an answer this screen cannot read. Reload (Ctrl+R) to see where things stand.';

export class ApiError extends Error {
  readonly code: ErrorCode;
  /** For validation errors: the input field at fault, e.g. `legal_address.country` (with
   * several, the first). */
  readonly field: string | undefined;
  /** Every field at fault when an input has several (then `message` says them all). */
  readonly errors: readonly FieldError[];

  constructor(code: ErrorCode, message: string, field?: string, errors: readonly FieldError[] = []) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.field = field;
    this.errors = errors;
  }

  /**
   * Any rejection (an engine error object, a transport failure, a string) as an ApiError. An
   * object with a known code and a message is taken as is; anything else becomes an internal
   * error with a plain sentence, `status` (HTTP) choosing the code when there is one.
   */
  static from(value: unknown, status?: number): ApiError {
    if (value instanceof ApiError) return value;
    if (typeof value === 'object' && value !== null) {
      const { code, message, field, errors } = value as Record<string, unknown>;
      if (typeof code === 'string' && KNOWN_CODES.has(code) && typeof message === 'string') {
        return new ApiError(
          code as ErrorCode,
          message,
          typeof field === 'string' && field !== '' ? field : undefined,
          Array.isArray(errors) ? errors.filter(isFieldError) : [],
        );
      }
    }
    const code = status === undefined ? 'internal' : codeForStatus(status);
    if (typeof value === 'string' && value.trim() !== '' && value.length < 300 && !value.includes('<')) {
      return new ApiError(code, value.trim());
    }
    return new ApiError(code, UNREADABLE_MESSAGE);
  }
}

function isFieldError(value: unknown): value is FieldError {
  if (typeof value !== 'object' || value === null) return false;
  const { field, message } = value as Record<string, unknown>;
  return typeof field === 'string' && typeof message === 'string';
}

type Transport = (operation: string, input: unknown) => Promise<unknown>;

/** `POST /rpc/<operation>` with the JSON input; 200 is the output, anything else an error. */
export function httpTransport(fetchImpl: typeof fetch = (...args) => fetch(...args)): Transport {
  return async (operation, input) => {
    let response: Response;
    try {
      response = await fetchImpl(`/rpc/${encodeURIComponent(operation)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(input ?? {}),
      });
    } catch {
      throw new ApiError('internal', UNREACHABLE_MESSAGE);
    }
    let text: string;
    try {
      text = await response.text();
    } catch {
      throw new ApiError('internal', UNREACHABLE_MESSAGE);
    }
    let body: unknown = undefined;
    let parsed = false;
    try {
      body = text === '' ? null : JSON.parse(text);
      parsed = true;
    } catch {
      parsed = false;
    }
    if (response.ok) {
      if (!parsed) throw new ApiError('internal', UNREADABLE_MESSAGE);
      return body;
    }
    throw ApiError.from(parsed ? body : text, response.status);
  };
}

/** Tauri's IPC: the desktop shell's `call` command runs the operation in the engine. */
function tauriTransport(): Transport {
  return async (operation, input) => {
    try {
      return await invoke('call', { operation, input: input ?? {} });
    } catch (error) {
      throw ApiError.from(error);
    }
  };
}

/** Whether the UI runs in the desktop window (Tauri injects its IPC into the page). */
export function insideTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

let transport: Transport | undefined;

/** Replaces the transport (tests); `undefined` goes back to choosing one from the window. */
export function setTransport(replacement: Transport | undefined): void {
  transport = replacement;
}

/** Runs one engine operation. Rejects with an ApiError. */
export async function call<K extends keyof Operations>(
  operation: K,
  input: Operations[K]['input'],
): Promise<Operations[K]['output']> {
  transport ??= insideTauri() ? tauriTransport() : httpTransport();
  return (await transport(operation, input)) as Operations[K]['output'];
}
