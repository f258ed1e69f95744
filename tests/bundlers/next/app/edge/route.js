// Next.js App Router route handler on the edge runtime, in the same app as the Node one.
import { check } from '../../lib/server-check.js';

export const runtime = 'edge';
export const dynamic = 'force-dynamic';

export async function GET() {
  return Response.json(await check('next edge route'));
}
