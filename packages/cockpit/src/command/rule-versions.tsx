import { useI18n } from '../i18n.js';
import { CardState } from '../sharing/card-state.js';
import { formatMoment } from '../sharing/format.js';
import { useLoadable } from '../sharing/use-loadable.js';
import { useCommandEnv } from './command-context.js';
import { StatusPill } from './command-parts.js';

/** Props of a rule's versions. */
export interface RuleVersionsProps {
  ruleId: string;
  /** The version shown in the editor (the list is read again when it changes). */
  current: number | undefined;
  onLoad: (definition: Record<string, unknown>) => void;
}

/** Every version of the rule, newest first: who changed it when; one can be loaded in the editor. */
export function RuleVersions({ ruleId, current, onLoad }: RuleVersionsProps) {
  const tr = useI18n();
  const env = useCommandEnv();
  const versions = useLoadable(() => env.api.ruleVersions(ruleId), [env.api, ruleId, current]);
  if (!versions.value)
    return <CardState kind={versions.settled ? 'error' : 'loading'} error={versions.error} />;
  return (
    <ol class="versions" data-testid="rule-versions">
      {[...versions.value].reverse().map((v) => (
        <li
          key={v.version}
          class={`version${v.version === current ? ' is-current' : ''}`}
          data-version={v.version}
        >
          <span class="version__n">{`v${v.version}`}</span>
          <span class="version__who">
            {v.updatedBy}
            <time class="muted">{formatMoment(tr, v.updatedAt, env.now)}</time>
          </span>
          {v.deleted ? (
            <span class="tag tag--late">{tr.t('cmd.rules.deleted')}</span>
          ) : (
            <StatusPill
              kind="rule"
              status={typeof v.rule.status === 'string' ? v.rule.status : 'active'}
            />
          )}
          {v.version !== current && !v.deleted && (
            <button
              type="button"
              class="button button--ghost button--small"
              onClick={() => onLoad(v.rule)}
            >
              {tr.t('cmd.rules.loadVersion')}
            </button>
          )}
        </li>
      ))}
    </ol>
  );
}
