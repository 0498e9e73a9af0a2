/**
 * Command groups written by other areas (the SMTP side's `queue` and `dns`). Loaded by
 * computed path until both exist; then this becomes plain static imports.
 */
import type { Command } from 'commander';

interface Group {
  register(program: Command): void;
}

async function load(path: string): Promise<Group | null> {
  try {
    return (await import(path)) as Group;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(path.slice(2, -3))) return null;
    throw e;
  }
}

export const extraGroups: Group[] = (await Promise.all(['./queue.js', './dns.js'].map(load))).filter((g): g is Group => g !== null);
