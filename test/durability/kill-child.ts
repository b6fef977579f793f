// The kill -9 harness shared by the crash tests: run a writer script that prints "KIND value"
// lines (START once it is appending, ACK n once rows are acknowledged, …), kill it with
// SIGKILL `killAfterMs` after START, and resolve once it is gone. A writer that exits on its
// own is a test failure (its stderr is in the message).
import { spawn } from 'node:child_process';

export function runUntilKilled(script: string, args: readonly string[], killAfterMs: number, onLine: (kind: string, value: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    let stderr = '';
    let timer: NodeJS.Timeout | null = null;
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const [kind, value] = buf.slice(0, nl).split(' ');
        buf = buf.slice(nl + 1);
        onLine(kind, value);
        if (kind === 'START' && timer === null) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('exit', (code, signal) => {
      if (timer !== null) clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (code ${code}): ${stderr}`));
      else resolve();
    });
  });
}
