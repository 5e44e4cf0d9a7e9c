import { parentPort } from 'node:worker_threads';
import { END, RuleEvaluation, type EvaluationRequest } from './rule-evaluation.js';

// The rules' thread (see RuleHost): answers the rule engine's requests, in the order they come.
const port = parentPort;
if (!port) throw new Error('rule-worker runs as a worker thread');
const evaluation = new RuleEvaluation();
let answering = Promise.resolve();
port.on('message', (request: EvaluationRequest | typeof END) => {
  if (request === END) {
    // Leaves once every answer is posted: the thread's loop empties and it exits.
    void answering.then(() => port.close());
    return;
  }
  const answered = evaluation.handle(request).then((reply) => port.postMessage(reply));
  answering = answering.then(() => answered);
});
