import { useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import { useI18n, type MessageKey } from '../i18n.js';
import { AttributeInput } from './attribute-input.js';
import { errorText } from './error-text.js';
import { organisationName } from './names.js';
import { toGrantRequest, type RequestDraft } from './request-draft.js';
import { RequestTerms } from './request-terms.js';
import {
  PURPOSES,
  type Dataset,
  type Grant,
  type Me,
  type Organisation,
  type Purpose,
} from './sharing-model.js';

/** Props of the request-access form. */
export interface RequestFormProps {
  api: ApiClient;
  me: Me | undefined;
  datasets: readonly Dataset[];
  organisations: readonly Organisation[];
  organisationsById: ReadonlyMap<string, Organisation>;
  /** The form's content, kept by the view so that a click on a dataset can fill it in. */
  draft: RequestDraft;
  /** Changes the draft from its latest state (two quick edits never undo each other). */
  onDraft: (update: (draft: RequestDraft) => RequestDraft) => void;
  /** After the server accepted the request: the form is cleared and the lists reloaded. */
  onSent: (grant: Grant) => void;
}

/** Asks a dataset's owner for access: what, which rows, why, how long, on which terms. */
export function RequestForm(p: RequestFormProps) {
  const tr = useI18n();
  const { draft } = p;
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ key: MessageKey } | { error: unknown }>();
  const [sent, setSent] = useState<Grant>();
  const namesAssignee = p.me?.kind === 'operator';
  const own = namesAssignee ? draft.assignee : p.me?.organisation;
  const targets = p.datasets.filter((d) => d.owner !== own);
  const set = (patch: Partial<RequestDraft>): void => {
    setSent(undefined);
    p.onDraft((current) => ({ ...current, ...patch }));
  };
  const name = (id: string) => organisationName(p.organisationsById, id, tr.lang);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (busy) return;
    const built = toGrantRequest(draft, { namesAssignee });
    if ('problem' in built) return setProblem({ key: built.problem });
    setBusy(true);
    setProblem(undefined);
    try {
      const grant = await p.api.requestGrant(built.request);
      setSent(grant);
      p.onSent(grant);
    } catch (error) {
      setProblem({ error });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card glass sharing__form" data-testid="request-form">
      <header class="card__head">
        <h2 class="panel-title">{tr.t('share.form.title')}</h2>
      </header>
      <form class="card__body form" onSubmit={(e) => void submit(e)} noValidate>
        {namesAssignee && (
          <label class="field">
            <span class="field__label">{tr.t('share.form.assignee')}</span>
            <select
              name="assignee"
              value={draft.assignee}
              onChange={(e) => set({ assignee: e.currentTarget.value })}
            >
              <option value="">{tr.t('share.form.chooseAssignee')}</option>
              {p.organisations.map((o) => (
                <option key={o.id} value={o.id}>
                  {name(o.id)}
                </option>
              ))}
            </select>
          </label>
        )}
        <label class="field">
          <span class="field__label">{tr.t('share.form.dataset')}</span>
          <select
            name="target"
            value={draft.target}
            onChange={(e) => set({ target: e.currentTarget.value })}
          >
            <option value="">
              {tr.t(
                targets.length > 0 || p.datasets.length === 0
                  ? 'share.form.chooseDataset'
                  : 'share.form.noTargets',
              )}
            </option>
            {targets.map((d) => (
              <option key={d.id} value={d.id}>
                {`${d.title ?? d.id} · ${name(d.owner)}`}
              </option>
            ))}
          </select>
        </label>
        <div class="field">
          <label class="field__label" for="request-attributes">
            {tr.t('share.form.attributes')}
            <small>{tr.t('share.form.attributesHint')}</small>
          </label>
          <AttributeInput
            id="request-attributes"
            value={draft.attributes}
            text={draft.attributeText}
            onChange={(attributes, attributeText) => set({ attributes, attributeText })}
          />
        </div>
        <label class="field">
          <span class="field__label">
            {tr.t('share.form.rowFilter')}
            <small>{tr.t('share.form.optional')}</small>
          </span>
          <input
            name="rowFilter"
            class="mono"
            type="text"
            autocomplete="off"
            spellcheck={false}
            placeholder={tr.t('share.form.rowFilterPlaceholder')}
            value={draft.rowFilter}
            onInput={(e) => set({ rowFilter: e.currentTarget.value })}
          />
        </label>
        <label class="field">
          <span class="field__label">{tr.t('share.form.purpose')}</span>
          <select
            name="purpose"
            value={draft.purpose}
            onChange={(e) => set({ purpose: e.currentTarget.value as Purpose | '' })}
          >
            <option value="">{tr.t('share.form.choosePurpose')}</option>
            {PURPOSES.map((x) => (
              <option key={x} value={x}>
                {tr.t(`purpose.${x}`)}
              </option>
            ))}
          </select>
        </label>
        <div class="form__row">
          <label class="field">
            <span class="field__label">{tr.t('share.form.validFrom')}</span>
            <input
              name="validFrom"
              type="date"
              value={draft.validFrom}
              onInput={(e) => set({ validFrom: e.currentTarget.value })}
            />
          </label>
          <label class="field">
            <span class="field__label">{tr.t('share.form.validUntil')}</span>
            <input
              name="validUntil"
              type="date"
              value={draft.validUntil}
              onInput={(e) => set({ validUntil: e.currentTarget.value })}
            />
          </label>
        </div>
        <RequestTerms draft={draft} onChange={set} />
        {problem && (
          <p class="form__error" role="alert" data-testid="request-error">
            {'key' in problem ? tr.t(problem.key) : errorText(tr, problem.error)}
          </p>
        )}
        {sent && (
          <p class="form__ok" role="status" data-testid="request-sent">
            {tr.t('share.form.sent', { owner: name(sent.assigner) })}
          </p>
        )}
        <button class="button button--primary form__submit" type="submit" disabled={busy}>
          {busy ? tr.t('share.form.sending') : tr.t('share.form.submit')}
        </button>
      </form>
    </section>
  );
}
