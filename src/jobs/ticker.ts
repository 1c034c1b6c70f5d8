/**
 * Runs a function now and then every `periodMs` after each run has ended (never two at once),
 * until stopped; `stop` resolves once a run in progress has ended. Errors are the function's to
 * handle (a rejection is swallowed so that the next tick still comes).
 */
export function startTicker(tick: () => Promise<unknown>, periodMs: number): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  const run = () => {
    current = tick()
      .catch(() => undefined)
      .then(() => {
        if (!stopped) timer = setTimeout(run, periodMs);
      });
  };
  run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
