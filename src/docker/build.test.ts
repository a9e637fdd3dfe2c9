import { describe, expect, it } from 'vitest';
import { failingStep } from './build.js';

describe('failingStep', () => {
  it('takes the last step header of the legacy builder', () => {
    const lines = [
      'Step 2/3 : RUN echo one',
      ' ---> Running in 1234',
      'Step 3/3 : RUN apt-get install -y no-such-package',
      'E: Unable to locate package no-such-package',
      "The command '/bin/sh -c apt-get install -y no-such-package' returned a non-zero code: 100",
    ];
    expect(failingStep(lines)).toBe('Step 3/3 : RUN apt-get install -y no-such-package');
  });

  it("prefers BuildKit's summary, since its steps run in parallel", () => {
    const lines = [
      '#6 [2/4] RUN apt-get update     && apt-get install -y nope',
      '#7 [3/4] COPY zshrc /etc/asylum/zshrc',
      '------',
      ' > [2/4] RUN apt-get update     && apt-get install -y nope:',
      '------',
      'ERROR: failed to solve: process "/bin/sh -c apt-get update" did not complete',
    ];
    expect(failingStep(lines)).toBe('[2/4] RUN apt-get update && apt-get install -y nope');
  });

  it('shortens a long step and says nothing without one', () => {
    const long = `Step 1/1 : RUN ${'x'.repeat(300)}`;
    expect(failingStep([long])).toHaveLength(120);
    expect(failingStep(['some output', 'no steps'])).toBeUndefined();
  });
});
