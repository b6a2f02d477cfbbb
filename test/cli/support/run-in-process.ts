/** `locksmith <args…>` run in this process through the command's `main(argv, io)`, output captured. */
import { main } from '../../../bin/cli.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command in this process; project configs that import the plugin's TypeScript source load through tsx. */
export async function locksmith(args: readonly string[], cwd: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    cwd,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}
