import { Type } from 'typebox';
import { CityError } from '../../core/index.js';
import type { ActorRef } from './actor.js';

/** Largest photo, in bytes (decoded). */
export const MAX_PHOTO_BYTES = 2 * 1024 * 1024;

/** Most photos one task keeps. */
export const MAX_PHOTOS_PER_TASK = 10;

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The image types a report may carry, each with the check of its leading bytes. */
export const PHOTO_TYPES: Readonly<Record<string, (bytes: Buffer) => boolean>> = {
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/png': (b) => b.subarray(0, 8).equals(PNG),
  'image/webp': (b) =>
    b.subarray(0, 4).toString('latin1') === 'RIFF' &&
    b.subarray(8, 12).toString('latin1') === 'WEBP',
};

/** An uploaded photo as a JSON body: its type and its bytes in base64. */
export const PhotoUploadSchema = Type.Object(
  {
    contentType: Type.Union(Object.keys(PHOTO_TYPES).map((t) => Type.Literal(t))),
    data: Type.String({
      minLength: 4,
      maxLength: Math.ceil(MAX_PHOTO_BYTES / 3) * 4 + 16,
      description: 'the image, base64',
    }),
  },
  { additionalProperties: false },
);

/** An uploaded photo. */
export interface PhotoUpload {
  contentType: string;
  data: string;
}

/** A photo as stored: base64 in a document collection, beside the task it belongs to. */
export interface StoredPhoto {
  id: string;
  task: string;
  contentType: string;
  size: number;
  data: string;
  at: string;
  by: ActorRef;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The bytes of an upload, checked: a known image type, valid base64, at most `maxBytes`, and
 * leading bytes that are that type's (a renamed file or a script is refused).
 */
export function decodePhoto(upload: PhotoUpload, maxBytes = MAX_PHOTO_BYTES): Buffer {
  const check = PHOTO_TYPES[upload.contentType];
  if (!check)
    throw new CityError(
      'UnsupportedMediaType',
      `a photo is one of ${Object.keys(PHOTO_TYPES).join(', ')}, not ${upload.contentType}`,
    );
  const text = upload.data.replace(/\s+/g, '');
  if (text.length % 4 !== 0 || !BASE64.test(text))
    throw new CityError('BadRequestData', 'the photo data is not valid base64');
  if ((text.length / 4) * 3 > maxBytes + 2)
    throw new CityError('BadRequestData', `a photo has at most ${maxBytes} bytes`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length > maxBytes)
    throw new CityError('BadRequestData', `a photo has at most ${maxBytes} bytes`);
  if (!check(bytes))
    throw new CityError('BadRequestData', `the photo data is not ${upload.contentType}`);
  return bytes;
}
