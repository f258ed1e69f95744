// Harness for Node CommonJS: `require('coinbar-pay')`, as a CommonJS application does.
//   node cjs.cjs '<config json>'
'use strict';
const pkg = require('coinbar-pay');
const vectors = require('./vectors.json');

const config = JSON.parse(process.argv[2]);
import('./suite.js')
  .then(({ runSuite }) => runSuite({ pkg, vectors, ...config }))
  .then((result) => {
    result.entry = require.resolve('coinbar-pay');
    // Loaded as CommonJS, not through require(esm): the module is a plain CJS exports object.
    result.commonjs = Boolean(require.cache[result.entry]) && !(Symbol.toStringTag in pkg && pkg[Symbol.toStringTag] === 'Module');
    console.log(`CONFORMANCE_RESULT ${JSON.stringify(result)}`);
  });
