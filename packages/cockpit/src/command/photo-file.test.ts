import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PHOTO_BYTES, photoProblem, toBase64 } from './photo-file.js';

describe('photo file', () => {
  it('takes JPEG, PNG and WebP up to 2 MiB, as the server does', () => {
    expect(photoProblem({ type: 'image/png', size: 1000 })).toBeUndefined();
    expect(photoProblem({ type: 'image/webp', size: MAX_PHOTO_BYTES })).toBeUndefined();
    expect(photoProblem({ type: 'image/gif', size: 10 })).toBe('type');
    expect(photoProblem({ type: 'image/jpeg', size: MAX_PHOTO_BYTES + 1 })).toBe('size');
  });

  it('encodes any bytes as base64 that decodes back to them, large files too', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), (bytes) => {
        const text = toBase64(bytes);
        expect(text).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
        expect(Uint8Array.from(atob(text), (c) => c.charCodeAt(0))).toEqual(bytes);
      }),
      { numRuns: 60 },
    );
  });
});
