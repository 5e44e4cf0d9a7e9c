import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n.js';
import { formatMoment } from '../sharing/format.js';
import { useCommandEnv } from './command-context.js';
import type { PhotoRef } from './command-model.js';

/** One photo, fetched with the token (an `<img src>` cannot send it) and shown from memory. */
function Photo({ photo }: { photo: PhotoRef }) {
  const tr = useI18n();
  const env = useCommandEnv();
  const [src, setSrc] = useState<string>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let url: string | undefined;
    let alive = true;
    env.api.photo(photo.url).then(
      (blob) => {
        if (!alive) return;
        url = URL.createObjectURL(blob);
        setSrc(url);
      },
      () => alive && setFailed(true),
    );
    return () => {
      alive = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [env.api, photo.url]);
  return (
    <figure class="photo" data-testid="task-photo" data-photo-id={photo.id}>
      {src ? (
        <a href={src} target="_blank" rel="noreferrer" title={tr.t('cmd.photos.open')}>
          <img
            src={src}
            alt={tr.t('cmd.photos.alt', { time: formatMoment(tr, photo.at, env.now) })}
          />
        </a>
      ) : (
        <div class={`photo__placeholder${failed ? ' is-failed' : ''}`}>
          {failed ? tr.t('cmd.photos.failed') : '…'}
        </div>
      )}
      <figcaption>{`${formatMoment(tr, photo.at, env.now)} · ${Math.max(1, Math.round(photo.size / 1024))} KB`}</figcaption>
    </figure>
  );
}

/** A task's photos, as the server serves them back. */
export function TaskPhotos({ photos }: { photos: readonly PhotoRef[] }) {
  const tr = useI18n();
  if (photos.length === 0) return <p class="muted">{tr.t('cmd.photos.none')}</p>;
  return (
    <div class="photos">
      {photos.map((p) => (
        <Photo key={p.id} photo={p} />
      ))}
    </div>
  );
}
