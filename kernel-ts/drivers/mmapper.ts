// Placeholder: the mmapper driver is being written (issue 5); until then insmod mmapper fails with -ENODEV.
import type { KernelModule } from '../module/api';

const mod: KernelModule = {
  name: 'mmapper',
  description: 'not built yet',
  init: () => -19,
};
export default mod;
