/**
 * The command table (DESIGN rule 1): every command is one entry declaring its name, the
 * states it is valid in and whether it may be pipelined; the session dispatches here.
 */
import type { ImapCommand } from '../session/types.js';
import { appendCmd } from './append.js';
import { authenticateCmd } from './authenticate.js';
import { capabilityCmd } from './capability.js';
import { closeCmd } from './close.js';
import { unselectCmd } from './unselect.js';
import { copyCmd, uidCopyCmd } from './copy.js';
import { moveCmd, uidMoveCmd } from './move.js';
import { enableCmd } from './enable.js';
import { expungeCmd, uidExpungeCmd } from './expunge.js';
import { fetchCmd, uidFetchCmd } from './fetch.js';
import { idCmd } from './id.js';
import { idleCmd } from './idle.js';
import { listCmd, lsubCmd } from './list.js';
import { loginCmd } from './login.js';
import { logoutCmd } from './logout.js';
import { createCmd } from './create.js';
import { deleteCmd } from './delete.js';
import { renameCmd } from './rename.js';
import { subscribeCmd, unsubscribeCmd } from './subscribe.js';
import { namespaceCmd } from './namespace.js';
import { checkCmd } from './check.js';
import { noopCmd } from './noop.js';
import { searchCmd, uidSearchCmd } from './search.js';
import { examineCmd, selectCmd } from './select.js';
import { starttlsCmd } from './starttls.js';
import { statusCmd } from './status.js';
import { storeCmd, uidStoreCmd } from './store.js';
import { sortCmd, uidSortCmd } from './sort.js';
import { threadCommand, uidThreadCommand } from './thread.js';
import { unauthenticateCmd } from './unauthenticate.js';
import { compressCmd } from './compress.js';
import { replaceCmd, uidReplaceCmd } from './replace.js';
import { notifyCmd } from './notify.js';
import { cancelUpdateCmd } from './search-context.js';
import { genUrlAuthCmd, resetKeyCmd, urlFetchCmd } from './urlauth.js';
import { getQuotaCmd } from './getquota.js';
import { getQuotaRootCmd } from './getquotaroot.js';
import { setQuotaCmd } from './setquota.js';
import { setaclCmd } from './setacl.js';
import { deleteaclCmd } from './deleteacl.js';
import { getaclCmd } from './getacl.js';
import { listrightsCmd } from './listrights.js';
import { myrightsCmd } from './myrights.js';
import { getMetadataCmd } from './getmetadata.js';
import { setMetadataCmd } from './setmetadata.js';
import { esearchCmd } from './esearch.js';
import { uidbatchesCmd } from './uidbatches.js';

const ALL: ImapCommand[] = [
  capabilityCmd, noopCmd, logoutCmd, starttlsCmd, authenticateCmd, loginCmd, enableCmd, idCmd,
  selectCmd, examineCmd, createCmd, deleteCmd, renameCmd, subscribeCmd, unsubscribeCmd,
  listCmd, lsubCmd, namespaceCmd, statusCmd, appendCmd, idleCmd,
  checkCmd, closeCmd, unselectCmd, expungeCmd, uidExpungeCmd,
  searchCmd, uidSearchCmd, fetchCmd, uidFetchCmd, storeCmd, uidStoreCmd,
  copyCmd, uidCopyCmd, moveCmd, uidMoveCmd,
  sortCmd, uidSortCmd, threadCommand, uidThreadCommand, unauthenticateCmd, compressCmd,
  replaceCmd, uidReplaceCmd, notifyCmd, cancelUpdateCmd, resetKeyCmd, genUrlAuthCmd, urlFetchCmd,
  getQuotaCmd, getQuotaRootCmd, setQuotaCmd, getMetadataCmd, setMetadataCmd, esearchCmd, uidbatchesCmd,
  setaclCmd, deleteaclCmd, getaclCmd, listrightsCmd, myrightsCmd,
];

export const COMMANDS: ReadonlyMap<string, ImapCommand> = new Map(ALL.map((c) => [c.name, c]));
