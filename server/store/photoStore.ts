import { randomUUID } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import type { RejectedPhoto } from '#contract/incidentsApi.ts';

/** Upload types accepted, recognised from the bytes (never from the name or the declared type). */
const ACCEPTED = new Set(['image/jpeg', 'image/png', 'image/webp']);
const MAX_SIDE = 2048;
const THUMB_SIDE = 320;
const QUALITY = 82;
// A 10 MiB PNG can decode to gigapixels; 50 MP is more than any phone camera's default mode.
export const MAX_INPUT_PIXELS = 50_000_000;
// One libvips thread per decode: how many run at once is bounded by the caller (the reports
// router's decode queue, one per core), not multiplied by libvips' own per-image threads.
sharp.concurrency(1);

/** A photo decoded, auto-rotated, stripped of metadata (EXIF, GPS) and re-encoded as JPEG, not yet stored. */
export interface PreparedPhoto {
  id: string;
  contentType: 'image/jpeg';
  image: Buffer;
  width: number;
  height: number;
  thumb: Buffer;
  originalType: string;
  originalBytes: number;
}

export type PrepareResult =
  | { ok: true; photo: PreparedPhoto }
  | { ok: false; code: RejectedPhoto['code']; message: string };

/** Checks an upload's real type and re-encodes it; never throws for bad input, answers why instead. */
export async function preparePhoto(bytes: Buffer): Promise<PrepareResult> {
  const type = await fileTypeFromBuffer(bytes);
  if (!type || !ACCEPTED.has(type.mime))
    return {
      ok: false,
      code: 'unsupported_photo_type',
      message: `${type ? `${type.mime} is not accepted` : 'the file is not an image'}; send a JPEG, PNG or WebP photo`,
    };
  try {
    const { data: image, info } = await sharp(bytes, {
      limitInputPixels: MAX_INPUT_PIXELS,
      failOn: 'error',
      sequentialRead: true,
    })
      .autoOrient()
      // JPEG has no alpha: transparent PNG/WebP areas become white, not black
      .flatten({ background: '#ffffff' })
      .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: QUALITY, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    // the thumbnail from the shrunk copy: the original (up to 50 MP) is decoded once, not twice
    const thumb = await sharp(image)
      .resize({ width: THUMB_SIDE, height: THUMB_SIDE, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 75, mozjpeg: true })
      .toBuffer();
    return {
      ok: true,
      photo: {
        id: randomUUID(),
        contentType: 'image/jpeg',
        image,
        width: info.width,
        height: info.height,
        thumb,
        originalType: type.mime,
        originalBytes: bytes.length,
      },
    };
  } catch (err) {
    const msg = String((err as Error)?.message ?? err);
    if (/pixel limit/i.test(msg))
      return {
        ok: false,
        code: 'photo_too_large',
        message: `the photo has more than ${MAX_INPUT_PIXELS / 1_000_000} megapixels; send a smaller one`,
      };
    return {
      ok: false,
      code: 'unreadable_photo',
      message: `the ${type.ext.toUpperCase()} file is damaged or incomplete`,
    };
  }
}

/**
 * The pixels an upload would decode to, read from its header only (no decode: about a millisecond
 * for a 49 MP photo); 0 for what `preparePhoto` refuses without decoding (a type not accepted, an
 * unreadable header, over the pixel limit).
 */
export async function photoPixels(bytes: Buffer): Promise<number> {
  try {
    const type = await fileTypeFromBuffer(bytes);
    if (!type || !ACCEPTED.has(type.mime)) return 0;
    const m = await sharp(bytes, { limitInputPixels: false }).metadata();
    const px = (m.width ?? 0) * (m.pageHeight ?? m.height ?? 0);
    return px <= MAX_INPUT_PIXELS ? px : 0;
  } catch {
    return 0;
  }
}

export type PhotoVariant = 'full' | 'thumb';

/** Photo files under one directory (DATA_DIR/photos), named by their random id, outside the web root. */
export class PhotoStore {
  constructor(readonly dir: string) {}

  /** See `preparePhoto`. */
  prepare(bytes: Buffer): Promise<PrepareResult> {
    return preparePhoto(bytes);
  }

  /** See `photoPixels`. */
  pixels(bytes: Buffer): Promise<number> {
    return photoPixels(bytes);
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  private file(id: string, variant: PhotoVariant): string {
    // ids are UUIDs made here and validated by the router; check again so no caller can walk the tree
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new Error(`not a photo id: ${id}`);
    return path.join(this.dir, `${id.toLowerCase()}${variant === 'thumb' ? '.thumb' : ''}.jpg`);
  }

  /** Writes both files (via a temporary name, so a reader never sees half a file). */
  async save(p: PreparedPhoto): Promise<void> {
    for (const [variant, data] of [
      ['full', p.image],
      ['thumb', p.thumb],
    ] as const) {
      const f = this.file(p.id, variant);
      await writeFile(`${f}.tmp`, data);
      await rename(`${f}.tmp`, f);
    }
  }

  async remove(id: string): Promise<void> {
    await rm(this.file(id, 'full'), { force: true });
    await rm(this.file(id, 'thumb'), { force: true });
  }

  /** The file as a stream with its size, or undefined when it is not there. */
  async open(id: string, variant: PhotoVariant): Promise<{ stream: ReadStream; size: number } | undefined> {
    const f = this.file(id, variant);
    try {
      const s = await stat(f);
      return { stream: createReadStream(f), size: s.size };
    } catch {
      return undefined;
    }
  }
}
