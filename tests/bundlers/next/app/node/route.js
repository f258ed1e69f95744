// Next.js App Router route handler on the Node.js runtime (the default).
import { check } from '../../lib/server-check.js';

export const dynamic = 'force-dynamic';

export async function GET() {
  return Response.json(await check('next node route'));
}
