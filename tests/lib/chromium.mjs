// How every test starts Debian's Chromium (playwright-core): headless, and talking to this
// machine only. `--host-resolver-rules` makes every host but localhost, 127.0.0.1 and [::1] unresolvable, so
// the browser's own background lookups never leave the machine (the pages under test use
// 127.0.0.1 and localhost only).
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-domain-reliability',
  '--no-pings',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]',
];
