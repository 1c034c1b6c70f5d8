// Preloaded (`node --import`) into the process the sync bench measures: samples
// process.memoryUsage() every 20 ms and at each step boundary (the engine publishes them on the
// `vigil:sync:step` diagnostics channel), and at exit writes to $VIGIL_MEMORY_PROBE_OUT the peaks
// of the whole process and of each phase (start-up before the first step, each step, the finish).
import { subscribe } from 'node:diagnostics_channel';
import { readFileSync, writeFileSync } from 'node:fs';

const out = process.env.VIGIL_MEMORY_PROBE_OUT;
const fields = ['rss', 'heapUsed', 'heapTotal', 'external', 'arrayBuffers'];
const blank = () => Object.fromEntries(fields.map((field) => [field, 0]));
const total = blank();
const phases = [{ phase: 'start-up', peak: blank() }];

function sample() {
  const usage = process.memoryUsage();
  const current = phases[phases.length - 1].peak;
  for (const field of fields) {
    total[field] = Math.max(total[field], usage[field]);
    current[field] = Math.max(current[field], usage[field]);
  }
}

if (out) {
  setInterval(sample, 20).unref();
  subscribe('vigil:sync:step', ({ stepId, phase }) => {
    sample();
    phases.push({ phase: phase === 'start' ? stepId : 'finish', peak: blank() });
    sample();
  });
  process.on('exit', () => {
    sample();
    // The kernel's high-water mark also sees peaks between two samples.
    const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (hwm !== undefined) total.rss = Math.max(total.rss, Number(hwm) * 1024);
    const merged = phases.filter((p, i) => p.phase !== 'finish' || i === phases.length - 1);
    writeFileSync(out, JSON.stringify({ peak: total, phases: merged }));
  });
}
