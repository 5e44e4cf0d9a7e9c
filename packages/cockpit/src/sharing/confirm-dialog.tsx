import { createPortal } from 'preact/compat';
import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n.js';
import { useEscape } from './use-escape.js';

/** Props of a confirmation dialog. */
export interface ConfirmDialogProps {
  title: string;
  text: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A modal question before an action that cannot be undone; Escape cancels. It is drawn in
 * `<body>` so that it covers the header too.
 */
export function ConfirmDialog(p: ConfirmDialogProps) {
  const tr = useI18n();
  const cancel = useRef<HTMLButtonElement>(null);
  useEscape(p.onCancel);
  // The safe answer has the focus: Enter alone does not revoke.
  useEffect(() => cancel.current?.focus(), []);
  return createPortal(
    <div class="dialog-backdrop" onClick={p.onCancel}>
      <div
        class="dialog glass"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="confirm-title"
        data-testid="confirm-dialog"
        onClick={(e) => e.stopPropagation()}
      >
        <h2 id="confirm-title" class="dialog__title">
          {p.title}
        </h2>
        <p class="dialog__text">{p.text}</p>
        <div class="dialog__buttons">
          <button ref={cancel} type="button" class="button button--ghost" onClick={p.onCancel}>
            {tr.t('share.cancel')}
          </button>
          <button
            type="button"
            class="button button--danger"
            data-action="confirm"
            onClick={p.onConfirm}
          >
            {p.confirmLabel}
          </button>
        </div>
      </div>
    </div>,
    document.body,
  );
}
