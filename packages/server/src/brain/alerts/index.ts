export {
  ALERT_SEVERITIES,
  ALERT_STATUSES,
  OPEN_ALERT_STATUSES,
  maxSeverity,
  viewAlert,
  type AlertComment,
  type AlertSeverity,
  type AlertStatus,
  type AlertView,
  type EscalationStep,
  type HistoryEntry,
} from './alert-model.js';
export {
  ALERT_ACTIONS,
  ALLOWED_FROM,
  transitionAlert,
  type AlertAction,
} from './alert-lifecycle.js';
export { commentOn, escalateIfDue, MAX_COMMENT_LENGTH } from './alert-escalation.js';
export { alertQ, type AlertFilter } from './alert-query.js';
export { seesAlert } from './alert-visibility.js';
export {
  alertIdOf,
  type AlertEvidence,
  type AlertRoute,
  type AlertRule,
  type RaiseAlert,
} from './alert-raise.js';
export {
  AlertService,
  ALERT_CLAIMS,
  MAX_BULK,
  type AlertRequest,
  type AlertServiceOptions,
  type BulkResult,
} from './alert-service.js';
