import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, call, setTransport, UNREACHABLE_MESSAGE, UNREADABLE_MESSAGE } from './index';

function respond(status: number, body: string) {
  return vi.fn(async () => new Response(body, { status, headers: { 'content-type': 'application/json' } }));
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('the call did not fail');
}

beforeEach(() => setTransport(undefined));
afterEach(() => vi.unstubAllGlobals());

describe('call over HTTP', () => {
  it('posts the input as JSON to /rpc/<operation> and resolves with the output', async () => {
    const fetch = respond(200, '{"items":[],"page":2,"per_page":50,"total":0}');
    vi.stubGlobal('fetch', fetch);

    const page = await call('list_accounts', { search: 'acme', page: 2 });

    expect(page).toEqual({ items: [], page: 2, per_page: 50, total: 0 });
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/rpc/list_accounts');
    expect(init.method).toBe('POST');
    expect(new Headers(init.headers).get('content-type')).toBe('application/json');
    expect(JSON.parse(init.body as string)).toEqual({ search: 'acme', page: 2 });
  });

  it.each([
    {
      why: 'a validation error keeps its field',
      status: 422,
      body: '{"code":"validation","message":"Enter a VAT rate between 0 and 100.","field":"vat_rate"}',
      expected: { code: 'validation', message: 'Enter a VAT rate between 0 and 100.', field: 'vat_rate' },
    },
    {
      why: 'not found',
      status: 404,
      body: '{"code":"not_found","message":"There is no account 7."}',
      expected: { code: 'not_found', message: 'There is no account 7.', field: undefined },
    },
    {
      why: 'conflict',
      status: 409,
      body: '{"code":"conflict","message":"The plan has applications."}',
      expected: { code: 'conflict', message: 'The plan has applications.', field: undefined },
    },
    {
      why: 'invalid state also comes with 409; the body decides',
      status: 409,
      body: '{"code":"invalid_state","message":"The invoice is already paid."}',
      expected: { code: 'invalid_state', message: 'The invoice is already paid.', field: undefined },
    },
    {
      why: 'internal',
      status: 500,
      body: '{"code":"internal","message":"Something went wrong inside Counterfoil."}',
      expected: { code: 'internal', message: 'Something went wrong inside Counterfoil.', field: undefined },
    },
    {
      why: 'a body that is not an error object gets the status code and a plain sentence',
      status: 502,
      body: '<html>Bad gateway</html>',
      expected: { code: 'internal', message: UNREADABLE_MESSAGE, field: undefined },
    },
    {
      why: 'a JSON body with an unknown code is not trusted',
      status: 404,
      body: '{"code":"teapot","message":"I am a teapot"}',
      expected: { code: 'not_found', message: UNREADABLE_MESSAGE, field: undefined },
    },
    {
      why: 'a short plain-text body is shown as the message',
      status: 422,
      body: 'Failed to parse the request body as JSON',
      expected: { code: 'validation', message: 'Failed to parse the request body as JSON', field: undefined },
    },
  ])('maps status $status: $why', async ({ status, body, expected }) => {
    vi.stubGlobal('fetch', respond(status, body));

    const error = await rejection(call('get_account', { id: '7' }));

    expect({ code: error.code, message: error.message, field: error.field }).toEqual(expected);
  });

  it('says the app cannot be reached when the request fails', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));

    const error = await rejection(call('book_info', {}));

    expect(error.code).toBe('internal');
    expect(error.message).toBe(UNREACHABLE_MESSAGE);
  });

  it('rejects a 200 answer that is not JSON', async () => {
    vi.stubGlobal('fetch', respond(200, '<!doctype html>'));

    const error = await rejection(call('book_info', {}));

    expect(error.message).toBe(UNREADABLE_MESSAGE);
  });
});

describe('ApiError.from (what the Tauri transport rejects with)', () => {
  it('takes the engine error object as it is', () => {
    const error = ApiError.from({ code: 'validation', message: 'Overlaps 1–1,000.', field: 'min' });
    expect([error.code, error.message, error.field]).toEqual(['validation', 'Overlaps 1–1,000.', 'min']);
  });

  it('turns a string rejection into an internal error with that sentence', () => {
    const error = ApiError.from('command call not found');
    expect([error.code, error.message]).toEqual(['internal', 'command call not found']);
  });

  it('ignores an empty field', () => {
    expect(ApiError.from({ code: 'validation', message: 'Bad.', field: '' }).field).toBeUndefined();
  });
});
