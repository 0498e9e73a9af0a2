/**
 * Every web feature, in one list. A new page is one file under ./pages/ exporting a
 * WebFeature (see ./kit/types.ts) and one line here; its nav entry appears in the menu of its
 * area (account or admin). Mount order matters only for identical paths.
 */
import type { WebFeature } from './kit/types.js';
import { setupPage } from './pages/setup.js';
import { loginPage } from './pages/login.js';
import { mtaStsPolicy } from './pages/mta-sts.js';
import { accountOverview } from './pages/account/overview.js';
import { devicesPage } from './pages/account/devices.js';
import { appPasswordsPage } from './pages/account/app-passwords.js';
import { deletedPage } from './pages/account/deleted.js';
import { passwordPage } from './pages/account/password.js';
import { filtersPage } from './pages/account/filters.js';
import { adminStatus } from './pages/admin/status.js';
import { adminDomains } from './pages/admin/domains.js';
import { adminUsers } from './pages/admin/users.js';
import { adminAliases } from './pages/admin/aliases.js';
import { adminQueue } from './pages/admin/queue.js';
import { adminDmarc } from './pages/admin/dmarc.js';
import { adminBackups } from './pages/admin/backups.js';

export const FEATURES: WebFeature[] = [
  setupPage,
  loginPage,
  mtaStsPolicy,
  accountOverview,
  devicesPage,
  appPasswordsPage,
  deletedPage,
  passwordPage,
  filtersPage,
  adminStatus,
  adminDomains,
  adminUsers,
  adminAliases,
  adminQueue,
  adminDmarc,
  adminBackups,
];
