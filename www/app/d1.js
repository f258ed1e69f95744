// The Cloudflare D1 driver of the store's executor (see www/app/store.js). D1's batch() runs
// its statements as one transaction.
const result = (r) => ({ changes: r.meta?.changes ?? 0, rows: r.results ?? [] });

export function d1Executor(d1) {
  const stmt = (sql, params) => d1.prepare(sql).bind(...params.map((p) => (p === undefined ? null : p)));
  return {
    async run(sql, ...params) {
      return result(await stmt(sql, params).run());
    },
    first(sql, ...params) {
      return stmt(sql, params).first();
    },
    async all(sql, ...params) {
      return (await stmt(sql, params).all()).results;
    },
    async batch(list) {
      return (await d1.batch(list.map(([sql, params = []]) => stmt(sql, params)))).map(result);
    },
  };
}
