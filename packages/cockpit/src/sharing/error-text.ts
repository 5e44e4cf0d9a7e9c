import { ApiError } from '../api.js';
import type { Translator } from '../i18n.js';

/** What to tell the user about a failed call: the server's own `detail` when it gave one. */
export function errorText(tr: Translator, err: unknown): string {
  if (err instanceof ApiError) {
    if (err.detail) return err.detail;
    if (err.status === 0) return tr.t('share.error.unreachable');
    if (err.status === 403) return tr.t('share.error.forbidden');
    return tr.t('share.error.status', { status: err.status });
  }
  return tr.t('share.error.unexpected');
}
