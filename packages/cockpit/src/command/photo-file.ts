import type { PhotoUpload } from './command-model.js';

/** The image types a report photo may have (the server checks the leading bytes too). */
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

/** Largest photo the server keeps, in bytes. */
export const MAX_PHOTO_BYTES = 2 * 1024 * 1024;

/** Why a file cannot be a report photo. */
export type PhotoProblem = 'type' | 'size';

/** Checks a picked file before it is read: the problem, or undefined when it may be sent. */
export function photoProblem(file: Pick<File, 'type' | 'size'>): PhotoProblem | undefined {
  if (!(PHOTO_TYPES as readonly string[]).includes(file.type)) return 'type';
  if (file.size > MAX_PHOTO_BYTES) return 'size';
  return undefined;
}

/** Base64 of bytes, in slices (a spread of a large array would overflow the stack). */
export function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** A picked file as the server's JSON upload: its type and its bytes in base64. */
export async function readPhoto(file: File): Promise<PhotoUpload> {
  return {
    contentType: file.type,
    data: toBase64(new Uint8Array(await file.arrayBuffer())),
  };
}
