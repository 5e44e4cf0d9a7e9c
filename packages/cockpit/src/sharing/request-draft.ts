import type { MessageKey } from '../i18n.js';
import type { Duty, GrantRequest, Prohibition, Purpose } from './sharing-model.js';

/** The request-access form as typed: strings as the inputs hold them. */
export interface RequestDraft {
  target: string;
  attributes: string[];
  /** Attribute names typed but not yet turned into chips. */
  attributeText: string;
  rowFilter: string;
  purpose: Purpose | '';
  /** `YYYY-MM-DD`, local days (date inputs). */
  validFrom: string;
  validUntil: string;
  informOwner: boolean;
  deleteAfter: boolean;
  deleteAfterDays: string;
  prohibitions: Prohibition[];
  /** The organisation the operator asks for (others ask for their own). */
  assignee: string;
}

const DAY = 86_400_000;

/** A local day as a date input holds it (`YYYY-MM-DD`). */
export function dayInputValue(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The start of a local day (`YYYY-MM-DD`) as an ISO instant; undefined when it is no day. */
export function dayStartIso(day: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const at = new Date(`${day}T00:00:00`);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** A fresh draft: valid from today for 30 days, owner informed, no redistribution. */
export function emptyDraft(now: number): RequestDraft {
  return {
    target: '',
    attributes: [],
    attributeText: '',
    rowFilter: '',
    purpose: '',
    validFrom: dayInputValue(now),
    validUntil: dayInputValue(now + 30 * DAY),
    informOwner: true,
    deleteAfter: false,
    deleteAfterDays: '30',
    prohibitions: ['redistribution'],
    assignee: '',
  };
}

/** Attribute names from typed text: split on commas (also `，`) and blanks, unique, in order. */
export function splitAttributes(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,，;；]+/)
        .map((a) => a.trim())
        .filter(Boolean),
    ),
  ];
}

/** Adds typed attributes to the chips already there, without repeating one. */
export function addAttributes(chips: readonly string[], text: string): string[] {
  return [...new Set([...chips, ...splitAttributes(text)])];
}

/** The draft as a request, or the message saying what is missing (the server checks the rest). */
export function toGrantRequest(
  draft: RequestDraft,
  options: { namesAssignee: boolean },
): { request: GrantRequest } | { problem: MessageKey } {
  if (!draft.target) return { problem: 'share.form.needDataset' };
  const attributes = addAttributes(draft.attributes, draft.attributeText);
  if (attributes.length === 0) return { problem: 'share.form.needAttributes' };
  if (!draft.purpose) return { problem: 'share.form.needPurpose' };
  if (options.namesAssignee && !draft.assignee) return { problem: 'share.form.needAssignee' };
  const validFrom = dayStartIso(draft.validFrom);
  const validUntil = dayStartIso(draft.validUntil);
  if (!validFrom || !validUntil) return { problem: 'share.form.needDates' };
  if (validUntil <= validFrom) return { problem: 'share.form.untilAfterFrom' };
  const duties: Duty[] = [];
  if (draft.informOwner) duties.push({ action: 'inform', party: 'owner' });
  if (draft.deleteAfter) {
    const days = Number(draft.deleteAfterDays);
    if (!Number.isInteger(days) || days < 1 || days > 3650)
      return { problem: 'share.form.deleteDays' };
    duties.push({ action: 'delete', afterDays: days });
  }
  const rowFilter = draft.rowFilter.trim();
  return {
    request: {
      target: draft.target,
      attributes,
      ...(rowFilter && { rowFilter }),
      purpose: draft.purpose,
      validFrom,
      validUntil,
      duties,
      prohibitions: draft.prohibitions,
      ...(options.namesAssignee && { assignee: draft.assignee }),
    },
  };
}
