// The Bookstore test service (test/support/bookstore.ts) in a process of its own, as a backend the
// benchmark's transcoded routes call: prints {"port": N} once it listens, stops on SIGTERM.
import { startBookstore } from '../../test/support/bookstore.ts';

const bookstore = await startBookstore();
process.stdout.write(`${JSON.stringify({ port: bookstore.port })}\n`);
process.on('SIGTERM', () => void bookstore.stop().then(() => process.exit(0)));
