// The same program written in CommonJS.
const { check } = require('./server-check.cjs');

check('main.cjs').then((r) => console.log(`BUNDLER_CHECK ${JSON.stringify(r)}`));
