import { useState } from 'preact/hooks';
import { useI18n } from '../i18n.js';
import { CardState, StaleNotice } from '../sharing/card-state.js';
import { useLoadable } from '../sharing/use-loadable.js';
import { BacktestPanel } from './backtest-panel.js';
import { useCommandEnv } from './command-context.js';
import type { StoredRule } from './command-model.js';
import { SeverityChip, StatusPill } from './command-parts.js';
import { RuleEditor } from './rule-editor.js';
import { RuleVersions } from './rule-versions.js';
import { useRuleEditor } from './use-rule-editor.js';

/** The rules of the city, one of them in the editor with its versions and a backtest. */
export function RuleBoard({ onSaved }: { onSaved: () => void }) {
  const tr = useI18n();
  const env = useCommandEnv();
  const [version, setVersion] = useState(0);
  const rules = useLoadable(() => env.api.rules(), [env.api, version]);
  const [picked, setPicked] = useState<string>();
  const all = rules.value;
  const id = picked ?? all?.[0]?.id;
  const me = env.me;
  const canEdit = !me || me.kind === 'operator' || me.roles.includes('admin');
  return (
    <div class="rules">
      <section class="card glass rules__list" data-testid="rule-list">
        <header class="card__head">
          <h2 class="panel-title">
            {tr.t('cmd.rules.title')}
            <span class="badge">{all?.length ?? '–'}</span>
          </h2>
        </header>
        <div class="card__body">
          {all && rules.error !== undefined && <StaleNotice error={rules.error} />}
          {!all && (
            <CardState
              kind={rules.settled ? 'error' : 'loading'}
              error={rules.error}
              onRetry={() => setVersion((v) => v + 1)}
            />
          )}
          {all && all.length === 0 && <CardState kind="empty" text={tr.t('cmd.rules.empty')} />}
          <ul class="pick-list">
            {(all ?? []).map((r) => (
              <li key={r.id}>
                <button
                  type="button"
                  class={`pick pick--rule${r.id === id ? ' is-selected' : ''}`}
                  data-testid="rule-item"
                  data-rule-id={r.id}
                  onClick={() => setPicked(r.id)}
                >
                  <div class="pick__top">
                    <span class="pick__title">{r.name}</span>
                    <StatusPill kind="rule" status={r.status ?? 'active'} />
                  </div>
                  <div class="pick__meta">
                    {r.severity && <SeverityChip severity={r.severity} />}
                    <span class="tag">{tr.tx('rkind', r.kind)}</span>
                    <span class="mono">{`${r.id} · v${r.version}`}</span>
                  </div>
                </button>
              </li>
            ))}
          </ul>
        </div>
      </section>
      {id ? (
        <RuleWorkbench
          key={id}
          id={id}
          canEdit={canEdit}
          onSaved={() => {
            setVersion((v) => v + 1);
            onSaved();
          }}
        />
      ) : (
        <div />
      )}
    </div>
  );
}

function RuleWorkbench({
  id,
  canEdit,
  onSaved,
}: {
  id: string;
  canEdit: boolean;
  onSaved: (r: StoredRule) => void;
}) {
  const tr = useI18n();
  const env = useCommandEnv();
  const editor = useRuleEditor(env.api, id, onSaved);
  return (
    <>
      <RuleEditor editor={editor} canEdit={canEdit} />
      <div class="rules__side">
        <section class="card glass rules__versions">
          <header class="card__head">
            <h2 class="panel-title">{tr.t('cmd.rules.versions')}</h2>
          </header>
          <div class="card__body">
            <RuleVersions
              ruleId={id}
              current={editor.stored.value?.version}
              onLoad={editor.loadDefinition}
            />
          </div>
        </section>
        <BacktestPanel ruleId={id} draft={editor.draft} />
      </div>
    </>
  );
}
