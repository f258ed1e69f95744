// Harness for the browser (Chromium): the page's import map sends `coinbar-pay` to the file
// that the package's exports map gives a browser bundler (the `browser` condition: the build
// without the signer). The result is left in window.__conformance for the runner.
import * as pkg from 'coinbar-pay';
import { runSuite } from './suite.js';

const config = JSON.parse(new URLSearchParams(location.search).get('config'));
const vectors = await (await fetch('./vectors.json')).json();
await pkg.init(); // the browser build's ready step (no top-level await inside the package)
window.__conformance = await runSuite({ pkg, vectors, flavor: 'browser', ...config });
