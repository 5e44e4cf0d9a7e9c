/** Topics of incidents and tasks (alerts use `Topics.alertRaised` and `Topics.alertUpdated`). */
export const CommandTopics = {
  /** payload: Incident (key: its id) */
  incidentCreated: 'incident.created',
  /** payload: Incident (key: its id) */
  incidentUpdated: 'incident.updated',
  /** payload: Task (key: its id) */
  taskCreated: 'task.created',
  /** payload: Task (key: its id) */
  taskUpdated: 'task.updated',
} as const;
