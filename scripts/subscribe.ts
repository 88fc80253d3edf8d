/*
 * `npm run subscribe`: sets an agent's Ringg event subscriptions to this receiver.
 * The logic lives in src/ringg/subscribe-command.ts so tests can run it in-process.
 */
import { runSubscribe } from '../src/ringg/subscribe-command';

runSubscribe(process.argv.slice(2), process.env, {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`subscribe: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
);
