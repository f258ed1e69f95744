// A port on 127.0.0.1 that is taken for a test's duration (for "port in use" tests).
import http from 'node:http';

export async function busyPort(t) {
  const server = http.createServer((req, res) => res.end());
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  return server.address().port;
}
