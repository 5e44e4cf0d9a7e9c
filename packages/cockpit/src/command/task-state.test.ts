import { describe, expect, it } from 'vitest';
import type { Me } from '../sharing/sharing-model.js';
import type { Task, TaskStatus } from './command-model.js';
import { isOverdue, matchesTaskFilter, taskActionsFor } from './task-state.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const task = (status: TaskStatus, due = '2026-03-01T13:00:00Z', overdue = false): Task => ({
  id: 't',
  type: 'Task',
  title: 'Inspect',
  priority: 'normal',
  due,
  status,
  category: 'environment',
  assignee: 'env',
  dispatcher: 'city',
  dispatchedBy: { subject: 'x', organisation: 'city' },
  escalationChain: [],
  participants: ['env', 'city'],
  progress: 0,
  notes: [],
  photos: [],
  overdue,
  createdAt: '2026-03-01T10:00:00Z',
  modifiedAt: '2026-03-01T10:00:00Z',
  history: [],
});
const member = (organisation: string): Me => ({
  kind: 'user',
  subject: 'k',
  organisation,
  roles: ['responder'],
});
const OPERATOR: Me = { kind: 'operator', subject: 'operator', roles: ['admin'] };

describe('task state', () => {
  it("offers the assignee's steps to the assignee and cancel to the dispatcher", () => {
    expect(taskActionsFor(task('dispatched'), member('env'))).toEqual(['accept', 'reject']);
    expect(taskActionsFor(task('accepted'), member('env'))).toEqual([
      'progress',
      'complete',
      'reject',
    ]);
    expect(taskActionsFor(task('in-progress'), member('env'))).toEqual(['progress', 'complete']);
    expect(taskActionsFor(task('in-progress'), member('city'))).toEqual(['cancel']);
    expect(taskActionsFor(task('dispatched'), member('other'))).toEqual([]);
    expect(taskActionsFor(task('dispatched'), OPERATOR)).toEqual(['accept', 'reject', 'cancel']);
    expect(taskActionsFor(task('completed'), OPERATOR)).toEqual([]);
    expect(taskActionsFor(task('dispatched'), undefined)).toEqual([]);
  });

  it('calls an active task past due overdue, before the server marks it', () => {
    expect(isOverdue(task('accepted', '2026-03-01T11:59:00Z'), NOW)).toBe(true);
    expect(isOverdue(task('accepted', '2026-03-01T13:00:00Z', true), NOW)).toBe(true);
    expect(isOverdue(task('accepted'), NOW)).toBe(false);
    expect(isOverdue(task('completed', '2026-03-01T11:00:00Z', true), NOW)).toBe(false);
  });

  it('filters active, overdue and done tasks', () => {
    const late = task('dispatched', '2026-03-01T11:00:00Z');
    const done = task('rejected');
    expect(matchesTaskFilter(late, 'active', NOW)).toBe(true);
    expect(matchesTaskFilter(late, 'overdue', NOW)).toBe(true);
    expect(matchesTaskFilter(done, 'done', NOW)).toBe(true);
    expect(matchesTaskFilter(done, 'active', NOW)).toBe(false);
    expect(matchesTaskFilter(done, 'all', NOW)).toBe(true);
  });
});
