-- Migration number: 0001 	 The demo shop's tables (Cloudflare D1 and SQLite through better-sqlite3).
-- Wrangler's D1 migrations format: applied in file-name order, each once, recorded in d1_migrations
-- (`wrangler d1 migrations apply DB`); www/app/migrate.js applies the same files the same way.
-- Times are integers: milliseconds since the epoch.

-- One row per checkout. Written before Coinbar is called (payment_state 'initiating'), so a crash
-- between Coinbar's answer and our write cannot lose a payment: reconciliation asks Coinbar.
CREATE TABLE orders (
  id TEXT PRIMARY KEY,                      -- also Coinbar's payment_request_id; >= 96 random bits
  mode TEXT NOT NULL,                       -- 'direct' | 'gateway'
  payment_state TEXT NOT NULL,              -- 'initiating' | 'created' | 'not_created'
  status TEXT NOT NULL DEFAULT 'CREATED',   -- Coinbar's status as last applied
  status_descr TEXT,
  status_source TEXT NOT NULL DEFAULT 'initiate', -- initiate | callback | refresh | reconcile
  is_final INTEGER NOT NULL DEFAULT 0,      -- from statusInfo(): a final status never changes again
  is_paid INTEGER NOT NULL DEFAULT 0,
  coinbar_updated_at TEXT,                  -- Coinbar's update_time of the applied status
  last_unknown_status TEXT,                 -- a status statusInfo() does not know (kept, not applied)
  currency TEXT NOT NULL,
  total TEXT NOT NULL,                      -- exact decimal string
  items TEXT NOT NULL,                      -- JSON
  email TEXT NOT NULL,
  payment TEXT,                             -- JSON: Coinbar's answer (coin, amount, address, ...)
  callbacks_received INTEGER NOT NULL DEFAULT 0,
  paid_via_callback INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_checked_at INTEGER,                  -- last paymentStatus call for this order (any source)
  next_check_at INTEGER NOT NULL,           -- reconciliation: not before this time
  checks INTEGER NOT NULL DEFAULT 0         -- reconciliation calls made for this order
);
CREATE INDEX orders_open ON orders (is_final, next_check_at, created_at);

-- The outbox: one row per paid order, with the e-mail it sends. UNIQUE(order_id) is what makes
-- fulfilment exactly once, whoever notices the payment first (callback, refresh, reconciliation).
CREATE TABLE fulfilments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id TEXT NOT NULL UNIQUE REFERENCES orders (id),
  source TEXT NOT NULL,
  email_to TEXT NOT NULL,
  email_subject TEXT NOT NULL,
  email_body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  sent_at INTEGER                           -- set by the mail sender that drains the outbox
);

-- Coinbar's callbacks, keyed by event.idempotency_key (payment_id_coinbar/STATUS): the
-- CallbackStore of the SDK's at-least-once handleCallback (claim / complete / release).
-- The event is kept, so a callback for an order we do not know yet is applied when it appears.
CREATE TABLE callback_events (
  key TEXT PRIMARY KEY,
  state TEXT NOT NULL,                      -- 'claimed' | 'released' | 'done'
  lease_until INTEGER NOT NULL DEFAULT 0,
  order_id TEXT NOT NULL,                   -- event.payment_request_id_client
  event TEXT NOT NULL,                      -- the verified event, JSON
  deliveries INTEGER NOT NULL DEFAULT 1,
  last_error TEXT,
  received_at INTEGER NOT NULL,
  done_at INTEGER
);
CREATE INDEX callback_events_order ON callback_events (order_id, state);

-- Calls to Coinbar per UTC day and purpose (quotes, checkout, refresh, reconcile): each call
-- is reserved first with one conditional statement, so the daily 1,000-call limit is shared
-- by every instance and a flood on one route cannot spend another route's share.
CREATE TABLE api_budget (
  day TEXT NOT NULL,
  purpose TEXT NOT NULL,
  used INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, purpose)
);

-- Small shared state: the quotes cache, the reconciliation back-off after a 429.
CREATE TABLE kv (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);

-- Checkouts per client address per minute.
CREATE TABLE rate_limits (
  key TEXT NOT NULL,
  window INTEGER NOT NULL,
  hits INTEGER NOT NULL,
  PRIMARY KEY (key, window)
);
