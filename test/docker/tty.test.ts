import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { asylumCommand, ctx, hasTmux, makeProject, tmux, waitFor } from './harness.js';

describe.skipIf(!ctx.engine || (!hasTmux && !process.env.CI))('interactive sessions', () => {
  it('asylum shell is a working interactive zsh in a terminal', async () => {
    const project = makeProject('tty-shell');
    const session = `asylum-tty-${process.pid}`;
    const command = `${asylumCommand(project, 'shell')}; echo ASYLUM_EXIT=$?; sleep 60`;
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '30', command);
    try {
      const screen = () => tmux('capture-pane', '-t', session, '-p');
      await waitFor(() => screen().includes('[asylum]'), 120_000, 250);
      tmux('send-keys', '-t', session, 'echo tty=$(tty) sum=$((40+2))', 'Enter');
      await waitFor(() => screen().includes('sum=42'), 10_000, 100);
      expect(screen()).toMatch(/tty=\/dev\/pts\/\d+/);
      tmux('send-keys', '-t', session, 'exit 3', 'Enter');
      await waitFor(() => screen().includes('ASYLUM_EXIT=3'), 10_000, 100);
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session]);
    }
  });
});
