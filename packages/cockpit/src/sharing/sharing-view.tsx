import { useMemo, useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import { useI18n } from '../i18n.js';
import { AccessLog } from './access-log.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { DatasetList } from './dataset-list.js';
import { GrantDrawer } from './grant-drawer.js';
import { GrantTable } from './grant-table.js';
import { byId, datasetTitle, organisationName } from './names.js';
import { emptyDraft, type RequestDraft } from './request-draft.js';
import { RequestForm } from './request-form.js';
import type { Grant } from './sharing-model.js';
import { SharingBar } from './sharing-bar.js';
import { useGrantActions } from './use-grant-actions.js';
import { useSharing } from './use-sharing.js';

/** Props of the sharing view. */
export interface SharingViewProps {
  api: ApiClient;
  now: number;
  /** Kept but not shown (the map is on screen). */
  hidden?: boolean;
}

/** Data sharing between organisations: datasets, grants, requesting access, who read our data. */
export function SharingView({ api, now, hidden = false }: SharingViewProps) {
  const tr = useI18n();
  const data = useSharing(api);
  const actions = useGrantActions({ api, onChanged: data.refresh });
  const [draft, setDraft] = useState<RequestDraft>(() => emptyDraft(Date.now()));
  const [opened, setOpened] = useState<Grant>();
  const grantsById = useMemo(() => byId(data.grants.value), [data.grants.value]);
  const me = data.me.value;
  // The drawer follows the list: after an action it shows the grant as it now is.
  const drawn = opened && (grantsById.get(opened.id) ?? opened);
  const confirming = actions.confirming;

  return (
    <section class={`sharing${hidden ? ' is-hidden' : ''}`} data-testid="sharing-view">
      <SharingBar me={data.me} organisations={data.organisationsById} onRefresh={data.refresh} />
      <div class="sharing__grid">
        <div class="sharing__col">
          <DatasetList
            datasets={data.datasets}
            organisations={data.organisationsById}
            me={me}
            selected={draft.target}
            onPick={(target) => setDraft((d) => ({ ...d, target }))}
            onRetry={data.refresh}
          />
          <RequestForm
            api={api}
            me={me}
            datasets={data.datasets.value ?? []}
            organisations={data.organisations.value ?? []}
            organisationsById={data.organisationsById}
            draft={draft}
            onDraft={setDraft}
            onSent={() => {
              setDraft((d) => ({ ...emptyDraft(Date.now()), assignee: d.assignee }));
              data.refresh();
            }}
          />
        </div>
        <div class="sharing__col sharing__col--main">
          <GrantTable
            grants={data.grants}
            datasets={data.datasetsById}
            organisations={data.organisationsById}
            me={me}
            actions={actions}
            now={now}
            onOpen={setOpened}
            onRetry={data.refresh}
          />
          <AccessLog
            log={data.accessLog}
            organisations={data.organisationsById}
            grants={grantsById}
            me={me}
            now={now}
            onOpenGrant={setOpened}
            onRetry={data.refresh}
          />
        </div>
      </div>
      {drawn && (
        <GrantDrawer
          api={api}
          grant={drawn}
          datasetTitle={datasetTitle(data.datasetsById, drawn.target)}
          organisations={data.organisationsById}
          now={now}
          onClose={() => setOpened(undefined)}
        />
      )}
      {confirming && !hidden && (
        <ConfirmDialog
          title={tr.t('share.revoke.title')}
          text={tr.t('share.revoke.text', {
            dataset: datasetTitle(data.datasetsById, confirming.target),
            assignee: organisationName(data.organisationsById, confirming.assignee, tr.lang),
          })}
          confirmLabel={tr.t('share.action.revoke')}
          onConfirm={actions.confirm}
          onCancel={actions.cancel}
        />
      )}
    </section>
  );
}
