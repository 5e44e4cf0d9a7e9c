import { parentPort } from 'node:worker_threads';
import { RuleEvaluation, type EvaluationRequest } from './rule-evaluation.js';

// The rules' thread (see RuleHost): answers the rule engine's requests, in the order they come.
const port = parentPort;
if (!port) throw new Error('rule-worker runs as a worker thread');
const evaluation = new RuleEvaluation();
port.on('message', (request: EvaluationRequest) => {
  void evaluation.handle(request).then((reply) => port.postMessage(reply));
});
