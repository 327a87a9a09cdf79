// The fault-injecting proxy of tests/support/proxy.mjs, in front of a tiny local HTTP echo server
// (no browser, no counterfoil): what a sync test relies on. Pass forwards a POST and its answer
// intact; refuse fails a request at once; blackhole holds a request until it times out, unseen by
// the server; cut after N bytes of an answer breaks the answer after N bytes; delay slows a round
// trip and keeps it whole; pass works again afterwards; a dead upstream only fails the request;
// close() leaves nothing open.
// Run from the repo root: node --test tests/browser/proxy.test.mjs

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../support/server.mjs';
import { startProxy } from '../support/proxy.mjs';

const BIG = 100_000;

/** An HTTP server on a free loopback port: `/big` answers BIG bytes, anything else echoes its body. */
async function startEcho() {
  const seen = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.on('error', () => {});
    res.on('error', () => {});
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = req.url === '/big' ? Buffer.alloc(BIG, 'x') : Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: server.address().port, seen };
}

/** POSTs `body` through `url` and returns the answer's status and body as text. */
async function post(url, body, signal) {
  const response = await fetch(new URL('echo', url), { method: 'POST', body, signal });
  return { status: response.status, text: await response.text() };
}

/** Waits (up to 5 s) until `ready()` is true. */
async function until(ready, what) {
  const deadline = Date.now() + 5000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The number of open TCP sockets and servers in this process. */
function tcpHandles() {
  return process.getActiveResourcesInfo().filter((name) => name.startsWith('TCP')).length;
}

describe('fault-injecting proxy', () => {
  let echo;
  let proxy;

  before(async () => {
    echo = await startEcho();
    proxy = await startProxy({ target: { host: '127.0.0.1', port: echo.port } });
  });

  after(async () => {
    await proxy?.close();
    echo?.server.closeAllConnections();
    if (echo) await new Promise((resolve) => echo.server.close(resolve));
  });

  it('listens on a loopback port of its own', () => {
    assert.ok(proxy.port > 0);
    assert.notEqual(proxy.port, echo.port);
    assert.equal(proxy.url, `http://127.0.0.1:${proxy.port}/`);
  });

  it('pass forwards a POST body and its answer intact', async () => {
    const body = 'line one\nline two ✓\n'.repeat(2000);
    const before = proxy.stats();
    const answer = await post(proxy.url, body);
    assert.equal(answer.status, 200);
    assert.equal(answer.text, body);
    const after = proxy.stats();
    assert.ok(after.connections >= 1, 'the request went through the proxy');
    assert.ok(after.bytesUp - before.bytesUp > Buffer.byteLength(body), 'the body went up');
    assert.ok(after.bytesDown - before.bytesDown > Buffer.byteLength(body), 'the answer came down');
  });

  it('refuse makes a request fail fast, unseen by the server', async () => {
    proxy.setMode({ kind: 'refuse' });
    const seen = echo.seen.length;
    const started = performance.now();
    await assert.rejects(post(proxy.url, 'hello'), TypeError);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 2000, `refused after ${Math.round(elapsed)} ms`);
    assert.equal(echo.seen.length, seen);
  });

  it('blackhole holds a request until it times out, unseen by the server', async () => {
    proxy.setMode({ kind: 'blackhole' });
    const seen = echo.seen.length;
    const started = performance.now();
    await assert.rejects(post(proxy.url, 'hello', AbortSignal.timeout(500)), { name: 'TimeoutError' });
    assert.ok(performance.now() - started >= 450, 'it waited for the timeout');
    assert.equal(echo.seen.length, seen, 'the echo server saw nothing');
  });

  it('blackhole keeps a raw connection open and silent; leaving it closes the connection', async () => {
    proxy.setMode({ kind: 'blackhole' });
    const socket = connect(proxy.port, '127.0.0.1');
    const received = [];
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', () => {});
    const closed = new Promise((resolve) => socket.on('close', resolve));
    await new Promise((resolve) => socket.on('connect', resolve));
    socket.write('GET /echo HTTP/1.1\r\nhost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(socket.destroyed, false, 'still open');
    assert.equal(received.length, 0, 'no answer');
    proxy.setMode({ kind: 'pass' });
    await closed;
    assert.equal(received.length, 0);
  });

  it('cut after N bytes of response breaks a 100 kB answer after N bytes', async () => {
    const N = 1000;
    proxy.setMode({ kind: 'cut', afterBytes: N, direction: 'response' });
    const before = proxy.stats().bytesDown;
    let got = null;
    await assert.rejects(async () => {
      const response = await fetch(new URL('big', proxy.url));
      got = (await response.arrayBuffer()).byteLength;
    });
    assert.equal(got, null, 'reading the body failed');
    const down = proxy.stats().bytesDown - before;
    assert.ok(down > 0 && down <= N, `${down} bytes came down, at most ${N}`);
    assert.ok(down >= N * 0.9, `${down} bytes came down, about ${N}`);
  });

  it('cut after N bytes of request stops a POST before the server has it whole', async () => {
    proxy.setMode({ kind: 'cut', afterBytes: 200, direction: 'request' });
    const body = 'y'.repeat(50_000);
    const before = proxy.stats().bytesUp;
    await assert.rejects(post(proxy.url, body));
    const up = proxy.stats().bytesUp - before;
    assert.ok(up <= 200, `${up} bytes went up, at most 200`);
  });

  it('delay of 300 ms slows a round trip and keeps it whole', async () => {
    proxy.setMode({ kind: 'delay', ms: 300 });
    const body = 'z'.repeat(30_000);
    const started = performance.now();
    const answer = await post(proxy.url, body);
    const elapsed = performance.now() - started;
    assert.equal(answer.status, 200);
    assert.equal(answer.text, body);
    assert.ok(elapsed >= 300, `round trip took ${Math.round(elapsed)} ms`);
  });

  it('cutAll() ends a connection in the middle of a delayed answer', async () => {
    proxy.setMode({ kind: 'delay', ms: 1000 });
    const pending = post(proxy.url, 'hello');
    await new Promise((resolve) => setTimeout(resolve, 300));
    proxy.cutAll();
    await assert.rejects(pending);
  });

  it('pass works again afterwards', async () => {
    proxy.setMode({ kind: 'pass' });
    const answer = await post(proxy.url, 'back to normal');
    assert.equal(answer.status, 200);
    assert.equal(answer.text, 'back to normal');
    const big = await fetch(new URL('big', proxy.url));
    assert.equal((await big.arrayBuffer()).byteLength, BIG);
  });

  it('rejects an unknown mode', () => {
    assert.throws(() => proxy.setMode({ kind: 'sometimes' }), /unknown proxy mode/);
    assert.throws(() => proxy.setMode({ kind: 'cut', afterBytes: 1, direction: 'sideways' }), /direction/);
  });
});

describe('fault-injecting proxy without a server behind it', () => {
  it('a refused upstream only fails the request', async () => {
    const proxy = await startProxy({ target: { host: '127.0.0.1', port: await freePort() } });
    try {
      const started = performance.now();
      await assert.rejects(post(proxy.url, 'anyone there?'), TypeError);
      assert.ok(performance.now() - started < 2000);
      assert.equal(proxy.stats().connections, 1);
      assert.equal(proxy.stats().bytesDown, 0);
    } finally {
      await proxy.close();
    }
  });
});

describe('closing the proxy', () => {
  it('close() ends held and delayed connections and leaves no open handles', async () => {
    const handles = tcpHandles();
    const echo = await startEcho();
    const proxy = await startProxy({ target: { host: '127.0.0.1', port: echo.port } });

    proxy.setMode({ kind: 'delay', ms: 2000 });
    // assert.rejects() takes each failure as it comes, so none goes unhandled meanwhile.
    const delayed = assert.rejects(post(proxy.url, 'slow'));
    await until(() => proxy.stats().connections === 1, 'the delayed connection');
    proxy.setMode({ kind: 'blackhole' });
    const held = assert.rejects(post(proxy.url, 'held'));
    await until(() => proxy.stats().connections === 2, 'the held connection');

    await proxy.close();
    await delayed;
    await held;
    await assert.rejects(post(proxy.url, 'after close'), TypeError);

    echo.server.closeAllConnections();
    await new Promise((resolve) => echo.server.close(resolve));
    // Sockets go away on the next turns of the event loop; allow a generous moment.
    const deadline = Date.now() + 3000;
    while (tcpHandles() > handles && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(tcpHandles() <= handles, process.getActiveResourcesInfo().join(', '));
  });
});
