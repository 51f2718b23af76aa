/**
 * Passwords never come from argv (§8): from the terminal without echo, or — when standard
 * input is not a terminal — its first line.
 */
import { createInterface } from 'node:readline';

export async function readPassword(options: { confirm: boolean }): Promise<string> {
  if (!process.stdin.isTTY) return readFirstLine();
  const password = await promptHidden('Password: ');
  if (options.confirm && (await promptHidden('Repeat password: ')) !== password) {
    throw new Error('the passwords do not match');
  }
  return password;
}

async function readFirstLine(): Promise<string> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  throw new Error('no password on standard input');
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let input = '';
    const finish = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(input);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new Error('interrupted'));
        if (char === '\u007f' || char === '\b') input = input.slice(0, -1);
        else input += char;
      }
    };
    stdin.on('data', onData);
  });
}
