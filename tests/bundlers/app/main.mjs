// A Node program (what a Lambda handler or a server runs): prints the check as one JSON line.
import { check } from './server-check.js';

check('main.mjs').then((r) => console.log(`BUNDLER_CHECK ${JSON.stringify(r)}`));
