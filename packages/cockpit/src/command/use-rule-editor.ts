import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api.js';
import { useLoadable, type Loadable } from '../sharing/use-loadable.js';
import type { CommandApi } from './command-api.js';
import type { StoredRule } from './command-model.js';
import {
  convert,
  definitionOf,
  ruleText,
  statusOf,
  withStatus,
  type RuleBase,
  type RuleFormat,
  type RuleStatus,
  type RuleText,
} from './rule-text.js';

/** What the last save came to. */
export type SaveOutcome =
  | { tone: 'ok'; version: number }
  | { tone: 'bad'; error: unknown }
  /** Someone saved meanwhile (412): the draft is kept; the latest can be loaded. */
  | { tone: 'stale'; error: unknown };

/** One rule being edited: as stored, as typed, and what saving did. */
export interface RuleEditor {
  stored: Loadable<StoredRule>;
  draft?: RuleText;
  /** True when the draft differs from what was loaded or saved. */
  dirty: boolean;
  /** The status the draft gives the rule (undefined while its JSON does not parse). */
  status?: string;
  saving: boolean;
  outcome?: SaveOutcome;
  edit: (text: string) => void;
  setStatus: (status: RuleStatus) => boolean;
  /** Switches the draft's language; false when the YAML cannot be read back here. */
  setFormat: (format: RuleFormat) => boolean;
  /** Puts an older version's definition in the draft. */
  loadDefinition: (definition: Record<string, unknown>) => void;
  revert: () => void;
  /** Reads the stored rule again (after a 412), dropping the draft. */
  reload: () => void;
  save: () => Promise<void>;
}

/** Edits one rule: loads it, keeps the draft, saves it with the version it read (If-Match). */
export function useRuleEditor(
  api: CommandApi,
  id: string,
  onSaved: (rule: StoredRule) => void,
): RuleEditor {
  const [version, setVersion] = useState(0);
  const stored = useLoadable(() => api.rule(id), [api, id, version]);
  const [saved, setSaved] = useState<StoredRule>();
  const [format, setFormatState] = useState<RuleFormat>('json');
  const [draft, setDraft] = useState<RuleText>();
  const [base, setBase] = useState<RuleBase>();
  const [saving, setSaving] = useState(false);
  const [outcome, setOutcome] = useState<SaveOutcome>();
  const current =
    saved?.id === id && saved.version >= (stored.value?.version ?? 0) ? saved : stored.value;

  const show = (definition: Record<string, unknown>, f: RuleFormat): void => {
    const text = ruleText(definition, f);
    setDraft(text);
    setBase({ definition, text: text.text });
  };
  useEffect(() => {
    if (stored.value) show(definitionOf(stored.value), format);
  }, [stored.value]);
  useEffect(() => setOutcome(undefined), [id]);

  return {
    stored: current ? { ...stored, value: current } : stored,
    draft,
    dirty: !!draft && !!base && draft.text !== base.text,
    status: draft && statusOf(draft),
    saving,
    outcome,
    edit(text) {
      setDraft((d) => d && { ...d, text });
      // "Saved" no longer describes the text once it changes; a refusal stays to be read.
      setOutcome((o) => (o?.tone === 'ok' ? undefined : o));
    },
    setStatus(status) {
      const next = draft && withStatus(draft, status);
      if (next) setDraft(next);
      return !!next;
    },
    setFormat(f) {
      const next = draft && convert(draft, f, base);
      if (!next) return false;
      setFormatState(f);
      setDraft(next);
      // The base follows in the new language, so that an unchanged draft stays unchanged.
      if (base) setBase({ definition: base.definition, text: ruleText(base.definition, f).text });
      return true;
    },
    loadDefinition: (definition) => setDraft(ruleText(definition, format)),
    revert: () => base && setDraft({ format, text: base.text }),
    reload() {
      setOutcome(undefined);
      setVersion((v) => v + 1);
    },
    async save() {
      if (!draft || !current) return;
      setSaving(true);
      setOutcome(undefined);
      try {
        const result = await api.saveRule(id, draft, current.version);
        setSaved(result);
        setBase({ definition: definitionOf(result), text: draft.text });
        setOutcome({ tone: 'ok', version: result.version });
        onSaved(result);
      } catch (error) {
        const stale = error instanceof ApiError && error.status === 412;
        setOutcome({ tone: stale ? 'stale' : 'bad', error });
      } finally {
        setSaving(false);
      }
    },
  };
}
