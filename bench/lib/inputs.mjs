// The fixed reference inputs (bench/inputs/), read from disk in Node.
import { readFileSync } from 'node:fs';
import { INPUT_NAMES } from './cases.js';

const dir = new URL('../inputs/', import.meta.url);

/** { 'initiate-2': obj, 'initiate-3': obj, 'initiate-50': obj } */
export function loadInputs() {
  return Object.fromEntries(INPUT_NAMES.map((name) => [name, JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8'))]));
}

/** The raw callback body exactly as checked in (a Buffer, as Node's http hands it over). */
export const loadCallbackRaw = () => readFileSync(new URL('callback.json', dir));
