// A throwaway PostgreSQL cluster for tests: initdb in a temp dir, pg_ctl start on a free
// loopback port (127.0.0.1 only, unix socket in the same dir), a connection URL, and stop()
// that stops the server and removes the dir. Run as root, the server runs as the `postgres`
// user (su postgres -s /bin/sh -c …) and the dir is owned by it. Binaries: the newest
// /usr/lib/postgresql/*/bin (scripts/install-postgres.sh installs them).
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function postgresBin() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (!versions.length) throw new Error('PostgreSQL is not installed: run scripts/install-postgres.sh');
  versions.sort((a, b) => Number(b) - Number(a));
  return join(root, versions[0], 'bin');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/** Start a cluster; resolves { url, dir, port, stop() }. */
export async function startPostgres() {
  const bin = postgresBin();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'coinbar-pg-'));
  const data = join(dir, 'data');
  const sh = (cmd) => {
    if (root) return execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', cmd], { stdio: 'pipe' });
    return execFileSync('/bin/sh', ['-c', cmd], { stdio: 'pipe' });
  };
  if (root) {
    const { uid, gid } = pgUser();
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  let started = false;
  const stop = () => {
    try {
      if (started) sh(`${bin}/pg_ctl -D ${quote(data)} -m immediate -w stop`);
    } catch {
      // already down
    }
    started = false;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    sh(`${bin}/initdb -D ${quote(data)} -U postgres -A trust --no-sync -E UTF8 --locale=C`);
    const port = await freePort();
    const opts = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60`;
    sh(`${bin}/pg_ctl -D ${quote(data)} -l ${quote(join(dir, 'log'))} -o ${quote(opts)} -w -t 30 start`);
    started = true;
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, dir, port, stop };
  } catch (e) {
    stop();
    throw new Error(`could not start PostgreSQL: ${e.stderr?.toString() || e.message}`);
  }
}

function pgUser() {
  const out = execFileSync('id', ['-u', 'postgres']).toString().trim();
  const gid = execFileSync('id', ['-g', 'postgres']).toString().trim();
  return { uid: Number(out), gid: Number(gid) };
}

// A test process that ends without calling stop() still stops its clusters.
const running = new Set();
const startRaw = startPostgres;
export async function startPostgresCluster() {
  const pg = await startRaw();
  running.add(pg);
  const stop = pg.stop;
  pg.stop = () => {
    running.delete(pg);
    stop();
  };
  return pg;
}
process.on('exit', () => {
  for (const pg of running) pg.stop();
});
