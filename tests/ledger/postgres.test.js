// The ledger's conformance suite on PostgreSQL (a throwaway cluster, two node-postgres Pools).
import { conformance } from './conformance.mjs';
import { openPostgres } from './backends.mjs';

conformance(openPostgres);
