import { runProgram } from './program.js';

// A reader that goes away (`asylum run cat big | head`) ends us like any Unix filter.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(141);
    throw error;
  });
}

const code = await runProgram(process.argv.slice(2));
process.exitCode = code;
