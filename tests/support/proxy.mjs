// A proxy between sync clients and `counterfoil serve` in tests: refuse, black-hole, cut after N
// bytes, delay. It listens on a free loopback port and forwards raw TCP to `target`; setMode()
// changes what it does to the traffic from then on.
// Socket errors (ECONNRESET, EPIPE, a refused upstream) only ever close connections: the test
// process must not crash because the proxy was told to break things.

import { connect, createServer } from 'node:net';

const KINDS = ['pass', 'refuse', 'blackhole', 'cut', 'delay'];
const ignore = () => {};

/**
 * Starts the proxy; resolves with
 * `{ port, url, setMode(mode), cutAll(), stats(), close() }`.
 * Modes: `{ kind: 'pass' }` (default), `{ kind: 'refuse' }`, `{ kind: 'blackhole' }`,
 * `{ kind: 'cut', afterBytes, direction: 'response' | 'request' | 'both' }`, `{ kind: 'delay', ms }`.
 */
export async function startProxy({ target: { host = '127.0.0.1', port: targetPort } }) {
  let mode = { kind: 'pass' };
  const open = new Set();
  const counts = { connections: 0, bytesUp: 0, bytesDown: 0 };

  // Ends a connection now: both sockets and any chunk still waiting for its delay.
  function kill(conn) {
    if (conn.dead) return;
    conn.dead = true;
    for (const timer of conn.timers) clearTimeout(timer);
    conn.timers.clear();
    conn.client.destroy();
    conn.upstream?.destroy();
    open.delete(conn);
  }

  function wait(conn, ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        conn.timers.delete(timer);
        resolve();
      }, ms);
      conn.timers.add(timer);
    });
  }

  // Forwards `from` to `to`; `way` is 'up' (client to server, a request) or 'down' (an answer).
  // Every chunk goes through one promise chain per direction, so a delayed chunk is never
  // overtaken by a later one, even when the mode changes in between.
  function forward(conn, from, to, way) {
    let queue = Promise.resolve();
    from.on('data', (data) => {
      if (conn.dead || conn.cutting) return;
      if (mode.kind === 'blackhole') {
        // Read and drop; the connection is held until the mode changes (see setMode).
        conn.held = true;
        return;
      }
      let chunk = data;
      let cutAfter = false;
      if (mode.kind === 'cut' && (mode.direction === 'both' || (mode.direction === 'request') === (way === 'up'))) {
        const room = Math.max(mode.afterBytes - conn.sent[way], 0);
        if (chunk.length >= room) {
          chunk = chunk.subarray(0, room);
          cutAfter = true;
          conn.cutting = true;
        }
        conn.sent[way] += chunk.length;
      }
      const delay = mode.kind === 'delay' ? wait(conn, mode.ms) : null;
      queue = queue
        .then(() => delay)
        .then(() => {
          if (conn.dead) return;
          if (way === 'up') counts.bytesUp += chunk.length;
          else counts.bytesDown += chunk.length;
          if (cutAfter) {
            // Let the last bytes reach the kernel before both sockets go, so the other side
            // really gets N bytes and then a closed connection.
            if (chunk.length === 0) kill(conn);
            else to.write(chunk, () => kill(conn));
            return;
          }
          if (!to.write(chunk)) {
            from.pause();
            to.once('drain', () => from.resume());
          }
        });
    });
    // Half-closes pass through (both sockets allow half-open), after any queued chunk.
    from.on('end', () => {
      queue = queue.then(() => conn.dead || to.end());
    });
    // A reset on either side ends both; after a clean close, once both sockets are gone.
    from.on('close', (hadError) => {
      if (hadError || to.destroyed) kill(conn);
    });
  }

  const server = createServer({ allowHalfOpen: true }, (client) => {
    counts.connections += 1;
    client.on('error', ignore);
    if (mode.kind === 'refuse') {
      // A reset rather than a clean close, so the client fails at once.
      if (typeof client.resetAndDestroy === 'function') client.resetAndDestroy();
      else client.destroy();
      return;
    }
    const conn = { client, upstream: null, dead: false, held: false, cutting: false, timers: new Set() };
    conn.sent = { up: 0, down: 0 };
    open.add(conn);
    if (mode.kind === 'blackhole') {
      // Never connect upstream: the server must not even see the connection.
      conn.held = true;
      client.on('close', () => kill(conn));
      client.resume();
      return;
    }
    const upstream = connect({ host, port: targetPort, allowHalfOpen: true });
    conn.upstream = upstream;
    upstream.on('error', ignore);
    forward(conn, client, upstream, 'up');
    forward(conn, upstream, client, 'down');
  });
  server.on('error', ignore);

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address();

  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    setMode(next) {
      if (!next || !KINDS.includes(next.kind)) throw new Error(`unknown proxy mode ${JSON.stringify(next)}`);
      if (next.kind === 'cut' && !['response', 'request', 'both'].includes(next.direction)) {
        throw new Error(`cut needs direction 'response', 'request' or 'both', not ${next.direction}`);
      }
      mode = { ...next };
      for (const conn of [...open]) {
        // A held connection has lost bytes, so it can never carry a whole message again.
        if (mode.kind === 'refuse' || (mode.kind !== 'blackhole' && conn.held)) kill(conn);
        // `cut` counts bytes from the moment it is set, on old connections as on new ones.
        conn.sent = { up: 0, down: 0 };
      }
    },
    cutAll() {
      for (const conn of [...open]) kill(conn);
    },
    // Connections accepted (refused ones too) and bytes forwarded up and down, since start.
    stats() {
      return { ...counts };
    },
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const conn of [...open]) kill(conn);
      await closed;
    },
  };
}
