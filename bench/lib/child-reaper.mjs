// Makes sure a benchmark never leaves its server, broker or load generator running: every child
// it spawns is tracked here, and on every way out (Ctrl-C, SIGTERM, SIGHUP, an uncaught
// exception or rejection, a failed run) the children are stopped: SIGTERM, then SIGKILL after a
// grace period, and a synchronous SIGKILL on process exit as the last resort. Children spawned
// with `detached: true` lead their own process group, which is signalled as a whole.
// Only a SIGKILL of the benchmark itself cannot be handled; the load generators exit when their
// IPC channel closes, a server does not.

const children = new Map(); // child → leads its own process group
const cleanups = [];
let installed = false;
let aborting = false;

const alive = (child) => child.exitCode === null && child.signalCode === null;

/** Sends `signal` to the child's process group when it leads one, else to the child. */
function signalChild(child, signal) {
  if (!child.pid) return;
  try {
    process.kill(children.get(child) ? -child.pid : child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Tracks `child` until it exits; `group`: it was spawned with `detached: true` and its whole
 * process group is signalled. Answers the child.
 */
export function trackChild(child, { group = false } = {}) {
  install();
  children.set(child, group);
  child.once('exit', () => {
    // A group leader may leave descendants behind: they go with it.
    if (group) signalChild(child, 'SIGKILL');
    children.delete(child);
  });
  return child;
}

/** Registers a synchronous cleanup (removing temp dirs) run after the children are stopped on an abort. */
export function onAbortCleanup(fn) {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

/** SIGTERMs every tracked child still running, SIGKILLs those left after `graceMs`; resolves when all exited. */
export async function reapChildren({ graceMs = 10_000 } = {}) {
  const running = [...children.keys()].filter(alive);
  if (running.length === 0) return;
  const exited = running.map((c) => new Promise((r) => (alive(c) ? c.once('exit', r) : r())));
  for (const c of running) signalChild(c, 'SIGTERM');
  let timer;
  await Promise.race([Promise.all(exited), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
  clearTimeout(timer);
  const stuck = running.filter(alive);
  for (const c of stuck) signalChild(c, 'SIGKILL');
  if (stuck.length)
    await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 2000))]);
}

/** Runs the registered cleanups (latest first), once; for a failure the benchmark caught itself. */
export function runAbortCleanups() {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      fn();
    } catch (err) {
      console.error(`cleanup failed: ${err.message}`);
    }
  }
}

/** Whether the benchmark is being aborted: a failure then is a consequence, not news. */
export function isAborting() {
  return aborting;
}

/** Stops the children, runs the cleanups and exits with `code`; a second abort SIGKILLs at once. */
async function abort(reason, code) {
  if (aborting) {
    for (const c of children.keys()) signalChild(c, 'SIGKILL');
    process.exit(code);
  }
  aborting = true;
  console.error(`\n${reason}: stopping ${children.size} child process(es)`);
  await reapChildren({ graceMs: 5000 }).catch(() => {});
  runAbortCleanups();
  process.exit(code);
}

function install() {
  if (installed) return;
  installed = true;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ])
    process.on(signal, () => void abort(signal, code));
  process.on('uncaughtException', (err) => void abort(`uncaught: ${err?.stack ?? err}`, 1));
  process.on(
    'unhandledRejection',
    (err) => void abort(`unhandled rejection: ${err?.stack ?? err}`, 1),
  );
  // Last resort, synchronous: nothing the benchmark started outlives it.
  process.on('exit', () => {
    for (const c of children.keys()) if (alive(c)) signalChild(c, 'SIGKILL');
  });
}
