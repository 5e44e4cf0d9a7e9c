import { PURPOSES, type Purpose } from './sharing/sharing-model.js';

const STORAGE_KEY = 'citybrain.purpose';

/** True when `value` is a purpose of the server's controlled list. */
export function isPurpose(value: unknown): value is Purpose {
  return (PURPOSES as readonly unknown[]).includes(value);
}

/** The purpose stated in this tab, if any (a value no longer on the list counts as none). */
export function storedPurpose(): Purpose | undefined {
  const saved = sessionStorage.getItem(STORAGE_KEY);
  return isPurpose(saved) ? saved : undefined;
}

/** Keeps the stated purpose for this tab, like the token; `undefined` states none. */
export function storePurpose(purpose: Purpose | undefined): void {
  if (purpose === undefined) sessionStorage.removeItem(STORAGE_KEY);
  else sessionStorage.setItem(STORAGE_KEY, purpose);
}
