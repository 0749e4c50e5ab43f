import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface EmulatorEndpoints {
  dynamo: string;
  s3: string;
  tables: Record<string, string>;
  bucket: string;
}

/** Starts the emulators in a child process; resolves with their endpoints and a stop function. */
export async function startEmulatorProcess(): Promise<EmulatorEndpoints & { stop(): Promise<void> }> {
  const script = fileURLToPath(new URL('./emulatorServer.ts', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`emulator process exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  const endpoints = JSON.parse(line) as EmulatorEndpoints;
  return {
    ...endpoints,
    stop: async () => {
      child.removeAllListeners('exit');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
