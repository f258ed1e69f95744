// The ledger's conformance suite on Cloudflare D1 (Miniflare's local D1, workerd's SQLite).
import { conformance } from './conformance.mjs';
import { openD1 } from './backends.mjs';

conformance(openD1);
