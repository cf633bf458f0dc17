import { useRef } from 'preact/hooks';
import { t } from '../../i18n/i18n.ts';
import { errors, photoBusy, photos } from '../fieldStore.ts';
import { MAX_PHOTOS, shrinkPhoto } from '../photo.ts';

export function PhotoPicker() {
  const input = useRef<HTMLInputElement>(null);
  const list = photos.value;
  const full = list.length >= MAX_PHOTOS;
  const onFiles = async (files: FileList | null) => {
    if (!files) return;
    const room = MAX_PHOTOS - photos.value.length;
    const picked = [...files].slice(0, Math.max(0, room));
    for (const [i, f] of picked.entries()) {
      photoBusy.value++;
      try {
        const small = await shrinkPhoto(f, f.name, photos.value.length + i);
        photos.value = [...photos.value, { file: small, url: URL.createObjectURL(small) }];
        if (errors.value.photos) errors.value = { ...errors.value, photos: undefined };
      } catch {
        errors.value = { ...errors.value, photos: { key: 'field.photos.undecodable', detail: f.name } };
      } finally {
        photoBusy.value--;
      }
    }
    if (input.current) input.current.value = '';
  };
  return (
    <div class="photos">
      {list.length > 0 && (
        <ul class="thumbs" data-testid="thumbs">
          {list.map((p, i) => (
            <li key={p.url} class="thumb">
              <img src={p.url} alt="" />
              <button
                type="button"
                class="thumb-remove"
                aria-label={t('field.photos.remove', { n: i + 1 })}
                data-testid={`photo-remove-${i}`}
                onClick={() => {
                  URL.revokeObjectURL(p.url);
                  photos.value = photos.value.filter((x) => x !== p);
                }}
              >
                <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true">
                  <path
                    d="M5 5l10 10M15 5L5 15"
                    stroke="currentColor"
                    stroke-width="2.6"
                    stroke-linecap="round"
                  />
                </svg>
              </button>
            </li>
          ))}
        </ul>
      )}
      {photoBusy.value > 0 && (
        <div class="muted" data-testid="photo-busy">
          <span class="spinner dark" aria-hidden="true" /> {t('field.photos.processing')}
        </div>
      )}
      <label class={`btn-secondary${full ? ' disabled' : ''}`}>
        <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
          <path
            d="M4 8h3l2-3h6l2 3h3v11H4z"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linejoin="round"
          />
          <circle cx="12" cy="13" r="3.5" fill="none" stroke="currentColor" stroke-width="2" />
        </svg>
        {full ? t('field.photos.full', { max: MAX_PHOTOS }) : t('field.photos.add')}
        <input
          ref={input}
          type="file"
          accept="image/*"
          capture="environment"
          multiple
          disabled={full}
          class="visually-hidden"
          data-testid="photo-input"
          onChange={(e) => void onFiles((e.currentTarget as HTMLInputElement).files)}
        />
      </label>
    </div>
  );
}
