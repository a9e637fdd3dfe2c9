import type { Kit } from './types.js';

export const sshKit: Kit = {
  name: 'ssh',
  tier: 'always',
  summary: 'OpenSSH client (keys and known_hosts: see the identity section)',
  order: 20,
  aptPackages: ['openssh-client'],
};
