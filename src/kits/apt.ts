import type { Kit } from './types.js';

/**
 * Extra Debian packages, listed under `kits.apt.packages`. Global ones land in
 * the base image, project ones in the project's own image; either way they
 * come from the same Debian suite as the base.
 */
export const aptKit: Kit = {
  name: 'apt',
  tier: 'opt-in',
  summary: 'extra Debian packages from `packages`',
  order: 5,
  userInstalls: { key: 'packages', noun: 'Debian package', apt: true },
};
