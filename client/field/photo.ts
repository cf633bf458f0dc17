/** Longest side of a photo as sent: enough to read a plate or a house number, small on 3G. */
export const MAX_PHOTO_SIDE = 1600;
export const PHOTO_QUALITY = 0.8;
export const MAX_PHOTOS = 5;

/** The size a `width`×`height` image is drawn at so its longest side is at most `max`; never enlarged. */
export function fitWithin(
  width: number,
  height: number,
  max = MAX_PHOTO_SIDE,
): { width: number; height: number } {
  if (!(width > 0 && height > 0)) throw new Error(`bad image size ${width}×${height}`);
  const scale = Math.min(1, max / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/** A file name for the shrunk JPEG: the original's stem, `.jpg`. */
export function jpegName(original: string, index: number): string {
  const stem = original
    .replace(/\.[^.]*$/, '')
    .replace(/[^\w.-]+/g, '_')
    .slice(0, 60);
  return `${stem || `photo-${index + 1}`}.jpg`;
}

/**
 * Re-encodes a photo as JPEG at most 1600 px on its longest side, on the phone: the server
 * cannot read HEIC, and a 12 MP photo over a weak network would never arrive. EXIF
 * orientation is applied by createImageBitmap, and metadata (GPS of the reporter's home)
 * is dropped by the re-encoding. Throws when the browser cannot decode the file.
 */
export async function shrinkPhoto(file: Blob, name: string, index: number): Promise<File> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    const { width, height } = fitWithin(bitmap.width, bitmap.height);
    let blob: Blob;
    if (typeof OffscreenCanvas !== 'undefined') {
      const canvas = new OffscreenCanvas(width, height);
      const g = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
      g.imageSmoothingQuality = 'high';
      g.drawImage(bitmap, 0, 0, width, height);
      blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: PHOTO_QUALITY });
    } else {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const g = canvas.getContext('2d') as CanvasRenderingContext2D;
      g.imageSmoothingQuality = 'high';
      g.drawImage(bitmap, 0, 0, width, height);
      blob = await new Promise<Blob>((resolve, reject) =>
        canvas.toBlob(
          (b) => (b ? resolve(b) : reject(new Error('encode failed'))),
          'image/jpeg',
          PHOTO_QUALITY,
        ),
      );
    }
    return new File([blob], jpegName(name, index), { type: 'image/jpeg', lastModified: Date.now() });
  } finally {
    bitmap.close();
  }
}
