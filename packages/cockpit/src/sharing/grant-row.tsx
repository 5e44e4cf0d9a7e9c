import { useI18n } from '../i18n.js';
import { PhaseBadge } from './badges.js';
import { dutyText, formatDay, validityText } from './format.js';
import { grantPhase, validityNote } from './grant-phase.js';
import { organisationName } from './names.js';
import type { Grant, GrantAction, Organisation } from './sharing-model.js';
import { CodeIcon } from './icons.js';

/** Props of one grant row. */
export interface GrantRowProps {
  grant: Grant;
  datasetTitle: string;
  organisations: ReadonlyMap<string, Organisation>;
  actions: readonly GrantAction[];
  busy: boolean;
  now: number;
  onAction: (grant: Grant, action: GrantAction) => void;
  onOpen: (grant: Grant) => void;
}

const SHOWN_ATTRIBUTES = 4;

/**
 * One grant: dataset (a click opens its details), parties, purpose, scope, validity, terms,
 * and its status with the owner's buttons under it.
 */
export function GrantRow({ grant: g, ...p }: GrantRowProps) {
  const tr = useI18n();
  const phase = grantPhase(g, p.now);
  const validity = validityText(tr, validityNote(g, p.now));
  const hidden = g.attributes.length - SHOWN_ATTRIBUTES;
  const terms = [
    ...g.duties.map((d) => dutyText(tr, d)),
    ...g.prohibitions.map((x) => tr.tx('prohibition', x, x)),
  ];
  return (
    <tr class={`grant grant--${phase}`} data-testid="grant-row" data-grant-id={g.id}>
      <td class="grant__what">
        <button
          type="button"
          class="grant__open"
          title={tr.t('share.grants.details')}
          data-action="details"
          onClick={() => p.onOpen(g)}
        >
          <span>{p.datasetTitle}</span>
          <CodeIcon size={13} />
        </button>
        {p.datasetTitle !== g.target && <code class="grant__id">{g.target}</code>}
      </td>
      <td>
        <div class="parties">
          <span class="parties__who">{organisationName(p.organisations, g.assignee, tr.lang)}</span>
          <span class="parties__arrow" aria-hidden="true">
            →
          </span>
          <span class="parties__owner">
            {organisationName(p.organisations, g.assigner, tr.lang)}
          </span>
        </div>
      </td>
      <td>{tr.tx('purpose', g.purpose, g.purpose)}</td>
      <td>
        <div class="attr-chips">
          {g.attributes.slice(0, SHOWN_ATTRIBUTES).map((a) => (
            <code key={a} class="attr-chip">
              {a}
            </code>
          ))}
          {hidden > 0 && (
            <span class="attr-chip attr-chip--more" title={g.attributes.join(', ')}>
              {`+${hidden}`}
            </span>
          )}
        </div>
        {g.rowFilter && (
          <div class="grant__filter" title={g.rowFilter}>
            <span>{tr.t('share.grants.rows')}</span>
            <code>{g.rowFilter}</code>
          </div>
        )}
      </td>
      <td class="grant__validity">
        <div class="grant__days">{`${formatDay(tr, g.validFrom)} – ${formatDay(tr, g.validUntil)}`}</div>
        {validity && <div class={`validity validity--${validity.tone}`}>{validity.text}</div>}
      </td>
      <td>
        {terms.length === 0 ? (
          <span class="muted">—</span>
        ) : (
          <ul class="terms">
            {terms.map((t) => (
              <li key={t}>{t}</li>
            ))}
          </ul>
        )}
      </td>
      <td class="grant__state">
        <PhaseBadge phase={phase} />
        {p.actions.length > 0 && (
          <div class="grant__buttons">
            {p.actions.map((action) => (
              <button
                key={action}
                type="button"
                class={`button button--small button--${action}`}
                disabled={p.busy}
                data-action={action}
                onClick={() => p.onAction(g, action)}
              >
                {tr.t(`share.action.${action}`)}
              </button>
            ))}
          </div>
        )}
      </td>
    </tr>
  );
}
