/** Helpers the import and export commands share (transfer.ts, transfer-imap.ts). */
import type { Account, Store } from '../store/types.js';
import type { FolderReport, TransferProgress } from '../transfer/types.js';
import { CliError } from './common.js';
import { out } from './io.js';
import type { Progress } from './progress.js';
import { parseAddress } from '../admin/validate.js';

export async function requireAccount(store: Store, address: string): Promise<Account> {
  const account = await store.getAccount(parseAddress(address));
  if (!account) throw new CliError(`unknown user ${address} (see: letterbox user list); create the account first`);
  return account;
}

/** a TransferProgress drawing on a CLI progress bar */
export function barProgress(bar: Progress, initial = 0): TransferProgress {
  let total = initial;
  return {
    addTotal(n) {
      total += n;
      bar.setTotal(total);
    },
    advance(n, note) {
      bar.increment(n, note);
    },
  };
}

export function printFolderReport(r: FolderReport): void {
  const where = r.source === r.target ? r.target : `${r.source} → ${r.target}`;
  const dup = r.duplicates ? `, ${r.duplicates} already there` : '';
  out(`${where}: ${r.imported} imported${dup}${r.uidsKept ? ' (UIDs kept)' : ''}`);
  for (const n of r.notes) out(`  note: ${n}`);
}

