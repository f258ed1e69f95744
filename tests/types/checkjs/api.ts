// The shell's JavaScript (pkg/src, type-checked by tsc --checkJs through this file) against
// the declarations the package ships (pkg/types): every declared export, class member and
// static must exist in the implementation with a compatible type. `make lint` runs it
// (docs/contributing.md). A renamed, removed or re-typed method fails here.
import * as server from '../../../pkg/src/server.js';
import * as shared from '../../../pkg/src/public.js';
import type * as api from '../../../pkg/types/index.js';
import type * as browserApi from '../../../pkg/types/browser.js';

// `[Symbol.dispose]` is left out: the class defines it under a computed key with a fallback
// for runtimes without Symbol.dispose (Node 18), which TypeScript cannot resolve to the symbol
// (tests/js check that `using` frees the client). So are `on` / `off`, declared to return
// `this`, the declared class with that symbol; they must exist (Pick below).
type Client = Omit<api.CoinbarPay, typeof Symbol.dispose | 'on' | 'off'>;
type ClientClass = { new (options: api.CoinbarPayOptions): Client; fromEnv(...args: Parameters<typeof api.CoinbarPay.fromEnv>): Client };

export const client: ClientClass = server.CoinbarPay;
export type Listeners = Pick<InstanceType<typeof server.CoinbarPay>, 'on' | 'off'>;
// The error class takes the declared constructor arguments (its instances are one class in
// JS, a union narrowed on `code` in the declarations).
export const error: new (...args: ConstructorParameters<typeof api.CoinbarError>) => Error = server.CoinbarError;
export const functions: Omit<typeof api, 'CoinbarPay' | 'CoinbarError'> = server;
// The browser entry is public.js plus its own init (browser.js loads the .wasm, not checked here).
export const browserFunctions: Omit<typeof browserApi, 'init' | 'CoinbarError'> = shared;
