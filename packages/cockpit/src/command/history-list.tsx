import { useI18n } from '../i18n.js';
import type { HistoryEntry } from '../model.js';
import { formatMoment } from '../sharing/format.js';
import { actorName, orgName } from './command-names.js';
import { useCommandEnv } from './command-context.js';

/** Props of a history. */
export interface HistoryListProps {
  entries: readonly HistoryEntry[];
  /** How the statuses of the item are named (`astatus`, `istatus`, `tstatus`). */
  statusPrefix: string;
}

/** Who did what when, newest first: a vertical timeline. */
export function HistoryList({ entries, statusPrefix }: HistoryListProps) {
  const tr = useI18n();
  const env = useCommandEnv();
  if (entries.length === 0) return <p class="muted">{tr.t('cmd.history.empty')}</p>;
  return (
    <ol class="timeline" data-testid="history">
      {[...entries].reverse().map((e, i) => (
        <li
          key={`${e.at}-${i}`}
          class={`timeline__item timeline__item--${e.action}`}
          data-action={e.action}
        >
          <div class="timeline__top">
            <span class="timeline__action">{tr.tx('hist', e.action)}</span>
            {e.from && e.to && e.from !== e.to && (
              <span class="timeline__move">
                {`${tr.tx(statusPrefix, e.from)} → ${tr.tx(statusPrefix, e.to)}`}
              </span>
            )}
            <time class="timeline__time" dateTime={e.at} title={new Date(e.at).toLocaleString()}>
              {formatMoment(tr, e.at, env.now)}
            </time>
          </div>
          <div class="timeline__by">
            {actorName(tr, env.organisations, e.by)}
            {e.organisation && (
              <span class="timeline__org">
                {` → ${orgName(tr, env.organisations, e.organisation)}`}
                {e.level !== undefined && ` · ${tr.t('cmd.level', { n: e.level })}`}
              </span>
            )}
          </div>
          {e.note && <p class="timeline__note">{e.note}</p>}
        </li>
      ))}
    </ol>
  );
}
